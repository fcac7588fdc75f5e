"""Tracked copy-number regions: per-sample status, primary vs metastasis frequency, cfDNA timelines.

Pure functions over the segments table (``metevo.io.segments.read_segments``; columns in
docs/copynumber-contracts.md), the samplesheet table and a region list. The method and every
output column are documented in ``docs/tracked-regions.md``; in short:

* **Regions**: the default list ``metevo/data/tracked_regions.tsv`` (1q21.3, PTK6, PAQR8,
  STK11, CDKN2A, ERBB2, MYC, CCND1), or a user TSV with the same columns; a region is its
  ``chrom``/``start``/``end`` when given, else its gene's GENCODE span, else its cytoband, on
  the genome build in use (``metevo.cn.reference``).
* **Segment status** (five levels of the contracts: deletion, loss, neutral, gain,
  amplification), from the first of: its integer ``total_cn`` against the sample's modal
  total copy number b (length-weighted over the autosomes; 0 is deletion, below b loss, b
  neutral, above b gain, b + 3 or more amplification, so 5 copies in a diploid genome as in
  the contracts, and a whole-genome-doubled sample's 4 copies are neutral); the segment's own
  ``call`` (callers' calls are relative to 2 copies); its ``log2`` ratio against the cutoffs halfway
  between the expected log2 ratios of neighbouring integer copy numbers,
  log2((p*c + 2(1-p)) / (p*phi + 2(1-p))) at c = 0.5, b - 0.5, b + 0.5, b + 2.5 with b =
  round(phi), given purity p and ploidy phi; without purity QDNAseq's default cutoffs (log2
  -2, -0.415, 0.322, 2.322; CGHcall).
* **Region status** of a sample: the status covering most of the region's bases (ties go to
  the more extreme level); mean log2 weighted by the overlap of each covering segment.
* **Frequency**: tumors (technical replicates and regions of one tumor collapse to one tumor,
  whose status is the majority of its samples, ties to the more extreme level) are primaries
  or later tumors (metastases and recurrences). A region is *altered* in a tumor when its
  status is the region's alteration or stronger (amplification: amplification; gain: gain or
  amplification; loss: loss or deletion; deletion: deletion). Two-sided Fisher exact test of
  altered later tumors vs altered primaries with R ``fisher.test``'s conditional maximum
  likelihood odds ratio and its 95% interval; Pearson's chi-square test of loss (with
  deletion) / neutral / gain (with amplification) between the two groups (scipy
  ``chi2_contingency``, no continuity correction: it would only apply to 2 x 2 tables, which
  R's ``chisq.test`` corrects; ours are 2 x 3, where neither corrects). Benjamini-Hochberg
  q-values across regions, for each test.
* **cfDNA timelines**: every cfDNA sample's tumor fraction (``metevo cfdna`` params, else the
  samplesheet's purity) and region status by collection time, relative to the patient's first
  metastasis or recurrence (before, at (within 30 days), after).

Deviation to keep in mind: tumors of one patient (primary and metastasis) are not
independent, which the Fisher and chi-square tests assume; the p-values rank regions.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

import numpy as np
import pandas as pd

from metevo.errors import ConfigError, InputError
from metevo.stats.multitest import bh_adjust

STATUSES = ("deletion", "loss", "neutral", "gain", "amplification")
ALTERATIONS = ("deletion", "loss", "gain", "amplification")
GENOMES = ("hg19", "hg38")
# how far a status is from neutral, and on which side (ties between region statuses go to the
# more extreme one; between equally extreme ones to the loss side, which is listed first)
_EXTREMITY = {"deletion": 2, "loss": 1, "neutral": 0, "gain": 1, "amplification": 2}
ALTERED = {
    "amplification": ("amplification",),
    "gain": ("gain", "amplification"),
    "loss": ("loss", "deletion"),
    "deletion": ("deletion",),
}
LATER_TYPES = ("metastasis", "recurrence")
QDNASEQ_CUTOFFS = (-2.0, -0.415, 0.322, 2.322)  # deletion, loss, gain, amplification (log2)
AMPLIFICATION_COPIES = 3  # amplification: total_cn >= baseline + 3 (5 copies when diploid)
AT_RELAPSE_DAYS = 30
LOG2_FLOOR = -10.0  # log2 of an expected ratio of 0 (homozygous deletion in a pure sample)

REGION_COLUMNS = ("region", "cytoband", "gene", "alteration", "genome", "chrom", "start", "end")
STATUS_COLUMNS = (
    "patient", "sample", "sample_type", "collection_time", "region", "chrom", "start", "end", "status",
    "source", "log2", "total_cn", "baseline_cn", "covered_fraction", "n_segments",
)
FREQUENCY_COLUMNS = (
    "region", "cytoband", "gene", "alteration", "chrom", "start", "end",
    "n_primary", "n_primary_altered", "freq_primary", "n_later", "n_later_altered", "freq_later",
    *(f"primary_{s}" for s in STATUSES), *(f"later_{s}" for s in STATUSES),
    "fisher_test", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "fisher_p", "fisher_q",
    "chisq_test", "chisq_statistic", "chisq_df", "chisq_p", "chisq_q", "note",
)
TIMELINE_COLUMNS = (
    "patient", "sample", "collection_time", "relapse_time", "days_from_relapse", "timepoint",
    "tumor_fraction", "ploidy", "region", "status", "log2",
)
FISHER_TEST = "Fisher's exact test, two-sided; conditional MLE odds ratio (R fisher.test)"
CHISQ_TEST = "Pearson's chi-squared test, loss/neutral/gain, no continuity correction"


# ------------------------------------------------------------------ the region list


@lru_cache(maxsize=None)
def _default_table() -> pd.DataFrame:
    text = resources.files("metevo.data").joinpath("tracked_regions.tsv").read_text(encoding="utf-8")
    numbered = [(i, line.split("\t")) for i, line in enumerate(text.splitlines(), start=1)
                if line and not line.startswith("#")]
    table = pd.DataFrame([fields for _, fields in numbered[1:]], columns=numbered[0][1], dtype=object)
    table["__line__"] = [i for i, _ in numbered[1:]]
    return table


def default_regions(genome: str = "hg38") -> pd.DataFrame:
    """The package's default tracked regions placed on ``genome`` (columns REGION_COLUMNS)."""
    return resolve_regions(_default_table(), genome, file="metevo/data/tracked_regions.tsv")


