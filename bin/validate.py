#!/usr/bin/env python3
"""Nextflow entry of the validate step: the same code as `metevo validate`."""
import sys

from metevo.cli import main

sys.exit(main(["validate", *sys.argv[1:]]))
