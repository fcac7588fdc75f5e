"""Oncogenic signalling pathways per sample, metastasis-vs-primary enrichment, co-alteration,
and patient-oriented gene-set tests.

* :func:`pathway_status`: a sample's pathway (the ten pathways of Sanchez-Vega et al., Cell
  2018) is altered when any of its genes carries an oncogenic alteration (``oncogenic`` 1 in
  the alterations table of :mod:`metevo.oncogenic`). RTK-RAS keeps its name in ``pathway`` and
  is labelled ``MAPK-altered`` in ``label`` (every other pathway: ``<pathway>-altered``).
* :func:`pathway_enrichment`: metastases and recurrences against primaries, per pathway. The
  unit is the tumour class of a patient: a patient's primary is altered when any of its primary
  samples is (regions and replicates of one tumour are not independent observations), and so
  is its later (metastasis/recurrence) class. Unpaired: Fisher's exact test (R ``fisher.test``:
  conditional MLE odds ratio, exact 95% interval) of altered/not x later/primary over every
  patient's classes. Paired: patients with both classes; exact McNemar test of the discordant
  pairs (later-only vs primary-only), two-sided (binomial, p = 1/2). BH within each test.
  Rows of ``subgroup`` ``all`` test the whole cohort; given patients' receptor subtypes, the
  same two tests run again within each subtype (HR+/HER2-, HER2+, TNBC: e.g. MAPK in HER2+
  disease), BH within each test and subgroup.
* :func:`pathway_coalteration`: every pair of pathways, 2 x 2 Fisher over samples (R
  ``fisher.test``), BH over the pairs; odds ratio > 1 is co-occurrence.
* :func:`gene_set_test`: Boca et al. (Genome Biol 2010) patient-oriented gene-set analysis,
  CancerMutationAnalysis ``cma.set.stat`` "permutation null without heterogeneity" (algorithms
  7.1). :func:`private_gene_set_test`: the paired version on private mutations (algorithms
  7.3): exact McNemar and a burden-aware Poisson-binomial test.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.stats.multitest import bh_adjust

MAPK_PATHWAY = "RTK-RAS"
LATER_TYPES = ("metastasis", "recurrence")
TUMOUR_TYPES = ("primary", "metastasis", "recurrence")

STATUS_COLUMNS = ("patient", "sample", "sample_type", "pathway", "label", "altered", "n_altered_genes", "altered_genes")
ENRICHMENT_COLUMNS = (
    "pathway", "label", "subgroup", "test", "alternative", "n_later", "n_later_altered", "n_primary", "n_primary_altered",
    "n_pairs", "n_later_only", "n_primary_only", "n_both", "n_neither",
    "odds_ratio", "ci_low", "ci_high", "statistic", "p_value", "q_value",
    "burden_expected", "p_burden", "q_burden", "p_burden_gained", "q_burden_gained", "method",
)
COALTERATION_COLUMNS = (
    "pathway1", "pathway2", "label1", "label2", "n_samples", "n_both", "n_1_only", "n_2_only", "n_neither",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "event", "method",
)
GENE_SET_COLUMNS = ("gene_set", "n_genes", "n_samples", "n_altered_samples", "expected_altered_samples", "p_value", "q_value", "method")
PRIVATE_SET_COLUMNS = (
    "gene_set", "n_genes", "n_patients", "n_later_only", "n_primary_only", "n_both", "n_neither",
    "mcnemar_p_value", "mcnemar_q_value", "mcnemar_greater_p_value", "burden_p_value", "burden_q_value",
    "expected_later_only", "method",
)


def pathway_label(pathway: str) -> str:
    """``MAPK-altered`` for RTK-RAS, ``<pathway>-altered`` otherwise."""
    return "MAPK-altered" if pathway == MAPK_PATHWAY else f"{pathway}-altered"


def pathway_order(pathways: pd.DataFrame) -> list[str]:
    return sorted(dict.fromkeys(pathways["pathway"]))


def pathway_status(alterations: pd.DataFrame, pathways: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Long table (:data:`STATUS_COLUMNS`): one row per sample and pathway, ``altered`` 0/1,
    the number and names (comma-separated, sorted) of its oncogenically altered genes.

    ``samples``: patient, sample, sample_type of every profiled sample (samples without any
    alteration are not altered); rows follow ``samples`` sorted by patient and sample, then
    pathways alphabetically.
    """
    names = pathway_order(pathways)
    members: dict[str, set[str]] = {}
    for p, g in zip(pathways["pathway"], pathways["gene"]):
        members.setdefault(p, set()).add(g)
    onco = alterations.loc[alterations["oncogenic"].astype(int) == 1, ["sample", "gene"]]
    genes_by_sample: dict[str, set[str]] = {}
    for s, g in zip(onco["sample"], onco["gene"]):
        genes_by_sample.setdefault(s, set()).add(g)
    samples = samples.loc[:, ["patient", "sample", "sample_type"]].drop_duplicates("sample")
    samples = samples.sort_values(["patient", "sample"], kind="mergesort")
    rows = []
    for patient, sample, stype in samples.itertuples(index=False):
        hit = genes_by_sample.get(sample, set())
        for p in names:
            genes = sorted(hit & members[p])
            rows.append((patient, sample, stype, p, pathway_label(p), int(bool(genes)), len(genes), ",".join(genes)))
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def status_matrix(status: pd.DataFrame) -> pd.DataFrame:
    """Samples x pathways 0/1 (wide view of :func:`pathway_status`)."""
    wide = status.pivot(index="sample", columns="pathway", values="altered")
    return wide.sort_index().astype(np.int64)


