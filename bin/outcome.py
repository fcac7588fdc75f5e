#!/usr/bin/env python3
"""Nextflow entry of the outcome step: the same code as `metevo outcome`."""
import sys

from metevo.cli import main

sys.exit(main(["outcome", *sys.argv[1:]]))
