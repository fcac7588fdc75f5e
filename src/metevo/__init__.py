"""metevo: what do metastases and recurrences acquire that their primary tumors did not?

The science lives in plain functions over tables (``metevo.ensemble``, ``metevo.concordance``,
``metevo.stats`` ...); ``metevo.steps`` holds the thin command-line layer of each step, and
``metevo.runner`` the single-machine executor that runs the same steps as ``main.nf``.
"""

__version__ = "0.1.0"
