"""Circular binary segmentation as DNAcopy does it (Olshen et al. 2004; Venkatraman & Olshen 2007).

A port of DNAcopy 1.72 (``segment``, ``changepoints``, ``trimmed.variance``, ``inflfact``,
``smooth.CNA``, ``getbdry`` and their Fortran; see ``docs/segment.md``):

* per sample, the trimmed SD of the finite values (``trimmed_variance``, used by ``sdundo``);
* per chromosome, segments are split recursively (a LIFO stack, rightmost piece first). A
  segment is tested by the maximal two-sample t statistic over all arcs (circular
  sub-segments) of at least ``min_width`` probes, searched in sqrt(n) blocks as DNAcopy's
  ``tmaxo``; its significance comes from Siegmund's tail approximation for long arcs plus
  sequential permutations of the short-arc statistic (``p_method="hybrid"``, for segments of
  more than ``nmin`` probes) or from permutations of the full statistic (``"perm"``), with the
  early-stopping boundary of ``getbdry``; an arc inside the segment becomes two change points
  only if each edge passes a permutation t test;
* change points may then be undone (``undo_splits``: ``"sdundo"`` or ``"prune"``).

The statistic, its arc, the tail probability, the boundary and every shortcut are DNAcopy's
own arithmetic (R's long-double sums, ``round``, ``qnorm`` and ``phyper`` included), so splits
decided without permutations are R's. Deviation: by default the permutations draw from
numpy's ``Generator`` (seeded per chromosome from ``seed``), not from R's stream, so a split
that the permutations decide can differ from R's where it is borderline (as R's own results
differ between seeds). ``rng_kind="R"`` draws from R's Mersenne-Twister instead and then
reproduces ``set.seed(seed); segment(...)`` exactly. Weights and binary data
(``data.type="binary"``) are not supported.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["trimmed_variance", "inflfact", "smooth_cna", "segment", "segment_samples", "getbdry", "r_round", "SEGMENT_COLUMNS"]

SEGMENT_COLUMNS = ["chrom", "start_index", "end_index", "n", "mean"]

# all.equal(diff(range(x)), 0) in R is TRUE exactly when the range is at most its tolerance
_ALL_EQUAL_TOL = 1.5e-8
_NGRID = 100  # tailp's grid (DNAcopy changepoints() default)
_TAIL_TOL = 1e-6


# ---------------------------------------------------------------------------------------------
# R arithmetic that decides results: long-double sums and means, and R >= 4.0 round().


def _r_sum(x: np.ndarray) -> float:
    """R's ``sum`` of doubles: sequential accumulation in long double, rounded once."""
    if x.size == 0:
        return 0.0
    return float(np.cumsum(x.astype(np.longdouble))[-1])


def _r_mean(x: np.ndarray) -> float:
    """R's ``mean`` of doubles: long-double sum / n, then one refinement pass (summary.c)."""
    n = x.size
    xl = x.astype(np.longdouble)
    s = np.cumsum(xl)[-1] / n
    if np.isfinite(s):
        t = np.cumsum(xl - s)[-1]
        s = s + t / n
    return float(s)


def r_round(x, digits: int = 4):
    """R >= 4.0 ``round(x, digits)`` (nmath fround.c): the closer of the two decimal
    neighbours of the double ``x``, ties to the even last digit. ``numpy.round`` scales first
    and can round the other way (e.g. 0.15 -> 0.2, where R gives 0.1)."""
    arr = np.asarray(x, dtype=float)
    out = arr.copy()
    ok = np.isfinite(arr) & (arr != 0)
    ax = np.abs(arr[ok])
    sgn = np.sign(arr[ok])
    _, e = np.frexp(ax)
    l10x = np.log10(2.0) * (0.5 + (e - 1))
    pow10 = 10.0**digits
    x10 = ax * pow10
    i10 = np.floor(x10)
    xd = i10 / pow10
    xu = np.ceil(x10) / pow10
    du = xu - ax
    dd = ax - xd
    r = np.where((du < dd) | ((np.fmod(i10, 2.0) == 1) & (du == dd)), xu, xd)
    r = np.where(l10x + digits > 15, ax, r)
    out[ok] = sgn * r
    return out if out.ndim else float(out)


