"""The report's cohort sections (metevo report --oncogenic/--associations/--enrichment/--outcome).

Small tables written by hand; each test renders them and reads back what the section says:
significance marks on the planted gene, oncoprint cells equal to the alteration counts, the
co-occurrence cells' signed -log10 p, pathway fractions and the MAPK label, significant
associations first, the survival step's SVGs inline. Then the command line: a folder without
an expected file is a one-line error, and a report without these options is the report the
code made before them (a pin taken from the commit before the cohort sections).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metevo import __version__
from metevo.report import figures_cohort as F
from metevo.report import sections_cohort as C
from metevo.report.html import SECTIONS, ReportData, render

SAMPLES = pd.DataFrame({
    "patient": ["P1", "P1", "P2", "P2", "P3", "P4", "P4"],
    "sample": ["P1-P", "P1-M", "P2-P", "P2-M", "P3-R", "P4-P", "P4-N"],
    "sample_type": ["primary", "metastasis", "primary", "metastasis", "recurrence", "primary", "normal"],
})


def section_html(page: str, sid: str) -> str:
    m = re.search(f'<section id="{sid}">(.*?)</section>', page, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


def svgs(text: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", text, re.S)


def count_class(svg: str, cls: str) -> int:
    return len(re.findall(f'class="{cls}"', svg))


def table_rows(text: str, caption: str) -> list[list[str]]:
    """Cells of the table with this caption (header row first)."""
    m = re.search(r"<table[^>]*><caption>" + re.escape(html.escape(caption)) + r"</caption>(.*?)</table>", text, re.S)
    assert m, f"no table '{caption}'"
    rows = re.findall(r"<tr>(.*?)</tr>", m.group(1), re.S)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


# ------------------------------------------------------------------------------ 1. enrichment

def unpaired_table(genes: list[tuple[str, int, int, float]]) -> pd.DataFrame:
    """(gene, metastasis units mutated of 20, primary units mutated of 20, q)."""
    return pd.DataFrame([{"gene": g, "a_mutated": a, "a_total": 20, "b_mutated": b, "b_total": 20, "a_fraction": a / 20,
                          "b_fraction": b / 20, "odds_ratio": 2.0, "ci_low": 0.5, "ci_high": 8.0, "p_value": q / 2,
                          "q_value": q, "test": "fisher_exact_two_sided", "cohort_a": "metastasis", "cohort_b": "primary"}
                         for g, a, b, q in genes])


def paired_table(genes: list[tuple[str, int, int, float]]) -> pd.DataFrame:
    """(gene, met_only, primary_only, q) over 10 pairs."""
    return pd.DataFrame([{"gene": g, "n_pairs": 10, "both": 0, "met_only": b, "primary_only": c, "neither": 10 - b - c,
                          "met_mutated": b, "primary_mutated": c, "met_fraction": b / 10, "primary_fraction": c / 10,
                          "p_value": q / 2, "q_value": q, "p_gained": q / 4, "q_gained": q / 2, "p_chisq": q,
                          "test": "mcnemar_exact_two_sided"} for g, b, c, q in genes])


ENRICHED = pd.DataFrame({"gene": ["PLANTED", "MIDDLE"], "direction": ["metastasis", "metastasis"],
                         "n_comparisons": [2, 1], "comparisons": ["unpaired:metastasis;paired:metastasis", "unpaired:metastasis"],
                         "min_q": [0.004, 0.05]})


def enrichment_tables(external: bool = False) -> dict[str, pd.DataFrame]:
    tables = {
        "unpaired": unpaired_table([("NULL1", 5, 4, 0.8), ("PLANTED", 12, 2, 0.004), ("MIDDLE", 8, 3, 0.05),
                                    ("NULL2", 3, 3, 1.0)]),
        "paired": paired_table([("PLANTED", 6, 0, 0.03), ("NULL1", 1, 1, 1.0)]),
        "enriched": ENRICHED,
    }
    if external:
        tables["external"] = pd.DataFrame({
            "gene": ["PLANTED", "NULL1", "EXTONLY"], "met_mutated": [12, 5, 2], "met_total": [20, 20, 20],
            "ext_mutated": [10, 50, 1], "ext_total": [200, 200, 200], "met_fraction": [0.6, 0.25, 0.1],
            "ext_fraction": [0.05, 0.25, 0.005], "odds_ratio": [28.0, 1.0, 22.0], "q_value": [0.0001, 1.0, 0.2],
            "cmh_q_value": [0.002, float("nan"), float("nan")]})
    return tables


def test_frequency_table_ranks_genes_by_their_smallest_q():
    table = C.frequency_table(enrichment_tables(external=True))
    assert table["gene"].tolist() == ["PLANTED", "MIDDLE", "EXTONLY", "NULL1", "NULL2"]
    planted = table.iloc[0]
    assert planted["min_q"] == 0.0001  # the external q is the smallest of its four
    assert (planted["met_fraction"], planted["primary_fraction"], planted["external_fraction"]) == (0.6, 0.1, 0.05)
    assert (planted["paired_met_only"], planted["paired_primary_only"]) == (6, 0)
    extonly = table[table["gene"] == "EXTONLY"].iloc[0]
    assert extonly["met_fraction"] == 0.1 and math.isnan(extonly["primary_fraction"])  # metastasis units from external.tsv


def test_enrichment_section_marks_the_planted_gene():
    page = render(ReportData(samples=SAMPLES, enrichment=enrichment_tables()))
    body = section_html(page, "enrichment")
    (svg,) = svgs(body)
    # one bar per gene and group, widths = 300 px x fraction
    assert count_class(svg, "freq-metastasis") == 4 and count_class(svg, "freq-primary") == 4
    assert '<title>PLANTED metastasis / recurrence: 60%</title>' in svg
    assert re.search(r'width="180" height="6" fill="#C44E52" class="freq-metastasis"><title>PLANTED', svg)
    # marks: PLANTED ** (unpaired q 0.004) and * (paired q 0.03); MIDDLE * (0.05); the nulls none
    assert re.findall(r'class="sigmark">([^<]*)<', svg) == ["**", "*", "*"]
    rows = table_rows(body, "Top genes by q")
    header, planted = rows[0], rows[1]
    assert planted[0] == "PLANTED" and planted[header.index("metastasis")] == "12/20 (60%)"
    assert planted[header.index("primary")] == "2/20 (10%)"
    assert planted[header.index("q") + 1] == "**"
    assert planted[header.index("gained/lost (paired)")] == "6 / 0" and planted[header.index("paired q") + 1] == "*"
    assert [r[0] for r in rows[1:]] == ["PLANTED", "MIDDLE", "NULL1", "NULL2"]
    null1 = rows[3]
    assert null1[header.index("q") + 1] == "" and null1[header.index("paired q") + 1] == ""
    assert "2</b><span>genes gained in metastases" in body


def test_enrichment_figure_keeps_the_top_genes_by_q():
    genes = [(f"G{i:02d}", 10, 5, (i + 1) / 100) for i in range(25)]
    page = render(ReportData(samples=SAMPLES, enrichment={"unpaired": unpaired_table(genes), "paired": paired_table([]),
                                                           "enriched": ENRICHED.head(0)}))
    (svg,) = svgs(section_html(page, "enrichment"))
    drawn = re.findall(r"<title>(G\d\d) metastasis", svg)
    assert drawn == [f"G{i:02d}" for i in range(C.TOP_FREQUENCY_GENES)]
    # q = 0.01 -> **, 0.02..0.10 -> *, beyond: none
    assert re.findall(r'class="sigmark">([^<]*)<', svg) == ["**"] + ["*"] * 9


def test_enrichment_with_external_cohort_adds_its_bars_and_marks():
    body = section_html(render(ReportData(samples=SAMPLES, enrichment=enrichment_tables(external=True))), "enrichment")
    (svg,) = svgs(body)
    assert count_class(svg, "freq-external") == 3  # PLANTED, NULL1, EXTONLY
    assert "vs external" in svg and ">CMH<" in svg
    # PLANTED: unpaired **, paired *, external **, CMH **; MIDDLE: unpaired *
    assert re.findall(r'class="sigmark">([^<]*)<', svg) == ["**", "*", "**", "**", "*"]


def test_sig_mark_thresholds():
    assert [F.sig_mark(q) for q in (0.0, 0.01, 0.0100001, 0.1, 0.1000001, 1.0, float("nan"), None, "")] == \
        ["**", "**", "*", "*", "", "", "", "", ""]


# ------------------------------------------------------------------------------ 2. oncoprint

def alteration_rows() -> pd.DataFrame:
    rows = [
        # patient, sample, type, gene, alteration, oncogenic, variant_classification
        ("P1", "P1-P", "primary", "TP53", "mutation", 1, "Missense_Mutation"),
        ("P1", "P1-M", "metastasis", "TP53", "mutation", 1, "Missense_Mutation"),
        ("P1", "P1-M", "metastasis", "TP53", "mutation", 1, "Missense_Mutation"),  # a second missense: one cell
        ("P1", "P1-M", "metastasis", "TP53", "mutation", 1, "Nonsense_Mutation"),  # and a truncating one: split cell
        ("P2", "P2-M", "metastasis", "TP53", "mutation", 1, "Frame_Shift_Del"),
        ("P1", "P1-M", "metastasis", "PIK3CA", "mutation", 1, "Missense_Mutation"),
        ("P2", "P2-M", "metastasis", "ERBB2", "amplification", 1, ""),
        ("P2", "P2-M", "metastasis", "ERBB2", "mutation", 1, "Missense_Mutation"),
        ("P3", "P3-R", "recurrence", "PTEN", "deletion", 1, ""),
        ("P3", "P3-R", "recurrence", "KMT2C", "mutation", 0, "Nonsense_Mutation"),  # not oncogenic: not drawn
        ("P2", "P2-P", "primary", "AKT1", "mutation", 1, "In_Frame_Del"),
    ]
    frame = pd.DataFrame(rows, columns=["patient", "sample", "sample_type", "gene", "alteration", "oncogenic",
                                        "variant_classification"])
    frame["detail"] = ""
    frame["evidence"] = "hotspot"
    return frame


def pathway_status_rows() -> pd.DataFrame:
    tumours = SAMPLES[SAMPLES["sample_type"] != "normal"]
    return pd.DataFrame({"patient": tumours["patient"], "sample": tumours["sample"], "sample_type": tumours["sample_type"],
                         "pathway": "TP53", "label": "TP53-altered", "altered": 0, "n_altered_genes": 0, "altered_genes": ""})


def test_oncoprint_cells_equal_alteration_counts():
    alterations = alteration_rows()
    data = ReportData(samples=SAMPLES, oncogenic={"alterations": alterations, "pathway_status": pathway_status_rows()})
    body = section_html(render(data), "oncoprint")
    (svg,) = svgs(body)
    onc = alterations[alterations["oncogenic"] == 1]
    kinds = [C.alteration_kind(a, v) for a, v in zip(onc["alteration"], onc["variant_classification"])]
    expected = onc.assign(kind=kinds).drop_duplicates(["sample", "gene", "kind"])["kind"].value_counts()
    for kind in F.KIND_COLORS:
        assert count_class(svg, f"op-{kind}") == expected.get(kind, 0), kind
    assert (count_class(svg, "op-missense"), count_class(svg, "op-truncating"), count_class(svg, "op-amplification"),
            count_class(svg, "op-deletion"), count_class(svg, "op-in_frame")) == (4, 2, 1, 1, 1)
    assert "KMT2C" not in svg
    # columns: primaries (P4-P unaltered, from pathway_status) then metastases and recurrences; no normal
    labels = re.findall(r'font-size="8" text-anchor="end" fill="#222" transform="rotate\(-90[^"]*"\>([^<]+)<', svg)
    assert labels[:3] == ["P1-P", "P2-P", "P4-P"] and sorted(labels[3:]) == ["P1-M", "P2-M", "P3-R"] and len(labels) == 6
    assert ">primary (3)<" in svg and ">metastasis / recurrence (3)<" in svg
    rows = table_rows(body, "Samples altered per gene and sample type; cells per alteration kind")
    header = rows[0]
    tp53 = next(r for r in rows[1:] if r[0] == "TP53")
    assert tp53[header.index("primary_altered")] == "1" and tp53[header.index("metastasis_recurrence_altered")] == "2"
    assert tp53[header.index("primary_samples")] == "3" and tp53[header.index("missense")] == "2"
    assert rows[1][0] == "TP53"  # the most altered gene first
    assert ">P 1/3  M 2/3<" in svg


def test_oncoprint_puts_genes_gained_in_metastases_first():
    data = ReportData(samples=SAMPLES, oncogenic={"alterations": alteration_rows(), "pathway_status": pathway_status_rows()},
                      enrichment={"enriched": pd.DataFrame({"gene": ["PIK3CA", "NOTALTERED", "TP53"],
                                                            "direction": ["metastasis", "metastasis", "primary"]})})
    cells, genes, columns, table, missing = C.oncoprint_data(alteration_rows(), pathway_status_rows(), data.enrichment["enriched"])
    assert genes[0] == "PIK3CA" and genes[1] == "TP53" and missing == ["NOTALTERED"]
    assert table.set_index("gene").loc["PIK3CA", "gained_in_metastases"] == "yes"
    body = section_html(render(data), "oncoprint")
    assert "without an oncogenic alteration (not drawn): NOTALTERED." in body


def test_oncoprint_sorts_samples_by_alteration_pattern():
    rows = []
    for i, genes in enumerate([["B"], ["A", "B"], [], ["A"]]):
        for g in genes:
            rows.append(("Q", f"S{i}", "metastasis", g, "mutation", 1, "Missense_Mutation"))
    frame = pd.DataFrame(rows, columns=["patient", "sample", "sample_type", "gene", "alteration", "oncogenic", "variant_classification"])
    status = pd.DataFrame({"patient": "Q", "sample": [f"S{i}" for i in range(4)], "sample_type": "metastasis"})
    _, genes, columns, _, _ = C.oncoprint_data(frame, status, None)
    assert genes == ["A", "B"]  # 2 samples each, then by name
    assert [s for s, _ in columns] == ["S1", "S3", "S0", "S2"]  # A+B, A, B, none (maftools' order)


# ------------------------------------------------------------------------------ 3. co-occurrence

def interactions_table() -> pd.DataFrame:
    # gene1 altered in (11 + 10) samples, gene2 in (11 + 01); A 6, B 5, C 3 samples of 20
    return pd.DataFrame([
        {"gene1": "A", "gene2": "B", "pValue": 0.001, "oddsRatio": 40.0, "00": 14, "11": 5, "01": 0, "10": 1,
         "Event": "Co_Occurence", "pAdj": 0.003},
        {"gene1": "A", "gene2": "C", "pValue": 0.03, "oddsRatio": 0.0, "00": 11, "11": 0, "01": 3, "10": 6,
         "Event": "Mutually_Exclusive", "pAdj": 0.045},
        {"gene1": "B", "gene2": "C", "pValue": 0.5, "oddsRatio": 1.5, "00": 13, "11": 1, "01": 2, "10": 4,
         "Event": "Co_Occurence", "pAdj": 0.5},
    ])


def test_interaction_heatmap_signed_log_p():
    interactions = interactions_table()
    assert C.interaction_genes(interactions) == ["A", "B", "C"]
    body = section_html(render(ReportData(samples=SAMPLES, associations={"interactions": interactions})), "interactions")
    (svg,) = svgs(body)
    values = {re.search(r"<title>(\w) - (\w)", m.group(0)).group(1, 2): float(m.group(1))
              for m in re.finditer(r'class="ix-cell" data-value="([-0-9.]+)"><title>[^<]*', svg)}
    assert values == {("A", "B"): 3.0, ("A", "C"): round(math.log10(0.03), 2), ("B", "C"): round(-math.log10(0.5), 2)}
    assert re.findall(r'class="ixmark">([^<]*)<', svg) == ["*", "*"]  # p 0.001 and 0.03 < 0.05
    # upper triangle: A-C is in row A (first), column C (third)
    cell = re.search(r'<rect x="([\d.]+)" y="([\d.]+)"[^>]*class="ix-cell" data-value="-1.52"', svg)
    assert cell is not None
    rows = table_rows(body, "Gene pairs with p < 0.05 (pAdj: BH)")
    assert [r[:2] for r in rows[1:]] == [["A", "B"], ["A", "C"]]


# ------------------------------------------------------------------------------ 4. pathways

def pathway_enrichment_table() -> pd.DataFrame:
    base = {"alternative": "two.sided", "method": "m", "statistic": float("nan")}
    rows = [
        {"pathway": "RTK-RAS", "label": "MAPK-altered", "test": "fisher", "n_later": 10, "n_later_altered": 6, "n_primary": 10,
         "n_primary_altered": 2, "odds_ratio": 5.2, "ci_low": 0.7, "ci_high": 60.0, "p_value": 0.17, "q_value": 0.08},
        {"pathway": "RTK-RAS", "label": "MAPK-altered", "test": "mcnemar_exact", "n_pairs": 10, "n_later_only": 6,
         "n_primary_only": 0, "n_both": 0, "n_neither": 4, "odds_ratio": float("inf"), "p_value": 0.03125, "q_value": 0.3125},
        {"pathway": "Hippo", "label": "Hippo-altered", "test": "fisher", "n_later": 10, "n_later_altered": 3, "n_primary": 10,
         "n_primary_altered": 0, "odds_ratio": float("inf"), "ci_low": 0.6, "ci_high": float("inf"), "p_value": 0.21,
         "q_value": 0.21},
        {"pathway": "Hippo", "label": "Hippo-altered", "test": "mcnemar_exact", "n_pairs": 10, "n_later_only": 3,
         "n_primary_only": 0, "n_both": 0, "n_neither": 7, "odds_ratio": float("inf"), "p_value": 0.25, "q_value": 0.3125},
    ]
    return pd.DataFrame([{**base, **r} for r in rows])


def test_pathway_rows_and_mapk_label():
    rows = C.pathway_rows(pathway_enrichment_table()).set_index("pathway")
    mapk = rows.loc["RTK-RAS (MAPK)"]
    assert (mapk["primary_fraction"], mapk["later_fraction"], mapk["odds_ratio"], mapk["q_value"]) == (0.2, 0.6, 5.2, 0.08)
    assert (mapk["n_later_only"], mapk["n_primary_only"], mapk["mcnemar_p"]) == (6, 0, 0.03125)
    assert rows.loc["Hippo", "ci_high"] == float("inf")


def test_pathway_section_forest_and_paired_result():
    data = ReportData(samples=SAMPLES, oncogenic={"pathway_enrichment": pathway_enrichment_table()})
    body = section_html(render(data), "pathways")
    (svg,) = svgs(body)
    assert ">RTK-RAS (MAPK)<" in svg
    texts = re.findall(r'class="pw-text">([^<]*)<', svg)
    assert texts == ["5.2 [0.7, 60] q 0.08 *", "Inf [0.6, Inf] q 0.21"]
    assert "paired: 6 later-only, 0 primary-only of 10; p 0.0312" in svg
    assert count_class(svg, "pw-primary") == 2 and count_class(svg, "pw-metastasis") == 2
    assert count_class(svg, "pw-or") == 1  # no square for an infinite odds ratio
    rows = table_rows(body, "Pathways altered in primaries and in metastases/recurrences (units: patients' tumours)")
    header = rows[0]
    assert rows[1][:2] == ["RTK-RAS (MAPK)", "*"] and rows[1][header.index("later_fraction")] == "0.6"
    assert rows[2][header.index("odds_ratio")] == "Inf"


# ------------------------------------------------------------------------------ 5. clinical associations

def test_clinical_associations_significant_first():
    clinical = pd.DataFrame({
        "alteration_level": ["gene", "gene", "pathway", "gene"], "alteration": ["TP53", "PIK3CA", "MAPK-altered", "ESR1"],
        "feature": ["her2_status", "hr_status", "anti_her2", "antiestrogen"], "level": ["positive", "positive", "yes", "yes"],
        "p_value": [0.001, 0.04, 0.2, 0.0001], "q_value": [0.5, 0.08, 0.6, 0.004], "method": "m"})
    continuous = pd.DataFrame({"feature": ["mutation_count", "hrd_sum"], "grouping": ["sample_type", "MAPK-altered"],
                               "p_value": [0.3, 0.001], "q_value": [0.3, 0.002], "method": "m"})
    body = section_html(render(ReportData(samples=SAMPLES, associations={"clinical_associations": clinical,
                                                                          "continuous_by_group": continuous})),
                        "clinical-associations")
    rows = table_rows(body, "Alterations vs clinical features (2 x 2 Fisher per level; BH over the table), significant first")
    assert [(r[0], r[2]) for r in rows[1:]] == [("**", "ESR1"), ("*", "PIK3CA"), ("", "TP53"), ("", "MAPK-altered")]
    assert "method" not in rows[0]
    assert "2</b><span>associations with q ≤ 0.1" in body
    rows = table_rows(body, "Continuous features by group (Wilcoxon rank-sum, R wilcox.test; BH), significant first")
    assert [r[1] for r in rows[1:]] == ["hrd_sum", "mutation_count"]


# ------------------------------------------------------------------------------ 6. survival

def run_metevo(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "metevo", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def survival_dir(tmp_path_factory) -> Path:
    """metevo survival on R's aml (Miller 1981): Maintained vs Nonmaintained."""
    root = tmp_path_factory.mktemp("surv")
    maintained = [(9, 1), (13, 1), (13, 0), (18, 1), (23, 1), (28, 0), (31, 1), (34, 1), (45, 0), (48, 1), (161, 0)]
    nonmaintained = [(5, 1), (5, 1), (8, 1), (8, 1), (12, 1), (16, 0), (23, 1), (27, 1), (30, 1), (33, 1), (43, 1), (45, 1)]
    lines = ["time\tstatus\tx"] + [f"{t}\t{s}\tMaintained" for t, s in maintained] + [f"{t}\t{s}\tNonmaintained" for t, s in nonmaintained]
    (root / "aml.tsv").write_text("\n".join(lines) + "\n")
    proc = run_metevo("survival", "--table", root / "aml.tsv", "--time", "time", "--event", "status", "--group", "x",
                      "--outdir", root / "out")
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def test_survival_section_inlines_the_steps_svgs(survival_dir):
    from metevo.report.inputs import read_outcome_folder

    tables, images = read_outcome_folder(survival_dir, survival=C.SURVIVAL_FILES, outcome=C.OUTCOME_FILES)
    assert list(images) == ["km.svg", "forest.svg"]
    body = section_html(render(ReportData(samples=SAMPLES, outcome=tables, outcome_svgs=images)), "survival")
    km = (survival_dir / "km.svg").read_text()
    assert km[km.index("<svg"):km.rindex("</svg>") + 6] in body
    assert "Number at risk" in body
    # aml medians (R: 31 and 23) and log-rank chi-square 3.4 in the tables
    rows = table_rows(body, "Median survival per group (95% CI)")
    assert [(r[0], r[3]) for r in rows[1:]] == [("Maintained", "31"), ("Nonmaintained", "23")]
    rows = table_rows(body, "Log-rank test")
    assert rows[1][rows[0].index("chisq")] == "3.4"


