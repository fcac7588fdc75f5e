#!/usr/bin/env python3
"""Nextflow entry of the biallelic step: the same code as `metevo biallelic`."""
import sys

from metevo.cli import main

sys.exit(main(["biallelic", *sys.argv[1:]]))
