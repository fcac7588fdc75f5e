"""Reads and calls: the planted mutations as three somatic callers report them.

Truth read counts: tumor depth is gamma-Poisson around the sample's mean coverage (60-200x)
scaled by the local DNA content (purity x total_cn + 2 (1 - purity)) / (purity x ploidy +
2 (1 - purity)), the alternate count binomial with VAF = purity x CCF x multiplicity /
(purity x total_cn + 2 (1 - purity)) (algorithms.md 8.1; multiplicity and copy number from
:mod:`metevo.simulate.copynumber`). Each caller then counts the same reads its own way (a few reads lost to its
own quality filters, so depths and alt counts differ slightly between callers) and detects a
variant with a probability that rises with its alt count (and, for VarScan2, with VAF: its
somatic mode requires a minimum variant frequency of about 8%). Strelka2 and VarScan2 find
fewer indels. Misses near the limit are often written with a failing filter instead
(Mutect2 ``weak_evidence``, Strelka2 ``LowEVS``).

False positives: low-VAF artefacts mostly private to one caller, a few shared by two callers,
germline heterozygous sites leaking into the somatic calls (normal VAF about 0.5, removed by
a normal-VAF filter), Mutect2 ``germline``-filtered records, VarScan2's germline (SS=1) and LOH
(SS=3) records, and occasional Mutect2 multi-allelic records whose second allele is an artefact.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metevo.simulate.copynumber import CopyNumberModel
from metevo.simulate.evolution import Occupancy, draw_passenger
from metevo.simulate.germline import normal_depth
from metevo.simulate.model import (
    CALLERS,
    Artefact,
    CallerRecord,
    CloneNode,
    GermlineGenotype,
    Observation,
    Patient,
    Sample,
    SomaticMutation,
)
from metevo.simulate.reference import gene_by_name
from metevo.simulate.variants import substitution_at

ARTEFACT_CLASSES = (("Missense_Mutation", 0.5), ("Silent", 0.2), ("Intron", 0.15), ("Nonsense_Mutation", 0.03),
                    ("3'UTR", 0.04), ("Frame_Shift_Del", 0.05), ("Frame_Shift_Ins", 0.03))


@dataclass(frozen=True)
class CallerProfile:
    name: str
    read_loss: float  # fraction of reads the caller's own filters drop
    alt_read_loss: float
    sensitivity_snv: float
    sensitivity_indel: float
    alt_half: float  # alt count at which half of the variants are detected
    alt_width: float
    vaf_half: float  # 0: no VAF threshold
    artefacts_pass: float  # mean number of passing caller-specific artefacts per sample
    artefacts_filtered: float  # mean number of filtered artefact records per sample
    filtered_misses: float  # fraction of missed true variants (alt >= 2) written with a failing filter


PROFILES: dict[str, CallerProfile] = {
    "mutect2": CallerProfile("mutect2", 0.02, 0.02, 0.995, 0.95, 2.8, 0.7, 0.0, 3.0, 6.0, 0.6),
    "strelka2": CallerProfile("strelka2", 0.04, 0.04, 0.99, 0.82, 3.5, 0.8, 0.0, 5.0, 4.0, 0.5),
    "varscan2": CallerProfile("varscan2", 0.06, 0.07, 0.985, 0.78, 4.0, 1.0, 0.07, 8.0, 0.0, 0.0),
}
FAIL_FILTER = {"mutect2": "weak_evidence", "strelka2": "LowEVS"}
_MUTECT_ARTEFACT_FILTERS = (("weak_evidence", 0.5), ("strand_bias", 0.2), ("orientation", 0.15),
                            ("base_qual", 0.1), ("clustered_events", 0.05))


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + np.exp(-x))


def tumor_depth(rng: np.random.Generator, mean: float) -> int:
    return int(normal_depth(rng, mean))


def _thin(rng: np.random.Generator, n: int, loss: float) -> int:
    return n - int(rng.binomial(n, loss)) if n > 0 else 0


def caller_counts(rng: np.random.Generator, profile: CallerProfile, t_depth: int, t_alt: int, n_depth: int,
                  n_alt: int) -> tuple[int, int, int, int]:
    """The caller's own (tumor depth, tumor alt, normal depth, normal alt)."""
    td = _thin(rng, t_depth, profile.read_loss)
    ta = min(_thin(rng, t_alt, profile.alt_read_loss), td)
    nd = _thin(rng, n_depth, profile.read_loss)
    na = min(_thin(rng, n_alt, profile.alt_read_loss), nd)
    return td, ta, nd, na


