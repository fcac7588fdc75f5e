"""Report sections of the copy-number slice: profiles and their frequency by sample type, HRD
scars, tracked regions, cfDNA timelines, clonality and biallelic HR loss."""

from __future__ import annotations

import numpy as np
import pandas as pd

from metevo.report import figures
from metevo.report.html import ReportData, Section, esc, figure_html, section, table_html

LATER = ("metastasis", "recurrence")
ORDER = {"primary": 0, "metastasis": 1, "recurrence": 2, "cfdna": 3}


def _number_map(frame: pd.DataFrame | None, column: str) -> dict[str, float]:
    if frame is None or column not in frame.columns:
        return {}
    values = pd.to_numeric(frame[column], errors="coerce")
    return {s: float(v) for s, v in zip(frame["sample"], values) if pd.notna(v)}


def _purity_ploidy(data: ReportData) -> tuple[dict[str, float], dict[str, float]]:
    """Samplesheet values first, else what copy-number / cfdna estimated."""
    purity = _number_map(data.samples, "purity")
    ploidy = _number_map(data.samples, "ploidy")
    estimated_purity = {**_number_map(data.cn_params, "tumor_fraction"), **_number_map(data.cn_params, "purity")}
    for sample, value in estimated_purity.items():
        purity.setdefault(sample, value)
    for sample, value in _number_map(data.cn_params, "ploidy").items():
        ploidy.setdefault(sample, value)
    return purity, ploidy


def _test_table(tests: pd.DataFrame | None, prefixes: tuple[str, ...]) -> pd.DataFrame | None:
    if tests is None:
        return None
    rows = tests[tests["comparison"].astype(str).str.startswith(prefixes)]
    keep = [c for c in ("comparison", "test", "alternative", "statistic_name", "statistic", "p_value", "q_value", "n_x", "n_y", "method", "note")
            if c in rows.columns]
    return rows[keep] if len(rows) else None


@section("COPY_NUMBER")
def copy_number_section(data: ReportData) -> Section | None:
    if data.segments is None or data.segments.empty:
        return None
    from metevo.cn.concordance import binned, genome_grid
    from metevo.cn.regions import segment_status

    segments = data.segments
    purity, ploidy = _purity_ploidy(data)
    status = segment_status(segments, purity, ploidy)["status"].map(figures.STATUS_CODE).to_numpy(dtype=float)
    grid = genome_grid(segments)
    info = data.samples.set_index("sample")
    samples = sorted(pd.unique(segments["sample"]), key=lambda s: (info.at[s, "patient"], ORDER.get(info.at[s, "sample_type"], 9), s))
    matrix = binned(segments, status, grid, samples)
    parts = [figure_html(
        figures.genome_heatmap(matrix, samples, grid, row_colors=[figures.SAMPLE_TYPE_COLORS.get(info.at[s, "sample_type"], "#999") for s in samples]),
        "Copy-number status along the autosomes (1 Mb bins), samples grouped by patient; the strip left of each row is the sample type "
        "(blue primary, red metastasis, orange recurrence, purple cfDNA).",
    )]
    types = np.array([info.at[s, "sample_type"] for s in samples])
    groups = {}
    for name, mask in (("primary", types == "primary"), ("metastasis / recurrence", np.isin(types, LATER))):
        if mask.any():
            sub = matrix[mask]
            known = np.isfinite(sub).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                groups[name] = (np.where(known > 0, (sub >= 1).sum(axis=0) / known, np.nan),
                                np.where(known > 0, (sub <= -1).sum(axis=0) / known, np.nan))
    if groups:
        parts.append(figure_html(figures.cn_frequency(grid, groups),
                                 "Fraction of primaries and of metastases/recurrences with a gain (up) or a loss (down) along the genome."))
    summary = pd.DataFrame({"sample": samples, "patient": [info.at[s, "patient"] for s in samples],
                            "sample_type": types,
                            "purity": [purity.get(s, np.nan) for s in samples],
                            "ploidy": [ploidy.get(s, np.nan) for s in samples]})
    if data.burden is not None and "fga" in data.burden.columns:
        summary = summary.merge(data.burden[["sample", "n_segments", "n_cna", "fga"]], on="sample", how="left")
    parts.append(table_html(summary, caption="Samples with copy number: purity and ploidy (samplesheet, else estimated), alterations, fraction of genome altered"))
    tests = _test_table(data.tests, ("copy-number alterations", "fraction of genome altered"))
    if tests is not None:
        parts.append(table_html(tests, caption="Copy-number burden, metastasis vs its primary (one-sided Wilcoxon signed-rank)"))
    if data.pairs is not None and "cn_r2" in data.pairs.columns:
        r2 = data.pairs[pd.to_numeric(data.pairs["cn_r2"], errors="coerce").notna()]
        if len(r2):
            from metevo.report.sections import PAIR_CLASS_ORDER

            parts.append(figure_html(figures.strip_by_group(r2, "pair_class", "cn_r2", PAIR_CLASS_ORDER, ylabel="R² of genome-wide copy number"),
                                     "Copy-number concordance of sample pairs (R² of log2 copy number on 1 Mb bins) by pair class."))
    return Section("copy-number", "Copy number", "".join(parts))


