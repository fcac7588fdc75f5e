"""Cancer cell fraction (CCF), multiplicity and clonal calls of somatic mutations.

The standard model (McGranahan et al. 2015, Sci Transl Med 7:283ra54; the same one ABSOLUTE,
Carter et al. 2012, and PyClone use; docs/clonality-loh.md): with purity ``p``, the tumour's
local total copy number ``N_t``, the normal copy number ``N_n`` (2), a mutation present on
``m`` copies in a fraction ``c`` of cancer cells has expected allele fraction

    f(c, m) = p * c * m / (p * N_t + (1 - p) * N_n)

From the observed VAF ``v = alt / depth``:

* mutation copy number ``u = v * (p * N_t + (1 - p) * N_n) / p`` (= m * c);
* multiplicity ``m = max(1, round(u))``, at most the major copy number (the number of copies
  one allele has; the total when the major copy number is unknown); round half up;
* CCF point estimate ``min(1, u / m)``;
* posterior over CCF on the grid 0.01, 0.02, ..., 1.00 with a uniform prior and binomial
  likelihood ``Binom(alt | depth, f(c, m))``; ``p_ccf_gt_0_9`` = posterior mass above 0.9
  (grid 0.91 .. 1.00, McGranahan's ``prob.clonal``);
* 95% interval: the highest-density set, as McGranahan et al.'s code computes it (grid points
  in decreasing posterior order until 95% of the mass; the interval spans the points taken).

Clonal rule (McGranahan et al. 2015): **clonal when the 95% interval reaches 1** (its upper
bound is 1.00), subclonal otherwise; ``p_ccf_gt_0_9`` is reported beside it for those who use
the P(CCF > 0.9) > 0.5 rule. Deviation from docs' "interval from the CDF": an equal-tailed
interval on this grid reaches 1.00 only when the last grid point alone holds 2.5% of the mass,
so a mutation at exactly the clonal VAF is called subclonal at depth 20 (upper bound 0.99);
the highest-density interval always contains the posterior mode. ``indeterminate`` when the depth is below 20, the purity is
unknown, or the local copy number is unknown or 0 (a mutation inside a called homozygous
deletion contradicts the segments); the estimates are still given when they can be computed
(not for unknown purity or copy number).

Flags: ``mutant_gain`` when the multiplicity exceeds 1 (the mutant allele was copied);
``wt_loss`` when the multiplicity equals the total copy number (no wild-type copy remains in
the cells carrying the mutation: the mutation sits on the allele retained by LOH).

Local copy number: the segment containing the mutation's start. Segments with a log2 ratio but
no integer copy number get ``N_t = round((2**log2 * (p * ploidy + 2 * (1 - p)) - 2 * (1 - p)) / p)``
(the expected log2 ratio of docs/copynumber-contracts.md solved for the copy number; needs the
sample ploidy) and an unknown minor copy number.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MIN_DEPTH = 20
GRID = np.arange(1, 101) / 100.0  # 0.01 .. 1.00
CLONALITY_COLUMNS = (
    "total_cn", "minor_cn", "major_cn", "expected_vaf_clonal", "multiplicity", "ccf", "ccf_lcl", "ccf_ucl",
    "p_ccf_gt_0_9", "clonality", "wt_loss", "mutant_gain",
)


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def expected_vaf(purity: float, total_cn: int, multiplicity: int, ccf: float = 1.0, normal_cn: int = 2) -> float:
    """Expected VAF ``p c m / (p N_t + (1 - p) N_n)``."""
    return purity * ccf * multiplicity / (purity * total_cn + (1 - purity) * normal_cn)


def mutation_copy_number(vaf: float, purity: float, total_cn: int, normal_cn: int = 2) -> float:
    """``u = v (p N_t + (1 - p) N_n) / p``: copies of the mutation per cancer cell (m * CCF)."""
    return vaf * (purity * total_cn + (1 - purity) * normal_cn) / purity


def multiplicity(u: float, major_cn: int | None, total_cn: int) -> int:
    """``max(1, round(u))`` (half up), at most the major copy number (else the total), at least 1."""
    bound = major_cn if major_cn is not None else total_cn
    return max(1, min(_round_half_up(u), max(1, bound)))


def ccf_posterior(alt: int, depth: int, purity: float, total_cn: int, mult: int, normal_cn: int = 2) -> np.ndarray:
    """Posterior probabilities over :data:`GRID` (uniform prior, binomial likelihood)."""
    from scipy.stats import binom

    f = np.clip(expected_vaf(purity, total_cn, mult, GRID, normal_cn), 0.0, 1.0)
    loglik = binom.logpmf(alt, depth, f)
    if not np.isfinite(loglik).any():
        return np.full(len(GRID), np.nan)
    loglik = loglik - np.max(loglik[np.isfinite(loglik)])
    weights = np.exp(loglik)
    return weights / weights.sum()


def credible_interval(posterior: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Highest-density interval on :data:`GRID`, as in McGranahan et al.'s code: grid points in
    decreasing posterior order are taken until their mass reaches ``level`` (every point as
    probable as the last one taken is included); the interval spans the smallest and largest
    point taken."""
    order = np.argsort(-posterior, kind="stable")
    cumulative = np.cumsum(posterior[order])
    n = min(int(np.sum(cumulative < level)), len(GRID) - 1)
    taken = posterior >= posterior[order[n]]
    chosen = GRID[taken]
    return float(chosen.min()), float(chosen.max())


