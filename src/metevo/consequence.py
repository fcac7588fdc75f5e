"""Variant consequences: VEP ``CSQ`` / snpEff ``ANN`` to one MAF ``Variant_Classification``.

A port of vcf2maf's effect selection (mskcc/vcf2maf ``vcf2maf.pl``: ``GetEffectPriority``,
``GetBiotypePriority``, ``GetVariantClassification`` and the transcript choice in its main
loop), so that a VCF annotated by VEP or snpEff gives the same gene, classification and
protein change as vcf2maf would report:

1. keep the annotation entries of the ALT allele being reported (VEP ``ALLELE_NUM`` when
   present, otherwise the ``Allele`` field compared with VEP's trimmed allele strings or,
   for snpEff, the ALT as written);
2. in each entry, sort the ``&``-separated consequences by severity and keep the worst;
3. sort entries by transcript biotype priority, then worst consequence, then longer
   transcript (cDNA length);
4. the gene is the first entry's symbol; report that gene's user-preferred isoform
   (``custom_isoforms``), else its canonical transcript (VEP ``CANONICAL=YES``), else any
   preferred isoform, else any canonical transcript, else the first entry;
5. map the chosen consequence to a MAF class with the variant type and frame.

snpEff field names are renamed to VEP's exactly as vcf2maf does (``Annotation`` ->
``Consequence``, ``Gene_Name`` -> ``SYMBOL``, ``HGVS.p`` -> ``HGVSp``, ...), and its effects
use the same Sequence Ontology terms. Deviations from vcf2maf, all for inputs vcf2maf does
not see because it runs VEP itself: allele matching when ``ALLELE_NUM`` is absent (vcf2maf
keeps every allele's entries), ``%3D`` in HGVSp read as ``=`` (VEP without ``--no_escape``),
and a ``Protein_position`` without ``/length`` accepted for the silent ``p.=`` rewrite.
Unknown effects and biotypes get the lowest priority, as in vcf2maf.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

# vcf2maf GetEffectPriority (Ensembl's severity order); '' (no effect) is 20.
EFFECT_PRIORITY: dict[str, int] = {
    "transcript_ablation": 1, "exon_loss_variant": 1,
    "splice_donor_variant": 2, "splice_acceptor_variant": 2,
    "stop_gained": 3, "frameshift_variant": 3, "stop_lost": 3,
    "start_lost": 4, "initiator_codon_variant": 4,
    "disruptive_inframe_insertion": 5, "disruptive_inframe_deletion": 5,
    "conservative_inframe_insertion": 5, "conservative_inframe_deletion": 5,
    "inframe_insertion": 5, "inframe_deletion": 5, "protein_altering_variant": 5,
    "missense_variant": 6, "conservative_missense_variant": 6, "rare_amino_acid_variant": 6,
    "transcript_amplification": 7,
    "splice_region_variant": 8,
    "start_retained_variant": 9, "stop_retained_variant": 9, "synonymous_variant": 9,
    "incomplete_terminal_codon_variant": 10,
    "coding_sequence_variant": 11, "mature_miRNA_variant": 11, "exon_variant": 11,
    "5_prime_UTR_variant": 12, "5_prime_UTR_premature_start_codon_gain_variant": 12, "3_prime_UTR_variant": 12,
    "non_coding_exon_variant": 13, "non_coding_transcript_exon_variant": 13,
    "non_coding_transcript_variant": 14, "nc_transcript_variant": 14, "intron_variant": 14,
    "intragenic_variant": 14, "INTRAGENIC": 14,
    "NMD_transcript_variant": 15,
    "upstream_gene_variant": 16, "downstream_gene_variant": 16,
    "TFBS_ablation": 17, "TFBS_amplification": 17, "TF_binding_site_variant": 17,
    "regulatory_region_ablation": 17, "regulatory_region_amplification": 17,
    "regulatory_region_variant": 17, "regulatory_region": 17,
    "feature_elongation": 18, "feature_truncation": 18,
    "intergenic_variant": 19, "intergenic_region": 19,
    "": 20,
}
LOWEST_EFFECT_PRIORITY = 20

# vcf2maf GetBiotypePriority (disease relevance of the transcript type); '' and unknown are 10.
_BIOTYPE_GROUPS: tuple[tuple[int, str], ...] = (
    (1, "protein_coding"),
    (2, "LRG_gene IG_C_gene IG_D_gene IG_J_gene IG_LV_gene IG_V_gene TR_C_gene TR_D_gene TR_J_gene TR_V_gene"),
    (3, "miRNA snRNA snoRNA ribozyme tRNA sRNA scaRNA rRNA scRNA lincRNA lncRNA bidirectional_promoter_lncrna bidirectional_promoter_lncRNA"),
    (4, "known_ncrna vaultRNA macro_lncRNA Mt_tRNA Mt_rRNA"),
    (5, "antisense antisense_RNA sense_intronic sense_overlapping 3prime_overlapping_ncrna 3prime_overlapping_ncRNA misc_RNA non_coding"),
    (6, "regulatory_region disrupted_domain processed_transcript TEC"),
    (7, "TF_binding_site CTCF_binding_site promoter_flanking_region enhancer promoter open_chromatin_region retained_intron nonsense_mediated_decay non_stop_decay ambiguous_orf"),
    (8, "pseudogene processed_pseudogene polymorphic_pseudogene retrotransposed translated_processed_pseudogene "
        "translated_unprocessed_pseudogene transcribed_processed_pseudogene transcribed_unprocessed_pseudogene "
        "transcribed_unitary_pseudogene unitary_pseudogene unprocessed_pseudogene Mt_tRNA_pseudogene tRNA_pseudogene "
        "snoRNA_pseudogene snRNA_pseudogene scRNA_pseudogene rRNA_pseudogene misc_RNA_pseudogene miRNA_pseudogene "
        "IG_C_pseudogene IG_D_pseudogene IG_J_pseudogene IG_V_pseudogene TR_J_pseudogene TR_V_pseudogene"),
    (9, "artifact"),
)
BIOTYPE_PRIORITY: dict[str, int] = {name: rank for rank, names in _BIOTYPE_GROUPS for name in names.split()}
BIOTYPE_PRIORITY[""] = 10
LOWEST_BIOTYPE_PRIORITY = 10

# maftools read.maf: classes counted as non-synonymous (read_maf_dt.R, vc_nonSyn = NULL), in
# maftools' order. The one definition every step uses.
NONSYNONYMOUS_CLASSES = (
    "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
    "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation",
)
TRUNCATING_CLASSES = frozenset({
    "Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site",
    "Translation_Start_Site", "Nonstop_Mutation",
})

_AA3TO1 = {
    "Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Asx": "B", "Cys": "C", "Glu": "E", "Gln": "Q",
    "Glx": "Z", "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
    "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Xxx": "X", "Ter": "*",
}
_AA3_RE = re.compile("|".join(_AA3TO1))
_CPOS_RE = re.compile(r"^c.(\d+)")  # vcf2maf's pattern ('.' matches any character), kept as is
_PPOS_RE = re.compile(r"^(\d+)(?:-\d+)?(?:/\d+)?$")
_TLEN_RE = re.compile(r"/(\d+)$")

# snpEff ANN field -> VEP CSQ field (vcf2maf's renaming, after removing spaces from the names)
_SNPEFF_TO_VEP = {
    "Annotation": "Consequence", "Annotation_Impact": "IMPACT", "Gene_Name": "SYMBOL", "Gene_ID": "Gene",
    "Feature_Type": "Feature_type", "Feature_ID": "Feature", "Transcript_BioType": "BIOTYPE",
    "HGVS.c": "HGVSc", "HGVS.p": "HGVSp", "cDNA.pos/cDNA.length": "cDNA_position",
    "CDS.pos/CDS.length": "CDS_position", "AA.pos/AA.length": "Protein_position", "Distance": "DISTANCE",
}


def effect_priority(effect: str | None) -> int:
    """vcf2maf severity rank of a Sequence Ontology term (1 = worst); unknown terms rank last."""
    return EFFECT_PRIORITY.get(effect or "", LOWEST_EFFECT_PRIORITY)


def biotype_priority(biotype: str | None) -> int:
    """vcf2maf rank of a transcript biotype (1 = protein_coding); unknown biotypes rank last."""
    return BIOTYPE_PRIORITY.get(biotype or "", LOWEST_BIOTYPE_PRIORITY)


def variant_classification(effect: str | None, variant_type: str, inframe: bool) -> str:
    """MAF Variant_Classification of one consequence term (vcf2maf GetVariantClassification).

    ``variant_type`` is the MAF Variant_Type (SNP, DNP, TNP, ONP, INS, DEL); ``inframe`` says
    whether an indel's length change is a multiple of three. A missing effect (no annotation)
    is ``Targeted_Region``.
    """
    if not effect:
        return "Targeted_Region"
    if effect in ("splice_acceptor_variant", "splice_donor_variant", "transcript_ablation", "exon_loss_variant"):
        return "Splice_Site"
    if effect == "stop_gained":
        return "Nonsense_Mutation"
    frameshift = effect == "frameshift_variant" or (effect == "protein_altering_variant" and not inframe)
    if frameshift and variant_type == "DEL":
        return "Frame_Shift_Del"
    if frameshift and variant_type == "INS":
        return "Frame_Shift_Ins"
    if effect == "stop_lost":
        return "Nonstop_Mutation"
    if effect in ("initiator_codon_variant", "start_lost"):
        return "Translation_Start_Site"
    if effect.endswith("inframe_insertion") or (effect == "protein_altering_variant" and inframe and variant_type == "INS"):
        return "In_Frame_Ins"
    if effect.endswith("inframe_deletion") or (effect == "protein_altering_variant" and inframe and variant_type == "DEL"):
        return "In_Frame_Del"
    if effect in ("missense_variant", "coding_sequence_variant", "conservative_missense_variant", "rare_amino_acid_variant"):
        return "Missense_Mutation"
    if effect in ("transcript_amplification", "intron_variant", "INTRAGENIC", "intragenic_variant"):
        return "Intron"
    if effect == "splice_region_variant":
        return "Splice_Region"
    if effect in ("incomplete_terminal_codon_variant", "synonymous_variant", "stop_retained_variant", "NMD_transcript_variant"):
        return "Silent"
    if effect in ("mature_miRNA_variant", "exon_variant", "non_coding_exon_variant", "non_coding_transcript_exon_variant",
                  "non_coding_transcript_variant", "nc_transcript_variant"):
        return "RNA"
    if effect in ("5_prime_UTR_variant", "5_prime_UTR_premature_start_codon_gain_variant"):
        return "5'UTR"
    if effect == "3_prime_UTR_variant":
        return "3'UTR"
    if effect in ("TF_binding_site_variant", "regulatory_region_variant", "regulatory_region", "intergenic_variant", "intergenic_region"):
        return "IGR"
    if effect == "upstream_gene_variant":
        return "5'Flank"
    if effect == "downstream_gene_variant":
        return "3'Flank"
    return "Targeted_Region"


def is_truncating(classification: str) -> bool:
    """Nonsense, frameshift, splice-site, start-loss or stop-loss (protein-truncating) class."""
    return classification in TRUNCATING_CLASSES


def is_nonsynonymous(classification: str) -> bool:
    """In maftools' non-synonymous set (:data:`NONSYNONYMOUS_CLASSES`)."""
    return classification in NONSYNONYMOUS_CLASSES


