"""Outcome by alteration status (``metevo outcome``): progression-free and overall survival by
pathway and gene status of each patient, the anti-HER2 subgroup, and the external primary
cohort's overall survival by the genes enriched in metastases.

A **patient's status** is read from its profiled tumour samples (the samples of
``metevo oncogenic``'s ``pathway_status.tsv``). By default (``status_from="metastasis"``) only its
metastasis and recurrence samples count: the clinical times of a metastatic cohort run from
metastatic disease, and the planted and published effects (MAPK alterations and shorter PFS on
anti-HER2 therapy) are properties of the metastasis. A patient without a profiled metastasis
then has no status and is left out (counted in the notes). ``status_from="any"`` reads every
tumour sample (primary, metastasis, recurrence). Either way a patient is altered if **any** of
its counted samples is.

Features (0/1 per patient):

* each pathway of the pathway table by its label (``MAPK-altered`` for RTK-RAS, otherwise
  ``<pathway>-altered``). ``MAPK-altered`` leaves out ERBB2 amplification: it defines HER2+
  disease (a covariate of its own) rather than MAPK activation; ERBB2 mutations count;
* genes: those altered in at least ``min_altered`` analysed patients, or a given list (the
  genes ``metevo enrichment`` found gained in metastases). A gene is altered by an oncogenic
  alteration (``gene_status="oncogenic"``: the ``oncogenic`` column of alterations.tsv,
  mutations and copy number) or by any non-synonymous mutation (``"mutated"``, how
  ``metevo enrichment`` counts).

Covariates (per patient): ``hr_status`` and ``her2_status`` (samplesheet receptor statuses of
the counted samples, agreed; else of all the patient's tumour samples), ``subtype`` (the
clinical table's subtype, else from the receptor statuses), ``erbb2_amplification`` (an ERBB2
amplification in alterations.tsv; unknown when the table has no copy-number rows at all),
``pi3k_altered`` (the PI3K pathway status), and any clinical column.

The survival statistics are :func:`metevo.survival.outcome.outcome_by_feature` (R survival
semantics: Efron Cox, log-rank, KM medians) and :func:`metevo.survival.cox.cox_zph`; q-values
are BH over the features of one endpoint and subgroup. Readers raise :class:`InputError`;
everything else is pure (tables in, tables and SVG text out). Method: docs/outcome.md.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError
from metevo.survival.outcome import OUTCOME_COLUMNS

MAPK_LABEL = "MAPK-altered"
MAPK_PATHWAY = "RTK-RAS"
PI3K_PATHWAY = "PI3K"
STATUS_FROM = ("metastasis", "any")
GENE_STATUS = ("oncogenic", "mutated")
LATER_TYPES = ("metastasis", "recurrence")
TUMOUR_TYPES = ("primary", "metastasis", "recurrence")
ENDPOINTS = ("pfs", "os")
DERIVED_COVARIATES = ("hr_status", "her2_status", "subtype", "erbb2_amplification", "pi3k_altered")
ANTI_HER2_SUBGROUP = "anti_her2=yes"
ALL = "all"

# outcome_by_feature's columns, with the endpoint and subgroup first and the feature's type after it
RESULT_COLUMNS = ["endpoint", "subgroup", "feature", "feature_type", *OUTCOME_COLUMNS[1:]]
PH_COLUMNS = ["endpoint", "subgroup", "feature", "model", "term", "chisq", "df", "p", "note"]
STATUS_COLUMNS = ("patient", "sample", "sample_type", "pathway", "label", "altered", "n_altered_genes", "altered_genes")


# ------------------------------------------------------------------------------ readers


def read_pathway_status(path: str | os.PathLike) -> pd.DataFrame:
    """``pathway_status.tsv`` of ``metevo oncogenic``, checked (``__line__`` kept; ``altered`` int)."""
    from metevo.io.tables import read_table

    frame = read_table(path, sep="\t", required=STATUS_COLUMNS, what="pathway status table")
    lines = frame["__line__"].to_numpy()
    bad = np.flatnonzero(~frame["altered"].isin(("0", "1")).to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputError(f"expected 0 or 1, found '{frame['altered'].iat[i]}'", file=path, line=int(lines[i]),
                         column="altered")
    for name in ("patient", "sample", "pathway", "label"):
        empty = np.flatnonzero((frame[name] == "").to_numpy())
        if len(empty):
            raise InputError(f"expected a {name}, found an empty cell", file=path, line=int(lines[empty[0]]), column=name)
    frame["altered"] = frame["altered"].astype(np.int64)
    return frame


def read_enriched_genes(path: str | os.PathLike) -> list[str]:
    """Genes of ``metevo enrichment``'s ``enriched.tsv`` gained in metastases: rows with
    ``direction`` ``metastasis`` (every row when the table has no ``direction`` column), in
    file order."""
    from metevo.io.tables import read_table

    frame = read_table(path, sep="\t", required=("gene",), what="enriched gene table")
    genes = []
    for gene, line, direction in zip(frame["gene"], frame["__line__"],
                                     frame["direction"] if "direction" in frame.columns else [""] * len(frame)):
        if not gene:
            raise InputError("expected a gene, found an empty cell", file=path, line=int(line), column="gene")
        if "direction" in frame.columns and direction not in ("metastasis", "primary", "mixed"):
            raise InputError(f"expected metastasis, primary or mixed, found '{direction}'", file=path, line=int(line),
                             column="direction")
        if direction in ("metastasis", "") and gene not in genes:
            genes.append(gene)
    return genes


def _times(cells: Sequence[str], lines: Sequence[int], *, path, column: str) -> np.ndarray:
    from metevo.survival.inputs import is_missing

    out = np.full(len(cells), np.nan)
    for i, cell in enumerate(cells):
        if is_missing(cell):
            continue
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise InputError(f"expected a survival time (a finite number >= 0), found '{cell}'", file=path,
                             line=int(lines[i]), column=column)
        out[i] = value
    return out


def _events(cells: Sequence[str], lines: Sequence[int], *, path, column: str) -> np.ndarray:
    from metevo.survival.inputs import is_missing

    out = np.full(len(cells), np.nan)
    for i, cell in enumerate(cells):
        if is_missing(cell):
            continue
        key = cell.strip().lower()
        if key in ("1", "1.0", "true", "t"):
            out[i] = 1.0
        elif key in ("0", "0.0", "false", "f"):
            out[i] = 0.0
        else:
            raise InputError(f"expected an event status 1 (event) or 0 (censored), or TRUE/FALSE, found '{cell}'",
                             file=path, line=int(lines[i]), column=column)
    return out


def read_external_clinical(path: str | os.PathLike, samples: Sequence[str]) -> pd.DataFrame:
    """The external cohort's clinical table (TSV or CSV, ``#`` lines skipped): index = sample
    id (first column named ``Tumor_Sample_Barcode``, ``sample``, ``sample_id``, any case),
    columns ``os_time``, ``os_event`` (floats, NaN missing) and ``subtype`` ('' unknown; from
    a subtype column or ER/PR/HER2 columns as in ``metevo enrichment``, '' when there are none).
    Rows of samples outside ``samples`` are dropped; a table sharing none is an error."""
    from metevo import enrichment as E
    from metevo.io.tables import read_table
    from metevo.survival.inputs import sniff_separator

    table = read_table(path, sep=sniff_separator(path), comment="#", what="external clinical table")
    columns = [c for c in table.columns if c != "__line__"]
    header_line = table.attrs.get("header_line", 1)
    found = {}
    for name in ("os_time", "os_event"):
        found[name] = E._find(columns, (name,))
        if found[name] is None:
            raise InputError(f"missing required column '{name}' (header has: {', '.join(columns)})", file=path,
                             line=header_line, column=name)
    has_subtype = E._find(columns, E.SUBTYPE_COLUMN_NAMES) is not None or all(
        E._find(columns, E.RECEPTOR_COLUMN_NAMES[k]) is not None for k in ("er", "pr", "her2"))
    if has_subtype:
        subtypes, _ = E.external_subtypes(table, path=path, samples=samples)  # also checks ids and duplicates
    else:
        subtypes = {}
        id_column = E._find(columns, E.SAMPLE_COLUMN_NAMES)
        if id_column is None:
            raise InputError(f"expected a sample id column ({', '.join(E.SAMPLE_COLUMN_NAMES)}), found: "
                             f"{', '.join(columns)}", file=path, line=header_line, column=E.SAMPLE_COLUMN_NAMES[0])
        seen: dict[str, int] = {}
        for sample, line in zip(table[id_column].str.strip(), table["__line__"]):
            if sample in seen:
                raise InputError(f"sample '{sample}' has two rows (first on line {seen[sample]})", file=path,
                                 line=int(line), column=id_column)
            seen[sample] = int(line)
        if not set(samples) & seen.keys():
            raise InputError("no sample of the external cohort is in the table; do the ids use the MAF's "
                             "Tumor_Sample_Barcode spelling?", file=path, line=header_line + 1, column=id_column)
    id_column = E._find(columns, E.SAMPLE_COLUMN_NAMES)
    lines = table["__line__"].tolist()
    out = pd.DataFrame({
        "os_time": _times(table[found["os_time"]].tolist(), lines, path=path, column=found["os_time"]),
        "os_event": _events(table[found["os_event"]].tolist(), lines, path=path, column=found["os_event"]),
    }, index=pd.Index(table[id_column].str.strip(), name="sample"))
    out["subtype"] = [subtypes.get(s, "") for s in out.index]
    wanted = frozenset(samples)
    return out[out.index.isin(wanted)].sort_index()


def check_samples(frame: pd.DataFrame, sheet: pd.DataFrame, *, path, what: str) -> None:
    """Every sample of ``frame`` (alterations or pathway status) is in the samplesheet, under
    the same patient."""
    patient_of = dict(zip(sheet["sample"], sheet["patient"]))
    for sample, patient, line in zip(frame["sample"], frame["patient"], frame["__line__"]):
        if sample not in patient_of:
            raise InputError(f"sample '{sample}' of the {what} is not in the samplesheet", file=path, line=int(line),
                             column="sample")
        if patient and patient != patient_of[sample]:
            raise InputError(f"sample '{sample}' belongs to patient '{patient_of[sample]}' in the samplesheet, "
                             f"not '{patient}'", file=path, line=int(line), column="patient")


def clinical_frame(clinical: pd.DataFrame, *, path) -> pd.DataFrame:
    """The clinical table (``metevo.io.samplesheet.read_clinical``) indexed by patient: a
    patient twice is an error; ``subtype`` normalised (HR+/HER2-, HER2+, TNBC, '' unknown; an
    unknown spelling is an error), ``*_time``/``*_event`` as floats (NaN missing)."""
    from metevo import enrichment as E

    seen: dict[str, int] = {}
    for patient, line in zip(clinical["patient"], clinical["__line__"]):
        if patient in seen:
            raise InputError(f"patient '{patient}' has two rows (first on line {seen[patient]})", file=path,
                             line=int(line), column="patient")
        seen[patient] = int(line)
    frame = clinical.set_index("patient", drop=True)
    frame.index = frame.index.astype(str)
    if "subtype" in frame.columns:
        frame["subtype"] = E.subtypes_from_values(frame["subtype"].fillna("").astype(str).tolist(),
                                                  frame["__line__"].tolist(), path=path, column="subtype")
    for endpoint in ENDPOINTS:
        for part in ("time", "event"):
            column = f"{endpoint}_{part}"
            if column in frame.columns:
                frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


# ------------------------------------------------------------------------------ patient status


def counted_samples(status: pd.DataFrame, *, status_from: str = "metastasis") -> pd.DataFrame:
    """patient, sample, sample_type of the profiled tumour samples whose status counts."""
    if status_from not in STATUS_FROM:
        raise ValueError(f"status_from must be one of {', '.join(STATUS_FROM)}")
    types = LATER_TYPES if status_from == "metastasis" else TUMOUR_TYPES
    samples = status.loc[status["sample_type"].isin(types), ["patient", "sample", "sample_type"]]
    return samples.drop_duplicates("sample").sort_values(["patient", "sample"], kind="mergesort").reset_index(drop=True)


def pathway_features(status: pd.DataFrame, alterations: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Patients (of ``samples``) x pathway labels, 1.0 when any counted sample has the pathway
    altered. MAPK-altered (RTK-RAS) leaves out ERBB2 when the sample's only oncogenic ERBB2
    alterations are amplifications. Columns sorted by pathway name, as ``metevo oncogenic``."""
    rows = status[status["sample"].isin(frozenset(samples["sample"]))]
    onco = alterations[alterations["oncogenic"].astype(int) == 1]
    erbb2_mutated = set(onco.loc[(onco["gene"] == "ERBB2") & (onco["alteration"] == "mutation"), "sample"])
    altered = rows["altered"].astype(int).to_numpy().copy()
    mapk = (rows["pathway"] == MAPK_PATHWAY).to_numpy()
    for i in np.flatnonzero(mapk & (altered == 1)):
        genes = set(filter(None, str(rows["altered_genes"].iat[i]).split(",")))
        if "ERBB2" in genes and rows["sample"].iat[i] not in erbb2_mutated:
            genes.discard("ERBB2")
        altered[i] = int(bool(genes))
    frame = rows.assign(altered=altered)
    labels = dict(zip(frame["pathway"], frame["label"]))
    wide = frame.pivot_table(index="patient", columns="pathway", values="altered", aggfunc="max")
    patients = sorted(set(samples["patient"]))
    wide = wide.reindex(index=patients, columns=sorted(labels)).astype(float)
    wide.columns = [labels[p] for p in wide.columns]
    wide.index.name = "patient"
    return wide


