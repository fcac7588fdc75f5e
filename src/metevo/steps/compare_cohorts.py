"""``metevo compare-cohorts --maf-a A.maf --maf-b B.maf [--label-a NAME] [--label-b NAME]
[--samples-a FILE] [--samples-b FILE] [--strict-samples] [--min-mutated N] [--classes LIST]
[--coverage-a FILE] [--coverage-b FILE] --out OUT.tsv``.

Per gene, the samples mutated in each cohort, a two-sided Fisher exact test with R's
conditional MLE odds ratio and exact 95% interval, and BH q-values. Method, sample and
coverage rules, columns: docs/compare-cohorts.md; science in :mod:`metevo.cohort_compare`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of samples, found '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found '{text}'")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--maf-a", required=True, help="MAF of cohort A (gzip allowed)")
    parser.add_argument("--maf-b", required=True, help="MAF of cohort B (may be the same file as --maf-a with sample lists)")
    parser.add_argument("--label-a", help="name of cohort A in the output (default: the MAF's name up to its first dot)")
    parser.add_argument("--label-b", help="name of cohort B in the output")
    parser.add_argument("--samples-a", help="samples of cohort A, one per line (default: the MAF's barcodes); listed "
                                            "samples without mutations count as unmutated")
    parser.add_argument("--samples-b", help="samples of cohort B, one per line")
    parser.add_argument("--strict-samples", action="store_true",
                        help="every listed sample must have a mutation in its MAF (default: samples without one count "
                             "as unmutated)")
    parser.add_argument("--min-mutated", type=_count, default=5, metavar="N",
                        help="test genes mutated in at least N samples of the two cohorts together (default 5)")
    parser.add_argument("--classes", metavar="LIST",
                        help="comma-separated Variant_Classification values to count, or 'all' (default: maftools' "
                             "non-synonymous classes)")
    parser.add_argument("--coverage-a", help="genes sequenced per sample of cohort A: TSV 'sample gene' or 'sample panel'")
    parser.add_argument("--coverage-b", help="genes sequenced per sample of cohort B")
    parser.add_argument("--out", required=True, help="output TSV")


def run(args: argparse.Namespace) -> None:
    from metevo.cohort_compare import build_cohort, compare_cohorts, parse_classes, read_coverage, read_maf_genes, read_sample_list
    from metevo.errors import ConfigError
    from metevo.io.atomic import Outputs
    from metevo.io.tables import write_tsv

    try:
        classes = parse_classes(args.classes)
    except ValueError as err:
        raise ConfigError(f"--classes: {err}") from None
    # default names: the sample list's (else the MAF's) file name up to its first dot; A and B if those agree
    label_a = args.label_a or Path(args.samples_a or args.maf_a).name.split(".")[0]
    label_b = args.label_b or Path(args.samples_b or args.maf_b).name.split(".")[0]
    if label_a == label_b:
        if args.label_a and args.label_b:
            raise ConfigError(f"--label-a and --label-b are both '{label_a}'; give the cohorts different names")
        label_a, label_b = args.label_a or "A", args.label_b or "B"
    lists = [read_sample_list(p) if p else None for p in (args.samples_a, args.samples_b)]
    coverages = [read_coverage(p) if p else None for p in (args.coverage_a, args.coverage_b)]
    maf_a = read_maf_genes(args.maf_a)
    maf_b = maf_a if Path(args.maf_b).resolve() == Path(args.maf_a).resolve() else read_maf_genes(args.maf_b)
    cohorts = [
        build_cohort(label, maf, maf_path=path, classes=classes, sample_list=lst, list_path=lpath,
                     strict_samples=args.strict_samples, coverage=cov)
        for label, maf, path, lst, lpath, cov in (
            (label_a, maf_a, args.maf_a, lists[0], args.samples_a, coverages[0]),
            (label_b, maf_b, args.maf_b, lists[1], args.samples_b, coverages[1]),
        )
    ]
    table = compare_cohorts(*cohorts, min_mutated=args.min_mutated)
    with Outputs() as out:
        write_tsv(table, out.path(args.out))