def test_survival_section_draws_the_curves_without_svgs(survival_dir, tmp_path):
    from metevo.report.inputs import read_outcome_folder

    folder = tmp_path / "surv"
    folder.mkdir()
    for p in survival_dir.glob("*.tsv"):
        (folder / p.name).write_bytes(p.read_bytes())
    tables, images = read_outcome_folder(folder, survival=C.SURVIVAL_FILES, outcome=C.OUTCOME_FILES)
    assert images == {}
    body = section_html(render(ReportData(samples=SAMPLES, outcome=tables, outcome_svgs=images)), "survival")
    (km, forest) = svgs(body)
    assert "Number at risk" in km and ">11<" in km and ">12<" in km  # 11 and 12 patients at risk at time 0
    assert "HR [95% CI]" in forest


def test_outcome_folder_inlines_forest_then_km(tmp_path):
    from metevo.report.inputs import read_outcome_folder

    folder = tmp_path / "outcome"
    folder.mkdir()
    cols = ["endpoint", "subgroup", "feature", "feature_type", "n", "events", "hr", "hr_lcl", "hr_ucl", "p", "q", "note"]
    rows = [["pfs", "all", "MAPK-altered", "pathway", 30, 20, 2.1, 1.1, 4.0, 0.02, 0.04, ""],
            ["pfs", "all", "TP53", "gene", 30, 20, 1.1, 0.5, 2.2, 0.7, 0.7, ""]]
    (folder / "outcome.tsv").write_text("\n".join("\t".join(map(str, r)) for r in [cols, *rows]) + "\n")
    (folder / "ph_test.tsv").write_text("endpoint\tsubgroup\tfeature\tmodel\tterm\tchisq\tdf\tp\tnote\n")
    (folder / "km_pfs_MAPK-altered.svg").write_text('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text>KM</text></svg>\n')
    (folder / "forest_pfs.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><text>FOREST</text></svg>\n')
    tables, images = read_outcome_folder(folder, survival=C.SURVIVAL_FILES, outcome=C.OUTCOME_FILES)
    body = section_html(render(ReportData(samples=SAMPLES, outcome=tables, outcome_svgs=images)), "survival")
    assert "<?xml" not in body
    assert body.index("<text>FOREST</text>") < body.index("<text>KM</text>")
    rows = table_rows(body, "Outcome by feature: univariable and adjusted Cox, log-rank, KM medians (BH q per endpoint)")
    assert [(r[0], r[3]) for r in rows[1:]] == [("*", "MAPK-altered"), ("", "TP53")]


# ------------------------------------------------------------------------------ command line

def write_tsv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, sep="\t", index=False)


