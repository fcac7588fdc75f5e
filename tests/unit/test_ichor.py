"""The pieces of the ichorCNA port against planted truth, brute force and R (metevo.cn.ichor,
metevo.cn.hmm, metevo.cn.gc_correction)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from metevo.cn import hmm, ichor
from metevo.cn.gc_correction import correct_read_counts, loess, lowess_function
from metevo.simulate.cfdna import simulate_cfdna, simulate_normals

# --------------------------------------------------------------------------- loess vs R

# R 4.2.2: i <- 1:400; x <- 0.3 + 0.3 * ((i * 0.6180339887) %% 1)
# y <- 1000 * (1 + 2 * (x - 0.45) - 8 * (x - 0.45)^2) + 40 * sin(37 * i)
# predict(loess(y ~ x, span = s, surface = "direct"), p); approxfun(lowess(x, y))(p)
_P = np.array([0.32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.58])
_R_LOESS_003 = [627.4718690044, 681.3417095977, 908.8654165869, 1009.3787944303, 1042.6396175654, 1149.5342050908, 1117.9985917942]
_R_LOESS_03 = [606.6045878572, 718.8663471860, 880.8832191109, 1000.6962877277, 1079.8108397021, 1119.0713531341, 1123.2865168655]
_R_LOWESS = [616.6042657765, 711.6160224808, 866.5079318240, 986.4958041750, 1066.4723405781, 1108.7230770356, 1131.5421890578]


def _r_data():
    i = np.arange(1, 401)
    x = 0.3 + 0.3 * np.mod(i * 0.6180339887, 1.0)
    y = 1000 * (1 + 2 * (x - 0.45) - 8 * (x - 0.45) ** 2) + 40 * np.sin(37 * i)
    return x, y


def test_loess_and_lowess_match_r():
    x, y = _r_data()
    assert loess(x, y, _P, span=0.03) == pytest.approx(_R_LOESS_003, rel=1e-8)
    assert loess(x, y, _P, span=0.3) == pytest.approx(_R_LOESS_03, rel=1e-8)
    assert lowess_function(x, y)(_P) == pytest.approx(_R_LOWESS, rel=1e-8)
    # R's interpolated surface has no value outside the data; neither do we
    assert np.isnan(loess(x, y, np.array([0.1, 0.9]), span=0.3)).all()


def test_lowess_matches_r_with_tied_x():
    # mappability scores tie (many bins at exactly one value); R:
    # i <- 1:500; x <- ifelse((i * 0.7548776662) %% 1 < 0.2, 0.5 + 0.4 * ((i * 0.5698402910) %% 1), 0.97)
    # y <- 1 + 0.1 * sin(13 * i) + 0.3 * (x - 0.9); approxfun(lowess(x, y))(c(0.5, 0.6, 0.8, 0.9, 0.97))
    i = np.arange(1, 501)
    x = np.where(np.mod(i * 0.7548776662, 1) < 0.2, 0.5 + 0.4 * np.mod(i * 0.5698402910, 1), 0.97)
    y = 1 + 0.1 * np.sin(13 * i) + 0.3 * (x - 0.9)
    got = lowess_function(x, y)(np.array([0.5, 0.6, 0.8, 0.9, 0.97]))
    assert np.isnan(got[0])  # below the smallest x: NA in R
    assert got[1:] == pytest.approx([0.910071742840, 0.964173718904, 1.000997123817, 1.022912362225], abs=1e-11)


def test_gc_and_mappability_correction_removes_a_planted_bias():
    rng = np.random.default_rng(3)
    n = 3000
    gc = np.clip(0.41 + 0.05 * rng.standard_normal(n), 0.3, 0.6)
    mappability = np.where(rng.random(n) < 0.2, rng.uniform(0.5, 0.9, n), 0.97)
    truth = np.where(np.arange(n) < 600, 1.5, 1.0)  # a gained stretch must survive the correction
    reads = rng.poisson(3000 * truth * np.exp(1.5 * (gc - 0.42) - 20 * (gc - 0.42) ** 2) * mappability)
    cor = correct_read_counts(reads, gc, mappability, np.ones(n, bool), rng=rng)
    ok = np.isfinite(cor.log2)
    assert ok.mean() > 0.98
    step = np.median(cor.log2[:600][ok[:600]]) - np.median(cor.log2[600:][ok[600:]])
    assert step == pytest.approx(np.log2(1.5), abs=0.02)
    # no GC or mappability trend is left in the unchanged part
    rest = ok & (np.arange(n) >= 600)
    assert abs(np.corrcoef(gc[rest], cor.log2[rest])[0, 1]) < 0.1
    assert abs(np.corrcoef(mappability[rest], cor.log2[rest])[0, 1]) < 0.1


# --------------------------------------------------------------------------- HMM recursions


def _brute_force(log_e, pi, A, lengths):
    """Every path of every chain enumerated: marginals, expected transitions, log P(y), best path."""
    K = len(pi)
    rho, xi, loglik, best = [], np.zeros((K, K)), 0.0, []
    start = 0
    for T in lengths:
        block = log_e[start:start + T]
        offset = block.max(axis=1)
        e = np.exp(block - offset[:, None])  # per-bin scaling: marginals unchanged, log P shifted
        total, marg, trans = 0.0, np.zeros((T, K)), np.zeros((K, K))
        top, top_path = -1.0, None
        for path in itertools.product(range(K), repeat=T):
            p = pi[path[0]] * e[0, path[0]]
            for t in range(1, T):
                p *= A[path[t - 1], path[t]] * e[t, path[t]]
            total += p
            for t in range(T):
                marg[t, path[t]] += p
            for t in range(1, T):
                trans[path[t - 1], path[t]] += p
            if p > top:
                top, top_path = p, path
        rho.append(marg / total)
        xi += trans / total
        loglik += math.log(total) + offset.sum()
        best.extend(top_path)
        start += T
    return np.vstack(rho), xi, loglik, np.array(best)


def test_forward_backward_and_viterbi_equal_brute_force():
    rng = np.random.default_rng(1)
    K, lengths = 3, [5, 3, 6]
    n = sum(lengths)
    log_e = rng.normal(0, 2, size=(n, K)) - 300.0  # tiny densities must not underflow
    pi = np.array([0.2, 0.5, 0.3])
    A = rng.dirichlet(np.ones(K) * 2, size=K)
    labels = np.repeat(["a", "b", "c"], lengths)
    chains = hmm.chains_from_labels(labels)
    post = hmm.forward_backward(log_e, pi, A, chains)
    rho, xi, loglik, best = _brute_force(log_e, pi, A, lengths)
    assert post.rho == pytest.approx(rho, abs=1e-12)
    assert post.xi == pytest.approx(xi, abs=1e-10)
    assert post.loglik == pytest.approx(loglik, rel=1e-12)
    assert hmm.viterbi(log_e, pi, A, chains).tolist() == best.tolist()


# --------------------------------------------------------------------------- model


def test_state_means_follow_the_mixture_formula():
    model = ichor.build_model(np.array([0.0, 0.1, -0.1]), ichor.Settings(subclonal_states=(1, 3)))
    assert model.ct.tolist() == [1, 2, 3, 4, 5, 1, 3]
    n, sp, phi = 0.7, 0.25, 2.5
    mu = ichor.state_means(model, n, sp, phi)
    # clonal 3 copies: ((1-n)*3 + 2n) / ((1-n)*phi + 2n) = 2.3 / 2.15
    assert mu[2] == pytest.approx(math.log(2.3 / 2.15))
    # subclonal 1 copy: ((1-n)(1-sp)*1 + (1-n)*sp*2 + 2n) / 2.15 = (0.225 + 0.15 + 1.4) / 2.15
    assert mu[5] == pytest.approx(math.log(1.775 / 2.15))
    # logRbasedCN inverts the clonal means
    for c in (1, 2, 3, 4, 5):
        log2 = ichor.state_means(model, n, sp, phi)[c - 1] / math.log(2)
        assert ichor.logr_copy_number(np.array([log2]), 1 - n, phi, 1.0, 2)[0] == pytest.approx(c)


def test_priors_and_transitions_as_ichorcna_sets_them():
    s = ichor.Settings(subclonal_states=(1, 3))
    model = ichor.build_model(np.array([0.0, 0.2, -0.2, 0.1]), s, ploidy=2)
    K = 7
    assert model.A.sum(axis=1) == pytest.approx(np.ones(K))
    # subclonal columns entered 10x less often, before renormalising
    off = (1 - s.txn_e) / (K - 1)
    row = np.array([s.txn_e, off, off, off, off, off / 10, off / 10])
    assert model.A[0] == pytest.approx(row / row.sum())
    assert model.kappa.tolist() == [200, 800, 200, 200, 200, 200, 200]
    assert ichor.build_model(np.array([0.0, 0.2, -0.2]), s, ploidy=3).kappa.tolist() == [200, 200, 800, 200, 200, 200, 200]
    sd = np.std([0.0, 0.2, -0.2, 0.1], ddof=1)
    v = 1 / (sd / math.sqrt(K)) ** 2
    assert model.lambda_0 == pytest.approx([v, v, v, v / 5, v / 15, v / 10, v / 10])
    assert ichor.restarts(ichor.Settings()) == [(n, 2.0) for n in (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)] + [(n, 3.0) for n in (0.5, 0.6, 0.7, 0.8, 0.9)]


def test_em_recovers_planted_normal_fraction_and_ploidy():
    """Log ratios drawn from the model itself: states along 22 chromosomes, Student-t noise."""
    rng = np.random.default_rng(5)
    settings = ichor.Settings()
    n_true, phi_true = 0.75, 2.0
    model = ichor.build_model(np.zeros(3), settings)
    mu = ichor.state_means(model, n_true, 0.0, phi_true)
    chrom, states = [], []
    for c in range(22):
        length = 110
        cn = np.full(length, 2)
        if c % 3 == 0:
            cn[: length // 2] = [1, 3, 4][c % 4 % 3]
        chrom += [str(c + 1)] * length
        states += list(cn)
    states = np.array(states)
    y = mu[states - 1] + 0.06 * rng.standard_t(5, size=len(states))
    chrom = np.array(chrom)
    train = np.ones(len(y), bool)
    model = ichor.build_model(y / math.log(2), settings)
    em = ichor.run_em(y, chrom, train, model, n_0=0.5, phi_0=2.0, settings=settings)
    assert 1 - em.n == pytest.approx(1 - n_true, abs=0.02)
    mean_cn = states.mean()
    assert em.phi == pytest.approx(mean_cn, abs=0.1)
    assert em.loglik == pytest.approx(em.trace[-1])


def test_correct_integer_cn_raises_high_level_gains():
    settings = ichor.Settings()
    purity, ploidy = 0.5, 2.0
    # a segment in the top state (5) whose median implies 8 copies
    log2_8 = math.log2((purity * 8 + 2 * (1 - purity)) / (purity * ploidy + 2 * (1 - purity)))
    bins = pd.DataFrame(
        {"chrom": ["1"] * 4, "start": [1, 2, 3, 4], "end": [1, 2, 3, 4], "log2": [0.0, 0.0, log2_8, log2_8],
         "state": [1, 1, 4, 4], "state_cn": [2, 2, 5, 5], "subclonal": [False] * 4, "normal_cn": [2] * 4}
    )
    segs = ichor._segments(bins)
    seg_cn, _, bin_cn, _ = ichor.correct_integer_cn(bins, segs, purity, ploidy, 1.0, False, settings)
    assert seg_cn.tolist() == [2, 8]
    assert bin_cn.tolist() == [2, 2, 8, 8]
    assert ichor.ichor_calls(np.array([0, 1, 2, 3, 4, 5, 8]), np.full(7, 2)).tolist() == [
        "deletion", "loss", "neutral", "gain", "gain", "amplification", "amplification"]
    # a male's chrX: one copy is neutral
    assert ichor.ichor_calls(np.array([0, 1, 2, 4]), np.full(4, 1)).tolist() == ["deletion", "neutral", "gain", "amplification"]


# --------------------------------------------------------------------------- preparation


def test_centromere_bins_and_flank_are_removed():
    table = pd.DataFrame({"chrom": ["1"], "start": [1000], "end": [2000]})
    chrom = np.array(["1"] * 4 + ["2"])
    start = np.array([1, 501, 2101, 2201, 1000])
    end = start + 99
    mask = ichor.centromere_mask(chrom, start, end, table, flank=150)
    # 501-600 ends before 850; 2101-2200 overlaps 2150; 2201-2300 starts after it
    assert mask.tolist() == [False, False, True, False, False]


@pytest.mark.parametrize("sex", ["female", "male"])
def test_sex_from_chrx_and_chry(sex):
    sample = simulate_cfdna(tumor_fraction=0.0, sex=sex, seed=2)
    bins, called, _ = ichor.prepare_bins(sample.counts, sample.gc, sample.mappability, genome="hg38")
    assert called.sex == sex
    on_x = bins["use"] & (bins["chrom"] == "X")
    if sex == "male":
        assert called.chrx_median == pytest.approx(-1.0, abs=0.1)  # one copy of X among two of autosomes
        assert called.chry_fraction > 0.001
    # after normalisation chrX sits at 0 either way
    assert bins.loc[on_x, "log2"].median() == pytest.approx(0.0, abs=0.03)


def test_panel_of_normals_captures_the_planted_bin_effects():
    normals = simulate_normals(8, seed=4)
    panel = ichor.panel_of_normals([(f"HD{i}", s.counts) for i, s in enumerate(normals)], normals[0].gc, normals[0].mappability, genome="hg38")
    assert list(panel.columns[:5]) == ["chrom", "start", "end", "gc", "map"] and panel.columns[-1] == "Median"
    from metevo.simulate.cfdna import _lab_effect

    planted = np.log2(_lab_effect(panel, 0.03))
    ok = np.isfinite(panel["Median"]) & (panel["map"] >= 0.9)
    r = np.corrcoef(planted[ok], panel.loc[ok, "Median"])[0, 1]
    assert r > 0.75
    # a sample normalised by the panel is smoother than without it
    sample = simulate_cfdna(tumor_fraction=0.0, seed=99)
    plain, _, _ = ichor.prepare_bins(sample.counts, sample.gc, sample.mappability, genome="hg38")
    normed, _, info = ichor.prepare_bins(sample.counts, sample.gc, sample.mappability, genome="hg38", panel=panel)
    assert info["bins_pon_matched"] > 2000
    sd = lambda t: t.loc[t["use"], "log2"].std()  # noqa: E731
    assert sd(normed) < sd(plain) * 0.95


def test_selection_respects_subclonal_limits_and_prefers_diploid_in_ties():
    def fake(loglik, genome, cna, ploidy=2.0):
        em = ichor.EmResult(0.5, 0.5, ploidy, np.ones(2), np.ones(2) / 2, np.eye(2), loglik, 1, True)
        return ichor.Solution(0.5, ploidy, None, em, 0.5, 0.5, False, genome, cna, pd.DataFrame(), pd.DataFrame())

    no_sub = ichor.Settings()
    assert no_sub.non_diploid_penalty == 10.0
    assert ichor.select([fake(100.0, 0, 0), fake(109.0, 0, 0, ploidy=3.0)], no_sub) == 0
    assert ichor.select([fake(100.0, 0, 0), fake(111.0, 0, 0, ploidy=3.0)], no_sub) == 1

    sols = [fake(10.0, 0.1, 0.2), fake(12.0, 0.6, 0.2), fake(11.0, 0.1, 0.8)]
    assert ichor.select(sols, ichor.Settings(subclonal_states=(1, 3))) == 0
    assert ichor.select(sols, ichor.Settings(subclonal_states=())) == 1
    assert ichor.select(sols[1:], ichor.Settings(subclonal_states=(1, 3))) == 0  # none qualifies: best overall