# ---------------------------------------------------------------------------------------------
# Scale: trimmed variance of first differences


def _qnorm(p: float) -> float:
    """R's ``qnorm(p)`` for 0 < p < 1: Wichura's AS 241 (PPND16), as nmath/qnorm.c evaluates
    it, so that the trimmed SD is R's to the last bit (scipy's ndtri differs by an ulp or two)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return (
            q
            * (((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)
            / (((((((r * 5226.495278852854561 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1.0)
        )
    r = math.log((0.5 - p + 0.5) if q > 0 else p)
    r = math.sqrt(-r)
    if r <= 5.0:
        r += -1.6
        val = (((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734) / (
            ((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1.0
        )
    else:
        r += -5.0
        val = (((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772) / (
            ((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1.0
        )
    return -val if q < 0.0 else val


@lru_cache(maxsize=None)
def inflfact(trim: float = 0.025) -> float:
    """DNAcopy ``inflfact``: 1 / variance of a standard normal truncated to its central
    1-2*trim, by the midpoint rule on 10,000 intervals as DNAcopy computes it."""
    a = _qnorm(1 - trim)
    x = np.linspace(-a, a, 10001)
    x1 = (x[:-1] + x[1:]) / 2
    # R's dnorm for |x| < 5: M_1_SQRT_2PI * exp(-x^2/2)
    dens = 0.398942280401432677939946059934 * np.exp(-0.5 * x1 * x1)
    return 1 / (_r_sum(x1**2 * dens / (1 - 2 * trim)) * (2 * a / 10000))


def trimmed_variance(x, trim: float = 0.025) -> float:
    """DNAcopy ``trimmed.variance``: variance estimate from first differences of ``x``.

    The smallest round((1-2*trim)*(n-1)) absolute differences are kept (R rounds half to even,
    as numpy does); their mean square / 2 is inflated by :func:`inflfact` so that for Gaussian
    noise it estimates the noise variance, insensitive to the level shifts between segments.
    ``x`` must hold finite values (DNAcopy drops the others first); NaN for fewer than 2.
    """
    x = np.asarray(x, dtype=float)
    n = x.size
    n_keep = int(np.round((1 - 2 * trim) * (n - 1)))
    if n < 2 or n_keep < 1:
        return float("nan")
    d = np.sort(np.abs(np.diff(x)))[:n_keep]
    return inflfact(trim) * _r_sum(d**2 / (2 * n_keep))


# ---------------------------------------------------------------------------------------------
# Helpers on the chromosome vector


def _chrom_runs(chrom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and lengths of the runs of equal chromosome names; ValueError if one
    chromosome appears in two separate runs (DNAcopy assumes the CNA object is sorted)."""
    n = chrom.shape[0]
    if n == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    change = np.flatnonzero(chrom[1:] != chrom[:-1]) + 1
    starts = np.concatenate([[0], change]).astype(np.int64)
    lengths = np.diff(np.concatenate([starts, [n]])).astype(np.int64)
    names = chrom[starts]
    if len(pd.unique(names)) != len(names):
        raise ValueError("each chromosome's values must be contiguous (sort by chromosome, then position)")
    return starts, lengths


def _as_arrays(values, chrom) -> tuple[np.ndarray, np.ndarray]:
    values = np.asarray(values, dtype=float)
    chrom = np.asarray(chrom)
    if values.ndim != 1 or chrom.shape != values.shape:
        raise ValueError(f"values and chrom must be 1-D and of equal length, got {values.shape} and {chrom.shape}")
    return values, chrom


# ---------------------------------------------------------------------------------------------
# smooth.CNA


