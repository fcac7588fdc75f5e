"""GC and mappability correction of binned read counts (HMMcopy ``correctReadcount``, as
ichorCNA's ``correctReadCounts`` in R/utils.R runs it).

1. ``valid`` bins have reads > 0 and a known GC (HMMcopy writes -1 for all-N bins).
   ``ideal`` bins are valid, have mappability >= 0.9, reads in (min, 99th percentile] and GC
   within the 0.1-99.9th percentiles; percentiles are taken over valid bins of the chromosomes
   used for normalisation (1..22).
2. GC: a rough loess of reads on GC (span 0.03, degree 2) over up to 50,000 ideal bins is
   evaluated on the grid 0, 0.001, ..., 1; a second loess (span 0.3) smooths that curve, and
   ``cor_gc = reads / smooth(gc)``.
3. Mappability: ``cor_map = cor_gc / f(map)``, ``f`` the linear interpolation of R's
   ``lowess(map, cor_gc)`` (f = 2/3, 3 robustness iterations; :func:`lowess` follows R's C
   code) over up to 50,000 bins with ``cor_gc`` below its 99th percentile.
4. ``log2 = log2(cor_map)``; non-positive values are missing.

Deviations from R: loess is computed exactly at each point (R interpolates a kd-tree
"surface"; differences are in the 3rd-4th digit), and the random subsample of 50,000 bins,
which R draws with ``sample()`` and no seed, is drawn with ``numpy.random.default_rng(seed)``
(at 1 Mb and 500 kb there are fewer ideal bins than that, so no sampling happens at all).
Like R, predictions outside the range of the fitted GC values are missing, so such bins drop
out instead of being extrapolated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SAMPLE_SIZE = 50_000
IDEAL_MAP = 0.9  # hard-coded in HMMcopy/ichorCNA, independent of the map filter


def loess(x: np.ndarray, y: np.ndarray, at: np.ndarray, *, span: float, degree: int = 2, chunk: int = 256) -> np.ndarray:
    """Local polynomial regression (R ``loess``, family gaussian) of ``y`` on ``x`` at ``at``.

    Each prediction is a weighted least-squares fit of degree ``degree`` to the
    ``floor(n * span)`` nearest points with tricube weights (Cleveland, Grosse & Shyu 1992).
    Points outside ``[min(x), max(x)]`` give NaN, as R's interpolated surface does.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    at = np.asarray(at, dtype=float)
    n = len(x)
    out = np.full(len(at), np.nan)
    if n == 0:
        return out
    q = int(np.floor(n * span))
    q = min(max(q, degree + 1), n)
    inside = (at >= x.min()) & (at <= x.max())
    where = np.flatnonzero(inside)
    for lo in range(0, len(where), chunk):
        idx = where[lo:lo + chunk]
        d = x[None, :] - at[idx, None]
        dist = np.abs(d)
        h = np.partition(dist, q - 1, axis=1)[:, q - 1]
        if span > 1:  # R widens the neighbourhood beyond all points
            h = h * span
        h = np.where(h > 0, h, 1.0)
        u = dist / h[:, None]
        w = np.where(u < 1.0, (1.0 - u**3) ** 3, 0.0)
        z = d / h[:, None]  # scaled offsets keep the normal equations well conditioned
        powers = [np.ones_like(z)]
        for _ in range(2 * degree):
            powers.append(powers[-1] * z)
        moments = np.stack([(w * p).sum(axis=1) for p in powers], axis=1)  # (m, 2*degree+1)
        rhs = np.stack([(w * y[None, :] * powers[k]).sum(axis=1) for k in range(degree + 1)], axis=1)
        gram = np.empty((len(idx), degree + 1, degree + 1))
        for r in range(degree + 1):
            for c in range(degree + 1):
                gram[:, r, c] = moments[:, r + c]
        # a tiny ridge keeps degenerate neighbourhoods (all x equal) solvable: intercept = weighted mean
        gram += np.eye(degree + 1)[None] * 1e-12 * np.maximum(moments[:, :1, None], 1e-300)
        coef = np.linalg.solve(gram, rhs[:, :, None])[:, :, 0]
        out[idx] = coef[:, 0]
    return out


def _lowest(x, y, xs, nleft, nright, rw):
    """One local fit of R's clowess (``lowest``): tricube weights on the window, ties on the
    right included, weighted linear fit unless the x values are too close together."""
    n = len(x)
    h = max(xs - x[nleft], x[nright] - xs)
    # every point up to the last one within 0.999 h to the right (picks up ties)
    hi = int(np.searchsorted(x, xs + 0.999 * h, side="right"))
    hi = max(hi, nleft + 1)
    idx = slice(nleft, min(hi, n))
    r = np.abs(x[idx] - xs)
    w = np.where(r <= 0.001 * h, 1.0, (1.0 - (r / h) ** 3) ** 3) if h > 0 else np.ones(len(r))
    w = np.where(r <= 0.999 * h, w, 0.0)
    if rw is not None:
        w = w * rw[idx]
    a = w.sum()
    if a <= 0:
        return None
    w = w / a
    if h > 0:
        centre = float(np.sum(w * x[idx]))
        c = float(np.sum(w * (x[idx] - centre) ** 2))
        if math.sqrt(c) > 0.001 * (x[-1] - x[0]):
            w = w * ((xs - centre) / c * (x[idx] - centre) + 1.0)
    return float(np.sum(w * y[idx]))


