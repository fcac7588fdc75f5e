"""VCF text in the dialects of Mutect2, Strelka2, VarScan2 and HaplotypeCaller.

Writers only: every number they print was drawn by the simulation (no randomness here), so
the same cohort always gives the same bytes. Header lines follow the real tools' output
(compare ``tests/data/multicaller_vcfs``), minus run-specific lines (dates, command lines,
absolute paths) that would break byte-identical reruns. Contigs carry hg38 names and
lengths. Mutect2 and VarScan2 files are annotated with Ensembl VEP ``CSQ``, Strelka2 files
with snpEff ``ANN``; transcript and gene identifiers are placeholders (``SIMT...``,
``SIMG...``) because the gene table has no Ensembl ids.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from metevo.simulate.model import CallerRecord, GermlineGenotype
from metevo.simulate.reference import CHROM_ORDER, HG38_CONTIGS, gene_by_name
from metevo.simulate.variants import Variant

CSQ_FIELDS = ("Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
              "Protein_position|Amino_acids|Codons|CANONICAL")
VEP_HEADER = (
    '##VEP="v110" cache="homo_sapiens/110_GRCh38" ensembl="110" assembly="GRCh38.p14"',
    '##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. '
    f'Format: {CSQ_FIELDS}">',
)
ANN_HEADER = (
    '##SnpEffVersion="5.1d (build 2022-04-19 16:18), by Pablo Cingolani"',
    '##SnpEffCmd="SnpEff  -noStats GRCh38.105 input.vcf "',
    "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | "
    "Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | "
    "HGVS.p | cDNA.pos / cDNA.length | CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
    "ERRORS / WARNINGS / INFO' \">",
)


def vcf_chrom(chrom: str) -> str:
    return "chrM" if chrom == "MT" else f"chr{chrom}"


def contig_lines() -> list[str]:
    return [f"##contig=<ID={vcf_chrom(c)},length={n},assembly=hg38>" for c, n in HG38_CONTIGS]


def sort_key(variant: Variant) -> tuple:
    return (CHROM_ORDER[variant.chrom], variant.pos, variant.ref, variant.alt)


# ---------------------------------------------------------------- annotations


def vep_allele(variant: Variant) -> str:
    """VEP's allele string: the ALT with the shared first base removed ('-' for deletions)."""
    if len(variant.ref) == len(variant.alt):
        return variant.alt
    trimmed = variant.alt[1:] if variant.alt[:1] == variant.ref[:1] else variant.alt
    return trimmed or "-"


def _alternative_transcript(variant: Variant) -> bool:
    # About half of coding sites also fall in a non-canonical NMD isoform (fixed by position).
    return bool(variant.protein_position) and variant.pos % 2 == 0


def csq_entries(variant: Variant) -> list[str]:
    gene = gene_by_name()[variant.gene]
    hgvsp = f"{gene.protein_id}:{variant.hgvsp}".replace("=", "%3D") if variant.hgvsp else ""
    hgvsc = f"{gene.transcript_id}:{variant.hgvsc}" if variant.hgvsc else ""
    entries = ["|".join((
        vep_allele(variant), variant.consequence, variant.impact, gene.gene, gene.gene_id, "Transcript",
        gene.transcript_id, "protein_coding", variant.exon, variant.intron, hgvsc, hgvsp, variant.protein_position,
        variant.amino_acids, variant.codons, "YES",
    ))]
    if _alternative_transcript(variant):
        entries.append("|".join((
            vep_allele(variant), "intron_variant&NMD_transcript_variant", "MODIFIER", gene.gene, gene.gene_id,
            "Transcript", f"SIMU{gene.index:07d}", "nonsense_mediated_decay", "", variant.exon, "", "", "", "", "", "",
        )))
    return entries