def smooth_cna(
    values: np.ndarray,
    chrom: np.ndarray,
    *,
    smooth_region: int = 10,
    outlier_sd_scale: float = 4,
    smooth_sd_scale: float = 2,
    trim: float = 0.025,
) -> np.ndarray:
    """DNAcopy ``smooth.CNA`` for one sample: single-probe outliers are pulled in.

    Among the finite values, per chromosome, a value farther than ``outlier_sd_scale`` *
    trimmed SD from every other value within ``smooth_region`` probes on either side, and
    above (below) all of them, becomes the median of that window (itself included) plus
    (minus) ``smooth_sd_scale`` * trimmed SD. The trimmed SD is the sample's (all chromosomes).
    Non-finite values are skipped (neighbours are the nearest finite values, as in DNAcopy)
    and returned unchanged. Chromosomes must be contiguous.
    """
    from metevo.cn import _cbs_kernels as K

    values, chrom = _as_arrays(values, chrom)
    out = values.copy()
    ina = np.flatnonzero(np.isfinite(values))
    if ina.size == 0:
        return out
    _chrom_runs(chrom)  # contiguity check on the whole vector
    gdat = values[ina]
    _, cfrq = _chrom_runs(chrom[ina])
    sd = np.sqrt(trimmed_variance(gdat, trim))
    out[ina] = K.smooth_lr(gdat, cfrq, int(smooth_region), outlier_sd_scale * sd, smooth_sd_scale * sd)
    return out


# ---------------------------------------------------------------------------------------------
# Sequential boundary (getbdry)


@lru_cache(maxsize=8)
def _getbdry_cached(eta: float, nperm: int, max_ones: int, tol: float) -> np.ndarray:
    from metevo.cn import _cbs_kernels as K

    bdry = K.getbdry(eta, nperm, max_ones, tol)
    bdry.setflags(write=False)
    return bdry


@lru_cache(maxsize=1)
def _default_bdry() -> np.ndarray:
    from metevo.cn._cbs_bdry import default_bdry

    table = default_bdry()
    table.setflags(write=False)
    return table


def getbdry(eta: float, nperm: int, max_ones: int, tol: float = 0.01) -> np.ndarray:
    """DNAcopy ``getbdry``: early-stopping boundaries of the sequential permutation test.

    For j = 1..max_ones allowed exceedances, entries j(j-1)/2 .. j(j+1)/2-1 hold the numbers of
    permutations after which the test stops as significant having seen 0..j-1 exceedances;
    each level's eta* is tuned (regula falsi to relative ``tol``) so that a null test stops
    early with probability about ``eta``. Reproduces ``DNAcopy:::default.DNAcopy.bdry`` for
    (0.05, 10000, 101).
    """
    return _getbdry_cached(float(eta), int(nperm), int(max_ones), float(tol)).copy()


# ---------------------------------------------------------------------------------------------
# changepoints / segment


def _undo_sdundo(genomdat: np.ndarray, lseg: list[int], trimmed_sd: float, undo_sd: float) -> list[int]:
    """DNAcopy ``changepoints.sdundo``: repeatedly remove the change point(s) between
    neighbours whose medians differ least, while that difference is < undo_sd * trimmed SD."""
    change_sd = trimmed_sd * undo_sd
    cpt = np.cumsum(lseg)
    while len(cpt) > 1:
        starts = np.concatenate([[0], cpt[:-1]])
        segmed = np.array([np.median(genomdat[s:e]) for s, e in zip(starts, cpt)])
        ad = np.abs(np.diff(segmed))
        m = ad.min()
        if m < change_sd:
            cpt = np.delete(cpt, np.flatnonzero(ad == m))  # every tied minimum at once, as R
        else:
            break
    return np.diff(np.concatenate([[0], cpt])).tolist()


