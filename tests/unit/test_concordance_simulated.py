"""Concordance on the planted truth of a simulated cohort (``metevo simulate``).

The simulator records every planted mutation of every tumour (truth/somatic.tsv) and the
planted burden (truth/samples.tsv: n_mutations, and n_coding by maftools' definition). Fed the
planted mutations as the MAF, the burden table must equal the planted counts, technical
replicates (one specimen) must be identical, and every pair of one patient's tumours must
share at least the patient's coding trunk mutations (the founder clone is in every tumour).
"""

from __future__ import annotations

import pandas as pd
import pytest

from metevo.cli import main
from metevo.concordance import NON_SYNONYMOUS_CLASSES, concordance
from metevo.io.samplesheet import read_samplesheet


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim") / "cohort"
    assert main(["simulate", "--outdir", str(folder), "--seed", "11", "--patients", "6"]) == 0
    truth = pd.read_csv(folder / "truth" / "somatic.tsv", sep="\t", dtype=str, keep_default_na=False)
    samples = pd.read_csv(folder / "truth" / "samples.tsv", sep="\t", dtype=str, keep_default_na=False)
    maf = pd.DataFrame({
        "Tumor_Sample_Barcode": truth["sample"], "Chromosome": truth["chrom"], "Start_Position": truth["pos"],
        "Reference_Allele": truth["ref"], "Tumor_Seq_Allele2": truth["alt"],
        "Variant_Classification": truth["variant_classification"],
    })
    result = concordance(read_samplesheet(folder / "samplesheet.csv").table, maf)
    return truth, samples, result


def test_burden_equals_planted_counts(simulated):
    _, samples, result = simulated
    planted = samples[samples["sample_type"] != "normal"].set_index("sample")
    burden = result.burden.set_index("sample")
    assert sorted(burden.index) == sorted(planted.index)
    assert (burden["n_coding"] == planted.loc[burden.index, "n_coding"].astype(int)).all()
    assert (burden["n_all"] == planted.loc[burden.index, "n_mutations"].astype(int)).all()


def test_planted_sharing(simulated):
    truth, _, result = simulated
    pairs = result.pairs
    coding_trunk = truth[(truth["origin"] == "trunk") & truth["variant_classification"].isin(NON_SYNONYMOUS_CLASSES)]
    trunk_per_patient = coding_trunk.groupby("patient")[["chrom", "pos", "ref", "alt"]].apply(
        lambda f: len(f.drop_duplicates()))
    within = pairs[pairs["pair_class"] != "unrelated"]
    assert len(within) > 0
    for row in within.itertuples():
        assert row.n_shared >= trunk_per_patient.get(row.patient_a, 0), row
    replicates = pairs[pairs["pair_class"] == "replicate"]
    assert len(replicates) and (replicates["jaccard"] == 1.0).all()
    assert (pairs["pair_class"] == "multi_region").any()
    tests = result.tests.set_index("comparison")
    assert tests.loc["jaccard: primary_metastasis > unrelated", "p_value"] < 1e-6