def _class_status(status: pd.DataFrame) -> pd.DataFrame:
    """patient x class ('primary'/'later') x pathway: altered if any sample of the class is."""
    frame = status.loc[status["sample_type"].isin(TUMOUR_TYPES)].copy()
    frame["class"] = np.where(frame["sample_type"] == "primary", "primary", "later")
    return frame.groupby(["pathway", "patient", "class"], sort=True)["altered"].max().reset_index()


ALL_PATIENTS = "all"


def pathway_enrichment(status: pd.DataFrame, *, conf_level: float = 0.95,
                       subgroups: Mapping[str, str] | None = None, subgroup_order: Sequence[str] = (),
                       alterations: pd.DataFrame | None = None, pathways: pd.DataFrame | None = None) -> pd.DataFrame:
    """Metastasis/recurrence vs primary per pathway (:data:`ENRICHMENT_COLUMNS`): one Fisher
    row (unpaired) and one McNemar row (paired) per pathway. Odds ratio > 1: more often altered
    in the later tumours. q-values: BH over the pathways, separately for each test.

    ``subgroups``: patient -> subgroup (e.g. receptor subtype; '' or absent: none). The rows
    of subgroup ``all`` use every patient; then each subgroup with patients gets its own rows
    (order: ``subgroup_order``, then the others sorted), BH within the subgroup and test.

    ``alterations`` (:mod:`metevo.oncogenic`'s table) and ``pathways`` (its gene table) add the
    burden-aware tests (:func:`_burden_tests`): metastases carry more mutations, so long
    tumour suppressors of a pathway are hit by passenger truncations more often in them
    without selection; without them those columns are empty.
    """
    label = dict(zip(status["pathway"], status["label"]))
    burden = _MutationBurden(alterations, pathways) if alterations is not None and pathways is not None else None
    frames = [_enrichment_rows(status, label, ALL_PATIENTS, conf_level, burden)]
    if subgroups:
        present = {g for g in (subgroups.get(p, "") for p in status["patient"].unique()) if g}
        order = [g for g in subgroup_order if g in present] + sorted(present - set(subgroup_order))
        for group in order:
            members = {p for p, g in subgroups.items() if g == group}
            frames.append(_enrichment_rows(status.loc[status["patient"].isin(members)], label, group, conf_level, burden))
    out = pd.concat(frames, ignore_index=True)
    for name in ("n_later", "n_later_altered", "n_primary", "n_primary_altered", "n_pairs", "n_later_only", "n_primary_only", "n_both", "n_neither"):
        out[name] = out[name].astype("Int64")
    return out


