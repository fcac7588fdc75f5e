"""Genes mutated more often in metastases, four ways (``metevo enrichment``).

1. **Paired** (algorithms.md section 7.3): over the patients with both a primary and a
   metastasis or recurrence, each gene is classified per patient as mutated in both tumours,
   in the metastasis only (``b``), in the primary only (``c``) or in neither; exact McNemar test
   of ``b`` vs ``c`` (binomial at p = 1/2: statsmodels ``mcnemar(exact=True)``, R
   ``binom.test(b, b + c)``), two-sided and one-sided "gained in the metastasis"
   (P(B >= b)), and R ``mcnemar.test``'s corrected chi-square p for reference.
2. **Unpaired**: every patient's metastases against every patient's primaries, Fisher exact
   test (R ``fisher.test``; maftools ``mafCompare`` columns, as ``metevo compare-cohorts``).
3. **External**: the metastases against an external primary cohort (TCGA, METABRIC, ...):
   Fisher overall, Fisher within each receptor subtype, and the Cochran-Mantel-Haenszel test
   across subtypes (R ``mantelhaen.test``: asymptotic with continuity correction, and the
   exact conditional test), so that a cohort richer in one subtype than the external cohort
   does not make that subtype's genes look metastasis-specific.
4. **Burden-aware tests** (algorithms.md 7.3): metastases carry more mutations, so passenger
   genes are mutated more often in them without selection. Paired: Poisson-binomial over the
   patients mutated in one tumour only, each with its chance from its private mutation counts.
   Unpaired and external: each unit mutated with 1 - (1 - p_g)^n (n its mutations, p_g the
   gene's share), the metastasis count conditional on the gene's mutated units (Fisher's test
   when burdens are equal), summed over subtype strata for the external cohort.
5. **Summary**: the genes the burden-aware tests report in the plain tests' direction (or, with
   ``burden=False``, those with q <= 0.1 in any plain comparison) and the comparisons that
   support them.

The unit is the **patient**: a patient's metastasis unit is mutated in a gene if any of its
metastasis or recurrence samples is, its primary unit if any of its primary samples (regions)
is. Per-patient units keep several metastases of one patient from counting as independent
observations. Rules for samples, subtypes, filters and columns: docs/enrichment.md.

Everything below the readers is pure: tables in, tables out.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from metevo.errors import InputError

HR_POS_HER2_NEG = "HR+/HER2-"
HER2_POS = "HER2+"
TNBC = "TNBC"
SUBTYPES = (HR_POS_HER2_NEG, HER2_POS, TNBC)  # stratum order everywhere
MET_TYPES = ("metastasis", "recurrence")
PRIMARY_TYPE = "primary"

PAIRED_COLUMNS = (
    "gene", "n_pairs", "both", "met_only", "primary_only", "neither", "met_mutated", "primary_mutated",
    "met_fraction", "primary_fraction", "p_value", "q_value", "p_gained", "q_gained", "p_chisq", "test",
    "burden_expected", "p_burden", "q_burden", "p_burden_gained", "q_burden_gained",
)
UNPAIRED_COLUMNS = (
    "gene", "a_mutated", "a_total", "b_mutated", "b_total", "a_fraction", "b_fraction",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "test", "cohort_a", "cohort_b",
    "burden_expected", "p_burden", "q_burden", "p_burden_gained", "q_burden_gained",
)
EXTERNAL_COLUMNS = (
    "gene", "met_mutated", "met_total", "ext_mutated", "ext_total", "met_fraction", "ext_fraction",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "test",
    "cmh_met_mutated", "cmh_met_total", "cmh_ext_mutated", "cmh_ext_total", "cmh_strata",
    "cmh_statistic", "cmh_odds_ratio", "cmh_ci_low", "cmh_ci_high", "cmh_p_value", "cmh_q_value",
    "cmh_exact_p_value", "cmh_exact_q_value", "cmh_test",
    "external", "ext_refiltered", "ext_filter",
    "burden_expected", "p_burden", "q_burden", "p_burden_gained", "q_burden_gained",
    "strat_burden_expected", "strat_p_burden", "strat_q_burden", "strat_p_burden_gained", "strat_q_burden_gained",
)
BY_SUBTYPE_COLUMNS = (
    "subtype", "gene", "met_mutated", "met_total", "ext_mutated", "ext_total", "met_fraction", "ext_fraction",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "test", "external",
)
ENRICHED_COLUMNS = (
    "gene", "direction", "n_comparisons", "comparisons", "min_q",
    "paired_met_only", "paired_primary_only", "paired_q",
    "unpaired_odds_ratio", "unpaired_q", "external_odds_ratio", "external_q", "cmh_odds_ratio", "cmh_q",
    "paired_q_burden_gained", "unpaired_q_burden_gained", "external_q_burden_gained",
)
FISHER_TEST = "fisher_exact_two_sided"
MCNEMAR_TEST = "mcnemar_exact_two_sided"
CMH_TEST = "mantel_haenszel_chisq_corrected_two_sided"

# ------------------------------------------------------------------------------ subtypes

_UNKNOWN_SPELLINGS = (
    "", "na", "n/a", "nan", "none", "null", "unknown", "unk", "not available", "[not available]", "[unknown]",
    "not evaluated", "[not evaluated]", "not reported", "[not applicable]", "indeterminate", "equivocal",
    "normal", "normal-like", "normal_like", "normallike", "brca_normal", "other", "unclassified", ".",
)


def _squash(text: str) -> str:
    """Lower case without spaces or underscores: 'HR+ / HER2-' -> 'hr+/her2-'."""
    return re.sub(r"[\s_]+", "", text.strip().lower())


_UNKNOWN_WORDS = frozenset(_squash(w) for w in _UNKNOWN_SPELLINGS)


_SUBTYPE_SPELLINGS: dict[str, str] = {}
for _names, _subtype in (
    (("HR+/HER2-", "HR+HER2-", "HR+/HER2neg", "ER+/HER2-", "ER+HER2-", "HRpos/HER2neg", "HR-positive/HER2-negative",
      "luminal", "luminalA", "luminalB", "luminalA/B", "lumA", "lumB", "BRCA_LumA", "BRCA_LumB", "LumA/LumB",
      "HR+/HER2-negative", "hormone receptor positive"), HR_POS_HER2_NEG),
    (("HER2+", "HER2", "HER2-positive", "HER2pos", "HER2-enriched", "HER2enriched", "HER2E", "Her2", "BRCA_Her2",
      "HR+/HER2+", "HR-/HER2+", "ER+/HER2+", "ER-/HER2+", "HR+HER2+", "HR-HER2+", "triple positive"), HER2_POS),
    (("TNBC", "TN", "triple negative", "triple-negative", "triplenegative", "HR-/HER2-", "HR-HER2-", "ER-/PR-/HER2-",
      "ER-/HER2-", "basal", "basal-like", "basallike", "BRCA_Basal"), TNBC),
):
    for _name in _names:
        _SUBTYPE_SPELLINGS[_squash(_name)] = _subtype


def normalise_subtype(value: str) -> str | None:
    """One of :data:`SUBTYPES`, ``''`` for a missing/unknown value (including PAM50 Normal-like,
    which has no receptor-defined counterpart), or None for a spelling not recognised.
    The accepted spellings are listed in docs/enrichment.md."""
    text = _squash(str(value))
    if text in _UNKNOWN_WORDS or text.replace("-", "") in _UNKNOWN_WORDS:
        return ""
    return _SUBTYPE_SPELLINGS.get(text)


def receptor_status(value: str) -> str:
    """'positive', 'negative' or '' from an ER/PR/HER2 cell (Positive, pos, +, 3+; Negative,
    neg, -, 0, 1+; anything else, e.g. Equivocal, 2+ or Indeterminate, is unknown)."""
    text = _squash(str(value))
    if text in ("positive", "pos", "+", "3+", "yes", "amplified"):
        return "positive"
    if text in ("negative", "neg", "-", "0", "1+", "no", "notamplified", "non-amplified", "nonamplified"):
        return "negative"
    return ""


def receptor_subtype(er: str, pr: str, her2: str) -> str:
    """Clinical subtype from receptor statuses ('positive'/'negative'/other): HER2 positive ->
    HER2+; HER2 negative and ER or PR positive -> HR+/HER2-; all three negative -> TNBC;
    anything else (an unknown status that decides the group) -> ''."""
    er, pr, her2 = (receptor_status(v) for v in (er, pr, her2))
    if her2 == "positive":
        return HER2_POS
    if her2 != "negative":
        return ""
    if "positive" in (er, pr):
        return HR_POS_HER2_NEG
    if er == "negative" and pr == "negative":
        return TNBC
    return ""


# ------------------------------------------------------------------------------ the MAF reader

from metevo.cohort_compare import MAF_NEEDED  # noqa: E402  (the same three columns)
MAF_COUNTS = ("t_depth", "t_alt_count", "t_vaf")
MAF_VARIANT = ("Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2")
_MISSING = frozenset({"", "NA", "NaN", "nan", ".", "NULL"})


def read_maf_calls(path: str | os.PathLike, *, allow_empty: bool = False) -> pd.DataFrame:
    """The columns the enrichment tests need from a MAF: ``gene``, ``sample``,
    ``classification`` (strings), ``t_depth``, ``t_alt_count``, ``t_vaf`` (floats, NaN when the
    column or the cell is missing), ``line`` and ``variant`` (``gene|chrom:start:ref:alt`` from
    ``Chromosome``, ``Start_Position``, ``Reference_Allele``, ``Tumor_Seq_Allele2``, ``chr``
    prefix dropped; '' when the MAF has no Chromosome or Start_Position: the burden tests then
    count every row as its own mutation). The count columns are optional; their presence
    is recorded in ``attrs['count_columns']``. Reading rules as :func:`metevo.cohort_compare.read_maf_genes`
    (gzip, ``#`` lines, case-insensitive names); a count that is not a non-negative number, or
    an alt count above the depth, is an :class:`InputError` naming the line and column. A MAF
    with a header and no rows is an error unless ``allow_empty`` (``metevo merge-mafs`` writes
    one for a cohort without mutation calls).
    """
    from metevo.cohort_compare import read_maf_columns

    path = Path(path)
    frame, header_line = read_maf_columns(path, MAF_NEEDED, MAF_COUNTS + MAF_VARIANT, allow_empty=allow_empty)
    chosen = frame.attrs["maf_columns"]
    lines = np.arange(len(frame), dtype=np.int64) + header_line + 1
    out = pd.DataFrame({
        "gene": frame["Hugo_Symbol"].str.strip(),
        "sample": frame["Tumor_Sample_Barcode"].str.strip(),
        "classification": frame["Variant_Classification"].str.strip(),
    })
    for column, name in (("gene", "Hugo_Symbol"), ("sample", "Tumor_Sample_Barcode")):
        empty = (out[column] == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise InputError(f"expected a {'gene symbol' if column == 'gene' else 'sample barcode'}, found an empty cell",
                             file=path, line=int(lines[i]), column=name)
    for name in MAF_COUNTS:
        if name not in frame.columns:
            out[name] = np.nan
            continue
        text = frame[name].str.strip()
        missing = text.isin(_MISSING).to_numpy()
        values = pd.to_numeric(text.where(~missing, None), errors="coerce").to_numpy(dtype=float)
        bad = ~missing & (np.isnan(values) | (values < 0) | ~np.isfinite(values))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"expected a non-negative number, found '{text.iat[i]}'", file=path, line=int(lines[i]),
                             column=chosen[name])
        out[name] = values
    over = np.flatnonzero(out["t_alt_count"].to_numpy() > out["t_depth"].to_numpy())
    if len(over):
        i = int(over[0])
        raise InputError("t_alt_count is above t_depth", file=path, line=int(lines[i]), column=chosen["t_alt_count"])
    over = np.flatnonzero(out["t_vaf"].to_numpy() > 1)
    if len(over):
        i = int(over[0])
        raise InputError(f"VAF {out['t_vaf'].iat[i]:.4g} is above 1 (given in percent?)", file=path, line=int(lines[i]),
                         column=chosen["t_vaf"])
    out["line"] = lines
    if "Chromosome" in frame.columns and "Start_Position" in frame.columns:
        parts = [frame["Chromosome"].str.strip().str.replace(r"^chr", "", regex=True, case=False), ":",
                 frame["Start_Position"].str.strip()]
        for allele in ("Reference_Allele", "Tumor_Seq_Allele2"):
            parts += [":", frame[allele].str.strip() if allele in frame.columns else ""]
        variant = parts[0]
        for part in parts[1:]:
            variant = variant + part
        out["variant"] = out["gene"] + "|" + variant
    else:
        out["variant"] = ""
    out.attrs["count_columns"] = tuple(n for n in MAF_COUNTS if n in frame.columns)
    return out


# ------------------------------------------------------------------------------ read filters


@dataclass(frozen=True)
class ReadFilter:
    """The pipeline's own call filters (``metevo ensemble-calls``/``import-maf`` defaults)."""

    min_depth: int = 10
    min_alt: int = 3
    min_vaf: float = 0.05

    def check(self) -> None:
        if self.min_depth < 0 or self.min_alt < 0:
            raise ValueError("--min-depth and --min-alt must be >= 0")
        if not 0 <= self.min_vaf <= 1:
            raise ValueError(f"--min-vaf must be a fraction in [0, 1], got {self.min_vaf}")


@dataclass(frozen=True)
class FilterReport:
    """What :func:`filter_calls` could apply to a MAF, and what it removed."""

    applied: tuple[str, ...]  # e.g. ('t_depth>=10', 't_alt_count>=3', 'vaf>=0.05')
    rows_before: int
    rows_after: int

    @property
    def refiltered(self) -> bool:
        return bool(self.applied)

    @property
    def description(self) -> str:
        return ";".join(self.applied) if self.applied else "none (no t_depth, t_alt_count or t_vaf column)"


def filter_calls(calls: pd.DataFrame, read_filter: ReadFilter) -> tuple[pd.DataFrame, FilterReport]:
    """Rows of :func:`read_maf_calls` output that pass ``read_filter``.

    As ``metevo import-maf``: a threshold judges only the rows that have the value it needs
    (a row without a depth passes the depth filter). VAF is ``t_alt_count / t_depth``, else
    ``t_vaf``; the alt count is ``t_alt_count``, else ``round(t_vaf * t_depth)`` (GDC/Firehose
    MAFs that give a VAF and a depth but no alt count).
    """
    depth = calls["t_depth"].to_numpy(dtype=float)
    alt = calls["t_alt_count"].to_numpy(dtype=float)
    given_vaf = calls["t_vaf"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        vaf = np.where(depth > 0, alt / depth, np.nan)
    vaf = np.where(np.isnan(vaf), given_vaf, vaf)
    derived_alt = np.isnan(alt) & ~np.isnan(given_vaf) & ~np.isnan(depth)
    alt = np.where(derived_alt, np.round(given_vaf * depth), alt)
    keep = np.ones(len(calls), dtype=bool)
    applied = []
    for name, values, threshold in (("t_depth", depth, read_filter.min_depth),
                                    ("t_alt_count" + ("~t_vaf*t_depth" if derived_alt.any() else ""), alt, read_filter.min_alt),
                                    ("vaf", vaf, read_filter.min_vaf)):
        known = ~np.isnan(values)
        if threshold > 0 and known.any():
            keep &= ~(values < threshold)
            applied.append(f"{name}>={threshold:g}")
    kept = calls[keep].reset_index(drop=True)
    kept.attrs.update(calls.attrs)
    return kept, FilterReport(tuple(applied), len(calls), int(keep.sum()))


# ------------------------------------------------------------------------------ groups of tumours


@dataclass
class Group:
    """Tumour units of one side of a comparison: ``units`` (sorted ids: patients, or external
    samples), the distinct (gene, unit) pairs counted as mutated, and each unit's subtype
    ('' when unknown)."""

    label: str
    units: list[str]
    mutations: pd.DataFrame  # columns gene, unit
    subtype: dict[str, str] = field(default_factory=dict)
    variants: pd.DataFrame | None = None  # columns gene, unit, variant: the distinct counted mutations of each unit
    # (None: no burden-aware tests, their columns are empty)

    def burden(self, units: Sequence[str] | None = None) -> np.ndarray:
        """Each unit's number of distinct counted mutations (0 without a counted mutation), in
        the order of ``units`` (default: all units). Needs ``variants``."""
        units = self.units if units is None else list(units)
        if self.variants is None:
            raise ValueError(f"group '{self.label}' has no mutation list for burden tests")
        counts = self.variants.groupby("unit", sort=False).size()
        return counts.reindex(units, fill_value=0).to_numpy(dtype=np.int64)

    def mutated(self, genes: np.ndarray, units: Iterable[str] | None = None) -> np.ndarray:
        """Units (all, or those in ``units``) mutated in each gene."""
        rows = self.mutations if units is None else self.mutations[self.mutations["unit"].isin(frozenset(units))]
        counts = rows.groupby("gene", sort=False).size()
        return counts.reindex(genes, fill_value=0).to_numpy(dtype=np.int64)

    def units_of(self, subtype: str) -> list[str]:
        return [u for u in self.units if self.subtype.get(u, "") == subtype]


@dataclass
class Internal:
    """The cohort's per-patient primary and metastasis groups and notes on how they were built."""

    primary: Group
    metastasis: Group
    notes: list[str]
    samples: pd.DataFrame  # sample, patient, sample_type, subtype: the tumour samples counted


def _counted(calls: pd.DataFrame, classes: Iterable[str] | None) -> pd.DataFrame:
    return calls if classes is None else calls[calls["classification"].isin(frozenset(classes))]


def _variants(rows: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Distinct (unit, mutation) rows of counted calls: gene, unit, variant. A mutation is its
    ``variant`` key (gene, position, alleles), so one found in several samples of a unit counts
    once; a call without a key (a MAF without positions) counts as its own mutation (sample and
    line), i.e. the unit's burden is then the sum over its samples."""
    if rows.empty:
        return pd.DataFrame({"gene": pd.Series(dtype=object), "unit": pd.Series(dtype=object),
                             "variant": pd.Series(dtype=object)})
    key = rows["variant"].astype(str) if "variant" in rows.columns else pd.Series("", index=rows.index)
    fallback = rows["sample"].astype(str) + "#" + rows["line"].astype(str)
    key = key.where(key != "", fallback)
    out = pd.DataFrame({"gene": rows["gene"].to_numpy(), "unit": rows[unit].to_numpy(), "variant": key.to_numpy()})
    return out.drop_duplicates(["unit", "variant"], ignore_index=True)


def _agreed(values: Sequence[str]) -> tuple[str, bool]:
    """The one known subtype among ``values`` ('' if none), and whether known values disagreed."""
    known = sorted({v for v in values if v})
    if len(known) == 1:
        return known[0], False
    return "", len(known) > 1


def sample_subtypes(sheet: pd.DataFrame) -> list[str]:
    """The receptor subtype of each samplesheet row from its er/pr/her2_status (a missing column
    is unknown status): :func:`receptor_subtype`."""
    status = [sheet[c].fillna("") if c in sheet.columns else [""] * len(sheet) for c in ("er_status", "pr_status", "her2_status")]
    return [receptor_subtype(e, p, h) for e, p, h in zip(*status)]


def patient_subtypes(sheet: pd.DataFrame, given: dict[str, str] | None = None) -> dict[str, str]:
    """Patient -> receptor subtype (:data:`SUBTYPES`) of every patient of the samplesheet with a
    known one: ``given[patient]`` (the clinical table's subtype column) when known, else the one
    agreed by the patient's primary samples (samplesheet er/pr/her2_status), else by its
    metastases/recurrences; samples that disagree leave the patient without a subtype."""
    tumour = sheet.loc[sheet["sample_type"].isin((PRIMARY_TYPE, *MET_TYPES))]
    subtype = sample_subtypes(tumour)
    by_patient: dict[str, tuple[list[str], list[str]]] = {}
    for patient, stype, value in zip(tumour["patient"].astype(str), tumour["sample_type"], subtype):
        by_patient.setdefault(patient, ([], []))[stype != PRIMARY_TYPE].append(value)
    out = {}
    for patient, (primary, later) in sorted(by_patient.items()):
        own, conflict = _agreed(primary)
        value = (given or {}).get(patient, "") or own or ("" if conflict else _agreed(later)[0])
        if value:
            out[patient] = value
    for patient, value in (given or {}).items():
        if value and patient not in out:
            out[patient] = value
    return out


def internal_groups(calls: pd.DataFrame, sheet: pd.DataFrame, *, classes: Iterable[str] | None,
                    patient_subtypes: dict[str, str] | None = None, maf_path: str | os.PathLike | None = None,
                    sheet_path: str | os.PathLike | None = None) -> Internal:
    """Per-patient primary and metastasis units of the cohort MAF.

    ``sheet``: the samplesheet table (``metevo.io.samplesheet``). Tumour samples (primary,
    metastasis, recurrence) count when they were sequenced for mutations (a VCF or MAF cell in
    the samplesheet) or appear in the MAF; sequenced samples without a counted mutation are
    unmutated. A MAF sample absent from the samplesheet is an :class:`InputError`.

    Subtype of a unit: ``patient_subtypes[patient]`` when known (the clinical table), else the
    receptor subtype agreed by the unit's own samples (samplesheet er/pr/her2_status), else the
    one agreed by the patient's other tumour samples; samples that disagree give ''.
    """
    from metevo.io.samplesheet import PATH_COLUMNS

    sheet = sheet.copy()
    known = dict(zip(sheet["sample"], sheet["sample_type"]))
    unknown = ~calls["sample"].isin(known.keys())
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        where = f" {Path(sheet_path).name}" if sheet_path else ""
        raise InputError(f"sample '{calls['sample'].iat[i]}' is not in the samplesheet{where}",
                         file=maf_path, line=int(calls["line"].iat[i]), column="Tumor_Sample_Barcode")
    mutation_inputs = [c for c in PATH_COLUMNS if c.startswith("vcf_") or c == "maf"]
    has_input = np.zeros(len(sheet), dtype=bool)
    for column in mutation_inputs:
        if column in sheet.columns:
            has_input |= sheet[column].fillna("").astype(str).str.strip().ne("").to_numpy()
    in_maf = sheet["sample"].isin(frozenset(calls["sample"])).to_numpy()
    tumour = sheet["sample_type"].isin((PRIMARY_TYPE, *MET_TYPES)).to_numpy()
    notes = []
    skipped = sheet[tumour & ~has_input & ~in_maf]
    if len(skipped):
        notes.append(f"{len(skipped)} tumour samples without a VCF or MAF in the samplesheet and without calls in the MAF "
                     f"are not counted (e.g. {skipped['sample'].iat[0]})")
    used = sheet[tumour & (has_input | in_maf)].copy()
    used["subtype"] = sample_subtypes(used)
    used["side"] = np.where(used["sample_type"] == PRIMARY_TYPE, "primary", "metastasis")
    pairs = _counted(calls, classes).merge(used[["sample", "patient", "side"]], on="sample")
    groups = {}
    discordant = 0
    for side, label in (("primary", "primary"), ("metastasis", "metastasis")):
        rows = used[used["side"] == side]
        units = sorted(set(rows["patient"]))
        subtype = {}
        for patient in units:
            given = (patient_subtypes or {}).get(patient, "")
            own, own_conflict = _agreed(rows.loc[rows["patient"] == patient, "subtype"].tolist())
            other, _ = _agreed(used.loc[(used["patient"] == patient) & (used["side"] != side), "subtype"].tolist())
            discordant += bool(own_conflict and side == "metastasis")
            subtype[patient] = given or own or ("" if own_conflict else other)
        mutations = (pairs.loc[pairs["side"] == side, ["gene", "patient"]].rename(columns={"patient": "unit"})
                     .drop_duplicates(ignore_index=True))
        groups[side] = Group(label, units, mutations, subtype, _variants(pairs[pairs["side"] == side], "patient"))
    several = used[used["side"] == "metastasis"].groupby("patient").size()
    if (several > 1).any():
        notes.append(f"{int((several > 1).sum())} patients have several metastasis/recurrence samples: each counts once, "
                     "mutated in a gene if any of its metastases is")
    regions = used[used["side"] == "primary"].groupby("patient").size()
    if (regions > 1).any():
        notes.append(f"{int((regions > 1).sum())} patients have several primary samples (regions): each counts once, "
                     "mutated in a gene if any region is")
    if discordant:
        notes.append(f"{discordant} patients' metastases disagree on receptor subtype: subtype unknown unless the "
                     "clinical table gives one")
    samples = used.loc[:, ["sample", "patient", "sample_type", "subtype"]]
    return Internal(groups["primary"], groups["metastasis"], notes, samples.reset_index(drop=True))


def external_group(calls: pd.DataFrame, *, label: str, classes: Iterable[str] | None,
                   samples: Sequence[str] | None = None, subtypes: dict[str, str] | None = None) -> Group:
    """The external cohort, one unit per sample. ``samples``: the cohort (from a sample list:
    listed samples without calls are unmutated, MAF samples not listed are left out); default
    the MAF's barcodes. ``calls`` should be the filtered calls; pass the unfiltered barcodes as
    ``samples`` so that a sample whose calls were all filtered out still counts."""
    units = sorted(set(calls["sample"]) if samples is None else set(samples))
    rows = _counted(calls, classes)
    rows = rows[rows["sample"].isin(frozenset(units))]
    mutations = rows.loc[:, ["gene", "sample"]].rename(columns={"sample": "unit"}).drop_duplicates(ignore_index=True)
    subtype = {u: (subtypes or {}).get(u, "") for u in units}
    return Group(label, units, mutations, subtype, _variants(rows, "sample"))


# ------------------------------------------------------------------------------ the tests


def _bh(p: np.ndarray) -> np.ndarray:
    from metevo.stats.multitest import bh_adjust

    return bh_adjust(np.asarray(p, dtype=float))


def _sorted(frame: pd.DataFrame, p_column: str = "p_value", first: Sequence[str] = ()) -> pd.DataFrame:
    keys = [frame["gene"].to_numpy(), np.nan_to_num(frame[p_column].to_numpy(dtype=float), nan=np.inf)]
    keys += [frame[c].to_numpy() for c in reversed(first)]
    return frame.iloc[np.lexsort(keys)].reset_index(drop=True)


def _fraction(mutated: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, mutated / np.maximum(total, 1), np.nan)


def _fisher(a_mut: np.ndarray, a_tot: np.ndarray, b_mut: np.ndarray, b_tot: np.ndarray) -> dict[str, np.ndarray]:
    """R fisher.test of each [[a_mut, a_tot - a_mut], [b_mut, b_tot - b_mut]] with both totals > 0
    (NaN elsewhere): odds ratio, 95% interval, two-sided p, BH q over the tested ones, test name."""
    from metevo.stats.contingency import fisher_exact_many

    testable = (a_tot > 0) & (b_tot > 0)
    out = {name: np.full(len(a_mut), np.nan) for name in ("odds_ratio", "ci_low", "ci_high", "p_value")}
    if testable.any():
        stats = fisher_exact_many(a_mut[testable], a_tot[testable] - a_mut[testable],
                                  b_mut[testable], b_tot[testable] - b_mut[testable])
        for name in out:
            out[name][testable] = getattr(stats, name)
    out["q_value"] = _bh(out["p_value"])
    out["test"] = np.where(testable, FISHER_TEST, "")
    return out


def _genes(*groups: Group) -> np.ndarray:
    genes: set[str] = set()
    for group in groups:
        genes.update(group.mutations["gene"])
    return np.array(sorted(genes), dtype=object)


# ------------------------------------------------------------------------------ burden-aware tests

BURDEN_COLUMNS = ("burden_expected", "p_burden", "q_burden", "p_burden_gained", "q_burden_gained")
STRAT_BURDEN_COLUMNS = tuple(f"strat_{c}" for c in BURDEN_COLUMNS)
_REL_ERR = 1 + 1e-7  # R fisher.test / mantelhaen.test: tables as likely as the observed one within 1e-7


@dataclass(frozen=True)
class BurdenResult:
    """A burden-aware exact test: ``expected`` count on the metastasis side under the null,
    two-sided ``p_value`` (the probabilities of every count at most as likely as the observed
    one, R's rule) and one-sided ``p_gained`` = P(T >= observed)."""

    observed: int
    expected: float
    p_value: float
    p_gained: float


def _exact_p(support_lo: int, pmf: np.ndarray, observed: int) -> BurdenResult:
    """Two-sided and upper-tail p of ``observed`` under the distribution ``pmf`` of T on
    ``support_lo, support_lo + 1, ...``."""
    values = support_lo + np.arange(len(pmf))
    expected = float((values * pmf).sum())
    i = observed - support_lo
    if i < 0 or i >= len(pmf):  # impossible under the null (cannot happen with consistent inputs)
        return BurdenResult(observed, expected, 0.0, 0.0 if i >= len(pmf) else 1.0)
    two = float(min(1.0, pmf[pmf <= pmf[i] * _REL_ERR].sum()))
    gained = float(min(1.0, pmf[i:].sum()))
    return BurdenResult(observed, expected, two, gained)


def paired_burden_test(pi: Sequence[float], observed: int) -> BurdenResult:
    """Burden-aware exact test of one gene over the patients with a private mutation in it
    (algorithms.md 7.3): patient i's private mutation is in its metastasis with probability
    ``pi[i]`` = n_M,i / (n_M,i + n_P,i) under the null; T = the number of metastasis-only
    patients ~ Poisson-binomial(pi) (:func:`metevo.pathways.poisson_binomial_pmf`)."""
    from metevo.pathways import poisson_binomial_pmf

    return _exact_p(0, poisson_binomial_pmf(pi), int(observed))


def hit_probability(share: float, burden: np.ndarray) -> np.ndarray:
    """1 - (1 - share)^n: the chance that a unit with ``n`` mutations, each in the gene with
    probability ``share``, has at least one in it."""
    burden = np.asarray(burden, dtype=float)
    if share >= 1:
        return (burden > 0).astype(float)
    return -np.expm1(burden * math.log1p(-share))


def conditional_burden_pmf(q_met: Sequence[float], q_other: Sequence[float], total: int) -> tuple[int, np.ndarray]:
    """Null distribution of the number of mutated metastasis units given ``total`` mutated
    units on both sides, each unit mutated independently with its own probability:
    P(T = t | total) ~ PB(q_met)(t) x PB(q_other)(total - t), PB the Poisson-binomial pmf.
    Returns (smallest t, pmf over t = smallest ..). With equal probabilities on both sides
    this is the hypergeometric distribution of Fisher's exact test."""
    from metevo.pathways import poisson_binomial_pmf

    n_met, n_other = len(q_met), len(q_other)
    lo, hi = max(0, total - n_other), min(total, n_met)
    if hi < lo:
        raise ValueError(f"{total} mutated units cannot fit in {n_met} + {n_other} units")
    t = np.arange(lo, hi + 1)
    weights = poisson_binomial_pmf(q_met)[t] * poisson_binomial_pmf(q_other)[total - t]
    norm = weights.sum()
    if not norm > 0:
        return lo, np.full(len(t), np.nan)
    return lo, weights / norm


def stratified_burden_test(strata_pmfs: Sequence[tuple[int, np.ndarray]], observed: int) -> BurdenResult:
    """The test of T = the sum over strata of the mutated metastasis units: the strata's
    conditional distributions (:func:`conditional_burden_pmf`) convolved, as R's exact
    Mantel-Haenszel test convolves the strata's hypergeometric distributions."""
    lo, pmf = 0, np.ones(1)
    for s_lo, s_pmf in strata_pmfs:
        lo += s_lo
        pmf = np.convolve(pmf, s_pmf)
    if np.isnan(pmf).any():
        return BurdenResult(int(observed), math.nan, math.nan, math.nan)
    return _exact_p(lo, pmf, int(observed))


def burden_columns(genes: np.ndarray, strata_units: Sequence[tuple[Group, Sequence[str], Group, Sequence[str]]]) -> dict[str, np.ndarray]:
    """Burden-adjusted test of each gene, metastasis side against the other side, summed over
    strata (one stratum: the unstratified test). ``strata_units``: per stratum (metastasis
    group, its units in the stratum, other group, its units in the stratum).

    Within a stratum, unit s has ``n_s`` distinct counted mutations (:meth:`Group.burden`) and
    the gene's share ``p_g`` = its mutations / all mutations of the stratum's units (both sides
    pooled); under the null unit s is mutated in g with probability 1 - (1 - p_g)^n_s,
    independently. Conditional on the gene's mutated units in each stratum, T (mutated
    metastasis units, summed over strata) has the convolution of the strata's
    :func:`conditional_burden_pmf`. Returns BURDEN_COLUMNS arrays (BH over the genes with a p).
    """
    n_genes = len(genes)
    out = {name: np.full(n_genes, np.nan) for name in ("burden_expected", "p_burden", "p_burden_gained")}
    if n_genes == 0 or not strata_units or any(g.variants is None for s in strata_units for g in (s[0], s[2])):
        return _with_q(out)  # a Group built without its mutation list: no burden, no test
    observed = np.zeros(n_genes, dtype=np.int64)
    per_stratum = []
    for met, met_units, other, other_units in strata_units:
        n_met, n_other = met.burden(met_units), other.burden(other_units)
        total_mutations = int(n_met.sum() + n_other.sum())
        k_met, k_other = met.mutated(genes, met_units), other.mutated(genes, other_units)
        in_met = met.variants[met.variants["unit"].isin(frozenset(met_units))]
        in_other = other.variants[other.variants["unit"].isin(frozenset(other_units))]
        m_gene = (in_met.groupby("gene", sort=False).size().reindex(genes, fill_value=0).to_numpy(dtype=np.int64)
                  + in_other.groupby("gene", sort=False).size().reindex(genes, fill_value=0).to_numpy(dtype=np.int64))
        observed += k_met
        cache: dict[tuple[int, int], tuple[int, np.ndarray]] = {}
        keys = list(zip(m_gene.tolist(), (k_met + k_other).tolist()))
        for m, k in set(keys):
            if k == 0:
                cache[(m, k)] = (0, np.ones(1))
            else:
                share = m / total_mutations
                cache[(m, k)] = conditional_burden_pmf(hit_probability(share, n_met), hit_probability(share, n_other), k)
        per_stratum.append([cache[key] for key in keys])
    for i in range(n_genes):
        result = stratified_burden_test([stratum[i] for stratum in per_stratum], int(observed[i]))
        out["burden_expected"][i] = result.expected
        out["p_burden"][i] = result.p_value
        out["p_burden_gained"][i] = result.p_gained
    return _with_q(out)


def _with_q(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {"burden_expected": out["burden_expected"], "p_burden": out["p_burden"], "q_burden": _bh(out["p_burden"]),
            "p_burden_gained": out["p_burden_gained"], "q_burden_gained": _bh(out["p_burden_gained"])}


def private_burden(primary: Group, metastasis: Group, patients: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per patient (in ``patients`` order): the numbers of distinct counted mutations private
    to its metastasis unit (in no primary sample) and private to its primary unit."""
    keep = frozenset(patients)
    met = metastasis.variants[metastasis.variants["unit"].isin(keep)]
    pri = primary.variants[primary.variants["unit"].isin(keep)]
    joined = met.loc[:, ["unit", "variant"]].assign(m=True).merge(pri.loc[:, ["unit", "variant"]].assign(p=True),
                                                                 on=["unit", "variant"], how="outer")
    in_met, in_pri = joined["m"].eq(True), joined["p"].eq(True)
    met_private = joined.loc[in_met & ~in_pri].groupby("unit").size().reindex(patients, fill_value=0)
    pri_private = joined.loc[~in_met & in_pri].groupby("unit").size().reindex(patients, fill_value=0)
    return met_private.to_numpy(dtype=np.int64), pri_private.to_numpy(dtype=np.int64)


def paired_table(primary: Group, metastasis: Group, *, min_mutated: int = 3) -> pd.DataFrame:
    """Exact McNemar test per gene over the patients in both groups (PAIRED_COLUMNS).

    Genes mutated in at least ``min_mutated`` of the paired patients (in either tumour) are
    tested; ``q_value`` and ``q_gained`` are BH over them. ``p_value``: two-sided exact McNemar;
    ``p_gained``: one-sided P(B >= met_only), B ~ Binomial(met_only + primary_only, 1/2);
    ``p_chisq``: R ``mcnemar.test`` (continuity-corrected; empty when there are no discordant
    patients, where R gives NaN).
    """
    from metevo.stats.contingency import mcnemar_chisq, mcnemar_exact

    pairs = sorted(set(primary.units) & set(metastasis.units))
    if not pairs:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIRED_COLUMNS})
    keep = frozenset(pairs)
    m = metastasis.mutations[metastasis.mutations["unit"].isin(keep)].assign(in_met=True)
    p = primary.mutations[primary.mutations["unit"].isin(keep)].assign(in_primary=True)
    joined = m.merge(p, on=["gene", "unit"], how="outer")
    in_met = joined["in_met"].eq(True).to_numpy()
    in_pri = joined["in_primary"].eq(True).to_numpy()
    counts = pd.DataFrame({"gene": joined["gene"], "both": in_met & in_pri, "met_only": in_met & ~in_pri,
                           "primary_only": ~in_met & in_pri}).groupby("gene", sort=True).sum()
    counts = counts[(counts["both"] + counts["met_only"] + counts["primary_only"]) >= min_mutated]
    n = len(pairs)
    both = counts["both"].to_numpy(dtype=np.int64)
    b = counts["met_only"].to_numpy(dtype=np.int64)
    c = counts["primary_only"].to_numpy(dtype=np.int64)
    cache: dict[tuple[int, int], tuple[float, float, float]] = {}
    for key in set(zip(b.tolist(), c.tolist())):
        chisq = mcnemar_chisq(*key).p_value
        cache[key] = (mcnemar_exact(*key).p_value, mcnemar_exact(*key, alternative="greater").p_value, chisq)
    p_two = np.array([cache[k][0] for k in zip(b.tolist(), c.tolist())], dtype=float)
    p_gain = np.array([cache[k][1] for k in zip(b.tolist(), c.tolist())], dtype=float)
    p_chi = np.array([cache[k][2] for k in zip(b.tolist(), c.tolist())], dtype=float)
    burden = _paired_burden(primary, metastasis, pairs, joined, in_met, in_pri, counts.index)
    out = pd.DataFrame({
        "gene": counts.index.astype(str), "n_pairs": n, "both": both, "met_only": b, "primary_only": c,
        "neither": n - both - b - c, "met_mutated": both + b, "primary_mutated": both + c,
        "met_fraction": (both + b) / n, "primary_fraction": (both + c) / n,
        "p_value": p_two, "q_value": _bh(p_two), "p_gained": p_gain, "q_gained": _bh(p_gain), "p_chisq": p_chi,
        "test": MCNEMAR_TEST, **burden,
    })
    return _sorted(out).loc[:, list(PAIRED_COLUMNS)]


def _paired_burden(primary: Group, metastasis: Group, pairs: Sequence[str], joined: pd.DataFrame, in_met: np.ndarray,
                   in_pri: np.ndarray, genes: pd.Index) -> dict[str, np.ndarray]:
    """BURDEN_COLUMNS of the paired table: per gene, the patients mutated in one tumour only,
    T = those mutated in the metastasis, :func:`paired_burden_test` with each patient's
    :func:`private_pi` from its private mutation counts (:func:`private_burden`) and the gene's
    share of all private mutations of the paired patients."""
    if primary.variants is None or metastasis.variants is None:
        return _with_q({name: np.full(len(genes), np.nan) for name in ("burden_expected", "p_burden", "p_burden_gained")})
    n_met, n_pri = private_burden(primary, metastasis, pairs)
    index = {p: i for i, p in enumerate(pairs)}
    shares = private_shares(primary, metastasis, pairs)
    total = int(n_met.sum() + n_pri.sum())
    discordant = joined.loc[in_met != in_pri, ["gene", "unit"]].assign(met=in_met[in_met != in_pri])
    by_gene = {g: (f["unit"].tolist(), f["met"].tolist()) for g, f in discordant.groupby("gene", sort=False)}
    out = {name: np.full(len(genes), np.nan) for name in ("burden_expected", "p_burden", "p_burden_gained")}
    for i, gene in enumerate(genes):
        units, met = by_gene.get(gene, ([], []))
        rows = [index[u] for u in units]
        pi = private_pi(shares.get(gene, 0) / total if total else 0.0, n_met[rows], n_pri[rows])
        result = paired_burden_test(pi, int(sum(met)))
        out["burden_expected"][i] = result.expected
        out["p_burden"][i] = result.p_value
        out["p_burden_gained"][i] = result.p_gained
    return _with_q(out)


def private_pi(share: float, n_met: np.ndarray, n_primary: np.ndarray) -> np.ndarray:
    """Null probability that a patient mutated in a gene in one tumour only has it in the
    metastasis, from its private mutation counts: pi = qM (1 - qP) / (qM (1 - qP) + qP (1 - qM)),
    q = 1 - (1 - share)^n (:func:`hit_probability`; :func:`metevo.pathways.discordant_pi`); the
    discordant-pair probability of :func:`metevo.pathways.private_gene_set_test` for one gene. For a rarely hit gene (share -> 0)
    it is algorithms.md 7.3's n_M / (n_M + n_P); for a gene hit often it is further from 1/2
    (a tumour with more mutations is more often hit, but also more often hit on both sides)."""
    n_met, n_primary = np.asarray(n_met, dtype=float), np.asarray(n_primary, dtype=float)
    if share <= 0 or share >= 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n_met + n_primary > 0, n_met / np.maximum(n_met + n_primary, 1), 0.5)
    from metevo.pathways import discordant_pi

    return discordant_pi(hit_probability(share, n_met), hit_probability(share, n_primary))


def private_shares(primary: Group, metastasis: Group, patients: Sequence[str]) -> dict[str, int]:
    """Gene -> number of private mutations (in one tumour of a patient only) over ``patients``."""
    keep = frozenset(patients)
    met = metastasis.variants[metastasis.variants["unit"].isin(keep)]
    pri = primary.variants[primary.variants["unit"].isin(keep)]
    both = pd.concat([met, pri], ignore_index=True)
    private = both.drop_duplicates(["unit", "variant"], keep=False)
    return private.groupby("gene", sort=False).size().to_dict()


def _gene_counts(a: Group, b: Group, min_mutated: int) -> tuple[np.ndarray, ...]:
    """The genes mutated in at least ``min_mutated`` units of ``a`` and ``b`` together, with
    their mutated and total units on each side: (genes, a_mutated, a_total, b_mutated, b_total)."""
    genes = _genes(a, b)
    a_mut, b_mut = a.mutated(genes), b.mutated(genes)
    keep = (a_mut + b_mut) >= min_mutated
    genes, a_mut, b_mut = genes[keep], a_mut[keep], b_mut[keep]
    return (genes, a_mut, np.full(len(genes), len(a.units), dtype=np.int64),
            b_mut, np.full(len(genes), len(b.units), dtype=np.int64))


def unpaired_table(metastasis: Group, primary: Group, *, min_mutated: int = 3) -> pd.DataFrame:
    """Fisher exact test per gene of the metastasis units against the primary units, in
    ``metevo compare-cohorts`` columns (cohort A = metastasis). Genes mutated in at least
    ``min_mutated`` units of the two groups together are tested."""
    genes, a_mut, a_tot, b_mut, b_tot = _gene_counts(metastasis, primary, min_mutated)
    out = pd.DataFrame({"gene": genes.astype(str), "a_mutated": a_mut, "a_total": a_tot, "b_mutated": b_mut,
                        "b_total": b_tot, "a_fraction": _fraction(a_mut, a_tot), "b_fraction": _fraction(b_mut, b_tot),
                        **_fisher(a_mut, a_tot, b_mut, b_tot), "cohort_a": metastasis.label, "cohort_b": primary.label,
                        **burden_columns(genes, [(metastasis, metastasis.units, primary, primary.units)])})
    return _sorted(out).loc[:, list(UNPAIRED_COLUMNS)]


def strata(metastasis: Group, external: Group) -> list[str]:
    """Subtypes with at least one unit on both sides, in :data:`SUBTYPES` order: the strata
    of the CMH test."""
    return [s for s in SUBTYPES if metastasis.units_of(s) and external.units_of(s)]


def cmh_gene(tables: np.ndarray) -> dict[str, float]:
    """R ``mantelhaen.test`` of one gene's K x 2 x 2 tables, asymptotic (correct = TRUE) and exact
    p; NaN everywhere when R would refuse (K < 2) or give NaN (no variation: every unit of the
    strata mutated, or none)."""
    from metevo.stats.contingency import cmh_test

    nan = dict(statistic=math.nan, odds_ratio=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan,
               exact_p_value=math.nan)
    tables = np.asarray(tables)
    if tables.shape[0] < 2:
        return nan
    n = tables.sum(axis=(1, 2))
    row1, row2 = tables[:, 0].sum(axis=1), tables[:, 1].sum(axis=1)
    col1, col2 = tables[:, :, 0].sum(axis=1), tables[:, :, 1].sum(axis=1)
    if not np.any(row1 * row2 * col1 * col2 / (n.astype(float) ** 2 * (n - 1)) > 0):
        return nan
    asym = cmh_test(tables)
    exact = cmh_test(tables, exact=True)
    return dict(statistic=asym.statistic, odds_ratio=asym.odds_ratio, ci_low=asym.ci_low, ci_high=asym.ci_high,
                p_value=asym.p_value, exact_p_value=exact.p_value)


def external_tables(metastasis: Group, external: Group, *, min_mutated: int = 3,
                    ext_filter: FilterReport | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metastasis units against an external primary cohort: (EXTERNAL_COLUMNS per gene,
    BY_SUBTYPE_COLUMNS per subtype and gene).

    Overall: R fisher.test, BH over the genes tested (mutated in ``min_mutated`` or more units
    of both groups together). Within each subtype known on both sides: fisher.test, BH within
    the subtype. Across the :func:`strata` (at least two needed): ``mantelhaen.test`` of the
    units with a known subtype, with R's continuity correction, and its exact conditional p;
    BH over the genes with a CMH result for each.
    """
    genes, a_mut, a_tot, b_mut, b_tot = _gene_counts(metastasis, external, min_mutated)
    out = pd.DataFrame({"gene": genes.astype(str), "met_mutated": a_mut, "met_total": a_tot, "ext_mutated": b_mut,
                        "ext_total": b_tot, "met_fraction": _fraction(a_mut, a_tot),
                        "ext_fraction": _fraction(b_mut, b_tot), **_fisher(a_mut, a_tot, b_mut, b_tot)})
    # per subtype (every subtype present on either side is listed; tested when on both)
    by_subtype = []
    per_stratum = {}
    for subtype in SUBTYPES:
        met_units, ext_units = metastasis.units_of(subtype), external.units_of(subtype)
        if not met_units and not ext_units:
            continue
        sm, se = metastasis.mutated(genes, met_units), external.mutated(genes, ext_units)
        st = np.full(len(genes), len(met_units), dtype=np.int64)
        et = np.full(len(genes), len(ext_units), dtype=np.int64)
        per_stratum[subtype] = (sm, st, se, et)
        frame = pd.DataFrame({"subtype": subtype, "gene": genes.astype(str), "met_mutated": sm, "met_total": st,
                              "ext_mutated": se, "ext_total": et, "met_fraction": _fraction(sm, st),
                              "ext_fraction": _fraction(se, et), **_fisher(sm, st, se, et)})
        by_subtype.append(_sorted(frame))
    # CMH across the strata with units on both sides
    used = strata(metastasis, external)
    names = ("statistic", "odds_ratio", "ci_low", "ci_high", "p_value", "exact_p_value")
    cmh = {name: np.full(len(genes), np.nan) for name in names}
    if len(used) >= 2:
        sm = np.stack([per_stratum[s][0] for s in used], axis=1)
        st = np.stack([per_stratum[s][1] for s in used], axis=1)
        se = np.stack([per_stratum[s][2] for s in used], axis=1)
        et = np.stack([per_stratum[s][3] for s in used], axis=1)
        tables = np.stack([np.stack([sm, st - sm], axis=-1), np.stack([se, et - se], axis=-1)], axis=-2)
        cache: dict[bytes, dict[str, float]] = {}
        for i in range(len(genes)):
            key = tables[i].tobytes()
            if key not in cache:
                cache[key] = cmh_gene(tables[i])
            for name in names:
                cmh[name][i] = cache[key][name]
        out["cmh_met_mutated"] = sm.sum(axis=1)
        out["cmh_met_total"] = st.sum(axis=1)
        out["cmh_ext_mutated"] = se.sum(axis=1)
        out["cmh_ext_total"] = et.sum(axis=1)
    else:
        for name in ("cmh_met_mutated", "cmh_met_total", "cmh_ext_mutated", "cmh_ext_total"):
            out[name] = pd.array([pd.NA] * len(genes), dtype="Int64")
    tested = ~np.isnan(cmh["p_value"])
    out["cmh_strata"] = ",".join(used) if len(used) >= 2 else ""
    out["cmh_statistic"] = cmh["statistic"]
    out["cmh_odds_ratio"] = cmh["odds_ratio"]
    out["cmh_ci_low"] = cmh["ci_low"]
    out["cmh_ci_high"] = cmh["ci_high"]
    out["cmh_p_value"] = cmh["p_value"]
    out["cmh_q_value"] = _bh(cmh["p_value"])
    out["cmh_exact_p_value"] = cmh["exact_p_value"]
    out["cmh_exact_q_value"] = _bh(cmh["exact_p_value"])
    out["cmh_test"] = np.where(tested, CMH_TEST, "")
    for name, values in burden_columns(genes, [(metastasis, metastasis.units, external, external.units)]).items():
        out[name] = values
    strat = burden_columns(genes, [(metastasis, metastasis.units_of(s), external, external.units_of(s)) for s in used]
                           if len(used) >= 2 else [])
    for name, values in strat.items():
        out[f"strat_{name}"] = values
    out["external"] = external.label
    out["ext_refiltered"] = "" if ext_filter is None else ("yes" if ext_filter.refiltered else "no")
    out["ext_filter"] = "" if ext_filter is None else ext_filter.description
    wide = _sorted(out).loc[:, list(EXTERNAL_COLUMNS)]
    long = (pd.concat(by_subtype, ignore_index=True) if by_subtype
            else pd.DataFrame({c: pd.Series(dtype=object) for c in BY_SUBTYPE_COLUMNS}))
    long["external"] = external.label
    return wide, long.loc[:, list(BY_SUBTYPE_COLUMNS)]


def enriched_table(paired: pd.DataFrame, unpaired: pd.DataFrame, external: pd.DataFrame | None = None,
                   by_subtype: pd.DataFrame | None = None, *, fdr: float = 0.1, burden: bool = True) -> pd.DataFrame:
    """The genes reported as mutated more (or less) often in metastases (ENRICHED_COLUMNS),
    sorted by their smallest q, then gene.

    ``burden`` (default), the burden-aware rule: a gene is reported when a burden-aware test
    supports it, in the same direction as the plain test of that comparison. Comparisons:
    ``paired_burden`` (paired.tsv), ``unpaired_burden`` (unpaired.tsv) and, with an external
    cohort, ``external_strat_burden`` (the test within subtype strata, with the plain CMH test)
    when the table has strata, else ``external_burden`` (overall, with the plain Fisher test).

    * side ``metastasis``: one-sided ``q_burden_gained`` <= ``fdr`` and the plain effect toward
      the metastases (odds ratio > 1, or met_only > primary_only);
    * side ``primary``: two-sided ``q_burden`` <= ``fdr`` with fewer mutated metastasis units
      than the burden null expects, and the plain test's q <= ``fdr`` with its effect toward the
      primaries. (A selected driver is mutated in metastases about as often as in primaries, not
      in proportion to their burden: the burden test alone calls it "depleted in metastases",
      which is not evidence of a primary-specific gene.)

    ``burden=False`` (``--no-burden``), the plain rule: q <= ``fdr`` in any of ``paired``
    (two-sided McNemar q), ``unpaired``, ``external`` (Fisher q), ``external_cmh`` (asymptotic CMH
    q), ``external[SUBTYPE]`` (within-subtype Fisher q), in either direction.

    Each supporting comparison is listed in ``comparisons`` with its side (``name:metastasis`` or
    ``name:primary``); ``direction`` is that side when all agree, else ``mixed``; ``min_q`` the
    smallest of their q-values (the q each rule used).
    """
    support: dict[str, list[tuple[str, str, float]]] = {}

    def add(name: str, genes, q, effect_up, effect_down) -> None:
        for gene, qv, up, down in zip(genes, q, effect_up, effect_down):
            if qv == qv and qv <= fdr:
                side = "metastasis" if up else ("primary" if down else "neither")
                support.setdefault(gene, []).append((name, side, float(qv)))

    def values(frame: pd.DataFrame, column: str) -> np.ndarray:
        return frame[column].to_numpy(dtype=float)

    def ratio(frame: pd.DataFrame, column: str):
        v = values(frame, column)
        return v > 1, v < 1

    def add_burden(name: str, frame: pd.DataFrame, prefix: str, plain_q: str, up: np.ndarray, down: np.ndarray) -> None:
        observed = frame["_observed"].to_numpy(dtype=float)
        expected = values(frame, f"{prefix}burden_expected")
        gained_q = values(frame, f"{prefix}q_burden_gained")
        two_q = values(frame, f"{prefix}q_burden")
        plain = values(frame, plain_q)
        for gene, qg, q2, qp, o, e, u, d in zip(frame["gene"], gained_q, two_q, plain, observed, expected, up, down):
            if qg == qg and qg <= fdr and u:
                support.setdefault(gene, []).append((name, "metastasis", float(qg)))
            elif q2 == q2 and q2 <= fdr and o < e and d and qp == qp and qp <= fdr:
                support.setdefault(gene, []).append((name, "primary", float(max(q2, qp))))

    if burden:
        if len(paired):
            b, c = values(paired, "met_only"), values(paired, "primary_only")
            add_burden("paired_burden", paired.assign(_observed=b), "", "q_value", b > c, b < c)
        if len(unpaired):
            add_burden("unpaired_burden", unpaired.assign(_observed=values(unpaired, "a_mutated")), "", "q_value",
                       *ratio(unpaired, "odds_ratio"))
        if external is not None and len(external):
            stratified = bool((external["cmh_strata"].fillna("").astype(str) != "").any())
            if stratified:
                add_burden("external_strat_burden", external.assign(_observed=values(external, "cmh_met_mutated")),
                           "strat_", "cmh_q_value", *ratio(external, "cmh_odds_ratio"))
            else:
                add_burden("external_burden", external.assign(_observed=values(external, "met_mutated")), "", "q_value",
                           *ratio(external, "odds_ratio"))
    else:
        if len(paired):
            b, c = values(paired, "met_only"), values(paired, "primary_only")
            add("paired", paired["gene"], values(paired, "q_value"), b > c, b < c)
        if len(unpaired):
            add("unpaired", unpaired["gene"], values(unpaired, "q_value"), *ratio(unpaired, "odds_ratio"))
        if external is not None and len(external):
            add("external", external["gene"], values(external, "q_value"), *ratio(external, "odds_ratio"))
            add("external_cmh", external["gene"], values(external, "cmh_q_value"), *ratio(external, "cmh_odds_ratio"))
        if by_subtype is not None and len(by_subtype):
            for subtype in SUBTYPES:
                part = by_subtype[by_subtype["subtype"] == subtype]
                if len(part):
                    add(f"external[{subtype}]", part["gene"], values(part, "q_value"), *ratio(part, "odds_ratio"))
    lookup = {}
    strat = external is not None and len(external) and bool((external["cmh_strata"].fillna("").astype(str) != "").any())
    for name, frame, columns in (
        ("paired", paired, {"met_only": "paired_met_only", "primary_only": "paired_primary_only", "q_value": "paired_q",
                            "q_burden_gained": "paired_q_burden_gained"}),
        ("unpaired", unpaired, {"odds_ratio": "unpaired_odds_ratio", "q_value": "unpaired_q",
                                "q_burden_gained": "unpaired_q_burden_gained"}),
        ("external", external, {"odds_ratio": "external_odds_ratio", "q_value": "external_q",
                                "cmh_odds_ratio": "cmh_odds_ratio", "cmh_q_value": "cmh_q",
                                ("strat_q_burden_gained" if strat else "q_burden_gained"): "external_q_burden_gained"}),
    ):
        if frame is not None and len(frame):
            lookup[name] = (frame.set_index("gene"), columns)
    rows = []
    for gene, items in support.items():
        sides = {side for _, side, _ in items}
        row = {"gene": gene, "direction": sides.pop() if len(sides) == 1 else "mixed", "n_comparisons": len(items),
               "comparisons": ";".join(f"{name}:{side}" for name, side, _ in items),
               "min_q": min(q for _, _, q in items)}
        for frame, columns in lookup.values():
            for source, target in columns.items():
                row[target] = frame.at[gene, source] if gene in frame.index and source in frame.columns else np.nan
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(ENRICHED_COLUMNS))
    for column in ("paired_met_only", "paired_primary_only"):
        out[column] = pd.array([pd.NA if v != v else int(v) for v in out[column]], dtype="Int64")
    if out.empty:
        return out
    out = out.iloc[np.lexsort((out["gene"].to_numpy(), out["min_q"].to_numpy(dtype=float)))].reset_index(drop=True)
    return out


# ------------------------------------------------------------------------------ subtype tables

SUBTYPE_COLUMN_NAMES = ("subtype", "clinical_subtype", "ihc_subtype", "receptor_subtype", "molecular_subtype",
                        "pam50", "pam50_subtype", "pam50subtype", "brca_subtype_pam50", "subtype_pam50")
SAMPLE_COLUMN_NAMES = ("Tumor_Sample_Barcode", "sample", "sample_id", "sampleid")
RECEPTOR_COLUMN_NAMES = {
    "er": ("er_status", "er", "er_status_by_ihc", "breast_carcinoma_estrogen_receptor_status"),
    "pr": ("pr_status", "pr", "pgr_status", "pr_status_by_ihc", "breast_carcinoma_progesterone_receptor_status"),
    "her2": ("her2_status", "her2", "her2_status_by_ihc", "ihc_her2", "lab_proc_her2_neu_immunohistochemistry_receptor_status"),
    "her2_ish": ("her2_fish_status", "her2_ish_status", "lab_procedure_her2_neu_in_situ_hybrid_outcome_type"),
}


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    by_lower = {c.lower(): c for c in columns}
    for name in names:
        if name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def subtypes_from_values(values: Sequence[str], lines: Sequence[int], *, path, column: str) -> list[str]:
    """:func:`normalise_subtype` of each cell; an unrecognised spelling is an InputError."""
    out = []
    for value, line in zip(values, lines):
        subtype = normalise_subtype(value)
        if subtype is None:
            raise InputError(f"unrecognised subtype '{value}'; expected HR+/HER2-, HER2+ or TNBC (or a spelling listed "
                             f"in docs/enrichment.md, or empty/unknown)", file=path, line=int(line), column=column)
        out.append(subtype)
    return out


def clinical_subtypes(clinical: pd.DataFrame, *, path) -> dict[str, str] | None:
    """Patient -> subtype from the clinical table's ``subtype`` column (None when the table
    has no such column)."""
    column = _find([c for c in clinical.columns if c != "__line__"], ("subtype",))
    if column is None:
        return None
    values = clinical[column].fillna("").astype(str).tolist()
    subtypes = subtypes_from_values(values, clinical["__line__"].tolist(), path=path, column=column)
    return {p: s for p, s in zip(clinical["patient"].astype(str), subtypes) if s}


def external_subtypes(table: pd.DataFrame, *, path, samples: Sequence[str], column: str | None = None) -> tuple[dict[str, str], str]:
    """Sample -> subtype of an external clinical table (``read_table`` output), and a
    description of where the subtype came from.

    Sample ids: the first of :data:`SAMPLE_COLUMN_NAMES` present. Subtype: ``column`` when given,
    else the first of :data:`SUBTYPE_COLUMN_NAMES` present, else derived from ER/PR/HER2 status
    columns (:data:`RECEPTOR_COLUMN_NAMES`; HER2 positive by IHC or in-situ hybridisation). A
    table with none of these, or sharing no sample id with the external cohort, is an
    :class:`InputError`.
    """
    columns = [c for c in table.columns if c != "__line__"]
    header_line = table.attrs.get("header_line", 1)
    id_column = _find(columns, SAMPLE_COLUMN_NAMES)
    if id_column is None:
        raise InputError(f"expected a sample id column ({', '.join(SAMPLE_COLUMN_NAMES)}), found: {', '.join(columns)}",
                         file=path, line=header_line, column=SAMPLE_COLUMN_NAMES[0])
    ids = table[id_column].astype(str).str.strip()
    lines = table["__line__"].tolist()
    if column is not None:
        found = _find(columns, (column,))
        if found is None:
            raise InputError(f"missing subtype column '{column}' (header has: {', '.join(columns)})", file=path,
                             line=header_line, column=column)
        column = found
    else:
        column = _find(columns, SUBTYPE_COLUMN_NAMES)
    if column is not None:
        values = subtypes_from_values(table[column].astype(str).tolist(), lines, path=path, column=column)
        source = f"column '{column}'"
    else:
        found = {k: _find(columns, names) for k, names in RECEPTOR_COLUMN_NAMES.items()}
        if found["er"] is None or found["pr"] is None or found["her2"] is None:
            raise InputError(f"expected a subtype column ({', '.join(SUBTYPE_COLUMN_NAMES[:3])}, ...) or ER, PR and "
                             f"HER2 status columns to stratify by subtype, found: {', '.join(columns)}",
                             file=path, line=header_line, column="subtype")

        def cells(key: str) -> list[str]:
            return table[found[key]].astype(str).tolist() if found[key] else [""] * len(table)

        values = []
        for er, pr, her2, ish in zip(cells("er"), cells("pr"), cells("her2"), cells("her2_ish")):
            her2_ihc, her2_ish = receptor_status(her2), receptor_status(ish)
            her2_status = ("positive" if "positive" in (her2_ihc, her2_ish)
                           else "negative" if "negative" in (her2_ihc, her2_ish) else "")
            values.append(receptor_subtype(er, pr, her2_status))
        source = "ER/PR/HER2 columns " + ", ".join(v for v in found.values() if v)
    wanted = frozenset(samples)
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for sample, subtype, line in zip(ids, values, lines):
        if sample in seen:
            raise InputError(f"sample '{sample}' has two rows (first on line {seen[sample]})", file=path, line=int(line),
                             column=id_column)
        seen[sample] = int(line)
        if sample in wanted and subtype:
            out[sample] = subtype
    if not wanted & seen.keys():
        first = ids.iat[0] if len(ids) else ""
        raise InputError(f"no sample of the external cohort is in the table (e.g. '{first}'); do the ids use the MAF's "
                         f"Tumor_Sample_Barcode spelling?", file=path, line=header_line + 1, column=id_column)
    return out, source
