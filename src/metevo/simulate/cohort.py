"""Patients, their samples and clinical course.

Proportions are those of metastatic breast cancer cohorts, rounded: receptor subtypes as in
population series (about 70% hormone-receptor positive, 15-20% HER2-positive, 15% triple
negative; Howlader et al. 2014, JNCI 106:dju055), metastasis-free intervals longer in HR+
than in triple-negative disease, and PR loss between primary and metastasis (the most common
receptor conversion; Schrijver et al. 2018, JNCI 110:568; ER and HER2 keep the patient's
subtype, the stratum of the planted cohort effects). Subtypes and patient designs are
allotted by largest remainder so that even a small cohort has every kind.
"""

from __future__ import annotations

import numpy as np

from metevo.simulate.model import Patient, Sample

SUBTYPES: tuple[tuple[str, float], ...] = (
    ("HR+/HER2-", 0.64), ("HR+/HER2+", 0.09), ("HR-/HER2+", 0.11), ("TNBC", 0.16),
)

# Sampling designs of a patient's tumors (normal always added).
DESIGNS: tuple[tuple[str, float], ...] = (
    ("primary_metastasis", 0.34),
    ("primary_recurrence", 0.12),
    ("primary_two_metastases", 0.14),
    ("multiregion_primary_metastasis", 0.12),
    ("replicate_primary_metastasis", 0.12),
    ("unpaired_metastasis", 0.16),
)
METASTATIC_SITES = ("liver", "bone", "lung", "brain", "lymph_node", "skin")
_SITE_WEIGHTS = np.array([0.24, 0.22, 0.18, 0.08, 0.20, 0.08])


def allot(n: int, proportions: tuple[tuple[str, float], ...], rng: np.random.Generator) -> list[str]:
    """``n`` labels in the given proportions (largest remainder), in random order.

    With at least as many items as labels, every label occurs at least once.
    """
    labels = [k for k, _ in proportions]
    exact = np.array([p for _, p in proportions]) * n
    counts = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]:
        counts[i] += 1
    if n >= len(labels):
        for i in range(len(labels)):
            if counts[i] == 0:
                counts[int(np.argmax(counts))] -= 1
                counts[i] = 1
    out = [label for label, c in zip(labels, counts) for _ in range(c)]
    return [out[i] for i in rng.permutation(len(out))]


def _status(positive: bool) -> str:
    return "positive" if positive else "negative"


def _receptors(subtype: str, rng: np.random.Generator) -> tuple[str, str, str]:
    hr = subtype.startswith("HR+")
    her2 = "HER2+" in subtype
    pr = hr and rng.random() < 0.8  # ER+/PR- is common among HR+ tumours
    return _status(hr), _status(pr), _status(her2)


def _convert(status: tuple[str, str, str], rng: np.random.Generator) -> tuple[str, str, str]:
    """Receptor status of a metastasis: PR loss in a quarter of PR-positive tumors (ER stays
    positive, so the tumor stays HR+). ER and HER2 do not convert here: every tumor of a patient
    keeps the patient's subtype, the stratum of the planted cohort effects."""
    er, pr, her2 = status
    if pr == "positive" and rng.random() < 0.25:
        pr = "negative"
    return er, pr, her2


def _purity(rng: np.random.Generator) -> float:
    return round(float(np.clip(rng.beta(6, 4), 0.25, 0.95)), 2)


def _months(rng: np.random.Generator, median_days: float, sigma: float = 0.6) -> float:
    return float(median_days * np.exp(sigma * rng.standard_normal()))


def build_patients(rng: np.random.Generator, n_patients: int) -> list[Patient]:
    """Patients with their samples (ids, types, sites, times, receptor status, purity)."""
    width = max(2, len(str(n_patients)))
    subtypes = allot(n_patients, SUBTYPES, rng)
    designs = allot(n_patients, DESIGNS, rng)
    patients = []
    for i in range(n_patients):
        pid = f"P{i + 1:0{width}d}"
        subtype, design = subtypes[i], designs[i]
        receptors = _receptors(subtype, rng)
        age = int(np.clip(round(rng.normal(50 if subtype == "TNBC" else 57, 11)), 27, 88))
        patient = Patient(pid, design, subtype, *receptors, age_at_diagnosis=age)
        patient.samples = _samples(rng, patient, receptors)
        patients.append(patient)
    return patients


