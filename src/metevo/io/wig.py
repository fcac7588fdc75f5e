"""HMMcopy WIG files: read counts, GC content and mappability per fixed-size bin.

HMMcopy's ``readCounter``/``gcCounter``/``mapCounter`` (and ichorCNA's shipped references)
write UCSC wiggle ``fixedStep`` blocks, one per chromosome, one value per line::

    fixedStep chrom=chr1 start=1 step=1000000 span=1000000
    0.572853
    ...

Bin ``i`` of a block covers ``start + i*step .. start + i*step + span - 1`` (1-based,
inclusive, as every metevo table). ``variableStep`` blocks (``pos value`` lines) are read too.
Chromosome names are harmonised (``chr1`` -> ``1``); values ``NA``/``NaN`` are missing.

A bin table here is a DataFrame ``chrom start end value line`` (``line`` = the file line of
the value, for error messages), sorted by chromosome then start, with ``attrs['bin_size']``
(the common step, or None for variableStep files), ``attrs['path']`` and
``attrs['header_line']`` (line of the first block header).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.io.tables import open_text
from metevo.variants import chrom_sort_key, harmonise_chrom

COLUMNS = ("chrom", "start", "end", "value", "line")
_KEY_VALUE = re.compile(r"(\w+)=(\S+)")
_MISSING = {"na", "nan"}


def _header_fields(text: str, kind: str, path, line: int) -> dict[str, str]:
    fields = dict(_KEY_VALUE.findall(text))
    required = ("chrom", "start", "step") if kind == "fixedStep" else ("chrom",)
    for key in required:
        if key not in fields:
            raise InputError(f"expected '{kind}' to give {key}=..., found '{text.strip()}'", file=path, line=line)
    for key in ("start", "step", "span"):
        if key in fields:
            value = fields[key]
            if not value.isdigit() or int(value) < 1:
                raise InputError(f"expected {key}= to be a positive integer, found '{value}'", file=path, line=line)
    return fields


def _parse_value(text: str, path, line: int) -> float:
    token = text.strip()
    try:
        return float(token)
    except ValueError:
        if token.lower() in _MISSING:
            return math.nan
        raise InputError(f"expected a number, found '{token}'", file=path, line=line) from None


def _parse_block(values: list[str], first_line: int, path) -> np.ndarray:
    """Values of one block as floats; a bad token is reported with its own line."""
    try:
        return np.array(values, dtype=float)
    except ValueError:
        return np.array([_parse_value(v, path, first_line + i) for i, v in enumerate(values)], dtype=float)


def read_wig(path: str | os.PathLike, *, genome: str | None = None) -> pd.DataFrame:
    """Read a fixedStep/variableStep WIG (gzip or plain) into a bin table (module docstring).

    Raises :class:`InputError` naming the line for: values before any block header, a value
    that is not a number, ``span`` different from ``step`` (HMMcopy bins tile the chromosome:
    anything else is not a bin file), blocks of different bin sizes, a chromosome given twice,
    and, when ``genome`` is given, a bin that starts past the chromosome's end in that build
    (the file was made on the other build).
    """
    from metevo.genome import CHROM_LENGTHS

    path = Path(path)
    try:
        with open_text(path) as fh:
            lines = fh.read().splitlines()
    except UnicodeDecodeError:
        raise InputError("expected a WIG text file, found binary or non-UTF-8 bytes", file=path) from None
    chroms: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    ends: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    line_nos: list[np.ndarray] = []
    bin_size: int | None = None
    bin_size_line = 0
    first_header = None
    kinds: set[str] = set()
    lengths = CHROM_LENGTHS.get(genome, {}) if genome else {}

    i = 0
    n = len(lines)
    while i < n:
        text = lines[i]
        stripped = text.strip()
        if not stripped or stripped.startswith(("#", "track", "browser")):
            i += 1
            continue
        kind = stripped.split(None, 1)[0]
        if kind not in ("fixedStep", "variableStep"):
            raise InputError(f"expected a 'fixedStep' or 'variableStep' line before the values, found '{stripped[:40]}'", file=path, line=i + 1)
        header_line = i + 1
        first_header = first_header or header_line
        fields = _header_fields(stripped, kind, path, header_line)
        kinds.add(kind)
        chrom = harmonise_chrom(fields["chrom"])
        # collect the block's value lines
        j = i + 1
        while j < n:
            s = lines[j].strip()
            if s and (s[0].isalpha() and s.split(None, 1)[0] in ("fixedStep", "variableStep", "track", "browser")):
                break
            j += 1
        body = [(k + 1, lines[k]) for k in range(i + 1, j) if lines[k].strip() and not lines[k].lstrip().startswith("#")]
        if kind == "fixedStep":
            step = int(fields["step"])
            # HMMcopy always writes span; a missing span is read as bins of width step
            span = int(fields.get("span", step))
            if span != step:
                raise InputError(
                    f"expected span equal to step (bins that tile the chromosome), found step={step} span={span}",
                    file=path, line=header_line,
                )
            start = int(fields["start"])
            numbers = [b for _, b in body]
            first = body[0][0] if body else header_line + 1
            if body and body[-1][0] - first + 1 != len(body):
                # comments or blank lines inside the block: parse line by line for exact line numbers
                values = np.array([_parse_value(b, path, ln) for ln, b in body], dtype=float)
            else:
                values = _parse_block(numbers, first, path)
            m = len(values)
            block_starts = start + step * np.arange(m, dtype=np.int64)
            block_ends = block_starts + span - 1
            block_lines = np.array([ln for ln, _ in body], dtype=np.int64)
        else:
            span = int(fields.get("span", 1))
            step = span
            pos = np.empty(len(body), dtype=np.int64)
            values = np.empty(len(body), dtype=float)
            for k, (ln, b) in enumerate(body):
                parts = b.split()
                if len(parts) != 2 or not parts[0].isdigit():
                    raise InputError(f"expected 'position value' in a variableStep block, found '{b.strip()[:40]}'", file=path, line=ln)
                pos[k] = int(parts[0])
                values[k] = _parse_value(parts[1], path, ln)
            if len(pos) > 1 and np.any(np.diff(pos) < span):
                k = int(np.argmax(np.diff(pos) < span)) + 1
                raise InputError(
                    f"expected increasing, non-overlapping positions (span {span}), found {pos[k]} after {pos[k - 1]}",
                    file=path, line=body[k][0],
                )
            block_starts = pos
            block_ends = pos + span - 1
            block_lines = np.array([ln for ln, _ in body], dtype=np.int64)
        if bin_size is None:
            bin_size, bin_size_line = step, header_line
        elif step != bin_size:
            raise InputError(
                f"expected the bin size of the first block (step={bin_size} at line {bin_size_line}) in every block, found {step}",
                file=path, line=header_line,
            )
        length = lengths.get(chrom)
        if length is not None and len(block_starts) and block_starts[-1] > length:
            k = int(np.argmax(block_starts > length))
            raise InputError(
                f"bin {fields['chrom']}:{block_starts[k]}-{block_ends[k]} starts past the end of chromosome {chrom} in {genome} "
                f"({length} bp): expected a file made for {genome}",
                file=path, line=int(block_lines[k]),
            )
        chroms.append(np.full(len(values), chrom, dtype=object))
        starts.append(block_starts)
        ends.append(block_ends)
        vals.append(values)
        line_nos.append(block_lines)
        i = j
    if not vals or sum(len(v) for v in vals) == 0:
        raise InputError("expected WIG blocks (fixedStep chrom=... start=... step=... span=...) with values, found none", file=path, line=1)
    frame = pd.DataFrame(
        {
            "chrom": np.concatenate(chroms),
            "start": np.concatenate(starts).astype(np.int64),
            "end": np.concatenate(ends).astype(np.int64),
            "value": np.concatenate(vals).astype(float),
            "line": np.concatenate(line_nos).astype(np.int64),
        }
    )
    frame = sort_bins(frame)
    same = frame["chrom"].to_numpy()[1:] == frame["chrom"].to_numpy()[:-1]
    overlap = same & (frame["start"].to_numpy()[1:] <= frame["end"].to_numpy()[:-1])
    if overlap.any():
        k = int(np.argmax(overlap)) + 1
        raise InputError(
            f"bin {frame['chrom'].iat[k]}:{frame['start'].iat[k]}-{frame['end'].iat[k]} overlaps the bin given at line "
            f"{frame['line'].iat[k - 1]}; expected each bin once",
            file=path, line=int(max(frame["line"].iat[k], frame["line"].iat[k - 1])),
        )
    frame.attrs["bin_size"] = bin_size if kinds == {"fixedStep"} else None
    frame.attrs["path"] = str(path)
    frame.attrs["header_line"] = first_header
    return frame


def sort_bins(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by chromosome (1..22, X, Y, MT, others) then start; index reset."""
    names = sorted(set(frame["chrom"]), key=chrom_sort_key)
    rank = frame["chrom"].map({c: i for i, c in enumerate(names)}).to_numpy()
    order = np.lexsort((frame["start"].to_numpy(), rank))
    out = frame.iloc[order].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


