"""Tumor phylogenies and the somatic mutations planted on them.

Each patient's tumors descend from one founder clone (the *trunk*, clonal in every tumor).
A metastasis or recurrence is seeded by a subclone of the primary (the *seed* clone:
subclonal in the primary, clonal in the metastasis) and then acquires its own clonal and
subclonal mutations; two metastases may share a further common ancestor (metastasis-to-
metastasis spread). Regions of a multi-region primary share the primary's clonal mutations and
differ in their subclones; technical replicates are one specimen and so share every mutation.
This is the branching model of Yates et al. 2017 (Cancer Cell 32:169) and Hu et al. 2020
(Nat Genet 52:701), reduced to a few clones per tumor.

Burden (whole-exome, non-synonymous coding mutations): primaries 30-120 (log-normal, median
about 60; TCGA-BRCA), metastases 1.5-2x their primary and recurrences 1.3-1.8x (Bertucci et al.
2019, Nature 569:560; Angus et al. 2019, Nat Genet 51:1450). Silent, UTR and intronic calls
are added in the proportions below.

Origin of a mutation (truth column ``origin``): ``trunk`` if planted in the founder clone,
``branch`` if planted in a clone present in more than one tumor specimen but not the founder,
``private`` if in a clone present in one specimen only. A patient with a single tumor has
trunk (clonal) and private (subclonal) mutations only.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from metevo.simulate.copynumber import CopyNumberModel
from metevo.simulate.model import CloneNode, DriverPlan, HRPlan, Patient, SomaticMutation
from metevo.simulate.reference import Gene, gene_by_name, gene_weights, load_genes, load_hotspots
from metevo.simulate.variants import NON_SYNONYMOUS, TRUNCATING, Variant, hotspot_variant, make_variant

# Classes of somatic mutations called in exomes (TCGA-BRCA proportions, rounded; the
# intronic/UTR share is what exome capture flanks yield).
CLASS_PROBABILITIES: tuple[tuple[str, float], ...] = (
    ("Missense_Mutation", 0.52), ("Nonsense_Mutation", 0.045), ("Frame_Shift_Del", 0.035),
    ("Frame_Shift_Ins", 0.015), ("In_Frame_Del", 0.01), ("In_Frame_Ins", 0.003), ("Splice_Site", 0.02),
    ("Silent", 0.19), ("3'UTR", 0.05), ("5'UTR", 0.02), ("Intron", 0.092),
)
P_NON_SYNONYMOUS = sum(p for c, p in CLASS_PROBABILITIES if c in NON_SYNONYMOUS)

MIN_SPACING = 12  # bp between planted variants of one patient: no overlapping or clustered alleles


def _subclonal_ccf(rng: np.random.Generator) -> float:
    return round(float(rng.uniform(0.2, 0.6)), 3)


def build_tree(rng: np.random.Generator, patient: Patient) -> list[CloneNode]:
    """The patient's clones with their per-specimen CCF and number of mutations (all classes)."""
    specimens = patient.specimens
    primaries = [s for s in specimens if s.startswith(f"{patient.patient}-P")]
    later = [s for s in specimens if s not in primaries]
    n_primary = float(np.clip(np.exp(rng.normal(np.log(60), 0.35)) * (1.25 if patient.subtype == "TNBC" else 1.0), 30, 120))
    ratio = rng.uniform(1.3, 1.8) if patient.design == "primary_recurrence" else rng.uniform(1.5, 2.0)
    n_later = n_primary * ratio

    def size(n_nonsyn: float) -> int:
        return max(1, int(round(n_nonsyn / P_NON_SYNONYMOUS)))

    if not primaries:  # unpaired metastasis: clonal (trunk) and subclonal (private) mutations
        met = later[0]
        clonal = rng.uniform(0.75, 0.9)
        return [
            CloneNode("trunk", {met: 1.0}, size(n_later * clonal)),
            CloneNode(f"{met}:subclone", {met: _subclonal_ccf(rng)}, size(n_later * (1 - clonal))),
        ]
    n_trunk = n_primary * rng.uniform(0.5, 0.75)
    n_seed = n_primary * rng.uniform(0.05, 0.12)
    n_primary_own = max(n_primary - n_trunk - n_seed, 2.0)
    nodes = [CloneNode("trunk", {s: 1.0 for s in specimens}, size(n_trunk))]
    seed_ccf = {s: round(float(rng.uniform(0.1, 0.4)), 3) for s in primaries}
    nodes.append(CloneNode("seed", {**seed_ccf, **{s: 1.0 for s in later}}, size(n_seed)))
    if len(primaries) == 1:
        p = primaries[0]
        nodes.append(CloneNode(f"{p}:clonal", {p: 1.0}, size(0.5 * n_primary_own)))
        nodes.append(CloneNode(f"{p}:subclone", {p: _subclonal_ccf(rng)}, size(0.5 * n_primary_own)))
    else:
        # Regions share the trunk and a third of the primary's own mutations; the rest is
        # regional: a subclone may span a subset, and each region is dominated by its own
        # subclone (high CCF), so regions of one tumor differ more than replicates of one
        # specimen, as in multi-region sequencing of breast cancers (Yates et al. 2015).
        nodes.append(CloneNode("primary:clonal", {p: 1.0 for p in primaries}, size(0.35 * n_primary_own)))
        remaining = 0.65 * n_primary_own
        if len(primaries) >= 3:
            subset = primaries[:2]
            nodes.append(CloneNode("primary:shared_subclone", {p: _subclonal_ccf(rng) for p in subset}, size(0.35 * remaining)))
            remaining *= 0.65
        for p in primaries:
            nodes.append(CloneNode(f"{p}:subclone", {p: round(float(rng.uniform(0.5, 0.9)), 3)}, size(remaining / len(primaries))))
    n_own_later = max(n_later - n_trunk - n_seed, 4.0)
    if len(later) == 2 and rng.random() < 0.5:
        nodes.append(CloneNode("metastasis:common", {m: 1.0 for m in later}, size(0.25 * n_own_later)))
        n_own_later *= 0.75
    for m in later:
        nodes.append(CloneNode(f"{m}:clonal", {m: 1.0}, size(0.7 * n_own_later)))
        nodes.append(CloneNode(f"{m}:subclone", {m: _subclonal_ccf(rng)}, size(0.3 * n_own_later)))
    return nodes


