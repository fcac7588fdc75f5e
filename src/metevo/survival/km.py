"""Kaplan-Meier curves, their confidence bands and median survival, as R ``survival`` (>= 3.0).

Ported from ``survfitKM`` (C routine ``survfitkm``: the product-limit estimate and Greenwood's
variance of -log S), ``survfit_confint`` (pointwise confidence intervals) and
``quantile.survfit``'s ``findq`` (quantiles and their confidence limits by inverting the
pointwise band, Brookmeyer-Crowley style). ``std_err`` is R's ``fit$std.err``: the standard
error of the cumulative hazard -log S (Greenwood), not of S; it is infinite once S reaches 0,
as in R.

Tied times: events and censorings at the same time are all at risk at that time (censored
observations leave after the events). Times closer than R's ``all.equal`` tolerance are merged
first (R's ``timefix = TRUE``, :func:`aeq_times`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CONF_TYPES = ("log", "log-log", "plain")
_TOL = math.sqrt(np.finfo(float).eps)

CURVE_COLUMNS = ["time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"]


def aeq_times(time) -> np.ndarray:
    """R ``aeqSurv``: times that differ by less than sqrt(machine eps) (absolutely, or relative
    to the mean absolute time) become one time, the smallest of the run."""
    time = np.asarray(time, dtype=float)
    finite = time[np.isfinite(time)]
    values = np.unique(finite)
    if values.size < 2:
        return time.copy()
    dy = np.diff(values)
    tied = (dy <= _TOL) | (dy / np.mean(np.abs(values)) <= _TOL)
    if not tied.any():
        return time.copy()
    cuts = values[np.r_[True, ~tied]]
    out = time.copy()
    ok = np.isfinite(time)
    out[ok] = cuts[np.searchsorted(cuts, time[ok], side="right") - 1]
    return out


def _z(conf_int: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(1 - (1 - conf_int) / 2))


def confidence_band(surv, std_err, conf_type: str = "log", conf_int: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """R ``survfit_confint(p, se, logse=TRUE, conf.type, conf.int)`` with the upper limit capped
    at 1 (``ulimit = TRUE``). NaN where R gives NA (S = 0 for 'log'; S in {0, 1} for 'log-log')."""
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {', '.join(CONF_TYPES)}; got {conf_type!r}")
    p = np.asarray(surv, dtype=float)
    se = np.asarray(std_err, dtype=float)
    z = _z(conf_int)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # R's conf.lower = 'usual' passes selow = se: scale = selow/se, 1 where se == 0 and NaN
        # (Inf/Inf) where se is infinite, which only happens once S = 0
        scale = np.where(se == 0, 1.0, se / se)
        if conf_type == "plain":
            se2 = se * p * z
            lower = np.fmax(p - se2 * scale, 0.0)
            upper = np.fmin(p + se2, 1.0)
            bad = np.isnan(se2)
            lower[bad] = np.nan  # R's pmax/pmin keep NaN
            upper[bad] = np.nan
        elif conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            se2 = z * se
            lower = np.exp(np.log(xx) - se2 * scale)
            upper = np.fmin(np.exp(np.log(xx) + se2), 1.0)
            upper[np.isnan(xx)] = np.nan
        else:  # log-log
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            se2 = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - se2 * scale))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
    return lower, upper


def kaplan_meier(time, event, *, conf_type: str = "log", conf_int: float = 0.95, timefix: bool = True) -> pd.DataFrame:
    """One Kaplan-Meier curve, one row per distinct time (event or censoring), as R
    ``survfit(Surv(time, event) ~ 1)``: ``time, n_risk, n_event, n_censor, surv, std_err,
    lower, upper``. ``event`` is 1 (event) or 0 (censored); no missing values."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=float)
    if time.shape != event.shape:
        raise ValueError("time and event must have the same length")
    if timefix:
        time = aeq_times(time)
    if time.size == 0:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in CURVE_COLUMNS})
    times, inverse = np.unique(time, return_inverse=True)
    n_event = np.bincount(inverse, weights=event, minlength=times.size)
    n_total = np.bincount(inverse, minlength=times.size).astype(float)
    n_censor = n_total - n_event
    n_risk = np.cumsum(n_total[::-1])[::-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(n_event > 0, (n_risk - n_event) / n_risk, 1.0)
        greenwood = np.where(n_event > 0, n_event / (n_risk * (n_risk - n_event)), 0.0)
    surv = np.cumprod(step)
    std_err = np.sqrt(np.cumsum(greenwood))
    lower, upper = confidence_band(surv, std_err, conf_type, conf_int)
    return pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk.astype(np.int64),
            "n_event": n_event.astype(np.int64),
            "n_censor": n_censor.astype(np.int64),
            "surv": surv,
            "std_err": std_err,
            "lower": lower,
            "upper": upper,
        }
    )


