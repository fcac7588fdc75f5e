"""``metevo germline``: pathogenic germline variants in homologous-recombination genes."""

from __future__ import annotations

import argparse

from metevo.germline import DEFAULT_HR_GENES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--patient", required=True, help="patient id (written into the table)")
    parser.add_argument("--vcf", required=True, help="germline VCF annotated with VEP (CSQ) or snpEff (ANN); ClinVar CLNSIG used when present")
    parser.add_argument("--sample-name", help="the VCF's sample column (default: the only sample, else the patient's normal id)")
    parser.add_argument("--genes", default=",".join(DEFAULT_HR_GENES), help="comma-separated genes to examine (default: %(default)s)")
    parser.add_argument("--genes-file", help="file with one gene per line (replaces --genes)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="error if the VCF header shows another build")
    parser.add_argument("--out", required=True, help="TSV of reported variants")


def run(args: argparse.Namespace) -> None:
    from metevo.errors import ConfigError, InputError
    from metevo.germline import OUTPUT_COLUMNS, pathogenic_variants
    from metevo.io.atomic import Outputs
    from metevo.io.tables import open_text, write_tsv
    from metevo.io.vcf import read_caller_vcf, read_vcf_header_info

    if args.genes_file:
        with open_text(args.genes_file) as fh:
            genes = [g.strip() for g in fh if g.strip() and not g.startswith("#")]
        if not genes:
            raise InputError("expected one gene symbol per line, found none", file=args.genes_file, line=1)
    else:
        genes = [g.strip() for g in args.genes.split(",") if g.strip()]
    if not genes:
        raise ConfigError("--genes is empty; give at least one gene symbol")
    header = read_vcf_header_info(args.vcf)
    if args.genome and header.build and header.build != args.genome:
        raise InputError(f"VCF header shows genome build {header.build}, but --genome is {args.genome}", file=args.vcf)
    sample = args.sample_name
    if sample is None and len(header.samples) == 1:
        sample = header.samples[0]
    calls = read_caller_vcf(args.vcf, "germline", tumor_name=sample, info_fields=("CLNSIG",))
    table = pathogenic_variants(calls, patient=args.patient, sample=sample or "", genes=genes)
    with Outputs() as out:
        write_tsv(table, out.path(args.out), columns=OUTPUT_COLUMNS)
