"""Burden-aware enrichment tests (algorithms.md 7.3): Poisson-binomial values worked out by hand,
the conditional test equal to Fisher's exact test (and the stratified one to R's exact
Mantel-Haenszel test) when every unit has the same burden, private-mutation counts of a
hand-built pair, and simulations in the test: a gene with no planted effect in a cohort whose
metastases carry twice the primaries' mutations is "enriched" by the plain tests and not by the
burden-aware ones, while a planted gene is found by both."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from metevo import enrichment as E
from metevo.pathways import poisson_binomial_pmf
from metevo.stats.contingency import cmh_test, fisher_exact

# ------------------------------------------------------------------------------ by hand


def test_paired_burden_test_by_hand():
    # pi = (0.8, 0.6): P(T=0) = 0.2*0.4 = 0.08, P(T=1) = 0.8*0.4 + 0.2*0.6 = 0.44, P(T=2) = 0.48
    r = E.paired_burden_test([0.8, 0.6], 2)
    assert r.expected == pytest.approx(1.4, rel=1e-12)
    assert r.p_gained == pytest.approx(0.48, rel=1e-12)
    assert r.p_value == pytest.approx(1.0, rel=1e-12)  # 0.08 and 0.44 are both at most 0.48
    r = E.paired_burden_test([0.8, 0.6], 0)
    assert (r.p_value, r.p_gained) == (pytest.approx(0.08, rel=1e-12), 1.0)
    # pi = 1/2 for everyone is the exact McNemar (sign) test: 6 of 6 gained, one-sided 1/64, two-sided 2/64
    r = E.paired_burden_test([0.5] * 6, 6)
    assert (r.p_gained, r.p_value) == (pytest.approx(1 / 64, rel=1e-12), pytest.approx(2 / 64, rel=1e-12))
    # a metastasis with twice the primary's private mutations: pi = 2/3; 6 of 6 is (2/3)^6 = 0.0878, not 1/64
    r = E.paired_burden_test([2 / 3] * 6, 6)
    assert r.p_gained == pytest.approx((2 / 3) ** 6, rel=1e-12)
    # two-sided: every count at most as likely as 6: P(0), P(1), P(2) and P(6) of Binomial(6, 2/3)
    pmf = binom.pmf(np.arange(7), 6, 2 / 3)
    assert r.p_value == pytest.approx(pmf[[0, 1, 2, 6]].sum(), rel=1e-12)
    # nobody discordant: nothing to test, p = 1
    r = E.paired_burden_test([], 0)
    assert (r.p_value, r.p_gained, r.expected) == (1.0, 1.0, 0.0)


def test_hit_probability_and_conditional_pmf_by_hand():
    assert E.hit_probability(0.01, np.array([0, 1, 50])) == pytest.approx([0.0, 0.01, 1 - 0.99 ** 50], rel=1e-12)
    assert list(E.hit_probability(1.0, np.array([0, 3]))) == [0.0, 1.0]
    # one metastasis unit (q 0.5) and two primary units (q 0.2 each), one mutated unit in all:
    # P(T=1 | 1) ~ 0.5 * 0.8^2 = 0.32, P(T=0 | 1) ~ 0.5 * 2 * 0.2 * 0.8 = 0.16 -> 2/3 and 1/3
    lo, pmf = E.conditional_burden_pmf([0.5], [0.2, 0.2], 1)
    assert lo == 0 and pmf == pytest.approx([1 / 3, 2 / 3], rel=1e-12)
    # three mutated units among 1 + 2: all of them, T = 1 for sure
    lo, pmf = E.conditional_burden_pmf([0.5], [0.2, 0.2], 3)
    assert lo == 1 and pmf == pytest.approx([1.0])
    # the pieces are metevo.pathways' Poisson-binomial (not a copy of it)
    q_met, q_pri = [0.3, 0.6, 0.1], [0.2, 0.5]
    lo, pmf = E.conditional_burden_pmf(q_met, q_pri, 2)
    a, b = poisson_binomial_pmf(q_met), poisson_binomial_pmf(q_pri)
    w = np.array([a[t] * b[2 - t] for t in range(0, 3)])
    assert lo == 0 and pmf == pytest.approx(w / w.sum(), rel=1e-12)
    # strata convolved: T = 1 + 1 with each stratum's conditional (1/3, 2/3) -> (1/9, 4/9, 4/9)
    r = E.stratified_burden_test([E.conditional_burden_pmf([0.5], [0.2, 0.2], 1)] * 2, 2)
    assert r.p_gained == pytest.approx(4 / 9, rel=1e-12) and r.expected == pytest.approx(4 / 3, rel=1e-12)
    assert r.p_value == pytest.approx(1.0)  # 1/9 and 4/9 <= 4/9


def _group(label, units, calls, subtype=None):
    """calls: (unit, gene, variant) rows, distinct counted mutations of each unit."""
    variants = pd.DataFrame(calls, columns=["unit", "gene", "variant"]).loc[:, ["gene", "unit", "variant"]]
    mutations = variants.loc[:, ["gene", "unit"]].drop_duplicates(ignore_index=True)
    return E.Group(label, list(units), mutations, dict(subtype or {}), variants)


def _units_with(prefix, n_units, burden, mutated, gene="G"):
    """n_units units with ``burden`` mutations each; the first ``mutated`` have one in ``gene``."""
    units = [f"{prefix}{i:03d}" for i in range(n_units)]
    calls = []
    for i, unit in enumerate(units):
        for j in range(burden):
            calls.append((unit, gene if (j == 0 and i < mutated) else f"BG{j}", f"{unit}:{j}"))
    return units, calls


@pytest.mark.parametrize("a,n_a,b,n_b", [(8, 9, 1, 9), (3, 20, 9, 25), (0, 12, 5, 30), (12, 12, 2, 7)])
def test_equal_burden_is_fishers_exact_test(a, n_a, b, n_b):
    """Every unit with the same burden: the conditional null is hypergeometric, so the burden
    p-values are R fisher.test's (two-sided, and alternative = 'greater')."""
    mu, mc = _units_with("M", n_a, 5, a)
    pu, pc = _units_with("P", n_b, 5, b)
    out = E.burden_columns(np.array(["G"], dtype=object), [(_group("m", mu, mc), mu, _group("p", pu, pc), pu)])
    assert out["p_burden"][0] == pytest.approx(fisher_exact(a, n_a - a, b, n_b - b).p_value, rel=1e-9)
    assert out["p_burden_gained"][0] == pytest.approx(
        fisher_exact(a, n_a - a, b, n_b - b, alternative="greater").p_value, rel=1e-9)
    assert out["burden_expected"][0] == pytest.approx((a + b) * n_a / (n_a + n_b), rel=1e-9)  # hypergeometric mean


