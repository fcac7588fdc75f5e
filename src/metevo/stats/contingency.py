"""Tests of 2 x 2 tables with R's semantics: Fisher's exact test, McNemar's test and the
Cochran-Mantel-Haenszel test.

* :func:`fisher_exact` is R ``fisher.test`` on ``matrix(c(a, c, b, d), 2)``, i.e. the table
  ``[[a, b], [c, d]]``: the p-value from the hypergeometric distribution (two-sided: the sum
  of the probabilities of every table at most ``1 + 1e-7`` times as likely as the observed
  one), the conditional maximum-likelihood odds ratio (the root of the noncentral
  hypergeometric mean equation; 0 when ``a`` is as small as the margins allow, ``Inf`` when
  it is as large) and the exact conditional confidence interval (``ncp.L``/``ncp.U``;
  one-sided for ``less``/``greater``). R finds the estimate and the limits with ``uniroot``
  at its default tolerance (``.Machine$double.eps^0.25``); these functions run that same
  iteration (``R_zeroin2``) on the same function values, so they return R's numbers, not the
  exact roots, which can differ from R's in the fourth digit (and by a few percent for upper
  limits in the thousands). ``root_tol=0`` gives the exact roots instead.
* :func:`fisher_exact_many` does the same for arrays of tables; identical tables are computed
  once.
* :func:`mcnemar_exact` is the binomial test of the discordant pairs ``b`` vs ``c`` at
  p = 1/2 (statsmodels ``mcnemar(exact=True)``, R ``binom.test(b, b + c)``);
  :func:`mcnemar_chisq` is R ``mcnemar.test`` (continuity-corrected by default).
* :func:`cmh_test` is R ``mantelhaen.test`` of 2 x 2 x K tables: the Mantel-Haenszel
  chi-square (continuity correction by default), the Mantel-Haenszel common odds ratio and its
  interval from the Robins-Breslow-Greenland variance; ``exact=True`` is R's exact
  conditional test (``exact = TRUE``).

The numbers are checked against R 4.2 in ``tests/r/test_contingency_r.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

ALTERNATIVES = ("two.sided", "less", "greater")
_ALT_CODE = {"two.sided": 0, "less": 1, "greater": 2}
R_UNIROOT_TOL = 2.0 ** -13  # .Machine$double.eps^0.25, uniroot's default tolerance

FISHER_METHOD = "Fisher's exact test; conditional MLE odds ratio and exact conditional CI (R fisher.test)"


@dataclass(frozen=True)
class FisherResult:
    p_value: float
    odds_ratio: float
    ci_low: float
    ci_high: float
    alternative: str = "two.sided"
    conf_level: float = 0.95


@dataclass(frozen=True)
class FisherArrays:
    """Results of :func:`fisher_exact_many`, one element per table."""

    p_value: np.ndarray
    odds_ratio: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    alternative: str = "two.sided"
    conf_level: float = 0.95


def _check_alternative(alternative: str) -> int:
    if alternative not in _ALT_CODE:
        raise ValueError(f"alternative must be one of {', '.join(ALTERNATIVES)}, not {alternative!r}")
    return _ALT_CODE[alternative]


def _check_conf_level(conf_level: float) -> float:
    conf_level = float(conf_level)
    if not (0 < conf_level < 1):
        raise ValueError(f"conf_level must be between 0 and 1, not {conf_level}")
    return conf_level


def _counts(*values) -> list[np.ndarray]:
    arrays = [np.asarray(v) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    out = []
    for a in arrays:
        if a.size and not np.all(np.isfinite(a)):
            raise ValueError("counts must be finite")
        ints = np.broadcast_to(a, shape).astype(np.int64)
        if np.any(ints != np.broadcast_to(a, shape)) or np.any(ints < 0):
            raise ValueError("counts must be non-negative integers")
        out.append(ints.reshape(-1))
    return out


def fisher_exact(a: int, b: int, c: int, d: int, alternative: str = "two.sided", conf_level: float = 0.95,
                 *, root_tol: float = R_UNIROOT_TOL) -> FisherResult:
    """Fisher's exact test of the 2 x 2 table ``[[a, b], [c, d]]`` as R ``fisher.test``.

    ``odds_ratio`` is the conditional MLE (not ad/bc); ``ci_low``/``ci_high`` the exact
    conditional interval at ``conf_level`` (``[0, U]`` for ``less``, ``[L, Inf]`` for
    ``greater``). ``root_tol`` is uniroot's ``tol`` (R's default gives R's numbers; 0 gives
    the exact roots).
    """
    from metevo.stats import _fisher_kernels as K

    code = _check_alternative(alternative)
    conf_level = _check_conf_level(conf_level)
    ia, ib, ic, id_ = (int(v[0]) for v in _counts(a, b, c, d))
    p, odds, low, high = K.fisher_2x2(ia, ib, ic, id_, code, conf_level, float(root_tol))
    return FisherResult(float(p), float(odds), float(low), float(high), alternative, conf_level)


def pairwise_tables(x: np.ndarray) -> tuple[np.ndarray, ...]:
    """The 2 x 2 tables of every pair of columns of a 0/1 rows x columns matrix (column i before
    j, in :func:`numpy.triu_indices` order): (i, j, n11, n10, n01, n00), n10 the rows with
    column i only and n01 those with column j only."""
    x = np.asarray(x, dtype=np.int64)
    i_idx, j_idx = np.triu_indices(x.shape[1], k=1)
    n11 = (x[:, i_idx] & x[:, j_idx]).sum(axis=0)
    n1 = x.sum(axis=0)
    n10 = n1[i_idx] - n11
    n01 = n1[j_idx] - n11
    return i_idx, j_idx, n11, n10, n01, x.shape[0] - n11 - n10 - n01


def fisher_exact_many(a: Sequence[int] | np.ndarray, b, c, d, alternative: str = "two.sided",
                      conf_level: float = 0.95, *, root_tol: float = R_UNIROOT_TOL) -> FisherArrays:
    """:func:`fisher_exact` of every table ``[[a[i], b[i]], [c[i], d[i]]]`` (arrays broadcast).

    Each distinct table is computed once: in a gene-by-gene comparison of two cohorts most
    genes share a handful of small tables.
    """
    from metevo.stats import _fisher_kernels as K

    code = _check_alternative(alternative)
    conf_level = _check_conf_level(conf_level)
    ia, ib, ic, id_ = _counts(a, b, c, d)
    shape = np.broadcast_shapes(*(np.shape(v) for v in (a, b, c, d)))
    if ia.size == 0:
        empty = np.zeros(shape)
        return FisherArrays(empty, empty.copy(), empty.copy(), empty.copy(), alternative, conf_level)
    tables = np.stack([ia, ib, ic, id_], axis=1)
    unique, inverse = np.unique(tables, axis=0, return_inverse=True)
    out = np.empty((len(unique), 4))
    K.fisher_2x2_many(unique[:, 0].copy(), unique[:, 1].copy(), unique[:, 2].copy(), unique[:, 3].copy(),
                      code, conf_level, float(root_tol), out)
    full = out[inverse.reshape(-1)]
    return FisherArrays(*(full[:, j].reshape(shape) for j in range(4)), alternative, conf_level)


# ------------------------------------------------------------------------------------ McNemar


@dataclass(frozen=True)
class McNemarResult:
    statistic: float
    p_value: float
    method: str
    alternative: str = "two.sided"


def _binom_half_cdf(s: int, n: int) -> float:
    """P(X <= s) for X ~ Binomial(n, 1/2), exactly rounded (integer arithmetic) up to n = 10^5."""
    if s < 0:
        return 0.0
    if s >= n:
        return 1.0
    if n <= 100_000:
        from fractions import Fraction

        total = 0
        term = 1
        for i in range(s + 1):
            total += term
            term = term * (n - i) // (i + 1)
        return float(Fraction(total, 1 << n))
    from scipy.stats import binom

    return float(binom.cdf(s, n, 0.5))


def mcnemar_exact(b: int, c: int, alternative: str = "two.sided") -> McNemarResult:
    """Exact McNemar test of the discordant pairs: ``b`` pairs (yes, no) and ``c`` (no, yes).

    Two-sided: ``min(1, 2 P(B <= min(b, c)))`` for B ~ Binomial(b + c, 1/2), which is
    statsmodels ``mcnemar(table, exact=True)`` and R ``binom.test(b, b + c)$p.value``.
    ``greater``: P(B >= b), evidence that the (yes, no) pairs are the more frequent;
    ``less``: P(B <= b). The statistic is ``min(b, c)`` (two-sided) or ``b``. With no discordant
    pairs the p-value is 1.
    """
    _check_alternative(alternative)
    b, c = (int(v[0]) for v in _counts(b, c))
    n = b + c
    if alternative == "two.sided":
        s = min(b, c)
        p = 1.0 if n == 0 else min(1.0, 2 * _binom_half_cdf(s, n))
        return McNemarResult(float(s), p, "McNemar's exact test (binomial, p = 1/2)", alternative)
    if alternative == "greater":
        p = _binom_half_cdf(n - b, n)  # P(B >= b) = P(B <= n - b) at p = 1/2
    else:
        p = _binom_half_cdf(b, n)
    return McNemarResult(float(b), p, "McNemar's exact test (binomial, p = 1/2)", alternative)


def mcnemar_chisq(b: int, c: int, correct: bool = True) -> McNemarResult:
    """R ``mcnemar.test`` of the 2 x 2 table with discordant cells ``b`` and ``c``:
    (|b - c| - 1)^2 / (b + c) with the continuity correction (applied, as in R, only when
    b != c), (b - c)^2 / (b + c) without; chi-square with 1 df. NaN when b + c = 0 (R: NaN, NA).
    """
    from scipy.special import chdtrc

    b, c = (int(v[0]) for v in _counts(b, c))
    n = b + c
    corrected = correct and b != c
    y = abs(b - c) - 1 if corrected else b - c
    if n == 0:
        return McNemarResult(math.nan, math.nan, "McNemar's Chi-squared test")
    statistic = y * y / n
    method = "McNemar's Chi-squared test" + (" with continuity correction" if corrected else "")
    return McNemarResult(float(statistic), float(chdtrc(1, statistic)), method)


# ------------------------------------------------------------------------ Cochran-Mantel-Haenszel


@dataclass(frozen=True)
class CMHResult:
    statistic: float  # Mantel-Haenszel X-squared; for the exact test S, the sum of the a cells (as R)
    p_value: float
    odds_ratio: float  # Mantel-Haenszel estimate, or the conditional MLE (exact)
    ci_low: float
    ci_high: float
    method: str
    alternative: str = "two.sided"
    conf_level: float = 0.95


def _strata(tables) -> np.ndarray:
    x = np.asarray(tables, dtype=float)
    if x.ndim != 3 or x.shape[1:] != (2, 2):
        raise ValueError("tables must be a sequence of 2 x 2 tables (shape K x 2 x 2)")
    if np.any(~np.isfinite(x)) or np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("counts must be non-negative integers")
    if np.any(x.sum(axis=(1, 2)) < 2):
        raise ValueError("sample size in each stratum must be > 1")
    return x


def cmh_test(tables, alternative: str = "two.sided", correct: bool = True, exact: bool = False,
             conf_level: float = 0.95, *, root_tol: float = R_UNIROOT_TOL) -> CMHResult:
    """R ``mantelhaen.test`` of K strata given as ``tables[k] = [[a, b], [c, d]]``.

    Asymptotic (default): DELTA = sum(a - E[a]); X^2 = (|DELTA| - 0.5)^2 / sum(var) with the
    0.5 only when ``correct`` and |DELTA| >= 0.5; two-sided p from chi-square(1), one-sided from
    the normal with sign(DELTA). The estimate is sum(ad/n) / sum(bc/n) and its interval uses
    the Robins-Breslow-Greenland variance of its log. ``exact=True``: the conditional
    distribution of sum(a) (convolution of the strata's hypergeometrics), p-values and the
    conditional MLE and interval as ``fisher.test`` does for one table.
    """
    from scipy.special import chdtrc, ndtr, ndtri

    code = _check_alternative(alternative)
    conf_level = _check_conf_level(conf_level)
    x = _strata(tables)
    a, b, c, d = x[:, 0, 0], x[:, 0, 1], x[:, 1, 0], x[:, 1, 1]
    if exact:
        return _cmh_exact(x, code, alternative, conf_level, root_tol)
    n = a + b + c + d
    row1, row2 = a + b, c + d
    col1, col2 = a + c, b + d
    delta = float(np.sum(a - row1 * col1 / n))
    yates = 0.5 if (correct and abs(delta) >= 0.5) else 0.0
    variance = float(np.sum(row1 * row2 * col1 * col2 / (n ** 2 * (n - 1))))
    statistic = (abs(delta) - yates) ** 2 / variance
    if alternative == "two.sided":
        p = float(chdtrc(1, statistic))
    else:
        z = math.copysign(1.0, delta) * math.sqrt(statistic) if delta != 0 else 0.0
        p = float(ndtr(z)) if alternative == "less" else float(ndtr(-z))
    s_diag = float(np.sum(a * d / n))
    s_offd = float(np.sum(b * c / n))
    estimate = s_diag / s_offd if s_offd else (math.inf if s_diag else math.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = math.sqrt(float(np.sum((a + d) * a * d / n ** 2)) / (2 * s_diag ** 2)
                       + float(np.sum(((a + d) * b * c + (b + c) * a * d) / n ** 2)) / (2 * s_diag * s_offd)
                       + float(np.sum((b + c) * b * c / n ** 2)) / (2 * s_offd ** 2)) if s_diag and s_offd else math.nan
    if alternative == "less":
        low, high = 0.0, estimate * math.exp(ndtri(conf_level) * sd)
    elif alternative == "greater":
        low, high = estimate * math.exp(-ndtri(conf_level) * sd), math.inf
    else:
        zq = ndtri((1 - conf_level) / 2)
        low, high = estimate * math.exp(zq * sd), estimate * math.exp(-zq * sd)
    method = "Mantel-Haenszel chi-squared test " + ("with" if yates else "without") + " continuity correction"
    return CMHResult(float(statistic), p, estimate, float(low), float(high), method, alternative, conf_level)


def _cmh_exact(x: np.ndarray, code: int, alternative: str, conf_level: float, root_tol: float) -> CMHResult:
    from metevo.stats import _fisher_kernels as K

    a = x[:, 0, 0]
    m = x[:, 0, 0] + x[:, 1, 0]  # R: mn <- apply(x, c(2, 3), sum); m <- column 1 totals
    n = x[:, 0, 1] + x[:, 1, 1]
    t = x[:, 0, 0] + x[:, 0, 1]
    s = float(a.sum())
    result = K.cmh_exact(m, n, t, s, code, conf_level, float(root_tol))
    p, estimate, low, high = (float(v) for v in result)
    return CMHResult(s, p, estimate, low, high, "Exact conditional test of independence in 2 x 2 x k tables",
                     alternative, conf_level)
