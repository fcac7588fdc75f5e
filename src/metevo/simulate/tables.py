"""The cohort's tables: samplesheet, clinical table and the planted truth (as DataFrames).

Pure functions from a :class:`Cohort` to tables; :mod:`metevo.simulate.write` puts them on disk.
Truth tables use metevo's internal chromosome names (no ``chr``), as every metevo output
does, so they compare directly with the pipeline's MAFs; the VCFs use hg38's ``chr`` names.
"""

from __future__ import annotations

import pandas as pd

from metevo.simulate.model import CALLERS, Cohort, Patient, Sample
from metevo.simulate.reference import CHROM_ORDER
from metevo.simulate.variants import NON_SYNONYMOUS
from metevo.variants import vcf_to_maf

SAMPLE_TYPE_ORDER = {"normal": 0, "primary": 1, "recurrence": 2, "metastasis": 3, "cfdna": 4}

SAMPLESHEET_COLUMNS = (
    "patient", "sample", "sample_type", "collection_time", "site", "region_group", "replicate_group",
    "er_status", "pr_status", "her2_status", "purity", "ploidy", "vcf_mutect2", "vcf_strelka2", "vcf_varscan2",
    "tumor_vcf_name", "bins", "wig", "segments", "germline_vcf",
)
CLINICAL_COLUMNS = (
    "patient", "age_at_diagnosis", "subtype", "chemotherapy", "radiation", "antiestrogen", "anti_her2",
    "os_time", "os_event", "pfs_time", "pfs_event",
)
SOMATIC_COLUMNS = (
    "sample", "patient", "chrom", "pos", "ref", "alt", "gene", "variant_classification", "origin", "ccf", "vaf",
    "t_depth", "t_alt_count", "n_depth", "n_alt_count", "variant_type", "hgvsp_short", "clone", "driver",
    "callers_pass", "multiplicity", "total_cn", "major_cn", "minor_cn", "clonal",
)
GERMLINE_COLUMNS = (
    "patient", "gene", "chrom", "pos", "ref", "alt", "classification", "clinvar", "pathogenic", "genotype",
    "hgvsp_short", "population_af", "n_depth", "n_alt_count",
)
SAMPLES_COLUMNS = (
    "sample", "patient", "sample_type", "design", "subtype", "specimen", "region_group", "replicate_group", "site",
    "collection_time", "purity", "ploidy", "wgd", "mean_depth", "n_mutations", "n_coding",
)
DRIVERS_COLUMNS = ("gene", "alteration", "kind", "eligible", "probability", "n_eligible", "n_planted")
ARTEFACT_COLUMNS = ("sample", "chrom", "pos", "ref", "alt", "gene", "variant_classification", "kind", "callers",
                    "callers_pass")


def vcf_paths(sample: Sample) -> dict[str, str]:
    """Relative paths of a tumor sample's caller VCFs, as the samplesheet cells hold them."""
    base = f"vcf/{sample.sample}"
    return {
        "mutect2": f"{base}.mutect2.vcf.gz",
        "strelka2": f"{base}.strelka2.snv.vcf.gz;{base}.strelka2.indel.vcf.gz",
        "varscan2": f"{base}.varscan2.snv.vcf.gz;{base}.varscan2.indel.vcf.gz",
    }


def germline_path(patient: Patient) -> str:
    return f"germline/{patient.patient}.germline.vcf.gz"


def segments_path(sample: Sample) -> str:
    return f"cn/{sample.sample}.segments.tsv"


def bins_path(sample: Sample) -> str:
    return f"cn/{sample.sample}.bins.tsv"


def wig_path(sample: Sample) -> str:
    return f"cfdna/{sample.sample}.wig"


def ordered_samples(cohort: Cohort) -> list[Sample]:
    return [s for p in cohort.patients for s in sorted(p.samples, key=lambda s: (SAMPLE_TYPE_ORDER[s.sample_type], s.sample))]


