"""Concordance of tumour samples: Jaccard index of coding mutations for every sample pair,
coding-mutation burden per sample, and the cohort rank tests built on them.

Pure functions over the cohort MAF (``merge-mafs`` output, read as strings) and the
samplesheet table (``Samplesheet.table``). The method and every column are documented in
``docs/concordance.md``; in short:

* A variant is (Chromosome, Start_Position, Reference_Allele, Tumor_Seq_Allele2) of the
  normalised MAF record (docs/architecture.md). Duplicate rows of one sample count once, as
  maftools ``validateMaf`` removes them.
* Coding = maftools' non-synonymous ``Variant_Classification`` list (maftools
  ``read_maf_dt.R``, ``vc_nonSyn = NULL``; algorithms.md 10.1, 11.4), optionally plus
  ``Silent``, or a user-given list.
* Jaccard J = |A n B| / |A u B| (algorithms.md 10.1), NaN when A u B is empty. Counts come
  from a sparse sample x variant incidence matrix: intersections are a matrix product, so
  the cross-patient null ("unrelated" pairs) scales to thousands of samples.
* Cohort tests: one-sided Wilcoxon rank-sum of Jaccard between pair classes in the expected
  order, and a one-sided paired signed-rank test of coding burden (metastasis > primary),
  with R ``wilcox.test`` semantics (``metevo.stats.wilcoxon``) and Benjamini-Hochberg q-values
  over the rows of the test table.

Deviation to keep in mind when reading the p-values: pairs are not independent (a sample
takes part in several pairs, above all in the unrelated null), which the rank-sum test
assumes; the p-values rank the evidence, they are not exact error rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Collection, Iterable

import numpy as np
import pandas as pd

from metevo.consequence import NONSYNONYMOUS_CLASSES
from metevo.errors import ConfigError, InputError
from metevo.stats.multitest import bh_adjust
from metevo.stats.results import TestResult
from metevo.stats.wilcoxon import RANK_SUM, SIGNED_RANK, rank_sum_test, signed_rank_test
from metevo.variants import harmonise_chrom

# maftools read_maf_dt.R, vc_nonSyn = NULL
NON_SYNONYMOUS_CLASSES = NONSYNONYMOUS_CLASSES
# Every Variant_Classification of the MAF specification (GDC) and of maftools; --classes must
# name these so that a typo does not silently count nothing.
MAF_VARIANT_CLASSES = NON_SYNONYMOUS_CLASSES + (
    "Silent",
    "Splice_Region",
    "3'UTR",
    "3'Flank",
    "5'UTR",
    "5'Flank",
    "IGR",
    "Intron",
    "RNA",
    "Targeted_Region",
    "De_novo_Start_InFrame",
    "De_novo_Start_OutOfFrame",
    "Start_Codon_SNP",
    "Start_Codon_Del",
    "Start_Codon_Ins",
    "Stop_Codon_Del",
    "Stop_Codon_Ins",
    "lincRNA",
    "Unknown",
)

# Pair orientation and naming: the earlier type of this order is sample_a.
PAIR_TYPE_ORDER = ("primary", "metastasis", "recurrence", "cfdna")
LATER_TYPES = ("metastasis", "recurrence")  # what a primary is compared with in the null
UNRELATED = "unrelated"

MAF_REQUIRED_COLUMNS = (
    "Tumor_Sample_Barcode",
    "Chromosome",
    "Start_Position",
    "Reference_Allele",
    "Tumor_Seq_Allele2",
    "Variant_Classification",
)

PAIR_COLUMNS = (
    "patient_a", "sample_a", "sample_type_a",
    "patient_b", "sample_b", "sample_type_b",
    "pair_class", "n_a", "n_b", "n_shared", "n_private_a", "n_private_b", "n_union", "jaccard",
)
BURDEN_COLUMNS = ("patient", "sample", "sample_type", "n_coding", "n_all")
BURDEN_PER_MB_COLUMNS = ("coding_per_mb", "all_per_mb")
PAIRED_BURDEN_COLUMNS = (
    "patient", "n_primary_samples", "n_metastasis_samples", "primary_n_coding", "metastasis_n_coding",
)
TEST_COLUMNS = (
    "test", "alternative", "comparison", "statistic_name", "statistic", "p_value", "q_value",
    "n_x", "n_y", "n_x_excluded", "n_y_excluded", "n_zeros_dropped", "method", "ties", "note",
)

# The expected order of concordance: x > y for each (x, y).
JACCARD_COMPARISONS = (
    ("replicate", "multi_region"),
    ("multi_region", "primary_metastasis"),
    ("multi_region", "primary_recurrence"),
    ("primary_metastasis", UNRELATED),
    ("primary_recurrence", UNRELATED),
)
BURDEN_COMPARISON = "coding burden: metastasis > primary (paired by patient)"


def coding_classes(include_silent: bool = False, classes: Iterable[str] | None = None) -> frozenset[str]:
    """The Variant_Classification values counted as coding mutations.

    ``classes`` replaces maftools' non-synonymous list; ``include_silent`` adds ``Silent``.
    Unknown class names are a :class:`ConfigError` (they would silently match nothing).
    """
    chosen = list(NON_SYNONYMOUS_CLASSES) if classes is None else [c.strip() for c in classes if c.strip()]
    if not chosen:
        raise ConfigError("--classes: expected at least one Variant_Classification, found none")
    unknown = [c for c in chosen if c not in MAF_VARIANT_CLASSES]
    if unknown:
        raise ConfigError(
            f"--classes: unknown Variant_Classification '{unknown[0]}'; expected MAF classes such as "
            f"{', '.join(MAF_VARIANT_CLASSES)}"
        )
    if include_silent:
        chosen.append("Silent")
    return frozenset(chosen)


@dataclass(frozen=True)
class Incidence:
    """Which tumour sample carries which variant.

    ``samples``: the samplesheet's non-normal samples in samplesheet order (columns patient,
    sample, sample_type, region_group, replicate_group; positional index = matrix row).
    ``coding``/``all``: CSR 0/1 matrices samples x variants (same columns); ``in_maf``: the
    sample has at least one row in the MAF.
    """

    samples: pd.DataFrame
    coding: object  # scipy.sparse.csr_matrix
    all: object
    in_maf: np.ndarray

    @property
    def n_coding(self) -> np.ndarray:
        return np.asarray(self.coding.sum(axis=1)).ravel().astype(np.int64)

    @property
    def n_all(self) -> np.ndarray:
        return np.asarray(self.all.sum(axis=1)).ravel().astype(np.int64)


# --------------------------------------------------------------------------- inputs


def _tumour_samples(samples: pd.DataFrame, samplesheet_file) -> pd.DataFrame:
    for column in ("patient", "sample", "sample_type"):
        if column not in samples.columns:
            raise InputError(f"missing required column '{column}'", file=samplesheet_file, column=column)
    table = samples.copy()
    for column in ("region_group", "replicate_group"):
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].fillna("").astype(str)
    duplicated = table["sample"].duplicated()
    if duplicated.any():
        row = table[duplicated].iloc[0]
        raise InputError(
            f"sample '{row['sample']}' appears more than once; expected unique sample identifiers",
            file=samplesheet_file, line=_line_of(row), column="sample",
        )
    bad_type = ~table["sample_type"].isin(PAIR_TYPE_ORDER + ("normal",))
    if bad_type.any():
        row = table[bad_type].iloc[0]
        raise InputError(
            f"sample_type '{row['sample_type']}' is not one of {', '.join(PAIR_TYPE_ORDER + ('normal',))}",
            file=samplesheet_file, line=_line_of(row), column="sample_type",
        )
    keep = ["patient", "sample", "sample_type", "region_group", "replicate_group"]
    return table.loc[table["sample_type"] != "normal", keep].reset_index(drop=True)


def _line_of(row: pd.Series) -> int | None:
    line = row.get("__line__")
    return None if line is None or pd.isna(line) else int(line)


def _first_bad(maf: pd.DataFrame, mask: pd.Series | np.ndarray, maf_file, column: str, message) -> None:
    """Raise for the first row where ``mask`` holds; ``message`` is text or f(position)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        position = int(np.argmax(mask))
        text = message(position) if callable(message) else message
        raise InputError(text, file=maf_file, line=_line_of(maf.iloc[position]), column=column)


