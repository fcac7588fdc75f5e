"""Report sections of the somatic-mutation slice, one builder per contributing step."""

from __future__ import annotations

import pandas as pd

from metevo.consequence import NONSYNONYMOUS_CLASSES as NONSYNONYMOUS
from metevo.report import figures
from metevo.report.html import ReportData, Section, esc, figure_html, section, table_html

TYPE_ORDER = ["primary", "metastasis", "recurrence", "cfdna", "normal"]
PAIR_CLASS_ORDER = [
    "replicate",
    "multi_region",
    "primary_metastasis",
    "primary_recurrence",
    "metastasis_metastasis",
    "metastasis_recurrence",
    "recurrence_recurrence",
    "unrelated",
]


def _kpi(value, label: str) -> str:
    return f'<div class="kpi"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


@section("VALIDATE")
def cohort_section(data: ReportData) -> Section:
    s = data.samples
    counts = s["sample_type"].value_counts()
    plural = {"primary": "primaries", "metastasis": "metastases", "recurrence": "recurrences", "cfdna": "cfDNA samples", "normal": "normals"}
    kpis = _kpi(s["patient"].nunique(), "patients") + "".join(
        _kpi(int(counts[t]), t if counts[t] == 1 else plural[t]) for t in TYPE_ORDER if t in counts
    )
    cols = [c for c in ("patient", "sample", "sample_type", "collection_time", "site", "region_group", "replicate_group", "er_status", "pr_status", "her2_status", "purity") if c in s.columns and (s[c].astype(str) != "").any() and s[c].notna().any()]
    table = s[cols]
    if data.inputs is not None and not data.inputs.empty:
        extra = [c for c in data.inputs.columns if c not in table.columns and c != "patient"]
        table = table.merge(data.inputs[["sample", *extra]], on="sample", how="left")
    body = kpis + table_html(table, caption="Samples and their inputs")
    return Section("cohort", "Cohort and inputs", body)


def _coding(maf: pd.DataFrame) -> pd.DataFrame:
    return maf[maf["Variant_Classification"].isin(NONSYNONYMOUS)]


@section("MERGE_MAFS")
def mutations_section(data: ReportData) -> Section | None:
    if data.maf is None:
        return None
    maf = data.maf
    tumors = data.samples[data.samples["sample_type"] != "normal"]["sample"].tolist()
    coding = _coding(maf)
    counts = (
        coding.groupby(["Tumor_Sample_Barcode", "Variant_Classification"]).size().unstack(fill_value=0)
        .reindex(index=tumors, fill_value=0)
    )
    for c in NONSYNONYMOUS:
        if c not in counts.columns:
            counts[c] = 0
    parts = [
        _kpi(len(maf), "mutations in the cohort MAF"),
        _kpi(len(coding), "non-synonymous"),
        _kpi(coding["Hugo_Symbol"].nunique() if len(coding) else 0, "genes hit"),
    ]
    if len(tumors):
        parts.append(figure_html(figures.classification_bars(counts), "Non-synonymous mutations per tumor sample, by class (maftools' non-synonymous classes)."))
    genes = (
        coding.groupby("Hugo_Symbol")["Tumor_Sample_Barcode"].nunique().sort_values(ascending=False, kind="stable").head(25)
    )
    if len(genes):
        top = genes.rename("samples_mutated").reset_index().rename(columns={"Hugo_Symbol": "gene"})
        top["fraction_of_tumors"] = top["samples_mutated"] / max(1, len(tumors))
        parts.append(table_html(top, caption="Most frequently mutated genes (non-synonymous)"))
    per_sample = []
    cols = [c for c in ("Hugo_Symbol", "Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Variant_Classification", "HGVSp_Short", "t_depth", "t_alt_count", "t_vaf", "callers") if c in maf.columns]
    for sample in tumors:
        rows = coding[coding["Tumor_Sample_Barcode"] == sample]
        summary = f"{esc(sample)}: {len(rows)} non-synonymous of {int((maf['Tumor_Sample_Barcode'] == sample).sum())} mutations"
        per_sample.append(f"<details><summary>{summary}</summary>{table_html(rows[cols])}</details>")
    parts.append("<h3>Per-sample mutation tables</h3>" + "".join(per_sample))
    return Section("mutations", "Somatic mutations", "".join(parts))


def _test_rows(tests: pd.DataFrame, prefix: str) -> pd.DataFrame:
    rows = tests[tests["comparison"].astype(str).str.startswith(prefix)]
    rows = rows.drop(columns=[c for c in rows.columns if (rows[c].astype(str).isin(["", "nan", "0"])).all()])
    keep = [c for c in ("comparison", "test", "alternative", "statistic_name", "statistic", "p_value", "q_value", "n_x", "n_y", "n_zeros_dropped", "method", "note") if c in rows.columns]
    return rows[keep]


