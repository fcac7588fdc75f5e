"""QDNAseq bins: read counts per bin from a BAM/CRAM, and bin annotations from a FASTA.

Counting follows QDNAseq's ``binReadCounts`` (ccagc/QDNAseq R/binReadCounts.R, defaults):

* alignments that are unmapped (0x4), fail QC (0x200) or are duplicates (0x400) are dropped;
  secondary (0x100) and supplementary (0x800) alignments are kept (``isSecondaryAlignment=NA``;
  supplementary is not a scanBam flag) unless asked otherwise;
* if any kept alignment has a MAPQ (Rsamtools reads MAPQ 255, "unavailable", as NA), only
  those with ``MAPQ >= 37`` are counted; MAPQ-255 alignments then fail the test, as NA does
  in R's ``which(mapq >= minMapq)``; a BAM without any MAPQ is counted unfiltered;
* a read is placed at its leftmost aligned position (1-based POS); mates count separately;
* chromosome names are harmonised (``chr7`` -> ``7``); on each chromosome a read at position p
  falls in bin b when ``start_b <= p < start_(b+1)``, the last bin closing at its end + 1
  (matrixStats::binCounts with breaks at the bin starts).

A BGZF-compressed BAM is read once from start to end by :mod:`metevo.io.bam` (blocks inflated
in ``threads`` threads, records binned in compiled code, reading stops after the last
chromosome counted); a CRAM (or anything else htslib reads) is fetched chromosome by chromosome
through its index with pysam, chromosomes counted in parallel processes. Both give the same
counts. An index is required either way (it vouches that the file is coordinate-sorted), and
its absence is an ``InputError``.

Annotations follow QDNAseq's ``createBins``/``calculateMappability``/``calculateBlacklist``:
``bases`` = % A/C/G/T (of the nominal bin width), ``gc`` = % G/C among them (NA without any),
``mappability`` = mean of a mappability track over the bin's covered bases x 100
(bigWigAverageOverBed's ``mean``; 0 where the track has no value), ``blacklist`` = % of the
bin covered by the merged BED intervals. ``residual`` (QDNAseq: median LOESS residual over
1000 Genomes normals) needs a panel of normal samples and is left NA; QDNAseq's residual
filter then keeps every bin (applyFilters treats all-NA chromosomes as unfiltered).
``use`` = bases > 0 and no blacklist overlap.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.variants import chrom_sort_key, harmonise_chrom

UNMAPPED, SECONDARY, QCFAIL, DUPLICATE, SUPPLEMENTARY = 0x4, 0x100, 0x200, 0x400, 0x800
MAPQ_UNAVAILABLE = 255
PRIMARY_CHROMOSOMES = tuple(str(i) for i in range(1, 23)) + ("X", "Y")


# --------------------------------------------------------------------------------------
# the bin grid
# --------------------------------------------------------------------------------------

def bin_grid(lengths: Mapping[str, int], bin_size: int) -> pd.DataFrame:
    """QDNAseq createBins' grid: ``start = 1, 1 + size, ...``; the last bin ends at the
    chromosome's length. Chromosomes in bin-table order (1..22, X, Y, ...)."""
    if bin_size < 1:
        raise ValueError("bin size must be positive")
    frames = []
    for chrom in sorted(lengths, key=chrom_sort_key):
        length = int(lengths[chrom])
        starts = np.arange(1, length + 1, bin_size, dtype=np.int64)
        ends = np.minimum(starts + bin_size - 1, length)
        frames.append(pd.DataFrame({"chromosome": chrom, "start": starts, "end": ends}))
    if not frames:
        return pd.DataFrame({"chromosome": pd.Series(dtype=object), "start": pd.Series(dtype=np.int64),
                             "end": pd.Series(dtype=np.int64)})
    return pd.concat(frames, ignore_index=True)


