"""Compiled kernels of R's ``fisher.test`` for 2 x 2 tables (numba).

Ports, in R 4.2's arithmetic order, of:

* nmath ``dhyper`` (log and plain) through Loader's ``dbinom_raw``, ``stirlerr`` and ``bd0``,
  and ``phyper`` with its ``pdhyper`` series;
* the 2 x 2 branch of ``stats::fisher.test``: ``dnhyper``, ``mnhyper``, ``pnhyper``, ``mle``,
  ``ncp.U`` and ``ncp.L``;
* ``stats::uniroot`` (interval given, ``extendInt = "no"``) and the C routine it calls,
  ``R_zeroin2`` (``src/library/stats/src/zeroin.c``: Brent's method as in Forsythe, Malcolm
  and Moler, with R's tolerance and iteration rules).

R computes the conditional maximum-likelihood odds ratio and the interval limits with
``uniroot``'s default tolerance (``.Machine$double.eps^0.25``), so its answers are the zeroin
iterate at which that tolerance is met, not the exact roots. Running the same iteration on the
same function values gives R's numbers; passing ``tol = 0`` gives the roots to machine
precision instead. R's ``sum`` accumulates in long double; numba has no long double, so sums use
Neumaier's compensated summation, which rounds the same way in all but pathological cases.

Internal; :mod:`metevo.stats.contingency` is the interface.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_JIT = dict(cache=True, nogil=True, error_model="numpy")

DBL_EPSILON = 2.220446049250313e-16
DBL_MIN = 2.2250738585072014e-308
R_UNIROOT_TOL = DBL_EPSILON ** 0.25  # uniroot's default tol
R_UNIROOT_MAXITER = 1000
REL_ERR = 1 + 1e-7  # fisher.test's relErr for the two-sided p-value
_LN_2PI = 1.837877066409345483560659472811
_INF = math.inf
TWO_SIDED, LESS, GREATER = 0, 1, 2  # alternative codes

# stirlerr(n / 2) for n = 0..30 (R nmath stirlerr.c, sferr_halves)
_SFERR_HALVES = np.array([
    0.0, 0.1534264097200273452913848, 0.0810614667953272582196702, 0.0548141210519176538961390,
    0.0413406959554092940938221, 0.03316287351993628748511048, 0.02767792568499833914878929,
    0.02374616365629749597132920, 0.02079067210376509311152277, 0.01848845053267318523077934,
    0.01664469118982119216319487, 0.01513497322191737887351255, 0.01387612882307074799874573,
    0.01281046524292022692424986, 0.01189670994589177009505572, 0.01110455975820691732662991,
    0.010411265261972096497478567, 0.009799416126158803298389475, 0.009255462182712732917728637,
    0.008768700134139385462952823, 0.008330563433362871256469318, 0.007934114564314020547248100,
    0.007573675487951840794972024, 0.007244554301320383179543912, 0.006942840107209529865664152,
    0.006665247032707682442354394, 0.006408994188004207068439631, 0.006171712263039457647532867,
    0.005951370112758847735624416, 0.005746216513010115682023589, 0.005554733551962801371038690,
])


@njit(**_JIT)
def _stirlerr(n):
    """log(n!) - log(sqrt(2 pi n) (n/e)^n) for integer n >= 0 (R nmath ``stirlerr``)."""
    s0 = 0.083333333333333333333
    s1 = 0.00277777777777777777778
    s2 = 0.00079365079365079365079365
    s3 = 0.000595238095238095238095238
    s4 = 0.0008417508417508417508417508
    if n <= 15.0:
        return _SFERR_HALVES[int(n + n)]
    nn = n * n
    if n > 500:
        return (s0 - s1 / nn) / n
    if n > 80:
        return (s0 - (s1 - s2 / nn) / nn) / n
    if n > 35:
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n


@njit(**_JIT)
def _bd0(x, np_):
    """x log(x/np) + np - x, accurate when x is near np (R nmath ``bd0``)."""
    if abs(x - np_) < 0.1 * (x + np_):
        v = (x - np_) / (x + np_)
        s = (x - np_) * v
        if abs(s) < DBL_MIN:
            return s
        ej = 2 * x * v
        v = v * v
        for j in range(1, 1000):
            ej *= v
            s1 = s + ej / ((j << 1) + 1)
            if s1 == s:
                return s1
            s = s1
    return x * math.log(x / np_) + np_ - x


@njit(**_JIT)
def _log_dbinom_raw(x, n, p, q):
    """log of R's ``dbinom_raw(x, n, p, q, give_log = TRUE)``."""
    if p == 0:
        return 0.0 if x == 0 else -_INF
    if q == 0:
        return 0.0 if x == n else -_INF
    if x == 0:
        if n == 0:
            return 0.0
        return -_bd0(n, n * q) - n * p if p < 0.1 else n * math.log(q)
    if x == n:
        return -_bd0(n, n * p) - n * q if q < 0.1 else n * math.log(p)
    if x < 0 or x > n:
        return -_INF
    lc = _stirlerr(n) - _stirlerr(x) - _stirlerr(n - x) - _bd0(x, n * p) - _bd0(n - x, n * q)
    lf = _LN_2PI + math.log(x) + math.log1p(-x / n)
    return lc - 0.5 * lf


