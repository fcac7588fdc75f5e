#!/usr/bin/env python3
"""Nextflow entry of the associations step: the same code as `metevo associations`."""
import sys

from metevo.cli import main

sys.exit(main(["associations", *sys.argv[1:]]))
