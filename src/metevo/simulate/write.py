"""Writing a simulated cohort to a folder (all files; no randomness here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metevo.io.tables import write_tsv
from metevo.simulate import cn_tables, effects, external, tables, vcf
from metevo.io.wig import write_panel_of_normals, write_wig
from metevo.simulate.readdepth import tracks
from metevo.simulate.segments import scarhrd_text
from metevo.simulate.model import Cohort

TRUTH_README = """\
# Planted truth of a metevo simulated cohort

Written by `metevo simulate` (seed {seed}, {n_patients} patients). Chromosomes here are
metevo's internal names (no `chr`; the VCFs use hg38 `chr` names). Alleles are VCF-style and
normalised (left-aligned; no shared leading base beyond the VCF anchor base), exactly as in
the caller VCFs. See docs/simulator.md in the metevo repository for the model.

## somatic.tsv: every planted somatic mutation in every tumor sample that carries it

| column | meaning |
|---|---|
| sample, patient | tumor sample and its patient |
| chrom, pos, ref, alt | the allele |
| gene, variant_classification | planted consequence (MAF Variant_Classification) |
| origin | `trunk` (founder clone, in every tumor of the patient), `branch` (a clone in several tumor specimens, not all), `private` (a clone in one specimen; technical replicates are one specimen) |
| ccf | cancer cell fraction of the mutation's clone in this sample |
| vaf | expected variant allele fraction (below) |
| t_depth, t_alt_count | simulated tumor reads at the site (each caller reports a slightly different count of its own) |
| n_depth, n_alt_count | simulated normal reads |
| variant_type | SNP, INS or DEL |
| hgvsp_short | protein change (p.D538G style) |
| clone | the planted clone the mutation belongs to |
| driver | planted driver rule that placed it (empty for passengers) |
| callers_pass | callers whose record of this allele passes their own filters (VarScan2: SS=2) |
| multiplicity | mutated copies per cell carrying the mutation (planted) |
| total_cn, major_cn, minor_cn | the tumor's planted copy number at the site |
| clonal | `yes` when ccf is 1 (the mutation is in every cancer cell of the sample) |

vaf is purity x ccf x multiplicity / (purity x total_cn + 2 (1 - purity)).

## germline.tsv: every variant in each patient's germline VCF

| column | meaning |
|---|---|
| patient, gene, chrom, pos, ref, alt | the variant |
| classification | consequence (MAF Variant_Classification) |
| clinvar | ClinVar CLNSIG written in the VCF (empty: not in ClinVar) |
| pathogenic | `yes` for the planted pathogenic HR-gene variants only |
| genotype | het or hom |
| hgvsp_short, population_af, n_depth, n_alt_count | protein change, planted population allele frequency, normal reads |

## samples.tsv: one row per sample