def _format_values(values: np.ndarray, integer: bool) -> list[str]:
    out = []
    for v in values:
        if not np.isfinite(v):
            out.append("NA")
        elif integer:
            out.append(str(int(round(v))))
        else:
            out.append("%.10g" % v)
    return out


def write_wig(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    *,
    value_column: str = "value",
    chrom_prefix: str = "chr",
    integer: bool | None = None,
) -> None:
    """Write a bin table as HMMcopy fixedStep WIG (deterministic text).

    Bins must have one width per file. Each chromosome is one block (a new block starts after a
    gap, so sparse tables stay exact). ``chrom_prefix`` is written before the harmonised name
    (``chr`` as HMMcopy writes for UCSC-style BAMs; ``''`` for NCBI style). Values are written as
    integers when ``integer`` (default: when every value is a whole number), else ``%.10g``;
    missing values as ``NA``.
    """
    data = sort_bins(frame.loc[:, ["chrom", "start", "end", value_column]].rename(columns={value_column: "value"}))
    widths = (data["end"] - data["start"] + 1).unique()
    if len(widths) != 1:
        raise ValueError(f"write_wig: expected bins of one width, found widths {sorted(int(w) for w in widths)[:5]}")
    width = int(widths[0])
    values = data["value"].to_numpy(dtype=float)
    if integer is None:
        finite = values[np.isfinite(values)]
        integer = bool(len(finite)) and bool(np.all(finite == np.round(finite)))
    text = _format_values(values, integer)
    out: list[str] = []
    starts = data["start"].to_numpy()
    chroms = data["chrom"].to_numpy()
    for k in range(len(data)):
        if k == 0 or chroms[k] != chroms[k - 1] or starts[k] != starts[k - 1] + width:
            out.append(f"fixedStep chrom={chrom_prefix}{chroms[k]} start={starts[k]} step={width} span={width}")
        out.append(text[k])
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("\n".join(out) + "\n")


