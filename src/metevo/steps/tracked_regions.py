"""``metevo tracked-regions --samplesheet S.csv --segments A.segments.tsv [--segments B ...]
[--regions REGIONS.tsv] [--cfdna-params P.params.tsv ...] --genome G --outdir D``.

Status of each tracked copy-number region in every sample with segments, the frequency of each
region's alteration in primaries vs metastases and recurrences (Fisher exact and chi-square
tests, BH across regions), and serial cfDNA timelines. Method and columns:
docs/tracked-regions.md; science in :mod:`metevo.cn.regions`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from metevo.errors import InputError

if TYPE_CHECKING:  # pandas is imported where it is used (thin command line)
    import pandas as pd

OUTPUTS = ("region_status.tsv", "region_frequency.tsv", "cfdna_timeline.tsv")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="samplesheet CSV (sample types, times, purity, ploidy)")
    parser.add_argument("--segments", action="append", required=True, metavar="[SAMPLE=]PATH",
                        help="segments file of any supported format (repeatable); SAMPLE= names the sample of a "
                             "file without a sample column (default: the file name up to its first dot)")
    parser.add_argument("--regions", help="region list TSV (default: metevo's tracked regions)")
    parser.add_argument("--cfdna-params", action="append", default=[], metavar="PATH",
                        help="metevo cfdna params table(s) giving tumor fraction and ploidy of cfDNA samples")
    parser.add_argument("--genome", required=True, choices=("hg19", "hg38"), help="genome build of the segments")
    parser.add_argument("--outdir", required=True, help="folder for region_status.tsv, region_frequency.tsv, "
                                                        "cfdna_timeline.tsv")


def read_params(paths: list[str]) -> pd.DataFrame | None:
    """cfDNA params tables: ``sample`` (else the file name up to its first dot), ``tumor_fraction``
    and optionally ``ploidy``, as numbers."""
    import numpy as np
    import pandas as pd

    from metevo.io.tables import read_table

    if not paths:
        return None
    frames = []
    for path in paths:
        table = read_table(path, required=("tumor_fraction",), what="cfDNA params table")
        if "sample" not in table.columns:
            table["sample"] = Path(path).name.split(".")[0]
        for column in ("tumor_fraction", "ploidy"):
            if column not in table.columns:
                continue
            values = pd.to_numeric(table[column].replace({"": None, "NA": None}), errors="coerce")
            bad = values.isna() & ~table[column].isin(("", "NA"))
            bad |= (column == "tumor_fraction") & ((values < 0) | (values > 1))
            if bad.any():
                row = table[bad].iloc[0]
                expected = "a fraction between 0 and 1" if column == "tumor_fraction" else "a number"
                raise InputError(f"expected {expected}, found '{row[column]}'", file=path, line=int(row["__line__"]),
                                 column=column)
            table[column] = values.astype(float)
        frames.append(table.loc[:, [c for c in ("sample", "tumor_fraction", "ploidy") if c in table.columns]])
    out = pd.concat(frames, ignore_index=True)
    if "ploidy" not in out.columns:
        out["ploidy"] = np.nan
    return out


def run(args: argparse.Namespace) -> None:
    from metevo.cn.regions import default_regions, read_regions, tracked_regions
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_samplesheet
    from metevo.io.segments import read_cohort_segments
    from metevo.io.tables import write_tsv

    sheet = read_samplesheet(args.samplesheet)
    regions = read_regions(args.regions, args.genome) if args.regions else default_regions(args.genome)
    segments = read_cohort_segments(args.segments, sheet)
    params = read_params(args.cfdna_params)
    result = tracked_regions(segments, regions, sheet.table, params)
    outdir = Path(args.outdir)
    with Outputs() as out:
        write_tsv(result.status, out.path(outdir / OUTPUTS[0]))
        write_tsv(result.frequency, out.path(outdir / OUTPUTS[1]))
        write_tsv(result.timeline, out.path(outdir / OUTPUTS[2]))