def gene_features(alterations: pd.DataFrame, samples: pd.DataFrame, patients: Sequence[str], *,
                  gene_status: str = "oncogenic", min_altered: int = 3, genes: Sequence[str] | None = None) -> pd.DataFrame:
    """``patients`` x genes, 1.0 when a counted sample of the patient has the gene altered
    (``gene_status``), 0.0 otherwise, NaN for a patient without counted samples. ``genes``
    given: those genes in that order; else the genes altered in at least ``min_altered`` of
    ``patients``, sorted."""
    if gene_status not in GENE_STATUS:
        raise ValueError(f"gene_status must be one of {', '.join(GENE_STATUS)}")
    if gene_status == "oncogenic":
        rows = alterations[alterations["oncogenic"].astype(int) == 1]
    else:
        rows = alterations[alterations["alteration"] == "mutation"]
    patient_of = dict(zip(samples["sample"], samples["patient"]))
    rows = rows[rows["sample"].isin(patient_of.keys())]
    pairs = pd.DataFrame({"patient": rows["sample"].map(patient_of), "gene": rows["gene"]}).drop_duplicates()
    patients = list(patients)
    pairs = pairs[pairs["patient"].isin(frozenset(patients))]
    if genes is None:
        counts = pairs.groupby("gene").size()
        genes = sorted(counts.index[counts >= min_altered])
    profiled = frozenset(samples["patient"])
    out = pd.DataFrame(0.0, index=pd.Index(patients, name="patient"), columns=list(genes))
    for patient, gene in zip(pairs["patient"], pairs["gene"]):
        if gene in out.columns:
            out.at[patient, gene] = 1.0
    out.loc[[p not in profiled for p in patients], :] = np.nan
    return out