def ann_entries(variant: Variant) -> list[str]:
    gene = gene_by_name()[variant.gene]
    hgvsp = variant.hgvsp
    if hgvsp.endswith("="):  # snpEff spells synonymous changes out: p.Leu12Leu
        hgvsp = hgvsp[:-1] + hgvsp[2:5]
    coding = bool(variant.protein_position)
    match = re.match(r"c\.(\d+)", variant.hgvsc) if coding else None
    cds_pos = match.group(1) if match else ""
    cds_len = gene.n_codons * 3
    return ["|".join((
        variant.alt, variant.snpeff_effect, variant.impact, gene.gene, gene.gene_id, "transcript", gene.transcript_id,
        "protein_coding", variant.exon or variant.intron, variant.hgvsc, hgvsp,
        f"{int(cds_pos) + 120}/{cds_len + 1200}" if cds_pos.isdigit() else "",
        f"{cds_pos}/{cds_len}" if cds_pos.isdigit() else "",
        f"{variant.protein_position.split('-')[0]}/{gene.n_codons}" if coding else "",
        "", "",
    ))]


# ---------------------------------------------------------------- shared formatting


def _java_sci(p: float) -> str:
    """A p-value as VarScan2 prints it (Java DecimalFormat '0.####E0')."""
    if p <= 0:
        return "0E0"
    exp = math.floor(math.log10(p))
    mant = round(p / 10 ** exp, 4)
    if mant >= 10:
        mant, exp = mant / 10, exp + 1
    text = f"{mant:.4f}".rstrip("0").rstrip(".")
    return f"{text}E{exp}"


def _somatic_p(alt: int, n_alt: int) -> float:
    # Stand-in for the tumor-vs-normal Fisher p-value: falls with tumor alt reads.
    return min(1.0, 10 ** (-(max(alt - 3 * n_alt, 0)) / 2.2))


def _write_lines(header: list[str], columns: list[str], rows: list[str]) -> str:
    return "\n".join(header + ["#" + "\t".join(columns)] + rows) + "\n"


# ---------------------------------------------------------------- Mutect2


MUTECT2_FILTERS = (
    ("FAIL", "Fail the site if all alleles fail but for different reasons."),
    ("PASS", "Site contains at least one allele that passes filters"),
    ("base_qual", "alt median base quality"),
    ("clustered_events", "Clustered events observed in the tumor"),
    ("germline", "Evidence indicates this site is germline, not somatic"),
    ("multiallelic", "Site filtered because too many alt alleles pass tumor LOD"),
    ("normal_artifact", "artifact_in_normal"),
    ("orientation", "orientation bias detected by the orientation bias mixture model"),
    ("panel_of_normals", "Blacklisted site in panel of normals"),
    ("strand_bias", "Evidence for alt allele comes from one read direction only"),
    ("weak_evidence", "Mutation does not meet likelihood threshold"),
)


