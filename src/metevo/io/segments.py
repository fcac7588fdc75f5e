"""Copy-number segment files: every supported format into one segments table; IGV ``.seg`` out.

:func:`read_segments` returns the segments table of docs/copynumber-contracts.md (``sample chrom
start end n_bins log2 total_cn major_cn minor_cn ploidy call``; 1-based closed coordinates,
chromosomes harmonised, rows sorted by sample in input order, chromosome, start). The format
is recognised from the header (``format=`` overrides it):

============  ===========================================================================
``metevo``    metevo's own segments table (what ``metevo import-segments`` writes)
``seg``       IGV / DNAcopy: ``ID chrom loc.start loc.end num.mark seg.mean`` (log2 ratio)
``gistic``    GISTIC segments: ``Sample Chromosome Start End Num_Markers Seg.CN`` (log2 ratio;
              also the TCGA/GDC spellings ``Start.bp End.bp Num.Markers``, ``Num_Probes
              Segment_Mean``)
``cnvkit``    CNVkit ``.cns``/``.call.cns``: ``chromosome start end gene log2 [cn cn1 cn2]
              depth probes weight``; CNVkit writes BED-style 0-based starts, converted to
              1-based (``start + 1``)
``ascat``     ASCAT ``sample chr startpos endpos nMajor nMinor``
``facets``    FACETS ``cncf`` (``chrom start end ... tcn.em lcn.em``, or facets-suite's ``ID
              chrom loc.start loc.end ...``): total = ``tcn.em``, minor = ``lcn.em`` (NA =
              unknown minor), log2 = ``cnlr.median``; chromosome 23 is X
``purple``    PURPLE ``.purple.cnv.somatic.tsv``: ``chromosome start end copyNumber ...
              majorAlleleCopyNumber minorAlleleCopyNumber``; see rounding below
``sequenza``  sequenza ``_segments.txt``: ``chromosome start.pos end.pos ... depth.ratio
              N.ratio ... CNt A B``; log2 = log2(depth.ratio) (NA for a ratio of 0)
``scarhrd``   scarHRD's text input: ``SampleID Chromosome Start_position End_position total_cn
              A_cn B_cn ploidy``
============  ===========================================================================

Conventions applied to every format:

* chromosome names are harmonised (``chr1`` -> ``1``, ``chrM`` -> ``MT``); numeric 23 and 24
  are X and Y (the DNAcopy, GISTIC and FACETS convention);
* ``major_cn`` is the larger and ``minor_cn`` the smaller allele copy number, whatever order
  the file gives them in; a missing total is major + minor, a missing allele is total minus the
  other; a total of 0 or 1 with unknown minor has minor 0 (it cannot be anything else);
* PURPLE's fractional copy numbers are rounded half up to integers, negative values (PURPLE
  reports small negative copy numbers in deep deletions) become 0, and the total is the sum of
  the rounded allele copy numbers so that total = major + minor holds in the table (rounding
  ``copyNumber`` on its own can disagree with the rounded alleles);
* scarHRD input keeps its ``A_cn`` column as written in an extra column ``a_cn``: scarHRD's TAI
  reads it (docs/hrd.md), so ``metevo hrd`` gives the same result on the file and on the table
  ``import-segments`` makes of it;
* files without a sample column (CNVkit, PURPLE, sequenza, FACETS ``cncf``) take the sample
  name given, or else the file name up to its first dot.

Bad input raises a one-line :class:`~metevo.errors.InputError` naming the file, line and
column: missing columns, non-numeric values, end before start, and segments of one sample
and chromosome that are unsorted or overlap (as closed intervals: a segment starting on the
previous segment's last base overlaps it).
"""

from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.io.tables import open_text, write_tsv
from metevo.variants import chrom_sort_key, harmonise_chrom

SEGMENT_COLUMNS: tuple[str, ...] = (
    "sample", "chrom", "start", "end", "n_bins", "log2", "total_cn", "major_cn", "minor_cn", "ploidy", "call",
)
CALLS = ("deletion", "loss", "neutral", "gain", "amplification")
IGV_COLUMNS = ("ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean")
_NA = frozenset({"", "NA", "NaN", "nan", "NAN", "na", "N/A", "."})
_NUMERIC_CHROMS = {"23": "X", "24": "Y"}


