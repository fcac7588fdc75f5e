#!/usr/bin/env python3
"""Nextflow entry of the hrd step: the same code as `metevo hrd`."""
import sys

from metevo.cli import main

sys.exit(main(["hrd", *sys.argv[1:]]))
