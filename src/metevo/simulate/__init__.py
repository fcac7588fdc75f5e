"""``metevo simulate``: a realistic metastatic breast cancer cohort and its planted truth.

:func:`simulate_cohort` builds the whole cohort in memory from one seeded
``numpy.random.default_rng`` passed down to every function (no global state), so a seed
fixes every byte; :func:`metevo.simulate.write.write_cohort` writes it. See
``docs/simulator.md`` for the model and its sources.
"""

from __future__ import annotations

import numpy as np

from metevo.simulate.cohort import assign_treatment_and_outcome, build_patients
from metevo.simulate.copynumber import CopyNumberModel, has_wgd, hr_plans, plan_events, ploidy
from metevo.simulate.evolution import Occupancy, build_tree, driver_plans, plant_somatic
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


def simulate_cohort(seed: int, n_patients: int = DEFAULT_PATIENTS) -> Cohort:
    """The cohort of ``n_patients`` patients drawn with ``seed``."""
    if n_patients < 1:
        raise ValueError("a cohort needs at least one patient")
    rng = np.random.default_rng(seed)
    patients = build_patients(rng, n_patients)
    for patient in patients:
        assign_treatment_and_outcome(rng, patient)
    cohort = Cohort(seed=seed, patients=patients, drivers=driver_plans())
    population = Occupancy()
    pool = population_pool(rng, population)
    carriers = pathogenic_variants(rng, patients, population)
    with_plasma = plasma_patients(rng, patients)
    plans = hr_plans(rng, patients, carriers)
    for patient in patients:
        occupancy = population.copy()
        tree = build_tree(rng, patient)
        cohort.trees[patient.patient] = tree
        plan = plans[patient.patient]
        events, scar = plan_events(rng, patient, tree, plan)
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
        mutations = plant_somatic(rng, patient, tree, cohort.drivers, occupancy, model, plan)
        offset = len(cohort.somatic)
        cohort.somatic.extend(mutations)
        genotypes = genotype_patient(rng, patient, pool, carriers.get(patient.patient))
        cohort.germline.extend(genotypes)
        observations = observe(rng, patient, tree, mutations, offset, model)
        cohort.observations.extend(observations)
        for sample in patient.tumors:
            records = call_true_variants(rng, sample, [o for o in observations if o.sample == sample.sample],
                                         mutations, offset)
            fp_records, artefacts = false_positives(rng, patient, sample, occupancy, genotypes)
            leaked = {a.variant.key for a in artefacts if a.kind == "germline_leakage"}
            artefacts += add_second_alleles(rng, records, mutations)
            records += fp_records + germline_records(rng, patient, sample, genotypes, leaked, model)
            cohort.calls.extend(records)
            cohort.artefacts.extend(artefacts)
    # Copy-number readouts, drawn after the whole cohort so the mutation calls above do not
    # depend on them: allele-specific segments as a caller reports them, sWGS bin counts of
    # every tumor, read-count WIGs of every plasma sample, and a panel of normals.
    for patient in patients:
        for sample in patient.tumors:
            cn = cohort.copy_number[sample.sample]
            cohort.segment_calls[sample.sample] = called_segments(rng, cn)
            cohort.bin_counts[sample.sample] = swgs_counts(rng, cn, sample.purity, sample.ploidy)
        for sample in patient.plasma:
            cohort.wig_counts[sample.sample] = plasma_counts(rng, cohort.copy_number[sample.sample], sample.purity)
    cohort.pon = panel_of_normals(rng)
    return cohort


__all__ = ["DEFAULT_PATIENTS", "Cohort", "simulate_cohort"]
