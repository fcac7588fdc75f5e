"""Compiled loops of DNAcopy's circular binary segmentation (numba).

Line-by-line ports of the Fortran routines of DNAcopy 1.72 (veseshan/DNAcopy, ``src/``):

* ``cbststats.f``: ``tmaxo`` (observed maximal statistic and its arc), ``tmaxp`` (the same
  statistic on a permutation) and ``htmaxp`` (maximum over arcs of at most ``kmax`` probes);
* ``changepoints.f``: ``fndcpt`` (test of one segment), ``xperm`` and ``tpermp``;
* ``tailprobs.f``: ``tailp``, ``nu`` and ``it1tsq`` (Siegmund's tail approximation);
* ``smoothCNA.f``: ``smoothLR``; ``prune.f``: ``prune``, ``errssq``, ``combn``;
* ``getbdry.f``: ``getbdry``, ``etabdry``, ``pexceed``, with R's ``phyper`` (Loader's
  ``dbinom_raw``, ``stirlerr``, ``bd0``) and ``lchoose`` (``lbeta``, ``lgammacor``);
* R's ``R_qsort_I`` (``src/main/qsort-body.c``, Singleton's quicksort), which DNAcopy calls as
  ``qsort4`` to order the blocks of ``tmaxo``: the visiting order decides which arc wins a tie.

Arrays are used 1-based as in the Fortran (element 0 is unused), so that every index, block
boundary and loop bound can be compared with the original line by line; the arithmetic is done
in the same order, so the observed statistic and its arc are the same doubles as DNAcopy's.
Where the loops are arranged to run faster (running sums kept in registers, work arrays
allocated once per segment, permutation scans that stop once they cannot reach the observed
statistic), the numbers and decisions stay the Fortran's.
The permutation draws (``u`` uniform, ``j = int(u*i) + 1``: DNAcopy's Fisher-Yates on R's
``unif_rand``) come from a numpy ``Generator`` by default. Given a non-empty ``mt`` state they
come instead from R's own Mersenne-Twister (``RNG.c``: ``set.seed`` scrambling, ``MT_genrand``,
``fixup``), which reproduces R's stream exactly: with the same seed the result is R's, bit for
bit, including the splits the permutations decide.

Everything here is internal; :mod:`metevo.cn.cbs` is the interface.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

# error_model="numpy": a float division by zero gives inf/nan as in Fortran instead of raising
_JIT = dict(cache=True, nogil=True, error_model="numpy")


@njit(**_JIT)
def _nint(x):
    """Fortran NINT (round half away from zero) of a non-negative double."""
    return int(math.floor(x + 0.5))


@njit(**_JIT)
def qsort_index(v, idx, i, j):
    """R's ``R_qsort_I(v, I, i, j)`` on 1-based ``v[i..j]`` (ascending), permuting ``idx``
    alongside. Not stable: equal keys end where Singleton's algorithm puts them, as in R."""
    il = np.zeros(32, np.int64)
    iu = np.zeros(32, np.int64)
    ii = i
    m = 1
    # The C body uses gotos; it is written here as a state machine with the same labels.
    state = 10
    k = 0
    l = 0
    vt = 0.0
    it = 0
    while True:
        if state == 10:
            if i < j:
                state = 20
            else:
                state = 80
                continue
        if state == 20:
            k = i
            ij = (j + i) >> 1
            it = idx[ij]
            vt = v[ij]
            if v[i] > vt:
                idx[ij] = idx[i]
                idx[i] = it
                it = idx[ij]
                v[ij] = v[i]
                v[i] = vt
                vt = v[ij]
            l = j
            if v[j] < vt:
                idx[ij] = idx[j]
                idx[j] = it
                it = idx[ij]
                v[ij] = v[j]
                v[j] = vt
                vt = v[ij]
                if v[i] > vt:
                    idx[ij] = idx[i]
                    idx[i] = it
                    it = idx[ij]
                    v[ij] = v[i]
                    v[i] = vt
                    vt = v[ij]
            while True:
                l -= 1
                while v[l] > vt:
                    l -= 1
                tt = idx[l]
                vtt = v[l]
                k += 1
                while v[k] < vt:
                    k += 1
                if k > l:
                    break
                idx[l] = idx[k]
                idx[k] = tt
                v[l] = v[k]
                v[k] = vtt
            m += 1
            if l - i <= j - k:
                il[m] = k
                iu[m] = j
                j = l
            else:
                il[m] = i
                iu[m] = l
                i = k
            state = 90
        elif state == 80:
            if m == 1:
                return
            i = il[m]
            j = iu[m]
            m -= 1
            state = 90
        if state == 90:
            if j - i > 10:
                state = 20
                continue
            if i == ii:
                state = 10
                continue
            i -= 1
            # L100: straight insertion for short runs
            while True:
                i += 1
                if i == j:
                    break
                it = idx[i + 1]
                vt = v[i + 1]
                if v[i] <= vt:
                    continue
                k = i
                while True:
                    idx[k + 1] = idx[k]
                    v[k + 1] = v[k]
                    k -= 1
                    if not (vt < v[k]):
                        break
                idx[k + 1] = it
                v[k + 1] = vt
            state = 80


@njit(**_JIT)
def _nblocks(n):
    """Number of blocks of tmaxo/tmaxp: nint(sqrt(n)) from 50 probes on, else one."""
    if n >= 50:
        return _nint(math.sqrt(float(n)))
    return 1


@njit(**_JIT)
def _tmax_work(n):
    """Work arrays of ``_tmax_blocks`` for a segment of n probes."""
    nb = _nblocks(n)
    nb2 = nb * (nb + 1) // 2
    return (
        np.empty((2, nb + 1)),
        np.empty((3, nb + 1), np.int64),
        np.empty((2, nb2 + 1)),
        np.empty((4, nb2 + 1), np.int64),
    )


