"""``metevo hrd``: HRD-LOH, TAI and LST (scarHRD) of every sample of a segment file
(:mod:`metevo.cn.hrd`; docs/hrd.md)."""

from __future__ import annotations

import argparse

from metevo.io.segments import FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--segments", required=True, metavar="ASCN.tsv",
                        help="segments with allele-specific (or at least integer total) copy numbers, any supported format")
    parser.add_argument("--genome", required=True, choices=("hg19", "hg38"), help="genome build (centromere positions)")
    parser.add_argument("--format", choices=FORMATS, help="segment format (default: recognised from the header)")
    parser.add_argument("--sample", help="score only this sample (default: every sample of the file)")
    parser.add_argument("--tai-ploidy", choices=("auto", "a_cn", "total_cn"), default="auto",
                        help="value scarHRD's TAI takes the per-chromosome ploidy from (default: %(default)s = A_cn "
                             "for scarHRD input, as scarHRD does, else the total copy number)")
    parser.add_argument("--out", required=True, metavar="OUT.tsv", help="sample hrd_loh tai lst hrd_sum method")


def run(args: argparse.Namespace) -> None:
    from metevo.cn.hrd import OUTPUT_COLUMNS, hrd_scores
    from metevo.io.atomic import Outputs
    from metevo.io.segments import read_segments
    from metevo.io.tables import write_tsv

    segments = read_segments(args.segments, sample=args.sample, format=args.format)
    scores = hrd_scores(segments, args.genome, tai_ploidy=args.tai_ploidy, strict=True, path=args.segments)
    with Outputs() as out:
        write_tsv(scores, out.path(args.out), columns=OUTPUT_COLUMNS)