def mutation_incidence(
    samples: pd.DataFrame,
    maf: pd.DataFrame,
    *,
    classes: Collection[str] = NON_SYNONYMOUS_CLASSES,
    maf_file=None,
    samplesheet_file=None,
) -> Incidence:
    """Check the cohort MAF against the samplesheet and build the sample x variant matrices.

    ``maf``: one row per MAF record, string cells, optional ``__line__`` (file line for
    messages). Every ``Tumor_Sample_Barcode`` must be a non-normal samplesheet sample, and the
    MAF's ``patient``/``sample_type`` columns, when present, must agree with the samplesheet.
    Samplesheet samples without MAF rows simply carry no mutations.
    """
    from scipy import sparse

    tumours = _tumour_samples(samples, samplesheet_file)
    all_types = dict(zip(samples["sample"], samples["sample_type"]))
    missing = [c for c in MAF_REQUIRED_COLUMNS if c not in maf.columns]
    if missing:
        raise InputError(
            f"missing required column '{missing[0]}' (a cohort MAF needs {', '.join(MAF_REQUIRED_COLUMNS)})",
            file=maf_file, column=missing[0],
        )
    text = {c: maf[c].fillna("").astype(str).str.strip() for c in MAF_REQUIRED_COLUMNS}
    barcode = text["Tumor_Sample_Barcode"]
    _first_bad(maf, barcode == "", maf_file, "Tumor_Sample_Barcode", "expected a sample identifier, found an empty cell")
    _first_bad(
        maf, ~barcode.isin(all_types), maf_file, "Tumor_Sample_Barcode",
        lambda i: (
            f"sample '{barcode.iloc[i]}' is not in the samplesheet; every Tumor_Sample_Barcode of the "
            "cohort MAF must be a samplesheet sample"
        ),
    )
    _first_bad(
        maf, barcode.map(all_types).eq("normal"), maf_file, "Tumor_Sample_Barcode",
        lambda i: (
            f"sample '{barcode.iloc[i]}' is a normal in the samplesheet; somatic mutations must belong "
            "to tumour or cfDNA samples"
        ),
    )
    for column in ("patient", "sample_type"):
        if column in maf.columns:
            expected = barcode.map(dict(zip(samples["sample"], samples[column].astype(str))))
            found = maf[column].fillna("").astype(str).str.strip()
            _first_bad(
                maf, found != expected, maf_file, column,
                lambda i, column=column, found=found, expected=expected: (
                    f"sample '{barcode.iloc[i]}' has {column} '{found.iloc[i]}' here but "
                    f"'{expected.iloc[i]}' in the samplesheet"
                ),
            )
    for column in ("Chromosome", "Reference_Allele", "Tumor_Seq_Allele2"):
        _first_bad(maf, text[column] == "", maf_file, column, "expected a value, found an empty cell")
    position = pd.to_numeric(text["Start_Position"], errors="coerce")
    bad_position = position.isna() | (position < 1) | (position != np.floor(position))
    _first_bad(
        maf, bad_position, maf_file, "Start_Position",
        lambda i: f"expected a positive integer position, found '{text['Start_Position'].iloc[i]}'",
    )

    sample_index = pd.Series(np.arange(len(tumours)), index=tumours["sample"])
    rows = sample_index.reindex(barcode).to_numpy()
    chrom = text["Chromosome"].map({c: harmonise_chrom(c) for c in text["Chromosome"].unique()})
    key = (
        chrom + "\t" + position.astype("int64").astype(str) + "\t"
        + text["Reference_Allele"] + "\t" + text["Tumor_Seq_Allele2"]
    )
    columns, _ = pd.factorize(key, sort=False)
    is_coding = text["Variant_Classification"].isin(set(classes)).to_numpy()
    shape = (len(tumours), int(columns.max()) + 1 if columns.size else 0)

    def matrix(mask: np.ndarray):
        m = sparse.csr_matrix(
            (np.ones(int(mask.sum()), dtype=np.int32), (rows[mask].astype(np.int64), columns[mask])), shape=shape
        )
        m.sum_duplicates()
        m.data[:] = 1  # a variant listed twice for one sample counts once (maftools validateMaf)
        return m

    everything = np.ones(len(maf), dtype=bool)
    in_maf = np.zeros(len(tumours), dtype=bool)
    in_maf[np.unique(rows.astype(np.int64))] = True
    return Incidence(samples=tumours, coding=matrix(is_coding), all=matrix(everything), in_maf=in_maf)


