"""metevo enrichment end to end: a simulated cohort through ``metevo run`` (its cohort MAF)
against TCGA-BRCA (Firehose MAF, 977 samples) as the external primary cohort, subtypes from
TCGA's ER/PR/HER2 columns. The TCGA side's per-gene counts, overall and within subtype, must
equal counts made here with the csv module: distinct samples per gene among maftools'
non-synonymous rows that pass depth >= 10, alt = round(VAF x depth) >= 3 and VAF >= 0.05.

Skipped when ../shared is absent, unless METEVO_REQUIRE_SHARED=1.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pytest

from metevo.cli import main
from tests.tcga import CLINICAL, MAF, NONSYN, load_tcga

GENES = ("TP53", "PIK3CA", "CDH1", "GATA3", "MAP3K1")


def _tcga_subtype(row):
    """IHC/ISH receptor groups written out here: HER2+ if IHC or ISH positive; HER2- if either
    negative; then ER or PR positive -> HR+/HER2-, both negative -> TNBC."""
    her2 = {row["lab_proc_her2_neu_immunohistochemistry_receptor_status"],
            row["lab_procedure_her2_neu_in_situ_hybrid_outcome_type"]}
    er, pr = row["breast_carcinoma_estrogen_receptor_status"], row["breast_carcinoma_progesterone_receptor_status"]
    if "Positive" in her2:
        return "HER2+"
    if "Negative" not in her2:
        return ""
    if "Positive" in (er, pr):
        return "HR+/HER2-"
    if er == "Negative" and pr == "Negative":
        return "TNBC"
    return ""


@pytest.fixture(scope="module")
def tcga():
    rows, clinical = load_tcga()
    return rows, {r["Tumor_Sample_Barcode"]: _tcga_subtype(r) for r in clinical}


@pytest.fixture(scope="module")
def result(tcga, tmp_path_factory):
    base = tmp_path_factory.mktemp("enrichment_tcga")
    sim, res, out = base / "X", base / "R", base / "E"
    assert main(["simulate", "--outdir", str(sim), "--seed", "3", "--patients", "12"]) == 0
    # the cohort MAF is all this test needs; later tasks of the run are not its concern
    main(["run", "--params-file", str(sim / "params.yaml"), "--outdir", str(res), "--quiet"])
    cohort = res / "merge_mafs" / "cohort.maf"
    assert cohort.is_file(), "metevo run did not write merge_mafs/cohort.maf"
    rc = main(["enrichment", "--maf", str(cohort), "--samplesheet", str(sim / "samplesheet.csv"),
               "--clinical", str(sim / "clinical.csv"), "--external-maf", str(MAF), "--external-clinical",
               str(CLINICAL), "--external-label", "TCGA", "--outdir", str(out)])
    assert rc == 0
    return out


def _passes(row):
    depth = float(row["t_depth"]) if row["t_depth"] else None
    vaf = float(row["t_vaf"]) if row["t_vaf"] else None
    if depth is not None and depth < 10:
        return False
    if depth is not None and vaf is not None and round(vaf * depth) < 3:
        return False
    return vaf is None or vaf >= 0.05


def test_tcga_counts_equal_a_direct_count(tcga, result):
    rows, subtype = tcga
    samples = {r["Tumor_Sample_Barcode"] for r in rows}
    mutated = defaultdict(set)
    for r in rows:
        if r["Variant_Classification"] in NONSYN and _passes(r):
            mutated[r["Hugo_Symbol"]].add(r["Tumor_Sample_Barcode"])
    ext = pd.read_csv(result / "external.tsv", sep="\t", keep_default_na=False, na_values=[""]).set_index("gene")
    assert len(samples) == 977 and (ext["ext_total"] == 977).all()
    assert (ext["external"] == "TCGA").all() and (ext["ext_refiltered"] == "yes").all()
    for gene in GENES:
        assert ext.at[gene, "ext_mutated"] == len(mutated[gene]), gene
    # the filter removes calls: some gene loses samples against an unfiltered count
    unfiltered = defaultdict(set)
    for r in rows:
        if r["Variant_Classification"] in NONSYN:
            unfiltered[r["Hugo_Symbol"]].add(r["Tumor_Sample_Barcode"])
    assert sum(len(unfiltered[g]) - len(mutated[g]) for g in unfiltered) > 100
    # and the genes that lose the most samples to it are counted after filtering
    losers = sorted((g for g in unfiltered if len(mutated[g]) >= 3), key=lambda g: (len(mutated[g]) - len(unfiltered[g]), g))[:10]
    assert all(len(mutated[g]) < len(unfiltered[g]) for g in losers)
    for gene in losers:
        assert ext.at[gene, "ext_mutated"] == len(mutated[gene]), gene
    by = pd.read_csv(result / "external_by_subtype.tsv", sep="\t", keep_default_na=False, na_values=[""])
    by = by.set_index(["subtype", "gene"])
    for name in ("HR+/HER2-", "HER2+", "TNBC"):
        members = {s for s in samples if subtype.get(s) == name}
        assert len(members) > 100
        for gene in GENES:
            row = by.loc[(name, gene)]
            assert row.ext_total == len(members), (name, gene)
            assert row.ext_mutated == len(mutated[gene] & members), (name, gene)
    # TP53 is the TNBC gene of TCGA (about 80% of basal-like tumours), PIK3CA the HR+ one
    tnbc = by.loc[("TNBC", "TP53")]
    hr = by.loc[("HR+/HER2-", "TP53")]
    assert tnbc.ext_mutated / tnbc.ext_total > 0.6 > 0.3 > hr.ext_mutated / hr.ext_total
    assert by.loc[("HR+/HER2-", "PIK3CA")].ext_mutated / by.loc[("HR+/HER2-", "PIK3CA")].ext_total > 0.35
    cmh = ext.loc["TP53"]
    assert cmh.cmh_strata == "HR+/HER2-,HER2+,TNBC"
    assert cmh.cmh_ext_total == sum(1 for s in samples if subtype.get(s))


def test_outputs_and_summary(result):
    names = sorted(p.name for p in result.iterdir())
    assert names == ["enriched.tsv", "external.tsv", "external_by_subtype.tsv", "paired.tsv", "summary.tsv", "unpaired.tsv"]
    summary = dict(pd.read_csv(result / "summary.tsv", sep="\t", keep_default_na=False).itertuples(index=False))
    assert int(summary["paired_patients"]) > 0 and summary["external_samples"] == "977"
    paired = pd.read_csv(result / "paired.tsv", sep="\t")
    assert len(paired) > 0 and (paired["n_pairs"] == int(summary["paired_patients"])).all()
    assert ((paired["both"] + paired["met_only"] + paired["primary_only"] + paired["neither"]) == paired["n_pairs"]).all()