def detection_probability(profile: CallerProfile, alt: int, depth: int, indel: bool) -> float:
    p = (profile.sensitivity_indel if indel else profile.sensitivity_snv) * _logistic((alt - profile.alt_half) / profile.alt_width)
    if profile.vaf_half > 0:
        p *= _logistic((alt / max(depth, 1) - profile.vaf_half) / 0.015)
    return float(p)


def dna_content(purity: float, total_cn: int, ploidy: float) -> float:
    """Relative amount of DNA at a locus of copy number ``total_cn``: sequencing depth scales with it."""
    return (purity * total_cn + 2 * (1 - purity)) / (purity * ploidy + 2 * (1 - purity))


def expected_vaf(purity: float, ccf: float, multiplicity: int, total_cn: int) -> float:
    """f = p c m / (p N_t + 2 (1 - p)) (algorithms.md 8.1; normal copy number 2)."""
    return purity * ccf * multiplicity / (purity * total_cn + 2 * (1 - purity))


def observe(rng: np.random.Generator, patient: Patient, tree: list[CloneNode], mutations: list[SomaticMutation],
            offset: int, cn: CopyNumberModel | None = None) -> list[Observation]:
    """Truth read counts of every planted mutation in every tumor sample that carries it."""
    nodes = {n.name: n for n in tree}
    normal = patient.normal
    out = []
    for sample in patient.tumors:
        ploidy = sample.ploidy or 2.0
        for i, m in enumerate(mutations):
            ccf = nodes[m.node].ccf.get(sample.specimen, 0.0)
            if ccf <= 0:
                continue
            v = m.variant
            if cn is not None:
                a0, a1, mult = cn.state(sample.specimen, v.chrom, v.pos, m.node, m.time, m.allele)
            else:
                a0, a1, mult = 1, 1, 1
            total = a0 + a1
            vaf = expected_vaf(sample.purity, ccf, mult, total)
            depth = tumor_depth(rng, sample.mean_depth * dna_content(sample.purity, total, ploidy))
            alt = int(rng.binomial(depth, vaf))
            n_depth = int(normal_depth(rng, normal.mean_depth))
            n_alt = int(rng.binomial(n_depth, 0.001))
            out.append(Observation(sample.sample, offset + i, ccf, vaf, depth, alt, n_depth, n_alt,
                                   mult, total, max(a0, a1), min(a0, a1)))
    return out


def call_true_variants(rng: np.random.Generator, sample: Sample, observations: list[Observation],
                       mutations: list[SomaticMutation], offset: int) -> list[CallerRecord]:
    """Each caller's records (passing or not) of the planted mutations of one sample."""
    records = []
    for obs in observations:
        variant = mutations[obs.mutation - offset].variant
        for caller in CALLERS:
            profile = PROFILES[caller]
            td, ta, nd, na = caller_counts(rng, profile, obs.t_depth, obs.t_alt_count, obs.n_depth, obs.n_alt_count)
            p = detection_probability(profile, ta, td, variant.is_indel)
            if rng.random() < p:
                filt = "PASS"
                if caller == "mutect2" and rng.random() < 0.005:
                    filt = ("strand_bias", "clustered_events", "orientation")[int(rng.integers(3))]
            elif ta >= 2 and rng.random() < profile.filtered_misses:
                filt = FAIL_FILTER[caller]
            else:
                continue
            records.append(CallerRecord(caller, sample.sample, (variant,), filt, td, (ta,), nd, (na,), "somatic",
                                        allele_filters=("SITE" if filt == "PASS" else filt,)))
    return records