@njit(**_JIT)
def _tmax_blocks(n, x, sx, al0, track, floor, fw1, iw1, fw2, iw2):
    """Body shared by ``tmaxo`` (``track=True``: also the arc) and ``tmaxp``.

    Returns (maximal between-arc sum of squares, i, j): the arc is partial-sum indices
    ``i < j`` in 1..n (segment i+1..j against the rest). Not yet normalised by the
    within-sum of squares. The search visits blocks of about sqrt(n) partial sums and skips
    block pairs whose bound cannot beat the current maximum, exactly as DNAcopy does
    (including the pairs it never searches, see ``docs/segment.md``).

    ``floor`` > 0 also skips block pairs that cannot reach it: the result is then exact if it
    is >= floor, and otherwise only known to be below floor (all a permutation test needs).
    """
    rn = float(n)
    nb = _nblocks(n)
    # work arrays from _tmax_work (allocated once per segment, not per permutation)
    bpsmax = fw1[0]
    bpsmin = fw1[1]
    bb = iw1[0]
    ibmin = iw1[1]
    ibmax = iw1[2]
    bssbij = fw2[0]
    bssijmax = fw2[1]
    bloci = iw2[0]
    blocj = iw2[1]
    loc = iw2[2]
    alen = iw2[3]

    for i in range(1, nb + 1):
        bb[i] = _nint(rn * (float(i) / float(nb)))

    ilo = 1
    psum = 0.0
    psmin0 = 0.0
    psmax0 = 0.0
    ipsmin0 = n
    ipsmax0 = n
    for j in range(1, nb + 1):
        # the running sum stays in a register (same additions in the same order)
        acc = psum + x[ilo]
        sx[ilo] = acc
        psmin = acc
        ipsmin = ilo
        psmax = acc
        ipsmax = ilo
        for i in range(ilo + 1, bb[j] + 1):
            acc = acc + x[i]
            sx[i] = acc
            if acc < psmin:
                psmin = acc
                ipsmin = i
            if acc > psmax:
                psmax = acc
                ipsmax = i
        ibmin[j] = ipsmin
        ibmax[j] = ipsmax
        bpsmin[j] = psmin
        bpsmax[j] = psmax
        if psmin < psmin0:
            psmin0 = psmin
            ipsmin0 = ipsmin
        if psmax > psmax0:
            psmax0 = psmax
            ipsmax0 = ipsmax
        psum = sx[bb[j]]
        ilo = bb[j] + 1

    # starting value: the arc between the global max and min of the partial sums (its
    # length is not checked against min.width, as in DNAcopy)
    psdiff = psmax0 - psmin0
    rj = float(abs(ipsmax0 - ipsmin0))
    rnjov1 = rn / (rj * (rn - rj))
    bssmax = rnjov1 * psdiff**2
    tmaxi = min(ipsmax0, ipsmin0)
    tmaxj = max(ipsmax0, ipsmin0)
    if psdiff <= 0:
        return 0.0, tmaxi, tmaxj

    rnov2 = rn / 2
    l = 0
    nal0 = n - al0
    for i in range(1, nb + 1):
        for j in range(i, nb + 1):
            ilo = 1 if i == 1 else bb[i - 1] + 1
            ihi = bb[i]
            jlo = 1 if j == 1 else bb[j - 1] + 1
            jhi = bb[j]
            alenhi = jhi - ilo
            if alenhi > nal0:
                alenhi = nal0
            rjhi = float(alenhi)
            if i == j:
                alenlo = 1
            else:
                alenlo = jlo - ihi
            if alenlo < al0:
                alenlo = al0
            sij1 = abs(bpsmax[j] - bpsmin[i])
            sij2 = abs(bpsmax[i] - bpsmin[j])
            sijmx0 = max(sij1, sij2)
            rjlo = float(alenlo)
            rnjov1 = rn / min(rjlo * (rn - rjlo), rjhi * (rn - rjhi))
            bsslim = rnjov1 * (sijmx0**2)
            if max(bssmax, floor) <= bsslim:
                l += 1
                loc[l] = l
                bloci[l] = i
                blocj[l] = j
                bssijmax[l] = bsslim
                if sij1 > sij2:
                    alen[l] = abs(ibmax[j] - ibmin[i])
                    rj = float(alen[l])
                    rnjov1 = rn / (rj * (rn - rj))
                    bssbij[l] = rnjov1 * (sij1**2)
                else:
                    alen[l] = abs(ibmin[j] - ibmax[i])
                    rj = float(alen[l])
                    rnjov1 = rn / (rj * (rn - rj))
                    bssbij[l] = rnjov1 * (sij2**2)
    nb1 = l

    qsort_index(bssbij, loc, 1, nb1)

    sxmxi = 0
    for l in range(nb1, 0, -1):
        k = loc[l]
        bsslim = bssijmax[k]
        if max(bssmax, floor) <= bsslim:
            bi = bloci[k]
            bj = blocj[k]
            alenmax = alen[k]
            ilo = 1 if bi == 1 else bb[bi - 1] + 1
            ihi = bb[bi]
            jlo = 1 if bj == 1 else bb[bj - 1] + 1
            jhi = bb[bj]
            alenhi = jhi - ilo
            if alenhi > nal0:
                alenhi = nal0
            rjhi = float(alenhi)
            if bi == bj:
                alenlo = 1
            else:
                alenlo = jlo - ihi
            if alenlo < al0:
                alenlo = al0
            rjlo = float(alenlo)
            if alenmax > n - alenmax:
                alenmax = n - alenmax
            if rjlo <= rnov2 and alenlo <= alenmax:
                for i2j in range(alenlo, alenmax + 1):
                    ixlo = max(0, jlo - ilo - i2j)
                    ixhi = max(0, ihi + i2j - jhi)
                    sxmx = 0.0
                    for i in range(ilo + ixlo, ihi - ixhi + 1):
                        absx = abs(sx[i + i2j] - sx[i])
                        if sxmx < absx:
                            sxmx = absx
                            sxmxi = i
                    rj = float(i2j)
                    rnjov1 = rn / (rj * (rn - rj))
                    bijbss = rnjov1 * (sxmx**2)
                    if bijbss > bssmax:
                        bssmax = bijbss
                        if track:
                            tmaxi = sxmxi
                            tmaxj = sxmxi + i2j
            alenmax = n - alenmax
            if rjhi >= rnov2 and alenhi >= alenmax:
                for i2j in range(alenhi, alenmax - 1, -1):
                    ixlo = max(0, jlo - ilo - i2j)
                    ixhi = max(0, ihi + i2j - jhi)
                    sxmx = 0.0
                    for i in range(ilo + ixlo, ihi - ixhi + 1):
                        absx = abs(sx[i + i2j] - sx[i])
                        if sxmx < absx:
                            sxmx = absx
                            sxmxi = i
                    rj = float(i2j)
                    rnjov1 = rn / (rj * (rn - rj))
                    bijbss = rnjov1 * (sxmx**2)
                    if bijbss > bssmax:
                        bssmax = bijbss
                        if track:
                            tmaxi = sxmxi
                            tmaxj = sxmxi + i2j
    return bssmax, tmaxi, tmaxj