def test_equal_burden_strata_are_the_exact_mantel_haenszel_test():
    strata = [(4, 4, 2, 10), (2, 2, 0, 4), (1, 2, 0, 4)]  # (met mutated, met units, ext mutated, ext units)
    groups = []
    for k, (a, n_a, b, n_b) in enumerate(strata):
        mu, mc = _units_with(f"M{k}-", n_a, 4 + k, a)  # equal within a stratum, different between strata
        eu, ec = _units_with(f"E{k}-", n_b, 4 + k, b)
        groups.append((mu, mc, eu, ec))
    met = _group("m", [u for g in groups for u in g[0]], [c for g in groups for c in g[1]])
    ext = _group("e", [u for g in groups for u in g[2]], [c for g in groups for c in g[3]])
    out = E.burden_columns(np.array(["G"], dtype=object), [(met, g[0], ext, g[2]) for g in groups])
    tables = [[[a, n_a - a], [b, n_b - b]] for a, n_a, b, n_b in strata]
    assert out["p_burden"][0] == pytest.approx(cmh_test(tables, exact=True).p_value, rel=1e-9)
    assert out["p_burden_gained"][0] == pytest.approx(cmh_test(tables, exact=True, alternative="greater").p_value, rel=1e-9)


def test_private_burden_and_paired_pi(tmp_path):
    """P1: metastasis m1, m2 (m1 shared with the primary) and primary p1 + the shared one -> 1 private
    each side... P2: metastasis 3 private, primary 1 private; G is metastasis-only in both."""
    met = _group("metastasis", ["P1", "P2"], [("P1", "G", "g1"), ("P1", "X", "shared"), ("P1", "Y", "y1"),
                                             ("P2", "G", "g2"), ("P2", "Y", "y2"), ("P2", "Z", "z2")])
    pri = _group("primary", ["P1", "P2"], [("P1", "X", "shared"), ("P1", "W", "w1"), ("P2", "W", "w2")])
    n_met, n_pri = E.private_burden(pri, met, ["P1", "P2"])
    assert list(n_met) == [2, 3] and list(n_pri) == [1, 1]
    paired = E.paired_table(pri, met, min_mutated=1).set_index("gene")
    g = paired.loc["G"]
    # G holds 2 of the 7 private mutations: q = 1 - (5/7)^n; pi = qM (1 - qP) / (qM (1 - qP) + qP (1 - qM))
    # with (nM, nP) = (2, 1) and (3, 1); both metastasis-only: pi1 * pi2
    q = lambda n: 1 - (5 / 7) ** n  # noqa: E731
    pi = [q(m) * (1 - q(1)) / (q(m) * (1 - q(1)) + q(1) * (1 - q(m))) for m in (2, 3)]
    # by hand: q(1) = 2/7, q(2) = 24/49, q(3) = 218/343 -> pi = 120/170 = 12/17 and 1090/1340 = 109/134
    assert pi == pytest.approx([12 / 17, 109 / 134], rel=1e-12)  # n_M / (n_M + n_P) would be 2/3, 3/4
    assert (g.met_only, g.primary_only) == (2, 0)
    assert g.p_burden_gained == pytest.approx(pi[0] * pi[1], rel=1e-12)
    assert g.burden_expected == pytest.approx(pi[0] + pi[1], rel=1e-12)
    assert g.p_gained == pytest.approx(0.25, rel=1e-12)  # the plain McNemar one-sided p
    # X is in both tumours of P1: no discordant patient, p = 1
    assert paired.loc["X", "p_burden"] == 1.0 and paired.loc["X", "burden_expected"] == 0.0