def _artefact_counts(rng: np.random.Generator, sample: Sample, normal: Sample, vaf_range=(0.02, 0.08)):
    depth = tumor_depth(rng, sample.mean_depth)
    vaf = rng.uniform(*vaf_range)
    alt = max(2, int(rng.binomial(depth, vaf)))
    n_depth = int(normal_depth(rng, normal.mean_depth))
    n_alt = int(rng.random() < 0.15)
    return depth, alt, n_depth, n_alt


def false_positives(rng: np.random.Generator, patient: Patient, sample: Sample, occupancy: Occupancy,
                    germline: list[GermlineGenotype]) -> tuple[list[CallerRecord], list[Artefact]]:
    """Artefacts, shared artefacts and germline leakage of one tumor sample."""
    normal = patient.normal
    records: list[CallerRecord] = []
    artefacts: list[Artefact] = []

    def emit(variant, callers, filters, counts, kind, **extra):
        depth, alt, n_depth, n_alt = counts
        for caller, filt in zip(callers, filters):
            td, ta, nd, na = caller_counts(rng, PROFILES[caller], depth, alt, n_depth, n_alt)
            ta = max(ta, 1)
            records.append(CallerRecord(caller, sample.sample, (variant,), filt, td, (ta,), nd, (na,), kind,
                                        allele_filters=("SITE" if filt == "PASS" else filt,), **extra))
        artefacts.append(Artefact(sample.sample, variant, kind, tuple(callers),
                                  tuple(c for c, f in zip(callers, filters) if f == "PASS")))

    for caller in CALLERS:
        profile = PROFILES[caller]
        for _ in range(int(rng.poisson(profile.artefacts_pass))):
            variant = draw_passenger(rng, occupancy, classes=ARTEFACT_CLASSES)
            emit(variant, [caller], ["PASS"], _artefact_counts(rng, sample, normal), "artefact")
        for _ in range(int(rng.poisson(profile.artefacts_filtered))):
            variant = draw_passenger(rng, occupancy, classes=ARTEFACT_CLASSES)
            if caller == "mutect2":
                labels = [f for f, _ in _MUTECT_ARTEFACT_FILTERS]
                probs = np.array([p for _, p in _MUTECT_ARTEFACT_FILTERS])
                filt = labels[int(rng.choice(len(labels), p=probs))]
            else:
                filt = FAIL_FILTER[caller]
            emit(variant, [caller], [filt], _artefact_counts(rng, sample, normal), "artefact")
    # A few artefacts are systematic enough for two callers (e.g. oxidation at low VAF).
    for _ in range(int(rng.poisson(1.2))):
        pair = sorted(str(c) for c in rng.choice(CALLERS, size=2, replace=False))
        variant = draw_passenger(rng, occupancy, classes=ARTEFACT_CLASSES)
        emit(variant, pair, ["PASS", "PASS"], _artefact_counts(rng, sample, normal, (0.02, 0.06)), "artefact")
    # Germline leakage: a heterozygous site of the patient reported as somatic.
    hets = [g for g in germline if g.genotype == "het" and not g.germline.pathogenic]
    if hets:
        n_leak = int(rng.poisson(0.8))
        for idx in rng.choice(len(hets), size=min(n_leak, len(hets)), replace=False):
            g = hets[int(idx)]
            callers = [str(rng.choice(CALLERS))] if rng.random() < 0.7 else \
                sorted(str(c) for c in rng.choice(CALLERS, size=2, replace=False))
            depth = tumor_depth(rng, sample.mean_depth)
            counts = (depth, int(rng.binomial(depth, 0.5)), g.depth, g.alt_count)
            emit(g.germline.variant, callers, ["PASS"] * len(callers), counts, "germline_leakage")
    return records, artefacts