def node_origin(node: CloneNode) -> str:
    if node.name == "trunk":
        return "trunk"
    return "branch" if len(node.ccf) > 1 else "private"


class Occupancy:
    """Positions already used in a patient (its germline variants and planted mutations)."""

    def __init__(self, reserved: set[tuple[str, int]] | None = None) -> None:
        self._used: set[tuple[str, int]] = set(reserved or ())

    def copy(self) -> "Occupancy":
        return Occupancy(self._used)

    def free(self, variant: Variant) -> bool:
        return not any(
            (variant.chrom, p) in self._used
            for p in range(variant.pos - MIN_SPACING, variant.end + MIN_SPACING + 1)
        )

    def take(self, variant: Variant) -> None:
        for p in range(variant.pos, variant.end + 1):
            self._used.add((variant.chrom, p))


def _cumulative(weights) -> list[float]:
    w = np.asarray(weights, dtype=float)
    return np.cumsum(w / w.sum()).tolist()


def pick(rng: np.random.Generator, cumulative: list[float]) -> int:
    """An index drawn with the probabilities whose cumulative sums are ``cumulative`` (one
    uniform draw: about ten times faster than ``rng.choice(n, p=...)``)."""
    return min(bisect_right(cumulative, rng.random()), len(cumulative) - 1)


_GENE_CUMULATIVE: dict[int, list[float]] = {}
_CLASS_CUMULATIVE: dict[int, tuple] = {}  # id -> (labels, cumulative, the classes themselves: keeps the id alive)