def annotation_fields(description: str) -> tuple[str, ...]:
    """Field names of a CSQ/ANN INFO header ``Description`` (text after the last ': ').

    VEP: ``... Format: Allele|Consequence|...``; snpEff: ``Functional annotations: 'Allele |
    Annotation | ...' ``. Spaces inside names are removed (``cDNA.pos / cDNA.length`` ->
    ``cDNA.pos/cDNA.length``), as vcf2maf does. Returns () when no field list is found.
    """
    if ":" not in description:
        return ()
    spec = description.rsplit(": ", 1)[-1] if ": " in description else description.split(":", 1)[1]
    spec = spec.strip().strip("'\"").strip()
    if "|" not in spec and not spec.startswith("Allele"):
        return ()
    return tuple(re.sub(r"\s", "", name) for name in spec.split("|"))


def annotation_kind(fields: Sequence[str]) -> str | None:
    """'vep' when the fields are VEP's (``Consequence``), 'snpeff' for snpEff's (``Annotation``)."""
    if "Consequence" in fields:
        return "vep"
    if "Annotation" in fields:
        return "snpeff"
    return None


def vep_alleles(ref: str, alts: Sequence[str]) -> list[str]:
    """The allele strings VEP writes in CSQ ``Allele`` for each ALT (Bio::EnsEMBL::VEP::Parser::VCF).

    For a record with an indel, the first base is removed from every allele when REF and all
    ALTs (except ``*``) share it; an emptied allele becomes ``-``. Substitution records are
    unchanged.
    """
    is_indel = any(len(a) != len(ref) for a in alts)
    if not is_indel:
        return list(alts)
    first = {ref[:1]} | {a[:1] for a in alts if "*" not in a}
    if len(first) != 1:
        return list(alts)
    return [a if "*" in a else (a[1:] or "-") for a in alts]


