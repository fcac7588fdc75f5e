"""Pair copy-number R^2 and paired CNA/LST burden (metevo.cn.concordance) on planted profiles.

Expected values are computed here from the planted per-megabase profiles with numpy, not read
back from metevo.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metevo.cn import concordance as cc
from metevo.concordance import TEST_COLUMNS

MB = 1_000_000
CHROMS = [str(i) for i in range(1, 23)]
LENGTH = 50 * MB  # every test chromosome is 50 Mb: 50 bins of 1 Mb


def _profile(events, baseline=2):
    """Per-Mb total copy number over 22 chromosomes of 50 Mb; events (chrom, first_mb, last_mb, copies)."""
    cn = {c: np.full(50, baseline) for c in CHROMS}
    for chrom, first, last, copies in events:
        cn[chrom][first:last + 1] = copies
    return cn


def _segments(sample, profile, *, log2=None, ploidy=np.nan):
    """Segments of a per-Mb profile (runs of equal copies); ``log2`` maps copies to a log2 value."""
    rows = []
    for chrom in CHROMS:
        values = profile[chrom]
        start = 0
        for i in range(1, 51):
            if i == 50 or values[i] != values[start]:
                c = int(values[start])
                rows.append({"sample": sample, "chrom": chrom, "start": start * MB + 1, "end": i * MB,
                             "n_bins": pd.NA, "log2": np.nan if log2 is None else log2(c), "total_cn": c,
                             "major_cn": pd.NA, "minor_cn": pd.NA, "ploidy": ploidy, "call": ""})
                start = i
    frame = pd.DataFrame(rows)
    for column in ("total_cn", "major_cn", "minor_cn", "n_bins"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _flat(profile):
    return np.concatenate([profile[c] for c in CHROMS]).astype(float)


A_EVENTS = [("1", 25, 49, 3), ("8", 0, 20, 1), ("17", 10, 12, 6), ("16", 30, 49, 1)]


def test_r2_of_identical_profiles_is_one_and_unrelated_profiles_lower():
    a = _profile(A_EVENTS)
    b = _profile(A_EVENTS + [("3", 0, 10, 3)])  # the metastasis adds a gain
    c = _profile([("5", 0, 49, 1), ("20", 20, 49, 4)])
    segs = pd.concat([_segments("A", a), _segments("B", b), _segments("C", c), _segments("A2", a)], ignore_index=True)
    pairs = pd.DataFrame({"sample_a": ["A", "A", "A"], "sample_b": ["A2", "B", "C"], "extra": [1, 2, 3]})
    got = cc.pair_cn_r2(pairs, segs)
    assert list(got.columns) == ["sample_a", "sample_b", "cn_r2", "cn_n_bins"]
    assert list(got["sample_b"]) == ["A2", "B", "C"]
    assert got["cn_r2"].iloc[0] == pytest.approx(1.0)
    # integer copy numbers are compared as log2(max(c, 0.5) / ploidy), ploidy = modal copy number 2
    value = lambda p: np.log2(np.maximum(_flat(p), 0.5) / 2)  # noqa: E731
    assert got["cn_r2"].iloc[1] == pytest.approx(np.corrcoef(value(a), value(b))[0, 1] ** 2)
    assert got["cn_r2"].iloc[2] == pytest.approx(np.corrcoef(value(a), value(c))[0, 1] ** 2)
    assert got["cn_r2"].iloc[1] > 0.8 > 0.1 > got["cn_r2"].iloc[2]
    assert (got["cn_n_bins"] == 22 * 50).all()


def test_r2_uses_log2_ratios_when_the_segments_have_them_and_only_shared_bins():
    a = _profile(A_EVENTS)
    purity = 0.4  # an impure sample: attenuated but monotone ratios, R^2 stays high
    seg_a = _segments("A", a, log2=lambda c: np.log2((purity * c + 2 * (1 - purity)) / 2))
    seg_b = _segments("B", a, log2=lambda c: np.log2(c / 2) if c else -3.0)
    seg_b = seg_b[seg_b["chrom"] != "2"]  # B has no chromosome 2
    got = cc.pair_cn_r2(pd.DataFrame({"sample_a": ["A"], "sample_b": ["B"]}), pd.concat([seg_a, seg_b]))
    x = np.log2((purity * _flat(a) + 2 * (1 - purity)) / 2)
    y = np.log2(_flat(a) / 2)
    keep = np.concatenate([np.full(50, c != "2") for c in CHROMS])
    assert got["cn_n_bins"].iloc[0] == 21 * 50
    assert got["cn_r2"].iloc[0] == pytest.approx(np.corrcoef(x[keep], y[keep])[0, 1] ** 2)


def test_r2_on_given_bins_and_undefined_cases():
    a, flat = _profile(A_EVENTS), _profile([])
    segs = pd.concat([_segments("A", a), _segments("F", flat)], ignore_index=True)
    bins = pd.DataFrame({"chrom": ["1"] * 50 + ["X"] * 5, "start": list(np.arange(50) * MB + 1) + [1] * 5,
                         "end": list((np.arange(50) + 1) * MB) + [MB] * 5})
    got = cc.pair_cn_r2(pd.DataFrame({"sample_a": ["A", "A"], "sample_b": ["F", "missing"]}), segs, grid=bins)
    assert np.isnan(got["cn_r2"]).all()  # a flat profile has no correlation; a sample without segments none
    assert list(got["cn_n_bins"]) == [50, 0]  # autosomal bins only


def test_cna_count_and_fraction_of_genome_altered():
    a = _profile([("1", 25, 49, 3), ("1", 10, 14, 3), ("2", 0, 9, 1), ("2", 10, 19, 0), ("3", 0, 4, 4)])
    segs = _segments("A", a)
    samples = pd.DataFrame({"patient": ["P"], "sample": ["A"], "sample_type": ["primary"]})
    burden = cc.cna_burden(segs, samples, lst={"A": 7})
    row = burden.iloc[0]
    # runs of equal non-neutral status: 1:10-14 gain, 1:25-49 gain, 2:0-9 loss, 2:10-19 deletion, 3:0-4 gain
    assert row["n_cna"] == 5 and row["lst"] == 7
    assert row["fga"] == pytest.approx((5 + 25 + 10 + 10 + 5) / (22 * 50))
    assert row["n_segments"] == len(segs)


def _cohort(n_patients):
    """Patient i: primary with i % 3 arm events, metastasis with 2 more."""
    segs, samples = [], []
    for i in range(n_patients):
        base = [(CHROMS[k], 0, 24, 3) for k in range(i % 3)]
        extra = [(CHROMS[10 + k], 25, 49, 1) for k in range(2)]
        for kind, events in (("primary", base), ("metastasis", base + extra)):
            name = f"P{i}-{kind[0]}"
            segs.append(_segments(name, _profile(events)))
            samples.append({"patient": f"P{i}", "sample": name, "sample_type": kind})
    return pd.concat(segs, ignore_index=True), pd.DataFrame(samples)


def test_paired_burden_and_one_sided_signed_rank_tests():
    segs, samples = _cohort(8)
    burden = cc.cna_burden(segs, samples)
    paired = cc.paired_cn_burden(burden)
    assert list(paired["patient"]) == [f"P{i}" for i in range(8)]
    assert (paired["metastasis_n_cna"] - paired["primary_n_cna"] == 2).all()
    tests = cc.cn_burden_tests(paired)
    assert list(tests.columns) == list(TEST_COLUMNS)
    cna = tests.iloc[0]
    # every difference is +2 (all tied): V = 1 + ... + 8 = 36; ties -> normal approximation
    # with continuity correction: z = (36 - 18 - 0.5) / sqrt(8 * 9 * 17 / 24 - 8 * (64 - 1) / 48)
    sigma = np.sqrt(8 * 9 * 17 / 24 - (8**3 - 8) / 48)
    from scipy.stats import norm
    assert cna["statistic"] == 36 and cna["p_value"] == pytest.approx(norm.sf((36 - 18 - 0.5) / sigma))
    assert cna["alternative"] == "greater" and "metastasis > primary" in cna["comparison"]
    lst = tests.iloc[2]
    assert np.isnan(lst["p_value"]) and "lst" in lst["note"]


def test_lst_per_sample_counts_a_planted_scar():
    pytest.importorskip("metevo.cn.hrd")
    # chromosome 2 q arm of hg38 (centromere 91.8-96.0 Mb): 4 pieces of >= 12 Mb with
    # alternating allelic states give 3 large-scale transitions
    rows = [("2", 1, 91_800_000, 1, 1), ("2", 96_000_001, 130_000_000, 2, 0), ("2", 130_000_001, 160_000_000, 1, 1),
            ("2", 160_000_001, 200_000_000, 2, 1), ("2", 200_000_001, 242_193_529, 1, 0)]
    segs = pd.DataFrame([{"sample": "S", "chrom": c, "start": s, "end": e, "n_bins": pd.NA, "log2": np.nan,
                          "total_cn": a + b, "major_cn": a, "minor_cn": b, "ploidy": 2.0, "call": ""}
                         for c, s, e, a, b in rows])
    for column in ("total_cn", "major_cn", "minor_cn", "n_bins"):
        segs[column] = segs[column].astype("Int64")
    assert cc.lst_per_sample(segs, "hg38") == {"S": 3.0}
