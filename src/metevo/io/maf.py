"""MAF files: read GDC / cBioPortal / maftools-style MAFs, write metevo's MAF.

Reading follows maftools ``read.maf``/``validateMaf`` (PoisonAlien/maftools) where it makes a
choice: ``#`` comment lines before the header are skipped, column names are matched without
regard to case (``Start_position`` is ``Start_Position``), and the allele that is the
mutation is ``Tumor_Seq_Allele2``. cBioPortal MAFs may leave Allele2 empty or equal to the
reference and put the mutation in ``Tumor_Seq_Allele1``; then Allele1 is used (cBioPortal
``MafUtil.resolveTumorSeqAllele``). Chromosome names are harmonised (no ``chr``, ``MT``).
Bad input is an :class:`InputError` naming the file, line and column.

Writing (:func:`write_maf`) produces the metevo MAF of docs/architecture.md: ``#version 2.4``,
the columns of :data:`MAF_COLUMNS` in that order (then any extra columns), rows sorted by
chromosome (1..22, X, Y, MT, others), start, end, alleles and sample, integers without
decimals, floats as ``%.10g``, missing values empty.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.io.tables import FLOAT_FORMAT, read_table
from metevo.variants import chrom_sort_key, harmonise_chrom

MAF_COLUMNS: tuple[str, ...] = (
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position", "End_Position",
    "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1",
    "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "HGVSp_Short", "Transcript_ID",
    "Consequence", "t_depth", "t_ref_count", "t_alt_count", "t_vaf", "n_depth", "n_ref_count", "n_alt_count",
    "callers", "n_callers",
)
INTEGER_COLUMNS = ("Start_Position", "End_Position", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count", "n_callers")
FLOAT_COLUMNS = ("t_vaf",)
# maftools validateMaf's required fields
MAFTOOLS_REQUIRED = (
    "Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele", "Tumor_Seq_Allele2",
    "Variant_Classification", "Variant_Type", "Tumor_Sample_Barcode",
)
# what a variant's identity needs; everything else can be derived or left empty
VARIANT_REQUIRED = ("Chromosome", "Start_Position", "Reference_Allele", "Tumor_Sample_Barcode")
_SORT_COLUMNS = ("Chromosome", "Start_Position", "End_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode")
_KNOWN = tuple(dict.fromkeys(MAF_COLUMNS + MAFTOOLS_REQUIRED + ("Mutation_Status", "t_alt_count", "HGVSp", "HGVSc")))


def _canonical_names(header: Sequence[str]) -> dict[str, str]:
    """Header name -> canonical MAF name for names that differ only in case."""
    by_lower = {name.lower(): name for name in _KNOWN}
    out = {}
    taken = set(header)
    for name in header:
        canon = by_lower.get(name.lower())
        if canon and canon != name and canon not in taken:
            out[name] = canon
            taken.add(canon)
    return out


def read_maf(path: str | os.PathLike, *, required: Sequence[str] = VARIANT_REQUIRED) -> pd.DataFrame:
    """A MAF as strings, with canonical column names and checked positions.

    Returned columns: every column of the file (case-variant standard names renamed to the
    canonical spelling), plus, when absent, the standard columns of :data:`MAF_COLUMNS`
    (empty, or derived: ``End_Position`` and ``Variant_Type`` from the alleles). Also:
    ``Chromosome`` harmonised; ``Tumor_Seq_Allele2`` set to the mutated allele (Allele1 when
    Allele2 is empty or the reference); ``Start_Position``/``End_Position`` as int64;
    ``__line__`` the file line of each row. ``required`` columns must be present (after
    case-insensitive matching) or an :class:`InputError` names the first missing one.
    """
    path = Path(path)
    frame = read_table(path, sep="\t", comment="#", what="MAF")
    header_line = int(frame["__line__"].iloc[0]) - 1 if len(frame) else _header_line(path)
    frame = frame.rename(columns=_canonical_names([c for c in frame.columns if c != "__line__"]))
    present = set(frame.columns)
    for name in required:
        if name == "Tumor_Seq_Allele2" and "Tumor_Seq_Allele1" in present:
            continue
        if name not in present:
            shown = ", ".join(c for c in frame.columns if c != "__line__")
            raise InputError(f"missing required MAF column '{name}' (header has: {shown})", file=path, line=header_line, column=name)
    if "Tumor_Seq_Allele2" not in present and "Tumor_Seq_Allele1" not in present:
        raise InputError("missing MAF column 'Tumor_Seq_Allele2' (and no Tumor_Seq_Allele1 to use instead)", file=path, line=header_line, column="Tumor_Seq_Allele2")
    lines = frame["__line__"].to_numpy()
    starts = _positions(frame["Start_Position"].tolist(), lines, path, "Start_Position")
    ref = [r.upper() for r in frame["Reference_Allele"].tolist()]
    a2 = [a.upper() for a in frame["Tumor_Seq_Allele2"].tolist()] if "Tumor_Seq_Allele2" in present else [""] * len(frame)
    a1 = [a.upper() for a in frame["Tumor_Seq_Allele1"].tolist()] if "Tumor_Seq_Allele1" in present else [""] * len(frame)
    alt = []
    for i, (r, x2, x1) in enumerate(zip(ref, a2, a1)):
        if x2 and x2 != r:
            chosen = x2
        elif x1 and x1 != r:
            chosen = x1
        else:
            raise InputError(
                f"no mutated allele: Tumor_Seq_Allele2 '{x2}' and Tumor_Seq_Allele1 '{x1}' are empty or equal Reference_Allele '{r}'",
                file=path, line=int(lines[i]), column="Tumor_Seq_Allele2",
            )
        for name, allele in (("Reference_Allele", r), ("Tumor_Seq_Allele2", chosen)):
            if not allele or not (allele == "-" or set(allele) <= set("ACGTN")):
                raise InputError(f"expected an allele of A, C, G, T, N or '-', found '{allele}'", file=path, line=int(lines[i]), column=name)
        alt.append(chosen)
    frame["Reference_Allele"] = ref
    frame["Tumor_Seq_Allele2"] = alt
    chrom = frame["Chromosome"].tolist()
    for i, c in enumerate(chrom):
        if not c:
            raise InputError("expected a chromosome name, found an empty cell", file=path, line=int(lines[i]), column="Chromosome")
    mapping = {c: harmonise_chrom(c) for c in set(chrom)}
    frame["Chromosome"] = [mapping[c] for c in chrom]
    frame["Start_Position"] = starts
    if "End_Position" in present:
        frame["End_Position"] = _positions(frame["End_Position"].tolist(), lines, path, "End_Position")
        bad = np.flatnonzero(frame["End_Position"].to_numpy() < starts)
        if len(bad):
            i = int(bad[0])
            raise InputError(f"End_Position {frame['End_Position'].iat[i]} is before Start_Position {starts[i]}", file=path, line=int(lines[i]), column="End_Position")
    else:
        frame["End_Position"] = [_maf_end(s, r, a) for s, r, a in zip(starts.tolist(), ref, alt)]
    if "Variant_Type" not in present:
        frame["Variant_Type"] = [_maf_type(r, a) for r, a in zip(ref, alt)]
    for name in MAF_COLUMNS:
        if name not in frame.columns:
            frame[name] = ""
    return frame


def _header_line(path: Path) -> int:
    from metevo.io.tables import open_text

    with open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            if not line.startswith("#"):
                return number
    return 1


def _positions(values: list[str], lines: np.ndarray, path: Path, column: str) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.int64)
    for i, value in enumerate(values):
        try:
            number = int(value)
        except ValueError:
            try:
                as_float = float(value)
                number = int(as_float) if as_float.is_integer() else -1
            except ValueError:
                number = -1
        if number < 1:
            raise InputError(f"expected a positive integer position, found '{value}'", file=path, line=int(lines[i]), column=column)
        out[i] = number
    return out


def _maf_type(ref: str, alt: str) -> str:
    if ref == "-":
        return "INS"
    if alt == "-":
        return "DEL"
    if len(ref) == len(alt):
        return {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")
    return "INS" if len(ref) < len(alt) else "DEL"


def _maf_end(start: int, ref: str, alt: str) -> int:
    if ref == "-":
        return start + 1
    return start + len(ref) - 1


def maf_sort_order(frame: pd.DataFrame) -> np.ndarray:
    """Row order of docs/architecture.md: chromosome (1..22, X, Y, MT, others), start, end, alleles, sample."""
    if not len(frame):
        return np.zeros(0, dtype=np.int64)
    keys = []
    for name in reversed(_SORT_COLUMNS):
        if name not in frame.columns:
            continue
        values = frame[name]
        if name == "Chromosome":
            uniq = sorted(set(values.tolist()), key=chrom_sort_key)
            rank = {c: i for i, c in enumerate(uniq)}
            keys.append(np.array([rank[c] for c in values.tolist()], dtype=np.int64))
        elif name in ("Start_Position", "End_Position"):
            keys.append(pd.to_numeric(values, errors="coerce").fillna(-1).to_numpy(dtype=np.int64))
        else:
            codes, uniques = pd.factorize(values.astype(str), sort=True)
            keys.append(codes)
    return np.lexsort(keys)


_SMALL_INTS = np.array([str(i) for i in range(20000)], dtype=object)


def _cells(values: pd.Series) -> list[str]:
    """Text cells of one column: integers plainly, floats as %.10g, booleans TRUE/FALSE,
    missing values empty."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return ["" if v is pd.NA else ("TRUE" if v else "FALSE") for v in values.tolist()]
    if pd.api.types.is_integer_dtype(dtype):
        array = values.array
        mask = np.asarray(array.isna()) if hasattr(array, "isna") else np.zeros(len(values), bool)
        numbers = values.to_numpy(dtype=np.int64, na_value=0)
        if len(numbers) and 0 <= numbers.min() and numbers.max() < len(_SMALL_INTS):
            cells = _SMALL_INTS[numbers]  # read counts: a table lookup instead of str() per cell
            cells[mask] = ""
            return cells.tolist()
        cells = list(map(str, numbers.tolist()))
        for i in np.flatnonzero(mask).tolist():
            cells[i] = ""
        return cells
    if pd.api.types.is_float_dtype(dtype):
        return ["" if v != v else FLOAT_FORMAT % v for v in values.to_numpy(dtype=float, na_value=np.nan).tolist()]
    if pd.api.types.is_string_dtype(dtype) and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        return values.to_numpy(dtype=object, na_value="").tolist()
    return ["" if v is None or v is pd.NA or (isinstance(v, float) and v != v) else str(v) for v in values.tolist()]