# --------------------------------------------------------------------------- pairs


def pair_class(a: pd.Series | dict, b: pd.Series | dict) -> str:
    """Class of two samples of one patient, ``a`` being the earlier type (PAIR_TYPE_ORDER).

    ``replicate`` (same replicate_group) before ``multi_region`` (same region_group) before
    the two types joined by '_' in PAIR_TYPE_ORDER (``primary_metastasis``,
    ``metastasis_metastasis``, ``primary_cfdna`` ...).
    """
    if a["replicate_group"] and a["replicate_group"] == b["replicate_group"]:
        return "replicate"
    if a["region_group"] and a["region_group"] == b["region_group"]:
        return "multi_region"
    return f"{a['sample_type']}_{b['sample_type']}"


def _within_patient_pairs(inc: Incidence) -> tuple[np.ndarray, np.ndarray, list[str]]:
    samples = inc.samples
    type_rank = samples["sample_type"].map({t: i for i, t in enumerate(PAIR_TYPE_ORDER)}).to_numpy()
    # cfDNA with no MAF row at all is taken as no tumour DNA detected: its pairs say nothing
    usable = (samples["sample_type"] != "cfdna").to_numpy() | inc.in_maf
    records = samples.to_dict(orient="records")
    found: list[tuple[int, int, str]] = []
    for _, group in samples[usable].groupby("patient", sort=False):
        members = list(group.index)  # positions: samples has a RangeIndex
        oriented = []
        for i, p in enumerate(members):
            for q in members[i + 1:]:
                a, b = (p, q) if (type_rank[p], p) <= (type_rank[q], q) else (q, p)
                oriented.append((a, b, pair_class(records[a], records[b])))
        found.extend(sorted(oriented))
    first_a = np.asarray([a for a, _, _ in found], dtype=np.int64)
    first_b = np.asarray([b for _, b, _ in found], dtype=np.int64)
    return first_a, first_b, [c for _, _, c in found]


