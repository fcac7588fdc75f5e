"""metevo.cn.cbs without R: the pieces of DNAcopy's CBS against independent computations.

* the observed statistic (DNAcopy's pruned sqrt(n)-block search) against an O(n^2) search
  over the arcs that search can reach, and against the plain search over all arcs;
* Siegmund's tail probability against a Monte-Carlo tail of the same statistic;
* trimmed variance, inflation factor, smooth.CNA and R's round() on hand-computed cases;
* the sequential boundary and R's random stream against values printed by R;
* segmentations of planted profiles, determinism by seed, parameter errors.

The comparisons with R itself (bit-for-bit statistic, segment() on 100 profiles and on real
counts) are in tests/r/test_cbs_r.py.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metevo.cn import _cbs_kernels as K
from metevo.cn.cbs import getbdry, inflfact, r_round, segment, smooth_cna, trimmed_variance

# ---------------------------------------------------------------------------------------------
# observed statistic


def _nint(x: float) -> int:
    return int(math.floor(x + 0.5))


def _bss_reachable(x: np.ndarray, al0: int) -> float:
    """Maximal between-SS n (S_j - S_i)^2 / (k (n-k)) over the arcs DNAcopy's tmaxo can reach,
    written as a plain O(n^2) search (independent of the pruned block search):

    * the arc between the global maximum and minimum of the partial sums S_1..S_n (start
      values 0 at index n; its length is not checked against min.width);
    * every arc i < j with al0 <= j - i <= n - al0, unless the pair of sqrt(n)-blocks holding
      i and j has its own extreme pair closer than al0 (circularly): DNAcopy never searches
      such a block pair (its arc-length loops start at al0 and end at that pair's length).
    """
    n = len(x)
    s = np.concatenate([[0.0], np.cumsum(x)])
    nb = _nint(math.sqrt(n)) if n >= 50 else 1
    bounds = np.array([_nint(n * (i / nb)) for i in range(1, nb + 1)])
    block = np.searchsorted(bounds, np.arange(1, n + 1))  # block (0-based) of index 1..n
    imax = imin = n
    vmax = vmin = 0.0
    for i in range(1, n + 1):
        if s[i] > vmax:
            vmax, imax = s[i], i
        if s[i] < vmin:
            vmin, imin = s[i], i
    if vmax - vmin <= 0:
        return 0.0
    k0 = abs(imax - imin)
    best = n * (vmax - vmin) ** 2 / (k0 * (n - k0))
    searchable = np.zeros((nb, nb), bool)
    for bi in range(nb):
        ii = np.flatnonzero(block == bi) + 1
        for bj in range(bi, nb):
            jj = np.flatnonzero(block == bj) + 1
            mn_i, mx_i = ii[np.argmin(s[ii])], ii[np.argmax(s[ii])]
            mn_j, mx_j = jj[np.argmin(s[jj])], jj[np.argmax(s[jj])]
            up, down = abs(s[mx_j] - s[mn_i]), abs(s[mx_i] - s[mn_j])
            length = abs(mx_j - mn_i) if up > down else abs(mn_j - mx_i)
            searchable[bi, bj] = min(length, n - length) >= al0
    i, j = np.triu_indices(n + 1, 1)
    keep = (i >= 1) & (j - i >= al0) & (j - i <= n - al0)
    i, j = i[keep], j[keep]
    keep = searchable[block[i - 1], block[j - 1]]
    i, j = i[keep], j[keep]
    if len(i):
        k = j - i
        best = max(best, float(np.max(n * (s[j] - s[i]) ** 2 / (k * (n - k)))))
    return best


def _bss_all_arcs(x: np.ndarray, al0: int) -> float:
    n = len(x)
    s = np.concatenate([[0.0], np.cumsum(x)])
    i, j = np.triu_indices(n + 1, 1)
    k = j - i
    keep = (k >= al0) & (k <= n - al0)
    return float(np.max(n * (s[j[keep]] - s[i[keep]]) ** 2 / (k[keep] * (n - k[keep]))))


def _random_vectors(seed: int, count: int):
    rng = np.random.default_rng(seed)
    for c in range(count):
        n = int(rng.choice([5, 9, 20, 49, 50, 64, 101, 150, 333]))
        x = rng.normal(size=n)
        if c % 3 == 0:
            x[rng.integers(n)] += 6  # a single outlier: the edge cases of the search
        if c % 4 == 1:
            x = np.round(x * 2) / 2  # ties
        if c % 5 == 2:
            x[rng.integers(1, n) :] += 1.5  # a step
        al0 = int(rng.integers(2, 6))
        if n >= 2 * al0:
            yield x - x.mean(), al0


def test_observed_statistic_equals_bruteforce_over_reachable_arcs():
    cases = list(_random_vectors(11, 300))
    assert len(cases) > 250
    exhaustive = 0
    for x, al0 in cases:
        n = len(x)
        tss = float(np.sum(x**2))
        t, i, j, tss_out = K.tmaxo(np.concatenate([[0.0], x]), tss, al0)
        bss = _bss_reachable(x, al0)
        # DNAcopy's normalisation to the squared two-sample t statistic
        tss_ref = tss if tss > bss + 1e-4 else bss + 1.0
        assert t == pytest.approx(bss / ((tss_ref - bss) / (n - 2)), rel=1e-11), (n, al0)
        assert tss_out == tss_ref
        # the arc returned attains the maximum
        s = np.concatenate([[0.0], np.cumsum(x)])
        k = j - i
        assert 1 <= i < j <= n
        assert n * (s[j] - s[i]) ** 2 / (k * (n - k)) == pytest.approx(bss, rel=1e-11)
        # never more than the search over all arcs (plus the starting arc)
        if n > 2 * al0:
            full = max(_bss_all_arcs(x, al0), bss if k < al0 or k > n - al0 else 0.0)
            assert bss <= full * (1 + 1e-12)
            exhaustive += bss == pytest.approx(full, rel=1e-11)
    # DNAcopy's search is exhaustive for most vectors (see docs/segment.md for the exceptions)
    assert exhaustive >= 0.8 * len(cases)


def test_tmaxo_finds_a_planted_step():
    rng = np.random.default_rng(3)
    x = rng.normal(0, 0.2, 400)
    x[150:230] += 2.0
    x = x - x.mean()
    t, i, j, _ = K.tmaxo(np.concatenate([[0.0], x]), float(np.sum(x**2)), 2)
    assert (i, j) == (150, 230)
    assert t > 1000


# ---------------------------------------------------------------------------------------------
# tail probability


def _max_t_long_arcs(x: np.ndarray, kmin: int) -> np.ndarray:
    """sqrt of DNAcopy's T maximised over arcs of kmin..n-kmin probes, per row of x."""
    n = x.shape[1]
    x = x - x.mean(axis=1, keepdims=True)
    tss = (x**2).sum(axis=1)
    s = np.concatenate([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)], axis=1)
    best = np.zeros(x.shape[0])
    for k in range(kmin, n - kmin + 1):
        d = np.abs(s[:, k:] - s[:, :-k]).max(axis=1)
        best = np.maximum(best, n * d**2 / (k * (n - k)))
    return np.sqrt(best / ((tss - best) / (n - 2)))


