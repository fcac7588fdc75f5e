"""Shallow-WGS simulation: bin annotations, planted copy-number profiles, read counts and BAMs.

For tests and benchmarks of the QDNAseq steps (bin-counts, copy-number). The model:

* :func:`synthetic_annotation`: QDNAseq-style bins over given chromosome lengths, GC content
  drifting smoothly along each chromosome (an AR(1) around 41%, clipped to 30-62%), mostly
  high mappability with a minority of poorly mappable bins, unsequenced (``bases == 0``) bins
  at chromosome starts and at a centromere-like block, a few blacklisted bins and NA
  residuals;
* :func:`expected_counts`: reads per bin proportional to the copy ratio of a tumour of purity
  p and ploidy phi mixed with diploid normal cells, ``(p c + 2 (1 - p)) / (p phi + 2 (1 - p))``,
  times a GC bias (quadratic in log space around 45% GC, the unimodal bias of Benjamini &
  Speed 2012), a mappability factor and the fraction of sequenced bases;
* :func:`simulate_counts`: Poisson counts around that expectation;
* :func:`simulate_reads` / :func:`write_bam`: reads placed uniformly inside their bins plus
  reads that QDNAseq must ignore (duplicates, QC failures, unmapped, low MAPQ) and reads it
  must keep (secondary, supplementary), written as a coordinate-sorted, indexed BAM.

Everything is drawn from one ``numpy.random.default_rng(seed)``: a seed fixes every byte.
The BAM is encoded directly with numpy (SAM specification v1, section 4.2) and compressed by
htslib through ``pysam.BGZFile``, fast enough for the benchmark's millions of reads.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

# SAM flags
PAIRED, PROPER, UNMAPPED, REVERSE, FIRST, SECOND = 0x1, 0x2, 0x4, 0x10, 0x40, 0x80
SECONDARY, QCFAIL, DUPLICATE, SUPPLEMENTARY = 0x100, 0x200, 0x400, 0x800


@dataclass(frozen=True)
class PlantedSegment:
    """A clonal copy-number state ``copies`` over ``chrom:start-end`` (1-based, closed)."""

    chrom: str
    start: int
    end: int
    copies: int


def synthetic_annotation(chrom_lengths: Mapping[str, int], bin_size: int, *, seed: int) -> pd.DataFrame:
    """QDNAseq-style bin annotation (chromosome start end bases gc mappability blacklist residual use)."""
    rng = np.random.default_rng(seed)
    frames = []
    for chrom, length in chrom_lengths.items():
        starts = np.arange(1, length + 1, bin_size, dtype=np.int64)
        ends = np.minimum(starts + bin_size - 1, length)
        n = len(starts)
        gc = np.empty(n)
        level = 41.0 + rng.normal(0, 3)
        for i in range(n):  # AR(1): neighbouring bins share isochores
            level = 41.0 + 0.9 * (level - 41.0) + rng.normal(0, 1.6)
            gc[i] = level
        gc = np.clip(gc, 30.0, 62.0)
        mappability = np.where(rng.random(n) < 0.12, rng.uniform(10, 70, n), rng.uniform(85, 100, n))
        bases = np.full(n, 100.0)
        gap = max(1, n // 50)
        bases[:gap] = 0.0  # telomere / p-arm gap
        centre = n // 3
        bases[centre:centre + gap] = 0.0
        partial = rng.random(n) < 0.02
        bases[partial & (bases > 0)] = rng.uniform(40, 99, int((partial & (bases > 0)).sum()))
        blacklist = np.where(rng.random(n) < 0.02, rng.uniform(1, 100, n), 0.0)
        residual = rng.normal(0, 0.02, n)
        residual[rng.random(n) < 0.02] = np.nan
        gc_out = np.where(bases > 0, gc, np.nan)
        mappability = np.where(bases > 0, mappability, 0.0)
        # the last, truncated bin's bases are relative to the full width, as QDNAseq's
        bases = bases * (ends - starts + 1) / bin_size
        frames.append(pd.DataFrame({
            "chromosome": chrom, "start": starts, "end": ends, "bases": bases, "gc": gc_out,
            "mappability": mappability, "blacklist": blacklist, "residual": residual, "use": bases > 0,
        }))
    return pd.concat(frames, ignore_index=True)


def planted_copies(bins: pd.DataFrame, events: Sequence[PlantedSegment], *, baseline: int = 2) -> np.ndarray:
    """Integer copy number of each bin: ``baseline`` except where an event covers the bin's
    midpoint (later events override earlier ones)."""
    copies = np.full(len(bins), baseline, dtype=np.int64)
    chrom = bins["chromosome"].to_numpy(dtype=object)
    mid = (bins["start"].to_numpy(np.int64) + bins["end"].to_numpy(np.int64)) // 2
    for ev in events:
        copies[(chrom == ev.chrom) & (mid >= ev.start) & (mid <= ev.end)] = ev.copies
    return copies


def copy_ratio(copies: np.ndarray, purity: float, ploidy: float) -> np.ndarray:
    """Expected read-depth ratio of clonal copy numbers in a tumour/normal mixture."""
    return (purity * np.asarray(copies, dtype=np.float64) + 2 * (1 - purity)) / (purity * ploidy + 2 * (1 - purity))


def gc_bias(gc: np.ndarray, *, strength: float = 1.0) -> np.ndarray:
    """Relative read yield by GC%: ``exp(-strength * ((gc - 45) / 20)^2)`` (1 at 45% GC; with
    strength 1 about 0.57 at 30% and 0.37 at 65% GC, the range of sWGS libraries)."""
    return np.exp(-strength * ((np.asarray(gc, dtype=np.float64) - 45.0) / 20.0) ** 2)


def expected_counts(
    bins: pd.DataFrame,
    copies: np.ndarray,
    *,
    purity: float,
    ploidy: float | None = None,
    reads_per_bin: float = 200.0,
    gc_strength: float = 1.0,
) -> np.ndarray:
    """Expected reads per bin (see module docstring); 0 for bins without sequence.

    ``ploidy`` defaults to the genome-average of ``copies`` over bins with sequence.
    """
    copies = np.asarray(copies, dtype=np.float64)
    bases = bins["bases"].to_numpy(np.float64) / 100.0
    gc = bins["gc"].to_numpy(np.float64)
    seq = (bases > 0) & ~np.isnan(gc)
    if ploidy is None:
        ploidy = float(np.average(copies[seq], weights=bases[seq]))
    mapf = np.clip(bins["mappability"].to_numpy(np.float64) / 100.0, 0.0, 1.0) if "mappability" in bins.columns else 1.0
    lam = reads_per_bin * bases * copy_ratio(copies, purity, ploidy) * gc_bias(np.nan_to_num(gc, nan=45.0), strength=gc_strength) * mapf
    lam[~seq] = 0.0
    return lam


def simulate_counts(expected: np.ndarray, *, seed: int) -> np.ndarray:
    """Poisson read counts with the given means."""
    return np.random.default_rng(seed).poisson(np.asarray(expected, dtype=np.float64)).astype(np.int64)


@dataclass
class Reads:
    """Alignments to write: reference index (-1: unplaced), 0-based leftmost position, flag, MAPQ."""

    ref: np.ndarray
    pos: np.ndarray
    flag: np.ndarray
    mapq: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)


def simulate_reads(
    bins: pd.DataFrame,
    counts: np.ndarray,
    contigs: Sequence[tuple[str, int]],
    *,
    read_length: int = 50,
    seed: int,
    paired: bool = True,
    decoys: float = 0.0,
    mapq_255: float = 0.0,
) -> Reads:
    """Reads whose leftmost position falls uniformly inside their bin, ``counts[i]`` in bin i.

    Counted reads get MAPQ 37-60 and flags of single or paired reads (mates counted apart),
    with a share of secondary and supplementary alignments, which QDNAseq keeps. ``decoys``
    (a fraction of the counted reads) adds reads QDNAseq must drop: duplicates, QC failures,
    placed unmapped reads, MAPQ below 37, and unplaced unmapped reads. ``mapq_255`` gives
    that share of the counted reads MAPQ 255 ("unavailable": dropped by QDNAseq when other
    reads have a MAPQ). ``bins`` chromosomes are matched to ``contigs`` by harmonised name.
    """
    from metevo.variants import harmonise_chrom

    rng = np.random.default_rng(seed)
    index = {harmonise_chrom(name): i for i, (name, _) in enumerate(contigs)}
    lengths = np.array([length for _, length in contigs], dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    ref_of_bin = np.array([index[c] for c in bins["chromosome"]], dtype=np.int64)
    ref = np.repeat(ref_of_bin, counts)
    lo = np.repeat(bins["start"].to_numpy(np.int64) - 1, counts)
    hi = np.repeat(bins["end"].to_numpy(np.int64), counts)
    pos = lo + np.floor(rng.random(len(ref)) * (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, lengths[ref] - read_length)  # reads must end inside the contig
    n = len(ref)
    mapq = rng.integers(37, 61, n)
    if mapq_255 > 0:
        mapq[rng.random(n) < mapq_255] = 255
    if paired:
        flag = PAIRED | PROPER | np.where(rng.random(n) < 0.5, FIRST, SECOND)
    else:
        flag = np.zeros(n, dtype=np.int64)
    flag = flag | np.where(rng.random(n) < 0.5, REVERSE, 0)
    extra = rng.random(n)
    flag = flag | np.where(extra < 0.01, SECONDARY, 0) | np.where((extra >= 0.01) & (extra < 0.02), SUPPLEMENTARY, 0)
    parts = [(ref, pos, flag, mapq)]
    n_decoy = int(round(decoys * n))
    if n_decoy:
        pick = rng.integers(0, max(n, 1), n_decoy)
        d_ref = ref[pick] if n else np.zeros(n_decoy, dtype=np.int64)
        d_pos = pos[pick] if n else np.zeros(n_decoy, dtype=np.int64)
        kind = rng.integers(0, 5, n_decoy)
        d_flag = np.choose(kind, [DUPLICATE, QCFAIL, UNMAPPED, 0, DUPLICATE | QCFAIL]).astype(np.int64)
        d_mapq = np.where(kind == 3, rng.integers(0, 37, n_decoy), rng.integers(37, 61, n_decoy))
        d_mapq = np.where(kind == 2, 0, d_mapq)
        unplaced = rng.random(n_decoy) < 0.1
        d_ref = np.where(unplaced, -1, d_ref)
        d_pos = np.where(unplaced, -1, d_pos)
        d_flag = np.where(unplaced, UNMAPPED, d_flag)
        d_mapq = np.where(unplaced, 0, d_mapq)
        parts.append((d_ref, d_pos, d_flag, d_mapq))
    ref = np.concatenate([p[0] for p in parts]).astype(np.int32)
    pos = np.concatenate([p[1] for p in parts]).astype(np.int32)
    flag = np.concatenate([p[2] for p in parts]).astype(np.uint16)
    mapq = np.concatenate([p[3] for p in parts]).astype(np.uint8)
    return Reads(ref=ref, pos=pos, flag=flag, mapq=mapq)


# --------------------------------------------------------------------------------------
# BAM writing (SAM specification, section 4.2)
# --------------------------------------------------------------------------------------

_SEQ_CODES = np.array([1, 2, 4, 8], dtype=np.uint8)  # A C G T in BAM's 4-bit alphabet


def _reg2bin(beg: np.ndarray, end: np.ndarray) -> np.ndarray:
    """SAM spec reg2bin for 0-based [beg, end), vectorised."""
    beg = beg.astype(np.int64)
    end = end.astype(np.int64) - 1
    out = np.zeros(len(beg), dtype=np.int64)
    done = np.zeros(len(beg), dtype=bool)
    for shift, offset in ((14, ((1 << 15) - 1) // 7), (17, ((1 << 12) - 1) // 7), (20, ((1 << 9) - 1) // 7),
                          (23, ((1 << 6) - 1) // 7), (26, ((1 << 3) - 1) // 7)):
        hit = ~done & ((beg >> shift) == (end >> shift))
        out[hit] = offset + (beg[hit] >> shift)
        done |= hit
    return out


def _header_bytes(contigs: Sequence[tuple[str, int]]) -> bytes:
    text = "@HD\tVN:1.6\tSO:coordinate\n" + "".join(f"@SQ\tSN:{n}\tLN:{l}\n" for n, l in contigs)
    raw = text.encode()
    out = [b"BAM\x01", struct.pack("<i", len(raw)), raw, struct.pack("<i", len(contigs))]
    for name, length in contigs:
        bname = name.encode() + b"\x00"
        out += [struct.pack("<i", len(bname)), bname, struct.pack("<i", length)]
    return b"".join(out)


def _records(reads: Reads, order: np.ndarray, read_length: int, rng: np.random.Generator, first_name: int) -> bytes:
    """Binary alignment records of ``reads[order]`` (names r000000001.., random bases)."""
    m = len(order)
    ref = reads.ref[order].astype(np.int32)
    pos = reads.pos[order].astype(np.int32)
    flag = reads.flag[order].astype(np.uint16)
    mapq = reads.mapq[order].astype(np.uint8)
    mapped = (flag & UNMAPPED) == 0
    n_cigar = mapped.astype(np.uint16)
    l_seq = read_length
    seq_bytes = (l_seq + 1) // 2
    name_len = 11  # "r" + 9 digits + NUL
    fixed = 36 + name_len  # block_size + 32 bytes of fixed fields + name
    size = fixed + 4 * n_cigar.astype(np.int64) + seq_bytes + l_seq
    end = np.where(mapped, pos.astype(np.int64) + read_length, pos.astype(np.int64) + 1)
    bins = np.where(ref < 0, 4680, _reg2bin(pos, end))
    paired = (flag & PAIRED) != 0
    next_ref = np.where(paired, ref, -1).astype(np.int32)
    next_pos = np.where(paired, pos, -1).astype(np.int32)

    buf = np.zeros(int(size.sum()), dtype=np.uint8)
    offsets = np.concatenate(([0], np.cumsum(size)[:-1]))
    head = np.zeros(m, dtype=[("block_size", "<i4"), ("ref", "<i4"), ("pos", "<i4"), ("l_name", "u1"),
                              ("mapq", "u1"), ("bin", "<u2"), ("n_cigar", "<u2"), ("flag", "<u2"),
                              ("l_seq", "<i4"), ("next_ref", "<i4"), ("next_pos", "<i4"), ("tlen", "<i4"),
                              ("name", "S11")])
    head["block_size"] = size - 4
    head["ref"], head["pos"], head["l_name"], head["mapq"] = ref, pos, name_len, mapq
    head["bin"], head["n_cigar"], head["flag"], head["l_seq"] = bins, n_cigar, flag, l_seq
    head["next_ref"], head["next_pos"] = next_ref, next_pos
    numbers = np.arange(first_name, first_name + m)
    head["name"] = np.char.add("r", np.char.zfill(numbers.astype(str), 9)).astype("S10")
    head_bytes = head.view(np.uint8).reshape(m, fixed)
    cigar = np.array([read_length << 4], dtype="<u4").view(np.uint8)  # {L}M
    codes = _SEQ_CODES[rng.integers(0, 4, (m, 2 * seq_bytes))]
    seq = ((codes[:, 0::2] << 4) | codes[:, 1::2]).astype(np.uint8)
    qual = rng.integers(20, 41, (m, l_seq), dtype=np.uint8)
    for has_cigar in (True, False):
        rows = np.flatnonzero(mapped == has_cigar)
        if len(rows) == 0:
            continue
        parts = [head_bytes[rows]]
        if has_cigar:
            parts.append(np.broadcast_to(cigar, (len(rows), 4)))
        parts += [seq[rows], qual[rows]]
        block = np.concatenate(parts, axis=1)
        width = block.shape[1]
        idx = offsets[rows][:, None] + np.arange(width)[None, :]
        buf[idx] = block
    return buf.tobytes()


def write_bam(
    path: str | os.PathLike,
    reads: Reads,
    contigs: Sequence[tuple[str, int]],
    *,
    read_length: int = 50,
    seed: int,
    index: bool = True,
    chunk: int = 100_000,
) -> Path:
    """Write ``reads`` as a coordinate-sorted BAM (unplaced reads last) and index it (.bai)."""
    import pysam

    path = Path(path)
    rng = np.random.default_rng(seed)
    key_ref = np.where(reads.ref < 0, np.iinfo(np.int32).max, reads.ref).astype(np.int64)
    order = np.lexsort((reads.pos.astype(np.int64), key_ref))
    with pysam.BGZFile(str(path), "wb") as out:
        out.write(_header_bytes(contigs))
        for lo in range(0, len(order), chunk):
            out.write(_records(reads, order[lo:lo + chunk], read_length, rng, first_name=lo + 1))
    if index:
        pysam.index(str(path))
    return path