def germline_records(rng: np.random.Generator, patient: Patient, sample: Sample, germline: list[GermlineGenotype],
                     leaked: set[tuple], cn: CopyNumberModel | None = None) -> list[CallerRecord]:
    """Records of the patient's germline variants that somatic callers write by design.

    VarScan2 reports germline (SS=1) and loss-of-heterozygosity (SS=3) sites alongside the
    somatic ones; Mutect2 keeps a few germline sites with its ``germline`` filter. A
    heterozygous site's tumor VAF follows the tumor's allele-specific copy number:
    (p c_allele + 1 - p) / (p N_t + 2 (1 - p)); VarScan2 calls it LOH (SS=3) where the tumor
    has lost the other allele and the VAF is more than 0.2 from 0.5.
    """
    records = []
    ploidy = sample.ploidy or 2.0
    for g in germline:
        v = g.germline.variant
        if v.key in leaked:
            continue
        a0, a1 = (cn.state(sample.specimen, v.chrom, v.pos)[:2]) if cn is not None else (1, 1)
        total = a0 + a1
        p = sample.purity
        depth = tumor_depth(rng, sample.mean_depth * dna_content(p, total, ploidy))
        vaf = (p * (a0, a1)[g.allele] + (1 - p)) / (p * total + 2 * (1 - p))
        loh = g.genotype == "het" and min(a0, a1) == 0 and total > 0 and abs(vaf - 0.5) > 0.2
        if g.genotype == "hom":
            alt = depth - int(rng.binomial(depth, 0.005))
        else:
            alt = int(rng.binomial(depth, vaf))
        if rng.random() < 0.9:
            td, ta, nd, na = caller_counts(rng, PROFILES["varscan2"], depth, alt, g.depth, g.alt_count)
            records.append(CallerRecord("varscan2", sample.sample, (v,), "PASS", td, (ta,), nd, (na,),
                                        "loh" if loh else "germline", somatic_status=3 if loh else 1))
        if g.genotype == "het" and rng.random() < 0.012:
            td, ta, nd, na = caller_counts(rng, PROFILES["mutect2"], depth, alt, g.depth, g.alt_count)
            filt = "germline" if rng.random() < 0.7 else "germline;normal_artifact"
            records.append(CallerRecord("mutect2", sample.sample, (v,), filt, td, (ta,), nd, (na,), "germline",
                                        allele_filters=(filt.split(";")[0],)))
    return records


def add_second_alleles(rng: np.random.Generator, records: list[CallerRecord],
                       mutations: list[SomaticMutation]) -> list[Artefact]:
    """Occasionally turn a Mutect2 SNV record into a multi-allelic one (second ALT: an artefact).

    FilterMutectCalls marks the site PASS when at least one allele passes and gives each
    allele its own status in AS_FilterStatus (the artefact allele: ``weak_evidence``).
    """
    drivers = {m.variant.key for m in mutations if m.driver}
    candidates = [
        i for i, r in enumerate(records)
        if r.caller == "mutect2" and r.kind == "somatic" and r.filter == "PASS" and not r.first.is_indel
        and r.first.variant_classification in ("Missense_Mutation", "Silent", "Nonsense_Mutation")
        and r.t_alt[0] >= 5 and r.first.key not in drivers
    ]
    if not candidates or rng.random() >= 0.35:
        return []
    i = candidates[int(rng.integers(len(candidates)))]
    record = records[i]
    variant = record.first
    alt2 = str(rng.choice([b for b in "ACGT" if b not in (variant.ref, variant.alt)]))
    second = substitution_at(rng, gene_by_name()[variant.gene], variant.pos, alt2)
    second_alt = int(rng.integers(2, 4))
    records[i] = CallerRecord(
        "mutect2", record.sample, (variant, second), "PASS", record.t_depth + second_alt,
        (record.t_alt[0], second_alt), record.n_depth, (record.n_alt[0], 0), "somatic",
        allele_filters=("SITE", "weak_evidence"),
    )
    return [Artefact(record.sample, second, "second_allele", ("mutect2",), ("mutect2",))]
