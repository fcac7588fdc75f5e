"""Report sections of the cohort slice: genes gained in metastases (metevo enrichment), the
oncoprint and pathways (metevo oncogenic), co-occurrence and clinical associations (metevo
associations) and survival (metevo survival / metevo outcome).

Each builder returns None when its step's folder was not given, so a report without these
inputs is the report it was before them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from metevo.report import figures_cohort as F
from metevo.report.html import ReportData, Section, esc, figure_html, section, table_html

TUMOUR_TYPES = ("primary", "metastasis", "recurrence")
LATER_TYPES = ("metastasis", "recurrence")
TOP_FREQUENCY_GENES = 20
TOP_ONCOPRINT_GENES = 20
FDR = 0.1
# a figure with its table beside it (inline style: report.css is shared with reports without these sections)
SIDE_BY_SIDE = '<div style="display:flex;flex-wrap:wrap;gap:8px 18px;align-items:flex-start">'

TRUNCATING = {"Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
              "Nonstop_Mutation"}
IN_FRAME = {"In_Frame_Del", "In_Frame_Ins"}

# the files each folder must hold (and may hold), by the option that names the folder
ONCOGENIC_FILES = ("alterations", "pathway_status", "pathway_enrichment", "pathway_coalteration")
ASSOCIATIONS_FILES = ("interactions", "clinical_associations", "continuous_by_group")
ENRICHMENT_FILES = ("paired", "unpaired", "enriched")
ENRICHMENT_OPTIONAL = ("external", "external_by_subtype")
SURVIVAL_FILES = ("km", "km_curve", "logrank", "cox", "ph_test")  # metevo survival
OUTCOME_FILES = ("outcome", "ph_test")  # metevo outcome
OUTCOME_OPTIONAL = ("summary", "external_outcome")


def _note(text: str) -> str:
    return f'<p class="note">{esc(text)}</p>'


def _kpi(value, label: str) -> str:
    return f'<div class="kpi"><b>{esc(value)}</b><span>{esc(label)}</span></div>'


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce")


def _keep(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame[[c for c in columns if c in frame.columns]]


def _significant_first(frame: pd.DataFrame, q: str = "q_value", p: str = "p_value") -> pd.DataFrame:
    """Rows with q <= 0.1 first (by q, p), then the rest by p; ties keep the file's order."""
    qv, pv = _num(frame, q), _num(frame, p)
    order = pd.DataFrame({"sig": ~(qv <= FDR), "q": qv.fillna(np.inf), "p": pv.fillna(np.inf),
                          "row": np.arange(len(frame))}, index=frame.index)
    order = order.sort_values(["sig", "q", "p", "row"], kind="stable")
    out = frame.loc[order.index].reset_index(drop=True)
    out.insert(0, "signif", [F.sig_mark(v) for v in _num(out, q)])
    return out


# ------------------------------------------------------------------------------ 1. enrichment

