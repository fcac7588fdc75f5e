"""Copy-number tables and files of a simulated cohort: planted truth and the assay readouts.

Pure functions from a :class:`Cohort`; :mod:`metevo.simulate.write` puts them on disk. The
truth here is read off the planted events and allele copies directly (the planted baseline is
2 copies, 4 after a whole-genome doubling), never through metevo's own copy-number code, so
tests can compare metevo's output against it.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from metevo.simulate.copynumber import REGION_EVENTS, region_coordinates
from metevo.simulate.genome import bin_annotation
from metevo.simulate.germline import HR_GENES
from metevo.simulate.model import Cohort, Sample, SampleCN
from metevo.simulate.readdepth import SWGS_BIN
from metevo.simulate.reference import gene_by_name
from metevo.simulate.tables import ordered_samples
from metevo.simulate.variants import TRUNCATING

CN_SEGMENT_COLUMNS = ("sample", "chrom", "start", "end", "total_cn", "major_cn", "minor_cn", "origin", "event")
REGION_TRUTH_COLUMNS = ("sample", "region", "status", "total_cn", "baseline_cn", "planted_event")
CFDNA_COLUMNS = ("sample", "patient", "collection_time", "relapse_time", "timepoint", "lineage", "tumor_fraction",
                 "ploidy")
HRD_COLUMNS = ("sample", "patient", "scarred", "gene", "mechanism", "scar_breakpoints", "scar_loh_segments")
BIALLELIC_COLUMNS = ("sample", "patient", "gene", "biallelic", "mechanism", "germline_pathogenic", "somatic_truncating",
                     "loh", "total_cn", "major_cn", "minor_cn", "planted")
BIN_COLUMNS = ("chromosome", "start", "end", "bases", "gc", "mappability", "blacklist", "residual", "use")


def _cn_samples(cohort: Cohort) -> list[Sample]:
    return [s for s in ordered_samples(cohort) if s.sample in cohort.copy_number]


def cn_segments_truth(cohort: Cohort) -> pd.DataFrame:
    """Planted allele-specific segments of every tumor and plasma sample."""
    rows = []
    for s in _cn_samples(cohort):
        cn = cohort.copy_number[s.sample]
        for chrom, start, end, a0, a1, origin, event in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1, cn.origin,
                                                              cn.events):
            rows.append((s.sample, chrom, start, end, a0 + a1, max(a0, a1), min(a0, a1), origin, event))
    return pd.DataFrame(rows, columns=list(CN_SEGMENT_COLUMNS))


def _overlap_state(cn: SampleCN, chrom: str, start: int, end: int) -> tuple[int, list[str]]:
    """The total copy number covering most of [start, end] (ties: the lowest), and the names
    of the events of the overlapping segments."""
    bp: dict[int, int] = {}
    names: list[str] = []
    for c, s, e, a0, a1, ev in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1, cn.events):
        if c != chrom or e < start or s > end:
            continue
        w = min(e, end) - max(s, start) + 1
        bp[a0 + a1] = bp.get(a0 + a1, 0) + w
        names.extend(n for n in ev.split(",") if n and n not in names)
    total = max(bp, key=lambda k: (bp[k], -k))
    return total, names


def planted_status(total: int, baseline: int) -> str:
    if total == 0:
        return "deletion"
    if total >= baseline + 3:
        return "amplification"
    return "gain" if total > baseline else ("loss" if total < baseline else "neutral")


def regions_truth(cohort: Cohort) -> pd.DataFrame:
    """Planted status of every default tracked region in every tumor and plasma sample."""
    rows = []
    for s in _cn_samples(cohort):
        cn = cohort.copy_number[s.sample]
        baseline = 4 if s.wgd else 2
        for region, (chrom, start, end) in region_coordinates().items():
            total, names = _overlap_state(cn, chrom, start, end)
            planted = [n for n in names if n.startswith(f"{region} ") and n.split(" ", 1)[1] == REGION_EVENTS[region][0]]
            rows.append((s.sample, region, planted_status(total, baseline), total, baseline, ",".join(planted)))
    return pd.DataFrame(rows, columns=list(REGION_TRUTH_COLUMNS))


def cfdna_truth(cohort: Cohort) -> pd.DataFrame:
    rows = []
    for p in cohort.patients:
        later = [s.collection_time for s in p.tumors if s.sample_type in ("metastasis", "recurrence")]
        for s in p.plasma:
            rows.append((s.sample, s.patient, s.collection_time, min(later), s.timepoint, s.lineage, s.purity, s.ploidy))
    return pd.DataFrame(rows, columns=list(CFDNA_COLUMNS))


def hrd_truth(cohort: Cohort) -> pd.DataFrame:
    rows = []
    for s in ordered_samples(cohort):
        if not s.is_tumor:
            continue
        plan = cohort.hr_plans[s.patient]
        breakpoints, long_loh = cohort.scars[s.patient]
        rows.append((s.sample, s.patient, "yes" if plan.deficient else "no", plan.gene, plan.mechanism,
                     breakpoints, long_loh))
    return pd.DataFrame(rows, columns=list(HRD_COLUMNS))


def _gene_state(cn: SampleCN, chrom: str, start: int, end: int) -> tuple[int, int, int, int, int]:
    """(min total, min minor, its major, copies of allele 0, copies of allele 1) over the
    segments overlapping a gene's coding span (the least favourable state wins)."""
    best = None
    for c, s, e, a0, a1 in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1):
        if c != chrom or e < start or s > end:
            continue
        key = (a0 + a1 > 0, min(a0, a1), a0 + a1)
        if best is None or key < best[0]:
            best = (key, (a0 + a1, min(a0, a1), max(a0, a1), a0, a1))
    return best[1]


