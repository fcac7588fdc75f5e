"""BAM files read directly from their BGZF blocks, for counting reads per bin fast.

pysam creates one Python object per alignment and inflates with zlib; counting the reads of a
shallow-WGS BAM needs neither. This reader (SAM specification v1, sections 4.1-4.2):

* maps the file (mmap) and scans its BGZF blocks (each block's size is its header's ``BSIZE``
  field) in groups of about :data:`GROUP_BYTES` compressed bytes; at most ``2 * threads``
  inflated groups wait for the walk, so memory stays bounded whatever the size of the BAM;
* inflates the groups in ``threads`` threads (ISA-L through python-isal when installed, else
  zlib; both release the GIL), checking each block's CRC32 and ``ISIZE``;
* walks the records in compiled code (numba), reading only ``refID``, ``pos``, ``mapq`` and
  ``flag`` of each, and bins them on the spot (:func:`count_bins`). Records that cross block
  or group boundaries are reassembled.

The file must end with the BGZF end-of-file marker (a file without it was cut short) and
start with a BAM header whose reference list equals htslib's. Every problem is a one-line
:class:`~metevo.errors.InputError`. A file that is not a BGZF-compressed BAM (CRAM, SAM) is
not read here: :func:`is_bgzf_bam` says so and the caller uses pysam.

:class:`CountingProcess` runs :func:`count_bins` in a process forked at the start of a
command, so that loading numba overlaps the caller's own start-up.
"""

from __future__ import annotations

import os
import zlib
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from metevo.errors import InputError

try:  # ISA-L inflates ~1.6x faster than zlib (a dependency; without it zlib gives the same bytes)
    from isal.isal_zlib import decompress as _decompress
    from isal.isal_zlib import error as _isal_error

    INFLATE_ERRORS: tuple[type[Exception], ...] = (zlib.error, _isal_error)
    INFLATER = "isal"
except ImportError:  # pragma: no cover - exercised only where python-isal is missing
    _decompress = zlib.decompress
    INFLATE_ERRORS = (zlib.error,)
    INFLATER = "zlib"

BGZF_MAGIC = b"\x1f\x8b\x08\x04"
BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")
GROUP_BYTES = 1 << 20  # compressed bytes inflated per task (about 2-3 MB of records)


@dataclass
class BamHeader:
    """The binary header of a BAM: SAM text, reference names and lengths."""

    text: str
    names: list[str]
    lengths: list[int]


