"""Germline variants: a population of polymorphisms, ClinVar labels, and pathogenic carriers.

A cohort shares one pool of polymorphic sites (allele frequencies 2-50%, genotypes in
Hardy-Weinberg proportions), so common variants recur across patients as they do in real
exomes. In the homologous-recombination genes the pool holds benign and likely-benign common
variants, rare variants of uncertain or conflicting significance, and a benign truncating
variant near the 3' end of BRCA2 (modelled on BRCA2 p.Lys3326Ter, ClinVar benign: a stop
codon that must not count as pathogenic).

About 8% of patients (at least one) carry a private pathogenic variant in BRCA1, BRCA2,
PALB2, ATM or CHEK2 (5-10% of metastatic breast cancers; Bertucci et al. 2019). Carriers
alternate between a ClinVar-labelled variant (Pathogenic or Likely_pathogenic; truncating or
missense) and an unlabelled truncating variant that only its consequence identifies.
"""

from __future__ import annotations

import numpy as np

from metevo.simulate.evolution import Occupancy
from metevo.simulate.model import GermlineGenotype, GermlineVariant, Patient
from metevo.simulate.reference import gene_by_name, gene_weights, load_genes
from metevo.simulate.variants import make_variant

HR_GENES = ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")
_HR_WEIGHTS = np.array([0.3, 0.3, 0.1, 0.15, 0.15])
CARRIER_FRACTION = 0.08
_COMMON_CLASSES = (("Missense_Mutation", 0.35), ("Silent", 0.30), ("Intron", 0.22), ("3'UTR", 0.08), ("5'UTR", 0.03),
                   ("In_Frame_Del", 0.02))
N_COMMON_SITES = 600


def _place(rng, occupancy: Occupancy, gene, wanted: str, region=None, tries: int = 50):
    for _ in range(tries):
        variant = make_variant(rng, gene, wanted, germline=True, region=region)
        if variant is not None and occupancy.free(variant):
            occupancy.take(variant)
            return variant
    return None


def population_pool(rng: np.random.Generator, occupancy: Occupancy) -> list[GermlineVariant]:
    """The cohort's polymorphic sites with population allele frequencies and ClinVar labels."""
    genes = [g for g in load_genes() if g.gene not in HR_GENES]
    weights = gene_weights(tuple(genes))
    labels = [c for c, _ in _COMMON_CLASSES]
    probs = np.array([p for _, p in _COMMON_CLASSES])
    pool: list[GermlineVariant] = []
    while len(pool) < N_COMMON_SITES:
        gene = genes[int(rng.choice(len(genes), p=weights))]
        variant = _place(rng, occupancy, gene, labels[int(rng.choice(len(labels), p=probs))], tries=1)
        if variant is None:
            continue
        af = round(float(rng.uniform(0.02, 0.5)), 4)
        clinvar = ("Benign" if rng.random() < 0.7 else "Likely_benign") if rng.random() < 0.15 else ""
        pool.append(GermlineVariant(variant, af, clinvar))
    by_name = gene_by_name()
    for name in HR_GENES:
        gene = by_name[name]
        for _ in range(3):
            wanted = "Missense_Mutation" if rng.random() < 0.5 else "Silent"
            variant = _place(rng, occupancy, gene, wanted)
            if variant is not None:
                label = "Benign" if rng.random() < 0.6 else "Likely_benign"
                pool.append(GermlineVariant(variant, round(float(rng.uniform(0.05, 0.35)), 4), label))
        for _ in range(2):
            variant = _place(rng, occupancy, gene, "Missense_Mutation")
            if variant is not None:
                label = "Uncertain_significance" if rng.random() < 0.6 else "Conflicting_interpretations_of_pathogenicity"
                pool.append(GermlineVariant(variant, round(float(rng.uniform(0.005, 0.03)), 4), label))
    brca2 = by_name["BRCA2"]
    tail = (brca2.cds_end - (brca2.cds_end - brca2.cds_start) // 30, brca2.cds_end)
    variant = _place(rng, occupancy, brca2, "Nonsense_Mutation", region=tail)
    if variant is not None:
        pool.append(GermlineVariant(variant, 0.03, "Benign"))
    return pool


def pathogenic_variants(rng: np.random.Generator, patients: list[Patient], occupancy: Occupancy) -> dict[str, GermlineVariant]:
    """Patient -> its private pathogenic HR-gene variant, for the chosen carriers."""
    n_carriers = max(1, int(round(CARRIER_FRACTION * len(patients))))
    chosen = sorted(int(i) for i in rng.choice(len(patients), size=min(n_carriers, len(patients)), replace=False))
    by_name = gene_by_name()
    out: dict[str, GermlineVariant] = {}
    for k, i in enumerate(chosen):
        gene = by_name[HR_GENES[int(rng.choice(len(HR_GENES), p=_HR_WEIGHTS))]]
        labelled = k % 2 == 0
        if labelled and rng.random() < 0.3:
            wanted = "Missense_Mutation"  # pathogenic missense: only ClinVar can tell
        else:
            wanted = ("Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site")[
                int(rng.choice(4, p=[0.4, 0.35, 0.15, 0.1]))]
        variant = None
        while variant is None:
            variant = _place(rng, occupancy, gene, wanted)
        clinvar = ("Pathogenic" if rng.random() < 0.6 else "Likely_pathogenic") if labelled else ""
        out[patients[i].patient] = GermlineVariant(variant, 0.0001, clinvar, pathogenic=True)
    return out


def normal_depth(rng: np.random.Generator, mean: float, size: int | None = None):
    """Exome read depth at a site: gamma-Poisson around the sample's mean (capture unevenness)."""
    return np.maximum(rng.poisson(rng.gamma(8.0, mean / 8.0, size=size)), 6)


def genotype_patient(rng: np.random.Generator, patient: Patient, pool: list[GermlineVariant],
                     pathogenic: GermlineVariant | None) -> list[GermlineGenotype]:
    """Hardy-Weinberg genotypes over the pool, plus the patient's pathogenic variant if any."""
    afs = np.array([g.population_af for g in pool])
    copies = rng.binomial(2, afs)
    carried = [(g, int(c)) for g, c in zip(pool, copies) if c > 0]
    if pathogenic is not None:
        carried.append((pathogenic, 1))
    mean = patient.normal.mean_depth
    out = []
    for germline, n_copies in carried:
        depth = int(normal_depth(rng, mean))
        alt = depth - int(rng.binomial(depth, 0.005)) if n_copies == 2 else int(rng.binomial(depth, 0.5))
        # the parental allele carrying a heterozygous variant: the tumors' allele-specific copy
        # number acts on it (the pathogenic variant sits on allele 0, the one HR-deficient
        # tumors keep)
        allele = 0 if germline.pathogenic or n_copies == 2 else int(rng.random() < 0.5)
        out.append(GermlineGenotype(patient.patient, germline, "hom" if n_copies == 2 else "het", depth, alt, allele))
    return out
