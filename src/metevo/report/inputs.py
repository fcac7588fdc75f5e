"""Reading the report's inputs: steps' tables and output folders.

A folder option names a step's output folder; each file the step always writes must be there
(a missing one is one InputError naming it), files it writes only sometimes are read when
present.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from metevo.errors import InputError


def numeric_table(path: str | os.PathLike) -> pd.DataFrame:
    """A TSV/CSV table whose columns holding only numbers (and empty cells) are numeric."""
    from metevo.io.tables import read_table

    frame = read_table(path)
    frame = frame.drop(columns="__line__")
    for column in frame.columns:
        converted = pd.to_numeric(frame[column], errors="coerce")
        if converted.notna().sum() == (frame[column] != "").sum() and (frame[column] != "").any():
            frame[column] = converted
    return frame


def _folder(folder: str | os.PathLike, *, option: str, step: str) -> Path:
    path = Path(folder)
    if not path.is_dir():
        raise InputError(f"expected the output folder of metevo {step} ({option}), found no such folder", file=path)
    return path


def _missing(path: Path, *, option: str, step: str) -> InputError:
    return InputError(f"expected {path.name} of metevo {step} in the {option} folder, not found", file=path)


def read_step_folder(folder: str | os.PathLike, *, option: str, step: str, required: tuple[str, ...],
                     optional: tuple[str, ...] = ()) -> dict[str, pd.DataFrame]:
    """``{stem: table}`` of ``<stem>.tsv`` in ``folder``: every ``required`` stem, and the
    ``optional`` ones that exist."""
    path = _folder(folder, option=option, step=step)
    for stem in required:
        if not (path / f"{stem}.tsv").is_file():
            raise _missing(path / f"{stem}.tsv", option=option, step=step)
    stems = [*required, *(s for s in optional if (path / f"{s}.tsv").is_file())]
    return {stem: numeric_table(path / f"{stem}.tsv") for stem in stems}


def read_svg(path: str | os.PathLike) -> str:
    """An SVG file's ``<svg>...</svg>`` element (any XML prolog dropped), to inline in HTML."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("expected an SVG image (UTF-8 text), found binary bytes", file=path) from None
    start, end = text.find("<svg"), text.rfind("</svg>")
    if start < 0 or end < start:
        raise InputError("expected an SVG image, found no <svg> element", file=path, line=1)
    if "<script" in text[start:end].lower():
        raise InputError("expected a plain SVG image, found a <script> element", file=path)
    return text[start:end + len("</svg>")]


def read_outcome_folder(folder: str | os.PathLike, *, option: str = "--outcome",
                        survival: tuple[str, ...], outcome: tuple[str, ...],
                        outcome_optional: tuple[str, ...] = ()) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The tables and SVGs of a ``metevo outcome`` folder (``outcome.tsv`` ...: ``km_*.svg``,
    ``forest_*.svg``) or a ``metevo survival`` folder (``km.tsv`` ...: ``km.svg``,
    ``forest.svg``), told apart by ``outcome.tsv``."""
    path = _folder(folder, option=option, step="survival or metevo outcome")
    if (path / "outcome.tsv").is_file():
        tables = read_step_folder(path, option=option, step="outcome", required=outcome, optional=outcome_optional)
        names = sorted(p.name for p in path.glob("*.svg") if p.name.startswith(("forest_", "km_")))
        # forest plots first, then the curves, each in name order
        names = [n for n in names if n.startswith("forest_")] + [n for n in names if n.startswith("km_")]
    elif (path / "km.tsv").is_file():
        tables = read_step_folder(path, option=option, step="survival", required=survival)
        names = [n for n in ("km.svg", "forest.svg") if (path / n).is_file()]
    else:
        raise InputError(f"expected outcome.tsv of metevo outcome or km.tsv of metevo survival in the {option} folder, "
                         "found neither", file=path / "km.tsv")
    return tables, {name: read_svg(path / name) for name in names}
