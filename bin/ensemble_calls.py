#!/usr/bin/env python3
"""Nextflow entry of the ensemble-calls step: the same code as `metevo ensemble-calls`."""
import sys

from metevo.cli import main

sys.exit(main(["ensemble-calls", *sys.argv[1:]]))
