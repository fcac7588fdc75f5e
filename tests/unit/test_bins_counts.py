"""metevo bin-counts: QDNAseq's binReadCounts rules, checked against samtools on simulated BAMs.

The expected counts come from ``samtools view`` (filters as flags and an expression) piped to
awk, which places each read by its 1-based POS in fixed-width bins: an independent count.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.io.bins import read_bins, write_bins
from metevo.simulate import swgs
from tests.conftest import metevo

needs_samtools = pytest.mark.skipif(shutil.which("samtools") is None, reason="samtools not on PATH")

BIN = 15_000
CONTIGS = [("chr1", 1_200_000), ("chr2", 900_000), ("chrX", 600_000), ("chrM", 16_569)]
LENGTHS = {"1": 1_200_000, "2": 900_000, "X": 600_000}


def samtools_counts(bam: Path, bins: pd.DataFrame, bin_size: int, *, flags: str = "0x604", expression: str | None = "mapq<255",
                    min_mapq: int | None = 37) -> np.ndarray:
    """Reads per fixed-width bin by ``samtools view | awk`` (chromosome names without chr)."""
    cmd = ["samtools", "view", "-F", flags]
    if min_mapq is not None:
        cmd += ["-q", str(min_mapq)]
    if expression:
        cmd += ["-e", expression]
    view = subprocess.run(cmd + [str(bam)], capture_output=True, check=True)
    awk = subprocess.run(
        ["awk", "-v", f"B={bin_size}", '{sub(/^chr/, "", $3); c[$3 "\\t" int(($4 - 1) / B)]++} END {for (k in c) print k "\\t" c[k]}'],
        input=view.stdout, capture_output=True, check=True, text=False,
    ).stdout.decode()
    index = {(c, (s - 1) // bin_size): i for i, (c, s) in enumerate(zip(bins["chromosome"], bins["start"]))}
    out = np.zeros(len(bins), dtype=np.int64)
    for line in awk.splitlines():
        chrom, b, n = line.split("\t")
        if (chrom, int(b)) in index:
            out[index[(chrom, int(b))]] = int(n)
    return out


def _simulated_bam(tmp_path: Path, *, seed: int = 3, mapq_255: float = 0.02, name: str = "s.bam", contigs=CONTIGS) -> tuple[Path, Path]:
    ann = swgs.synthetic_annotation(LENGTHS, BIN, seed=seed)
    copies = swgs.planted_copies(ann, [swgs.PlantedSegment("1", 300_000, 700_000, 3)])
    counts = swgs.simulate_counts(swgs.expected_counts(ann, copies, purity=0.8, reads_per_bin=60), seed=seed + 1)
    reads = swgs.simulate_reads(ann, counts, contigs, seed=seed + 2, decoys=0.25, mapq_255=mapq_255)
    # reads exactly on bin boundaries: the last base of a bin and the first of the next
    edge = np.array([BIN - 1, BIN, 2 * BIN - 1, 2 * BIN], dtype=np.int32)  # 0-based
    reads = swgs.Reads(
        ref=np.concatenate([reads.ref, np.zeros(4, np.int32)]), pos=np.concatenate([reads.pos, edge]),
        flag=np.concatenate([reads.flag, np.zeros(4, np.uint16)]), mapq=np.concatenate([reads.mapq, np.full(4, 60, np.uint8)]),
    )
    bam = swgs.write_bam(tmp_path / name, reads, contigs, seed=seed + 3)
    annotation = tmp_path / "ann.tsv"
    write_bins(ann, annotation)
    return bam, annotation


@needs_samtools
def test_counts_equal_samtools(tmp_path):
    bam, annotation = _simulated_bam(tmp_path)
    out = tmp_path / "counts.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--threads", "2", "--out", out)
    table = read_bins(out)
    expected = samtools_counts(bam, table, BIN)
    assert table.attrs["samples"] == ["S1"]
    assert expected.sum() > 5_000
    assert (table["S1"].to_numpy() == expected).all()
    # the annotation columns are carried over unchanged
    ann = read_bins(annotation)
    pd.testing.assert_frame_equal(table.drop(columns="S1"), ann)
    # one process gives the same bytes
    out1 = tmp_path / "counts1.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--threads", "1", "--out", out1)
    assert out1.read_bytes() == out.read_bytes()


@needs_samtools
def test_bin_edges(tmp_path):
    bam, annotation = _simulated_bam(tmp_path)
    out = tmp_path / "counts.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--out", out)
    table = read_bins(out)
    # POS 15000 is the last base of bin 1, POS 15001 the first of bin 2 (left-closed bins)
    one = subprocess.run(["samtools", "view", "-c", "-q", "37", "-F", "0x604", "-e", "mapq<255 && pos>=1 && pos<=15000", str(bam), "chr1"],
                         capture_output=True, text=True, check=True).stdout
    two = subprocess.run(["samtools", "view", "-c", "-q", "37", "-F", "0x604", "-e", "mapq<255 && pos>=15001 && pos<=30000", str(bam), "chr1"],
                         capture_output=True, text=True, check=True).stdout
    assert table["S1"].iloc[0] == int(one) and table["S1"].iloc[1] == int(two)


@needs_samtools
def test_drop_secondary_and_supplementary(tmp_path):
    bam, annotation = _simulated_bam(tmp_path)
    out = tmp_path / "counts.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--drop-secondary",
           "--drop-supplementary", "--out", out)
    table = read_bins(out)
    expected = samtools_counts(bam, table, BIN, flags="0xF04")
    assert (table["S1"].to_numpy() == expected).all()


@needs_samtools
def test_bam_without_mapq_is_counted_unfiltered(tmp_path):
    # every alignment MAPQ 255 ("unavailable"): QDNAseq applies no MAPQ filter at all
    bam, annotation = _simulated_bam(tmp_path, mapq_255=1.0)
    reads_mapq = subprocess.run(["samtools", "view", "-F", "0x604", "-e", "mapq!=255", "-c", str(bam)],
                                capture_output=True, text=True, check=True).stdout
    assert int(reads_mapq) > 0  # the decoys carry MAPQs; drop them to make a MAPQ-less BAM
    sam = subprocess.run(["samtools", "view", "-h", "-e", "mapq==255 || flag.unmap || flag.dup || flag.qcfail", str(bam)],
                         capture_output=True, check=True).stdout
    only = tmp_path / "nomapq.bam"
    subprocess.run(["samtools", "view", "-b", "-o", str(only), "-"], input=sam, check=True)
    subprocess.run(["samtools", "index", str(only)], check=True)
    out = tmp_path / "counts.tsv"
    metevo("bin-counts", "--bam", only, "--sample", "S1", "--annotation", annotation, "--out", out)
    table = read_bins(out)
    expected = samtools_counts(only, table, BIN, min_mapq=None, expression=None)
    assert expected.sum() > 5_000
    assert (table["S1"].to_numpy() == expected).all()


@needs_samtools
def test_grid_from_the_bam_header(tmp_path):
    from metevo.genome import CHROM_LENGTHS

    hg19 = CHROM_LENGTHS["hg19"]
    contigs = [(f"chr{c}", n) for c, n in hg19.items()] + [("chrM", 16571), ("chrUn_gl000220", 161802)]
    rng = np.random.default_rng(8)
    ref = rng.integers(0, 24, 20_000).astype(np.int32)
    lengths = np.array([n for _, n in contigs], dtype=np.int64)
    pos = (rng.random(20_000) * (lengths[ref] - 60)).astype(np.int32)
    reads = swgs.Reads(ref=ref, pos=pos, flag=np.zeros(20_000, np.uint16), mapq=rng.integers(0, 61, 20_000).astype(np.uint8))
    bam = swgs.write_bam(tmp_path / "hg19.bam", reads, contigs, seed=1)
    out = tmp_path / "counts.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--bin-size", "1000000", "--genome", "hg19", "--out", out)
    table = read_bins(out, genome="hg19")
    assert out.read_text().startswith("#genome=hg19\n")
    assert list(table.columns) == ["chromosome", "start", "end", "S1"]
    assert table["chromosome"].iloc[-1] == "Y" and table["end"].iloc[-1] == hg19["Y"]  # no MT, no decoys
    expected = samtools_counts(bam, table, 1_000_000)
    assert (table["S1"].to_numpy() == expected).all()
    bad = metevo("bin-counts", "--bam", bam, "--sample", "S1", "--bin-size", "1000000", "--genome", "hg38",
                 "--out", tmp_path / "x.tsv", check=False)
    assert bad.returncode == 2 and "another genome build" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.tsv").exists()


def test_bam_without_index(tmp_path):
    bam, annotation = _simulated_bam(tmp_path)
    Path(str(bam) + ".bai").unlink()
    out = tmp_path / "out" / "counts.tsv"
    proc = metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--out", out, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bam) in lines[0] and "no index" in lines[0] and "samtools index" in lines[0]
    assert not out.exists() and not out.parent.exists()


def test_annotation_of_another_build(tmp_path):
    # QDNAseq-style hg19 bins (chromosome 1 ends at 249,250,621) against an hg38 BAM header
    from metevo.genome import CHROM_LENGTHS

    hg38 = CHROM_LENGTHS["hg38"]
    contigs = [(c, n) for c, n in hg38.items()]
    reads = swgs.Reads(ref=np.zeros(10, np.int32), pos=np.arange(10, dtype=np.int32) * 1000,
                       flag=np.zeros(10, np.uint16), mapq=np.full(10, 60, np.uint8))
    bam = swgs.write_bam(tmp_path / "hg38.bam", reads, contigs, seed=1)
    from metevo.cn.bins import bin_grid

    ann = bin_grid({"1": CHROM_LENGTHS["hg19"]["1"]}, 1_000_000)
    annotation = tmp_path / "ann.tsv"
    write_bins(ann, annotation)
    out = tmp_path / "counts.tsv"
    proc = metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--out", out, check=False)
    assert proc.returncode == 2 and "another genome build" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()
    write_bins(ann, annotation, genome="hg19")
    proc = metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--genome", "hg38", "--out", out, check=False)
    assert proc.returncode == 2 and "bins of another genome build" in proc.stderr and "line 1" in proc.stderr


def test_simulated_bam_reads_back(tmp_path):
    """The numpy BAM encoder writes what was asked (checked through htslib)."""
    import pysam

    reads = swgs.Reads(ref=np.array([1, 0, -1, 0], np.int32), pos=np.array([5, 100, -1, 7], np.int32),
                       flag=np.array([0x10, 0x1 | 0x40, 0x4, 0x400 | 0x800], np.uint16), mapq=np.array([60, 37, 0, 255], np.uint8))
    bam = swgs.write_bam(tmp_path / "t.bam", reads, [("c1", 1000), ("c2", 500)], read_length=30, seed=2)
    with pysam.AlignmentFile(str(bam)) as fh:
        got = [(r.reference_id, r.reference_start, r.flag, r.mapping_quality, r.query_length, r.cigarstring) for r in fh.fetch(until_eof=True)]
        assert fh.count("c1") == 2 and fh.count("c2") == 1
    assert got == [(0, 7, 0xC00, 255, 30, "30M"), (0, 100, 0x41, 37, 30, "30M"), (1, 5, 0x10, 60, 30, "30M"), (-1, -1, 0x4, 0, 30, None)]


@needs_samtools
def test_cram_counts_equal_the_bam(tmp_path):
    bam, annotation = _simulated_bam(tmp_path)
    rng = np.random.default_rng(0)
    fasta = tmp_path / "ref.fa"
    bases = np.frombuffer(b"ACGT", dtype=np.uint8)
    fasta.write_text("".join(f">{name}\n{bases[rng.integers(0, 4, length)].tobytes().decode()}\n" for name, length in CONTIGS))
    cram = tmp_path / "s.cram"
    subprocess.run(["samtools", "view", "-C", "-T", str(fasta), "-o", str(cram), str(bam)], check=True)
    subprocess.run(["samtools", "index", str(cram)], check=True)
    a, b = tmp_path / "bam.tsv", tmp_path / "cram.tsv"
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", annotation, "--out", a)
    metevo("bin-counts", "--bam", cram, "--reference", fasta, "--sample", "S1", "--annotation", annotation, "--out", b)
    assert a.read_bytes() == b.read_bytes()
