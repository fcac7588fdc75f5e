"""metevo.cn.loess against R's ``loess`` (stats), as QDNAseq's estimateCorrection calls it.

R's ``surface = "direct"`` is what metevo computes, so those values must agree to rounding;
R's default ``surface = "interpolate"`` (what QDNAseq uses) is a k-d tree approximation of
it, expected to differ by about a few 1e-3 (docs/copy-number.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metevo.cn.loess import loess
from tests.conftest import SHARED

pytestmark = pytest.mark.r

LGG150 = SHARED / "dev" / "qdnaseq_lgg150" / "LGG150_15kbp_readcounts.tsv.gz"

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1]); grid <- read.delim(args[2])
f17 <- function(v) format(v, digits = 17)
for (fam in c("symmetric", "gaussian")) for (surf in c("direct", "interpolate")) {
  l <- loess(y ~ gc * mappability, data = d, span = as.numeric(args[3]), family = fam,
             control = loess.control(surface = surf))
  p <- predict(l, grid)
  cat(fam, surf, "fitted", f17(fitted(l)), sep = "\t"); cat("\n")
  cat(fam, surf, "predict", ifelse(is.na(p), "NA", f17(p)), sep = "\t"); cat("\n")
}
"""


def _run(run_r, tmp_path, data: pd.DataFrame, grid: pd.DataFrame, span: float) -> dict:
    d = tmp_path / "d.tsv"
    g = tmp_path / "g.tsv"
    data.to_csv(d, sep="\t", index=False, float_format="%.17g")
    grid.to_csv(g, sep="\t", index=False, float_format="%.17g")
    out = {}
    for line in run_r(R_SCRIPT, d, g, span).splitlines():
        fam, surf, what, *values = line.split("\t")
        out[(fam, surf, what)] = np.array([np.nan if v == "NA" else float(v) for v in values])
    return out


def _lgg150_medians() -> tuple[pd.DataFrame, pd.DataFrame]:
    """QDNAseq's estimateCorrection data for LGG150 (applyFilters defaults), built here."""
    from metevo.io.bins import read_bins

    b = read_bins(LGG150)
    bases = b["bases"].to_numpy()
    counts = np.zeros(len(b))
    counts[bases > 0] = b["LGG150"].to_numpy()[bases > 0] / bases[bases > 0] * 100
    use = ~b["chromosome"].isin(["X", "Y", "MT"]) & b["gc"].notna() & b["residual"].notna() & (b["blacklist"] == 0)
    gc, mp = np.round(b["gc"].to_numpy()), np.round(b["mappability"].to_numpy())
    frame = pd.DataFrame({"gc": gc[use], "mappability": mp[use], "y": counts[use]})
    data = frame.groupby(["gc", "mappability"], as_index=False)["y"].median()
    grid = pd.DataFrame([(g, m) for m in pd.unique(mp[~np.isnan(mp)]) for g in pd.unique(gc[~np.isnan(gc)])],
                        columns=["gc", "mappability"])
    return data, grid


def test_random_surface_matches_r_direct(run_r, tmp_path):
    rng = np.random.default_rng(5)
    n = 300
    gc = rng.integers(30, 61, n).astype(float)
    mp = rng.integers(0, 101, n).astype(float)
    y = 50 + 2 * (gc - 45) - 0.05 * (gc - 45) ** 2 + 0.3 * mp + rng.standard_t(3, n) * 5
    data = pd.DataFrame({"gc": gc, "mappability": mp, "y": np.round(y, 6)}).drop_duplicates(["gc", "mappability"])
    grid = pd.DataFrame({"gc": [30.0, 45.0, 52.5, 60.0, 70.0], "mappability": [0.0, 50.0, 99.0, 100.0, 50.0]})
    r = _run(run_r, tmp_path, data, grid, 0.65)
    x = data[["gc", "mappability"]].to_numpy()
    for family in ("symmetric", "gaussian"):
        fit = loess(x, data["y"].to_numpy(), span=0.65, family=family)
        assert np.allclose(fit.fitted, r[(family, "direct", "fitted")], rtol=1e-9, atol=0)
        assert np.allclose(fit.predict(grid.to_numpy(), extrapolate=True), r[(family, "direct", "predict")], rtol=1e-9)
        # R's default surface: NA exactly where metevo leaves the range of the data
        ours = fit.predict(grid.to_numpy())
        assert (np.isnan(ours) == np.isnan(r[(family, "interpolate", "predict")])).all()


@pytest.mark.skipif(not LGG150.exists(), reason="shared LGG150 data not present")
def test_lgg150_correction_surface(run_r, tmp_path):
    data, grid = _lgg150_medians()
    r = _run(run_r, tmp_path, data, grid, 0.65)
    fit = loess(data[["gc", "mappability"]].to_numpy(), data["y"].to_numpy(), span=0.65, family="symmetric")
    # what metevo computes: R's direct surface, to rounding
    assert np.allclose(fit.fitted, r[("symmetric", "direct", "fitted")], rtol=1e-9, atol=1e-9)
    direct = fit.predict(grid.to_numpy(), extrapolate=True)
    assert np.allclose(direct, r[("symmetric", "direct", "predict")], rtol=1e-9, atol=1e-9)
    # QDNAseq's default surface: same missing points, values within its interpolation error
    ours = fit.predict(grid.to_numpy())
    theirs = r[("symmetric", "interpolate", "predict")]
    assert (np.isnan(ours) == np.isnan(theirs)).all()
    seen = set(zip(data["gc"], data["mappability"]))
    at_data = np.array([(g, m) in seen for g, m in zip(grid["gc"], grid["mappability"])])
    rel = np.abs(ours - theirs)[at_data] / np.abs(theirs[at_data])
    assert np.median(rel) < 5e-3
    assert np.quantile(rel, 0.9) < 3e-2