def lowess(x: np.ndarray, y: np.ndarray, *, f: float = 2.0 / 3.0, iterations: int = 3, delta: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """R's ``lowess`` (Cleveland 1979; R's C ``clowess``): returns x sorted and the smooth.

    Written out rather than taken from statsmodels, whose lowess goes wrong where many x values
    are tied (all-equal neighbourhoods), which happens with mappability scores of exactly 1.
    """
    order = np.argsort(x, kind="stable")
    x = np.asarray(x, dtype=float)[order]
    y = np.asarray(y, dtype=float)[order]
    n = len(x)
    if n < 2:
        return x, y.copy()
    if delta is None:
        delta = 0.01 * (x[-1] - x[0])
    ns = max(2, min(n, int(f * n + 1e-7)))
    ys = np.empty(n)
    rw = None
    for iteration in range(iterations + 1):
        nleft, nright, last, i = 0, ns - 1, -1, 0
        while True:
            if nright < n - 1:
                if x[i] - x[nleft] > x[nright + 1] - x[i]:
                    nleft += 1
                    nright += 1
                    continue
            fit = _lowest(x, y, x[i], nleft, nright, rw)
            ys[i] = y[i] if fit is None else fit
            if last < i - 1:
                denom = x[i] - x[last]
                j = np.arange(last + 1, i)
                alpha = (x[j] - x[last]) / denom
                ys[j] = alpha * ys[i] + (1.0 - alpha) * ys[last]
            last = i
            cut = x[last] + delta
            i = last + 1
            while i < n:
                if x[i] > cut:
                    break
                if x[i] == x[last]:
                    ys[i] = ys[last]
                    last = i
                i += 1
            i = max(last + 1, i - 1)
            if last >= n - 1:
                break
        res = y - ys
        if iteration == iterations:
            break
        sc = np.mean(np.abs(res))
        cmad = 6.0 * np.median(np.abs(res))
        if cmad < 1e-7 * sc:
            break
        r = np.abs(res)
        rw = np.where(r <= 0.001 * cmad, 1.0, np.where(r <= 0.999 * cmad, (1.0 - (r / cmad) ** 2) ** 2, 0.0))
    return x, ys


def lowess_function(x: np.ndarray, y: np.ndarray):
    """R ``approxfun(lowess(x, y))``: linear interpolation of the lowess curve, NaN outside
    its range, tied x values averaged (approxfun's ``ties = mean``)."""
    xs, ys = lowess(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    ux, inverse = np.unique(xs, return_inverse=True)
    uy = np.bincount(inverse, weights=ys) / np.bincount(inverse)

    def f(v: np.ndarray) -> np.ndarray:
        v = np.asarray(v, dtype=float)
        res = np.interp(v, ux, uy)
        res[(v < ux[0]) | (v > ux[-1]) | ~np.isfinite(v)] = np.nan
        return res

    return f


@dataclass
class Correction:
    """Per-bin outcome of :func:`correct_read_counts` (arrays aligned with the input bins)."""

    valid: np.ndarray
    ideal: np.ndarray
    cor_gc: np.ndarray
    cor_map: np.ndarray
    log2: np.ndarray


def _subsample(rng: np.random.Generator, index: np.ndarray, size: int) -> np.ndarray:
    if len(index) <= size:
        return index
    return np.sort(rng.choice(index, size=size, replace=False))


def correct_read_counts(
    reads: np.ndarray,
    gc: np.ndarray,
    mappability: np.ndarray | None,
    normalise: np.ndarray,
    *,
    rng: np.random.Generator,
    sample_size: int = SAMPLE_SIZE,
) -> Correction:
    """GC- and mappability-corrected log2 ratios (module docstring).

    ``normalise`` marks the bins whose distribution defines the correction (chromosomes 1..22).
    """
    reads = np.asarray(reads, dtype=float)
    gc = np.asarray(gc, dtype=float)
    normalise = np.asarray(normalise, dtype=bool)
    with np.errstate(invalid="ignore"):
        valid = (reads > 0) & (gc >= 0) & np.isfinite(reads) & np.isfinite(gc)
        base = valid & normalise
        if not base.any():
            nan = np.full(len(reads), np.nan)
            return Correction(valid, np.zeros(len(reads), bool), nan, nan.copy(), nan.copy())
        r_lo, r_hi = np.quantile(reads[base], [0.0, 0.99])
        g_lo, g_hi = np.quantile(gc[base], [0.001, 0.999])
        ideal = valid & (reads > r_lo) & (reads <= r_hi) & (gc >= g_lo) & (gc <= g_hi)
        if mappability is not None:
            mappability = np.asarray(mappability, dtype=float)
            ideal &= mappability >= IDEAL_MAP
    chosen = _subsample(rng, np.flatnonzero(ideal & normalise), sample_size)
    grid = np.round(np.arange(1001) * 0.001, 3)
    rough = loess(gc[chosen], reads[chosen], grid, span=0.03)
    ok = np.isfinite(rough)
    smooth = loess(grid[ok], rough[ok], gc, span=0.3)
    with np.errstate(divide="ignore", invalid="ignore"):
        cor_gc = reads / smooth
    if mappability is not None:
        hi = np.nanquantile(cor_gc[valid & normalise], 0.99)
        with np.errstate(invalid="ignore"):
            candidates = np.flatnonzero((cor_gc < hi) & normalise & np.isfinite(mappability))
        chosen = _subsample(rng, candidates, sample_size)
        f = lowess_function(mappability[chosen], cor_gc[chosen])
        with np.errstate(divide="ignore", invalid="ignore"):
            cor_map = cor_gc / f(mappability)
    else:
        cor_map = cor_gc.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        log2 = np.where(cor_map > 0, np.log2(np.where(cor_map > 0, cor_map, 1.0)), np.nan)
    log2[~np.isfinite(cor_map)] = np.nan
    return Correction(valid, ideal, cor_gc, cor_map, log2)
