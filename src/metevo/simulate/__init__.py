"""``metevo simulate``: a realistic metastatic breast cancer cohort and its planted truth.

:func:`simulate_cohort` builds the whole cohort in memory from seeded
``numpy.random.default_rng`` streams passed down to every function (no global state), so a
seed fixes every byte; :func:`metevo.simulate.write.write_cohort` writes it.
:func:`simulate_cohort_tables` gives the same cohort's biology and truth as tables, without
the assays, for many quick cohorts. The planted cohort-level effects live in
:mod:`metevo.simulate.effects`, the external primary cohort in :mod:`metevo.simulate.external`.
See ``docs/simulator.md`` for the model and its sources.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metevo.simulate.cohort import assign_treatment, build_patients
from metevo.simulate.copynumber import CopyNumberModel, has_wgd, hr_plans, plan_events, ploidy
from metevo.simulate.effects import DEFAULT_EFFECTS, CohortEffects, draw_outcome, plan_effects
from metevo.simulate.evolution import Occupancy, build_tree, driver_plans, plant_somatic
from metevo.simulate.external import simulate_external
from metevo.simulate.germline import genotype_patient, pathogenic_variants, population_pool
from metevo.simulate.model import Cohort
from metevo.simulate.plasma import plasma_patients, plasma_samples
from metevo.simulate.readdepth import panel_of_normals, plasma_counts, swgs_counts
from metevo.simulate.sequencing import (
    add_second_alleles,
    call_true_variants,
    false_positives,
    germline_records,
    observe,
)
from metevo.simulate.segments import called_segments

DEFAULT_PATIENTS = 24
DEFAULT_EXTERNAL_SAMPLES = 500


def _biology(seed: int, n_patients: int, external_samples: int, effects: CohortEffects | None):
    """Patients, planted effects, outcome, phylogenies, copy-number events, mutations and their
    truth read counts: everything but the assays (caller records, germline genotypes and the
    copy-number readouts), from ``default_rng(seed)``; the external cohort from its own stream
    ``default_rng([seed, 2])``. Returns (cohort, the main generator, the germline pool, carriers,
    per-patient state the assays need)."""
    if n_patients < 1:
        raise ValueError("a cohort needs at least one patient")
    if external_samples < 0:
        raise ValueError("external_samples must be 0 or more")
    effects = effects or DEFAULT_EFFECTS
    rng = np.random.default_rng(seed)
    patients = build_patients(rng, n_patients)
    for patient in patients:
        assign_treatment(rng, patient)
    plans = {p.patient: plan_effects(rng, p, effects) for p in patients}
    for patient in patients:
        draw_outcome(rng, patient, plans[patient.patient], effects)
    cohort = Cohort(seed=seed, patients=patients, drivers=driver_plans(), effects=effects, effect_plans=plans)
    population = Occupancy()
    pool = population_pool(rng, population)
    carriers = pathogenic_variants(rng, patients, population)
    with_plasma = plasma_patients(rng, patients)
    hr = hr_plans(rng, patients, carriers)
    state = {}
    for patient in patients:
        occupancy = population.copy()
        tree = build_tree(rng, patient)
        cohort.trees[patient.patient] = tree
        plan = hr[patient.patient]
        events, scar = plan_events(rng, patient, tree, plan, {effects.exclusive_region: plans[patient.patient].myc})
        model = CopyNumberModel(tree, events)
        cohort.hr_plans[patient.patient] = plan
        cohort.cn_events[patient.patient] = events
        cohort.scars[patient.patient] = scar
        if patient.patient in with_plasma:
            patient.samples.extend(plasma_samples(rng, patient))
        by_specimen = {}
        for sample in patient.tumors + patient.plasma:
            specimen = sample.lineage or sample.specimen
            if specimen not in by_specimen:
                by_specimen[specimen] = model.segments(specimen)
            cohort.copy_number[sample.sample] = by_specimen[specimen]
            sample.ploidy = round(ploidy(by_specimen[specimen]), 2)
            sample.wgd = has_wgd(model, specimen)
        mutations = plant_somatic(rng, patient, tree, cohort.drivers, occupancy, model, plan,
                                  plans[patient.patient], effects.controlled_genes)
        offset = len(cohort.somatic)
        cohort.somatic.extend(mutations)
        observations = observe(rng, patient, tree, mutations, offset, model)
        cohort.observations.extend(observations)
        state[patient.patient] = (occupancy, model, offset, mutations, observations)
    if external_samples:
        cohort.external = simulate_external(np.random.default_rng([seed, 2]), external_samples, effects)
    return cohort, rng, pool, carriers, state


def simulate_cohort(seed: int, n_patients: int = DEFAULT_PATIENTS, external_samples: int = DEFAULT_EXTERNAL_SAMPLES,
                    effects: CohortEffects | None = None) -> Cohort:
    """The cohort of ``n_patients`` patients (and an external primary cohort of
    ``external_samples``) drawn with ``seed``; ``effects``: the planted cohort effects
    (default :data:`metevo.simulate.effects.DEFAULT_EFFECTS`)."""
    cohort, rng, pool, carriers, state = _biology(seed, n_patients, external_samples, effects)
    # The assays: germline genotypes and caller records from their own stream, so the biology
    # above (and so simulate_cohort_tables) does not depend on them.
    calls_rng = np.random.default_rng([seed, 1])
    for patient in cohort.patients:
        occupancy, model, offset, mutations, observations = state[patient.patient]
        genotypes = genotype_patient(calls_rng, patient, pool, carriers.get(patient.patient))
        cohort.germline.extend(genotypes)
        for sample in patient.tumors:
            records = call_true_variants(calls_rng, sample, [o for o in observations if o.sample == sample.sample],
                                         mutations, offset)
            fp_records, artefacts = false_positives(calls_rng, patient, sample, occupancy, genotypes)
            leaked = {a.variant.key for a in artefacts if a.kind == "germline_leakage"}
            artefacts += add_second_alleles(calls_rng, records, mutations)
            records += fp_records + germline_records(calls_rng, patient, sample, genotypes, leaked, model)
            cohort.calls.extend(records)
            cohort.artefacts.extend(artefacts)
    # Copy-number readouts, drawn after the whole cohort so the mutation calls above do not
    # depend on them: allele-specific segments as a caller reports them, sWGS bin counts of
    # every tumor, read-count WIGs of every plasma sample, and a panel of normals.
    for patient in cohort.patients:
        for sample in patient.tumors:
            cn = cohort.copy_number[sample.sample]
            cohort.segment_calls[sample.sample] = called_segments(rng, cn)
            cohort.bin_counts[sample.sample] = swgs_counts(rng, cn, sample.purity, sample.ploidy)
        for sample in patient.plasma:
            cohort.wig_counts[sample.sample] = plasma_counts(rng, cohort.copy_number[sample.sample], sample.purity)
    cohort.pon = panel_of_normals(rng)
    return cohort


@dataclass
class CohortTables:
    """A simulated cohort as in-memory tables (no VCFs, copy-number files or caller records).

    Same seed, patients, external size and effects as ``metevo simulate`` give the same
    patients, samples, clinical table, planted mutations and truth as its files (the assays
    come from separate random streams). ``mutations`` is MAF-like: every planted mutation in
    every tumor sample carrying it, with its truth read counts (filter ``t_alt_count`` for a
    "called" set); ``external_maf`` is the external MAF as written (called mutations only),
    ``external_samples`` every external sample id (also those without mutations).
    """

    samplesheet: pd.DataFrame
    clinical: pd.DataFrame
    mutations: pd.DataFrame
    somatic: pd.DataFrame  # truth/somatic.tsv (callers_pass empty: no callers here)
    samples: pd.DataFrame  # truth/samples.tsv
    regions: pd.DataFrame  # truth/regions.tsv
    enrichment: pd.DataFrame  # truth/enrichment.tsv
    exclusivity: pd.DataFrame  # truth/exclusivity.tsv
    outcome: pd.DataFrame  # truth/outcome.tsv
    external_maf: pd.DataFrame | None
    external_samples: list[str]
    external_clinical: pd.DataFrame | None
    cohort: Cohort


def simulate_cohort_tables(seed: int, patients: int = DEFAULT_PATIENTS, external_samples: int = DEFAULT_EXTERNAL_SAMPLES,
                           effects: CohortEffects | None = None) -> CohortTables:
    """The cohort ``metevo simulate --seed SEED --patients PATIENTS --external-samples N`` writes,
    as tables, without the assays: many small cohorts in seconds (acceptance tests over seeds)."""
    from metevo.simulate import cn_tables, effects as fx, external, tables

    cohort, *_ = _biology(seed, patients, external_samples, effects)
    statuses = fx.tumor_statuses(cohort)
    somatic = tables.somatic_truth(cohort)
    ext = cohort.external
    return CohortTables(
        samplesheet=tables.samplesheet_table(cohort),
        clinical=tables.clinical_table(cohort),
        mutations=tables.mutation_maf(somatic, cohort),
        somatic=somatic,
        samples=tables.samples_truth(cohort),
        regions=cn_tables.regions_truth(cohort),
        enrichment=fx.enrichment_truth(statuses, cohort.effects),
        exclusivity=fx.exclusivity_truth(statuses, cohort.effects),
        outcome=fx.outcome_truth(cohort.patients, cohort.effect_plans, cohort.effects),
        external_maf=external.maf_table(ext) if ext is not None else None,
        external_samples=external.samples_list(ext) if ext is not None else [],
        external_clinical=external.clinical_table(ext) if ext is not None else None,
        cohort=cohort,
    )


__all__ = ["DEFAULT_EXTERNAL_SAMPLES", "DEFAULT_PATIENTS", "Cohort", "CohortEffects", "CohortTables", "simulate_cohort",
           "simulate_cohort_tables"]
