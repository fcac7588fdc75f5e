"""``metevo associations``: co-occurrence and mutual exclusivity of altered genes (maftools
``somaticInteractions``), alterations against clinical features, and continuous features by
group (docs/oncogenic-pathways.md).

Writes ``interactions.tsv``, ``clinical_associations.tsv`` and ``continuous_by_group.tsv``.
"""

from __future__ import annotations

import argparse

_MUTATION_INPUTS = ("maf", "vcf_mutect2", "vcf_strelka2", "vcf_varscan2", "vcf_muse", "vcf_vardict",
                    "vcf_somaticsniper", "vcf_lofreq", "vcf_scalpel")
_CN_INPUTS = ("bam", "bins", "segments", "wig")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--alterations", required=True, help="alterations.tsv of metevo oncogenic")
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV (sample types, receptor status, site)")
    parser.add_argument("--clinical", help="clinical CSV (treatments: chemotherapy, radiation, antiestrogen, anti_her2)")
    parser.add_argument("--pathways", metavar="TSV", help="pathway gene table (default: shipped Sanchez-Vega 2018)")
    parser.add_argument("--features", action="append", default=[], metavar="TSV",
                        help="per-sample continuous features: a 'sample' column and numeric columns (e.g. metevo hrd, "
                             "cfdna params, pair-concordance burden.tsv); repeatable")
    parser.add_argument("--top", type=int, default=25, help="genes tested for interactions and clinical associations (default 25)")
    parser.add_argument("--all-mutations", action="store_true",
                        help="count every non-synonymous mutation as an alteration (maftools' default), not only oncogenic ones")
    parser.add_argument("--outdir", required=True, help="output folder")


