#!/usr/bin/env python3
"""Nextflow entry of the germline step: the same code as `metevo germline`."""
import sys

from metevo.cli import main

sys.exit(main(["germline", *sys.argv[1:]]))
