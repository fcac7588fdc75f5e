"""Shallow-WGS copy number the QDNAseq way (Scheinin et al. 2014, Genome Research 24:2022).

Each function is one step of QDNAseq's pipeline (ccagc/QDNAseq, R/*.R), ported from its code
for one sample; :func:`qdnaseq` runs them in order:

=========================  ===========================================================
QDNAseq                    here
=========================  ===========================================================
applyFilters               :func:`apply_filters`
estimateCorrection         :func:`estimate_correction` (2-D LOESS, :mod:`metevo.cn.loess`)
correctBins                :func:`correct_bins`
normalizeBins              :func:`normalize_bins`
smoothOutlierBins          :func:`smooth_outlier_bins` (DNAcopy smooth.CNA, metevo.cn.cbs)
segmentBins                :func:`segment_bins` (DNAcopy CBS, metevo.cn.cbs)
normalizeSegmentedBins     :func:`postseg_normalize` (CGHcall::postsegnormalize)
callBins(method="cutoff")  :func:`call_cutoffs`, :func:`call_values`
=========================  ===========================================================

Deviations from QDNAseq, all documented in docs/copy-number.md:

* the LOESS surface is evaluated directly instead of R's k-d tree interpolation (about 0.25%
  median difference per bin; see :mod:`metevo.cn.loess`); points outside the range of the
  fitted medians get no fit, as with R's default surface;
* calls use cutoffs (QDNAseq's ``method="cutoff"``), made purity- and ploidy-aware when a
  purity is known; QDNAseq's default CGHcall mixture model is not ported;
* segmentation uses metevo's DNAcopy port, whose permutation stream is numpy's, not R's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from metevo.cn.loess import loess

XMIN = np.finfo(np.float64).tiny  # R's .Machine$double.xmin: QDNAseq's log2 offset
DEFAULT_EXCLUDED = ("X", "Y", "MT")
CALL_LEVELS = ("deletion", "loss", "neutral", "gain", "amplification")
CALL_CODES = {"deletion": -2, "loss": -1, "neutral": 0, "gain": 1, "amplification": 2}
# QDNAseq callBins(method="cutoff") defaults: log2(c(0.5, 1.5, 2.5, 10) / 2)
QDNASEQ_CUTOFFS = {
    "deletion": math.log2(0.5 / 2),
    "loss": math.log2(1.5 / 2),
    "gain": math.log2(2.5 / 2),
    "amplification": math.log2(10 / 2),
}


# --------------------------------------------------------------------------------------
# transforms and robust spreads
# --------------------------------------------------------------------------------------

def log2adhoc(x: np.ndarray, *, inv: bool = False) -> np.ndarray:
    """QDNAseq's log2 with offset: ``log2(max(x, 0) + xmin)``; ``inv``: ``2^x - xmin``."""
    x = np.asarray(x, dtype=np.float64)
    if inv:
        return np.power(2.0, x) - XMIN
    return np.log2(np.where(x < 0, 0.0, x) + XMIN)


def sqrtadhoc(x: np.ndarray, *, inv: bool = False) -> np.ndarray:
    """QDNAseq's ``sqrt(x * 3/8)`` (the code's Anscombe-like transform); ``inv`` undoes it."""
    x = np.asarray(x, dtype=np.float64)
    if inv:
        return x ** 2 / (3 / 8)
    return np.sqrt(x * (3 / 8))


def mad_diff(x: np.ndarray) -> float:
    """matrixStats::madDiff(x, na.rm=TRUE): ``mad(diff(x), constant=1.4826) / sqrt(2)``."""
    x = np.asarray(x, dtype=np.float64)
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return float("nan")
    d = np.diff(x)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / math.sqrt(2))


# --------------------------------------------------------------------------------------
# applyFilters
# --------------------------------------------------------------------------------------

@dataclass
class FilterReport:
    """Counts of bins after each filter (QDNAseq's messages), and notes for the user."""

    total: int
    in_chromosomes: int
    with_sequence: int
    final: int
    notes: list[str] = field(default_factory=list)


