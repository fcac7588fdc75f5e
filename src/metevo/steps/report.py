"""``metevo report``: assemble the self-contained HTML report from the steps' outputs."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="the run's samplesheet CSV")
    parser.add_argument("--inputs", help="input summary from metevo validate (inputs.tsv)")
    parser.add_argument("--maf", help="cohort MAF from metevo merge-mafs")
    parser.add_argument("--germline", action="append", default=[], help="germline findings of a patient (repeatable)")
    parser.add_argument("--pairs", help="pairs.tsv from metevo pair-concordance")
    parser.add_argument("--burden", help="burden.tsv from metevo pair-concordance")
    parser.add_argument("--tests", help="tests.tsv from metevo pair-concordance")
    parser.add_argument("--segments", action="append", default=[], metavar="[SAMPLE=]PATH", help="a sample's copy-number segments (repeatable)")
    parser.add_argument("--cn-params", action="append", default=[], metavar="SAMPLE=PATH",
                        help="purity/ploidy or tumor fraction of a copy-number or cfdna run (repeatable)")
    parser.add_argument("--hrd", action="append", default=[], help="metevo hrd output of a sample (repeatable)")
    parser.add_argument("--clonality", action="append", default=[], help="metevo clonality output of a sample (repeatable)")
    parser.add_argument("--biallelic", action="append", default=[], help="metevo biallelic output of a patient (repeatable)")
    parser.add_argument("--regions-dir", help="metevo tracked-regions output folder")
    cohort = parser.add_argument_group("cohort analyses (each an output folder; without it, its sections are left out)")
    cohort.add_argument("--oncogenic", metavar="DIR", help="metevo oncogenic output folder: oncoprint and pathway sections")
    cohort.add_argument("--associations", metavar="DIR", help="metevo associations output folder: co-occurrence and clinical "
                                                              "association sections")
    cohort.add_argument("--enrichment", metavar="DIR", help="metevo enrichment output folder: genes gained in metastases")
    cohort.add_argument("--outcome", metavar="DIR", help="metevo survival or metevo outcome output folder: survival section")
    parser.add_argument("--title", default="metevo report", help="report title (default: %(default)s)")
    parser.add_argument("--out", required=True, help="report HTML to write")


def run(args: argparse.Namespace) -> None:
    from pathlib import Path

    import pandas as pd

    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf
    from metevo.io.samplesheet import read_samplesheet
    from metevo.io.segments import read_cohort_segments
    from metevo.report import sections_cohort as C
    from metevo.report.html import ReportData, render
    from metevo.report.inputs import numeric_table, read_outcome_folder, read_step_folder

    def table(path: str | None):
        return numeric_table(path) if path else None

    sheet = read_samplesheet(args.samplesheet)

    def tables(paths: list[str], reader=table):
        frames = [reader(p) for p in paths]
        return pd.concat(frames, ignore_index=True) if frames else None

    germline = tables(args.germline)
    segments = read_cohort_segments(args.segments, sheet) if args.segments else None
    cn_params = None
    if args.cn_params:
        frames = []
        for spec in args.cn_params:
            sample, _, path = spec.partition("=")
            frame = table(path)
            frame["sample"] = sample
            frames.append(frame)
        cn_params = pd.concat(frames, ignore_index=True)
    regions = {}
    if args.regions_dir:
        for name in ("region_status", "region_frequency", "cfdna_timeline"):
            regions[name] = table(str(Path(args.regions_dir) / f"{name}.tsv"))
    cohort = {}
    if args.oncogenic:
        cohort["oncogenic"] = read_step_folder(args.oncogenic, option="--oncogenic", step="oncogenic", required=C.ONCOGENIC_FILES)
    if args.associations:
        cohort["associations"] = read_step_folder(args.associations, option="--associations", step="associations",
                                                  required=C.ASSOCIATIONS_FILES)
    if args.enrichment:
        cohort["enrichment"] = read_step_folder(args.enrichment, option="--enrichment", step="enrichment",
                                                required=C.ENRICHMENT_FILES, optional=C.ENRICHMENT_OPTIONAL)
    if args.outcome:
        cohort["outcome"], cohort["outcome_svgs"] = read_outcome_folder(
            args.outcome, survival=C.SURVIVAL_FILES, outcome=C.OUTCOME_FILES, outcome_optional=C.OUTCOME_OPTIONAL)
    data = ReportData(
        samples=sheet.table.drop(columns="__line__"),
        inputs=table(args.inputs),
        maf=read_maf(args.maf) if args.maf else None,
        germline=germline,
        pairs=table(args.pairs),
        burden=table(args.burden),
        tests=table(args.tests),
        segments=segments,
        cn_params=cn_params,
        hrd=tables(args.hrd),
        clonality=tables(args.clonality, lambda p: read_maf(p)),
        biallelic=tables(args.biallelic),
        regions=regions,
        **cohort,
    )
    text = render(data, title=args.title)
    with Outputs() as out:
        with open(out.path(args.out), "w", encoding="utf-8") as fh:
            fh.write(text)
