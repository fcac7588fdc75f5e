"""metevo.stats without R: published R outputs, hand-computed null distributions, scipy's
independent implementation where it agrees with R by construction, and the edge cases where
R errors."""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest

from metevo.stats.multitest import bh_adjust
from metevo.stats.results import ROW_COLUMNS, TestResult
from metevo.stats.wilcoxon import (
    EXACT,
    NORMAL,
    NORMAL_CORRECTED,
    psignrank,
    pwilcox,
    rank_sum_test,
    signed_rank_test,
    wilcox_test,
)


# ---------------------------------------------------------------- R outputs quoted in algorithms.md 10.3


def test_rank_sum_with_ties_r_reference():
    r = rank_sum_test([1, 2, 2, 4, 5, 3, 0], [4, 6, 3, 8, 11, 11])
    assert r.statistic == 4
    assert r.p_value == pytest.approx(0.01778, abs=5e-6)
    assert r.method == NORMAL_CORRECTED and r.ties
    assert (r.n_x, r.n_y) == (7, 6)
    assert "ties" in r.note  # R warns "cannot compute exact p-value with ties"


def test_signed_rank_with_ties_r_reference():
    r = signed_rank_test([-0.2, -0.05, 0.1, 0.15, 0.2])
    assert r.statistic == 9.5
    assert r.p_value == pytest.approx(0.6845, abs=5e-5)
    assert r.method == NORMAL_CORRECTED


def test_exact_signed_rank_r_reference():
    r = signed_rank_test([0.1, 0.3, 0.4, 0.5, 0.8], alternative="greater")
    assert r.statistic == 15 and r.p_value == 0.03125 and r.method == EXACT


# ---------------------------------------------------------------- exact null distributions by enumeration


def _enumerate_w(m, n):
    counts = {}
    for chosen in combinations(range(1, m + n + 1), m):
        w = sum(chosen) - m * (m + 1) // 2
        counts[w] = counts.get(w, 0) + 1
    return counts


def _enumerate_v(n):
    counts = {}
    for mask in range(2**n):
        v = sum(i + 1 for i in range(n) if mask >> i & 1)
        counts[v] = counts.get(v, 0) + 1
    return counts


@pytest.mark.parametrize("m,n", [(1, 1), (2, 3), (4, 4), (3, 7), (6, 5)])
def test_pwilcox_equals_enumeration(m, n):
    counts = _enumerate_w(m, n)
    total = math.comb(m + n, m)
    for q in range(-1, m * n + 2):
        below = sum(c for w, c in counts.items() if w <= q)
        assert pwilcox(q, m, n) == float(Fraction(below, total))
        assert pwilcox(q, m, n, lower_tail=False) == float(Fraction(total - below, total))


