"""metevo copy-number end to end: planted profiles are recovered, LGG150 shows its published
aberrations, bad inputs fail in one line with nothing written, reruns are byte-identical."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.io.bins import write_bins
from metevo.simulate import swgs
from tests.conftest import SHARED, metevo

LGG150 = SHARED / "dev" / "qdnaseq_lgg150" / "LGG150_15kbp_readcounts.tsv.gz"
needs_cbs = pytest.mark.skipif(importlib.util.find_spec("metevo.cn.cbs") is None, reason="metevo.cn.cbs not available")
OUTPUTS = ("bins.tsv", "seg", "segments.tsv", "genes.tsv", "params.tsv")

LENGTHS = {"1": 40_000_000, "2": 30_000_000, "3": 30_000_000, "4": 25_000_000, "5": 30_000_000, "6": 30_000_000,
           "7": 25_000_000, "8": 25_000_000, "X": 20_000_000}
BIN = 100_000
PURITY = 0.7
PLANTED = [
    swgs.PlantedSegment("2", 1, 30_000_000, 3),  # whole-chromosome gain
    swgs.PlantedSegment("3", 8_000_001, 20_000_000, 1),  # interstitial loss
    swgs.PlantedSegment("4", 10_000_001, 11_000_000, 9),  # focal amplification (10 bins)
    swgs.PlantedSegment("1", 25_000_001, 28_000_000, 0),  # homozygous deletion (30 bins)
]


def lam_per_base(ann: pd.DataFrame) -> np.ndarray:
    """Expected diploid reads per fully sequenced bin: the GC and mappability bias alone."""
    lam = swgs.expected_counts(ann, np.full(len(ann), 2), purity=PURITY, ploidy=2.0, reads_per_bin=400, gc_strength=3.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return lam / ann["bases"].to_numpy() * 100


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    """A simulated sample's counts (GC bias, Poisson noise, purity 0.7) and its truth."""
    d = tmp_path_factory.mktemp("swgs")
    ann = swgs.synthetic_annotation(LENGTHS, BIN, seed=21)
    copies = swgs.planted_copies(ann, PLANTED)
    lam = swgs.expected_counts(ann, copies, purity=PURITY, ploidy=2.0, reads_per_bin=400, gc_strength=3.0)
    table = ann.copy()
    table["T1"] = swgs.simulate_counts(lam, seed=22)
    path = d / "T1.counts.tsv"
    write_bins(table, path, samples=["T1"])
    genes = d / "genes.tsv"
    pd.DataFrame({
        "gene": ["AMP1", "DEL1", "LOSS1", "GAIN1", "NEUTRAL1", "XGENE"],
        "chrom": ["chr4", "1", "3", "2", "1", "X"],
        "start": [10_400_000, 26_000_000, 12_000_000, 5_000_000, 10_000_000, 5_000_000],
        "end": [10_500_000, 26_100_000, 12_100_000, 5_100_000, 10_100_000, 5_100_000],
    }).to_csv(genes, sep="\t", index=False)
    return d, path, genes, ann, copies