def mutation_ccf(
    alt: int | None,
    depth: int | None,
    purity: float | None,
    total_cn: int | None,
    major_cn: int | None = None,
    *,
    normal_cn: int = 2,
    min_depth: int = MIN_DEPTH,
) -> dict:
    """CCF estimates and clonal call of one mutation (module docstring); keys :data:`CLONALITY_COLUMNS`
    minus the copy numbers. NaN/None where not computable."""
    result = {
        "expected_vaf_clonal": math.nan, "multiplicity": None, "ccf": math.nan, "ccf_lcl": math.nan,
        "ccf_ucl": math.nan, "p_ccf_gt_0_9": math.nan, "clonality": "indeterminate", "wt_loss": None,
        "mutant_gain": None,
    }
    known = (purity is not None and not math.isnan(purity) and total_cn is not None and total_cn > 0
             and alt is not None and depth is not None and depth > 0)
    if not known:
        return result
    vaf = alt / depth
    u = mutation_copy_number(vaf, purity, total_cn, normal_cn)
    m = multiplicity(u, major_cn, total_cn)
    posterior = ccf_posterior(alt, depth, purity, total_cn, m, normal_cn)
    lcl, ucl = credible_interval(posterior) if np.isfinite(posterior).all() else (math.nan, math.nan)
    p_high = float(posterior[90:].sum()) if np.isfinite(posterior).all() else math.nan  # grid 0.91 .. 1.00
    result.update(
        expected_vaf_clonal=expected_vaf(purity, total_cn, m, 1.0, normal_cn),
        multiplicity=m,
        ccf=min(1.0, u / m),
        ccf_lcl=lcl,
        ccf_ucl=ucl,
        p_ccf_gt_0_9=p_high,
        wt_loss=m == total_cn,
        mutant_gain=m > 1,
    )
    if depth >= min_depth and not math.isnan(ucl):
        result["clonality"] = "clonal" if ucl >= 1.0 else "subclonal"
    return result


def copy_number_from_log2(log2: float, purity: float, ploidy: float) -> int | None:
    """Integer total copy number whose expected log2 ratio is ``log2`` (contracts' call model)."""
    if log2 is None or math.isnan(log2) or purity is None or math.isnan(purity) or ploidy is None or math.isnan(ploidy):
        return None
    ratio = 2.0 ** log2
    value = (ratio * (purity * ploidy + 2 * (1 - purity)) - 2 * (1 - purity)) / purity
    return max(0, _round_half_up(value))


