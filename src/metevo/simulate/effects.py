"""Planted cohort-level effects: what a primary-versus-metastasis comparison should find.

One place holds the rates (:class:`CohortEffects`), the per-patient plan of which tumors carry
which alteration (:func:`plan_effects`), the outcome model (:func:`draw_outcome`) and the truth
tables read back from the planted mutations (:func:`enrichment_truth`,
:func:`exclusivity_truth`, :func:`outcome_truth`). The file writer (``metevo simulate``), the
in-memory tables (:func:`metevo.simulate.simulate_cohort_tables`) and the external primary
cohort (:mod:`metevo.simulate.external`) all go through these functions.

Planted (defaults; probabilities are per tumor: a patient's primary tumor, counted once
however many regions or replicates were sequenced, and each metastasis or local recurrence):

* **ESR1** ligand-binding-domain hotspots (D538G, Y537S/N/C, L536H, E380Q at their hg38
  positions): 2% of HR+ primaries, 35% of the metastases and recurrences of HR+ patients
  treated with antiestrogens (acquired under therapy; Razavi et al. 2018, Cancer Cell 34:427;
  Bertucci et al. 2019, Nature 569:560); untreated HR+ patients keep the primary rate.
* **MAPK** (RTK-RAS) alterations: NF1 truncating, KRAS G12D/V/C, BRAF V600E, and in HER2-negative
  tumors ERBB2 L755S/V777L (ERBB2 amplification of HER2+ tumors is truncal and not counted):
  8% of HER2+ primaries, 40% of HER2+ metastases; 4% of HER2-negative tumors, primary or not
  (a null stratum). One alteration per altered tumor, its gene drawn with the weights below.
* **MYC amplification** (the tracked-region focal event, 4-8 copies, at the per-tumor rates of
  ``copynumber.REGION_EVENTS``) never in a tumor lineage with an ESR1 hotspot (HR+ patients:
  no patient has both; Razavi et al. 2018 report ESR1 mutations and MYC/MAPK alterations as
  alternative routes to endocrine resistance).
* **Null genes** CBFB, RUNX1, TBX3, CTCF: 6% of primaries and of metastases, every subtype;
  some truncal, some private to the primary or to a metastasis in equal measure.
* **Subtype-confounded gene** (SHCBP1L by default, a gene with no known role): 40% of HER2+ and 1% of
  HER2-negative tumors, primary or metastasis alike. The external primary cohort has fewer
  HER2+ patients than the internal one, so a naive (unstratified) metastasis-versus-external
  comparison finds it "enriched"; within subtype it is not.
* **Outcome**: progression-free and overall survival from the first metastasis or recurrence,
  exponential, hazard ratio 2 for patients with a MAPK-altered metastasis or recurrence, the
  same baseline for every subtype; one exponential follow-up time censors about 30% of the
  overall-survival times of the unaltered patients.

Passengers never hit these genes with a non-synonymous mutation (as for the HR genes), so every
non-synonymous mutation in them is a planted one and the rates above are exactly what the truth
promises; silent, UTR and intronic passengers still land there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from math import log

import numpy as np
import pandas as pd

from metevo.simulate.model import Patient

HER2_POSITIVE = "HER2+"
HER2_NEGATIVE = "HER2-"
ESR1_HOTSPOTS = ("D538G", "Y537S", "Y537N", "Y537C", "L536H", "E380Q")
MAPK_ALTERATIONS = {
    # alteration label -> (gene, kind, hotspots)
    "NF1 truncating": ("NF1", "truncating", ()),
    "KRAS hotspot": ("KRAS", "hotspot", ("G12D", "G12V", "G12C")),
    "BRAF hotspot": ("BRAF", "hotspot", ("V600E",)),
    "ERBB2 hotspot": ("ERBB2", "hotspot", ("L755S", "V777L")),
}


def her2_group(subtype: str) -> str:
    return HER2_POSITIVE if "HER2+" in subtype else HER2_NEGATIVE


def mapk_stratum(subtype: str) -> str:
    """MAPK strata: HER2+ (HR+/HER2+ and HR-/HER2+), HR+/HER2-, TNBC."""
    return HER2_POSITIVE if "HER2+" in subtype else subtype


def esr1_stratum(patient: Patient) -> str:
    if not patient.hormone_receptor_positive:
        return "HR-"
    return "HR+ antiestrogen" if patient.antiestrogen == "yes" else "HR+ no antiestrogen"


@dataclass(frozen=True)
class CohortEffects:
    """Rates of the planted cohort effects (per tumor) and of the outcome model.

    ``mapk``: stratum -> (primary rate, metastasis rate); ``mapk_weights``: stratum ->
    alteration label -> weight of that alteration among altered tumors. ``confounded_rates``:
    HER2+/HER2- -> rate in primaries and metastases alike. ``external_subtypes``: the subtype
    mix of the external primary cohort (the internal one is ``cohort.SUBTYPES``).
    """

    esr1_primary: float = 0.02
    esr1_metastasis: float = 0.35
    mapk: tuple[tuple[str, tuple[float, float]], ...] = (
        (HER2_POSITIVE, (0.08, 0.40)), ("HR+/HER2-", (0.04, 0.04)), ("TNBC", (0.04, 0.04)),
    )
    mapk_weights: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
        (HER2_POSITIVE, (("NF1 truncating", 0.45), ("KRAS hotspot", 0.30), ("BRAF hotspot", 0.25))),
        ("HR+/HER2-", (("NF1 truncating", 0.40), ("ERBB2 hotspot", 0.25), ("KRAS hotspot", 0.20), ("BRAF hotspot", 0.15))),
        ("TNBC", (("NF1 truncating", 0.40), ("ERBB2 hotspot", 0.25), ("KRAS hotspot", 0.20), ("BRAF hotspot", 0.15))),
    )
    exclusive_region: str = "MYC"
    null_genes: tuple[str, ...] = ("CBFB", "RUNX1", "TBX3", "CTCF")
    null_rate: float = 0.06
    null_truncal_share: float = 0.6  # of a null gene's mutations in paired patients, truncal; the rest private
    confounded_gene: str = "SHCBP1L"
    confounded_rates: tuple[tuple[str, float], ...] = ((HER2_POSITIVE, 0.40), (HER2_NEGATIVE, 0.01))
    mapk_hr: float = 2.0
    pfs_median: float = 300.0  # days, from the first metastasis or recurrence, unaltered patients
    os_median: float = 800.0
    censoring: float = 0.30  # censored fraction of the unaltered patients' overall survival
    external_subtypes: tuple[tuple[str, float], ...] = (
        ("HR+/HER2-", 0.75), ("HR+/HER2+", 0.03), ("HR-/HER2+", 0.03), ("TNBC", 0.19),
    )
    external_os_median: float = 3000.0  # days from diagnosis; no planted outcome effect
    external_followup: tuple[float, float] = (30.0, 3650.0)
    external_unsequenced: float = 0.03  # external samples whose MAF has no mutation (all are in samples.txt)

    def __post_init__(self) -> None:
        rates = [self.esr1_primary, self.esr1_metastasis, self.null_rate, *(r for _, r in self.confounded_rates)]
        rates += [r for _, pair in self.mapk for r in pair]
        if not all(0.0 <= r < 1.0 for r in rates):
            raise ValueError("effect rates must lie in [0, 1)")
        for _, (p, m) in self.mapk:
            if m < p:
                raise ValueError("a metastasis rate below the primary rate cannot be planted (effects are truncal or acquired)")
        if self.esr1_metastasis < self.esr1_primary:
            raise ValueError("esr1_metastasis must be at least esr1_primary")
        if not 0 < self.pfs_median < self.os_median:
            raise ValueError("pfs_median must be positive and below os_median (PFS counts deaths as events)")
        if not 0 < self.censoring < 1 or self.mapk_hr <= 0:
            raise ValueError("censoring must lie in (0, 1) and mapk_hr be positive")

    def mapk_rates(self, subtype: str) -> tuple[float, float]:
        return dict(self.mapk)[mapk_stratum(subtype)]

    def mapk_choices(self, subtype: str) -> tuple[tuple[str, float], ...]:
        return dict(self.mapk_weights)[mapk_stratum(subtype)]

    def confounded_rate(self, subtype: str) -> float:
        return dict(self.confounded_rates)[her2_group(subtype)]

    def esr1_rates(self, patient: Patient) -> tuple[float, float]:
        stratum = esr1_stratum(patient)
        if stratum == "HR-":
            return 0.0, 0.0
        return (self.esr1_primary, self.esr1_metastasis if stratum == "HR+ antiestrogen" else self.esr1_primary)

    @property
    def controlled_genes(self) -> frozenset[str]:
        """Genes whose non-synonymous mutations are planted only by these effects."""
        mapk = {gene for gene, _, _ in MAPK_ALTERATIONS.values()}
        return frozenset({"ESR1", *mapk, *self.null_genes, self.confounded_gene})


DEFAULT_EFFECTS = CohortEffects()


@dataclass(frozen=True)
class PlannedAlteration:
    """An alteration to plant: ``label`` (``ESR1 hotspot``, ``NF1 truncating``, ``CBFB
    non-synonymous``, ...) in ``scope``: ``trunk`` (every tumor of the patient), ``primary``
    (the primary's own clonal mutations: every region, not the metastases) or a later tumor
    specimen (its own clonal mutations)."""

    effect: str  # ESR1 | MAPK | null | confounded
    label: str
    gene: str
    scope: str


@dataclass
class EffectPlan:
    """One patient's planted cohort effects."""

    patient: str
    alterations: list[PlannedAlteration] = field(default_factory=list)
    myc: list[str] = field(default_factory=list)  # scopes of the exclusive focal amplification

    def scopes(self, effect: str) -> list[str]:
        return [a.scope for a in self.alterations if a.effect == effect]


def _specimens(patient: Patient) -> tuple[bool, list[str]]:
    """(has a primary tumor, later tumor specimens in time order)."""
    has_primary = any(s.sample_type == "primary" for s in patient.tumors)
    seen: dict[str, float] = {}
    for s in patient.tumors:
        if s.sample_type in ("metastasis", "recurrence"):
            seen.setdefault(s.specimen, s.collection_time)
    return has_primary, sorted(seen, key=lambda k: (seen[k], k))


def _enriched(rng: np.random.Generator, has_primary: bool, later: list[str], p_primary: float,
              p_later: float) -> list[str]:
    """Scopes of an alteration truncal with ``p_primary`` and otherwise acquired by each later
    tumor with the conditional probability that makes ``p_later`` its per-tumor rate there."""
    if not has_primary:
        return ["trunk"] if rng.random() < p_later else []
    if rng.random() < p_primary:
        return ["trunk"]
    acquired = (p_later - p_primary) / (1 - p_primary)
    return [m for m in later if rng.random() < acquired]


def _null(rng: np.random.Generator, has_primary: bool, later: list[str], rate: float, truncal_share: float) -> list[str]:
    """Scopes of an alteration at ``rate`` in primaries and in later tumors alike: truncal, or
    private to the primary or to a later tumor with the same probability."""
    if not has_primary:
        return ["trunk"] if rng.random() < rate else []
    truncal = rate * truncal_share
    if rng.random() < truncal:
        return ["trunk"]
    private = (rate - truncal) / (1 - truncal)
    out = ["primary"] if rng.random() < private else []
    return out + [m for m in later if rng.random() < private]


def _esr1_and_myc(rng: np.random.Generator, has_primary: bool, later: list[str], esr1: tuple[float, float],
                  myc: tuple[float, float]) -> tuple[list[str], list[str]]:
    """ESR1 hotspot and MYC amplification scopes, never both in one patient, each at its own
    per-tumor rates: (e_p, e_m) and (m_p, m_l) for primaries and later tumors."""
    (e_p, e_m), (m_p, m_l) = esr1, myc
    u = rng.random()
    if not has_primary:
        return (["trunk"], []) if u < e_m else ([], ["trunk"]) if u < e_m + m_l else ([], [])
    if u < e_p:
        return ["trunk"], []
    if u < e_p + m_p:
        return [], ["trunk"]
    rest = 1 - e_p - m_p
    a_e, a_m = (e_m - e_p) / rest, (m_l - m_p) / rest
    states: list[int] = []
    for _ in range(100):  # two metastases: redraw the rare pair with one of each
        states = [int(np.searchsorted([a_e, a_e + a_m], rng.random(), side="right")) for _ in later]
        if not (0 in states and 1 in states):
            break
    return [m for m, s in zip(later, states) if s == 0], [m for m, s in zip(later, states) if s == 1]


def _weighted(rng: np.random.Generator, choices: tuple[tuple[str, float], ...]) -> str:
    weights = np.array([w for _, w in choices], dtype=float)
    cumulative = np.cumsum(weights / weights.sum())
    return choices[min(int(np.searchsorted(cumulative, rng.random(), side="right")), len(choices) - 1)][0]


def plan_effects(rng: np.random.Generator, patient: Patient, effects: CohortEffects = DEFAULT_EFFECTS) -> EffectPlan:
    """Which of the patient's tumors carry which planted alteration (drawn once per patient,
    before its tumors' genomes, so the outcome can depend on it)."""
    from metevo.simulate.copynumber import REGION_EVENTS, subtype_group

    has_primary, later = _specimens(patient)
    plan = EffectPlan(patient.patient)
    myc_rates = REGION_EVENTS[effects.exclusive_region][1][subtype_group(patient.subtype)]
    if patient.hormone_receptor_positive:
        esr1, myc = _esr1_and_myc(rng, has_primary, later, effects.esr1_rates(patient), myc_rates)
    else:
        esr1, myc = [], _enriched(rng, has_primary, later, *myc_rates)
    plan.myc = myc
    plan.alterations += [PlannedAlteration("ESR1", "ESR1 hotspot", "ESR1", s) for s in esr1]
    for scope in _enriched(rng, has_primary, later, *effects.mapk_rates(patient.subtype)):
        label = _weighted(rng, effects.mapk_choices(patient.subtype))
        plan.alterations.append(PlannedAlteration("MAPK", label, MAPK_ALTERATIONS[label][0], scope))
    for gene in effects.null_genes:
        for scope in _null(rng, has_primary, later, effects.null_rate, effects.null_truncal_share):
            plan.alterations.append(PlannedAlteration("null", f"{gene} non-synonymous", gene, scope))
    rate = effects.confounded_rate(patient.subtype)
    for scope in _null(rng, has_primary, later, rate, effects.null_truncal_share):
        gene = effects.confounded_gene
        plan.alterations.append(PlannedAlteration("confounded", f"{gene} non-synonymous", gene, scope))
    return plan


def mapk_altered(plan: EffectPlan) -> bool:
    """The outcome feature: a metastasis or recurrence carries a planted MAPK alteration
    (truncal ones included: they are in every later tumor)."""
    return bool(plan.scopes("MAPK"))


def null_altered(plan: EffectPlan) -> bool:
    return any(a.effect == "null" and a.scope != "primary" for a in plan.alterations)


# ------------------------------------------------------------------ outcome


def draw_outcome(rng: np.random.Generator, patient: Patient, plan: EffectPlan,
                 effects: CohortEffects = DEFAULT_EFFECTS) -> None:
    """PFS and OS (days from the first metastasis or recurrence; ``patient.followup_start``).

    Death ~ Exp(h ln2 / os_median), progression ~ Exp(h (ln2 / pfs_median - ln2 / os_median)),
    so PFS = min(progression, death) ~ Exp(h ln2 / pfs_median); h = ``mapk_hr`` for a patient
    with a MAPK-altered metastasis, else 1. Follow-up ~ Exp(c) with c = f/(1 - f) ln2 / os_median
    censors a fraction f = ``censoring`` of the unaltered patients' OS (f/(f + 2(1 - f)) of the
    altered ones'). A later tumor collected after the end of follow-up is moved into it.
    """
    later = sorted((s for s in patient.tumors if s.sample_type in ("metastasis", "recurrence")),
                   key=lambda s: (s.collection_time, s.sample))
    start = later[0].collection_time
    h = effects.mapk_hr if mapk_altered(plan) else 1.0
    death_rate = h * log(2) / effects.os_median
    progression_rate = h * (log(2) / effects.pfs_median - log(2) / effects.os_median)
    censor_rate = effects.censoring / (1 - effects.censoring) * log(2) / effects.os_median
    death = float(rng.exponential(1 / death_rate))
    progression = float(rng.exponential(1 / progression_rate))
    followup = float(rng.exponential(1 / censor_rate))
    os_time = max(1, round(min(death, followup)))
    pfs_time = min(max(1, round(min(progression, death, followup))), os_time)
    patient.followup_start = float(start)
    patient.os_time, patient.os_event = float(os_time), int(death <= followup)
    patient.pfs_time, patient.pfs_event = float(pfs_time), int(min(progression, death) <= followup)
    moved = {}
    for s in later[1:]:
        if s.collection_time - start > os_time:
            moved.setdefault(s.specimen, float(round(start + rng.uniform(0, os_time))))
            s.collection_time = moved[s.specimen]


# ------------------------------------------------------------------ truth tables

ENRICHMENT_COLUMNS = (
    "feature", "level", "genes", "alteration", "planted_effect", "stratum", "primary_rate", "metastasis_rate",
    "n_primary", "n_primary_altered", "n_metastasis", "n_metastasis_altered", "n_external", "n_external_altered",
)
EXCLUSIVITY_COLUMNS = ("feature_a", "feature_b", "relation", "stratum", "scope", "n_tumors", "n_a", "n_b", "n_both",
                       "n_patients", "n_patients_both")
OUTCOME_COLUMNS = ("feature", "definition", "endpoint", "planted_hr", "baseline_median", "time_origin", "n_patients",
                   "n_altered", "n_events", "n_censored")


@dataclass
class TumorStatus:
    """What one tumor carries, read off the planted mutations and copy-number events."""

    patient: str
    subtype: str
    esr1_stratum: str
    kind: str  # primary | metastasis (metastases and recurrences) | external
    genes: set[str]  # genes with a non-synonymous planted mutation
    labels: set[str]  # driver labels of its planted mutations
    myc: bool  # carries the exclusive focal amplification


def _in_stratum(row: dict, status: TumorStatus) -> bool:
    kind, stratum = row["kind"], row["stratum"]
    if stratum == "all":
        return True
    if kind == "ESR1":
        # external primaries have no treatment record: each HR+ one counts in both HR+ strata
        # (their planted rate is the primary rate either way)
        if status.kind == "external":
            return status.esr1_stratum != "HR-" and stratum.startswith("HR+")
        return status.esr1_stratum == stratum
    if kind == "MAPK":
        return mapk_stratum(status.subtype) == stratum
    return her2_group(status.subtype) == stratum


def tumor_statuses(cohort) -> list[TumorStatus]:
    """Every internal primary tumor (its regions and replicates as one) and metastasis or
    recurrence, and every external primary, with what was planted in it: the genes of its
    non-synonymous mutations (internal: planted; external: those in the MAF), its driver labels
    and whether it carries the exclusive focal amplification."""
    from metevo.simulate.variants import NON_SYNONYMOUS

    effects = cohort.effects or DEFAULT_EFFECTS
    region = f"{effects.exclusive_region} amplification"
    by_patient: dict[str, list] = {}
    for m in cohort.somatic:
        by_patient.setdefault(m.patient, []).append(m)
    out = []
    for patient in cohort.patients:
        nodes = {n.name: n for n in cohort.trees[patient.patient]}
        events = cohort.cn_events.get(patient.patient, [])
        has_primary, later = _specimens(patient)
        primaries = sorted({s.specimen for s in patient.tumors if s.sample_type == "primary"})
        groups = ([("primary", primaries)] if has_primary else []) + [("metastasis", [m]) for m in later]
        for kind, specimens in groups:
            present = [m for m in by_patient.get(patient.patient, [])
                       if any(nodes[m.node].ccf.get(s, 0.0) > 0 for s in specimens)]
            myc = any(e.name == region and any(nodes[e.node].ccf.get(s, 0.0) >= 1.0 for s in specimens) for e in events)
            out.append(TumorStatus(patient.patient, patient.subtype, esr1_stratum(patient), kind,
                                   {m.variant.gene for m in present if m.variant.variant_classification in NON_SYNONYMOUS},
                                   {m.driver for m in present if m.driver}, myc))
    external = cohort.external
    if external is not None:
        called: dict[str, list] = {}
        for call in external.calls:
            called.setdefault(call.sample, []).append(call.mutation)
        for patient in external.patients:
            present = called.get(external.sample_of(patient).sample, [])
            out.append(TumorStatus(patient.patient, patient.subtype, esr1_stratum(patient), "external",
                                   {m.variant.gene for m in present if m.variant.variant_classification in NON_SYNONYMOUS},
                                   {m.driver for m in present if m.driver}, False))
    return out


def _rows_for(effects: CohortEffects) -> list[dict]:
    """The planted rows (feature, level, genes, alteration, effect, stratum, rates)."""
    rows = []
    esr1 = "hotspot " + ",".join(ESR1_HOTSPOTS)
    for stratum, p, m in (("HR+ antiestrogen", effects.esr1_primary, effects.esr1_metastasis),
                          ("HR+ no antiestrogen", effects.esr1_primary, effects.esr1_primary)):
        rows.append(dict(feature="ESR1", level="gene", genes="ESR1", alteration=esr1, kind="ESR1",
                         planted_effect="enriched_in_metastasis" if m > p else "null", stratum=stratum,
                         primary_rate=p, metastasis_rate=m))
    mapk_genes = sorted({gene for gene, _, _ in MAPK_ALTERATIONS.values()})
    for stratum, (p, m) in effects.mapk:
        effect = "enriched_in_metastasis" if m > p else "null"
        weights = dict(effects.mapk_weights)[stratum]
        total = sum(w for _, w in weights)
        rows.append(dict(feature="MAPK", level="pathway", genes=",".join(mapk_genes),
                         alteration="; ".join(label for label, _ in weights), kind="MAPK", planted_effect=effect,
                         stratum=stratum, primary_rate=p, metastasis_rate=m))
        for label, w in weights:
            gene = MAPK_ALTERATIONS[label][0]
            rows.append(dict(feature=gene, level="gene", genes=gene, alteration=label, kind="MAPK", planted_effect=effect,
                             stratum=stratum, primary_rate=p * w / total, metastasis_rate=m * w / total))
    null_set = 1 - (1 - effects.null_rate) ** len(effects.null_genes)
    rows.append(dict(feature="null_set", level="pathway", genes=",".join(effects.null_genes), alteration="non-synonymous",
                     kind="null", planted_effect="null", stratum="all", primary_rate=null_set, metastasis_rate=null_set))
    for gene in effects.null_genes:
        rows.append(dict(feature=gene, level="gene", genes=gene, alteration="non-synonymous", kind="null",
                         planted_effect="null", stratum="all", primary_rate=effects.null_rate,
                         metastasis_rate=effects.null_rate))
    for stratum, rate in effects.confounded_rates:
        gene = effects.confounded_gene
        rows.append(dict(feature=gene, level="gene", genes=gene, alteration="non-synonymous", kind="confounded",
                         planted_effect="subtype_confounded", stratum=stratum, primary_rate=rate, metastasis_rate=rate))
    return rows


def _altered(row: dict, status: TumorStatus) -> bool:
    genes = set(row["genes"].split(","))
    if row["kind"] == "MAPK" and row["level"] == "gene":
        return row["alteration"] in status.labels
    return bool(genes & status.genes)


def enrichment_truth(statuses: list[TumorStatus], effects: CohortEffects = DEFAULT_EFFECTS) -> pd.DataFrame:
    """truth/enrichment.tsv: planted rates and the realised counts per group and stratum."""
    out = []
    for row in _rows_for(effects):
        counts = {"primary": [0, 0], "metastasis": [0, 0], "external": [0, 0]}
        for status in statuses:
            if not _in_stratum(row, status):
                continue
            counts[status.kind][0] += 1
            counts[status.kind][1] += _altered(row, status)
        record = {k: row[k] for k in ENRICHMENT_COLUMNS[:8]}
        record.update(n_primary=counts["primary"][0], n_primary_altered=counts["primary"][1],
                      n_metastasis=counts["metastasis"][0], n_metastasis_altered=counts["metastasis"][1],
                      n_external=counts["external"][0], n_external_altered=counts["external"][1])
        out.append(record)
    frame = pd.DataFrame(out, columns=list(ENRICHMENT_COLUMNS))
    for column in ("primary_rate", "metastasis_rate"):
        frame[column] = frame[column].round(6)
    return frame


def exclusivity_truth(statuses: list[TumorStatus], effects: CohortEffects = DEFAULT_EFFECTS) -> pd.DataFrame:
    """truth/exclusivity.tsv: ESR1 hotspot vs the MYC amplification (mutually exclusive) and
    vs a PIK3CA hotspot (planted independently: a control), in the later tumors of
    antiestrogen-treated HR+ patients."""
    pairs = (
        ("ESR1 hotspot", f"{effects.exclusive_region} amplification", "mutually_exclusive",
         lambda s: "ESR1" in s.genes, lambda s: s.myc),
        ("ESR1 hotspot", "PIK3CA hotspot", "independent",
         lambda s: "ESR1" in s.genes, lambda s: "PIK3CA hotspot" in s.labels),
    )
    rows = []
    for name_a, name_b, relation, has_a, has_b in pairs:
        chosen = [s for s in statuses if s.kind == "metastasis" and s.esr1_stratum == "HR+ antiestrogen"]
        a = [has_a(s) for s in chosen]
        b = [has_b(s) for s in chosen]
        patients: dict[str, list[bool]] = {}
        for s, x, y in zip(chosen, a, b):
            flags = patients.setdefault(s.patient, [False, False])
            flags[0] |= x
            flags[1] |= y
        rows.append((name_a, name_b, relation, "HR+ antiestrogen", "metastasis", len(chosen), sum(a), sum(b),
                     sum(x and y for x, y in zip(a, b)), len(patients), sum(x and y for x, y in patients.values())))
    return pd.DataFrame(rows, columns=list(EXCLUSIVITY_COLUMNS))


def outcome_truth(patients: list[Patient], plans: dict[str, EffectPlan],
                  effects: CohortEffects = DEFAULT_EFFECTS) -> pd.DataFrame:
    """truth/outcome.tsv: planted hazard ratios (MAPK-altered metastasis: ``mapk_hr``; the
    null-gene set: 1, a control) and the realised events."""
    features = (
        ("MAPK-altered metastasis", "a metastasis or recurrence carries a planted MAPK alteration "
         "(NF1 truncating, KRAS G12, BRAF V600E, ERBB2 L755S/V777L)", effects.mapk_hr, mapk_altered),
        ("null_set-altered metastasis", "a metastasis or recurrence carries a non-synonymous mutation in "
         + ",".join(effects.null_genes), 1.0, null_altered),
    )
    rows = []
    for name, definition, hr, has in features:
        altered = sum(has(plans[p.patient]) for p in patients)
        for endpoint, median, events in (
            ("PFS", effects.pfs_median, sum(p.pfs_event for p in patients)),
            ("OS", effects.os_median, sum(p.os_event for p in patients)),
        ):
            rows.append((name, definition, endpoint, hr, median, "first metastasis or recurrence", len(patients),
                         altered, events, len(patients) - events))
    return pd.DataFrame(rows, columns=list(OUTCOME_COLUMNS))


__all__ = [
    "CohortEffects", "DEFAULT_EFFECTS", "EffectPlan", "PlannedAlteration", "TumorStatus", "draw_outcome",
    "enrichment_truth", "exclusivity_truth", "mapk_altered", "outcome_truth", "plan_effects",
]
