"""Acceptance (issue 3, item 5): metevo's copy-number calls on a simulated cohort match the
planted truth.

One 60-patient cohort (``metevo simulate --seed 17 --patients 60``) is built for the module;
its tumors are called by ``metevo ensemble-calls`` and its germline VCFs by ``metevo
germline``, as the pipeline does. Then, against ``truth/``:

* biallelic inactivation of HR genes (``metevo.cn.loh``) on the MAFs, the allele-specific
  segments and the germline tables;
* clonal/subclonal calls (``metevo.clonality``) on the MAFs, segments and samplesheet purity,
  for planted mutations at depth >= 50;
* tracked-region status and frequency (``metevo tracked-regions``): the planted
  metastasis-enriched regions come out significant (q <= 0.1), ERBB2 (truncal in HER2+
  patients) does not.

Accuracies are printed (pytest -s) and held to floors.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metevo.cli import main
from metevo.io.samplesheet import read_samplesheet
from metevo.variants import vcf_to_maf

CALLERS = ("mutect2", "strelka2", "varscan2")
HR_GENES = ["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2"]
ENRICHED = ("1q21.3", "PTK6", "PAQR8", "STK11", "CDKN2A")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("acceptance") / "cohort"
    assert main(["simulate", "--outdir", str(out), "--seed", "17", "--patients", "60"]) == 0
    return out


@pytest.fixture(scope="module")
def sheet(cohort):
    return read_samplesheet(cohort / "samplesheet_segments.csv")


def _truth(cohort: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(cohort / "truth" / f"{name}.tsv", sep="\t", dtype={"chrom": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def mafs(cohort, sheet, tmp_path_factory) -> dict[str, pd.DataFrame]:
    """sample -> its consensus MAF (>= 2 callers), as ensemble-calls writes it."""
    folder = tmp_path_factory.mktemp("mafs")
    out = {}
    for _, row in sheet.table[sheet.table["vcf_mutect2"] != ""].iterrows():
        path = folder / f"{row['sample']}.maf"
        argv = ["ensemble-calls", "--sample", row["sample"], "--out", str(path)]
        for caller in CALLERS:
            argv += [arg for p in sheet.paths(row, f"vcf_{caller}") for arg in ("--vcf", f"{caller}={p}")]
        assert main(argv) == 0
        out[row["sample"]] = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    return out


@pytest.fixture(scope="module")
def segments(cohort, sheet) -> pd.DataFrame:
    from metevo.io.segments import read_segments

    frames = [read_segments(p) for _, row in sheet.table.iterrows() for p in sheet.paths(row, "segments")]
    return pd.concat(frames, ignore_index=True)


def test_biallelic_hr_loss_matches_the_planted_truth(cohort, sheet, mafs, segments, tmp_path):
    from metevo.cn.loh import biallelic_inactivation, gene_copy_state
    from metevo.cn.reference import genes

    truth = _truth(cohort, "biallelic")
    states = gene_copy_state(segments, genes("hg38"), genes=HR_GENES)
    called = []
    table = sheet.table
    for patient, rows in table.groupby("patient", sort=False):
        normal = rows[rows["sample_type"] == "normal"].iloc[0]
        germline_out = tmp_path / f"{patient}.germline.tsv"
        assert main(["germline", "--patient", patient, "--vcf", sheet.paths(normal, "germline_vcf")[0],
                     "--out", str(germline_out)]) == 0
        germline = pd.read_csv(germline_out, sep="\t", dtype=str, keep_default_na=False)
        tumors = [s for s in rows["sample"] if s in mafs]
        maf = pd.concat([mafs[s] for s in tumors], ignore_index=True)
        called.append(biallelic_inactivation(patient=patient, samples=tumors, maf=maf, gene_states=states,
                                             germline=germline, genes=HR_GENES))
    called = pd.concat(called, ignore_index=True)
    merged = truth.merge(called, on=["sample", "gene"], how="inner")
    assert len(merged) == len(truth) == 5 * len(mafs)
    planted = merged["biallelic"] == "yes"
    found = merged["status"] == "biallelic"
    accuracy = float((planted == found).mean())
    sensitivity = float(found[planted].mean())
    print(f"\nbiallelic HR-gene loss: {len(merged)} sample x gene, {int(planted.sum())} planted biallelic; "
          f"accuracy {accuracy:.3f}, sensitivity {sensitivity:.3f}, precision {float(planted[found].mean()):.3f}")
    print(merged.loc[planted != found, ["sample", "gene", "mechanism_x", "status", "mechanism_y"]].to_string())
    assert planted.sum() >= 5
    # a planted frameshift missed by two of the three callers (indels) is a missed biallelic call
    assert accuracy >= 0.98 and sensitivity >= 0.75
    # the planted LOH and homozygous deletions are what the segments show
    assert ((merged["loh_x"] == "yes") == merged["loh_y"].astype(bool)).mean() >= 0.98


def test_clonal_and_subclonal_calls_match_the_planted_truth(cohort, sheet, mafs, segments):
    from metevo.clonality import annotate_clonality

    truth = _truth(cohort, "somatic")
    purity = dict(zip(sheet.table["sample"], sheet.table["purity"]))
    rows = []
    for sample, maf in mafs.items():
        t = truth[truth["sample"] == sample]
        keys = {}
        for r in t.itertuples():
            start, _, ref, alt, _ = vcf_to_maf(r.pos, r.ref, r.alt)
            keys[(r.chrom, str(start), ref, alt)] = r.clonal
        maf = maf.assign(_clonal=[keys.get(k) for k in zip(maf["Chromosome"], maf["Start_Position"],
                                                              maf["Reference_Allele"], maf["Tumor_Seq_Allele2"])])
        maf = maf[maf["_clonal"].notna()]
        seg = segments[segments["sample"] == sample]
        out = annotate_clonality(maf, seg, purity=float(purity[sample]))
        rows.append(out.loc[:, ["Tumor_Sample_Barcode", "t_depth", "clonality", "_clonal"]])
    calls = pd.concat(rows, ignore_index=True)
    deep = calls[calls["t_depth"].astype(int) >= 50]
    agree = (deep["clonality"] == "clonal") == (deep["_clonal"] == "yes")
    accuracy = float(agree.mean())
    print(f"\nclonality: {len(deep)} planted mutations called at depth >= 50; accuracy {accuracy:.3f} "
          f"(clonal {float(agree[deep['_clonal'] == 'yes'].mean()):.3f}, "
          f"subclonal {float(agree[deep['_clonal'] == 'no'].mean()):.3f})")
    assert len(deep) > 3000 and accuracy >= 0.9


@pytest.fixture(scope="module")
def regions_out(cohort, sheet, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("regions")
    args = [a for _, row in sheet.table.iterrows() for p in sheet.paths(row, "segments") for a in ("--segments", p)]
    assert main(["tracked-regions", "--samplesheet", str(cohort / "samplesheet_segments.csv"), *args, "--genome", "hg38",
                 "--outdir", str(out)]) == 0
    return out


def test_tracked_region_status_matches_the_planted_truth(cohort, regions_out):
    truth = _truth(cohort, "regions")
    status = pd.read_csv(regions_out / "region_status.tsv", sep="\t", keep_default_na=False)
    merged = truth.merge(status, on=["sample", "region"], suffixes=("_truth", ""))
    tumors = merged[merged["sample_type"] != "cfdna"]
    assert len(tumors) == len(truth[~truth["sample"].str.contains("-C")])
    accuracy = float((tumors["status"] == tumors["status_truth"]).mean())
    print(f"\ntracked regions: {len(tumors)} tumor x region statuses, accuracy {accuracy:.3f}")
    assert accuracy >= 0.95
    # every planted focal event is called at its level
    planted = tumors[tumors["planted_event"] != ""]
    assert (planted["status"] == planted["status_truth"]).mean() >= 0.95


def test_metastasis_enriched_regions_come_out_significant(cohort, regions_out):
    freq = pd.read_csv(regions_out / "region_frequency.tsv", sep="\t", keep_default_na=False).set_index("region")
    print("\n" + freq[["n_primary", "freq_primary", "n_later", "freq_later", "odds_ratio", "fisher_p", "fisher_q"]].to_string())
    for region in ENRICHED:
        assert freq.loc[region, "fisher_q"] <= 0.1 and freq.loc[region, "odds_ratio"] > 1, region
        assert freq.loc[region, "freq_later"] > freq.loc[region, "freq_primary"], region
    assert freq.loc["ERBB2", "fisher_q"] > 0.1
    assert freq.loc["1q21.3", "freq_later"] >= 0.5


def test_cfdna_before_relapse_carries_the_1q21_amplification_of_the_relapse(cohort):
    cfdna, regions = _truth(cohort, "cfdna"), _truth(cohort, "regions")
    before = cfdna[cfdna["timepoint"] == "before"]
    amp = regions[(regions["region"] == "1q21.3") & (regions["status"] == "amplification")]["sample"]
    assert before["sample"].isin(amp).sum() >= 3
    assert cfdna["tumor_fraction"].between(0.03, 0.5).all()
    assert (before["tumor_fraction"] <= 0.12).all() and (cfdna.loc[cfdna["timepoint"] == "at", "tumor_fraction"] >= 0.12).all()
    # a plasma sample carries its lineage's planted profile
    lineage = dict(zip(cfdna["sample"], cfdna["lineage"]))
    by_sample = regions.set_index(["sample", "region"])["status"]
    for sample, tumor in lineage.items():
        for region in ENRICHED:
            assert by_sample[(sample, region)] == by_sample[(tumor, region)]


def test_cfdna_tumor_fraction_and_1q21_before_relapse_through_metevo_cfdna(cohort, sheet, tmp_path):
    # metevo cfdna (ichorCNA) on plasma WIGs: planted tumor fractions recovered, and the
    # 1q21.3 amplification of the coming relapse seen in plasma taken before it
    cfdna, regions = _truth(cohort, "cfdna"), _truth(cohort, "regions")
    amp = set(regions[(regions["region"] == "1q21.3") & (regions["status"] == "amplification")]["sample"])
    before = cfdna[(cfdna["timepoint"] == "before") & cfdna["sample"].isin(amp)].head(5)
    at = cfdna[cfdna["timepoint"] == "at"].head(3)
    chosen = pd.concat([before, at])
    assert len(before) >= 3
    table = sheet.table.set_index("sample")
    args = []
    for sample in chosen["sample"]:
        prefix = tmp_path / sample
        assert main(["cfdna", "--wig", sheet.paths(table.loc[sample].rename(None), "wig")[0],
                     "--gc", str(cohort / "cfdna" / "gc_1000kb.wig"), "--map", str(cohort / "cfdna" / "map_1000kb.wig"),
                     "--pon", str(cohort / "cfdna" / "pon_1000kb.tsv"), "--genome", "hg38", "--sample", sample,
                     "--out-prefix", str(prefix)]) == 0
        args += ["--segments", f"{prefix}.segments.tsv", "--cfdna-params", f"{prefix}.params.tsv"]
    out = tmp_path / "regions"
    assert main(["tracked-regions", "--samplesheet", str(cohort / "samplesheet_segments.csv"), *args, "--genome", "hg38",
                 "--outdir", str(out)]) == 0
    timeline = pd.read_csv(out / "cfdna_timeline.tsv", sep="\t", keep_default_na=False)
    timeline = timeline[timeline["region"] == "1q21.3"].merge(chosen, on="sample", suffixes=("", "_truth"))
    error = (timeline["tumor_fraction"].astype(float) - timeline["tumor_fraction_truth"]).abs()
    seen = timeline.loc[timeline["timepoint_truth"] == "before", "status"].isin(["gain", "amplification"])
    print("\ncfDNA:\n" + timeline[["sample", "timepoint", "tumor_fraction_truth", "tumor_fraction", "status"]].to_string())
    assert (timeline["timepoint"] == timeline["timepoint_truth"]).all()
    # ichorCNA's estimates follow the planted fractions (doubled genomes are the hardest)
    rho = timeline["tumor_fraction"].astype(float).rank().corr(timeline["tumor_fraction_truth"].rank())
    assert rho >= 0.7 and error.median() <= 0.05
    assert seen.sum() >= 1


def test_copy_number_r2_is_higher_within_patients_and_metastases_carry_more_cnas(sheet, segments):
    from metevo.cn.concordance import cn_burden_tests, cna_burden, lst_per_sample, pair_cn_r2, paired_cn_burden
    from metevo.stats.wilcoxon import rank_sum_test

    table = sheet.table[sheet.table["segments"] != ""]
    primaries = table[table["sample_type"] == "primary"]
    later = table[table["sample_type"].isin(["metastasis", "recurrence"])]
    pairs = pd.DataFrame([(p.sample, m.sample, p.patient == m.patient) for p in primaries.itertuples()
                          for m in later.itertuples()], columns=["sample_a", "sample_b", "same_patient"])
    r2 = pair_cn_r2(pairs, segments).assign(same_patient=pairs["same_patient"].to_numpy())
    within, unrelated = r2.loc[r2["same_patient"], "cn_r2"], r2.loc[~r2["same_patient"], "cn_r2"]
    print(f"\ncopy-number R^2: primary-metastasis pairs median {within.median():.2f} ({len(within)}), "
          f"unrelated median {unrelated.median():.2f} ({len(unrelated)})")
    assert within.median() > 0.5 > unrelated.median()
    assert rank_sum_test(within.dropna().to_numpy(), unrelated.dropna().to_numpy(), alternative="greater").p_value < 1e-10
    # metastases acquire more copy-number changes than their primaries (planted 3 vs 1.2 private events)
    burden = cna_burden(segments, sheet.table, lst=lst_per_sample(segments, "hg38"))
    tests = cn_burden_tests(paired_cn_burden(burden)).set_index("comparison")
    print(tests[["statistic", "p_value", "q_value", "n_x"]].to_string())
    assert tests.filter(like="copy-number alterations", axis=0)["p_value"].iloc[0] < 0.01
    assert tests.filter(like="fraction of genome", axis=0)["p_value"].iloc[0] < 0.05
