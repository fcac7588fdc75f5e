"""Consensus of somatic callers: the variants at least k callers PASS, with one set of counts.

The recipe is the common one of multi-caller studies (algorithms.md section 11.2; e.g. the
MC3 TCGA calls, Ellrott et al. 2018, Cell Systems 6:271, and nf-core/sarek's consensus): calls
are normalised (split, trimmed, left-aligned: :mod:`metevo.io.vcf`), each caller's PASS calls
are taken, a variant (chromosome, position, REF, ALT) is kept when at least ``min_callers``
different callers report it (several files of one caller, such as Strelka2's SNV and indel
VCFs, count once), and then read-count thresholds are applied.

Depth and allele counts are those of one caller per variant, the first in
:data:`CALLER_PRIORITY` that reports them: Mutect2 (local reassembly, the most widely used),
Strelka2 (tier-1 counts), VarDict, VarScan2, MuSE, LoFreq, SomaticSniper, Scalpel (k-mer
depths, not read counts). Tumour and normal counts may come from different callers when the
first caller has no normal column. The annotation (gene, class, protein change) comes from
the first caller in the same order whose VCF is annotated; the genotype from the caller of
the tumour counts.

Default thresholds (:class:`Thresholds`), within the range the field uses for exomes
(algorithms.md 11.2: depth 10-20, ALT reads 3-5, VAF 0.05, normal depth 8-10, normal VAF
0.01-0.02): tumour depth >= 10, ALT reads >= 3, VAF (ALT / depth) >= 0.05; when the variant
has normal counts, normal depth >= 6 (Mutect2's and Strelka2's germline-risk models work
down to about that depth) and normal VAF <= 0.02. A variant without tumour counts from any
caller fails the tumour thresholds (unless they are all set to 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.variants import vcf_to_maf

CALLER_PRIORITY: tuple[str, ...] = ("mutect2", "strelka2", "vardict", "varscan2", "muse", "lofreq", "somaticsniper", "scalpel")
KEY = ("chrom", "pos", "ref", "alt")
VARIANT_COLUMNS = (
    "chrom", "pos", "ref", "alt",
    "t_depth", "t_ref_count", "t_alt_count", "t_vaf", "n_depth", "n_ref_count", "n_alt_count",
    "Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "Transcript_ID", "Consequence",
    "genotype", "callers", "n_callers", "counts_caller",
)
SUMMARY_COLUMNS = ("caller", "records", "pass", "after_thresholds", "in_consensus")


@dataclass(frozen=True)
class Thresholds:
    """Read-count filters (module docstring explains the defaults)."""

    min_depth: int = 10
    min_alt: int = 3
    min_vaf: float = 0.05
    min_normal_depth: int = 6
    max_normal_vaf: float = 0.02

    def check(self) -> None:
        """Raise ValueError naming the first impossible value."""
        for name in ("min_depth", "min_alt", "min_normal_depth"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("min_vaf", "max_normal_vaf"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be a fraction in [0, 1], got {value}")


@dataclass(frozen=True)
class EnsembleResult:
    variants: pd.DataFrame  # VARIANT_COLUMNS, one row per kept variant
    summary: pd.DataFrame  # SUMMARY_COLUMNS, one row per caller


def _vaf(alt: pd.Series, depth: pd.Series) -> np.ndarray:
    a = alt.to_numpy(dtype=float, na_value=np.nan)
    d = depth.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d > 0, a / d, np.nan)


def threshold_mask(table: pd.DataFrame, thresholds: Thresholds) -> np.ndarray:
    """Rows of a table with t_depth, t_alt_count, n_depth, n_alt_count that pass the thresholds.

    Missing tumour counts fail a positive tumour threshold; the normal thresholds apply only
    to rows whose normal depth is known.
    """
    t_depth = table["t_depth"].to_numpy(dtype=float, na_value=np.nan)
    t_alt = table["t_alt_count"].to_numpy(dtype=float, na_value=np.nan)
    t_vaf = _vaf(table["t_alt_count"], table["t_depth"])
    ok = np.ones(len(table), dtype=bool)
    if thresholds.min_depth > 0:
        ok &= t_depth >= thresholds.min_depth
    if thresholds.min_alt > 0:
        ok &= t_alt >= thresholds.min_alt
    if thresholds.min_vaf > 0:
        ok &= t_vaf >= thresholds.min_vaf
    n_depth = table["n_depth"].to_numpy(dtype=float, na_value=np.nan)
    has_normal = ~np.isnan(n_depth)
    n_vaf = _vaf(table["n_alt_count"], table["n_depth"])
    normal_ok = (n_depth >= thresholds.min_normal_depth) & ~(n_vaf > thresholds.max_normal_vaf)
    ok &= ~has_normal | normal_ok
    return ok


def _first_where(eligible: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per group (rows sorted by caller rank within groups): offset of the first eligible row, or -1."""
    n = len(eligible)
    if not n or not len(starts):
        return np.zeros(len(starts), dtype=np.int64)
    idx = np.where(eligible, np.arange(n), n)
    first = np.minimum.reduceat(idx, starts)
    return np.where(first < n, first, -1)


