"""The cohort tests of pair-concordance, recomputed by R from the tables the step wrote.

A small cohort with planted structure (replicates ~ identical, regions of one primary share
their trunk and a regional clone, a metastasis keeps part of the trunk, other patients share
almost nothing) goes through ``metevo pair-concordance``; R reads pairs.tsv and burden.tsv,
recomputes every Jaccard as n_shared / n_union and runs ``wilcox.test(..., alternative =
"greater")`` on the class vectors and the paired burden test, and must agree with tests.tsv.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.concordance import JACCARD_COMPARISONS, concordance
from metevo.io.samplesheet import read_samplesheet

pytestmark = pytest.mark.r

CLASSES = ["Missense_Mutation", "Nonsense_Mutation", "Frame_Shift_Del", "Splice_Site", "Silent", "Intron"]
WEIGHTS = [0.55, 0.1, 0.05, 0.05, 0.2, 0.05]

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
pairs <- read.delim(args[1], stringsAsFactors = FALSE)
burden <- read.delim(args[2], stringsAsFactors = FALSE)
comparisons <- strsplit(strsplit(args[3], ";", fixed = TRUE)[[1]], ">", fixed = TRUE)
j <- ifelse(pairs$n_union > 0, pairs$n_shared / pairs$n_union, NA)
for (cmp in comparisons) {
  x <- j[pairs$pair_class == cmp[1] & !is.na(j)]
  y <- j[pairs$pair_class == cmp[2] & !is.na(j)]
  r <- suppressWarnings(wilcox.test(x, y, alternative = "greater"))
  cat(paste0(cmp[1], ">", cmp[2]), format(unname(r$statistic), digits = 17), format(r$p.value, digits = 17),
      length(x), length(y), r$method, sep = "\t"); cat("\n")
}
prim <- burden$sample_type == "primary"
later <- burden$sample_type %in% c("metastasis", "recurrence")
p_mean <- tapply(burden$n_coding[prim], burden$patient[prim], mean)
m_mean <- tapply(burden$n_coding[later], burden$patient[later], mean)
both <- intersect(names(p_mean), names(m_mean))
r <- suppressWarnings(wilcox.test(m_mean[both], p_mean[both], paired = TRUE, alternative = "greater"))
cat("burden", format(unname(r$statistic), digits = 17), format(r$p.value, digits = 17),
    length(both), length(both), r$method, sep = "\t"); cat("\n")
"""


def _planted_cohort(rng):
    sheet, maf = [], []
    next_pos = iter(range(1000, 10**9, 997))

    def mutations(n):
        return [(str(rng.integers(1, 23)), next(next_pos), "C", "T", str(rng.choice(CLASSES, p=WEIGHTS)))
                for _ in range(n)]

    for i in range(24):
        patient = f"PT{i:02d}"
        trunk = mutations(int(rng.integers(40, 160)))
        regional = mutations(int(rng.integers(5, 30)))
        samples = {}
        n_regions = int(rng.integers(1, 4))
        for r in range(n_regions):
            keep = [m for m in trunk if rng.random() < 0.95] + [m for m in regional if rng.random() < 0.7]
            samples[f"{patient}-T{r}"] = ("primary", f"{patient}-T" if n_regions > 1 else "", "", keep + mutations(int(rng.integers(0, 25))))
        if i % 4 == 0:  # a technical replicate of region 0
            kind, region, _, base = samples[f"{patient}-T0"]
            samples[f"{patient}-T0"] = (kind, region, f"{patient}-rep", base)
            samples[f"{patient}-T0r"] = (kind, region, f"{patient}-rep",
                                         [m for m in base if rng.random() < 0.97] + mutations(int(rng.integers(0, 2))))
        if i % 6 != 5:
            samples[f"{patient}-M"] = ("metastasis", "", "", [m for m in trunk if rng.random() < 0.6] + mutations(int(rng.integers(60, 140))))
        if i % 3 == 0:
            samples[f"{patient}-R"] = ("recurrence", "", "", [m for m in trunk if rng.random() < 0.5] + mutations(int(rng.integers(1, 20))))
        for name, (kind, region, replicate, muts) in samples.items():
            sheet.append(f"{patient},{name},{kind},{region},{replicate}")
            for chrom, pos, ref, alt, vc in muts:
                maf.append("\t".join(["G", chrom, str(pos), vc, ref, alt, name, patient, kind]))
    return sheet, maf


@pytest.fixture(scope="module")
def step_outputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("concordance_r")
    sheet, maf = _planted_cohort(np.random.default_rng(2))
    (folder / "samplesheet.csv").write_text("patient,sample,sample_type,region_group,replicate_group\n" + "\n".join(sheet) + "\n")
    header = "\t".join(["Hugo_Symbol", "Chromosome", "Start_Position", "Variant_Classification", "Reference_Allele",
                        "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "patient", "sample_type"])
    (folder / "cohort.maf").write_text("#version 2.4\n" + header + "\n" + "\n".join(maf) + "\n")
    out = folder / "out"
    code = main(["pair-concordance", "--samplesheet", str(folder / "samplesheet.csv"), "--maf", str(folder / "cohort.maf"),
                 "--outdir", str(out)])
    assert code == 0
    return folder, out


def test_cohort_tests_match_r(step_outputs, run_r):
    folder, out = step_outputs
    comparisons = ";".join(f"{a}>{b}" for a, b in JACCARD_COMPARISONS)
    lines = run_r(R_SCRIPT, out / "pairs.tsv", out / "burden.tsv", comparisons).splitlines()
    r = {fields[0]: fields[1:] for fields in (line.split("\t") for line in lines)}

    written = pd.read_csv(out / "tests.tsv", sep="\t")
    sheet = read_samplesheet(folder / "samplesheet.csv")
    from metevo.concordance import MAF_REQUIRED_COLUMNS
    from metevo.io.maf import read_maf

    maf = read_maf(folder / "cohort.maf", required=MAF_REQUIRED_COLUMNS)  # as the step reads it
    in_memory = concordance(sheet.table, maf).tests
    methods_seen = set()
    for i, (a, b) in enumerate(JACCARD_COMPARISONS + (("burden", None),)):
        key = "burden" if a == "burden" else f"{a}>{b}"
        stat_r, p_r, n_x, n_y, method_r = r[key]
        stat_r, p_r = float(stat_r), float(p_r)
        for table, rtol in ((in_memory, 1e-10), (written, 1e-9)):  # the TSV carries 10 significant digits
            row = table.iloc[i]
            assert row["n_x"] == int(n_x) and row["n_y"] == int(n_y), key
            assert math.isclose(row["statistic"], stat_r, rel_tol=rtol), (key, row["statistic"], stat_r)
            assert math.isclose(row["p_value"], p_r, rel_tol=rtol, abs_tol=1e-300), (key, row["p_value"], p_r)
        methods_seen.add(in_memory.iloc[i]["method"])
        assert ("exact" in method_r) == (in_memory.iloc[i]["method"] == "exact"), key
    assert {"exact", "normal approximation with continuity correction"} <= methods_seen  # both paths checked

    # the planted truth: a metastasis shares far more with its own primary than with others'
    by = in_memory.set_index("comparison")
    assert by.loc["jaccard: primary_metastasis > unrelated", "p_value"] < 1e-10
    assert by.loc["jaccard: replicate > multi_region", "p_value"] < 0.05
    assert by.loc["jaccard: multi_region > primary_metastasis", "p_value"] < 1e-6
    # metastases carry 60-140 private mutations on top of 60% of the trunk
    assert by.loc["coding burden: metastasis > primary (paired by patient)", "p_value"] < 0.05
