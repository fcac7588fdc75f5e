"""metevo.stats.contingency without R: the exact roots solve their defining equations (scipy's
Fisher noncentral hypergeometric as the independent reference), caching, input checks.
R equality is tested in tests/r/test_contingency_r.py."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import nchypergeom_fisher

from metevo.stats.contingency import cmh_test, fisher_exact, fisher_exact_many, mcnemar_chisq, mcnemar_exact

TABLES = [(3, 1, 1, 3), (40, 28, 3, 47), (12, 2, 1, 9), (7, 8, 9, 2), (25, 975, 10, 9990), (300, 200, 250, 260)]


@pytest.mark.parametrize("table", TABLES)
def test_exact_roots_solve_the_conditional_equations(table):
    a, b, c, d = table
    r = fisher_exact(a, b, c, d, root_tol=0)
    # margins as scipy's nchypergeom_fisher(M, n, N, odds): M total, n = column-1 total, N = row-1 total
    M, n, N = a + b + c + d, a + c, a + b
    assert nchypergeom_fisher.mean(M, n, N, r.odds_ratio) == pytest.approx(a, rel=1e-9)
    assert nchypergeom_fisher.sf(a - 1, M, n, N, r.ci_low) == pytest.approx(0.025, rel=1e-7)
    assert nchypergeom_fisher.cdf(a, M, n, N, r.ci_high) == pytest.approx(0.025, rel=1e-7)
    # R's uniroot stops near, not at, the roots: within its tolerance
    default = fisher_exact(a, b, c, d)
    assert default.odds_ratio == pytest.approx(r.odds_ratio, rel=5e-2)
    assert default.p_value == r.p_value


def test_one_sided_intervals_and_degenerate_tables():
    less = fisher_exact(3, 1, 1, 3, alternative="less")
    greater = fisher_exact(3, 1, 1, 3, alternative="greater")
    assert less.ci_low == 0 and greater.ci_high == np.inf
    assert less.p_value + greater.p_value > 1  # both tails contain the observed table
    r = fisher_exact(0, 5, 5, 0)
    assert r.odds_ratio == 0 and r.ci_low == 0 and r.ci_high > 0
    r = fisher_exact(5, 0, 0, 5)
    assert r.odds_ratio == np.inf and r.ci_high == np.inf
    r = fisher_exact(0, 0, 4, 6)  # an empty row: no information
    assert (r.p_value, r.odds_ratio, r.ci_low, r.ci_high) == (1.0, 0.0, 0.0, np.inf)


def test_many_caches_and_keeps_shape():
    a = np.array([[3, 12], [3, 40]])
    b = np.array([[1, 2], [1, 28]])
    c = np.array([[1, 1], [1, 3]])
    d = np.array([[3, 9], [3, 47]])
    many = fisher_exact_many(a, b, c, d)
    assert many.p_value.shape == (2, 2)
    one = fisher_exact(40, 28, 3, 47)
    assert many.odds_ratio[1, 1] == one.odds_ratio and many.p_value[1, 1] == one.p_value
    assert many.ci_high[0, 0] == many.ci_high[1, 0]
    empty = fisher_exact_many([], [], [], [])
    assert empty.p_value.shape == (0,)


@pytest.mark.parametrize("bad", [(-1, 2, 3, 4), (1.5, 2, 3, 4), (np.nan, 2, 3, 4)])
def test_bad_counts(bad):
    with pytest.raises(ValueError):
        fisher_exact(*bad)


def test_bad_options():
    with pytest.raises(ValueError):
        fisher_exact(1, 2, 3, 4, alternative="two-sided")
    with pytest.raises(ValueError):
        fisher_exact(1, 2, 3, 4, conf_level=1.5)
    with pytest.raises(ValueError):
        cmh_test([[[1, 0], [0, 0]], [[2, 3], [4, 5]]])  # a stratum of one


def test_mcnemar_small_cases_by_hand():
    # 3 vs 12 discordant pairs: 2 * P(B <= 3), B ~ Bin(15, 1/2) = 2 * 576 / 32768
    assert mcnemar_exact(3, 12).p_value == 2 * 576 / 32768
    assert mcnemar_exact(12, 3, alternative="greater").p_value == 576 / 32768
    assert mcnemar_exact(0, 0).p_value == 1.0
    r = mcnemar_chisq(3, 12)
    assert r.statistic == (9 - 1) ** 2 / 15
    assert np.isnan(mcnemar_chisq(0, 0).p_value)
