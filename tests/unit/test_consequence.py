"""VEP / snpEff consequences -> MAF Variant_Classification (metevo.consequence).

Each case is a rule of mskcc/vcf2maf ``vcf2maf.pl`` (GetEffectPriority, GetBiotypePriority,
GetVariantClassification and the transcript choice of its main loop); the expected values
are what those rules give, worked out by hand in the comments.
"""

from __future__ import annotations

import pytest

from metevo.consequence import (
    NONSYNONYMOUS_CLASSES,
    annotate_allele,
    annotation_fields,
    annotation_kind,
    biotype_priority,
    effect_priority,
    is_nonsynonymous,
    is_truncating,
    variant_classification,
    vep_alleles,
)

VEP_FIELDS = annotation_fields(
    "Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|"
    "Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|"
    "Existing_variation|ALLELE_NUM|DISTANCE|STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL"
)
SNPEFF_FIELDS = annotation_fields(
    "Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | "
    "Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | "
    "AA.pos / AA.length | Distance | ERRORS / WARNINGS / INFO' "
)


def vep(allele="T", consequence="missense_variant", symbol="KRAS", feature="ENST1", biotype="protein_coding",
        hgvsc="", hgvsp="", cdna="100/2000", protein="", amino="", allele_num="", canonical=""):
    values = dict.fromkeys(VEP_FIELDS, "")
    values.update(Allele=allele, Consequence=consequence, SYMBOL=symbol, Feature=feature, BIOTYPE=biotype, HGVSc=hgvsc,
                  HGVSp=hgvsp, cDNA_position=cdna, Protein_position=protein, Amino_acids=amino, ALLELE_NUM=allele_num,
                  CANONICAL=canonical, Feature_type="Transcript")
    return "|".join(values[f] for f in VEP_FIELDS)


def annotate(entries, ref="C", alts=("T",), index=1, vtype="SNP", inframe=False, fields=VEP_FIELDS, custom=frozenset()):
    return annotate_allele(",".join(entries), fields, ref=ref, alts=list(alts), allele_index=index,
                           variant_type=vtype, inframe=inframe, custom_isoforms=custom)


def test_field_lists():
    assert VEP_FIELDS[:3] == ("Allele", "Consequence", "IMPACT") and annotation_kind(VEP_FIELDS) == "vep"
    assert SNPEFF_FIELDS[-4:] == ("CDS.pos/CDS.length", "AA.pos/AA.length", "Distance", "ERRORS/WARNINGS/INFO")
    assert annotation_kind(SNPEFF_FIELDS) == "snpeff"


def test_effect_and_biotype_priorities():
    # GetEffectPriority: splice donor 2 < stop_gained 3 < start_lost 4 < inframe 5 < missense 6 < splice_region 8
    # < synonymous 9 < UTR 12 < intron 14 < upstream 16 < intergenic 19; unknown terms last (20)
    order = ["splice_donor_variant", "stop_gained", "start_lost", "inframe_deletion", "missense_variant",
             "splice_region_variant", "synonymous_variant", "3_prime_UTR_variant", "intron_variant",
             "upstream_gene_variant", "intergenic_variant", "made_up_term"]
    assert sorted(reversed(order), key=effect_priority) == order
    assert effect_priority("made_up_term") == 20 and effect_priority(None) == 20
    # GetBiotypePriority: protein_coding 1, IG genes 2, lncRNA 3, processed_transcript 6, pseudogene 8, unknown 10
    assert [biotype_priority(b) for b in ("protein_coding", "IG_V_gene", "lncRNA", "processed_transcript", "pseudogene", "?")] == [1, 2, 3, 6, 8, 10]