@needs_cbs
def test_planted_profile_recovered(simulated, tmp_path):
    d, counts, genes, ann, copies = simulated
    prefix = tmp_path / "T1"
    metevo("copy-number", "--sample", "T1", "--bins", counts, "--purity", str(PURITY), "--ploidy", "2",
           "--genes", genes, "--out-prefix", prefix)
    seg = pd.read_csv(f"{prefix}.segments.tsv", sep="\t", dtype={"chrom": str})
    bins = pd.read_csv(f"{prefix}.bins.tsv", sep="\t", dtype={"chromosome": str, "use": str})
    # every planted event is one segment with the planted copy number and call
    expected = {
        ("2", 3): "gain", ("3", 1): "loss", ("4", 9): "amplification", ("1", 0): "deletion",
    }
    used = (bins["use"] == "TRUE").to_numpy()
    chrom, start, end = bins["chromosome"].to_numpy(), bins["start"].to_numpy(), bins["end"].to_numpy()
    for ev in PLANTED:
        hits = seg[(seg["chrom"] == ev.chrom) & (seg["total_cn"] == ev.copies)]
        assert len(hits) == 1, (ev, seg)
        row = hits.iloc[0]
        # the segment spans the event's used bins, give or take one bin at each end
        planted = used & (chrom == ev.chrom) & (start >= ev.start) & (end <= ev.end)
        assert abs(row["start"] - start[planted].min()) <= BIN and abs(row["end"] - end[planted].max()) <= BIN
        assert row["call"] == expected[(ev.chrom, ev.copies)]
    # everything else is neutral at 2 copies; X is excluded as in QDNAseq
    others = seg[~seg["call"].isin(["gain", "loss", "amplification", "deletion"])]
    assert (others["total_cn"] == 2).all() and (others["call"] == "neutral").all()
    assert "X" not in set(seg["chrom"]) and not (bins.loc[bins["chromosome"] == "X", "use"] == "TRUE").any()
    # bin-level calls agree with the truth on >= 99% of used bins
    truth = np.select([copies == 0, copies == 1, copies >= 5, copies == 3], ["deletion", "loss", "amplification", "gain"], "neutral")
    assert (bins["call"].to_numpy()[used] == truth[used]).mean() >= 0.99
    # GC bias: raw read depth of the diploid bins varies > 2-fold across GC deciles; corrected,
    # the decile medians stay within 10% of 1 (events that differ in GC from the rest pull the
    # per-sample LOESS a little, as they do in QDNAseq)
    two = used & (copies == 2)
    decile = pd.qcut(ann["gc"].to_numpy()[two], 10, labels=False)
    raw = pd.Series(lam_per_base(ann)[two]).groupby(decile).median()
    corrected = pd.Series(2 ** bins["copynumber"].to_numpy()[two]).groupby(decile).median()
    assert raw.max() / raw.min() > 2
    assert corrected.max() / corrected.min() < 1.15 and corrected.between(0.9, 1.1).all()
    # segment log2 ratios close to the expected ones
    for ev in PLANTED[:3]:
        row = seg[(seg["chrom"] == ev.chrom) & (seg["total_cn"] == ev.copies)].iloc[0]
        ratio = (PURITY * ev.copies + 2 * (1 - PURITY)) / 2.0
        assert row["log2"] == pytest.approx(np.log2(ratio), abs=0.1)
    g = pd.read_csv(f"{prefix}.genes.tsv", sep="\t", dtype={"chrom": str}).set_index("gene")
    assert g.loc["AMP1", "call"] == "amplification" and g.loc["DEL1", "call"] == "deletion"
    assert g.loc["LOSS1", "call"] == "loss" and g.loc["GAIN1", "call"] == "gain" and g.loc["NEUTRAL1", "call"] == "neutral"
    assert g.loc["AMP1", "chrom"] == "4" and np.isnan(g.loc["XGENE", "log2"])
    params = pd.read_csv(f"{prefix}.params.tsv", sep="\t").iloc[0]
    assert params["purity"] == PURITY and params["purity_source"] == "given" and params["genes_source"] == "--genes"
    seg_file = pd.read_csv(f"{prefix}.seg", sep="\t", dtype={"chrom": str})
    assert list(seg_file.columns) == ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]
    assert (seg_file["ID"] == "T1").all() and len(seg_file) == len(seg)


@needs_cbs
def test_without_purity_it_is_estimated_with_the_cfdna_model(simulated, tmp_path):
    """The issue: purity and ploidy from the samplesheet when given, otherwise estimated from
    the profile with the same model as cfdna (metevo.cn.ichor). Planted: purity 0.7, diploid."""
    d, counts, genes, ann, copies = simulated
    prefix = tmp_path / "T1"
    metevo("copy-number", "--sample", "T1", "--bins", counts, "--out-prefix", prefix)
    params = pd.read_csv(f"{prefix}.params.tsv", sep="\t").iloc[0]
    assert params["purity_source"] == "estimated"
    assert params["purity"] == pytest.approx(PURITY, abs=0.05)
    assert params["ploidy"] == pytest.approx(2.0, abs=0.15)
    seg = pd.read_csv(f"{prefix}.segments.tsv", sep="\t", dtype={"chrom": str})
    assert set(seg.loc[seg["chrom"] == "2", "call"]) == {"gain"} and "loss" in set(seg.loc[seg["chrom"] == "3", "call"])


