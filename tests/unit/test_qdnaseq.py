"""metevo.cn.qdnaseq: QDNAseq's steps on hand-made cases whose results are worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metevo.cn import qdnaseq as q


def _bins(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"chromosome": ["1"] * n, "start": np.arange(n) * 100 + 1, "end": np.arange(n) * 100 + 100}
    base.update(columns)
    return pd.DataFrame(base)


# ---------------------------------------------------------------------------------------
# applyFilters


def test_filters_exclude_sex_chromosomes_missing_gc_blacklist_and_na_residuals():
    bins = pd.DataFrame({
        "chromosome": ["1", "1", "1", "1", "2", "2", "X", "MT"],
        "gc": [40, np.nan, 41, 42, 40, 40, 40, 40],
        "blacklist": [0, 0, 0.5, 0, 0, 0, 0, 0],
        "residual": [0.1, 0.0, 0.0, np.nan, np.nan, np.nan, 0.0, 0.0],
    })
    use, report = q.apply_filters(bins)
    # chromosome 2 has no residuals at all: kept (QDNAseq "residual filter missing")
    assert use.tolist() == [True, False, False, False, True, True, False, False]
    assert (report.total, report.in_chromosomes, report.with_sequence, report.final) == (8, 6, 5, 3)
    assert any("chromosomes 2" in note for note in report.notes)
    use, _ = q.apply_filters(bins, blacklist=1.0)  # numeric: overlap <= 1%
    assert use[2]
    use, _ = q.apply_filters(bins, chromosomes=("MT",), residual=False, blacklist=False)
    assert use.tolist() == [True, False, True, True, True, True, True, False]


def test_numeric_residual_filter_uses_mad_diff():
    residual = np.array([0.0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.5])
    bins = pd.DataFrame({"chromosome": ["1"] * 8, "gc": [40.0] * 8, "residual": residual})
    # diffs: 0.1 -0.1 0.1 -0.1 0.1 -0.1 0.5; median 0.1, |d - 0.1| = 0 .2 0 .2 0 .2 .4 -> median 0.2
    expected_mad = 1.4826 * 0.2 / math.sqrt(2)
    assert q.mad_diff(residual) == pytest.approx(expected_mad, rel=1e-12)
    use, _ = q.apply_filters(bins, residual=2.0, blacklist=False)  # |r| <= 2 * 0.2097 = 0.419
    assert use.tolist() == [True] * 7 + [False]


def test_missing_filter_columns_are_skipped_with_a_note():
    bins = pd.DataFrame({"chromosome": ["1", "1"], "gc": [40.0, 50.0]})
    use, report = q.apply_filters(bins, mappability=50)
    assert use.tolist() == [True, True] and len(report.notes) == 3


# ---------------------------------------------------------------------------------------
# correctBins, normalizeBins


def test_correct_bins_ratio_and_missing_fits():
    counts = np.array([10.0, 30.0, 5.0, 8.0, 0.0])
    bases = np.array([100.0, 50.0, 100.0, 0.0, 100.0])
    fit = np.array([20.0, 30.0, np.nan, 4.0, -1.0])
    use = np.array([True, True, True, True, False])
    corrected, used = q.correct_bins(counts, fit, bases, use)
    # 10/20; 30/50*100=60 over 30; no fit -> NaN and dropped; bases 0 -> count 0 -> 0/4; fit <= 0 -> 0
    assert corrected[[0, 1, 3, 4]].tolist() == [0.5, 2.0, 0.0, 0.0]
    assert np.isnan(corrected[2])
    assert used.tolist() == [True, True, False, True, False]


def test_normalize_by_the_median_of_used_bins():
    cn = np.array([1.0, 2.0, 4.0, 100.0, np.nan])
    use = np.array([True, True, True, False, True])
    assert q.normalize_bins(cn, use)[:4].tolist() == [0.5, 1.0, 2.0, 50.0]
    zero = np.array([0.0, 0.0, 3.0])
    assert q.normalize_bins(zero, np.ones(3, bool)).tolist() == [0.0, 0.0, 3.0]  # median 0 -> divisor 1


def test_log2adhoc_round_trip():
    x = np.array([0.0, 0.5, 2.0, -1.0])
    y = q.log2adhoc(x)
    assert y[1] == -1.0 and y[2] == 1.0 and y[0] == y[3] == math.log2(np.finfo(float).tiny)
    assert np.allclose(q.log2adhoc(y, inv=True)[1:3], [0.5, 2.0])


# ---------------------------------------------------------------------------------------
# normalizeSegmentedBins (CGHcall::postsegnormalize)


def test_postseg_normalize_worked_example():
    # levels 0 (5 bins), 0.13 (9 bins), -0.8 (5 bins), 1.0 (1 bin): median of the 20 = 0.065;
    # centred, the 9 bins sit at +0.065 and the 5 at -0.065. Window search from [-0.1, 0.1]:
    # round 1 windows [-0.1,0], [-1/15,1/30], [-1/30,1/15], [0,0.1] hold 5, 5, 9, 9 bins: the
    # first maximum is [-1/30, 1/15]; every later round keeps the right-most quarter-shifted
    # window (the only one holding 0.065), so the final window is [1/15 - 0.00625, 1/15].
    seg = np.array([0.0] * 5 + [0.13] * 9 + [-0.8] * 5 + [1.0])
    median, shift = q.postseg_normalize(seg)
    assert median == pytest.approx(0.065, abs=1e-15)
    assert shift == pytest.approx(1 / 15 - 0.003125, abs=1e-12)


def test_postseg_normalize_ignores_nan():
    seg = np.array([0.2, 0.2, 0.2, np.nan, -1.0])
    median, shift = q.postseg_normalize(seg)
    assert median == 0.2 and abs(shift) < 0.01


# ---------------------------------------------------------------------------------------
# calls


def test_default_cutoffs_are_qdnaseqs():
    cut = q.call_cutoffs()
    assert cut == pytest.approx({"deletion": -2.0, "loss": math.log2(0.75), "gain": math.log2(1.25), "amplification": math.log2(5.0)})
    # purity 1 and ploidy 2 give the same deletion/loss/gain cutoffs (halfway copy numbers)
    full = q.call_cutoffs(1.0, 2.0)
    assert full["deletion"] == pytest.approx(-2.0) and full["loss"] == pytest.approx(cut["loss"]) and full["gain"] == pytest.approx(cut["gain"])


def test_purity_aware_cutoffs_by_hand():
    # purity 0.5, ploidy 2: ratio at c copies = (0.5 c + 1) / 2
    cut = q.call_cutoffs(0.5, 2.0)
    assert cut["deletion"] == pytest.approx(math.log2(1.25 / 2))
    assert cut["loss"] == pytest.approx(math.log2(1.75 / 2))
    assert cut["gain"] == pytest.approx(math.log2(2.25 / 2))
    assert cut["amplification"] == pytest.approx(math.log2(3.25 / 2))  # 4.5 copies
    # ploidy 3, purity 0.6: denominator 0.6*3 + 0.8 = 2.6
    cut = q.call_cutoffs(0.6, 3.0, amplification_copies=8)
    assert cut["gain"] == pytest.approx(math.log2((0.6 * 2.5 + 0.8) / 2.6))
    assert cut["amplification"] == pytest.approx(math.log2((0.6 * 7.5 + 0.8) / 2.6))


def test_calls_at_the_cutoffs():
    cut = q.call_cutoffs()
    up, down = np.nextafter, lambda x: np.nextafter(x, -np.inf)
    values = [
        cut["gain"], up(cut["gain"], np.inf),
        cut["loss"], down(cut["loss"]),
        cut["deletion"], down(cut["deletion"]),
        cut["amplification"], up(cut["amplification"], np.inf),
        0.0, np.nan,
    ]
    got = q.call_values(np.array(values), cut).tolist()
    assert got == ["neutral", "gain", "neutral", "loss", "loss", "deletion", "gain", "amplification", "neutral", ""]


def test_integer_copies():
    logs = np.array([q.expected_log2(c, 0.5, 2.0) for c in (1, 2, 3, 6)] + [np.nan, -5.0])
    assert q.integer_copies(logs, 0.5, 2.0).tolist() == [1, 2, 3, 6, -1, 0]


# ---------------------------------------------------------------------------------------
# genes


def test_gene_values_take_the_segment_at_the_midpoint():
    segments = pd.DataFrame({
        "chrom": ["1", "1", "2"], "start": [1, 5001, 1], "end": [5000, 9000, 4000],
        "log2": [0.5, -0.7, 0.0], "call": ["gain", "loss", "neutral"],
    })
    genes = pd.DataFrame({
        "gene": ["A", "B", "C", "D", "E"],
        "chrom": ["1", "1", "1", "2", "X"],
        "start": [100, 4000, 9500, 100, 1],
        "end": [200, 6400, 9800, 300, 50],
    })
    out = q.gene_values(segments, genes)
    # B spans both segments; its midpoint 5200 lies in the second. C is past the last segment.
    assert out["gene"].tolist() == ["A", "B", "C", "D", "E"]
    assert out["log2"].tolist()[:2] == [0.5, -0.7] and np.isnan(out["log2"].iloc[2]) and out["log2"].iloc[3] == 0.0
    assert out["call"].tolist() == ["gain", "loss", "", "neutral", ""]


# ---------------------------------------------------------------------------------------
# smoothing and segmentation wiring (stand-ins for metevo.cn.cbs)


def test_smooth_and_segment_wiring():
    chrom = np.array(["1"] * 6 + ["2"] * 4, dtype=object)
    cn = np.array([1, 1, 1, 2, 2, 2, 0.5, 0.5, 0.5, 0.5], dtype=float)
    use = np.array([True] * 9 + [False])
    seen = {}

    def smoother(values, c):
        seen["smooth"] = (values.copy(), c.copy())
        return values

    def segmenter(values, c, **kw):
        seen["segment"] = kw
        return pd.DataFrame({"chrom": ["1", "1", "2"], "start_index": [0, 3, 6], "end_index": [2, 5, 8],
                             "n": [3, 3, 3], "mean": [0.000004, 1.00003, -1.0]})

    smoothed = q.smooth_outlier_bins(cn, chrom, use, smoother=smoother)
    assert np.allclose(seen["smooth"][0], np.log2(cn[:9]))  # log2adhoc of the used bins only
    assert np.isnan(smoothed[9]) and np.allclose(smoothed[:9], cn[:9])
    seg = q.segment_bins(smoothed, chrom, use, segmenter=segmenter, seed=7)
    assert seg.segmented[[0, 3, 6]].tolist() == pytest.approx([1.0, 2 ** 1.0, 0.5])  # seg.mean rounded to 4 decimals
    assert np.isnan(seg.segmented[9])
    assert seg.segments["first_bin"].tolist() == [0, 3, 6] and seg.segments["last_bin"].tolist() == [2, 5, 8]
    assert seen["segment"]["alpha"] == 1e-10 and seen["segment"]["undo_splits"] == "sdundo" and seen["segment"]["undo_sd"] == 1.0
    assert seen["segment"]["seed"] == 7
