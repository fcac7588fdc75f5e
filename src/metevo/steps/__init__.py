"""Command-line layer of each step: ``add_arguments(parser)`` and ``run(args)``.

A step module parses arguments, reads inputs through ``metevo.io``, calls the science
functions, and writes outputs inside ``metevo.io.atomic.Outputs`` so that an error leaves
nothing behind. ``metevo run`` calls the same ``run`` functions in worker processes.
"""
