"""Planted cohort-level effects of ``metevo simulate``, measured in what it writes.

The rates are counted from the mutation tables (planted mutations per tumor, not the truth's
own counts), the external MAF as written, and the clinical table; the hazard ratio is an
exponential rate ratio (events / time at risk) fitted here with numpy. Planted values come
from ``metevo.simulate.effects.CohortEffects`` defaults, restated here as numbers so that a
change of a default has to change this test too.
"""

from __future__ import annotations

import hashlib
from math import log, sqrt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.io.maf import MAFTOOLS_REQUIRED, read_maf
from metevo.io.tables import write_tsv
from metevo.simulate import simulate_cohort_tables
from metevo.simulate.variants import NON_SYNONYMOUS

MAPK_GENES = {"NF1", "KRAS", "BRAF", "ERBB2"}
NULL_GENES = ("CBFB", "RUNX1", "TBX3", "CTCF")
CONFOUNDED = "SHCBP1L"


@pytest.fixture(scope="module")
def large():
    """400 patients and 600 external primaries, as in-memory tables (the file writer's biology)."""
    return simulate_cohort_tables(23, patients=400, external_samples=600)


def _tumors(tables) -> pd.DataFrame:
    """One row per tumor: the patient's primary (regions and replicates together) and each
    metastasis or recurrence, with the genes of its non-synonymous mutations and driver labels."""
    sheet = tables.samplesheet
    samples = tables.samples.set_index("sample")
    clinical = tables.clinical.set_index("patient")
    muts = tables.mutations[tables.mutations["Variant_Classification"].isin(NON_SYNONYMOUS)]
    genes = muts.groupby("Tumor_Sample_Barcode")["Hugo_Symbol"].agg(set)
    labels = tables.mutations[tables.mutations["driver"] != ""].groupby("Tumor_Sample_Barcode")["driver"].agg(set)
    rows = []
    tumors = sheet[~sheet["sample_type"].isin(["normal", "cfdna"])]
    for patient, group in tumors.groupby("patient", sort=False):
        primary = group[group["sample_type"] == "primary"]
        units = ([("primary", list(primary["sample"]))] if len(primary) else [])
        later = group[group["sample_type"] != "primary"]
        for specimen, specimen_rows in later.groupby(samples.loc[later["sample"], "specimen"].to_numpy()):
            units.append(("metastasis", list(specimen_rows["sample"])))
        for kind, names in units:
            rows.append({
                "patient": patient, "kind": kind, "samples": names,
                "subtype": clinical.loc[patient, "subtype"], "antiestrogen": clinical.loc[patient, "antiestrogen"],
                "her2": group["her2_status"].iloc[0],
                "genes": set().union(*(genes.get(s, set()) for s in names)),
                "labels": set().union(*(labels.get(s, set()) for s in names)),
            })
    return pd.DataFrame(rows)


def _rate_ok(altered: int, n: int, p: float, sds: float = 4.0) -> bool:
    return abs(altered / n - p) <= sds * sqrt(p * (1 - p) / n) + 1.0 / n


def test_esr1_hotspots_rare_in_primaries_frequent_in_treated_metastases(large):
    tumors = _tumors(large)
    treated = tumors[tumors["subtype"].str.startswith("HR+") & (tumors["antiestrogen"] == "yes")]
    esr1 = treated["genes"].map(lambda g: "ESR1" in g)
    primary, metastasis = esr1[treated["kind"] == "primary"], esr1[treated["kind"] == "metastasis"]
    assert len(primary) > 150 and len(metastasis) > 200
    assert _rate_ok(primary.sum(), len(primary), 0.02) and _rate_ok(metastasis.sum(), len(metastasis), 0.35)
    assert metastasis.mean() > 0.25 and primary.mean() < 0.06
    # every non-synonymous ESR1 mutation is a planted hotspot, and never in an HR- patient
    esr1_rows = large.mutations[(large.mutations["Hugo_Symbol"] == "ESR1")
                                & large.mutations["Variant_Classification"].isin(NON_SYNONYMOUS)]
    assert set(esr1_rows["HGVSp_Short"]) <= {"p.D538G", "p.Y537S", "p.Y537N", "p.Y537C", "p.L536H", "p.E380Q"}
    assert esr1_rows["subtype"].str.startswith("HR+").all()
    # the writer's truth counts the same tumors
    truth = large.enrichment.set_index(["feature", "stratum"]).loc[("ESR1", "HR+ antiestrogen")]
    assert (truth["n_primary"], truth["n_primary_altered"]) == (len(primary), primary.sum())
    assert (truth["n_metastasis"], truth["n_metastasis_altered"]) == (len(metastasis), metastasis.sum())