def _agreed(values: Iterable[str]) -> str:
    known = {v for v in values if v}
    return known.pop() if len(known) == 1 else ""


def patient_covariates(samples: pd.DataFrame, sheet: pd.DataFrame, clinical: pd.DataFrame, alterations: pd.DataFrame,
                       pathways: pd.DataFrame) -> pd.DataFrame:
    """Covariates of the clinical table's patients (index): ``hr_status``, ``her2_status``
    ('positive'/'negative', None unknown), ``subtype`` (None unknown), ``erbb2_amplification``
    and ``pi3k_altered`` (1.0/0.0, NaN unknown); see the module docstring."""
    from metevo import enrichment as E

    tumours = sheet[sheet["sample_type"].isin(TUMOUR_TYPES)].copy()
    for column in ("er_status", "pr_status", "her2_status"):
        if column not in tumours.columns:
            tumours[column] = ""
        tumours[column] = [E.receptor_status(v) for v in tumours[column].fillna("").astype(str)]
    tumours["hr"] = ["positive" if "positive" in (er, pr) else "negative" if er == pr == "negative" else ""
                     for er, pr in zip(tumours["er_status"], tumours["pr_status"])]
    counted = frozenset(samples["sample"])
    by_patient = {p: g for p, g in tumours.groupby("patient", sort=False)}
    patients = list(clinical.index)
    hr, her2, subtype = [], [], []
    given = clinical["subtype"] if "subtype" in clinical.columns else pd.Series("", index=clinical.index)
    for patient in patients:
        rows = by_patient.get(patient)
        values = {}
        for key in ("hr", "her2_status"):
            if rows is None:
                values[key] = ""
                continue
            own = _agreed(rows.loc[rows["sample"].isin(counted), key])
            values[key] = own or _agreed(rows[key])
        hr.append(values["hr"] or None)
        her2.append(values["her2_status"] or None)
        derived = E.receptor_subtype(values["hr"], values["hr"], values["her2_status"])
        subtype.append(str(given.get(patient, "") or "") or derived or None)
    out = pd.DataFrame({"hr_status": pd.Series(hr, index=patients, dtype=object),
                        "her2_status": pd.Series(her2, index=patients, dtype=object),
                        "subtype": pd.Series(subtype, index=patients, dtype=object)}, index=pd.Index(patients, name="patient"))
    has_cn = alterations["alteration"].isin(("amplification", "deletion")).any()
    amp = alterations[(alterations["gene"] == "ERBB2") & (alterations["alteration"] == "amplification")
                      & alterations["sample"].isin(counted)]
    amplified = set(samples.loc[samples["sample"].isin(set(amp["sample"])), "patient"])
    profiled = set(samples["patient"])
    out["erbb2_amplification"] = [(1.0 if p in amplified else 0.0) if has_cn and p in profiled else np.nan
                                  for p in patients]
    pi3k = f"{PI3K_PATHWAY}-altered"
    out["pi3k_altered"] = pathways[pi3k].reindex(patients).to_numpy(dtype=float) if pi3k in pathways.columns else np.nan
    return out