def pair_table(inc: Incidence) -> pd.DataFrame:
    """One row per sample pair (columns PAIR_COLUMNS): every pair of samples of a patient,
    then every ``unrelated`` pair (a primary and a metastasis/recurrence of two patients).

    Rows: patients in samplesheet order, pairs by the samplesheet positions of sample_a then
    sample_b; the unrelated pairs follow, ordered the same way.
    """
    samples = inc.samples
    coding = inc.coding
    n = inc.n_coding

    ia, ib, classes = _within_patient_pairs(inc)
    if ia.size:
        shared_within = np.asarray(coding[ia].multiply(coding[ib]).sum(axis=1)).ravel().astype(np.int64)
    else:
        shared_within = np.zeros(0, dtype=np.int64)

    types = samples["sample_type"].to_numpy()
    patients = samples["patient"].to_numpy()
    primaries = np.flatnonzero(types == "primary")
    later = np.flatnonzero(np.isin(types, LATER_TYPES))
    if primaries.size and later.size:
        shared_grid = (coding[primaries] @ coding[later].T).toarray().astype(np.int64)
        ua = np.repeat(primaries, later.size)
        ub = np.tile(later, primaries.size)
        other_patient = patients[ua] != patients[ub]
        ua, ub = ua[other_patient], ub[other_patient]
        shared_unrelated = shared_grid.ravel()[other_patient]
    else:
        ua = ub = shared_unrelated = np.zeros(0, dtype=np.int64)

    a = np.concatenate((ia, ua))
    b = np.concatenate((ib, ub))
    shared = np.concatenate((shared_within, shared_unrelated))
    union = n[a] + n[b] - shared
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = np.where(union > 0, shared / np.where(union > 0, union, 1), np.nan)
    # categoricals over the sample rows: millions of unrelated pairs cost integer codes, not strings
    def per_sample(column: str, rows: np.ndarray) -> pd.Categorical:
        codes, names = pd.factorize(samples[column].to_numpy())
        return pd.Categorical.from_codes(codes[rows], categories=names)

    class_names = list(dict.fromkeys(classes + [UNRELATED]))
    class_codes = np.concatenate((
        np.asarray([class_names.index(c) for c in classes], dtype=np.int64),
        np.full(ua.size, class_names.index(UNRELATED), dtype=np.int64),
    ))
    table = pd.DataFrame({
        "patient_a": per_sample("patient", a),
        "sample_a": per_sample("sample", a),
        "sample_type_a": per_sample("sample_type", a),
        "patient_b": per_sample("patient", b),
        "sample_b": per_sample("sample", b),
        "sample_type_b": per_sample("sample_type", b),
        "pair_class": pd.Categorical.from_codes(class_codes, categories=class_names),
        "n_a": n[a],
        "n_b": n[b],
        "n_shared": shared,
        "n_private_a": n[a] - shared,
        "n_private_b": n[b] - shared,
        "n_union": union,
        "jaccard": jaccard,
    })
    return table.loc[:, list(PAIR_COLUMNS)]