@needs_cbs
def test_without_purity_qdnaseq_cutoffs_and_rerun_is_identical(simulated, tmp_path):
    d, counts, genes, ann, copies = simulated
    a, b = tmp_path / "a" / "T1", tmp_path / "b" / "T1"
    for prefix in (a, b):
        metevo("copy-number", "--sample", "T1", "--bins", counts, "--seed", "3", "--no-estimate", "--out-prefix", prefix)
    for suffix in OUTPUTS:
        assert Path(f"{a}.{suffix}").read_bytes() == Path(f"{b}.{suffix}").read_bytes(), suffix
    params = pd.read_csv(f"{a}.params.tsv", sep="\t").iloc[0]
    assert params["purity_source"] == "none" and np.isnan(params["purity"])
    assert params["cutoff_gain"] == pytest.approx(np.log2(1.25)) and params["genes_source"] == "none"
    seg = pd.read_csv(f"{a}.segments.tsv", sep="\t", dtype={"chrom": str})
    # purity 0.7: one extra copy is log2(1.35) = 0.43 > 0.32 (gain); one lost is log2(0.65) = -0.62 (loss)
    assert set(seg.loc[seg["chrom"] == "2", "call"]) == {"gain"}
    assert seg["total_cn"].isna().all()
    assert pd.read_csv(f"{a}.genes.tsv", sep="\t").empty


@needs_cbs
def test_separate_annotation_gives_the_same_result(simulated, tmp_path):
    d, counts, _, ann, _ = simulated
    from metevo.io.bins import read_bins

    table = read_bins(counts)
    only_counts, annotation = tmp_path / "counts.tsv", tmp_path / "ann.tsv"
    write_bins(table[["chromosome", "start", "end", "T1"]], only_counts, samples=["T1"])
    write_bins(ann, annotation)
    a, b = tmp_path / "a" / "T1", tmp_path / "b" / "T1"
    metevo("copy-number", "--sample", "T1", "--bins", counts, "--out-prefix", a)
    metevo("copy-number", "--sample", "T1", "--bins", only_counts, "--annotation", annotation, "--out-prefix", b)
    for suffix in OUTPUTS:
        assert Path(f"{a}.{suffix}").read_bytes() == Path(f"{b}.{suffix}").read_bytes(), suffix


@needs_cbs
def test_estimate_purity_hook(simulated):
    from metevo.cn.qdnaseq import qdnaseq
    from metevo.io.bins import read_bins

    _, counts, _, _, _ = simulated
    table = read_bins(counts)
    seen = {}

    def estimate(bins, segments):
        seen["columns"] = list(bins.columns)
        seen["segments"] = len(segments)
        return 0.7, 2.0

    result = qdnaseq(table, table["T1"].to_numpy(), sample="T1", estimate_purity=estimate)
    assert result.params["purity_source"] == "estimated" and result.params["purity"] == 0.7
    assert seen["columns"] == ["chromosome", "start", "end", "use", "copynumber", "segmented"] and seen["segments"] > 4
    assert set(result.segments["total_cn"].dropna()) == {0, 1, 2, 3, 9}


@needs_cbs
@pytest.mark.skipif(not LGG150.exists(), reason="shared LGG150 data not present")
def test_lgg150(tmp_path):
    """LGG150 (QDNAseq's example glioma, chromosomes 7-10): focal EGFR amplification on 7p11.2,
    9p loss with the CDKN2A region lowest, whole chromosome 10 lost; chromosome 8 and the rest
    of 7 at the normal level (the R reimplementation in tests/r gives the same calls)."""
    prefix = tmp_path / "LGG150"
    genes = tmp_path / "genes.tsv"
    pd.DataFrame({"gene": ["EGFR", "CDKN2A", "PTEN", "MYC", "MET"], "chrom": ["7", "9", "10", "8", "7"],
                  "start": [55086725, 21967751, 89623195, 128748315, 116312459],
                  "end": [55324313, 21995300, 89728532, 128753680, 116438440]}).to_csv(genes, sep="\t", index=False)
    metevo("copy-number", "--sample", "LGG150", "--bins", LGG150, "--genome", "hg19", "--genes", genes, "--out-prefix", prefix)
    seg = pd.read_csv(f"{prefix}.segments.tsv", sep="\t", dtype={"chrom": str})
    g = pd.read_csv(f"{prefix}.genes.tsv", sep="\t").set_index("gene")
    assert g.loc["EGFR", "call"] == "amplification" and g.loc["EGFR", "log2"] > 4
    assert g.loc["CDKN2A", "call"] in ("loss", "deletion") and g.loc["CDKN2A", "log2"] < -1.5
    assert g.loc["PTEN", "call"] == "loss"
    assert g.loc["MYC", "call"] == "neutral" and g.loc["MET", "call"] == "neutral"
    chr10 = seg[seg["chrom"] == "10"]
    assert (chr10["call"] == "loss").all() and chr10["n_bins"].sum() > 8000
    chr8 = seg[seg["chrom"] == "8"]
    neutral8 = chr8.loc[chr8["call"] == "neutral", "n_bins"].sum() / chr8["n_bins"].sum()
    assert neutral8 > 0.99
    params = pd.read_csv(f"{prefix}.params.tsv", sep="\t").iloc[0]
    assert params["bins_used"] == 33347 and params["loess_points"] == 1243


