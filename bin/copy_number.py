#!/usr/bin/env python3
"""Nextflow entry of the copy-number step: the same code as `metevo copy-number`."""
import sys

from metevo.cli import main

sys.exit(main(["copy-number", *sys.argv[1:]]))