@njit(**_JIT)
def _t_square(bss, tss, rn):
    """Between-SS -> squared two-sample t (DNAcopy: ``tss`` is raised when it is not larger
    than ``bss``; the raised value is kept by the caller, as Fortran passes it by reference)."""
    if tss <= bss + 0.0001:
        tss = bss + 1.0
    return bss / ((tss - bss) / (rn - 2.0)), tss


@njit(**_JIT)
def tmaxo(x, tss, al0):
    """DNAcopy ``tmaxo``: (T, i, j, tss) for the 1-based centred data ``x[1..n]``."""
    n = x.shape[0] - 1
    sx = np.empty(n + 1)
    fw1, iw1, fw2, iw2 = _tmax_work(n)
    bss, i, j = _tmax_blocks(n, x, sx, al0, True, 0.0, fw1, iw1, fw2, iw2)
    t, tss = _t_square(bss, tss, float(n))
    return t, i, j, tss


@njit(**_JIT)
def tmaxp(n, tss, px, sx, al0, work):
    """DNAcopy ``tmaxp``: maximal statistic of the permuted data ``px``; returns (T, tss).
    ``work`` = ``_tmax_work(n)``."""
    fw1, iw1, fw2, iw2 = work
    bss, i, j = _tmax_blocks(n, px, sx, al0, False, 0.0, fw1, iw1, fw2, iw2)
    return _t_square(bss, tss, float(n))


@njit(**_JIT)
def htmaxp(n, k, tss, px, sx, al0):
    """DNAcopy ``htmaxp``: maximal statistic over arcs of al0..k probes (also those wrapping
    around the end) of the permuted data ``px``; returns (T, tss)."""
    return _t_square(_htmax_bss(n, k, px, sx, al0, 0.0), tss, float(n))


@njit(**_JIT)
def _htmax_bss(n, k, px, sx, al0, floor):
    """Between-SS maximum of ``htmaxp``; with ``floor`` > 0 the scans also stop when they
    cannot reach it (exact when the result is >= floor, else only known to be below)."""
    rn = float(n)
    nb = int(rn / float(k))
    bpsmax = np.empty(nb + 1)
    bpsmin = np.empty(nb + 1)
    bb = np.empty(nb + 1, np.int64)
    for i in range(1, nb + 1):
        bb[i] = _nint(rn * (float(i) / float(nb)))

    ilo = 1
    psum = 0.0
    hmax = 0.0
    for j in range(1, nb + 1):
        # the running sum stays in a register (same additions in the same order)
        acc = psum + px[ilo]
        sx[ilo] = acc
        psmin = acc
        ipsmin = ilo
        psmax = acc
        ipsmax = ilo
        for i in range(ilo + 1, bb[j] + 1):
            acc = acc + px[i]
            sx[i] = acc
            if acc < psmin:
                psmin = acc
                ipsmin = i
            if acc > psmax:
                psmax = acc
                ipsmax = i
        bpsmin[j] = psmin
        bpsmax[j] = psmax
        psum = sx[bb[j]]
        ilo = bb[j] + 1
        i = abs(ipsmin - ipsmax)
        if i <= k and i >= al0:
            rj = float(i)
            rnjov1 = rn / (rj * (rn - rj))
            bssmx = rnjov1 * (bpsmax[j] - bpsmin[j]) ** 2
            if hmax < bssmx:
                hmax = bssmx

    # the first block
    ilo = 1
    ihi = bb[1]
    psdiff = bpsmax[1] - bpsmin[1]
    psdiffsq = psdiff**2
    for j in range(al0, k + 1):
        rj = float(j)
        rnjov1 = rn / (rj * (rn - rj))
        bsslim = rnjov1 * psdiffsq
        if bsslim < hmax or bsslim < floor:
            break
        sxmx = 0.0
        for i in range(ilo, ihi - j + 1):
            absx = abs(sx[i + j] - sx[i])
            if sxmx < absx:
                sxmx = absx
        bssmx = rnjov1 * sxmx**2
        if hmax < bssmx:
            hmax = bssmx

    # the minor arcs spanning the end (n)
    psdiff = max(abs(bpsmax[1] - bpsmin[nb]), abs(bpsmax[nb] - bpsmin[1]))
    psdiffsq = psdiff**2
    for j in range(al0, k + 1):
        rj = float(j)
        rnjov1 = rn / (rj * (rn - rj))
        bsslim = rnjov1 * psdiffsq
        if bsslim < hmax or bsslim < floor:
            break
        sxmx = 0.0
        nmj = n - j
        for i in range(1, j + 1):
            absx = abs(sx[i + nmj] - sx[i])
            if sxmx < absx:
                sxmx = absx
        bssmx = rnjov1 * sxmx**2
        if hmax < bssmx:
            hmax = bssmx

    # the other blocks, and the arcs crossing into each from the previous one
    for l in range(2, nb + 1):
        ilo = bb[l - 1] + 1
        ihi = bb[l]
        psdiff = bpsmax[l] - bpsmin[l]
        psdiffsq = psdiff**2
        for j in range(al0, k + 1):
            rj = float(j)
            rnjov1 = rn / (rj * (rn - rj))
            bsslim = rnjov1 * psdiffsq
            if bsslim < hmax or bsslim < floor:
                break
            sxmx = 0.0
            for i in range(ilo, ihi - j + 1):
                absx = abs(sx[i + j] - sx[i])
                if sxmx < absx:
                    sxmx = absx
            bssmx = rnjov1 * sxmx**2
            if hmax < bssmx:
                hmax = bssmx
        psdiff = max(abs(bpsmax[l] - bpsmin[l - 1]), abs(bpsmax[l - 1] - bpsmin[l]))
        psdiffsq = psdiff**2
        for j in range(al0, k + 1):
            rj = float(j)
            rnjov1 = rn / (rj * (rn - rj))
            bsslim = rnjov1 * psdiffsq
            if bsslim < hmax or bsslim < floor:
                break
            sxmx = 0.0
            for i in range(ilo - j, ilo):
                absx = abs(sx[i + j] - sx[i])
                if sxmx < absx:
                    sxmx = absx
            bssmx = rnjov1 * sxmx**2
            if hmax < bssmx:
                hmax = bssmx
    return hmax