def mutect2_vcf(records: list[CallerRecord], tumor: str, normal: str) -> str:
    header = ["##fileformat=VCFv4.2"]
    header += [f'##FILTER=<ID={k},Description="{d}">' for k, d in MUTECT2_FILTERS]
    header += [
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions of alternate alleles in the tumor">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##GATKCommandLine=<ID=FilterMutectCalls,CommandLine="FilterMutectCalls --output filtered.vcf.gz '
        '--variant unfiltered.vcf.gz --reference Homo_sapiens_assembly38.fasta",Version="4.2.6.1">',
        '##INFO=<ID=AS_FilterStatus,Number=A,Type=String,Description="Filter status for each allele, as assessed by '
        'ApplyVQSR. Note that the VCF filter field will reflect the most lenient/sensitive status across all alleles.">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may have been filtered">',
        '##INFO=<ID=ECNT,Number=1,Type=Integer,Description="Number of events in this haplotype">',
        '##INFO=<ID=GERMQ,Number=1,Type=Integer,Description="Phred-scaled quality that alt alleles are not germline variants">',
        '##INFO=<ID=MBQ,Number=R,Type=Integer,Description="median base quality by allele">',
        '##INFO=<ID=MMQ,Number=R,Type=Integer,Description="median mapping quality by allele">',
        '##INFO=<ID=NLOD,Number=A,Type=Float,Description="Normal log 10 likelihood ratio of diploid het or hom alt genotypes">',
        '##INFO=<ID=POPAF,Number=A,Type=Float,Description="negative log 10 population allele frequencies of alt alleles">',
        '##INFO=<ID=TLOD,Number=A,Type=Float,Description="Log 10 likelihood ratio score of variant existing versus not existing">',
        "##MutectVersion=2.2",
        *contig_lines(),
        "##filtering_status=These calls have been filtered by FilterMutectCalls to label false positives with a list "
        "of failed filters and true positives with PASS.",
        f"##normal_sample={normal}",
        "##source=FilterMutectCalls",
        "##source=Mutect2",
        f"##tumor_sample={tumor}",
        *VEP_HEADER,
    ]
    # GATK orders the sample columns by name, so the tumor is not always the last column.
    names = sorted([tumor, normal])
    rows = []
    for r in sorted(records, key=lambda r: sort_key(r.first)):
        v = r.first
        n_alts = len(r.variants)
        t_ref = max(r.t_depth - sum(r.t_alt), 0)
        n_ref = max(r.n_depth - sum(r.n_alt), 0)
        germline = r.kind in ("germline", "germline_leakage")
        info = ";".join((
            "AS_FilterStatus=" + "|".join(r.allele_filters or ("SITE",)),
            f"DP={r.t_depth + r.n_depth}",
            "ECNT=1",
            f"GERMQ={12 if germline else 93}",
            "MBQ=" + ",".join(["30"] * (n_alts + 1)),
            "MMQ=" + ",".join(["60"] * (n_alts + 1)),
            "NLOD=" + ",".join(f"{max(r.n_depth * 0.3 - 3 * a, -20):.2f}" for a in r.n_alt),
            "POPAF=" + ",".join(("0.60" if germline else "6.00") for _ in r.variants),
            "TLOD=" + ",".join(f"{3.3 * a:.2f}" for a in r.t_alt),
            "CSQ=" + ",".join(e for x in r.variants for e in csq_entries(x)),
        ))
        tumor_gt = "/".join(str(i) for i in range(n_alts + 1))
        normal_gt = "0/0"  # Mutect2 genotypes the normal as reference in somatic mode
        sample_fields = {
            tumor: f"{tumor_gt}:{t_ref},{','.join(map(str, r.t_alt))}:"
                   f"{','.join(f'{(a + 1) / (r.t_depth + n_alts + 1):.3f}' for a in r.t_alt)}:{r.t_depth}",
            normal: f"{normal_gt}:{n_ref},{','.join(map(str, r.n_alt))}:"
                    f"{','.join(f'{(a + 1) / (r.n_depth + n_alts + 1):.3f}' for a in r.n_alt)}:{r.n_depth}",
        }
        rows.append("\t".join((vcf_chrom(v.chrom), str(v.pos), ".", v.ref, ",".join(x.alt for x in r.variants), ".",
                               r.filter, info, "GT:AD:AF:DP", *(sample_fields[n] for n in names))))
    return _write_lines(header, ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", *names], rows)


# ---------------------------------------------------------------- Strelka2


def _strelka_common(kind: str) -> list[str]:
    return [
        "##fileformat=VCFv4.1",
        "##source=strelka",
        "##source_version=2.9.10",
        "##reference=file://Homo_sapiens_assembly38.fasta",
        *contig_lines(),
        f"##content=strelka somatic {kind} calls",
    ]


def _snv_tiers(v: Variant, depth: int, alt: int) -> str:
    """Strelka2's AU:CU:GU:TU (tier 1, tier 2) for a site with ``alt`` reads of ``depth``."""
    counts = {b: 0 for b in "ACGT"}
    counts[v.ref] = max(depth - alt, 0)
    counts[v.alt] = alt
    # tier 2 (relaxed mapping quality) sees a read more on the reference base
    return ":".join(f"{counts[b]},{counts[b] + (1 if counts[b] and b == v.ref else 0)}" for b in "ACGT")


def strelka2_snv_vcf(records: list[CallerRecord]) -> str:
    header = _strelka_common("snv") + [
        "##priorSomaticSnvRate=0.0001",
        '##INFO=<ID=QSS,Number=1,Type=Integer,Description="Quality score for any somatic snv, ie. for the ALT allele to be present at a significantly different frequency in the tumor and normal">',
        '##INFO=<ID=TQSS,Number=1,Type=Integer,Description="Data tier used to compute QSS">',
        '##INFO=<ID=NT,Number=1,Type=String,Description="Genotype of the normal in all data tiers, as used to classify somatic variants. One of {ref,het,hom,conflict}.">',
        '##INFO=<ID=QSS_NT,Number=1,Type=Integer,Description="Quality score reflecting the joint probability of a somatic variant and NT">',
        '##INFO=<ID=TQSS_NT,Number=1,Type=Integer,Description="Data tier used to compute QSS_NT">',
        '##INFO=<ID=SGT,Number=1,Type=String,Description="Most likely somatic genotype excluding normal noise states">',
        '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic mutation">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Combined depth across samples">',
        '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS Mapping Quality">',
        '##INFO=<ID=MQ0,Number=1,Type=Integer,Description="Total Mapping Quality Zero Reads">',
        '##INFO=<ID=SomaticEVS,Number=1,Type=Float,Description="Somatic Empirical Variant Score (EVS) expressing the phred-scaled probability of the call being a false positive observation.">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1 (used+filtered)">',
        '##FORMAT=<ID=FDP,Number=1,Type=Integer,Description="Number of basecalls filtered from original read depth for tier1">',
        '##FORMAT=<ID=SDP,Number=1,Type=Integer,Description="Number of reads with deletions spanning this site at tier1">',
        '##FORMAT=<ID=SUBDP,Number=1,Type=Integer,Description="Number of reads below tier1 mapping quality threshold aligned across this site">',
        '##FORMAT=<ID=AU,Number=2,Type=Integer,Description="Number of \'A\' alleles used in tiers 1,2">',
        '##FORMAT=<ID=CU,Number=2,Type=Integer,Description="Number of \'C\' alleles used in tiers 1,2">',
        '##FORMAT=<ID=GU,Number=2,Type=Integer,Description="Number of \'G\' alleles used in tiers 1,2">',
        '##FORMAT=<ID=TU,Number=2,Type=Integer,Description="Number of \'T\' alleles used in tiers 1,2">',
        '##FILTER=<ID=LowEVS,Description="Somatic Empirical Variant Score (SomaticEVS) is below threshold">',
        '##FILTER=<ID=LowDepth,Description="Tumor or normal sample read depth at this locus is below 2">',
        *ANN_HEADER,
    ]
    rows = []
    for r in sorted(records, key=lambda r: sort_key(r.first)):
        v = r.first
        t_alt, n_alt = r.t_alt[0], r.n_alt[0]
        evs = min(19.9, 2.0 + 1.3 * t_alt) if r.filter == "PASS" else min(6.5, 0.5 + 0.4 * t_alt)
        qss = min(3 * t_alt, 250)
        info = ";".join((
            "SOMATIC", f"QSS={qss}", "TQSS=1", "NT=ref", f"QSS_NT={qss}", "TQSS_NT=1",
            f"SGT={v.ref * 2}->{''.join(sorted(v.ref + v.alt))}", f"DP={r.t_depth + r.n_depth}", "MQ=60.00", "MQ0=0",
            f"SomaticEVS={evs:.2f}", "ANN=" + ",".join(ann_entries(v)),
        ))
        rows.append("\t".join((vcf_chrom(v.chrom), str(v.pos), ".", v.ref, v.alt, ".", r.filter, info,
                               "DP:FDP:SDP:SUBDP:AU:CU:GU:TU",
                               f"{r.n_depth}:0:0:0:{_snv_tiers(v, r.n_depth, n_alt)}",
                               f"{r.t_depth}:0:0:0:{_snv_tiers(v, r.t_depth, t_alt)}")))
    return _write_lines(header, ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "NORMAL", "TUMOR"], rows)


