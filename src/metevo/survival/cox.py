"""Cox proportional hazards regression and its proportional-hazards test, as R ``survival``.

``coxph`` ports ``coxph.fit`` and the C routine ``coxfit6``: covariates centred and scaled by
their mean absolute deviation, Newton-Raphson from beta = 0 with step halving when the
log partial likelihood decreases, convergence when |1 - loglik_old / loglik_new| <= eps
(1e-9), at most 20 iterations, Efron (default) or Breslow ties, rank deficiency by R's
``cholesky2`` (tolerance eps^0.75: a constant or collinear column gets an NA coefficient).
Monotone likelihood (a group without events, perfect separation): R converges on the
log-likelihood while the coefficient runs away and warns "Loglik converged before variable
...; beta may be infinite"; the same rule (|U' V| > eps and > sqrt(eps) |beta|) flags such a
coefficient here and its hazard ratio is reported as NA with a note.

``cox_zph`` ports ``cox.zph`` of survival >= 3.0 (C ``zph1``): the score test, at the fitted
beta, for adding beta_j * g(t) terms, g(t) = 1 - KM(t-) centred over the event times
(transform 'km'), per term (all columns of a factor together) and GLOBAL.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.survival.km import aeq_times, kaplan_meier

EPS = 1e-9
ITER_MAX = 20
TOLER_CHOL = np.finfo(float).eps ** 0.75
TOLER_INF = math.sqrt(EPS)
Z975 = 1.959963984540054


# --------------------------------------------------------------------------- design matrix


def _sort_levels(values: Sequence) -> list:
    """Levels in sorted order: numerically when every level reads as a number, else by text."""
    levels = sorted(set(values), key=str)
    try:
        return sorted(levels, key=float)
    except (TypeError, ValueError):
        return levels


@dataclass(frozen=True)
class Design:
    """Numeric design matrix of a model: ``X`` (columns named as R names them: ``age``,
    ``groupB``), ``assign`` (term -> its column positions), ``reference`` (factor term -> its
    reference level) and ``levels`` (factor term -> all levels, reference first)."""

    X: pd.DataFrame
    assign: dict[str, list[int]]
    reference: dict[str, str]
    levels: dict[str, list[str]]


def design_matrix(frame: pd.DataFrame, terms: Sequence[str], *, levels: Mapping[str, Sequence] | None = None,
                  categorical: Sequence[str] = ()) -> Design:
    """Treatment coding as R's ``model.matrix`` for a Cox model (no intercept): a numeric or
    boolean column stays one column; a text column (or one named in ``categorical`` or
    ``levels``) becomes one 0/1 column per level but the first, named term + level. The first
    level is the first of ``levels[term]`` when given, else the smallest (numeric order when all
    levels are numbers, else text order)."""
    levels = dict(levels or {})
    columns: dict[str, np.ndarray] = {}
    assign: dict[str, list[int]] = {}
    reference: dict[str, str] = {}
    all_levels: dict[str, list[str]] = {}
    for term in terms:
        values = frame[term]
        is_factor = term in levels or term in categorical or not (
            pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        )
        start = len(columns)
        if not is_factor:
            columns[term] = values.to_numpy(dtype=float)
            assign[term] = [start]
            continue
        text = values.map(lambda v: v if isinstance(v, str) else (format(v, "g") if isinstance(v, float) else str(v)))
        present = _sort_levels(text.unique().tolist())
        order = [str(v) for v in levels[term]] if term in levels else present
        missing = [v for v in present if v not in order]
        if missing:
            raise ValueError(f"levels of {term} do not list {', '.join(missing)}")
        reference[term] = order[0]
        all_levels[term] = order
        for level in order[1:]:
            columns[f"{term}{level}"] = (text == level).to_numpy(dtype=float)
        assign[term] = list(range(start, len(columns)))
    X = pd.DataFrame(columns, index=frame.index)
    return Design(X=X, assign=assign, reference=reference, levels=all_levels)


# --------------------------------------------------------------------------- linear algebra


def _cholesky2(matrix: np.ndarray, toler: float) -> tuple[int, np.ndarray]:
    """R survival ``cholesky2``: LDL' decomposition that zeroes pivots below toler * the largest
    diagonal; returns (rank, mask of the non-singular columns)."""
    m = np.array(matrix, dtype=float)
    n = m.shape[0]
    diag = np.diag(m)
    eps = max((d for d in diag if d > 0), default=0.0)
    eps = toler if eps == 0 else eps * toler
    ok = np.zeros(n, dtype=bool)
    for i in range(n):
        pivot = m[i, i]
        if not np.isfinite(pivot) or pivot < eps:
            m[i, i] = 0.0
            continue
        ok[i] = True
        for j in range(i + 1, n):
            temp = m[j, i] / pivot
            m[j, i] = temp
            m[j, j] -= temp * temp * pivot
            for k in range(j + 1, n):
                m[k, j] -= temp * m[k, i]
    return int(ok.sum()), ok


def _solve_on(imat: np.ndarray, ok: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``chsolve2``: solve on the non-singular columns, 0 for the singular ones."""
    out = np.zeros_like(vector, dtype=float)
    if ok.any():
        out[ok] = np.linalg.solve(imat[np.ix_(ok, ok)], vector[ok])
    return out