@pytest.mark.parametrize("m", [250, 400])
def test_tailp_approximates_monte_carlo_tail(m):
    kmax = 25
    sims = _max_t_long_arcs(np.random.default_rng(m).normal(size=(2000, m)), kmax + 1)
    for q in (0.05, 0.01):
        b = float(np.quantile(sims, 1 - q))
        p = K.tailp(b, (kmax + 1) / m, m, 100, 1e-6)
        # Siegmund's approximation of the continuous-time tail: loose agreement expected
        assert 0.5 * q < p < 1.5 * q, (m, q, b, p)


def test_tailp_decreases_and_nu_limits():
    ps = [K.tailp(b, 26 / 1000, 1000, 100, 1e-6) for b in (3.0, 4.0, 5.0, 6.0, 7.0)]
    assert all(a > b for a, b in zip(ps, ps[1:]))
    # nu(x) -> 1 as x -> 0 and ~ 2/x^2 exp(-0.583 x) for large x
    assert K.nu(0.001, 1e-6) == pytest.approx(math.exp(-0.583 * 0.001))
    assert K.nu(0.02, 1e-6) == pytest.approx(math.exp(-0.583 * 0.02), rel=1e-3)


# ---------------------------------------------------------------------------------------------
# scale estimates


def test_inflfact_is_the_truncated_normal_variance():
    trim = 0.025
    a = 1.959963984540054  # qnorm(0.975)
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    exact = 1 / (1 - 2 * a * phi / (1 - 2 * trim))
    assert inflfact(trim) == pytest.approx(exact, rel=1e-7)  # midpoint rule on 10,000 intervals
    assert inflfact(trim) == 1.3177980408013255  # R: DNAcopy:::inflfact(0.025)


