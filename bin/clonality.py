#!/usr/bin/env python3
"""Nextflow entry of the clonality step: the same code as `metevo clonality`."""
import sys

from metevo.cli import main

sys.exit(main(["clonality", *sys.argv[1:]]))