@njit(**_JIT)
def log_dhyper(x, r, b, n):
    """R ``dhyper(x, r, b, n, log = TRUE)``: x red among n drawn from r red and b black."""
    if x < 0:
        return -_INF
    if n < x or r < x or n - x > b:
        return -_INF
    if n == 0:
        return 0.0 if x == 0 else -_INF
    p = n / (r + b)
    q = (r + b - n) / (r + b)
    return _log_dbinom_raw(x, r, p, q) + _log_dbinom_raw(n - x, b, p, q) - _log_dbinom_raw(n, r + b, p, q)


@njit(**_JIT)
def dhyper(x, r, b, n):
    """R ``dhyper(x, r, b, n)`` (not logged: the product of the three binomial densities)."""
    if x < 0:
        return 0.0
    if n < x or r < x or n - x > b:
        return 0.0
    if n == 0:
        return 1.0 if x == 0 else 0.0
    p = n / (r + b)
    q = (r + b - n) / (r + b)
    p1 = math.exp(_log_dbinom_raw(x, r, p, q))
    p2 = math.exp(_log_dbinom_raw(n - x, b, p, q))
    p3 = math.exp(_log_dbinom_raw(n, r + b, p, q))
    return p1 * p2 / p3


@njit(**_JIT)
def phyper(x, nr, nb, n, lower_tail):
    """R ``phyper(x, nr, nb, n, lower.tail)`` (not logged)."""
    x = math.floor(x + 1e-7)
    if x * (nr + nb) > n * nr:
        nr, nb = nb, nr
        x = n - x - 1
        lower_tail = not lower_tail
    if x < 0 or x < n - nb:
        return 0.0 if lower_tail else 1.0
    if x >= nr or x >= n:
        return 1.0 if lower_tail else 0.0
    d = dhyper(x, nr, nb, n)
    if d == 0.0:
        return 0.0 if lower_tail else 1.0
    # pdhyper: 1 + the sum of the ratios of the lower-tail terms to the density at x
    s = 0.0
    term = 1.0
    while x > 0 and term >= DBL_EPSILON * s:
        term *= x * (nb - n + x) / (n + 1 - x) / (nr + 1 - x)
        s += term
        x -= 1
    pd = 1 + s
    return d * pd if lower_tail else 0.5 - d * pd + 0.5


@njit(**_JIT)
def _sum(values):
    """Neumaier-compensated sum (stands in for R's long double accumulator)."""
    s = 0.0
    c = 0.0
    for v in values:
        t = s + v
        if abs(s) >= abs(v):
            c += (s - t) + v
        else:
            c += (v - t) + s
        s = t
    return s + c


# Which distribution the functions below work on: FISHER, one 2 x 2 table (fisher.test, where
# pnhyper(x, 1) is phyper), or CMH, the sum of the first cells of K tables (mantelhaen.test's
# exact test, whose density at ncp = 1 is d2x2xk's convolution itself).
FISHER, CMH = 0, 1


@njit(**_JIT)
def dnhyper(ncp, logdc, support, dc, kind):
    """fisher.test's ``dnhyper`` (mantelhaen.test's ``dn2x2xk``): the noncentral density."""
    if kind == CMH and ncp == 1:
        return dc
    lncp = math.log(ncp)
    d = logdc + lncp * support
    d = np.exp(d - d.max())
    return d / _sum(d)


@njit(**_JIT)
def mnhyper(ncp, logdc, support, dc, kind, lo, hi):
    if ncp == 0:
        return lo
    if ncp == _INF:
        return hi
    return _sum(support * dnhyper(ncp, logdc, support, dc, kind))


