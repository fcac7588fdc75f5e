"""``metevo bin-annotation``: QDNAseq bin annotations (bases, GC, mappability, blacklist) from a FASTA.

The science is :func:`metevo.cn.bins.annotate_bins`; this module checks the inputs (bin size,
FASTA, its genome build) and writes the table atomically (:mod:`metevo.io.bins`).
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--fasta", required=True, metavar="REF", help="reference FASTA (indexed with samtools faidx, or small)")
    parser.add_argument("--bin-size", type=int, default=100_000, metavar="BP",
                        help="bin width in bases (QDNAseq: 15000 ... 1000000; default: %(default)s)")
    parser.add_argument("--genome", choices=("hg19", "hg38"),
                        help="expected genome build: FASTA chromosome lengths of another build are an error; written as #genome=")
    parser.add_argument("--mappability", metavar="TRACK.wig",
                        help="mappability track (fixedStep/variableStep WIG or bedGraph, e.g. from bigWigToWig; values 0-1): "
                             "mean over each bin x 100")
    parser.add_argument("--blacklist", action="append", metavar="REGIONS.bed",
                        help="BED of regions to exclude (ENCODE blacklist); repeat for several; %% of each bin covered")
    parser.add_argument("--chromosomes", metavar="LIST",
                        help="comma-separated chromosomes to bin (default: 1..22, X, Y present in the FASTA)")
    parser.add_argument("--out", required=True, metavar="ANN.tsv", help="bin annotation table")


def run(args: argparse.Namespace) -> None:
    from metevo.cn.bins import PRIMARY_CHROMOSOMES, annotate_bins
    from metevo.errors import ConfigError, InputError
    from metevo.genome import CHROM_LENGTHS
    from metevo.io.atomic import Outputs
    from metevo.io.bins import write_bins
    from metevo.io.fasta import open_fasta
    from metevo.variants import harmonise_chrom

    if args.bin_size < 1:
        raise ConfigError(f"--bin-size must be a positive number of bases, not {args.bin_size}")
    fasta = open_fasta(args.fasta)
    if args.chromosomes:
        chromosomes = [harmonise_chrom(c.strip()) for c in args.chromosomes.split(",") if c.strip()]
        missing = [c for c in chromosomes if c not in fasta]
        if missing:
            raise InputError(f"chromosome(s) {', '.join(missing)} given with --chromosomes are not in the FASTA", file=args.fasta)
    else:
        chromosomes = [c for c in PRIMARY_CHROMOSOMES if c in fasta]
        if not chromosomes:
            shown = ", ".join(fasta.contigs[:5])
            raise InputError(f"expected chromosomes 1..22, X, Y in the FASTA, found {shown}; name them with --chromosomes", file=args.fasta)
    if args.genome:
        lengths = CHROM_LENGTHS[args.genome]
        for c in chromosomes:
            if c in lengths and fasta.lengths[c] != lengths[c]:
                raise InputError(
                    f"FASTA of another genome build: chromosome {c} is {fasta.lengths[c]:,} bp long, "
                    f"{args.genome}'s is {lengths[c]:,}",
                    file=args.fasta,
                )
    blacklist = args.blacklist or []
    for path in [args.mappability, *blacklist]:
        if path is not None:
            from metevo.io.tables import open_text

            open_text(path).close()  # a missing file fails here, before any work
    table = annotate_bins(fasta, args.bin_size, chromosomes=chromosomes, mappability=args.mappability,
                          blacklist=blacklist)
    with Outputs() as out:
        write_bins(table, out.path(args.out), genome=args.genome)