def _read_features(paths, known_samples):
    """Samples x numeric feature columns of every --features table (outer-joined on sample)."""
    import numpy as np
    import pandas as pd

    from metevo.errors import InputError
    from metevo.io.tables import read_table

    merged = None
    for path in paths:
        table = read_table(path, required=("sample",), what="feature table")
        for i, s in enumerate(table["sample"].tolist()):
            if s not in known_samples:
                raise InputError(f"sample '{s}' is not in the samplesheet", file=path, line=int(table["__line__"].iat[i]), column="sample")
        if table["sample"].duplicated().any():
            i = int(np.flatnonzero(table["sample"].duplicated().to_numpy())[0])
            raise InputError(f"sample '{table['sample'].iat[i]}' appears twice", file=path, line=int(table["__line__"].iat[i]), column="sample")
        numeric = {}
        for column in table.columns:
            if column in ("sample", "patient", "sample_type", "__line__"):
                continue
            cells = table[column].replace({"NA": "", "NaN": "", "nan": ""})
            values = pd.to_numeric(cells.replace("", np.nan), errors="coerce")
            if values.notna().sum() and (values.notna() | (cells == "")).all():
                numeric[column] = values.to_numpy(dtype=float)
        frame = pd.DataFrame(numeric, index=pd.Index(table["sample"].tolist(), name="sample"))
        if merged is None:
            merged = frame
        else:
            # tables of the same kind (one HRD table per sample) stack; a sample's feature given
            # twice is an error
            common = merged.index.intersection(frame.index)
            for column in sorted(set(frame.columns) & set(merged.columns)):
                twice = [s for s in common if not np.isnan(merged.at[s, column]) and not np.isnan(frame.at[s, column])]
                if twice:
                    i = table["sample"].tolist().index(twice[0])
                    raise InputError(f"sample '{twice[0]}' has feature '{column}' in another --features table too",
                                     file=path, line=int(table["__line__"].iat[i]), column=column)
            columns = list(merged.columns) + [c for c in frame.columns if c not in merged.columns]
            merged = merged.combine_first(frame)[columns]
    return merged


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    import numpy as np
    import pandas as pd

    from metevo.associations import (CLINICAL_COLUMNS, CONTINUOUS_COLUMNS, INTERACTION_COLUMNS, alteration_matrix,
                                     clinical_associations, clinical_features, continuous_by_group, group_labels,
                                     somatic_interactions, top_genes)
    from metevo.errors import ConfigError, InputError
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_clinical, read_samplesheet
    from metevo.io.tables import write_tsv
    from metevo.oncogenic import read_alterations, read_pathways
    from metevo.pathways import TUMOUR_TYPES, pathway_status

    if args.top < 2:
        raise ConfigError(f"--top must be at least 2 (pairs of genes are tested), not {args.top}")
    sheet = read_samplesheet(args.samplesheet).table
    clinical = read_clinical(args.clinical) if args.clinical else None
    alterations = read_alterations(args.alterations)
    pathways = read_pathways(args.pathways)
    by_sample = sheet.set_index("sample")
    for i, s in enumerate(alterations["sample"].tolist()):
        if s not in by_sample.index:
            raise InputError(f"sample '{s}' is not in the samplesheet", file=args.alterations,
                             line=int(alterations["__line__"].iat[i]), column="sample")
        if alterations["patient"].iat[i] != by_sample.at[s, "patient"]:
            raise InputError(f"patient '{alterations['patient'].iat[i]}' of sample '{s}' differs from the samplesheet's "
                             f"'{by_sample.at[s, 'patient']}'", file=args.alterations, line=int(alterations["__line__"].iat[i]), column="patient")
    features_table = _read_features(args.features, set(by_sample.index))

    has = lambda cols: sheet[list(cols)].astype(str).apply(lambda col: col != "").any(axis=1)
    mutation_profiled = set(alterations.loc[alterations["alteration"] == "mutation", "sample"])
    mutation_profiled |= set(sheet.loc[has(_MUTATION_INPUTS), "sample"])
    profiled = set(alterations["sample"]) | mutation_profiled | set(sheet.loc[has(_CN_INPUTS), "sample"])
    samples = sheet.loc[sheet["sample"].isin(profiled) & sheet["sample_type"].isin(TUMOUR_TYPES)]
    samples = samples.sort_values(["patient", "sample"], kind="mergesort").reset_index(drop=True)
    sample_ids = samples["sample"].tolist()

    matrix = alteration_matrix(alterations, sample_ids, oncogenic_only=not args.all_mutations)
    scored = alterations if not args.all_mutations else alterations.loc[alterations["alteration"] == "mutation"]
    if not args.all_mutations:
        scored = scored.loc[scored["oncogenic"] == 1]
    genes = top_genes(matrix, scored, args.top)
    if len(genes) >= 2:
        interactions = somatic_interactions(matrix, genes=genes)
    else:
        interactions = pd.DataFrame(columns=list(INTERACTION_COLUMNS))

    status = pathway_status(alterations, pathways, samples.loc[:, ["patient", "sample", "sample_type"]])
    wide = status.pivot(index="sample", columns="label", values="altered").reindex(sample_ids)
    altered = pd.concat([matrix.loc[:, genes], wide], axis=1)
    levels = {**{g: "gene" for g in genes}, **{c: "pathway" for c in wide.columns}}
    features = clinical_features(samples, clinical)
    clinical_table = clinical_associations(altered, levels, features)

    counts = alterations.loc[alterations["alteration"] == "mutation"].groupby("sample").size()
    values = pd.DataFrame(index=pd.Index(sample_ids, name="sample"))
    values["mutation_count"] = [float(counts.get(s, 0)) if s in mutation_profiled else np.nan for s in sample_ids]
    if features_table is not None:
        values = values.join(features_table, how="left")
    continuous = continuous_by_group(values, group_labels(samples, status))

    outdir = Path(args.outdir)
    with Outputs() as out:
        write_tsv(interactions, out.path(outdir / "interactions.tsv"), columns=INTERACTION_COLUMNS)
        write_tsv(clinical_table, out.path(outdir / "clinical_associations.tsv"), columns=CLINICAL_COLUMNS)
        write_tsv(continuous, out.path(outdir / "continuous_by_group.tsv"), columns=CONTINUOUS_COLUMNS)
