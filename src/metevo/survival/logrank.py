"""Log-rank test of G groups, optionally stratified, as R ``survdiff(..., rho = 0)``.

Port of ``survdiff.fit`` / C ``survdiff2``: at each distinct event time t of a stratum, with
n(t) at risk, d(t) events and n_g(t) at risk in group g, E_g += n_g d / n and
V_gh += d (n - d) / (n (n - 1)) * n_g (delta_gh - n_h / n) (no variance term when n = 1).
Stratified: O, E and V are summed over strata. Groups with E = 0 are left out; the statistic
is (O - E)' V^-1 (O - E) over the remaining groups but the first, on (G' - 1) degrees of
freedom (R's ``print.survdiff``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metevo.survival.km import aeq_times


@dataclass(frozen=True)
class LogrankResult:
    """``chisq``/``p`` are NaN (with ``note``) when there is no test: one group, or fewer than
    two groups with expected events. ``table``: per group n, observed, expected."""

    chisq: float
    df: int
    p: float
    n: int
    events: int
    n_strata: int
    table: pd.DataFrame = field(repr=False)
    note: str = ""


def logrank(time, event, group, strata=None, *, order=None, timefix: bool = True) -> LogrankResult:
    """R ``survdiff(Surv(time, event) ~ group [+ strata(strata)])``; ``order`` fixes the group
    order of ``table`` (default sorted). Inputs must have no missing values."""
    from scipy.stats import chi2

    time = np.asarray(time, dtype=float)
    if timefix:
        time = aeq_times(time)
    event = np.asarray(event, dtype=float)
    group = np.asarray(group, dtype=object)
    levels = list(order) if order is not None else sorted(set(group.tolist()))
    gidx = np.array([levels.index(g) for g in group], dtype=int) if group.size else np.zeros(0, int)
    ngroup = len(levels)
    if strata is None:
        sidx = np.zeros(time.size, dtype=int)
    else:
        strata = np.asarray(strata, dtype=object)
        slevels = sorted(set(strata.tolist()))
        sidx = np.array([slevels.index(s) for s in strata], dtype=int)
    observed = np.zeros(ngroup)
    expected = np.zeros(ngroup)
    var = np.zeros((ngroup, ngroup))
    for s in np.unique(sidx):
        m = sidx == s
        t, e, g = time[m], event[m], gidx[m]
        for tt in np.unique(t[e == 1]):
            at_risk = t >= tt
            n = at_risk.sum()
            dead = (t == tt) & (e == 1)
            d = dead.sum()
            n_g = np.bincount(g[at_risk], minlength=ngroup).astype(float)
            observed += np.bincount(g[dead], minlength=ngroup)
            expected += d * n_g / n
            if n > 1:
                kt = d * (n - d) / (n * (n - 1))
                var += kt * (np.diag(n_g) - np.outer(n_g, n_g) / n)
    n_per_group = np.bincount(gidx, minlength=ngroup) if gidx.size else np.zeros(ngroup, int)
    table = pd.DataFrame({"group": levels, "n": n_per_group.astype(np.int64), "observed": observed, "expected": expected})
    n_strata = int(np.unique(sidx).size)
    use = expected > 0
    note = ""
    if ngroup < 2:
        note = "one group: no log-rank test"
    elif int(event.sum()) == 0:
        note = "no events: no log-rank test"
    elif use.sum() < 2:
        note = "fewer than two groups with expected events: no log-rank test"
    if note:
        return LogrankResult(math.nan, 0, math.nan, int(time.size), int(event.sum()), n_strata, table, note)
    diff = (observed - expected)[use][1:]
    vv = var[np.ix_(use, use)][1:, 1:]
    chisq = float(np.sum(np.linalg.solve(vv, diff) * diff))
    df = int(use.sum()) - 1
    p = float(chi2.sf(chisq, df))
    if (~use).any():
        dropped = ", ".join(str(levels[i]) for i in np.flatnonzero(~use))
        note = f"groups without expected events left out: {dropped}"
    return LogrankResult(chisq, df, p, int(time.size), int(event.sum()), n_strata, table, note)
