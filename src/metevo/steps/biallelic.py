"""``metevo biallelic``: biallelic inactivation of homologous-recombination genes in each tumour
sample of a patient, from somatic mutations, germline variants and gene copy state
(:mod:`metevo.cn.loh`; docs/clonality-loh.md)."""

from __future__ import annotations

import argparse

from metevo.germline import DEFAULT_HR_GENES
from metevo.io.segments import FORMATS

GERMLINE_REQUIRED = ("patient", "gene")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, help="patient id")
    parser.add_argument("--maf", required=True, metavar="MAF",
                        help="the patient's somatic mutations: a sample MAF or a cohort MAF (rows of other patients are "
                             "ignored when it has a 'patient' column)")
    parser.add_argument("--segments", required=True, nargs="+", metavar="SEG",
                        help="segment file(s) of the patient's tumour samples, any supported format")
    parser.add_argument("--segments-format", choices=FORMATS, help="segment format (default: recognised from the header)")
    parser.add_argument("--samples", help="comma-separated tumour samples to report (default: the patient's samples in the "
                        "MAF and the segment files)")
    parser.add_argument("--germline", metavar="G.tsv", help="the patient's pathogenic germline variants (metevo germline output)")
    parser.add_argument("--genes", default=",".join(DEFAULT_HR_GENES), help="comma-separated genes (default: %(default)s)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="genome build of the gene coordinates (default: the MAF's NCBI_Build)")
    parser.add_argument("--out", required=True, metavar="OUT.tsv", help="one row per tumour sample and gene")


def _patient_samples(maf, segments, patient: str) -> list[str]:
    """The patient's samples in the MAF and the segment samples the MAF does not give to another
    patient, sorted by name."""
    has_patient = "patient" in maf.columns
    mine = maf[maf["patient"] == patient] if has_patient else maf
    chosen = set(mine["Tumor_Sample_Barcode"].tolist())
    others = set(maf.loc[maf["patient"] != patient, "Tumor_Sample_Barcode"]) if has_patient else set()
    chosen |= {s for s in segments["sample"].tolist() if s not in others}
    return sorted(chosen)


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    from metevo.cn.loh import BIALLELIC_COLUMNS, biallelic_inactivation, gene_copy_state
    from metevo.cn.reference import genes as gene_coordinates
    from metevo.errors import ConfigError, InputError
    from metevo.io.atomic import Outputs
    from metevo.io.maf import ncbi_build, read_maf
    from metevo.io.segments import read_segments
    from metevo.io.tables import read_table, write_tsv

    genes = [g.strip() for g in args.genes.split(",") if g.strip()]
    if not genes:
        raise ConfigError("--genes is empty; give at least one gene symbol")
    maf = read_maf(args.maf)
    genome = args.genome
    build = ncbi_build(maf, path=args.maf)
    if genome is None:
        genome = build
        if genome is None:
            raise ConfigError("the MAF does not say its genome build (NCBI_Build); give --genome hg19 or hg38")
    elif build is not None and build != genome:
        raise InputError(f"the MAF's NCBI_Build is {build}, but --genome is {genome}", file=args.maf, column="NCBI_Build")
    frames, seen = [], {}
    for path in args.segments:
        frame = read_segments(path, format=args.segments_format)
        for sample in dict.fromkeys(frame["sample"].tolist()):
            if sample in seen:
                raise InputError(f"sample {sample} already has segments in {seen[sample]}", file=path)
            seen[sample] = path
        frames.append(frame.drop(columns=[c for c in ("a_cn",) if c in frame.columns]))
    segments = pd.concat(frames, ignore_index=True)
    germline = None
    if args.germline:
        germline = read_table(args.germline, required=GERMLINE_REQUIRED, what="germline table")
    if args.samples:
        samples = [s.strip() for s in args.samples.split(",") if s.strip()]
    else:
        samples = _patient_samples(maf, segments, args.patient)
    if not samples:
        raise InputError(f"no tumour sample of patient {args.patient} in the MAF or the segment files", file=args.maf)
    states = gene_copy_state(segments[segments["sample"].isin(samples)], gene_coordinates(genome), genes=genes)
    table = biallelic_inactivation(patient=args.patient, samples=samples, maf=maf, gene_states=states,
                                   germline=germline, genes=genes)
    for name in ("loh", "homdel", "cn_loh"):  # written TRUE/FALSE as in the MAF and bin tables; empty = unknown
        table[name] = ["" if pd.isna(v) else ("TRUE" if v else "FALSE") for v in table[name]]
    with Outputs() as out:
        write_tsv(table, out.path(args.out), columns=BIALLELIC_COLUMNS)