def apply_filters(
    bins: pd.DataFrame,
    *,
    residual: bool | float = True,
    blacklist: bool | float = True,
    mappability: float | None = None,
    bases: float | None = None,
    chromosomes: tuple[str, ...] = DEFAULT_EXCLUDED,
) -> tuple[np.ndarray, FilterReport]:
    """Bins to use (QDNAseq applyFilters; replaces any ``use`` column of the table).

    use = chromosome not in ``chromosomes`` and gc known, and (defaults):
    ``residual=True``: residual not NA, except that chromosomes whose residuals are all NA
    (an annotation built without a panel of normals) are kept; a number r keeps
    ``|residual| <= r * madDiff(residual)``; ``blacklist=True``: no overlap with the
    blacklist (a number b: overlap <= b%); ``mappability``/``bases``: minimum values.
    A filter whose column is missing is skipped with a note, as QDNAseq warns.
    """
    n = len(bins)
    chrom = bins["chromosome"].to_numpy(dtype=object)
    keep = ~np.isin(chrom, list(chromosomes))
    report = FilterReport(total=n, in_chromosomes=int(keep.sum()), with_sequence=0, final=0)
    if "gc" not in bins.columns:
        raise ValueError("bins have no gc column")
    keep &= ~np.isnan(bins["gc"].to_numpy(np.float64))
    report.with_sequence = int(keep.sum())
    if residual is not False and residual is not None:
        if "residual" not in bins.columns:
            report.notes.append("residual filter not used: the bins have no residual column")
        else:
            res = bins["residual"].to_numpy(np.float64).copy()
            cutoff = float(residual) * mad_diff(res) if not isinstance(residual, bool) else None
            frame = pd.DataFrame({"c": chrom, "na": np.isnan(res)})
            all_na = frame.groupby("c", sort=False)["na"].all()
            rescued = [c for c, v in all_na.items() if v and c not in chromosomes]
            if rescued:
                report.notes.append("residual filter missing for chromosomes " + ", ".join(rescued) + " (kept)")
                res[np.isin(chrom, rescued)] = 0.0
            keep &= ~np.isnan(res)
            if cutoff is not None:
                keep &= np.abs(np.nan_to_num(res, nan=np.inf)) <= cutoff
    if blacklist is not False and blacklist is not None:
        if "blacklist" not in bins.columns:
            report.notes.append("blacklist filter not used: the bins have no blacklist column")
        else:
            bl = bins["blacklist"].to_numpy(np.float64)
            keep &= (bl <= float(blacklist)) if not isinstance(blacklist, bool) else (bl == 0)
    if mappability is not None:
        if "mappability" not in bins.columns:
            report.notes.append("mappability filter not used: the bins have no mappability column")
        else:
            keep &= bins["mappability"].to_numpy(np.float64) >= mappability
    if bases is not None:
        if "bases" not in bins.columns:
            report.notes.append("bases filter not used: the bins have no bases column")
        else:
            keep &= bins["bases"].to_numpy(np.float64) >= bases
    report.final = int(keep.sum())
    return keep, report


# --------------------------------------------------------------------------------------
# estimateCorrection / correctBins
# --------------------------------------------------------------------------------------

