#!/usr/bin/env python3
"""Nextflow entry of the cfdna step: the same code as `metevo cfdna`."""
import sys

from metevo.cli import main

sys.exit(main(["cfdna", *sys.argv[1:]]))
