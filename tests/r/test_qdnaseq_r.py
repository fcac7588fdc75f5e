"""metevo copy-number against QDNAseq's pipeline run in R.

QDNAseq itself is not installable here, so the R side below performs QDNAseq's default steps
with the very R functions QDNAseq calls, step by step as its code does (applyFilters,
estimateCorrection -> stats::loess, correctBins, normalizeBins, smoothOutlierBins ->
DNAcopy::smooth.CNA, segmentBins -> DNAcopy::segment, normalizeSegmentedBins ->
CGHcall::postsegnormalize's interval search, callBins(method = "cutoff")).

With R's ``surface = "direct"`` LOESS (what metevo computes) the per-bin values must agree to
rounding and every call must be the same; with QDNAseq's default interpolating surface the
calls must still agree.
"""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest

from metevo.io.bins import write_bins
from metevo.simulate import swgs
from tests.conftest import SHARED, metevo

pytestmark = [pytest.mark.r, pytest.mark.skipif(importlib.util.find_spec("metevo.cn.cbs") is None, reason="metevo.cn.cbs not available")]

LGG150 = SHARED / "dev" / "qdnaseq_lgg150" / "LGG150_15kbp_readcounts.tsv.gz"
CALL_CODE = {"deletion": -2, "loss": -1, "neutral": 0, "gain": 1, "amplification": 2}

R_QDNASEQ = r"""
suppressMessages(library(DNAcopy))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], comment.char = "#")
sample <- args[2]; surface <- args[3]; out <- args[4]
xmin <- .Machine$double.xmin
log2adhoc <- function(x, inv = FALSE) if (inv) 2^x - xmin else { x[x < 0] <- 0; log2(x + xmin) }
chrom <- as.character(d$chromosome)
excluded <- c("X", "Y", "MT")
use <- !chrom %in% excluded & !is.na(d$gc)
res <- d$residual
allna <- tapply(is.na(res), chrom, all)
res[chrom %in% setdiff(names(allna)[allna], excluded)] <- 0
use <- use & !is.na(res) & d$blacklist == 0
counts <- d[[sample]] / d$bases * 100
counts[d$bases == 0] <- 0
gc <- round(d$gc); mp <- round(d$mappability)
cond <- use & !is.na(gc) & !is.na(mp)
med <- aggregate(counts[cond], by = list(gc = gc[cond], mappability = mp[cond]), FUN = median)
l <- loess(x ~ gc * mappability, data = med, span = 0.65, family = "symmetric",
           control = loess.control(surface = surface))
grid <- expand.grid(gc = unique(gc[!is.na(gc)]), mappability = unique(mp[!is.na(mp)]))
fit <- as.vector(predict(l, grid)); names(fit) <- paste0(grid$gc, "-", grid$mappability)
f <- unname(fit[paste0(gc, "-", mp)])
cn <- counts / f
cn[!is.na(f) & f <= 0] <- 0
use <- use & !is.na(cn)
m <- median(cn[use], na.rm = TRUE); if (m == 0) m <- 1
cn <- cn / m
cna <- CNA(matrix(log2adhoc(cn[use]), ncol = 1), chrom = chrom[use], maploc = d$start[use],
           data.type = "logratio", presorted = TRUE)
sm <- smooth.CNA(cna)
cn2 <- rep(NA_real_, nrow(d)); cn2[use] <- log2adhoc(sm[[3]], inv = TRUE)
set.seed(0)
cna <- CNA(matrix(log2adhoc(cn2[use]), ncol = 1), chrom = factor(chrom[use], levels = unique(chrom), ordered = TRUE),
           maploc = d$start[use], data.type = "logratio", presorted = TRUE)
seg <- segment(cna, alpha = 1e-10, undo.splits = "sdundo", undo.SD = 1.0, verbose = 0)
segd <- rep(NA_real_, nrow(d)); segd[use] <- log2adhoc(rep(seg$output$seg.mean, seg$output$num.mark), inv = TRUE)
s <- log2adhoc(segd[use]); c2 <- log2adhoc(cn2[use])
mval <- median(s); s <- s - mval
tab <- as.data.frame(table(s)); lev <- as.numeric(as.vector(tab[, 1])); cnt <- tab[, 2]
window <- function(int) {
  len <- (int[2] - int[1]) / 2; st <- int[1] + (0:3) * (len / 3)
  k <- sapply(st, function(a) sum(cnt[lev <= a + len & lev >= a]))
  w <- which.max(k); c(st[w], st[w] + len)
}
int <- c(-0.1, 0.1); for (i in 1:5) int <- window(int)
shift <- int[1] + (int[2] - int[1]) / 2
s <- s - shift; c2 <- c2 - mval - shift
cut <- log2(c(0.5, 1.5, 2.5, 10) / 2)
calls <- ifelse(s > cut[3], 1L, 0L); calls[s < cut[2]] <- -1L; calls[s < cut[1]] <- -2L; calls[s > cut[4]] <- 2L
o <- data.frame(row = which(use), copynumber = sprintf("%.17g", c2), segmented = sprintf("%.17g", s), call = calls)
write.table(o, out, sep = "\t", quote = FALSE, row.names = FALSE)
cat(sprintf("%.17g\t%.17g\n", mval, shift))
"""


