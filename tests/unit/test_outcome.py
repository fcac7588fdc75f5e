"""metevo outcome: survival by alteration status on cohorts simulated here with numpy.

The main cohort has 300 patients (290 with a metastasis sample) and a planted hazard ratio of 2
for a MAPK-altered metastasis on both PFS and OS, a subtype effect on the baseline hazard,
ERBB2 amplification in every HER2+ tumour (which must not make a patient MAPK-altered), and
null features (NOTCH, PI3K, TP53) with no effect. The expected counts are recomputed here from
the simulation's own truth, not from metevo's output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.oncogenic import ALTERATION_COLUMNS

LN2 = math.log(2)
SUBTYPES = ("HR+/HER2-", "HER2+", "TNBC")
RECEPTORS = {"HR+/HER2-": ("positive", "positive", "negative"), "HER2+": ("positive", "negative", "positive"),
             "TNBC": ("negative", "negative", "negative")}


def _alteration(patient, sample, stype, gene, alteration, detail, oncogenic, evidence, vc):
    return {"patient": patient, "sample": sample, "sample_type": stype, "gene": gene, "alteration": alteration,
            "detail": detail, "oncogenic": oncogenic, "evidence": evidence, "variant_classification": vc}


def simulate(seed: int = 1, n: int = 300, hr: float = 2.0) -> dict:
    """Truth (one row per patient) and the four input tables of metevo outcome.

    Under the null a feature's q is <= 0.1 by chance in some seeds: seed 20240604 gives PI3K a
    Cox p of 0.0037 on OS, the same p a Cox fit on the truth table gives (sampling, not the
    pipeline). Seeds 1-7 give null q > 0.1 on the truth table; the default is 1."""
    rng = np.random.default_rng(seed)
    patients = [f"P{i:03d}" for i in range(n)]
    subtype = rng.choice(SUBTYPES, p=[0.55, 0.30, 0.15], size=n)
    has_met = np.ones(n, dtype=bool)
    has_met[rng.choice(n, size=10, replace=False)] = False  # primary only: no status from metastases
    mapk_met = has_met & (rng.random(n) < 0.30)
    mapk_primary_only = ~mapk_met & (rng.random(n) < 0.10)
    mapk_truncal = mapk_met & (rng.random(n) < 0.5)
    notch = rng.random(n) < 0.30
    pi3k = rng.random(n) < 0.35
    tp53 = rng.random(n) < 0.40
    baseline = np.array([{"HR+/HER2-": 1.0, "HER2+": 1.3, "TNBC": 1.8}[s] for s in subtype])
    h = baseline * np.where(mapk_met, hr, 1.0)
    pfs = rng.exponential(1 / (h * LN2 / 300.0))
    os_ = rng.exponential(1 / (h * LN2 / 800.0))
    censor_pfs = rng.uniform(100, 1500, size=n)
    censor_os = rng.uniform(300, 4000, size=n)
    truth = pd.DataFrame({
        "patient": patients, "subtype": subtype, "has_met": has_met, "mapk_met": mapk_met,
        "mapk_primary_only": mapk_primary_only, "notch": notch, "pi3k": pi3k, "tp53": tp53,
        "pfs_time": np.maximum(1, np.round(np.minimum(pfs, censor_pfs))),
        "pfs_event": (pfs <= censor_pfs).astype(int),
        "os_time": np.maximum(1, np.round(np.minimum(os_, censor_os))),
        "os_event": (os_ <= censor_os).astype(int),
        "anti_her2": np.where(subtype == "HER2+", "yes", "no"),
    })
    truth.loc[[5, 6, 7], ["os_time", "os_event"]] = np.nan  # missing clinical times

    sheet, status, alterations = [], [], []
    for i, p in enumerate(patients):
        er, pr, her2 = RECEPTORS[subtype[i]]
        samples = [(f"{p}-T", "primary")] + ([(f"{p}-M1", "metastasis")] if has_met[i] else [])
        for sample, stype in samples:
            sheet.append({"patient": p, "sample": sample, "sample_type": stype, "er_status": er, "pr_status": pr,
                          "her2_status": her2})
            met = stype == "metastasis"
            genes = {"NOTCH": [], "PI3K": [], "RTK-RAS": []}
            if (met and mapk_met[i]) or (not met and (mapk_truncal[i] or mapk_primary_only[i])):
                if subtype[i] == "HR+/HER2-" and i % 3 == 0:
                    alterations.append(_alteration(p, sample, stype, "ERBB2", "mutation", "p.L755S", 1, "hotspot",
                                                   "Missense_Mutation"))
                    genes["RTK-RAS"].append("ERBB2")
                else:
                    alterations.append(_alteration(p, sample, stype, "KRAS", "mutation", "p.G12D", 1, "hotspot",
                                                   "Missense_Mutation"))
                    genes["RTK-RAS"].append("KRAS")
            if subtype[i] == "HER2+":  # truncal amplification: HER2+ disease, not MAPK activation
                alterations.append(_alteration(p, sample, stype, "ERBB2", "amplification", "amplification", 1,
                                               "amp_og", ""))
                genes["RTK-RAS"].append("ERBB2")
            if notch[i] and met:
                alterations.append(_alteration(p, sample, stype, "NOTCH1", "mutation", "p.Q100*", 1, "truncating_tsg",
                                               "Nonsense_Mutation"))
                genes["NOTCH"].append("NOTCH1")
            if pi3k[i]:
                alterations.append(_alteration(p, sample, stype, "PIK3CA", "mutation", "p.H1047R", 1, "hotspot",
                                               "Missense_Mutation"))
                genes["PI3K"].append("PIK3CA")
            if tp53[i]:
                alterations.append(_alteration(p, sample, stype, "TP53", "mutation", "p.R175H", 1, "hotspot",
                                               "Missense_Mutation"))
            if i % 4 == 0:  # a passenger: a mutation, not oncogenic
                alterations.append(_alteration(p, sample, stype, "TTN", "mutation", "p.A5V", 0, "none",
                                               "Missense_Mutation"))
            for pathway, label in (("NOTCH", "NOTCH-altered"), ("PI3K", "PI3K-altered"), ("RTK-RAS", "MAPK-altered")):
                hit = sorted(set(genes[pathway]))
                status.append({"patient": p, "sample": sample, "sample_type": stype, "pathway": pathway, "label": label,
                               "altered": int(bool(hit)), "n_altered_genes": len(hit), "altered_genes": ",".join(hit)})
    alt = pd.DataFrame(alterations)
    for column in ALTERATION_COLUMNS:
        if column not in alt.columns:
            alt[column] = ""
    clinical = truth[["patient", "subtype", "anti_her2", "os_time", "os_event", "pfs_time", "pfs_event"]].copy()
    return {"truth": truth, "sheet": pd.DataFrame(sheet), "status": pd.DataFrame(status),
            "alterations": alt.loc[:, list(ALTERATION_COLUMNS)], "clinical": clinical}


def write_inputs(folder: Path, sim: dict) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f for name, f in (("clinical", "clinical.csv"), ("samplesheet", "samplesheet.csv"),
                                                ("alterations", "alterations.tsv"), ("status", "pathway_status.tsv"))}
    clinical = sim["clinical"].copy()
    for column in ("os_time", "os_event", "pfs_time", "pfs_event"):
        clinical[column] = clinical[column].map(lambda v: "" if pd.isna(v) else str(int(v)))
    clinical.to_csv(paths["clinical"], index=False)
    sim["sheet"].to_csv(paths["samplesheet"], index=False)
    sim["alterations"].to_csv(paths["alterations"], sep="\t", index=False)
    sim["status"].to_csv(paths["status"], sep="\t", index=False)
    return paths


def base_args(paths: dict[str, Path]) -> list:
    return ["outcome", "--clinical", paths["clinical"], "--samplesheet", paths["samplesheet"],
            "--alterations", paths["alterations"], "--pathway-status", paths["status"]]


def _run(capsys, *args) -> tuple[int, str]:
    try:
        rc = main([str(a) for a in args])
    except SystemExit as exit_:  # argparse usage errors
        rc = exit_.code
    return rc, capsys.readouterr().err


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    folder = tmp_path_factory.mktemp("outcome")
    sim = simulate()
    paths = write_inputs(folder / "in", sim)
    rc = main([str(a) for a in base_args(paths) + ["--outdir", folder / "out"]])
    assert rc == 0
    table = pd.read_csv(folder / "out" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    return sim, paths, folder / "out", table


def _row(table, endpoint, feature, subgroup="all"):
    rows = table[(table["endpoint"] == endpoint) & (table["feature"] == feature) & (table["subgroup"] == subgroup)]
    assert len(rows) == 1, (endpoint, feature, subgroup)
    return rows.iloc[0]


# ------------------------------------------------------------------------------ planted effects


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
def test_planted_mapk_hazard_ratio_is_recovered(cohort, endpoint):
    sim, _, _, table = cohort
    truth = sim["truth"]
    row = _row(table, endpoint, "MAPK-altered")
    used = truth[truth["has_met"] & truth[f"{endpoint}_time"].notna()]
    # counts from the simulation's truth: metastasis status only, HER2+ amplification not counted
    assert row["n"] == len(used)
    assert row["n_altered"] == int(used["mapk_met"].sum())
    assert row["events"] == int(used[f"{endpoint}_event"].sum())
    assert row["events_altered"] == int(used.loc[used["mapk_met"], f"{endpoint}_event"].sum())
    assert row["hr_lcl"] <= 2.0 <= row["hr_ucl"], (row["hr"], row["hr_lcl"], row["hr_ucl"])
    assert row["q"] < 0.05 and row["logrank_q"] < 0.05
    assert row["covariates"] == "subtype" and row["n_adjusted"] == len(used)
    assert row["hr_adjusted_lcl"] <= 2.0 <= row["hr_adjusted_ucl"]
    assert row["q_adjusted"] < 0.05
    assert row["median_altered"] < row["median_unaltered"]


@pytest.mark.parametrize("endpoint", ["pfs", "os"])
@pytest.mark.parametrize("feature", ["NOTCH-altered", "PI3K-altered", "TP53"])
def test_null_features_are_not_significant(cohort, endpoint, feature):
    _, _, _, table = cohort
    row = _row(table, endpoint, feature)
    assert row["q"] > 0.1 and row["q_adjusted"] > 0.1
    assert row["hr_lcl"] <= 1.0 <= row["hr_ucl"]


def test_gene_features_by_min_altered_and_q_over_the_features(cohort):
    sim, _, _, table = cohort
    pfs = table[(table["endpoint"] == "pfs") & (table["subgroup"] == "all")]
    # genes altered (oncogenic) in >= 3 patients with a metastasis: ERBB2 (mutations and
    # amplifications), KRAS, NOTCH1, PIK3CA, TP53; TTN's mutation is not oncogenic
    genes = pfs.loc[pfs["feature_type"] == "gene_oncogenic", "feature"].tolist()
    assert genes == ["ERBB2", "KRAS", "NOTCH1", "PIK3CA", "TP53"]
    assert pfs.loc[pfs["feature_type"] == "pathway", "feature"].tolist() == ["NOTCH-altered", "PI3K-altered",
                                                                              "MAPK-altered"]
    # BH over the 8 features of the endpoint, recomputed by hand (R p.adjust)
    p = pfs["p"].to_numpy()
    order = np.argsort(p)
    ranked = p[order] * len(p) / np.arange(1, len(p) + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    expected = np.empty_like(q)
    expected[order] = np.minimum(q, 1)
    np.testing.assert_allclose(pfs["q"].to_numpy(), expected, rtol=1e-9)
    # ERBB2 is not adjusted for... its own amplification; the default covariate is subtype
    assert set(pfs["covariates"]) == {"subtype"}


def test_anti_her2_subgroup(cohort):
    sim, _, _, table = cohort
    truth = sim["truth"]
    row = _row(table, "pfs", "MAPK-altered", "anti_her2=yes")
    used = truth[truth["has_met"] & (truth["anti_her2"] == "yes")]
    assert row["n"] == len(used) and row["n_altered"] == int(used["mapk_met"].sum())
    assert row["hr"] > 1 and row["hr_lcl"] <= 2.0 <= row["hr_ucl"]
    assert "adjusted: subtype has a single value (HER2+) in these patients" in row["note"]
    assert not ((table["subgroup"] == "anti_her2=yes") & (table["endpoint"] == "os")).any()


def test_missing_times_and_patients_without_metastasis_are_noted(cohort):
    _, _, _, table = cohort
    row = _row(table, "os", "MAPK-altered")
    assert "3 patients without os time or event left out" in row["note"]
    assert "10 patients without status" in row["note"]
    assert "os time" not in _row(table, "pfs", "MAPK-altered")["note"]


def test_outputs_ph_test_and_figures(cohort):
    _, _, out, table = cohort
    names = sorted(p.name for p in out.iterdir())
    assert "forest_pfs.svg" in names and "forest_os.svg" in names
    assert "km_pfs_MAPK-altered.svg" in names and "km_os_MAPK-altered.svg" in names
    assert "km_pfs_MAPK-altered_anti_her2.svg" in names
    svg = (out / "km_pfs_MAPK-altered.svg").read_text()
    assert svg.startswith("<svg") and "MAPK-altered=altered" in svg
    ph = pd.read_csv(out / "ph_test.tsv", sep="\t", keep_default_na=False, na_values=[""])
    mapk = ph[(ph["endpoint"] == "pfs") & (ph["feature"] == "MAPK-altered") & (ph["subgroup"] == "all")]
    assert mapk["model"].tolist() == ["univariable", "univariable", "adjusted", "adjusted", "adjusted"]
    assert mapk["term"].tolist() == ["MAPK-altered", "GLOBAL", "MAPK-altered", "subtype", "GLOBAL"]
    assert (mapk["p"] > 0.01).all()  # exponential times: proportional hazards hold


def test_status_from_any_counts_primaries(cohort, tmp_path, capsys):
    sim, paths, _, _ = cohort
    rc, err = _run(capsys, *base_args(paths), "--status-from", "any", "--covariates", "none",
                   "--endpoints", "pfs", "--outdir", tmp_path / "any")
    assert rc == 0, err
    table = pd.read_csv(tmp_path / "any" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    truth = sim["truth"]
    used = truth[truth["pfs_time"].notna()]
    # primaries count: every patient has status; primary-only MAPK alterations now count too
    mapk_any = used["mapk_met"] | used["mapk_primary_only"]
    row = _row(table, "pfs", "MAPK-altered")
    assert row["n"] == len(used) and row["n_altered"] == int(mapk_any.sum())
    assert pd.isna(row["n_adjusted"]) and pd.isna(row["covariates"])  # --covariates none
    assert set(table["endpoint"]) == {"pfs"}


def test_derived_covariates(cohort, tmp_path, capsys):
    sim, paths, _, _ = cohort
    rc, err = _run(capsys, *base_args(paths), "--covariates", "hr_status,her2_status,erbb2_amplification,pi3k_altered",
                   "--endpoints", "pfs", "--outdir", tmp_path / "cov")
    assert rc == 0, err
    table = pd.read_csv(tmp_path / "cov" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    row = _row(table, "pfs", "MAPK-altered")
    assert row["covariates"] == "hr_status,her2_status,erbb2_amplification,pi3k_altered"
    assert row["hr_adjusted_lcl"] <= 2.0 <= row["hr_adjusted_ucl"]
    # a feature is not adjusted for its own definition
    assert _row(table, "pfs", "PI3K-altered")["covariates"] == "hr_status,her2_status,erbb2_amplification"
    assert _row(table, "pfs", "ERBB2")["covariates"] == "hr_status,her2_status,pi3k_altered"


def test_determinism(cohort, tmp_path, capsys):
    _, paths, out, _ = cohort
    rc, err = _run(capsys, *base_args(paths), "--outdir", tmp_path / "again")
    assert rc == 0, err
    first = sorted(p.name for p in out.iterdir())
    assert first == sorted(p.name for p in (tmp_path / "again").iterdir())
    for name in first:
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


# ------------------------------------------------------------------------------ unit rules


def test_mapk_leaves_out_erbb2_amplification_but_not_erbb2_mutation():
    from metevo.outcome_analysis import counted_samples, pathway_features

    status = pd.DataFrame([
        ("A", "A-M", "metastasis", "RTK-RAS", "MAPK-altered", 1, 1, "ERBB2"),  # amplification only
        ("B", "B-M", "metastasis", "RTK-RAS", "MAPK-altered", 1, 1, "ERBB2"),  # ERBB2 L755S
        ("C", "C-M", "metastasis", "RTK-RAS", "MAPK-altered", 1, 2, "ERBB2,KRAS"),  # amplification and KRAS
        ("D", "D-T", "primary", "RTK-RAS", "MAPK-altered", 1, 1, "KRAS"),  # primary only
        ("D", "D-M", "metastasis", "RTK-RAS", "MAPK-altered", 0, 0, ""),
    ], columns=["patient", "sample", "sample_type", "pathway", "label", "altered", "n_altered_genes", "altered_genes"])
    alterations = pd.DataFrame([
        ("A-M", "ERBB2", "amplification", 1), ("B-M", "ERBB2", "mutation", 1), ("C-M", "ERBB2", "amplification", 1),
        ("C-M", "KRAS", "mutation", 1), ("D-T", "KRAS", "mutation", 1),
    ], columns=["sample", "gene", "alteration", "oncogenic"])
    met = pathway_features(status, alterations, counted_samples(status, status_from="metastasis"))
    assert met["MAPK-altered"].to_dict() == {"A": 0.0, "B": 1.0, "C": 1.0, "D": 0.0}
    anywhere = pathway_features(status, alterations, counted_samples(status, status_from="any"))
    assert anywhere.loc["D", "MAPK-altered"] == 1.0


def test_edge_cases_are_notes_not_crashes(tmp_path, capsys):
    sim = simulate(n=40, seed=3)
    clinical = sim["clinical"]
    clinical["pfs_event"] = 0  # no progression at all
    clinical = clinical.drop(columns=["os_time", "os_event", "anti_her2"])  # no OS, no treatment column
    sim["clinical"] = clinical
    folder = tmp_path / "in"
    folder.mkdir()
    clinical.to_csv(folder / "clinical.csv", index=False)
    sim["sheet"].to_csv(folder / "samplesheet.csv", index=False)
    sim["alterations"].to_csv(folder / "alterations.tsv", sep="\t", index=False)
    status = sim["status"]
    status.loc[status["pathway"] == "NOTCH", ["altered", "n_altered_genes", "altered_genes"]] = (0, 0, "")
    status.to_csv(folder / "pathway_status.tsv", sep="\t", index=False)
    paths = {"clinical": folder / "clinical.csv", "samplesheet": folder / "samplesheet.csv",
             "alterations": folder / "alterations.tsv", "status": folder / "pathway_status.tsv"}
    rc, err = _run(capsys, *base_args(paths), "--outdir", tmp_path / "out")
    assert rc == 0, err
    table = pd.read_csv(tmp_path / "out" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    assert set(table["endpoint"]) == {"pfs"}
    notch = _row(table, "pfs", "NOTCH-altered")
    assert "one group only (every analysed patient unaltered): no hazard ratio or log-rank test" in notch["note"]
    assert pd.isna(notch["hr"]) and pd.isna(notch["logrank_p"])
    mapk = _row(table, "pfs", "MAPK-altered")
    assert "no events" in mapk["note"] and mapk["events"] == 0 and pd.isna(mapk["hr"])
    summary = pd.read_csv(tmp_path / "out" / "summary.tsv", sep="\t", keep_default_na=False)
    notes = summary.loc[summary["item"] == "note", "value"].tolist()
    assert any(n.startswith("os: the clinical table has no os_time/os_event columns") for n in notes)
    assert any("no anti_her2 column" in n for n in notes)


def test_no_covariate_values_gives_univariable_rows_and_a_note(tmp_path, capsys):
    sim = simulate(n=40, seed=3)
    sim["clinical"] = sim["clinical"].drop(columns=["subtype"])
    sim["sheet"][["er_status", "pr_status", "her2_status"]] = ""  # subtype unknown everywhere
    paths = write_inputs(tmp_path / "in", sim)
    rc, err = _run(capsys, *base_args(paths), "--outdir", tmp_path / "out")
    assert rc == 0, err
    table = pd.read_csv(tmp_path / "out" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    row = _row(table, "pfs", "MAPK-altered")
    assert "no patient has every covariate (subtype): no adjusted model" in row["note"]
    assert pd.notna(row["hr"]) and pd.isna(row["hr_adjusted"]) and pd.isna(row["covariates"])


# ------------------------------------------------------------------------------ external cohort


def external_cohort(folder: Path, seed: int = 11, n: int = 400) -> dict[str, Path]:
    """GENEX mutated in 25% of samples with OS hazard ratio 2; GENEY (25%) null."""
    rng = np.random.default_rng(seed)
    samples = [f"EXT-{i:04d}-01A" for i in range(n)]
    genex = rng.random(n) < 0.25
    geney = rng.random(n) < 0.25
    subtype = rng.choice(["HR+/HER2-", "HER2+", "TNBC"], p=[0.7, 0.12, 0.18], size=n)
    h = np.where(genex, 2.0, 1.0) * np.where(subtype == "TNBC", 1.5, 1.0) * LN2 / 1500.0
    death = rng.exponential(1 / h)
    followup = rng.uniform(200, 5000, size=n)
    rows = []
    for i, s in enumerate(samples):
        for gene, hit in (("GENEX", genex[i]), ("GENEY", geney[i])):
            if hit:
                rows.append((gene, s, "Missense_Mutation", 60, 20))
        rows.append(("TTN", s, "Missense_Mutation", 60, 20))
        if genex[i] and i % 10 == 0:  # a low-VAF call, removed by the re-filter (VAF 2/60 < 0.05)
            rows.append(("GENEY", s, "Missense_Mutation", 60, 2))
    maf = pd.DataFrame(rows, columns=["Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification", "t_depth",
                                      "t_alt_count"])
    paths = {"maf": folder / "primary.maf", "samples": folder / "samples.txt", "clinical": folder / "ext_clinical.tsv",
             "enriched": folder / "enriched.tsv"}
    maf.to_csv(paths["maf"], sep="\t", index=False)
    paths["samples"].write_text("".join(f"{s}\n" for s in samples))
    pd.DataFrame({"sample": samples, "subtype": subtype, "os_time": np.maximum(1, np.round(np.minimum(death, followup))),
                  "os_event": (death <= followup).astype(int)}).to_csv(paths["clinical"], sep="\t", index=False)
    pd.DataFrame({"gene": ["GENEX", "KRAS", "GENEY", "GENEZ"], "direction": ["metastasis", "metastasis", "metastasis",
                                                                               "primary"]}).to_csv(
        paths["enriched"], sep="\t", index=False)
    truth = pd.DataFrame({"sample": samples, "GENEX": genex, "GENEY": geney})
    return {**paths, "truth": truth}


def test_external_cohort_outcome_of_enriched_genes(cohort, tmp_path, capsys):
    _, paths, _, _ = cohort
    ext = external_cohort(tmp_path)
    out = tmp_path / "out"
    args = [*base_args(paths), "--enriched", ext["enriched"], "--external-maf", ext["maf"], "--external-samples",
            ext["samples"], "--external-clinical", ext["clinical"], "--outdir", out]
    rc, err = _run(capsys, *args)
    assert rc == 0, err
    table = pd.read_csv(out / "external_outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    assert table["feature"].tolist() == ["GENEX", "KRAS", "GENEY"]  # direction metastasis only, file order
    truth = ext["truth"]
    genex = _row(table, "os", "GENEX")
    assert genex["n"] == 400 and genex["n_altered"] == int(truth["GENEX"].sum())
    assert genex["hr_lcl"] <= 2.0 <= genex["hr_ucl"] and genex["q"] < 0.05
    assert genex["covariates"] == "subtype" and genex["hr_adjusted_lcl"] <= 2.0 <= genex["hr_adjusted_ucl"]
    geney = _row(table, "os", "GENEY")
    assert geney["n_altered"] == int(truth["GENEY"].sum())  # the low-VAF calls are filtered out
    assert geney["q"] > 0.1
    assert _row(table, "os", "KRAS")["note"].startswith("one group only")
    # internal gene features are the enriched genes, by any non-synonymous mutation
    internal = pd.read_csv(out / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    genes = internal.loc[(internal["endpoint"] == "pfs") & (internal["subgroup"] == "all")
                         & (internal["feature_type"] != "pathway"), ["feature", "feature_type"]]
    assert genes["feature"].tolist() == ["GENEX", "KRAS", "GENEY"] and set(genes["feature_type"]) == {"gene_mutated"}
    rc, err = _run(capsys, *args[:-1], tmp_path / "again")
    assert rc == 0, err
    for name in sorted(p.name for p in out.iterdir()):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name


# ------------------------------------------------------------------------------ bad inputs


def _set_cell(path: Path, line: int, column: str, value: str) -> None:
    sep = "," if path.suffix == ".csv" else "\t"
    lines = path.read_text().splitlines()
    header = lines[0].split(sep)
    cells = lines[line - 1].split(sep)
    cells[header.index(column)] = value
    lines[line - 1] = sep.join(cells)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize("target,line,column,value,message", [
    ("status", 3, "sample", "Q999-T", "sample 'Q999-T' of the pathway status table is not in the samplesheet"),
    ("status", 4, "altered", "2", "expected 0 or 1, found '2'"),
    ("status", 2, "patient", "P001", "belongs to patient 'P000' in the samplesheet, not 'P001'"),
    ("alterations", 2, "oncogenic", "yes", "expected one of 0, 1, found 'yes'"),
    ("clinical", 2, "os_event", "2", "os_event must be 0 (censored) or 1 (died)"),
    ("clinical", 3, "patient", "P000", "patient 'P000' has two rows (first on line 2)"),
    ("clinical", 2, "subtype", "luminal X", "unrecognised subtype 'luminal X'"),
])
def test_bad_inputs_are_one_line_errors(tmp_path, capsys, target, line, column, value, message):
    paths = write_inputs(tmp_path / "in", simulate(n=12, seed=5))
    _set_cell(paths[target], line, column, value)
    out = tmp_path / "out"
    rc, err = _run(capsys, *base_args(paths), "--outdir", out)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1, err
    assert f"{paths[target]}: line {line}, column '{column}': " in err and message in err, err
    assert not out.exists()


def test_bad_external_and_enriched_tables(cohort, tmp_path, capsys):
    _, paths, _, _ = cohort
    ext = external_cohort(tmp_path)
    pd.read_csv(ext["clinical"], sep="\t").drop(columns=["os_time"]).to_csv(ext["clinical"], sep="\t", index=False)
    out = tmp_path / "out"
    rc, err = _run(capsys, *base_args(paths), "--enriched", ext["enriched"], "--external-maf", ext["maf"],
                   "--external-clinical", ext["clinical"], "--outdir", out)
    assert rc == 2 and f"{ext['clinical']}: line 1, column 'os_time': missing required column 'os_time'" in err, err
    ext["enriched"].write_text("symbol\tdirection\nGENEX\tmetastasis\n")
    rc, err = _run(capsys, *base_args(paths), "--enriched", ext["enriched"], "--outdir", out)
    assert rc == 2 and f"{ext['enriched']}: line 1, column 'gene': missing required column 'gene'" in err, err
    assert not out.exists()


@pytest.mark.parametrize("extra,message", [
    (["--covariates", "stage"], "--covariates: 'stage' is neither one of hr_status"),
    (["--covariates", "os_time"], "--covariates: 'os_time' is neither"),
    (["--endpoints", "dfs"], "--endpoints expects a comma-separated list of pfs and os"),
    (["--external-maf", "x.maf"], "--external-maf needs --enriched"),
    (["--min-altered", "0"], "expected at least 1"),
])
def test_bad_options(cohort, tmp_path, capsys, extra, message):
    _, paths, _, _ = cohort
    rc, err = _run(capsys, *base_args(paths), *extra, "--outdir", tmp_path / "out")
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------ the simulator's cohort


@pytest.mark.slow
def test_simulator_cohort_through_oncogenic_and_outcome(tmp_path, capsys):
    """metevo's simulator (300 patients, seed 4; planted hazard ratio 2 for a MAPK-altered
    metastasis or recurrence, truth/outcome.tsv) through metevo oncogenic (real hotspot and
    truncation rules on the called mutations) and metevo outcome. Every patient with a planted
    MAPK alteration is MAPK-altered; the pathway's other RTK-RAS genes add a few more, which
    dilutes the effect a little, and the 95% interval still covers 2 on both endpoints."""
    from metevo.outcome_analysis import counted_samples, pathway_features, read_pathway_status
    from metevo.simulate import simulate_cohort_tables
    from metevo.simulate.effects import MAPK_ALTERATIONS, mapk_altered

    ct = simulate_cohort_tables(4, patients=300, external_samples=0)
    truth = ct.outcome.set_index(["feature", "endpoint"])
    assert truth.loc[("MAPK-altered metastasis", "PFS"), "planted_hr"] == 2.0
    maf = ct.mutations[ct.mutations["t_alt_count"].astype(float) >= 3]  # a "called" set
    maf.to_csv(tmp_path / "cohort.maf", sep="\t", index=False)
    ct.samplesheet.to_csv(tmp_path / "samplesheet.csv", index=False)
    ct.clinical.to_csv(tmp_path / "clinical.csv", index=False)
    rc, err = _run(capsys, "oncogenic", "--maf", tmp_path / "cohort.maf", "--samplesheet", tmp_path / "samplesheet.csv",
                   "--outdir", tmp_path / "onc")
    assert rc == 0, err
    rc, err = _run(capsys, "outcome", "--clinical", tmp_path / "clinical.csv", "--samplesheet",
                   tmp_path / "samplesheet.csv", "--alterations", tmp_path / "onc" / "alterations.tsv",
                   "--pathway-status", tmp_path / "onc" / "pathway_status.tsv", "--outdir", tmp_path / "out")
    assert rc == 0, err
    planted = {p for p, plan in ct.cohort.effect_plans.items() if mapk_altered(plan)}
    assert len(planted) == truth.loc[("MAPK-altered metastasis", "PFS"), "n_altered"]
    status = read_pathway_status(tmp_path / "onc" / "pathway_status.tsv")
    ours = pathway_features(status, pd.read_csv(tmp_path / "onc" / "alterations.tsv", sep="\t"),
                            counted_samples(status))["MAPK-altered"]
    found = set(ours.index[ours == 1])
    # a planted mutation with fewer than 3 alt reads is not called (P181's subclonal BRAF V600E
    # has 2): every called one makes its patient MAPK-altered
    called = maf[maf["driver"].isin(MAPK_ALTERATIONS.keys()) & maf["sample_type"].isin(("metastasis", "recurrence"))]
    called_planted = set(called["patient"])
    assert called_planted <= planted and len(called_planted) >= 0.9 * len(planted)
    assert called_planted <= found and len(found - planted) <= 0.25 * len(planted), (len(planted), len(found))
    table = pd.read_csv(tmp_path / "out" / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    for endpoint in ("pfs", "os"):
        row = _row(table, endpoint, "MAPK-altered")
        assert row["n"] == 300 and row["n_altered"] == len(found)
        assert row["hr_lcl"] <= 2.0 <= row["hr_ucl"] and row["hr_lcl"] > 1.0, (endpoint, row["hr"])
        assert row["events"] == truth.loc[("MAPK-altered metastasis", endpoint.upper()), "n_events"]
    assert _row(table, "pfs", "MAPK-altered", "anti_her2=yes")["hr"] > 1