class _MutationBurden:
    """Per patient and tumour class (primary / later): its distinct non-synonymous mutations
    (chromosome, start, alleles) and its oncogenic alterations, each marked private when the
    patient's other class lacks it: the inputs of :func:`_burden_tests`.

    Oncogenic alterations split in two: truncating variants in tumour suppressors
    (``truncating_tsg``), whose passenger rate grows with the number of mutations, and the rest
    (hotspots, OncoKB, amplified oncogenes, deleted suppressors), whose rate does not."""

    def __init__(self, alterations: pd.DataFrame, pathways: pd.DataFrame):
        rows = alterations.loc[alterations["sample_type"].isin(TUMOUR_TYPES)]
        is_mutation = (rows["alteration"] == "mutation").to_numpy()
        key = np.where(is_mutation, variant_keys(rows), rows["alteration"].astype(str) + ":" + rows["gene"].astype(str))
        frame = pd.DataFrame({
            "patient": rows["patient"].astype(str).to_numpy(),
            "class": np.where(rows["sample_type"] == "primary", "primary", "later"),
            "key": key, "gene": rows["gene"].astype(str).to_numpy(), "mutation": is_mutation,
            "oncogenic": rows["oncogenic"].astype(int).to_numpy() == 1,
            "truncating": rows["evidence"].astype(str).to_numpy() == "truncating_tsg",
        }).drop_duplicates(["patient", "class", "key"])
        other = frame.loc[:, ["patient", "class", "key"]].assign(
            **{"class": np.where(frame["class"] == "primary", "later", "primary")}).assign(shared=True)
        frame = frame.merge(other, on=["patient", "class", "key"], how="left")
        frame["private"] = ~frame["shared"].eq(True).to_numpy()
        self.rows = frame.drop(columns="shared")
        self.members: dict[str, set[str]] = {}
        for p, g in zip(pathways["pathway"], pathways["gene"]):
            self.members.setdefault(p, set()).add(g)

    def _select(self, patients: Iterable[str], private: bool) -> pd.DataFrame:
        rows = self.rows.loc[self.rows["patient"].isin(frozenset(patients))]
        return rows.loc[rows["private"]] if private else rows

    def counts(self, patients: Iterable[str], klass: str, *, private: bool = False) -> np.ndarray:
        """Number of (private) mutations of each patient's ``klass`` tumours, in ``patients`` order."""
        patients = list(patients)
        rows = self._select(patients, private)
        rows = rows.loc[rows["mutation"] & (rows["class"] == klass)]
        return rows.groupby("patient").size().reindex(patients, fill_value=0).to_numpy(dtype=np.int64)

    def rates(self, pathway: str, units: Sequence[tuple[str, str]], *, private: bool = False) -> tuple[float, float]:
        """(s, h) over the (patient, class) ``units``, both sides pooled: s = the pathway's
        (private) truncating suppressor mutations over all (private) mutations; h = the share of
        units with a (private) oncogenic alteration of the other kinds in the pathway."""
        if not units:
            return 0.0, 0.0
        rows = self._select({p for p, _ in units}, private)
        rows = rows.loc[pd.MultiIndex.from_arrays([rows["patient"], rows["class"]]).isin(list(units))]
        in_pathway = rows["gene"].isin(self.members.get(pathway, set())).to_numpy() & rows["oncogenic"].to_numpy()
        n_mut = int(rows["mutation"].sum())
        s = float((in_pathway & rows["truncating"].to_numpy()).sum()) / n_mut if n_mut else 0.0
        fixed = rows.loc[in_pathway & ~rows["truncating"].to_numpy(), ["patient", "class"]].drop_duplicates()
        return s, len(fixed) / len(units)


