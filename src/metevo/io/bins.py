"""Bin tables: QDNAseq's per-bin annotation and read counts (docs/copynumber-contracts.md).

One row per fixed-width bin, sorted by chromosome then start, 1-based closed coordinates::

    [bin] chromosome start end [bases gc mappability blacklist residual use] <sample> ...

This is the layout of QDNAseq's ``exportBins`` and of the QDNAseq.hg19 annotation package, so
QDNAseq's files are read as they are (``1e+05`` style coordinates, ``NA``, ``TRUE``/``FALSE``
included). An optional leading ``bin`` column (QDNAseq's row names, ``7:1-15000``) is ignored.
Sample columns hold read counts (non-negative integers) in a counts table or log2 ratios in a
copy-number table; an annotation table has no sample column.

metevo extension: comment lines before the header may declare the genome build,
``#genome=hg19``. :func:`write_bins` writes that line when the build is known, and
:func:`read_bins` checks it (and the bins' chromosome ends) against the build the caller
expects, so that an hg38 table is never used with hg19 bins or reads.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.genome import CHROM_LENGTHS
from metevo.io.tables import open_text, write_tsv
from metevo.variants import chrom_sort_key, harmonise_chrom

GENOMES = tuple(CHROM_LENGTHS)
POSITION_COLUMNS = ("chromosome", "start", "end")
ANNOTATION_COLUMNS = ("bases", "gc", "mappability", "blacklist", "residual", "use")
_FLOAT_ANNOTATIONS = ("bases", "gc", "mappability", "blacklist", "residual")
_NA = frozenset({"", "NA", "NaN", "nan", "NAN", "."})
_TRUE = frozenset({"TRUE", "True", "true", "T", "1"})
_FALSE = frozenset({"FALSE", "False", "false", "F", "0"})
_GENOME_RE = re.compile(r"^#+\s*genome\s*[=:]\s*(\S+)\s*$", re.I)

def _comment_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        out.append(line)
    return out


def _parse_float(values: np.ndarray, *, path, first_line: int, column: str, what: str) -> np.ndarray:
    """Strings -> float64 with NA for the usual NA spellings; bad text names its line."""
    try:  # fast path: plain numbers only (inf is not a number here)
        numbers = np.array(values, dtype=np.float64)
        if not np.isinf(numbers).any() and not np.isnan(numbers).any():
            return numbers
    except ValueError:
        pass
    series = pd.Series(values, dtype=object)
    na = series.isin(_NA).to_numpy()
    numbers = pd.to_numeric(series.where(~na, "nan"), errors="coerce").to_numpy(dtype=np.float64)
    bad = np.isnan(numbers) & ~na
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"expected {what}, found '{values[i]}'", file=path, line=first_line + i, column=column)
    return numbers


def _parse_int(values: np.ndarray, *, path, first_line: int, column: str, what: str, allow_na: bool = False) -> np.ndarray:
    """Whole numbers written as integers or as R prints them (``1e+05``, ``15000.0``)."""
    numbers = _parse_float(values, path=path, first_line=first_line, column=column, what=what)
    bad = ~np.isfinite(numbers) | (numbers != np.floor(numbers)) | (np.abs(numbers) > 2**53)
    if allow_na:
        bad &= ~np.isnan(numbers)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"expected {what}, found '{values[i]}'", file=path, line=first_line + i, column=column)
    return numbers


def _parse_bool(values: np.ndarray, *, path, first_line: int, column: str) -> np.ndarray:
    series = pd.Series(values, dtype=object)
    is_true = series.isin(_TRUE).to_numpy()
    is_false = series.isin(_FALSE).to_numpy()
    bad = ~(is_true | is_false)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError(f"expected TRUE or FALSE, found '{values[i]}'", file=path, line=first_line + i, column=column)
    return is_true


def read_bins(
    path: str | os.PathLike,
    *,
    genome: str | None = None,
    values: str = "counts",
    require: Sequence[str] = (),
    what: str = "bin table",
) -> pd.DataFrame:
    """Read a bin table (see module docstring) into a frame sorted as the file.

    Columns of the result: ``chromosome`` (harmonised str), ``start``/``end`` (int64), the
    annotation columns present (float64; ``use`` bool), then the sample columns: int64 for
    ``values="counts"``, float64 (NA allowed) for ``values="log2"``. ``frame.attrs`` holds
    ``samples`` (sample column names), ``annotation`` (annotation columns present),
    ``genome`` (the declared or checked build, or None), ``path``.

    ``genome`` ('hg19'/'hg38') checks the build: a ``#genome=`` line naming another build, a bin
    ending beyond the build's chromosome length, or a fixed-width grid whose shorter last bin
    does not end at the chromosome's length is an ``InputError`` ("bins of another genome
    build") naming the line. ``require`` lists annotation columns that must be present.
    Errors (one line, naming file, line and column): missing columns, non-numeric or negative
    counts, start > end, bins not sorted by chromosome and start, overlapping bins.
    """
    if values not in ("counts", "log2"):
        raise ValueError(f"values must be 'counts' or 'log2', not {values!r}")
    if genome is not None and genome not in GENOMES:
        raise ValueError(f"genome must be one of {GENOMES}, not {genome!r}")
    path = Path(path)
    try:
        with open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise InputError(f"expected a UTF-8 text {what}, found binary or non-UTF-8 bytes", file=path) from None
    comments = _comment_lines(text)
    declared = None
    for i, line in enumerate(comments, start=1):
        match = _GENOME_RE.match(line)
        if match:
            declared = match.group(1)
            if declared not in GENOMES:
                raise InputError(f"expected '#genome=hg19' or '#genome=hg38', found '{line.strip()}'", file=path, line=i)
            if genome is not None and declared != genome:
                raise InputError(
                    f"bins of another genome build: the file declares {declared}, expected {genome}",
                    file=path, line=i,
                )
    header_line = len(comments) + 1
    body = text.split("\n", len(comments))[-1] if comments else text
    if not body.strip():
        raise InputError(f"expected a header line naming the {what}'s columns, found an empty file", file=path, line=header_line)
    # Data rows must be consecutive lines so that row i is line header_line + 1 + i.
    lines = body.rstrip("\r\n").split("\n")
    if any(not ln.strip() for ln in lines[1:]):
        blank = next(i for i, ln in enumerate(lines[1:]) if not ln.strip())
        raise InputError("expected one bin per line, found an empty line", file=path, line=header_line + 1 + blank)
    header = [h.strip().lstrip("\ufeff") for h in lines[0].rstrip("\r").split("\t")]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError(f"column '{dup}' appears twice in the header", file=path, line=header_line, column=dup)
    for name in (*POSITION_COLUMNS, *require):
        if name not in header:
            raise InputError(
                f"missing required column '{name}' (header has: {', '.join(header)})",
                file=path, line=header_line, column=name,
            )
    try:
        raw = pd.read_csv(
            io.StringIO("\n".join(lines)), sep="\t", dtype=str, keep_default_na=False, na_filter=False,
            quoting=3, engine="c",
        )
    except pd.errors.ParserError as err:
        match = re.search(r"line (\d+)", str(err))
        line = header_line + int(match.group(1)) - 1 if match else None
        raise InputError(f"expected {len(header)} tab-separated fields as in the header", file=path, line=line) from None
    raw.columns = header
    first = header_line + 1
    n = len(raw)
    for col in raw.columns:  # a short row leaves NaN in pandas even with na_filter=False
        cells = raw[col].to_numpy(dtype=object)
        missing = pd.isna(cells)
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise InputError(f"expected {len(header)} tab-separated fields as in the header", file=path, line=first + i)
    if n == 0:
        raise InputError("expected at least one bin after the header, found none", file=path, line=header_line)

    chrom_raw = raw["chromosome"].to_numpy(dtype=object)
    if any(c == "" for c in chrom_raw):
        i = int(np.flatnonzero(chrom_raw == "")[0])
        raise InputError("expected a chromosome name, found an empty cell", file=path, line=first + i, column="chromosome")
    names, inverse = np.unique(chrom_raw.astype(str), return_inverse=True)
    chroms = np.array([harmonise_chrom(c) for c in names], dtype=object)[inverse]
    start = _parse_int(raw["start"].to_numpy(dtype=object), path=path, first_line=first, column="start", what="a whole-number bin start")
    end = _parse_int(raw["end"].to_numpy(dtype=object), path=path, first_line=first, column="end", what="a whole-number bin end")
    if (start < 1).any():
        i = int(np.flatnonzero(start < 1)[0])
        raise InputError(f"expected a 1-based start >= 1, found {raw['start'].iloc[i]}", file=path, line=first + i, column="start")
    if (end < start).any():
        i = int(np.flatnonzero(end < start)[0])
        raise InputError(f"expected end >= start, found start {int(start[i])} and end {int(end[i])}", file=path, line=first + i, column="end")
    start = start.astype(np.int64)
    end = end.astype(np.int64)
    _check_order(chroms, start, end, path=path, first_line=first)

    out = pd.DataFrame({"chromosome": chroms, "start": start, "end": end})
    annotation = []
    for name in _FLOAT_ANNOTATIONS:
        if name in raw.columns:
            out[name] = _parse_float(raw[name].to_numpy(dtype=object), path=path, first_line=first, column=name, what="a number or NA")
            annotation.append(name)
    if "use" in raw.columns:
        out["use"] = _parse_bool(raw["use"].to_numpy(dtype=object), path=path, first_line=first, column="use")
        annotation.append("use")
    skip = set(POSITION_COLUMNS) | set(ANNOTATION_COLUMNS) | {"bin"}
    samples = [c for c in raw.columns if c not in skip]
    for name in samples:
        cells = raw[name].to_numpy(dtype=object)
        if values == "counts":
            numbers = _parse_int(cells, path=path, first_line=first, column=name, what="a read count (a whole number)")
            if (numbers < 0).any():
                i = int(np.flatnonzero(numbers < 0)[0])
                raise InputError(f"expected a read count >= 0, found '{cells[i]}'", file=path, line=first + i, column=name)
            out[name] = numbers.astype(np.int64)
        else:
            out[name] = _parse_float(cells, path=path, first_line=first, column=name, what="a log2 ratio or NA")
    checked = genome or declared
    if checked is not None:
        check_genome(out, checked, path=path, first_line=first)
    out.attrs.update(samples=samples, annotation=annotation, genome=checked, path=str(path))
    return out


def _check_order(chroms: np.ndarray, start: np.ndarray, end: np.ndarray, *, path, first_line: int) -> None:
    """Sorted by chromosome (1..22, X, Y, MT, others) then start; no overlaps."""
    n = len(chroms)
    if n < 2:
        return
    change = np.flatnonzero(chroms[1:] != chroms[:-1]) + 1
    block_starts = np.concatenate(([0], change))
    seen: set[str] = set()
    prev_key = None
    for b in block_starts:
        c = chroms[b]
        if c in seen:
            raise InputError(
                f"bins are not sorted by chromosome: chromosome {c} appears again after other chromosomes",
                file=path, line=first_line + int(b), column="chromosome",
            )
        key = chrom_sort_key(c)
        if prev_key is not None and key < prev_key:
            raise InputError(
                f"bins are not sorted by chromosome (1..22, X, Y, MT, then others): {c} comes after {chroms[b - 1]}",
                file=path, line=first_line + int(b), column="chromosome",
            )
        seen.add(c)
        prev_key = key
    same = chroms[1:] == chroms[:-1]
    unsorted = same & (start[1:] < start[:-1])
    if unsorted.any():
        i = int(np.flatnonzero(unsorted)[0]) + 1
        raise InputError(
            f"bins are not sorted by start: {int(start[i])} comes after {int(start[i - 1])} on chromosome {chroms[i]}",
            file=path, line=first_line + i, column="start",
        )
    overlap = same & (start[1:] <= end[:-1])
    if overlap.any():
        i = int(np.flatnonzero(overlap)[0]) + 1
        raise InputError(
            f"bins overlap: this bin starts at {int(start[i])}, the previous one on chromosome {chroms[i]} ends at {int(end[i - 1])}",
            file=path, line=first_line + i, column="start",
        )


def check_genome(bins: pd.DataFrame, genome: str, *, path=None, first_line: int = 2) -> None:
    """InputError ("bins of another genome build") when ``bins`` cannot be of ``genome``.

    A bin ending beyond the build's chromosome length is impossible. For a fixed-width grid
    (every bin of a chromosome but the last has the same width) a shorter last bin marks the
    chromosome's end, which must then equal the build's length (QDNAseq's createBins truncates
    the last bin at the chromosome end).
    """
    lengths = CHROM_LENGTHS[genome]
    chroms = bins["chromosome"].to_numpy(dtype=object)
    start = bins["start"].to_numpy(np.int64)
    end = bins["end"].to_numpy(np.int64)
    unknown = np.iinfo(np.int64).max
    names, inverse = np.unique(chroms.astype(str), return_inverse=True)
    limit = np.array([lengths.get(c, unknown) for c in names], dtype=np.int64)[inverse]
    beyond = end > limit
    if beyond.any():
        i = int(np.flatnonzero(beyond)[0])
        raise InputError(
            f"bins of another genome build: chromosome {chroms[i]} has a bin ending at {int(end[i]):,}, "
            f"beyond {genome}'s chromosome {chroms[i]} length {int(limit[i]):,}",
            file=path, line=first_line + i, column="end",
        )
    width = end - start + 1
    for c in pd.unique(chroms):
        if c not in lengths:
            continue
        idx = np.flatnonzero(chroms == c)
        if len(idx) < 3:
            continue
        body = width[idx[:-1]]
        last = idx[-1]
        if (body == body[0]).all() and start[idx[0]] == 1 and width[last] < body[0] and end[last] != lengths[c]:
            raise InputError(
                f"bins of another genome build: the grid of chromosome {c} ends at {int(end[last]):,}, "
                f"but {genome}'s chromosome {c} is {lengths[c]:,} bp long",
                file=path, line=first_line + int(last), column="end",
            )


def bin_names(bins: pd.DataFrame) -> list[str]:
    """QDNAseq's row names ``chromosome:start-end``."""
    return [f"{c}:{s}-{e}" for c, s, e in zip(bins["chromosome"], bins["start"], bins["end"])]