@dataclass(frozen=True)
class Annotation:
    """The one effect reported for a variant allele, in MAF terms."""

    hugo_symbol: str = ""
    variant_classification: str = "Targeted_Region"
    hgvsp_short: str = ""
    transcript_id: str = ""
    consequence: str = ""
    hgvsc: str = ""
    biotype: str = ""


UNANNOTATED = Annotation()


def _prepare_entry(values: list[str], fields: Sequence[str]) -> dict[str, str]:
    effect = {name: (values[i].replace("&", ",") if i < len(values) else "") for i, name in enumerate(fields)}
    for snpeff_name, vep_name in _SNPEFF_TO_VEP.items():
        if effect.get(snpeff_name):
            effect[vep_name] = effect[snpeff_name]
    for key in ("HGVSc", "HGVSp"):
        value = effect.get(key, "")
        if value:
            value = value.replace("%3D", "=")
            effect[key] = value.split(":", 1)[1] if ":" in value else value
    hgvsp = effect.get("HGVSp", "")
    if hgvsp.startswith("c.") and "(p." in hgvsp:
        effect["HGVSp"] = hgvsp[hgvsp.index("(p.") + 1:].rstrip(")")
    terms = [t for t in effect.get("Consequence", "").split(",") if t]
    terms.sort(key=effect_priority)
    effect["Consequence"] = ",".join(terms)
    effect["One_Consequence"] = terms[0] if terms else "intergenic_variant"
    hgvsp = effect.get("HGVSp", "")
    effect["HGVSp_Short"] = _AA3_RE.sub(lambda m: _AA3TO1[m.group(0)], hgvsp) if hgvsp else ""
    if effect["One_Consequence"] in ("splice_acceptor_variant", "splice_donor_variant"):
        match = _CPOS_RE.match(effect.get("HGVSc", ""))
        if match:
            c_pos = max(1, int(match.group(1)))
            effect["HGVSp_Short"] = f"p.X{(c_pos + c_pos % 3) / 3:.0f}_splice"
    if effect["HGVSp_Short"] == "p.=":
        match = _PPOS_RE.match(effect.get("Protein_position", ""))
        if match:
            effect["HGVSp_Short"] = f"p.{effect.get('Amino_acids', '')}{match.group(1)}="
    effect["Transcript_ID"] = effect.get("Feature", "")
    length = _TLEN_RE.search(effect.get("cDNA_position", ""))
    effect["_length"] = int(length.group(1)) if length else 0
    return effect


