"""Tracked copy-number regions (metevo.cn.regions, metevo tracked-regions) on hand-made segments.

Every expectation is worked out by hand from the planted segments (or is R's output, quoted),
not read back from metevo's own output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.cn import regions as cr
from metevo.errors import InputError

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "reference"


def _segments(rows, **defaults) -> pd.DataFrame:
    """Segments table from (sample, chrom, start, end, total_cn[, log2[, call]]) tuples."""
    records = []
    for r in rows:
        sample, chrom, start, end, total = r[:5]
        log2 = r[5] if len(r) > 5 else np.nan
        call = r[6] if len(r) > 6 else ""
        records.append({"sample": sample, "chrom": chrom, "start": start, "end": end, "n_bins": pd.NA, "log2": log2,
                        "total_cn": total, "major_cn": pd.NA, "minor_cn": pd.NA,
                        "ploidy": defaults.get("ploidy", np.nan), "call": call})
    frame = pd.DataFrame(records)
    for column in ("total_cn", "major_cn", "minor_cn", "n_bins"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _genome(sample, events, *, baseline=2):
    """A sample's segments: chromosomes 1-22 at ``baseline`` copies (100 Mb each, for the
    test), with ``events`` (chrom, start, end, total) cut in."""
    rows = []
    for chrom in [str(i) for i in range(1, 23)]:
        mine = sorted(e for e in events if e[0] == chrom)
        pos = 1
        for _, start, end, total in mine:
            if start > pos:
                rows.append((sample, chrom, pos, start - 1, baseline))
            rows.append((sample, chrom, start, end, total))
            pos = end + 1
        if pos <= 100_000_000:
            rows.append((sample, chrom, pos, 100_000_000, baseline))
    return rows


REGIONS = pd.DataFrame({
    "region": ["AMP", "DEL", "LOSS"], "cytoband": ["", "", ""], "gene": ["", "", ""],
    "alteration": ["amplification", "deletion", "loss"], "genome": ["hg38"] * 3, "chrom": ["1", "9", "6"],
    "start": [10_000_001, 21_000_001, 50_000_001], "end": [12_000_000, 21_100_000, 51_000_000],
})


# ------------------------------------------------------------------ region list


def test_default_regions_are_placed_on_both_builds_by_gene_or_band():
    hg38, hg19 = cr.default_regions("hg38").set_index("region"), cr.default_regions("hg19").set_index("region")
    assert list(hg38.index) == ["1q21.3", "PTK6", "PAQR8", "STK11", "CDKN2A", "ERBB2", "MYC", "CCND1"]
    # UCSC hg38 1q21.3 is chr1:150,600,000-155,100,000 (0-based), GENCODE ERBB2 chr17:39,687,914-39,730,426
    assert tuple(hg38.loc["1q21.3", ["chrom", "start", "end"]]) == ("1", 150_600_001, 155_100_000)
    assert tuple(hg38.loc["ERBB2", ["chrom", "start", "end"]]) == ("17", 39_687_914, 39_730_426)
    assert tuple(hg19.loc["ERBB2", ["chrom", "start", "end"]]) == ("17", 37_844_167, 37_886_679)
    assert tuple(hg38.loc["CDKN2A", ["chrom", "start"]]) == ("9", 21_967_752)
    assert set(hg38["alteration"]) == {"amplification", "gain", "loss", "deletion"}


@pytest.mark.skipif(not (SHARED / "hg38" / "genes.tsv.gz").exists(), reason="shared reference data not available")
def test_default_regions_agree_with_the_shared_reference_tables():
    genes = pd.read_csv(SHARED / "hg38" / "genes.tsv.gz", sep="\t", dtype=str)
    for r in cr.default_regions("hg38").itertuples():
        if r.gene:
            hit = genes[(genes["gene_name"] == r.gene) & (genes["gene_type"] == "protein_coding")]
            assert (hit["chrom"].iloc[0], int(hit["start"].iloc[0]), int(hit["end"].iloc[0])) == (f"chr{r.chrom}", r.start, r.end)


def test_a_user_region_list_by_coordinates_band_or_gene(tmp_path):
    path = tmp_path / "regions.tsv"
    path.write_text("# my regions\nregion\tcytoband\tgene\talteration\tgenome\tchrom\tstart\tend\n"
                    "amp17\t\t\tamplification\thg38\tchr17\t39000000\t40000000\n"
                    "amp17\t\t\tamplification\thg19\t17\t37000000\t38000000\n"
                    "band\t8q24.21\t\tgain\t\t\t\t\n"
                    "gene\t\tMYC\tgain\t\t\t\t\n")
    table = cr.read_regions(path, "hg19").set_index("region")
    assert tuple(table.loc["amp17", ["chrom", "start", "end"]]) == ("17", 37_000_000, 38_000_000)
    assert cr.read_regions(path, "hg38").set_index("region").loc["amp17", "start"] == 39_000_000
    assert table.loc["band", "chrom"] == "8" and table.loc["gene", "start"] == 128_747_680


@pytest.mark.parametrize("body, line, column", [
    ("r\t\t\tgrowth\t\t\t\t\n", 2, "alteration"),
    ("r\t\t\tgain\thg37\t1\t1\t2\n", 2, "genome"),
    ("r\t\t\tgain\t\t1\t\t5\n", 2, "start"),
    ("r\t\t\tgain\t\t1\t9\t5\n", 2, "end"),
    ("r\t\tNOTAGENE\tgain\t\t\t\t\n", 2, "gene"),
    ("r\t25q1\t\tgain\t\t\t\t\n", 2, "cytoband"),
    ("r\t\t\tgain\t\t1\t1\t5\nr\t\t\tgain\t\t1\t1\t5\n", 3, "region"),
])
def test_bad_region_lists_name_the_line_and_column(tmp_path, body, line, column):
    path = tmp_path / "regions.tsv"
    path.write_text("region\tcytoband\tgene\talteration\tgenome\tchrom\tstart\tend\n" + body)
    with pytest.raises(InputError) as err:
        cr.read_regions(path, "hg38")
    assert err.value.line == line and err.value.column == column and str(path) in str(err.value)


# ------------------------------------------------------------------ statuses


def test_status_from_integer_copy_number_is_relative_to_the_modal_copy_number():
    # diploid: 0 deletion, 1 loss, 2 neutral, 3-4 gain, 5+ amplification (contracts)
    assert list(cr.status_from_total_cn([0, 1, 2, 3, 4, 5, 9], 2)) == \
        ["deletion", "loss", "neutral", "gain", "gain", "amplification", "amplification"]
    # tetraploid: 3 is a loss, 7 the first amplification
    assert list(cr.status_from_total_cn([2, 3, 4, 6, 7], 4)) == ["loss", "loss", "neutral", "gain", "amplification"]
    seg = _segments(_genome("A", [("1", 1, 30_000_000, 3)]) + _genome("B", [("2", 1, 10_000_000, 2)], baseline=4))
    assert cr.modal_copy_number(seg).to_dict() == {"A": 2.0, "B": 4.0}


def test_log2_cutoffs_lie_halfway_between_the_expected_levels():
    # QDNAseq's defaults without purity
    assert cr.log2_cutoffs() == (-2.0, -0.415, 0.322, 2.322)
    # a pure diploid sample: levels c = 0.5, 1.5, 2.5, 4.5 -> log2(c / 2)
    assert np.allclose(cr.log2_cutoffs(1.0, 2.0), np.log2([0.25, 0.75, 1.25, 2.25]))
    # purity 0.5, ploidy 2: log2((0.5 c + 1) / 2)
    assert np.allclose(cr.log2_cutoffs(0.5, 2.0), np.log2((0.5 * np.array([0.5, 1.5, 2.5, 4.5]) + 1) / 2))
    assert list(cr.status_from_log2([-3, -0.5, 0.0, 0.5, 2.5, np.nan])) == \
        ["deletion", "loss", "neutral", "gain", "amplification", ""]


def test_region_status_takes_the_status_covering_most_of_the_region():
    samples = pd.DataFrame({"patient": ["P1"], "sample": ["A"], "sample_type": ["primary"], "collection_time": [0],
                            "purity": [1.0], "ploidy": [2.0]})
    # AMP (chr1:10-12 Mb): 1.5 Mb at 6 copies, 0.5 Mb at 2 -> amplification, mean log2 weighted 3:1
    seg = _segments(_genome("A", [("1", 10_500_001, 12_500_000, 6), ("9", 21_050_001, 21_060_000, 0)]))
    status = cr.region_status(seg, REGIONS, samples).set_index("region")
    assert status.loc["AMP", "status"] == "amplification" and status.loc["AMP", "source"] == "total_cn"
    assert status.loc["AMP", "log2"] == pytest.approx(0.75 * np.log2(6 / 2) + 0.25 * 0.0)
    assert status.loc["AMP", "n_segments"] == 2 and status.loc["AMP", "covered_fraction"] == 1.0
    # a 10 kb homozygous deletion inside a 100 kb region: the region is mostly neutral
    assert status.loc["DEL", "status"] == "neutral"
    assert status.loc["LOSS", "status"] == "neutral" and status.loc["LOSS", "baseline_cn"] == 2


def test_copy_numbers_come_first_then_calls_then_log2():
    samples = pd.DataFrame({"patient": ["P1"] * 4, "sample": ["C", "N", "L", "W"], "sample_type": ["primary"] * 4,
                            "collection_time": [0] * 4})
    rows = [("C", "6", 1, 100_000_000, pd.NA, np.nan, "loss"),  # the caller's call, without integer copy number
            ("N", "6", 1, 100_000_000, 1, 0.4, "neutral"),  # integer copy number before the call and log2
            ("L", "6", 1, 100_000_000, pd.NA, -0.6, "")]  # log2 alone: QDNAseq cutoffs
    rows += [r for r in _genome("N", []) if r[1] != "6"]  # N's modal copy number is 2
    # a doubled genome: 4 copies are its baseline, whatever a caller relative to 2 copies says
    rows += [r + (np.nan, "gain") for r in _genome("W", [("6", 50_000_001, 51_000_000, 3)], baseline=4)]
    status = cr.region_status(_segments(rows), REGIONS, samples)
    got = status[status["region"] == "LOSS"].set_index("sample")
    assert got.loc["C", "status"] == "loss" and got.loc["C", "source"] == "call"
    assert got.loc["N", "status"] == "loss" and got.loc["N", "source"] == "total_cn"
    assert got.loc["L", "status"] == "loss" and got.loc["L", "source"] == "log2"
    assert got.loc["W", "status"] == "loss" and got.loc["W", "baseline_cn"] == 4
    assert got.loc["N", "log2"] == pytest.approx(0.4)  # the segment's own log2 is reported
    amp = status[status["region"] == "AMP"].set_index("sample")["status"]
    assert amp["C"] == "" and amp["L"] == "" and amp["N"] == "neutral" and amp["W"] == "neutral"


# ------------------------------------------------------------------ frequency tests


@pytest.mark.parametrize("table, p, odds, low, high", [
    # R 4.2.2: fisher.test(matrix(c(a, b, c, d), 2)) -> p.value, estimate, conf.int
    ([[3, 1], [1, 3]], 0.485714285714, 6.408308867, 0.2117329153, 621.9337505),
    ([[40, 28], [3, 47]], 7.08869366043e-10, 21.7942599, 6.081706608, 119.7619575),
    ([[0, 3], [5, 4]], 0.204545454545, 0.0, 0.0, 3.181956188),
    ([[12, 2], [1, 9]], 0.000515995872033, 40.62337924, 3.265394936, 2496.977468),
    ([[7, 8], [9, 2]], 0.109247543411, 0.2075190513, 0.0164050842, 1.5249626),
])
def test_fisher_exact_matches_r(table, p, odds, low, high):
    got = cr.fisher_exact(np.array(table))
    assert got[0] == pytest.approx(p, rel=1e-9)
    # R finds the conditional MLE and the interval with uniroot (tolerance ~1e-4 relative)
    assert got[1] == pytest.approx(odds, rel=2e-3, abs=1e-9)
    assert got[2] == pytest.approx(low, rel=2e-3, abs=1e-9)
    # R's upper limit for [[12, 2], [1, 9]] is 2496.98; the exact root is 2552.93 (brentq on
    # scipy's noncentral hypergeometric to 1e-10): R's uniroot stops early out there
    assert got[3] == pytest.approx(high, rel=3e-2)


def _cohort(n_patients, later_amp, primary_amp):
    """Patients with one primary and one metastasis; the first ``later_amp`` metastases and
    the first ``primary_amp`` primaries carry a 6-copy AMP; every metastasis a 9p21 deletion
    when its index is even."""
    rows, samples = [], []
    for i in range(n_patients):
        for kind, amp in (("primary", i < primary_amp), ("metastasis", i < later_amp)):
            name = f"P{i}-{kind[0].upper()}"
            events = [("1", 10_000_001, 12_000_000, 6)] if amp else []
            if kind == "metastasis" and i % 2 == 0:
                events.append(("9", 20_000_001, 22_000_000, 0))
            rows += _genome(name, events)
            samples.append({"patient": f"P{i}", "sample": name, "sample_type": kind, "collection_time": 0 if kind == "primary" else 400})
    return _segments(rows), pd.DataFrame(samples)


def test_frequencies_and_tests_count_tumors_and_match_r():
    seg, samples = _cohort(20, later_amp=14, primary_amp=2)
    status = cr.region_status(seg, REGIONS, samples)
    freq = cr.region_frequency(status, REGIONS, samples).set_index("region")
    amp = freq.loc["AMP"]
    assert (amp["n_primary"], amp["n_primary_altered"], amp["n_later"], amp["n_later_altered"]) == (20, 2, 20, 14)
    assert amp["freq_later"] == pytest.approx(0.7) and amp["later_amplification"] == 14 and amp["later_neutral"] == 6
    # R: fisher.test(matrix(c(14, 2, 6, 18), 2)) p = 6.97e-05 (computed below from the same table)
    p, odds, _, _ = cr.fisher_exact(np.array([[14, 6], [2, 18]]))
    assert amp["fisher_p"] == pytest.approx(p) and amp["odds_ratio"] == pytest.approx(odds) and odds > 1
    assert amp["fisher_p"] < 1e-3
    deletion = freq.loc["DEL"]
    assert deletion["n_later_altered"] == 10 and deletion["n_primary_altered"] == 0
    # the chi-square of loss/neutral/gain: AMP is 2 x 2 (neutral, gain), DEL 2 x 2 (loss, neutral)
    assert amp["chisq_df"] == 1 and deletion["chisq_df"] == 1
    loss = freq.loc["LOSS"]  # nobody altered: Fisher p = 1, chi-square not computable
    assert loss["fisher_p"] == 1.0 and np.isnan(loss["chisq_p"]) and "same loss/neutral/gain" in loss["note"]
    # BH over the three regions (R p.adjust(p, "BH"))
    ranked = np.sort(freq["fisher_p"].to_numpy())
    expected = np.minimum.accumulate((ranked * 3 / np.arange(1, 4))[::-1])[::-1]
    assert np.allclose(np.sort(freq["fisher_q"].to_numpy()), expected)


def test_chi_square_matches_r_without_continuity_correction():
    # 2 x 3 table later (1, 10, 57) vs primary (1, 19, 30): R chisq.test(..., correct = FALSE)
    # gives X-squared = 8.627403651116, p = 0.013383912867
    rows, samples = [], []
    counts = {"metastasis": (1, 10, 57), "primary": (1, 19, 30)}
    for kind, (lo, mid, hi) in counts.items():
        for k, total in enumerate([1] * lo + [2] * mid + [3] * hi):
            name = f"{kind}{k}"
            rows += _genome(name, [("6", 50_000_001, 51_000_000, total)])
            samples.append({"patient": name, "sample": name, "sample_type": kind, "collection_time": 0})
    samples = pd.DataFrame(samples)
    status = cr.region_status(_segments(rows), REGIONS, samples)
    loss = cr.region_frequency(status, REGIONS, samples).set_index("region").loc["LOSS"]
    assert loss["chisq_statistic"] == pytest.approx(8.627403651116, rel=1e-9)
    assert loss["chisq_p"] == pytest.approx(0.013383912867, rel=1e-9) and loss["chisq_df"] == 2
    assert "expected counts below 5" in loss["note"]


def test_replicates_and_regions_of_one_tumor_count_once():
    seg, samples = _cohort(4, later_amp=1, primary_amp=0)
    # P0's primary sequenced twice (replicates) and as a second region: still one primary tumor
    extra = _genome("P0-P2", []) + _genome("P0-P3", [("1", 10_000_001, 12_000_000, 6)])
    seg = pd.concat([seg, _segments(extra)], ignore_index=True)
    samples = pd.concat([samples, pd.DataFrame([
        {"patient": "P0", "sample": "P0-P2", "sample_type": "primary", "collection_time": 0},
        {"patient": "P0", "sample": "P0-P3", "sample_type": "primary", "collection_time": 0}])], ignore_index=True)
    samples["replicate_group"] = np.where(samples["sample"].isin(["P0-P", "P0-P2", "P0-P3"]), "P0-P", "")
    status = cr.region_status(seg, REGIONS, samples)
    freq = cr.region_frequency(status, REGIONS, samples).set_index("region")
    # three samples of one tumor, one amplified: the majority (neutral) is the tumor's status
    assert freq.loc["AMP", "n_primary"] == 4 and freq.loc["AMP", "n_primary_altered"] == 0


def test_cfdna_timeline_orders_by_time_around_relapse():
    seg, samples = _cohort(2, later_amp=2, primary_amp=0)
    plasma = [("P0-C2", 420, 0.3), ("P0-C1", 100, 0.05), ("P1-C1", 900, np.nan)]
    for name, time, _ in plasma:
        seg = pd.concat([seg, _segments(_genome(name, [("1", 10_000_001, 12_000_000, 6)]))], ignore_index=True)
    samples = pd.concat([samples, pd.DataFrame([{"patient": n[:2], "sample": n, "sample_type": "cfdna",
                                                 "collection_time": t} for n, t, _ in plasma])], ignore_index=True)
    params = pd.DataFrame({"sample": ["P0-C1", "P0-C2"], "tumor_fraction": [0.05, 0.3], "ploidy": [2.0, 2.1]})
    status = cr.region_status(seg, REGIONS, samples, params)
    timeline = cr.cfdna_timeline(status, samples, params)
    first = timeline.drop_duplicates("sample")
    assert list(first["sample"]) == ["P0-C1", "P0-C2", "P1-C1"]
    assert list(first["timepoint"]) == ["before", "at", "after"] and list(first["days_from_relapse"]) == [-300, 20, 500]
    assert first["tumor_fraction"].iloc[0] == 0.05 and np.isnan(first["tumor_fraction"].iloc[2])
    amp = timeline[timeline["region"] == "AMP"]
    assert (amp["status"] == "amplification").all() and len(timeline) == 3 * len(REGIONS)


# ------------------------------------------------------------------ the command


def _write_segments(frame: pd.DataFrame, folder: Path) -> list[str]:
    """One scarHRD-format file per sample (total copy number only; minor unknown is allowed)."""
    args = []
    for sample, g in frame.groupby("sample", sort=False):
        path = folder / f"{sample}.segments.tsv"
        lines = ["SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy"]
        for r in g.itertuples():
            lines.append(f"{sample}\tchr{r.chrom}\t{r.start}\t{r.end}\t{r.total_cn}\t{r.total_cn}\t0\t2")
        path.write_text("\n".join(lines) + "\n")
        args += ["--segments", str(path)]
    return args


def test_the_command_writes_three_tables(tmp_path):
    seg, samples = _cohort(6, later_amp=5, primary_amp=0)
    sheet = tmp_path / "samplesheet.csv"
    samples.to_csv(sheet, index=False)
    regions = tmp_path / "regions.tsv"
    REGIONS.drop(columns="genome").to_csv(regions, sep="\t", index=False)
    args = _write_segments(seg, tmp_path)
    out = tmp_path / "out"
    assert main(["tracked-regions", "--samplesheet", str(sheet), *args, "--regions", str(regions), "--genome", "hg38",
                 "--outdir", str(out)]) == 0
    freq = pd.read_csv(out / "region_frequency.tsv", sep="\t").set_index("region")
    assert freq.loc["AMP", "n_later_altered"] == 5 and freq.loc["AMP", "n_primary_altered"] == 0
    status = pd.read_csv(out / "region_status.tsv", sep="\t")
    assert len(status) == 12 * 3 and (out / "cfdna_timeline.tsv").exists()
    # the default regions too (no --regions)
    assert main(["tracked-regions", "--samplesheet", str(sheet), *args, "--genome", "hg38", "--outdir", str(tmp_path / "d")]) == 0
    assert set(pd.read_csv(tmp_path / "d" / "region_frequency.tsv", sep="\t")["region"]) >= {"1q21.3", "CDKN2A"}


def test_a_sample_missing_from_the_samplesheet_is_one_line_and_writes_nothing(tmp_path, capsys):
    seg, samples = _cohort(2, later_amp=1, primary_amp=0)
    sheet = tmp_path / "samplesheet.csv"
    samples[samples["sample"] != "P1-M"].to_csv(sheet, index=False)
    args = _write_segments(seg, tmp_path)
    out = tmp_path / "out"
    assert main(["tracked-regions", "--samplesheet", str(sheet), *args, "--genome", "hg38", "--outdir", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "P1-M.segments.tsv" in err[0] and "line 2" in err[0] and "not in the samplesheet" in err[0]
    assert not out.exists()