sample, patient, sample_type, design (the patient's sampling design), subtype, specimen
(technical replicates share it), region_group, replicate_group, site, collection_time (days),
purity (planted; for plasma the tumor fraction), ploidy (length-weighted mean total copy
number of the autosomes), wgd (whole-genome doubling), mean_depth, n_mutations (planted
mutations carried and sequenced; 0 for plasma, which is not exome-sequenced), n_coding (of
which non-synonymous: maftools' definition).

## drivers.tsv: planted driver rules and how often they fired

gene, alteration, kind (`trunk_driver`: per eligible patient, in the founder clone), eligible
(who can receive it), probability (planted probability per eligible patient), n_eligible,
n_planted. The drivers that differ between primaries and metastases are in enrichment.tsv.

## artefacts.tsv: planted false positives in the caller VCFs

sample, chrom, pos, ref, alt, gene, variant_classification, kind (`artefact`: sequencing or
alignment artefact; `germline_leakage`: a germline heterozygous site reported as somatic,
normal VAF about 0.5; `second_allele`: the artefact ALT of a Mutect2 multi-allelic record),
callers (callers writing a record), callers_pass (those whose record has FILTER PASS).
VarScan2's germline (SS=1) and LOH (SS=3) records and Mutect2's `germline`-filtered records of
the patient's germline variants are not listed here (see germline.tsv).

## cn_segments.tsv: planted allele-specific copy number of every tumor and plasma sample

sample, chrom, start, end (1-based, closed; chr1-22 and X, whole chromosomes), total_cn,
major_cn, minor_cn, origin (of the last event changing the segment: trunk, branch, private;
empty where nothing did), event (the events that shaped it, in order, e.g. `1q gain,1q21.3
amplification`, `HRD scar`, `BRCA1 LOH`, `WGD`). A plasma sample has its lineage's segments.
cn/<sample>.segments.tsv reports the same states with neighbours of equal state merged and
breakpoints moved by up to 20 kb.

## regions.tsv: planted status of the tracked regions

sample, region (metevo's default list), status (deletion: 0 copies; amplification: at least
the baseline + 3; gain, loss, neutral against the baseline), total_cn (covering most of the
region), baseline_cn (2, or 4 after a whole-genome doubling), planted_event (the focal event
planted there, if any).

## cfdna.tsv: plasma samples

sample, patient, collection_time, relapse_time (the first metastasis or recurrence), timepoint
(before, at, after), lineage (the tumor whose copy number the plasma carries), tumor_fraction,
ploidy.

## hrd.tsv: planted homologous-recombination deficiency, per tumor

sample, patient, scarred (yes: an HRD scar was planted), gene, mechanism (germline+LOH,
somatic+LOH, homozygous_deletion; germline_only for a BRCA1/2/PALB2 carrier without LOH),
scar_breakpoints (planted transitions between adjacent pieces of at least 12 Mb: scarHRD's LST
counts at least these, give or take other events), scar_loh_segments (planted LOH pieces longer
than 15 Mb).

## biallelic.tsv: BRCA1, BRCA2, PALB2, ATM, CHEK2 in every tumor

sample, patient, gene, biallelic (yes/no), mechanism (biallelic: homozygous_deletion,
germline+LOH, somatic+LOH, germline+somatic, two_somatic; not: germline_only,
germline_allele_lost (LOH removed the pathogenic allele), somatic_only, loh_only, none),
germline_pathogenic and somatic_truncating (the variants, chrom:pos:ref>alt), loh, total_cn,
major_cn, minor_cn (the least favourable state over the gene's coding span), planted (the
patient's HR plan for this gene).

## enrichment.tsv: planted primary-versus-metastasis effects, per stratum

Rates are per tumor: a patient's primary (regions and replicates counted once) and each
metastasis or recurrence ("metastasis"). Passengers are never non-synonymous in these genes,
so a tumor is altered for a gene row iff it carries a non-synonymous mutation in the gene
(MAPK gene rows: the named alteration), for a pathway row iff in any of its genes.

| column | meaning |
|---|---|
| feature, level | gene or pathway (`MAPK`: NF1, KRAS, BRAF, ERBB2; `null_set`: the null genes) |
| genes, alteration | member genes; what is planted |
| planted_effect | `enriched_in_metastasis`, `null` (equal rates) or `subtype_confounded` (equal rates in primaries and metastases within subtype; the rate depends on HER2 status, and the external cohort has fewer HER2+ tumors: an unstratified comparison with it finds a false enrichment) |
| stratum | `HR+ antiestrogen`, `HR+ no antiestrogen` (ESR1), `HER2+`, `HR+/HER2-`, `TNBC` (MAPK), `HER2+`/`HER2-` (confounded gene), `all` |
| primary_rate, metastasis_rate | planted probability per tumor |
| n_primary, n_primary_altered, n_metastasis, n_metastasis_altered | realised in this cohort (planted mutations) |
| n_external, n_external_altered | realised in external/primary.maf (its calls; every sample of samples.txt counts; the external primaries have no treatment record and count in both HR+ rows) |

## exclusivity.tsv: planted (non-)co-occurrence in metastases

feature_a, feature_b, relation (`mutually_exclusive`: never in one patient; `independent`:
planted independently, a control), stratum, scope (the tumors counted: metastases and
recurrences), n_tumors, n_a, n_b, n_both (tumors), n_patients, n_patients_both.

## outcome.tsv: planted hazard ratios

feature, definition, endpoint (PFS, OS), planted_hr (exponential times: proportional hazards,
the same baseline for every subtype), baseline_median (days, unaltered patients),
time_origin (PFS and OS count from the first metastasis or recurrence), n_patients,
n_altered, n_events, n_censored (one exponential follow-up per patient; about 30% of the
unaltered patients' OS is censored).

## ../external/: an external primary cohort

primary.maf (GDC-style MAF, called mutations only), samples.txt (every sample id, also those
without a mutation in the MAF), clinical.tsv (sample, patient, subtype, os_time, os_event;
OS from diagnosis, no planted effect). Subtype mix and rates: docs/simulator.md.
"""


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        frame.to_csv(fh, index=False, lineterminator="\n")


def write_cohort(cohort: Cohort, outdir: str | Path) -> None:
    """Write every file of the cohort under ``outdir`` (which must exist)."""
    outdir = Path(outdir)
    for sub in ("vcf", "germline", "truth", "cn", "cfdna"):
        (outdir / sub).mkdir(parents=True, exist_ok=True)
    _write_csv(tables.samplesheet_table(cohort), outdir / "samplesheet.csv")
    _write_csv(tables.samplesheet_table(cohort, "segments"), outdir / "samplesheet_segments.csv")
    _write_csv(tables.samplesheet_table(cohort, "swgs"), outdir / "samplesheet_swgs.csv")
    _write_csv(tables.clinical_table(cohort), outdir / "clinical.csv")

    by_sample: dict[str, dict[str, list]] = {}
    for r in cohort.calls:
        by_sample.setdefault(r.sample, {}).setdefault(r.caller, []).append(r)
    for patient in cohort.patients:
        normal = patient.normal.sample
        for sample in patient.tumors:
            calls = by_sample.get(sample.sample, {})
            base = outdir / "vcf" / sample.sample
            vcf.write_bgzf(vcf.mutect2_vcf(calls.get("mutect2", []), sample.sample, normal), Path(f"{base}.mutect2.vcf.gz"))
            for caller in ("strelka2", "varscan2"):
                records = calls.get(caller, [])
                snv = [r for r in records if not r.first.is_indel]
                indel = [r for r in records if r.first.is_indel]
                if caller == "strelka2":
                    texts = (vcf.strelka2_snv_vcf(snv), vcf.strelka2_indel_vcf(indel))
                else:
                    texts = (vcf.varscan2_vcf(snv), vcf.varscan2_vcf(indel))
                vcf.write_bgzf(texts[0], Path(f"{base}.{caller}.snv.vcf.gz"))
                vcf.write_bgzf(texts[1], Path(f"{base}.{caller}.indel.vcf.gz"))
        genotypes = [g for g in cohort.germline if g.patient == patient.patient]
        vcf.write_bgzf(vcf.germline_vcf(genotypes, normal), outdir / tables.germline_path(patient))

    _write_copy_number(cohort, outdir)
    truth = outdir / "truth"
    write_tsv(tables.somatic_truth(cohort), truth / "somatic.tsv")
    write_tsv(tables.germline_truth(cohort), truth / "germline.tsv")
    write_tsv(tables.samples_truth(cohort), truth / "samples.tsv")
    write_tsv(tables.drivers_truth(cohort), truth / "drivers.tsv")
    write_tsv(tables.artefacts_truth(cohort), truth / "artefacts.tsv")
    write_tsv(cn_tables.cn_segments_truth(cohort), truth / "cn_segments.tsv")
    write_tsv(cn_tables.regions_truth(cohort), truth / "regions.tsv")
    write_tsv(cn_tables.cfdna_truth(cohort), truth / "cfdna.tsv")
    write_tsv(cn_tables.hrd_truth(cohort), truth / "hrd.tsv")
    write_tsv(cn_tables.biallelic_truth(cohort), truth / "biallelic.tsv")
    statuses = effects.tumor_statuses(cohort)
    write_tsv(effects.enrichment_truth(statuses, cohort.effects), truth / "enrichment.tsv")
    write_tsv(effects.exclusivity_truth(statuses, cohort.effects), truth / "exclusivity.tsv")
    write_tsv(effects.outcome_truth(cohort.patients, cohort.effect_plans, cohort.effects), truth / "outcome.tsv")
    params = [
        "# parameters of this cohort for `metevo run --params-file` and `nextflow run -params-file`",
        "input: samplesheet.csv", "clinical: clinical.csv", "genome: hg38",
        "cfdna_gc: cfdna/gc_1000kb.wig", "cfdna_map: cfdna/map_1000kb.wig", "cfdna_pon: cfdna/pon_1000kb.tsv",
    ]
    if cohort.external is not None:
        (outdir / "external").mkdir(exist_ok=True)
        _write_text(external.maf_text(cohort.external), outdir / "external" / "primary.maf")
        _write_text("".join(f"{s}\n" for s in external.samples_list(cohort.external)), outdir / "external" / "samples.txt")
        write_tsv(external.clinical_table(cohort.external), outdir / "external" / "clinical.tsv")
        params += ["external_maf: external/primary.maf", "external_samples: external/samples.txt",
                   "external_clinical: external/clinical.tsv"]
    _write_text("\n".join(params) + "\n", outdir / "params.yaml")
    (truth / "README.md").write_text(TRUTH_README.format(seed=cohort.seed, n_patients=len(cohort.patients)),
                                     encoding="utf-8")


def _write_text(text: str, path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _write_copy_number(cohort: Cohort, outdir: Path) -> None:
    """Allele-specific segments and sWGS bins of every tumor, WIGs of every plasma sample."""
    for patient in cohort.patients:
        for sample in patient.tumors:
            _write_text(scarhrd_text(sample.sample, cohort.segment_calls[sample.sample], sample.ploidy),
                        outdir / tables.segments_path(sample))
            _write_text(cn_tables.bins_text(sample.sample, cohort.bin_counts[sample.sample]),
                        outdir / tables.bins_path(sample))
        for sample in patient.plasma:
            write_wig(cohort.wig_counts[sample.sample], outdir / tables.wig_path(sample), integer=True)
    gc, mappability = tracks()
    write_wig(gc, outdir / "cfdna" / "gc_1000kb.wig")
    write_wig(mappability, outdir / "cfdna" / "map_1000kb.wig")
    write_panel_of_normals(cohort.pon, outdir / "cfdna" / "pon_1000kb.tsv")