@njit(**_JIT)
def pnorm(x):
    """Standard normal lower tail (R ``pnorm(x)``; erfc keeps the far tail accurate)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


@njit(**_JIT)
def nu(x, tol):
    """DNAcopy ``nu``: Siegmund's overshoot correction, series doubled until it settles."""
    if x > 0.01:
        lnu1 = math.log(2.0) - 2 * math.log(x)
        lnu0 = lnu1
        k = 2
        dk = 0.0
        for i in range(k):
            dk += 1
            xk = -x * math.sqrt(dk) / 2.0
            lnu1 = lnu1 - 2.0 * pnorm(xk) / dk
        while abs((lnu1 - lnu0) / lnu1) > tol:
            lnu0 = lnu1
            for i in range(k):
                dk += 1
                xk = -x * math.sqrt(dk) / 2.0
                lnu1 = lnu1 - 2.0 * pnorm(xk) / dk
            k = 2 * k
    else:
        lnu1 = -0.583 * x
    return math.exp(lnu1)


@njit(**_JIT)
def it1tsq(x, a):
    """Integral of 1/(t(1-t))^2 from x to x+a (DNAcopy ``it1tsq``)."""
    y = x + a - 0.5
    r = (8.0 * y) / (1.0 - 4.0 * y**2) + 2.0 * math.log((1.0 + 2.0 * y) / (1.0 - 2.0 * y))
    y = x - 0.5
    r = r - (8.0 * y) / (1.0 - 4.0 * y**2) - 2.0 * math.log((1.0 + 2.0 * y) / (1.0 - 2.0 * y))
    return r


@njit(**_JIT)
def tailp(b, delta, m, ngrid, tol):
    """DNAcopy ``tailp``: two-sided tail probability of the maximal statistic ``b`` over arcs
    longer than delta*m (Siegmund 1988), midpoint rule over ``ngrid`` intervals of t."""
    dincr = (0.5 - delta) / float(ngrid)
    bsqrtm = b / math.sqrt(float(m))
    tl = 0.5 - dincr
    t = 0.5 - 0.5 * dincr
    s = 0.0
    for i in range(ngrid):
        tl = tl + dincr
        t = t + dincr
        x = bsqrtm / math.sqrt(t * (1 - t))
        nux = nu(x, tol)
        s = s + (nux**2) * it1tsq(tl, dincr)
    s = 9.973557e-2 * (b**3) * math.exp(-(b**2) / 2) * s
    return 2.0 * s


# ---------------------------------------------------------------------------------------------
# Uniform draws: numpy Generator, or R's Mersenne-Twister (state: uint32[625], [0] = mti)

_MT_N = 624
_MT_M = 397
_I2_32M1 = 2.328306437080797e-10  # 1/(2^32 - 1)


def r_mt_state(seed: int) -> np.ndarray:
    """R's Mersenne-Twister state after ``set.seed(seed)`` (RNG.c ``RNG_Init``, ``FixupSeeds``)."""
    s = int(seed) & 0xFFFFFFFF
    for _ in range(50):  # initial scrambling
        s = (69069 * s + 1) & 0xFFFFFFFF
    state = np.empty(_MT_N + 1, np.uint32)
    for j in range(_MT_N + 1):
        s = (69069 * s + 1) & 0xFFFFFFFF
        state[j] = s
    state[0] = _MT_N  # mti = N: the next draw regenerates the block
    return state


_U32 = np.uint32
_UPPER = np.uint32(0x80000000)
_LOWER = np.uint32(0x7FFFFFFF)
_MATRIX_A = np.uint32(0x9908B0DF)


@njit(**_JIT)
def _mt_next(mt):
    """Regenerate the 624 words of R's Mersenne-Twister in place (``MT_genrand``; 0-based)."""
    one = _U32(1)
    for kk in range(_MT_N - _MT_M):
        y = (mt[kk] & _UPPER) | (mt[kk + 1] & _LOWER)
        mt[kk] = mt[kk + _MT_M] ^ (y >> one) ^ (_MATRIX_A * (y & one))
    for kk in range(_MT_N - _MT_M, _MT_N - 1):
        y = (mt[kk] & _UPPER) | (mt[kk + 1] & _LOWER)
        mt[kk] = mt[kk + _MT_M - _MT_N] ^ (y >> one) ^ (_MATRIX_A * (y & one))
    y = (mt[_MT_N - 1] & _UPPER) | (mt[0] & _LOWER)
    mt[_MT_N - 1] = mt[_MT_M - 1] ^ (y >> one) ^ (_MATRIX_A * (y & one))


