"""metevo.io.bam: the BGZF block reader that bin-counts uses for BAMs.

Expected counts are computed from the simulated reads themselves (the planted truth: flags,
MAPQ and positions written into the BAM, binned with numpy), and compared with the pysam
reader (htslib through the index). BAMs are re-blocked with tiny BGZF blocks so that records
cross block boundaries and the groups inflated by each task.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cn.bins import DUPLICATE, QCFAIL, SECONDARY, SUPPLEMENTARY, UNMAPPED, bin_grid, count_reads
from metevo.errors import InputError
from metevo.io import bam as bamio
from metevo.io.bins import read_bins, write_bins
from metevo.simulate import swgs
from tests.conftest import metevo

CONTIGS = [("chr1", 200_000), ("chrUn_gl1", 50_000), ("chr2", 150_000), ("chrX", 90_000), ("chrM", 16_569)]
LENGTHS = {"1": 200_000, "2": 150_000, "X": 90_000}
BIN = 10_000
DROP = UNMAPPED | QCFAIL | DUPLICATE
INFLATERS = ["zlib"] + (["isal"] if bamio.INFLATER == "isal" else [])


def _reads(seed: int = 5, *, n_extra: int = 3000) -> swgs.Reads:
    """Simulated reads on chr1, chr2, chrX (with decoys: duplicates, QC failures, placed and
    unplaced unmapped reads, low MAPQ, MAPQ 255), plus reads on chrUn_gl1 and chrM, which
    the bins do not cover."""
    ann = swgs.synthetic_annotation(LENGTHS, BIN, seed=seed)
    counts = swgs.simulate_counts(swgs.expected_counts(ann, np.full(len(ann), 2), purity=1.0, reads_per_bin=400), seed=seed)
    reads = swgs.simulate_reads(ann, counts, CONTIGS, seed=seed + 1, decoys=0.2, mapq_255=0.03)
    rng = np.random.default_rng(seed + 2)
    ref = rng.choice([1, 4], n_extra).astype(np.int32)  # chrUn_gl1 and chrM
    lengths = np.array([n for _, n in CONTIGS])
    pos = (rng.random(n_extra) * (lengths[ref] - 60)).astype(np.int32)
    # reads on bin edges (0-based: the first base of a chromosome, the last base of a bin and
    # the first of the next) and on a chromosome's last bases
    edge = np.array([0, BIN - 1, BIN, 2 * BIN - 1, 2 * BIN, 5 * BIN, 150_000 - 60], np.int32)
    edge_ref = np.array([0, 0, 0, 2, 2, 2, 2], np.int32)
    return swgs.Reads(ref=np.concatenate([reads.ref, ref, edge_ref]), pos=np.concatenate([reads.pos, pos, edge]),
                      flag=np.concatenate([reads.flag, np.zeros(n_extra + len(edge), np.uint16)]),
                      mapq=np.concatenate([reads.mapq, rng.integers(0, 61, n_extra).astype(np.uint8), np.full(len(edge), 60, np.uint8)]))


def _truth(reads: swgs.Reads, bins: pd.DataFrame, *, drop: int = DROP, min_mapq: int = 37) -> tuple[np.ndarray, np.ndarray, bool]:
    """(counts with the MAPQ filter, without it, any MAPQ) from the reads' own arrays."""
    name_of = {"1": 0, "2": 2, "X": 3}
    counts_q = np.zeros(len(bins), np.int64)
    counts_all = np.zeros(len(bins), np.int64)
    kept_any_mapq = False
    for chrom, rows in bins.groupby("chromosome", sort=False).indices.items():
        if chrom not in name_of:
            continue
        keep = (reads.ref == name_of[chrom]) & ((reads.flag & drop) == 0)
        pos1 = reads.pos[keep].astype(np.int64) + 1
        mapq = reads.mapq[keep]
        kept_any_mapq |= bool((mapq != 255).any())
        breaks = np.concatenate((bins["start"].to_numpy()[rows], [bins["end"].to_numpy()[rows].max() + 1]))
        idx = np.searchsorted(breaks, pos1, side="right") - 1
        inside = (idx >= 0) & (idx < len(rows))
        counts_all[rows] = np.bincount(idx[inside], minlength=len(rows))
        ok = inside & (mapq >= min_mapq) & (mapq != 255)
        counts_q[rows] = np.bincount(idx[ok], minlength=len(rows))
    return counts_q, counts_all, kept_any_mapq