@njit(**_JIT)
def pnhyper(q, ncp, upper_tail, logdc, support, dc, kind, lo, hi, x, m, n, k):
    if kind == FISHER and ncp == 1:
        # fisher.test's pnhyper ignores q here and uses the observed x, as called
        if upper_tail:
            return phyper(x - 1, m, n, k, False)
        return phyper(x, m, n, k, True)
    if ncp == 0:
        if upper_tail:
            return 1.0 if q <= lo else 0.0
        return 1.0 if q >= lo else 0.0
    if ncp == _INF:
        if upper_tail:
            return 1.0 if q <= hi else 0.0
        return 1.0 if q >= hi else 0.0
    d = dnhyper(ncp, logdc, support, dc, kind)
    if upper_tail:
        return _sum(d[support >= q])
    return _sum(d[support <= q])


# the functions uniroot is asked to solve, by mode
_MEAN, _MEAN_INV, _LOWER, _LOWER_INV, _UPPER, _UPPER_INV = 0, 1, 2, 3, 4, 5


@njit(**_JIT)
def _objective(mode, t, target, logdc, support, dc, kind, lo, hi, x, m, n, k):
    if mode == _MEAN:
        return mnhyper(t, logdc, support, dc, kind, lo, hi) - target
    if mode == _MEAN_INV:
        return mnhyper(1 / t, logdc, support, dc, kind, lo, hi) - target
    if mode == _LOWER:
        return pnhyper(x, t, False, logdc, support, dc, kind, lo, hi, x, m, n, k) - target
    if mode == _LOWER_INV:
        return pnhyper(x, 1 / t, False, logdc, support, dc, kind, lo, hi, x, m, n, k) - target
    if mode == _UPPER:
        return pnhyper(x, t, True, logdc, support, dc, kind, lo, hi, x, m, n, k) - target
    return pnhyper(x, 1 / t, True, logdc, support, dc, kind, lo, hi, x, m, n, k) - target


