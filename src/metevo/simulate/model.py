"""The cohort model: plain records the simulation functions build and the writers read."""

from __future__ import annotations

from dataclasses import dataclass, field

from metevo.simulate.variants import Variant

CALLERS = ("mutect2", "strelka2", "varscan2")


@dataclass
class Sample:
    sample: str
    patient: str
    sample_type: str  # primary | metastasis | recurrence | cfdna | normal
    specimen: str  # tumor specimen the sample was cut from; technical replicates share it ('' for normal)
    collection_time: float  # days since primary diagnosis
    site: str
    region_group: str = ""
    replicate_group: str = ""
    er_status: str = ""
    pr_status: str = ""
    her2_status: str = ""
    purity: float | None = None  # tumor cell fraction; for cfDNA the circulating tumor DNA fraction
    mean_depth: float = 0.0  # tumor samples: planted mean coverage; normal: the normal's
    ploidy: float | None = None  # planted: length-weighted mean total copy number of the autosomes
    wgd: bool = False  # planted whole-genome doubling
    lineage: str = ""  # cfDNA: the tumor specimen whose copy-number profile the plasma carries
    timepoint: str = ""  # cfDNA: before | at | after relapse

    @property
    def is_tumor(self) -> bool:
        """A tumor tissue sample (sequenced by the callers); not normal, not plasma."""
        return self.sample_type not in ("normal", "cfdna")

    @property
    def is_cfdna(self) -> bool:
        return self.sample_type == "cfdna"


@dataclass
class Patient:
    patient: str
    design: str
    subtype: str  # HR+/HER2-, HR+/HER2+, HR-/HER2+, TNBC
    er_status: str
    pr_status: str
    her2_status: str
    age_at_diagnosis: int
    samples: list[Sample] = field(default_factory=list)
    chemotherapy: str = "unknown"
    radiation: str = "unknown"
    antiestrogen: str = "unknown"
    anti_her2: str = "unknown"
    os_time: float = 0.0
    os_event: int = 0
    pfs_time: float = 0.0
    pfs_event: int = 0
    followup_start: float = 0.0  # days since diagnosis at which PFS and OS start: the first metastasis or recurrence

    @property
    def normal(self) -> Sample:
        return next(s for s in self.samples if s.sample_type == "normal")

    @property
    def tumors(self) -> list[Sample]:
        return [s for s in self.samples if s.is_tumor]

    @property
    def plasma(self) -> list[Sample]:
        return [s for s in self.samples if s.is_cfdna]

    @property
    def specimens(self) -> list[str]:
        seen: list[str] = []
        for s in self.tumors:
            if s.specimen not in seen:
                seen.append(s.specimen)
        return seen

    @property
    def hormone_receptor_positive(self) -> bool:
        return self.subtype.startswith("HR+")


@dataclass
class CloneNode:
    """A clone of the patient's tumor phylogeny and the mutations it acquired.

    ``ccf`` is the cancer cell fraction of the clone (and so of each of its mutations) in each
    tumor specimen; a specimen missing from it does not carry the clone.
    """

    name: str
    ccf: dict[str, float]
    n_mutations: int


@dataclass
class SomaticMutation:
    patient: str
    variant: Variant
    node: str
    origin: str  # trunk | branch | private
    driver: str = ""  # '' for passengers, else which planted driver
    allele: int = 0  # parental allele (0 or 1) the mutation arose on
    time: float = 0.0  # when in its clone's life it arose, relative to the clone's CN events (0..1)


@dataclass
class Observation:
    """A planted somatic mutation as sequenced in one tumor sample (the truth's read counts)."""

    sample: str
    mutation: int  # index into Cohort.somatic
    ccf: float
    vaf: float
    t_depth: int
    t_alt_count: int
    n_depth: int
    n_alt_count: int
    multiplicity: int = 1  # mutated copies per cell carrying it
    total_cn: int = 2  # tumor copy number at the site (major + minor)
    major_cn: int = 1
    minor_cn: int = 1


@dataclass
class GermlineVariant:
    variant: Variant
    population_af: float
    clinvar: str = ""  # ClinVar CLNSIG, '' when not in ClinVar
    pathogenic: bool = False


@dataclass
class GermlineGenotype:
    patient: str
    germline: GermlineVariant
    genotype: str  # het | hom
    depth: int
    alt_count: int
    allele: int = 0  # parental allele carrying the variant (het); pathogenic variants: 0