def _altered_probability(s: float, h: float, n: np.ndarray) -> np.ndarray:
    """1 - (1 - h)(1 - s)^n: altered by a burden-independent event (probability h) or by one of
    n mutations, each a truncation of the pathway's suppressors with probability s."""
    from metevo.enrichment import hit_probability

    return 1 - (1 - h) * (1 - hit_probability(s, n))


def _burden_tests(burden: _MutationBurden | None, pathway: str, later: pd.Series, primary: pd.Series,
                  paired: pd.DataFrame) -> tuple[dict, dict]:
    """Burden-aware versions of the pathway's Fisher and McNemar tests (as the gene-level ones of
    :mod:`metevo.enrichment`, algorithms.md 7.3): metastases carry more mutations, so they are
    more often hit by passenger truncations of a pathway's long suppressors without selection.

    Under H0 a tumour class with n mutations is altered with probability
    q = 1 - (1 - h)(1 - s)^n (:meth:`_MutationBurden.rates`: h the burden-independent part,
    hotspots and copy number, equal on both sides; s the truncations' share of mutations).
    Unpaired: the number of altered later classes given the altered classes of both sides, under
    the conditional distribution of those q (Fisher's test when burdens are equal). Paired: over
    private alterations and private mutation counts, a discordant patient is later-only with
    probability pi = qL(1 - qP) / (qL(1 - qP) + qP(1 - qL)); later-only ~ Poisson-binomial(pi).
    Returns the two rows' burden columns (expected later count, two-sided p, one-sided p of
    "more often in the later tumours").
    """
    from metevo.enrichment import _exact_p, conditional_burden_pmf, paired_burden_test

    empty = {"burden_expected": math.nan, "p_burden": math.nan, "p_burden_gained": math.nan}
    if burden is None:
        return dict(empty), dict(empty)
    fisher = dict(empty)
    k_later, k_primary = int(later.sum()), int(primary.sum())
    if len(later) and len(primary):
        units = [(p, "later") for p in later.index] + [(p, "primary") for p in primary.index]
        s, h = burden.rates(pathway, units)
        q_later = _altered_probability(s, h, burden.counts(later.index, "later"))
        q_primary = _altered_probability(s, h, burden.counts(primary.index, "primary"))
        if k_later + k_primary == 0:
            lo, pmf = 0, np.ones(1)
        else:
            lo, pmf = conditional_burden_pmf(q_later, q_primary, k_later + k_primary)
        if not np.isnan(pmf).any():
            r = _exact_p(lo, pmf, k_later)
            fisher = {"burden_expected": r.expected, "p_burden": r.p_value, "p_burden_gained": r.p_gained}
    mcnemar = dict(empty)
    if len(paired):
        patients = list(paired.index)
        discordant = (paired["later"] != paired["primary"]).to_numpy()
        s, h = burden.rates(pathway, [(p, c) for p in patients for c in ("later", "primary")], private=True)
        q_l = _altered_probability(s, h, burden.counts(patients, "later", private=True)[discordant])
        q_p = _altered_probability(s, h, burden.counts(patients, "primary", private=True)[discordant])
        r = paired_burden_test(discordant_pi(q_l, q_p), int(((paired["later"] == 1) & (paired["primary"] == 0)).sum()))
        mcnemar = {"burden_expected": r.expected, "p_burden": r.p_value, "p_burden_gained": r.p_gained}
    return fisher, mcnemar


