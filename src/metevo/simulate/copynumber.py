"""Copy-number truth: clonal events on the tumor phylogeny, allele-specific segments per sample.

Every patient's tumors share the copy-number events of the founder clone (the *trunk*): the
arm-level changes typical of breast cancer (1q, 8q, 16p, 20q gains; 16q, 17p, 8p, 11q, 13q,
18q, 22q, 6q, 9p losses, more 5q and 3p loss and 10p gain in triple-negative disease), with
frequencies rounded from TCGA-BRCA and METABRIC arm-level calls (Curtis et al. 2012, Nature
486:346; Cancer Genome Atlas Network 2012, Nature 490:61). Each tumor then acquires private
arm-level and interstitial changes, metastases more than primaries (Bertucci et al. 2019,
Nature 569:560), and some whole-genome doublings (WGD; about a third of metastases, a tenth of
primaries; Bielski et al. 2018, Nat Genet 50:1189).

Metastasis-enriched focal events are planted at the tracked regions
(``metevo/data/tracked_regions.tsv``): 1q21.3 amplification in most metastases and recurrences
(Goh et al. 2017, Nat Commun 8:1; Hu et al. 2020), 20q13.33 (PTK6) gain, 6p12.2 (PAQR8) loss,
19p13.3 (STK11) loss and 9p21.3 (CDKN2A) homozygous deletion, more often in metastases than
primaries; ERBB2 amplification in HER2-positive patients (truncal, so not enriched); MYC and
CCND1 amplification, mildly enriched. A region event found in a primary is truncal (it is also
in every later tumor); otherwise each metastasis or recurrence acquires it with the conditional
probability that makes its frequency in later tumors the planted one.

Homologous-recombination deficiency: germline BRCA1/BRCA2/PALB2 carriers lose the wild-type
allele in the trunk (85%; Maxwell et al. 2017, Nat Commun 8:319), and some tumors inactivate
one of these genes somatically (truncating mutation plus LOH, or homozygous deletion; 25% of
triple-negative, 5% of HR+/HER2-, 3% of HER2+ patients, standing also for the epigenetic BRCA1
silencing of triple-negative disease: with the carriers about 13% of patients are HR-deficient,
as in metastatic breast cancer series; Davies et al. 2017, Nat Med 23:517; Bertucci et al.
2019). Their genomes are scarred: a dozen or so
arms broken into pieces of at least 12 Mb with alternating allelic states, so that scarHRD
counts 20 or more large-scale transitions (LSTs) and many LOH segments longer than 15 Mb
(Popova et al. 2012, Cancer Res 72:5454; Abkevich et al. 2012, Br J Cancer 107:1776).

Alleles and multiplicity: each event changes one parental allele (0 or 1). A copy-number event
of a clone applies to every tumor in which that clone is clonal (CCF 1); subclonal copy
number is not modelled. Each mutation arises on one allele at a time within its clone, and its
multiplicity (mutated copies per cell) follows the events after it: a gain of its allele copies
the mutated chromosome only while every copy of the allele carries the mutation (so a mutation
older than a gain is on all gained copies, a younger one on one copy); a loss removes unmutated
copies first; copy-neutral LOH and WGD double it. Mutations are only placed where their allele
survives in every tumor that carries them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from metevo.simulate.genome import CN_CHROMS, LENGTHS, Arm, arm, arms
from metevo.simulate.model import CloneNode, CNEvent, GermlineVariant, HRPlan, Patient, SampleCN
from metevo.simulate.reference import gene_by_name

HR_DEFICIENCY_GENES = ("BRCA1", "BRCA2", "PALB2")

# Truncal arm-level events: (chrom, arm, kind, p HR+/HER2-, p HER2+, p TNBC, extent).
# extent: None for the whole arm, else (start, end) of a partial-arm event (11q distal loss).
ARM_EVENTS: tuple[tuple[str, str, str, float, float, float, tuple[int, int] | None], ...] = (
    ("1", "q", "gain", 0.65, 0.55, 0.50, None),
    ("8", "q", "gain", 0.40, 0.45, 0.60, None),
    ("16", "p", "gain", 0.35, 0.20, 0.15, None),
    ("20", "q", "gain", 0.20, 0.25, 0.20, None),
    ("17", "q", "gain", 0.20, 0.40, 0.15, None),
    ("10", "p", "gain", 0.05, 0.10, 0.30, None),
    ("16", "q", "loss", 0.55, 0.30, 0.20, None),
    ("17", "p", "loss", 0.30, 0.50, 0.55, None),
    ("8", "p", "loss", 0.35, 0.40, 0.45, None),
    ("11", "q", "loss", 0.25, 0.25, 0.20, (77_400_001, LENGTHS["11"])),
    ("13", "q", "loss", 0.20, 0.25, 0.40, None),
    ("18", "q", "loss", 0.20, 0.30, 0.30, None),
    ("22", "q", "loss", 0.25, 0.20, 0.20, None),
    ("6", "q", "loss", 0.20, 0.20, 0.30, None),
    ("9", "p", "loss", 0.10, 0.15, 0.25, None),
    ("19", "p", "loss", 0.08, 0.08, 0.12, None),
    ("5", "q", "loss", 0.05, 0.10, 0.35, None),
    ("3", "p", "loss", 0.05, 0.10, 0.30, None),
    ("4", "p", "loss", 0.15, 0.20, 0.35, None),
)

# Focal events at the tracked regions: region -> (kind, p primary, p metastasis/recurrence)
# per subtype group (HR+/HER2-, HER2+, TNBC). Probabilities are per tumor.
REGION_EVENTS: dict[str, tuple[str, tuple[tuple[float, float], tuple[float, float], tuple[float, float]]]] = {
    "1q21.3": ("amplification", ((0.12, 0.70), (0.12, 0.70), (0.12, 0.70))),
    "PTK6": ("gain", ((0.08, 0.55), (0.08, 0.55), (0.08, 0.55))),
    "PAQR8": ("loss", ((0.06, 0.45), (0.06, 0.45), (0.06, 0.45))),
    "STK11": ("loss", ((0.06, 0.45), (0.06, 0.45), (0.06, 0.45))),
    "CDKN2A": ("deletion", ((0.04, 0.30), (0.04, 0.30), (0.04, 0.30))),
    "ERBB2": ("amplification", ((0.0, 0.0), (0.95, 0.95), (0.0, 0.0))),
    "MYC": ("amplification", ((0.12, 0.25), (0.12, 0.25), (0.20, 0.35))),
    "CCND1": ("amplification", ((0.15, 0.25), (0.04, 0.08), (0.04, 0.08))),
}
SOMATIC_HR_RATE = {"TNBC": 0.25, "HR+/HER2-": 0.05}  # else 0.03
GERMLINE_LOH_RATE = 0.85
WGD_RATE = {"trunk": 0.10, "primary": 0.05, "later": 0.30}
PRIVATE_EVENT_RATE = {"primary": 1.2, "common": 1.0, "later": 3.0}  # Poisson means per clone
SCAR_MIN_PIECE = 12_000_000
MB = 1_000_000


def subtype_group(subtype: str) -> int:
    """0: HR+/HER2-, 1: HER2-positive, 2: triple negative."""
    return 2 if subtype == "TNBC" else (1 if "HER2+" in subtype else 0)


# ------------------------------------------------------------------ tracked regions (hg38)


@lru_cache(maxsize=None)
def region_coordinates() -> dict[str, tuple[str, int, int]]:
    """Default tracked regions on hg38: name -> (chrom, start, end), from the package list."""
    from metevo.cn.regions import default_regions

    table = default_regions("hg38")
    return {r.region: (r.chrom, int(r.start), int(r.end)) for r in table.itertuples(index=False)}


# ------------------------------------------------------------------ planning the events


def _clonal_nodes(patient: Patient, tree: list[CloneNode]) -> tuple[list[str], list[str], str | None]:
    """(primary-own clonal nodes, later-tumor clonal nodes, the metastases' common ancestor)."""
    names = [n.name for n in tree]
    primary = [n for n in names if n in ("primary:clonal",) or (n.endswith(":clonal") and n.startswith(f"{patient.patient}-P"))]
    later = [n for n in names if n.endswith(":clonal") and n not in primary and n != "primary:clonal"]
    common = "metastasis:common" if "metastasis:common" in names else None
    return primary, later, common


def _specimen_of(node: str) -> str:
    return node.rsplit(":", 1)[0]


class _Planner:
    def __init__(self, rng: np.random.Generator, patient: Patient, tree: list[CloneNode]) -> None:
        self.rng = rng
        self.patient = patient
        self.tree = tree
        self.nodes = {n.name: n for n in tree}
        self.events: list[CNEvent] = []

    def origin(self, node: str) -> str:
        if node == "trunk":
            return "trunk"
        return "branch" if len(self.nodes[node].ccf) > 1 else "private"

    def add(self, node: str, chrom: str, start: int, end: int, kind: str, allele: int, copies: int, name: str,
            time: float | None = None) -> None:
        t = float(self.rng.random()) if time is None else time
        self.events.append(CNEvent(node, round(t, 6), chrom, int(start), int(end), kind, allele, copies, name,
                                   self.origin(node)))

    def allele(self) -> int:
        return int(self.rng.random() < 0.5)

    def gain_copies(self) -> int:
        return 2 if self.rng.random() < 0.15 else 1

    def arm_event(self, node: str, a: Arm, kind: str, extent: tuple[int, int] | None = None) -> None:
        start, end = extent or (a.start, a.end)
        copies = self.gain_copies() if kind == "gain" else 1
        label = a.name if extent is None else f"{a.name} distal"
        self.add(node, a.chrom, start, end, kind, self.allele(), copies, f"{label} {kind}")

    def private_events(self, node: str, rate: float) -> None:
        choices = arms()
        weights = np.array([a.length for a in choices], dtype=float)
        weights /= weights.sum()
        for _ in range(int(self.rng.poisson(rate))):
            a = choices[int(self.rng.choice(len(choices), p=weights))]
            kind = "gain" if self.rng.random() < 0.5 else "loss"
            if self.rng.random() < 0.4 or a.length < 20 * MB:
                self.arm_event(node, a, kind)
                continue
            # interstitial: 10-60 Mb, at least 3 Mb from the arm's ends
            length = int(self.rng.uniform(10 * MB, min(60 * MB, a.length - 6 * MB)))
            start = int(self.rng.integers(a.start + 3 * MB, a.end - 3 * MB - length + 2))
            copies = self.gain_copies() if kind == "gain" else 1
            self.add(node, a.chrom, start, start + length - 1, kind, self.allele(), copies,
                     f"{a.name} interstitial {kind}")

    def region_event(self, node: str, region: str) -> None:
        kind = REGION_EVENTS[region][0]
        chrom, start, end = region_coordinates()[region]
        rng = self.rng
        a = arm(chrom, "p" if end < arm(chrom, "q").start else "q")
        name = f"{region} {kind}"
        if region == "1q21.3":
            lo, hi = start - int(rng.uniform(0, 2 * MB)), end + int(rng.uniform(0, 2 * MB))
        elif region == "PTK6":  # terminal 20q gain
            lo, hi = int(rng.uniform(55 * MB, 61 * MB)), a.end
        elif region == "STK11":  # terminal 19p deletion
            lo, hi = a.start, int(rng.uniform(2 * MB, 8 * MB))
        elif kind == "loss":
            lo, hi = start - int(rng.uniform(1 * MB, 5 * MB)), end + int(rng.uniform(1 * MB, 5 * MB))
        elif kind == "deletion":
            lo, hi = start - int(rng.uniform(0.1 * MB, 1 * MB)), end + int(rng.uniform(0.1 * MB, 1 * MB))
        else:
            lo, hi = start - int(rng.uniform(0.3 * MB, 1.5 * MB)), end + int(rng.uniform(0.3 * MB, 1.5 * MB))
        lo, hi = max(lo, a.start), min(hi, a.end)
        if kind == "amplification":
            self.add(node, chrom, lo, hi, "gain", self.allele(), int(rng.integers(4, 9)), name)
        elif kind == "gain":
            self.add(node, chrom, lo, hi, "gain", self.allele(), self.gain_copies(), name)
        elif kind == "loss":
            self.add(node, chrom, lo, hi, "loss", self.allele(), 1, name)
        else:
            self.add(node, chrom, lo, hi, "homdel", 0, 2, name)

    def hr_events(self, plan: HRPlan) -> None:
        """LOH (losing allele 1; the inactivated allele is 0) or homozygous deletion of the gene."""
        gene = gene_by_name()[plan.gene]
        a = arm(gene.chrom, "p" if gene.gene_end < arm(gene.chrom, "q").start else "q")
        rng = self.rng
        if plan.mechanism == "homozygous_deletion":
            lo = gene.gene_start - int(rng.uniform(0.05 * MB, 0.5 * MB))
            hi = gene.gene_end + int(rng.uniform(0.05 * MB, 0.5 * MB))
            self.add("trunk", gene.chrom, max(lo, a.start), min(hi, a.end), "homdel", 0, 2,
                     f"{plan.gene} homozygous deletion", time=0.1)
            return
        if not plan.loh_kind:
            return
        lo = gene.gene_start - int(rng.uniform(5 * MB, 20 * MB))
        hi = gene.gene_end + int(rng.uniform(5 * MB, 20 * MB))
        kind = "loss" if plan.loh_kind == "loss" else "cnloh"
        allele = 1 if kind == "loss" else 0  # loss of allele 1, or allele 0 duplicated
        self.add("trunk", gene.chrom, max(lo, a.start), min(hi, a.end), kind, allele, 1, f"{plan.gene} LOH", time=0.1)

    def scar(self, exclude: set[str]) -> tuple[int, int]:
        """Trunk events breaking a dozen arms into >= 12 Mb pieces of alternating allelic state.

        Returns (breakpoints between adjacent pieces, LOH pieces longer than 15 Mb).
        """
        rng = self.rng
        candidates = [a for a in arms() if a.length >= 45 * MB and a.name not in exclude]
        n_arms = min(int(rng.integers(12, 17)), len(candidates))
        chosen = sorted(int(i) for i in rng.choice(len(candidates), size=n_arms, replace=False))
        breakpoints = long_loh = 0
        states = ("none", "loss", "cnloh", "gain")
        for i in chosen:
            a = candidates[i]
            k = min(int(rng.choice([2, 3, 4], p=[0.3, 0.4, 0.3])), a.length // SCAR_MIN_PIECE)
            spare = a.length - k * SCAR_MIN_PIECE
            lengths = SCAR_MIN_PIECE + np.floor(rng.dirichlet(np.ones(k)) * spare).astype(np.int64)
            lengths[-1] = a.length - int(lengths[:-1].sum())
            previous = None
            start = a.start
            for length in lengths:
                state = previous
                while state == previous:
                    state = states[int(rng.integers(len(states)))]
                end = start + int(length) - 1
                if state != "none":
                    allele = self.allele()
                    self.add("trunk", a.chrom, start, end, state, allele, 1, "HRD scar",
                             time=float(rng.uniform(0.15, 0.95)))
                if state in ("loss", "cnloh") and end - start > 15 * MB:
                    long_loh += 1
                previous = state
                start = end + 1
            breakpoints += k - 1
        return breakpoints, long_loh


def hr_plan(rng: np.random.Generator, patient: Patient, carrier: GermlineVariant | None) -> HRPlan:
    """Whether the patient's tumors are HR-deficient, through which gene and mechanism."""
    if carrier is not None and carrier.variant.gene in HR_DEFICIENCY_GENES:
        gene = carrier.variant.gene
        if rng.random() < GERMLINE_LOH_RATE:
            return HRPlan(gene, "germline+LOH", "loss" if rng.random() < 0.6 else "cnloh")
        return HRPlan(gene, "germline_only")
    if rng.random() < SOMATIC_HR_RATE.get(patient.subtype, 0.03):
        gene = HR_DEFICIENCY_GENES[int(rng.choice(3, p=[0.45, 0.4, 0.15]))]
        if rng.random() < 0.75:
            return HRPlan(gene, "somatic+LOH", "loss" if rng.random() < 0.6 else "cnloh")
        return HRPlan(gene, "homozygous_deletion")
    return HRPlan()


def hr_plans(rng: np.random.Generator, patients: list[Patient],
             carriers: dict[str, GermlineVariant]) -> dict[str, HRPlan]:
    """Every patient's HR plan; a cohort always has at least one HR-deficient patient (a
    triple-negative one when there is one), so that every cohort exercises HRD and biallelic
    loss, as every cohort has a germline carrier."""
    plans = {p.patient: hr_plan(rng, p, carriers.get(p.patient)) for p in patients}
    if not any(plan.deficient for plan in plans.values()):
        candidates = [p for p in patients if not plans[p.patient].gene]
        tnbc = [p for p in candidates if p.subtype == "TNBC"]
        pool = tnbc or candidates
        if pool:
            chosen = pool[int(rng.integers(len(pool)))]
            gene = HR_DEFICIENCY_GENES[int(rng.choice(3, p=[0.45, 0.4, 0.15]))]
            plans[chosen.patient] = HRPlan(gene, "somatic+LOH", "loss" if rng.random() < 0.6 else "cnloh")
    return plans


def plan_events(rng: np.random.Generator, patient: Patient, tree: list[CloneNode],
                plan: HRPlan, placed: dict[str, list[str]] | None = None) -> tuple[list[CNEvent], tuple[int, int]]:
    """The patient's copy-number events, and (breakpoints, long LOH pieces) of its HRD scar.

    ``placed``: region -> scopes (``trunk`` or later tumor specimens) of focal events decided
    elsewhere (the MYC amplification, kept apart from ESR1 hotspots by
    :func:`metevo.simulate.effects.plan_effects` at the rates of :data:`REGION_EVENTS`)."""
    p = _Planner(rng, patient, tree)
    group = subtype_group(patient.subtype)
    primary_nodes, later_nodes, common = _clonal_nodes(patient, tree)
    has_primary = any(s.sample_type == "primary" for s in patient.tumors)

    trunk_arms: set[str] = set()
    for chrom, which, kind, *probs, extent in ARM_EVENTS:
        if rng.random() < probs[group]:
            p.arm_event("trunk", arm(chrom, which), kind, extent)
            trunk_arms.add(f"{chrom}{which}")
    trunk_wgd = rng.random() < WGD_RATE["trunk"]
    if trunk_wgd:
        p.add("trunk", "", 0, 0, "wgd", 0, 0, "WGD")
    if plan.gene:
        p.hr_events(plan)
    scar = (0, 0)
    if plan.deficient:
        gene = gene_by_name()[plan.gene]
        gene_arm = f"{gene.chrom}{'p' if gene.gene_end < arm(gene.chrom, 'q').start else 'q'}"
        scar = p.scar(trunk_arms | {gene_arm})

    for region, (_, by_group) in REGION_EVENTS.items():
        p_primary, p_later = by_group[group]
        if placed is not None and region in placed:
            for scope in placed[region]:
                p.region_event("trunk" if scope == "trunk" else f"{scope}:clonal", region)
            continue
        if not has_primary:
            if rng.random() < p_later:
                p.region_event("trunk", region)
            continue
        if rng.random() < p_primary:
            p.region_event("trunk", region)
            continue
        conditional = (p_later - p_primary) / (1 - p_primary) if p_primary < 1 else 0.0
        for node in later_nodes:
            if rng.random() < conditional:
                p.region_event(node, region)

    for node in primary_nodes:
        p.private_events(node, PRIVATE_EVENT_RATE["primary"])
        if rng.random() < WGD_RATE["primary"] and not trunk_wgd:  # at most one doubling per lineage
            p.add(node, "", 0, 0, "wgd", 0, 0, "WGD")
    if common is not None:
        p.private_events(common, PRIVATE_EVENT_RATE["common"])
    for node in later_nodes:
        p.private_events(node, PRIVATE_EVENT_RATE["later"])
        if rng.random() < WGD_RATE["later"] and not trunk_wgd:
            p.add(node, "", 0, 0, "wgd", 0, 0, "WGD")
    return p.events, scar


# ------------------------------------------------------------------ applying the events


def apply_event(c: list[int], m: int, allele: int | None, e: CNEvent) -> int:
    """Apply one event to the allele copies ``c`` (in place) and return the new multiplicity
    of a mutation on ``allele`` with multiplicity ``m`` (0: none; see module docstring)."""
    if e.kind == "wgd":
        c[0] *= 2
        c[1] *= 2
        return 2 * m
    if e.kind == "homdel":
        c[0] = c[1] = 0
        return 0
    a = e.allele
    if e.kind == "gain":
        if c[a] == 0:
            return m
        full = allele == a and m == c[a] and m > 0
        c[a] += e.copies
        return m + e.copies if full else m
    if e.kind == "loss":
        # a cell keeps at least one copy of a region outside planted homozygous deletions
        floor = 1 if c[1 - a] == 0 else 0
        c[a] = max(c[a] - e.copies, floor, 0) if c[a] > 0 else 0
        return min(m, c[a]) if allele == a else m
    if e.kind == "cnloh":
        if c[a] == 0:
            return m
        c[a] *= 2
        c[1 - a] = 0
        if allele == a:
            return 2 * m
        return 0
    raise ValueError(f"unknown copy-number event kind {e.kind!r}")


class CopyNumberModel:
    """One patient's events arranged per tumor specimen (its clonal lineage, in order)."""

    def __init__(self, tree: list[CloneNode], events: list[CNEvent]) -> None:
        self.index = {n.name: i for i, n in enumerate(tree)}
        self.tree = tree
        self.events = events
        specimens = sorted({s for n in tree for s in n.ccf})
        self.lineage: dict[str, list[tuple[tuple[int, float], CNEvent]]] = {}
        self.by_chrom: dict[str, dict[str, list[tuple[tuple[int, float], CNEvent]]]] = {}
        self.clonal: dict[str, set[str]] = {}
        for specimen in specimens:
            clonal = {n.name for n in tree if n.ccf.get(specimen, 0.0) >= 1.0}
            self.clonal[specimen] = clonal
            # by (lineage position, time); events at the same time keep their order (a stable sort)
            ordered = sorted((((self.index[e.node], e.time), e) for e in events if e.node in clonal), key=lambda item: item[0])
            self.lineage[specimen] = ordered
            per_chrom: dict[str, list] = {c: [] for c in CN_CHROMS}
            for key, e in ordered:
                for c in (CN_CHROMS if e.kind == "wgd" else (e.chrom,)):
                    per_chrom[c].append((key, e))
            self.by_chrom[specimen] = per_chrom

    def state(self, specimen: str, chrom: str, pos: int, node: str | None = None, time: float = 0.0,
              allele: int | None = None) -> tuple[int, int, int]:
        """(copies of allele 0, copies of allele 1, multiplicity of a mutation of ``node`` arisen
        at ``time`` on ``allele``) at a position of a specimen; multiplicity 0 without a mutation."""
        c = [1, 1]
        m = 0
        key = None
        if node is not None:
            # a clone that is subclonal in this specimen arose after the specimen's clonal events
            rank = self.index[node] if node in self.clonal[specimen] else len(self.index)
            key = (rank, time)
        placed = key is None
        for ekey, e in self.by_chrom[specimen].get(chrom, ()):
            if e.kind != "wgd" and not (e.start <= pos <= e.end):
                continue
            if not placed and ekey > key:
                m = 1 if c[allele] > 0 else 0
                placed = True
                if m == 0:
                    return c[0], c[1], 0
            m = apply_event(c, m, allele if placed and key is not None else None, e)
        if not placed:
            m = 1 if c[allele] > 0 else 0
        return c[0], c[1], m

    def viable_alleles(self, node: CloneNode, time: float, chrom: str, pos: int) -> list[int]:
        """Alleles a mutation of ``node`` could sit on and still be present in every specimen
        carrying the clone."""
        carriers = [s for s, ccf in node.ccf.items() if ccf > 0]
        return [a for a in (0, 1)
                if all(self.state(s, chrom, pos, node.name, time, a)[2] >= 1 for s in carriers)]

    def segments(self, specimen: str) -> SampleCN:
        """Allele-specific segments of a specimen over the autosomes and X, adjacent pieces of
        identical state and history merged."""
        out = SampleCN([], [], [], [], [], [], [])
        ordered = self.lineage[specimen]
        for chrom in CN_CHROMS:
            mine = [e for _, e in ordered if e.kind == "wgd" or e.chrom == chrom]
            cuts = {1, LENGTHS[chrom] + 1}
            for e in mine:
                if e.kind != "wgd":
                    cuts.update((e.start, e.end + 1))
            bounds = np.array(sorted(cuts), dtype=np.int64)
            starts, ends = bounds[:-1], bounds[1:] - 1
            n = starts.size
            a0 = np.ones(n, dtype=np.int64)
            a1 = np.ones(n, dtype=np.int64)
            names: list[list[str]] = [[] for _ in range(n)]
            origins = [""] * n
            for e in mine:
                if e.kind == "wgd":
                    idx = range(n)
                else:
                    lo = int(np.searchsorted(starts, e.start))
                    hi = int(np.searchsorted(starts, e.end + 1))
                    idx = range(lo, hi)
                for i in idx:
                    c = [int(a0[i]), int(a1[i])]
                    before = tuple(c)
                    apply_event(c, 0, None, e)
                    a0[i], a1[i] = c
                    if tuple(c) != before or e.kind == "wgd":
                        if not names[i] or names[i][-1] != e.name:
                            names[i].append(e.name)
                        origins[i] = e.origin
            # merge neighbours with identical state and history
            for i in range(n):
                label = ",".join(names[i])
                if (out.start and out.chrom[-1] == chrom and out.a0[-1] == a0[i] and out.a1[-1] == a1[i]
                        and out.events[-1] == label and out.origin[-1] == origins[i]):
                    out.end[-1] = int(ends[i])
                    continue
                out.chrom.append(chrom)
                out.start.append(int(starts[i]))
                out.end.append(int(ends[i]))
                out.a0.append(int(a0[i]))
                out.a1.append(int(a1[i]))
                out.events.append(label)
                out.origin.append(origins[i])
        return out


def ploidy(cn: SampleCN) -> float:
    """Length-weighted mean total copy number over the autosomes."""
    total = length = 0.0
    for chrom, start, end, a0, a1 in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1):
        if chrom == "X":
            continue
        w = end - start + 1
        total += w * (a0 + a1)
        length += w
    return total / length


def has_wgd(model: CopyNumberModel, specimen: str) -> bool:
    return any(e.kind == "wgd" for _, e in model.lineage[specimen])


__all__ = [
    "ARM_EVENTS", "CopyNumberModel", "HR_DEFICIENCY_GENES", "REGION_EVENTS", "hr_plan", "hr_plans", "plan_events",
    "ploidy",
]