def strelka2_indel_vcf(records: list[CallerRecord]) -> str:
    header = _strelka_common("indel") + [
        "##priorSomaticIndelRate=1e-06",
        '##INFO=<ID=QSI,Number=1,Type=Integer,Description="Quality score for any somatic variant, ie. for the ALT haplotype to be present at a significantly different frequency in the tumor and normal">',
        '##INFO=<ID=TQSI,Number=1,Type=Integer,Description="Data tier used to compute QSI">',
        '##INFO=<ID=NT,Number=1,Type=String,Description="Genotype of the normal in all data tiers, as used to classify somatic variants. One of {ref,het,hom,conflict}.">',
        '##INFO=<ID=QSI_NT,Number=1,Type=Integer,Description="Quality score reflecting the joint probability of a somatic variant and NT">',
        '##INFO=<ID=TQSI_NT,Number=1,Type=Integer,Description="Data tier used to compute QSI_NT">',
        '##INFO=<ID=SGT,Number=1,Type=String,Description="Most likely somatic genotype excluding normal noise states">',
        '##INFO=<ID=RU,Number=1,Type=String,Description="Smallest repeating sequence unit in inserted or deleted sequence">',
        '##INFO=<ID=RC,Number=1,Type=Integer,Description="Number of times RU repeats in the reference allele">',
        '##INFO=<ID=IC,Number=1,Type=Integer,Description="Number of times RU repeats in the indel allele">',
        '##INFO=<ID=IHP,Number=1,Type=Integer,Description="Largest reference interrupted homopolymer length intersecting with the indel">',
        '##INFO=<ID=MQ,Number=1,Type=Float,Description="RMS Mapping Quality">',
        '##INFO=<ID=MQ0,Number=1,Type=Integer,Description="Total Mapping Quality Zero Reads">',
        '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Somatic mutation">',
        '##INFO=<ID=SomaticEVS,Number=1,Type=Float,Description="Somatic Empirical Variant Score (EVS) expressing the phred-scaled probability of the call being a false positive observation.">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth for tier1">',
        '##FORMAT=<ID=DP2,Number=1,Type=Integer,Description="Read depth for tier2">',
        '##FORMAT=<ID=TAR,Number=2,Type=Integer,Description="Reads strongly supporting alternate allele for tiers 1,2">',
        '##FORMAT=<ID=TIR,Number=2,Type=Integer,Description="Reads strongly supporting indel allele for tiers 1,2">',
        '##FORMAT=<ID=TOR,Number=2,Type=Integer,Description="Other reads (weak support or insufficient indel breakpoint overlap) for tiers 1,2">',
        '##FORMAT=<ID=DP50,Number=1,Type=Float,Description="Average tier1 read depth within 50 bases">',
        '##FILTER=<ID=LowEVS,Description="Somatic Empirical Variant Score (SomaticEVS) is below threshold">',
        '##FILTER=<ID=LowDepth,Description="Tumor or normal sample read depth at this locus is below 2">',
        *ANN_HEADER,
    ]
    rows = []
    for r in sorted(records, key=lambda r: sort_key(r.first)):
        v = r.first
        changed = v.ref[1:] if len(v.ref) > len(v.alt) else v.alt[1:]
        deletion = len(v.ref) > len(v.alt)
        t_alt, n_alt = r.t_alt[0], r.n_alt[0]
        evs = min(19.9, 2.0 + 1.2 * t_alt) if r.filter == "PASS" else min(6.5, 0.5 + 0.4 * t_alt)
        qsi = min(3 * t_alt, 250)
        info = ";".join((
            "SOMATIC", f"QSI={qsi}", "TQSI=1", "NT=ref", f"QSI_NT={qsi}", "TQSI_NT=1", "SGT=ref->het",
            "MQ=60.00", "MQ0=0", f"RU={changed}", f"RC={1 if deletion else 0}", f"IC={0 if deletion else 1}", "IHP=2",
            f"SomaticEVS={evs:.2f}", "ANN=" + ",".join(ann_entries(v)),
        ))

        def tiers(depth: int, alt: int) -> str:
            ref = max(depth - alt, 0)
            return f"{depth}:{depth}:{ref},{ref}:{alt},{alt}:0,0:{depth:.2f}"

        rows.append("\t".join((vcf_chrom(v.chrom), str(v.pos), ".", v.ref, v.alt, ".", r.filter, info,
                               "DP:DP2:TAR:TIR:TOR:DP50", tiers(r.n_depth, n_alt), tiers(r.t_depth, t_alt))))
    return _write_lines(header, ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "NORMAL", "TUMOR"], rows)


