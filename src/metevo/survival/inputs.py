"""Read and check the table of a survival analysis (one row per patient).

Cells read as missing: empty, ``NA``, ``NaN``, ``NULL`` (any case). Rows with a missing value
in a column an analysis uses are left out of that analysis (R's ``na.omit``) and counted.

* time: a number >= 0 (a negative, non-numeric or infinite time is an error);
* event: ``1``/``0``, or ``TRUE``/``FALSE`` (also ``T``/``F``, any case) for event/censored;
  anything else is an error (R's 1 = censored, 2 = dead coding is refused, since a 1 would mean
  the opposite in the two codings);
* group and strata: text labels;
* covariates: numeric when every non-missing value is a number, else categorical (text).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError

MISSING = frozenset({"", "na", "nan", "null", "n/a"})
_TRUE = frozenset({"1", "1.0", "true", "t"})
_FALSE = frozenset({"0", "0.0", "false", "f"})


def sniff_separator(path: str | os.PathLike) -> str:
    """Comma for ``.csv``, tab for ``.tsv``/``.txt``; otherwise the header decides (a tab
    wins over a comma)."""
    from metevo.io.tables import open_text

    name = Path(path).name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return ","
    if name.endswith((".tsv", ".txt", ".tab")):
        return "\t"
    with open_text(path) as fh:
        try:
            header = fh.readline()
        except UnicodeDecodeError:
            return "\t"
    return "\t" if "\t" in header or "," not in header else ","


def is_missing(value: str) -> bool:
    return value.strip().lower() in MISSING


def read_survival_table(path: str | os.PathLike, *, time: str, event: str, group: str | None = None,
                        covariates: Sequence[str] = (), strata: str | None = None) -> pd.DataFrame:
    """The columns an analysis names, typed: ``time`` float (NaN missing), ``event`` float 0/1
    (NaN missing), group/strata as text (None missing), covariates float or text. Keeps
    ``__line__`` (file line of each row). Raises :class:`InputError` naming file, line and
    column for a missing column or a bad value."""
    from metevo.io.tables import read_table

    needed = [time, event, *([group] if group else []), *covariates, *([strata] if strata else [])]
    frame = read_table(path, sep=sniff_separator(path), required=needed, what="survival table")
    out = pd.DataFrame({"__line__": frame["__line__"].to_numpy()})
    lines = frame["__line__"].to_numpy()

    def bad(i: int, column: str, message: str) -> InputError:
        return InputError(message, file=path, line=int(lines[i]), column=column)

    times = np.full(len(frame), np.nan)
    for i, cell in enumerate(frame[time].tolist()):
        if is_missing(cell):
            continue
        try:
            value = float(cell)
        except ValueError:
            raise bad(i, time, f"expected a survival time (a number >= 0), found '{cell}'") from None
        if not math.isfinite(value) or value < 0:
            raise bad(i, time, f"expected a survival time (a finite number >= 0), found '{cell}'")
        times[i] = value
    out[time] = times

    events = np.full(len(frame), np.nan)
    for i, cell in enumerate(frame[event].tolist()):
        if is_missing(cell):
            continue
        key = cell.strip().lower()
        if key in _TRUE:
            events[i] = 1.0
        elif key in _FALSE:
            events[i] = 0.0
        else:
            raise bad(i, event, f"expected an event status 1 (event) or 0 (censored), or TRUE/FALSE, found '{cell}'"
                                + (" (recode R's 1/2 censored/dead as 0/1)" if key == "2" else ""))
    out[event] = events

    for column in [c for c in (group, strata) if c]:
        out[column] = [None if is_missing(c) else c for c in frame[column].tolist()]

    for column in covariates:
        cells = frame[column].tolist()
        present = [c for c in cells if not is_missing(c)]
        try:
            numbers = [math.nan if is_missing(c) else float(c) for c in cells]
            numeric = all(math.isfinite(v) for v, c in zip(numbers, cells) if not is_missing(c))
        except ValueError:
            numeric = False
        if numeric and present:
            out[column] = np.asarray(numbers, dtype=float)
        else:
            out[column] = pd.Series([None if is_missing(c) else c for c in cells], dtype=object)
    return out