def biallelic_truth(cohort: Cohort) -> pd.DataFrame:
    """Per tumor sample and HR gene (BRCA1, BRCA2, PALB2, ATM, CHEK2): planted biallelic
    inactivation and its mechanism (algorithms.md 8.2).

    Mechanisms, biallelic: ``homozygous_deletion``; ``germline+LOH`` (pathogenic germline
    variant, the other allele lost); ``somatic+LOH`` (truncating somatic mutation, the other
    allele lost; mutations only sit on surviving alleles); ``germline+somatic`` (pathogenic
    germline variant and a truncating somatic mutation); ``two_somatic`` (two truncating
    somatic mutations). Not biallelic: ``germline_only``, ``germline_allele_lost`` (LOH removed
    the pathogenic allele), ``somatic_only``, ``loh_only``, ``none``.
    """
    genes = gene_by_name()
    pathogenic = {(g.patient, g.germline.variant.gene): g for g in cohort.germline if g.germline.pathogenic}
    truncating: dict[tuple[str, str], list[str]] = {}
    for o in cohort.observations:
        v = cohort.somatic[o.mutation].variant
        if v.gene in HR_GENES and v.variant_classification in TRUNCATING:
            truncating.setdefault((o.sample, v.gene), []).append(f"{v.chrom}:{v.pos}:{v.ref}>{v.alt}")
    rows = []
    for s in ordered_samples(cohort):
        if not s.is_tumor:
            continue
        cn = cohort.copy_number[s.sample]
        plan = cohort.hr_plans[s.patient]
        for name in HR_GENES:
            gene = genes[name]
            total, minor, major, a0, a1 = _gene_state(cn, gene.chrom, gene.cds_start, gene.cds_end)
            germ = pathogenic.get((s.patient, name))
            hits = truncating.get((s.sample, name), [])
            loh = total > 0 and minor == 0
            if total == 0:
                mechanism = "homozygous_deletion"
            elif germ is not None and loh:
                mechanism = "germline+LOH" if (a0, a1)[germ.allele] > 0 else "germline_allele_lost"
            elif hits and loh:
                mechanism = "somatic+LOH"
            elif germ is not None and hits:
                mechanism = "germline+somatic"
            elif len(hits) >= 2:
                mechanism = "two_somatic"
            elif germ is not None:
                mechanism = "germline_only"
            elif hits:
                mechanism = "somatic_only"
            elif loh:
                mechanism = "loh_only"
            else:
                mechanism = "none"
            biallelic = mechanism in ("homozygous_deletion", "germline+LOH", "somatic+LOH", "germline+somatic",
                                      "two_somatic")
            germ_text = "" if germ is None else (
                f"{germ.germline.variant.chrom}:{germ.germline.variant.pos}:{germ.germline.variant.ref}>"
                f"{germ.germline.variant.alt}")
            rows.append((s.sample, s.patient, name, "yes" if biallelic else "no", mechanism, germ_text, ",".join(hits),
                         "yes" if loh else "no", total, major, minor,
                         plan.mechanism if plan.gene == name else ""))
    return pd.DataFrame(rows, columns=list(BIALLELIC_COLUMNS))


# ------------------------------------------------------------------ assay files


def _fmt(values: np.ndarray, na: str = "NA") -> list[str]:
    return [na if not np.isfinite(v) else f"{v:.10g}" for v in values.tolist()]


@lru_cache(maxsize=None)
def _bins_template() -> str:
    """Every bins-table row with its annotation filled in and '%d' for the sample's count (the
    annotation is identical for every sample; one %-format per file is the fast way to write
    30,000 rows)."""
    ann = bin_annotation(SWGS_BIN)
    use = np.where(ann.bases > 0, "TRUE", "FALSE")
    columns = zip(ann.chrom.tolist(), ann.start.tolist(), ann.end.tolist(), _fmt(ann.bases), _fmt(ann.gc),
                  _fmt(ann.mappability), _fmt(ann.blacklist), use.tolist())
    return "".join(f"{c}\t{s}\t{e}\t{b}\t{g}\t{m}\t{bl}\tNA\t{u}\t%d\n" for c, s, e, b, g, m, bl, u in columns)


def bins_text(sample: str, counts: np.ndarray) -> str:
    """QDNAseq read-count table of one sample: annotation columns and its counts."""
    header = "#genome=hg38\n" + "\t".join(BIN_COLUMNS + (sample,)) + "\n"  # metevo.io.bins' build declaration
    return header + _bins_template() % tuple(counts.tolist())
