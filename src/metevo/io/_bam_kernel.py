"""Compiled walk over decompressed BAM alignment records, counting them per bin (numba).

Internal; :func:`metevo.io.bam.count_bins` is the interface. An alignment record (SAM
specification v1, section 4.2) is ``block_size`` (int32) followed by ``block_size`` bytes whose
first 32 are the fixed fields: ``refID`` int32, ``pos`` int32 (0-based), ``l_read_name`` uint8,
``mapq`` uint8, ``bin`` uint16, ``n_cigar_op`` uint16, ``flag`` uint16, ``l_seq`` int32,
``next_refID``, ``next_pos``, ``tlen``; then the name, CIGAR, sequence, qualities and tags.
"""

from __future__ import annotations

from numba import njit

# status returned with the offset reached
NEED_MORE = 0  # the buffer ends inside the record at the returned offset (or exactly at its end)
STOP = 1  # a record past the last wanted reference (or unplaced): nothing more to count
BAD_RECORD = -1  # block_size does not hold the record's fixed fields and variable parts
BAD_REF = -2  # refID outside the header's reference list
UNSORTED = -3  # the record sorts before the previous one

# state slots (int64 array shared across calls)
S_RECORDS = 0  # records read so far
S_LAST_REF = 1  # refID of the previous record (-1 before the first)
S_LAST_POS = 2  # pos (0-based) of the previous record
S_HAS_MAPQ = 3  # 1 once a kept record on a wanted reference has MAPQ != 255
S_DETAIL = 4  # the offending value of an error (block_size or refID or pos)

MAX_RECORD = 1 << 28  # bytes; a longer alignment record is taken for corruption


@njit(cache=True, nogil=True, boundscheck=False)
def _i32(buf, p):
    v = buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16) | (buf[p + 3] << 24)
    v = v & 0xFFFFFFFF
    return v - 0x100000000 if v >= 0x80000000 else v


@njit(cache=True, nogil=True, boundscheck=False)
def count_records(buf, start, n_ref, refmap, breaks, boff, coff, cursor, drop, min_mapq, last_wanted,
                  counts_q, counts_all, state):
    """Walk the whole records of ``buf[start:]``; returns (offset reached, status).

    ``refmap[refID]`` is the wanted contig slot of a reference (-1: not counted); slot ``c``'s
    bin breaks are ``breaks[boff[c]:boff[c + 1]]`` and its first count is ``coff[c]``;
    ``cursor[c]`` is the bin of its last counted alignment (positions are sorted).
    """
    n = buf.shape[0]
    p = start
    last_ref = state[S_LAST_REF]
    last_pos = state[S_LAST_POS]
    records = state[S_RECORDS]
    has_mapq = state[S_HAS_MAPQ]
    status = NEED_MORE
    while p + 4 <= n:
        size = _i32(buf, p)
        if size < 32 or size > MAX_RECORD:
            state[S_DETAIL] = size
            status = BAD_RECORD
            break
        if p + 4 + size > n:
            break
        q = p + 4
        ref = _i32(buf, q)
        pos = _i32(buf, q + 4)
        l_name = buf[q + 8]
        mapq = buf[q + 9]
        n_cigar = buf[q + 12] | (buf[q + 13] << 8)
        flag = buf[q + 14] | (buf[q + 15] << 8)
        l_seq = _i32(buf, q + 16)
        if l_name < 1 or l_seq < 0 or 32 + l_name + 4 * n_cigar + (l_seq + 1) // 2 + l_seq > size:
            state[S_DETAIL] = size
            status = BAD_RECORD
            break
        if ref < -1 or ref >= n_ref:
            state[S_DETAIL] = ref
            status = BAD_REF
            break
        if ref == -1 or ref > last_wanted:  # unplaced reads come last in a sorted BAM
            status = STOP
            break
        if ref < last_ref or (ref == last_ref and pos < last_pos):
            state[S_DETAIL] = pos
            status = UNSORTED
            break
        last_ref = ref
        last_pos = pos
        records += 1
        p = q + size
        c = refmap[ref]
        if c < 0 or (flag & drop) != 0:
            continue
        if mapq != 255:
            has_mapq = 1
        # bin k of the slot: breaks[k] <= pos + 1 < breaks[k + 1]; positions only increase
        p1 = pos + 1
        b0 = boff[c]
        nb = boff[c + 1] - b0 - 1
        k = cursor[c]
        if k < 0:
            if p1 < breaks[b0]:
                continue
            k = 0
        while k < nb and breaks[b0 + k + 1] <= p1:
            k += 1
        cursor[c] = k
        if k >= nb:
            continue
        counts_all[coff[c] + k] += 1
        if mapq >= min_mapq and mapq != 255:
            counts_q[coff[c] + k] += 1
    state[S_LAST_REF] = last_ref
    state[S_LAST_POS] = last_pos
    state[S_RECORDS] = records
    state[S_HAS_MAPQ] = has_mapq
    return p, status
