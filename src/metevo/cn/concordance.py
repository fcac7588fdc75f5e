"""Copy-number concordance of sample pairs, and copy-number burden of metastases vs primaries.

Pure functions over the segments table (``metevo.io.segments.read_segments``; columns in
docs/copynumber-contracts.md) and the tables of :mod:`metevo.concordance`, whose shapes they
follow so the pair-concordance step can merge them:

* :func:`pair_cn_r2`: R^2 of genome-wide copy number of every sample pair (algorithms.md
  10.2). Each sample's segments are expanded onto a common grid (1 Mb bins over the autosomes
  by default, or given bins such as QDNAseq's), a bin taking the value of the segment covering
  its midpoint; r is Pearson's correlation over the bins with a value in both samples, R^2 =
  r^2. The value is the segment's log2 ratio when it has one (as given: not purity-corrected,
  so low-purity samples have attenuated ratios and a lower R^2), else log2(c / phi) of its
  integer total copy number c (floored at 0.5 copies) over the sample's ploidy phi (the
  segments' or samplesheet's ploidy, else its modal copy number): integer copy numbers of
  allele-specific callers are purity-corrected by construction.
* :func:`cna_burden`: per sample, the number of copy-number alterations (runs of adjacent
  autosomal segments with the same non-neutral status; status as in
  :func:`metevo.cn.regions.segment_status`), the fraction of the autosomal genome altered
  (bases in non-neutral segments over bases with a status), and optionally LSTs (large-scale
  transitions, scarHRD's count; ``metevo.cn.hrd``).
* :func:`paired_cn_burden` and :func:`cn_burden_tests`: per patient the mean over its primary
  samples and over its metastasis and recurrence samples, and one-sided Wilcoxon signed-rank
  tests (metastasis > primary; R ``wilcox.test`` semantics, ``metevo.stats.wilcoxon``) of
  each, as rows of :data:`metevo.concordance.TEST_COLUMNS` with BH q-values over these rows.
"""

from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from metevo.concordance import LATER_TYPES, TEST_COLUMNS
from metevo.stats.multitest import bh_adjust
from metevo.stats.results import TestResult
from metevo.stats.wilcoxon import SIGNED_RANK, signed_rank_test

AUTOSOMES = tuple(str(i) for i in range(1, 23))
GRID_BIN = 1_000_000
MIN_BINS = 3
CN_FLOOR = 0.5  # copies: log2(0.5 / phi) stands for a homozygous deletion

CN_PAIR_COLUMNS = ("sample_a", "sample_b", "cn_r2", "cn_n_bins")
CN_BURDEN_COLUMNS = ("patient", "sample", "sample_type", "n_segments", "n_cna", "fga", "lst")
PAIRED_CN_BURDEN_COLUMNS = (
    "patient", "n_primary_samples", "n_metastasis_samples", "primary_n_cna", "metastasis_n_cna",
    "primary_fga", "metastasis_fga", "primary_lst", "metastasis_lst",
)
CN_BURDEN_COMPARISONS = {
    "n_cna": "copy-number alterations: metastasis > primary (paired by patient)",
    "fga": "fraction of genome altered: metastasis > primary (paired by patient)",
    "lst": "large-scale transitions (LST): metastasis > primary (paired by patient)",
}


# ------------------------------------------------------------------ values on a grid


def genome_grid(segments: pd.DataFrame, bin_size: int = GRID_BIN) -> pd.DataFrame:
    """Fixed bins (chrom, start, end; 1-based closed) over the autosomes the segments cover,
    from base 1 to the largest segment end of each chromosome."""
    if bin_size < 1:
        raise ValueError("bin_size must be a positive number of bases")
    autosomal = segments[segments["chrom"].isin(AUTOSOMES)]
    ends = autosomal.groupby("chrom")["end"].max()
    frames = []
    for chrom in AUTOSOMES:
        if chrom not in ends.index:
            continue
        start = np.arange(1, int(ends[chrom]) + 1, bin_size, dtype=np.int64)
        frames.append(pd.DataFrame({"chrom": chrom, "start": start,
                                    "end": np.minimum(start + bin_size - 1, int(ends[chrom]))}))
    if not frames:
        return pd.DataFrame({"chrom": pd.Series(dtype=object), "start": pd.Series(dtype="int64"),
                             "end": pd.Series(dtype="int64")})
    return pd.concat(frames, ignore_index=True)