def select_effect(entries: Iterable[dict[str, str]], custom_isoforms: frozenset[str] = frozenset()) -> dict[str, str] | None:
    """vcf2maf's choice of one effect among prepared entries of one allele (see module doc)."""
    ranked = sorted(
        entries,
        key=lambda e: (biotype_priority(e.get("BIOTYPE")), effect_priority(e["One_Consequence"]), -e["_length"]),
    )
    if not ranked:
        return None
    gene = next((e["SYMBOL"] for e in ranked if e.get("SYMBOL")), None)
    for test in (
        lambda e: gene is not None and e.get("SYMBOL") == gene and e["Transcript_ID"] in custom_isoforms,
        lambda e: gene is not None and e.get("SYMBOL") == gene and e.get("CANONICAL") == "YES",
        lambda e: bool(e.get("SYMBOL")) and e["Transcript_ID"] in custom_isoforms,
        lambda e: bool(e.get("SYMBOL")) and e.get("CANONICAL") == "YES",
    ):
        chosen = next((e for e in ranked if test(e)), None)
        if chosen is not None:
            return chosen
    return ranked[0]


def split_entries(raw: str) -> list[list[str]]:
    """CSQ/ANN INFO value -> entries (``,``-separated) of fields (``|``-separated)."""
    return [entry.split("|") for entry in raw.split(",") if entry]