_STRING_COLUMNS = ("Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "Transcript_ID", "Consequence", "genotype")
_T_COUNTS = ("t_depth", "t_ref_count", "t_alt_count")
_N_COUNTS = ("n_depth", "n_ref_count", "n_alt_count")


def consensus(
    calls: Mapping[str, pd.DataFrame],
    *,
    min_callers: int = 2,
    thresholds: Thresholds = Thresholds(),
    priority: Sequence[str] = CALLER_PRIORITY,
) -> EnsembleResult:
    """Variants PASSed by at least ``min_callers`` callers that pass ``thresholds``.

    ``calls`` maps a caller name to its calls table (:func:`metevo.io.vcf.read_caller_vcf`;
    several files of one caller concatenated). A caller reporting the same variant twice
    counts once (its first record is used). Returns the kept variants (grouped by chromosome
    in input order, then by position and alleles) with their callers and the counts of the
    priority caller (``counts_caller``), and a per-caller summary: calls-table rows (one per
    ALT), PASS rows, distinct PASS variants meeting the thresholds with the caller's own
    counts, and distinct PASS variants in the final consensus.
    """
    if min_callers < 1:
        raise ValueError(f"min_callers must be >= 1, got {min_callers}")
    thresholds.check()
    priority = list(priority)
    unknown = [c for c in calls if c not in priority]
    if unknown:
        raise ValueError(f"callers not in the priority list: {unknown}")
    callers = sorted(calls, key=priority.index)
    # the PASS rows of every caller, as flat arrays (no per-row Python)
    columns: dict[str, list] = {c: [] for c in KEY + _STRING_COLUMNS + _T_COUNTS + _N_COUNTS}
    masks: dict[str, list] = {c: [] for c in _T_COUNTS + _N_COUNTS}
    rank_parts, caller_parts = [], []
    for caller in callers:
        table = calls[caller]
        rows = np.flatnonzero(table["is_pass"].to_numpy(dtype=bool))
        for c in KEY + _STRING_COLUMNS:
            columns[c].append(table[c].to_numpy(dtype=object if c != "pos" else np.int64)[rows])
        for c in _T_COUNTS + _N_COUNTS:
            values = table[c].array
            columns[c].append(np.asarray(values.to_numpy(dtype=np.int64, na_value=0))[rows])
            masks[c].append(np.asarray(values.isna())[rows])
        rank_parts.append(np.full(len(rows), priority.index(caller), dtype=np.int64))
        caller_parts.append(np.full(len(rows), caller, dtype=object))
    flat = {c: np.concatenate(v) if v else np.zeros(0) for c, v in columns.items()}
    na = {c: np.concatenate(v) if v else np.zeros(0, bool) for c, v in masks.items()}
    rank = np.concatenate(rank_parts) if rank_parts else np.zeros(0, np.int64)
    caller_of = np.concatenate(caller_parts) if caller_parts else np.zeros(0, object)
    variants, own_keys = _combine(flat, na, rank, caller_of, min_callers, priority)
    keep = threshold_mask(variants, thresholds) if len(variants) else np.zeros(0, bool)
    variants = variants[keep].reset_index(drop=True)
    summary = _summary(calls, callers, flat, na, rank, own_keys, keep, thresholds, priority)
    return EnsembleResult(variants=variants, summary=summary)


def _combine(flat, na, rank, caller_of, min_callers, priority):
    """Group PASS rows by variant key; returns (variants with >= min_callers callers, before
    thresholds; and for the summary: the sorted de-duplicated row order, the group of each
    of those rows, and which groups had enough callers)."""
    n = len(rank)
    if not n:
        return _empty_variants(), None
    chrom = pd.factorize(flat["chrom"])[0].astype(np.int64)
    ref = pd.factorize(flat["ref"])[0].astype(np.int64)
    alt, alt_names = pd.factorize(flat["alt"])
    pos = flat["pos"].astype(np.int64)
    # two integer keys (locus; alleles then caller rank) sort faster than five columns;
    # lexsort is stable, so a caller's records of one variant stay in file order
    locus = chrom * (int(pos.max()) + 1) + pos
    alleles = ref * len(alt_names) + alt.astype(np.int64)
    order = np.lexsort((alleles * len(priority) + rank, locus))
    lo, al, k = locus[order], alleles[order], rank[order]
    same_key = np.zeros(n, dtype=bool)
    same_key[1:] = (lo[1:] == lo[:-1]) & (al[1:] == al[:-1])
    duplicate = np.zeros(n, dtype=bool)  # a caller's second record of one variant
    duplicate[1:] = same_key[1:] & (k[1:] == k[:-1])
    order = order[~duplicate]
    same_key = same_key[~duplicate]
    starts = np.flatnonzero(~same_key)
    n_callers = np.diff(np.append(starts, len(order)))
    bits = np.left_shift(np.int64(1), rank[order])
    caller_masks = np.bitwise_or.reduceat(bits, starts)
    group_of = np.cumsum(~same_key) - 1
    candidate = n_callers >= min_callers
    own_keys = (order, group_of, candidate)
    if not candidate.any():
        return _empty_variants(), own_keys
    rows = order[candidate[group_of]]  # sorted rows of the candidate groups
    g_len = n_callers[candidate]
    g_start = np.concatenate([[0], np.cumsum(g_len)[:-1]]).astype(np.int64)
    t_ok = ~(na["t_depth"][rows] | na["t_alt_count"][rows])
    n_ok = ~na["n_depth"][rows]
    ann_ok = flat["Variant_Classification"][rows] != ""
    t_src = _first_where(t_ok, g_start)
    n_src = _first_where(n_ok, g_start)
    a_src = _first_where(ann_ok, g_start)
    head = rows[g_start]
    out = {
        "chrom": flat["chrom"][head],
        "pos": flat["pos"][head].astype(np.int64),
        "ref": flat["ref"][head],
        "alt": flat["alt"][head],
    }

    def counts(column: str, src: np.ndarray) -> pd.arrays.IntegerArray:
        row = rows[np.maximum(src, 0)]
        return pd.arrays.IntegerArray(flat[column][row].astype(np.int64), na[column][row] | (src < 0))

    for column in _T_COUNTS:
        out[column] = counts(column, t_src)
    for column in _N_COUNTS:
        out[column] = counts(column, n_src)
    for column in ("Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "Transcript_ID", "Consequence"):
        values = flat[column][rows[np.maximum(a_src, 0)]]
        out[column] = np.where(a_src >= 0, values, "")
    out["genotype"] = flat["genotype"][rows[np.where(t_src >= 0, t_src, g_start)]]
    names = {}
    for mask in np.unique(caller_masks).tolist():
        names[mask] = ",".join(sorted(priority[i] for i in range(len(priority)) if mask >> i & 1))
    out["callers"] = np.array([names[m] for m in caller_masks[candidate].tolist()], dtype=object)
    out["n_callers"] = g_len.astype(np.int64)
    out["counts_caller"] = np.where(t_src >= 0, caller_of[rows[np.maximum(t_src, 0)]], "")
    out["t_vaf"] = _vaf(pd.Series(out["t_alt_count"]), pd.Series(out["t_depth"]))
    # object columns: the strings are already Python strings, no conversion needed
    frame = pd.DataFrame({c: (pd.Series(out[c], dtype=object) if isinstance(out[c], np.ndarray) and out[c].dtype == object else out[c])
                          for c in VARIANT_COLUMNS})
    return frame, own_keys


def _empty_variants() -> pd.DataFrame:
    out = pd.DataFrame({c: pd.Series(dtype="str") for c in VARIANT_COLUMNS})
    out["pos"] = pd.Series(dtype=np.int64)
    for c in _T_COUNTS + _N_COUNTS:
        out[c] = pd.Series(dtype="Int64")
    out["t_vaf"] = pd.Series(dtype=float)
    out["n_callers"] = pd.Series(dtype=np.int64)
    return out


def _summary(calls, callers, flat, na, rank, own_keys, keep, thresholds, priority) -> pd.DataFrame:
    n_pass_rows = {c: int(calls[c]["is_pass"].sum()) for c in callers}
    after = dict.fromkeys(callers, 0)
    inside = dict.fromkeys(callers, 0)
    if own_keys is not None:
        order, group_of, candidate = own_keys
        own = pd.DataFrame({c: pd.arrays.IntegerArray(flat[c][order].astype(np.int64), na[c][order]) for c in _T_COUNTS + _N_COUNTS})
        meets = threshold_mask(own, thresholds)
        final_group = np.zeros(len(candidate), dtype=bool)
        final_group[np.flatnonzero(candidate)[keep]] = True
        in_final = final_group[group_of]
        caller_rank = rank[order]
        for caller in callers:
            mine = caller_rank == priority.index(caller)
            after[caller] = int((meets & mine).sum())
            inside[caller] = int((in_final & mine).sum())
    rows = [(c, len(calls[c]), n_pass_rows[c], after[c], inside[c]) for c in callers]
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def to_maf(variants: pd.DataFrame, *, tumor_sample: str, normal_sample: str = "", ncbi_build: str = "") -> pd.DataFrame:
    """metevo MAF rows (metevo.io.maf.MAF_COLUMNS) of consensus variants (vcf2maf conventions).

    Coordinates and Variant_Type by :func:`metevo.variants.vcf_to_maf`; an unannotated
    variant is ``Hugo_Symbol`` 'Unknown' and ``Variant_Classification`` 'Targeted_Region'
    (vcf2maf without VEP); ``Tumor_Seq_Allele1`` is the ALT for a homozygous-ALT genotype,
    else the reference allele; ``Entrez_Gene_Id`` 0, ``Center`` '.', ``Strand`` '+'.
    """
    n = len(variants)
    pos = variants["pos"].to_numpy(dtype=np.int64)
    ref = variants["ref"].tolist()
    alt = variants["alt"].tolist()
    start = pos.copy()
    end = pos.copy()
    maf_ref = list(ref)
    maf_alt = list(alt)
    vtype = ["SNP"] * n
    for i in range(n):
        if len(ref[i]) == 1 and len(alt[i]) == 1:
            continue
        start[i], end[i], maf_ref[i], maf_alt[i], vtype[i] = vcf_to_maf(int(pos[i]), ref[i], alt[i])
    genotype = variants["genotype"].tolist()
    hom = {g: _homozygous_alt(g) for g in set(genotype)}
    allele1 = [a if hom[g] else r for g, r, a in zip(genotype, maf_ref, maf_alt)]
    symbol = variants["Hugo_Symbol"].tolist()
    vclass = variants["Variant_Classification"].tolist()
    maf = pd.DataFrame({
        "Hugo_Symbol": [s or "Unknown" for s in symbol],
        "Entrez_Gene_Id": np.zeros(n, dtype=np.int64),
        "Center": ".",
        "NCBI_Build": ncbi_build,
        "Chromosome": variants["chrom"].tolist(),
        "Start_Position": start,
        "End_Position": end,
        "Strand": "+",
        "Variant_Classification": [v or "Targeted_Region" for v in vclass],
        "Variant_Type": vtype,
        "Reference_Allele": maf_ref,
        "Tumor_Seq_Allele1": allele1,
        "Tumor_Seq_Allele2": maf_alt,
        "Tumor_Sample_Barcode": tumor_sample,
        "Matched_Norm_Sample_Barcode": normal_sample,
        "HGVSp_Short": variants["HGVSp_Short"].tolist(),
        "Transcript_ID": variants["Transcript_ID"].tolist(),
        "Consequence": variants["Consequence"].tolist(),
        "t_depth": variants["t_depth"].array,
        "t_ref_count": variants["t_ref_count"].array,
        "t_alt_count": variants["t_alt_count"].array,
        "t_vaf": variants["t_vaf"].to_numpy(dtype=float),
        "n_depth": variants["n_depth"].array,
        "n_ref_count": variants["n_ref_count"].array,
        "n_alt_count": variants["n_alt_count"].array,
        "callers": variants["callers"].tolist(),
        "n_callers": variants["n_callers"].to_numpy(dtype=np.int64),
    }, index=pd.RangeIndex(n))
    return maf


def _homozygous_alt(genotype: str) -> bool:
    if not genotype:
        return False
    alleles = genotype.replace("|", "/").split("/")
    return all(a == "1" for a in alleles)
