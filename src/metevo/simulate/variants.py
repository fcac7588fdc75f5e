"""Planted alleles with their annotation, consistent with the stand-in reference.

Each variant is drawn for a wanted consequence. Coding substitutions are classified by
translating the reference and mutated codon (standard genetic code), so ``Amino_acids``,
``Codons``, HGVS and the consequence agree with REF/ALT; draws are repeated until the
translation gives the wanted class (missense, synonymous or stop_gained). Indels are placed
where their VCF representation is already left-aligned (the anchor base differs from the last
inserted/deleted base), so the planted allele is the normalised one a reader would produce.

Deviations, by design: the gene table has CDS spans but no exons, so splice sites and introns
are positions inside the CDS span labelled as such, UTRs are the stretches between gene and CDS
ends, and protein positions are scaled onto the protein length (``reference.protein_position``).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from metevo.simulate.reference import (
    AA3,
    CODON_TABLE,
    COMPLEMENT,
    Gene,
    Hotspot,
    codon_at,
    gene_by_name,
    protein_position,
    reference_base,
    reference_seq,
    revcomp,
)

# MAF Variant_Classification -> (VEP consequence, snpEff effect, IMPACT)
CONSEQUENCES: dict[str, tuple[str, str, str]] = {
    "Missense_Mutation": ("missense_variant", "missense_variant", "MODERATE"),
    "Nonsense_Mutation": ("stop_gained", "stop_gained", "HIGH"),
    "Silent": ("synonymous_variant", "synonymous_variant", "LOW"),
    "Frame_Shift_Del": ("frameshift_variant", "frameshift_variant", "HIGH"),
    "Frame_Shift_Ins": ("frameshift_variant", "frameshift_variant", "HIGH"),
    "In_Frame_Del": ("inframe_deletion", "conservative_inframe_deletion", "MODERATE"),
    "In_Frame_Ins": ("inframe_insertion", "conservative_inframe_insertion", "MODERATE"),
    "Splice_Site": ("splice_donor_variant", "splice_donor_variant&intron_variant", "HIGH"),
    "5'UTR": ("5_prime_UTR_variant", "5_prime_UTR_variant", "MODIFIER"),
    "3'UTR": ("3_prime_UTR_variant", "3_prime_UTR_variant", "MODIFIER"),
    "Intron": ("intron_variant", "intron_variant", "MODIFIER"),
}
NON_SYNONYMOUS = frozenset(
    {"Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site", "Nonsense_Mutation",
     "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"}
)
TRUNCATING = frozenset({"Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site"})

# Somatic substitution spectrum of breast cancers, folded to pyrimidine reference bases:
# C>T (ageing/APOBEC) and C>G (APOBEC) dominate (Nik-Zainal et al. 2016, Nature 534:47).
_SPECTRUM_PYR = {"C": (("T", 0.55), ("G", 0.25), ("A", 0.20)), "T": (("C", 0.50), ("A", 0.22), ("G", 0.28))}
# Germline SNVs: transitions about twice as frequent as transversions.
_SPECTRUM_GERMLINE = {"C": (("T", 0.67), ("G", 0.16), ("A", 0.17)), "T": (("C", 0.67), ("A", 0.16), ("G", 0.17))}


@dataclass(frozen=True)
class Variant:
    """One planted allele, VCF-style and normalised, with its single canonical annotation."""

    chrom: str  # without 'chr'
    pos: int
    ref: str
    alt: str
    gene: str
    variant_classification: str
    hgvsc: str = ""  # c. notation, transcript strand
    hgvsp: str = ""  # p. notation, three-letter amino acids ('' when none)
    hgvsp_short: str = ""
    protein_position: str = ""
    amino_acids: str = ""
    codons: str = ""
    exon: str = ""
    intron: str = ""

    @property
    def variant_type(self) -> str:
        if len(self.ref) == len(self.alt):
            return "SNP" if len(self.ref) == 1 else "ONP"
        return "DEL" if len(self.ref) > len(self.alt) else "INS"

    @property
    def is_indel(self) -> bool:
        return len(self.ref) != len(self.alt)

    @property
    def end(self) -> int:
        return self.pos + len(self.ref) - 1

    @property
    def consequence(self) -> str:
        """VEP consequence term."""
        if self.variant_classification == "Splice_Site":
            return splice_kind(self)
        return CONSEQUENCES[self.variant_classification][0]

    @property
    def snpeff_effect(self) -> str:
        if self.variant_classification == "Splice_Site":
            return splice_kind(self) + "&intron_variant"
        return CONSEQUENCES[self.variant_classification][1]

    @property
    def impact(self) -> str:
        return CONSEQUENCES[self.variant_classification][2]

    @property
    def key(self) -> tuple[str, int, str, str]:
        return (self.chrom, self.pos, self.ref, self.alt)


def _spectrum_table(spectrum: dict) -> dict[str, tuple[tuple[str, ...], list[float]]]:
    return {base: (tuple(a for a, _ in options), np.cumsum([p for _, p in options]).tolist())
            for base, options in spectrum.items()}


_SPECTRUM_TABLES: dict[int, dict] = {}


def draw_substitution(rng: np.random.Generator, ref: str, spectrum: dict = _SPECTRUM_PYR) -> str:
    table = _SPECTRUM_TABLES.get(id(spectrum))
    if table is None:
        table = _SPECTRUM_TABLES[id(spectrum)] = _spectrum_table(spectrum)
    pyr = ref in "CT"
    alts, cumulative = table[ref if pyr else ref.translate(COMPLEMENT)]
    alt = alts[min(bisect_right(cumulative, rng.random()), len(alts) - 1)]
    return alt if pyr else alt.translate(COMPLEMENT)


def _exon_label(rng: np.random.Generator, gene: Gene) -> str:
    return f"{int(rng.integers(2, gene.n_exons + 1))}/{gene.n_exons}"


def _intron_label(rng: np.random.Generator, gene: Gene) -> str:
    return f"{int(rng.integers(1, gene.n_exons))}/{gene.n_exons - 1}"


def _uniform_pos(rng: np.random.Generator, lo: int, hi: int) -> int:
    return int(rng.integers(lo, hi + 1))


def coding_substitution(rng: np.random.Generator, gene: Gene, wanted: str, *, germline: bool = False,
                        region: tuple[int, int] | None = None, max_tries: int = 400) -> Variant | None:
    """A substitution in the CDS span whose codon translation gives ``wanted``."""
    lo, hi = region or (gene.cds_start, gene.cds_end)
    spectrum = _SPECTRUM_GERMLINE if germline else _SPECTRUM_PYR
    for _ in range(max_tries):
        pos = _uniform_pos(rng, lo, hi)
        ref = reference_base(gene.chrom, pos)
        alt = draw_substitution(rng, ref, spectrum)
        codon, phase, _ = codon_at(gene, pos)
        alt_tx = alt if gene.strand == "+" else alt.translate(COMPLEMENT)
        mutant = codon[:phase] + alt_tx + codon[phase + 1:]
        ref_aa, alt_aa = CODON_TABLE[codon], CODON_TABLE[mutant]
        if ref_aa == "*":
            continue  # stop_lost is not planted
        got = "Silent" if alt_aa == ref_aa else "Nonsense_Mutation" if alt_aa == "*" else "Missense_Mutation"
        if got != wanted:
            continue
        return _annotate_substitution(rng, gene, pos, ref, alt, codon, mutant, phase)
    return None


def _annotate_substitution(rng, gene: Gene, pos: int, ref: str, alt: str, codon: str, mutant: str, phase: int,
                           *, protein_pos: int | None = None) -> Variant:
    ppos = protein_pos if protein_pos is not None else protein_position(gene, pos)
    ref_aa, alt_aa = CODON_TABLE[codon], CODON_TABLE[mutant]
    cpos = (ppos - 1) * 3 + phase + 1
    ref_tx = ref if gene.strand == "+" else ref.translate(COMPLEMENT)
    alt_tx = alt if gene.strand == "+" else alt.translate(COMPLEMENT)
    if alt_aa == ref_aa:
        vc, hgvsp, short, aas = "Silent", f"p.{AA3[ref_aa]}{ppos}=", f"p.{ref_aa}{ppos}=", ref_aa
    else:
        vc = "Nonsense_Mutation" if alt_aa == "*" else "Missense_Mutation"
        hgvsp, short = f"p.{AA3[ref_aa]}{ppos}{AA3[alt_aa]}", f"p.{ref_aa}{ppos}{alt_aa}"
        aas = f"{ref_aa}/{alt_aa}"
    # VEP writes the changed base of the codon in upper case, the others in lower case.
    show = lambda c: "".join(b.upper() if i == phase else b.lower() for i, b in enumerate(c))  # noqa: E731
    return Variant(
        gene.chrom, pos, ref, alt, gene.gene, vc,
        hgvsc=f"c.{cpos}{ref_tx}>{alt_tx}", hgvsp=hgvsp, hgvsp_short=short, protein_position=str(ppos),
        amino_acids=aas, codons=f"{show(codon)}/{show(mutant)}", exon=_exon_label(rng, gene),
    )


def hotspot_variant(rng: np.random.Generator, hotspot: Hotspot) -> Variant:
    """The real hotspot substitution, annotated with its real protein change.

    The codon shown is one that encodes the reference residue, carries the genomic REF at some
    phase and turns into the mutant residue with ALT there (the real codon is not known
    without a reference sequence).
    """
    gene = gene_by_name()[hotspot.gene]
    ref_aa, ppos, alt_aa = hotspot.protein_change[0], int(hotspot.protein_change[1:-1]), hotspot.protein_change[-1]
    ref_tx = hotspot.ref if gene.strand == "+" else hotspot.ref.translate(COMPLEMENT)
    alt_tx = hotspot.alt if gene.strand == "+" else hotspot.alt.translate(COMPLEMENT)
    for codon in sorted(CODON_TABLE):
        if CODON_TABLE[codon] != ref_aa:
            continue
        for phase in range(3):
            if codon[phase] != ref_tx:
                continue
            mutant = codon[:phase] + alt_tx + codon[phase + 1:]
            if CODON_TABLE[mutant] == alt_aa:
                return _annotate_substitution(rng, gene, hotspot.pos, hotspot.ref, hotspot.alt, codon, mutant, phase,
                                              protein_pos=ppos)
    raise ValueError(f"no codon explains {hotspot.gene} {hotspot.protein_change}")  # pragma: no cover


def _left_aligned(anchor: str, changed: str) -> bool:
    # An indel can be shifted left iff its last changed base equals the anchor base.
    return anchor != changed[-1]


def coding_indel(rng: np.random.Generator, gene: Gene, wanted: str, *, region: tuple[int, int] | None = None,
                 max_tries: int = 200) -> Variant | None:
    """A frameshift or in-frame insertion/deletion in the CDS span."""
    lo, hi = region or (gene.cds_start, gene.cds_end)
    if wanted == "Frame_Shift_Del":
        lengths, probs = (1, 2, 4, 5), (0.62, 0.2, 0.1, 0.08)
    elif wanted == "Frame_Shift_Ins":
        lengths, probs = (1, 2, 4), (0.7, 0.2, 0.1)
    else:
        lengths, probs = (3, 6, 9), (0.7, 0.2, 0.1)
    deletion = wanted.endswith("Del")
    for _ in range(max_tries):
        length = lengths[int(rng.choice(len(lengths), p=np.array(probs)))]
        pos = _uniform_pos(rng, lo, max(lo, hi - length - 1))
        anchor = reference_base(gene.chrom, pos)
        if deletion:
            changed = reference_seq(gene.chrom, pos + 1, length)
            ref, alt = anchor + changed, anchor
        else:
            changed = "".join("ACGT"[int(i)] for i in rng.integers(0, 4, size=length))
            ref, alt = anchor, anchor + changed
        if not _left_aligned(anchor, changed):
            continue
        # The first affected codon, in transcript orientation.
        first = pos + 1 if gene.strand == "+" or not deletion else pos + length
        codon, phase, _ = codon_at(gene, first)
        ref_aa = CODON_TABLE[codon]
        if ref_aa == "*":
            continue
        ppos = protein_position(gene, first)
        c_first = (ppos - 1) * 3 + phase + 1
        changed_tx = changed if gene.strand == "+" else revcomp(changed)
        if deletion:
            hgvsc = f"c.{c_first}del{changed_tx}" if length == 1 else f"c.{c_first}_{c_first + length - 1}del{changed_tx}"
        else:
            hgvsc = f"c.{c_first - 1}_{c_first}ins{changed_tx}"
        if wanted.startswith("Frame_Shift"):
            ter = int(rng.integers(2, 40))
            new_aa = "ACDEFGHIKLMNPQRSTVWY"[int(rng.integers(0, 20))]
            hgvsp = f"p.{AA3[ref_aa]}{ppos}{AA3[new_aa]}fsTer{ter}"
            short = f"p.{ref_aa}{ppos}{new_aa}fs*{ter}"
            aas = f"{ref_aa}/X"
        elif deletion:
            n = length // 3
            step = 3 * (n - 1) if gene.strand == "+" else -3 * (n - 1)
            last_aa = CODON_TABLE[codon_at(gene, first + step)[0]]
            hgvsp = f"p.{AA3[ref_aa]}{ppos}del" if n == 1 else f"p.{AA3[ref_aa]}{ppos}_{AA3[last_aa]}{ppos + n - 1}del"
            short = f"p.{ref_aa}{ppos}del" if n == 1 else f"p.{ref_aa}{ppos}_{last_aa}{ppos + n - 1}del"
            aas = f"{ref_aa}{last_aa if n > 1 else ''}/-"
        else:
            ins = "".join(CODON_TABLE.get(changed_tx[i:i + 3], "X") for i in range(0, length, 3))
            if "*" in ins:
                continue
            hgvsp = f"p.{AA3[ref_aa]}{ppos}_{ppos + 1}ins{''.join(AA3[a] for a in ins)}"
            short = f"p.{ref_aa}{ppos}_{ppos + 1}ins{ins}"
            aas = f"-/{ins}"
        codons = f"{codon.lower()}/{codon.lower()[:phase]}{changed_tx.upper() if not deletion else ''}{codon.lower()[phase:]}"
        return Variant(gene.chrom, pos, ref, alt, gene.gene, wanted, hgvsc=hgvsc, hgvsp=hgvsp, hgvsp_short=short,
                       protein_position=str(ppos), amino_acids=aas, codons=codons, exon=_exon_label(rng, gene))
    return None


def noncoding_substitution(rng: np.random.Generator, gene: Gene, wanted: str, *, germline: bool = False) -> Variant | None:
    """A splice-site, intronic or UTR substitution of ``gene``."""
    spectrum = _SPECTRUM_GERMLINE if germline else _SPECTRUM_PYR
    if wanted in ("5'UTR", "3'UTR"):
        lo, hi = gene.utr5 if wanted == "5'UTR" else gene.utr3
        if hi - lo < 20:
            return None
        lo, hi = (lo, min(hi, lo + 2000)) if (wanted == "3'UTR") == (gene.strand == "+") else (max(lo, hi - 2000), hi)
    else:
        lo, hi = gene.cds_start, gene.cds_end
    pos = _uniform_pos(rng, lo, hi)
    ref = reference_base(gene.chrom, pos)
    alt = draw_substitution(rng, ref, spectrum)
    ref_tx = ref if gene.strand == "+" else ref.translate(COMPLEMENT)
    alt_tx = alt if gene.strand == "+" else alt.translate(COMPLEMENT)
    if wanted == "5'UTR":
        dist = (gene.cds_start - pos) if gene.strand == "+" else (pos - gene.cds_end)
        return Variant(gene.chrom, pos, ref, alt, gene.gene, wanted, hgvsc=f"c.-{dist}{ref_tx}>{alt_tx}", exon="1/" + str(gene.n_exons))
    if wanted == "3'UTR":
        dist = (pos - gene.cds_end) if gene.strand == "+" else (gene.cds_start - pos)
        return Variant(gene.chrom, pos, ref, alt, gene.gene, wanted, hgvsc=f"c.*{dist}{ref_tx}>{alt_tx}",
                       exon=f"{gene.n_exons}/{gene.n_exons}")
    cpos = (protein_position(gene, pos) - 1) * 3 + 1
    if wanted == "Splice_Site":
        sign, offset = ("+", int(rng.integers(1, 3))) if rng.random() < 0.5 else ("-", int(rng.integers(1, 3)))
    else:
        sign, offset = ("+" if rng.random() < 0.5 else "-"), int(rng.integers(12, 400))
    return Variant(gene.chrom, pos, ref, alt, gene.gene, wanted, hgvsc=f"c.{cpos}{sign}{offset}{ref_tx}>{alt_tx}",
                   intron=_intron_label(rng, gene))


def splice_kind(variant: Variant) -> str:
    """VEP consequence of a planted splice site: donor (c.N+1/+2) or acceptor (c.N-1/-2)."""
    return "splice_donor_variant" if "+" in variant.hgvsc else "splice_acceptor_variant"


def make_variant(rng: np.random.Generator, gene: Gene, wanted: str, *, germline: bool = False,
                 region: tuple[int, int] | None = None) -> Variant | None:
    """A variant of class ``wanted`` (a MAF Variant_Classification) in ``gene``, or None."""
    if wanted in ("Missense_Mutation", "Nonsense_Mutation", "Silent"):
        return coding_substitution(rng, gene, wanted, germline=germline, region=region)
    if wanted in ("Frame_Shift_Del", "Frame_Shift_Ins", "In_Frame_Del", "In_Frame_Ins"):
        return coding_indel(rng, gene, wanted, region=region)
    return noncoding_substitution(rng, gene, wanted, germline=germline)


def substitution_at(rng: np.random.Generator, gene: Gene, pos: int, alt: str) -> Variant:
    """The coding substitution ``alt`` at ``pos`` (a second allele at a planted site)."""
    ref = reference_base(gene.chrom, pos)
    codon, phase, _ = codon_at(gene, pos)
    alt_tx = alt if gene.strand == "+" else alt.translate(COMPLEMENT)
    mutant = codon[:phase] + alt_tx + codon[phase + 1:]
    return _annotate_substitution(rng, gene, pos, ref, alt, codon, mutant, phase)
