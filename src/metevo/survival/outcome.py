"""Outcome by genomic feature: for each binary feature of a patient table, Cox models, the
log-rank test and median survival by feature status, with BH q-values across features.

Every model uses the patients complete for the columns it needs (R's na.omit), so ``n`` can
differ between the univariable and the adjusted model of one feature.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from metevo.stats.multitest import bh_adjust
from metevo.survival.cox import coxph
from metevo.survival.km import km_by_group, km_median
from metevo.survival.logrank import logrank

OUTCOME_COLUMNS = [
    "feature", "n", "events", "n_altered", "events_altered",
    "hr", "hr_lcl", "hr_ucl", "p", "q",
    "n_adjusted", "hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "p_adjusted", "q_adjusted",
    "logrank_chisq", "logrank_p", "logrank_q",
    "median_altered", "median_altered_lcl", "median_altered_ucl",
    "median_unaltered", "median_unaltered_lcl", "median_unaltered_ucl",
    "covariates", "note",
]


def _binary(values: pd.Series, name: str) -> pd.Series:
    """0/1 floats with NaN for missing; booleans and '0'/'1' text accepted."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    numeric = pd.to_numeric(values, errors="coerce")
    bad = numeric.notna() & ~numeric.isin([0, 1])
    bad |= numeric.isna() & values.notna() & ~values.astype(str).str.strip().isin(["", "NA", "NaN", "nan"])
    if bad.any():
        raise ValueError(f"feature {name!r} is not binary (0/1/NA): found {values[bad].iloc[0]!r}")
    return numeric.astype(float)


def _cox_row(fit, term: str) -> tuple[float, float, float, float, str]:
    summary = fit.summary()
    if term not in summary["term"].tolist():
        return math.nan, math.nan, math.nan, math.nan, fit.note
    row = summary.set_index("term").loc[term]
    return row["hr"], row["hr_lcl"], row["hr_ucl"], row["p"], row["note"] or fit.note


def outcome_by_feature(clinical: pd.DataFrame, features: pd.DataFrame, time_col: str, event_col: str,
                       covariates: Sequence[str] = ()) -> pd.DataFrame:
    """One row per feature column of ``features`` (patients x features, 0/1/NA; rows matched to
    ``clinical`` by index): univariable Cox (HR of altered vs not), Cox adjusted for
    ``covariates`` (columns of ``clinical``; text columns are factors), log-rank and KM medians
    by status, BH q-values over features (R ``p.adjust``). ``event_col`` holds 1/0; features
    in the input order. Columns: ``OUTCOME_COLUMNS``."""
    covariates = list(covariates)
    missing = [c for c in (time_col, event_col, *covariates) if c not in clinical.columns]
    if missing:
        raise ValueError(f"clinical table has no column {', '.join(missing)}")
    # features under private names, so that a feature may share a name with a clinical column
    private = {c: f"__feature_{i}" for i, c in enumerate(features.columns)}
    joined = clinical.loc[:, [time_col, event_col, *covariates]].join(features.rename(columns=private), how="inner")
    rows = []
    for name in features.columns:
        status = _binary(joined[private[name]], str(name))
        base = joined[[time_col, event_col]].astype(float).assign(status=status)
        data = base.dropna()
        time = data[time_col].to_numpy(float)
        event = data[event_col].to_numpy(float)
        x = data["status"].to_numpy(float)
        notes = []
        row = {"feature": name, "n": len(data), "events": int(event.sum()), "n_altered": int(x.sum()),
               "events_altered": int(event[x == 1].sum()), "covariates": ",".join(covariates)}
        if len(data) == 0:
            rows.append({**row, "note": "no patient with time, event and feature status"})
            continue
        fit = coxph(time, event, pd.DataFrame({str(name): x}))
        row["hr"], row["hr_lcl"], row["hr_ucl"], row["p"], note = _cox_row(fit, str(name))
        notes.append(note)
        if covariates:
            adj = joined[[time_col, event_col, *covariates]].assign(status=status).dropna()
            X = adj[["status", *covariates]].rename(columns={"status": str(name)})
            for c in covariates:
                if not pd.api.types.is_numeric_dtype(X[c]):
                    X[c] = X[c].astype(str)
            fit_adj = coxph(adj[time_col].to_numpy(float), adj[event_col].to_numpy(float), X)
            row["n_adjusted"] = len(adj)
            (row["hr_adjusted"], row["hr_adjusted_lcl"], row["hr_adjusted_ucl"], row["p_adjusted"],
             note_adj) = _cox_row(fit_adj, str(name))
            if note_adj:
                notes.append(f"adjusted: {note_adj}")
        labels = np.where(x == 1, "altered", "unaltered").astype(object)
        lr = logrank(time, event, labels, order=[v for v in ("unaltered", "altered") if v in set(labels)])
        row["logrank_chisq"], row["logrank_p"] = lr.chisq, lr.p
        notes.append(lr.note)
        curves = km_by_group(time, event, labels)
        for level in ("altered", "unaltered"):
            curve = curves[curves["group"] == level]
            if len(curve):
                med = km_median(curve)
                row[f"median_{level}"], row[f"median_{level}_lcl"], row[f"median_{level}_ucl"] = (
                    med.median, med.lcl, med.ucl)
        row["note"] = "; ".join(dict.fromkeys(n for n in notes if n))
        rows.append(row)
    out = pd.DataFrame(rows, columns=OUTCOME_COLUMNS)
    for p, q in (("p", "q"), ("p_adjusted", "q_adjusted"), ("logrank_p", "logrank_q")):
        out[q] = bh_adjust(out[p].to_numpy(dtype=float))
    return out
