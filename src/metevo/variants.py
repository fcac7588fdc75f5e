"""Variant representation: chromosome names, allele normalisation, VCF -> MAF coordinates.

Two callers (or two tumours) report the same mutation in the same way only after
normalisation, so every variant key in metevo is built from alleles that went through
:func:`normalise_alleles`:

* common suffix and then common prefix are trimmed, keeping one anchor base for indels
  (``bcftools norm`` behaviour, also applied to MNPs: ``TT>AT`` becomes ``T>A``);
* with a reference, indels are left-aligned (Tan, Abecasis & Kang 2015, *Unified
  representation of genetic variants*, Bioinformatics 31:2202; the algorithm of ``vt
  normalize`` and ``bcftools norm -f``).

MAF coordinates follow vcf2maf (mskcc/vcf2maf ``vcf2maf.pl``): the shared leading bases are
removed, an empty allele becomes ``-``, insertions span the two flanking bases
(``Start = pos - 1``), deletions the deleted bases.
"""

from __future__ import annotations

from typing import Callable, Sequence

_ACGTN = frozenset("ACGTN")
_CHR_PREFIXES = ("chr", "Chr", "CHR")
_MITO = {"M": "MT", "MT": "MT", "m": "MT", "mt": "MT", "Mt": "MT"}


def harmonise_chrom(name: str) -> str:
    """Chromosome name without ``chr`` prefix, mitochondrion as ``MT`` (``chrM`` -> ``MT``)."""
    if name.startswith(_CHR_PREFIXES):
        name = name[3:]
    return _MITO.get(name, name)


def chrom_style(names: Sequence[str]) -> str | None:
    """'chr' if the primary chromosomes are named chr1.., 'plain' if 1.., None if neither is seen."""
    has_chr = has_plain = False
    for name in names:
        core = harmonise_chrom(name)
        if core in _PRIMARY:
            if name.startswith(_CHR_PREFIXES):
                has_chr = True
            else:
                has_plain = True
    if has_chr and not has_plain:
        return "chr"
    if has_plain and not has_chr:
        return "plain"
    return None


_PRIMARY = tuple(str(i) for i in range(1, 23)) + ("X", "Y", "MT")
_PRIMARY_RANK = {name: rank for rank, name in enumerate(_PRIMARY)}


def chrom_sort_key(name: str) -> tuple[int, str]:
    """Sort key putting 1..22, X, Y, MT first (in that order), then other names alphabetically."""
    core = harmonise_chrom(name)
    rank = _PRIMARY_RANK.get(core)
    return (rank, "") if rank is not None else (len(_PRIMARY), core)


def trim_alleles(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Remove the common suffix, then the common prefix, keeping at least one base in each.

    This is ``bcftools norm``'s trimming: ``(100, 'CAT', 'CGT')`` -> ``(101, 'A', 'G')``;
    ``(100, 'GTT', 'GT')`` -> ``(100, 'GT', 'G')``.
    """
    if len(ref) == 1 and len(alt) == 1:
        return pos, ref, alt
    end_r, end_a = len(ref), len(alt)
    while end_r > 1 and end_a > 1 and ref[end_r - 1] == alt[end_a - 1]:
        end_r -= 1
        end_a -= 1
    start = 0
    while end_r - start > 1 and end_a - start > 1 and ref[start] == alt[start]:
        start += 1
    return pos + start, ref[start:end_r], alt[start:end_a]


def left_align(pos: int, ref: str, alt: str, fetch: Callable[[int, int], str]) -> tuple[int, str, str]:
    """Left-align an indel against the reference (Tan et al. 2015, algorithm 1).

    ``fetch(start0, end0)`` returns the upper-case reference bases of the half-open, 0-based
    interval. Alleles that end with the same base are shortened; when one becomes empty the
    reference base before it is prepended to both; repeated until the last bases differ;
    finally the common prefix is trimmed down to one anchor base. Substitutions (equal
    lengths) are only trimmed. At the start of a contig the variant keeps its position.
    """
    pos, ref, alt = trim_alleles(pos, ref, alt)
    if len(ref) == len(alt):
        return pos, ref, alt
    window_start = pos - 1  # 0-based start of the bases we have already fetched
    window = ""
    while ref[-1] == alt[-1]:
        if len(ref) == 1 or len(alt) == 1:
            if pos <= 1:
                break
            if window_start >= pos - 1:
                # fetch a block of upstream bases at once: repeats are usually short
                new_start = max(0, window_start - 64)
                window = fetch(new_start, window_start) + window
                window_start = new_start
            base = window[pos - 2 - window_start]
            ref, alt = base + ref[:-1], base + alt[:-1]
            pos -= 1
        else:
            ref, alt = ref[:-1], alt[:-1]
    return trim_alleles(pos, ref, alt)


def is_simple_allele(allele: str) -> bool:
    """True for an allele of A, C, G, T, N only (no symbolic, breakend, '*' or '.')."""
    return bool(allele) and _ACGTN.issuperset(allele)


def variant_type(ref: str, alt: str) -> str:
    """MAF Variant_Type of VCF-style alleles: SNP, DNP, TNP, ONP, INS or DEL (vcf2maf)."""
    _, _, maf_ref, maf_alt = _strip_shared_prefix(0, ref, alt)
    return _maf_type(maf_ref, maf_alt)


def _strip_shared_prefix(pos: int, ref: str, alt: str) -> tuple[int, int, str, str]:
    """vcf2maf: drop leading bases shared by REF and ALT; empty alleles become ''."""
    n = 0
    limit = min(len(ref), len(alt))
    if ref != alt:
        while n < limit and ref[n] == alt[n]:
            n += 1
    return pos + n, n, ref[n:], alt[n:]


def _maf_type(maf_ref: str, maf_alt: str) -> str:
    lr, la = len(maf_ref), len(maf_alt)
    if lr == la:
        return {1: "SNP", 2: "DNP", 3: "TNP"}.get(la, "ONP")
    return "INS" if lr < la else "DEL"


def vcf_to_maf(pos: int, ref: str, alt: str) -> tuple[int, int, str, str, str]:
    """(Start_Position, End_Position, Reference_Allele, Tumor_Seq_Allele2, Variant_Type).

    vcf2maf rules: shared leading bases are removed (position moves right by one per base),
    an empty allele is written ``-``; SNP/DNP/TNP/ONP span the substituted bases; an
    insertion (``ref == '-'``) spans the flanking bases ``pos - 1 .. pos``; a deletion spans
    the deleted bases. A complex indel keeps its full span (``pos .. pos + len(ref) - 1``).
    """
    pos, _, maf_ref, maf_alt = _strip_shared_prefix(pos, ref, alt)
    vtype = _maf_type(maf_ref, maf_alt)
    if vtype == "INS" and maf_ref == "":
        start, end = pos - 1, pos
    elif vtype == "INS":
        start, end = pos, pos + len(maf_ref) - 1
    else:
        start, end = pos, pos + len(maf_ref) - 1
    return start, end, maf_ref or "-", maf_alt or "-", vtype


def is_inframe(ref: str, alt: str) -> bool:
    """vcf2maf's in-frame test for indels: the length change is a multiple of three."""
    return abs(len(ref) - len(alt)) % 3 == 0