@section("HRD")
def hrd_section(data: ReportData) -> Section | None:
    if data.hrd is None or data.hrd.empty:
        return None
    hrd = data.hrd.merge(data.samples[["sample", "patient", "sample_type"]], on="sample", how="left")
    hrd = hrd[["patient", "sample", "sample_type", *[c for c in ("hrd_loh", "tai", "lst", "hrd_sum", "method") if c in hrd.columns]]]
    parts = []
    lst = pd.to_numeric(hrd["lst"], errors="coerce")
    tumors = hrd[lst.notna() & hrd["sample_type"].isin(("primary", *LATER))].assign(lst=lst)
    if len(tumors):
        parts.append(figure_html(figures.strip_by_group(tumors, "sample_type", "lst", ["primary", "metastasis", "recurrence"],
                                                        ylabel="LST", colors=figures.SAMPLE_TYPE_COLORS),
                                 "Large-scale transitions per sample (scarHRD's count; ≥ 15 near-diploid is the usual HRD threshold, Popova et al. 2012)."))
    tests = _test_table(data.tests, ("large-scale transitions",))
    if tests is not None:
        parts.append(table_html(tests, caption="LSTs, metastasis vs its primary (one-sided Wilcoxon signed-rank)"))
    parts.append(table_html(hrd, caption="HRD scar scores (scarHRD: HRD-LOH, telomeric allelic imbalance, LST); total-copy-number inputs give LST only"))
    return Section("hrd", "HRD scars", "".join(parts))


@section("TRACKED_REGIONS")
def tracked_regions_section(data: ReportData) -> Section | None:
    frequency = data.regions.get("region_frequency")
    status = data.regions.get("region_status")
    if frequency is None and status is None:
        return None
    parts = []
    if frequency is not None and len(frequency):
        cols = [c for c in ("region", "cytoband", "gene", "alteration", "n_primary", "n_primary_altered", "freq_primary", "n_later",
                            "n_later_altered", "freq_later", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "fisher_p", "fisher_q",
                            "chisq_p", "chisq_q") if c in frequency.columns]
        parts.append(table_html(frequency[cols], caption="Tracked regions: frequency in primaries vs metastases and recurrences "
                                                         "(two-sided Fisher exact, conditional odds ratio; chi-square on loss/neutral/gain; BH q)"))
    if status is not None and len(status):
        wide = status.pivot_table(index=["patient", "sample", "sample_type"], columns="region", values="status", aggfunc="first").reset_index()
        wide.columns.name = None
        parts.append(table_html(wide, caption="Status of each tracked region per sample"))
    return Section("tracked-regions", "Tracked regions", "".join(parts))


