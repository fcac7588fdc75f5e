"""Serial plasma (cfDNA) samples around relapse.

About a third of the patients with a primary tumor (at least one per cohort) give 2-4 plasma
samples: one or two before the first metastasis or recurrence is found (for relapses later
than five months), one at relapse (within two weeks) and, for most, one 3-12 months after. The
circulating tumor DNA carries the copy-number profile of that first metastatic lineage (the
first metastasis or recurrence, whose clone is already shedding before it is detected), so
metastasis-enriched events such as 1q21.3 amplification are visible in plasma before relapse
(Garcia-Murillas et al. 2015, Sci Transl Med 7:302ra133; Goh et al. 2017). Tumor fractions:
0.03-0.12 before relapse, 0.12-0.5 at relapse, 0.03-0.3 after (ichorCNA's detection range starts
near 0.03; Adalsteinsson et al. 2017, Nat Commun 8:1324).
"""

from __future__ import annotations

import numpy as np

from metevo.simulate.model import Patient, Sample

PLASMA_FRACTION = 0.35
TUMOR_FRACTION = {"before": (0.03, 0.12), "at": (0.12, 0.5), "after": (0.03, 0.3)}


def plasma_patients(rng: np.random.Generator, patients: list[Patient]) -> set[str]:
    """The patients (with a primary tumor) who give serial plasma samples."""
    eligible = [p.patient for p in patients if any(s.sample_type == "primary" for s in p.tumors)]
    if not eligible:
        return set()
    n = max(1, int(round(PLASMA_FRACTION * len(eligible))))
    return {eligible[int(i)] for i in rng.choice(len(eligible), size=n, replace=False)}


def plasma_samples(rng: np.random.Generator, patient: Patient) -> list[Sample]:
    """The patient's cfDNA samples (ids ``<patient>-C1..``, in time order), within follow-up."""
    later = sorted((s for s in patient.tumors if s.sample_type in ("metastasis", "recurrence")),
                   key=lambda s: (s.collection_time, s.sample))
    first = later[0]
    relapse = first.collection_time
    draws: list[tuple[float, str]] = []
    if relapse >= 150:
        draws.append((relapse - rng.uniform(60, min(400, relapse - 60)), "before"))
        if rng.random() < 0.3:
            draws.append((relapse - rng.uniform(min(400, relapse - 60), relapse - 30), "before"))
    draws.append((max(1.0, relapse + rng.uniform(-14, 14)), "at"))
    if rng.random() < 0.7:
        draws.append((relapse + rng.uniform(90, 360), "after"))
    out = []
    for time, timepoint in sorted(draws):
        tf = round(float(rng.uniform(*TUMOR_FRACTION[timepoint])), 3)
        if round(time) >= patient.followup_start + patient.os_time:  # no sample after death or the end of follow-up
            continue
        out.append(Sample("", patient.patient, "cfdna", "", float(round(time)), "plasma", purity=tf,
                          lineage=first.specimen, timepoint=timepoint))
    for k, sample in enumerate(out, start=1):
        sample.sample = f"{patient.patient}-C{k}"
    return out