def draw_passenger(rng: np.random.Generator, occupancy: Occupancy, genes: tuple[Gene, ...] | None = None,
                   weights: np.ndarray | None = None, classes=CLASS_PROBABILITIES, accept=None) -> Variant:
    """One mutation: class by ``classes``, gene by CDS length, at a free position (and, with
    ``accept``, one where ``accept(variant)`` holds: e.g. not homozygously deleted)."""
    genes = genes or load_genes()
    if weights is None:
        key = id(genes)
        if key not in _GENE_CUMULATIVE:
            _GENE_CUMULATIVE[key] = _cumulative(gene_weights(genes))
        gene_cumulative = _GENE_CUMULATIVE[key]
    else:
        gene_cumulative = _cumulative(weights)
    if id(classes) not in _CLASS_CUMULATIVE:
        _CLASS_CUMULATIVE[id(classes)] = ([c for c, _ in classes], _cumulative([p for _, p in classes]), classes)
    labels, class_cumulative, _ = _CLASS_CUMULATIVE[id(classes)]
    while True:
        wanted = labels[pick(rng, class_cumulative)]
        gene = genes[pick(rng, gene_cumulative)]
        variant = make_variant(rng, gene, wanted)
        if variant is not None and occupancy.free(variant) and (accept is None or accept(variant)):
            occupancy.take(variant)
            return variant


def driver_plans() -> list[DriverPlan]:
    """The planted trunk drivers, their eligibility and per-patient probability.

    Trunk drivers (per patient, in the founder clone): frequencies by subtype from TCGA-BRCA
    and the METABRIC/MSK primaries (Pereira et al. 2016; Razavi et al. 2018). The drivers that
    differ between primaries and metastases (ESR1, MAPK) are planted as cohort effects
    (:mod:`metevo.simulate.effects`).
    """
    return [
        DriverPlan("PIK3CA", "hotspot", "trunk_driver", "HR+ patients", 0.40),
        DriverPlan("PIK3CA", "hotspot", "trunk_driver", "HER2+ (HR-) patients", 0.25),
        DriverPlan("PIK3CA", "hotspot", "trunk_driver", "TNBC patients", 0.10),
        DriverPlan("TP53", "hotspot or truncating", "trunk_driver", "HR+ patients", 0.20),
        DriverPlan("TP53", "hotspot or truncating", "trunk_driver", "HER2+ (HR-) patients", 0.70),
        DriverPlan("TP53", "hotspot or truncating", "trunk_driver", "TNBC patients", 0.80),
        DriverPlan("GATA3", "frameshift", "trunk_driver", "HR+ patients", 0.12),
        DriverPlan("CDH1", "truncating", "trunk_driver", "HR+ patients", 0.10),
        DriverPlan("MAP3K1", "truncating", "trunk_driver", "HR+ patients", 0.08),
        DriverPlan("AKT1", "hotspot", "trunk_driver", "HR+ patients without a PIK3CA driver", 0.06),
    ]


def _eligible(plan: DriverPlan, patient: Patient, planted: list[SomaticMutation]) -> bool:
    hr = patient.hormone_receptor_positive
    return {
        "HR+ patients": hr,
        # PI3K-pathway drivers are mutually exclusive (AKT1 E17K arises in PIK3CA-wild-type tumors)
        "HR+ patients without a PIK3CA driver": hr and not any(m.driver.startswith("PIK3CA") for m in planted),
        "HER2+ (HR-) patients": patient.subtype == "HR-/HER2+",
        "TNBC patients": patient.subtype == "TNBC",
    }[plan.eligible]


_TRUNCATING_CLASSES = ("Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site")
_TRUNCATING_CUMULATIVE = _cumulative([0.45, 0.3, 0.15, 0.1])
_NON_SYNONYMOUS_CLASSES = tuple((c, p) for c, p in CLASS_PROBABILITIES if c in NON_SYNONYMOUS)