def _compare(run_r, tmp_path, counts_path, sample: str, *, min_segments: int):
    prefix = tmp_path / sample
    # --no-estimate: QDNAseq's callBins(method = "cutoff") calls at its fixed cutoffs (the R side)
    metevo("copy-number", "--sample", sample, "--bins", counts_path, "--no-estimate", "--out-prefix", prefix)
    ours = pd.read_csv(f"{prefix}.bins.tsv", sep="\t", dtype={"chromosome": str, "use": str})
    params = pd.read_csv(f"{prefix}.params.tsv", sep="\t").iloc[0]
    used = np.flatnonzero(ours["use"].to_numpy() == "TRUE") + 1
    results = {}
    for surface in ("direct", "interpolate"):
        out = tmp_path / f"r_{surface}.tsv"
        median, shift = map(float, run_r(R_QDNASEQ, counts_path, sample, surface, out).split())
        r = pd.read_csv(out, sep="\t")
        results[surface] = (r, median, shift)
    r, median, shift = results["direct"]
    assert r["row"].tolist() == used.tolist()  # the same bins survive every filter
    o = ours.iloc[r["row"].to_numpy() - 1]
    assert np.allclose(o["copynumber"].to_numpy(), r["copynumber"].to_numpy(), rtol=0, atol=1e-8)
    assert np.allclose(o["segmented"].to_numpy(), r["segmented"].to_numpy(), rtol=0, atol=1e-8)
    assert (o["call"].map(CALL_CODE).to_numpy() == r["call"].to_numpy()).all()
    assert params["postseg_median"] == pytest.approx(median, abs=1e-12)
    assert params["postseg_shift"] == pytest.approx(shift, abs=1e-12)
    assert params["segments"] >= min_segments
    # QDNAseq's default LOESS surface: slightly different values, the same calls
    r, _, _ = results["interpolate"]
    assert r["row"].tolist() == used.tolist()
    o = ours.iloc[r["row"].to_numpy() - 1]
    assert (o["call"].map(CALL_CODE).to_numpy() == r["call"].to_numpy()).mean() >= 0.995
    assert np.nanmedian(np.abs(o["copynumber"].to_numpy() - r["copynumber"].to_numpy())) < 0.01


@pytest.mark.skipif(not LGG150.exists(), reason="shared LGG150 data not present")
def test_lgg150_matches_r(run_r, tmp_path):
    _compare(run_r, tmp_path, LGG150, "LGG150", min_segments=10)


def test_simulated_sample_matches_r(run_r, tmp_path):
    lengths = {"1": 60_000_000, "2": 50_000_000, "3": 40_000_000, "X": 30_000_000}
    ann = swgs.synthetic_annotation(lengths, 50_000, seed=4)
    copies = swgs.planted_copies(ann, [swgs.PlantedSegment("2", 10_000_001, 30_000_000, 3),
                                       swgs.PlantedSegment("3", 1, 15_000_000, 1)])
    table = ann.copy()
    table["S2"] = swgs.simulate_counts(swgs.expected_counts(ann, copies, purity=0.6, reads_per_bin=150), seed=5)
    path = tmp_path / "S2.tsv"
    write_bins(table, path, samples=["S2"])
    _compare(run_r, tmp_path, path, "S2", min_segments=4)