def _undo_prune(genomdat: np.ndarray, lseg: list[int], undo_prune: float) -> list[int]:
    """DNAcopy ``changepoints.prune`` (Fortran ``prune``), including its R wrapper's handling
    of the case where no change point is needed: it keeps the last one tried."""
    from metevo.cn import _cbs_kernels as K

    n = genomdat.size
    x1 = np.concatenate([[0.0], genomdat])
    l1 = np.concatenate([[0], np.asarray(lseg, np.int64)])
    pncpt, loc = K.prune(x1, l1, float(undo_prune))
    cum = np.cumsum(lseg)
    keep = loc[1 : pncpt + 1] if pncpt > 0 else loc[1:2]  # R: loc[1:0] is loc[1]
    cpts = cum[keep - 1]
    return np.diff(np.concatenate([[0], cpts, [n]])).tolist()


def _changepoints(
    genomdat: np.ndarray,
    *,
    alpha: float,
    sbdry: np.ndarray,
    nperm: int,
    p_method: str,
    min_width: int,
    kmax: int,
    nmin: int,
    trimmed_sd: float,
    undo_splits: str,
    undo_prune: float,
    undo_sd: float,
    rng: np.random.Generator,
    mt: np.ndarray,
) -> tuple[list[int], list[float]]:
    """DNAcopy ``changepoints`` for one chromosome: segment lengths and means."""
    from metevo.cn import _cbs_kernels as K

    n = genomdat.size
    seg_end = [0, n]
    change_loc: list[int] = []
    while len(seg_end) > 1:
        lo, hi = seg_end[-2], seg_end[-1]
        current_n = hi - lo
        ncpt = 0
        if current_n >= 2 * min_width:
            cur = genomdat[lo:hi]
            hybrid = p_method == "hybrid" and nmin < current_n
            delta = (kmax + 1) / current_n if hybrid else 0.0
            if not (cur.max() - cur.min() <= _ALL_EQUAL_TOL):
                x = cur - _r_mean(cur)
                tss = _r_sum(x**2)
                x1 = np.empty(current_n + 1)
                x1[0] = 0.0
                x1[1:] = x
                ncpt, c1, c2 = K.fndcpt(
                    x1, tss, nperm, alpha, hybrid, min_width, kmax, delta, _NGRID, sbdry, _TAIL_TOL, rng, mt
                )
        if ncpt == 0:
            change_loc.append(hi)
            seg_end.pop()
        elif ncpt == 1:
            seg_end.insert(len(seg_end) - 1, lo + c1)
        else:
            seg_end[len(seg_end) - 1 : len(seg_end) - 1] = [lo + c1, lo + c2]
    seg_ends = change_loc[::-1]
    lseg = np.diff(np.concatenate([[0], seg_ends])).astype(int).tolist()
    if len(lseg) > 1:
        if undo_splits == "prune":
            lseg = _undo_prune(genomdat, lseg, undo_prune)
        elif undo_splits == "sdundo":
            lseg = _undo_sdundo(genomdat, lseg, trimmed_sd, undo_sd)
    means = []
    ll = 0
    for length in lseg:
        means.append(_r_mean(genomdat[ll : ll + length]))
        ll += length
    return lseg, means


def _check_params(alpha, nperm, p_method, min_width, kmax, nmin, undo_splits) -> None:
    if not 2 <= min_width <= 5:
        raise ValueError("min_width must be between 2 and 5 (DNAcopy's range)")
    if nmin < 4 * kmax:
        raise ValueError("nmin must be >= 4*kmax")
    if p_method not in ("hybrid", "perm"):
        raise ValueError("p_method must be 'hybrid' or 'perm'")
    if undo_splits not in ("none", "prune", "sdundo"):
        raise ValueError("undo_splits must be 'none', 'prune' or 'sdundo'")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if nperm < 1:
        raise ValueError("nperm must be positive")


RNG_KINDS = ("numpy", "R")