def test_maf_variant_keys_count_shared_calls_once(tmp_path):
    """A mutation called in two samples of one patient is one mutation of its unit; without
    positions every call counts (the unit's burden is the sum over its samples)."""
    maf = tmp_path / "c.maf"
    maf.write_text("Hugo_Symbol\tChromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tVariant_Classification\t"
                   "Tumor_Sample_Barcode\n"
                   "A\tchr1\t10\tC\tT\tMissense_Mutation\tP1-M1\nA\t1\t10\tC\tT\tMissense_Mutation\tP1-M2\n"
                   "B\t1\t20\tG\tA\tMissense_Mutation\tP1-M2\nC\t1\t30\tG\tA\tMissense_Mutation\tP1-P\n")
    calls = E.read_maf_calls(maf)
    assert list(calls["variant"]) == ["A|1:10:C:T", "A|1:10:C:T", "B|1:20:G:A", "C|1:30:G:A"]
    sheet = pd.DataFrame({"patient": ["P1"] * 3, "sample": ["P1-M1", "P1-M2", "P1-P"],
                          "sample_type": ["metastasis", "metastasis", "primary"]})
    internal = E.internal_groups(calls, sheet, classes=None)
    assert list(internal.metastasis.burden()) == [2] and list(internal.primary.burden()) == [1]
    no_pos = tmp_path / "n.maf"
    no_pos.write_text("Hugo_Symbol\tVariant_Classification\tTumor_Sample_Barcode\nA\tMissense_Mutation\tP1-M1\n"
                      "A\tMissense_Mutation\tP1-M2\nB\tMissense_Mutation\tP1-M2\n")
    internal = E.internal_groups(E.read_maf_calls(no_pos), sheet, classes=None)
    assert list(internal.metastasis.burden()) == [3]


# ------------------------------------------------------------------------------ simulated burden


