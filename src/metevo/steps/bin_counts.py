"""``metevo bin-counts``: reads per bin of one BAM/CRAM, QDNAseq's binReadCounts.

The counting rules are :func:`metevo.cn.bins.count_reads` (a BAM is read by the BGZF reader
of :mod:`metevo.io.bam`, a CRAM through pysam); this module builds or reads the bins, checks
that the BAM and the bins share a genome build, and writes the counts table (the annotation
columns, then the sample's counts) atomically.
"""

from __future__ import annotations

import argparse
import os


def _default_threads() -> int:
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, min(8, os.cpu_count() or 1))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bam", required=True, metavar="B", help="coordinate-sorted, indexed BAM or CRAM")
    parser.add_argument("--sample", required=True, metavar="ID", help="sample id (the counts column's name)")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--annotation", metavar="ANN.tsv", help="bin annotation (metevo bin-annotation, or QDNAseq's)")
    where.add_argument("--bin-size", type=int, metavar="BP", help="without an annotation: bins of BP bases over the BAM's chromosomes (needs --genome)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="expected genome build of the BAM and the bins")
    parser.add_argument("--min-mapq", type=int, default=37, metavar="Q", help="count alignments with MAPQ >= Q when the BAM has MAPQs [37]")
    parser.add_argument("--drop-secondary", action="store_true", help="do not count secondary alignments (QDNAseq counts them)")
    parser.add_argument("--drop-supplementary", action="store_true", help="do not count supplementary alignments (QDNAseq counts them)")
    parser.add_argument("--reference", metavar="REF", help="reference FASTA of a CRAM")
    parser.add_argument("--threads", type=int, default=_default_threads(), metavar="N",
                        help="BAM: threads inflating its BGZF blocks; CRAM: chromosomes counted in parallel "
                             "[available CPUs, at most 8]")
    parser.add_argument("--out", required=True, metavar="COUNTS.tsv", help="counts table (bin table with the sample's column)")


def run(args: argparse.Namespace) -> None:
    from metevo.errors import ConfigError
    from metevo.io.bam import CountingProcess, is_bgzf_bam

    sample = args.sample.strip()
    if not sample or any(ch in sample for ch in "\t\n\r"):
        raise ConfigError("--sample must be a non-empty name without tabs or newlines")
    if args.min_mapq < 0 or args.min_mapq > 254:
        raise ConfigError(f"--min-mapq must be between 0 and 254, not {args.min_mapq}")
    if args.threads < 1:
        raise ConfigError(f"--threads must be at least 1, not {args.threads}")

    # A BAM is counted in a process forked now, before pandas and pysam are imported: it
    # loads the compiled record kernel while this one checks the header and builds the bins.
    counter = None
    if args.threads > 1 and is_bgzf_bam(args.bam):
        counter = CountingProcess(args.bam, threads=args.threads)
    try:
        _count(args, sample, counter)
    finally:
        if counter is not None:
            counter.close()


def _count(args: argparse.Namespace, sample: str, counter) -> None:
    import numpy as np

    from metevo.cn.bins import alignment_contigs, bin_grid, count_reads, require_index, select_chromosomes
    from metevo.errors import ConfigError, InputError
    from metevo.genome import CHROM_LENGTHS, detect_build
    from metevo.io.atomic import Outputs
    from metevo.io.bins import ANNOTATION_COLUMNS, POSITION_COLUMNS, read_bins, write_bins
    from metevo.variants import harmonise_chrom

    if sample in (*POSITION_COLUMNS, *ANNOTATION_COLUMNS, "bin"):
        raise ConfigError(f"--sample '{sample}' is a bin-table column name; choose another sample id")
    contigs = alignment_contigs(args.bam, args.reference)
    require_index(args.bam, args.reference)
    bam_lengths: dict[str, int] = {}
    for name, length in contigs.items():
        bam_lengths.setdefault(harmonise_chrom(name), length)
    bam_build = detect_build(contigs)
    if args.genome and bam_build and bam_build != args.genome:
        raise InputError(f"BAM of another genome build: its header's chromosome lengths are {bam_build}'s, expected {args.genome}", file=args.bam)

    if args.annotation:
        bins = read_bins(args.annotation, genome=args.genome, what="bin annotation")
        genome = bins.attrs.get("genome") or args.genome or bam_build
        if bam_build and genome and bam_build != genome:
            raise InputError(f"BAM of another genome build: its header's chromosome lengths are {bam_build}'s, the bins are {genome}'s", file=args.bam)
        columns = [c for c in (*POSITION_COLUMNS, *ANNOTATION_COLUMNS) if c in bins.columns]
        bins = bins.loc[:, columns]
        last_end = bins.groupby("chromosome", sort=False)["end"].max()
        for chrom, end in last_end.items():
            if chrom in bam_lengths and int(end) > bam_lengths[chrom]:
                raise InputError(
                    f"BAM of another genome build: chromosome {chrom} is {bam_lengths[chrom]:,} bp long in its header, "
                    f"but the bins reach {int(end):,} ({args.annotation})",
                    file=args.bam,
                )
        if not any(c in bam_lengths for c in last_end.index):
            raise InputError(
                f"none of the annotation's chromosomes ({', '.join(map(str, last_end.index[:5]))}, ...) is in the BAM header",
                file=args.bam,
            )
    else:
        if not args.genome:
            raise ConfigError("--bin-size needs --genome (hg19 or hg38) so that the BAM's build is checked")
        if args.bin_size < 1:
            raise ConfigError(f"--bin-size must be a positive number of bases, not {args.bin_size}")
        genome = args.genome
        if bam_build is None:
            lengths = CHROM_LENGTHS[genome]
            odd = [c for c in bam_lengths if c in lengths and bam_lengths[c] != lengths[c]]
            if odd:
                raise InputError(
                    f"BAM of another genome build: chromosome {odd[0]} is {bam_lengths[odd[0]]:,} bp long in its header, "
                    f"{genome}'s is {CHROM_LENGTHS[genome][odd[0]]:,}",
                    file=args.bam,
                )
        names = select_chromosomes(list(contigs))
        if not names:
            raise InputError("expected chromosomes 1..22, X, Y in the BAM header, found none", file=args.bam)
        bins = bin_grid({harmonise_chrom(n): contigs[n] for n in names}, args.bin_size)

    result = count_reads(args.bam, bins, min_mapq=args.min_mapq, keep_secondary=not args.drop_secondary,
                         keep_supplementary=not args.drop_supplementary, threads=args.threads, reference=args.reference,
                         counter=counter)
    table = bins.copy()
    table[sample] = result.counts.astype(np.int64)
    with Outputs() as out:
        write_bins(table, out.path(args.out), samples=[sample], genome=genome)