def segment(
    values: np.ndarray,
    chrom: np.ndarray,
    *,
    alpha: float = 0.01,
    nperm: int = 10000,
    p_method: str = "hybrid",
    min_width: int = 2,
    kmax: int = 25,
    nmin: int = 200,
    eta: float = 0.05,
    trim: float = 0.025,
    undo_splits: str = "none",
    undo_prune: float = 0.05,
    undo_sd: float = 3.0,
    seed: int | Sequence[int] = 0,
    rng_kind: str = "numpy",
) -> pd.DataFrame:
    """DNAcopy ``segment`` for one sample (defaults are DNAcopy's).

    ``values`` are log ratios in genome order, ``chrom`` their chromosome names (each
    chromosome contiguous; segmented in order of appearance). Non-finite values are dropped
    first, as DNAcopy does; a chromosome without finite values gets no segment.

    Returns one row per segment: ``chrom``, ``start_index`` and ``end_index`` (0-based,
    inclusive indices into ``values`` of the segment's first and last finite value), ``n``
    (finite values in it) and ``mean`` (their mean, rounded to 4 decimals with R's rule, as
    DNAcopy's ``seg.mean``).

    Random stream of the permutation tests (deterministic for a seed either way):

    * ``rng_kind="numpy"`` (default): ``numpy.random.default_rng([*seed, k])`` for the k-th
      chromosome (0-based), so a chromosome's result does not depend on the others. Where the
      permutations decide a borderline split the result can differ from R's, as R's own
      results differ between seeds (see ``docs/segment.md``);
    * ``rng_kind="R"``: R's Mersenne-Twister after ``set.seed(seed)`` (``seed`` an int), one
      stream through the chromosomes as in R: the result is R's
      ``set.seed(seed); segment(CNA(values, chrom, ...), ...)``.

    Weights and binary data are not supported.
    """
    _check_params(alpha, nperm, p_method, min_width, kmax, nmin, undo_splits)
    if rng_kind not in RNG_KINDS:
        raise ValueError(f"rng_kind must be one of {RNG_KINDS}")
    mt = None
    if rng_kind == "R":
        from metevo.cn._cbs_kernels import r_mt_state

        if not np.isscalar(seed):
            raise ValueError("rng_kind='R' takes an integer seed (as R's set.seed)")
        mt = r_mt_state(int(seed))
    return _segment_sample(
        values,
        chrom,
        alpha=alpha,
        nperm=nperm,
        p_method=p_method,
        min_width=min_width,
        kmax=kmax,
        nmin=nmin,
        eta=eta,
        trim=trim,
        undo_splits=undo_splits,
        undo_prune=undo_prune,
        undo_sd=undo_sd,
        seed=seed,
        mt=mt,
    )