def select_chromosomes(names: Sequence[str], *, include_mt: bool = False) -> list[str]:
    """Chromosomes QDNAseq bins by default: 1..22, X, Y present in ``names`` (harmonised),
    mitochondria only if asked (createBins(ignoreMitochondria=TRUE))."""
    wanted = set(PRIMARY_CHROMOSOMES) | ({"MT"} if include_mt else set())
    return [n for n in names if harmonise_chrom(n) in wanted]


# --------------------------------------------------------------------------------------
# counting reads
# --------------------------------------------------------------------------------------

@dataclass
class BinCounts:
    """Reads per bin of one BAM, with QDNAseq's phenodata."""

    counts: np.ndarray  # int64, one per bin
    total_reads: int
    has_mapq: bool  # whether any kept alignment had a MAPQ (the MAPQ filter was applied)
    contigs: dict[str, str]  # harmonised chromosome -> name in the BAM, for chromosomes counted


def _open_alignments(path: str | os.PathLike, reference: str | os.PathLike | None = None):
    import pysam

    path = Path(path)
    if not path.exists():
        raise InputError("BAM/CRAM file does not exist", file=path)
    mode = "rc" if path.suffix.lower() == ".cram" else "rb"
    verbosity = pysam.set_verbosity(0)
    try:
        return pysam.AlignmentFile(str(path), mode, reference_filename=str(reference) if reference else None)
    except (ValueError, OSError) as err:
        raise InputError(f"expected a BAM or CRAM file that htslib can open ({' '.join(str(err).split())})", file=path) from None
    finally:
        pysam.set_verbosity(verbosity)


def alignment_contigs(path: str | os.PathLike, reference: str | os.PathLike | None = None) -> dict[str, int]:
    """Contig name -> length from a BAM/CRAM header (names as written)."""
    with _open_alignments(path, reference) as bam:
        return dict(zip(bam.references, (int(x) for x in bam.lengths)))


def require_index(path: str | os.PathLike, reference: str | os.PathLike | None = None) -> None:
    """InputError unless the BAM/CRAM has an index (.bai/.csi/.crai) htslib can use."""
    with _open_alignments(path, reference) as bam:
        try:
            ok = bam.has_index() and bam.check_index()
        except (ValueError, AttributeError, OSError):
            ok = False
    if not ok:
        raise InputError(
            "the BAM/CRAM has no index: bin-counts reads each chromosome through the index (to count "
            f"them in parallel); create it with 'samtools index {path}'",
            file=path,
        )