def test_mapk_alterations_enriched_in_her2_positive_metastases_only(large):
    tumors = _tumors(large)
    mapk = tumors["genes"].map(lambda g: bool(g & MAPK_GENES))
    her2 = tumors["her2"] == "positive"
    for positive, (p_primary, p_metastasis) in ((True, (0.08, 0.40)), (False, (0.04, 0.04))):
        sel = her2 == positive
        primary, metastasis = mapk[sel & (tumors["kind"] == "primary")], mapk[sel & (tumors["kind"] == "metastasis")]
        assert _rate_ok(primary.sum(), len(primary), p_primary), (positive, primary.mean())
        assert _rate_ok(metastasis.sum(), len(metastasis), p_metastasis), (positive, metastasis.mean())
    assert mapk[her2 & (tumors["kind"] == "metastasis")].mean() > 0.28
    # no ERBB2 point mutation where ERBB2 is amplified (HER2+): the amplification is the alteration
    assert not any("ERBB2" in g for g in tumors.loc[her2, "genes"])


def test_null_genes_equal_in_primaries_and_metastases_and_confounded_gene_follows_subtype(large):
    tumors = _tumors(large)
    for gene in NULL_GENES:
        hit = tumors["genes"].map(lambda g, gene=gene: gene in g)
        for kind in ("primary", "metastasis"):
            sel = hit[tumors["kind"] == kind]
            assert _rate_ok(sel.sum(), len(sel), 0.06), (gene, kind, sel.mean())
    # private null-gene mutations go both ways (a paired test has discordant pairs on each side)
    muts = large.mutations[large.mutations["Hugo_Symbol"].isin(NULL_GENES)]
    private = muts[muts["origin"] == "private"]
    assert (private["sample_type"] == "primary").sum() > 5 and (private["sample_type"] != "primary").sum() > 5
    hit = tumors["genes"].map(lambda g: CONFOUNDED in g)
    her2 = tumors["her2"] == "positive"
    for positive, rate in ((True, 0.40), (False, 0.01)):
        for kind in ("primary", "metastasis"):
            sel = hit[(her2 == positive) & (tumors["kind"] == kind)]
            assert _rate_ok(sel.sum(), len(sel), rate), (positive, kind, sel.mean())


def test_esr1_and_myc_amplification_never_in_one_patient(large):
    tumors = _tumors(large)
    regions = large.regions
    myc_samples = set(regions.loc[(regions["region"] == "MYC") & (regions["planted_event"] == "MYC amplification"), "sample"])
    tumors["myc"] = tumors["samples"].map(lambda names: bool(set(names) & myc_samples))
    tumors["esr1"] = tumors["genes"].map(lambda g: "ESR1" in g)
    per_patient = tumors.groupby("patient")[["myc", "esr1"]].any()
    assert (per_patient["myc"] & per_patient["esr1"]).sum() == 0
    # ...although both are common among treated HR+ metastases: independence would give many
    treated = tumors[tumors["subtype"].str.startswith("HR+") & (tumors["antiestrogen"] == "yes")
                     & (tumors["kind"] == "metastasis")]
    expected = treated["myc"].mean() * treated["esr1"].mean() * len(treated)
    assert expected > 15 and treated["myc"].mean() > 0.18
    truth = large.exclusivity.set_index("relation")
    assert truth.loc["mutually_exclusive", "n_both"] == 0 and truth.loc["mutually_exclusive", "n_patients_both"] == 0
    assert truth.loc["independent", "n_both"] > 0


def test_mapk_altered_metastasis_doubles_the_hazard(large):
    tumors = _tumors(large)
    later = tumors[tumors["kind"] == "metastasis"]
    altered = later.groupby("patient")["genes"].agg(lambda gs: any(g & MAPK_GENES for g in gs))
    clinical = large.clinical.set_index("patient")
    x = altered.reindex(clinical.index).to_numpy()
    assert 30 < x.sum() < 90
    for endpoint in ("pfs", "os"):
        time = clinical[f"{endpoint}_time"].astype(float).to_numpy()
        event = clinical[f"{endpoint}_event"].astype(int).to_numpy()
        rate = [event[g].sum() / time[g].sum() for g in (x, ~x)]  # exponential MLE per group
        log_hr = log(rate[0] / rate[1])
        se = sqrt(1 / event[x].sum() + 1 / event[~x].sum())
        assert abs(log_hr - log(2)) < 3 * se, (endpoint, np.exp(log_hr), se)
        assert 1.4 < np.exp(log_hr) < 2.9
    censored = 1 - clinical["os_event"].astype(int).to_numpy()[~x].mean()
    assert 0.22 < censored < 0.38
    # baseline: exponential with median 800 days (OS) for the unaltered
    time, event = clinical["os_time"].astype(float).to_numpy()[~x], clinical["os_event"].astype(int).to_numpy()[~x]
    assert 650 < log(2) / (event.sum() / time.sum()) < 980


