#!/usr/bin/env python3
"""Nextflow entry of the merge-mafs step: the same code as `metevo merge-mafs`."""
import sys

from metevo.cli import main

sys.exit(main(["merge-mafs", *sys.argv[1:]]))
