"""``metevo pair-concordance``: Jaccard concordance of every sample pair, mutation burden, and
the cohort rank tests (docs/concordance.md).

Writes ``pairs.tsv``, ``burden.tsv`` and ``tests.tsv`` into ``--outdir``, all or none.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV")
    parser.add_argument("--maf", required=True, help="cohort MAF written by merge-mafs")
    parser.add_argument("--outdir", required=True, help="folder for pairs.tsv, burden.tsv, tests.tsv")
    parser.add_argument(
        "--include-silent", action="store_true",
        help="count Silent mutations as coding too (default: maftools' non-synonymous classes only)",
    )
    parser.add_argument(
        "--classes", nargs="+", metavar="CLASS",
        help="Variant_Classification values counted as coding, replacing maftools' non-synonymous list "
             "(space- or comma-separated)",
    )
    parser.add_argument("--target-mb", type=float, help="size of the sequenced target in Mb: adds per-Mb burden columns")


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    from metevo.concordance import BURDEN_COLUMNS, BURDEN_PER_MB_COLUMNS, MAF_REQUIRED_COLUMNS, coding_classes, concordance
    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf
    from metevo.io.samplesheet import read_samplesheet
    from metevo.io.tables import write_tsv

    requested = None
    if args.classes:
        requested = [c for item in args.classes for c in item.split(",")]
    classes = coding_classes(include_silent=args.include_silent, classes=requested)
    sheet = read_samplesheet(args.samplesheet)
    maf = read_maf(args.maf, required=MAF_REQUIRED_COLUMNS)
    result = concordance(
        sheet.table, maf, classes=classes, target_mb=args.target_mb,
        maf_file=args.maf, samplesheet_file=args.samplesheet,
    )
    outdir = Path(args.outdir)
    burden_columns = list(BURDEN_COLUMNS) + (list(BURDEN_PER_MB_COLUMNS) if args.target_mb is not None else [])
    with Outputs() as out:
        write_tsv(result.pairs, out.path(outdir / "pairs.tsv"))
        write_tsv(result.burden, out.path(outdir / "burden.tsv"), columns=burden_columns)
        write_tsv(result.tests, out.path(outdir / "tests.tsv"))