# ------------------------------------------------------------------------------ survival tables


@dataclass
class Features:
    """The status of every analysed feature (patients x features, 0/1/NaN), its type
    (``pathway``, ``gene_oncogenic``, ``gene_mutated``) and the covariates a feature must not
    be adjusted for (its own definition)."""

    matrix: pd.DataFrame
    types: dict[str, str]
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)


def build_features(pathways: pd.DataFrame, genes: pd.DataFrame, *, gene_status: str) -> Features:
    matrix = pd.concat([pathways, genes.reindex(pathways.index)], axis=1) if len(genes.columns) else pathways.copy()
    if matrix.columns.duplicated().any():
        raise ValueError(f"feature named twice: {matrix.columns[matrix.columns.duplicated()][0]}")
    types = {c: "pathway" for c in pathways.columns}
    types.update({c: f"gene_{gene_status}" for c in genes.columns})
    exclude = {f"{PI3K_PATHWAY}-altered": ("pi3k_altered",), "ERBB2": ("erbb2_amplification",)}
    return Features(matrix, types, {k: v for k, v in exclude.items() if k in matrix.columns})


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _zph_rows(fit, model: str) -> list[dict]:
    from metevo.survival.cox import cox_zph, zph_notes

    if fit.events == 0 or fit.singular.all():
        return [{"model": model, "term": "GLOBAL", "note": fit.note or "no estimable coefficient"}]
    table = cox_zph(fit)
    notes = zph_notes(fit)
    return [{"model": model, "term": r.term, "chisq": r.chisq, "df": r.df, "p": r.p, "note": "; ".join(notes)}
            for r in table.itertuples(index=False)]


