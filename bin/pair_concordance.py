#!/usr/bin/env python3
"""Nextflow entry of the pair-concordance step: the same code as `metevo pair-concordance`."""
import sys

from metevo.cli import main

sys.exit(main(["pair-concordance", *sys.argv[1:]]))
