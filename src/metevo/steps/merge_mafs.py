"""``metevo merge-mafs``: the per-sample MAFs as one cohort MAF, annotated from the samplesheet.

Adds ``patient`` and ``sample_type`` to every row. Rows are in genomic order, then by sample
(``write_maf``), so the cohort MAF is identical however the per-sample MAFs were listed.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV")
    parser.add_argument("--maf", action="append", default=[], help="a per-sample MAF (repeatable; none gives an empty cohort MAF)")
    parser.add_argument("--out", required=True, help="cohort MAF to write")


def run(args: argparse.Namespace) -> None:
    from metevo.io.atomic import Outputs
    from metevo.cohort import merge_sample_mafs
    from metevo.io.maf import read_maf, write_maf
    from metevo.io.samplesheet import read_samplesheet

    sheet = read_samplesheet(args.samplesheet)
    mafs = [(path, read_maf(path)) for path in args.maf]
    cohort = merge_sample_mafs(mafs, sheet.table)
    with Outputs() as out:
        write_maf(cohort, out.path(args.out), extra_columns=["patient", "sample_type"])
