#!/usr/bin/env python3
"""Nextflow entry of the import-maf step: the same code as `metevo import-maf`."""
import sys

from metevo.cli import main

sys.exit(main(["import-maf", *sys.argv[1:]]))
