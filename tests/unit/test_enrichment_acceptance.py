"""Issue 4, acceptance 2: over 20 simulated cohorts, the planted enrichment is found (q <= 0.1)
and the false discovery proportion among the reported genes stays at or under 0.1 on average.

Each cohort is ``metevo.simulate.simulate_cohort_tables(seed, patients=80, external_samples=300)``
(seeds 1..20): the cohort MAF's planted mutations with their truth read counts, the
samplesheet, the clinical table's subtypes, and the simulated external primary cohort (MAF,
sample list, subtypes). They go through the enrichment step's own functions in-process (MAF
reader, the step's call filters, per-patient units, paired/unpaired/external tables and the
enriched.tsv rule), not through ``metevo run``.

Truth (``truth/enrichment.tsv``): genes planted ``enriched_in_metastasis`` at gene level are ESR1
(HR+ patients treated with antiestrogens: 2% of primaries, 35% of metastases) and NF1, KRAS,
BRAF (HER2+ patients: the MAPK effect split over its genes, 10-18% of metastases); SHCBP1L is
``subtype_confounded`` (40% of HER2+ and 1% of other tumours, metastasis or not); every other
gene, including the long passenger genes that metastases carry more often because they carry
1.5-2x more mutations, has no planted effect. A reported gene is a true positive when it is
planted enriched_in_metastasis; FDP = false reported / max(1, reported).

The pathway-level MAPK enrichment (HER2+: 8% -> 40%) is a pathway feature, not a gene: it is
tested by :func:`metevo.pathways.pathway_enrichment` in tests/unit/test_pathways.py on the
simulator's cohort.

Sizes: 80 patients (about 20 HR+ metastasis units with an ESR1 hotspot against about 4 of 300
external primaries) give ESR1 a one-sided stratified burden p around 1e-5..1e-4, at the edge of
BH's 0.1/420 threshold when ESR1 is the only discovery: 60 patients found it in 18 of 20 cohorts,
80 in 19 of 20; the assertion asks for 16 of 20 (0.8). The MAPK genes (about 16 HER2+ patients,
10-18% of their metastases) are reported when found but have little power at this size.

Run with ``pytest -s`` to see the per-cohort numbers. Two worker processes; 40-90 s.
"""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

SEEDS = tuple(range(1, 21))
PATIENTS = 80
EXTERNAL = 300
FDR = 0.1


def _cohort_result(seed: int) -> dict:
    """One simulated cohort through the enrichment functions; what the assertions need."""
    from metevo import enrichment as E
    from metevo.cohort_compare import parse_classes
    from metevo.simulate import simulate_cohort_tables

    tables = simulate_cohort_tables(seed, patients=PATIENTS, external_samples=EXTERNAL)
    truth = tables.enrichment
    gene_rows = truth[truth["level"] == "gene"]
    planted = set(gene_rows.loc[gene_rows["planted_effect"] == "enriched_in_metastasis", "feature"])
    confounded = set(gene_rows.loc[gene_rows["planted_effect"] == "subtype_confounded", "feature"])
    classes = parse_classes(None)  # maftools' non-synonymous classes, the step's default
    read_filter = E.ReadFilter()  # the step's defaults: depth 10, alt 3, VAF 0.05
    with tempfile.TemporaryDirectory() as tmp:
        cohort_maf = Path(tmp) / "cohort.maf"
        tables.mutations.to_csv(cohort_maf, sep="\t", index=False)
        external_maf = Path(tmp) / "external.maf"
        tables.external_maf.to_csv(external_maf, sep="\t", index=False)
        calls, _ = E.filter_calls(E.read_maf_calls(cohort_maf, allow_empty=True), read_filter)
        ext_calls, ext_filter = E.filter_calls(E.read_maf_calls(external_maf), read_filter)
    clinical = tables.clinical
    patient_subtypes = {p: E.normalise_subtype(s) for p, s in zip(clinical["patient"], clinical["subtype"])}
    internal = E.internal_groups(calls, tables.samplesheet, classes=classes,
                                 patient_subtypes={p: s for p, s in patient_subtypes.items() if s})
    ext_clinical = tables.external_clinical
    ext_subtypes = {s: E.normalise_subtype(v) for s, v in zip(ext_clinical["sample"], ext_clinical["subtype"])}
    external = E.external_group(ext_calls, label="external", classes=classes, samples=tables.external_samples,
                                subtypes={s: v for s, v in ext_subtypes.items() if v})
    paired = E.paired_table(internal.primary, internal.metastasis)
    unpaired = E.unpaired_table(internal.metastasis, internal.primary)
    ext_table, by_subtype = E.external_tables(internal.metastasis, external, ext_filter=ext_filter)
    enriched = E.enriched_table(paired, unpaired, ext_table, by_subtype, fdr=FDR)
    plain = E.enriched_table(paired, unpaired, ext_table, by_subtype, fdr=FDR, burden=False)
    reported = set(enriched["gene"])
    comparisons = dict(zip(enriched["gene"], enriched["comparisons"]))
    ext = ext_table.set_index("gene")
    esr1 = ext.loc["ESR1"] if "ESR1" in ext.index else None
    plain_comparisons = dict(zip(plain["gene"], plain["comparisons"]))
    return {
        "seed": seed, "planted": planted, "confounded": confounded, "reported": reported,
        "false": reported - planted, "comparisons": comparisons,
        "strata": str(ext_table["cmh_strata"].iat[0]) if len(ext_table) else "",
        "plain_reported": set(plain["gene"]), "plain_false": set(plain["gene"]) - planted,
        "esr1_q": float(esr1["strat_q_burden_gained"]) if esr1 is not None else float("nan"),
        "esr1_counts": (int(esr1["cmh_met_mutated"]), int(esr1["cmh_met_total"]), int(esr1["cmh_ext_mutated"]),
                        int(esr1["cmh_ext_total"])) if esr1 is not None else None,
        "confounded_stratified": {g for g in confounded if "external_strat_burden" in comparisons.get(g, "")},
        "confounded_plain_overall": {g for g in confounded
                                     if "external:metastasis" in plain_comparisons.get(g, "").split(";")},
    }