@njit(**_JIT)
def uniroot(mode, lower, upper, tol, target, logdc, support, dc, kind, lo, hi, x, m, n, k):
    """``uniroot(f, c(lower, upper), tol = tol)$root`` with R_zeroin2; NaN where R stops
    with "f() values at end points not of opposite sign"."""
    fa = _objective(mode, lower, target, logdc, support, dc, kind, lo, hi, x, m, n, k)
    fb = _objective(mode, upper, target, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if math.isnan(fa) or math.isnan(fb) or (fa > 0 and fb > 0) or (fa < 0 and fb < 0):
        return math.nan
    a = lower
    b = upper
    c = a
    fc = fa
    maxit = R_UNIROOT_MAXITER + 1
    if fa == 0.0:
        return a
    if fb == 0.0:
        return b
    while maxit > 0:
        maxit -= 1
        prev_step = b - a
        if abs(fc) < abs(fb):
            a = b
            b = c
            c = a
            fa = fb
            fb = fc
            fc = fa
        tol_act = 2 * DBL_EPSILON * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0.0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            if new_step > 0:
                new_step = tol_act
            else:
                new_step = -tol_act
        a = b
        fa = fb
        b += new_step
        fb = _objective(mode, b, target, logdc, support, dc, kind, lo, hi, x, m, n, k)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c = a
            fc = fa
    return b  # not converged: R warns and returns the last iterate


@njit(**_JIT)
def _mle(x, tol, logdc, support, dc, kind, lo, hi, m, n, k):
    if x == lo:
        return 0.0
    if x == hi:
        return _INF
    mu = mnhyper(1.0, logdc, support, dc, kind, lo, hi)
    if mu > x:
        return uniroot(_MEAN, 0.0, 1.0, tol, x, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if mu < x:
        return 1 / uniroot(_MEAN_INV, DBL_EPSILON, 1.0, tol, x, logdc, support, dc, kind, lo, hi, x, m, n, k)
    return 1.0


@njit(**_JIT)
def _ncp_upper(x, alpha, tol, logdc, support, dc, kind, lo, hi, m, n, k):
    if x == hi:
        return _INF
    p = pnhyper(x, 1.0, False, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if p < alpha:
        return uniroot(_LOWER, 0.0, 1.0, tol, alpha, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if p > alpha:
        return 1 / uniroot(_LOWER_INV, DBL_EPSILON, 1.0, tol, alpha, logdc, support, dc, kind, lo, hi, x, m, n, k)
    return 1.0


@njit(**_JIT)
def _ncp_lower(x, alpha, tol, logdc, support, dc, kind, lo, hi, m, n, k):
    if x == lo:
        return 0.0
    p = pnhyper(x, 1.0, True, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if p > alpha:
        return uniroot(_UPPER, 0.0, 1.0, tol, alpha, logdc, support, dc, kind, lo, hi, x, m, n, k)
    if p < alpha:
        return 1 / uniroot(_UPPER_INV, DBL_EPSILON, 1.0, tol, alpha, logdc, support, dc, kind, lo, hi, x, m, n, k)
    return 1.0


@njit(**_JIT)
def _conditional(x, logdc, support, dc, kind, lo, hi, m, n, k, alternative, conf_level, tol, two_sided_d):
    """p-value, MLE and interval shared by fisher.test and the exact mantelhaen.test."""
    if alternative == LESS:
        pval = pnhyper(x, 1.0, False, logdc, support, dc, kind, lo, hi, x, m, n, k)
    elif alternative == GREATER:
        pval = pnhyper(x, 1.0, True, logdc, support, dc, kind, lo, hi, x, m, n, k)
    else:
        cutoff = two_sided_d[int(x - lo)] * REL_ERR
        pval = _sum(two_sided_d[two_sided_d <= cutoff])
    estimate = _mle(x, tol, logdc, support, dc, kind, lo, hi, m, n, k)
    if alternative == LESS:
        low = 0.0
        high = _ncp_upper(x, 1 - conf_level, tol, logdc, support, dc, kind, lo, hi, m, n, k)
    elif alternative == GREATER:
        low = _ncp_lower(x, 1 - conf_level, tol, logdc, support, dc, kind, lo, hi, m, n, k)
        high = _INF
    else:
        alpha = (1 - conf_level) / 2
        low = _ncp_lower(x, alpha, tol, logdc, support, dc, kind, lo, hi, m, n, k)
        high = _ncp_upper(x, alpha, tol, logdc, support, dc, kind, lo, hi, m, n, k)
    return pval, estimate, low, high



@njit(**_JIT)
def fisher_2x2(a, b, c, d, alternative, conf_level, tol):
    """(p, conditional MLE odds ratio, CI low, CI high) of [[a, b], [c, d]] as fisher.test."""
    m = float(a + c)
    n = float(b + d)
    k = float(a + b)
    x = float(a)
    lo = max(0.0, k - n)
    hi = min(k, m)
    size = int(hi - lo) + 1
    support = np.empty(size)
    logdc = np.empty(size)
    for i in range(size):
        support[i] = lo + i
        logdc[i] = log_dhyper(lo + i, m, n, k)
    two_sided_d = dnhyper(1.0, logdc, support, logdc, FISHER) if alternative == TWO_SIDED else logdc
    return _conditional(x, logdc, support, logdc, FISHER, lo, hi, m, n, k, alternative, conf_level, tol,
                        two_sided_d)


@njit(**_JIT)
def fisher_2x2_many(a, b, c, d, alternative, conf_level, tol, out):
    """fisher_2x2 of every table; out is (len(a), 4)."""
    for i in range(a.shape[0]):
        r = fisher_2x2(a[i], b[i], c[i], d[i], alternative, conf_level, tol)
        out[i, 0] = r[0]
        out[i, 1] = r[1]
        out[i, 2] = r[2]
        out[i, 3] = r[3]


@njit(**_JIT)
def d2x2xk(m, n, t):
    """mantelhaen.test's C ``d2x2xk``: the null distribution of the sum of the first cells of K
    2 x 2 tables (column-1 totals m, column-2 totals n, row-1 totals t), normalised."""
    K = m.shape[0]
    prev = np.ones(1)
    size = 0
    for i in range(K):
        y = max(0, int(t[i] - n[i]))
        z = min(int(m[i]), int(t[i]))
        cur = np.zeros(size + z - y + 1)
        for j in range(z - y + 1):
            u = dhyper(j + y, m[i], n[i], t[i])
            for w in range(size + 1):
                cur[w + j] += prev[w] * u
        size = size + z - y
        prev = cur
    u = 0.0
    for j in range(size + 1):
        u += prev[j]
    return prev / u


@njit(**_JIT)
def cmh_exact(m, n, t, s, alternative, conf_level, tol):
    """mantelhaen.test(exact = TRUE) of 2 x 2 x K tables: (p, conditional MLE, CI low, high)."""
    lo = 0.0
    hi = 0.0
    for i in range(m.shape[0]):
        lo += max(0.0, t[i] - n[i])
        hi += min(m[i], t[i])
    dc = d2x2xk(m, n, t)
    size = dc.shape[0]
    support = np.empty(size)
    for i in range(size):
        support[i] = lo + i
    logdc = np.log(dc)
    return _conditional(s, logdc, support, dc, CMH, lo, hi, 0.0, 0.0, 0.0, alternative, conf_level, tol, dc)