def _count_contig(path: str, reference: str | None, contig: str, breaks: np.ndarray, min_mapq: int, drop: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """(counts with the MAPQ filter, counts without it, any MAPQ seen) for one contig."""
    import pysam

    verbosity = pysam.set_verbosity(0)
    try:
        with pysam.AlignmentFile(path, "rc" if path.lower().endswith(".cram") else "rb",
                                 reference_filename=reference) as bam:
            # one pass at C speed per alignment object; the arithmetic is vectorised below
            reads = np.fromiter(
                ((r.flag, r.mapping_quality, r.reference_start) for r in bam.fetch(contig)),
                dtype=[("flag", np.uint16), ("mapq", np.uint8), ("pos", np.int64)],
            )
    finally:
        pysam.set_verbosity(verbosity)
    kept = (reads["flag"] & drop) == 0
    mapq = reads["mapq"][kept]
    pos1 = reads["pos"][kept] + 1
    has_mapq = bool((mapq != MAPQ_UNAVAILABLE).any())
    n_bins = len(breaks) - 1
    # binCounts: left-closed, right-open on [start_1, ..., start_last, end_last + 1)
    idx = np.searchsorted(breaks, pos1, side="right") - 1
    inside = (idx >= 0) & (idx < n_bins)
    counts_all = np.bincount(idx[inside], minlength=n_bins)[:n_bins]
    passing = inside & (mapq >= min_mapq) & (mapq != MAPQ_UNAVAILABLE)
    counts_q = np.bincount(idx[passing], minlength=n_bins)[:n_bins]
    return counts_q.astype(np.int64), counts_all.astype(np.int64), has_mapq


def _count_task(args):
    return args[0], _count_contig(*args[1:])


def count_reads(
    path: str | os.PathLike,
    bins: pd.DataFrame,
    *,
    min_mapq: int = 37,
    keep_secondary: bool = True,
    keep_supplementary: bool = True,
    threads: int = 1,
    reference: str | os.PathLike | None = None,
    reader: str = "auto",
    counter=None,
) -> BinCounts:
    """QDNAseq binReadCounts of one BAM/CRAM over ``bins`` (chromosome start end, sorted).

    See the module docstring for the rules. Chromosomes of ``bins`` absent from the BAM get
    zero counts; BAM contigs without bins are not read. ``reader``: "auto" (the BGZF reader
    for BAMs, pysam for the rest), "bgzf" or "pysam". ``threads``: BGZF inflating threads, or
    pysam processes counting chromosomes (largest first). ``counter``: a
    :class:`metevo.io.bam.CountingProcess` of this BAM started earlier, used by the BGZF
    reader. Raises InputError for a BAM that cannot be opened, is truncated or corrupt, or has
    no index.
    """
    from metevo.io.bam import is_bgzf_bam

    if reader not in ("auto", "bgzf", "pysam"):
        raise ValueError(f"unknown reader {reader!r}")
    path = str(path)
    require_index(path, reference)
    contigs = alignment_contigs(path, reference)
    by_core: dict[str, str] = {}
    for name in contigs:
        by_core.setdefault(harmonise_chrom(name), name)
    drop = UNMAPPED | QCFAIL | DUPLICATE
    if not keep_secondary:
        drop |= SECONDARY
    if not keep_supplementary:
        drop |= SUPPLEMENTARY
    chrom = bins["chromosome"].to_numpy(dtype=object)
    starts = bins["start"].to_numpy(np.int64)
    ends = bins["end"].to_numpy(np.int64)
    tasks = []
    rows_of: dict[str, np.ndarray] = {}
    for core in pd.unique(chrom):
        if core not in by_core:
            continue
        rows = np.flatnonzero(chrom == core)
        rows_of[core] = rows
        breaks = np.concatenate((starts[rows], [ends[rows].max() + 1]))
        tasks.append((core, path, str(reference) if reference else None, by_core[core], breaks, int(min_mapq), drop))
    use_bgzf = reader == "bgzf" or (reader == "auto" and is_bgzf_bam(path))
    if use_bgzf:
        results = _count_bgzf(path, tasks, contigs, min_mapq=int(min_mapq), drop=drop, threads=int(threads), counter=counter)
    else:
        results = _count_pysam(tasks, contigs, threads=int(threads))
    has_mapq = any(res[2] for res in results.values())
    counts = np.zeros(len(bins), dtype=np.int64)
    for core, (counts_q, counts_all, _) in results.items():
        counts[rows_of[core]] = counts_q if has_mapq else counts_all
    return BinCounts(counts=counts, total_reads=int(counts.sum()), has_mapq=has_mapq,
                     contigs={core: by_core[core] for core in rows_of})


def _count_bgzf(path: str, tasks: list, contigs: dict[str, int], *, min_mapq: int, drop: int,
                threads: int, counter=None) -> dict[str, tuple[np.ndarray, np.ndarray, bool]]:
    """_count_contig's results for every task, from one pass of the BGZF reader."""
    from metevo.io.bam import count_bins

    names, breaks = [t[3] for t in tasks], [t[4] for t in tasks]
    kw = dict(drop=drop, min_mapq=min_mapq, expected_references=list(contigs.items()))
    res = counter.count(names, breaks, **kw) if counter is not None else count_bins(path, names, breaks, threads=threads, **kw)
    # has_mapq is the BAM's (over every chromosome counted), as the per-contig flags' any()
    return {t[0]: (q, a, res.has_mapq) for t, q, a in zip(tasks, res.counts_q, res.counts_all)}


def _count_pysam(tasks: list, contigs: dict[str, int], *, threads: int) -> dict[str, tuple[np.ndarray, np.ndarray, bool]]:
    """_count_contig's results for every task, chromosomes in ``threads`` processes."""
    # largest chromosomes first so that the last task to finish is a small one
    tasks = sorted(tasks, key=lambda t: -contigs[t[3]])
    results = {}
    workers = max(1, min(int(threads), len(tasks)))
    if workers == 1:
        for task in tasks:
            core, res = _count_task(task)
            results[core] = res
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context(method)) as pool:
            for core, res in pool.map(_count_task, tasks):
                results[core] = res
    return results