def annotate_allele(
    raw: str,
    fields: Sequence[str],
    *,
    ref: str,
    alts: Sequence[str],
    allele_index: int,
    variant_type: str,
    inframe: bool,
    custom_isoforms: frozenset[str] = frozenset(),
) -> Annotation:
    """The MAF annotation of ALT number ``allele_index`` (1-based) of a record.

    ``raw`` is the record's CSQ or ANN value, ``fields`` the header's field names (VEP or
    snpEff), ``ref``/``alts`` the record's alleles as written in the VCF; ``variant_type``
    and ``inframe`` describe the reported allele (:func:`metevo.variants.vcf_to_maf`).
    """
    if not raw or raw == ".":
        return UNANNOTATED
    kind = annotation_kind(fields)
    entries = split_entries(raw)
    allele_num_idx = fields.index("ALLELE_NUM") if "ALLELE_NUM" in fields else None
    allele_idx = fields.index("Allele") if "Allele" in fields else None
    alt = alts[allele_index - 1]
    numbered = allele_num_idx is not None and any(len(e) > allele_num_idx and e[allele_num_idx] for e in entries)
    if numbered:
        wanted_num = str(allele_index)
        keep = [e for e in entries if len(e) <= allele_num_idx or not e[allele_num_idx] or e[allele_num_idx] == wanted_num]
    elif allele_idx is not None and len(alts) > 1:
        wanted = {vep_alleles(ref, alts)[allele_index - 1]} if kind == "vep" else {alt}
        keep = [e for e in entries if len(e) > allele_idx and e[allele_idx] in wanted]
    else:
        keep = entries
    if kind == "snpeff":
        # snpEff -cancer adds 'ALT-REF' comparisons between samples; they are not effects of ALT vs reference
        plain = [e for e in keep if not (allele_idx is not None and len(e) > allele_idx and "-" in e[allele_idx][1:])]
        keep = plain or keep
    chosen = select_effect((_prepare_entry(e, fields) for e in keep), custom_isoforms)
    if chosen is None:
        return UNANNOTATED
    symbol = chosen.get("SYMBOL", "") or chosen["Transcript_ID"]
    return Annotation(
        hugo_symbol=symbol,
        variant_classification=variant_classification(chosen["One_Consequence"], variant_type, inframe),
        hgvsp_short=chosen["HGVSp_Short"],
        transcript_id=chosen["Transcript_ID"],
        consequence=chosen["Consequence"] or chosen["One_Consequence"],
        hgvsc=chosen.get("HGVSc", ""),
        biotype=chosen.get("BIOTYPE", ""),
    )