@pytest.fixture()
def folders(tmp_path) -> dict[str, Path]:
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text("patient,sample,sample_type\n" + "".join(f"{p},{s},{t}\n" for p, s, t in SAMPLES.itertuples(index=False)))
    onc = tmp_path / "onc"
    onc.mkdir()
    write_tsv(alteration_rows(), onc / "alterations.tsv")
    write_tsv(pathway_status_rows(), onc / "pathway_status.tsv")
    write_tsv(pathway_enrichment_table(), onc / "pathway_enrichment.tsv")
    write_tsv(pd.DataFrame({"pathway1": ["Hippo"], "pathway2": ["RTK-RAS"], "p_value": [0.5], "q_value": [0.5]}),
              onc / "pathway_coalteration.tsv")
    assoc = tmp_path / "assoc"
    assoc.mkdir()
    write_tsv(interactions_table(), assoc / "interactions.tsv")
    write_tsv(pd.DataFrame({"alteration": ["TP53"], "feature": ["her2_status"], "p_value": [0.01], "q_value": [0.02]}),
              assoc / "clinical_associations.tsv")
    write_tsv(pd.DataFrame({"feature": ["mutation_count"], "p_value": [0.5], "q_value": [0.5]}), assoc / "continuous_by_group.tsv")
    enr = tmp_path / "enr"
    enr.mkdir()
    for name, frame in enrichment_tables(external=True).items():
        write_tsv(frame, enr / f"{name}.tsv")
    return {"sheet": sheet, "oncogenic": onc, "associations": assoc, "enrichment": enr, "root": tmp_path}