@section("CFDNA")
def cfdna_section(data: ReportData) -> Section | None:
    timeline = data.regions.get("cfdna_timeline")
    if timeline is None or timeline.empty:
        return None
    region = "1q21.3" if (timeline["region"] == "1q21.3").any() else str(timeline["region"].iloc[0])
    parts = [figure_html(figures.cfdna_timelines(timeline, region),
                         "Serial plasma cfDNA: tumor fraction (ichorCNA-like HMM) by collection time, per patient.")]
    wide = timeline.pivot_table(index=["patient", "sample", "collection_time", "timepoint", "tumor_fraction", "ploidy"],
                                columns="region", values="status", aggfunc="first").reset_index()
    wide.columns.name = None
    parts.append(table_html(wide, caption="Plasma samples: tumor fraction, ploidy, and the status of each tracked region"))
    return Section("cfdna", "cfDNA timelines", "".join(parts))


@section("CLONALITY")
def clonality_section(data: ReportData) -> Section | None:
    clon = data.clonality
    if clon is None or clon.empty or "clonality" not in clon.columns:
        return None
    from metevo.consequence import NONSYNONYMOUS_CLASSES

    counts = clon.groupby(["Tumor_Sample_Barcode", "clonality"]).size().unstack(fill_value=0).reset_index()
    counts = counts.rename(columns={"Tumor_Sample_Barcode": "sample"})
    for c in ("clonal", "subclonal", "indeterminate"):
        if c not in counts.columns:
            counts[c] = 0
    called = counts["clonal"] + counts["subclonal"]
    counts["fraction_subclonal"] = np.where(called > 0, counts["subclonal"] / called.where(called > 0, 1), np.nan)
    counts = counts.merge(data.samples[["sample", "patient", "sample_type"]], on="sample", how="left")
    counts = counts[["patient", "sample", "sample_type", "clonal", "subclonal", "indeterminate", "fraction_subclonal"]]
    parts = []
    tumors = counts[counts["sample_type"].isin(("primary", *LATER))]
    if tumors["fraction_subclonal"].notna().any():
        parts.append(figure_html(figures.strip_by_group(tumors, "sample_type", "fraction_subclonal", ["primary", "metastasis", "recurrence"],
                                                        ylabel="fraction of mutations subclonal", colors=figures.SAMPLE_TYPE_COLORS),
                                 "Subclonal fraction of each tumor's mutations (clonal: the 95% interval of the cancer cell fraction reaches 1)."))
    parts.append(table_html(counts, caption="Clonal and subclonal mutations per sample"))
    drivers = clon[clon["Variant_Classification"].isin(NONSYNONYMOUS_CLASSES) & clon["clonality"].isin(["clonal", "subclonal"])]
    cols = [c for c in ("Tumor_Sample_Barcode", "Hugo_Symbol", "HGVSp_Short", "t_vaf", "total_cn", "minor_cn", "multiplicity", "ccf",
                        "ccf_lcl", "ccf_ucl", "clonality", "wt_loss") if c in drivers.columns]
    if len(drivers):
        parts.append("<details><summary>Cancer cell fraction of every non-synonymous mutation</summary>"
                     + table_html(drivers[cols]) + "</details>")
    return Section("clonality", "Clonality", "".join(parts))


@section("BIALLELIC")
def biallelic_section(data: ReportData) -> Section | None:
    table = data.biallelic
    if table is None or table.empty:
        return None
    hits = table[table["status"].isin(["biallelic", "likely_biallelic"])]
    body = f'<div class="kpi"><b>{esc(hits["patient"].nunique())}</b><span>patients with biallelic loss of an HR gene</span></div>'
    cols = [c for c in ("patient", "sample", "gene", "status", "mechanism", "evidence", "total_cn", "minor_cn") if c in table.columns]
    body += table_html(hits[cols] if len(hits) else table[cols].head(0),
                       caption="Biallelic inactivation (homozygous deletion; germline or somatic truncating variant with LOH; two hits)")
    return Section("biallelic", "Biallelic loss of homologous-recombination genes", body)