def is_bgzf_bam(path: str | os.PathLike) -> bool:
    """Whether the file is a BGZF-compressed BAM: a BGZF block (gzip with the ``BC`` extra
    subfield) that inflates to the BAM magic ``BAM\\1``. False for CRAM, SAM, plain gzip,
    unreadable or missing files (the caller then leaves the file to htslib)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != BGZF_MAGIC:
                return False
            head += fh.read(head[10] | (head[11] << 8))  # the extra field
            bsize = _bsize(head, 0)
            if bsize is None or bsize < len(head) + 8:
                return False
            block = head + fh.read(bsize - len(head))
    except OSError:
        return False
    try:
        return zlib.decompressobj(31).decompress(block, 4)[:4] == b"BAM\x01"
    except zlib.error:
        return False


def _bsize(data, p: int) -> int | None:
    """Total size of the BGZF block whose header starts at ``data[p]`` (None if none is there).
    ``data[p:p + 12]`` must be available; the extra field is searched for the BC subfield."""
    if data[p:p + 4] != BGZF_MAGIC:
        return None
    xlen = data[p + 10] | (data[p + 11] << 8)
    if data[p + 12:p + 16] == b"BC\x02\x00" and xlen >= 6:  # the usual layout (htslib, bgzip)
        return (data[p + 16] | (data[p + 17] << 8)) + 1
    q, end = p + 12, p + 12 + xlen
    while q + 4 <= end and q + 4 <= len(data):
        slen = data[q + 2] | (data[q + 3] << 8)
        if data[q] == 66 and data[q + 1] == 67 and slen == 2 and q + 6 <= len(data):
            return (data[q + 4] | (data[q + 5] << 8)) + 1
        q += 4 + slen
    return None


def _check_eof(path: Path, mm) -> None:
    """InputError unless the file ends with the BGZF end-of-file marker."""
    if len(mm) < len(BGZF_EOF) or mm[len(mm) - len(BGZF_EOF):] != BGZF_EOF:
        raise InputError("truncated BAM: it does not end with the BGZF end-of-file marker (the file was cut short, "
                         "e.g. by an interrupted copy or a failed run; recreate it)", file=path)


def _block_groups(path: Path, mm, group_bytes: int) -> Iterator[list[tuple[int, int]]]:
    """[(file offset, length) of each BGZF block] for consecutive groups of blocks of about
    ``group_bytes`` compressed bytes, from the start of the file to its end."""
    size = len(mm)
    p = 0
    spans: list[tuple[int, int]] = []
    group_start = 0
    while p < size:
        head = mm[p:p + 18]
        if len(head) == 18 and head[:4] == BGZF_MAGIC and head[12:16] == b"BC\x02\x00" and head[10] == 6 and head[11] == 0:
            bsize = (head[16] | (head[17] << 8)) + 1  # the usual layout (htslib, bgzip)
        else:
            bsize = _bsize(mm, p) if len(head) == 18 else None
        if bsize is None or bsize < 26:
            raise InputError(f"corrupt BAM: no valid BGZF block header at byte {p:,}", file=path)
        if p + bsize > size:
            raise InputError(f"truncated BAM: the BGZF block at byte {p:,} ends beyond the end of the file ({size:,} bytes)",
                             file=path)
        spans.append((p, bsize))
        p += bsize
        if p - group_start >= group_bytes:
            yield spans
            spans, group_start = [], p
    if spans:
        yield spans


def _inflater(name: str | None):
    """(decompress function, its errors) of inflater ``name``: "isal", "zlib" or None (the
    fastest installed)."""
    if name is None:
        name = INFLATER
    if name == "zlib":
        return zlib.decompress, (zlib.error,)
    if name == "isal":
        if INFLATER != "isal":
            raise ValueError("python-isal is not installed")
        return _decompress, INFLATE_ERRORS
    raise ValueError(f"unknown inflater {name!r}: expected 'isal' or 'zlib'")


def _inflate_group(path: Path, mm, spans: list[tuple[int, int]], decompress, errors) -> bytes:
    """The decompressed bytes of the blocks ``spans`` of the mapped file, CRC32 and ISIZE
    checked."""
    view = memoryview(mm)
    out = []
    try:
        for p, n in spans:
            isize = int.from_bytes(mm[p + n - 4:p + n], "little")
            try:
                raw = decompress(view[p:p + n], 31, isize or 1)  # one gzip member: CRC32 and ISIZE verified
            except errors as err:
                raise InputError(f"corrupt BAM: the BGZF block at byte {p:,} does not inflate ({err})", file=path) from None
            if len(raw) != isize:
                raise InputError(f"corrupt BAM: the BGZF block at byte {p:,} inflates to {len(raw)} bytes, its header says {isize}",
                                 file=path)
            out.append(raw)
    finally:
        view.release()
    return out[0] if len(out) == 1 else b"".join(out)


def inflated(path: str | os.PathLike, *, threads: int = 1, group_bytes: int = GROUP_BYTES,
             inflater: str | None = None) -> Iterator[bytes]:
    """The decompressed content of a BGZF file, in order, as consecutive byte strings.

    Groups of blocks are inflated by ``threads`` threads (``threads`` = 1: in the caller's
    thread), at most ``2 * threads`` groups ahead of the consumer. ``inflater`` is "isal",
    "zlib" or None (ISA-L when installed). Raises InputError for a truncated or corrupt file.
    """
    import mmap

    path = Path(path)
    decompress, errors = _inflater(inflater)
    try:
        fh = open(path, "rb")
    except OSError as err:
        raise InputError(f"cannot read the BAM ({err.strerror})", file=path) from None
    with fh:
        if os.fstat(fh.fileno()).st_size == 0:
            raise InputError("empty file: expected a BAM", file=path)
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        if hasattr(mm, "madvise"):
            mm.madvise(mmap.MADV_SEQUENTIAL)
        _check_eof(path, mm)
        groups = _block_groups(path, mm, group_bytes)
        if threads <= 1:
            for spans in groups:
                yield _inflate_group(path, mm, spans, decompress, errors)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bgzf") as pool:
            ahead: deque = deque()
            try:
                for spans in groups:
                    ahead.append(pool.submit(_inflate_group, path, mm, spans, decompress, errors))
                    if len(ahead) > 2 * threads:
                        yield ahead.popleft().result()
                while ahead:
                    yield ahead.popleft().result()
            finally:
                for future in ahead:
                    future.cancel()  # leaving the pool waits for the running ones (they read the map)
    finally:
        try:
            mm.close()
        except BufferError:  # pragma: no cover - a view still exported; the map closes with its last reference
            pass


class _Stream:
    """Exact-length reads over the byte strings of :func:`inflated` (for the header)."""

    def __init__(self, path: Path, pieces: Iterator[bytes]):
        self.path, self.pieces, self.buf, self.pos = path, pieces, b"", 0

    def take(self, n: int, what: str) -> bytes:
        if self.pos + n <= len(self.buf):
            self.pos += n
            return self.buf[self.pos - n:self.pos]
        parts = [self.buf[self.pos:]]
        have = len(parts[0])
        while have < n:
            piece = next(self.pieces, None)
            if piece is None:
                raise InputError(f"truncated BAM: the file ends inside the header ({what})", file=self.path)
            parts.append(piece)
            have += len(piece)
        joined = b"".join(parts)
        self.buf, self.pos = joined, n
        return joined[:n]

    def rest(self) -> bytes:
        return self.buf[self.pos:]


def _read_header(stream: _Stream) -> BamHeader:
    path = stream.path
    magic = stream.take(4, "magic")
    if magic != b"BAM\x01":
        raise InputError(f"expected a BAM file (magic 'BAM\\1' after BGZF decompression), found {magic!r}", file=path)
    l_text = int.from_bytes(stream.take(4, "l_text"), "little", signed=True)
    if l_text < 0:
        raise InputError(f"corrupt BAM header: negative text length {l_text}", file=path)
    text = stream.take(l_text, "SAM text").split(b"\x00", 1)[0].decode("utf-8", "replace")
    n_ref = int.from_bytes(stream.take(4, "n_ref"), "little", signed=True)
    if n_ref < 0:
        raise InputError(f"corrupt BAM header: negative number of reference sequences {n_ref}", file=path)
    names, lengths = [], []
    for i in range(n_ref):
        l_name = int.from_bytes(stream.take(4, "l_name"), "little", signed=True)
        if l_name < 1 or l_name > 1 << 20:
            raise InputError(f"corrupt BAM header: reference {i + 1} has a name length of {l_name}", file=path)
        raw = stream.take(l_name, "reference name")
        if raw[-1:] != b"\x00" or b"\x00" in raw[:-1] or l_name == 1:
            raise InputError(f"corrupt BAM header: reference {i + 1}'s name is not a NUL-terminated string", file=path)
        l_ref = int.from_bytes(stream.take(4, "l_ref"), "little", signed=True)
        if l_ref < 0:
            raise InputError(f"corrupt BAM header: reference {raw[:-1].decode('utf-8', 'replace')} has a negative length {l_ref}", file=path)
        names.append(raw[:-1].decode("utf-8", "replace"))
        lengths.append(l_ref)
    return BamHeader(text=text, names=names, lengths=lengths)


def read_header(path: str | os.PathLike) -> BamHeader:
    """The binary header of a BGZF-compressed BAM (InputError if it is not one)."""
    path = Path(path)
    pieces = inflated(path, threads=1)
    try:
        return _read_header(_Stream(path, pieces))
    finally:
        pieces.close()


# --------------------------------------------------------------------------------------
# records, counted per bin (compiled)
# --------------------------------------------------------------------------------------

@dataclass
class BamBinCounts:
    """Per-bin counts of the contigs asked for, with and without the MAPQ filter."""

    counts_q: list[np.ndarray]  # per contig: kept alignments with min_mapq <= MAPQ < 255
    counts_all: list[np.ndarray]  # per contig: kept alignments
    has_mapq: bool  # any kept alignment (on these contigs) with MAPQ != 255
    header: BamHeader
    records: int  # records read (up to the last contig asked for)


def count_bins(
    path: str | os.PathLike,
    contigs: Sequence[str],
    breaks: Sequence[np.ndarray],
    *,
    drop: int,
    min_mapq: int,
    threads: int = 1,
    group_bytes: int = GROUP_BYTES,
    inflater: str | None = None,
    expected_references: Sequence[tuple[str, int]] | None = None,
) -> BamBinCounts:
    """Alignments per bin of the BAM contigs ``contigs`` (names as in the header), in one pass.

    ``breaks[i]`` are the bin starts of ``contigs[i]`` followed by its last end + 1
    (non-decreasing): an alignment at 1-based POS p is in bin k when
    ``breaks[k] <= p < breaks[k + 1]`` (``numpy.searchsorted(breaks, p, "right") - 1``), and
    outside every bin when p is before the first start or at/after the last break.
    Alignments with any ``drop`` flag are ignored; ``counts_q`` keeps those with
    ``min_mapq <= MAPQ < 255``. The BAM must be coordinate-sorted (an index requires it):
    reading stops at the first unplaced record or the first record past the last contig
    asked for; a record out of order is an InputError. ``expected_references`` (name,
    length), e.g. htslib's view of the header, are checked against the binary header.
    """
    path = Path(path)
    flat = [np.asarray(b, dtype=np.int64) for b in breaks]
    if len(flat) != len(contigs):
        raise ValueError("one array of bin breaks per contig")
    for b in flat:
        if len(b) < 2 or (np.diff(b) < 0).any():
            raise ValueError("bin breaks must be non-decreasing, at least one bin per contig")
    nbins = [len(b) - 1 for b in flat]
    boff = np.concatenate(([0], np.cumsum([len(b) for b in flat]))).astype(np.int64)
    coff = np.concatenate(([0], np.cumsum(nbins))).astype(np.int64)
    all_breaks = np.concatenate(flat) if flat else np.zeros(1, np.int64)
    counts_q = np.zeros(sum(nbins), dtype=np.int64)
    counts_all = np.zeros(sum(nbins), dtype=np.int64)
    cursor = np.full(len(flat), -1, dtype=np.int64)
    from metevo.io import _bam_kernel as K

    state = np.zeros(8, dtype=np.int64)
    state[K.S_LAST_REF] = -1
    pieces = inflated(path, threads=threads, group_bytes=group_bytes, inflater=inflater)
    try:
        stream = _Stream(path, pieces)
        header = _read_header(stream)
        if expected_references is not None and list(expected_references) != list(zip(header.names, header.lengths)):
            raise InputError("corrupt BAM header: its binary reference list differs from the one htslib reads", file=path)
        ref_of: dict[str, int] = {}
        for i, name in enumerate(header.names):
            ref_of.setdefault(name, i)
        missing = [name for name in contigs if name not in ref_of]
        if missing:
            raise ValueError(f"contig {missing[0]!r} is not in the BAM header")
        refmap = np.full(max(len(header.names), 1), -1, dtype=np.int64)
        for c, name in enumerate(contigs):
            refmap[ref_of[name]] = c
        last_wanted = max((ref_of[name] for name in contigs), default=-1)
        if last_wanted >= 0:
            fixed = (len(header.names), refmap, all_breaks, boff, coff, cursor, int(drop), int(min_mapq), last_wanted,
                     counts_q, counts_all, state)

            def run(buf, start: int) -> tuple[int, int]:
                end, status = K.count_records(np.frombuffer(buf, dtype=np.uint8), start, *fixed)
                if status < 0:
                    _record_error(path, header, status, state, buf, end)
                return end, status

            status = _walk(run, stream.rest(), pieces, K.MAX_RECORD, path, state)
            if status != K.STOP and status is not None:
                raise InputError(f"truncated BAM: the file ends inside an alignment record (after {int(state[K.S_RECORDS]):,} records)",
                                 file=path)
    finally:
        pieces.close()
    bounds = np.asarray(coff[1:-1], dtype=np.int64)
    return BamBinCounts(counts_q=np.split(counts_q, bounds) if flat else [],
                        counts_all=np.split(counts_all, bounds) if flat else [],
                        has_mapq=bool(state[K.S_HAS_MAPQ]), header=header, records=int(state[K.S_RECORDS]))


def _walk(run, first: bytes, pieces: Iterator[bytes], max_record: int, path: Path, state: np.ndarray):
    """Feed ``first`` and then ``pieces`` to ``run(buf, start) -> (end, status)``, completing
    each record that crosses from one piece into the next (it may span several). Returns the
    kernel's STOP, or None when every piece was read and no record was left incomplete, or
    NEED_MORE when the data ended inside a record."""
    from metevo.io._bam_kernel import NEED_MORE, STOP

    pending = bytearray()  # the start of a record that crosses into the next piece
    piece: bytes | None = first
    while piece is not None:
        start = 0
        if pending:
            if len(pending) < 4:  # complete the record's block_size first
                start = min(4 - len(pending), len(piece))
                pending += piece[:start]
            if len(pending) >= 4:
                size = int.from_bytes(pending[:4], "little", signed=True)
                if size < 32 or size > max_record:
                    run(bytes(pending), 0)  # raises: the kernel names the inconsistency
                total = 4 + size
                take = min(total - len(pending), len(piece) - start)
                pending += piece[start:start + take]
                start += take
                if len(pending) == total:
                    _, status = run(bytes(pending), 0)
                    pending = bytearray()
                    if status == STOP:
                        return STOP
        if not pending:
            end, status = run(piece, start)
            if status == STOP:
                return STOP
            pending = bytearray(piece[end:])
        piece = next(pieces, None)
    return NEED_MORE if pending else None


def _record_error(path: Path, header: BamHeader, status: int, state: np.ndarray, buf, at: int) -> None:
    from metevo.io import _bam_kernel as K

    record = int(state[K.S_RECORDS]) + 1
    if status == K.BAD_RECORD:
        raise InputError(f"corrupt BAM: alignment record {record:,} is inconsistent (block_size {int(state[K.S_DETAIL])} "
                         "does not hold its fixed fields, name, CIGAR, sequence and qualities)", file=path)
    if status == K.BAD_REF:
        raise InputError(f"corrupt BAM: alignment record {record:,} has refID {int(state[K.S_DETAIL])}, the header has "
                         f"{len(header.names)} reference sequences", file=path)
    ref = int.from_bytes(bytes(buf[at + 4:at + 8]), "little", signed=True)
    last = int(state[K.S_LAST_REF])
    raise InputError(f"expected a coordinate-sorted BAM (its index says so), found alignment record {record:,} at "
                     f"{header.names[ref]}:{int(state[K.S_DETAIL]) + 1} after {header.names[last]}:{int(state[K.S_LAST_POS]) + 1}; "
                     "is the index stale? sort and index it again (samtools sort, samtools index)", file=path)


# --------------------------------------------------------------------------------------
# counting in a process started before the bins are known
# --------------------------------------------------------------------------------------

def load_kernel() -> None:
    """Import numba and load (or compile) the record kernel, with the argument types
    :func:`count_bins` uses: about 0.4 s from numba's cache, the fixed cost of counting."""
    from metevo.io import _bam_kernel as K

    empty = np.zeros(1, dtype=np.int64)
    K.count_records(np.frombuffer(b"", dtype=np.uint8), 0, 1, np.full(1, -1, np.int64), np.zeros(2, np.int64),
                    np.zeros(2, np.int64), np.zeros(2, np.int64), np.full(1, -1, np.int64), 0, 0, 0, empty, empty.copy(),
                    np.zeros(8, np.int64))


