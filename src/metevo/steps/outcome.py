"""``metevo outcome --clinical C.csv --samplesheet S.csv --alterations A.tsv --pathway-status P.tsv
[--enriched E.tsv] [--external-maf M --external-samples L --external-clinical T]
[--endpoints pfs,os] [--min-altered 3] [--covariates subtype,...] [--status-from metastasis|any]
[--gene-status oncogenic|mutated] --outdir D``.

Progression-free and overall survival by pathway and gene status per patient (univariable and
adjusted Cox, log-rank, KM medians, BH q), the proportional-hazards test, PFS by MAPK status
in the anti-HER2 subgroup, KM and forest plots and, with an external primary cohort, its
overall survival by the genes enriched in metastases. Writes D/outcome.tsv, D/ph_test.tsv,
D/summary.tsv, D/km_<endpoint>_<feature>.svg, D/forest_<endpoint>.svg and, with
--external-maf, D/external_outcome.tsv. Method and columns: docs/outcome.md; science in
:mod:`metevo.outcome_analysis`.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found '{text}'")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--clinical", required=True, help="clinical CSV (one row per patient: pfs_time/pfs_event, "
                                                          "os_time/os_event, anti_her2, subtype, ...)")
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV (patients, sample types, "
                                                             "receptor statuses)")
    parser.add_argument("--alterations", required=True, help="alterations.tsv of metevo oncogenic")
    parser.add_argument("--pathway-status", required=True, help="pathway_status.tsv of metevo oncogenic (also the "
                                                                "list of profiled samples)")
    parser.add_argument("--enriched", help="enriched.tsv of metevo enrichment: its genes gained in metastases are the "
                                           "gene features (instead of --min-altered) and the external cohort's genes")
    ext = parser.add_argument_group("external primary cohort (needs --enriched)")
    ext.add_argument("--external-maf", help="MAF of an external primary cohort")
    ext.add_argument("--external-samples", help="its samples, one per line (default: the MAF's barcodes)")
    ext.add_argument("--external-clinical", help="its clinical TSV/CSV: a sample id column, os_time, os_event "
                                                 "(and a subtype or ER/PR/HER2 columns for the adjusted model)")
    parser.add_argument("--endpoints", default="pfs,os", help="comma-separated endpoints among pfs, os [pfs,os]; "
                                                              "those the clinical table lacks are noted and skipped")
    parser.add_argument("--min-altered", type=_positive, default=3, metavar="N",
                        help="gene features: genes altered in at least N analysed patients [3] (without --enriched)")
    parser.add_argument("--covariates", default="subtype",
                        help="covariates of the adjusted Cox models, comma-separated: hr_status, her2_status, subtype, "
                             "erbb2_amplification, pi3k_altered or clinical columns; 'none' for none [subtype]")
    parser.add_argument("--status-from", choices=("metastasis", "any"), default="metastasis",
                        help="a patient is altered if any of its metastasis/recurrence samples is (metastasis), or any "
                             "tumour sample (any) [metastasis]")
    parser.add_argument("--gene-status", choices=("oncogenic", "mutated"),
                        help="a gene is altered by an oncogenic alteration, or by any non-synonymous mutation "
                             "[oncogenic; mutated with --enriched, as enrichment counts]")
    parser.add_argument("--outdir", required=True, help="output folder")


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    from metevo import enrichment as E
    from metevo import outcome_analysis as O
    from metevo.cohort_compare import parse_classes, read_sample_list
    from metevo.errors import ConfigError, InputError
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_clinical, read_samplesheet
    from metevo.io.tables import write_tsv
    from metevo.oncogenic import read_alterations

    endpoints = [e.strip().lower() for e in args.endpoints.split(",") if e.strip()]
    if not endpoints or any(e not in O.ENDPOINTS for e in endpoints) or len(set(endpoints)) != len(endpoints):
        raise ConfigError(f"--endpoints expects a comma-separated list of pfs and os, got '{args.endpoints}'")
    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()]
    if [c.lower() for c in covariates] == ["none"]:
        covariates = []
    if len(set(covariates)) != len(covariates):
        raise ConfigError(f"--covariates names a column twice: '{args.covariates}'")
    external_options = [o for o in ("external_maf", "external_samples", "external_clinical") if getattr(args, o)]
    if external_options:
        if not args.enriched:
            raise ConfigError(f"--{external_options[0].replace('_', '-')} needs --enriched (the genes to test)")
        if not args.external_maf or not args.external_clinical:
            raise ConfigError("the external cohort needs --external-maf and --external-clinical (its survival times)")
    gene_status = args.gene_status or ("mutated" if args.enriched else "oncogenic")

    sheet = read_samplesheet(args.samplesheet).table
    clinical = O.clinical_frame(read_clinical(args.clinical), path=args.clinical)
    reserved = {f"{e}_{p}" for e in O.ENDPOINTS for p in ("time", "event")}
    for c in covariates:
        if c in reserved or (c not in O.DERIVED_COVARIATES and c not in clinical.columns):
            raise ConfigError(f"--covariates: '{c}' is neither one of {', '.join(O.DERIVED_COVARIATES)} nor a column "
                              f"of the clinical table")
    alterations = read_alterations(args.alterations)
    O.check_samples(alterations, sheet, path=args.alterations, what="alterations table")
    status = O.read_pathway_status(args.pathway_status)
    O.check_samples(status, sheet, path=args.pathway_status, what="pathway status table")
    enriched = O.read_enriched_genes(args.enriched) if args.enriched else None

    samples = O.counted_samples(status, status_from=args.status_from)
    pathways = O.pathway_features(status, alterations, samples)
    patients = list(clinical.index)
    analysed = [p for p in patients if p in set(samples["patient"])]
    genes = O.gene_features(alterations, samples, patients, gene_status=gene_status, min_altered=args.min_altered,
                            genes=enriched)
    features = O.build_features(pathways.reindex(patients), genes, gene_status=gene_status)
    covariate_frame = O.patient_covariates(samples, sheet, clinical, alterations, features.matrix)
    result = O.analyse_outcome(clinical, features, covariate_frame, endpoints=endpoints, covariates=covariates)

    notes = list(result.notes)
    profiled = sorted(set(status["patient"]))
    unmatched = [p for p in profiled if p not in set(patients)]
    if unmatched:
        notes.append(f"{len(unmatched)} profiled patients have no row in the clinical table (e.g. {unmatched[0]})")
    missing = [p for p in patients if p not in set(samples["patient"])]
    if missing:
        notes.append(f"{len(missing)} clinical patients have no counted profiled sample "
                     f"({'metastasis/recurrence' if args.status_from == 'metastasis' else 'tumour'}) and no status "
                     f"(e.g. {missing[0]})")
    if "erbb2_amplification" in covariates and covariate_frame["erbb2_amplification"].isna().all():
        notes.append("alterations.tsv has no copy-number rows: erbb2_amplification is unknown")

    external = None
    summary = [
        ("status_from", args.status_from),
        ("gene_status", gene_status),
        ("gene_features", "enriched.tsv genes gained in metastases" if enriched is not None
         else f"genes altered in >= {args.min_altered} analysed patients"),
        ("covariates", ",".join(covariates)),
        ("endpoints", ",".join(sorted(set(result.outcome["endpoint"]), key=endpoints.index))),
        ("clinical_patients", str(len(patients))),
        ("patients_with_status", str(len(analysed))),
        ("pathway_features", str(len(pathways.columns))),
        ("gene_features", str(len(genes.columns))),
    ]
    if args.external_maf:
        calls = E.read_maf_calls(args.external_maf)
        kept, ext_filter = E.filter_calls(calls, E.ReadFilter())
        if args.external_samples:
            listed = [s for s, _ in read_sample_list(args.external_samples)]
            if not set(listed) & set(calls["sample"]):
                raise InputError(f"no sample of the list is in {Path(args.external_maf).name}; do the ids use the MAF's "
                                 f"Tumor_Sample_Barcode spelling?", file=args.external_samples, line=1)
            ext_samples = listed
        else:
            ext_samples = sorted(set(calls["sample"]))
        ext_clinical = O.read_external_clinical(args.external_clinical, ext_samples)
        group = E.external_group(kept, label="external", classes=parse_classes(None), samples=ext_samples)
        ext_features = O.external_features(group.mutations, ext_samples, enriched or [])
        external = O.external_outcome(ext_clinical, ext_features)
        summary += [
            ("external_samples", str(len(ext_samples))),
            ("external_samples_with_clinical", str(len(ext_clinical))),
            ("external_filter", ext_filter.description),
            ("external_genes", str(len(ext_features.columns))),
        ]
        if not enriched:
            notes.append("enriched.tsv lists no gene gained in metastases: external_outcome.tsv has no rows")
    summary += [("figures", ",".join(result.figures))] + [("note", n) for n in notes]

    outdir = Path(args.outdir)
    with Outputs() as out:
        write_tsv(result.outcome, out.path(outdir / "outcome.tsv"))
        write_tsv(result.ph_test, out.path(outdir / "ph_test.tsv"))
        write_tsv(pd.DataFrame(summary, columns=["item", "value"]), out.path(outdir / "summary.tsv"))
        if external is not None:
            write_tsv(external, out.path(outdir / "external_outcome.tsv"))
        for name, svg in result.figures.items():
            with open(out.path(outdir / name), "w", encoding="utf-8", newline="\n") as fh:
                fh.write(svg)