class _SamplePlan:
    """One sample's segmentation split into independent per-chromosome tasks.

    ``tasks()`` are callables returning (lengths, means) of one chromosome; ``assemble``
    turns their results (in task order) into :func:`segment`'s frame. With numpy streams the
    tasks share nothing, so they may run in any order or in parallel threads (the kernels
    release the GIL) with identical results; R's stream (``mt``) is one sequence and its
    tasks must run in order.
    """

    def __init__(self, values, chrom, *, alpha, nperm, p_method, min_width, kmax, nmin, eta, trim, undo_splits, undo_prune, undo_sd, seed, mt):
        _check_params(alpha, nperm, p_method, min_width, kmax, nmin, undo_splits)
        values, chrom = _as_arrays(values, chrom)
        if nperm == 10000 and alpha == 0.01 and eta == 0.05:
            sbdry = _default_bdry()  # DNAcopy's default.DNAcopy.bdry, as R uses it
        else:
            sbdry = getbdry(eta, nperm, int(np.floor(nperm * alpha)) + 1)
        self.options = dict(
            alpha=alpha,
            sbdry=np.concatenate([[0], sbdry]).astype(np.int64),
            nperm=nperm,
            p_method=p_method,
            min_width=min_width,
            kmax=kmax,
            nmin=nmin,
            undo_splits=undo_splits,
            undo_prune=undo_prune,
            undo_sd=undo_sd,
        )
        self.mt = mt
        self.seed_list = ([int(seed)] if np.isscalar(seed) else [int(s) for s in seed]) if mt is None else None
        self.ina = np.flatnonzero(np.isfinite(values))
        self.genomdat = values[self.ina]
        self.chromi = chrom[self.ina]
        _chrom_runs(chrom)
        self.trimmed_sd = float(np.sqrt(trimmed_variance(self.genomdat, trim))) if self.genomdat.size >= 2 else float("nan")
        self.starts, self.lengths = _chrom_runs(self.chromi)

    def _task(self, k: int, s0: int, ln: int):
        def run():
            if self.mt is None:
                rng, stream = np.random.default_rng(self.seed_list + [k]), np.empty(0, np.uint32)
            else:
                rng, stream = np.random.default_rng(0), self.mt  # the numpy stream is not drawn from
            return _changepoints(self.genomdat[s0 : s0 + ln], trimmed_sd=self.trimmed_sd, rng=rng, mt=stream, **self.options)

        return run

    def tasks(self) -> list:
        return [self._task(k, s0, ln) for k, (s0, ln) in enumerate(zip(self.starts.tolist(), self.lengths.tolist()))]

    def assemble(self, results) -> pd.DataFrame:
        rows = []
        for s0, (lseg, means) in zip(self.starts.tolist(), results):
            pos = s0
            for length, m in zip(lseg, means):
                rows.append((self.chromi[s0], int(self.ina[pos]), int(self.ina[pos + length - 1]), int(length), m))
                pos += length
        frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS)
        frame["start_index"] = frame["start_index"].astype(np.int64)
        frame["end_index"] = frame["end_index"].astype(np.int64)
        frame["n"] = frame["n"].astype(np.int64)
        # + 0.0 turns R's -0 (a mean that rounds to zero from below) into 0, as R prints it
        frame["mean"] = r_round(frame["mean"].to_numpy(dtype=float), 4) + 0.0 if len(frame) else frame["mean"].astype(float)
        return frame


def segment_samples(samples, chrom, *, seed=0, rng_kind: str = "numpy", jobs: int = 1, **params) -> list[pd.DataFrame]:
    """:func:`segment` of several samples over the same bins (``samples``: 1-D arrays), as
    R's ``segment`` of a multi-sample CNA object. With ``rng_kind="numpy"`` sample k uses
    seeds [seed, k] (chromosome c: [seed, k, c]) and the chromosomes of all samples run in
    ``jobs`` threads (same results for any ``jobs``); with ``"R"`` one stream from
    ``set.seed(seed)`` runs through the samples in order, one task at a time."""
    if rng_kind not in RNG_KINDS:
        raise ValueError(f"rng_kind must be one of {RNG_KINDS}")
    mt = None
    if rng_kind == "R":
        from metevo.cn._cbs_kernels import r_mt_state

        mt = r_mt_state(int(seed))
    plans = [_SamplePlan(v, chrom, seed=[int(seed), k], mt=mt, **params) for k, v in enumerate(samples)]
    tasks = [t for plan in plans for t in plan.tasks()]
    if mt is None and jobs > 1 and len(tasks) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(jobs, len(tasks))) as pool:
            results = [f.result() for f in [pool.submit(t) for t in tasks]]
    else:
        results = [t() for t in tasks]
    frames = []
    pos = 0
    for plan in plans:
        n = len(plan.starts)
        frames.append(plan.assemble(results[pos : pos + n]))
        pos += n
    return frames


def _segment_sample(values, chrom, *, seed, mt, **params) -> pd.DataFrame:
    """``segment`` with the random stream given: ``mt`` (R's Mersenne-Twister state, advanced
    in place) or, if None, numpy streams from ``seed``."""
    plan = _SamplePlan(values, chrom, seed=seed, mt=mt, **params)
    return plan.assemble([t() for t in plan.tasks()])