def ph_tests(data: pd.DataFrame, time: str, event: str, feature: str, covariates: Sequence[str]) -> list[dict]:
    """cox.zph of the univariable and (with covariates) the adjusted model of one feature,
    on the rows complete for each model (as :func:`outcome_by_feature` fits them)."""
    from metevo.survival.cox import coxph

    rows = []
    uni = data[[time, event, feature]].dropna()
    if len(uni):
        fit = coxph(uni[time].to_numpy(float), uni[event].to_numpy(float), uni[[feature]].astype(float))
        rows += _zph_rows(fit, "univariable")
    if covariates:
        adj = data[[time, event, feature, *covariates]].dropna()
        if len(adj):
            X = adj[[feature, *covariates]].copy()
            X[feature] = X[feature].astype(float)
            for c in covariates:
                if not pd.api.types.is_numeric_dtype(X[c]):
                    X[c] = X[c].astype(str)
            fit = coxph(adj[time].to_numpy(float), adj[event].to_numpy(float), X)
            rows += _zph_rows(fit, "adjusted")
    return rows


def _covariate_values(values: pd.Series) -> pd.Series:
    """A clinical column as a covariate: numeric when every present value is a number, else
    text (a factor), missing as NaN/None."""
    from metevo.survival.inputs import is_missing

    present = values.map(lambda v: not (v is None or (isinstance(v, float) and math.isnan(v)) or is_missing(str(v))))
    numbers = pd.to_numeric(values.where(present, None), errors="coerce")
    if present.any() and numbers[present].notna().all():
        return numbers.astype(float)
    return values.where(present, None).map(lambda v: None if v is None else str(v)).astype(object)