@njit(**_JIT)
def r_unif_fill(st, buf, n):
    """buf[0..n-1] := the next n values of R's ``unif_rand()`` for the Mersenne-Twister
    (``fixup(MT_genrand())``: tempering, scaling by 2^-32 and the (0, 1) guard as in RNG.c).
    ``st`` is R's ``.Random.seed`` without its kind code: [mti, mt[0..623]]."""
    mt = st[1:]
    mti = int(st[0])
    t = 0
    while t < n:
        if mti >= _MT_N:
            _mt_next(mt)
            mti = 0
        m = min(n - t, _MT_N - mti)
        # a straight loop over a run of words: tempering vectorises
        for q in range(m):
            y = mt[mti + q]
            y ^= y >> _U32(11)
            y ^= (y << _U32(7)) & _U32(0x9D2C5680)
            y ^= (y << _U32(15)) & _U32(0xEFC60000)
            y ^= y >> _U32(18)
            buf[t + q] = float(y) * 2.3283064365386963e-10
        for q in range(m):
            u = buf[t + q]
            if u <= 0.0:
                buf[t + q] = 0.5 * _I2_32M1
            elif 1.0 - u <= 0.0:
                buf[t + q] = 1.0 - 0.5 * _I2_32M1
        t += m
        mti += m
    st[0] = mti


@njit(**_JIT)
def r_unif_rand(st):
    """One value of R's ``unif_rand()``."""
    buf = np.empty(1)
    r_unif_fill(st, buf, 1)
    return buf[0]


@njit(**_JIT)
def _unif_fill(rng, mt, buf, n):
    """buf[0..n-1] := next n uniforms, from R's generator ``mt`` if non-empty, else ``rng``.
    (Drawing a block at a time keeps the generator's loop tight.)"""
    if mt.shape[0] > 0:
        r_unif_fill(mt, buf, n)
    else:
        for t in range(n):
            buf[t] = rng.random()


@njit(**_JIT)
def xperm(n, x, px, rng, mt, buf):
    """DNAcopy ``xperm``: px := a uniformly random permutation of x (Fisher-Yates, one
    uniform per position from n down to 1; ``buf`` is scratch of at least n)."""
    for i in range(1, n + 1):
        px[i] = x[i]
    _unif_fill(rng, mt, buf, n)
    for i in range(n, 0, -1):
        cc = buf[n - i]
        j = int(cc * float(i)) + 1
        tmpx = px[i]
        px[i] = px[j]
        px[j] = tmpx


@njit(**_JIT)
def tpermp(n1, n2, n, x, off, px, nperm, rng, mt):
    """DNAcopy ``tpermp``: permutation p-value of the two-sample mean difference between
    x[off+1..off+n1] and x[off+n1+1..off+n]; shortcut p = 0 when t^2 > 25 and the smaller part
    has at least 10 probes; p = 1 when a part has one probe."""
    rn1 = float(n1)
    rn2 = float(n2)
    rn = rn1 + rn2
    if n1 == 1 or n2 == 1:
        return 1.0
    xsum1 = 0.0
    tss = 0.0
    for i in range(1, n1 + 1):
        px[i] = x[off + i]
        xsum1 = xsum1 + x[off + i]
        tss = tss + x[off + i] ** 2
    xsum2 = 0.0
    for i in range(n1 + 1, n + 1):
        px[i] = x[off + i]
        xsum2 = xsum2 + x[off + i]
        tss = tss + x[off + i] ** 2
    xbar = (xsum1 + xsum2) / rn
    tss = tss - rn * (xbar**2)
    if n1 <= n2:
        m1 = n1
        rm1 = rn1
        ostat = 0.99999 * abs(xsum1 / rn1 - xbar)
        tstat = (ostat**2) * rn1 * rn / rn2
    else:
        m1 = n2
        rm1 = rn2
        ostat = 0.99999 * abs(xsum2 / rn2 - xbar)
        tstat = (ostat**2) * rn2 * rn / rn1
    nrej = 0
    tstat = tstat / ((tss - tstat) / (rn - 2.0))
    if tstat > 25 and m1 >= 10:
        return 0.0
    buf = np.empty(m1)
    for np_ in range(nperm):
        # partial Fisher-Yates: the last m1 places become a random sample of m1 values
        xsum1 = 0.0
        _unif_fill(rng, mt, buf, m1)
        for i in range(n, n - m1, -1):
            cc = buf[n - i]
            j = int(cc * float(i)) + 1
            tmpx = px[i]
            px[i] = px[j]
            px[j] = tmpx
            xsum1 = xsum1 + px[i]
        pstat = abs(xsum1 / rm1 - xbar)
        if ostat <= pstat:
            nrej += 1
    return float(nrej) / float(nperm)


@njit(**_JIT)
def _bss_floor(ostat, tss, n):
    """A between-SS below which a permutation can neither reach ``ostat`` (T = bss/((tss-bss)/
    (n-2)) rises with bss) nor trigger DNAcopy's raising of ``tss``. Kept 1e-9 below both
    limits, so that rounding cannot matter: a permutation whose maximum reaches the floor is
    recomputed in full by DNAcopy's own routine, so the test's outcome is exactly DNAcopy's
    while most permutations skip most of the scan."""
    f = ostat * tss / (float(n) - 2.0 + ostat)
    g = tss - 0.0001
    if g < f:
        f = g
    f *= 1.0 - 1e-9
    return f if f > 0.0 else 0.0