def frequency_table(enrichment: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per gene of paired/unpaired/external.tsv: fractions mutated (metastasis and
    primary units from unpaired.tsv, the external cohort from external.tsv), the q-values of
    each comparison and their minimum; sorted by that minimum, then gene."""
    parts = []
    unpaired = enrichment.get("unpaired")
    if unpaired is not None and len(unpaired):
        parts.append(pd.DataFrame({
            "gene": unpaired["gene"].astype(str),
            "met_mutated": _num(unpaired, "a_mutated"), "met_total": _num(unpaired, "a_total"),
            "primary_mutated": _num(unpaired, "b_mutated"), "primary_total": _num(unpaired, "b_total"),
            "met_fraction": _num(unpaired, "a_fraction"), "primary_fraction": _num(unpaired, "b_fraction"),
            "unpaired_or": _num(unpaired, "odds_ratio"), "unpaired_q": _num(unpaired, "q_value"),
        }).set_index("gene"))
    paired = enrichment.get("paired")
    if paired is not None and len(paired):
        parts.append(pd.DataFrame({
            "gene": paired["gene"].astype(str), "n_pairs": _num(paired, "n_pairs"),
            "paired_met_only": _num(paired, "met_only"), "paired_primary_only": _num(paired, "primary_only"),
            "paired_q": _num(paired, "q_value"),
        }).set_index("gene"))
    external = enrichment.get("external")
    if external is not None and len(external):
        ext = pd.DataFrame({
            "gene": external["gene"].astype(str),
            "ext_met_mutated": _num(external, "met_mutated"), "ext_met_total": _num(external, "met_total"),
            "ext_met_fraction": _num(external, "met_fraction"),
            "external_mutated": _num(external, "ext_mutated"), "external_total": _num(external, "ext_total"),
            "external_fraction": _num(external, "ext_fraction"),
            "external_or": _num(external, "odds_ratio"), "external_q": _num(external, "q_value"),
            "cmh_q": _num(external, "cmh_q_value"),
        }).set_index("gene")
        parts.append(ext)
    if not parts:
        return pd.DataFrame(columns=["gene", "min_q"])
    table = pd.concat(parts, axis=1, join="outer", sort=False)
    table.index.name = "gene"
    if "ext_met_fraction" in table.columns:
        if "met_fraction" not in table.columns:
            table["met_fraction"] = np.nan
            table["met_mutated"] = np.nan
            table["met_total"] = np.nan
        table["met_fraction"] = table["met_fraction"].fillna(table["ext_met_fraction"])
        table["met_mutated"] = table["met_mutated"].fillna(table["ext_met_mutated"])
        table["met_total"] = table["met_total"].fillna(table["ext_met_total"])
        table = table.drop(columns=["ext_met_fraction", "ext_met_mutated", "ext_met_total"])
    qs = [c for c in ("unpaired_q", "paired_q", "external_q", "cmh_q") if c in table.columns]
    table["min_q"] = table[qs].min(axis=1, skipna=True)
    table = table.reset_index()
    table = table.sort_values(["min_q", "gene"], kind="stable", na_position="last").reset_index(drop=True)
    return table


@section("ENRICHMENT")
def enrichment_section(data: ReportData) -> Section | None:
    enrichment = data.enrichment
    if not enrichment:
        return None
    table = frequency_table(enrichment)
    parts = []
    enriched = enrichment.get("enriched")
    if enriched is not None:
        gained = enriched[enriched["direction"].astype(str) == "metastasis"] if "direction" in enriched.columns else enriched
        parts.append(_kpi(len(gained), "genes gained in metastases (q ≤ 0.1)") + _kpi(len(enriched), "genes with q ≤ 0.1 in any comparison"))
    top = table[table["min_q"].notna()].head(TOP_FREQUENCY_GENES)
    if len(top):
        groups = [("primary_fraction", "primary", "primary"), ("met_fraction", "metastasis / recurrence", "metastasis")]
        if "external_fraction" in top.columns:
            groups.append(("external_fraction", "external primary cohort", "external"))
        marks = [(c, h) for c, h in (("unpaired_q", "vs primaries"), ("paired_q", "paired"), ("external_q", "vs external"),
                                     ("cmh_q", "CMH")) if c in top.columns and top[c].notna().any()]
        svg = F.frequency_bars(top, groups=groups, marks=marks)
        parts.append(SIDE_BY_SIDE + figure_html(
            svg, f"Fraction of patients' tumours mutated (non-synonymous), the {len(top)} genes with the smallest q: "
                 "metastasis/recurrence units against primary units (unpaired Fisher), each patient's metastasis against "
                 "its primary (exact McNemar) and, when given, against the external primary cohort (Fisher; CMH across "
                 "subtypes). * q ≤ 0.1, ** q ≤ 0.01 (BH).")
            + table_html(_frequency_display(top), caption="Top genes by q") + "</div>")
    else:
        parts.append(_note("No gene was tested (too few mutated units)."))
    if enriched is not None:
        if len(enriched):
            parts.append(table_html(enriched, caption="Genes with q ≤ 0.1 in any comparison (enriched.tsv)"))
        else:
            parts.append(_note("No gene has q ≤ 0.1 in any comparison."))
    by_subtype = enrichment.get("external_by_subtype")
    if by_subtype is not None and len(by_subtype):
        shown = _significant_first(by_subtype)
        parts.append("<details><summary>Against the external cohort within each subtype</summary>"
                     + table_html(shown, max_rows=200) + "</details>")
    return Section("enrichment", "Genes gained in metastases", "".join(parts))


def _frequency_display(top: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"gene": top["gene"]})
    if "met_mutated" in top.columns:
        out["metastasis"] = [_count(m, t) for m, t in zip(top["met_mutated"], top["met_total"])]
    if "primary_mutated" in top.columns:
        out["primary"] = [_count(m, t) for m, t in zip(top["primary_mutated"], top["primary_total"])]
    if "unpaired_q" in top.columns:
        out["OR"] = top["unpaired_or"]
        out["q"] = top["unpaired_q"]
        out[" "] = [F.sig_mark(v) for v in top["unpaired_q"]]
    if "paired_q" in top.columns:
        out["gained/lost (paired)"] = [_count(a, b, sep=" / ", fraction=False) for a, b in zip(top["paired_met_only"], top["paired_primary_only"])]
        out["paired q"] = top["paired_q"]
        out["  "] = [F.sig_mark(v) for v in top["paired_q"]]
    if "external_q" in top.columns:
        out["external"] = [_count(m, t) for m, t in zip(top["external_mutated"], top["external_total"])]
        out["external q"] = top["external_q"]
        out["   "] = [F.sig_mark(v) for v in top["external_q"]]
        if top["cmh_q"].notna().any():
            out["CMH q"] = top["cmh_q"]
            out["    "] = [F.sig_mark(v) for v in top["cmh_q"]]
    return out


def _count(m, t, *, sep: str = "/", fraction: bool = True) -> str:
    if not (F._finite(m) and F._finite(t)):
        return ""
    m, t = int(float(m)), int(float(t))
    if not fraction:
        return f"{m}{sep}{t}"
    return f"{m}{sep}{t} ({F.percent(m / t) if t else 'NA'})"


# ------------------------------------------------------------------------------ 2. oncoprint

def alteration_kind(alteration: str, variant_classification: str) -> str:
    if alteration in ("amplification", "deletion"):
        return alteration
    if variant_classification == "Missense_Mutation":
        return "missense"
    if variant_classification in TRUNCATING:
        return "truncating"
    if variant_classification in IN_FRAME:
        return "in_frame"
    return "other"


def oncoprint_data(alterations: pd.DataFrame, status: pd.DataFrame | None, enriched: pd.DataFrame | None,
                   *, max_genes: int = TOP_ONCOPRINT_GENES):
    """(cells, genes, columns, per-gene table, enriched genes without an oncogenic alteration).

    cells: one row per (sample, gene, kind) of the oncogenic alterations of tumour samples;
    genes: the genes gained in metastases (enriched.tsv, direction metastasis) that have one,
    then the most altered genes (samples altered, then name), ``max_genes`` in all; columns:
    (sample, group) with group primary or metastasis (metastasis and recurrence samples),
    primaries first, each group sorted by the genes' alteration pattern (maftools' order)
    then patient and sample."""
    onc = alterations[(_num(alterations, "oncogenic") == 1) & alterations["sample_type"].isin(TUMOUR_TYPES)]
    cells = pd.DataFrame({
        "patient": onc["patient"].astype(str), "sample": onc["sample"].astype(str), "sample_type": onc["sample_type"].astype(str),
        "gene": onc["gene"].astype(str),
        "kind": [alteration_kind(str(a), str(v)) for a, v in zip(onc["alteration"], onc["variant_classification"])],
    }).drop_duplicates(["sample", "gene", "kind"]).reset_index(drop=True)
    samples = cells[["patient", "sample", "sample_type"]]
    if status is not None and len(status):
        samples = pd.concat([status[["patient", "sample", "sample_type"]].astype(str), samples], ignore_index=True)
    samples = samples[samples["sample_type"].isin(TUMOUR_TYPES)].drop_duplicates("sample")
    altered_samples = cells.groupby("gene")["sample"].nunique()
    counts = cells.groupby("gene").size()
    ranked = sorted(altered_samples.index, key=lambda g: (-int(altered_samples[g]), -int(counts[g]), g))
    gained = []
    if enriched is not None and len(enriched) and "gene" in enriched.columns:
        rows = enriched[enriched["direction"].astype(str) == "metastasis"] if "direction" in enriched.columns else enriched
        gained = list(dict.fromkeys(rows["gene"].astype(str)))
    first = [g for g in gained if g in altered_samples.index]
    missing = [g for g in gained if g not in altered_samples.index]
    genes = (first + [g for g in ranked if g not in first])[:max_genes]
    group = {s: ("primary" if t == "primary" else "metastasis") for s, t in zip(samples["sample"], samples["sample_type"])}
    patient = dict(zip(samples["sample"], samples["patient"]))
    hit = {(s, g) for s, g in zip(cells["sample"], cells["gene"])}

    def key(sample):
        return (0 if group[sample] == "primary" else 1, tuple(0 if (sample, g) in hit else 1 for g in genes),
                patient[sample], sample)

    columns = [(s, group[s]) for s in sorted(group, key=key)]
    n_group = {k: sum(1 for _, g in columns if g == k) for k in ("primary", "metastasis")}
    rows = []
    for gene in genes:
        sub = cells[cells["gene"] == gene]
        row = {"gene": gene, "gained_in_metastases": "yes" if gene in gained else ""}
        for k, name in (("primary", "primary"), ("metastasis", "metastasis_recurrence")):
            altered = sub.loc[sub["sample"].map(group) == k, "sample"].nunique()
            row[f"{name}_altered"] = altered
            row[f"{name}_samples"] = n_group[k]
            row[f"{name}_fraction"] = altered / n_group[k] if n_group[k] else np.nan
        for kind in (*F.CN_KINDS, *F.MUTATION_KINDS):
            row[kind] = int((sub["kind"] == kind).sum())
        rows.append(row)
    table = pd.DataFrame(rows)
    return cells, genes, columns, table, missing


@section("ONCOGENIC")
def oncoprint_section(data: ReportData) -> Section | None:
    alterations = data.oncogenic.get("alterations")
    if alterations is None:
        return None
    cells, genes, columns, table, missing = oncoprint_data(alterations, data.oncogenic.get("pathway_status"),
                                                           data.enrichment.get("enriched"))
    parts = [_kpi(len(cells), "oncogenic alterations (sample, gene, kind)"),
             _kpi(cells["sample"].nunique(), "tumour samples with one"),
             _kpi(len(columns), "tumour samples profiled")]
    if genes and columns:
        n_p = sum(1 for _, g in columns if g == "primary")
        n_m = len(columns) - n_p
        notes = {r["gene"]: f"P {r['primary_altered']}/{r['primary_samples']}  M {r['metastasis_recurrence_altered']}/"
                            f"{r['metastasis_recurrence_samples']}" for r in table.to_dict("records")}
        svg = F.oncoprint(cells, genes, columns, group_labels={"primary": f"primary ({n_p})",
                                                                "metastasis": f"metastasis / recurrence ({n_m})"},
                          gene_notes=notes)
        which = ("genes gained in metastases (enrichment) first, then the most altered genes" if data.enrichment
                 else "the most altered genes")
        parts.append(figure_html(svg, f"Oncogenic alterations (OncoKB, cancer hotspots, truncated suppressors, amplified "
                                      f"oncogenes, deep-deleted suppressors) of {which}; columns are tumour samples, "
                                      "primaries left, metastases and recurrences right. Cell fill: copy number; "
                                      "middle bar: mutation kind. Right: samples altered, primary (P) and "
                                      "metastasis/recurrence (M)."))
        parts.append(table_html(table, caption="Samples altered per gene and sample type; cells per alteration kind"))
    else:
        parts.append(_note("No oncogenic alteration in a tumour sample."))
    if missing:
        parts.append(_note("Genes gained in metastases without an oncogenic alteration (not drawn): " + ", ".join(missing) + "."))
    return Section("oncoprint", "Oncogenic alterations by sample type", "".join(parts))


# ------------------------------------------------------------------------------ 4. pathways

def pathway_rows(enrichment: pd.DataFrame) -> pd.DataFrame:
    """One row per pathway: the Fisher test's fractions and odds ratio, the paired McNemar
    counts and p; RTK-RAS shown with its MAPK label."""
    fisher = enrichment[enrichment["test"].astype(str) == "fisher"]
    mcnemar = enrichment[enrichment["test"].astype(str) == "mcnemar_exact"].set_index("pathway")
    rows = []
    pathways = list(dict.fromkeys(enrichment["pathway"].astype(str)))
    fisher = fisher.set_index("pathway")
    for pathway in pathways:
        f = fisher.loc[pathway] if pathway in fisher.index else None
        m = mcnemar.loc[pathway] if pathway in mcnemar.index else None
        label = str((f if f is not None else m)["label"])
        shown = pathway if label == f"{pathway}-altered" else f"{pathway} ({label.removesuffix('-altered')})"
        row = {"pathway": shown, "label": label}

        def get(rec, column):
            if rec is None or column not in rec.index:
                return np.nan
            v = pd.to_numeric(pd.Series([rec[column]]), errors="coerce").iloc[0]
            return float(v)

        row["n_primary_altered"], row["n_primary"] = get(f, "n_primary_altered"), get(f, "n_primary")
        row["primary_fraction"] = row["n_primary_altered"] / row["n_primary"] if row["n_primary"] else np.nan
        row["n_later_altered"], row["n_later"] = get(f, "n_later_altered"), get(f, "n_later")
        row["later_fraction"] = row["n_later_altered"] / row["n_later"] if row["n_later"] else np.nan
        for c in ("odds_ratio", "ci_low", "ci_high", "p_value", "q_value"):
            row[c] = get(f, c)
        row["n_pairs"], row["n_later_only"], row["n_primary_only"] = get(m, "n_pairs"), get(m, "n_later_only"), get(m, "n_primary_only")
        row["mcnemar_p"], row["mcnemar_q"] = get(m, "p_value"), get(m, "q_value")
        # burden-aware one-sided tests (more often altered in the later tumours than their
        # mutation burden explains): what the significance marks follow when present
        row["burden_q"], row["paired_burden_q"] = get(f, "q_burden_gained"), get(m, "q_burden_gained")
        rows.append(row)
    return pd.DataFrame(rows)


@section("ONCOGENIC")
def pathways_section(data: ReportData) -> Section | None:
    enrichment = data.oncogenic.get("pathway_enrichment")
    if enrichment is None:
        return None
    parts = []
    by_subgroup = pd.DataFrame()
    if "subgroup" in enrichment.columns:  # rows of the whole cohort, then of each receptor subtype
        group = enrichment["subgroup"].astype(str)
        by_subgroup = enrichment[group != "all"]
        enrichment = enrichment[group == "all"]
    rows = pathway_rows(enrichment) if len(enrichment) else pd.DataFrame()
    if len(rows):
        fig = rows.rename(columns={"pathway": "shown"}).assign(label=rows["pathway"])
        fig["paired_text"] = [
            f"paired: {int(a)} later-only, {int(b)} primary-only of {int(n)}; p {F._fmt(p)}" if F._finite(n) and F._finite(a) and F._finite(b) else ""
            for a, b, n, p in zip(rows["n_later_only"], rows["n_primary_only"], rows["n_pairs"], rows["mcnemar_p"])]
        parts.append(figure_html(F.pathway_forest(fig),
                                 "Ten oncogenic signalling pathways (Sanchez-Vega et al. 2018): fraction of patients' primary and "
                                 "metastasis/recurrence tumours with an oncogenic alteration, odds ratio later vs primary (R fisher.test, "
                                 "exact 95% CI; BH q) and the paired exact McNemar test of patients with both. Marks (* q ≤ 0.1, "
                                 "** q ≤ 0.01) follow the burden-aware one-sided test (burden q: more often altered in the later "
                                 "tumours than their extra mutations explain; docs/oncogenic-pathways.md). RTK-RAS is the MAPK pathway."))
        display = rows.drop(columns="label").copy()
        display.insert(1, "signif", [F.burden_mark(q, b) for q, b in zip(display["q_value"], display["burden_q"])])
        display.insert(display.columns.get_loc("mcnemar_q") + 1, "paired signif",
                       [F.burden_mark(q, b) for q, b in zip(display["mcnemar_q"], display["paired_burden_q"])])
        display = display.rename(columns={"p_value": "fisher_p", "q_value": "fisher_q"})
        parts.append(table_html(display, caption="Pathways altered in primaries and in metastases/recurrences (units: patients' tumours)"))
    else:
        parts.append(_note("No pathway was tested."))
    if len(by_subgroup):
        sub = pd.concat([pathway_rows(t).drop(columns="label").assign(subgroup=g)
                         for g, t in by_subgroup.groupby(by_subgroup["subgroup"].astype(str), sort=False)], ignore_index=True)
        sub = sub[["subgroup"] + [c for c in sub.columns if c != "subgroup"]].rename(columns={"p_value": "fisher_p", "q_value": "fisher_q"})
        hit = sub[(_num(sub, "burden_q") <= FDR) | (_num(sub, "paired_burden_q") <= FDR)]
        if len(hit):
            parts.append(table_html(hit, caption="Pathways altered more often in metastases/recurrences within a receptor subtype "
                                                 "(burden-aware unpaired or paired q ≤ 0.1, BH within the subtype)"))
        else:
            parts.append(_note("Within each receptor subtype, no pathway is altered more often in metastases/recurrences at "
                               "burden-aware q ≤ 0.1."))
        parts.append("<details><summary>Every pathway within each receptor subtype</summary>" + table_html(sub) + "</details>")
    co = data.oncogenic.get("pathway_coalteration")
    if co is not None and len(co):
        sig = co[_num(co, "q_value") <= FDR]
        if len(sig):
            parts.append(table_html(_significant_first(sig), caption="Pathway pairs co-altered or mutually exclusive (q ≤ 0.1)"))
        else:
            parts.append(_note("No pathway pair is co-altered or mutually exclusive at q ≤ 0.1."))
        parts.append("<details><summary>Co-alteration of every pathway pair</summary>" + table_html(_significant_first(co)) + "</details>")
    return Section("pathways", "Oncogenic pathways", "".join(parts))


# ------------------------------------------------------------------------------ 3. co-occurrence

def interaction_genes(interactions: pd.DataFrame) -> list[str]:
    """Genes of interactions.tsv by altered samples (from the 2 x 2 counts), then name."""
    altered: dict[str, int] = {}
    for r in interactions.to_dict("records"):
        a, b = str(r["gene1"]), str(r["gene2"])
        n11, n10, n01 = (int(float(r[c])) if F._finite(r.get(c)) else 0 for c in ("11", "10", "01"))
        altered[a] = max(altered.get(a, 0), n11 + n10)
        altered[b] = max(altered.get(b, 0), n11 + n01)
    return sorted(altered, key=lambda g: (-altered[g], g))


@section("ASSOCIATIONS")
def interactions_section(data: ReportData) -> Section | None:
    interactions = data.associations.get("interactions")
    if interactions is None:
        return None
    parts = []
    if len(interactions):
        genes = interaction_genes(interactions)
        parts.append(figure_html(F.interaction_heatmap(genes, interactions),
                                 "Pairwise co-occurrence (teal) and mutual exclusivity (brown) of the most altered genes, "
                                 "-log10 of the two-sided Fisher p (maftools somaticInteractions); * p < 0.05, . p < 0.1."))
        pv = _num(interactions, "pValue")
        shown = interactions[pv < 0.05].assign(_p=pv).sort_values(["_p", "gene1", "gene2"], kind="stable").drop(columns="_p")
        if len(shown):
            parts.append(table_html(shown.reset_index(drop=True), caption="Gene pairs with p < 0.05 (pAdj: BH)"))
        else:
            parts.append(_note("No gene pair has p < 0.05."))
        parts.append("<details><summary>Every gene pair</summary>" + table_html(interactions) + "</details>")
    else:
        parts.append(_note("Fewer than two altered genes: no pair to test."))
    return Section("interactions", "Co-occurrence and mutual exclusivity", "".join(parts))


# ------------------------------------------------------------------------------ 5. clinical associations

@section("ASSOCIATIONS")
def clinical_section(data: ReportData) -> Section | None:
    clinical = data.associations.get("clinical_associations")
    continuous = data.associations.get("continuous_by_group")
    if clinical is None and continuous is None:
        return None
    parts = []
    if clinical is not None:
        if len(clinical):
            n_sig = int((_num(clinical, "q_value") <= FDR).sum())
            parts.append(_kpi(n_sig, "associations with q ≤ 0.1") + _kpi(len(clinical), "tests"))
            shown = _significant_first(clinical).drop(columns=[c for c in ("method",) if c in clinical.columns])
            parts.append(table_html(shown, caption="Alterations vs clinical features (2 x 2 Fisher per level; BH over the table), "
                                                   "significant first", max_rows=200))
        else:
            parts.append(_note("No alteration and clinical feature both varied: no test."))
    if continuous is not None and len(continuous):
        shown = _significant_first(continuous).drop(columns=[c for c in ("method",) if c in continuous.columns])
        parts.append(table_html(shown, caption="Continuous features by group (Wilcoxon rank-sum, R wilcox.test; BH), significant first",
                                max_rows=200))
    return Section("clinical-associations", "Clinical associations", "".join(parts))


# ------------------------------------------------------------------------------ 6. survival

@section("OUTCOME")
def survival_section(data: ReportData) -> Section | None:
    tables, svgs = data.outcome, data.outcome_svgs
    if not tables:
        return None
    from metevo.survival.plots import forest_svg, km_svg

    parts = []
    if "outcome" in tables:  # metevo outcome: features x endpoints
        outcome = tables["outcome"]
        forests = [n for n in svgs if n.startswith("forest")]
        kms = [n for n in svgs if n.startswith("km")]
        for name in forests:
            parts.append(figure_html(svgs[name], f"Hazard ratios with 95% intervals ({name})."))
        if not forests and len(outcome):
            for endpoint, rows in outcome.groupby("endpoint", sort=False):
                frame = pd.DataFrame({"model": "univariable", "term": rows["feature"].astype(str),
                                      "hr": _num(rows, "hr"), "hr_lcl": _num(rows, "hr_lcl"), "hr_ucl": _num(rows, "hr_ucl")})
                parts.append(figure_html(forest_svg(frame, title=f"{str(endpoint).upper()}: hazard ratios (95% CI)"),
                                         f"Univariable Cox hazard ratios, altered vs not, {str(endpoint).upper()}."))
        for name in kms:
            parts.append(figure_html(svgs[name], f"Kaplan-Meier curves with numbers at risk ({name})."))
        if len(outcome):
            shown = _significant_first(outcome, q="q", p="p")
            parts.append(table_html(shown, caption="Outcome by feature: univariable and adjusted Cox, log-rank, KM medians (BH q per endpoint)",
                                    max_rows=200))
        else:
            parts.append(_note("No endpoint was analysed."))
        external = tables.get("external_outcome")
        if external is not None and len(external):
            parts.append(table_html(_significant_first(external, q="q", p="p"),
                                    caption="External cohort: overall survival by the genes gained in metastases"))
    else:  # metevo survival: one grouping
        if "km.svg" in svgs:
            parts.append(figure_html(svgs["km.svg"], "Kaplan-Meier curves with numbers at risk."))
        elif len(tables["km_curve"]):
            parts.append(figure_html(km_svg(tables["km_curve"], tables["km"]), "Kaplan-Meier curves with numbers at risk."))
        if "forest.svg" in svgs:
            parts.append(figure_html(svgs["forest.svg"], "Cox hazard ratios with 95% intervals."))
        elif len(tables["cox"]):
            parts.append(figure_html(forest_svg(tables["cox"]), "Cox hazard ratios with 95% intervals."))
        parts.append(table_html(tables["km"], caption="Median survival per group (95% CI)"))
        parts.append(table_html(tables["logrank"], caption="Log-rank test"))
        parts.append(table_html(tables["cox"], caption="Cox proportional-hazards models"))
    ph = tables.get("ph_test")
    if ph is not None and len(ph):
        parts.append(table_html(ph, caption="Proportional-hazards test (cox.zph)"))
    return Section("survival", "Survival", "".join(parts))


def methods_items(data: ReportData) -> list[str]:
    """Methods of the cohort sections present in this report."""
    items = []
    if data.enrichment:
        items.append("Enrichment: units are patients' tumours (a patient's metastases pooled, its primary regions pooled); "
                     "paired exact McNemar test, unpaired and external Fisher exact tests (R fisher.test), Cochran-Mantel-Haenszel "
                     "across receptor subtypes (R mantelhaen.test); BH q (see docs/enrichment.md).")
    if data.oncogenic:
        items.append("Oncogenic alterations: OncoKB calls when annotated, cancerhotspots v2 residues, truncated tumour suppressors, "
                     "amplified oncogenes and deep-deleted suppressors; pathways of Sanchez-Vega et al. 2018, RTK-RAS labelled MAPK "
                     "(see docs/oncogenic-pathways.md).")
    if data.associations:
        items.append("Associations: maftools somaticInteractions (pairwise Fisher over samples), alterations vs clinical features "
                     "(2 x 2 Fisher per level), continuous features by group (R wilcox.test); BH q.")
    if data.outcome:
        items.append("Survival: Kaplan-Meier, log-rank, Cox proportional hazards (Efron ties) and cox.zph with R survival's semantics "
                     "(see docs/survival.md).")
    return items