def outcome_table(clinical: pd.DataFrame, features: Features, covariate_frame: pd.DataFrame, *, endpoint: str,
                  covariates: Sequence[str] = (), subgroup: str = ALL,
                  only: Sequence[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of outcome.tsv and ph_test.tsv for one endpoint (``pfs``/``os``) and subgroup over
    ``clinical``'s patients (already restricted to the subgroup). One
    :func:`outcome_by_feature` call per feature (so that a feature is never adjusted for its
    own definition), then BH q-values over the features of the table."""
    from metevo.stats.multitest import bh_adjust
    from metevo.survival.outcome import outcome_by_feature

    time, event = f"{endpoint}_time", f"{endpoint}_event"
    names = [f for f in features.matrix.columns if only is None or f in only]
    base = clinical[[time, event]].astype(float)
    extra = [c for c in covariates if c not in base.columns]
    data = base.join(covariate_frame[[c for c in extra if c in covariate_frame.columns]])
    for c in extra:
        if c not in data.columns:
            data[c] = _covariate_values(clinical[c])
    no_time = int(base.isna().any(axis=1).sum())
    rows, ph = [], []
    for name in names:
        status = features.matrix[name].reindex(clinical.index)
        own = [c for c in covariates if c not in features.exclude.get(name, ())]
        notes = []
        complete = data[[time, event, *own]].assign(__status__=status).dropna()
        if own and complete.empty and status.notna().any():
            notes.append(f"no patient has every covariate ({', '.join(own)}): no adjusted model")
            own = []
        result = outcome_by_feature(data, status.to_frame(name), time, event, covariates=own).iloc[0].to_dict()
        if no_time:
            notes.append(f"{_plural(no_time, 'patient')} without {endpoint} time or event left out")
        no_status = int((base.notna().all(axis=1) & status.isna()).sum())
        if no_status:
            notes.append(f"{_plural(no_status, 'patient')} without status (no counted profiled sample) left out")
        if result["n"] and result["n_altered"] in (0, result["n"]):
            every = "unaltered" if result["n_altered"] == 0 else "altered"
            notes.append(f"one group only (every analysed patient {every}): no hazard ratio or log-rank test")
        elif result["n"] and result["events"] == 0:
            notes.append("no events: no hazard ratio or log-rank test")
        elif result["note"]:
            notes.append(result["note"])
        if own:
            for c in own:
                values = sorted(map(str, complete[c].unique()))
                if len(values) == 1:
                    notes.append(f"adjusted: {c} has a single value ({values[0]}) in these patients")
        result.update(endpoint=endpoint, subgroup=subgroup, feature=name, feature_type=features.types[name],
                      covariates=",".join(own), note="; ".join(dict.fromkeys(notes)))
        rows.append(result)
        frame = data.assign(**{"__status__": status})
        for r in ph_tests(frame, time, event, "__status__", own):
            r["term"] = r["term"].replace("__status__", name)
            r["note"] = r.get("note", "").replace("__status__", name)
            ph.append({"endpoint": endpoint, "subgroup": subgroup, "feature": name, **r})
    table = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    for p, q in (("p", "q"), ("p_adjusted", "q_adjusted"), ("logrank_p", "logrank_q")):
        table[q] = bh_adjust(table[p].to_numpy(dtype=float)) if len(table) else np.array([], dtype=float)
    for column in ("n", "events", "n_altered", "events_altered"):
        table[column] = table[column].astype("Int64")
    table["n_adjusted"] = pd.array([pd.NA if v != v else int(v) for v in table["n_adjusted"]], dtype="Int64")
    ph_table = pd.DataFrame(ph, columns=PH_COLUMNS)
    ph_table["df"] = pd.array([pd.NA if v != v else int(v) for v in ph_table["df"]], dtype="Int64")
    return table, ph_table


# ------------------------------------------------------------------------------ figures


def safe_name(text: str) -> str:
    """A file-name part: runs of characters other than letters, digits, '.', '_' and '-'
    become '_' ('PI3K-altered' stays, 'HR+/HER2-' becomes 'HR_HER2-')."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._")
    return cleaned or "feature"


def km_figure(clinical: pd.DataFrame, status: pd.Series, *, endpoint: str, feature: str, title: str) -> str:
    """Kaplan-Meier SVG of one feature (unaltered first), R survfit numbers."""
    from metevo.survival.analysis import survival_analysis
    from metevo.survival.plots import km_svg

    time, event = f"{endpoint}_time", f"{endpoint}_event"
    frame = clinical[[time, event]].astype(float).assign(
        status=status.reindex(clinical.index).map({1.0: "altered", 0.0: "unaltered"}))
    frame = frame.dropna()
    tables = survival_analysis(frame, time=time, event=event, group="status",
                               levels={"status": ["unaltered", "altered"]})
    return km_svg(tables.km_curve, tables.km, title=title, time_label=f"{endpoint.upper()} time (days)",
                  group_label=feature)


def forest_figure(rows: pd.DataFrame, *, title: str) -> str:
    """Forest plot of the univariable and adjusted hazard ratios of ``rows`` (outcome.tsv rows)."""
    from metevo.survival.plots import forest_svg

    parts = []
    for row in rows.itertuples(index=False):
        label = row.feature if row.subgroup == ALL else f"{row.feature} ({row.subgroup})"
        parts.append({"model": "univariable", "term": label, "hr": row.hr, "hr_lcl": row.hr_lcl, "hr_ucl": row.hr_ucl})
    for row in rows.itertuples(index=False):
        if row.covariates and not pd.isna(row.n_adjusted):
            label = row.feature if row.subgroup == ALL else f"{row.feature} ({row.subgroup})"
            parts.append({"model": "adjusted", "term": f"{label} | {row.covariates}", "hr": row.hr_adjusted,
                          "hr_lcl": row.hr_adjusted_lcl, "hr_ucl": row.hr_adjusted_ucl})
    frame = pd.DataFrame(parts, columns=["model", "term", "hr", "hr_lcl", "hr_ucl"])
    return forest_svg(frame, title=title)


def figure_features(table: pd.DataFrame) -> list[str]:
    """Features drawn as KM curves for one endpoint: the smallest univariable p (first in
    table order on ties), and MAPK-altered whenever it was analysed."""
    chosen = []
    finite = table[np.isfinite(table["p"].to_numpy(dtype=float))]
    if len(finite):
        chosen.append(str(finite.iloc[int(np.argmin(finite["p"].to_numpy(dtype=float)))]["feature"]))
    if MAPK_LABEL in set(table["feature"]) and MAPK_LABEL not in chosen:
        chosen.append(MAPK_LABEL)
    return chosen


# ------------------------------------------------------------------------------ the whole analysis


@dataclass
class OutcomeResult:
    outcome: pd.DataFrame
    ph_test: pd.DataFrame
    figures: dict[str, str]  # file name -> SVG text
    notes: list[str]


def analyse_outcome(clinical: pd.DataFrame, features: Features, covariate_frame: pd.DataFrame, *,
                    endpoints: Sequence[str] = ENDPOINTS, covariates: Sequence[str] = ()) -> OutcomeResult:
    """outcome.tsv, ph_test.tsv and the figures: every requested endpoint the clinical table
    has (``<endpoint>_time`` and ``<endpoint>_event`` columns with at least one value), then
    PFS by MAPK status in the anti-HER2 subgroup (``anti_her2 == yes``)."""
    tables, ph_tables, figures, notes = [], [], {}, []
    for endpoint in endpoints:
        time, event = f"{endpoint}_time", f"{endpoint}_event"
        if time not in clinical.columns or event not in clinical.columns:
            notes.append(f"{endpoint}: the clinical table has no {time}/{event} columns: not analysed")
            continue
        if not clinical[[time, event]].notna().all(axis=1).any():
            notes.append(f"{endpoint}: no patient has both {time} and {event}: not analysed")
            continue
        table, ph = outcome_table(clinical, features, covariate_frame, endpoint=endpoint, covariates=covariates)
        tables.append(table)
        ph_tables.append(ph)
        for feature in figure_features(table[table["n"].fillna(0) > 0]):
            figures[f"km_{endpoint}_{safe_name(feature)}.svg"] = km_figure(
                clinical, features.matrix[feature], endpoint=endpoint, feature=feature,
                title=f"{endpoint.upper()} by {feature}")
        subgroup_rows = pd.DataFrame(columns=RESULT_COLUMNS)
        if endpoint == "pfs":
            subgroup_rows, sub_ph, sub_notes = _anti_her2(clinical, features, covariate_frame, covariates, figures)
            notes += sub_notes
            if len(subgroup_rows):
                tables.append(subgroup_rows)
                ph_tables.append(sub_ph)
        if len(table):
            forest_rows = pd.concat([table, subgroup_rows], ignore_index=True) if len(subgroup_rows) else table
            figures[f"forest_{endpoint}.svg"] = forest_figure(forest_rows, title=f"{endpoint.upper()}: hazard ratios (95% CI)")
    outcome = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=RESULT_COLUMNS)
    ph_test = pd.concat(ph_tables, ignore_index=True) if ph_tables else pd.DataFrame(columns=PH_COLUMNS)
    return OutcomeResult(outcome.loc[:, RESULT_COLUMNS], ph_test.loc[:, PH_COLUMNS], dict(sorted(figures.items())), notes)


