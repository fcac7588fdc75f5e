"""Samplesheet and clinical table: parsed and checked against the JSON Schemas in ``assets/``.

The schemas (``metevo/data/schema_input.json``, ``schema_clinical.json``; ``assets/`` links to
them) are the single definition of both tables: nf-schema validates the samplesheet with the
same file in Nextflow. Cells are converted the way nf-schema converts them before validation
(empty cell = absent; numbers parsed where the schema says number/integer), so the same file
passes or fails identically in both executors.

Relative paths in the samplesheet are resolved against the samplesheet's own folder.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from metevo.callers import CALLERS
from metevo.errors import InputError
from metevo.io.tables import read_table

VCF_COLUMNS = tuple(f"vcf_{c}" for c in CALLERS)
CN_COLUMNS = ("bam", "bins", "wig", "segments")  # a sample's copy-number input: at most one
PATH_COLUMNS = VCF_COLUMNS + ("maf",) + CN_COLUMNS + ("germline_vcf",)
SAMPLE_TYPES = ("primary", "metastasis", "recurrence", "cfdna", "normal")
TUMOR_TYPES = ("primary", "metastasis", "recurrence")


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """``name``: 'input' or 'clinical'."""
    text = resources.files("metevo.data").joinpath(f"schema_{name}.json").read_text(encoding="utf-8")
    return json.loads(text)


def _coerce(value: str, spec: dict):
    types = spec.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    if "integer" in types:
        try:
            f = float(value)
            if math.isfinite(f) and f == int(f):
                return int(f)
        except ValueError:
            pass
    if "number" in types:
        try:
            f = float(value)
            if math.isfinite(f):
                return f
        except ValueError:
            pass
    return value


def _describe_violation(err, spec_props: dict) -> tuple[str | None, str]:
    """One human sentence for a jsonschema error, and the column it is about."""
    column = None
    if err.validator == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return missing, f"required value is missing (column '{missing}' must be filled)"
    if err.validator == "additionalProperties":
        extra = sorted(set(err.instance) - set(spec_props))
        name = extra[0] if extra else None
        return name, (
            f"unknown column '{name}'; allowed columns are: {', '.join(spec_props)}"
        )
    if err.path:
        column = str(list(err.path)[-1])
    spec = spec_props.get(column, {}) if column else {}
    custom = spec.get("errorMessage")
    got = err.instance
    if custom:
        return column, f"{custom}; got '{got}'"
    return column, f"{err.message}"


def _validate_rows(frame: pd.DataFrame, schema: dict, path: Path, what: str) -> list[dict]:
    import jsonschema

    props = schema["items"]["properties"]
    validator = jsonschema.Draft202012Validator(schema["items"])
    records: list[dict] = []
    for row in frame.to_dict(orient="records"):
        line = int(row.pop("__line__"))
        item = {}
        for key, value in row.items():
            if value == "":
                continue
            item[key] = _coerce(value, props[key]) if key in props else value
        errors = sorted(validator.iter_errors(item), key=lambda e: (list(e.path), e.validator))
        if errors:
            column, message = _describe_violation(errors[0], props)
            raise InputError(message, file=path, line=line, column=column)
        item["__line__"] = line
        records.append(item)
    if not records:
        raise InputError(f"expected at least one {what} row under the header, found none", file=path, line=2)
    return records


@dataclass(frozen=True)
class Samplesheet:
    """A validated samplesheet: ``rows`` keeps file order; ``base_dir`` resolves relative paths."""

    path: Path
    table: pd.DataFrame  # one row per sample; every schema column present ('' when empty); __line__

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def resolve(self, value: str) -> str:
        """A samplesheet path cell (one path) resolved against the samplesheet's folder."""
        if "://" in value or os.path.isabs(value):
            return value
        return os.path.normpath(os.path.join(self.base_dir, value))

    def paths(self, row: pd.Series, column: str) -> list[str]:
        """The resolved paths of a path column of a row ([] when the cell is empty)."""
        cell = row.get(column, "")
        if not isinstance(cell, str) or not cell:
            return []
        return [self.resolve(p.strip()) for p in cell.split(";") if p.strip()]

    def line_of(self, sample: str) -> int:
        return int(self.table.loc[self.table["sample"] == sample, "__line__"].iloc[0])


def read_samplesheet(path: str | os.PathLike) -> Samplesheet:
    """Parse and schema-check a samplesheet CSV. Cross-row and file checks: ``metevo.validate``."""
    path = Path(path)
    schema = load_schema("input")
    props = schema["items"]["properties"]
    frame = read_table(path, sep=",", what="samplesheet")
    for column in frame.columns:
        if column != "__line__" and column not in props:
            raise InputError(
                f"unknown column '{column}'; allowed columns are: {', '.join(props)}",
                file=path, line=frame.attrs.get("header_line", 1), column=column,
            )
    records = _validate_rows(frame, schema, path, "sample")
    table = pd.DataFrame.from_records(records)
    for column in props:
        if column not in table.columns:
            table[column] = ""
    table = table[list(props) + ["__line__"]]
    for column, spec in props.items():
        if spec.get("type") in ("number", "integer"):
            table[column] = pd.to_numeric(table[column].replace("", None), errors="coerce")
        else:
            table[column] = table[column].fillna("").astype(str)
    return Samplesheet(path=path, table=table.reset_index(drop=True))


def read_clinical(path: str | os.PathLike) -> pd.DataFrame:
    """Parse and schema-check a clinical CSV (one row per patient; extra columns are kept)."""
    path = Path(path)
    schema = load_schema("clinical")
    frame = read_table(path, sep=",", what="clinical table")
    records = _validate_rows(frame, schema, path, "patient")
    table = pd.DataFrame.from_records(records)
    columns = ["patient"] + [c for c in table.columns if c not in ("patient", "__line__")] + ["__line__"]
    return table[columns].reset_index(drop=True)