@pytest.mark.parametrize("n", [1, 2, 5, 9, 12])
def test_psignrank_equals_enumeration(n):
    counts = _enumerate_v(n)
    for q in range(-1, n * (n + 1) // 2 + 2):
        below = sum(c for v, c in counts.items() if v <= q)
        assert psignrank(q, n) == float(Fraction(below, 2**n))


def test_quantile_argument_rounding_follows_r():
    # pwilcox floors q; psignrank rounds it (R_forceint)
    assert pwilcox(2.6, 3, 4) == pwilcox(2, 3, 4)
    assert psignrank(2.6, 5) == psignrank(3, 5)
    assert psignrank(2.5, 5) == psignrank(3, 5)  # the +1e-7 decides a half
    assert psignrank(2.4, 5) == psignrank(2, 5)


def test_smallest_exact_p_values():
    # complete separation: one arrangement in C(m+n, m); all-positive differences: 2^-n
    r = rank_sum_test(np.arange(30) + 100.0, np.arange(30), alternative="greater")
    assert r.method == EXACT and r.p_value == 1 / math.comb(60, 30)
    r = signed_rank_test(np.arange(1, 41) / 7, alternative="greater")
    assert r.method == EXACT and r.p_value == 2.0**-40


# ---------------------------------------------------------------- scipy agrees with R where the method is forced


def test_rank_sum_agrees_with_scipy_exact_and_asymptotic():
    from scipy.stats import mannwhitneyu

    rng = np.random.default_rng(7)
    for n_x, n_y, alt in [(9, 9, "two-sided"), (12, 20, "greater"), (3, 40, "less"), (70, 55, "two-sided")]:
        pooled = rng.permutation(np.arange(n_x + n_y) * 1.0)
        x, y = pooled[:n_x] + 3, pooled[n_x:]
        ours = rank_sum_test(x, y, alternative=alt)
        method = "exact" if ours.method == EXACT else "asymptotic"
        theirs = mannwhitneyu(x, y, alternative=alt, method=method, use_continuity=True)
        assert ours.statistic == theirs.statistic
        assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)
    x, y = rng.integers(0, 5, 30), rng.integers(1, 6, 25)  # ties
    ours = rank_sum_test(x, y, alternative="less")
    theirs = mannwhitneyu(x, y, alternative="less", method="asymptotic", use_continuity=True)
    assert ours.method == NORMAL_CORRECTED and ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9)


def test_scipy_auto_is_not_r():
    """The trap algorithms.md 10.3 names: 9 vs 9 untied, R is exact (0.00564), scipy auto is not."""
    x = [10, 11, 12, 13, 14, 15, 16, 3, 17]
    y = [1, 2, 4, 5, 6, 7, 8, 9, 18]
    from scipy.stats import mannwhitneyu

    r = rank_sum_test(x, y)
    assert r.method == EXACT and r.statistic == 66
    # W = 66 > 40.5: p = 2 P(W >= 66) = 2 P(W <= 81 - 66) by symmetry, counted over all C(18, 9) splits
    n_below = sum(1 for c in combinations(range(1, 19), 9) if sum(c) - 45 <= 81 - r.statistic)
    assert r.p_value == pytest.approx(2 * n_below / math.comb(18, 9), rel=1e-12)
    assert mannwhitneyu(x, y).pvalue != pytest.approx(r.p_value, rel=1e-3)  # scipy's 'auto' is asymptotic here


def test_signed_rank_statistic_is_r_v_not_scipy_min():
    d = [1.5, -0.5, 2.5, 3.5, -4.5, 5.5]
    r = signed_rank_test(d)
    # |d| ranks 0.5->1, 1.5->2, 2.5->3, 3.5->4, 4.5->5, 5.5->6; scipy would report min(15, 6)
    assert r.statistic == 2 + 3 + 4 + 6


# ---------------------------------------------------------------- missing values, zeros, degenerate inputs


def test_nan_dropped_and_paired_complete_cases():
    r = rank_sum_test([1, np.nan, 3, 5], [2, 4, np.nan])
    assert (r.n_x, r.n_y) == (3, 2)
    assert r.statistic == rank_sum_test([1, 3, 5], [2, 4]).statistic
    import pandas as pd

    nullable = rank_sum_test(pd.Series([1, None, 3, 5], dtype="Int64"), [2, 4])
    assert (nullable.n_x, nullable.statistic, nullable.p_value) == (3, r.statistic, r.p_value)
    x = [3.0, np.nan, 5.0, 7.0, 1.0, 8.0]
    y = [1.0, 2.0, np.nan, 4.0, 2.0, 1.0]
    r = signed_rank_test(x, y)
    assert r.n_pairs == 4 and r.n_y == 4
    assert r.statistic == signed_rank_test([2.0, 3.0, -1.0, 7.0]).statistic


def test_zeros_dropped_force_normal_approximation():
    r = signed_rank_test([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 0.0, 0.0, 0.0, 0.0], alternative="greater")
    assert r.n_zeros_dropped == 1 and r.n_used == 4 and r.statistic == 10
    assert r.method == NORMAL_CORRECTED and "zeros" in r.note
    z = (10 - 5 - 0.5) / math.sqrt(4 * 5 * 9 / 24)
    assert r.p_value == pytest.approx(0.5 * math.erfc(z / math.sqrt(2)), rel=1e-12)


