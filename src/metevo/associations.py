"""Associations of alterations: between genes (co-occurrence / mutual exclusivity), with
clinical features, and of continuous features between groups.

* :func:`somatic_interactions`: maftools ``somaticInteractions`` (PoisonAlien/maftools
  R/somaticInteractions.R): among the top N altered genes, for every pair a two-sided R
  ``fisher.test`` of the two genes' 0/1 status over all samples; ``Event`` is
  ``Co_Occurence`` when the conditional MLE odds ratio is > 1, else ``Mutually_Exclusive``;
  ``pAdj`` is BH over the pairs. Columns and spellings are maftools' (``gene1 gene2 pValue
  oddsRatio 00 11 01 10 Event pAdj``, counts keyed gene1-state then gene2-state). Deviations:
  gene1 is always the more altered gene of the pair (maftools' orientation depends on
  floating-point ties between the two orderings); a pair where a gene is altered in every
  sample (R's ``fisher.test`` stops: "'x' and 'y' must have at least 2 levels", which maftools
  turns into p = 0 and OR = 0) gets empty p-value and odds ratio and Event ''. Genes are ranked
  by altered samples, then alterations, then name (maftools: its gene summary order).
* :func:`clinical_associations`: every alteration (top genes and the ten pathways) against
  every clinical feature: HER2 status (positive vs negative), HR status (ER or PR positive vs
  both negative), treatments (chemotherapy, radiation, antiestrogen, anti_her2: yes vs no) and
  metastatic site (each site vs all other sites: one 2 x 2 Fisher per level rather than one
  r x 2 test, so that each test says which site differs). Unknown or equivocal values are left
  out of the test. Receptor statuses use every tumour sample; treatments and site use the
  metastasis and recurrence samples (what therapy may have selected, where the tumour spread).
  A test is run only when both the alteration and the feature vary among its samples. BH over
  all tests of the table.
* :func:`continuous_by_group`: Wilcoxon rank-sum tests (R ``wilcox.test`` semantics,
  :mod:`metevo.stats.wilcoxon`) of continuous sample features (mutation count, fraction genome
  altered, HRD sum, tumour fraction, ...) between later (metastasis/recurrence) and primary
  samples, and between samples with and without each pathway altered; BH over all tests.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.stats.multitest import bh_adjust

INTERACTION_COLUMNS = ("gene1", "gene2", "pValue", "oddsRatio", "00", "11", "01", "10", "Event", "pAdj")
CLINICAL_COLUMNS = (
    "alteration_level", "alteration", "feature", "level", "reference", "samples", "n_samples",
    "n_level", "n_level_altered", "n_reference", "n_reference_altered",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "method",
)
CONTINUOUS_COLUMNS = (
    "feature", "grouping", "group1", "group2", "n1", "n2", "median1", "median2",
    "statistic_name", "statistic", "alternative", "p_value", "q_value", "method", "note",
)
TREATMENTS = ("chemotherapy", "radiation", "antiestrogen", "anti_her2")
TUMOUR_TYPES = ("primary", "metastasis", "recurrence")
LATER_TYPES = ("metastasis", "recurrence")


def alteration_matrix(alterations: pd.DataFrame, samples: Sequence[str], *, oncogenic_only: bool = True) -> pd.DataFrame:
    """Samples x genes 0/1 (rows in ``samples`` order, genes sorted by name); a gene is altered
    in a sample when it has an (oncogenic, unless ``oncogenic_only`` is False) alteration."""
    rows = alterations
    if oncogenic_only:
        rows = rows.loc[rows["oncogenic"].astype(int) == 1]
    rows = rows.loc[rows["sample"].isin(set(samples)), ["sample", "gene"]].drop_duplicates()
    genes = sorted(rows["gene"].unique())
    index = {s: i for i, s in enumerate(samples)}
    col = {g: j for j, g in enumerate(genes)}
    x = np.zeros((len(samples), len(genes)), dtype=np.int64)
    x[[index[s] for s in rows["sample"]], [col[g] for g in rows["gene"]]] = 1
    return pd.DataFrame(x, index=pd.Index(list(samples), name="sample"), columns=genes)


def top_genes(matrix: pd.DataFrame, alterations: pd.DataFrame | None = None, top: int = 25) -> list[str]:
    """The ``top`` genes by altered samples, then number of alterations, then name."""
    altered = matrix.sum(axis=0)
    if alterations is not None:
        events = alterations.loc[alterations["sample"].isin(set(matrix.index))].groupby("gene").size()
        events = events.reindex(matrix.columns).fillna(0)
    else:
        events = pd.Series(0, index=matrix.columns)
    order = sorted(matrix.columns, key=lambda g: (-int(altered[g]), -int(events[g]), g))
    return [g for g in order if altered[g] > 0][:top]


def somatic_interactions(matrix: pd.DataFrame, genes: Sequence[str] | None = None, top: int = 25,
                         alterations: pd.DataFrame | None = None) -> pd.DataFrame:
    """maftools ``somaticInteractions`` over a samples x genes 0/1 matrix that has a row for
    every sample of the cohort (see the module docstring); :data:`INTERACTION_COLUMNS`, sorted
    by pValue (then gene1, gene2)."""
    from metevo.stats.contingency import fisher_exact_many, pairwise_tables

    if genes is None:
        genes = top_genes(matrix, alterations, top)
    genes = list(genes)
    x = matrix.loc[:, genes].to_numpy(dtype=np.int64)
    i_idx, j_idx, n11, n10, n01, n00 = pairwise_tables(x)
    n1 = x.sum(axis=0)
    if len(i_idx):
        res = fisher_exact_many(n11, n10, n01, n00)
        p, odds = res.p_value.copy(), res.odds_ratio.copy()
    else:
        p = odds = np.zeros(0)
    n = x.shape[0]
    degenerate = (n1[i_idx] == n) | (n1[j_idx] == n) | (n1[i_idx] == 0) | (n1[j_idx] == 0)
    p[degenerate] = np.nan
    odds[degenerate] = np.nan
    event = np.where(degenerate, "", np.where(odds > 1, "Co_Occurence", "Mutually_Exclusive"))
    out = pd.DataFrame({
        "gene1": [genes[i] for i in i_idx], "gene2": [genes[j] for j in j_idx],
        "pValue": p, "oddsRatio": odds, "00": n00, "11": n11, "01": n01, "10": n10, "Event": event,
    })
    out["pAdj"] = bh_adjust(out["pValue"].to_numpy())
    order = np.lexsort([out["gene2"].to_numpy(), out["gene1"].to_numpy(), np.nan_to_num(out["pValue"].to_numpy(), nan=np.inf)])
    return out.iloc[order].reset_index(drop=True).loc[:, list(INTERACTION_COLUMNS)]


# ----------------------------------------------------------------------------- clinical tests


def hr_status(er: str, pr: str) -> str:
    """'positive' if ER or PR is positive, 'negative' if both are negative, else 'unknown'."""
    if er == "positive" or pr == "positive":
        return "positive"
    if er == "negative" and pr == "negative":
        return "negative"
    return "unknown"


def clinical_features(samples: pd.DataFrame, clinical: pd.DataFrame | None) -> pd.DataFrame:
    """Per sample (index) the categorical features tested: her2_status, hr_status, the
    treatments (from the patient's clinical row; '' when the patient has none) and site.
    ``samples``: samplesheet rows (patient, sample, sample_type, site, er/pr/her2 status)."""
    out = pd.DataFrame(index=pd.Index(samples["sample"].tolist(), name="sample"))
    out["patient"] = samples["patient"].to_numpy()
    out["sample_type"] = samples["sample_type"].to_numpy()
    get = lambda name: samples[name].to_numpy() if name in samples.columns else np.array([""] * len(samples), dtype=object)
    out["her2_status"] = get("her2_status")
    out["hr_status"] = [hr_status(e, p) for e, p in zip(get("er_status"), get("pr_status"))]
    by_patient = clinical.set_index("patient") if clinical is not None and len(clinical) else None
    for name in TREATMENTS:
        if by_patient is not None and name in by_patient.columns:
            values = by_patient[name].to_dict()
            out[name] = [str(values.get(p, "") or "") for p in out["patient"]]
        else:
            out[name] = ""
    out["site"] = get("site")
    return out


def _binary_tests(altered: pd.DataFrame, labels: pd.Series, level: str, reference: str | None) -> list[dict]:
    """2 x 2 Fisher of every column of ``altered`` (samples x alterations) against labels ==
    level vs labels == reference (None: every other non-empty label)."""
    from metevo.stats.contingency import fisher_exact

    if reference is None:
        use = labels != ""
    else:
        use = labels.isin([level, reference])
    is_level = (labels[use] == level).to_numpy()
    if is_level.all() or not is_level.any():
        return []
    rows = []
    sub = altered.loc[use[use].index]
    for name in sub.columns:
        x = sub[name].to_numpy(dtype=np.int64)
        if x.all() or not x.any():
            continue
        a = int((x[is_level] == 1).sum())
        b = int((x[is_level] == 0).sum())
        c = int((x[~is_level] == 1).sum())
        d = int((x[~is_level] == 0).sum())
        f = fisher_exact(a, b, c, d)
        rows.append({"alteration": name, "level": level, "reference": reference if reference is not None else "other",
                     "n_samples": len(x), "n_level": a + b, "n_level_altered": a, "n_reference": c + d, "n_reference_altered": c,
                     "odds_ratio": f.odds_ratio, "ci_low": f.ci_low, "ci_high": f.ci_high, "p_value": f.p_value})
    return rows


def clinical_associations(altered: pd.DataFrame, levels: Mapping[str, str], features: pd.DataFrame) -> pd.DataFrame:
    """Fisher tests of alterations against clinical features (:data:`CLINICAL_COLUMNS`).

    ``altered``: samples x alterations 0/1 (index: sample); ``levels``: alteration ->
    'gene' | 'pathway'; ``features``: :func:`clinical_features` for the same samples.
    Odds ratio > 1: the alteration is more frequent in ``level`` than in ``reference``.
    """
    features = features.loc[altered.index]
    tumour = features["sample_type"].isin(TUMOUR_TYPES)
    later = features["sample_type"].isin(LATER_TYPES)
    plan = [
        ("her2_status", tumour, "tumour", [("positive", "negative")]),
        ("hr_status", tumour, "tumour", [("positive", "negative")]),
        *[(t, later, "metastasis_recurrence", [("yes", "no")]) for t in TREATMENTS],
    ]
    rows = []
    for feature, mask, scope, contrasts in plan:
        labels = features.loc[mask, feature].astype(str)
        for level, reference in contrasts:
            for r in _binary_tests(altered.loc[mask], labels, level, reference):
                rows.append({**r, "feature": feature, "samples": scope})
    sites = features.loc[later, "site"].astype(str)
    for site in sorted(set(sites) - {""}):
        for r in _binary_tests(altered.loc[later], sites, site, None):
            rows.append({**r, "feature": "site", "samples": "metastasis_recurrence"})
    out = pd.DataFrame(rows, columns=[c for c in CLINICAL_COLUMNS if c not in ("alteration_level", "q_value", "method")])
    out["alteration_level"] = out["alteration"].map(levels)
    out["q_value"] = bh_adjust(out["p_value"].to_numpy())
    out["method"] = "Fisher's exact test (R fisher.test), altered vs not x level vs reference; BH over the table"
    order = np.lexsort([out["reference"].to_numpy(), out["level"].to_numpy(), out["feature"].to_numpy(),
                        out["alteration"].to_numpy(), out["alteration_level"].to_numpy()])
    return out.iloc[order].reset_index(drop=True).loc[:, list(CLINICAL_COLUMNS)]


# --------------------------------------------------------------------------- continuous tests


def continuous_by_group(values: pd.DataFrame, groupings: Mapping[str, pd.Series]) -> pd.DataFrame:
    """Rank-sum tests of every column of ``values`` (samples x continuous features) between
    the two groups of every grouping (:data:`CONTINUOUS_COLUMNS`).

    ``groupings``: name -> Series over samples with labels; the first test group is the label
    listed first in ``series.attrs['groups']`` (a pair), samples with other labels are left out.
    """
    from metevo.stats.wilcoxon import rank_sum_test

    rows = []
    for grouping in groupings:
        labels = groupings[grouping]
        g1, g2 = labels.attrs["groups"]
        for feature in values.columns:
            col = values[feature].reindex(labels.index).astype(float)
            x = col[labels == g1].to_numpy()
            y = col[labels == g2].to_numpy()
            x, y = x[~np.isnan(x)], y[~np.isnan(y)]
            if len(x) == 0 or len(y) == 0:
                continue
            r = rank_sum_test(x, y)
            rows.append({"feature": feature, "grouping": grouping, "group1": g1, "group2": g2, "n1": len(x), "n2": len(y),
                         "median1": float(np.median(x)), "median2": float(np.median(y)), "statistic_name": r.statistic_name,
                         "statistic": r.statistic, "alternative": r.alternative, "p_value": r.p_value,
                         "method": f"{r.test} ({r.method}), R wilcox.test", "note": r.note})
    out = pd.DataFrame(rows, columns=[c for c in CONTINUOUS_COLUMNS if c != "q_value"])
    out["q_value"] = bh_adjust(out["p_value"].to_numpy())
    return out.loc[:, list(CONTINUOUS_COLUMNS)]


def group_labels(samples: pd.DataFrame, status: pd.DataFrame | None) -> dict[str, pd.Series]:
    """The groupings of :func:`continuous_by_group`: ``sample_type`` (later vs primary) and, for
    each pathway of ``status`` (long pathway status), ``<label>`` (altered vs not_altered)."""
    index = pd.Index(samples["sample"].tolist(), name="sample")
    types = pd.Series(np.where(samples["sample_type"].isin(LATER_TYPES), "metastasis_recurrence",
                               np.where(samples["sample_type"] == "primary", "primary", "")), index=index)
    types.attrs["groups"] = ("metastasis_recurrence", "primary")
    out = {"sample_type": types}
    if status is not None:
        for label, sub in status.groupby("label", sort=True):
            s = sub.set_index("sample")["altered"].reindex(index)
            lab = pd.Series(np.where(s == 1, "altered", np.where(s == 0, "not_altered", "")), index=index)
            lab.attrs["groups"] = ("altered", "not_altered")
            out[label] = lab
    return out
