"""All survival tables of one cohort table: the science behind ``metevo survival``.

:func:`survival_analysis` takes a typed table (:func:`metevo.survival.inputs.read_survival_table`)
and returns the Kaplan-Meier curves and medians per group, the log-rank test (stratified when
asked), univariable Cox models (one per variable) and a multivariable one, and the
proportional-hazards test of the main Cox model. Each analysis uses the rows complete for the
columns it needs (R's na.omit, per model) and says in its ``note`` how many rows it left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.survival.cox import CoxFit, cox_zph, coxph, zph_notes
from metevo.survival.km import km_by_group, km_median
from metevo.survival.logrank import logrank

KM_COLUMNS = ["group", "n", "events", "median", "median_lcl", "median_ucl", "note"]
CURVE_COLUMNS = ["group", "time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"]
LOGRANK_COLUMNS = ["test", "groups", "n", "events", "observed", "expected", "strata", "chisq", "df", "p", "note"]
COX_COLUMNS = ["model", "term", "reference", "coef", "se", "z", "hr", "hr_lcl", "hr_ucl", "p", "n", "events", "note"]
PH_COLUMNS = ["model", "term", "chisq", "df", "p", "note"]


@dataclass(frozen=True)
class SurvivalTables:
    km: pd.DataFrame
    km_curve: pd.DataFrame
    logrank: pd.DataFrame
    cox: pd.DataFrame
    ph_test: pd.DataFrame


def _join(parts: Sequence[str]) -> str:
    return "; ".join(p for p in parts if p)


def _dropped(n: int) -> str:
    return f"{n} row{'s' if n != 1 else ''} with missing values left out" if n else ""


def _fmt(value: float) -> str:
    return format(float(value), ".10g")


def _complete(frame: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    mask = np.ones(len(frame), dtype=bool)
    for c in columns:
        mask &= frame[c].notna().to_numpy()
    return frame[mask], int((~mask).sum())


def _single_levels(x: pd.DataFrame) -> dict[str, str]:
    """The one value of each text column that has a single value."""
    out = {}
    for c in x.columns:
        if not pd.api.types.is_numeric_dtype(x[c]):
            values = x[c].astype(str).unique()
            if len(values) == 1:
                out[c] = str(values[0])
    return out


def _tied_event_times(time: np.ndarray, event: np.ndarray) -> int:
    t = time[event == 1]
    values, counts = np.unique(t, return_counts=True)
    return int((counts > 1).sum())


def _cox_rows(model: str, fit: CoxFit, design_terms: Sequence[str], dropped: int,
              single_levels: Mapping[str, str]) -> list[dict]:
    base_notes = [fit.note if fit.names else "", _dropped(dropped)]
    ties = _tied_event_times(fit.time, fit.event)
    if ties and fit.events:
        base_notes.append(f"{ties} tied event time{'s' if ties != 1 else ''} (Efron)")
    term_of = {c: term for term, cols in fit.assign.items() for c in cols}
    rows = []
    summary = fit.summary()
    for i, row in summary.iterrows():
        term = term_of.get(i, "")
        rows.append(
            {"model": model, "term": row["term"], "reference": fit.reference.get(term, ""),
             "coef": row["coef"], "se": row["se"], "z": row["z"], "hr": row["hr"], "hr_lcl": row["hr_lcl"],
             "hr_ucl": row["hr_ucl"], "p": row["p"], "n": fit.n, "events": fit.events,
             "note": _join([row["note"], *base_notes])}
        )
    for term in design_terms:  # a factor with one level has no column, hence no hazard ratio
        if not fit.assign.get(term):
            level = single_levels.get(term, "")
            rows.append({"model": model, "term": term, "reference": level, "n": fit.n, "events": fit.events,
                         "note": _join([f"{term} has a single level ({level}): no hazard ratio", *base_notes])})
    return rows


def survival_analysis(frame: pd.DataFrame, *, time: str, event: str, group: str | None = None,
                      covariates: Sequence[str] = (), strata: str | None = None,
                      levels: Mapping[str, Sequence[str]] | None = None, conf_type: str = "log") -> SurvivalTables:
    """Every table of ``metevo survival`` (columns in ``*_COLUMNS``; see docs/survival.md)."""
    levels = dict(levels or {})
    # ---- Kaplan-Meier per group (or one curve 'all')
    km_cols = [time, event] + ([group] if group else [])
    km_data, km_dropped = _complete(frame, km_cols)
    labels = km_data[group].astype(str).to_numpy() if group else np.full(len(km_data), "all", dtype=object)
    present = sorted(set(labels.tolist()))
    if group and group in levels:
        order = [v for v in levels[group] if v in present] + [v for v in present if v not in levels[group]]
    else:
        from metevo.survival.cox import _sort_levels

        order = _sort_levels(present)
    t = km_data[time].to_numpy(dtype=float)
    e = km_data[event].to_numpy(dtype=float)
    curves = km_by_group(t, e, labels, conf_type=conf_type, order=order)
    km_rows = []
    for level in order:
        curve = curves[curves["group"] == level]
        mask = labels == level
        events = int(e[mask].sum())
        med = km_median(curve)
        notes = []
        if events == 0:
            notes.append("no events")
        elif math.isnan(med.median):
            notes.append("median not reached")
        km_rows.append({"group": level, "n": int(mask.sum()), "events": events, "median": med.median,
                        "median_lcl": med.lcl, "median_ucl": med.ucl, "note": _join([*notes, _dropped(km_dropped)])})
    km = pd.DataFrame(km_rows, columns=KM_COLUMNS)
    km_curve = curves.loc[:, CURVE_COLUMNS].reset_index(drop=True)

    # ---- log-rank
    lr_cols = km_cols + ([strata] if strata else [])
    lr_data, lr_dropped = _complete(frame, lr_cols)
    test = "stratified log-rank" if strata else "log-rank"
    if group:
        lr = logrank(lr_data[time].to_numpy(float), lr_data[event].to_numpy(float),
                     lr_data[group].astype(str).to_numpy(), lr_data[strata].astype(str).to_numpy() if strata else None,
                     order=[v for v in order if v in set(lr_data[group].astype(str))])
        table = lr.table
        logrank_table = pd.DataFrame([{
            "test": test, "groups": ";".join(map(str, table["group"])), "n": lr.n, "events": lr.events,
            "observed": ";".join(_fmt(v) for v in table["observed"]),
            "expected": ";".join(_fmt(v) for v in table["expected"]),
            "strata": strata or "", "chisq": lr.chisq, "df": lr.df if not math.isnan(lr.chisq) else np.nan,
            "p": lr.p, "note": _join([lr.note, _dropped(lr_dropped)]),
        }], columns=LOGRANK_COLUMNS)
    else:
        logrank_table = pd.DataFrame([{"test": test, "groups": "all", "n": len(lr_data), "events": int(lr_data[event].sum()),
                                       "strata": strata or "", "note": "one group: no log-rank test (no --group)"}],
                                     columns=LOGRANK_COLUMNS)

    # ---- Cox models
    variables = ([group] if group else []) + [c for c in covariates if c != group]
    cox_rows: list[dict] = []
    main_fit: tuple[str, CoxFit, int] | None = None
    for var in variables:
        cols = [time, event, var] + ([strata] if strata else [])
        data, dropped = _complete(frame, cols)
        x = data[[var]].copy()
        if var == group:
            x[var] = x[var].astype(str)
        fit = coxph(data[time].to_numpy(float), data[event].to_numpy(float), x,
                    strata=data[strata].astype(str).to_numpy() if strata else None, levels=levels)
        cox_rows.extend(_cox_rows("univariable", fit, [var], dropped, _single_levels(x)))
        if len(variables) == 1:
            main_fit = ("univariable", fit, dropped)
    if len(variables) > 1:
        cols = [time, event, *variables] + ([strata] if strata else [])
        data, dropped = _complete(frame, cols)
        x = data[variables].copy()
        if group:
            x[group] = x[group].astype(str)
        fit = coxph(data[time].to_numpy(float), data[event].to_numpy(float), x,
                    strata=data[strata].astype(str).to_numpy() if strata else None, levels=levels)
        cox_rows.extend(_cox_rows("multivariable", fit, variables, dropped, _single_levels(x)))
        main_fit = ("multivariable", fit, dropped)
    cox = pd.DataFrame(cox_rows, columns=COX_COLUMNS)

    # ---- proportional hazards test of the main model
    if main_fit is None:
        ph = pd.DataFrame([{"model": "", "term": "GLOBAL", "note": "no Cox model (no --group or --covariates)"}],
                          columns=PH_COLUMNS)
    else:
        model, fit, dropped = main_fit
        if fit.events == 0 or fit.singular.all():
            ph = pd.DataFrame([{"model": model, "term": "GLOBAL", "note": fit.note or "no estimable coefficient"}],
                              columns=PH_COLUMNS)
        else:
            ph = cox_zph(fit)
            ph.insert(0, "model", model)
            ph["note"] = _join([*zph_notes(fit), _dropped(dropped)])
            ph = ph.loc[:, PH_COLUMNS]
    return SurvivalTables(km=km, km_curve=km_curve, logrank=logrank_table, cox=cox, ph_test=ph)