@dataclass(frozen=True)
class _Format:
    name: str
    description: str
    # role -> accepted header names (first one present is used); roles in `required` must be found
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # header names whose presence identifies the format (all must be present)
    signature: tuple[str, ...]
    zero_based_start: bool = False
    round_copy_numbers: bool = False
    log2_from_ratio: bool = False
    defaults: dict[str, str] = field(default_factory=dict)


_SAMPLE = ("ID", "Sample", "sample", "SampleID", "GDC_Aliquot", "Tumor_Sample_Barcode")
_FORMATS: tuple[_Format, ...] = (
    _Format(
        "metevo", "metevo segments table (sample chrom start end n_bins log2 total_cn major_cn minor_cn ploidy call)",
        {role: (role,) for role in SEGMENT_COLUMNS} | {"a_cn": ("a_cn",)},
        SEGMENT_COLUMNS, ("sample", "chrom", "start", "end", "total_cn", "major_cn", "minor_cn"),
    ),
    _Format(
        "scarhrd", "scarHRD text input (SampleID Chromosome Start_position End_position total_cn A_cn B_cn ploidy)",
        {"sample": ("SampleID",), "chrom": ("Chromosome",), "start": ("Start_position",), "end": ("End_position",),
         "total_cn": ("total_cn",), "a_cn": ("A_cn",), "b_cn": ("B_cn",), "ploidy": ("ploidy",)},
        ("sample", "chrom", "start", "end", "total_cn", "a_cn", "b_cn"), ("Start_position", "A_cn", "B_cn"),
    ),
    _Format(
        "facets", "FACETS cncf (chrom start end ... cnlr.median ... tcn.em lcn.em)",
        {"sample": ("ID",), "chrom": ("chrom",), "start": ("start", "loc.start"), "end": ("end", "loc.end"),
         "n_bins": ("num.mark",), "log2": ("cnlr.median",), "total_cn": ("tcn.em",), "minor_cn": ("lcn.em",)},
        ("chrom", "start", "end", "total_cn", "minor_cn"), ("tcn.em",),
    ),
    _Format(
        "purple", "PURPLE cnv.somatic.tsv (chromosome start end copyNumber ... majorAlleleCopyNumber minorAlleleCopyNumber)",
        {"chrom": ("chromosome",), "start": ("start",), "end": ("end",), "n_bins": ("depthWindowCount",),
         "total_cn": ("copyNumber",), "major_cn": ("majorAlleleCopyNumber",), "minor_cn": ("minorAlleleCopyNumber",)},
        ("chrom", "start", "end", "major_cn", "minor_cn"), ("copyNumber", "majorAlleleCopyNumber"),
        round_copy_numbers=True,
    ),
    _Format(
        "sequenza", "sequenza segments (chromosome start.pos end.pos ... depth.ratio N.ratio ... CNt A B)",
        {"chrom": ("chromosome",), "start": ("start.pos",), "end": ("end.pos",), "n_bins": ("N.ratio",),
         "log2": ("depth.ratio",), "total_cn": ("CNt",), "major_cn": ("A",), "minor_cn": ("B",)},
        ("chrom", "start", "end", "total_cn", "major_cn", "minor_cn"), ("start.pos", "end.pos", "CNt"),
        log2_from_ratio=True,
    ),
    _Format(
        "ascat", "ASCAT segments (sample chr startpos endpos nMajor nMinor)",
        {"sample": ("sample",), "chrom": ("chr",), "start": ("startpos",), "end": ("endpos",),
         "major_cn": ("nMajor",), "minor_cn": ("nMinor",)},
        ("sample", "chrom", "start", "end", "major_cn", "minor_cn"), ("startpos", "endpos", "nMajor"),
    ),
    _Format(
        "cnvkit", "CNVkit .cns (chromosome start end gene log2 [cn cn1 cn2] depth probes weight; 0-based start)",
        {"chrom": ("chromosome",), "start": ("start",), "end": ("end",), "n_bins": ("probes",), "log2": ("log2",),
         "total_cn": ("cn",), "major_cn": ("cn1",), "minor_cn": ("cn2",)},
        ("chrom", "start", "end", "log2"), ("chromosome", "start", "end", "log2"),
        zero_based_start=True,
    ),
    _Format(
        "seg", "IGV/DNAcopy seg (ID chrom loc.start loc.end num.mark seg.mean)",
        {"sample": _SAMPLE, "chrom": ("chrom", "Chromosome", "chromosome"), "start": ("loc.start",), "end": ("loc.end",),
         "n_bins": ("num.mark", "Num_Markers", "Num.Markers"), "log2": ("seg.mean",)},
        ("sample", "chrom", "start", "end", "log2"), ("loc.start", "loc.end", "seg.mean"),
    ),
    _Format(
        "gistic", "GISTIC seg (Sample Chromosome Start End Num_Markers Seg.CN)",
        {"sample": _SAMPLE, "chrom": ("Chromosome", "chrom", "chromosome"),
         "start": ("Start", "Start.bp", "Start_Position", "start"), "end": ("End", "End.bp", "End_Position", "end"),
         "n_bins": ("Num_Markers", "Num.Markers", "Num_Probes", "num.mark"),
         "log2": ("Seg.CN", "Segment_Mean", "seg.mean")},
        ("sample", "chrom", "start", "end", "log2"), ("Chromosome",),
    ),
)
FORMATS: tuple[str, ...] = tuple(f.name for f in _FORMATS)
_BY_NAME = {f.name: f for f in _FORMATS}


