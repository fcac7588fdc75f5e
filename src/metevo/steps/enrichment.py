"""``metevo enrichment --maf COHORT.maf --samplesheet S.csv [--clinical C.csv]
[--external-maf M.maf [--external-samples LIST] [--external-clinical T.tsv]
[--external-subtype-column COL] [--external-label NAME]] [--min-depth 10 --min-alt 3
--min-vaf 0.05] [--min-mutated 3] [--classes LIST] [--fdr 0.1] [--no-burden] --outdir D``.

Genes mutated more often in metastases: paired (exact McNemar), all metastases vs all
primaries (Fisher), metastases vs an external primary cohort (Fisher overall and within
subtype, Cochran-Mantel-Haenszel across subtypes), each with a burden-aware exact test (metastases
carry more mutations), and a summary of the significant genes.
Writes D/paired.tsv, D/unpaired.tsv, D/enriched.tsv, D/summary.tsv and, with --external-maf,
D/external.tsv and D/external_by_subtype.tsv. Method, rules and columns: docs/enrichment.md;
science in :mod:`metevo.enrichment`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, found '{text}'")
    return value


def _positive(text: str) -> int:
    value = _count(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found '{text}'")
    return value


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction, found '{text}'") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in [0, 1], found '{text}'")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--maf", required=True, help="the cohort MAF (metevo merge-mafs' cohort.maf, or any MAF whose "
                                                     "barcodes are samplesheet samples)")
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV (patients, sample types, "
                                                             "receptor statuses)")
    parser.add_argument("--clinical", help="clinical CSV; its 'subtype' column, when present, gives each patient's subtype")
    ext = parser.add_argument_group("external primary cohort")
    ext.add_argument("--external-maf", help="MAF of an external primary cohort (e.g. TCGA-BRCA)")
    ext.add_argument("--external-samples", help="samples of the external cohort, one per line (default: the MAF's "
                                                "barcodes); listed samples without calls count as unmutated")
    ext.add_argument("--external-clinical", help="external clinical TSV with a sample id column and a subtype column "
                                                 "(or ER/PR/HER2 status columns): enables the within-subtype and CMH tests")
    ext.add_argument("--external-subtype-column", metavar="COL", help="the subtype column of --external-clinical "
                                                                      "(default: found by name)")
    ext.add_argument("--external-label", default="external", help="name of the external cohort in the outputs "
                                                                  "(default: external)")
    filters = parser.add_argument_group("call filters, applied to both MAFs where they have read counts")
    filters.add_argument("--min-depth", type=_count, default=10, metavar="N", help="tumour depth >= N [10]")
    filters.add_argument("--min-alt", type=_count, default=3, metavar="N", help="tumour ALT reads >= N [3]")
    filters.add_argument("--min-vaf", type=_fraction, default=0.05, metavar="F", help="tumour VAF >= F [0.05]")
    parser.add_argument("--min-mutated", type=_positive, default=3, metavar="N",
                        help="test genes mutated in at least N units of the two sides together [3]")
    parser.add_argument("--classes", metavar="LIST", help="comma-separated Variant_Classification values to count, or "
                                                          "'all' (default: maftools' non-synonymous classes)")
    parser.add_argument("--fdr", type=_fraction, default=0.1, metavar="Q",
                        help="q-value at or below which a gene enters enriched.tsv [0.1]")
    parser.add_argument("--no-burden", action="store_true",
                        help="enriched.tsv by the plain tests' q-values (any comparison, either direction) instead of "
                             "the burden-aware rule (docs/enrichment.md)")
    parser.add_argument("--outdir", required=True, help="output folder")


def _subtype_counts(group) -> str:
    from metevo.enrichment import SUBTYPES

    values = [group.subtype.get(u, "") for u in group.units]
    parts = [f"{s}={values.count(s)}" for s in SUBTYPES]
    return ",".join(parts + [f"unknown={values.count('')}"])


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    from metevo import enrichment as E
    from metevo.cohort_compare import parse_classes, read_sample_list
    from metevo.errors import ConfigError
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_clinical, read_samplesheet
    from metevo.io.tables import read_table, write_tsv

    try:
        classes = parse_classes(args.classes)
    except ValueError as err:
        raise ConfigError(f"--classes: {err}") from None
    for option in ("external_samples", "external_clinical", "external_subtype_column"):
        if getattr(args, option) and not args.external_maf:
            raise ConfigError(f"--{option.replace('_', '-')} needs --external-maf")
    if args.external_subtype_column and not args.external_clinical:
        raise ConfigError("--external-subtype-column needs --external-clinical")
    label = args.external_label.strip()
    if not label or label in ("metastasis", "primary"):
        raise ConfigError(f"--external-label must be a name other than metastasis/primary, got '{args.external_label}'")
    read_filter = E.ReadFilter(args.min_depth, args.min_alt, args.min_vaf)

    sheet = read_samplesheet(args.samplesheet)
    patient_subtypes = None
    if args.clinical:
        patient_subtypes = E.clinical_subtypes(read_clinical(args.clinical), path=args.clinical)
    external_list = read_sample_list(args.external_samples) if args.external_samples else None
    external_table = read_table(args.external_clinical, comment="#", what="clinical table") if args.external_clinical else None

    calls = E.read_maf_calls(args.maf, allow_empty=True)
    kept, internal_filter = E.filter_calls(calls, read_filter)
    internal = E.internal_groups(kept, sheet.table, classes=classes, patient_subtypes=patient_subtypes,
                                 maf_path=args.maf, sheet_path=args.samplesheet)
    notes = list(internal.notes)
    paired = E.paired_table(internal.primary, internal.metastasis, min_mutated=args.min_mutated)
    n_pairs = len(set(internal.primary.units) & set(internal.metastasis.units))
    if n_pairs == 0:
        notes.append("no patient has both a primary and a metastasis/recurrence sample: paired.tsv has no rows")
    unpaired = E.unpaired_table(internal.metastasis, internal.primary, min_mutated=args.min_mutated)
    if not internal.metastasis.units or not internal.primary.units:
        notes.append("no metastasis or no primary sample: unpaired.tsv has no tests")

    summary = [
        ("classes", "all" if classes is None else ",".join(classes)),
        ("min_mutated", str(args.min_mutated)),
        ("fdr", f"{args.fdr:g}"),
        ("cohort_filter", internal_filter.description),
        ("cohort_rows_removed_by_filter", str(internal_filter.rows_before - internal_filter.rows_after)),
        ("primary_patients", str(len(internal.primary.units))),
        ("metastasis_patients", str(len(internal.metastasis.units))),
        ("paired_patients", str(n_pairs)),
        ("metastasis_subtypes", _subtype_counts(internal.metastasis)),
        ("subtype_source", "clinical subtype column, else samplesheet er/pr/her2_status" if patient_subtypes is not None
         else "samplesheet er/pr/her2_status"),
    ]
    external = by_subtype = None
    if args.external_maf:
        ext_calls = E.read_maf_calls(args.external_maf)
        ext_kept, ext_filter = E.filter_calls(ext_calls, read_filter)
        if external_list is not None:
            listed = [s for s, _ in external_list]
            present = set(ext_calls["sample"])
            if not present & set(listed):
                first, line = external_list[0]
                raise E.InputError(f"no sample of the list is in {Path(args.external_maf).name} (e.g. '{first}'); do the "
                                   f"ids use the MAF's Tumor_Sample_Barcode spelling?", file=args.external_samples, line=line)
            samples = listed
        else:
            samples = sorted(set(ext_calls["sample"]))
        subtypes, source = ({}, "")
        if external_table is not None:
            subtypes, source = E.external_subtypes(external_table, path=args.external_clinical, samples=samples,
                                                   column=args.external_subtype_column)
        group = E.external_group(ext_kept, label=label, classes=classes, samples=samples, subtypes=subtypes)
        external, by_subtype = E.external_tables(internal.metastasis, group, min_mutated=args.min_mutated,
                                                 ext_filter=ext_filter)
        used = E.strata(internal.metastasis, group)
        if external_table is not None and len(used) < 2:
            notes.append(f"subtypes known on both sides: {','.join(used) or 'none'}; the CMH test needs two strata "
                         "(R mantelhaen.test): CMH columns are empty")
        summary += [
            ("external_label", label),
            ("external_samples", str(len(group.units))),
            ("external_refiltered", "yes" if ext_filter.refiltered else "no"),
            ("external_filter", ext_filter.description),
            ("external_rows_removed_by_filter", str(ext_filter.rows_before - ext_filter.rows_after)),
            ("external_subtypes", _subtype_counts(group) if external_table is not None else ""),
            ("external_subtype_source", source),
            ("cmh_strata", ",".join(used) if len(used) >= 2 else ""),
        ]
    enriched = E.enriched_table(paired, unpaired, external, by_subtype, fdr=args.fdr, burden=not args.no_burden)
    rule = ("plain tests: q <= fdr in any comparison" if args.no_burden else
            "burden-aware: burden test q <= fdr (gained: one-sided) in the plain test's direction")
    summary += [("enriched_rule", rule), ("enriched_genes", str(len(enriched)))] + [("note", n) for n in notes]

    outdir = Path(args.outdir)
    with Outputs() as out:
        write_tsv(paired, out.path(outdir / "paired.tsv"))
        write_tsv(unpaired, out.path(outdir / "unpaired.tsv"))
        if external is not None:
            write_tsv(external, out.path(outdir / "external.tsv"))
            write_tsv(by_subtype, out.path(outdir / "external_by_subtype.tsv"))
        write_tsv(enriched, out.path(outdir / "enriched.tsv"))
        write_tsv(pd.DataFrame(summary, columns=["item", "value"]), out.path(outdir / "summary.tsv"))
