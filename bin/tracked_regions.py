#!/usr/bin/env python3
"""Nextflow entry of the tracked-regions step: the same code as `metevo tracked-regions`."""
import sys

from metevo.cli import main

sys.exit(main(["tracked-regions", *sys.argv[1:]]))
