"""``metevo pair-concordance``: Jaccard concordance of every sample pair, mutation burden, and
the cohort rank tests (docs/concordance.md).

With ``--segments``, copy number joins in (``metevo.cn.concordance``): R^2 of genome-wide copy
number per pair (``cn_r2``, ``cn_n_bins`` in pairs.tsv), copy-number burden per sample
(``n_segments n_cna fga lst`` in burden.tsv; LST from ``--hrd`` tables) and the paired tests
of CNAs, fraction of genome altered and LSTs (rows of tests.tsv; q-values are BH over all rows).

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
    parser.add_argument("--segments", action="append", default=[], metavar="[SAMPLE=]PATH",
                        help="copy-number segments of a sample (repeatable): adds copy-number R^2, burden and tests")
    parser.add_argument("--hrd", action="append", default=[], metavar="HRD.tsv",
                        help="metevo hrd output of a sample (repeatable): LSTs for the copy-number burden tests")


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
    pairs, burden, tests = result.pairs, result.burden, result.tests
    if args.segments:
        pairs, burden, tests = _with_copy_number(pairs, burden, tests, sheet, args.segments, args.hrd)
        burden_columns += ["n_segments", "n_cna", "fga", "lst"]
    with Outputs() as out:
        write_tsv(pairs, out.path(outdir / "pairs.tsv"))
        write_tsv(burden, out.path(outdir / "burden.tsv"), columns=burden_columns)
        write_tsv(tests, out.path(outdir / "tests.tsv"))


def _with_copy_number(pairs, burden, tests, sheet, segment_specs, hrd_paths):
    """Copy-number columns and test rows merged into the mutation tables."""
    import pandas as pd

    from metevo.cn.concordance import cn_burden_tests, cna_burden, pair_cn_r2, paired_cn_burden
    from metevo.io.segments import read_cohort_segments
    from metevo.io.tables import read_table
    from metevo.stats.multitest import bh_adjust

    segments = read_cohort_segments(segment_specs, sheet)
    table = sheet.table
    purity = {s: float(p) for s, p in zip(table["sample"], table["purity"]) if pd.notna(p)}
    ploidy = {s: float(p) for s, p in zip(table["sample"], table["ploidy"]) if pd.notna(p)}
    lst = {}
    for path in hrd_paths:
        scores = read_table(path, required=("sample", "lst"), what="HRD table")
        for sample, value in zip(scores["sample"], scores["lst"]):
            if value not in ("", "NA"):
                lst[sample] = float(value)
    r2 = pair_cn_r2(pairs, segments, ploidy=ploidy)
    pairs = pd.concat([pairs.reset_index(drop=True), r2[["cn_r2", "cn_n_bins"]].reset_index(drop=True)], axis=1)
    cn_burden = cna_burden(segments, table, lst=lst or None, purity=purity, ploidy=ploidy)
    burden = burden.merge(cn_burden.drop(columns=["patient", "sample_type"]), on="sample", how="left")
    burden["n_segments"] = burden["n_segments"].astype("Int64")
    burden["n_cna"] = burden["n_cna"].astype("Int64")
    tests = pd.concat([tests, cn_burden_tests(paired_cn_burden(cn_burden))], ignore_index=True)
    tests["q_value"] = bh_adjust(tests["p_value"].to_numpy(dtype=float))
    return pairs, burden, tests
