"""metevo simulate, copy number: segments, sWGS bins, cfDNA WIGs and the truth tables.

Read through metevo's own readers (io.segments, io.bins, io.wig) as the pipeline reads them,
and checked against the planted truth (truth/cn_segments.tsv, regions.tsv, cfdna.tsv, hrd.tsv,
biallelic.tsv) and the planted model's rules (docs/simulator.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.io.samplesheet import read_samplesheet
from metevo.simulate.copynumber import REGION_EVENTS, CopyNumberModel, apply_event
from metevo.simulate.model import CloneNode, CNEvent


def _truth(cohort: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(cohort / "truth" / f"{name}.tsv", sep="\t", dtype={"chrom": str}, keep_default_na=False)


@pytest.fixture(scope="module")
def sheet(small_cohort):
    return read_samplesheet(small_cohort / "samplesheet_segments.csv")


@pytest.fixture(scope="module")
def planted(small_cohort):
    return _truth(small_cohort, "cn_segments")


def _state_at(truth: pd.DataFrame, sample: str, chrom: str, pos: int) -> pd.Series:
    seg = truth[(truth["sample"] == sample) & (truth["chrom"] == chrom) & (truth["start"] <= pos) & (truth["end"] >= pos)]
    assert len(seg) == 1
    return seg.iloc[0]


# ------------------------------------------------------------------ the model's rules


def test_multiplicity_follows_the_order_of_mutation_and_copy_number_events():
    trunk = CloneNode("trunk", {"A": 1.0}, 10)
    gain = CNEvent("trunk", 0.5, "1", 100, 200, "gain", 0, 1, "1q gain", "trunk")
    wgd = CNEvent("trunk", 0.8, "", 0, 0, "wgd", 0, 0, "WGD", "trunk")
    model = CopyNumberModel([trunk], [gain, wgd])
    # before the gain on allele 0: on both copies, then doubled (4 of 6 copies)
    assert model.state("A", "1", 150, "trunk", 0.2, 0) == (4, 2, 4)
    # after the gain: one copy, doubled by the WGD
    assert model.state("A", "1", 150, "trunk", 0.6, 0) == (4, 2, 2)
    # on the other allele: never gained
    assert model.state("A", "1", 150, "trunk", 0.2, 1) == (4, 2, 2)
    # after the WGD: one copy
    assert model.state("A", "1", 150, "trunk", 0.9, 0) == (4, 2, 1)
    # copy-neutral LOH keeps the retained allele's mutation (doubled) and loses the other's
    cnloh = CNEvent("trunk", 0.5, "2", 1, 10, "cnloh", 1, 1, "LOH", "trunk")
    model = CopyNumberModel([trunk], [cnloh])
    assert model.state("A", "2", 5, "trunk", 0.1, 1) == (0, 2, 2)
    assert model.viable_alleles(trunk, 0.1, "2", 5) == [1]
    assert model.viable_alleles(trunk, 0.9, "2", 5) == [1]  # after the LOH only allele 1 is left
    c = [0, 1]
    assert apply_event(c, 1, 1, CNEvent("t", 0, "2", 1, 10, "loss", 1, 1, "x", "trunk")) == 1 and c == [0, 1]


def test_events_at_the_same_time_keep_their_order():
    # two events of one clone at the same time (a 200-patient cohort, seed 9, has them): they
    # apply in the order given, and building the model does not compare the events themselves
    trunk = CloneNode("trunk", {"A": 1.0}, 10)
    gain = CNEvent("trunk", 0.5, "1", 100, 200, "gain", 0, 1, "1q gain", "trunk")
    loss = CNEvent("trunk", 0.5, "1", 100, 200, "loss", 0, 1, "1q loss", "trunk")
    assert [e.kind for _, e in CopyNumberModel([trunk], [gain, loss]).lineage["A"]] == ["gain", "loss"]
    assert [e.kind for _, e in CopyNumberModel([trunk], [loss, gain]).lineage["A"]] == ["loss", "gain"]


def test_segments_files_are_the_planted_states_as_a_caller_reports_them(small_cohort, sheet, planted):
    from metevo.io.segments import read_segments

    tumors = sheet.table[sheet.table["segments"] != ""]
    assert len(tumors) == (~sheet.table["sample_type"].isin(["normal", "cfdna"])).sum()
    for _, row in tumors.iterrows():
        seg = read_segments(sheet.paths(row, "segments")[0])
        assert seg.attrs["format"] == "scarhrd" and set(seg["sample"]) == {row["sample"]}
        assert (seg["ploidy"] == row["ploidy"]).all()
        truth = planted[planted["sample"] == row["sample"]]
        # every reported segment's state is the planted state at its middle, and its ends lie
        # within 20 kb of a planted breakpoint
        for r in seg.sample(n=min(40, len(seg)), random_state=1).itertuples():
            state = _state_at(truth, row["sample"], r.chrom, (r.start + r.end) // 2)
            assert (r.total_cn, r.major_cn, r.minor_cn) == (state["total_cn"], state["major_cn"], state["minor_cn"])
            starts = truth.loc[truth["chrom"] == r.chrom, "start"].to_numpy()
            assert np.abs(starts - r.start).min() <= 20_000


def test_bins_follow_copy_number_purity_and_gc(sheet, planted):
    from metevo.io.bins import read_bins

    swgs = read_samplesheet(Path(sheet.path).parent / "samplesheet_swgs.csv")
    rows = swgs.table[swgs.table["bins"] != ""]
    assert len(rows) == (swgs.table["segments"] == "").sum() - (swgs.table["sample_type"].isin(["normal", "cfdna"])).sum()
    row = rows.iloc[0]
    bins = read_bins(swgs.paths(row, "bins")[0], genome="hg38")
    assert len(bins) > 30_000 and set(bins["chromosome"]) == {str(i) for i in range(1, 23)} | {"X"}
    used = bins[bins["use"] & (bins["bases"] > 0)]
    truth = planted[planted["sample"] == row["sample"]]
    total = np.empty(len(used), dtype=int)
    for chrom, idx in used.groupby("chromosome").groups.items():
        t = truth[truth["chrom"] == chrom]
        mid = ((used.loc[idx, "start"] + used.loc[idx, "end"]) // 2).to_numpy()
        total[used.index.get_indexer(idx)] = t["total_cn"].to_numpy()[np.searchsorted(t["start"].to_numpy(), mid, "right") - 1]
    counts = used[row["sample"]].to_numpy() / (used["bases"] / 100 * used["mappability"] / 100).to_numpy()
    ratio = pd.Series(counts).groupby(total).median() / np.median(counts)
    # the expected ratio (p c + 2 (1 - p)) / (p phi + 2 (1 - p)), to within the GC bias
    p, phi = float(row["purity"]), float(row["ploidy"])
    expected = (p * ratio.index.to_numpy() + 2 * (1 - p)) / (p * phi + 2 * (1 - p))
    levels = pd.Series(total).value_counts()
    big = ratio.index.isin(levels[levels > 500].index)
    assert np.allclose(ratio.to_numpy()[big], expected[big], rtol=0.12)
    assert np.all(np.diff(ratio.to_numpy()[big]) > 0)


def test_plasma_wigs_tracks_and_panel_of_normals(small_cohort, sheet):
    read_wig = pytest.importorskip("metevo.io.wig").read_wig

    plasma = sheet.table[sheet.table["sample_type"] == "cfdna"]
    assert len(plasma) >= 2 and (plasma["wig"] != "").all()
    cfdna = _truth(small_cohort, "cfdna").set_index("sample")
    assert set(cfdna.index) == set(plasma["sample"])
    wig = read_wig(sheet.paths(plasma.iloc[0], "wig")[0], genome="hg38")
    gc = read_wig(small_cohort / "cfdna" / "gc_1000kb.wig")
    mappability = read_wig(small_cohort / "cfdna" / "map_1000kb.wig")
    assert len(wig) == len(gc) == len(mappability) > 3000
    assert (wig["end"] - wig["start"] + 1 == 1_000_000).all() and set(wig["chrom"]) >= {"1", "X", "Y"}
    # chrY of a female cohort: mismapped reads only
    assert wig.loc[wig["chrom"] == "Y", "value"].mean() < 0.05 * wig.loc[wig["chrom"] == "1", "value"].mean()
    # an ichorCNA panel of normals: autosomes and X outside centromeres, each donor's log2 ratio
    pon = pytest.importorskip("metevo.io.wig").read_panel_of_normals(small_cohort / "cfdna" / "pon_1000kb.tsv", genome="hg38")
    table = pd.read_csv(small_cohort / "cfdna" / "pon_1000kb.tsv", sep="\t", dtype={"chrom": str})
    assert list(table.columns[:5]) == ["chrom", "start", "end", "gc", "map"] and table.columns[-1] == "Median"
    assert 2800 < len(pon) < len(wig) and set(pon["chrom"]) == set(wig["chrom"]) - {"Y"}
    donors = table.filter(like="HD")
    assert donors.shape[1] == 8 and pon["Median"].abs().median() < 0.2
    assert np.allclose(donors.median(axis=1), table["Median"], atol=1e-9, equal_nan=True)
    # serial samples: before / at / after relapse as the samplesheet's times say
    times = dict(zip(sheet.table["sample"], sheet.table["collection_time"]))
    for sample, r in cfdna.iterrows():
        delta = times[sample] - r["relapse_time"]
        assert r["timepoint"] == ("at" if abs(delta) <= 14 else ("before" if delta < 0 else "after")), sample
        assert 0.03 <= r["tumor_fraction"] <= 0.5
        assert r["lineage"].startswith(r["patient"] + "-") and r["lineage"][len(r["patient"]) + 1] in "MR"


def test_planted_truth_tables_agree_with_each_other(small_cohort, sheet, planted):
    samples = _truth(small_cohort, "samples").set_index("sample")
    regions, hrd, biallelic = (_truth(small_cohort, n) for n in ("regions", "hrd", "biallelic"))
    germline, somatic = _truth(small_cohort, "germline"), _truth(small_cohort, "somatic")
    # ploidy is the planted segments' length-weighted mean (autosomes), WGD genomes near 4
    auto = planted[planted["chrom"] != "X"]
    width = auto["end"] - auto["start"] + 1
    mean = (auto["total_cn"] * width).groupby(auto["sample"]).sum() / width.groupby(auto["sample"]).sum()
    assert np.allclose(mean.round(2), samples.loc[mean.index, "ploidy"].astype(float))
    wgd = samples.loc[mean.index, "wgd"] == "yes"
    assert (mean[wgd] > 3).all() and (mean[~wgd] < 3).all()
    # regions: one row per tumor or plasma sample and default region
    assert len(regions) == len(mean) * len(REGION_EVENTS)
    assert set(regions["status"]) <= {"deletion", "loss", "neutral", "gain", "amplification"}
    # HRD: at least one scarred patient, all of whose tumors are scarred
    scarred = hrd[hrd["scarred"] == "yes"]
    assert len(scarred) >= 1 and (scarred["scar_breakpoints"] >= 20).all()
    assert (hrd.groupby("patient")["scarred"].nunique() == 1).all()
    # biallelic: germline+LOH only in carriers of a pathogenic variant in that gene, somatic+LOH
    # only where a truncating mutation of the gene was planted in that tumor
    carriers = set(zip(germline.loc[germline["pathogenic"] == "yes", "patient"], germline.loc[germline["pathogenic"] == "yes", "gene"]))
    for r in biallelic[biallelic["mechanism"] == "germline+LOH"].itertuples():
        assert (r.patient, r.gene) in carriers and r.loh == "yes" and r.minor_cn == 0
    truncating = somatic[somatic["variant_classification"].isin(["Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site"])]
    for r in biallelic[biallelic["mechanism"] == "somatic+LOH"].itertuples():
        assert ((truncating["sample"] == r.sample) & (truncating["gene"] == r.gene)).any() and r.loh == "yes"
    assert (biallelic.loc[biallelic["mechanism"] == "homozygous_deletion", "total_cn"] == 0).all()
    # every scarred tumor has a planted biallelic HR gene
    assert set(scarred["sample"]) <= set(biallelic.loc[biallelic["biallelic"] == "yes", "sample"])


def test_scarred_genomes_have_many_large_scale_transitions(small_cohort, sheet):
    from metevo.cn.hrd import hrd_scores
    from metevo.io.segments import read_segments

    hrd = _truth(small_cohort, "hrd").set_index("sample")
    frames = [read_segments(p) for _, row in sheet.table.iterrows() for p in sheet.paths(row, "segments")]
    scores = hrd_scores(pd.concat(frames, ignore_index=True), "hg38").set_index("sample")
    scarred = hrd.index[hrd["scarred"] == "yes"]
    others = hrd.index[hrd["scarred"] == "no"]
    # Popova et al. 2012: LST >= 15 (near-diploid) marks HR deficiency; HRD-LOH >= 10 (Abkevich 2012)
    assert (scores.loc[scarred, "lst"] >= 15).all() and (scores.loc[scarred, "hrd_loh"] >= 10).all()
    assert (scores.loc[others, "lst"] < 15).all()
    assert scores.loc[others, "hrd_loh"].median() < 8