# --------------------------------------------------------------------------------------
# annotation from a FASTA, a mappability track and blacklist BEDs
# --------------------------------------------------------------------------------------

_IS_ACGT = np.zeros(256, dtype=np.int64)
_IS_GC = np.zeros(256, dtype=np.int64)
for _b in b"ACGTacgt":
    _IS_ACGT[_b] = 1
for _b in b"CGcg":
    _IS_GC[_b] = 1


def sequence_content(fetch, chrom_name: str, starts: np.ndarray, ends: np.ndarray, *, chunk_bins: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ACGT count, GC count) per bin of one chromosome; ``fetch(name, start0, end0)`` gives bases.

    Bins must be contiguous and sorted (a grid); the sequence is read ~8 Mb at a time.
    """
    n = len(starts)
    acgt = np.zeros(n, dtype=np.int64)
    gc = np.zeros(n, dtype=np.int64)
    if n == 0:
        return acgt, gc
    width = int(ends[0] - starts[0] + 1)
    step = chunk_bins or max(1, 8_000_000 // max(width, 1))
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        s0, e0 = int(starts[lo] - 1), int(ends[hi - 1])
        seq = fetch(chrom_name, s0, e0)
        raw = np.frombuffer(seq.encode("ascii", "replace"), dtype=np.uint8)
        offsets = (starts[lo:hi] - 1 - s0).astype(np.int64)
        offsets = offsets[offsets < len(raw)]
        if len(raw) == 0 or len(offsets) == 0:
            continue
        k = len(offsets)
        acgt[lo:lo + k] = np.add.reduceat(_IS_ACGT[raw], offsets)
        gc[lo:lo + k] = np.add.reduceat(_IS_GC[raw], offsets)
    return acgt, gc


_WIG_KV = re.compile(r"(\w+)=(\S+)")


def _wig_blocks(path: str | os.PathLike, block_lines: int = 500_000) -> Iterator[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
    """(harmonised chrom, start0, end0, value) arrays from a WIG (fixedStep, variableStep or
    bedGraph lines, as bigWigToWig writes them), in blocks of consecutive data lines.

    Streams: a base-resolution mappability track never has to fit in memory. Errors name
    the line.
    """
    from metevo.io.tables import open_text

    path = Path(path)
    mode = None  # 'fixed', 'variable', 'bedgraph'
    chrom = ""
    start = step = span = 0
    block: list[str] = []
    block_first = 0
    next_fixed = 0  # fixedStep: 0-based start of the next value

    def floats(rows: list[list[str]], first: int) -> np.ndarray:
        try:
            return np.array(rows, dtype=np.float64)
        except ValueError:
            pass
        out = np.empty((len(rows), len(rows[0]) if rows else 0))
        for i, fields in enumerate(rows):
            for j, token in enumerate(fields):
                try:
                    out[i, j] = float(token)
                except ValueError:
                    if token.lower() not in ("na", "nan"):
                        raise InputError(f"expected a number, found '{token}'", file=path, line=first + i) from None
                    out[i, j] = np.nan
        return out

    def flush():
        nonlocal next_fixed
        if not block:
            return None
        first = block_first
        if mode == "fixed":
            values = floats([[ln.strip()] for ln in block], first)[:, 0]
            s0 = next_fixed + step * np.arange(len(block), dtype=np.int64)
            next_fixed += step * len(block)
            return chrom, s0, s0 + span, values
        if mode == "bedgraph":
            fast = _bedgraph_block(block)  # C parser; falls back below to find a bad line
            if fast is not None:
                return fast
        parts = [ln.split() for ln in block]
        if mode == "variable":
            if any(len(p) != 2 for p in parts):
                i = next(i for i, p in enumerate(parts) if len(p) != 2)
                raise InputError(f"expected 'position value' in a variableStep block, found '{block[i].strip()}'", file=path, line=first + i)
            arr = floats(parts, first)
            if np.isnan(arr[:, 0]).any():
                i = int(np.flatnonzero(np.isnan(arr[:, 0]))[0])
                raise InputError(f"expected a position, found '{parts[i][0]}'", file=path, line=first + i)
            s0 = arr[:, 0].astype(np.int64) - 1
            return chrom, s0, s0 + span, arr[:, 1]
        if any(len(p) < 4 for p in parts):
            i = next(i for i, p in enumerate(parts) if len(p) < 4)
            raise InputError(f"expected 'chrom start end value' (bedGraph) or a fixedStep/variableStep header, found '{block[i].strip()}'",
                             file=path, line=first + i)
        names = [harmonise_chrom(p[0]) for p in parts]
        nums = floats([p[1:4] for p in parts], first)
        if np.isnan(nums[:, :2]).any():
            i = int(np.flatnonzero(np.isnan(nums[:, :2]).any(axis=1))[0])
            raise InputError(f"expected whole-number start and end, found '{block[i].strip()}'", file=path, line=first + i)
        return names, nums[:, 0].astype(np.int64), nums[:, 1].astype(np.int64), nums[:, 2]

    def emit(result):
        if result is None:
            return
        name, s0, e0, values = result
        if isinstance(name, list):  # bedGraph: split by chromosome
            names = np.array(name, dtype=object)
            for c in pd.unique(names):
                m = names == c
                yield c, s0[m], e0[m], values[m]
        else:
            yield name, s0, e0, values

    with open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            head = line[:1]
            if head in ("#", "t", "b", "f", "v") or not line.strip():
                if line.startswith(("fixedStep", "variableStep")):
                    yield from emit(flush())
                    block = []
                    kind = line.split(None, 1)[0]
                    fields = dict(_WIG_KV.findall(line))
                    if "chrom" not in fields or (kind == "fixedStep" and ("start" not in fields or "step" not in fields)):
                        raise InputError(f"expected '{kind} chrom=... {'start=... step=...' if kind == 'fixedStep' else ''}', found '{line.strip()}'",
                                         file=path, line=number)
                    try:
                        span = int(fields.get("span", "1"))
                        if kind == "fixedStep":
                            start, step = int(fields["start"]), int(fields["step"])
                    except ValueError:
                        raise InputError(f"expected whole numbers in '{line.strip()}'", file=path, line=number) from None
                    chrom = harmonise_chrom(fields["chrom"])
                    mode = "fixed" if kind == "fixedStep" else "variable"
                    next_fixed = start - 1
                    continue
                if line.startswith(("track", "browser", "#")) or not line.strip():
                    yield from emit(flush())
                    block = []
                    if line.startswith("track") and mode is None:
                        mode = "bedgraph"
                    continue
            if mode is None:
                mode = "bedgraph"
            if not block:
                block_first = number
            block.append(line)
            if len(block) >= block_lines:
                yield from emit(flush())
                block = []
    yield from emit(flush())


def _bedgraph_block(lines: list[str]):
    """bedGraph lines parsed by pandas' C reader, or None when any line is not clean
    ``chrom start end value`` (the caller then parses line by line to name the bad one)."""
    import io

    try:
        frame = pd.read_csv(io.StringIO("".join(lines)), sep=r"\s+", header=None, usecols=[0, 1, 2, 3],
                            dtype={0: str, 1: np.int64, 2: np.int64, 3: np.float64}, engine="c")
    except (ValueError, pd.errors.ParserError):
        return None
    if len(frame) != len(lines):
        return None
    raw = frame[0].to_numpy(dtype=object)
    names, inverse = np.unique(raw.astype(str), return_inverse=True)
    chroms = np.array([harmonise_chrom(n) for n in names], dtype=object)[inverse]
    return list(chroms), frame[1].to_numpy(np.int64), frame[2].to_numpy(np.int64), frame[3].to_numpy(np.float64)


def track_mean(path: str | os.PathLike, bins: pd.DataFrame) -> np.ndarray:
    """Mean value of a WIG/bedGraph track over each bin's covered bases (0 where uncovered),
    as bigWigAverageOverBed's ``mean``. ``bins`` must be a fixed-width grid per chromosome."""
    chrom = bins["chromosome"].to_numpy(dtype=object)
    starts = bins["start"].to_numpy(np.int64)
    ends = bins["end"].to_numpy(np.int64)
    sums = np.zeros(len(bins))
    covered = np.zeros(len(bins))
    rows_of = {c: np.flatnonzero(chrom == c) for c in pd.unique(chrom)}
    for c, s0, e0, values in _wig_blocks(path):
        rows = rows_of.get(c)
        if rows is None or len(s0) == 0:
            continue
        ok = ~np.isnan(values) & (e0 > s0)
        s0, e0, values = s0[ok], e0[ok], values[ok]
        _accumulate_overlaps(starts[rows] - 1, ends[rows], s0, e0, values, sums, covered, rows)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(covered > 0, sums / np.where(covered > 0, covered, 1), 0.0)
    return mean