def _enrichment_rows(status: pd.DataFrame, label: Mapping[str, str], subgroup: str, conf_level: float,
                     burden: _MutationBurden | None = None) -> pd.DataFrame:
    """The Fisher and McNemar rows of one set of patients (:func:`pathway_enrichment`)."""
    from metevo.stats.contingency import fisher_exact, mcnemar_exact

    classes = _class_status(status)
    fisher_rows, mcnemar_rows = [], []
    for pathway in sorted(classes["pathway"].unique()):
        sub = classes.loc[classes["pathway"] == pathway]
        later = sub.loc[sub["class"] == "later"].set_index("patient")["altered"]
        primary = sub.loc[sub["class"] == "primary"].set_index("patient")["altered"]
        a, n_l = int(later.sum()), int(len(later))
        c, n_p = int(primary.sum()), int(len(primary))
        base = {"pathway": pathway, "label": label.get(pathway, pathway_label(pathway)), "subgroup": subgroup}
        if n_l and n_p:
            f = fisher_exact(a, n_l - a, c, n_p - c, conf_level=conf_level)
            odds, low, high, p = f.odds_ratio, f.ci_low, f.ci_high, f.p_value
        else:
            odds = low = high = p = math.nan
        fisher_rows.append({**base, "test": "fisher", "alternative": "two.sided", "n_later": n_l, "n_later_altered": a,
                            "n_primary": n_p, "n_primary_altered": c, "odds_ratio": odds, "ci_low": low, "ci_high": high,
                            "p_value": p, "method": "Fisher's exact test (R fisher.test), patients' later vs primary tumours"})
        paired = pd.concat([later.rename("later"), primary.rename("primary")], axis=1, join="inner")
        burden_f, burden_m = _burden_tests(burden, pathway, later, primary, paired)
        fisher_rows[-1].update(burden_f)
        lo = int(((paired["later"] == 1) & (paired["primary"] == 0)).sum())
        po = int(((paired["later"] == 0) & (paired["primary"] == 1)).sum())
        both = int(((paired["later"] == 1) & (paired["primary"] == 1)).sum())
        neither = int(((paired["later"] == 0) & (paired["primary"] == 0)).sum())
        if len(paired):
            m = mcnemar_exact(lo, po)
            stat, pm = m.statistic, m.p_value
        else:
            stat = pm = math.nan
        mcnemar_rows.append({**base, "test": "mcnemar_exact", "alternative": "two.sided", "n_pairs": len(paired),
                             "n_later_only": lo, "n_primary_only": po, "n_both": both, "n_neither": neither,
                             "odds_ratio": (lo / po) if po else (math.inf if lo else math.nan),
                             "statistic": stat, "p_value": pm, **burden_m,
                             "method": "exact McNemar test (binomial, p = 1/2) of discordant patients; odds_ratio = later-only / primary-only"})
    rows = []
    for group in (fisher_rows, mcnemar_rows):
        for p_column, q_column in (("p_value", "q_value"), ("p_burden", "q_burden"), ("p_burden_gained", "q_burden_gained")):
            q = bh_adjust([r[p_column] for r in group])
            for r, qv in zip(group, q):
                r[q_column] = qv
        rows.extend(group)
    return pd.DataFrame(rows, columns=list(ENRICHMENT_COLUMNS))


