"""``metevo validate``: check the samplesheet, clinical table and every file they name.

Nothing is written unless every check passes; the first problem is reported as one line
naming the file, line and column.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="samplesheet CSV (assets/schema_input.json)")
    parser.add_argument("--clinical", help="clinical CSV (assets/schema_clinical.json)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="genome build every input must use (default: inputs must agree)")
    parser.add_argument("--file-map", help="TSV with columns original, staged: where a Nextflow task staged each samplesheet path")
    parser.add_argument("--out-summary", help="write a per-sample summary of the inputs (TSV)")


def run(args: argparse.Namespace) -> None:
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_clinical, read_samplesheet
    from metevo.io.tables import write_tsv
    from metevo.validate import read_file_map, validate_inputs

    sheet = read_samplesheet(args.samplesheet)
    clinical = read_clinical(args.clinical) if args.clinical else None
    file_map = read_file_map(args.file_map) if args.file_map else None
    summary = validate_inputs(sheet, clinical=clinical, clinical_path=args.clinical, genome=args.genome, file_map=file_map)
    if args.out_summary:
        with Outputs() as out:
            write_tsv(summary, out.path(args.out_summary))
    n_patients = summary["patient"].nunique()
    print(f"metevo validate: {len(summary)} samples of {n_patients} patients: inputs are valid")