def _find(header: Sequence[str], names: Sequence[str]) -> str | None:
    """First of ``names`` in the header, exact spelling first, then ignoring case."""
    for name in names:
        if name in header:
            return name
    lower = {h.lower(): h for h in header}
    for name in names:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def detect_format(header: Sequence[str]) -> str | None:
    """Name of the segment format whose signature columns the header holds (None if none does)."""
    for fmt in _FORMATS:
        if all(_find(header, (name,)) is not None for name in fmt.signature):
            if fmt.name == "gistic" and _find(header, fmt.columns["log2"]) is None:
                continue
            return fmt.name
    return None


def _read_lines(path: Path) -> tuple[list[str], list[list[str]], list[int], int]:
    """Header, data rows and their file lines. Leading ``#`` lines (IGV track lines, PURPLE
    comments) are skipped; the delimiter is a tab, else a comma, else runs of whitespace."""
    try:
        with open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise InputError("expected a UTF-8 text segment table, found binary or non-UTF-8 bytes", file=path) from None
    lines = text.splitlines()
    first = 0
    while first < len(lines) and (lines[first].startswith("#") or not lines[first].strip()):
        first += 1
    if first >= len(lines):
        raise InputError("expected a header line naming the segment table's columns, found an empty file", file=path, line=first + 1 if lines else 1)
    header_line = lines[first]
    if "\t" in header_line:
        split = lambda chunk: next(csv.reader(chunk, delimiter="\t"))  # noqa: E731
    elif "," in header_line:
        split = lambda chunk: next(csv.reader(chunk, delimiter=","))  # noqa: E731
    else:
        split = lambda chunk: [c.strip('"') for c in chunk[0].split()]  # noqa: E731
    header = [h.strip().lstrip("\ufeff") for h in split([header_line])]
    seen = set()
    for name in header:
        if not name:
            raise InputError("expected a name for every column, found an empty header cell", file=path, line=first + 1)
        if name in seen:
            raise InputError(f"column '{name}' appears twice in the header", file=path, line=first + 1, column=name)
        seen.add(name)
    rows, numbers = [], []
    for number, line in enumerate(lines[first + 1:], start=first + 2):
        if not line.strip():
            continue
        fields = [c.strip() for c in split([line])]
        if len(fields) != len(header):
            raise InputError(f"expected {len(header)} fields as in the header, found {len(fields)}", file=path, line=number)
        rows.append(fields)
        numbers.append(number)
    return header, rows, numbers, first + 1