def test_cli_renders_every_cohort_section(folders, survival_dir):
    out = folders["root"] / "report.html"
    proc = run_metevo("report", "--samplesheet", folders["sheet"], "--oncogenic", folders["oncogenic"],
                      "--associations", folders["associations"], "--enrichment", folders["enrichment"],
                      "--outcome", survival_dir, "--out", out)
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    order = [page.index(f'<section id="{s}">') for s in ("enrichment", "oncoprint", "pathways", "interactions",
                                                          "clinical-associations", "survival", "methods")]
    assert order == sorted(order)
    assert 'src="http' not in page and 'href="http' not in page
    (svg,) = svgs(section_html(page, "oncoprint"))
    assert count_class(svg, "op-missense") == 4  # read back from TSV: the same cells as in memory
    assert re.findall(r'class="sigmark">([^<]*)<', svgs(section_html(page, "enrichment"))[0]) == ["**", "*", "**", "**", "*"]
    assert "Enrichment: units are patients&#x27; tumours" in section_html(page, "methods")
    again = folders["root"] / "again.html"
    run_metevo("report", "--samplesheet", folders["sheet"], "--oncogenic", folders["oncogenic"], "--associations",
               folders["associations"], "--enrichment", folders["enrichment"], "--outcome", survival_dir, "--out", again)
    assert again.read_bytes() == out.read_bytes()


