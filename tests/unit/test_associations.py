"""metevo.associations and ``metevo associations``: somaticInteractions counts and calls by
hand, TP53/PIK3CA mutual exclusivity in TCGA-BRCA (as maftools shows it), clinical Fisher tests
with a planted association, rank-sum tests by group, bad inputs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.associations import (
    alteration_matrix, clinical_associations, clinical_features, continuous_by_group, group_labels, hr_status,
    somatic_interactions, top_genes,
)
from metevo.stats.contingency import fisher_exact
from metevo.stats.wilcoxon import rank_sum_test

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def test_somatic_interactions_by_hand():
    # 8 samples; A and B always together (co-occurrence), C only where A is absent, D everywhere
    m = pd.DataFrame({
        "A": [1, 1, 1, 1, 0, 0, 0, 0], "B": [1, 1, 1, 0, 0, 0, 0, 0], "C": [0, 0, 0, 0, 1, 1, 1, 0], "D": [1] * 8,
    }, index=[f"s{i}" for i in range(8)])
    assert top_genes(m, top=3) == ["D", "A", "B"]
    out = somatic_interactions(m, genes=["A", "B", "C", "D"])
    assert out.columns.tolist() == ["gene1", "gene2", "pValue", "oddsRatio", "00", "11", "01", "10", "Event", "pAdj"]
    rows = {(r.gene1, r.gene2): r for r in out.itertuples(index=False)}
    ab = rows[("A", "B")]
    assert (ab[4], ab[5], ab[6], ab[7]) == (4, 3, 0, 1)  # 00, 11, 01, 10
    f = fisher_exact(3, 1, 0, 4)
    assert ab.pValue == f.p_value and ab.oddsRatio == f.odds_ratio and ab.Event == "Co_Occurence"
    ac = rows[("A", "C")]
    assert (ac[4], ac[5], ac[6], ac[7]) == (1, 0, 3, 4) and ac.Event == "Mutually_Exclusive" and ac.oddsRatio == 0
    ad = rows[("A", "D")]  # D in every sample: R's fisher.test stops; reported empty
    assert np.isnan(ad.pValue) and np.isnan(ad.oddsRatio) and ad.Event == ""
    defined = out["pValue"].notna()
    assert out["pValue"][defined].is_monotonic_increasing and out["pValue"][~defined].index.min() > out["pValue"][defined].index.max()
    from metevo.stats.multitest import bh_adjust

    assert np.allclose(out["pAdj"][defined], bh_adjust(out["pValue"][defined]), rtol=0, atol=0)


TCGA = SHARED / "dev" / "tcga_brca" / "tcga_brca_firehose.maf.gz"


@pytest.mark.skipif(not TCGA.exists(), reason="TCGA-BRCA MAF not available")
def test_tcga_brca_tp53_pik3ca_mutually_exclusive():
    from metevo.io.maf import read_maf
    from metevo.oncogenic import build_alterations

    maf = read_maf(TCGA)
    maf["patient"] = maf["Tumor_Sample_Barcode"]
    maf["sample_type"] = "primary"
    alterations = build_alterations(maf, None)
    samples = sorted(set(alterations["sample"]))
    for oncogenic_only in (False, True):
        m = alteration_matrix(alterations, samples, oncogenic_only=oncogenic_only)
        out = somatic_interactions(m, top=25, alterations=alterations)
        assert {"TP53", "PIK3CA"} <= set(out["gene1"]) | set(out["gene2"])
        row = out.loc[(out["gene1"] == "PIK3CA") & (out["gene2"] == "TP53")].iloc[0]
        assert row["Event"] == "Mutually_Exclusive" and row["oddsRatio"] < 0.6 and row["pValue"] < 1e-3
        # counts are the samples carrying each gene, as a direct count shows
        tp53 = set(alterations.loc[(alterations["gene"] == "TP53") & ((alterations["oncogenic"] == 1) | (not oncogenic_only)), "sample"])
        pik3ca = set(alterations.loc[(alterations["gene"] == "PIK3CA") & ((alterations["oncogenic"] == 1) | (not oncogenic_only)), "sample"])
        assert row["11"] == len(tp53 & pik3ca) and row["10"] == len(pik3ca - tp53) and row["01"] == len(tp53 - pik3ca)
        assert row["00"] == len(samples) - len(tp53 | pik3ca)
    # maftools' vignette also shows TP53 mutually exclusive with CDH1 and GATA3 in BRCA
    top = out.set_index(["gene1", "gene2"])
    assert top.loc[("TP53", "CDH1"), "Event"] == "Mutually_Exclusive" and top.loc[("TP53", "CDH1"), "pAdj"] < 1e-6


def test_hr_status_rule():
    assert hr_status("positive", "negative") == "positive" and hr_status("negative", "positive") == "positive"
    assert hr_status("negative", "negative") == "negative" and hr_status("negative", "unknown") == "unknown"


def _cohort(rng, n=80):
    """n patients with a primary and a metastasis; HER2-positive samples carry ERBB2
    amplification 70% of the time (else 5%); antiestrogen-treated metastases carry ESR1 40% (else 2%)."""
    samples, alts = [], []
    for i in range(n):
        her2 = "positive" if rng.random() < 0.3 else "negative"
        er = "positive" if rng.random() < 0.7 else "negative"
        for k, stype in (("p", "primary"), ("m", "metastasis")):
            s = f"P{i}_{k}"
            samples.append((f"P{i}", s, stype, "liver" if (k == "m" and i % 2) else ("bone" if k == "m" else "breast"), er, "negative", her2))
            if rng.random() < (0.7 if her2 == "positive" else 0.05):
                alts.append((f"P{i}", s, stype, "ERBB2", 1))
            if k == "m" and rng.random() < (0.4 if er == "positive" else 0.02):
                alts.append((f"P{i}", s, stype, "ESR1", 1))
            if rng.random() < 0.3:
                alts.append((f"P{i}", s, stype, "TP53", 1))
    samples = pd.DataFrame(samples, columns=["patient", "sample", "sample_type", "site", "er_status", "pr_status", "her2_status"])
    clinical = pd.DataFrame({"patient": [f"P{i}" for i in range(n)],
                             "antiestrogen": [("yes" if samples.loc[2 * i, "er_status"] == "positive" else "no") for i in range(n)]})
    return samples, clinical, pd.DataFrame(alts, columns=["patient", "sample", "sample_type", "gene", "oncogenic"])


def test_clinical_associations_planted():
    samples, clinical, alts = _cohort(np.random.default_rng(3))
    matrix = alteration_matrix(alts, samples["sample"].tolist())
    features = clinical_features(samples, clinical)
    out = clinical_associations(matrix, {g: "gene" for g in matrix.columns}, features)
    key = out.set_index(["alteration", "feature", "level"])
    her2 = key.loc[("ERBB2", "her2_status", "positive")]
    assert her2["samples"] == "tumour" and her2["n_samples"] == 160 and her2["odds_ratio"] > 5 and her2["q_value"] < 1e-6
    x = matrix["ERBB2"].to_numpy()
    pos = (features["her2_status"] == "positive").to_numpy()
    f = fisher_exact(int(x[pos].sum()), int((1 - x[pos]).sum()), int(x[~pos].sum()), int((1 - x[~pos]).sum()))
    assert (f.p_value, f.odds_ratio) == (her2["p_value"], her2["odds_ratio"])
    esr1 = key.loc[("ESR1", "antiestrogen", "yes")]
    assert esr1["samples"] == "metastasis_recurrence" and esr1["n_samples"] == 80 and esr1["q_value"] < 0.01
    assert key.loc[("TP53", "her2_status", "positive"), "q_value"] > 0.05
    sites = out.loc[out["feature"] == "site"]
    assert set(sites["level"]) == {"bone", "liver"} and set(sites["reference"]) == {"other"}
    assert "chemotherapy" not in set(out["feature"])  # not given: no test
    assert ("ESR1", "her2_status", "positive") in key.index


def test_continuous_by_group_is_r_wilcox():
    rng = np.random.default_rng(5)
    samples = pd.DataFrame({"patient": [f"P{i // 2}" for i in range(40)], "sample": [f"S{i}" for i in range(40)],
                            "sample_type": ["primary", "metastasis"] * 20})
    values = pd.DataFrame({"fga": np.where(samples["sample_type"] == "metastasis", 0.4, 0.2) + rng.normal(0, 0.05, 40),
                           "same": np.repeat(rng.normal(0, 1, 20), 2)}, index=samples["sample"].tolist())  # same values in both groups
    out = continuous_by_group(values, group_labels(samples, None)).set_index("feature")
    met = values["fga"].to_numpy()[1::2]
    prim = values["fga"].to_numpy()[0::2]
    r = rank_sum_test(met, prim)
    assert out.loc["fga", "p_value"] == r.p_value and out.loc["fga", "statistic"] == r.statistic == 400
    assert (out.loc["fga", "group1"], out.loc["fga", "n1"], out.loc["fga", "n2"]) == ("metastasis_recurrence", 20, 20)
    assert out.loc["fga", "q_value"] < 1e-6 and out.loc["same", "statistic"] == 200 and out.loc["same", "p_value"] == 1


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "metevo", *map(str, args)], capture_output=True, text=True)


def test_cli_outputs_and_bad_inputs(tmp_path):
    samples, clinical, alts = _cohort(np.random.default_rng(9), n=30)
    sheet = tmp_path / "s.csv"
    samples.assign(maf="x.maf").to_csv(sheet, index=False)
    clin = tmp_path / "c.csv"
    clinical.to_csv(clin, index=False)
    table = alts.assign(alteration="mutation", detail="", evidence="hotspot")
    table = table[["patient", "sample", "sample_type", "gene", "alteration", "detail", "oncogenic", "evidence"]]
    path = tmp_path / "alterations.tsv"
    table.to_csv(path, sep="\t", index=False)
    feats = tmp_path / "hrd.tsv"
    pd.DataFrame({"sample": samples["sample"], "hrd_sum": np.arange(len(samples)) % 7, "method": "x"}).to_csv(feats, sep="\t", index=False)
    outs = []
    for k in range(2):
        r = _cli("associations", "--alterations", path, "--samplesheet", sheet, "--clinical", clin, "--features", feats,
                 "--top", "3", "--outdir", tmp_path / f"o{k}")
        assert r.returncode == 0, r.stderr
        outs.append(tmp_path / f"o{k}")
    for name in ("interactions.tsv", "clinical_associations.tsv", "continuous_by_group.tsv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    inter = pd.read_csv(outs[0] / "interactions.tsv", sep="\t")
    assert len(inter) == 3
    cont = pd.read_csv(outs[0] / "continuous_by_group.tsv", sep="\t")
    assert set(cont["feature"]) == {"mutation_count", "hrd_sum"} and "MAPK-altered" in set(cont["grouping"])

    bad = tmp_path / "bad.tsv"
    text = path.read_text().splitlines()
    cells = text[3].split("\t")
    cells[1] = "ZZ_unknown"
    text[3] = "\t".join(cells)
    bad.write_text("\n".join(text) + "\n")
    r = _cli("associations", "--alterations", bad, "--samplesheet", sheet, "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert f"{bad}: line 4, column 'sample'" in r.stderr and "not in the samplesheet" in r.stderr
    assert not (tmp_path / "bad").exists()
    table.drop(columns="evidence").to_csv(bad, sep="\t", index=False)
    r = _cli("associations", "--alterations", bad, "--samplesheet", sheet, "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and "column 'evidence'" in r.stderr and "line 1" in r.stderr
    clin.write_text("patient,antiestrogen\nP1,maybe\n")
    r = _cli("associations", "--alterations", path, "--samplesheet", sheet, "--clinical", clin, "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and "line 2" in r.stderr and "antiestrogen" in r.stderr
    assert not (tmp_path / "bad").exists()
