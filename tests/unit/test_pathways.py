"""metevo.pathways: pathway status by hand, planted MAPK enrichment in a simulated cohort
(detected; nine null pathways not), co-alteration counts, and the Boca et al. patient-oriented
gene-set test against hand-computed probabilities and against simulation of its own null."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from metevo.oncogenic import read_pathways
from metevo.pathways import (
    gene_set_test, pairwise_fisher, pathway_coalteration, pathway_enrichment, pathway_status, poisson_binomial_pmf,
    private_events, private_gene_set_test, set_hit_probability,
)
from metevo.stats.contingency import fisher_exact, mcnemar_exact

PATHWAYS = read_pathways()
GENES = {p: sorted(PATHWAYS.loc[PATHWAYS["pathway"] == p, "gene"]) for p in PATHWAYS["pathway"].unique()}


def _alt(rows):
    return pd.DataFrame(rows, columns=["patient", "sample", "sample_type", "gene", "oncogenic"])


def test_status_by_hand():
    alterations = _alt([
        ("P1", "A", "primary", "KRAS", 1), ("P1", "A", "primary", "PIK3CA", 0),
        ("P1", "B", "metastasis", "PIK3CA", 1), ("P1", "B", "metastasis", "PTEN", 1), ("P1", "B", "metastasis", "TTN", 1),
    ])
    samples = pd.DataFrame([("P1", "B", "metastasis"), ("P1", "A", "primary"), ("P2", "C", "primary")],
                           columns=["patient", "sample", "sample_type"])
    status = pathway_status(alterations, PATHWAYS, samples)
    assert len(status) == 30 and status["sample"].tolist()[::10] == ["A", "B", "C"]
    got = status.loc[status["altered"] == 1, ["sample", "pathway", "label", "n_altered_genes", "altered_genes"]].values.tolist()
    assert got == [["A", "RTK-RAS", "MAPK-altered", 1, "KRAS"], ["B", "PI3K", "PI3K-altered", 2, "PIK3CA,PTEN"]]


def _simulated_cohort(rng, n_patients=120, base=0.2, mapk_gain=0.35, drift=0.03):
    """Each patient has a primary and a metastasis. Each pathway is altered in the primary with
    probability ``base``; the metastasis inherits the primary's state, gains (or loses) it with
    small symmetric probability ``drift``, and RTK-RAS is in addition acquired with
    probability ``mapk_gain`` (the planted truth)."""
    rows = []
    for i in range(n_patients):
        patient = f"P{i:03d}"
        for pathway, genes in GENES.items():
            prim = rng.random() < base
            met = prim
            if rng.random() < drift:
                met = not met
            if pathway == "RTK-RAS" and not met and rng.random() < mapk_gain:
                met = True
            for sample, stype, altered in ((f"{patient}_p", "primary", prim), (f"{patient}_m", "metastasis", met)):
                if altered:
                    rows.append((patient, sample, stype, genes[rng.integers(len(genes))], 1))
                if rng.random() < 0.5:  # passengers never count
                    rows.append((patient, sample, stype, genes[rng.integers(len(genes))], 0))
    samples = pd.DataFrame([(f"P{i:03d}", f"P{i:03d}_{k}", t) for i in range(n_patients) for k, t in (("p", "primary"), ("m", "metastasis"))],
                           columns=["patient", "sample", "sample_type"])
    return _alt(rows), samples


def test_planted_mapk_enrichment_detected_null_pathways_not():
    rng = np.random.default_rng(20240611)
    alterations, samples = _simulated_cohort(rng)
    status = pathway_status(alterations, PATHWAYS, samples)
    table = pathway_enrichment(status)
    assert len(table) == 20
    fisher = table.loc[table["test"] == "fisher"].set_index("pathway")
    mcnemar = table.loc[table["test"] == "mcnemar_exact"].set_index("pathway")
    mapk = fisher.loc["RTK-RAS"]
    assert mapk["label"] == "MAPK-altered" and mapk["odds_ratio"] > 2 and mapk["q_value"] < 1e-3
    assert mcnemar.loc["RTK-RAS", "n_later_only"] > 5 * max(1, mcnemar.loc["RTK-RAS", "n_primary_only"])
    assert mcnemar.loc["RTK-RAS", "q_value"] < 1e-6
    nulls = [p for p in GENES if p != "RTK-RAS"]
    assert (fisher.loc[nulls, "q_value"] > 0.1).all() and (mcnemar.loc[nulls, "q_value"] > 0.1).all()
    # the numbers are fisher.test / binom.test of the counts the table reports
    f = fisher_exact(int(mapk["n_later_altered"]), int(mapk["n_later"] - mapk["n_later_altered"]),
                     int(mapk["n_primary_altered"]), int(mapk["n_primary"] - mapk["n_primary_altered"]))
    assert (f.p_value, f.odds_ratio, f.ci_low, f.ci_high) == (mapk["p_value"], mapk["odds_ratio"], mapk["ci_low"], mapk["ci_high"])
    m = mcnemar.loc["RTK-RAS"]
    assert mcnemar_exact(int(m["n_later_only"]), int(m["n_primary_only"])).p_value == m["p_value"]
    assert m["n_pairs"] == 120 and m["n_later_only"] + m["n_primary_only"] + m["n_both"] + m["n_neither"] == 120


def test_enrichment_collapses_regions_of_one_tumour():
    alterations = _alt([("P1", "A1", "primary", "KRAS", 1)])
    samples = pd.DataFrame([("P1", "A1", "primary"), ("P1", "A2", "primary"), ("P1", "B", "metastasis"), ("P2", "C", "primary")],
                           columns=["patient", "sample", "sample_type"])
    table = pathway_enrichment(pathway_status(alterations, PATHWAYS, samples)).set_index(["pathway", "test"])
    row = table.loc[("RTK-RAS", "fisher")]
    assert (row["n_primary"], row["n_primary_altered"], row["n_later"], row["n_later_altered"]) == (2, 1, 1, 0)
    row = table.loc[("RTK-RAS", "mcnemar_exact")]
    assert (row["n_pairs"], row["n_primary_only"], row["n_later_only"]) == (1, 1, 0)


def test_coalteration_counts_and_direction():
    rng = np.random.default_rng(7)
    n = 200
    pi3k = rng.random(n) < 0.4
    mapk = np.where(pi3k, rng.random(n) < 0.05, rng.random(n) < 0.5)  # planted mutual exclusivity
    rows = [(f"P{i}", f"S{i}", "primary", "PIK3CA", 1) for i in np.flatnonzero(pi3k)]
    rows += [(f"P{i}", f"S{i}", "primary", "KRAS", 1) for i in np.flatnonzero(mapk)]
    samples = pd.DataFrame([(f"P{i}", f"S{i}", "primary") for i in range(n)], columns=["patient", "sample", "sample_type"])
    table = pathway_coalteration(pathway_status(_alt(rows), PATHWAYS, samples))
    assert len(table) == 45
    row = table.loc[(table["pathway1"] == "PI3K") & (table["pathway2"] == "RTK-RAS")].iloc[0]
    both = int((pi3k & mapk).sum())
    assert (row["n_both"], row["n_1_only"], row["n_2_only"], row["n_neither"]) == (
        both, int((pi3k & ~mapk).sum()), int((~pi3k & mapk).sum()), int((~pi3k & ~mapk).sum()))
    assert row["event"] == "mutual_exclusivity" and row["q_value"] < 1e-6
    assert row["label2"] == "MAPK-altered"
    f = fisher_exact(both, int((pi3k & ~mapk).sum()), int((~pi3k & mapk).sum()), int((~pi3k & ~mapk).sum()))
    assert f.p_value == row["p_value"] and f.odds_ratio == row["odds_ratio"]


def test_pairwise_fisher_columns():
    m = pd.DataFrame({"a": [1, 1, 0, 0, 1], "b": [1, 0, 0, 1, 1], "c": [0, 0, 0, 0, 1]})
    out = pairwise_fisher(m)
    assert out[["feature1", "feature2", "n11", "n10", "n01", "n00"]].values.tolist() == [
        ["a", "b", 2, 1, 1, 1], ["a", "c", 1, 2, 0, 2], ["b", "c", 1, 2, 0, 2]]


# ----------------------------------------------------------------------- Boca et al. (7.1)


def test_poisson_binomial_against_enumeration():
    probs = [0.1, 0.5, 0.33, 0.9, 0.02]
    exact = np.zeros(6)
    for outcome in itertools.product([0, 1], repeat=5):
        exact[sum(outcome)] += math.prod(p if o else 1 - p for p, o in zip(probs, outcome))
    assert np.allclose(poisson_binomial_pmf(probs), exact, rtol=1e-14, atol=1e-17)


def test_set_hit_probability_is_hypergeometric():
    for g, n, m in ((10, 1, 3), (10, 2, 3), (100, 7, 12), (20, 18, 3), (20, 30, 3)):
        nn = min(n, g)
        p0 = Fraction(math.comb(g - nn, m), math.comb(g, m)) if g - nn >= m else Fraction(0)
        assert set_hit_probability(n, g, m) == pytest.approx(float(1 - p0), rel=1e-12, abs=1e-15)


def test_gene_set_test_hand_computed():
    # G = 10 genes; sample s1 has 1 event, s2 two events, s3 none (excluded). Set A = {g1, g2, g3}.
    # q1 = 1 - C(9,3)/C(10,3) = 1 - 84/120 = 0.3; q2 = 1 - C(8,3)/C(10,3) = 1 - 56/120 = 8/15.
    # Both samples hit A: p = P(T >= 2) = 0.3 * 8/15 = 0.16. Set B = {g9, g10} hit by s2 only:
    # qB1 = 1 - C(9,2)/C(10,2) = 0.2, qB2 = 1 - C(8,2)/C(10,2) = 17/45; p = 1 - 0.8 * 28/45.
    universe = [f"g{i}" for i in range(1, 11)]
    events = pd.DataFrame({"sample": ["s1", "s2", "s2"], "gene": ["g1", "g3", "g9"]})
    sets = {"A": ["g1", "g2", "g3", "NOT_IN_UNIVERSE"], "B": ["g9", "g10"]}
    out = gene_set_test(events, sets, universe).set_index("gene_set")
    assert out.loc["A", "n_genes"] == 3 and out.loc["A", "n_samples"] == 2 and out.loc["A", "n_altered_samples"] == 2
    assert out.loc["A", "p_value"] == pytest.approx(0.3 * 8 / 15, rel=1e-12)
    assert out.loc["B", "p_value"] == pytest.approx(1 - 0.8 * 28 / 45, rel=1e-12)
    assert out.loc["A", "expected_altered_samples"] == pytest.approx(0.3 + 8 / 15, rel=1e-12)
    q = sorted([0.3 * 8 / 15, 1 - 0.8 * 28 / 45])
    assert out.loc["A", "q_value"] == pytest.approx(min(2 * q[0], q[1]), rel=1e-12)


def test_gene_set_null_matches_simulation_and_planted_set_detected():
    """Events dropped on random distinct genes (the null of the test): the simulated
    distribution of T for a set equals the Poisson-binomial; p-values are not anti-conservative;
    a set whose genes are forced into 40% of samples is found."""
    rng = np.random.default_rng(11)
    g, n_samples, reps = 200, 30, 4000
    universe = [f"g{i}" for i in range(g)]
    counts = rng.integers(1, 9, size=n_samples)
    members = universe[:10]
    q = set_hit_probability(counts, g, len(members))
    pmf = poisson_binomial_pmf(q)
    hits = np.zeros(reps, dtype=np.int64)
    for r in range(reps):
        for n in counts:
            if (rng.choice(g, size=n, replace=False) < 10).any():
                hits[r] += 1
    freq = np.bincount(hits, minlength=len(pmf)) / reps
    assert np.abs(freq - pmf).max() < 0.02  # Monte Carlo error ~ sqrt(0.25/4000) = 0.008
    assert hits.mean() == pytest.approx(q.sum(), abs=0.05)
    # p-values under the null: P(p <= 0.05) <= 0.05 (+ Monte Carlo slack)
    pvals = np.array([pmf[h:].sum() for h in hits])
    assert (pvals <= 0.05).mean() <= 0.05 + 0.01
    # planted: 24 of 30 samples get an extra event in the set (null expectation about 7)
    rows = []
    for i, n in enumerate(counts):
        for gene in rng.choice(np.arange(10, g), size=n, replace=False):
            rows.append((f"s{i}", f"g{gene}"))
        if i < 24:
            rows.append((f"s{i}", members[i % 10]))
    out = gene_set_test(pd.DataFrame(rows, columns=["sample", "gene"]), {"planted": members, "other": universe[100:110]}, universe)
    out = out.set_index("gene_set")
    assert out.loc["planted", "p_value"] < 1e-4 and out.loc["other", "p_value"] > 0.01


def test_private_gene_set_test_by_hand():
    # 5 patients; set S = {A, B}. Later-only private hits: p1, p2, p3; primary-only: p4; p5 both.
    pairs = {"p1": ({"A"}, set(), 1, 1), "p2": ({"B", "X"}, {"Y"}, 2, 1), "p3": ({"A"}, {"Z"}, 1, 3),
             "p4": ({"X"}, {"B"}, 1, 1), "p5": ({"A"}, {"B"}, 1, 1)}
    universe = ["A", "B", "X", "Y", "Z", "W", "V", "U", "T", "R"]
    out = private_gene_set_test(pairs, {"S": ["A", "B"]}, universe).iloc[0]
    assert (out["n_later_only"], out["n_primary_only"], out["n_both"], out["n_neither"]) == (3, 1, 1, 0)
    assert out["mcnemar_p_value"] == pytest.approx(2 * 5 / 16)  # 2 P(B <= 1 | 4, 1/2)
    assert out["mcnemar_greater_p_value"] == pytest.approx(5 / 16)
    # burden-aware: q(n) = 1 - C(10 - n, 2)/C(10, 2): q(1) = 0.2, q(2) = 17/45, q(3) = 1 - 21/45
    q = lambda n: 1 - math.comb(10 - n, 2) / math.comb(10, 2)
    pi = lambda nl, np_: q(nl) * (1 - q(np_)) / (q(nl) * (1 - q(np_)) + q(np_) * (1 - q(nl)))
    probs = [pi(1, 1), pi(2, 1), pi(1, 3), pi(1, 1)]  # the discordant patients p1..p4
    expected = sum(math.prod(p if o else 1 - p for p, o in zip(probs, outcome))
                   for outcome in itertools.product([0, 1], repeat=4) if sum(outcome) >= 3)
    assert out["burden_p_value"] == pytest.approx(expected, rel=1e-12)


def test_private_events_from_alterations():
    alt = pd.DataFrame([
        ("P1", "a", "primary", "G1", "mutation", "1", 10, "A", "T"), ("P1", "b", "metastasis", "G1", "mutation", "1", 10, "A", "T"),
        ("P1", "b", "metastasis", "G2", "mutation", "1", 20, "C", "T"), ("P1", "a", "primary", "G3", "mutation", "2", 5, "G", "A"),
        ("P2", "c", "primary", "G2", "mutation", "1", 20, "C", "T"),  # no later tumour: not a pair
    ], columns=["patient", "sample", "sample_type", "gene", "alteration", "chromosome", "start_position", "reference_allele", "tumor_seq_allele2"])
    assert private_events(alt) == {"P1": ({"G2"}, {"G3"}, 1, 1)}


# ------------------------------------------------------------------ burden-aware tests, subgroups

ALT_COLUMNS = ("patient", "sample", "sample_type", "gene", "alteration", "detail", "oncogenic", "evidence",
               "variant_classification", "oncokb_oncogenic", "oncokb_level", "chromosome", "start_position",
               "reference_allele", "tumor_seq_allele2")


def _burden_cohort(rng, *, n_patients, n_primary, n_later, truncation_rate, kras_gain=0.0, shared=10):
    """Full alteration tables: each patient's primary has ``n_primary`` non-synonymous mutations
    and its metastasis ``n_later``, the first ``shared`` of them in both (truncal). Each private
    mutation is a truncation of NOTCH1 (a suppressor of the NOTCH pathway, oncogenic by
    ``truncating_tsg``) with probability ``truncation_rate``, else a passenger. A KRAS G12D
    hotspot (RTK-RAS) is acquired by the metastasis with probability ``kras_gain`` (the
    selected event); 10% of patients carry it in both tumours (truncal). Every tumour gets one
    more mutation, the hotspot or a passenger, so that equal ``n_*`` mean equal burdens."""
    rows = []

    def mutation(patient, sample, stype, key, gene, oncogenic, evidence):
        rows.append((patient, sample, stype, gene, "mutation", "", oncogenic, evidence, "Missense_Mutation", "", "",
                     "1", key, "A", "T"))

    for i in range(n_patients):
        patient = f"P{i:03d}"
        samples = ((f"{patient}_p", "primary", n_primary), (f"{patient}_m", "metastasis", n_later))
        for k in range(shared):
            for sample, stype, _ in samples:
                mutation(patient, sample, stype, 1000 * i + k, f"PASS{k}", 0, "none")
        for sample, stype, n in samples:
            for k in range(n - shared):
                trunc = rng.random() < truncation_rate
                mutation(patient, sample, stype, 10_000_000 * (stype == "primary") + 1000 * i + 100 + k,
                         "NOTCH1" if trunc else f"GENE{k}", int(trunc), "truncating_tsg" if trunc else "none")
        truncal = rng.random() < 0.1
        gained = truncal or rng.random() < kras_gain
        for sample, stype, _ in samples:  # one more mutation each: the hotspot, or a passenger
            if gained and (truncal or stype != "primary"):
                mutation(patient, sample, stype, 99_999_999 - i, "KRAS", 1, "hotspot")
            else:
                mutation(patient, sample, stype, 20_000_000 * (stype == "primary") + 1000 * i + 99, "EXTRA", 0, "none")
    alterations = pd.DataFrame(rows, columns=list(ALT_COLUMNS))
    samples = pd.DataFrame([(f"P{i:03d}", f"P{i:03d}_{k}", t) for i in range(n_patients) for k, t in (("p", "primary"), ("m", "metastasis"))],
                           columns=["patient", "sample", "sample_type"])
    return alterations, samples


def test_burden_aware_tests_equal_plain_ones_when_burdens_are_equal():
    alterations, samples = _burden_cohort(np.random.default_rng(7), n_patients=60, n_primary=40, n_later=40,
                                          truncation_rate=0.004, kras_gain=0.2)
    status = pathway_status(alterations, PATHWAYS, samples)
    table = pathway_enrichment(status, alterations=alterations, pathways=PATHWAYS).set_index(["pathway", "test"])
    for pathway in ("NOTCH", "RTK-RAS"):
        f, m = table.loc[(pathway, "fisher")], table.loc[(pathway, "mcnemar_exact")]
        # equal burdens: the conditional distribution is Fisher's hypergeometric, pi = 1/2 McNemar's binomial
        assert f["p_burden"] == pytest.approx(f["p_value"], rel=1e-9)
        k = int(f["n_later_altered"] + f["n_primary_altered"])
        assert f["burden_expected"] == pytest.approx(k * f["n_later"] / (f["n_later"] + f["n_primary"]), rel=1e-9)
        assert m["p_burden"] == pytest.approx(m["p_value"], rel=1e-9)
        discordant = int(m["n_later_only"] + m["n_primary_only"])
        assert m["burden_expected"] == pytest.approx(discordant / 2, rel=1e-12)
        assert m["p_burden_gained"] == pytest.approx(mcnemar_exact(int(m["n_later_only"]), int(m["n_primary_only"]),
                                                                   alternative="greater").p_value, rel=1e-9)
    assert table.loc[("RTK-RAS", "mcnemar_exact"), "q_burden_gained"] < 0.01


def test_burden_explains_passenger_truncations_but_not_a_selected_hotspot():
    # metastases carry 3x the private mutations: NOTCH1 truncations follow, KRAS is selected
    hits = {"NOTCH": [], "RTK-RAS": []}
    for seed in range(5):
        alterations, samples = _burden_cohort(np.random.default_rng(seed), n_patients=150, n_primary=40, n_later=100,
                                              truncation_rate=0.004, kras_gain=0.25)
        status = pathway_status(alterations, PATHWAYS, samples)
        table = pathway_enrichment(status, alterations=alterations, pathways=PATHWAYS).set_index(["pathway", "test"])
        for pathway in hits:
            hits[pathway].append([table.loc[(pathway, t), c] for t in ("fisher", "mcnemar_exact")
                                  for c in ("q_value", "q_burden_gained")])
    notch, kras = np.array(hits["NOTCH"]), np.array(hits["RTK-RAS"])
    # plain tests call the burden-driven NOTCH "enriched" in every cohort; the burden-aware ones never
    assert (notch[:, [0, 2]] <= 0.01).all() and (notch[:, [1, 3]] > 0.1).all()
    # the selected KRAS gain is found by both
    assert (kras <= 0.01).all()


def test_subgroup_rows_are_the_subgroups_own_tests():
    rng = np.random.default_rng(20240611)
    alterations, samples = _simulated_cohort(rng)
    status = pathway_status(alterations, PATHWAYS, samples)
    patients = sorted(samples["patient"].unique())
    groups = {p: ("HER2+" if i % 3 == 0 else "HR+/HER2-") for i, p in enumerate(patients) if i % 7}
    table = pathway_enrichment(status, subgroups=groups, subgroup_order=("HR+/HER2-", "HER2+", "TNBC"))
    assert list(dict.fromkeys(table["subgroup"])) == ["all", "HR+/HER2-", "HER2+"]  # TNBC has no patient: no rows
    pd.testing.assert_frame_equal(table[table["subgroup"] == "all"].reset_index(drop=True),
                                  pathway_enrichment(status).reset_index(drop=True))
    her2 = table[table["subgroup"] == "HER2+"].drop(columns="subgroup").reset_index(drop=True)
    members = {p for p, g in groups.items() if g == "HER2+"}
    alone = pathway_enrichment(status[status["patient"].isin(members)]).drop(columns="subgroup").reset_index(drop=True)
    pd.testing.assert_frame_equal(her2, alone)
    assert her2.loc[her2["test"] == "mcnemar_exact", "n_pairs"].eq(len(members)).all()