def _integer(value: str, *, path: Path, line: int, column: str, minimum: int, what: str) -> int:
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"expected {what}, found '{value}'", file=path, line=line, column=column) from None
    # R writes round numbers such as 1e+06; accept any spelling of a whole number
    if not math.isfinite(number) or number != int(number) or number < minimum:
        raise InputError(f"expected {what}, found '{value}'", file=path, line=line, column=column)
    return int(number)


def _float(value: str, *, path: Path, line: int, column: str) -> float:
    if value in _NA:
        return math.nan
    try:
        return float(value)
    except ValueError:
        raise InputError(f"expected a number, found '{value}'", file=path, line=line, column=column) from None


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _copy_number(value: str, *, path: Path, line: int, column: str, rounded: bool) -> int | None:
    if value in _NA:
        return None
    if rounded:
        number = _float(value, path=path, line=line, column=column)
        if not math.isfinite(number):
            raise InputError(f"expected a copy number, found '{value}'", file=path, line=line, column=column)
        return max(0, _round_half_up(number))
    return _integer(value, path=path, line=line, column=column, minimum=0, what="a non-negative integer copy number")


def _default_sample(path: Path) -> str:
    return path.name.split(".", 1)[0] or path.name


def read_segments(path: str | os.PathLike, *, sample: str | None = None, format: str | None = None) -> pd.DataFrame:  # noqa: A002
    """Read a segment file of any supported format into the segments table (module docstring).

    ``format`` forces one of :data:`FORMATS` instead of recognising it from the header.
    ``sample``: for files with a sample column, keep only that sample's rows (an
    :class:`InputError` lists the samples present when it is absent); for files without one,
    the sample name to use (default: the file name up to its first dot).
    ``attrs['format']`` holds the format read; the extra column ``__line__`` the file line of
    each row (for error messages; :func:`write_segments` does not write it).
    """
    path = Path(path)
    header, rows, lines, header_line = _read_lines(path)
    if format is None:
        name = detect_format(header)
        if name is None:
            known = "; ".join(f.description for f in _FORMATS)
            raise InputError(
                f"unrecognised segment format: header has {', '.join(header)}; expected one of: {known}",
                file=path, line=header_line,
            )
    else:
        if format not in _BY_NAME:
            raise InputError(f"unknown segment format '{format}': expected one of {', '.join(FORMATS)}", file=path)
        name = format
    fmt = _BY_NAME[name]
    where: dict[str, int] = {}
    colname: dict[str, str] = {}
    for role, names in fmt.columns.items():
        found = _find(header, names)
        if found is None:
            if role in fmt.required:
                raise InputError(
                    f"missing required column '{names[0]}' of the {fmt.name} segment format (header has: {', '.join(header)})",
                    file=path, line=header_line, column=names[0],
                )
            continue
        where[role] = header.index(found)
        colname[role] = found
    has_sample_column = "sample" in where
    fixed_sample = sample if sample is not None else _default_sample(path)

    out: dict[str, list] = {k: [] for k in (*SEGMENT_COLUMNS, "a_cn", "__line__")}
    chrom_cache: dict[str, str] = {}
    for fields, line in zip(rows, lines):
        def cell(role: str) -> str | None:
            i = where.get(role)
            return None if i is None else fields[i]

        smp = cell("sample") if has_sample_column else fixed_sample
        if not smp:
            raise InputError("expected a sample name, found an empty cell", file=path, line=line, column=colname.get("sample"))
        raw_chrom = cell("chrom")
        if not raw_chrom or raw_chrom in _NA:
            raise InputError("expected a chromosome name, found an empty cell", file=path, line=line, column=colname["chrom"])
        chrom = chrom_cache.get(raw_chrom)
        if chrom is None:
            chrom = harmonise_chrom(raw_chrom)
            chrom = _NUMERIC_CHROMS.get(chrom, chrom)
            chrom_cache[raw_chrom] = chrom
        lowest = 0 if fmt.zero_based_start else 1
        start = _integer(cell("start"), path=path, line=line, column=colname["start"], minimum=lowest,
                         what=f"an integer position >= {lowest}")
        end = _integer(cell("end"), path=path, line=line, column=colname["end"], minimum=1, what="an integer position >= 1")
        if fmt.zero_based_start:
            start += 1
        if end < start:
            raise InputError(f"segment end {end} is before its start {start}", file=path, line=line, column=colname["end"])
        n_bins = None
        if "n_bins" in where and cell("n_bins") not in _NA:
            n_bins = _integer(cell("n_bins"), path=path, line=line, column=colname["n_bins"], minimum=0,
                              what="a non-negative integer count")
        log2 = math.nan
        if "log2" in where:
            log2 = _float(cell("log2"), path=path, line=line, column=colname["log2"])
            if fmt.log2_from_ratio and not math.isnan(log2):
                if log2 < 0:
                    raise InputError(f"expected a non-negative depth ratio, found '{cell('log2')}'", file=path, line=line, column=colname["log2"])
                log2 = math.log2(log2) if log2 > 0 else math.nan  # no reads: no finite log2 ratio
        cn = {}
        for role in ("total_cn", "major_cn", "minor_cn", "a_cn", "b_cn"):
            if role in where:
                cn[role] = _copy_number(cell(role), path=path, line=line, column=colname[role],
                                        rounded=fmt.round_copy_numbers)
            else:
                cn[role] = None
        a_cn = None
        if fmt.name == "scarhrd":
            a_cn = cn["a_cn"]
            alleles = [v for v in (cn["a_cn"], cn["b_cn"]) if v is not None]
            if len(alleles) == 2:
                cn["major_cn"], cn["minor_cn"] = max(alleles), min(alleles)
        elif fmt.name == "metevo":
            a_cn = cn["a_cn"]
        total, major, minor = cn["total_cn"], cn["major_cn"], cn["minor_cn"]
        if fmt.round_copy_numbers and major is not None and minor is not None:
            total = major + minor
        if major is not None and minor is not None and major < minor:
            major, minor = minor, major
        if total is None and major is not None and minor is not None:
            total = major + minor
        if major is None and total is not None and minor is not None:
            if minor > total:
                raise InputError(f"minor copy number {minor} exceeds the total {total}", file=path, line=line, column=colname["minor_cn"])
            major, minor = max(total - minor, minor), min(total - minor, minor)
        if minor is None and total is not None and major is not None:
            if major > total:
                raise InputError(f"major copy number {major} exceeds the total {total}", file=path, line=line, column=colname["major_cn"])
            major, minor = max(major, total - major), min(major, total - major)
        if minor is None and major is None and total is not None and total <= 1:
            major, minor = total, 0  # one copy or none: the minor allele cannot be present
        ploidy = _float(cell("ploidy"), path=path, line=line, column=colname["ploidy"]) if "ploidy" in where else math.nan
        call = cell("call") if "call" in where else ""
        if call not in ("",) + CALLS:
            raise InputError(f"expected a call of {', '.join(CALLS)} or empty, found '{call}'", file=path, line=line, column=colname["call"])
        for key, value in (("sample", smp), ("chrom", chrom), ("start", start), ("end", end), ("n_bins", n_bins),
                           ("log2", log2), ("total_cn", total), ("major_cn", major), ("minor_cn", minor),
                           ("ploidy", ploidy), ("call", call), ("a_cn", a_cn), ("__line__", line)):
            out[key].append(value)

    frame = pd.DataFrame({
        "sample": pd.Series(out["sample"], dtype=object),
        "chrom": pd.Series(out["chrom"], dtype=object),
        "start": pd.Series(out["start"], dtype="int64"),
        "end": pd.Series(out["end"], dtype="int64"),
        "n_bins": pd.array(out["n_bins"], dtype="Int64"),
        "log2": pd.Series(out["log2"], dtype="float64"),
        "total_cn": pd.array(out["total_cn"], dtype="Int64"),
        "major_cn": pd.array(out["major_cn"], dtype="Int64"),
        "minor_cn": pd.array(out["minor_cn"], dtype="Int64"),
        "ploidy": pd.Series(out["ploidy"], dtype="float64"),
        "call": pd.Series(out["call"], dtype=object),
        "a_cn": pd.array(out["a_cn"], dtype="Int64"),
        "__line__": pd.Series(out["__line__"], dtype="int64"),
    })
    if not (fmt.name == "scarhrd" or (fmt.name == "metevo" and "a_cn" in where)):
        frame = frame.drop(columns="a_cn")
    _check_order(frame, path=path, start_column=colname["start"])
    if sample is not None and has_sample_column:
        frame = select_sample(frame, sample, path=path)
    frame = sort_segments(frame)
    frame.attrs["format"] = fmt.name
    return frame