def alteration_variant(rng: np.random.Generator, gene_name: str, alteration: str, occupancy: Occupancy,
                       accept=None, hotspots: tuple[str, ...] = (), tries: int = 20) -> Variant | None:
    """A planted driver allele of ``gene_name``: ``hotspot`` (one of ``hotspots``, default every
    hotspot of the gene), ``truncating``, ``frameshift``, ``hotspot or truncating`` or
    ``non-synonymous`` (the passengers' non-synonymous class mix), at a free position where
    ``accept`` holds; None when ``tries`` draws fail."""
    gene = gene_by_name()[gene_name]
    spots = [h for h in load_hotspots() if h.gene == gene_name and (not hotspots or h.protein_change in hotspots)]
    labels = [c for c, _ in _NON_SYNONYMOUS_CLASSES]
    nonsyn_cumulative = _cumulative([p for _, p in _NON_SYNONYMOUS_CLASSES])
    for _ in range(tries):
        if alteration == "hotspot" or (alteration == "hotspot or truncating" and rng.random() < 0.6):
            variant = hotspot_variant(rng, spots[int(rng.integers(len(spots)))])
        elif alteration == "non-synonymous":
            variant = make_variant(rng, gene, labels[pick(rng, nonsyn_cumulative)])
        else:
            wanted = "Frame_Shift_Del" if alteration == "frameshift" else _TRUNCATING_CLASSES[pick(rng, _TRUNCATING_CUMULATIVE)]
            if alteration == "frameshift" and rng.random() < 0.4:
                wanted = "Frame_Shift_Ins"
            variant = make_variant(rng, gene, wanted)
        if variant is not None and occupancy.free(variant) and (accept is None or accept(variant)):
            occupancy.take(variant)
            return variant
    return None


def _driver_variant(rng: np.random.Generator, plan: DriverPlan, occupancy: Occupancy, accept=None) -> Variant | None:
    return alteration_variant(rng, plan.gene, plan.alteration, occupancy, accept)


HR_SOMATIC_TIME = 0.05
# germline.HR_GENES (imported there from here would be circular): passengers in these genes
# are never non-synonymous, so every damaging HR-gene mutation and biallelic HR loss in the
# truth is a planted one; the 425-gene table would otherwise hit BRCA2 or ATM (9-10 kb of CDS
# each) about fifty times more often than a 20,000-gene exome does.
HR_GENES = ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")  # the somatic hit precedes the LOH that removes the wild-type allele


def _scope_node(scope: str, patient: Patient, tree: list[CloneNode]) -> CloneNode:
    """The clone an effect of ``scope`` (trunk | primary | a later specimen) is planted in."""
    nodes = {n.name: n for n in tree}
    if scope == "trunk":
        return tree[0]
    if scope == "primary":
        own = [n for n in tree if n.name == "primary:clonal"
               or (n.name.endswith(":clonal") and n.name.startswith(f"{patient.patient}-P"))]
        return own[0] if own else tree[0]
    return nodes.get(f"{scope}:clonal", tree[0])  # acquired: clonal in the tumor it founded