def write_maf(frame: pd.DataFrame, path: str | os.PathLike, *, extra_columns: Sequence[str] | None = None) -> None:
    """Write ``frame`` as a metevo MAF (see module docstring).

    Columns of :data:`MAF_COLUMNS` absent from ``frame`` are written empty; ``extra_columns``
    (default: every other column of ``frame`` except those starting with ``_``, in frame
    order) follow them. Rows are sorted by :func:`maf_sort_order`.
    """
    if extra_columns is None:
        extra_columns = [c for c in frame.columns if c not in MAF_COLUMNS and not str(c).startswith("_")]
    columns = list(MAF_COLUMNS) + [c for c in extra_columns if c not in MAF_COLUMNS]
    order = maf_sort_order(frame)
    if not np.array_equal(order, np.arange(len(order))):
        frame = frame.iloc[order].reset_index(drop=True)
    n = len(frame)
    cells = [_cells(frame[name]) if name in frame.columns else [""] * n for name in columns]
    # runs of columns holding one value on every row are joined once, not once per row
    merged: list[list[str]] = []
    run: list[str] = []
    for column in cells:
        if n and column.count(column[0]) == n:
            run.append(column[0])
            continue
        if run:
            merged.append(["\t".join(run)] * n)
            run = []
        merged.append(column)
    if run:
        merged.append(["\t".join(run)] * n)
    body = "\n".join(map("\t".join, zip(*merged))) if n else ""
    if body.count("\n") != max(n - 1, 0) or body.count("\t") != n * (len(columns) - 1):
        raise ValueError("cannot write the MAF: a value contains a tab or a newline")  # a bug upstream, not bad input
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("#version 2.4\n")
        fh.write("\t".join(columns) + "\n")
        if n:
            fh.write(body)
            fh.write("\n")


_BUILD_ALIASES = {"37": "hg19", "grch37": "hg19", "hg19": "hg19", "b37": "hg19", "38": "hg38", "grch38": "hg38", "hg38": "hg38"}


def ncbi_build(frame: pd.DataFrame, *, path: str | os.PathLike) -> str | None:
    """Genome build of MAF rows from ``NCBI_Build`` ('hg19' | 'hg38' | None when absent or
    unrecognised). Values 37/GRCh37/hg19 and 38/GRCh38/hg38 are recognised; rows mixing the
    two are an :class:`InputError` naming the first row of the second build."""
    if "NCBI_Build" not in frame.columns:
        return None
    seen = None
    lines = frame["__line__"].tolist() if "__line__" in frame.columns else [None] * len(frame)
    for value, line in zip(frame["NCBI_Build"].tolist(), lines):
        build = _BUILD_ALIASES.get(str(value).strip().lower())
        if build is None:
            continue
        if seen is None:
            seen = build
        elif build != seen:
            raise InputError(f"NCBI_Build mixes genome builds ({seen} above, {build} here)",
                             file=path, line=int(line) if line is not None else None, column="NCBI_Build")
    return seen