@pytest.mark.parametrize(
    "effect, vtype, inframe, expected",
    [
        ("splice_acceptor_variant", "SNP", False, "Splice_Site"),
        ("exon_loss_variant", "DEL", False, "Splice_Site"),
        ("stop_gained", "SNP", False, "Nonsense_Mutation"),
        ("frameshift_variant", "DEL", False, "Frame_Shift_Del"),
        ("frameshift_variant", "INS", False, "Frame_Shift_Ins"),
        ("protein_altering_variant", "DEL", False, "Frame_Shift_Del"),
        ("protein_altering_variant", "INS", True, "In_Frame_Ins"),
        ("protein_altering_variant", "DEL", True, "In_Frame_Del"),
        ("stop_lost", "SNP", False, "Nonstop_Mutation"),
        ("start_lost", "SNP", False, "Translation_Start_Site"),
        ("disruptive_inframe_deletion", "DEL", True, "In_Frame_Del"),
        ("conservative_inframe_insertion", "INS", True, "In_Frame_Ins"),
        ("missense_variant", "SNP", False, "Missense_Mutation"),
        ("coding_sequence_variant", "SNP", False, "Missense_Mutation"),
        ("intron_variant", "SNP", False, "Intron"),
        ("splice_region_variant", "SNP", False, "Splice_Region"),
        ("synonymous_variant", "SNP", False, "Silent"),
        ("NMD_transcript_variant", "SNP", False, "Silent"),
        ("non_coding_transcript_exon_variant", "SNP", False, "RNA"),
        ("5_prime_UTR_premature_start_codon_gain_variant", "SNP", False, "5'UTR"),
        ("3_prime_UTR_variant", "SNP", False, "3'UTR"),
        ("intergenic_region", "SNP", False, "IGR"),
        ("upstream_gene_variant", "SNP", False, "5'Flank"),
        ("downstream_gene_variant", "SNP", False, "3'Flank"),
        ("TFBS_ablation", "DEL", False, "Targeted_Region"),
        ("", "SNP", False, "Targeted_Region"),
    ],
)
def test_variant_classification(effect, vtype, inframe, expected):
    assert variant_classification(effect, vtype, inframe) == expected


def test_class_sets():
    assert set(NONSYNONYMOUS_CLASSES) == {"Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
                                     "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"}
    assert is_truncating("Nonsense_Mutation") and is_truncating("Splice_Site") and is_truncating("Nonstop_Mutation")
    assert not is_truncating("Missense_Mutation") and not is_truncating("In_Frame_Del")
    assert is_nonsynonymous("In_Frame_Del") and not is_nonsynonymous("Silent") and not is_nonsynonymous("Splice_Region")


def test_worst_consequence_within_an_entry_and_protein_change():
    # 'splice_region_variant&missense_variant': missense (6) beats splice_region (8)
    ann = annotate([vep(consequence="splice_region_variant&missense_variant", hgvsp="ENSP1:p.Gly12Asp", canonical="YES")])
    assert ann.variant_classification == "Missense_Mutation"
    assert ann.consequence == "missense_variant,splice_region_variant"
    assert ann.hgvsp_short == "p.G12D" and ann.hugo_symbol == "KRAS" and ann.transcript_id == "ENST1"
    assert annotate([vep(consequence="stop_gained", hgvsp="ENSP1:p.Arg213Ter")]).hgvsp_short == "p.R213*"


def test_biotype_beats_severity():
    # a frameshift in a processed transcript (biotype 6) loses to a missense in a protein-coding one (1)
    entries = [vep(consequence="frameshift_variant", symbol="GENE1", feature="ENST9", biotype="processed_transcript"),
               vep(consequence="missense_variant", symbol="GENE1", feature="ENST2")]
    assert annotate(entries).transcript_id == "ENST2"


def test_canonical_transcript_of_worst_gene_is_reported():
    # GENE1 is the worst-affected gene (stop_gained on a non-canonical transcript); its canonical
    # transcript (missense) is reported, not the worse non-canonical effect nor GENE2's canonical
    entries = [vep(consequence="missense_variant", symbol="GENE2", feature="ENST20", canonical="YES"),
               vep(consequence="stop_gained", symbol="GENE1", feature="ENST10"),
               vep(consequence="missense_variant", symbol="GENE1", feature="ENST11", canonical="YES")]
    ann = annotate(entries)
    assert (ann.hugo_symbol, ann.transcript_id, ann.variant_classification) == ("GENE1", "ENST11", "Missense_Mutation")
    # a user-preferred isoform of that gene wins over its canonical transcript
    assert annotate(entries, custom=frozenset({"ENST10"})).transcript_id == "ENST10"
    # without any canonical flag the worst effect is reported; ties go to the longer transcript
    entries = [vep(consequence="missense_variant", feature="ENSTshort", cdna="10/900"),
               vep(consequence="missense_variant", feature="ENSTlong", cdna="10/3000")]
    assert annotate(entries).transcript_id == "ENSTlong"