@pytest.mark.parametrize("option,remove,message", [
    ("--oncogenic", "pathway_enrichment.tsv", "pathway_enrichment.tsv: expected pathway_enrichment.tsv of metevo oncogenic in the --oncogenic folder, not found"),
    ("--associations", "interactions.tsv", "interactions.tsv: expected interactions.tsv of metevo associations in the --associations folder, not found"),
    ("--enrichment", "enriched.tsv", "enriched.tsv: expected enriched.tsv of metevo enrichment in the --enrichment folder, not found"),
])
def test_missing_file_is_a_one_line_error(folders, option, remove, message):
    key = option.removeprefix("--")
    (folders[key] / remove).unlink()
    out = folders["root"] / "report.html"
    proc = run_metevo("report", "--samplesheet", folders["sheet"], option, folders[key], "--out", out)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("metevo report: error: ")
    assert proc.stderr.rstrip().endswith(message) and str(folders[key] / remove) in proc.stderr
    assert not out.exists()


def test_missing_survival_table_and_folder_are_one_line_errors(survival_dir, folders):
    broken = folders["root"] / "surv"
    broken.mkdir()
    for p in survival_dir.glob("*"):
        if p.name != "cox.tsv":
            (broken / p.name).write_bytes(p.read_bytes())
    out = folders["root"] / "report.html"
    proc = run_metevo("report", "--samplesheet", folders["sheet"], "--outcome", broken, "--out", out)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert f"{broken / 'cox.tsv'}: expected cox.tsv of metevo survival in the --outcome folder, not found" in proc.stderr
    empty = folders["root"] / "empty"
    empty.mkdir()
    proc = run_metevo("report", "--samplesheet", folders["sheet"], "--outcome", empty, "--out", out)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "found neither" in proc.stderr
    proc = run_metevo("report", "--samplesheet", folders["sheet"], "--enrichment", folders["root"] / "nowhere", "--out", out)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "found no such folder" in proc.stderr
    assert not out.exists()


