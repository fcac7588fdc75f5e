#!/usr/bin/env python3
"""Nextflow entry of the report step: the same code as `metevo report`."""
import sys

from metevo.cli import main

sys.exit(main(["report", *sys.argv[1:]]))