# ---------------------------------------------------------------- VarScan2


def varscan2_vcf(records: list[CallerRecord]) -> str:
    header = [
        "##fileformat=VCFv4.1",
        "##source=VarScan2",
        *contig_lines(),
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth of quality bases">',
        '##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description="Indicates if record is a somatic mutation">',
        '##INFO=<ID=SS,Number=1,Type=String,Description="Somatic status of variant (0=Reference,1=Germline,2=Somatic,3=LOH, or 5=Unknown)">',
        '##INFO=<ID=SSC,Number=1,Type=String,Description="Somatic score in Phred scale (0-255) derived from somatic p-value">',
        '##INFO=<ID=GPV,Number=1,Type=Float,Description="Fisher\'s Exact Test P-value of tumor+normal versus no variant for Germline calls">',
        '##INFO=<ID=SPV,Number=1,Type=Float,Description="Fisher\'s Exact Test P-value of tumor versus normal for Somatic/LOH calls">',
        '##FILTER=<ID=str10,Description="Less than 10% or more than 90% of variant supporting reads on one strand">',
        '##FILTER=<ID=indelError,Description="Likely artifact due to indel reads at this position">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read Depth">',
        '##FORMAT=<ID=RD,Number=1,Type=Integer,Description="Depth of reference-supporting bases (reads1)">',
        '##FORMAT=<ID=AD,Number=1,Type=Integer,Description="Depth of variant-supporting bases (reads2)">',
        '##FORMAT=<ID=FREQ,Number=1,Type=String,Description="Variant allele frequency">',
        '##FORMAT=<ID=DP4,Number=1,Type=String,Description="Strand read counts: ref/fwd, ref/rev, var/fwd, var/rev">',
        *VEP_HEADER,
    ]
    rows = []
    for r in sorted(records, key=lambda r: sort_key(r.first)):
        v = r.first
        t_alt, n_alt = r.t_alt[0], r.n_alt[0]
        ss = r.somatic_status
        if ss == 2:
            spv, gpv = _somatic_p(t_alt, n_alt), 1.0
            gts = ("0/0", "0/1")
        else:
            spv, gpv = (0.5 if ss == 1 else _somatic_p(t_alt // 4, 0)), _somatic_p(t_alt + n_alt, 0)
            hom = n_alt > 0.85 * max(r.n_depth, 1)
            gts = ("1/1", "1/1") if hom else (("0/1", "1/1") if ss == 3 else ("0/1", "0/1"))
        ssc = min(255, int(round(-10 * math.log10(max(spv, 1e-300)))))

        def fmt(gt: str, depth: int, alt: int) -> str:
            ref = max(depth - alt, 0)
            freq = f"{100 * alt / depth:.2f}%" if depth and alt else "0%"
            return f"{gt}:.:{depth}:{ref}:{alt}:{freq}:{(ref + 1) // 2},{ref // 2},{(alt + 1) // 2},{alt // 2}"

        info = ";".join(
            [f"DP={r.t_depth + r.n_depth}"] + (["SOMATIC"] if ss == 2 else [])
            + [f"SS={ss}", f"SSC={ssc}", f"GPV={_java_sci(gpv)}", f"SPV={_java_sci(spv)}",
               "CSQ=" + ",".join(csq_entries(v))]
        )
        rows.append("\t".join((vcf_chrom(v.chrom), str(v.pos), ".", v.ref, v.alt, ".", r.filter, info,
                               "GT:GQ:DP:RD:AD:FREQ:DP4", fmt(gts[0], r.n_depth, n_alt), fmt(gts[1], r.t_depth, t_alt))))
    return _write_lines(header, ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", "NORMAL", "TUMOR"], rows)


# ---------------------------------------------------------------- germline (HaplotypeCaller)


def germline_vcf(genotypes: list[GermlineGenotype], normal: str) -> str:
    header = [
        "##fileformat=VCFv4.2",
        '##FILTER=<ID=PASS,Description="All filters passed">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths for the ref and alt alleles in the order listed">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth (reads with MQ=255 or with bad mates are filtered)">',
        '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype Quality">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
        '##GATKCommandLine=<ID=HaplotypeCaller,CommandLine="HaplotypeCaller --output normal.vcf.gz --input normal.bam '
        '--reference Homo_sapiens_assembly38.fasta",Version="4.2.6.1">',
        '##INFO=<ID=AC,Number=A,Type=Integer,Description="Allele count in genotypes, for each ALT allele, in the same order as listed">',
        '##INFO=<ID=AF,Number=A,Type=Float,Description="Allele Frequency, for each ALT allele, in the same order as listed">',
        '##INFO=<ID=AN,Number=1,Type=Integer,Description="Total number of alleles in called genotypes">',
        '##INFO=<ID=DP,Number=1,Type=Integer,Description="Approximate read depth; some reads may have been filtered">',
        '##INFO=<ID=QD,Number=1,Type=Float,Description="Variant Confidence/Quality by Depth">',
        '##INFO=<ID=CLNSIG,Number=.,Type=String,Description="Aggregate germline classification for this single variant; '
        'multiple values are separated by a vertical bar">',
        *contig_lines(),
        "##source=HaplotypeCaller",
        *VEP_HEADER,
    ]
    rows = []
    for g in sorted(genotypes, key=lambda g: sort_key(g.germline.variant)):
        v = g.germline.variant
        hom = g.genotype == "hom"
        qual = 30.0 * g.alt_count + 0.64
        info = [f"AC={2 if hom else 1}", f"AF={1.0 if hom else 0.5:.3f}", "AN=2", f"DP={g.depth}",
                f"QD={qual / max(g.depth, 1):.2f}"]
        if g.germline.clinvar:
            info.append(f"CLNSIG={g.germline.clinvar}")
        info.append("CSQ=" + ",".join(csq_entries(v)))
        gq = 99 if g.depth >= 20 else 3 * g.depth
        rows.append("\t".join((
            vcf_chrom(v.chrom), str(v.pos), ".", v.ref, v.alt, f"{qual:.2f}", "PASS", ";".join(info), "GT:AD:DP:GQ",
            f"{'1/1' if hom else '0/1'}:{g.depth - g.alt_count},{g.alt_count}:{g.depth}:{gq}",
        )))
    return _write_lines(header, ["CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT", normal], rows)


def write_bgzf(text: str, path: Path, *, index: bool = True) -> None:
    """bgzip-compress ``text`` to ``path`` (deterministic: BGZF headers carry no time) and tabix it."""
    import pysam

    with pysam.BGZFile(str(path), "wb") as fh:
        fh.write(text.encode("utf-8"))
    if index:
        pysam.tabix_index(str(path), preset="vcf", force=True)