class CountingProcess:
    """:func:`count_bins` of one BAM in a forked process that loads the compiled kernel at once.

    Loading numba and its cached kernel costs about 0.4 s of single-threaded work; started
    before the caller imports pandas, checks the header and builds the bins, that work runs
    on another CPU meanwhile. :meth:`count` sends the bins and returns the counts (the same
    object :func:`count_bins` returns; an InputError of the reader is raised here as the
    same one-line error). Linux only (fork, before any thread is started); elsewhere, or
    if the process cannot be started or dies, counting runs in the calling process.
    """

    def __init__(self, path: str | os.PathLike, *, threads: int = 1, group_bytes: int = GROUP_BYTES,
                 inflater: str | None = None):
        import multiprocessing as mp
        import sys

        self.path, self.threads, self.group_bytes, self.inflater = path, threads, group_bytes, inflater
        self.conn = self.proc = None
        if not sys.platform.startswith("linux") or "fork" not in mp.get_all_start_methods():
            return
        ctx = mp.get_context("fork")
        try:
            self.conn, child = ctx.Pipe()
            self.proc = ctx.Process(target=_serve, args=(child, path, threads, group_bytes, inflater), daemon=True,
                                    name="metevo-bam-counting")
            self.proc.start()
            child.close()
        except OSError:  # pragma: no cover - no process to be had: count in this one
            self.close()

    def count(self, contigs: Sequence[str], breaks: Sequence[np.ndarray], **kw) -> BamBinCounts:
        """:func:`count_bins` (``drop``, ``min_mapq``, ``expected_references`` in ``kw``)."""
        if self.conn is not None:
            try:
                self.conn.send((list(contigs), [np.asarray(b, dtype=np.int64) for b in breaks], kw))
                ok, payload = self.conn.recv()
            except (EOFError, OSError):  # the process died: count here
                ok, payload = None, None
            finally:
                self.close(wait=True)
            if ok is True:
                return payload
            if ok is False:
                kind, message, file = payload
                if kind == "input":
                    raise InputError(message, file=file)
                raise RuntimeError(f"counting the reads of {self.path} failed in the counting process: {message}")
        return count_bins(self.path, contigs, breaks, threads=self.threads, group_bytes=self.group_bytes,
                          inflater=self.inflater, **kw)

    def close(self, *, wait: bool = False) -> None:
        """Release the pipe and end the process: ``wait`` for it to exit (it does once it
        has sent the counts), else stop it. Idempotent."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.proc is not None:
            if wait:
                self.proc.join(timeout=10)
            if self.proc.is_alive():
                self.proc.terminate()
                self.proc.join()
            self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve(conn, path, threads: int, group_bytes: int, inflater: str | None) -> None:
    """The counting process: load the kernel, wait for the bins, count, send the result."""
    try:
        load_kernel()
        try:
            request = conn.recv()
        except EOFError:  # the caller did not need the counts (an error before counting)
            return
        contigs, breaks, kw = request
        result = count_bins(path, contigs, breaks, threads=threads, group_bytes=group_bytes, inflater=inflater, **kw)
        conn.send((True, result))
    except InputError as err:
        _send(conn, (False, ("input", err.message, err.file)))
    except Exception as err:  # a bug: the caller says so
        _send(conn, (False, ("other", f"{type(err).__name__}: {err}", None)))
    finally:
        conn.close()


def _send(conn, message) -> None:
    try:
        conn.send(message)
    except OSError:  # the caller has gone
        pass
