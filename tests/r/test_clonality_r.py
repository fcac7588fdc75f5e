"""The CCF posterior, interval and P(CCF > 0.9) against R's ``dbinom`` (the highest-density
procedure of McGranahan et al. written in a few lines of R here)."""

from __future__ import annotations

import subprocess

import pytest

from metevo.clonality import mutation_ccf

pytestmark = pytest.mark.r

R_CODE = r"""
ccf <- function(alt, depth, p, N, m, Nn = 2) {
  grid <- (1:100) / 100
  x <- dbinom(alt, depth, prob = p * grid * m / (p * N + (1 - p) * Nn))
  post <- x / sum(x)
  sorted <- sort(post, decreasing = TRUE)
  last <- sorted[sum(cumsum(sorted) < 0.95) + 1]
  inside <- grid[post >= last]
  cat(sprintf("%.2f %.2f %.15g\n", min(inside), max(inside), sum(post[91:100])))
}
args <- as.numeric(commandArgs(trailingOnly = TRUE))
ccf(args[1], args[2], args[3], args[4], args[5])
"""

# (alt, depth, purity, total copy number, major copy number); R gets the multiplicity metevo chose
CASES = [(50, 200, 0.5, 2, 1), (20, 200, 0.5, 2, 1), (100, 300, 0.5, 4, 2), (5, 20, 0.5, 2, 1),
         (6, 40, 0.5, 2, 1), (100, 200, 0.5, 2, 2), (3, 10, 1.0, 2, 1), (30, 90, 0.7, 3, 2)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(map(str, c)))
def test_interval_and_clonal_probability_match_r(rscript, tmp_path, case):
    ours = mutation_ccf(*case, min_depth=1)
    script = tmp_path / "ccf.R"
    script.write_text(R_CODE)
    r_args = [*case[:4], ours["multiplicity"]]
    proc = subprocess.run([rscript, "--vanilla", str(script), *map(str, r_args)], capture_output=True, text=True, check=True)
    lcl, ucl, p_high = proc.stdout.split()
    assert (ours["ccf_lcl"], ours["ccf_ucl"]) == (float(lcl), float(ucl))
    assert ours["p_ccf_gt_0_9"] == pytest.approx(float(p_high), rel=1e-9, abs=1e-300)