def copy_number_values(segments: pd.DataFrame, ploidy: Mapping[str, float] | None = None) -> np.ndarray:
    """Per segment: log2 when present, else log2(max(total_cn, 0.5) / phi) (module docstring)."""
    from metevo.cn.regions import modal_copy_number

    ploidy = dict(ploidy or {})
    log2 = pd.to_numeric(segments["log2"], errors="coerce").to_numpy(dtype=float)
    total = pd.array(segments["total_cn"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    seg_ploidy = pd.to_numeric(segments["ploidy"], errors="coerce").to_numpy(dtype=float) \
        if "ploidy" in segments.columns else np.full(len(segments), np.nan)
    modal = modal_copy_number(segments)
    samples = segments["sample"].to_numpy()
    phi = np.array([ploidy.get(s, np.nan) for s in samples], dtype=float)
    phi = np.where(np.isfinite(phi), phi, seg_ploidy)
    phi = np.where(np.isfinite(phi) & (phi > 0), phi, modal.reindex(samples).to_numpy(dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        from_cn = np.log2(np.maximum(total, CN_FLOOR) / phi)
    return np.where(np.isfinite(log2), log2, from_cn)


def binned(segments: pd.DataFrame, values: np.ndarray, grid: pd.DataFrame, samples: list[str]) -> np.ndarray:
    """samples x bins matrix: the value of the segment covering each bin's midpoint (NaN where none)."""
    out = np.full((len(samples), len(grid)), np.nan)
    row = {s: i for i, s in enumerate(samples)}
    grid_mid = ((grid["start"].to_numpy() + grid["end"].to_numpy()) // 2).astype(np.int64)
    grid_chrom = grid["chrom"].to_numpy()
    seg = segments.assign(_value=values)
    for (sample, chrom), g in seg.groupby(["sample", "chrom"], sort=False):
        if sample not in row:
            continue
        cols = np.flatnonzero(grid_chrom == chrom)
        if cols.size == 0:
            continue
        g = g.sort_values("start", kind="stable")
        starts, ends = g["start"].to_numpy(), g["end"].to_numpy()
        idx = np.searchsorted(starts, grid_mid[cols], side="right") - 1
        ok = idx >= 0
        ok[ok] = grid_mid[cols][ok] <= ends[idx[ok]]
        out[row[sample], cols[ok]] = g["_value"].to_numpy(dtype=float)[idx[ok]]
    return out


def pair_cn_r2(pairs: pd.DataFrame, segments: pd.DataFrame, *, grid: int | pd.DataFrame = GRID_BIN,
               ploidy: Mapping[str, float] | None = None, chunk: int = 512) -> pd.DataFrame:
    """``cn_r2`` and ``cn_n_bins`` of every pair (CN_PAIR_COLUMNS), rows in the order of ``pairs``.

    ``pairs``: any table with ``sample_a`` and ``sample_b`` (the pair-concordance pair table).
    ``grid``: a bin size (bases; 1 Mb bins over the autosomes) or a bin table with columns
    chrom, start, end (autosomal bins are used). A pair with fewer than 3 bins valued in both
    samples, or without variation in either, has NA R^2 (``cn_n_bins`` still counts its bins).
    """
    grid_table = genome_grid(segments, grid) if isinstance(grid, (int, np.integer)) else \
        grid.loc[grid["chrom"].astype(str).isin(AUTOSOMES), ["chrom", "start", "end"]].reset_index(drop=True)
    a_names = pairs["sample_a"].astype(str).to_numpy()
    b_names = pairs["sample_b"].astype(str).to_numpy()
    names = list(dict.fromkeys(list(a_names) + list(b_names)))
    matrix = binned(segments, copy_number_values(segments, ploidy), grid_table, names)
    index = {s: i for i, s in enumerate(names)}
    ia = np.array([index[s] for s in a_names], dtype=np.int64)
    ib = np.array([index[s] for s in b_names], dtype=np.int64)
    r2 = np.full(ia.size, np.nan)
    n_bins = np.zeros(ia.size, dtype=np.int64)
    for lo in range(0, ia.size, chunk):
        x, y = matrix[ia[lo:lo + chunk]], matrix[ib[lo:lo + chunk]]
        both = np.isfinite(x) & np.isfinite(y)
        n = both.sum(axis=1)
        x, y = np.where(both, x, 0.0), np.where(both, y, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mx = x.sum(axis=1) / n
            my = y.sum(axis=1) / n
            dx = np.where(both, x - mx[:, None], 0.0)
            dy = np.where(both, y - my[:, None], 0.0)
            sxy, sxx, syy = (dx * dy).sum(axis=1), (dx * dx).sum(axis=1), (dy * dy).sum(axis=1)
            r = sxy / np.sqrt(sxx * syy)
        # a constant profile has no correlation (R's cor() gives NA with a warning)
        flat = (sxx <= 1e-12 * np.maximum(1.0, (x * x).sum(axis=1))) | (syy <= 1e-12 * np.maximum(1.0, (y * y).sum(axis=1)))
        r = np.where((n >= MIN_BINS) & ~flat, np.clip(r, -1.0, 1.0), np.nan)
        r2[lo:lo + chunk] = r * r
        n_bins[lo:lo + chunk] = n
    return pd.DataFrame({"sample_a": a_names, "sample_b": b_names, "cn_r2": r2, "cn_n_bins": n_bins},
                        columns=list(CN_PAIR_COLUMNS))


# ------------------------------------------------------------------ burden


def cna_burden(segments: pd.DataFrame, samples: pd.DataFrame, *, lst: Mapping[str, float] | None = None,
               purity: Mapping[str, float] | None = None, ploidy: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Per sample with segments, in samplesheet order (CN_BURDEN_COLUMNS): autosomal segments,
    CNAs (runs of equal non-neutral status), fraction of genome altered, LSTs (from ``lst``,
    NA when not given)."""
    from metevo.cn.regions import segment_status

    status = segment_status(segments, dict(purity or {}), dict(ploidy or {}))
    seg = segments.assign(_status=status["status"].to_numpy())
    seg = seg[seg["chrom"].isin(AUTOSOMES)]
    rows = []
    by_sample = {s: g for s, g in seg.groupby("sample", sort=False)}
    for r in samples.itertuples(index=False):
        g = by_sample.get(r.sample)
        if g is None:
            continue
        order = g["chrom"].map({c: i for i, c in enumerate(AUTOSOMES)})
        g = g.assign(_order=order.to_numpy()).sort_values(["_order", "start"], kind="stable")
        st = g["_status"].to_numpy()
        chrom = g["chrom"].to_numpy()
        new_run = np.ones(len(g), dtype=bool)
        new_run[1:] = (st[1:] != st[:-1]) | (chrom[1:] != chrom[:-1])
        altered = (st != "neutral") & (st != "")
        length = (g["end"] - g["start"] + 1).to_numpy(dtype=float)
        known = length[st != ""].sum()
        rows.append({
            "patient": r.patient, "sample": r.sample, "sample_type": r.sample_type, "n_segments": len(g),
            "n_cna": int((new_run & altered).sum()),
            "fga": float(length[altered].sum() / known) if known > 0 else np.nan,
            "lst": float(lst[r.sample]) if lst is not None and r.sample in lst else np.nan,
        })
    out = pd.DataFrame(rows, columns=list(CN_BURDEN_COLUMNS))
    out["n_segments"] = out["n_segments"].astype("int64")
    out["n_cna"] = out["n_cna"].astype("int64")
    return out


def paired_cn_burden(burden: pd.DataFrame) -> pd.DataFrame:
    """Per patient with a primary and a metastasis or recurrence: the mean of each burden over
    its primary samples and over its later samples (PAIRED_CN_BURDEN_COLUMNS); cfDNA is not used."""
    primary = burden[burden["sample_type"] == "primary"]
    later = burden[burden["sample_type"].isin(LATER_TYPES)]
    patients = [p for p in pd.unique(burden["patient"]) if p in set(primary["patient"]) and p in set(later["patient"])]
    rows = []
    for p in patients:
        a, b = primary[primary["patient"] == p], later[later["patient"] == p]
        rows.append({
            "patient": p, "n_primary_samples": len(a), "n_metastasis_samples": len(b),
            **{f"primary_{m}": float(a[m].astype(float).mean()) if a[m].notna().any() else np.nan
               for m in ("n_cna", "fga", "lst")},
            **{f"metastasis_{m}": float(b[m].astype(float).mean()) if b[m].notna().any() else np.nan
               for m in ("n_cna", "fga", "lst")},
        })
    return pd.DataFrame(rows, columns=list(PAIRED_CN_BURDEN_COLUMNS))


def cn_burden_tests(paired: pd.DataFrame) -> pd.DataFrame:
    """One-sided signed-rank tests (metastasis > primary) of CNAs, FGA and LSTs over patients
    (TEST_COLUMNS; q = BH over these rows). A burden no patient has (LST without
    ``metevo.cn.hrd``) gives a row with NA p and the reason in ``note``."""
    rows = []
    for metric, comparison in CN_BURDEN_COMPARISONS.items():
        x = paired[f"metastasis_{metric}"].to_numpy(dtype=float) if len(paired) else np.zeros(0)
        y = paired[f"primary_{metric}"].to_numpy(dtype=float) if len(paired) else np.zeros(0)
        complete = np.isfinite(x) & np.isfinite(y)
        if not complete.any():
            reason = ("no patient has both a primary and a metastasis or recurrence sample with segments"
                      if len(paired) == 0 else f"no patient has {metric} in both a primary and a later sample")
            result = TestResult(SIGNED_RANK, "greater", "V", math.nan, math.nan, 0, 0, "", False, note=reason)
            row = result.as_row()
            row["ties"] = None
        else:
            row = signed_rank_test(x, y, alternative="greater").as_row()
        row.update(comparison=comparison, n_x_excluded=int((~complete).sum()), n_y_excluded=int((~complete).sum()))
        rows.append(row)
    table = pd.DataFrame(rows)
    table["q_value"] = bh_adjust(table["p_value"].to_numpy(dtype=float))
    table["ties"] = table["ties"].astype(object)
    return table.loc[:, list(TEST_COLUMNS)]


def lst_per_sample(segments: pd.DataFrame, genome: str) -> dict[str, float] | None:
    """LST per sample from ``metevo.cn.hrd`` (scarHRD; algorithms.md 4.3), or None while that
    module is unavailable. Segments without allele-specific copy number have no LST here."""
    try:
        from metevo.cn import hrd
    except ImportError:
        return None
    scores = hrd.hrd_scores(segments, genome=genome)
    return {str(s): float(v) for s, v in zip(scores["sample"], scores["lst"]) if pd.notna(v)}
