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
    parser.add_argument("--title", default="metevo report", help="report title (default: %(default)s)")
    parser.add_argument("--out", required=True, help="report HTML to write")


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf
    from metevo.io.samplesheet import read_samplesheet
    from metevo.io.tables import read_table
    from metevo.report.html import ReportData, render

    def table(path: str | None):
        if not path:
            return None
        frame = read_table(path)
        frame = frame.drop(columns="__line__")
        for column in frame.columns:
            converted = pd.to_numeric(frame[column], errors="coerce")
            if converted.notna().sum() == (frame[column] != "").sum() and (frame[column] != "").any():
                frame[column] = converted
        return frame

    sheet = read_samplesheet(args.samplesheet)
    germline = None
    if args.germline:
        frames = [table(p) for p in args.germline]
        germline = pd.concat(frames, ignore_index=True) if frames else None
    data = ReportData(
        samples=sheet.table.drop(columns="__line__"),
        inputs=table(args.inputs),
        maf=read_maf(args.maf) if args.maf else None,
        germline=germline,
        pairs=table(args.pairs),
        burden=table(args.burden),
        tests=table(args.tests),
    )
    text = render(data, title=args.title)
    with Outputs() as out:
        with open(out.path(args.out), "w", encoding="utf-8") as fh:
            fh.write(text)
