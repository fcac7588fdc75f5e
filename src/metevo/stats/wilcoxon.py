"""Wilcoxon rank-sum (Mann-Whitney) and signed-rank tests with R's ``wilcox.test`` semantics.

A re-implementation of ``stats:::wilcox.test.default`` of R 4.2 (defaults ``exact = NULL,
correct = TRUE``, ``mu = 0``, ``digits.rank = Inf``), read from R's own source:

* Missing values (NaN) are dropped; a paired test keeps complete cases, then drops the
  differences that are NaN (``Inf - Inf``), as R does.
* Signed-rank: differences ``x - y - mu`` equal to zero are dropped before ranking; V is the
  sum of the ranks of ``|d|`` over positive ``d``.
* Rank-sum: W is the rank sum of ``x - mu`` in the pooled sample minus ``n_x (n_x + 1) / 2``
  (the Mann-Whitney U of x).
* Exact p-values (the null distributions of R's ``pwilcox``/``psignrank``) when ``exact`` is
  None and each sample has fewer than 50 values (rank-sum) or fewer than 50 non-zero
  differences remain (signed-rank), and there are no ties (and, for signed-rank, no zeros
  were dropped). Two-sided exact: ``p = upper(STAT - 1) if STAT > mean else lower(STAT)``,
  reported as ``min(2p, 1)``.
* Otherwise the normal approximation with the tie-corrected variance and, when ``correct``,
  the continuity correction (``sign(z) * 0.5`` two-sided, ``+0.5`` greater, ``-0.5`` less).
* ``exact=True`` asks for the exact p-value at any n; it falls back to the normal
  approximation when ties (or zeros) make it impossible, as R does (R warns; we say so in
  ``note``). ``exact=False`` always uses the approximation.

The exact null distributions are computed with integer arithmetic (coefficients of the
Gaussian binomial ``[m+n choose m]_q`` for W, of ``prod (1 + q^i)`` for V) and each tail
probability is one correctly rounded division, so they equal R's double-precision sums to
the last few ulps.

Deviations from R, all for inputs where R errors or returns a number without information:
R stops with an error when x (or y) has no non-missing values; here the result has
``p_value = NaN`` and a ``note``. When the null variance is zero (all pooled values tied in
the rank-sum test; every difference zero in the signed-rank test) R's z is 0/0 or +-Inf and
R reports NaN two-sided but 1 one-sided; here p is NaN for every alternative, with a note.
Confidence intervals and estimates (``conf.int = TRUE``) are not implemented.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np

from metevo.stats.results import TestResult, normalise_alternative

RANK_SUM = "Wilcoxon rank-sum"
SIGNED_RANK = "Wilcoxon signed-rank"
EXACT = "exact"
NORMAL_CORRECTED = "normal approximation with continuity correction"
NORMAL = "normal approximation"
EXACT_LIMIT = 50  # R: exact by default only below 50 values per sample / non-zero differences


# --------------------------------------------------------------------------- null distributions


@lru_cache(maxsize=128)
def _rank_sum_cumulative(m: int, n: int) -> tuple[np.ndarray, int]:
    """Cumulative counts of W = 0..m*n under H0 (Python ints), and the total C(m+n, m).

    The number of arrangements with W = k is the coefficient of q^k in the Gaussian binomial
    [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i); after step i the partial
    product is [n+i choose i]_q, a polynomial of degree i*n, so each division is exact.
    """
    if m > n:  # W's distribution is symmetric in (m, n); the short loop is cheaper
        m, n = n, m
    coef = np.array([1], dtype=object)
    for i in range(1, m + 1):
        degree = i * n
        grown = np.zeros(degree + 1, dtype=object)
        grown[: coef.size] += coef
        shift = n + i
        if shift <= degree:
            grown[shift:] -= coef[: degree + 1 - shift]
        for start in range(i):  # divide by (1 - q^i): b[k] = a[k] + b[k - i]
            grown[start::i] = np.cumsum(grown[start::i])
        coef = grown
    return np.cumsum(coef), math.comb(m + n, m)


@lru_cache(maxsize=128)
def _signed_rank_cumulative(n: int) -> tuple[np.ndarray, int]:
    """Cumulative counts of V = 0..n(n+1)/2 under H0 (coefficients of prod (1 + q^i)), and 2^n."""
    top = n * (n + 1) // 2
    coef = np.zeros(top + 1, dtype=object)
    coef[0] = 1
    reach = 0
    for i in range(1, n + 1):
        reach += i
        coef[i : reach + 1] = coef[i : reach + 1] + coef[: reach + 1 - i]
    return np.cumsum(coef), 2**n


def _tail(cumulative: np.ndarray, total: int, q: int, top: int, lower_tail: bool) -> float:
    if q < 0:
        return 0.0 if lower_tail else 1.0
    if q >= top:
        return 1.0 if lower_tail else 0.0
    at_most = int(cumulative[q])
    return at_most / total if lower_tail else (total - at_most) / total


def pwilcox(q: float, m: int, n: int, lower_tail: bool = True) -> float:
    """P(W <= q) (or P(W > q)) for the rank-sum statistic with sample sizes m, n: R's ``pwilcox``.

    As in R, ``q`` is floored after adding 1e-7.
    """
    m, n = int(m), int(n)
    if m <= 0 or n <= 0:
        return math.nan
    q = math.floor(q + 1e-7)
    if q < 0 or q >= m * n:
        return _tail(np.zeros(0), 1, q, m * n, lower_tail)
    cumulative, total = _rank_sum_cumulative(m, n)
    return _tail(cumulative, total, q, m * n, lower_tail)


def psignrank(q: float, n: int, lower_tail: bool = True) -> float:
    """P(V <= q) (or P(V > q)) for the signed-rank statistic of n differences: R's ``psignrank``.

    As in R, ``q`` is rounded to the nearest integer (half to even) after adding 1e-7.
    """
    n = int(n)
    if n <= 0:
        return math.nan
    q = round(q + 1e-7)
    top = n * (n + 1) // 2
    if q < 0 or q >= top:
        return _tail(np.zeros(0), 1, q, top, lower_tail)
    cumulative, total = _signed_rank_cumulative(n)
    return _tail(cumulative, total, q, top, lower_tail)


# --------------------------------------------------------------------------- helpers


def _as_float_array(values) -> np.ndarray:
    try:
        array = np.asarray(values, dtype=float)
    except TypeError:  # pandas nullable values: pd.NA is missing, like R's NA
        import pandas as pd

        array = pd.array(list(values), dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    return array.reshape(-1)


def _average_ranks(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ranks with ties averaged (R's ``rank``) and the size of every tie group."""
    size = values.size
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    if size == 0:
        return np.zeros(0), np.zeros(0, dtype=np.int64)
    # compare neighbours rather than diff() so that tied infinities form one group
    breaks = np.flatnonzero(ordered[1:] != ordered[:-1]) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [size]))
    group_sizes = ends - starts
    ranks = np.empty(size, dtype=float)
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, group_sizes)
    return ranks, group_sizes


