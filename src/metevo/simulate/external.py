"""An external primary-tumor cohort (like TCGA-BRCA): a GDC-style MAF, its sample list and a
clinical table, for comparing the internal metastases against published primaries.

Every patient has one sequenced primary tumor. Mutations are drawn by the same code as the
internal primaries (:func:`metevo.simulate.evolution.plant_somatic` with the same trunk drivers
and :func:`metevo.simulate.effects.plan_effects` for the cohort effects at their primary rates),
on a two-clone tree (clonal 50-75%, one subclone at CCF 0.2-0.6), with the internal primaries'
burden. The subtype mix is the external one (``CohortEffects.external_subtypes``: fewer HER2+
tumors than the internal cohort), so genes whose rate depends on subtype differ between the
cohorts without any metastasis effect. No copy number is modelled (diploid VAFs).

Like a real GDC MAF, the file lists called mutations only (at least 3 alternate reads and VAF
at least 0.04 out of gamma-Poisson depth around 60-140x), and a few samples have none
(``external_unsequenced``): they appear in ``samples.txt`` and not in the MAF, as TCGA
samples without mutations do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metevo.simulate.cohort import _receptors, allot
from metevo.simulate.effects import CohortEffects, EffectPlan, plan_effects
from metevo.simulate.evolution import P_NON_SYNONYMOUS, Occupancy, driver_plans, plant_somatic
from metevo.simulate.germline import normal_depth
from metevo.simulate.model import CloneNode, Patient, Sample, SomaticMutation
from metevo.simulate.reference import CHROM_ORDER, gene_by_name
from metevo.variants import vcf_to_maf

MIN_ALT = 3
MIN_VAF = 0.04

MAF_COLUMNS = (
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position", "End_Position", "Strand",
    "Variant_Classification", "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2",
    "dbSNP_RS", "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "HGVSc", "HGVSp", "HGVSp_Short",
    "Transcript_ID", "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count",
    "n_alt_count", "Consequence", "IMPACT",
)
CLINICAL_COLUMNS = ("sample", "patient", "subtype", "os_time", "os_event")


@dataclass
class ExternalCall:
    sample: str
    mutation: SomaticMutation
    t_depth: int
    t_alt_count: int
    n_depth: int
    n_alt_count: int


@dataclass
class ExternalCohort:
    patients: list[Patient]
    calls: list[ExternalCall] = field(default_factory=list)
    plans: dict[str, EffectPlan] = field(default_factory=dict)
    unsequenced: set[str] = field(default_factory=set)  # samples whose MAF has no mutation

    def sample_of(self, patient: Patient) -> Sample:
        return patient.tumors[0]


def simulate_external(rng: np.random.Generator, n_samples: int, effects: CohortEffects) -> ExternalCohort:
    """``n_samples`` primary tumors with the external subtype mix."""
    width = max(4, len(str(n_samples)))
    subtypes = allot(n_samples, effects.external_subtypes, rng)
    n_unsequenced = max(1, int(round(effects.external_unsequenced * n_samples))) if n_samples >= 10 else 0
    unsequenced = {int(i) for i in rng.choice(n_samples, size=n_unsequenced, replace=False)} if n_unsequenced else set()
    cohort = ExternalCohort([])
    controlled = effects.controlled_genes
    plans = driver_plans()
    for i, subtype in enumerate(subtypes):
        pid = f"EXT-{i + 1:0{width}d}"
        er, pr, her2 = _receptors(subtype, rng)
        age = int(np.clip(round(rng.normal(50 if subtype == "TNBC" else 58, 12)), 26, 90))
        patient = Patient(pid, "external_primary", subtype, er, pr, her2, age_at_diagnosis=age)
        sample = f"{pid}-01A"
        purity = round(float(np.clip(rng.beta(6, 4), 0.25, 0.95)), 2)
        patient.samples = [Sample(sample, pid, "primary", sample, 0.0, "breast", er_status=er, pr_status=pr,
                                  her2_status=her2, purity=purity, mean_depth=float(rng.uniform(60, 140)))]
        # Outcome from diagnosis, without any planted effect; TCGA-like heavy censoring.
        death = float(rng.exponential(effects.external_os_median / np.log(2)))
        followup = float(rng.uniform(*effects.external_followup))
        patient.os_time, patient.os_event = float(max(1, round(min(death, followup)))), int(death <= followup)
        cohort.patients.append(patient)
        if i in unsequenced:
            cohort.unsequenced.add(sample)
            continue
        # the internal primaries' burden (evolution.build_tree): log-normal, median 60 non-synonymous
        n_nonsyn = float(np.clip(np.exp(rng.normal(np.log(60), 0.35)) * (1.25 if subtype == "TNBC" else 1.0), 30, 120))
        clonal = rng.uniform(0.5, 0.75)
        ccf = round(float(rng.uniform(0.2, 0.6)), 3)
        tree = [CloneNode("trunk", {sample: 1.0}, max(1, int(round(n_nonsyn * clonal / P_NON_SYNONYMOUS)))),
                CloneNode(f"{sample}:subclone", {sample: ccf}, max(1, int(round(n_nonsyn * (1 - clonal) / P_NON_SYNONYMOUS))))]
        plan = plan_effects(rng, patient, effects)
        cohort.plans[pid] = plan
        mutations = plant_somatic(rng, patient, tree, plans, Occupancy(), effects=plan, controlled=controlled)
        nodes = {n.name: n for n in tree}
        tumor = patient.samples[0]
        for m in mutations:
            vaf = purity * nodes[m.node].ccf[sample] / 2
            depth = int(normal_depth(rng, tumor.mean_depth))
            alt = int(rng.binomial(depth, vaf))
            n_depth = int(normal_depth(rng, 70.0))
            n_alt = int(rng.binomial(n_depth, 0.001))
            if alt >= MIN_ALT and alt / depth >= MIN_VAF:
                cohort.calls.append(ExternalCall(sample, m, depth, alt, n_depth, n_alt))
    return cohort


def _maf_rows(cohort: ExternalCohort) -> list[tuple]:
    """The external MAF's rows as GDC writes them (MAF alleles and coordinates, ``chr`` names),
    in sample, then genome order."""
    genes = gene_by_name()
    keyed = []
    for call in cohort.calls:
        v = call.mutation.variant
        start, end, ref, alt, vtype = vcf_to_maf(v.pos, v.ref, v.alt)
        normal = call.sample.rsplit("-", 1)[0] + "-10A"
        row = (v.gene, "0", "SIM", "GRCh38", f"chr{v.chrom}", start, end, "+", v.variant_classification, vtype, ref,
               ref, alt, "novel", call.sample, normal, v.hgvsc, v.hgvsp, v.hgvsp_short, genes[v.gene].transcript_id,
               v.exon, call.t_depth, call.t_depth - call.t_alt_count, call.t_alt_count, call.n_depth,
               call.n_depth - call.n_alt_count, call.n_alt_count, v.consequence, v.impact)
        keyed.append(((call.sample, CHROM_ORDER[v.chrom], v.pos, ref, alt), row))
    keyed.sort(key=lambda item: item[0])
    return [row for _, row in keyed]


def maf_table(cohort: ExternalCohort) -> pd.DataFrame:
    """The external MAF as a table (the columns and rows of ``external/primary.maf``)."""
    return pd.DataFrame(_maf_rows(cohort), columns=list(MAF_COLUMNS))


def maf_text(cohort: ExternalCohort) -> str:
    lines = ["#version gdc-1.0.0", "\t".join(MAF_COLUMNS)]
    lines += ["\t".join(map(str, row)) for row in _maf_rows(cohort)]
    return "\n".join(lines) + "\n"


def samples_list(cohort: ExternalCohort) -> list[str]:
    return [cohort.sample_of(p).sample for p in cohort.patients]


def clinical_table(cohort: ExternalCohort) -> pd.DataFrame:
    rows = [(cohort.sample_of(p).sample, p.patient, p.subtype, f"{p.os_time:.0f}", str(p.os_event))
            for p in cohort.patients]
    return pd.DataFrame(rows, columns=list(CLINICAL_COLUMNS))