def test_optional_external_tables_are_read_when_present(folders):
    from metevo.report.inputs import read_step_folder

    tables = read_step_folder(folders["enrichment"], option="--enrichment", step="enrichment", required=C.ENRICHMENT_FILES,
                              optional=C.ENRICHMENT_OPTIONAL)
    assert sorted(tables) == ["enriched", "external", "paired", "unpaired"]  # no external_by_subtype.tsv: not required
    assert tables["external"]["cmh_q_value"].tolist()[0] == 0.002


# ------------------------------------------------------------------------------ without the options: as before

def plain_data() -> ReportData:
    """Sections that draw no figure (so no plotting library's version enters the bytes)."""
    germline = pd.DataFrame({"patient": ["P1"], "sample": ["P1-N"], "gene": ["BRCA2"], "hgvsp_short": ["p.K3326*"],
                             "af": [0.5], "classification": ["Pathogenic"]})
    biallelic = pd.DataFrame({"patient": ["P1", "P2"], "sample": ["P1-M", "P2-M"], "gene": ["BRCA2", "BRCA1"],
                              "status": ["biallelic", "monoallelic"], "mechanism": ["germline+LOH", ""],
                              "total_cn": [1, 2], "minor_cn": [0, 1]})
    frequency = pd.DataFrame({"region": ["1q21.3"], "alteration": ["gain"], "n_primary": [3], "n_primary_altered": [1],
                              "freq_primary": [1 / 3], "n_later": [3], "n_later_altered": [3], "freq_later": [1.0],
                              "odds_ratio": [float("inf")], "fisher_p": [0.4], "fisher_q": [0.4]})
    return ReportData(samples=SAMPLES, germline=germline, biallelic=biallelic, regions={"region_frequency": frequency})


# sha256 of render(plain_data()) with the version in the header replaced by "VERSION", made by
# the report code of commit acb862b (before the cohort sections)
PLAIN_REPORT_SHA256 = "b7bc2aa8f8f412e608201555835807ae19301df27b5c9e360ad946067f8bdd8f"


def test_report_without_cohort_folders_is_unchanged():
    page = render(plain_data()).replace(f"metevo {__version__}:", "metevo VERSION:")
    assert hashlib.sha256(page.encode()).hexdigest() == PLAIN_REPORT_SHA256
    cohort_builders = [fn for _, fn in SECTIONS if fn.__module__ == C.__name__]
    assert len(cohort_builders) == 6
    assert all(fn(plain_data()) is None for fn in cohort_builders)
    assert C.methods_items(plain_data()) == []