def _accumulate_overlaps(b0: np.ndarray, b1: np.ndarray, s0: np.ndarray, e0: np.ndarray, values: np.ndarray,
                         sums: np.ndarray, covered: np.ndarray, rows: np.ndarray) -> None:
    """Add value x overlap and overlap of intervals [s0, e0) to the sorted, disjoint bins
    [b0, b1) (0-based half-open)."""
    if len(s0) == 0:
        return
    first = np.searchsorted(b1, s0, side="right")  # first bin ending after the interval start
    last = np.searchsorted(b0, e0, side="left") - 1  # last bin starting before the interval end
    valid = (first <= last) & (first < len(b0)) & (last >= 0)
    first, last, s0, e0, values = first[valid], last[valid], s0[valid], e0[valid], values[valid]
    n_bins = last - first + 1
    rep = np.repeat(np.arange(len(first)), n_bins)
    which = first[rep] + (np.arange(len(rep)) - np.repeat(np.cumsum(n_bins) - n_bins, n_bins))
    overlap = np.minimum(e0[rep], b1[which]) - np.maximum(s0[rep], b0[which])
    good = overlap > 0
    np.add.at(sums, rows[which[good]], values[rep][good] * overlap[good])
    np.add.at(covered, rows[which[good]], overlap[good])