def test_external_cohort_primary_rates_and_a_subtype_mix_of_its_own(large):
    maf, samples, clinical = large.external_maf, large.external_samples, large.external_clinical
    assert len(samples) == 600 == len(clinical) and list(clinical["sample"]) == samples
    with_mutations = set(maf["Tumor_Sample_Barcode"])
    assert with_mutations < set(samples) and 5 <= len(set(samples) - with_mutations) <= 40
    her2_external = clinical["subtype"].str.contains("HER2+", regex=False).mean()
    her2_internal = large.clinical["subtype"].str.contains("HER2+", regex=False).mean()
    assert her2_external < 0.1 and her2_internal > 0.17
    nonsyn = maf[maf["Variant_Classification"].isin(NON_SYNONYMOUS)]
    genes = nonsyn.groupby("Tumor_Sample_Barcode")["Hugo_Symbol"].agg(set).reindex(samples)
    genes = genes.map(lambda g: g if isinstance(g, set) else set())
    subtype = clinical.set_index("sample")["subtype"].reindex(samples)
    her2 = subtype.str.contains("HER2+", regex=False)
    sequenced = genes.index.isin(list(with_mutations))
    hit = genes.map(lambda g: CONFOUNDED in g)
    assert _rate_ok(hit[her2 & sequenced].sum(), (her2 & sequenced).sum(), 0.40)
    esr1 = genes.map(lambda g: "ESR1" in g)
    hr = subtype.str.startswith("HR+")
    assert _rate_ok(esr1[hr & sequenced].sum(), (hr & sequenced).sum(), 0.02)
    # the naive comparison: internal metastases vs external primaries, ignoring subtype
    tumors = _tumors(large)
    metastasis = tumors[tumors["kind"] == "metastasis"]["genes"].map(lambda g: CONFOUNDED in g).mean()
    assert metastasis > 1.8 * hit[sequenced].mean()
    # the same burden as the internal primaries (non-synonymous calls per sequenced sample)
    per_sample = nonsyn.groupby("Tumor_Sample_Barcode").size()
    assert 45 <= per_sample.median() <= 75


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_files_are_deterministic_and_the_tables_match_them(tmp_path):
    for name in ("a", "b"):
        assert main(["simulate", "--outdir", str(tmp_path / name), "--seed", "4", "--patients", "5",
                     "--external-samples", "40"]) == 0
    a, b = _digest(tmp_path / "a"), _digest(tmp_path / "b")
    assert a == b
    assert {"external/primary.maf", "external/samples.txt", "external/clinical.tsv", "truth/enrichment.tsv",
            "truth/exclusivity.tsv", "truth/outcome.tsv"} <= set(a)
    out = tmp_path / "a"
    params = (out / "params.yaml").read_text()
    assert "external_maf: external/primary.maf" in params and "external_clinical: external/clinical.tsv" in params
    # the in-memory tables are the same cohort
    tables = simulate_cohort_tables(4, patients=5, external_samples=40)
    for name in ("enrichment", "exclusivity", "outcome", "somatic"):
        write_tsv(getattr(tables, name), tmp_path / f"{name}.tsv")
        written = (out / "truth" / f"{name}.tsv").read_text()
        if name == "somatic":  # no callers in the tables: callers_pass is empty there
            written = "\n".join(line.rsplit("\t", 6)[0] for line in written.splitlines())
            ours = "\n".join(line.rsplit("\t", 6)[0] for line in (tmp_path / "somatic.tsv").read_text().splitlines())
            assert written == ours
        else:
            assert (tmp_path / f"{name}.tsv").read_text() == written, name
    clinical = pd.read_csv(out / "clinical.csv", dtype=str, keep_default_na=False)
    assert clinical.equals(tables.clinical)
    # the external MAF reads as a MAF (maftools' required columns), with GDC chr names
    maf = read_maf(out / "external" / "primary.maf", required=MAFTOOLS_REQUIRED)
    assert len(maf) == len(tables.external_maf) and set(maf["Tumor_Sample_Barcode"]) <= set(
        (out / "external" / "samples.txt").read_text().split())
    assert (out / "external" / "primary.maf").read_text().splitlines()[2].split("\t")[4].startswith("chr")


def test_run_accepts_the_external_keys_of_params_yaml(tmp_path):
    from argparse import Namespace

    from metevo.steps.run import _apply_params_file

    path = tmp_path / "params.yaml"
    path.write_text("input: s.csv\nexternal_maf: external/primary.maf\nexternal_samples: external/samples.txt\n"
                    "external_clinical: external/clinical.tsv\n")
    args = Namespace(params_file=str(path), **{k: None for k in (
        "samplesheet", "clinical", "genome", "fasta", "min_callers", "min_depth", "min_alt", "min_vaf", "max_normal_vaf",
        "min_normal_depth", "germline_genes", "bin_annotation", "bin_size", "mappability", "blacklist", "cfdna_gc",
        "cfdna_map", "cfdna_pon", "regions", "external_maf", "external_samples", "external_clinical")})
    _apply_params_file(args)
    assert args.samplesheet == str(tmp_path / "s.csv")
    # the external cohort reaches metevo run (ENRICHMENT), resolved against the params file's folder
    assert args.external_maf == str(tmp_path / "external" / "primary.maf")
    assert args.external_clinical == str(tmp_path / "external" / "clinical.tsv")