def _inverse_on(imat: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """``chinv2``: inverse on the non-singular columns, zero rows/columns for the others."""
    out = np.zeros_like(imat, dtype=float)
    if ok.any():
        out[np.ix_(ok, ok)] = np.linalg.inv(imat[np.ix_(ok, ok)])
    return out


# --------------------------------------------------------------------------- risk-set sums


@dataclass(frozen=True)
class _Blocks:
    """Per distinct (stratum, event time) with events: loglik, score and information terms."""

    loglik: np.ndarray  # (B,)
    score: np.ndarray  # (B, p)
    info: np.ndarray  # (B, p, p)
    first: np.ndarray  # (B,) index (in sorted order) of the block's first row


def _risk_blocks(time, event, strata, X, eta, efron: bool) -> _Blocks:
    """Risk-set sums of ``coxfit6``/``zph1`` for data sorted by (stratum, time): at each tied
    set of event times, the Efron average over the d partial risk sets (or Breslow's full one)."""
    n, p = X.shape
    risk = np.exp(eta)
    rx = risk[:, None] * X
    rxx = rx[:, :, None] * X[:, None, :]
    s0 = np.empty(n)
    s1 = np.empty((n, p))
    s2 = np.empty((n, p, p))
    bounds = np.flatnonzero(np.r_[True, strata[1:] != strata[:-1], True])
    for a, b in zip(bounds[:-1], bounds[1:]):  # suffix sums within each stratum
        s0[a:b] = np.cumsum(risk[a:b][::-1])[::-1]
        s1[a:b] = np.cumsum(rx[a:b][::-1], axis=0)[::-1]
        s2[a:b] = np.cumsum(rxx[a:b][::-1], axis=0)[::-1]
    newblock = np.r_[True, (time[1:] != time[:-1]) | (strata[1:] != strata[:-1])]
    block = np.cumsum(newblock) - 1
    first = np.flatnonzero(newblock)
    nb = first.size
    dead = event == 1
    d = np.bincount(block, weights=dead.astype(float), minlength=nb)
    d0 = np.bincount(block, weights=risk * dead, minlength=nb)
    d1 = np.zeros((nb, p))
    np.add.at(d1, block[dead], rx[dead])
    d2 = np.zeros((nb, p, p))
    np.add.at(d2, block[dead], rxx[dead])
    xdead = np.zeros((nb, p))
    np.add.at(xdead, block[dead], X[dead])
    etadead = np.bincount(block, weights=eta * dead, minlength=nb)
    has = d > 0
    first, d, d0, d1, d2, xdead, etadead = first[has], d[has], d0[has], d1[has], d2[has], xdead[has], etadead[has]
    full0, full1, full2 = s0[first], s1[first], s2[first]
    loglik = etadead.copy()
    score = xdead.copy()
    info = np.zeros((first.size, p, p))
    if not efron:
        mean = full1 / full0[:, None]
        loglik -= d * np.log(full0)
        score -= d[:, None] * mean
        info += d[:, None, None] * (full2 / full0[:, None, None] - mean[:, :, None] * mean[:, None, :])
        return _Blocks(loglik, score, info, first)
    base0, base1, base2 = full0 - d0, full1 - d1, full2 - d2
    for k in range(int(d.max()) if d.size else 0):
        act = d > k
        frac = (k + 1) / d[act]
        den = base0[act] + frac * d0[act]
        a = base1[act] + frac[:, None] * d1[act]
        c = base2[act] + frac[:, None, None] * d2[act]
        mean = a / den[:, None]
        loglik[act] -= np.log(den)
        score[act] -= mean
        info[act] += c / den[:, None, None] - mean[:, :, None] * mean[:, None, :]
    return _Blocks(loglik, score, info, first)


# --------------------------------------------------------------------------- the fit


@dataclass
class CoxFit:
    """A fitted Cox model. Coefficients are NaN for a singular column; ``infinite`` flags
    coefficients R would warn about (monotone likelihood)."""

    names: list[str]
    assign: dict[str, list[int]]
    coef: np.ndarray
    var: np.ndarray
    loglik: tuple[float, float]
    score_test: float
    wald_test: float
    lrt: float
    df: int
    n: int
    events: int
    iterations: int
    converged: bool
    infinite: np.ndarray
    singular: np.ndarray
    ties: str
    # data of the fit (sorted by stratum and time), for cox_zph
    time: np.ndarray = field(repr=False)
    event: np.ndarray = field(repr=False)
    strata: np.ndarray = field(repr=False)
    X: np.ndarray = field(repr=False)
    reference: dict[str, str] = field(default_factory=dict)
    note: str = ""

    @property
    def se(self) -> np.ndarray:
        se = np.sqrt(np.diag(self.var))
        return np.where(self.singular, np.nan, se)

    def _p(self, statistic: float, df: int) -> float:
        from scipy.stats import chi2

        return float(chi2.sf(statistic, df)) if df > 0 and np.isfinite(statistic) else math.nan

    @property
    def lrt_p(self) -> float:
        return self._p(self.lrt, self.df)

    @property
    def wald_p(self) -> float:
        return self._p(self.wald_test, self.df)

    @property
    def score_p(self) -> float:
        return self._p(self.score_test, self.df)

    def summary(self, conf_int: float = 0.95) -> pd.DataFrame:
        """One row per coefficient: term, coef, hr, se, z, p (Wald), hr_lcl, hr_ucl, note.
        Hazard ratios (and their limits and p) are NaN for singular or infinite coefficients."""
        from scipy.stats import norm

        z_ci = float(norm.ppf(1 - (1 - conf_int) / 2))
        se = self.se
        with np.errstate(over="ignore", invalid="ignore"):  # a runaway coefficient is reported as NA below
            z = self.coef / se
            p = 2 * norm.sf(np.abs(z))
            hr = np.exp(self.coef)
            lcl = np.exp(self.coef - z_ci * se)
            ucl = np.exp(self.coef + z_ci * se)
        notes = []
        for i, name in enumerate(self.names):
            if self.singular[i]:
                notes.append(f"{name}: not estimable (constant or collinear column); coefficient NA")
            elif self.infinite[i]:
                notes.append(
                    f"{name}: monotone likelihood (loglik converged while the coefficient diverged, "
                    f"R: 'beta may be infinite'); hazard ratio not reported"
                )
            else:
                notes.append("")
        bad = self.singular | self.infinite
        hr, lcl, ucl, p, z = (np.where(bad, np.nan, v) for v in (hr, lcl, ucl, p, z))
        return pd.DataFrame(
            {"term": self.names, "coef": self.coef, "hr": hr, "se": se, "z": z, "p": p,
             "hr_lcl": lcl, "hr_ucl": ucl, "note": notes}
        )


def coxph(time, event, X, *, ties: str = "efron", strata=None, levels: Mapping[str, Sequence] | None = None,
          eps: float = EPS, iter_max: int = ITER_MAX, timefix: bool = True) -> CoxFit:
    """Fit R's ``coxph(Surv(time, event) ~ X [+ strata(strata)], ties = ties)``.

    ``X``: a DataFrame (text columns are factors, treatment-coded by :func:`design_matrix`,
    levels optionally fixed by ``levels``) or a 2-D array (columns ``x1``, ``x2``, ...). No
    missing values (drop incomplete rows first, as R's na.omit does).
    """
    if ties not in ("efron", "breslow"):
        raise ValueError("ties must be 'efron' or 'breslow'")
    if isinstance(X, pd.DataFrame):
        design = design_matrix(X, list(X.columns), levels=levels)
    else:
        arr = np.asarray(X, dtype=float)
        arr = arr.reshape(-1, 1) if arr.ndim == 1 else arr
        names = [f"x{i + 1}" for i in range(arr.shape[1])]
        design = Design(pd.DataFrame(arr, columns=names), {n: [i] for i, n in enumerate(names)}, {}, {})
    x = design.X.to_numpy(dtype=float)
    names = list(design.X.columns)
    time = np.asarray(time, dtype=float)
    if timefix:
        time = aeq_times(time)
    event = np.asarray(event, dtype=float)
    n, p = x.shape
    if strata is None:
        sidx = np.zeros(n, dtype=np.int64)
    else:
        svals = np.asarray(strata, dtype=object)
        slev = _sort_levels(pd.Series(svals).map(str).unique().tolist())
        sidx = pd.Series(svals).map(str).map({v: i for i, v in enumerate(slev)}).to_numpy(dtype=np.int64)
    order = np.lexsort((time, sidx))  # R: order(strata, time), ties in input order
    time, event, sidx, x = time[order], event[order], sidx[order], x[order]
    events = int(event.sum())
    nan_p = np.full(p, np.nan)

    def result(coef, var, loglik, sctest, iters, converged, infinite, singular, note=""):
        ok = ~singular
        wald = math.nan
        if ok.any() and np.all(np.isfinite(coef[ok])):
            wald = float(coef[ok] @ np.linalg.solve(var[np.ix_(ok, ok)], coef[ok]))
        lrt = 2 * (loglik[1] - loglik[0])
        return CoxFit(names, design.assign, coef, var, loglik, sctest, wald, lrt, int(ok.sum()), n, events, iters,
                      converged, infinite, singular, ties, time, event, sidx, x, design.reference, note)

    if events == 0 or p == 0:
        note = "no events: no Cox model" if events == 0 else "no covariates"
        return result(nan_p.copy(), np.full((p, p), np.nan), (0.0, 0.0), math.nan, 0, False,
                      np.zeros(p, bool), np.ones(p, bool), note)

    # coxfit6: centre and scale each column (mean absolute deviation), fit, scale back
    means = x.mean(axis=0)
    xc = x - means
    mad = np.abs(xc).mean(axis=0)
    scale = np.where(mad > 0, 1.0 / np.where(mad > 0, mad, 1.0), 1.0)
    xs = xc * scale
    efron = ties == "efron"

    def iterate(beta):
        blocks = _risk_blocks(time, event, sidx, xs, xs @ beta, efron)
        return float(blocks.loglik.sum()), blocks.score.sum(axis=0), blocks.info.sum(axis=0)

    beta = np.zeros(p)
    loglik0, u, imat = iterate(beta)
    rank, ok = _cholesky2(imat, TOLER_CHOL)
    step = _solve_on(imat, ok, u)
    sctest = float(u @ step)
    best = loglik0
    newbeta = beta + step
    halving = 0
    converged = False
    iters = 0
    for iters in range(1, iter_max + 1):
        newlk, u, imat = iterate(newbeta)
        rank, ok = _cholesky2(imat, TOLER_CHOL)
        finite = np.all(np.isfinite(u)) and np.all(np.isfinite(imat)) and np.isfinite(newlk)
        with np.errstate(divide="ignore", invalid="ignore"):
            # a log partial likelihood of exactly 0 (one patient, or one event alone in its
            # risk set) makes R's ratio 0/0; nothing can change there: converged
            change = abs(1 - best / newlk) if newlk != 0 else (0.0 if best == 0 else float("inf"))
        if finite and change <= eps:
            best = newlk
            beta = newbeta
            converged = True
            break
        if not finite or newlk < best:
            halving += 1
            newbeta = (newbeta + halving * beta) / (halving + 1.0)
        else:
            halving = 0
            best = newlk
            step = _solve_on(imat, ok, u)
            beta = newbeta
            newbeta = newbeta + step
    if not converged:
        if iter_max > 1:
            best, u, imat = iterate(beta)
            rank, ok = _cholesky2(imat, TOLER_CHOL)
    var_s = _inverse_on(imat, ok)
    coef = beta * scale
    u_orig = u / scale
    var = var_s * np.outer(scale, scale)
    singular = (np.diag(var) == 0) if rank < p else np.zeros(p, bool)
    infs = np.abs(u_orig @ var)
    infinite = np.zeros(p, bool)
    note = ""
    if not converged:
        note = f"did not converge in {iter_max} iterations"
    else:
        infinite = ~np.isfinite(u_orig) | ((infs > eps) & (infs > TOLER_INF * np.abs(coef)))
        infinite &= ~singular
    coef = np.where(singular, np.nan, coef)
    return result(coef, var, (float(loglik0), float(best)), sctest, iters, converged, infinite, singular, note)


# --------------------------------------------------------------------------- cox.zph


def zph_notes(fit: CoxFit) -> list[str]:
    """What a reader of :func:`cox_zph`'s table should know about the fit: coefficients left
    out as not estimable, and an infinite coefficient (the test is then unreliable)."""
    notes = []
    left = [n for n, s in zip(fit.names, fit.singular) if s]
    if left:
        notes.append(f"not estimable, left out: {', '.join(left)}")
    if fit.infinite.any():
        notes.append("model has an infinite coefficient (monotone likelihood): test unreliable")
    return notes


def cox_zph(fit: CoxFit, transform: str = "km", *, terms: bool = True) -> pd.DataFrame:
    """R ``cox.zph(fit, transform)`` (survival >= 3.0): rows ``term, chisq, df, p`` per term
    (per column when ``terms=False``) and ``GLOBAL``. Singular coefficients are dropped as in R."""
    from scipy.stats import chi2

    keep = ~fit.singular
    if fit.events == 0 or not keep.any():
        return pd.DataFrame({"term": ["GLOBAL"], "chisq": [math.nan], "df": [0], "p": [math.nan]})
    cols = np.flatnonzero(keep)
    newpos = {c: i for i, c in enumerate(cols)}
    if terms:
        assign = {t: [newpos[c] for c in idx if c in newpos] for t, idx in fit.assign.items()}
        assign = {t: idx for t, idx in assign.items() if idx}
    else:
        assign = {fit.names[c]: [newpos[c]] for c in cols}
    X = fit.X[:, cols]
    beta = fit.coef[cols]
    time, event, strata = fit.time, fit.event, fit.strata
    if transform == "km":
        curve = kaplan_meier(time, event, timefix=False)
        idx = np.searchsorted(curve["time"].to_numpy(), time, side="left")  # times strictly below
        g = 1.0 - np.r_[1.0, curve["surv"].to_numpy()][idx]
    elif transform == "identity":
        g = time.astype(float)
    elif transform == "log":
        g = np.log(time)
    elif transform == "rank":
        from scipy.stats import rankdata

        g = rankdata(time)
    else:
        raise ValueError("transform must be 'km', 'identity', 'log' or 'rank'")
    g = g - g[event == 1].mean()
    xc = X - X.mean(axis=0)
    eta = xc @ beta
    blocks = _risk_blocks(time, event, strata, xc, eta, fit.ties == "efron")
    gb = g[blocks.first]
    p = X.shape[1]
    u_gamma = (gb[:, None] * blocks.score).sum(axis=0)
    i_bb = blocks.info.sum(axis=0)
    i_bg = (gb[:, None, None] * blocks.info).sum(axis=0)
    i_gg = (gb[:, None, None] ** 2 * blocks.info).sum(axis=0)
    imat = np.block([[i_bb, i_bg], [i_bg, i_gg]])
    def score_test(matrix, u) -> float:
        # R's cox.zph stops with "system is computationally singular" (e.g. every event of one
        # group before the other's first); here that term's test is NaN (reported as NA)
        try:
            return float(np.linalg.solve(matrix, u) @ u)
        except np.linalg.LinAlgError:
            return float("nan")

    rows = []
    for term, jj in assign.items():
        kk = list(range(p)) + [j + p for j in jj]
        u = np.r_[np.zeros(p), u_gamma[jj]]
        rows.append((term, score_test(imat[np.ix_(kk, kk)], u), len(jj)))
    u = np.r_[np.zeros(p), u_gamma]
    rows.append(("GLOBAL", score_test(imat, u), p))
    out = pd.DataFrame(rows, columns=["term", "chisq", "df"])
    out["p"] = chi2.sf(out["chisq"].to_numpy(), out["df"].to_numpy())
    return out