def read_bed_intervals(paths: Sequence[str | os.PathLike]) -> dict[str, np.ndarray]:
    """Merged intervals of BED files per harmonised chromosome: (k, 2) arrays of 0-based
    half-open [start, end). Overlapping and adjacent intervals are merged (QDNAseq
    calculateBlacklist). Header, track and comment lines are skipped."""
    from metevo.io.tables import open_text

    per: dict[str, list[tuple[int, int]]] = {}
    for path in paths:
        with open_text(path) as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip() or line.startswith(("#", "track", "browser")):
                    continue
                fields = line.rstrip("\r\n").split("\t") if "\t" in line else line.split()
                if len(fields) < 3:
                    raise InputError(f"expected at least 3 BED fields (chrom, start, end), found {len(fields)}", file=path, line=number)
                try:
                    s, e = int(fields[1]), int(fields[2])
                except ValueError:
                    raise InputError(f"expected whole-number BED start and end, found '{fields[1]}' and '{fields[2]}'", file=path, line=number) from None
                if s < 0 or e < s:
                    raise InputError(f"expected 0 <= start <= end, found {s} and {e}", file=path, line=number)
                per.setdefault(harmonise_chrom(fields[0]), []).append((s, e))
    merged: dict[str, np.ndarray] = {}
    for chrom, items in per.items():
        arr = np.array(sorted(items), dtype=np.int64)
        out = []
        cur_s, cur_e = arr[0]
        for s, e in arr[1:]:
            if s <= cur_e:  # overlapping or adjacent in 0-based half-open coordinates
                cur_e = max(cur_e, e)
            else:
                out.append((cur_s, cur_e))
                cur_s, cur_e = s, e
        out.append((cur_s, cur_e))
        merged[chrom] = np.array(out, dtype=np.int64)
    return merged