def pairwise_fisher(matrix: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Every pair of columns (in column order, first < second) of a 0/1 samples x features
    matrix: counts n11, n10 (first only), n01 (second only), n00, and R ``fisher.test`` of the
    table [[n11, n10], [n01, n00]] (two-sided; conditional MLE odds ratio; exact interval)."""
    from metevo.stats.contingency import fisher_exact_many, pairwise_tables

    names = list(matrix.columns)
    i_idx, j_idx, n11, n10, n01, n00 = pairwise_tables(matrix.to_numpy(dtype=np.int64))
    res = fisher_exact_many(n11, n10, n01, n00, conf_level=conf_level) if len(i_idx) else None
    out = pd.DataFrame({
        "feature1": [names[i] for i in i_idx], "feature2": [names[j] for j in j_idx],
        "n11": n11, "n10": n10, "n01": n01, "n00": n00,
        "odds_ratio": res.odds_ratio if res is not None else [], "ci_low": res.ci_low if res is not None else [],
        "ci_high": res.ci_high if res is not None else [], "p_value": res.p_value if res is not None else [],
    })
    return out


def pathway_coalteration(status: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """Co-alteration of every pair of pathways over samples (:data:`COALTERATION_COLUMNS`)."""
    wide = status_matrix(status)
    pairs = pairwise_fisher(wide, conf_level=conf_level)
    label = dict(zip(status["pathway"], status["label"]))
    out = pd.DataFrame({
        "pathway1": pairs["feature1"], "pathway2": pairs["feature2"],
        "label1": pairs["feature1"].map(label), "label2": pairs["feature2"].map(label),
        "n_samples": len(wide), "n_both": pairs["n11"], "n_1_only": pairs["n10"], "n_2_only": pairs["n01"], "n_neither": pairs["n00"],
        "odds_ratio": pairs["odds_ratio"], "ci_low": pairs["ci_low"], "ci_high": pairs["ci_high"], "p_value": pairs["p_value"],
    })
    out["q_value"] = bh_adjust(out["p_value"].to_numpy())
    out["event"] = np.where(out["odds_ratio"] > 1, "co_occurrence", "mutual_exclusivity")
    out["method"] = "Fisher's exact test (R fisher.test) over samples"
    return out.loc[:, list(COALTERATION_COLUMNS)]


# ------------------------------------------------------------------- patient-oriented gene sets


def poisson_binomial_pmf(probs: Sequence[float]) -> np.ndarray:
    """P(T = 0..n) for T the number of successes of independent Bernoulli(probs) trials
    (the recursion of CancerMutationAnalysis ``poisbin``)."""
    probs = np.asarray(probs, dtype=float)
    pmf = np.zeros(len(probs) + 1)
    pmf[0] = 1.0
    for k, p in enumerate(probs, start=1):
        pmf[1:k + 1] = pmf[1:k + 1] * (1 - p) + pmf[0:k] * p
        pmf[0] *= 1 - p
    return pmf


def poisson_binomial_sf(observed: int, probs: Sequence[float]) -> float:
    """P(T >= observed), summed over the upper tail as ``get.p.vals.from.q.probs`` does."""
    pmf = poisson_binomial_pmf(probs)
    if observed <= 0:
        return 1.0
    return float(min(1.0, pmf[observed:].sum()))


def discordant_pi(q_later: np.ndarray, q_primary: np.ndarray) -> np.ndarray:
    """Null probability that a patient hit in one tumour class only is hit in the later one, given
    each class's chance of a hit: pi = qL(1 - qP) / (qL(1 - qP) + qP(1 - qL)), 1/2 where neither
    can be hit."""
    num = q_later * (1 - q_primary)
    den = num + q_primary * (1 - q_later)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), 0.5)


def variant_keys(rows: pd.DataFrame) -> pd.Series:
    """``chromosome:start:ref>alt`` of each alteration-table row: one variant, whichever sample carries it."""
    return (rows["chromosome"].astype(str) + ":" + rows["start_position"].astype(str) + ":"
            + rows["reference_allele"].astype(str) + ">" + rows["tumor_seq_allele2"].astype(str))


def _universe(universe: Iterable[str] | int) -> tuple[set[str] | None, int]:
    """(the gene universe as a set, or None when only its size is given; its size)."""
    if isinstance(universe, (int, np.integer)):
        return None, int(universe)
    genes = set(universe)
    return genes, len(genes)


def set_hit_probability(n_events: np.ndarray | int, n_universe: int, set_size: int) -> np.ndarray:
    """1 - dhyper(0, n, G - n, m): the chance that a set of m of the G genes is hit when n events
    fall on n distinct genes drawn at random (Boca et al.'s q_{s,i}); 1 when n > G - m."""
    from scipy.special import gammaln

    n = np.minimum(np.asarray(n_events, dtype=float), n_universe)
    g, m = float(n_universe), float(set_size)
    with np.errstate(invalid="ignore"):
        log_p0 = gammaln(g - n + 1) - gammaln(g - n - m + 1) - gammaln(g + 1) + gammaln(g - m + 1)
    p0 = np.where(n > g - m, 0.0, np.exp(np.where(n > g - m, 0.0, log_p0)))
    return 1.0 - p0


def gene_set_test(events: pd.DataFrame, gene_sets: Mapping[str, Iterable[str]], universe: Iterable[str] | int) -> pd.DataFrame:
    """Boca et al. patient-oriented gene-set test (``cma.set.stat``, permutation null without
    heterogeneity), :data:`GENE_SET_COLUMNS`.

    ``events``: one row per mutation event with ``sample`` and ``gene`` (point mutations; the
    per-sample event count n_i counts rows, as the package does). ``universe``: the analysed
    genes (or their number G). Samples with no event are not used. Set s of m_s genes (genes
    outside the universe dropped — a deviation: the package uses the full set length) is hit in
    sample i with null probability q_si = 1 - C(G - n_i, m_s) / C(G, m_s); T_s = number of
    samples with an event in s ~ Poisson-binomial(q_s.); p = P(T >= T_obs); BH q-values.
    """
    universe_set, g = _universe(universe)
    events = events.loc[:, ["sample", "gene"]]
    if universe_set is not None:
        events = events.loc[events["gene"].isin(universe_set)]
    counts = events.groupby("sample", sort=True).size()
    samples = counts.index.tolist()
    n_i = counts.to_numpy(dtype=float)
    genes_by_sample = events.groupby("sample", sort=True)["gene"].agg(set)
    rows = []
    for name in sorted(gene_sets):
        members = set(gene_sets[name])
        if universe_set is not None:
            members &= universe_set
        m = len(members)
        hit = np.array([bool(genes_by_sample[s] & members) for s in samples], dtype=bool)
        q = set_hit_probability(n_i, g, m) if m else np.zeros(len(samples))
        observed = int(hit.sum())
        p = poisson_binomial_sf(observed, q) if len(samples) else math.nan
        rows.append({"gene_set": name, "n_genes": m, "n_samples": len(samples), "n_altered_samples": observed,
                     "expected_altered_samples": float(q.sum()), "p_value": p})
    out = pd.DataFrame(rows, columns=[c for c in GENE_SET_COLUMNS if c not in ("q_value", "method")])
    out["q_value"] = bh_adjust(out["p_value"].to_numpy())
    out["method"] = "patient-oriented gene-set test (Boca et al. 2010; permutation null without heterogeneity, exact Poisson-binomial)"
    return out.loc[:, list(GENE_SET_COLUMNS)]


def private_gene_set_test(pairs: Mapping[str, tuple[set, set, int, int]] | pd.DataFrame, gene_sets: Mapping[str, Iterable[str]],
                          universe: Iterable[str] | int) -> pd.DataFrame:
    """Paired primary/later test of gene sets on private mutations (algorithms 7.3),
    :data:`PRIVATE_SET_COLUMNS`.

    ``pairs``: patient -> (genes with a mutation private to the later tumour, genes with one
    private to the primary, number of private later events, number of private primary events).
    Per set: a patient is later-only when its later tumour has a private event in the set and
    its primary none (primary-only vice versa). Exact McNemar on later-only vs primary-only
    (two-sided, and one-sided "more often in the later tumour"). Burden-aware test: under H0 a
    discordant patient is later-only with probability pi_i = qL(1 - qP) / (qL(1 - qP) + qP(1 - qL)),
    q from :func:`set_hit_probability` with each tumour's private event count; the number of
    later-only patients is Poisson-binomial(pi), p = P(T >= observed). BH for each p column.
    """
    from metevo.stats.contingency import mcnemar_exact

    universe_set, g = _universe(universe)
    patients = sorted(pairs)
    later_genes = [set(pairs[p][0]) for p in patients]
    primary_genes = [set(pairs[p][1]) for p in patients]
    n_later = np.array([pairs[p][2] for p in patients], dtype=float)
    n_primary = np.array([pairs[p][3] for p in patients], dtype=float)
    rows = []
    for name in sorted(gene_sets):
        members = set(gene_sets[name])
        if universe_set is not None:
            members &= universe_set
        m = len(members)
        hl = np.array([bool(s & members) for s in later_genes], dtype=bool)
        hp = np.array([bool(s & members) for s in primary_genes], dtype=bool)
        b = int((hl & ~hp).sum())
        c = int((~hl & hp).sum())
        two = mcnemar_exact(b, c).p_value
        greater = mcnemar_exact(b, c, alternative="greater").p_value
        disc = hl != hp
        if m and disc.any():
            ql = set_hit_probability(n_later[disc], g, m)
            qp = set_hit_probability(n_primary[disc], g, m)
            pi = discordant_pi(ql, qp)
            burden = poisson_binomial_sf(b, pi)
            expected = float(pi.sum())
        else:
            burden, expected = (1.0 if m else math.nan), 0.0
        rows.append({"gene_set": name, "n_genes": m, "n_patients": len(patients), "n_later_only": b, "n_primary_only": c,
                     "n_both": int((hl & hp).sum()), "n_neither": int((~hl & ~hp).sum()),
                     "mcnemar_p_value": two, "mcnemar_greater_p_value": greater, "burden_p_value": burden,
                     "expected_later_only": expected})
    out = pd.DataFrame(rows, columns=[c for c in PRIVATE_SET_COLUMNS if c not in ("mcnemar_q_value", "burden_q_value", "method")])
    out["mcnemar_q_value"] = bh_adjust(out["mcnemar_p_value"].to_numpy())
    out["burden_q_value"] = bh_adjust(out["burden_p_value"].to_numpy())
    out["method"] = ("private mutations: exact McNemar (binomial, p = 1/2) of later-only vs primary-only patients; "
                     "burden-aware Poisson-binomial with hypergeometric set-hit probabilities (one-sided, later)")
    return out.loc[:, list(PRIVATE_SET_COLUMNS)]


def private_events(alterations: pd.DataFrame) -> dict[str, tuple[set, set, int, int]]:
    """Per patient with a primary and a later tumour: the genes and counts of mutations private
    to the later class and to the primary class (input of :func:`private_gene_set_test`).

    A variant (chromosome, start, alleles) is private to a class when no sample of the other
    class of the patient carries it. Mutation rows only (all non-synonymous, oncogenic or not).
    """
    muts = alterations.loc[alterations["alteration"] == "mutation"].copy()
    muts = muts.loc[muts["sample_type"].isin(TUMOUR_TYPES)]
    muts["class"] = np.where(muts["sample_type"] == "primary", "primary", "later")
    muts["key"] = variant_keys(muts)
    out = {}
    types = alterations.loc[alterations["sample_type"].isin(TUMOUR_TYPES)]
    for patient, sub in muts.groupby("patient", sort=True):
        kinds = set(types.loc[types["patient"] == patient, "sample_type"].map(lambda t: "primary" if t == "primary" else "later"))
        if kinds != {"primary", "later"}:
            continue
        later = sub.loc[sub["class"] == "later"].drop_duplicates("key")
        primary = sub.loc[sub["class"] == "primary"].drop_duplicates("key")
        pl = later.loc[~later["key"].isin(set(primary["key"]))]
        pp = primary.loc[~primary["key"].isin(set(later["key"]))]
        out[patient] = (set(pl["gene"]), set(pp["gene"]), len(pl), len(pp))
    return out


def read_gmt(path) -> dict[str, list[str]]:
    """Gene sets of a GMT file (name, description, genes...)."""
    from metevo.errors import InputError
    from metevo.io.tables import open_text

    sets: dict[str, list[str]] = {}
    with open_text(path) as fh:
        for number, line in enumerate(fh, start=1):
            fields = [f.strip() for f in line.rstrip("\r\n").split("\t")]
            if not any(fields):
                continue
            if len(fields) < 3 or not fields[0]:
                raise InputError("expected a GMT line: name, description, then genes, tab-separated", file=path, line=number)
            if fields[0] in sets:
                raise InputError(f"gene set '{fields[0]}' appears twice", file=path, line=number)
            sets[fields[0]] = [g for g in fields[2:] if g]
    return sets
