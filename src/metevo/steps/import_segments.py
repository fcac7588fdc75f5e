"""``metevo import-segments``: one sample's segments, from any supported format, into the
segments table of docs/copynumber-contracts.md (see :mod:`metevo.io.segments` for the formats
and their conversions)."""

from __future__ import annotations

import argparse

from metevo.io.segments import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample id: its rows are taken from a multi-sample file; "
                        "the name given to a file without a sample column")
    parser.add_argument("--segments", required=True, metavar="FILE", help="segment file (plain or gzip)")
    parser.add_argument("--format", choices=FORMATS, help="segment format (default: recognised from the header)")
    parser.add_argument("--genome", choices=("hg19", "hg38"),
                        help="genome build: segments beyond the end of a chromosome of this build are an error")
    parser.add_argument("--out", required=True, metavar="S.segments.tsv", help="the sample's segments table")


def check_genome(segments, genome: str, path) -> None:
    """Segments must lie on chromosomes of ``genome`` that are long enough to hold them (a
    segment beyond a chromosome end means the file is of another build)."""
    from metevo.cn.reference import chromosome_lengths
    from metevo.errors import InputError

    lengths = chromosome_lengths(genome)
    for chrom, end, line in zip(segments["chrom"].tolist(), segments["end"].tolist(), segments["__line__"].tolist()):
        limit = lengths.get(chrom)
        if limit is not None and end > limit:
            raise InputError(
                f"segment ends at {end}, beyond the end of chromosome {chrom} in {genome} ({limit}): is the file of another genome build?",
                file=path, line=int(line),
            )


def run(args: argparse.Namespace) -> None:
    from metevo.io.atomic import Outputs
    from metevo.io.segments import read_segments, write_segments

    # a file with a sample column gives the sample's rows (or an error listing its samples);
    # a file without one (CNVkit, PURPLE, sequenza) is the sample's
    segments = read_segments(args.segments, sample=args.sample, format=args.format)
    if args.genome:
        check_genome(segments, args.genome, args.segments)
    with Outputs() as out:
        write_segments(segments, out.path(args.out))
