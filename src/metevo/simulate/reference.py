"""The simulator's genome: hg38 contigs, its gene table, hotspots, and a stand-in reference.

There is no reference FASTA at run time. Reference bases come from :func:`reference_base`, a
fixed hash of (chromosome, position): the same position always has the same base, in every
patient, sample, caller file and seed, so REF alleles are consistent across the whole cohort
and between cohorts. Positions of the real hotspots carry their real hg38 base.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from importlib import resources

import numpy as np

# GRCh38 primary assembly (UCSC hg38) lengths: written in every VCF's ##contig lines so that
# the genome build is detectable from the header alone.
HG38_CONTIGS: tuple[tuple[str, int], ...] = (
    ("1", 248956422), ("2", 242193529), ("3", 198295559), ("4", 190214555),
    ("5", 181538259), ("6", 170805979), ("7", 159345973), ("8", 145138636),
    ("9", 138394717), ("10", 133797422), ("11", 135086622), ("12", 133275309),
    ("13", 114364328), ("14", 107043718), ("15", 101991189), ("16", 90338345),
    ("17", 83257441), ("18", 80373285), ("19", 58617616), ("20", 64444167),
    ("21", 46709983), ("22", 50818468), ("X", 156040895), ("Y", 57227415), ("MT", 16569),
)
CHROM_ORDER = {c: i for i, (c, _) in enumerate(HG38_CONTIGS)}

CODON_TABLE = {
    a + b + c: aa
    for (a, b, c), aa in zip(
        ((x, y, z) for x in "TCAG" for y in "TCAG" for z in "TCAG"),
        "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG",
    )
}
AA3 = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter",
}
COMPLEMENT = str.maketrans("ACGT", "TGCA")


def revcomp(seq: str) -> str:
    return seq.translate(COMPLEMENT)[::-1]


@dataclass(frozen=True)
class Gene:
    index: int  # row in the package table: stable, used for placeholder transcript ids
    gene: str
    chrom: str
    gene_start: int
    gene_end: int
    cds_start: int
    cds_end: int
    cds_length: int
    strand: str
    role: str

    @property
    def n_codons(self) -> int:
        return max(self.cds_length // 3, 1)

    @property
    def utr5(self) -> tuple[int, int]:
        """Genomic interval of the 5' UTR stand-in (between gene and CDS ends; may be empty)."""
        return (self.gene_start, self.cds_start - 1) if self.strand == "+" else (self.cds_end + 1, self.gene_end)

    @property
    def utr3(self) -> tuple[int, int]:
        return (self.cds_end + 1, self.gene_end) if self.strand == "+" else (self.gene_start, self.cds_start - 1)

    @property
    def transcript_id(self) -> str:
        return f"SIMT{self.index:07d}"

    @property
    def gene_id(self) -> str:
        return f"SIMG{self.index:07d}"

    @property
    def protein_id(self) -> str:
        return f"SIMP{self.index:07d}"

    @property
    def n_exons(self) -> int:
        return 4 + (self.index * 7919) % 23


@dataclass(frozen=True)
class Hotspot:
    gene: str
    chrom: str
    pos: int
    ref: str
    alt: str
    protein_change: str


def _data_lines(name: str) -> list[list[str]]:
    text = resources.files("metevo.data").joinpath(name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return rows[1:]


@lru_cache(maxsize=None)
def load_genes() -> tuple[Gene, ...]:
    """The package gene table ``sim_genes_hg38.tsv`` (see ``derive_data``)."""
    return tuple(
        Gene(i, r[0], r[1], int(r[2]), int(r[3]), int(r[4]), int(r[5]), int(r[6]), r[7], r[8])
        for i, r in enumerate(_data_lines("sim_genes_hg38.tsv"))
    )


@lru_cache(maxsize=None)
def load_hotspots() -> tuple[Hotspot, ...]:
    return tuple(Hotspot(r[0], r[1], int(r[2]), r[3], r[4], r[5]) for r in _data_lines("sim_hotspots_hg38.tsv"))


@lru_cache(maxsize=None)
def gene_by_name() -> dict[str, Gene]:
    return {g.gene: g for g in load_genes()}


@lru_cache(maxsize=None)
def _reference_overrides() -> dict[tuple[str, int], str]:
    return {(h.chrom, h.pos): h.ref for h in load_hotspots()}


_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


# thresholds on the top 53 bits of the hash: A < 0.295 <= C < 0.5 <= G < 0.705 <= T
_A, _C, _G = (ceil(f * (1 << 53)) for f in (0.295, 0.5, 0.705))  # u < ceil(t) iff u / 2**53 < f


def reference_base(chrom: str, pos: int) -> str:
    """The stand-in hg38 base at a 1-based position (~41% GC, as in human exomes' flanks)."""
    override = _reference_overrides().get((chrom, pos))
    if override is not None:
        return override
    x = ((CHROM_ORDER[chrom] << 32) | pos) + 0x9E3779B97F4A7C15
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    u = (x ^ (x >> 31)) >> 11
    return "A" if u < _A else "C" if u < _C else "G" if u < _G else "T"


def reference_seq(chrom: str, start: int, length: int) -> str:
    return "".join(reference_base(chrom, p) for p in range(start, start + length))


def cds_offset(gene: Gene, pos: int) -> int:
    """0-based distance of ``pos`` from the CDS start in transcript orientation."""
    return pos - gene.cds_start if gene.strand == "+" else gene.cds_end - pos


def protein_position(gene: Gene, pos: int) -> int:
    """Codon number of a CDS-span position, scaled onto the protein length.

    The table has CDS spans, not exons, so the CDS span (introns included) is mapped linearly
    onto the gene's codons. This keeps positions within the protein; it is not the real codon.
    """
    codon = cds_offset(gene, pos) // 3
    n_span = (gene.cds_end - gene.cds_start) // 3 + 1
    return 1 + codon * gene.n_codons // n_span


def codon_at(gene: Gene, pos: int) -> tuple[str, int, list[int]]:
    """(codon in transcript orientation, phase of ``pos`` in it, the codon's genomic positions).

    Codons are triplets of adjacent genomic positions phased from the CDS start, so two
    mutations in one codon see the same reference codon.
    """
    phase = cds_offset(gene, pos) % 3
    if gene.strand == "+":
        positions = [pos - phase + k for k in range(3)]
        codon = "".join(reference_base(gene.chrom, p) for p in positions)
    else:
        positions = [pos + phase - k for k in range(3)]
        codon = "".join(reference_base(gene.chrom, p) for p in positions).translate(COMPLEMENT)
    return codon, phase, positions


def gene_weights(genes: tuple[Gene, ...]) -> np.ndarray:
    """Probability of a passenger hitting each gene: proportional to its CDS length."""
    lengths = np.array([g.cds_length for g in genes], dtype=float)
    return lengths / lengths.sum()