# ichorCNA's panel of normals, as a table: the TSV export of its .rds (createPanelOfNormals.R
# writes the same columns): chrom/seqnames, start, end, [gc, map, ...], one column per
# normal, and ``Median``, the per-bin median log2 ratio that is subtracted from a sample.
_PON_CHROM = ("chrom", "seqnames", "chr", "chromosome", "Chr")


def read_panel_of_normals(path: str | os.PathLike, *, genome: str | None = None) -> pd.DataFrame:
    """Read a panel-of-normals TSV into ``chrom start end Median line`` (sorted bins).

    Accepts ichorCNA's layout (``seqnames`` or ``chrom``, ``start``, ``end``, any other
    columns, ``Median``; ``NA`` medians are missing). Raises :class:`InputError` naming the
    line and column for a missing column, a non-integer coordinate, a non-numeric median, and
    (with ``genome``) a bin past the chromosome's end in that build.
    """
    from metevo.genome import CHROM_LENGTHS
    from metevo.io.tables import read_table

    table = read_table(path, what="panel of normals")
    header_line = table.attrs["header_line"]
    chrom_col = next((c for c in _PON_CHROM if c in table.columns), None)
    if chrom_col is None:
        header = ", ".join(c for c in table.columns if c != "__line__")
        raise InputError(f"missing required column 'chrom' (or 'seqnames') (header has: {header})", file=path, line=header_line, column="chrom")
    for name in ("start", "end", "Median"):
        if name not in table.columns:
            header = ", ".join(c for c in table.columns if c != "__line__")
            raise InputError(f"missing required column '{name}' (header has: {header})", file=path, line=header_line, column=name)
    lines = table["__line__"].to_numpy()
    coords = {}
    for name in ("start", "end"):
        text = table[name].astype(str)
        ok = text.str.fullmatch(r"\d+")
        if not ok.all():
            k = int(np.argmax(~ok.to_numpy()))
            raise InputError(f"expected a positive integer, found '{text.iat[k]}'", file=path, line=int(lines[k]), column=name)
        coords[name] = text.astype(np.int64).to_numpy()
    median = np.empty(len(table))
    for k, token in enumerate(table["Median"].astype(str)):
        median[k] = _parse_value(token, path, int(lines[k])) if token not in ("", "NA") else math.nan
    bad = coords["end"] < coords["start"]
    if bad.any():
        k = int(np.argmax(bad))
        raise InputError(f"expected end >= start, found {coords['start'][k]}-{coords['end'][k]}", file=path, line=int(lines[k]), column="end")
    frame = pd.DataFrame(
        {
            "chrom": table[chrom_col].astype(str).map(harmonise_chrom).to_numpy(),
            "start": coords["start"],
            "end": coords["end"],
            "Median": median,
            "line": lines.astype(np.int64),
        }
    )
    if genome:
        lengths = CHROM_LENGTHS[genome]
        length = frame["chrom"].map(lengths).to_numpy(dtype=float)
        past = np.isfinite(length) & (frame["start"].to_numpy() > length)
        if past.any():
            k = int(np.argmax(past))
            raise InputError(
                f"bin {frame['chrom'].iat[k]}:{frame['start'].iat[k]}-{frame['end'].iat[k]} starts past the end of chromosome "
                f"{frame['chrom'].iat[k]} in {genome} ({int(length[k])} bp): expected a panel made for {genome}",
                file=path, line=int(lines[k]), column="start",
            )
    out = sort_bins(frame)
    out.attrs["path"] = str(path)
    return out


def write_panel_of_normals(panel: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a panel (``chrom start end ... Median``) as TSV in ichorCNA's column layout."""
    from metevo.io.tables import write_tsv

    write_tsv(panel, path)
