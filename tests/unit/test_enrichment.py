"""metevo enrichment: hand-built cohorts with answers worked out here (McNemar counts and exact
binomial p-values, Fisher counts, re-filtering of external calls, CMH strata), a simulated
confounding case (a HER2-associated gene looks metastasis-enriched against a HER2-poor
external cohort until the test is stratified by subtype), bad inputs, determinism."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2
from scipy.stats import fisher_exact as scipy_fisher

from metevo import enrichment as E
from metevo.cli import main
from metevo.stats.contingency import cmh_test, fisher_exact

SHEET_HEADER = "patient,sample,sample_type,er_status,pr_status,her2_status,maf"
RECEPTORS = {"HR": ("positive", "positive", "negative"), "HER2": ("negative", "negative", "positive"),
             "TN": ("negative", "negative", "negative"), "EQ": ("positive", "positive", "equivocal")}


def _sheet(path, rows):
    """rows: (patient, sample, sample_type, receptor key or '', has mutation input)."""
    lines = [SHEET_HEADER]
    for patient, sample, kind, receptors, has_input in rows:
        er, pr, her2 = RECEPTORS[receptors] if receptors else ("", "", "")
        lines.append(",".join([patient, sample, kind, er, pr, her2, f"maf/{sample}.maf" if has_input else ""]))
    path.write_text("\n".join(lines) + "\n")
    return path


def _maf(path, rows, columns=("t_depth", "t_alt_count")):
    """rows: (gene, sample, classification, {column: value})."""
    header = ["Hugo_Symbol", "Chromosome", "Start_Position", "Variant_Classification", "Tumor_Sample_Barcode", *columns]
    lines = ["#version 2.4", "\t".join(header)]
    for gene, sample, klass, counts in rows:
        lines.append("\t".join([gene, "17", "100", klass, sample] + [str(counts.get(c, "")) for c in columns]))
    path.write_text("\n".join(lines) + "\n")
    return path


GOOD = {"t_depth": 100, "t_alt_count": 30}


def _cohort(tmp_path):
    """Eight paired patients P1..P8 (P1-P4 HR+/HER2-, P5-P6 HER2+, P7-P8 TNBC; P1 has two primary
    regions, P6 two metastases), P9 metastasis only (HER2 equivocal: subtype unknown), P10
    primary only, P11 a metastasis with no mutation input (not counted), P1-N a normal.

    GAIN: metastasis only in P1..P6 (P6 through its second metastasis), both in P7; P8's call is
    at depth 5 (filtered) and a Silent one (not counted); also in P9's metastasis.
    LOSS: primary only in P1 (region B), P2, P3; metastasis only in P4.
    """
    rows = []
    for i in range(1, 9):
        receptors = "HR" if i <= 4 else ("HER2" if i <= 6 else "TN")
        if i == 1:
            rows += [("P1", "P1-PA", "primary", receptors, True), ("P1", "P1-PB", "primary", receptors, True)]
        else:
            rows.append((f"P{i}", f"P{i}-P", "primary", receptors, True))
        rows.append((f"P{i}", f"P{i}-M", "metastasis" if i != 3 else "recurrence", receptors, True))
    rows += [("P6", "P6-M2", "metastasis", "HER2", True), ("P9", "P9-M", "metastasis", "EQ", True),
             ("P10", "P10-P", "primary", "HR", True), ("P11", "P11-M", "metastasis", "HR", False),
             ("P1", "P1-N", "normal", "", True)]
    sheet = _sheet(tmp_path / "sheet.csv", rows)
    calls = [("GAIN", s, "Missense_Mutation", GOOD) for s in ("P1-M", "P2-M", "P3-M", "P4-M", "P5-M", "P6-M2",
                                                               "P7-M", "P7-P", "P9-M")]
    calls += [("GAIN", "P8-M", "Missense_Mutation", {"t_depth": 5, "t_alt_count": 4}),
              ("GAIN", "P8-P", "Silent", GOOD), ("GAIN", "P1-N", "Missense_Mutation", GOOD)]
    calls += [("LOSS", s, "Nonsense_Mutation", GOOD) for s in ("P1-PB", "P2-P", "P3-P", "P4-M")]
    calls += [("LOSS", "P10-P", "Frame_Shift_Del", GOOD)]
    maf = _maf(tmp_path / "cohort.maf", calls)
    return sheet, maf


def _external(tmp_path, *, list_extra=("E20",), clinical=True):
    """20 external primaries E01..E20 (E01-E10 'Luminal A', E11-E14 'HER2-enriched', E15-E18
    'Basal', E19 'NA', E20 no row). Depth and VAF, no alt count (as TCGA Firehose MAFs).
    GAIN calls: E01 (kept), E02 VAF 0.02, E03 depth 6, E04 VAF 0.04 at depth 50 (alt 2) - all
    three filtered - and E05 without counts (kept). ONLYEXT: E06-E08. E99 is not listed."""
    calls = [("GAIN", "E01", "Missense_Mutation", {"t_depth": 100, "t_vaf": 0.3}),
             ("GAIN", "E02", "Missense_Mutation", {"t_depth": 200, "t_vaf": 0.02}),
             ("GAIN", "E03", "Missense_Mutation", {"t_depth": 6, "t_vaf": 0.5}),
             ("GAIN", "E04", "Missense_Mutation", {"t_depth": 50, "t_vaf": 0.04}),
             ("GAIN", "E05", "Missense_Mutation", {}),
             ("GAIN", "E99", "Missense_Mutation", {"t_depth": 100, "t_vaf": 0.3})]
    calls += [("ONLYEXT", f"E0{i}", "Missense_Mutation", {"t_depth": 80, "t_vaf": 0.25}) for i in (6, 7, 8)]
    calls += [("LOSS", f"E{i:02d}", "Missense_Mutation", {"t_depth": 80, "t_vaf": 0.25}) for i in range(9, 19)]
    maf = _maf(tmp_path / "ext.maf", calls, columns=("t_depth", "t_vaf"))
    samples = [f"E{i:02d}" for i in range(1, 20)] + list(list_extra)
    (tmp_path / "ext_samples.txt").write_text("sample\n" + "\n".join(samples) + "\n")
    if clinical:
        lines = ["Tumor_Sample_Barcode\tage\tPAM50"]
        for i in range(1, 20):
            subtype = "Luminal A" if i <= 10 else ("HER2-enriched" if i <= 14 else ("Basal" if i <= 18 else "NA"))
            lines.append(f"E{i:02d}\t50\t{subtype}")
        (tmp_path / "ext_clinical.tsv").write_text("\n".join(lines) + "\n")
    return maf, tmp_path / "ext_samples.txt", tmp_path / "ext_clinical.tsv"


def _run(capsys, *args):
    try:
        rc = main([str(x) for x in args])
    except SystemExit as stop:
        rc = stop.code
    return rc, capsys.readouterr().err


def _read(path):
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""])


def _binom_half_tail(k, n):
    """P(B <= k), B ~ Binomial(n, 1/2), by hand."""
    return sum(math.comb(n, i) for i in range(k + 1)) / 2 ** n


# ------------------------------------------------------------------------------ hand-built


@pytest.fixture
def full_run(tmp_path, capsys):
    sheet, maf = _cohort(tmp_path)
    ext_maf, ext_list, ext_clin = _external(tmp_path)
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--external-maf", ext_maf,
                   "--external-samples", ext_list, "--external-clinical", ext_clin, "--external-label", "EXT",
                   "--min-mutated", "1", "--outdir", out)
    assert rc == 0, err
    return out


def test_paired_counts_and_exact_mcnemar(full_run):
    paired = _read(full_run / "paired.tsv").set_index("gene")
    assert (paired["n_pairs"] == 8).all()
    gain = paired.loc["GAIN"]
    # P1..P6 metastasis only (P6 via its second metastasis, P3 via its recurrence), P7 both, P8 neither
    # (its depth-5 call is filtered, its primary's call is Silent)
    assert (gain.both, gain.met_only, gain.primary_only, gain.neither) == (1, 6, 0, 1)
    assert (gain.met_mutated, gain.primary_mutated) == (7, 1)
    assert gain.p_value == pytest.approx(2 * _binom_half_tail(0, 6), rel=1e-9)  # 0.03125
    assert gain.p_gained == pytest.approx(1 / 64, rel=1e-9)
    assert gain.p_chisq == pytest.approx(chi2.sf((6 - 0 - 1) ** 2 / 6, 1), rel=1e-9)  # R mcnemar.test
    loss = paired.loc["LOSS"]
    # P1 through its second primary region
    assert (loss.both, loss.met_only, loss.primary_only, loss.neither) == (0, 1, 3, 4)
    assert loss.p_value == pytest.approx(2 * _binom_half_tail(1, 4), rel=1e-9)  # 0.625
    assert loss.p_gained == pytest.approx(1 - _binom_half_tail(0, 4), rel=1e-9)  # P(B >= 1) = 15/16
    # BH over two genes: q = min(1, 2 p_(1)), ...
    assert gain.q_value == pytest.approx(min(2 * gain.p_value, loss.p_value), rel=1e-9)
    assert list(paired.index) == ["GAIN", "LOSS"] and (paired["test"] == "mcnemar_exact_two_sided").all()


def test_unpaired_counts_per_patient_and_fisher(full_run):
    unpaired = _read(full_run / "unpaired.tsv").set_index("gene")
    # metastasis patients P1..P9 (P11 has no mutation input), primary patients P1..P8 and P10
    assert (unpaired["a_total"] == 9).all() and (unpaired["b_total"] == 9).all()
    gain = unpaired.loc["GAIN"]
    assert (gain.a_mutated, gain.b_mutated) == (8, 1)
    ref = fisher_exact(8, 1, 1, 8)
    assert gain.p_value == pytest.approx(scipy_fisher([[8, 1], [1, 8]])[1], rel=1e-9)
    assert gain.odds_ratio == pytest.approx(ref.odds_ratio, rel=1e-9)
    assert (gain.ci_low, gain.ci_high) == pytest.approx((ref.ci_low, ref.ci_high), rel=1e-9)
    loss = unpaired.loc["LOSS"]
    assert (loss.a_mutated, loss.b_mutated) == (1, 4)  # P10's primary counts here
    assert (unpaired["cohort_a"] == "metastasis").all() and (unpaired["cohort_b"] == "primary").all()
    assert list(_read(full_run / "unpaired.tsv").columns) == list(E.UNPAIRED_COLUMNS)


def test_external_refilter_counts_and_cmh_strata(full_run):
    ext = _read(full_run / "external.tsv").set_index("gene")
    gain = ext.loc["GAIN"]
    # E02 (VAF 0.02), E03 (depth 6), E04 (alt 0.04 * 50 = 2) are filtered; E05 has no counts and stays;
    # E99 is not in the list; E20 is listed without calls (unmutated)
    assert (gain.met_mutated, gain.met_total, gain.ext_mutated, gain.ext_total) == (8, 9, 2, 20)
    assert gain.ext_refiltered == "yes" and gain.ext_filter == "t_depth>=10;t_alt_count~t_vaf*t_depth>=3;vaf>=0.05"
    ref = fisher_exact(8, 1, 2, 18)
    assert gain.p_value == pytest.approx(ref.p_value, rel=1e-9) and gain.odds_ratio == pytest.approx(ref.odds_ratio, rel=1e-9)
    # a gene mutated on the external side only
    assert (ext.loc["ONLYEXT", "met_mutated"], ext.loc["ONLYEXT", "ext_mutated"]) == (0, 3)
    # CMH over HR+/HER2- (P1-P4 vs E01-E10), HER2+ (P5-P6 vs E11-E14), TNBC (P7-P8 vs E15-E18):
    # P9 (HER2 equivocal), E19 ('NA') and E20 (no clinical row) are left out of the strata only
    assert gain.cmh_strata == "HR+/HER2-,HER2+,TNBC"
    assert (gain.cmh_met_mutated, gain.cmh_met_total, gain.cmh_ext_mutated, gain.cmh_ext_total) == (7, 8, 2, 18)
    tables = [[[4, 0], [2, 8]], [[2, 0], [0, 4]], [[1, 1], [0, 4]]]
    asym, exact = cmh_test(tables), cmh_test(tables, exact=True)
    assert gain.cmh_statistic == pytest.approx(asym.statistic, rel=1e-9)
    assert gain.cmh_p_value == pytest.approx(asym.p_value, rel=1e-9)
    assert gain.cmh_odds_ratio == pytest.approx(asym.odds_ratio, rel=1e-9)
    # no metastasis unit unmutated in HR+ and HER2+: sum(bc/n) = 0, R's estimate is Inf and its interval NaN
    assert gain.cmh_odds_ratio == math.inf and math.isnan(asym.ci_low) and math.isnan(asym.ci_high)
    assert math.isnan(gain.cmh_ci_low) and math.isnan(gain.cmh_ci_high)
    assert gain.cmh_exact_p_value == pytest.approx(exact.p_value, rel=1e-9)
    by = _read(full_run / "external_by_subtype.tsv").set_index(["subtype", "gene"])
    hr = by.loc[("HR+/HER2-", "GAIN")]
    assert (hr.met_mutated, hr.met_total, hr.ext_mutated, hr.ext_total) == (4, 4, 2, 10)
    assert hr.p_value == pytest.approx(fisher_exact(4, 0, 2, 8).p_value, rel=1e-9)
    assert set(by.index.get_level_values("subtype")) == {"HR+/HER2-", "HER2+", "TNBC"}
    assert (by["external"] == "EXT").all()
    summary = dict(_read(full_run / "summary.tsv").loc[:, ["item", "value"]].itertuples(index=False))
    assert summary["external_subtypes"] == "HR+/HER2-=10,HER2+=4,TNBC=4,unknown=2"
    assert summary["metastasis_subtypes"] == "HR+/HER2-=4,HER2+=2,TNBC=2,unknown=1"
    assert summary["external_rows_removed_by_filter"] == "3" and summary["cohort_rows_removed_by_filter"] == "1"


def test_enriched_summary_lists_supporting_comparisons(full_run, capsys):
    """--no-burden: the plain rule, q <= 0.1 in any comparison, either direction."""
    out = full_run.parent / "plain"
    tmp = full_run.parent
    rc, err = _run(capsys, "enrichment", "--maf", tmp / "cohort.maf", "--samplesheet", tmp / "sheet.csv", "--external-maf",
                   tmp / "ext.maf", "--external-samples", tmp / "ext_samples.txt", "--external-clinical",
                   tmp / "ext_clinical.tsv", "--external-label", "EXT", "--min-mutated", "1", "--no-burden", "--outdir", out)
    assert rc == 0, err
    for name in ("paired.tsv", "unpaired.tsv", "external.tsv", "external_by_subtype.tsv"):
        assert (out / name).read_bytes() == (full_run / name).read_bytes()
    enriched = _read(out / "enriched.tsv")
    unpaired = _read(full_run / "unpaired.tsv").set_index("gene")
    ext = _read(full_run / "external.tsv").set_index("gene")
    paired = _read(full_run / "paired.tsv").set_index("gene")
    by = _read(full_run / "external_by_subtype.tsv")
    expected = {}
    for name, frame, q, up in (("paired", paired, "q_value", paired.met_only > paired.primary_only),
                               ("unpaired", unpaired, "q_value", unpaired.odds_ratio > 1),
                               ("external", ext, "q_value", ext.odds_ratio > 1),
                               ("external_cmh", ext, "cmh_q_value", ext.cmh_odds_ratio > 1)):
        for gene in frame.index[frame[q] <= 0.1]:
            expected.setdefault(gene, []).append(f"{name}:{'metastasis' if up[gene] else 'primary'}")
    for row in by[by.q_value <= 0.1].itertuples():
        expected.setdefault(row.gene, []).append(f"external[{row.subtype}]:{'metastasis' if row.odds_ratio > 1 else 'primary'}")
    assert expected  # GAIN at least: unpaired q = p of an (8, 1, 1, 8) table
    got = {r.gene: r.comparisons.split(";") for r in enriched.itertuples()}
    assert got == expected
    gain = enriched.set_index("gene").loc["GAIN"]
    assert gain.direction == "metastasis" and gain.paired_met_only == 6 and gain.paired_primary_only == 0


def test_enriched_burden_rule_recomputed_from_the_tables(full_run):
    """Default rule: one-sided burden q <= 0.1 with the plain effect toward the metastases (paired,
    unpaired, external within strata since the run has them), or two-sided burden q and plain q
    <= 0.1 toward the primaries."""
    enriched = _read(full_run / "enriched.tsv")
    paired = _read(full_run / "paired.tsv").set_index("gene")
    unpaired = _read(full_run / "unpaired.tsv").set_index("gene")
    ext = _read(full_run / "external.tsv").set_index("gene")
    assert (ext["cmh_strata"] == "HR+/HER2-,HER2+,TNBC").all()
    expected = {}
    for name, frame, prefix, plain_q, observed, up in (
            ("paired_burden", paired, "", "q_value", paired.met_only, paired.met_only > paired.primary_only),
            ("unpaired_burden", unpaired, "", "q_value", unpaired.a_mutated, unpaired.odds_ratio > 1),
            ("external_strat_burden", ext, "strat_", "cmh_q_value", ext.cmh_met_mutated, ext.cmh_odds_ratio > 1)):
        for gene in frame.index:
            if frame.at[gene, f"{prefix}q_burden_gained"] <= 0.1 and up[gene]:
                expected.setdefault(gene, []).append(f"{name}:metastasis")
            elif (frame.at[gene, f"{prefix}q_burden"] <= 0.1 and observed[gene] < frame.at[gene, f"{prefix}burden_expected"]
                  and not up[gene] and frame.at[gene, plain_q] <= 0.1):
                expected.setdefault(gene, []).append(f"{name}:primary")
    got = {r.gene: r.comparisons.split(";") for r in enriched.itertuples()}
    assert got == expected
    # GAIN, unpaired, by brute force over every set of 9 mutated units among the 18: burdens (counted
    # calls) of the metastasis units P1..P9 = 1,1,1,2 (GAIN and LOSS),1,1,1,0 (P8: filtered),1 and of
    # the primary units P1..P8, P10 = 1,1,1,0,0,0,1,0,1; GAIN holds 9 of the 14 mutations, so a unit
    # with n mutations is mutated with q = 1 - (5/14)^n
    import itertools

    burdens = [1, 1, 1, 2, 1, 1, 1, 0, 1] + [1, 1, 1, 0, 0, 0, 1, 0, 1]
    q = [1 - (5 / 14) ** n for n in burdens]
    weight = np.zeros(10)
    for chosen in itertools.combinations(range(18), 9):
        inside = set(chosen)
        w = math.prod(q[i] if i in inside else 1 - q[i] for i in range(18))
        weight[sum(i < 9 for i in chosen)] += w
    pmf = weight / weight.sum()
    assert unpaired.at["GAIN", "p_burden_gained"] == pytest.approx(pmf[8:].sum(), rel=1e-9)
    assert unpaired.at["GAIN", "p_burden"] == pytest.approx(pmf[pmf <= pmf[8] * (1 + 1e-7)].sum(), rel=1e-9)
    assert unpaired.at["GAIN", "burden_expected"] == pytest.approx((np.arange(10) * pmf).sum(), rel=1e-9)
    assert "GAIN" in got and got["GAIN"][0] == "unpaired_burden:metastasis"
    row = enriched.set_index("gene").loc["GAIN"]
    assert row.unpaired_q_burden_gained == unpaired.at["GAIN", "q_burden_gained"]
    assert row.external_q_burden_gained == ext.at["GAIN", "strat_q_burden_gained"]
    assert list(enriched.columns) == list(E.ENRICHED_COLUMNS)


def test_external_maf_without_counts_is_not_refiltered(tmp_path, capsys):
    sheet, maf = _cohort(tmp_path)
    ext = _maf(tmp_path / "ext.maf", [("GAIN", "E1", "Missense_Mutation", {}), ("GAIN", "E2", "Missense_Mutation", {})],
               columns=())
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--external-maf", ext,
                   "--min-mutated", "1", "--outdir", out)
    assert rc == 0, err
    gain = _read(out / "external.tsv").set_index("gene").loc["GAIN"]
    assert gain.ext_refiltered == "no" and gain.ext_mutated == 2 and gain.ext_total == 2
    assert pd.isna(gain.cmh_p_value) and pd.isna(gain.cmh_strata)  # no external subtypes: no strata


def test_no_pairs_no_external(tmp_path, capsys):
    sheet = _sheet(tmp_path / "sheet.csv", [("A", "A-M", "metastasis", "HR", True), ("B", "B-P", "primary", "HR", True),
                                            ("C", "C-M", "metastasis", "TN", True)])
    maf = _maf(tmp_path / "c.maf", [("TP53", "A-M", "Missense_Mutation", GOOD), ("TP53", "C-M", "Missense_Mutation", GOOD),
                                    ("TP53", "B-P", "Missense_Mutation", GOOD)])
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--outdir", out)
    assert rc == 0, err
    assert (out / "paired.tsv").read_text() == "\t".join(E.PAIRED_COLUMNS) + "\n"
    assert not (out / "external.tsv").exists()
    summary = _read(out / "summary.tsv")
    assert "no patient has both a primary and a metastasis/recurrence sample" in " ".join(summary["value"])
    unpaired = _read(out / "unpaired.tsv").set_index("gene")
    assert (unpaired.loc["TP53", "a_mutated"], unpaired.loc["TP53", "a_total"], unpaired.loc["TP53", "b_total"]) == (2, 2, 1)
    assert (out / "enriched.tsv").read_text() == "\t".join(E.ENRICHED_COLUMNS) + "\n"


def test_clinical_subtype_overrides_receptors(tmp_path, capsys):
    sheet, maf = _cohort(tmp_path)
    (tmp_path / "clinical.csv").write_text("patient,subtype\nP9,Luminal B\nP5,triple negative\nP2,\n")
    ext_maf, ext_list, ext_clin = _external(tmp_path)
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--clinical", tmp_path / "clinical.csv",
                   "--external-maf", ext_maf, "--external-samples", ext_list, "--external-clinical", ext_clin,
                   "--min-mutated", "1", "--outdir", out)
    assert rc == 0, err
    summary = dict(_read(out / "summary.tsv").loc[:, ["item", "value"]].itertuples(index=False))
    # P9 HR+/HER2- (clinical), P5 TNBC (clinical), P2 empty: receptors (HR+/HER2-)
    assert summary["metastasis_subtypes"] == "HR+/HER2-=5,HER2+=1,TNBC=3,unknown=0"


def test_determinism(tmp_path, capsys, full_run):
    sheet, maf = tmp_path / "sheet.csv", tmp_path / "cohort.maf"  # written by full_run
    ext_maf, ext_list, ext_clin = tmp_path / "ext.maf", tmp_path / "ext_samples.txt", tmp_path / "ext_clinical.tsv"
    out = tmp_path / "out2"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--external-maf", ext_maf,
                   "--external-samples", ext_list, "--external-clinical", ext_clin, "--external-label", "EXT",
                   "--min-mutated", "1", "--outdir", out)
    assert rc == 0, err
    names = sorted(p.name for p in full_run.iterdir())
    assert names == sorted(p.name for p in out.iterdir()) == sorted(
        ["paired.tsv", "unpaired.tsv", "external.tsv", "external_by_subtype.tsv", "enriched.tsv", "summary.tsv"])
    for name in names:
        assert (full_run / name).read_bytes() == (out / name).read_bytes(), name


# ------------------------------------------------------------------------------ subtype spellings


@pytest.mark.parametrize("value,expected", [
    ("HR+/HER2-", "HR+/HER2-"), ("hr+ / her2-", "HR+/HER2-"), ("Luminal A", "HR+/HER2-"), ("LumB", "HR+/HER2-"),
    ("BRCA_LumA", "HR+/HER2-"), ("HER2+", "HER2+"), ("Her2", "HER2+"), ("HER2-enriched", "HER2+"),
    ("HR+/HER2+", "HER2+"), ("HR-/HER2+", "HER2+"), ("TNBC", "TNBC"), ("Triple negative", "TNBC"),
    ("Basal-like", "TNBC"), ("BRCA_Basal", "TNBC"), ("HR-/HER2-", "TNBC"), ("", ""), ("NA", ""), ("Unknown", ""),
    ("Normal-like", ""), ("[Not Available]", ""), ("luminal C", None), ("HR+", None),
])
def test_subtype_spellings(value, expected):
    assert E.normalise_subtype(value) == expected


@pytest.mark.parametrize("er,pr,her2,expected", [
    ("positive", "negative", "negative", "HR+/HER2-"), ("negative", "Positive", "negative", "HR+/HER2-"),
    ("positive", "positive", "positive", "HER2+"), ("negative", "negative", "3+", "HER2+"),
    ("negative", "negative", "negative", "TNBC"), ("negative", "unknown", "negative", ""),
    ("positive", "positive", "equivocal", ""), ("", "", "", ""),
])
def test_receptor_subtype(er, pr, her2, expected):
    assert E.receptor_subtype(er, pr, her2) == expected


# ------------------------------------------------------------------------------ confounding by subtype


def _simulate(tmp_path, seed=11):
    """Internal cohort: 240 metastasis-only patients, HER2-rich (50% HER2+, 30% HR+/HER2-, 20% TNBC).
    External: 1200 primaries, HER2-poor (8% HER2+, 72% HR+/HER2-, 20% TNBC).
    CONF1..CONF20: mutated in 40% of HER2+ tumours and 5% of the others, metastasis or not.
    PLANT1..PLANT5: 10% of primaries, 35% of metastases, in every subtype.
    NULL1..NULL20: 15% everywhere."""
    rng = np.random.default_rng(seed)
    n_met, n_ext = 240, 1200
    met_sub = rng.choice(["HER2", "HR", "TN"], size=n_met, p=[0.5, 0.3, 0.2])
    ext_sub = rng.choice(["HER2", "HR", "TN"], size=n_ext, p=[0.08, 0.72, 0.2])
    genes = {f"CONF{i}": (0.40, 0.05, 0.40, 0.05) for i in range(1, 21)}  # met HER2, met other, ext HER2, ext other
    genes.update({f"PLANT{i}": (0.35, 0.35, 0.10, 0.10) for i in range(1, 6)})
    genes.update({f"NULL{i}": (0.15, 0.15, 0.15, 0.15) for i in range(1, 21)})
    met_rows, ext_rows = [], []
    for gene, (mh, mo, eh, eo) in genes.items():
        hit = rng.random(n_met) < np.where(met_sub == "HER2", mh, mo)
        met_rows += [(gene, f"M{i:04d}-M", "Missense_Mutation", GOOD) for i in np.flatnonzero(hit)]
        hit = rng.random(n_ext) < np.where(ext_sub == "HER2", eh, eo)
        ext_rows += [(gene, f"X{i:04d}", "Missense_Mutation", {"t_depth": 60, "t_alt_count": 20}) for i in np.flatnonzero(hit)]
    sheet = _sheet(tmp_path / "sheet.csv", [(f"M{i:04d}", f"M{i:04d}-M", "metastasis", s, True) for i, s in enumerate(met_sub)])
    maf = _maf(tmp_path / "cohort.maf", met_rows)
    ext_maf = _maf(tmp_path / "ext.maf", ext_rows)
    (tmp_path / "ext_samples.txt").write_text("\n".join(f"X{i:04d}" for i in range(n_ext)) + "\n")
    names = {"HER2": "HER2+", "HR": "HR+/HER2-", "TN": "TNBC"}
    (tmp_path / "ext_clinical.tsv").write_text("sample\tsubtype\n" + "".join(
        f"X{i:04d}\t{names[s]}\n" for i, s in enumerate(ext_sub)))
    return sheet, maf, ext_maf


def test_confounding_by_subtype_is_removed_by_cmh(tmp_path, capsys):
    sheet, maf, ext_maf = _simulate(tmp_path)
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", maf, "--samplesheet", sheet, "--external-maf", ext_maf,
                   "--external-samples", tmp_path / "ext_samples.txt", "--external-clinical", tmp_path / "ext_clinical.tsv",
                   "--outdir", out)
    assert rc == 0, err
    ext = _read(out / "external.tsv").set_index("gene")
    conf = ext.loc[[f"CONF{i}" for i in range(1, 21)]]
    plant = ext.loc[[f"PLANT{i}" for i in range(1, 6)]]
    null = ext.loc[[f"NULL{i}" for i in range(1, 21)]]
    # metastases ~24% vs external ~8%: every confounded gene looks enriched without stratification ...
    assert (conf["q_value"] < 1e-3).all() and (conf["odds_ratio"] > 1).all()
    # ... and within subtype there is nothing: the 20 CMH p-values are null p-values (under the null,
    # more than 3 of 20 below 0.05 has probability 1.6%, a median below 0.25 about 1%)
    assert (conf["cmh_p_value"] < 0.05).sum() <= 3 and conf["cmh_p_value"].median() > 0.25
    assert (conf["cmh_exact_p_value"] < 0.05).sum() <= 3 and conf["cmh_exact_p_value"].median() > 0.25
    assert (conf["cmh_q_value"] <= 0.1).sum() <= 2
    # the planted enrichment is found both ways
    assert (plant["q_value"] < 1e-4).all() and (plant["cmh_q_value"] < 1e-4).all()
    assert (plant["cmh_odds_ratio"] > 2).all() and (plant["cmh_exact_q_value"] < 1e-4).all()
    # null genes: null p-values either way (more than 2 of 20 below 0.01 has probability 1%)
    assert (null["p_value"] < 0.01).sum() <= 2 and (null["cmh_p_value"] < 0.01).sum() <= 2
    # the CMH numbers are cmh_test of the per-subtype counts
    by = _read(out / "external_by_subtype.tsv").set_index(["gene", "subtype"])
    for gene in ("CONF1", "PLANT1", "NULL1"):
        tables = []
        for subtype in E.SUBTYPES:
            r = by.loc[(gene, subtype)]
            tables.append([[r.met_mutated, r.met_total - r.met_mutated], [r.ext_mutated, r.ext_total - r.ext_mutated]])
        assert ext.loc[gene, "cmh_p_value"] == pytest.approx(cmh_test(tables).p_value, rel=1e-9)
        assert ext.loc[gene, "cmh_exact_p_value"] == pytest.approx(cmh_test(tables, exact=True).p_value, rel=1e-9)
    # enriched.tsv, burden-aware rule: the planted genes through the stratified burden test, the
    # confounded ones not gained (their strata's burden p-values are null p-values too)
    enriched = _read(out / "enriched.tsv").set_index("gene")
    assert {f"PLANT{i}" for i in range(1, 6)} <= set(enriched.index)
    assert all(enriched.loc[f"PLANT{i}", "comparisons"] == "external_strat_burden:metastasis" for i in range(1, 6))
    assert not any(enriched.loc[g, "direction"] == "metastasis" for g in conf.index if g in enriched.index)
    assert sum(g in enriched.index for g in conf.index) <= 2
    # (here a tumour's burden is its number of these 45 genes, so PLANT's gain raises the metastases'
    # burden and the confounded genes sit below their burden expectation: the one-sided test)
    assert (conf["strat_p_burden_gained"] < 0.05).sum() <= 3 and (plant["strat_q_burden_gained"] < 1e-4).all()
    # the plain rule (--no-burden) lists every confounded gene through the overall Fisher test
    plain = E.enriched_table(ext.reset_index().iloc[:0], ext.reset_index().iloc[:0], ext.reset_index(),
                             by.reset_index(), burden=False).set_index("gene")
    assert all("external_cmh:metastasis" in plain.loc[f"PLANT{i}", "comparisons"] for i in range(1, 6))
    assert sum("external_cmh" in plain.loc[g, "comparisons"] for g in conf.index if g in plain.index) <= 2
    assert all("external:metastasis" in plain.loc[g, "comparisons"] for g in conf.index)


# ------------------------------------------------------------------------------ bad inputs


def _bad(tmp_path, capsys, *extra, maf=None, sheet=None):
    s, m = _cohort(tmp_path)
    out = tmp_path / "bad_out"
    rc, err = _run(capsys, "enrichment", "--maf", maf or m, "--samplesheet", sheet or s, *extra, "--outdir", out)
    assert rc == 2, err
    assert err.count("\n") == 1, err
    assert not out.exists()
    return err


def test_bad_maf_missing_column(tmp_path, capsys):
    bad = tmp_path / "nocls.maf"
    bad.write_text("Hugo_Symbol\tTumor_Sample_Barcode\nTP53\tP1-M\n")
    err = _bad(tmp_path, capsys, maf=bad)
    assert "nocls.maf: line 1, column 'Variant_Classification': missing required MAF column" in err


def test_bad_maf_sample_not_in_samplesheet(tmp_path, capsys):
    bad = _maf(tmp_path / "stranger.maf", [("TP53", "P1-M", "Missense_Mutation", GOOD), ("TP53", "Q7", "Missense_Mutation", GOOD)])
    err = _bad(tmp_path, capsys, maf=bad)
    assert "stranger.maf: line 4, column 'Tumor_Sample_Barcode': sample 'Q7' is not in the samplesheet" in err


def test_bad_count(tmp_path, capsys):
    bad = _maf(tmp_path / "count.maf", [("TP53", "P1-M", "Missense_Mutation", {"t_depth": "deep", "t_alt_count": 3})])
    err = _bad(tmp_path, capsys, maf=bad)
    assert "count.maf: line 3, column 't_depth': expected a non-negative number, found 'deep'" in err


def test_bad_external_clinical_without_subtype(tmp_path, capsys):
    ext_maf, ext_list, _ = _external(tmp_path, clinical=False)
    (tmp_path / "noclin.tsv").write_text("sample\tage\nE01\t40\n")
    err = _bad(tmp_path, capsys, "--external-maf", ext_maf, "--external-samples", ext_list,
               "--external-clinical", tmp_path / "noclin.tsv")
    assert "noclin.tsv: line 1, column 'subtype': expected a subtype column" in err
    err = _bad(tmp_path, capsys, "--external-maf", ext_maf, "--external-clinical", tmp_path / "noclin.tsv",
               "--external-subtype-column", "pam50")
    assert "noclin.tsv: line 1, column 'pam50': missing subtype column 'pam50'" in err


def test_bad_external_subtype_value(tmp_path, capsys):
    ext_maf, ext_list, _ = _external(tmp_path, clinical=False)
    (tmp_path / "odd.tsv").write_text("sample\tsubtype\nE01\tHR+/HER2-\nE02\tLuminal C\n")
    err = _bad(tmp_path, capsys, "--external-maf", ext_maf, "--external-clinical", tmp_path / "odd.tsv")
    assert "odd.tsv: line 3, column 'subtype': unrecognised subtype 'Luminal C'" in err


def test_bad_external_list_sharing_no_sample(tmp_path, capsys):
    ext_maf, _, _ = _external(tmp_path, clinical=False)
    (tmp_path / "other.txt").write_text("Z1\nZ2\n")
    err = _bad(tmp_path, capsys, "--external-maf", ext_maf, "--external-samples", tmp_path / "other.txt")
    assert "other.txt: line 1: no sample of the list is in ext.maf (e.g. 'Z1')" in err


def test_bad_clinical_subtype(tmp_path, capsys):
    (tmp_path / "clin.csv").write_text("patient,subtype\nP1,TNBC\nP2,luminal-ish\n")
    err = _bad(tmp_path, capsys, "--clinical", tmp_path / "clin.csv")
    assert "clin.csv: line 3, column 'subtype': unrecognised subtype 'luminal-ish'" in err


def test_bad_options(tmp_path, capsys):
    err = _bad(tmp_path, capsys, "--external-samples", tmp_path / "x.txt")
    assert "--external-samples needs --external-maf" in err
    err = _bad(tmp_path, capsys, "--min-vaf", "5")
    assert "--min-vaf" in err and "expected a fraction in [0, 1]" in err


def test_empty_cohort_maf_gives_headers_and_unmutated_units(tmp_path, capsys):
    sheet, _ = _cohort(tmp_path)
    empty = tmp_path / "empty.maf"
    empty.write_text("#version 2.4\nHugo_Symbol\tTumor_Sample_Barcode\tVariant_Classification\n")  # merge-mafs of no calls
    ext_maf, ext_list, _ = _external(tmp_path, clinical=False)
    out = tmp_path / "out"
    rc, err = _run(capsys, "enrichment", "--maf", empty, "--samplesheet", sheet, "--external-maf", ext_maf,
                   "--external-samples", ext_list, "--min-mutated", "1", "--outdir", out)
    assert rc == 0, err
    assert (out / "paired.tsv").read_text() == "\t".join(E.PAIRED_COLUMNS) + "\n"
    assert (out / "unpaired.tsv").read_text() == "\t".join(E.UNPAIRED_COLUMNS) + "\n"
    ext = _read(out / "external.tsv").set_index("gene")
    assert (ext["met_mutated"] == 0).all() and (ext["met_total"] == 9).all()
    assert ext.loc["LOSS", "ext_mutated"] == 10