def _check_order(frame: pd.DataFrame, *, path: Path, start_column: str) -> None:
    """Within each sample and chromosome, in file order: starts increase and do not overlap."""
    last: dict[tuple[str, str], tuple[int, int, int]] = {}
    for smp, chrom, start, end, line in zip(frame["sample"].tolist(), frame["chrom"].tolist(), frame["start"].tolist(),
                                            frame["end"].tolist(), frame["__line__"].tolist()):
        key = (smp, chrom)
        previous = last.get(key)
        if previous is not None:
            p_start, p_end, p_line = previous
            if start < p_start:
                raise InputError(
                    f"segments of sample {smp} on chromosome {chrom} are not sorted: start {start} is before the start "
                    f"{p_start} of the segment on line {p_line}; expected segments sorted by start",
                    file=path, line=line, column=start_column,
                )
            if start <= p_end:
                raise InputError(
                    f"segment of sample {smp} on chromosome {chrom} overlaps the previous one: start {start} is not after "
                    f"its end {p_end} (line {p_line}); expected non-overlapping segments (1-based, closed)",
                    file=path, line=line, column=start_column,
                )
        last[key] = (start, end, line)


def sort_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by sample (order of first appearance), chromosome (1..22, X, Y, MT, others), start."""
    if frame.empty:
        return frame.reset_index(drop=True)
    sample_rank = {s: i for i, s in enumerate(dict.fromkeys(frame["sample"].tolist()))}
    chrom_rank = {c: i for i, c in enumerate(sorted(set(frame["chrom"].tolist()), key=chrom_sort_key))}
    order = np.lexsort((
        frame["start"].to_numpy(),
        np.array([chrom_rank[c] for c in frame["chrom"].tolist()]),
        np.array([sample_rank[s] for s in frame["sample"].tolist()]),
    ))
    return frame.iloc[order].reset_index(drop=True)


def samples(frame: pd.DataFrame) -> list[str]:
    """Sample names of a segments table in order of first appearance."""
    return list(dict.fromkeys(frame["sample"].tolist()))


def select_sample(frame: pd.DataFrame, sample: str, *, path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The rows of one sample; an :class:`InputError` listing the samples present when it is absent."""
    chosen = frame[frame["sample"] == sample]
    if chosen.empty:
        present = samples(frame)
        shown = ", ".join(present[:20]) + (f" and {len(present) - 20} more" if len(present) > 20 else "")
        raise InputError(f"sample '{sample}' is not in the segment file; samples present: {shown or 'none'}", file=path)
    return chosen.reset_index(drop=True)


