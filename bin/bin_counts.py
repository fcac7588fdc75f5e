#!/usr/bin/env python3
"""Nextflow entry of the bin-counts step: the same code as `metevo bin-counts`."""
import sys

from metevo.cli import main

sys.exit(main(["bin-counts", *sys.argv[1:]]))