@njit(**_JIT)
def fndcpt(x, tss, nperm, cpval, hybrid, al0, hk, delta, ngrid, sbdry, tol, rng, mt):
    """DNAcopy ``fndcpt``: test the centred segment ``x[1..n]`` for one or two change points.

    Returns (ncpt, icpt1, icpt2): the change points are relative positions (the last probe of
    the left part). ``sbdry`` is 1-based, like ``x``. Draws come from ``mt`` (R's generator)
    when it is non-empty, else from ``rng``.
    """
    n = x.shape[0] - 1
    px = np.empty(n + 1)
    sx = np.empty(n + 1)
    buf = np.empty(n)
    nrej = 0
    ostat, iseg1, iseg2, tss = tmaxo(x, tss, al0)
    ostat1 = math.sqrt(ostat)
    ostat = ostat * 0.99999
    if ostat1 <= 0.1:
        return 0, 0, 0
    l = min(iseg2 - iseg1, n - iseg2 + iseg1)
    if not (ostat1 >= 7.0 and l >= 10):
        if hybrid:
            pval1 = tailp(ostat1, delta, n, ngrid, tol)
            if pval1 > cpval:
                return 0, 0, 0
            pval2 = cpval - pval1
            nrejc = int(pval2 * float(nperm))
            k = nrejc * (nrejc + 1) // 2 + 1
            for np_ in range(1, nperm + 1):
                xperm(n, x, px, rng, mt, buf)
                floor = _bss_floor(ostat, tss, n)
                if _htmax_bss(n, hk, px, sx, al0, floor) >= floor:
                    pstat, tss = htmaxp(n, hk, tss, px, sx, al0)
                else:
                    pstat = -1.0  # below ostat, and tss would stay as it is
                if ostat <= pstat:
                    nrej += 1
                    k += 1
                if nrej > nrejc:
                    return 0, 0, 0
                if np_ >= sbdry[k]:
                    break
        else:
            nrejc = int(cpval * float(nperm))
            k = nrejc * (nrejc + 1) // 2 + 1
            work = _tmax_work(n)
            fw1, iw1, fw2, iw2 = work
            for np_ in range(1, nperm + 1):
                xperm(n, x, px, rng, mt, buf)
                floor = _bss_floor(ostat, tss, n)
                if _tmax_blocks(n, px, sx, al0, False, floor, fw1, iw1, fw2, iw2)[0] >= floor:
                    pstat, tss = tmaxp(n, tss, px, sx, al0, work)
                else:
                    pstat = -1.0
                if ostat <= pstat:
                    nrej += 1
                    k += 1
                if nrej > nrejc:
                    return 0, 0, 0
                if np_ >= sbdry[k]:
                    break
    # label 200: significant; decide between one and two change points
    if iseg2 == n:
        return 1, iseg1, 0
    if iseg1 == 0:
        return 1, iseg2, 0
    ncpt = 0
    c1 = 0
    c2 = 0
    n1 = iseg1
    n12 = iseg2
    n2 = n12 - n1
    tpval = tpermp(n1, n2, n12, x, 0, px, nperm, rng, mt)
    if tpval <= cpval:
        ncpt = 1
        c1 = iseg1
    n12 = n - iseg1
    n2 = n - iseg2
    n1 = n12 - n2
    tpval = tpermp(n1, n2, n12, x, iseg1, px, nperm, rng, mt)
    if tpval <= cpval:
        ncpt += 1
        if ncpt == 1:
            c1 = iseg2
        else:
            c2 = iseg2
    return ncpt, c1, c2


@njit(**_JIT)
def smooth_lr(gdat, cfrq, k, osd, ssd):
    """DNAcopy ``smoothLR``: pull single-probe outliers to the neighbourhood median +- ssd,
    chromosome by chromosome (``cfrq`` = probes per chromosome, in order). 0-based arrays."""
    n = gdat.shape[0]
    sgdat = np.empty(n)
    xnbhd = np.empty(2 * k + 1)
    cilo = 0
    for ic in range(cfrq.shape[0]):
        cihi = cilo + cfrq[ic] - 1
        for i in range(cilo, cihi + 1):
            ilo = max(cilo, i - k)
            ihi = min(cihi, i + k)
            mxnbd = 100 * osd
            mnnbd = 100 * osd
            close = False
            for j in range(ilo, ihi + 1):
                if j != i:
                    distij = gdat[i] - gdat[j]
                    if abs(distij) <= osd:
                        close = True
                        break
                    if distij < mxnbd:
                        mxnbd = distij
                    if -distij < mnnbd:
                        mnnbd = -distij
            if close or (mxnbd <= 0 and mnnbd <= 0):
                sgdat[i] = gdat[i]
                continue
            k1 = ihi - ilo + 1
            for j in range(ilo, ihi + 1):
                xnbhd[j - ilo] = gdat[j]
            srt = np.sort(xnbhd[:k1])
            j1 = k1 // 2
            if k1 == 2 * j1:
                xmed = (srt[j1 - 1] + srt[j1]) / 2
            else:
                xmed = srt[j1]
            # both tests as in the Fortran: with a one-probe chromosome both hold and the
            # second assignment wins
            if mxnbd > 0:
                sgdat[i] = xmed + ssd
            if mnnbd > 0:
                sgdat[i] = xmed - ssd
        cilo = cihi + 1
    return sgdat


@njit(**_JIT)
def _errssq(lseg, sx, k, loc):
    """DNAcopy ``errssq``: sum over the merged segments of (sum)^2/count (1-based arrays)."""
    nseg = lseg.shape[0] - 1
    err = 0.0
    segsx = 0.0
    segnx = 0
    for i in range(1, loc[1] + 1):
        segsx = segsx + sx[i]
        segnx = segnx + lseg[i]
    err = err + segsx**2 / float(segnx)
    for j in range(2, k + 1):
        segsx = 0.0
        segnx = 0
        for i in range(loc[j - 1] + 1, loc[j] + 1):
            segsx = segsx + sx[i]
            segnx = segnx + lseg[i]
        err = err + segsx**2 / float(segnx)
    segsx = 0.0
    segnx = 0
    for i in range(loc[k] + 1, nseg + 1):
        segsx = segsx + sx[i]
        segnx = segnx + lseg[i]
    err = err + segsx**2 / float(segnx)
    return err