def test_trimmed_variance_hand_computed():
    # differences 1, 2, 3, 4; round(0.95 * 4) = 4 kept: (1 + 4 + 9 + 16) / (2 * 4) = 3.75
    assert trimmed_variance([0, 1, 3, 6, 10]) == pytest.approx(3.75 * inflfact(0.025), rel=1e-15)
    assert trimmed_variance([0, 1, 3, 6, 10]) == 4.9417426530049706  # R's value
    # 21 values: round(0.95 * 20) = 19 of 20 differences kept, the largest (10) is dropped
    x = np.concatenate([np.arange(20) % 2, [11]]).astype(float)  # 19 differences of 1, one of 10
    assert trimmed_variance(x) == pytest.approx(19 / (2 * 19) * inflfact(0.025))
    # round half to even as R: (1 - 0.05) * 10 = 9.5 -> 10 of 10 differences kept
    y = np.array([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 5.0])
    assert trimmed_variance(y) == pytest.approx((9 + 16) / 20 * inflfact(0.025))
    assert math.isnan(trimmed_variance([1.0]))


def test_r_round_matches_r():
    # values printed by R 4.2: round(c(0.15, 2.675), c(1, 2)); round(c(-5e-5, 0.12345, 1.00005, 0.30005), 4)
    assert r_round(0.15, 1) == 0.1
    assert r_round(2.675, 2) == 2.67
    got = r_round(np.array([-0.00005, 0.12345, 1.00005, 0.30005, np.nan]), 4)
    assert got[:4].tolist() == [0.0, 0.1235, 1.0001, 0.3]
    assert np.isnan(got[4])


# ---------------------------------------------------------------------------------------------
# smooth.CNA


def test_smooth_cna_pulls_single_outliers_to_the_window_median():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 0.1, 60)
    x[30] = 3.0  # far above all its neighbours
    x[45] = -3.0  # far below
    x[50] = np.nan
    chrom = np.repeat(["1", "2"], [40, 20])
    out = smooth_cna(x, chrom)
    sd = math.sqrt(trimmed_variance(x[np.isfinite(x)]))
    # chromosome 1 ends at index 39: the window 20..40 is clipped to 20..39
    assert out[30] == pytest.approx(np.median(x[20:40]) + 2 * sd)
    fin = np.isfinite(x[40:])
    idx45 = 45 - 40
    finite2 = x[40:][fin]
    pos = np.flatnonzero(np.flatnonzero(fin) == idx45)[0]
    lo, hi = max(0, pos - 10), min(finite2.size, pos + 11)  # neighbours among finite values
    assert out[45] == pytest.approx(np.median(finite2[lo:hi]) - 2 * sd)
    assert np.isnan(out[50])
    untouched = np.setdiff1d(np.arange(60), [30, 45, 50])
    assert np.array_equal(out[untouched], x[untouched])


def test_smooth_cna_keeps_a_point_close_to_a_neighbour():
    x = np.zeros(30)
    x[10] = 5.0
    x[11] = 5.0  # two high points together are a segment, not an outlier
    x[1::2] += 0.01
    out = smooth_cna(x, np.repeat("1", 30))
    assert out[10] == x[10] and out[11] == x[11]


def test_smooth_cna_rejects_interleaved_chromosomes():
    with pytest.raises(ValueError, match="contiguous"):
        smooth_cna(np.zeros(4), np.array(["1", "2", "1", "2"]))


# ---------------------------------------------------------------------------------------------
# sequential boundary and random stream


def test_getbdry_reproduces_dnacopy_default_table():
    from metevo.cn._cbs_bdry import default_bdry

    b = getbdry(0.05, 10000, 101)
    assert np.array_equal(b, default_bdry())  # the shipped table is the computed one
    assert b.size == 101 * 102 // 2
    # first and last entries of R's DNAcopy:::default.DNAcopy.bdry
    assert b[:20].tolist() == [9500, 8352, 9864, 7316, 9174, 9936, 6473, 8360, 9474, 9962,
                               5809, 7623, 8843, 9627, 9975, 5259, 6976, 8209, 9113, 9714]
    assert b[-5:].tolist() == [9912, 9947, 9975, 9994, 10000]
    # each level is increasing (more exceedances seen -> later stop)
    start = 0
    for j in range(1, 102):
        assert np.all(np.diff(b[start : start + j]) > 0)
        start += j


def test_r_mersenne_twister_matches_runif():
    # R: set.seed(1); runif(3); and the 2004th draw (crosses three 624-word blocks)
    state = K.r_mt_state(1)
    buf = np.empty(2004)
    K.r_unif_fill(state, buf, 2004)
    assert buf[:3].tolist() == [0.26550866314209998, 0.37212389963679016, 0.57285336335189641]
    assert buf[2003] == 0.4377153015229851
    state = K.r_mt_state(42)
    assert K.r_unif_rand(state) == 0.91480604349635541  # set.seed(42); runif(1)