def _approx_constant_index(knots: np.ndarray, p: float) -> float:
    """R ``approx(knots, seq_along(knots), p, method='constant', f=1)`` for increasing knots
    (NaN knots removed beforehand, their indices kept): 1-based index, NaN outside."""
    ok = ~np.isnan(knots)
    idx = np.flatnonzero(ok) + 1
    x = knots[ok]
    if x.size == 0 or p < x[0] or p > x[-1]:
        return math.nan
    # at a knot exactly: that knot; strictly between knots i and j: j (f = 1)
    j = int(np.searchsorted(x, p, side="left"))
    return float(idx[j])


def findq(x, y, p: float, tol: float = _TOL) -> float:
    """``quantile.survfit``'s ``findq``: where the cumulative distribution ``y`` (1 - S, with a
    leading 0 at the start time) first reaches ``p``; the midpoint of a flat that sits at p
    within ``tol``; NaN when never reached."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    finite = y[~np.isnan(y)]
    if finite.size == 0 or finite.max() < p:
        return math.nan
    xmax = x[-1]
    # drop duplicated y values (censorings) keeping the first; R's duplicated() treats NaN as
    # a value too
    seen: set = set()
    keep = []
    for i, v in enumerate(y):
        key = "nan" if math.isnan(v) else v
        if key in seen:
            continue
        seen.add(key)
        keep.append(i)
    x = x[keep]
    y = y[keep]
    n = y.size
    i1 = _approx_constant_index(y + tol, p)
    i2 = _approx_constant_index(y - tol, p)
    quant = math.nan
    if not (math.isnan(i1) or math.isnan(i2)):
        quant = (x[int(i1) - 1] + x[int(i2) - 1]) / 2
    if p == 0:
        quant = x[0]
    if not math.isnan(y[n - 1]) and abs(p - y[n - 1]) < tol:
        quant = (x[int(i1) - 1] + xmax) / 2 if not math.isnan(i1) else math.nan
    return float(quant)


@dataclass(frozen=True)
class MedianSurvival:
    """Median survival with its confidence limits (NaN: not reached)."""

    median: float
    lcl: float
    ucl: float


def km_quantile(curve: pd.DataFrame, prob: float = 0.5, *, start_time: float = 0.0) -> MedianSurvival:
    """R ``quantile(survfit, probs=prob)``: the quantile and its limits from the pointwise band
    of a curve made by :func:`kaplan_meier` (lower limit: where the lower band reaches 1 - prob;
    upper limit: where the upper band does)."""
    t = np.r_[start_time, curve["time"].to_numpy(dtype=float)]
    surv = curve["surv"].to_numpy(dtype=float)
    lower = curve["lower"].to_numpy(dtype=float)
    upper = curve["upper"].to_numpy(dtype=float)
    return MedianSurvival(
        median=findq(t, np.r_[0.0, 1 - surv], prob),
        lcl=findq(t, np.r_[0.0, 1 - lower], prob),
        ucl=findq(t, np.r_[0.0, 1 - upper], prob),
    )


def km_median(curve: pd.DataFrame) -> MedianSurvival:
    """Median survival and its 95% (the curve's level) limits, as R ``quantile(fit, 0.5)`` and
    ``print(fit)``. (The two differ only when a curve ends on a flat exactly at S = 0.5:
    quantile takes the midpoint of that flat and the last time, print its start; we follow
    quantile.)"""
    return km_quantile(curve, 0.5)


def km_by_group(time, event, group, *, conf_type: str = "log", conf_int: float = 0.95, order=None) -> pd.DataFrame:
    """Kaplan-Meier curve of each group (R ``survfit(Surv(time, event) ~ group)``), stacked
    with a leading ``group`` column; groups in ``order`` (default: sorted)."""
    time = aeq_times(np.asarray(time, dtype=float))
    event = np.asarray(event, dtype=float)
    group = np.asarray(group, dtype=object)
    levels = list(order) if order is not None else sorted(set(group.tolist()))
    frames = []
    for level in levels:
        mask = group == level
        curve = kaplan_meier(time[mask], event[mask], conf_type=conf_type, conf_int=conf_int, timefix=False)
        curve.insert(0, "group", level)
        frames.append(curve)
    if not frames:
        return pd.DataFrame(columns=["group", *CURVE_COLUMNS])
    return pd.concat(frames, ignore_index=True)