def adjust_incompletes(counts: np.ndarray, bases: np.ndarray | None) -> np.ndarray:
    """counts / bases * 100; bins without any characterised base get 0 (QDNAseq)."""
    counts = np.asarray(counts, dtype=np.float64)
    if bases is None:
        return counts.copy()
    bases = np.asarray(bases, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = counts / bases * 100.0
    out[bases == 0] = 0.0
    return out


@dataclass
class Correction:
    """estimateCorrection's result for one sample."""

    fit: np.ndarray  # per bin; NaN where the surface has no value
    medians: pd.DataFrame  # gc, mappability (rounded), median count, fitted: the LOESS data
    variables: tuple[str, ...]
    span: float | None  # None when the fit failed and 1 was used (QDNAseq's fallback)
    family: str | None
    message: str = ""


def estimate_correction(
    counts: np.ndarray,
    bins: pd.DataFrame,
    use: np.ndarray,
    *,
    span: float = 0.65,
    family: str = "symmetric",
    adjust: bool = True,
) -> Correction:
    """QDNAseq estimateCorrection (maxIter=1): LOESS of median counts on GC and mappability.

    Counts adjusted for incomplete bins are aggregated to their median per (round(gc),
    round(mappability)) over used bins; ``median ~ gc * mappability`` is fitted with R's
    loess (span 0.65, family "symmetric") and predicted at every bin's rounded (gc,
    mappability). Without a mappability column the fit is on GC alone (QDNAseq's
    ``variables="gc"``). If the fit fails the fit is 1 everywhere, as QDNAseq's ``try``.
    """
    counts_adj = adjust_incompletes(counts, bins["bases"].to_numpy(np.float64) if adjust and "bases" in bins.columns else None)
    gc = np.round(bins["gc"].to_numpy(np.float64))  # numpy and R both round half to even
    variables: tuple[str, ...] = ("gc", "mappability") if "mappability" in bins.columns else ("gc",)
    if "mappability" in bins.columns:
        mp = np.round(bins["mappability"].to_numpy(np.float64))
    else:
        mp = np.zeros(len(bins))
    condition = np.asarray(use, dtype=bool) & ~np.isnan(gc) & ~np.isnan(mp)
    frame = pd.DataFrame({"gc": gc[condition], "mappability": mp[condition], "count": counts_adj[condition]})
    medians = frame.groupby(["gc", "mappability"], as_index=False, sort=True)["count"].median()
    medians = medians.rename(columns={"count": "median"})
    predictors = medians[list(variables)].to_numpy(np.float64)
    try:
        if len(medians) == 0:
            raise ValueError("no used bins with GC and mappability")
        model = loess(predictors, medians["median"].to_numpy(np.float64), span=span, family=family)
    except (ValueError, np.linalg.LinAlgError) as err:
        medians["fitted"] = np.nan
        return Correction(fit=np.ones(len(bins)), medians=medians, variables=variables, span=None, family=None,
                          message=f"LOESS fit failed ({err}); no GC/mappability correction")
    medians["fitted"] = model.fitted
    # Predict once per distinct combination (QDNAseq predicts on expand.grid of them).
    known = ~np.isnan(gc) & ~np.isnan(mp)
    keys = np.stack([gc[known], mp[known]], axis=1)
    combos, inverse = np.unique(keys, axis=0, return_inverse=True)
    surface = model.predict(combos[:, : len(variables)] if variables == ("gc",) else combos)
    fit = np.full(len(bins), np.nan)
    fit[known] = surface[inverse.ravel()]
    return Correction(fit=fit, medians=medians, variables=variables, span=span, family=family)


def correct_bins(counts: np.ndarray, fit: np.ndarray, bases: np.ndarray | None, use: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """QDNAseq correctBins(method="ratio"): adjusted counts / fit, 0 where fit <= 0.

    Returns (copynumber, use): used bins left without a value (no fit) leave ``use``, as in
    QDNAseq ("Filtering out additional bins due to missing values").
    """
    counts_adj = adjust_incompletes(counts, bases)
    with np.errstate(divide="ignore", invalid="ignore"):
        corrected = counts_adj / fit
    corrected[fit <= 0] = 0.0
    use = np.asarray(use, dtype=bool) & ~np.isnan(corrected)
    return corrected, use


def normalize_bins(copynumber: np.ndarray, use: np.ndarray) -> np.ndarray:
    """QDNAseq normalizeBins(method="median"): divide by the median of used bins (1 if 0)."""
    values = copynumber[np.asarray(use, dtype=bool)]
    values = values[~np.isnan(values)]
    median = float(np.median(values)) if len(values) else float("nan")
    if median == 0 or math.isnan(median):
        median = 1.0
    return copynumber / median


# --------------------------------------------------------------------------------------
# smoothing, segmentation (DNAcopy via metevo.cn.cbs)
# --------------------------------------------------------------------------------------

def smooth_outlier_bins(copynumber: np.ndarray, chromosome: np.ndarray, use: np.ndarray, *, smoother: Callable | None = None) -> np.ndarray:
    """QDNAseq smoothOutlierBins: DNAcopy smooth.CNA on log2adhoc of the used bins.

    Returns the ratio-scale copynumber with outliers smoothed, NaN for bins not used.
    ``smoother(values, chrom) -> values`` defaults to :func:`metevo.cn.cbs.smooth_cna`.
    """
    if smoother is None:
        from metevo.cn.cbs import smooth_cna as smoother
    use = np.asarray(use, dtype=bool)
    out = np.full(len(copynumber), np.nan)
    if use.any():
        logged = log2adhoc(copynumber[use])
        smoothed = np.asarray(smoother(logged, np.asarray(chromosome, dtype=object)[use]), dtype=np.float64)
        out[use] = log2adhoc(smoothed, inv=True)
    return out


@dataclass
class Segmentation:
    """segmentBins' result: segments over the used bins and the per-bin segmented values."""

    segments: pd.DataFrame  # chrom, first_bin, last_bin (row indices into the bin table), n, mean (transformed)
    segmented: np.ndarray  # ratio scale per bin, NaN where not used


def segment_bins(
    copynumber: np.ndarray,
    chromosome: np.ndarray,
    use: np.ndarray,
    *,
    alpha: float = 1e-10,
    undo_sd: float = 1.0,
    transform: str = "log2",
    seed: int = 0,
    segmenter: Callable | None = None,
    **options,
) -> Segmentation:
    """QDNAseq segmentBins: DNAcopy CBS (alpha 1e-10, undo.splits "sdundo", undo.SD 1).

    Used bins are transformed (``log2``: log2adhoc, QDNAseq's default; ``sqrt``: sqrtadhoc)
    and segmented; each bin gets its segment's ``seg.mean``, rounded to 4 decimals as DNAcopy
    reports it, back-transformed. ``segmenter(values, chrom, *, alpha, undo_splits, undo_sd,
    seed, **options) -> DataFrame[chrom, start_index, end_index, n, mean]`` defaults to
    :func:`metevo.cn.cbs.segment`.
    """
    if segmenter is None:
        from metevo.cn.cbs import segment as segmenter
    if transform not in ("log2", "sqrt"):
        raise ValueError("transform must be 'log2' or 'sqrt'")
    fwd = log2adhoc if transform == "log2" else sqrtadhoc
    use = np.asarray(use, dtype=bool) & ~np.isnan(copynumber)
    rows = np.flatnonzero(use)
    values = fwd(copynumber[rows])
    chrom_used = np.asarray(chromosome, dtype=object)[rows]
    segmented = np.full(len(copynumber), np.nan)
    if len(rows) == 0:
        empty = pd.DataFrame({"chrom": pd.Series(dtype=object), "first_bin": pd.Series(dtype=np.int64),
                              "last_bin": pd.Series(dtype=np.int64), "n": pd.Series(dtype=np.int64),
                              "mean": pd.Series(dtype=np.float64)})
        return Segmentation(segments=empty, segmented=segmented)
    raw = segmenter(values, chrom_used, alpha=alpha, undo_splits="sdundo", undo_sd=undo_sd, seed=seed, **options)
    start_idx = raw["start_index"].to_numpy(np.int64)
    end_idx = raw["end_index"].to_numpy(np.int64)
    means = np.round(raw["mean"].to_numpy(np.float64), 4)
    for s, e, m in zip(start_idx, end_idx, means):
        segmented[rows[s:e + 1]] = m
    segmented[rows] = fwd(segmented[rows], inv=True)
    segments = pd.DataFrame({
        "chrom": chrom_used[start_idx],
        "first_bin": rows[start_idx],
        "last_bin": rows[end_idx],
        "n": raw["n"].to_numpy(np.int64),
        "mean": means,
    })
    return Segmentation(segments=segments, segmented=segmented)


# --------------------------------------------------------------------------------------
# normalizeSegmentedBins = CGHcall::postsegnormalize
# --------------------------------------------------------------------------------------

def _r_level(value: float) -> float:
    """A number as R's ``table()`` keeps it: its 15-significant-digit text read back."""
    return float(f"{value:.15g}")


def postseg_normalize(segmented_log2: np.ndarray, inter: tuple[float, float] = (-0.1, 0.1)) -> tuple[float, float]:
    """CGHcall postsegnormalize for one sample: (median, shift) to subtract from the log2 data.

    The segmented values of the used bins are median-centred; then, starting from ``inter``,
    five times: of the four windows of half the interval's length starting at
    ``lo + k * length/6`` (k = 0..3), keep the first holding the most bins (inclusive ends).
    The shift is the centre of the last window. Values are compared as R's ``table()``
    levels, i.e. rounded to 15 significant digits.
    """
    seg = np.asarray(segmented_log2, dtype=np.float64)
    seg = seg[~np.isnan(seg)]
    if len(seg) == 0:
        return 0.0, 0.0
    median = float(np.median(seg))
    centred = seg - median
    levels, counts = np.unique([_r_level(v) for v in centred], return_counts=True)

    def window(interval: tuple[float, float]) -> tuple[float, float]:
        length = (interval[1] - interval[0]) / 2
        step = length / 3
        best, best_count = None, -1
        for k in range(4):
            lo = interval[0] + k * step
            hi = lo + length
            count = int(counts[(levels <= hi) & (levels >= lo)].sum())
            if count > best_count:  # which.max: the first maximum
                best, best_count = (lo, hi), count
        return best

    interval = (float(inter[0]), float(inter[1]))
    for _ in range(5):
        interval = window(interval)
    shift = interval[0] + (interval[1] - interval[0]) / 2
    return median, shift


# --------------------------------------------------------------------------------------
# calls
# --------------------------------------------------------------------------------------

def expected_log2(copies: float, purity: float, ploidy: float) -> float:
    """log2((p c + 2 (1 - p)) / (p phi + 2 (1 - p))): a clonal copy number c in a tumour of
    purity p and ploidy phi mixed with diploid normal cells (docs/copynumber-contracts.md)."""
    num = purity * copies + 2 * (1 - purity)
    den = purity * ploidy + 2 * (1 - purity)
    return math.log2(num / den) if num > 0 else -math.inf


def call_cutoffs(purity: float | None = None, ploidy: float | None = None, *, amplification_copies: float = 5) -> dict[str, float]:
    """log2 cutoffs of the five calls.

    Without a purity: QDNAseq's callBins defaults ``log2(c(0.5, 1.5, 2.5, 10)/2)``. With
    purity p (and ploidy phi, default 2): the expected ratio halfway between neighbouring
    integer levels, i.e. at c = 0.5, 1.5, 2.5 copies, and at ``amplification_copies - 0.5``
    for amplification (from 5 copies by default). At p = 1, phi = 2 this reproduces QDNAseq's
    deletion, loss and gain cutoffs exactly.
    """
    if purity is None:
        return dict(QDNASEQ_CUTOFFS)
    if not 0 < purity <= 1:
        raise ValueError("purity must be in (0, 1]")
    ploidy = 2.0 if ploidy is None else float(ploidy)
    if ploidy <= 0:
        raise ValueError("ploidy must be positive")
    if amplification_copies < 3.5:
        raise ValueError("amplification must start above 3 copies")
    return {
        "deletion": expected_log2(0.5, purity, ploidy),
        "loss": expected_log2(1.5, purity, ploidy),
        "gain": expected_log2(2.5, purity, ploidy),
        "amplification": expected_log2(amplification_copies - 0.5, purity, ploidy),
    }


def call_values(log2_values: np.ndarray, cutoffs: dict[str, float]) -> np.ndarray:
    """QDNAseq callBins(method="cutoff") on log2 values: strict inequalities, so a value on a
    cutoff keeps the milder call. Returns strings of :data:`CALL_LEVELS`, '' for NaN."""
    x = np.asarray(log2_values, dtype=np.float64)
    calls = np.full(len(x), "neutral", dtype=object)
    calls[x > cutoffs["gain"]] = "gain"
    calls[x < cutoffs["loss"]] = "loss"
    calls[x < cutoffs["deletion"]] = "deletion"
    calls[x > cutoffs["amplification"]] = "amplification"
    calls[np.isnan(x)] = ""
    return calls


def integer_copies(log2_values: np.ndarray, purity: float, ploidy: float) -> np.ndarray:
    """Nearest integer copy number c >= 0 whose expected log2 ratio is ``log2_values``
    (inverting :func:`expected_log2`); NA (as -1) for NaN input."""
    x = np.asarray(log2_values, dtype=np.float64)
    den = purity * ploidy + 2 * (1 - purity)
    with np.errstate(invalid="ignore"):
        copies = (np.power(2.0, x) * den - 2 * (1 - purity)) / purity
    out = np.where(np.isnan(copies), -1, np.maximum(0, np.round(copies))).astype(np.int64)
    return out


# --------------------------------------------------------------------------------------
# the whole pipeline for one sample
# --------------------------------------------------------------------------------------

@dataclass
class QdnaseqResult:
    """Per-bin values (log2, NaN where not used), segments and the parameters used."""

    bins: pd.DataFrame  # chromosome start end use copynumber segmented call
    segments: pd.DataFrame  # sample chrom start end n_bins log2 total_cn major_cn minor_cn ploidy call
    params: dict
    correction: Correction
    filters: FilterReport


def qdnaseq(
    bins: pd.DataFrame,
    counts: np.ndarray,
    *,
    sample: str,
    purity: float | None = None,
    ploidy: float | None = None,
    estimate_purity: Callable[[pd.DataFrame, pd.DataFrame], tuple[float, float]] | None = None,
    seed: int = 0,
    span: float = 0.65,
    family: str = "symmetric",
    residual: bool | float = True,
    blacklist: bool | float = True,
    mappability: float | None = None,
    bases: float | None = None,
    exclude_chromosomes: tuple[str, ...] = DEFAULT_EXCLUDED,
    alpha: float = 1e-10,
    undo_sd: float = 1.0,
    transform: str = "log2",
    inter: tuple[float, float] = (-0.1, 0.1),
    amplification_copies: float = 5,
    smoother: Callable | None = None,
    segmenter: Callable | None = None,
) -> QdnaseqResult:
    """QDNAseq's default pipeline on one sample's bin counts.

    applyFilters -> estimateCorrection -> correctBins -> normalizeBins -> smoothOutlierBins
    -> segmentBins -> normalizeSegmentedBins -> calls. Calls use purity/ploidy-aware cutoffs
    when ``purity`` is given; otherwise, if ``estimate_purity(bins, segments) -> (purity,
    ploidy)`` is given (e.g. the cfDNA model) its estimate is used; otherwise QDNAseq's
    default cutoffs. ``params['purity_source']`` says which ('given', 'estimated', 'none').
    """
    counts = np.asarray(counts, dtype=np.float64)
    chrom = bins["chromosome"].to_numpy(dtype=object)
    use, report = apply_filters(bins, residual=residual, blacklist=blacklist, mappability=mappability,
                                bases=bases, chromosomes=exclude_chromosomes)
    total_reads = int(counts.sum())
    correction = estimate_correction(counts, bins, use, span=span, family=family)
    bases_col = bins["bases"].to_numpy(np.float64) if "bases" in bins.columns else None
    copynumber, use = correct_bins(counts, correction.fit, bases_col, use)
    copynumber = normalize_bins(copynumber, use)
    copynumber = smooth_outlier_bins(copynumber, chrom, use, smoother=smoother)
    seg = segment_bins(copynumber, chrom, use, alpha=alpha, undo_sd=undo_sd, transform=transform, seed=seed,
                       segmenter=segmenter)
    use = use & ~np.isnan(seg.segmented)
    cn_log2 = np.where(use, log2adhoc(copynumber), np.nan)
    seg_log2 = np.where(use, log2adhoc(seg.segmented), np.nan)
    median, shift = postseg_normalize(seg_log2[use], inter)
    cn_log2 = cn_log2 - median - shift
    seg_log2 = seg_log2 - median - shift

    segments = _segments_table(bins, seg.segments, seg_log2, sample)
    source = "none"
    if purity is not None:
        source = "given"
    elif estimate_purity is not None:
        bin_view = pd.DataFrame({"chromosome": chrom, "start": bins["start"].to_numpy(), "end": bins["end"].to_numpy(),
                                 "use": use, "copynumber": cn_log2, "segmented": seg_log2})
        purity, ploidy = estimate_purity(bin_view, segments)
        if purity is None or not np.isfinite(purity):
            purity, ploidy = None, None  # no tumor signal: QDNAseq's purity-free cutoffs
        else:
            source = "estimated"
    cutoffs = call_cutoffs(purity, ploidy, amplification_copies=amplification_copies)
    bin_calls = call_values(seg_log2, cutoffs)
    segments["call"] = call_values(segments["log2"].to_numpy(np.float64), cutoffs)
    if purity is not None:
        used_ploidy = 2.0 if ploidy is None else float(ploidy)
        cn = integer_copies(segments["log2"].to_numpy(np.float64), purity, used_ploidy)
        segments["total_cn"] = pd.array(np.where(cn < 0, None, cn), dtype="Int64")
        segments["ploidy"] = used_ploidy
    out_bins = pd.DataFrame({
        "chromosome": chrom,
        "start": bins["start"].to_numpy(np.int64),
        "end": bins["end"].to_numpy(np.int64),
        "use": use,
        "copynumber": cn_log2,
        "segmented": seg_log2,
        "call": bin_calls,
    })
    used_reads = int(counts[use].sum())
    params = {
        "sample": sample,
        "purity": purity,
        "ploidy": (2.0 if ploidy is None else float(ploidy)) if purity is not None else None,
        "purity_source": source,
        "cutoff_deletion": cutoffs["deletion"],
        "cutoff_loss": cutoffs["loss"],
        "cutoff_gain": cutoffs["gain"],
        "cutoff_amplification": cutoffs["amplification"],
        "bins": report.total,
        "bins_filtered_in": report.final,
        "bins_used": int(use.sum()),
        "total_reads": total_reads,
        "used_reads": used_reads,
        "expected_variance": (int(use.sum()) / used_reads) if used_reads else None,
        "loess_span": correction.span,
        "loess_family": correction.family,
        "loess_variables": ",".join(correction.variables),
        "loess_points": len(correction.medians),
        "segment_alpha": alpha,
        "segment_undo_sd": undo_sd,
        "segment_transform": transform,
        "postseg_median": median,
        "postseg_shift": shift,
        "segments": len(segments),
        "seed": seed,
    }
    return QdnaseqResult(bins=out_bins, segments=segments, params=params, correction=correction, filters=report)


SEGMENT_COLUMNS = ("sample", "chrom", "start", "end", "n_bins", "log2", "total_cn", "major_cn", "minor_cn", "ploidy", "call")


def _segments_table(bins: pd.DataFrame, raw: pd.DataFrame, seg_log2: np.ndarray, sample: str) -> pd.DataFrame:
    """The segments table (docs/copynumber-contracts.md) of one sample's CBS segments."""
    first = raw["first_bin"].to_numpy(np.int64)
    last = raw["last_bin"].to_numpy(np.int64)
    n = len(raw)
    return pd.DataFrame({
        "sample": [sample] * n,
        "chrom": raw["chrom"].to_numpy(dtype=object),
        "start": bins["start"].to_numpy(np.int64)[first],
        "end": bins["end"].to_numpy(np.int64)[last],
        "n_bins": pd.array(raw["n"].to_numpy(np.int64), dtype="Int64"),
        "log2": seg_log2[first] if n else np.array([], dtype=np.float64),
        "total_cn": pd.array([None] * n, dtype="Int64"),
        "major_cn": pd.array([None] * n, dtype="Int64"),
        "minor_cn": pd.array([None] * n, dtype="Int64"),
        "ploidy": np.full(n, np.nan),
        "call": [""] * n,
    })


GENE_COLUMNS = ("gene", "chrom", "start", "end", "log2", "call")


def gene_values(segments: pd.DataFrame, genes: pd.DataFrame) -> pd.DataFrame:
    """Each gene's log2 and call: those of the segment covering the gene's midpoint.

    ``genes``: gene, chrom, start, end (1-based, harmonised chrom). A gene whose midpoint
    ``(start + end) / 2`` lies in no segment (filtered bins, excluded chromosomes) gets NA
    and ''. Rows keep the order of ``genes``.
    """
    n = len(genes)
    log2 = np.full(n, np.nan)
    calls = np.full(n, "", dtype=object)
    mid = (genes["start"].to_numpy(np.float64) + genes["end"].to_numpy(np.float64)) / 2
    gchrom = genes["chrom"].to_numpy(dtype=object)
    for c, seg in segments.groupby("chrom", sort=False):
        order = np.argsort(seg["start"].to_numpy(np.int64), kind="stable")
        s = seg["start"].to_numpy(np.int64)[order]
        e = seg["end"].to_numpy(np.int64)[order]
        v = seg["log2"].to_numpy(np.float64)[order]
        k = seg["call"].to_numpy(dtype=object)[order]
        rows = np.flatnonzero(gchrom == c)
        if len(rows) == 0:
            continue
        pos = np.searchsorted(s, mid[rows], side="right") - 1
        ok = (pos >= 0) & (mid[rows] <= e[np.clip(pos, 0, None)])
        log2[rows[ok]] = v[pos[ok]]
        calls[rows[ok]] = k[pos[ok]]
    return pd.DataFrame({
        "gene": genes["gene"].to_numpy(dtype=object),
        "chrom": gchrom,
        "start": genes["start"].to_numpy(np.int64),
        "end": genes["end"].to_numpy(np.int64),
        "log2": log2,
        "call": calls,
    })