def _bgzf(raw: bytes, block: int, *, other_subfield: bool = False) -> bytes:
    """``raw`` compressed as BGZF blocks of ``block`` uncompressed bytes, with the EOF marker;
    ``other_subfield``: another gzip extra subfield ('XY', 3 bytes) before BC, as the SAM
    specification allows."""
    out = []
    extra = b"XY\x03\x00abc" if other_subfield else b""
    for i in range(0, len(raw), block):
        chunk = raw[i:i + block]
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        data = comp.compress(chunk) + comp.flush()
        bsize = 12 + len(extra) + 6 + len(data) + 8 - 1  # BSIZE: the block's length - 1
        header = b"\x1f\x8b\x08\x04\x00\x00\x00\x00\x00\xff" + struct.pack("<H", len(extra) + 6) + extra + b"BC\x02\x00" + struct.pack("<H", bsize)
        out.append(header + data + struct.pack("<II", zlib.crc32(chunk), len(chunk)))
    out.append(bamio.BGZF_EOF)
    return b"".join(out)


def _reblock(bam: Path, out: Path, block: int) -> Path:
    import pysam

    out.write_bytes(_bgzf(gzip.decompress(bam.read_bytes()), block))
    pysam.index(str(out))
    return out


def _blocks(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of every BGZF block of a file's bytes (BC the only extra subfield)."""
    spans, p = [], 0
    while p < len(data):
        size = struct.unpack_from("<H", data, p + 16)[0] + 1
        spans.append((p, size))
        p += size
    return spans


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bamreader")
    reads = _reads()
    bam = swgs.write_bam(folder / "s.bam", reads, CONTIGS, seed=9)
    bins = bin_grid(LENGTHS, BIN)
    return folder, reads, bam, bins


def _count(path, bins, **kw):
    names = {"1": "chr1", "2": "chr2", "X": "chrX"}
    chroms = [c for c in pd.unique(bins["chromosome"]) if c in names]
    breaks = []
    for c in chroms:
        rows = bins[bins["chromosome"] == c]
        breaks.append(np.concatenate((rows["start"].to_numpy(), [rows["end"].max() + 1])))
    res = bamio.count_bins(path, [names[c] for c in chroms], breaks, drop=kw.pop("drop", DROP), min_mapq=37, **kw)
    return np.concatenate(res.counts_q), np.concatenate(res.counts_all), res.has_mapq


def test_simulated_reads_cover_the_cases(sample):
    _, reads, _, _ = sample
    placed_unmapped = (reads.ref >= 0) & ((reads.flag & UNMAPPED) != 0)
    assert placed_unmapped.sum() > 50 and (reads.ref == -1).sum() > 5
    assert ((reads.flag & SECONDARY) != 0).sum() > 50 and ((reads.flag & SUPPLEMENTARY) != 0).sum() > 50
    assert (reads.mapq == 255).sum() > 50 and ((reads.mapq < 37) & (reads.flag == 0)).sum() > 50
    assert (reads.ref == 1).sum() > 1000 and (reads.ref == 4).sum() > 1000  # contigs without bins, inside and last


@pytest.mark.parametrize("inflater", INFLATERS)
@pytest.mark.parametrize("threads", [1, 2])
def test_counts_equal_the_planted_reads(sample, inflater, threads):
    _, reads, bam, bins = sample
    q, a, has_mapq = _count(bam, bins, threads=threads, inflater=inflater)
    tq, ta, t_has = _truth(reads, bins)
    assert tq.sum() > 10_000 and ta.sum() > tq.sum()
    assert (q == tq).all() and (a == ta).all() and has_mapq == t_has is True


@pytest.mark.parametrize("block, group_bytes", [(37, 1), (37, 5_000), (1_000, 1), (20_011, 30_000), (65_280, 1 << 20)])
@pytest.mark.parametrize("threads", [1, 2])
def test_records_across_block_and_group_boundaries(sample, tmp_path, block, group_bytes, threads):
    """Blocks of 37 bytes cut every record (and its block_size) several times; group_bytes 1
    makes every block its own group, so records span several inflated pieces."""
    _, reads, bam, bins = sample
    small = _reblock(bam, tmp_path / "small.bam", block)
    raw = gzip.decompress(bam.read_bytes())
    pieces = list(bamio.inflated(small, threads=threads, group_bytes=group_bytes))
    assert b"".join(pieces) == raw
    if group_bytes == 1:
        assert len(pieces) == len(_blocks(small.read_bytes()))  # one piece per block (the EOF block's is empty)
    q, a, has_mapq = _count(small, bins, threads=threads, group_bytes=group_bytes)
    tq, ta, t_has = _truth(reads, bins)
    assert (q == tq).all() and (a == ta).all() and has_mapq == t_has


def test_blocks_with_another_extra_subfield(sample, tmp_path):
    # the SAM specification allows other gzip extra subfields beside BC (htslib itself only
    # reads XLEN 6, so bin-counts never sees these: its index check refuses them first)
    _, reads, bam, bins = sample
    path = tmp_path / "xy.bam"
    path.write_bytes(_bgzf(gzip.decompress(bam.read_bytes()), 5_000, other_subfield=True))
    assert bamio.is_bgzf_bam(path)
    q, a, _ = _count(path, bins, group_bytes=3_000)
    tq, ta, _ = _truth(reads, bins)
    assert (q == tq).all() and (a == ta).all()


def test_long_records_span_many_blocks(tmp_path):
    # 70 kb reads: each record (name, CIGAR, 35 kB of sequence, 70 kB of qualities) is larger
    # than a BGZF block, so it spans 2-3 blocks; with one block per group, several pieces
    reads = swgs.Reads(ref=np.array([0, 0, 0, 2], np.int32), pos=np.array([5, 10_000, 10_001, 99], np.int32),
                       flag=np.zeros(4, np.uint16), mapq=np.array([60, 37, 36, 255], np.uint8))
    bam = swgs.write_bam(tmp_path / "long.bam", reads, CONTIGS, read_length=70_000, seed=1)
    bins = bin_grid(LENGTHS, BIN)
    for group_bytes in (1, 1 << 20):
        q, a, has_mapq = _count(bam, bins, group_bytes=group_bytes)
        assert q.sum() == 2 and a.sum() == 4 and has_mapq
        assert q[0] == 1 and q[1] == 1 and a[1] == 2  # POS 10001 is bin 1's first base; 10002 too
        assert a[len(bins[bins["chromosome"] == "1"])] == 1  # chr2:100


def test_count_reads_equals_the_pysam_reader(sample, tmp_path):
    """metevo.cn.bins.count_reads gives the same counts through both readers, with the
    secondary/supplementary options, and on a re-blocked BAM."""
    _, reads, bam, bins = sample
    small = _reblock(bam, tmp_path / "small.bam", 777)
    for keep in (True, False):
        kw = dict(keep_secondary=keep, keep_supplementary=keep)
        fast = count_reads(bam, bins, threads=2, **kw)
        slow = count_reads(bam, bins, threads=2, reader="pysam", **kw)
        fast_small = count_reads(small, bins, threads=1, reader="auto", **kw)
        drop = DROP | (0 if keep else SECONDARY | SUPPLEMENTARY)
        assert (fast.counts == slow.counts).all() and (fast_small.counts == slow.counts).all()
        assert (fast.counts == _truth(reads, bins, drop=drop)[0]).all()
        assert fast.has_mapq and fast.total_reads == slow.total_reads and fast.contigs == slow.contigs


def test_bins_on_chromosomes_absent_from_the_bam(sample):
    _, reads, bam, _ = sample
    bins = bin_grid({**LENGTHS, "3": 50_000}, BIN)  # chromosome 3 is not in the BAM header
    res = count_reads(bam, bins)
    assert (res.counts[(bins["chromosome"] == "3").to_numpy()] == 0).all()
    assert (res.counts == _truth(reads, bins)[0]).all() and "3" not in res.contigs


def test_partial_and_irregular_bins(sample):
    """Bins from an annotation need not start at 1 nor reach the chromosome's end: reads
    before the first bin or after the last are not counted (as numpy.searchsorted says)."""
    _, reads, bam, _ = sample
    bins = pd.DataFrame({"chromosome": ["1", "1", "1", "X"], "start": [5_001, 20_001, 20_501, 30_001],
                         "end": [20_000, 20_500, 70_000, 60_000]})
    res = count_reads(bam, bins)
    tq = _truth(reads, bins)[0]
    assert (res.counts == tq).all() and tq.min() > 0


def test_bam_without_mapq(tmp_path):
    # every kept read MAPQ 255: no MAPQ filter (QDNAseq), counts_all is used
    rng = np.random.default_rng(3)
    n = 2000
    reads = swgs.Reads(ref=np.zeros(n, np.int32), pos=np.sort(rng.integers(0, 190_000, n)).astype(np.int32),
                       flag=np.where(rng.random(n) < 0.1, DUPLICATE, 0).astype(np.uint16), mapq=np.full(n, 255, np.uint8))
    bam = swgs.write_bam(tmp_path / "nomapq.bam", reads, CONTIGS, seed=2)
    bins = bin_grid(LENGTHS, BIN)
    res = count_reads(bam, bins)
    assert not res.has_mapq and res.total_reads == int(((reads.flag & DUPLICATE) == 0).sum())
    assert (res.counts == _truth(reads, bins)[1]).all()


def test_empty_bam(tmp_path):
    reads = swgs.Reads(ref=np.zeros(0, np.int32), pos=np.zeros(0, np.int32), flag=np.zeros(0, np.uint16), mapq=np.zeros(0, np.uint8))
    bam = swgs.write_bam(tmp_path / "empty.bam", reads, CONTIGS, seed=2)
    bins = bin_grid(LENGTHS, BIN)
    for threads in (1, 2):
        q, a, has_mapq = _count(bam, bins, threads=threads)
        assert q.sum() == 0 and a.sum() == 0 and not has_mapq
    assert bamio.read_header(bam).names == [n for n, _ in CONTIGS]
    out = tmp_path / "counts.tsv"
    ann = tmp_path / "ann.tsv"
    write_bins(bins, ann)
    metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", ann, "--out", out)
    assert (read_bins(out)["S1"] == 0).all()


def test_only_unplaced_reads(tmp_path):
    reads = swgs.Reads(ref=np.full(5, -1, np.int32), pos=np.full(5, -1, np.int32), flag=np.full(5, UNMAPPED, np.uint16),
                       mapq=np.zeros(5, np.uint8))
    bam = swgs.write_bam(tmp_path / "unplaced.bam", reads, CONTIGS, seed=2)
    q, a, has_mapq = _count(bam, bin_grid(LENGTHS, BIN))
    assert a.sum() == 0 and not has_mapq


def test_is_bgzf_bam(sample, tmp_path):
    _, _, bam, _ = sample
    assert bamio.is_bgzf_bam(bam)
    sam_gz = tmp_path / "s.sam.gz"
    sam_gz.write_bytes(_bgzf(b"@HD\tVN:1.6\n", 100))
    text = tmp_path / "s.txt"
    text.write_text("chr1\t1\n")
    plain_gz = tmp_path / "s.gz"
    plain_gz.write_bytes(gzip.compress(gzip.decompress(bam.read_bytes())[:1000]))
    for path in (sam_gz, text, plain_gz, tmp_path / "missing.bam"):
        assert not bamio.is_bgzf_bam(path)
    with pytest.raises(InputError, match="expected a BAM file"):
        bamio.read_header(sam_gz)


# --------------------------------------------------------------------------------------
# damaged files: one-line InputErrors naming the file
# --------------------------------------------------------------------------------------

def _one_line(err: InputError, path: Path) -> str:
    text = err.one_line()
    assert str(path) in text and "\n" not in str(err)
    return text


@pytest.mark.parametrize("inflater", INFLATERS)
def test_truncated_bam(sample, tmp_path, inflater):
    _, _, bam, bins = sample
    data = bam.read_bytes()
    blocks = _blocks(data)
    cases = {
        "mid-block": data[:len(data) // 2],
        "at a block boundary": data[:blocks[3][0]],  # whole blocks, no EOF marker
        "without the EOF marker": data[:-len(bamio.BGZF_EOF)],
    }
    for what, cut in cases.items():
        path = tmp_path / f"cut-{what.replace(' ', '_')}.bam"
        path.write_bytes(cut)
        with pytest.raises(InputError) as err:
            _count(path, bins, inflater=inflater)
        text = _one_line(err.value, path)
        assert "truncated BAM" in text and "end-of-file marker" in text, what


@pytest.mark.parametrize("inflater", INFLATERS)
def test_cut_bam_with_an_eof_marker(sample, tmp_path, inflater):
    # a file cut inside a block, then given an EOF marker (e.g. by a tool that closed it):
    # the last block's length reaches beyond the file. (Damage after the last chromosome
    # counted is not seen: reading stops there.)
    _, _, bam, bins = sample
    data = bam.read_bytes()
    blocks = _blocks(data)
    for cut in (blocks[2][0] + 100, blocks[len(blocks) // 2][0] + 5_000):
        path = tmp_path / "cut.bam"
        path.write_bytes(data[:cut] + bamio.BGZF_EOF)
        with pytest.raises(InputError) as err:
            _count(path, bins, inflater=inflater)
        text = _one_line(err.value, path)
        assert "truncated BAM" in text or "corrupt BAM" in text


@pytest.mark.parametrize("inflater", INFLATERS)
@pytest.mark.parametrize("threads", [1, 2])
def test_crc_mismatch(sample, tmp_path, inflater, threads):
    _, _, bam, bins = sample
    data = bytearray(bam.read_bytes())
    at, size = _blocks(bytes(data))[5]
    data[at + size - 8] ^= 0xFF  # the block's CRC32
    path = tmp_path / "crc.bam"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        _count(path, bins, inflater=inflater, threads=threads)
    text = _one_line(err.value, path)
    assert f"corrupt BAM: the BGZF block at byte {at:,} does not inflate" in text


@pytest.mark.parametrize("inflater", INFLATERS)
def test_corrupt_deflate_data_and_isize(sample, tmp_path, inflater):
    _, _, bam, bins = sample
    blocks = _blocks(bam.read_bytes())
    at, size = blocks[4]
    for offset, what in ((size - 4, "ISIZE"), (40, "deflate data")):
        data = bytearray(bam.read_bytes())
        data[at + offset] ^= 0x5A
        path = tmp_path / "bad.bam"
        path.write_bytes(bytes(data))
        with pytest.raises(InputError) as err:
            _count(path, bins, inflater=inflater)
        assert f"BGZF block at byte {at:,}" in _one_line(err.value, path), what


def test_not_a_bgzf_block(sample, tmp_path):
    _, _, bam, bins = sample
    data = bytearray(bam.read_bytes())
    at, _ = _blocks(bytes(data))[3]
    data[at] = 0  # the gzip magic of block 4
    path = tmp_path / "magic.bam"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        _count(path, bins)
    assert f"no valid BGZF block header at byte {at:,}" in _one_line(err.value, path)


def _rewrite_records(bam: Path, out: Path, edit) -> Path:
    """The BAM with ``edit(raw, offsets)`` applied to its decompressed bytes (offsets: where
    each alignment record starts), re-blocked."""
    raw = bytearray(gzip.decompress(bam.read_bytes()))
    l_text = struct.unpack_from("<i", raw, 4)[0]
    p = 8 + l_text
    n_ref = struct.unpack_from("<i", raw, p)[0]
    p += 4
    for _ in range(n_ref):
        p += 4 + struct.unpack_from("<i", raw, p)[0] + 4
    offsets = []
    while p < len(raw):
        offsets.append(p)
        p += 4 + struct.unpack_from("<i", raw, p)[0]
    edit(raw, offsets)
    out.write_bytes(_bgzf(bytes(raw), 65_280))
    return out


def test_inconsistent_record(sample, tmp_path):
    _, _, bam, bins = sample

    def edit(raw, offsets):
        struct.pack_into("<i", raw, offsets[100] + 20, 10_000_000)  # l_seq far beyond block_size

    path = _rewrite_records(bam, tmp_path / "lseq.bam", edit)
    with pytest.raises(InputError) as err:
        _count(path, bins)
    assert "corrupt BAM: alignment record 101 is inconsistent" in _one_line(err.value, path)


def test_bad_refid(sample, tmp_path):
    _, _, bam, bins = sample

    def edit(raw, offsets):
        struct.pack_into("<i", raw, offsets[7] + 4, 99)

    path = _rewrite_records(bam, tmp_path / "ref.bam", edit)
    with pytest.raises(InputError) as err:
        _count(path, bins)
    assert "alignment record 8 has refID 99, the header has 5 reference sequences" in _one_line(err.value, path)


def test_unsorted_bam_with_a_stale_index(sample, tmp_path):
    _, _, bam, bins = sample

    def edit(raw, offsets):  # swap the positions of records 50 and 51 (they then go down)
        a, b = offsets[49] + 8, offsets[50] + 8
        pa, pb = struct.unpack_from("<i", raw, a)[0], struct.unpack_from("<i", raw, b)[0]
        assert pb > pa
        struct.pack_into("<i", raw, a, pb)
        struct.pack_into("<i", raw, b, pa)

    path = _rewrite_records(bam, tmp_path / "unsorted.bam", edit)
    os.link(f"{bam}.bai", f"{path}.bai")
    ann = tmp_path / "ann.tsv"
    write_bins(bins, ann)
    out = tmp_path / "counts.tsv"
    proc = metevo("bin-counts", "--bam", path, "--sample", "S1", "--annotation", ann, "--out", out, check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and str(path) in lines[0]
    assert "expected a coordinate-sorted BAM" in lines[0] and "record 51 at chr1:" in lines[0]
    assert not out.exists()


def test_truncated_bam_through_the_cli(sample, tmp_path):
    _, _, bam, bins = sample
    path = tmp_path / "cut.bam"
    data = bam.read_bytes()
    path.write_bytes(data[:len(data) - 1000])
    os.link(f"{bam}.bai", f"{path}.bai")
    ann = tmp_path / "ann.tsv"
    write_bins(bins, ann)
    out = tmp_path / "counts.tsv"
    proc = metevo("bin-counts", "--bam", path, "--sample", "S1", "--annotation", ann, "--out", out, check=False)
    lines = proc.stderr.strip().splitlines()
    # htslib (opening the header) or the BGZF reader says so, in one line
    assert proc.returncode == 2 and len(lines) == 1 and str(path) in lines[0] and "truncated" in lines[0]
    assert not out.exists()


def test_threads_give_the_same_table(sample, tmp_path):
    _, _, bam, bins = sample
    ann = tmp_path / "ann.tsv"
    write_bins(bins, ann)
    outs = []
    for threads in (1, 2):
        out = tmp_path / f"t{threads}.tsv"
        metevo("bin-counts", "--bam", bam, "--sample", "S1", "--annotation", ann, "--threads", str(threads), "--out", out)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


# --------------------------------------------------------------------------------------
# the counting process (bin-counts --threads > 1)
# --------------------------------------------------------------------------------------

def _count_via(counter, bins):
    names = {"1": "chr1", "2": "chr2", "X": "chrX"}
    chroms = [c for c in pd.unique(bins["chromosome"]) if c in names]
    breaks = [np.concatenate((bins.loc[bins["chromosome"] == c, "start"].to_numpy(), [bins.loc[bins["chromosome"] == c, "end"].max() + 1]))
              for c in chroms]
    res = counter.count([names[c] for c in chroms], breaks, drop=DROP, min_mapq=37)
    return np.concatenate(res.counts_q), np.concatenate(res.counts_all), res.has_mapq


def test_counting_process_gives_the_same_counts(sample):
    _, reads, bam, bins = sample
    counter = bamio.CountingProcess(bam, threads=2)
    assert counter.proc is not None and counter.proc.pid != os.getpid()
    q, a, has_mapq = _count_via(counter, bins)
    assert counter.proc is None  # waited for
    tq, ta, t_has = _truth(reads, bins)
    assert (q == tq).all() and (a == ta).all() and has_mapq == t_has


def test_counting_process_errors_and_deaths(sample, tmp_path):
    _, reads, bam, bins = sample
    data = bytearray(bam.read_bytes())
    at, size = _blocks(bytes(data))[5]
    data[at + size - 8] ^= 0xFF
    path = tmp_path / "crc.bam"
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        _count_via(bamio.CountingProcess(path, threads=2), bins)
    assert f"corrupt BAM: the BGZF block at byte {at:,} does not inflate" in _one_line(err.value, path)
    # a process that died (killed) before counting: the counts are made in this process
    counter = bamio.CountingProcess(bam, threads=2)
    counter.proc.kill()
    counter.proc.join()
    q, _, _ = _count_via(counter, bins)
    assert (q == _truth(reads, bins)[0]).all()
    # closed without counting (an error in the caller first): the process is stopped
    counter = bamio.CountingProcess(bam, threads=2)
    proc = counter.proc
    counter.close()
    assert not proc.is_alive() and counter.proc is None