def _check_genome(genome: str) -> None:
    if genome not in GENOMES:
        raise ConfigError(f"--genome: expected one of {', '.join(GENOMES)}, got '{genome}'")


def _place(cytoband: str, gene: str, genome: str, *, file, line: int) -> tuple[str, int, int]:
    """(chrom, start, end) of a gene's GENCODE span, else of a cytoband (``metevo.cn.reference``)."""
    from metevo.cn import reference

    if gene:
        genes = reference.genes(genome)
        hit = genes[genes["gene"] == gene]
        if hit.empty:
            raise InputError(f"gene '{gene}' is not a protein-coding gene of {genome}; give chrom, start and end",
                             file=file, line=line, column="gene")
        return str(hit["chrom"].iloc[0]), int(hit["start"].iloc[0]), int(hit["end"].iloc[0])
    if cytoband:
        try:
            region = reference.region_from_cytoband(genome, cytoband)
        except ConfigError as err:
            raise InputError(str(err), file=file, line=line, column="cytoband") from None
        return region.chrom, region.start, region.end
    raise InputError("expected chrom, start and end, a gene or a cytoband to place the region, found none",
                     file=file, line=line, column="chrom")


def resolve_regions(table: pd.DataFrame, genome: str, *, file=None) -> pd.DataFrame:
    """Check a region list and place its regions on ``genome`` (columns REGION_COLUMNS).

    ``table``: strings as read (``__line__`` optional, for messages). ``region`` and
    ``alteration`` are required; ``genome``, when present and filled, keeps the rows of that
    build; ``chrom``/``start``/``end`` when given are the region, else the ``gene``'s span, else
    the ``cytoband`` (through ``metevo.cn.reference``).
    """
    from metevo.variants import harmonise_chrom

    _check_genome(genome)
    for column in ("region", "alteration"):
        if column not in table.columns:
            raise InputError(f"missing required column '{column}' (a region list needs region and alteration)",
                             file=file, line=1, column=column)
    table = table.copy()
    for column in REGION_COLUMNS:
        if column not in table.columns:
            table[column] = ""
        table[column] = table[column].fillna("").astype(str).str.strip()
    if "__line__" not in table.columns:
        table["__line__"] = np.arange(2, len(table) + 2)
    for row in table.to_dict(orient="records"):
        if row["genome"] and row["genome"] not in GENOMES:
            raise InputError(f"genome must be one of {', '.join(GENOMES)}, got '{row['genome']}'",
                             file=file, line=int(row["__line__"]), column="genome")
    table = table[(table["genome"] == "") | (table["genome"] == genome)]
    rows = []
    for row in table.to_dict(orient="records"):
        line = int(row["__line__"])
        if not row["region"]:
            raise InputError("expected a region name, found an empty cell", file=file, line=line, column="region")
        if row["alteration"] not in ALTERATIONS:
            raise InputError(f"alteration must be one of {', '.join(ALTERATIONS)}, got '{row['alteration']}'",
                             file=file, line=line, column="alteration")
        if row["chrom"] or row["start"] or row["end"]:
            for column in ("chrom", "start", "end"):
                if not row[column]:
                    raise InputError("expected chrom, start and end together, found an empty cell",
                                     file=file, line=line, column=column)
            for column in ("start", "end"):
                value = row[column]
                if not value.isdigit() or int(value) < 1:
                    raise InputError(f"expected a positive integer position (1-based), found '{value}'",
                                     file=file, line=line, column=column)
            chrom, start, end = harmonise_chrom(row["chrom"]), int(row["start"]), int(row["end"])
            if end < start:
                raise InputError(f"end {end} is before start {start}", file=file, line=line, column="end")
        else:
            chrom, start, end = _place(row["cytoband"], row["gene"], genome, file=file, line=line)
        rows.append({**{c: row[c] for c in REGION_COLUMNS}, "genome": genome, "chrom": chrom, "start": start,
                     "end": end, "__line__": line})
    out = pd.DataFrame(rows, columns=list(REGION_COLUMNS) + ["__line__"])
    duplicated = out["region"].duplicated()
    if duplicated.any():
        row = out[duplicated].iloc[0]
        raise InputError(f"region '{row['region']}' is listed twice for {genome}; region names must be unique",
                         file=file, line=int(row["__line__"]), column="region")
    if out.empty:
        raise InputError(f"expected at least one region for {genome}, found none", file=file)
    out["start"] = out["start"].astype("int64")
    out["end"] = out["end"].astype("int64")
    return out.loc[:, list(REGION_COLUMNS)].reset_index(drop=True)