def write_segments(segments: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write the segments table (the ``metevo`` format; ``a_cn`` follows when present)."""
    columns = list(SEGMENT_COLUMNS) + (["a_cn"] if "a_cn" in segments.columns else [])
    frame = segments.loc[:, columns].copy()
    for name in ("n_bins", "total_cn", "major_cn", "minor_cn", "a_cn"):
        if name in frame.columns:
            frame[name] = frame[name].astype("Int64")
    write_tsv(frame, path)


def write_igv_seg(segments: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write IGV/DNAcopy ``.seg``: ``ID chrom loc.start loc.end num.mark seg.mean`` (log2 ratio;
    an unknown marker count or log2 ratio is written empty)."""
    frame = pd.DataFrame({
        "ID": segments["sample"].to_numpy(),
        "chrom": segments["chrom"].to_numpy(),
        "loc.start": segments["start"].astype("int64").to_numpy(),
        "loc.end": segments["end"].astype("int64").to_numpy(),
        "num.mark": segments["n_bins"].astype("Int64").array,
        "seg.mean": segments["log2"].astype("float64").to_numpy(),
    })
    write_tsv(frame, path)


def segments_to_bins(segments: pd.DataFrame, bins: pd.DataFrame, *, value: str = "log2") -> pd.DataFrame:
    """Segment values expanded onto bins: one float column per sample (order of first appearance),
    one row per bin in the order of ``bins``.

    ``bins`` needs ``chrom`` (or QDNAseq's ``chromosome``), ``start`` and ``end``. A bin takes the
    ``value`` of the segment containing its midpoint ``(start + end) // 2``; bins whose midpoint
    no segment covers are NaN (so pairwise R² only uses bins both samples cover).
    """
    chrom_col = "chrom" if "chrom" in bins.columns else "chromosome"
    bin_chrom = bins[chrom_col].astype(str).map(harmonise_chrom).map(lambda c: _NUMERIC_CHROMS.get(c, c)).to_numpy()
    mid = ((bins["start"].to_numpy(dtype=np.int64) + bins["end"].to_numpy(dtype=np.int64)) // 2)
    result = {}
    for smp, seg in segments.groupby("sample", sort=False):
        column = np.full(len(bins), np.nan)
        values = seg[value].astype("float64").to_numpy()
        for chrom, idx in seg.groupby("chrom", sort=False).indices.items():
            starts = seg["start"].to_numpy(dtype=np.int64)[idx]
            ends = seg["end"].to_numpy(dtype=np.int64)[idx]
            vals = values[idx]
            order = np.argsort(starts, kind="stable")
            starts, ends, vals = starts[order], ends[order], vals[order]
            on = np.flatnonzero(bin_chrom == chrom)
            if not len(on):
                continue
            pos = np.searchsorted(starts, mid[on], side="right") - 1
            inside = (pos >= 0) & (mid[on] <= ends[np.clip(pos, 0, None)])
            column[on[inside]] = vals[pos[inside]]
        result[smp] = column
    return pd.DataFrame(result, index=bins.index)


def _split_spec(spec: str) -> tuple[str | None, str]:
    if "=" in spec and not os.path.exists(spec):
        sample, path = spec.split("=", 1)
        if sample and path:
            return sample, path
    return None, spec


def read_cohort_segments(specs: list[str], sheet) -> pd.DataFrame:
    """Segments of several samples, one ``[SAMPLE=]PATH`` per file (SAMPLE picks that
    sample's rows of a multi-sample file), checked against the samplesheet: every sample a
    samplesheet tumor or cfDNA sample, each sample from one file only."""

    types = dict(zip(sheet.table["sample"], sheet.table["sample_type"]))
    frames, seen = [], {}
    for spec in specs:
        sample, path = _split_spec(spec)
        frame = read_segments(path, sample=sample)
        for name in pd.unique(frame["sample"]):
            line = int(frame.loc[frame["sample"] == name, "__line__"].iloc[0]) if "__line__" in frame else None
            if name not in types:
                raise InputError(f"sample '{name}' is not in the samplesheet {sheet.path}; segments must belong to "
                                 "samplesheet samples", file=path, line=line, column="sample")
            if types[name] == "normal":
                raise InputError(f"sample '{name}' is a normal in the samplesheet; copy number is analysed for "
                                 "tumors and cfDNA", file=path, line=line, column="sample")
            if name in seen:
                raise InputError(f"sample '{name}' also has segments in {seen[name]}; give each sample's segments once",
                                 file=path, line=line, column="sample")
            seen[name] = path
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
