"""Germline step: ClinVar terms, the truncating rule, and recovery of planted carriers."""

from __future__ import annotations

import pandas as pd
import pytest

from metevo.germline import carries_alt, clinvar_class
from tests.conftest import metevo


@pytest.mark.parametrize(
    "clnsig, expected",
    [
        ("Pathogenic", "pathogenic"),
        ("Likely_pathogenic", "likely_pathogenic"),
        ("Pathogenic/Likely_pathogenic", "pathogenic"),
        ("Pathogenic|risk_factor", "pathogenic"),
        ("Likely_pathogenic,_low_penetrance", "likely_pathogenic"),
        ("Conflicting_interpretations_of_pathogenicity", "other"),
        ("Benign", "other"),
        ("Uncertain_significance", "other"),
        ("Benign/Likely_benign", "other"),
        ("", None),
        (".", None),
    ],
)
def test_clinvar_terms(clnsig, expected):
    assert clinvar_class(clnsig) == expected


@pytest.mark.parametrize("gt, carried", [("0/1", True), ("1|1", True), ("0/0", False), ("./.", False), ("0|.", False), ("1", True), ("", True)])
def test_genotype_carries_alt(gt, carried):
    assert carries_alt(gt) is carried


def test_every_planted_pathogenic_variant_and_nothing_else(small_cohort, tmp_path):
    truth = pd.read_csv(small_cohort / "truth" / "germline.tsv", sep="\t", dtype=str, keep_default_na=False)
    sheet = pd.read_csv(small_cohort / "samplesheet.csv", dtype=str, keep_default_na=False)
    found = []
    for _, row in sheet[sheet["germline_vcf"] != ""].iterrows():
        out = tmp_path / f"{row['patient']}.tsv"
        metevo("germline", "--patient", row["patient"], "--vcf", small_cohort / row["germline_vcf"], "--out", out)
        found.append(pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False))
    found = pd.concat(found)
    planted = truth[(truth["pathogenic"] == "yes") & truth["gene"].isin(["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2"])]
    assert len(planted) >= 1, "the simulated cohort must plant at least one carrier for this test to mean anything"
    key = ["patient", "chrom", "pos", "ref", "alt"]
    got = {tuple(r) for r in found[key].itertuples(index=False)}
    want = {tuple(r) for r in planted[key].itertuples(index=False)}
    assert got == want
    # benign or VUS variants in the same genes exist and are not reported
    others = truth[(truth["pathogenic"] == "no") & truth["gene"].isin(["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2"])]
    assert len(others) > 0