@pytest.fixture(scope="module")
def cohorts():
    workers = max(1, min(2, os.cpu_count() or 1))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_cohort_result, SEEDS))
    print()
    print(f"{PATIENTS} patients, {EXTERNAL} external primaries, BH q <= {FDR}")
    print("seed  reported  false  FDP   ESR1 q (strat)  ESR1 met/ext in strata  plain: reported FDP   reported genes")
    for r in results:
        fdp = len(r["false"]) / max(1, len(r["reported"]))
        plain_fdp = len(r["plain_false"]) / max(1, len(r["plain_reported"]))
        counts = "{}/{} vs {}/{}".format(*r["esr1_counts"]) if r["esr1_counts"] else "-"
        genes = "; ".join(f"{g} ({r['comparisons'][g]})" for g in sorted(r["reported"]))
        print(f"{r['seed']:4d}  {len(r['reported']):8d}  {len(r['false']):5d}  {fdp:.2f}  {r['esr1_q']:14.2g}  "
              f"{counts:>22s}  {len(r['plain_reported']):8d} {plain_fdp:.2f}   {genes}")
    return results


def _fdp(result, reported="reported", false="false"):
    return len(result[false]) / max(1, len(result[reported]))


@pytest.mark.slow
def test_mean_false_discovery_proportion_at_most_fdr(cohorts):
    fdp = np.array([_fdp(r) for r in cohorts])
    plain = np.array([_fdp(r, "plain_reported", "plain_false") for r in cohorts])
    print(f"mean FDP {fdp.mean():.3f} (burden-aware rule); {plain.mean():.3f} with --no-burden")
    assert len(cohorts) == 20
    assert all(r["strata"] == "HR+/HER2-,HER2+,TNBC" for r in cohorts)  # the stratified test is the one used
    assert fdp.mean() <= FDR
    # the plain rule reports the burden-driven long genes: most of its genes are false (the
    # comparison that shows the burden-aware rule is what keeps the FDP down)
    assert plain.mean() > 0.5


@pytest.mark.slow
def test_esr1_is_found_in_most_cohorts(cohorts):
    found = [("ESR1" in r["reported"]) for r in cohorts]
    rate = float(np.mean(found))
    rates = {}
    for gene in sorted(cohorts[0]["planted"]):
        rates[gene] = float(np.mean([gene in r["reported"] for r in cohorts]))
    print("power per planted gene (reported in enriched.tsv): " + ", ".join(f"{g} {v:.2f}" for g, v in rates.items()))
    assert all(r["planted"] >= {"ESR1"} for r in cohorts)
    assert rate >= 0.8
    # where found, at q <= 0.1 on the metastasis side
    assert all(r["comparisons"]["ESR1"].endswith(":metastasis") for r in cohorts if "ESR1" in r["reported"])


@pytest.mark.slow
def test_subtype_confounded_gene_not_reported_within_strata(cohorts):
    assert all(r["confounded"] == {"SHCBP1L"} for r in cohorts)
    clean = float(np.mean([not r["confounded_stratified"] for r in cohorts]))
    naive = float(np.mean([bool(r["confounded_plain_overall"]) for r in cohorts]))
    print(f"SHCBP1L: not reported by the stratified external comparison in {clean:.2f} of cohorts; "
          f"the unstratified Fisher test (plain rule) reports it in {naive:.2f}")
    assert clean >= 0.9
