"""``metevo simulate``: a realistic metastatic breast cancer cohort and its planted truth.

:func:`simulate_cohort` builds the whole cohort in memory from one seeded
``numpy.random.default_rng`` passed down to every function (no global state), so a seed
fixes every byte; :func:`metevo.simulate.write.write_cohort` writes it. See
``docs/simulator.md`` for the model and its sources.
"""

from __future__ import annotations

import numpy as np

from metevo.simulate.cohort import assign_treatment_and_outcome, build_patients
from metevo.simulate.evolution import Occupancy, build_tree, driver_plans, plant_somatic
from metevo.simulate.germline import genotype_patient, pathogenic_variants, population_pool
from metevo.simulate.model import Cohort
from metevo.simulate.sequencing import (
    add_second_alleles,
    call_true_variants,
    false_positives,
    germline_records,
    observe,
)

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
    for patient in patients:
        occupancy = population.copy()
        tree = build_tree(rng, patient)
        cohort.trees[patient.patient] = tree
        mutations = plant_somatic(rng, patient, tree, cohort.drivers, occupancy)
        offset = len(cohort.somatic)
        cohort.somatic.extend(mutations)
        genotypes = genotype_patient(rng, patient, pool, carriers.get(patient.patient))
        cohort.germline.extend(genotypes)
        observations = observe(rng, patient, tree, mutations, offset)
        cohort.observations.extend(observations)
        for sample in patient.tumors:
            records = call_true_variants(rng, sample, [o for o in observations if o.sample == sample.sample],
                                         mutations, offset)
            fp_records, artefacts = false_positives(rng, patient, sample, occupancy, genotypes)
            leaked = {a.variant.key for a in artefacts if a.kind == "germline_leakage"}
            artefacts += add_second_alleles(rng, records, mutations)
            records += fp_records + germline_records(rng, patient, sample, genotypes, leaked)
            cohort.calls.extend(records)
            cohort.artefacts.extend(artefacts)
    return cohort


__all__ = ["DEFAULT_PATIENTS", "Cohort", "simulate_cohort"]