@njit(**_JIT)
def prune(x, lseg, pcut):
    """DNAcopy ``prune`` (Lai et al.): the fewest change points whose residual sum of squares
    is within a factor 1+pcut of the full set's. ``x`` and ``lseg`` are 1-based.

    Returns (pncpt, loc): like the Fortran, ``loc[1..pncpt]`` are the kept change points as
    indices into the original ones; when even one change point is not needed, ``pncpt`` is 0
    and ``loc[1]`` is left at the last index tried (the R wrapper then keeps that one).
    """
    n = x.shape[0] - 1
    nseg = lseg.shape[0] - 1
    ssq = 0.0
    for i in range(1, n + 1):
        ssq = ssq + x[i] ** 2
    sx = np.zeros(nseg + 1)
    kk = 0
    for i in range(1, nseg + 1):
        sx[i] = 0.0
        for j in range(1, lseg[i] + 1):
            kk += 1
            sx[i] = sx[i] + x[kk]
    k = nseg - 1
    loc = np.zeros(max(k, 1) + 1, np.int64)
    loc1 = np.zeros((3, max(k, 1) + 1), np.int64)
    for i in range(1, k + 1):
        loc[i] = i
        loc1[2, i] = i
    if k == 0:
        return 0, loc
    wssqk = ssq - _errssq(lseg, sx, k, loc)
    for j in range(k - 1, 0, -1):
        kmj = k - j
        jleft = True
        for i in range(1, j + 1):
            loc[i] = i
            loc1[1, i] = i
        wssqj = ssq - _errssq(lseg, sx, j, loc)
        while jleft:
            # combn (AS 88): next combination of j out of k in lexicographic order
            i = j
            while loc[i] == kmj + i:
                i -= 1
            loc[i] = loc[i] + 1
            for jj in range(i + 1, j + 1):
                loc[jj] = loc[jj - 1] + 1
            if loc[1] == kmj + 1:
                jleft = False
            wssq1 = ssq - _errssq(lseg, sx, j, loc)
            if wssq1 <= wssqj:
                wssqj = wssq1
                for i in range(1, j + 1):
                    loc1[1, i] = loc[i]
        if wssqj / wssqk > 1 + pcut:
            pncpt = j + 1
            for i in range(1, pncpt + 1):
                loc[i] = loc1[2, i]
            return pncpt, loc
        else:
            for i in range(1, j + 1):
                loc1[2, i] = loc1[1, i]
    return 0, loc


# ---------------------------------------------------------------------------------------------
# Sequential-boundary table (DNAcopy getbdry.f): R's hypergeometric distribution function.
# DNAcopy calls R's phyper; Loader's saddle-point dbinom_raw keeps it accurate to a few ulps,
# so the boundary table comes out the same integers (checked against default.DNAcopy.bdry).

# stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) at n = 0, 1/2, 1, ..., 15 (R's sferr_halves)
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
_LN_2PI = 1.837877066409345483560659472811
_DBL_EPSILON = 2.220446049250313e-16


@njit(**_JIT)
def _stirlerr(n):
    """Stirling-formula error for integer ``n >= 0`` (R nmath ``stirlerr``)."""
    s0 = 1.0 / 12
    s1 = 1.0 / 360
    s2 = 1.0 / 1260
    s3 = 1.0 / 1680
    s4 = 1.0 / 1188
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
    """Deviance term x log(x/np) + np - x, accurate when x is close to np (R nmath ``bd0``)."""
    if abs(x - np_) < 0.1 * (x + np_):
        v = (x - np_) / (x + np_)
        s = (x - np_) * v
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
def _dbinom_raw(x, n, p, q):
    if p == 0:
        return 1.0 if x == 0 else 0.0
    if q == 0:
        return 1.0 if x == n else 0.0
    if x == 0:
        if n == 0:
            return 1.0
        lc = -_bd0(n, n * q) - n * p if p < 0.1 else n * math.log(q)
        return math.exp(lc)
    if x == n:
        lc = -_bd0(n, n * p) - n * q if q < 0.1 else n * math.log(p)
        return math.exp(lc)
    if x < 0 or x > n:
        return 0.0
    lc = _stirlerr(n) - _stirlerr(x) - _stirlerr(n - x) - _bd0(x, n * p) - _bd0(n - x, n * q)
    lf = _LN_2PI + math.log(x) + math.log1p(-x / n)
    return math.exp(lc - 0.5 * lf)


@njit(**_JIT)
def _dhyper(x, r, b, n):
    if n < x or r < x or n - x > b:
        return 0.0
    if n == 0:
        return 1.0 if x == 0 else 0.0
    p = n / (r + b)
    q = (r + b - n) / (r + b)
    return _dbinom_raw(x, r, p, q) * _dbinom_raw(n - x, b, p, q) / _dbinom_raw(n, r + b, p, q)


@njit(**_JIT)
def phyper(x, nr, nb, n):
    """P(X <= x) for X hypergeometric: n draws from nr red and nb black (R ``phyper``)."""
    x = math.floor(x + 1e-7)
    lower = True
    if x * (nr + nb) > n * nr:
        nr, nb = nb, nr
        x = n - x - 1
        lower = False
    if x < 0:
        return 0.0 if lower else 1.0
    if x >= nr or x >= n:
        return 1.0 if lower else 0.0
    d = _dhyper(x, nr, nb, n)
    # pdhyper: sum of the ratios of the lower-tail terms to the density at x
    s = 0.0
    term = 1.0
    while x > 0 and term >= _DBL_EPSILON * s:
        term *= x * (nb - n + x) / (n + 1 - x) / (nr + 1 - x)
        s += term
        x -= 1
    pd = d * (1 + s)
    return pd if lower else 0.5 - pd + 0.5


@njit(**_JIT)
def etabdry(nperm, eta0, n1s, out):
    """DNAcopy ``etabdry``: out[0..n1s-1] = the permutation counts at which the k-th exceedance
    (k = 0..n1s-1 seen so far) makes the hypergeometric tail probability drop to eta0.

    The Fortran scans i = 1..nperm; P(X <= k) falls as i grows, so the first i after the
    previous boundary where it is <= eta0 is found by bisection instead (same integers).
    """
    dn1s = float(n1s)
    dn = float(nperm - n1s)
    prev = 0
    for k in range(n1s):
        dk = float(k)
        lo = prev + 1
        if phyper(dk, dn1s, dn, float(lo)) <= eta0:
            out[k] = lo
            prev = lo
            continue
        hi = nperm  # P(X <= k) = 0 < eta0 when every permutation is drawn
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if phyper(dk, dn1s, dn, float(mid)) <= eta0:
                hi = mid
            else:
                lo = mid
        out[k] = hi
        prev = hi


