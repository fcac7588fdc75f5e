#!/usr/bin/env python3
"""Nextflow entry of the import-segments step: the same code as `metevo import-segments`."""
import sys

from metevo.cli import main

sys.exit(main(["import-segments", *sys.argv[1:]]))
