"""Local regression as R's ``loess`` computes it (Cleveland, Grosse & Shyu 1992), direct surface.

QDNAseq's GC/mappability correction fits ``loess(median ~ gc * mappability, span = 0.65,
family = "symmetric")`` to the per-(gc, mappability) medians (estimateCorrection.R). This
module reproduces R's ``stats::loess`` (netlib ``dloess`` by Cleveland, Grosse and Shyu, the
Fortran behind R) for that use:

* predictors normalised (``normalize = TRUE``, more than one predictor): each is divided by
  its 10% trimmed standard deviation, ``sd(sort(x)[(t+1):(n-t)])`` with ``t = ceiling(0.1 n)``;
* the ``q = floor(n * span)`` nearest points (Euclidean distance on the normalised
  predictors) get tricube weights ``(1 - (d / d_q)^3)^3`` where ``d_q`` is the distance of the
  q-th nearest (ehg127; for span > 1 the radius grows by span as in ehg127);
* a weighted least-squares polynomial of ``degree`` 1 or 2 with all cross products is fitted
  around each evaluation point; columns are equilibrated and the solution is the SVD
  pseudo-inverse with tolerance ``100 * machine epsilon * largest singular value``, as ehg127;
* ``family = "symmetric"``: 4 iterations (R's ``loess.control(iterations = 4)``); after each
  of the first three fits the robustness weights are Tukey's biweight of the residuals scaled
  by 6 x median |residual| (lowesw: weight 0 above 0.999 of that scale, 1 below 0.001 of it).
  Predictions use the robustness weights of the last iteration, as ``predict.loess``.

Deviation from R's default: R evaluates the local fits only at the vertices of a k-d tree and
interpolates between them by cubic blending (``surface = "interpolate"``); this module
evaluates every point directly, i.e. R's ``surface = "direct"``. Direct results agree with R's
``surface = "direct"`` to about 1e-10 and with R's default to about 1e-3 (relative; the
interpolation error, which also changes the robustness weights slightly). ``predict`` with
``extrapolate=False`` returns NaN outside the range of the fitted points in any predictor,
which is what R's default (interpolating) surface returns there; QDNAseq's correction relies
on that to leave bins with unseen GC/mappability combinations without a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

_BATCH = 48  # evaluation points solved together (memory ~ batch x q x coefficients)


def _trimmed_sd(values: np.ndarray) -> float:
    n = len(values)
    trim = math.ceil(0.1 * n)
    kept = np.sort(values)[trim:n - trim]
    if len(kept) < 2:
        return float("nan")
    return float(np.std(kept, ddof=1))


def _design(delta: np.ndarray, degree: int) -> np.ndarray:
    """Columns of ehg127's design for centred predictors ``delta`` (..., d): 1, linear, then
    for each predictor j its square and its products with later predictors."""
    d = delta.shape[-1]
    cols = [np.ones(delta.shape[:-1])]
    if degree >= 1:
        cols += [delta[..., j] for j in range(d)]
    if degree >= 2:
        for j in range(d):
            cols.append(delta[..., j] ** 2)
            for jj in range(j + 1, d):
                cols.append(delta[..., j] * delta[..., jj])
    return np.stack(cols, axis=-1)


def _local_fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray, points: np.ndarray, *, span: float, degree: int) -> np.ndarray:
    """Value at each row of ``points`` of the locally weighted polynomial (ehg127, direct)."""
    n, d = x.shape
    q = min(n, int(math.floor(n * span)))
    n_coef = _design(np.zeros((1, d)), degree).shape[-1]
    if q < n_coef:
        raise ValueError(f"span too small: {q} neighbours for {n_coef} local coefficients")
    out = np.empty(len(points))
    eps = np.finfo(np.float64).eps
    for lo in range(0, len(points), _BATCH):
        pts = points[lo:lo + _BATCH]
        dist2 = ((x[None, :, :] - pts[:, None, :]) ** 2).sum(axis=2)  # (m, n)
        if q < n:
            idx = np.argpartition(dist2, q - 1, axis=1)[:, :q]
        else:
            idx = np.broadcast_to(np.arange(n), (len(pts), n))
        near = np.take_along_axis(dist2, idx, axis=1)  # (m, q)
        rho = near.max(axis=1) * max(1.0, span)
        if (rho <= 0).any():
            raise ValueError("all neighbours of an evaluation point coincide with it (span too small)")
        u = np.sqrt(near / rho[:, None])
        w = np.sqrt(weights[idx] * np.clip(1.0 - u ** 3, 0.0, None) ** 3)  # sqrt: rows of a WLS
        design = _design(x[idx] - pts[:, None, :], degree) * w[..., None]  # (m, q, k)
        target = w * y[idx]
        colnorm = np.sqrt((design ** 2).sum(axis=1))  # equilibrate columns as ehg127
        colnorm[colnorm <= 0] = 1.0
        design = design / colnorm[:, None, :]
        u_mat, sigma, vt = np.linalg.svd(design, full_matrices=False)
        tol = sigma[:, :1] * (100 * eps)
        inv = np.where(sigma > tol, 1.0 / np.where(sigma > tol, sigma, 1.0), 0.0)
        gamma = np.einsum("mqk,mq->mk", u_mat, target) * inv
        coef = np.einsum("mkj,mk->mj", vt, gamma) / colnorm
        out[lo:lo + len(pts)] = coef[:, 0]
    return out


def _biweight_robustness(residuals: np.ndarray) -> np.ndarray:
    """lowesw: Tukey biweight of residuals scaled by 6 x median |residual|."""
    r = np.abs(residuals)
    cmad = 6.0 * float(np.median(r))
    if cmad < np.finfo(np.float64).tiny:
        return np.ones_like(r)
    w = (1.0 - (r / cmad) ** 2) ** 2
    w[r > 0.999 * cmad] = 0.0
    w[r <= 0.001 * cmad] = 1.0
    return w


@dataclass
class LoessFit:
    """A fitted ``loess``; :meth:`predict` evaluates it at new points."""

    x: np.ndarray  # normalised predictors (n, d)
    y: np.ndarray
    divisor: np.ndarray  # per predictor (1 when not normalised)
    robustness: np.ndarray  # robustness weights used by the last fit
    fitted: np.ndarray
    span: float
    degree: int
    family: str
    iterations: int

    @property
    def residuals(self) -> np.ndarray:
        return self.y - self.fitted

    def predict(self, newdata: np.ndarray, *, extrapolate: bool = False) -> np.ndarray:
        """Fitted surface at ``newdata`` (m, d) in the original units.

        ``extrapolate=False`` gives NaN where a point lies outside the range of the fitted
        data in any predictor (R's default interpolating surface); True evaluates there too
        (R's ``surface = "direct"``).
        """
        new = np.asarray(newdata, dtype=np.float64)
        if new.ndim == 1:
            new = new[:, None]
        scaled = new / self.divisor
        out = np.full(len(new), np.nan)
        ok = np.isfinite(scaled).all(axis=1)
        if not extrapolate:
            lo, hi = self.x.min(axis=0), self.x.max(axis=0)
            ok &= ((scaled >= lo) & (scaled <= hi)).all(axis=1)
        if ok.any():
            out[ok] = _local_fit(self.x, self.y, self.robustness, scaled[ok], span=self.span, degree=self.degree)
        return out


def loess(
    x: np.ndarray,
    y: np.ndarray,
    *,
    span: float = 0.75,
    degree: int = 2,
    family: str = "gaussian",
    normalize: bool = True,
    iterations: int = 4,
) -> LoessFit:
    """Fit ``y ~ x`` (x: (n,) or (n, d), d <= 8) as R's ``loess(..., surface = "direct")``.

    ``family`` "gaussian" fits once; "symmetric" fits ``iterations`` times (R: 4) with
    biweight robustness weights. Raises ``ValueError`` for non-finite data or a span that
    leaves fewer neighbours than local coefficients.
    """
    if family not in ("gaussian", "symmetric"):
        raise ValueError(f"family must be 'gaussian' or 'symmetric', not {family!r}")
    if degree not in (0, 1, 2):
        raise ValueError("degree must be 0, 1 or 2")
    xa = np.asarray(x, dtype=np.float64)
    if xa.ndim == 1:
        xa = xa[:, None]
    ya = np.asarray(y, dtype=np.float64)
    if len(xa) != len(ya) or len(ya) == 0:
        raise ValueError("x and y must have the same, non-zero length")
    if not (np.isfinite(xa).all() and np.isfinite(ya).all()):
        raise ValueError("loess needs finite x and y")
    d = xa.shape[1]
    divisor = np.ones(d)
    if normalize and d > 1:
        divisor = np.array([_trimmed_sd(xa[:, j]) for j in range(d)])
        if not (np.isfinite(divisor).all() and (divisor > 0).all()):
            raise ValueError("a predictor has no spread after trimming; cannot normalise")
    xs = xa / divisor
    n_iter = 1 if family == "gaussian" else iterations
    robustness = np.ones(len(ya))
    fitted = ya
    for it in range(n_iter):
        fitted = _local_fit(xs, ya, robustness, xs, span=span, degree=degree)
        if it < n_iter - 1:
            robustness = _biweight_robustness(ya - fitted)
    return LoessFit(x=xs, y=ya, divisor=divisor, robustness=robustness, fitted=fitted, span=span,
                    degree=degree, family=family, iterations=n_iter)
