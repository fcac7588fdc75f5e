"""somaticInteractions against R: the pairwise fisher.test of maftools on a generated
sample x gene matrix (planted co-occurrence and exclusivity, rare and common genes). p-values
and odds ratios must equal R's to 1e-10 relative (0 and Inf exactly), pAdj R's p.adjust BH."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metevo.associations import somatic_interactions

pytestmark = pytest.mark.r

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
mutMat <- as.matrix(read.csv(args[1], row.names = 1, check.names = FALSE))
genes <- colnames(mutMat)
f17 <- function(v) format(v, digits = 17)
res <- NULL
for (i in 1:(length(genes) - 1)) for (j in (i + 1):length(genes)) {
  f <- try(fisher.test(mutMat[, i], mutMat[, j]), silent = TRUE)
  if (inherits(f, "try-error")) { p <- NA; or <- NA } else { p <- f$p.value; or <- unname(f$estimate) }
  res <- rbind(res, data.frame(gene1 = genes[i], gene2 = genes[j], p = p, or = or))
}
res$padj <- p.adjust(res$p, method = "BH")
for (k in seq_len(nrow(res))) cat(res$gene1[k], res$gene2[k], f17(res$p[k]), f17(res$or[k]), f17(res$padj[k]), sep = "\t", fill = FALSE, "\n")
"""


def test_pairwise_fisher_equals_r(run_r, tmp_path):
    rng = np.random.default_rng(42)
    n = 150
    base = rng.random(n) < 0.4
    cols = {
        "G1": base,
        "G2": np.where(base, rng.random(n) < 0.7, rng.random(n) < 0.1),  # co-occurs with G1
        "G3": np.where(base, rng.random(n) < 0.02, rng.random(n) < 0.5),  # exclusive with G1
        "G4": rng.random(n) < 0.05,
        "G5": rng.random(n) < 0.3,
        "G6": np.zeros(n, dtype=bool) | (np.arange(n) == 7),  # one sample
        "G7": rng.random(n) < 0.6,
        "G8": np.ones(n, dtype=bool),  # every sample: R's fisher.test stops
    }
    matrix = pd.DataFrame({k: v.astype(int) for k, v in cols.items()}, index=[f"S{i}" for i in range(n)])
    path = tmp_path / "m.csv"
    matrix.to_csv(path)
    lines = [l.split("\t") for l in run_r(R_SCRIPT, path).strip().splitlines()]
    expected = {(l[0], l[1]): tuple(float(x) if x.strip() != "NA" else np.nan for x in l[2:5]) for l in lines}
    out = somatic_interactions(matrix, genes=list(cols))
    assert len(out) == len(expected) == 28
    for row in out.itertuples(index=False):
        p, odds, padj = expected[(row.gene1, row.gene2)]
        if np.isnan(p):
            assert np.isnan(row.pValue) and np.isnan(row.oddsRatio)
            continue
        assert row.pValue == pytest.approx(p, rel=1e-10, abs=1e-300)
        if odds in (0.0, np.inf):
            assert row.oddsRatio == odds
        else:
            assert row.oddsRatio == pytest.approx(odds, rel=1e-10)
        assert row.pAdj == pytest.approx(padj, rel=1e-10, abs=1e-300)
    g13 = out.loc[(out["gene1"] == "G1") & (out["gene2"] == "G3")].iloc[0]
    g12 = out.loc[(out["gene1"] == "G1") & (out["gene2"] == "G2")].iloc[0]
    assert g13["Event"] == "Mutually_Exclusive" and g12["Event"] == "Co_Occurence"