def covered_percent(intervals: dict[str, np.ndarray], bins: pd.DataFrame) -> np.ndarray:
    """% of each bin (by its own width) covered by merged intervals."""
    chrom = bins["chromosome"].to_numpy(dtype=object)
    starts = bins["start"].to_numpy(np.int64) - 1
    ends = bins["end"].to_numpy(np.int64)
    out = np.zeros(len(bins))
    for c, iv in intervals.items():
        rows = np.flatnonzero(chrom == c)
        if len(rows) == 0:
            continue
        lengths = iv[:, 1] - iv[:, 0]
        cum = np.concatenate(([0], np.cumsum(lengths)))

        def covered_before(x: np.ndarray) -> np.ndarray:
            k = np.searchsorted(iv[:, 1], x, side="right")  # intervals ending at or before x
            partial = np.zeros(len(x), dtype=np.int64)
            inside = k < len(iv)
            kk = k[inside]
            partial[inside] = np.clip(x[inside] - iv[kk, 0], 0, None)
            return cum[k] + partial

        cov = covered_before(ends[rows]) - covered_before(starts[rows])
        out[rows] = cov / (ends[rows] - starts[rows]) * 100.0
    return out


def annotate_bins(
    fasta,
    bin_size: int,
    *,
    chromosomes: Sequence[str] | None = None,
    mappability: str | os.PathLike | None = None,
    blacklist: Sequence[str | os.PathLike] = (),
) -> pd.DataFrame:
    """QDNAseq bin annotation of a reference (:class:`metevo.io.fasta.ReferenceGenome`).

    Returns ``chromosome start end bases gc [mappability] [blacklist] residual use`` in
    bin-table order; ``chromosomes`` defaults to 1..22, X, Y present in the FASTA.
    """
    lengths = {c: fasta.lengths[c] for c in (chromosomes or [c for c in PRIMARY_CHROMOSOMES if c in fasta])}
    grid = bin_grid(lengths, bin_size)
    chrom = grid["chromosome"].to_numpy(dtype=object)
    acgt = np.zeros(len(grid), dtype=np.int64)
    gcn = np.zeros(len(grid), dtype=np.int64)
    for c in lengths:
        rows = np.flatnonzero(chrom == c)
        a, g = sequence_content(lambda _n, s, e, c=c: fasta.fetch(c, s, e), c,
                                grid["start"].to_numpy(np.int64)[rows], grid["end"].to_numpy(np.int64)[rows])
        acgt[rows], gcn[rows] = a, g
    out = grid.copy()
    out["bases"] = acgt / bin_size * 100.0  # createBins divides by the nominal bin width
    with np.errstate(invalid="ignore", divide="ignore"):
        out["gc"] = np.where(acgt > 0, gcn / np.where(acgt > 0, acgt, 1) * 100.0, np.nan)
    use = acgt > 0
    if mappability is not None:
        out["mappability"] = track_mean(mappability, grid) * 100.0
    if blacklist:
        out["blacklist"] = covered_percent(read_bed_intervals(blacklist), grid)
        use &= out["blacklist"].to_numpy() == 0
    out["residual"] = np.nan
    out["use"] = use
    return out