def local_copy_number(maf: pd.DataFrame, segments: pd.DataFrame, *, purity: float | None = None,
                      ploidy: float | None = None) -> pd.DataFrame:
    """``total_cn minor_cn major_cn`` (Int64) of the segment containing each MAF row's start
    (one sample's segments; NA outside every segment)."""
    n = len(maf)
    total = [None] * n
    minor = [None] * n
    major = [None] * n
    by_chrom = {c: g.sort_values("start") for c, g in segments.groupby("chrom", sort=False)}
    chroms = maf["Chromosome"].astype(str).tolist()
    positions = pd.to_numeric(maf["Start_Position"]).astype("int64").tolist()
    for i, (chrom, pos) in enumerate(zip(chroms, positions)):
        seg = by_chrom.get(chrom)
        if seg is None:
            continue
        starts = seg["start"].to_numpy(dtype=np.int64)
        j = int(np.searchsorted(starts, pos, side="right")) - 1
        if j < 0 or pos > int(seg["end"].iat[j]):
            continue
        row = seg.iloc[j]
        t = row["total_cn"]
        if pd.isna(t) and "log2" in seg.columns:
            t = copy_number_from_log2(float(row["log2"]), purity if purity is not None else math.nan,
                                      ploidy if ploidy is not None else math.nan)
        total[i] = None if t is None or pd.isna(t) else int(t)
        minor[i] = None if pd.isna(row["minor_cn"]) or total[i] is None else int(row["minor_cn"])
        major[i] = None if pd.isna(row["major_cn"]) or total[i] is None else int(row["major_cn"])
    return pd.DataFrame({
        "total_cn": pd.array(total, dtype="Int64"),
        "minor_cn": pd.array(minor, dtype="Int64"),
        "major_cn": pd.array(major, dtype="Int64"),
    }, index=maf.index)


def _count(value) -> int | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if text in ("", "NA", "."):
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and number >= 0 else None


def annotate_clonality(
    maf: pd.DataFrame,
    segments: pd.DataFrame,
    *,
    purity: float | None,
    ploidy: float | None = None,
    normal_cn: int = 2,
    min_depth: int = MIN_DEPTH,
) -> pd.DataFrame:
    """The MAF rows of one sample with :data:`CLONALITY_COLUMNS` added (replacing existing ones).

    Depth is ``t_depth`` (else ``t_ref_count + t_alt_count``), alt count ``t_alt_count``;
    ``purity`` None or NaN means unknown (every call indeterminate).
    """
    cn = local_copy_number(maf, segments, purity=purity, ploidy=ploidy)
    out = maf.copy()
    for name in CLONALITY_COLUMNS:
        if name in out.columns:
            out = out.drop(columns=name)
    records = []
    depth_col = out["t_depth"].tolist() if "t_depth" in out.columns else [None] * len(out)
    ref_col = out["t_ref_count"].tolist() if "t_ref_count" in out.columns else [None] * len(out)
    alt_col = out["t_alt_count"].tolist() if "t_alt_count" in out.columns else [None] * len(out)
    for depth, ref, alt, total, major in zip(depth_col, ref_col, alt_col, cn["total_cn"].tolist(), cn["major_cn"].tolist()):
        d, r, a = _count(depth), _count(ref), _count(alt)
        if d is None and r is not None and a is not None:
            d = r + a
        total = None if total is pd.NA or total is None else int(total)
        major = None if major is pd.NA or major is None else int(major)
        p = None if purity is None or (isinstance(purity, float) and math.isnan(purity)) else purity
        records.append(mutation_ccf(a, d, p, total, major, normal_cn=normal_cn, min_depth=min_depth))
    est = pd.DataFrame(records, index=out.index)
    out["total_cn"] = cn["total_cn"]
    out["minor_cn"] = cn["minor_cn"]
    out["major_cn"] = cn["major_cn"]
    out["expected_vaf_clonal"] = est["expected_vaf_clonal"].astype("float64") if len(est) else pd.Series(dtype="float64")
    out["multiplicity"] = pd.array([None if v is None or pd.isna(v) else int(v) for v in est.get("multiplicity", [])], dtype="Int64")
    for name in ("ccf", "ccf_lcl", "ccf_ucl", "p_ccf_gt_0_9"):
        out[name] = est[name].astype("float64") if len(est) else pd.Series(dtype="float64")
    out["clonality"] = est["clonality"] if len(est) else pd.Series(dtype=object)
    for name in ("wt_loss", "mutant_gain"):
        out[name] = pd.array([None if v is None or pd.isna(v) else bool(v) for v in est.get(name, [])], dtype="boolean")
    return out