def _samples(rng: np.random.Generator, patient: Patient, receptors: tuple[str, str, str]) -> list[Sample]:
    pid, design = patient.patient, patient.design
    # First progression: shorter for triple-negative disease; 1 in 10 are synchronous.
    median = {"TNBC": 500, "HR-/HER2+": 700}.get(patient.subtype, 1100)
    first = float(rng.uniform(0, 60)) if rng.random() < 0.1 else _months(rng, median)
    normal = Sample(f"{pid}-N", pid, "normal", "", 0.0, "blood", mean_depth=float(rng.uniform(40, 80)))
    samples = [normal]

    def tumor(sample_id, sample_type, specimen, time, site, status, purity, **extra):
        er, pr, her2 = status
        return Sample(sample_id, pid, sample_type, specimen, round(time), site, er_status=er, pr_status=pr,
                      her2_status=her2, purity=purity, mean_depth=float(rng.uniform(60, 200)), **extra)

    def metastasis(sample_id, time, site):
        return tumor(sample_id, "metastasis", sample_id, time, site, _convert(receptors, rng), _purity(rng))

    def met_site() -> str:
        return METASTATIC_SITES[int(rng.choice(len(METASTATIC_SITES), p=_SITE_WEIGHTS))]

    if design in ("primary_metastasis", "primary_two_metastases", "primary_recurrence"):
        samples.append(tumor(f"{pid}-P", "primary", f"{pid}-P", 0, "breast", receptors, _purity(rng)))
    if design == "multiregion_primary_metastasis":
        n_regions = 2 + int(rng.random() < 0.5)
        for r in range(1, n_regions + 1):
            samples.append(tumor(f"{pid}-P-R{r}", "primary", f"{pid}-P-R{r}", 0, "breast", receptors,
                                 _purity(rng), region_group=f"{pid}-P"))
    if design == "replicate_primary_metastasis":
        purity = _purity(rng)
        for rep in ("A", "B"):
            samples.append(tumor(f"{pid}-P-{rep}", "primary", f"{pid}-P", 0, "breast", receptors, purity,
                                 replicate_group=f"{pid}-P"))
    if design == "primary_recurrence":
        first = max(first, 120.0)  # a recurrence follows surgery
        samples.append(tumor(f"{pid}-R", "recurrence", f"{pid}-R", first, "breast", _convert(receptors, rng),
                             _purity(rng)))
    elif design == "primary_two_metastases":
        sites = rng.choice(len(METASTATIC_SITES), size=2, replace=False, p=_SITE_WEIGHTS)
        samples.append(metastasis(f"{pid}-M1", first, METASTATIC_SITES[int(sites[0])]))
        samples.append(metastasis(f"{pid}-M2", first + rng.uniform(0, 900), METASTATIC_SITES[int(sites[1])]))
    else:
        samples.append(metastasis(f"{pid}-M1", first, met_site()))
    return samples


def assign_treatment(rng: np.random.Generator, patient: Patient) -> None:
    """Therapies by subtype. Outcome (PFS, OS) is drawn by :func:`metevo.simulate.effects.draw_outcome`
    once the patient's planted effects are known."""
    hr, her2 = patient.hormone_receptor_positive, "HER2+" in patient.subtype
    chemo_p = {"TNBC": 0.92, "HR-/HER2+": 0.9, "HR+/HER2+": 0.85}.get(patient.subtype, 0.55)
    patient.chemotherapy = "unknown" if rng.random() < 0.03 else ("yes" if rng.random() < chemo_p else "no")
    patient.radiation = "unknown" if rng.random() < 0.03 else ("yes" if rng.random() < 0.65 else "no")
    patient.antiestrogen = "yes" if hr and rng.random() < 0.9 else "no"
    patient.anti_her2 = "yes" if her2 and rng.random() < 0.88 else "no"