def _simulate_burden(seed, *, n_patients=150, genes=60):
    """Paired patients; each tumour's private mutations fall on ``genes`` genes with shares
    proportional to their lengths (one long gene LONG of share 1.5%, PLANT of share 0.05%), a
    primary has Poisson(40) private mutations and its metastasis twice as many; 10 truncal
    mutations shared by both. PLANT is also acquired by 30% of metastases (a planted gain).
    Unpaired: another ``n_patients`` metastasis-only and primary-only patients, same burdens."""
    rng = np.random.default_rng(seed)
    names = ["LONG", "PLANT"] + [f"G{i:02d}" for i in range(genes - 2)]
    share = np.array([0.015, 0.0005] + list(rng.uniform(0.2, 1.0, genes - 2)))
    share[2:] *= (1 - 0.0155) / share[2:].sum()
    met_calls, pri_calls, met_units, pri_units = [], [], [], []
    counter = 0

    def draw(unit, n, out):
        nonlocal counter
        for g in rng.choice(len(names), size=n, p=share):
            counter += 1
            out.append((unit, names[g], f"v{counter}"))

    for i in range(n_patients):
        p = f"P{i:03d}"
        met_units.append(p)
        pri_units.append(p)
        truncal = []
        draw(p, 10, truncal)
        met_calls += truncal
        pri_calls += truncal
        n_primary = rng.poisson(40)
        draw(p, n_primary, pri_calls)
        draw(p, 2 * n_primary, met_calls)
        if rng.random() < 0.30:
            counter += 1
            met_calls.append((p, "PLANT", f"v{counter}"))
    for i in range(n_patients):
        m, q = f"M{i:03d}", f"Q{i:03d}"
        met_units.append(m)
        pri_units.append(q)
        n_primary = rng.poisson(40)
        draw(m, 10 + 2 * n_primary, met_calls)
        draw(q, 10 + rng.poisson(40), pri_calls)
        if rng.random() < 0.30:
            counter += 1
            met_calls.append((m, "PLANT", f"v{counter}"))
    return _group("metastasis", met_units, met_calls), _group("primary", pri_units, pri_calls)


def test_null_long_gene_with_twice_the_burden_is_not_enriched():
    met, pri = _simulate_burden(5)
    paired = E.paired_table(pri, met).set_index("gene")
    unpaired = E.unpaired_table(met, pri).set_index("gene")
    # LONG (1.5% of every tumour's mutations, no effect): metastases carry it far more often, and the
    # plain tests call it enriched ...
    assert paired.loc["LONG", "q_value"] < 1e-3 and paired.loc["LONG", "met_only"] > 1.5 * paired.loc["LONG", "primary_only"]
    assert unpaired.loc["LONG", "q_value"] < 1e-3 and unpaired.loc["LONG", "odds_ratio"] > 2
    # ... the burden-aware tests do not
    assert paired.loc["LONG", "q_burden"] > 0.1 and unpaired.loc["LONG", "q_burden"] > 0.1
    assert paired.loc["LONG", "p_burden_gained"] > 0.01 and unpaired.loc["LONG", "p_burden_gained"] > 0.01
    # the planted gain (30% of metastases on top of a 0.05% share) is found by both
    assert paired.loc["PLANT", "q_burden_gained"] < 1e-3 and unpaired.loc["PLANT", "q_burden_gained"] < 1e-3
    enriched = E.enriched_table(paired.reset_index(), unpaired.reset_index())
    assert list(enriched["gene"]) == ["PLANT"] and enriched.at[0, "direction"] == "metastasis"
    assert enriched.at[0, "comparisons"] == "paired_burden:metastasis;unpaired_burden:metastasis"
    plain = E.enriched_table(paired.reset_index(), unpaired.reset_index(), burden=False)
    assert {"PLANT", "LONG"} <= set(plain["gene"])


def test_burden_p_values_of_null_genes_are_null_p_values():
    """Over 4 cohorts x 58 genes without an effect (other than LONG): the burden tests' one-sided
    p-values are at most as often small as uniform ones (discrete tests are conservative), while
    the plain tests' are mostly small (burden 2x)."""
    gained = {"paired": [], "unpaired": []}
    plain = []
    for seed in range(4):
        met, pri = _simulate_burden(100 + seed)
        paired, unpaired = E.paired_table(pri, met), E.unpaired_table(met, pri)
        for name, frame in (("paired", paired), ("unpaired", unpaired)):
            null = frame[~frame["gene"].isin(["PLANT"])]
            gained[name] += list(null["p_burden_gained"])
        plain += list(unpaired.loc[~unpaired["gene"].isin(["PLANT"]), "p_value"])
    for name, values in gained.items():
        values = np.asarray(values)
        assert len(values) >= 200
        assert np.mean(values <= 0.05) <= 0.05 + 2 * math.sqrt(0.05 * 0.95 / len(values)), name
        assert np.mean(values <= 0.2) <= 0.2 + 2 * math.sqrt(0.2 * 0.8 / len(values)), name
        assert np.mean(values <= 0.5) >= 0.2, name  # not degenerate (all p = 1)
    assert np.mean(np.asarray(plain) <= 0.05) > 0.5