_ALGMCS = np.array([
    +0.1666389480451863247205729650822e0, -0.1384948176067563840732986059135e-4,
    +0.9810825646924729426157171547487e-8, -0.1809129475572494194263306266719e-10,
    +0.6221098041892605227126015543416e-13,
])
_LN_SQRT_2PI = 0.918938533204672741780329736406


@njit(**_JIT)
def _lgammacor(x):
    """log Gamma(x) minus its Stirling approximation, x >= 10 (R nmath ``lgammacor``)."""
    if x < 94906265.62425156:
        tmp = 10 / x
        t = tmp * tmp * 2 - 1
        twox = t * 2
        b0 = 0.0
        b1 = 0.0
        b2 = 0.0
        for i in range(1, 6):
            b2 = b1
            b1 = b0
            b0 = twox * b1 - b2 + _ALGMCS[5 - i]
        return (b0 - b2) * 0.5 / x
    return 1 / (x * 12)


@njit(**_JIT)
def _lbeta(a, b):
    """log Beta(a, b) for a, b > 0 (R nmath ``lbeta``)."""
    p = min(a, b)
    q = max(a, b)
    if p >= 10:
        corr = _lgammacor(p) + _lgammacor(q) - _lgammacor(p + q)
        return math.log(q) * -0.5 + _LN_SQRT_2PI + corr + (p - 0.5) * math.log(p / (p + q)) + q * math.log1p(-p / (p + q))
    if q >= 10:
        corr = _lgammacor(q) - _lgammacor(p + q)
        return math.lgamma(p) + corr + p - p * math.log(p + q) + (q - 0.5) * math.log1p(-p / (p + q))
    return math.log(math.gamma(p) * (math.gamma(q) / math.gamma(p + q)))


@njit(**_JIT)
def _lchoose(n, k):
    """R ``lchoose`` for integer-valued 0 <= k and n >= 0."""
    if k < 2:
        if k < 0:
            return -np.inf
        if k == 0:
            return 0.0
        return math.log(abs(n))
    if n < k:
        return -np.inf
    if n - k < 2:
        return _lchoose(n, n - k)
    return -math.log(n + 1.0) - _lbeta(n - k + 1.0, k + 1.0)


_LOG2_REAL = float(np.float32(np.log(np.float32(2.0))))  # Fortran log(2.0): single precision


@njit(**_JIT)
def pexceed(nperm, n1s, ibdry):
    """DNAcopy ``pexceed``: probability that the sequential test with boundary ``ibdry``
    (0-based: ibdry[0] is the Fortran ibdry(1)) stops on exceedances."""
    dn = float(nperm)
    dk = float(n1s)
    dlcnk = _lchoose(dn, dk)
    dn1 = float(nperm - ibdry[0])
    pexcd = math.exp(_lchoose(dn1, dk) - dlcnk)
    if n1s >= 2:
        dn1 = float(ibdry[0])
        dn = float(nperm - ibdry[1])
        dk = float(n1s - 1)
        pexcd = pexcd + math.exp(math.log(dn1) + _lchoose(dn, dk) - dlcnk)
    if n1s >= 3:
        dn1 = float(ibdry[0])
        dn2 = float(ibdry[1])
        dn = float(nperm - ibdry[2])
        dk = float(n1s - 2)
        pexcd = (
            pexcd
            + math.exp(math.log(dn1) + math.log(dn1 - 1.0) - _LOG2_REAL + _lchoose(dn, dk) - dlcnk)
            + math.exp(math.log(dn1) + math.log(dn2 - dn1) + _lchoose(dn, dk) - dlcnk)
        )
    for i in range(4, n1s + 1):
        dn1 = float(ibdry[i - 4])
        dk1 = float(i - 1)
        dk2 = float(i - 2)
        dk3 = float(i - 3)
        dn2 = float(ibdry[i - 3])
        dn3 = float(ibdry[i - 2])
        dn = float(nperm - ibdry[i - 1])
        dk = float(n1s - i + 1)
        pexcd = (
            pexcd
            + math.exp(_lchoose(dn1, dk1) + _lchoose(dn, dk) - dlcnk)
            + math.exp(_lchoose(dn1, dk2) + math.log(dn3 - dn1) + _lchoose(dn, dk) - dlcnk)
            + math.exp(_lchoose(dn1, dk3) + math.log(dn2 - dn1) + math.log(dn3 - dn2) + _lchoose(dn, dk) - dlcnk)
            + math.exp(_lchoose(dn1, dk3) + math.log(dn2 - dn1) - _LOG2_REAL + math.log(dn2 - dn1 - 1.0) + _lchoose(dn, dk) - dlcnk)
        )
    return pexcd


_REAL_1_1 = float(np.float32(1.1))  # the Fortran literal 1.1 is single precision


@njit(**_JIT)
def getbdry(eta, nperm, mb, tol):
    """DNAcopy ``getbdry`` (see :func:`metevo.cn.cbs.getbdry`)."""
    bdry = np.zeros(mb * (mb + 1) // 2, np.int64)
    bdry[0] = nperm - int(float(nperm) * eta)
    eta0 = eta
    l = 1
    for j in range(2, mb + 1):
        seg = bdry[l : l + j]
        etahi = eta0 * _REAL_1_1
        etabdry(nperm, etahi, j, seg)
        phi = pexceed(nperm, j, seg)
        etalo = eta0 * 0.25
        etabdry(nperm, etalo, j, seg)
        plo = pexceed(nperm, j, seg)
        while (etahi - etalo) / etalo > tol:
            eta0 = etalo + (etahi - etalo) * (eta - plo) / (phi - plo)
            etabdry(nperm, eta0, j, seg)
            pexcd = pexceed(nperm, j, seg)
            if pexcd > eta:
                etahi = eta0
                phi = pexcd
            else:
                etalo = eta0
                plo = pexcd
        l += j
    return bdry