# ---------------------------------------------------------------------------------------------
# segment()


def _planted(seed=4):
    rng = np.random.default_rng(seed)
    lengths = [300, 120, 500, 40, 240]
    levels = [0.0, 1.0, -0.6, 1.5, 0.0]
    truth = np.repeat(levels, lengths)
    x = truth + rng.normal(0, 0.25, truth.size)
    chrom = np.repeat(["1", "2"], [920, 280])  # chromosome 2 starts inside the last-but-one level
    return x, chrom


@pytest.mark.parametrize("undo", [{}, {"undo_splits": "sdundo", "undo_sd": 1.0, "alpha": 1e-10}])
def test_segment_recovers_planted_change_points(undo):
    x, chrom = _planted()
    seg = segment(x, chrom, **undo)
    assert seg.columns.tolist() == ["chrom", "start_index", "end_index", "n", "mean"]
    starts = seg["start_index"].tolist()
    assert starts == [0, 300, 420, 920, 960]  # 920: chromosome 2 begins
    assert seg["end_index"].tolist() == [299, 419, 919, 959, 1199]
    assert seg["chrom"].tolist() == ["1", "1", "1", "2", "2"]
    assert np.allclose(seg["mean"], [0.0, 1.0, -0.6, 1.5, 0.0], atol=0.06)
    for row in seg.itertuples():
        assert row.mean == round(float(np.mean(x[row.start_index : row.end_index + 1])), 4)


def test_segment_drops_missing_values_as_dnacopy():
    x, chrom = _planted()
    x = x.copy()
    x[[0, 1, 299, 300, 301, 1199]] = np.nan
    seg = segment(x, chrom)
    assert seg["start_index"].tolist()[:3] == [2, 302, 420]  # segments start at finite values
    assert seg["end_index"].tolist()[0] == 298 and seg["end_index"].tolist()[-1] == 1198
    assert seg["n"].sum() == np.isfinite(x).sum()


def test_segment_edge_cases():
    # constant chromosome, a short one (< 2*min.width), an all-NA chromosome, one value
    x = np.array([1.0] * 10 + [0.5, 2.5, 0.5] + [np.nan] * 3 + [7.0])
    chrom = np.array(["1"] * 10 + ["2"] * 3 + ["3"] * 3 + ["4"])
    seg = segment(x, chrom)
    assert seg[["chrom", "start_index", "end_index", "n"]].values.tolist() == [
        ["1", 0, 9, 10],
        ["2", 10, 12, 3],
        ["4", 16, 16, 1],
    ]
    assert seg["mean"].tolist() == [1.0, 1.1667, 7.0]
    assert segment(np.full(5, np.nan), np.repeat("1", 5)).empty


def test_segment_is_deterministic_for_a_seed():
    rng = np.random.default_rng(9)
    # short, weak segments: the permutation tests decide
    x = rng.standard_t(3, 3000) * 0.5 + np.repeat(rng.normal(0, 0.3, 30), 100)
    chrom = np.repeat(["1", "2", "3"], 1000)
    for kind in ("numpy", "R"):
        a = segment(x, chrom, seed=5, rng_kind=kind, alpha=0.05, nperm=1000)
        b = segment(x, chrom, seed=5, rng_kind=kind, alpha=0.05, nperm=1000)
        pd.testing.assert_frame_equal(a, b)


def test_segment_parameter_errors():
    x, chrom = np.zeros(10), np.repeat("1", 10)
    for kwargs, match in [
        ({"min_width": 6}, "min_width"),
        ({"nmin": 50}, "nmin"),
        ({"p_method": "exact"}, "p_method"),
        ({"undo_splits": "both"}, "undo_splits"),
        ({"alpha": 0}, "alpha"),
        ({"rng_kind": "mt"}, "rng_kind"),
    ]:
        with pytest.raises(ValueError, match=match):
            segment(x, chrom, **kwargs)
    with pytest.raises(ValueError, match="contiguous"):
        segment(np.zeros(4), np.array(["1", "2", "1", "2"]))


def test_prune_drops_the_change_point_that_explains_little():
    from metevo.cn.cbs import _undo_prune

    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(m, 0.1, 100) for m in (0.0, 1.0, 1.02, -1.0)])
    # removing 200 (between means 1.0 and 1.02) raises the residual SS by far less than 5%;
    # removing 100 or 300 as well would not
    assert _undo_prune(x, [100, 100, 100, 100], 0.05) == [100, 200, 100]