def test_all_zero_differences_give_nan_not_error():
    for alt in ("two-sided", "greater", "less"):
        r = signed_rank_test([2.0, 3.0], [2.0, 3.0], alternative=alt)
        assert math.isnan(r.p_value) and r.n_zeros_dropped == 2 and "zero" in r.note


def test_all_tied_rank_sum_gives_nan_for_every_alternative():
    for alt in ("two-sided", "greater", "less"):
        r = rank_sum_test([1, 1], [1, 1, 1], alternative=alt)
        assert r.statistic == 3 and math.isnan(r.p_value) and "tied" in r.note


def test_empty_samples_give_nan_where_r_stops():
    r = rank_sum_test([np.nan], [1, 2])
    assert math.isnan(r.p_value) and r.n_x == 0 and "x" in r.note
    r = rank_sum_test([1, 2], [])
    assert math.isnan(r.p_value) and "y" in r.note
    r = signed_rank_test([1.0, np.nan], [np.nan, 2.0])
    assert math.isnan(r.p_value) and r.n_pairs == 0


def test_overrides():
    x, y = np.arange(10) * 1.0, np.arange(10) + 0.5
    assert rank_sum_test(x, y, exact=False).method == NORMAL_CORRECTED
    assert rank_sum_test(x, y, exact=False, correct=False).method == NORMAL
    big = rank_sum_test(np.arange(60) + 0.25, np.arange(55) * 1.0, exact=True)
    assert big.method == EXACT
    tied = rank_sum_test([1, 1, 2], [2, 3, 3], exact=True)
    assert tied.method == NORMAL_CORRECTED and "ties" in tied.note
    with pytest.raises(ValueError):
        rank_sum_test(x, y, alternative="bigger")
    with pytest.raises(ValueError):
        signed_rank_test([1, 2], [1])


def test_alternatives_and_aliases():
    x, y = [5.0, 6.0, 7.0, 8.0], [1.0, 2.0, 3.0]
    greater = rank_sum_test(x, y, alternative="greater")
    less = rank_sum_test(x, y, alternative="less")
    both = rank_sum_test(x, y, alternative="two.sided")
    assert both.alternative == "two-sided"
    assert greater.p_value == 1 / math.comb(7, 3)
    assert less.p_value == 1.0
    assert both.p_value == 2 * greater.p_value
    assert wilcox_test(x, y).p_value == both.p_value
    assert wilcox_test([1.0, 2.0], [0.0, 0.5], paired=True).test == "Wilcoxon signed-rank"


def test_result_row_has_every_count():
    r = signed_rank_test([1.0, 2.0, 3.0, 0.0], alternative="greater")
    row = r.as_row()
    assert tuple(row) == ROW_COLUMNS
    assert row["n_x"] == 4 and row["n_zeros_dropped"] == 1
    assert isinstance(r, TestResult) and TestResult.__test__ is False


# ---------------------------------------------------------------- Benjamini-Hochberg


def test_bh_by_hand():
    p = [0.01, np.nan, 0.04, 0.03, 0.04, 0.5]
    # m = 5 non-missing: sorted 0.01, 0.03, 0.04, 0.04, 0.5 -> 5/1*.01, 5/2*.03, 5/4*.04 (min with 5/3*.04), ...
    q = bh_adjust(p)
    assert np.isnan(q[1])
    assert q[[0, 2, 3, 4, 5]] == pytest.approx([0.05, 0.05, 0.05, 0.05, 0.5], rel=1e-15)
    assert bh_adjust([]).size == 0
    assert np.isnan(bh_adjust([np.nan])).all()
    assert bh_adjust([0.9, 0.95]) == pytest.approx([0.95, 0.95])
