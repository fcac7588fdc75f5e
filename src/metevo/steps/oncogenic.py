"""``metevo oncogenic``: oncogenic alterations of a cohort, pathway status, metastasis-vs-primary
pathway enrichment and pathway co-alteration (docs/oncogenic-pathways.md).

Writes ``alterations.tsv`` (long: one row per non-synonymous mutation and per amplification or
deep deletion of a gene with a role), ``pathway_status.tsv`` (long: one row per sample and
pathway), ``pathway_enrichment.tsv`` (the whole cohort, then each receptor subtype) and ``pathway_coalteration.tsv``; with ``--gene-sets``
also ``gene_set_tests.tsv`` and ``gene_set_private.tsv``.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--maf", required=True, help="cohort MAF (metevo merge-mafs: carries patient and sample_type)")
    parser.add_argument("--samplesheet", help="samplesheet CSV: annotates a MAF without patient/sample_type, and adds "
                        "tumour samples with somatic or copy-number input but no mutation as profiled, not altered")
    parser.add_argument("--clinical", help="clinical CSV: its 'subtype' column, when present, gives each patient's receptor subtype "
                        "(else the samplesheet's er/pr/her2_status); pathway enrichment is also tested within each subtype")
    parser.add_argument("--cn-genes", action="append", default=[], metavar="SAMPLE=PATH",
                        help="gene-level copy-number table of a sample (metevo copy-number P.genes.tsv: gene ... call); "
                             "repeatable. A PATH without SAMPLE= must have a 'sample' column")
    parser.add_argument("--cn-segments", action="append", default=[], metavar="SAMPLE=PATH",
                        help="segments of a sample (any segment format metevo reads: import-segments, cfdna, ASCAT, FACETS, "
                             "CNVkit, .seg); each gene takes the status of the segment at its midpoint (integer copy number "
                             "against the sample's modal copy number, else the caller's call, else log2; as tracked-regions). "
                             "Repeatable; needs --genome")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="genome build of --cn-segments (gene coordinates)")
    parser.add_argument("--hotspots", metavar="TSV", help="hotspot table (metevo, cancerhotspots.org or maftools format; default: shipped cancerhotspots v2)")
    parser.add_argument("--pathways", metavar="TSV", help="pathway gene table (Pathway Gene OG_TSG; default: shipped Sanchez-Vega 2018)")
    parser.add_argument("--gene-roles", metavar="TSV", help="extra gene roles (gene role; default: shipped list)")
    parser.add_argument("--gene-sets", metavar="GMT", help="gene sets (e.g. MSigDB KEGG): adds the patient-oriented gene-set tests")
    parser.add_argument("--gene-universe", metavar="FILE",
                        help="genes analysed for --gene-sets, one per line (default: metevo's protein-coding genes)")
    parser.add_argument("--outdir", required=True, help="output folder")


def _read_cn_genes(specs, samples_info, maf_path):
    """Long table patient, sample, sample_type, gene, call of every --cn-genes input."""
    import pandas as pd

    from metevo.errors import InputError
    from metevo.io.tables import read_table

    frames = []
    for spec in specs:
        sample, sep, path = spec.partition("=")
        if not sep:
            path, sample = spec, None
        required = ("gene", "call") if sample else ("sample", "gene", "call")
        table = read_table(path, required=required, what="gene copy-number table")
        if sample:
            table["sample"] = sample
        for i, s in enumerate(table["sample"].tolist()):
            if s not in samples_info:
                raise InputError(f"sample '{s}' is neither in the MAF nor in the samplesheet (give --samplesheet)",
                                 file=path, line=int(table["__line__"].iat[i]) if sample is None else None, column="sample")
        allowed = {"deletion", "loss", "neutral", "gain", "amplification", "", "NA"}
        bad = [i for i, c in enumerate(table["call"].tolist()) if c not in allowed]
        if bad:
            i = bad[0]
            raise InputError(f"expected a call of deletion, loss, neutral, gain, amplification or empty, found '{table['call'].iat[i]}'",
                             file=path, line=int(table["__line__"].iat[i]), column="call")
        table["patient"] = [samples_info[s][0] for s in table["sample"]]
        table["sample_type"] = [samples_info[s][1] for s in table["sample"]]
        frames.append(table.loc[:, ["patient", "sample", "sample_type", "gene", "call"]])
    if not frames:
        return None, set()
    calls = pd.concat(frames, ignore_index=True)
    return calls, set(calls["sample"])


def _read_cn_segments(specs, samples_info, genome):
    """Long table patient, sample, sample_type, gene, call of every --cn-segments input: each
    gene of metevo's table for ``genome`` gets the status of the segment covering its midpoint
    (:func:`metevo.cn.regions.segment_status`, :func:`metevo.cn.qdnaseq.gene_values`)."""
    import pandas as pd

    from metevo.cn.qdnaseq import gene_values
    from metevo.cn.reference import genes as reference_genes
    from metevo.cn.regions import segment_status
    from metevo.errors import ConfigError, InputError
    from metevo.io.segments import read_segments

    if not specs:
        return None, set()
    if genome is None:
        raise ConfigError("--cn-segments needs --genome hg19 or hg38 (the gene coordinates)")
    genes = reference_genes(genome).loc[:, ["gene", "chrom", "start", "end"]]
    frames = []
    for spec in specs:
        sample, sep, path = spec.partition("=")
        if not sep or not sample:
            raise ConfigError(f"--cn-segments expects SAMPLE=PATH, got '{spec}'")
        if sample not in samples_info:
            raise InputError(f"sample '{sample}' is neither in the MAF nor in the samplesheet (give --samplesheet)", file=path)
        segments = read_segments(path, sample=sample).reset_index(drop=True)
        segments["call"] = segment_status(segments)["status"].to_numpy()
        table = gene_values(segments, genes).loc[:, ["gene", "call"]]
        table = table.loc[table["call"].astype(str) != ""].copy()
        table["sample"] = sample
        table["patient"], table["sample_type"] = samples_info[sample]
        frames.append(table.loc[:, ["patient", "sample", "sample_type", "gene", "call"]])
    return pd.concat(frames, ignore_index=True), {spec.partition("=")[0] for spec in specs}


_INPUT_COLUMNS = ("maf", "bam", "bins", "segments", "wig", "vcf_mutect2", "vcf_strelka2", "vcf_varscan2", "vcf_muse",
                  "vcf_vardict", "vcf_somaticsniper", "vcf_lofreq", "vcf_scalpel")


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    import pandas as pd

    from metevo.errors import ConfigError, InputError
    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf
    from metevo.io.tables import write_tsv
    from metevo.oncogenic import ALTERATION_COLUMNS, build_alterations, read_gene_roles, read_hotspots, read_pathways
    from metevo.pathways import (COALTERATION_COLUMNS, ENRICHMENT_COLUMNS, GENE_SET_COLUMNS, PRIVATE_SET_COLUMNS,
                                 STATUS_COLUMNS, TUMOUR_TYPES, gene_set_test, pathway_coalteration, pathway_enrichment,
                                 pathway_status, private_events, private_gene_set_test, read_gmt)

    hotspots = read_hotspots(args.hotspots)
    pathways = read_pathways(args.pathways)
    roles = read_gene_roles(args.gene_roles)
    gene_sets = read_gmt(args.gene_sets) if args.gene_sets else None
    maf = read_maf(args.maf, required=("Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification", "Chromosome",
                                       "Start_Position", "Reference_Allele"))
    sheet = None
    if args.samplesheet:
        from metevo.io.samplesheet import read_samplesheet

        sheet = read_samplesheet(args.samplesheet).table
    info: dict[str, tuple[str, str]] = {}
    if sheet is not None:
        info.update({s: (p, t) for s, p, t in zip(sheet["sample"], sheet["patient"], sheet["sample_type"])})
    for name in ("patient", "sample_type"):
        if name not in maf.columns:
            if sheet is None:
                raise InputError(f"missing MAF column '{name}' (a merge-mafs cohort MAF has it; or give --samplesheet)",
                                 file=args.maf, column=name)
            unknown = ~maf["Tumor_Sample_Barcode"].isin(info)
            if unknown.any():
                i = int(unknown.to_numpy().nonzero()[0][0])
                raise InputError(f"sample '{maf['Tumor_Sample_Barcode'].iat[i]}' is not in the samplesheet",
                                 file=args.maf, line=int(maf["__line__"].iat[i]), column="Tumor_Sample_Barcode")
            maf[name] = [info[s][0 if name == "patient" else 1] for s in maf["Tumor_Sample_Barcode"]]
    for i, (s, p, t) in enumerate(zip(maf["Tumor_Sample_Barcode"], maf["patient"], maf["sample_type"])):
        if t not in TUMOUR_TYPES + ("cfdna",):
            raise InputError(f"expected sample_type primary, metastasis, recurrence or cfdna, found '{t}'",
                             file=args.maf, line=int(maf["__line__"].iat[i]), column="sample_type")
        info.setdefault(s, (p, t))
    gene_calls, cn_samples = _read_cn_genes(args.cn_genes, info, args.maf)
    segment_calls, segment_samples = _read_cn_segments(args.cn_segments, info, args.genome)
    if segment_calls is not None:
        doubled = sorted(segment_samples & cn_samples)
        if doubled:
            raise ConfigError(f"sample '{doubled[0]}' has both --cn-genes and --cn-segments: give one")
        gene_calls = segment_calls if gene_calls is None else pd.concat([gene_calls, segment_calls], ignore_index=True)
        cn_samples |= segment_samples
    alterations = build_alterations(maf, gene_calls, hotspots=hotspots, pathways=pathways, extra_roles=roles)

    profiled = set(maf["Tumor_Sample_Barcode"]) | cn_samples
    if sheet is not None:
        has_input = sheet[list(_INPUT_COLUMNS)].astype(str).apply(lambda col: col != "").any(axis=1)
        profiled |= set(sheet.loc[has_input & sheet["sample_type"].isin(TUMOUR_TYPES), "sample"])
    samples = pd.DataFrame([(info[s][0], s, info[s][1]) for s in sorted(profiled)], columns=["patient", "sample", "sample_type"])
    status = pathway_status(alterations, pathways, samples)
    from metevo.enrichment import SUBTYPES, clinical_subtypes, patient_subtypes

    given = None
    if args.clinical:
        from metevo.io.samplesheet import read_clinical

        given = clinical_subtypes(read_clinical(args.clinical), path=args.clinical)
    subtypes = patient_subtypes(sheet, given) if sheet is not None else (given or {})
    enrichment = pathway_enrichment(status, subgroups=subtypes, subgroup_order=SUBTYPES, alterations=alterations, pathways=pathways)
    coalteration = pathway_coalteration(status.loc[status["sample_type"].isin(TUMOUR_TYPES)])
    outdir = Path(args.outdir)
    extra = {}
    if gene_sets is not None:
        if args.gene_universe:
            from metevo.io.tables import open_text

            with open_text(args.gene_universe) as fh:
                universe = sorted({line.strip() for line in fh if line.strip() and not line.startswith("#")})
        else:
            from metevo.cn.reference import genes as reference_genes

            universe = sorted(set(reference_genes("hg38")["gene"]))
        muts = alterations.loc[alterations["alteration"] == "mutation"]
        extra["gene_set_tests.tsv"] = (gene_set_test(muts, gene_sets, universe), GENE_SET_COLUMNS)
        extra["gene_set_private.tsv"] = (private_gene_set_test(private_events(alterations), gene_sets, universe), PRIVATE_SET_COLUMNS)
    with Outputs() as out:
        write_tsv(alterations, out.path(outdir / "alterations.tsv"), columns=ALTERATION_COLUMNS)
        write_tsv(status, out.path(outdir / "pathway_status.tsv"), columns=STATUS_COLUMNS)
        write_tsv(enrichment, out.path(outdir / "pathway_enrichment.tsv"), columns=ENRICHMENT_COLUMNS)
        write_tsv(coalteration, out.path(outdir / "pathway_coalteration.tsv"), columns=COALTERATION_COLUMNS)
        for name, (table, columns) in extra.items():
            write_tsv(table, out.path(outdir / name), columns=columns)