@section("PAIR_CONCORDANCE")
def burden_section(data: ReportData) -> Section | None:
    if data.burden is None:
        return None
    from metevo.concordance import paired_burden

    burden = data.burden
    parts = []
    pairs = paired_burden(burden)
    if len(pairs):
        parts.append(figure_html(figures.paired_burden(pairs), "Coding-mutation burden of each patient's primary and metastasis/recurrence (red: higher in the metastasis)."))
    tumors = burden[burden["sample_type"] != "normal"]
    if len(tumors):
        parts.append(figure_html(figures.strip_by_group(tumors, "sample_type", "n_coding", TYPE_ORDER, ylabel="coding mutations", colors=figures.SAMPLE_TYPE_COLORS), "Coding-mutation burden by sample type (bar: median)."))
    if data.tests is not None:
        from metevo.concordance import BURDEN_COMPARISON

        rows = _test_rows(data.tests, BURDEN_COMPARISON)
        if len(rows):
            parts.append(table_html(rows, caption="Paired test of burden, metastasis vs its primary"))
    summary = tumors.groupby("sample_type")["n_coding"].describe()[["count", "mean", "50%", "min", "max"]].rename(columns={"50%": "median"})
    summary = summary.reindex([t for t in TYPE_ORDER if t in summary.index]).reset_index()
    parts.append(table_html(summary, caption="Coding mutations per sample, by sample type"))
    return Section("burden", "Mutation burden", "".join(parts))


@section("PAIR_CONCORDANCE")
def concordance_section(data: ReportData) -> Section | None:
    if data.pairs is None:
        return None
    pairs = data.pairs
    parts = []
    finite = pairs[pd.to_numeric(pairs["jaccard"], errors="coerce").notna()]
    if len(finite):
        parts.append(figure_html(figures.strip_by_group(finite, "pair_class", "jaccard", PAIR_CLASS_ORDER, ylabel="Jaccard index of coding mutations"), "Concordance of coding mutations by pair class; 'unrelated' pairs a primary with a metastasis of another patient (the null)."))
    by_class = pairs.groupby("pair_class")["jaccard"].agg(["count", "median", "mean"]).reindex([c for c in PAIR_CLASS_ORDER if c in set(pairs["pair_class"])]).reset_index()
    by_class = by_class.rename(columns={"count": "pairs_with_mutations"})
    by_class.insert(1, "pairs", [int((pairs["pair_class"] == c).sum()) for c in by_class["pair_class"]])
    parts.append(table_html(by_class, caption="Jaccard index by pair class"))
    if data.tests is not None:
        rows = _test_rows(data.tests, "jaccard")
        if len(rows):
            parts.append(table_html(rows, caption="One-sided rank-sum tests between pair classes"))
    within = pairs[pairs["pair_class"] != "unrelated"]
    cols = [c for c in ("patient_a", "sample_a", "sample_b", "pair_class", "n_shared", "n_private_a", "n_private_b", "jaccard") if c in within.columns]
    parts.append("<h3>Pairs within patients</h3>" + table_html(within[cols]))
    return Section("concordance", "Primary-metastasis concordance", "".join(parts))


@section("GERMLINE")
def germline_section(data: ReportData) -> Section | None:
    if data.germline is None:
        return None
    g = data.germline
    n_patients = g["patient"].nunique() if len(g) else 0
    body = _kpi(n_patients, "patients with a pathogenic germline variant")
    if len(g):
        body += table_html(g)
    else:
        body += '<p class="note">No pathogenic or likely pathogenic germline variant in the genes examined.</p>'
    return Section("germline", "Germline pathogenic variants (homologous recombination genes)", body)


@section("REPORT")
def methods_section(data: ReportData) -> Section:
    items = [
        "Somatic calls: PASS calls of each caller, split into single alleles and normalised; a variant is kept when at least the configured number of distinct callers report it (two files of one caller count once), then filtered on tumor depth, alt reads, VAF and the normal's VAF; counts come from the highest-priority caller that called it (metevo ensemble-calls; see docs/ensemble.md).",
        "Consequences: VEP CSQ or snpEff ANN mapped to MAF Variant_Classification with vcf2maf's effect and transcript priorities (Kandoth et al., mskcc/vcf2maf).",
        "Coding mutations: maftools' non-synonymous classes (Mayakonda et al. 2018, Genome Research).",
        "Concordance: Jaccard index of coding mutations per sample pair; one-sided Wilcoxon rank-sum tests between pair classes and a one-sided Wilcoxon signed-rank test of burden, metastasis vs primary, with R's wilcox.test semantics; q-values by Benjamini-Hochberg.",
        "Germline: ClinVar Pathogenic/Likely pathogenic when the VCF carries CLNSIG, otherwise protein-truncating consequences, in homologous-recombination genes.",
    ]
    from metevo.report.sections_cohort import methods_items

    items += methods_items(data)  # nothing unless a cohort-slice folder was given
    body = "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"
    return Section("methods", "Methods", body)