@dataclass
class CallerRecord:
    """One VCF record of one caller in one tumor sample (possibly with two ALT alleles)."""

    caller: str
    sample: str
    variants: tuple[Variant, ...]  # same chrom/pos/ref
    filter: str
    t_depth: int
    t_alt: tuple[int, ...]
    n_depth: int
    n_alt: tuple[int, ...]
    kind: str  # somatic | artefact | germline_leakage | germline | loh
    allele_filters: tuple[str, ...] = ()  # Mutect2 AS_FilterStatus per ALT
    somatic_status: int = 2  # VarScan2 SS: 1 germline, 2 somatic, 3 LOH

    @property
    def first(self) -> Variant:
        return self.variants[0]


@dataclass
class Artefact:
    """A planted false positive and the callers that report it (truth/artefacts.tsv)."""

    sample: str
    variant: Variant
    kind: str  # artefact | germline_leakage | second_allele
    callers: tuple[str, ...]
    passing: tuple[str, ...]  # those of ``callers`` whose record passes their own filters


@dataclass
class DriverPlan:
    """A planted driver rule and how often it fired (truth/drivers.tsv)."""

    gene: str
    alteration: str
    kind: str  # trunk_driver | metastasis_enriched
    eligible: str
    probability: float
    n_eligible: int = 0
    n_planted: int = 0


@dataclass(frozen=True)
class CNEvent:
    """A planted copy-number change of one clone on one parental allele.

    ``kind``: ``gain`` (``copies`` more copies of ``allele``), ``loss`` (``copies`` fewer),
    ``cnloh`` (``allele`` duplicated, the other allele lost: copy-neutral LOH), ``homdel``
    (both alleles lost), ``wgd`` (whole-genome doubling; chrom ''). ``time`` orders the events
    of one clone (0..1) and places them relative to the clone's mutations.
    """

    node: str
    time: float
    chrom: str
    start: int
    end: int
    kind: str
    allele: int
    copies: int
    name: str  # e.g. '1q gain', '1q21.3 amplification', 'HRD scar', 'BRCA1 LOH', 'WGD'
    origin: str  # trunk | branch | private


@dataclass
class HRPlan:
    """How (and whether) a patient's tumors lose homologous recombination (truth/biallelic.tsv)."""

    gene: str = ""  # BRCA1 | BRCA2 | PALB2 | '' (HR-proficient)
    mechanism: str = ""  # germline+LOH | somatic+LOH | homozygous_deletion | germline_only | ''
    loh_kind: str = ""  # loss | cnloh (the LOH event over the gene)

    @property
    def deficient(self) -> bool:
        return self.mechanism in ("germline+LOH", "somatic+LOH", "homozygous_deletion")


@dataclass
class SampleCN:
    """Planted allele-specific segments of one sample (both alleles, events covering each)."""

    chrom: list[str]
    start: list[int]
    end: list[int]
    a0: list[int]  # copies of parental allele 0
    a1: list[int]
    events: list[str]  # names of the events that shaped the segment, in order ('' for none)
    origin: list[str]  # origin of the last event touching the segment ('' for none)

    def __len__(self) -> int:
        return len(self.start)


@dataclass
class Cohort:
    seed: int
    patients: list[Patient]
    somatic: list[SomaticMutation] = field(default_factory=list)
    observations: list[Observation] = field(default_factory=list)
    germline: list[GermlineGenotype] = field(default_factory=list)
    calls: list[CallerRecord] = field(default_factory=list)
    artefacts: list[Artefact] = field(default_factory=list)
    drivers: list[DriverPlan] = field(default_factory=list)
    trees: dict[str, list[CloneNode]] = field(default_factory=dict)
    cn_events: dict[str, list[CNEvent]] = field(default_factory=dict)  # patient -> events
    copy_number: dict[str, SampleCN] = field(default_factory=dict)  # sample (tumor, cfDNA) -> segments
    hr_plans: dict[str, HRPlan] = field(default_factory=dict)  # patient -> plan
    scars: dict[str, tuple[int, int]] = field(default_factory=dict)  # patient -> (breakpoints, LOH > 15 Mb) of its scar
    segment_calls: dict[str, object] = field(default_factory=dict)  # tumor sample -> segments as a caller reports them
    bin_counts: dict[str, object] = field(default_factory=dict)  # tumor sample -> sWGS read counts per 100 kb bin
    wig_counts: dict[str, object] = field(default_factory=dict)  # cfDNA sample -> read counts per 1 Mb bin (table)
    pon: object = None  # simulated ichorCNA panel of normals (table)
    effects: object = None  # effects.CohortEffects: the planted cohort-level effects
    effect_plans: dict[str, object] = field(default_factory=dict)  # patient -> effects.EffectPlan
    external: object = None  # external.ExternalCohort: the external primary cohort (or None)

    def samples(self) -> list[Sample]:
        return [s for p in self.patients for s in p.samples]