# --------------------------------------------------------------------------- burden


def burden_table(inc: Incidence, target_mb: float | None = None) -> pd.DataFrame:
    """Mutations per tumour sample (samplesheet order): ``n_coding`` (the chosen classes) and
    ``n_all`` (every MAF row, distinct variants); per megabase of target when ``target_mb``."""
    table = inc.samples.loc[:, ["patient", "sample", "sample_type"]].copy()
    table["n_coding"] = inc.n_coding
    table["n_all"] = inc.n_all
    if target_mb is not None:
        if not (isinstance(target_mb, (int, float)) and math.isfinite(target_mb) and target_mb > 0):
            raise ConfigError(f"--target-mb: expected a positive number of megabases, got {target_mb!r}")
        table["coding_per_mb"] = table["n_coding"] / target_mb
        table["all_per_mb"] = table["n_all"] / target_mb
    return table.reset_index(drop=True)


def paired_burden(burden: pd.DataFrame) -> pd.DataFrame:
    """Per patient with a primary and a metastasis or recurrence: mean ``n_coding`` over the
    patient's primary samples (regions, replicates) and over its metastasis and recurrence
    samples together. Patients in order of first appearance; cfDNA is not used."""
    counts = burden["n_coding"].astype(float)

    def per_patient(mask: pd.Series) -> pd.DataFrame:
        return counts[mask].groupby(burden.loc[mask, "patient"], sort=False).agg(["size", "mean"])

    primary = per_patient(burden["sample_type"] == "primary")
    later = per_patient(burden["sample_type"].isin(LATER_TYPES))
    patients = [p for p in pd.unique(burden["patient"]) if p in primary.index and p in later.index]
    return pd.DataFrame({
        "patient": pd.Series(patients, dtype=object),
        "n_primary_samples": primary.loc[patients, "size"].to_numpy(dtype=np.int64),
        "n_metastasis_samples": later.loc[patients, "size"].to_numpy(dtype=np.int64),
        "primary_n_coding": primary.loc[patients, "mean"].to_numpy(dtype=float),
        "metastasis_n_coding": later.loc[patients, "mean"].to_numpy(dtype=float),
    }).loc[:, list(PAIRED_BURDEN_COLUMNS)]


# --------------------------------------------------------------------------- cohort tests