def _anti_her2(clinical, features, covariate_frame, covariates, figures):
    if "anti_her2" not in clinical.columns:
        return pd.DataFrame(columns=RESULT_COLUMNS), None, ["anti-HER2 subgroup: the clinical table has no anti_her2 column"]
    if MAPK_LABEL not in features.matrix.columns:
        return pd.DataFrame(columns=RESULT_COLUMNS), None, ["anti-HER2 subgroup: no MAPK-altered status (no RTK-RAS pathway)"]
    treated = clinical[clinical["anti_her2"].astype(str) == "yes"]
    if treated.empty:
        return pd.DataFrame(columns=RESULT_COLUMNS), None, ["anti-HER2 subgroup: no patient with anti_her2 = yes"]
    table, ph = outcome_table(treated, features, covariate_frame, endpoint="pfs", covariates=covariates,
                              subgroup=ANTI_HER2_SUBGROUP, only=[MAPK_LABEL])
    if len(table) and table["n"].iat[0] > 0:
        figures[f"km_pfs_{safe_name(MAPK_LABEL)}_anti_her2.svg"] = km_figure(
            treated, features.matrix[MAPK_LABEL], endpoint="pfs", feature=MAPK_LABEL,
            title="PFS by MAPK-altered, patients on anti-HER2 therapy")
    return table, ph, []