def test_splice_site_and_silent_protein_changes():
    # splice donor: p.X{round((c + c % 3) / 3)}_splice; c.1234+1 -> (1234 + 1) / 3 = 411.67 -> 412
    ann = annotate([vep(consequence="splice_donor_variant", hgvsc="ENST1:c.1234+1G>A")])
    assert ann.variant_classification == "Splice_Site" and ann.hgvsp_short == "p.X412_splice"
    # c.5-2 -> (5 + 2) / 3 = 2.33 -> 2
    assert annotate([vep(consequence="splice_acceptor_variant", hgvsc="ENST1:c.5-2A>G")]).hgvsp_short == "p.X2_splice"
    # synonymous 'p.=' becomes p.{AA}{position}=
    ann = annotate([vep(consequence="synonymous_variant", hgvsp="ENSP1:p.=", protein="12/189", amino="L")])
    assert ann.hgvsp_short == "p.L12=" and ann.variant_classification == "Silent"
    assert annotate([vep(consequence="synonymous_variant", hgvsp="ENSP1:p.Leu12%3D")]).hgvsp_short == "p.L12="


def test_frame_from_variant_type():
    assert annotate([vep(allele="-", consequence="frameshift_variant")], ref="CA", alts=["C"], vtype="DEL").variant_classification == "Frame_Shift_Del"
    ann = annotate([vep(allele="TTT", consequence="protein_altering_variant")], ref="C", alts=["CTTT"], vtype="INS", inframe=True)
    assert ann.variant_classification == "In_Frame_Ins"


def test_allele_matching_for_split_records():
    # VEP trims the shared first base of an indel record: REF AT, ALT A,ATT -> alleles '-', 'TT'
    assert vep_alleles("AT", ["A", "ATT"]) == ["-", "TT"]
    assert vep_alleles("A", ["G", "AT"]) == ["G", "AT"]  # first bases differ: untouched
    assert vep_alleles("C", ["T", "G"]) == ["T", "G"]  # substitutions: untouched
    entries = [vep(allele="-", consequence="frameshift_variant", symbol="TP53"),
               vep(allele="TT", consequence="intron_variant", symbol="TP53")]
    assert annotate(entries, ref="AT", alts=["A", "ATT"], index=1, vtype="DEL").variant_classification == "Frame_Shift_Del"
    assert annotate(entries, ref="AT", alts=["A", "ATT"], index=2, vtype="INS").variant_classification == "Intron"
    # ALLELE_NUM, when present, decides
    entries = [vep(allele="G", consequence="stop_gained", allele_num="2"), vep(allele="G", consequence="synonymous_variant", allele_num="1")]
    assert annotate(entries, alts=["G", "A"], index=1).variant_classification == "Silent"
    assert annotate(entries, alts=["G", "A"], index=2).variant_classification == "Nonsense_Mutation"


def test_empty_consequence_is_intergenic():
    assert annotate([vep(consequence="", symbol="")]).variant_classification == "IGR"


def snpeff(allele, effect, gene, feature, biotype="protein_coding", hgvs_c="", hgvs_p="", cdna=""):
    values = [allele, effect, "MODERATE", gene, "ENSG1", "transcript", feature, biotype, "1/5", hgvs_c, hgvs_p, cdna, "", "", "", ""]
    return "|".join(values)


def test_snpeff_ann():
    entries = [snpeff("A", "missense_variant&splice_region_variant", "BRAF", "NM_004333.4", hgvs_c="c.1799T>A", hgvs_p="p.Val600Glu", cdna="1860/2480"),
               snpeff("A", "upstream_gene_variant", "OTHER", "NM_9"),
               snpeff("A-C", "stop_gained", "BRAF", "NM_004333.4")]  # snpEff -cancer comparison: ignored
    ann = annotate(entries, ref="T", alts=["A"], fields=SNPEFF_FIELDS)
    assert (ann.hugo_symbol, ann.variant_classification, ann.hgvsp_short, ann.transcript_id) == ("BRAF", "Missense_Mutation", "p.V600E", "NM_004333.4")
    # multi-allelic: snpEff writes the ALT as it appears in the VCF
    entries = [snpeff("AT", "frameshift_variant", "G1", "T1"), snpeff("G", "synonymous_variant", "G1", "T1")]
    assert annotate(entries, ref="A", alts=["G", "AT"], index=2, vtype="INS", fields=SNPEFF_FIELDS).variant_classification == "Frame_Shift_Ins"
    assert annotate(entries, ref="A", alts=["G", "AT"], index=1, fields=SNPEFF_FIELDS).variant_classification == "Silent"