def samplesheet_table(cohort: Cohort, copy_number: str = "mixed") -> pd.DataFrame:
    """The samplesheet: tumors with caller VCFs and a copy-number input, plasma samples with
    their WIGs, normals with germline VCFs. ``copy_number``: "mixed" (allele-specific segments,
    except every fourth patient's tumors, which come with shallow-WGS bin counts, as a cohort
    mixing exome copy-number calls with sWGS, so that every copy-number path runs),
    "segments" (every tumor with segments) or "swgs" (every tumor with bin counts)."""
    if copy_number not in ("mixed", "segments", "swgs"):
        raise ValueError(f"copy_number must be mixed, segments or swgs, not {copy_number!r}")
    rows = []
    patients = {p.patient: p for p in cohort.patients}
    swgs_patients = {p.patient for i, p in enumerate(cohort.patients)
                     if copy_number == "swgs" or (copy_number == "mixed" and i % 4 == 3)}
    for s in ordered_samples(cohort):
        row = dict.fromkeys(SAMPLESHEET_COLUMNS, "")
        row.update(patient=s.patient, sample=s.sample, sample_type=s.sample_type,
                   collection_time=f"{s.collection_time:.0f}", site=s.site, region_group=s.region_group,
                   replicate_group=s.replicate_group, er_status=s.er_status, pr_status=s.pr_status,
                   her2_status=s.her2_status)
        if s.is_tumor:
            row["purity"] = f"{s.purity:.2f}"
            row["ploidy"] = f"{s.ploidy:.2f}"
            row.update({f"vcf_{c}": path for c, path in vcf_paths(s).items()})
            # one copy-number input per sample
            if s.patient in swgs_patients:
                row["bins"] = bins_path(s)
            else:
                row["segments"] = segments_path(s)
        elif s.is_cfdna:
            # tumor fraction and ploidy are left for ``metevo cfdna`` to estimate (truth/cfdna.tsv)
            row["wig"] = wig_path(s)
        else:
            row["germline_vcf"] = germline_path(patients[s.patient])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SAMPLESHEET_COLUMNS))


def clinical_table(cohort: Cohort) -> pd.DataFrame:
    rows = [{
        "patient": p.patient, "age_at_diagnosis": str(p.age_at_diagnosis), "subtype": p.subtype,
        "chemotherapy": p.chemotherapy, "radiation": p.radiation, "antiestrogen": p.antiestrogen,
        "anti_her2": p.anti_her2, "os_time": f"{p.os_time:.0f}", "os_event": str(p.os_event),
        "pfs_time": f"{p.pfs_time:.0f}", "pfs_event": str(p.pfs_event),
    } for p in cohort.patients]
    return pd.DataFrame(rows, columns=list(CLINICAL_COLUMNS))


def _variant_sort(frame: pd.DataFrame, first: list[str]) -> pd.DataFrame:
    frame = frame.assign(_chrom=frame["chrom"].map(CHROM_ORDER))
    return frame.sort_values(first + ["_chrom", "pos", "ref", "alt"], kind="stable").drop(columns="_chrom").reset_index(drop=True)


def passing_callers(cohort: Cohort) -> dict[tuple[str, tuple], list[str]]:
    """(sample, variant key) -> callers whose record of that allele passes their own filters."""
    out: dict[tuple[str, tuple], list[str]] = {}
    for r in cohort.calls:
        if r.filter != "PASS" or (r.caller == "varscan2" and r.somatic_status != 2):
            continue
        for v in r.variants:
            out.setdefault((r.sample, v.key), []).append(r.caller)
    return out


def somatic_truth(cohort: Cohort) -> pd.DataFrame:
    order = {s.sample: i for i, s in enumerate(ordered_samples(cohort))}
    support = passing_callers(cohort)
    rows = []
    for o in cohort.observations:
        m = cohort.somatic[o.mutation]
        v = m.variant
        callers = sorted(set(support.get((o.sample, v.key), [])), key=CALLERS.index)
        rows.append({
            "sample": o.sample, "patient": m.patient, "chrom": v.chrom, "pos": v.pos, "ref": v.ref, "alt": v.alt,
            "gene": v.gene, "variant_classification": v.variant_classification, "origin": m.origin, "ccf": o.ccf,
            "vaf": round(o.vaf, 6), "t_depth": o.t_depth, "t_alt_count": o.t_alt_count, "n_depth": o.n_depth,
            "n_alt_count": o.n_alt_count, "variant_type": v.variant_type, "hgvsp_short": v.hgvsp_short,
            "clone": m.node, "driver": m.driver, "callers_pass": ",".join(callers),
            "multiplicity": o.multiplicity, "total_cn": o.total_cn, "major_cn": o.major_cn, "minor_cn": o.minor_cn,
            "clonal": "yes" if o.ccf >= 1 else "no", "_order": order[o.sample],
        })
    frame = pd.DataFrame(rows, columns=list(SOMATIC_COLUMNS) + ["_order"])
    return _variant_sort(frame, ["_order"]).drop(columns="_order")


def germline_truth(cohort: Cohort) -> pd.DataFrame:
    order = {p.patient: i for i, p in enumerate(cohort.patients)}
    rows = []
    for g in cohort.germline:
        v = g.germline.variant
        rows.append({
            "patient": g.patient, "gene": v.gene, "chrom": v.chrom, "pos": v.pos, "ref": v.ref, "alt": v.alt,
            "classification": v.variant_classification, "clinvar": g.germline.clinvar,
            "pathogenic": "yes" if g.germline.pathogenic else "no", "genotype": g.genotype,
            "hgvsp_short": v.hgvsp_short, "population_af": g.germline.population_af, "n_depth": g.depth,
            "n_alt_count": g.alt_count, "_order": order[g.patient],
        })
    frame = pd.DataFrame(rows, columns=list(GERMLINE_COLUMNS) + ["_order"])
    return _variant_sort(frame, ["_order"]).drop(columns="_order")