def read_regions(path, genome: str) -> pd.DataFrame:
    """A user's region list (TSV; leading '#' lines are comments) placed on ``genome``."""
    from metevo.io.tables import read_table

    table = read_table(path, sep="\t", comment="#", required=("region", "alteration"), what="region list")
    return resolve_regions(table, genome, file=path)


# ------------------------------------------------------------------ status of segments


def expected_log2(copies, purity: float, ploidy: float):
    """Expected log2 ratio of integer copy number ``copies`` at purity p and ploidy phi:
    log2((p*c + 2(1-p)) / (p*phi + 2(1-p))) (docs/copynumber-contracts.md), floored at -10."""
    c = np.asarray(copies, dtype=float)
    numerator = purity * c + 2 * (1 - purity)
    denominator = purity * ploidy + 2 * (1 - purity)
    with np.errstate(divide="ignore"):
        value = np.log2(numerator / denominator)
    return np.maximum(value, LOG2_FLOOR)


def log2_cutoffs(purity: float | None = None, ploidy: float | None = None) -> tuple[float, float, float, float]:
    """(deletion, loss, gain, amplification) log2 cutoffs: halfway (in copies) between the
    levels at purity and ploidy; QDNAseq's defaults without purity."""
    if purity is None or not np.isfinite(purity) or not 0 < purity <= 1:
        return QDNASEQ_CUTOFFS
    phi = 2.0 if ploidy is None or not np.isfinite(ploidy) or ploidy <= 0 else float(ploidy)
    b = max(1, int(round(phi)))
    levels = (0.5, b - 0.5, b + 0.5, b + AMPLIFICATION_COPIES - 0.5)
    return tuple(float(v) for v in expected_log2(levels, purity, phi))