# ---------------------------------------------------------------------------------------
# bad inputs: one line naming the file and line, exit 2, nothing written


def _bad(tmp_path, counts_text: str, *extra: str, name="bad.tsv"):
    path = tmp_path / name
    path.write_text(counts_text)
    out = tmp_path / "out" / "S"
    proc = metevo("copy-number", "--sample", "S", "--bins", path, *extra, "--out-prefix", out, check=False)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()
    return proc.stderr


GOOD_HEADER = "chromosome\tstart\tend\tbases\tgc\tmappability\tblacklist\tresidual\tuse\tS\n"


def test_bad_counts(tmp_path):
    err = _bad(tmp_path, GOOD_HEADER + "1\t1\t100\t100\t40\t90\t0\t0\tTRUE\t5\n1\t101\t200\t100\t41\t90\t0\t0\tTRUE\tfive\n")
    assert "bad.tsv" in err and "line 3" in err and "column 'S'" in err


def test_missing_columns(tmp_path):
    err = _bad(tmp_path, "chromosome\tstart\tS\n1\t1\t5\n")
    assert "missing required column 'end'" in err and "line 1" in err
    err = _bad(tmp_path, "chromosome\tstart\tend\tS\n1\t1\t100\t5\n1\t101\t200\t6\n")
    assert "'gc'" in err and "--annotation" in err


def test_unsorted_bins(tmp_path):
    err = _bad(tmp_path, GOOD_HEADER + "1\t101\t200\t100\t41\t90\t0\t0\tTRUE\t5\n1\t1\t100\t100\t40\t90\t0\t0\tTRUE\t5\n")
    assert "line 3" in err and "sorted" in err


@pytest.mark.skipif(not LGG150.exists(), reason="shared LGG150 data not present")
def test_bins_of_another_build(tmp_path):
    out = tmp_path / "out" / "S"
    proc = metevo("copy-number", "--sample", "LGG150", "--bins", LGG150, "--genome", "hg38", "--out-prefix", out, check=False)
    assert proc.returncode == 2 and "bins of another genome build" in proc.stderr and "line " in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()


def test_annotation_must_match_the_bins(tmp_path):
    counts = tmp_path / "c.tsv"
    counts.write_text("chromosome\tstart\tend\tS\n1\t1\t100\t5\n1\t101\t200\t6\n")
    ann = tmp_path / "a.tsv"
    ann.write_text("chromosome\tstart\tend\tgc\n1\t1\t100\t40\n1\t101\t250\t41\n")
    out = tmp_path / "out" / "S"
    proc = metevo("copy-number", "--sample", "S", "--bins", counts, "--annotation", ann, "--out-prefix", out, check=False)
    assert proc.returncode == 2 and "a.tsv" in proc.stderr and "line 3" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_bad_options(tmp_path):
    counts = tmp_path / "c.tsv"
    counts.write_text(GOOD_HEADER + "1\t1\t100\t100\t40\t90\t0\t0\tTRUE\t5\n")
    for extra, words in ((["--ploidy", "3"], "--ploidy needs --purity"), (["--purity", "1.5"], "--purity")):
        proc = metevo("copy-number", "--sample", "S", "--bins", counts, *extra, "--out-prefix", tmp_path / "o" / "S", check=False)
        assert proc.returncode == 2 and words in proc.stderr and not (tmp_path / "o").exists()