# ------------------------------------------------------------------------------ external cohort


def external_features(mutations: pd.DataFrame, samples: Sequence[str], genes: Sequence[str]) -> pd.DataFrame:
    """Samples x genes (1.0 mutated / 0.0) from ``mutations`` (columns gene, unit)."""
    out = pd.DataFrame(0.0, index=pd.Index(sorted(samples), name="sample"), columns=list(genes))
    rows = mutations[mutations["gene"].isin(frozenset(genes)) & mutations["unit"].isin(frozenset(samples))]
    for unit, gene in zip(rows["unit"], rows["gene"]):
        out.at[unit, gene] = 1.0
    return out


def external_outcome(clinical: pd.DataFrame, features: pd.DataFrame) -> pd.DataFrame:
    """OS by mutation status of each gene in an external cohort (``clinical``:
    :func:`read_external_clinical`; ``features``: :func:`external_features`), adjusted for
    subtype when some samples have one. Columns as outcome.tsv (subgroup ``all``,
    feature_type ``gene_mutated``)."""
    frame = clinical.copy()
    frame["subtype"] = frame["subtype"].replace("", None)
    covariates = ["subtype"] if frame["subtype"].notna().any() else []
    matrix = Features(features.reindex(frame.index), {g: "gene_mutated" for g in features.columns})
    if not len(features.columns):
        return pd.DataFrame(columns=RESULT_COLUMNS)
    table, _ = outcome_table(frame, matrix, frame[[]], endpoint="os", covariates=covariates)
    return table.loc[:, RESULT_COLUMNS]


__all__ = [
    "ANTI_HER2_SUBGROUP", "DERIVED_COVARIATES", "Features", "MAPK_LABEL", "OutcomeResult", "PH_COLUMNS", "RESULT_COLUMNS",
    "analyse_outcome", "build_features", "check_samples", "clinical_frame", "counted_samples", "external_features",
    "external_outcome", "forest_figure", "gene_features", "km_figure", "outcome_table", "pathway_features",
    "patient_covariates", "ph_tests", "read_enriched_genes", "read_external_clinical", "read_pathway_status", "safe_name",
]