def write_bins(
    bins: pd.DataFrame,
    path: str | os.PathLike,
    *,
    samples: Iterable[str] = (),
    genome: str | None = None,
) -> None:
    """Write a bin table: position columns, the annotation columns present, then ``samples``.

    ``use`` is written ``TRUE``/``FALSE``; missing values are empty cells (``write_tsv``);
    coordinates and counts as integers. With ``genome`` the first line is ``#genome=<build>``.
    """
    columns = [*POSITION_COLUMNS] + [c for c in ANNOTATION_COLUMNS if c in bins.columns] + list(samples)
    frame = bins.loc[:, columns].copy()
    frame["start"] = frame["start"].astype(np.int64)
    frame["end"] = frame["end"].astype(np.int64)
    if "use" in frame.columns:
        frame["use"] = np.where(frame["use"].to_numpy(dtype=bool), "TRUE", "FALSE")
    header = [f"#genome={genome}"] if genome else []
    write_tsv(frame, path, header_lines=header)


def sort_bins(bins: pd.DataFrame) -> pd.DataFrame:
    """Rows in bin-table order (chromosome by :func:`chrom_sort_key`, then start)."""
    names = pd.unique(bins["chromosome"].to_numpy(dtype=object))
    rank = {c: r for r, c in enumerate(sorted(names, key=chrom_sort_key))}
    chrom_rank = np.array([rank[c] for c in bins["chromosome"]], dtype=np.int64)
    order = np.lexsort((bins["start"].to_numpy(np.int64), chrom_rank))
    return bins.iloc[order].reset_index(drop=True)
