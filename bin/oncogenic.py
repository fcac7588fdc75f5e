#!/usr/bin/env python3
"""Nextflow entry of the oncogenic step: the same code as `metevo oncogenic`."""
import sys

from metevo.cli import main

sys.exit(main(["oncogenic", *sys.argv[1:]]))