def plant_somatic(rng: np.random.Generator, patient: Patient, tree: list[CloneNode], plans: list[DriverPlan],
                  occupancy: Occupancy, cn: CopyNumberModel | None = None,
                  hr: HRPlan | None = None, effects=None, controlled: frozenset[str] = frozenset()) -> list[SomaticMutation]:
    """Drivers first (so passengers avoid their positions), then passengers on every clone.

    With a copy-number model ``cn``, each mutation gets a time within its clone and a parental
    allele that survives in every tumor carrying it (positions where no allele survives, inside
    homozygous deletions, are drawn again); see :mod:`metevo.simulate.copynumber`. A patient
    whose HR plan is ``somatic+LOH`` gets a truncating mutation in the gene on allele 0 before
    the trunk LOH that removes allele 1. ``effects`` (an :class:`~metevo.simulate.effects.EffectPlan`)
    lists the planted cohort-effect alterations and where they go; passengers are never
    non-synonymous in the HR genes or in the ``controlled`` genes (the effects' genes).
    """
    from metevo.simulate.effects import MAPK_ALTERATIONS

    mutations: list[SomaticMutation] = []
    founder = tree[0]
    excluded = frozenset(HR_GENES) | controlled

    def placed(node: CloneNode, planted: bool = False):
        """(time, accept, viable alleles) for the next mutation of ``node``."""
        time = round(float(rng.random()), 6) if cn is not None else 0.0
        viable: list[list[int]] = [[0]]

        def accept(variant: Variant) -> bool:
            if not planted and variant.gene in excluded and variant.variant_classification in NON_SYNONYMOUS:
                return False  # damaging mutations of these genes are planted ones only
            if cn is None:
                return True
            viable[0] = cn.viable_alleles(node, time, variant.chrom, variant.pos)
            return bool(viable[0])

        return time, accept, viable

    def allele_of(viable) -> int:
        options = viable[0]
        return options[0] if len(options) == 1 else int(rng.random() < 0.5)

    for plan in plans:
        if plan.kind != "trunk_driver" or not _eligible(plan, patient, mutations):
            continue
        plan.n_eligible += 1
        if rng.random() < plan.probability:
            time, accept, viable = placed(founder, planted=True)
            variant = _driver_variant(rng, plan, occupancy, accept)
            if variant is not None:
                plan.n_planted += 1
                mutations.append(SomaticMutation(patient.patient, variant, founder.name, "trunk",
                                                 f"{plan.gene} {plan.alteration}", allele_of(viable), time))
    if hr is not None and hr.mechanism == "somatic+LOH" and cn is not None:
        gene = gene_by_name()[hr.gene]
        for _ in range(50):
            wanted = _TRUNCATING_CLASSES[pick(rng, _TRUNCATING_CUMULATIVE)]
            variant = make_variant(rng, gene, wanted)
            if (variant is not None and occupancy.free(variant)
                    and 0 in cn.viable_alleles(founder, HR_SOMATIC_TIME, variant.chrom, variant.pos)):
                occupancy.take(variant)
                mutations.append(SomaticMutation(patient.patient, variant, founder.name, "trunk",
                                                 f"{hr.gene} truncating (biallelic with LOH)", 0, HR_SOMATIC_TIME))
                break
    for planned in (effects.alterations if effects is not None else ()):
        node = _scope_node(planned.scope, patient, tree)
        time, accept, viable = placed(node, planted=True)
        label = planned.label
        if planned.effect == "ESR1":
            variant = alteration_variant(rng, "ESR1", "hotspot", occupancy, accept, tries=60)
        elif planned.effect == "MAPK":
            gene, kind, spots = MAPK_ALTERATIONS[label]
            variant = alteration_variant(rng, gene, kind, occupancy, accept, spots)
            if variant is None:  # the hotspot is taken in this patient (another metastasis): NF1 instead
                label = "NF1 truncating"
                variant = alteration_variant(rng, "NF1", "truncating", occupancy, accept, tries=100)
        else:
            variant = alteration_variant(rng, planned.gene, "non-synonymous", occupancy, accept, tries=100)
        if variant is not None:
            mutations.append(SomaticMutation(patient.patient, variant, node.name, node_origin(node), label,
                                             allele_of(viable), time))
    genes = load_genes()
    for node in tree:
        origin = node_origin(node)
        for _ in range(node.n_mutations):
            time, accept, viable = placed(node)
            variant = draw_passenger(rng, occupancy, genes, accept=accept)
            mutations.append(SomaticMutation(patient.patient, variant, node.name, origin, "", allele_of(viable), time))
    return mutations


def is_truncating(variant: Variant) -> bool:
    return variant.variant_classification in TRUNCATING