def _normal_p(z: float, alternative: str) -> float:
    from scipy.special import ndtr

    if alternative == "less":
        return float(ndtr(z))
    if alternative == "greater":
        return float(ndtr(-z))
    return float(2.0 * min(ndtr(z), ndtr(-z)))


def _correction(z: float, alternative: str, correct: bool) -> float:
    if not correct:
        return 0.0
    if alternative == "two-sided":
        return float(np.sign(z)) * 0.5
    return 0.5 if alternative == "greater" else -0.5


def _check_exact(exact: bool | None) -> None:
    if exact is not None and not isinstance(exact, (bool, np.bool_)):
        raise ValueError(f"exact must be None, True or False; got {exact!r}")


# --------------------------------------------------------------------------- tests


def rank_sum_test(
    x: Sequence[float],
    y: Sequence[float],
    *,
    alternative: str = "two-sided",
    mu: float = 0.0,
    exact: bool | None = None,
    correct: bool = True,
) -> TestResult:
    """Wilcoxon rank-sum test of x against y: R ``wilcox.test(x, y, ...)``.

    ``alternative="greater"`` tests whether x is shifted to the right of y (by more than
    ``mu``). Statistic W = U of x. See the module docstring for the method choice.
    """
    alternative = normalise_alternative(alternative)
    _check_exact(exact)
    x = _as_float_array(x)
    y = _as_float_array(y)
    x = x[~np.isnan(x)]
    y = y[~np.isnan(y)]
    n_x, n_y = x.size, y.size
    if n_x == 0 or n_y == 0:
        empty = "x" if n_x == 0 else "y"
        return TestResult(RANK_SUM, alternative, "W", math.nan, math.nan, n_x, n_y, "", False,
                          note=f"no non-missing observations in {empty}")
    ranks, group_sizes = _average_ranks(np.concatenate((x - mu, y)))
    fx, fy = float(n_x), float(n_y)
    statistic = float(ranks[:n_x].sum()) - fx * (fx + 1) / 2
    ties = bool(group_sizes.size != ranks.size)
    if exact is None:
        exact = n_x < EXACT_LIMIT and n_y < EXACT_LIMIT
    if exact and not ties:
        w = int(round(statistic))
        if alternative == "two-sided":
            if statistic > fx * fy / 2:
                p = pwilcox(w - 1, n_x, n_y, lower_tail=False)
            else:
                p = pwilcox(w, n_x, n_y)
            p = min(2.0 * p, 1.0)
        elif alternative == "greater":
            p = pwilcox(w - 1, n_x, n_y, lower_tail=False)
        else:
            p = pwilcox(w, n_x, n_y)
        return TestResult(RANK_SUM, alternative, "W", statistic, p, n_x, n_y, EXACT, ties)

    note = "exact p-value impossible with ties; normal approximation used" if exact else ""
    method = NORMAL_CORRECTED if correct else NORMAL
    n_ties = group_sizes.astype(float)
    z = statistic - fx * fy / 2
    variance = (fx * fy / 12) * ((fx + fy + 1) - float(np.sum(n_ties**3 - n_ties)) / ((fx + fy) * (fx + fy - 1)))
    if not variance > 0:
        return TestResult(RANK_SUM, alternative, "W", statistic, math.nan, n_x, n_y, method, ties,
                          note="all values are tied: the null variance is zero and the test has no information")
    sigma = math.sqrt(variance)
    z = (z - _correction(z, alternative, correct)) / sigma
    return TestResult(RANK_SUM, alternative, "W", statistic, _normal_p(z, alternative), n_x, n_y, method, ties,
                      note=note)