def _row(result: TestResult, comparison: str, excluded_x: int = 0, excluded_y: int = 0, ran: bool = True) -> dict:
    row = result.as_row()
    row.update(comparison=comparison, n_x_excluded=excluded_x, n_y_excluded=excluded_y)
    if not ran:
        row["ties"] = None
    return row


def _pairs(count: int) -> str:
    return f"{count} pair" if count == 1 else f"{count} pairs"


def cohort_tests(pairs: pd.DataFrame, paired: pd.DataFrame) -> pd.DataFrame:
    """The test table (TEST_COLUMNS): one-sided rank-sum tests of Jaccard between pair classes
    (JACCARD_COMPARISONS, alternative 'greater'), then the one-sided signed-rank test of
    metastasis vs primary coding burden over patients; q = BH over the rows.

    Pairs with an undefined Jaccard (empty union) are left out and counted in
    ``n_x_excluded``/``n_y_excluded``. A comparison whose class has no defined value gets a
    row with NA p and the reason in ``note``.
    """
    rows = []
    for x_class, y_class in JACCARD_COMPARISONS:
        comparison = f"jaccard: {x_class} > {y_class}"
        x_all = pairs.loc[pairs["pair_class"] == x_class, "jaccard"].to_numpy(dtype=float)
        y_all = pairs.loc[pairs["pair_class"] == y_class, "jaccard"].to_numpy(dtype=float)
        x, y = x_all[~np.isnan(x_all)], y_all[~np.isnan(y_all)]
        excluded_x, excluded_y = x_all.size - x.size, y_all.size - y.size
        empty = [
            f"no {name} pairs" if total == 0 else
            f"no {name} pair has a defined Jaccard (all {_pairs(total)} lack counted mutations in both samples)"
            for name, total, used in ((x_class, x_all.size, x.size), (y_class, y_all.size, y.size))
            if used == 0
        ]
        if empty:
            result = TestResult(RANK_SUM, "greater", "W", math.nan, math.nan, x.size, y.size, "", False,
                                note="; ".join(empty))
            rows.append(_row(result, comparison, excluded_x, excluded_y, ran=False))
        else:
            rows.append(_row(rank_sum_test(x, y, alternative="greater"), comparison, excluded_x, excluded_y))

    if len(paired):
        result = signed_rank_test(
            paired["metastasis_n_coding"].to_numpy(dtype=float),
            paired["primary_n_coding"].to_numpy(dtype=float),
            alternative="greater",
        )
        rows.append(_row(result, BURDEN_COMPARISON))
    else:
        result = TestResult(SIGNED_RANK, "greater", "V", math.nan, math.nan, 0, 0, "", False,
                            note="no patient has both a primary and a metastasis or recurrence sample")
        rows.append(_row(result, BURDEN_COMPARISON, ran=False))

    table = pd.DataFrame(rows)
    table["q_value"] = bh_adjust(table["p_value"].to_numpy(dtype=float))
    table["ties"] = table["ties"].astype(object)
    return table.loc[:, list(TEST_COLUMNS)]


# --------------------------------------------------------------------------- all together


@dataclass(frozen=True)
class Concordance:
    pairs: pd.DataFrame
    burden: pd.DataFrame
    paired_burden: pd.DataFrame
    tests: pd.DataFrame


def concordance(
    samples: pd.DataFrame,
    maf: pd.DataFrame,
    *,
    classes: Collection[str] = NON_SYNONYMOUS_CLASSES,
    target_mb: float | None = None,
    maf_file=None,
    samplesheet_file=None,
) -> Concordance:
    """Pairs, burden, paired burden and cohort tests of one cohort (the pair-concordance step)."""
    inc = mutation_incidence(samples, maf, classes=classes, maf_file=maf_file, samplesheet_file=samplesheet_file)
    pairs = pair_table(inc)
    burden = burden_table(inc, target_mb=target_mb)
    paired = paired_burden(burden)
    return Concordance(pairs=pairs, burden=burden, paired_burden=paired, tests=cohort_tests(pairs, paired))
