"""Gene-level copy state (LOH, homozygous deletion) and biallelic inactivation of tumour suppressors.

Gene copy state (:func:`gene_copy_state`): a gene's state in a sample comes from the segments
overlapping its span (1-based closed gene coordinates of :func:`metevo.cn.reference.genes`);
``total_cn``, ``major_cn`` and ``minor_cn`` are each the minimum over those segments, so a
deletion of part of the gene counts (docs/clonality-loh.md). From them:

* ``homdel``: total copy number 0;
* ``loh``: minor copy number 0 and total at least 1 (a homozygous deletion is not LOH; ASCAT's
  definition, VanLoo-lab/ascat#29);
* ``cn_loh``: copy-neutral LOH, LOH at the sample's normal total: 2, or 4 in a whole-genome
  doubled sample. A sample is taken as doubled when more than half of its autosomal segment
  length has major copy number >= 2 (Bielski et al. 2018, Nat Genet 50:1189).

Unknown values (no overlapping segment, or a format without allele-specific copy numbers) stay
NA and never count as evidence.

Biallelic inactivation (:func:`biallelic_inactivation`), per tumour sample and gene, the
strongest status that applies:

* ``biallelic``: a homozygous deletion; a pathogenic germline variant with LOH; a truncating
  somatic mutation with LOH; a pathogenic germline variant with a damaging somatic mutation
  (the "second hit" of Jonsson et al. 2019, Nature 571:576);
* ``likely_biallelic``: two distinct damaging somatic mutations (their phase is unknown, so they
  may sit on the same allele);
* ``monoallelic``: one of these events alone (germline variant, damaging somatic mutation, or
  LOH), or a damaging non-truncating somatic mutation with LOH (its effect on the protein is
  not known);
* ``wild_type``: none of them.

Somatic mutations are damaging when their MAF class is non-synonymous in maftools' sense and
truncating when nonsense, frameshift, splice site, start or stop loss
(:data:`metevo.consequence.NONSYNONYMOUS_CLASSES` / :data:`~metevo.consequence.TRUNCATING_CLASSES`).
Germline variants are the rows of the germline step's table (pathogenic by ClinVar or
truncating). Not checked, for want of the data: which allele LOH retained (a germline variant
on the lost allele would not be inactivating; its tumour VAF is not in the germline table),
and the phase of two mutations.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from metevo.consequence import NONSYNONYMOUS_CLASSES, TRUNCATING_CLASSES

AUTOSOMES = tuple(str(i) for i in range(1, 23))
GENE_STATE_COLUMNS = (
    "sample", "gene", "chrom", "start", "end", "n_segments", "total_cn", "major_cn", "minor_cn", "loh", "homdel", "cn_loh",
)
BIALLELIC_COLUMNS = (
    "patient", "sample", "gene", "status", "mechanism", "evidence", "total_cn", "major_cn", "minor_cn", "loh", "homdel",
    "cn_loh", "n_germline", "n_somatic",
)
STATUSES = ("biallelic", "likely_biallelic", "monoallelic", "wild_type")
_DAMAGING = frozenset(NONSYNONYMOUS_CLASSES)


def whole_genome_doubled(segments: pd.DataFrame) -> dict[str, bool | None]:
    """Per sample: more than half of the autosomal segment length has major copy number >= 2
    (Bielski et al. 2018); None when the sample has no allele-specific copy numbers."""
    result: dict[str, bool | None] = {}
    for sample, seg in segments.groupby("sample", sort=False):
        seg = seg[seg["chrom"].isin(AUTOSOMES) & seg["major_cn"].notna()]
        if seg.empty:
            result[sample] = None
            continue
        length = (seg["end"] - seg["start"] + 1).to_numpy(dtype=float)
        doubled = length[(seg["major_cn"] >= 2).to_numpy(dtype=bool)].sum()
        result[sample] = bool(doubled > 0.5 * length.sum())
    return result


def _min_int(values: np.ndarray) -> int | None:
    known = [int(v) for v in values if not pd.isna(v)]
    return min(known) if known else None


def gene_copy_state(segments: pd.DataFrame, gene_table: pd.DataFrame, *, genes: Sequence[str] | None = None) -> pd.DataFrame:
    """Copy state of genes in every sample of a segments table (module docstring).

    ``gene_table`` has ``gene chrom start end`` (e.g. :func:`metevo.cn.reference.genes`);
    ``genes`` restricts and orders the genes (a gene absent from the table is reported with
    unknown coordinates and state). Rows: samples in order of first appearance, genes in the
    order given (else table order). Returns :data:`GENE_STATE_COLUMNS`.
    """
    table = gene_table.drop_duplicates("gene", keep="first").set_index("gene")
    wanted = list(dict.fromkeys(genes)) if genes is not None else table.index.tolist()
    wgd = whole_genome_doubled(segments)
    rows = []
    for sample, seg in segments.groupby("sample", sort=False):
        by_chrom = {c: g for c, g in seg.groupby("chrom", sort=False)}
        baseline = 4 if wgd.get(sample) else 2
        for gene in wanted:
            if gene not in table.index:
                rows.append((sample, gene, "", pd.NA, pd.NA, 0, None, None, None, pd.NA, pd.NA, pd.NA))
                continue
            chrom, start, end = str(table.at[gene, "chrom"]), int(table.at[gene, "start"]), int(table.at[gene, "end"])
            on = by_chrom.get(chrom)
            if on is None:
                hit = seg.iloc[0:0]
            else:
                hit = on[(on["start"] <= end) & (on["end"] >= start)]
            total = _min_int(hit["total_cn"].to_numpy(dtype=object))
            major = _min_int(hit["major_cn"].to_numpy(dtype=object))
            minor = _min_int(hit["minor_cn"].to_numpy(dtype=object))
            homdel = pd.NA if total is None else total == 0
            loh = pd.NA if (minor is None or total is None) else (minor == 0 and total >= 1)
            cn_loh = pd.NA if loh is pd.NA else bool(loh and total == baseline)
            rows.append((sample, gene, chrom, start, end, len(hit), total, major, minor, loh, homdel, cn_loh))
    frame = pd.DataFrame(rows, columns=list(GENE_STATE_COLUMNS))
    for name in ("start", "end", "n_segments", "total_cn", "major_cn", "minor_cn"):
        frame[name] = pd.array([None if pd.isna(v) else int(v) for v in frame[name]], dtype="Int64")
    for name in ("loh", "homdel", "cn_loh"):
        frame[name] = pd.array([None if pd.isna(v) else bool(v) for v in frame[name]], dtype="boolean")
    return frame


def _fmt_vaf(row) -> str:
    vaf = row.get("t_vaf", "")
    try:
        value = float(vaf)
    except (TypeError, ValueError):
        try:
            value = float(row.get("t_alt_count")) / float(row.get("t_depth"))
        except (TypeError, ValueError, ZeroDivisionError):
            return ""
    return f", VAF {value:.2f}" if value == value else ""


def _somatic_text(row) -> str:
    change = str(row.get("HGVSp_Short", "") or "").strip()
    where = f"{row['Chromosome']}:{row['Start_Position']} {row['Reference_Allele']}>{row['Tumor_Seq_Allele2']}"
    return f"somatic {row['Variant_Classification']}{' ' + change if change else ''} ({where}{_fmt_vaf(row)})"


def _germline_text(row) -> str:
    change = str(row.get("HGVSp_Short", "") or "").strip()
    where = f"{row.get('chrom', '')}:{row.get('pos', '')} {row.get('ref', '')}>{row.get('alt', '')}"
    evidence = str(row.get("evidence", "") or "")
    return f"germline {row.get('Variant_Classification', '')}{' ' + change if change else ''} ({where}{', ' + evidence if evidence else ''})"


def classify_gene(*, germline: pd.DataFrame, somatic: pd.DataFrame, loh, homdel, total_cn=None, minor_cn=None) -> tuple[str, str, str]:
    """(status, mechanism, evidence) of one gene in one tumour sample (module docstring).

    ``germline``: the patient's germline rows in the gene; ``somatic``: the sample's MAF rows in
    the gene (any class; only damaging ones count, each distinct variant once); ``loh``/``homdel``:
    True, False or NA (unknown). ``mechanism`` lists every rule met at the reported status,
    ';'-separated, in the order of the module docstring.
    """
    key = ["Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2"]
    damaging = somatic[somatic["Variant_Classification"].isin(_DAMAGING)]
    damaging = damaging.drop_duplicates(key) if not damaging.empty else damaging
    truncating = damaging[damaging["Variant_Classification"].isin(TRUNCATING_CLASSES)]
    is_loh = loh is True or (loh is not pd.NA and loh is not None and bool(loh))
    is_homdel = homdel is True or (homdel is not pd.NA and homdel is not None and bool(homdel))
    has_germline = not germline.empty

    evidence = []
    if is_homdel:
        evidence.append("homozygous deletion (total_cn 0)")
    elif is_loh:
        evidence.append(f"LOH (total_cn {total_cn}, minor_cn {minor_cn})")
    elif loh is pd.NA or loh is None:
        evidence.append("copy state unknown")
    evidence += [_germline_text(r) for r in germline.to_dict("records")]
    evidence += [_somatic_text(r) for r in damaging.to_dict("records")]

    biallelic = []
    if is_homdel:
        biallelic.append("homozygous_deletion")
    if has_germline and is_loh:
        biallelic.append("germline+LOH")
    if not truncating.empty and is_loh:
        biallelic.append("somatic_truncating+LOH")
    if has_germline and not damaging.empty:
        biallelic.append("germline+somatic_mutation")
    if biallelic:
        return "biallelic", ";".join(biallelic), "; ".join(evidence)
    if len(damaging) >= 2:
        return "likely_biallelic", "two_somatic_mutations", "; ".join(evidence)
    single = []
    if has_germline:
        single.append("germline")
    if not damaging.empty:
        single.append("somatic_mutation")
    if is_loh:
        single.append("LOH")
    if single:
        return "monoallelic", ";".join(single), "; ".join(evidence)
    return "wild_type", "", "; ".join(e for e in evidence if e == "copy state unknown")


def biallelic_inactivation(
    *,
    patient: str,
    samples: Sequence[str],
    maf: pd.DataFrame,
    gene_states: pd.DataFrame,
    germline: pd.DataFrame | None = None,
    genes: Sequence[str],
) -> pd.DataFrame:
    """Status of each gene in each tumour sample of a patient (module docstring).

    ``maf``: somatic MAF rows (``Tumor_Sample_Barcode Hugo_Symbol Variant_Classification
    Chromosome Start_Position Reference_Allele Tumor_Seq_Allele2``, optional ``HGVSp_Short
    t_vaf``); ``gene_states``: :func:`gene_copy_state` output (samples missing from it have an
    unknown copy state); ``germline``: the germline step's table (only rows of ``patient`` and
    of the genes count). One row per sample x gene, samples in the order given, genes in the
    order given; columns :data:`BIALLELIC_COLUMNS`.
    """
    if germline is None:
        germline = pd.DataFrame(columns=["patient", "gene"])
    germ = germline[(germline["patient"].astype(str) == patient)] if "patient" in germline.columns else germline
    states = {(r["sample"], r["gene"]): r for r in gene_states.to_dict("records")}
    rows = []
    for sample in samples:
        in_sample = maf[maf["Tumor_Sample_Barcode"] == sample]
        for gene in genes:
            state = states.get((sample, gene), {})
            loh, homdel = state.get("loh", pd.NA), state.get("homdel", pd.NA)
            total, major, minor = state.get("total_cn", pd.NA), state.get("major_cn", pd.NA), state.get("minor_cn", pd.NA)
            somatic = in_sample[in_sample["Hugo_Symbol"] == gene]
            g_rows = germ[germ["gene"] == gene]
            status, mechanism, evidence = classify_gene(
                germline=g_rows, somatic=somatic, loh=loh, homdel=homdel, total_cn=total, minor_cn=minor,
            )
            n_somatic = int(somatic["Variant_Classification"].isin(_DAMAGING).sum()) if not somatic.empty else 0
            if n_somatic:
                key = ["Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2"]
                n_somatic = len(somatic[somatic["Variant_Classification"].isin(_DAMAGING)].drop_duplicates(key))
            rows.append((patient, sample, gene, status, mechanism, evidence, total, major, minor, loh, homdel,
                         state.get("cn_loh", pd.NA), len(g_rows), n_somatic))
    frame = pd.DataFrame(rows, columns=list(BIALLELIC_COLUMNS))
    for name in ("total_cn", "major_cn", "minor_cn"):
        frame[name] = pd.array([None if pd.isna(v) else int(v) for v in frame[name]], dtype="Int64")
    for name in ("loh", "homdel", "cn_loh"):
        frame[name] = pd.array([None if pd.isna(v) else bool(v) for v in frame[name]], dtype="boolean")
    for name in ("n_germline", "n_somatic"):
        frame[name] = frame[name].astype("int64")
    return frame
