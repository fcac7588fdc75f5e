#!/usr/bin/env python3
"""Nextflow entry of the bin-annotation step: the same code as `metevo bin-annotation`."""
import sys

from metevo.cli import main

sys.exit(main(["bin-annotation", *sys.argv[1:]]))