def samples_truth(cohort: Cohort) -> pd.DataFrame:
    patients = {p.patient: p for p in cohort.patients}
    n_total: dict[str, int] = {}
    n_coding: dict[str, int] = {}
    for o in cohort.observations:
        n_total[o.sample] = n_total.get(o.sample, 0) + 1
        if cohort.somatic[o.mutation].variant.variant_classification in NON_SYNONYMOUS:
            n_coding[o.sample] = n_coding.get(o.sample, 0) + 1
    rows = []
    for s in ordered_samples(cohort):
        p = patients[s.patient]
        rows.append({
            "sample": s.sample, "patient": s.patient, "sample_type": s.sample_type, "design": p.design,
            "subtype": p.subtype, "specimen": s.specimen, "region_group": s.region_group,
            "replicate_group": s.replicate_group, "site": s.site, "collection_time": s.collection_time,
            "purity": s.purity, "ploidy": s.ploidy,
            "wgd": "" if s.ploidy is None else ("yes" if s.wgd else "no"), "mean_depth": round(s.mean_depth, 1),
            # plasma is not exome-sequenced here: no planted mutation is observed in it
            "n_mutations": n_total.get(s.sample, 0) if s.sample_type != "normal" else None,
            "n_coding": n_coding.get(s.sample, 0) if s.sample_type != "normal" else None,
        })
    frame = pd.DataFrame(rows, columns=list(SAMPLES_COLUMNS))
    for column in ("n_mutations", "n_coding"):
        frame[column] = frame[column].astype("Int64")
    return frame


def drivers_truth(cohort: Cohort) -> pd.DataFrame:
    rows = [{
        "gene": d.gene, "alteration": d.alteration, "kind": d.kind, "eligible": d.eligible,
        "probability": d.probability, "n_eligible": d.n_eligible, "n_planted": d.n_planted,
    } for d in cohort.drivers]
    return pd.DataFrame(rows, columns=list(DRIVERS_COLUMNS))


def artefacts_truth(cohort: Cohort) -> pd.DataFrame:
    order = {s.sample: i for i, s in enumerate(ordered_samples(cohort))}
    rows = [{
        "sample": a.sample, "chrom": a.variant.chrom, "pos": a.variant.pos, "ref": a.variant.ref,
        "alt": a.variant.alt, "gene": a.variant.gene, "variant_classification": a.variant.variant_classification,
        "kind": a.kind, "callers": ",".join(a.callers), "callers_pass": ",".join(a.passing), "_order": order[a.sample],
    } for a in cohort.artefacts]
    frame = pd.DataFrame(rows, columns=list(ARTEFACT_COLUMNS) + ["_order"])
    return _variant_sort(frame, ["_order"]).drop(columns="_order")


MUTATION_MAF_COLUMNS = (
    "Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Variant_Classification", "Variant_Type",
    "Reference_Allele", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "HGVSp_Short", "t_depth", "t_alt_count",
    "patient", "sample_type", "subtype", "origin", "clonal", "driver",
)


def mutation_maf(somatic: pd.DataFrame, cohort: Cohort) -> pd.DataFrame:
    """truth/somatic.tsv as a MAF-like table (MAF alleles and coordinates, internal chromosome
    names), with each sample's type and the patient's subtype."""
    types = {s.sample: s.sample_type for s in cohort.samples()}
    subtypes = {p.patient: p.subtype for p in cohort.patients}
    maf = [vcf_to_maf(int(pos), ref, alt) for pos, ref, alt in zip(somatic["pos"], somatic["ref"], somatic["alt"])]
    frame = pd.DataFrame({
        "Hugo_Symbol": somatic["gene"], "Chromosome": somatic["chrom"],
        "Start_Position": [m[0] for m in maf], "End_Position": [m[1] for m in maf],
        "Variant_Classification": somatic["variant_classification"], "Variant_Type": [m[4] for m in maf],
        "Reference_Allele": [m[2] for m in maf], "Tumor_Seq_Allele2": [m[3] for m in maf],
        "Tumor_Sample_Barcode": somatic["sample"], "HGVSp_Short": somatic["hgvsp_short"],
        "t_depth": somatic["t_depth"], "t_alt_count": somatic["t_alt_count"], "patient": somatic["patient"],
        "sample_type": somatic["sample"].map(types), "subtype": somatic["patient"].map(subtypes),
        "origin": somatic["origin"], "clonal": somatic["clonal"], "driver": somatic["driver"],
    }, columns=list(MUTATION_MAF_COLUMNS))
    return frame