def signed_rank_test(
    x: Sequence[float],
    y: Sequence[float] | None = None,
    *,
    alternative: str = "two-sided",
    mu: float = 0.0,
    exact: bool | None = None,
    correct: bool = True,
) -> TestResult:
    """Wilcoxon signed-rank test of x - y (paired) or of x (one sample): R
    ``wilcox.test(x, y, paired = TRUE, ...)`` / ``wilcox.test(x, ...)``.

    ``alternative="greater"`` tests whether the differences ``x - y`` are shifted above
    ``mu``. Statistic V = sum of the ranks of |d| over positive d. ``n_x``/``n_y`` of the
    result are the complete pairs (``n_y = 0`` for one sample); ``n_zeros_dropped`` of them
    had a zero difference.
    """
    alternative = normalise_alternative(alternative)
    _check_exact(exact)
    x = _as_float_array(x)
    if y is None:
        d = x[~np.isnan(x)]
        paired = False
    else:
        y = _as_float_array(y)
        if x.size != y.size:
            raise ValueError(f"paired samples must have the same length; got {x.size} and {y.size}")
        complete = ~np.isnan(x) & ~np.isnan(y)
        d = x[complete] - y[complete]
        d = d[~np.isnan(d)]  # Inf - Inf
        paired = True
    n_pairs = d.size
    n_other = n_pairs if paired else 0
    if n_pairs == 0:
        return TestResult(SIGNED_RANK, alternative, "V", math.nan, math.nan, 0, 0, "", False,
                          note="no complete pairs" if paired else "no non-missing observations in x")
    d = d - mu
    zero = d == 0
    n_zeros = int(zero.sum())
    d = d[~zero]
    n = d.size
    fn = float(n)
    ranks, group_sizes = _average_ranks(np.abs(d))
    statistic = float(ranks[d > 0].sum())
    ties = bool(group_sizes.size != ranks.size)
    if exact is None:
        exact = n < EXACT_LIMIT
    if exact and not ties and n_zeros == 0:
        v = int(round(statistic))
        if alternative == "two-sided":
            if statistic > fn * (fn + 1) / 4:
                p = psignrank(v - 1, n, lower_tail=False)
            else:
                p = psignrank(v, n)
            p = min(2.0 * p, 1.0)
        elif alternative == "greater":
            p = psignrank(v - 1, n, lower_tail=False)
        else:
            p = psignrank(v, n)
        return TestResult(SIGNED_RANK, alternative, "V", statistic, p, n_pairs, n_other, EXACT, ties)

    reasons = [why for flag, why in ((ties, "ties"), (n_zeros > 0, "zeros")) if flag]
    note = f"exact p-value impossible with {' and '.join(reasons)}; normal approximation used" if exact else ""
    method = NORMAL_CORRECTED if correct else NORMAL
    if n == 0:
        return TestResult(SIGNED_RANK, alternative, "V", statistic, math.nan, n_pairs, n_other, method, ties,
                          n_zeros_dropped=n_zeros,
                          note="all differences are zero: the test has no information")
    n_ties = group_sizes.astype(float)
    z = statistic - fn * (fn + 1) / 4
    sigma = math.sqrt(fn * (fn + 1) * (2 * fn + 1) / 24 - float(np.sum(n_ties**3 - n_ties)) / 48)
    z = (z - _correction(z, alternative, correct)) / sigma
    return TestResult(SIGNED_RANK, alternative, "V", statistic, _normal_p(z, alternative), n_pairs, n_other,
                      method, ties, n_zeros_dropped=n_zeros, note=note)


def wilcox_test(
    x: Sequence[float],
    y: Sequence[float] | None = None,
    *,
    paired: bool = False,
    alternative: str = "two-sided",
    mu: float = 0.0,
    exact: bool | None = None,
    correct: bool = True,
) -> TestResult:
    """R's ``wilcox.test`` dispatch: rank-sum for two samples, signed-rank when paired or y is None."""
    if y is None or paired:
        if paired and y is None:
            raise ValueError("a paired test needs y")
        return signed_rank_test(x, y, alternative=alternative, mu=mu, exact=exact, correct=correct)
    return rank_sum_test(x, y, alternative=alternative, mu=mu, exact=exact, correct=correct)