def status_from_log2(log2, cutoffs: tuple[float, float, float, float] = QDNASEQ_CUTOFFS) -> np.ndarray:
    """Five-level status of log2 ratios (NaN gives '')."""
    x = np.asarray(log2, dtype=float)
    deletion, loss, gain, amplification = cutoffs
    out = np.full(x.shape, "neutral", dtype=object)
    out[x < loss] = "loss"
    out[x < deletion] = "deletion"
    out[x > gain] = "gain"
    out[x >= amplification] = "amplification"
    out[np.isnan(x)] = ""
    return out


def status_from_total_cn(total_cn, baseline: float, amplification_copies: int = AMPLIFICATION_COPIES) -> np.ndarray:
    """Five-level status of integer copy numbers against the sample's baseline (modal) copy
    number; NA gives ''."""
    c = pd.array(total_cn, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    out = np.full(c.shape, "neutral", dtype=object)
    out[c < baseline] = "loss"
    out[c > baseline] = "gain"
    out[c >= baseline + amplification_copies] = "amplification"
    out[c == 0] = "deletion"
    out[np.isnan(c)] = ""
    return out


def modal_copy_number(segments: pd.DataFrame) -> pd.Series:
    """Per sample: the total copy number covering most autosomal bases (ties: the lower)."""
    autosomal = segments[~segments["chrom"].isin(("X", "Y", "MT")) & segments["total_cn"].notna()]
    if autosomal.empty:
        return pd.Series(dtype=float)
    length = (autosomal["end"] - autosomal["start"] + 1).astype("int64")
    totals = pd.DataFrame({"sample": autosomal["sample"].to_numpy(), "cn": autosomal["total_cn"].astype("int64").to_numpy(),
                           "bp": length.to_numpy()}).groupby(["sample", "cn"], sort=True)["bp"].sum().reset_index()
    totals = totals.sort_values(["sample", "bp", "cn"], ascending=[True, False, True], kind="stable")
    return totals.drop_duplicates("sample").set_index("sample")["cn"].astype(float)


def _sample_values(samples: pd.DataFrame, params: pd.DataFrame | None) -> tuple[dict, dict]:
    """purity and ploidy per sample: cfDNA params override the samplesheet."""
    purity: dict[str, float] = {}
    ploidy: dict[str, float] = {}
    for column, out in (("purity", purity), ("ploidy", ploidy)):
        if column in samples.columns:
            values = pd.to_numeric(samples[column], errors="coerce")
            out.update({s: float(v) for s, v in zip(samples["sample"], values) if np.isfinite(v)})
    if params is not None and len(params):
        for column, out in (("tumor_fraction", purity), ("ploidy", ploidy)):
            if column in params.columns:
                values = pd.to_numeric(params[column], errors="coerce")
                out.update({s: float(v) for s, v in zip(params["sample"], values) if np.isfinite(v)})
    return purity, ploidy


def segment_status(segments: pd.DataFrame, purity: dict[str, float] | None = None,
                   ploidy: dict[str, float] | None = None) -> pd.DataFrame:
    """Status of every segment: columns ``status``, ``source`` (call, total_cn, log2 or ''),
    ``baseline_cn`` (modal total copy number; NA without integer copy numbers) and ``value``
    (log2, else the expected log2 of total_cn at the sample's purity, 1 if unknown, and
    ploidy, the baseline if unknown); same index as ``segments``."""
    purity = purity or {}
    ploidy = ploidy or {}
    n = len(segments)
    status = np.full(n, "", dtype=object)
    source = np.full(n, "", dtype=object)
    value = np.full(n, np.nan)
    baseline_out = np.full(n, np.nan)
    modal = modal_copy_number(segments)
    sample_col = segments["sample"].to_numpy()
    calls = segments["call"].fillna("").astype(str).to_numpy() if "call" in segments.columns else np.full(n, "")
    total = pd.array(segments["total_cn"], dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    log2 = pd.to_numeric(segments["log2"], errors="coerce").to_numpy(dtype=float)
    seg_ploidy = pd.to_numeric(segments["ploidy"], errors="coerce").to_numpy(dtype=float) \
        if "ploidy" in segments.columns else np.full(n, np.nan)
    for sample in pd.unique(sample_col):
        idx = np.flatnonzero(sample_col == sample)
        p = purity.get(sample)
        phi = ploidy.get(sample)
        if phi is None:
            known = seg_ploidy[idx][np.isfinite(seg_ploidy[idx])]
            phi = float(known[0]) if known.size else None
        b = modal.get(sample, np.nan)
        baseline_out[idx] = b
        by_log2 = status_from_log2(log2[idx], log2_cutoffs(p, phi))
        by_cn = status_from_total_cn(total[idx], b) if np.isfinite(b) else np.full(idx.size, "", dtype=object)
        for k, i in enumerate(idx):
            if by_cn[k]:
                status[i], source[i] = by_cn[k], "total_cn"
            elif calls[i] in STATUSES:
                status[i], source[i] = calls[i], "call"
            elif by_log2[k]:
                status[i], source[i] = by_log2[k], "log2"
        own = np.isfinite(log2[idx])
        expected = expected_log2(total[idx], 1.0 if p is None else p,
                                 (phi if phi is not None else (b if np.isfinite(b) else 2.0)))
        value[idx] = np.where(own, log2[idx], np.where(np.isfinite(total[idx]), expected, np.nan))
    return pd.DataFrame({"status": status, "source": source, "baseline_cn": baseline_out, "value": value},
                        index=segments.index)


def _pick_status(weights: dict[str, float]) -> str:
    """The status with the most bases; ties to the more extreme, then to the loss side."""
    if not weights:
        return ""
    return max(weights, key=lambda s: (weights[s], _EXTREMITY[s], -STATUSES.index(s)))


# ------------------------------------------------------------------ region status


def region_status(segments: pd.DataFrame, regions: pd.DataFrame, samples: pd.DataFrame,
                  params: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per (sample with segments, region): STATUS_COLUMNS.

    Rows follow the samplesheet order of samples, then the region list. A region no segment
    of the sample covers has an empty status and NA log2.
    """
    purity, ploidy = _sample_values(samples, params)
    statuses = segment_status(segments, purity, ploidy)
    seg = segments.assign(_status=statuses["status"], _source=statuses["source"], _value=statuses["value"],
                          _baseline=statuses["baseline_cn"])
    info = samples.set_index("sample")
    order = [s for s in samples["sample"] if s in set(seg["sample"])]
    rows = []
    by_sample = {s: g for s, g in seg.groupby("sample", sort=False)}
    for sample in order:
        g = by_sample[sample]
        by_chrom = {c: cg for c, cg in g.groupby("chrom", sort=False)}
        for r in regions.itertuples(index=False):
            cg = by_chrom.get(r.chrom)
            length = r.end - r.start + 1
            row = {"patient": info.at[sample, "patient"], "sample": sample,
                   "sample_type": info.at[sample, "sample_type"],
                   "collection_time": info.at[sample, "collection_time"] if "collection_time" in info.columns else np.nan,
                   "region": r.region, "chrom": r.chrom, "start": r.start, "end": r.end, "status": "", "source": "",
                   "log2": np.nan, "total_cn": pd.NA, "baseline_cn": pd.NA, "covered_fraction": 0.0, "n_segments": 0}
            if cg is not None:
                overlap = (np.minimum(cg["end"].to_numpy(), r.end) - np.maximum(cg["start"].to_numpy(), r.start) + 1)
                hit = overlap > 0
                if hit.any():
                    h = cg[hit]
                    bp = overlap[hit].astype(float)
                    weights: dict[str, float] = {}
                    for s, w in zip(h["_status"], bp):
                        if s:
                            weights[s] = weights.get(s, 0.0) + w
                    row["status"] = _pick_status(weights)
                    if row["status"]:
                        chosen = h["_status"].to_numpy() == row["status"]
                        row["source"] = h["_source"].to_numpy()[chosen][np.argmax(bp[chosen])]
                    values = h["_value"].to_numpy(dtype=float)
                    finite = np.isfinite(values)
                    if finite.any():
                        row["log2"] = float(np.sum(values[finite] * bp[finite]) / np.sum(bp[finite]))
                    totals = pd.array(h["total_cn"], dtype="Int64")
                    best = int(np.argmax(bp))
                    row["total_cn"] = totals[best]
                    base = h["_baseline"].iloc[0]
                    row["baseline_cn"] = int(base) if np.isfinite(base) else pd.NA
                    row["covered_fraction"] = float(bp.sum() / length)
                    row["n_segments"] = int(hit.sum())
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(STATUS_COLUMNS))
    for column in ("total_cn", "baseline_cn"):
        out[column] = out[column].astype("Int64")
    out["n_segments"] = out["n_segments"].astype("int64")
    return out


# ------------------------------------------------------------------ frequency and tests


def _tumor_units(samples: pd.DataFrame) -> pd.Series:
    """Sample -> tumor id: technical replicates and regions of one tumor are one tumor."""
    unit = samples["sample"].astype(str).copy()
    for column in ("region_group", "replicate_group"):
        if column in samples.columns:
            group = samples[column].fillna("").astype(str)
            unit = unit.where(group == "", "group:" + group)
    return pd.Series(unit.to_numpy(), index=samples["sample"].to_numpy())


def _majority(statuses: Iterable[str]) -> str:
    counts: dict[str, float] = {}
    for s in statuses:
        if s:
            counts[s] = counts.get(s, 0) + 1
    return _pick_status(counts)


def tumor_status(status: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """One row per (tumor, region) of primaries and later tumors: ``group`` (primary or later)
    and the tumor's status (majority of its samples; ties to the more extreme)."""
    units = _tumor_units(samples)
    table = status[status["sample_type"].isin(("primary",) + LATER_TYPES)].copy()
    table["tumor"] = units.reindex(table["sample"]).to_numpy()
    table["group"] = np.where(table["sample_type"] == "primary", "primary", "later")
    out = (table.groupby(["region", "group", "tumor"], sort=False)["status"].agg(_majority).reset_index())
    return out


def fisher_exact(table: np.ndarray) -> tuple[float, float, float, float]:
    """(two-sided p, conditional MLE odds ratio, 95% CI low, high) of a 2 x 2 table, as R
    ``fisher.test`` computes them: :func:`metevo.stats.contingency.fisher_exact` (R's
    hypergeometric p-value with its 1 + 1e-7 tolerance; estimate and interval from R's own
    ``uniroot`` iteration, so they equal R's to the last digits).
    """
    from metevo.stats.contingency import fisher_exact as _fisher

    (a, b), (c, d) = np.asarray(table, dtype=np.int64).tolist()
    r = _fisher(a, b, c, d)
    return r.p_value, r.odds_ratio, r.ci_low, r.ci_high


def region_frequency(status: pd.DataFrame, regions: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Per region: counts of tumors by status in primaries and later tumors, altered
    frequencies, Fisher exact and chi-square tests with BH q-values (FREQUENCY_COLUMNS)."""
    from scipy.stats import chi2_contingency

    tumors = tumor_status(status, samples)
    tumors = tumors[tumors["status"] != ""]
    rows = []
    for r in regions.itertuples(index=False):
        t = tumors[tumors["region"] == r.region]
        row = {c: getattr(r, c) for c in ("region", "cytoband", "gene", "alteration", "chrom", "start", "end")}
        altered = ALTERED[r.alteration]
        notes = []
        counts = {}
        for group, name in (("primary", "primary"), ("later", "later")):
            g = t[t["group"] == group]
            row[f"n_{name}"] = len(g)
            row[f"n_{name}_altered"] = int(g["status"].isin(altered).sum())
            row[f"freq_{name}"] = row[f"n_{name}_altered"] / len(g) if len(g) else np.nan
            for s in STATUSES:
                row[f"{name}_{s}"] = int((g["status"] == s).sum())
            counts[group] = g["status"]
        row.update(fisher_test=FISHER_TEST, odds_ratio=np.nan, odds_ratio_ci_low=np.nan, odds_ratio_ci_high=np.nan,
                   fisher_p=np.nan, chisq_test=CHISQ_TEST, chisq_statistic=np.nan, chisq_df=pd.NA, chisq_p=np.nan)
        if row["n_primary"] == 0 or row["n_later"] == 0:
            notes.append("no tumors with a status in " + ("primaries" if row["n_primary"] == 0 else "later tumors"))
        else:
            table = np.array([
                [row["n_later_altered"], row["n_later"] - row["n_later_altered"]],
                [row["n_primary_altered"], row["n_primary"] - row["n_primary_altered"]],
            ])
            p, odds, low, high = fisher_exact(table)
            row.update(fisher_p=p, odds_ratio=odds, odds_ratio_ci_low=low, odds_ratio_ci_high=high)
            three = np.array([[int(c.isin(levels).sum()) for levels in (("loss", "deletion"), ("neutral",),
                                                                         ("gain", "amplification"))]
                              for c in (counts["later"], counts["primary"])])
            three = three[:, three.sum(axis=0) > 0]
            if three.shape[1] < 2:
                notes.append("chi-square not computed: every tumor has the same loss/neutral/gain state")
            else:
                chi = chi2_contingency(three, correction=False)
                row.update(chisq_statistic=float(chi.statistic), chisq_df=int(chi.dof), chisq_p=float(chi.pvalue))
                small = int((chi.expected_freq < 5).sum())
                if small:
                    notes.append(f"chi-square approximation may be poor: {small} expected counts below 5")
        row["note"] = "; ".join(notes)
        rows.append(row)
    out = pd.DataFrame(rows, columns=[c for c in FREQUENCY_COLUMNS if c not in ("fisher_q", "chisq_q")])
    out["fisher_q"] = bh_adjust(out["fisher_p"].to_numpy(dtype=float))
    out["chisq_q"] = bh_adjust(out["chisq_p"].to_numpy(dtype=float))
    out["chisq_df"] = out["chisq_df"].astype("Int64")
    return out.loc[:, list(FREQUENCY_COLUMNS)]


# ------------------------------------------------------------------ cfDNA timelines


def cfdna_timeline(status: pd.DataFrame, samples: pd.DataFrame, params: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every cfDNA sample's tumor fraction and region status by collection time (TIMELINE_COLUMNS).

    ``relapse_time`` is the patient's first metastasis or recurrence collection time;
    ``timepoint`` is ``at`` within 30 days of it, else ``before`` or ``after`` ('' without one).
    """
    purity, ploidy = _sample_values(samples, params)
    table = samples.copy()
    table["collection_time"] = pd.to_numeric(table.get("collection_time"), errors="coerce")
    later = table[table["sample_type"].isin(LATER_TYPES)]
    relapse = later.groupby("patient")["collection_time"].min()
    cfdna = table[table["sample_type"] == "cfdna"]
    cfdna = cfdna.assign(_order=np.arange(len(cfdna)))
    patient_order = {p: i for i, p in enumerate(pd.unique(table["patient"]))}
    cfdna = cfdna.assign(_patient=cfdna["patient"].map(patient_order))
    cfdna = cfdna.sort_values(["_patient", "collection_time", "_order"], kind="stable", na_position="last")
    by_sample = {s: g for s, g in status.groupby("sample", sort=False)}
    rows = []
    for s in cfdna.itertuples(index=False):
        t = s.collection_time
        r = relapse.get(s.patient, np.nan)
        delta = t - r if np.isfinite(t) and np.isfinite(r) else np.nan
        timepoint = "" if not np.isfinite(delta) else (
            "at" if abs(delta) <= AT_RELAPSE_DAYS else ("before" if delta < 0 else "after"))
        base = {"patient": s.patient, "sample": s.sample, "collection_time": t, "relapse_time": r,
                "days_from_relapse": delta, "timepoint": timepoint,
                "tumor_fraction": purity.get(s.sample, np.nan), "ploidy": ploidy.get(s.sample, np.nan)}
        g = by_sample.get(s.sample)
        if g is None:
            rows.append({**base, "region": "", "status": "", "log2": np.nan})
            continue
        for r_row in g.itertuples(index=False):
            rows.append({**base, "region": r_row.region, "status": r_row.status, "log2": r_row.log2})
    return pd.DataFrame(rows, columns=list(TIMELINE_COLUMNS))


@dataclass(frozen=True)
class TrackedRegions:
    status: pd.DataFrame
    frequency: pd.DataFrame
    timeline: pd.DataFrame


def tracked_regions(segments: pd.DataFrame, regions: pd.DataFrame, samples: pd.DataFrame,
                    params: pd.DataFrame | None = None) -> TrackedRegions:
    """Region status, frequency tests and cfDNA timelines of one cohort (the tracked-regions step)."""
    status = region_status(segments, regions, samples, params)
    return TrackedRegions(status=status, frequency=region_frequency(status, regions, samples),
                          timeline=cfdna_timeline(status, samples, params))

