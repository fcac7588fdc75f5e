"""Plain tables (TSV/CSV): one reader with line-numbered errors, one deterministic writer.

Every table metevo writes for users goes through :func:`write_tsv`, so floats are formatted
the same way everywhere (``%.10g``), missing values are empty cells, and row order is what
the caller sorted: reruns on the same inputs give byte-identical files.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from metevo.errors import InputError

FLOAT_FORMAT = "%.10g"


def open_text(path: str | os.PathLike) -> io.TextIOBase:
    """Open a text file, transparently decompressing gzip/bgzip (by magic bytes, not name)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            magic = fh.read(2)
    except FileNotFoundError:
        raise InputError("file does not exist", file=path) from None
    except IsADirectoryError:
        raise InputError("expected a file, found a directory", file=path) from None
    except PermissionError:
        raise InputError("file is not readable (permission denied)", file=path) from None
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")


def read_table(
    path: str | os.PathLike,
    *,
    sep: str | None = None,
    required: Sequence[str] = (),
    comment: str | None = None,
    what: str = "table",
) -> pd.DataFrame:
    """Read a delimited text table as strings (no type guessing).

    ``sep`` defaults to tab, or comma for ``.csv`` names. Lines starting with ``comment`` before
    the header are skipped. Raises :class:`InputError` for an empty file, a ragged row (naming
    its line), duplicated column names, or a missing required column. The returned frame has
    ``__line__`` column (file line of each row) and ``attrs['header_line']``.
    """
    path = Path(path)
    if sep is None:
        name = path.name.lower().removesuffix(".gz")
        sep = "," if name.endswith(".csv") else "\t"
    try:
        with open_text(path) as fh:
            text = fh.read()
    except UnicodeDecodeError:
        raise InputError(f"expected a UTF-8 text {what}, found binary or non-UTF-8 bytes", file=path) from None
    lines = text.splitlines()
    skipped = 0
    if comment:
        while skipped < len(lines) and lines[skipped].startswith(comment):
            skipped += 1
    body = lines[skipped:]
    while body and not body[-1].strip():
        body.pop()
    if not body or not body[0].strip():
        raise InputError(f"expected a header line naming the {what}'s columns, found an empty file", file=path, line=skipped + 1)
    rows = list(csv.reader(body, delimiter=sep))
    header = [h.strip() for h in rows[0]]
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0].lstrip("\ufeff")
    seen: set[str] = set()
    for name in header:
        if name == "":
            raise InputError("expected a name for every column, found an empty header cell", file=path, line=skipped + 1)
        if name in seen:
            raise InputError(f"column '{name}' appears twice in the header", file=path, line=skipped + 1, column=name)
        seen.add(name)
    for name in required:
        if name not in seen:
            raise InputError(
                f"missing required column '{name}' (header has: {', '.join(header)})",
                file=path,
                line=skipped + 1,
                column=name,
            )
    data = []
    for i, row in enumerate(rows[1:], start=skipped + 2):
        if not row or (len(row) == 1 and row[0].strip() == ""):
            continue
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} fields as in the header, found {len(row)}",
                file=path,
                line=i,
            )
        data.append([c.strip() for c in row] + [i])
    frame = pd.DataFrame(data, columns=header + ["__line__"], dtype=object)
    frame["__line__"] = frame["__line__"].astype("int64")
    frame.attrs["header_line"] = skipped + 1
    return frame


def write_tsv(frame: pd.DataFrame, path: str | os.PathLike, *, columns: Iterable[str] | None = None, header_lines: Sequence[str] = ()) -> None:
    """Write ``frame`` as TSV with stable formatting (see module docstring)."""
    if columns is not None:
        frame = frame.loc[:, list(columns)]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        for line in header_lines:
            fh.write(line.rstrip("\n") + "\n")
        frame.to_csv(fh, sep="\t", index=False, na_rep="", float_format=FLOAT_FORMAT, lineterminator="\n")
