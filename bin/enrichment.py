#!/usr/bin/env python3
"""Nextflow entry of the enrichment step: the same code as `metevo enrichment`."""
import sys

from metevo.cli import main

sys.exit(main(["enrichment", *sys.argv[1:]]))
