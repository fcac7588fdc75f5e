"""metevo.stats.wilcoxon / multitest against R's wilcox.test, pwilcox, psignrank and p.adjust.

Hundreds of cases are generated here with a fixed seed, written to one file and run through a
single Rscript call. Values are multiples of 1/8 so that their decimal text is exact in both
languages and differences x - y are exact too: R and Python rank the very same numbers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metevo.stats.multitest import bh_adjust
from metevo.stats.wilcoxon import EXACT, NORMAL, NORMAL_CORRECTED, psignrank, pwilcox, wilcox_test

pytestmark = pytest.mark.r

RTOL = 1e-10
P_FLOOR = 1e-300  # absolute floor: below it both sides are "zero"

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
num <- function(s) if (s == "") numeric(0) else as.numeric(strsplit(s, ",", fixed = TRUE)[[1]])
f17 <- function(v) if (length(v) == 0) "" else paste(format(v, digits = 17), collapse = ",")
f17s <- function(v) paste(vapply(v, function(e) format(e, digits = 17), ""), collapse = ",")
for (line in readLines(args[1])) {
  f <- strsplit(line, "\t", fixed = TRUE)[[1]]
  f <- c(f, rep("", 9 - length(f)))
  id <- f[2]
  if (f[1] == "wilcox") {
    kind <- f[3]; alt <- f[4]
    ex <- switch(f[5], "NULL" = NULL, "TRUE" = TRUE, "FALSE" = FALSE)
    co <- f[6] == "TRUE"; mu <- as.numeric(f[7]); x <- num(f[8]); y <- num(f[9])
    out <- tryCatch({
      r <- suppressWarnings(switch(kind,
        ranksum = wilcox.test(x, y, alternative = alt, mu = mu, exact = ex, correct = co),
        paired = wilcox.test(x, y, paired = TRUE, alternative = alt, mu = mu, exact = ex, correct = co),
        onesample = wilcox.test(x, alternative = alt, mu = mu, exact = ex, correct = co)))
      paste(format(unname(r$statistic), digits = 17), format(r$p.value, digits = 17), r$method, sep = "\t")
    }, error = function(e) paste("ERROR", "ERROR", conditionMessage(e), sep = "\t"))
    cat("wilcox", id, out, sep = "\t"); cat("\n")
  } else if (f[1] == "pwilcox") {
    q <- as.numeric(f[3]); m <- as.numeric(f[4]); n <- as.numeric(f[5])
    cat("pwilcox", id, format(pwilcox(q, m, n), digits = 17),
        format(pwilcox(q, m, n, lower.tail = FALSE), digits = 17), sep = "\t"); cat("\n")
  } else if (f[1] == "psignrank") {
    q <- as.numeric(f[3]); n <- as.numeric(f[4])
    cat("psignrank", id, format(psignrank(q, n), digits = 17),
        format(psignrank(q, n, lower.tail = FALSE), digits = 17), sep = "\t"); cat("\n")
  } else if (f[1] == "bh") {
    p <- num(f[3])
    cat("bh", id, f17s(p.adjust(p, method = "BH")), sep = "\t"); cat("\n")
  }
}
"""


def _fmt(values) -> str:
    return ",".join("NA" if math.isnan(v) else repr(float(v)) for v in values)


def _distinct(rng, n, scale=8.0):
    """n distinct multiples of 1/8 (no ties)."""
    return rng.choice(np.arange(-400_000, 400_000), size=n, replace=False) / scale


def _tied(rng, n, levels=7):
    return rng.integers(-levels, levels + 1, size=n) / 8.0


def _with_nan(rng, v, k):
    v = v.copy()
    if k and v.size:
        v[rng.choice(v.size, size=min(k, v.size), replace=False)] = np.nan
    return v


def _cases():
    rng = np.random.default_rng(20240607)
    cases = []

    def add(kind, x, y=None, alternative="two.sided", exact=None, correct=True, mu=0.0):
        cases.append(dict(id=f"c{len(cases)}", kind=kind, x=np.asarray(x, float),
                          y=None if y is None else np.asarray(y, float),
                          alternative=alternative, exact=exact, correct=correct, mu=mu))

    # documented R outputs (algorithms.md 10.3)
    add("ranksum", [1, 2, 2, 4, 5, 3, 0], [4, 6, 3, 8, 11, 11])
    add("onesample", [-0.2, -0.05, 0.1, 0.15, 0.2])
    add("onesample", [0.1, 0.3, 0.4, 0.5, 0.8], alternative="greater")

    alternatives = ("two.sided", "greater", "less")
    # rank-sum: exact region, boundary at 50, large n; with and without ties
    sizes = [(1, 1), (1, 4), (2, 3), (3, 3), (4, 7), (5, 5), (9, 9), (12, 7), (20, 30),
             (49, 49), (49, 3), (50, 10), (10, 50), (60, 75), (200, 150)]
    for n_x, n_y in sizes:
        for alt in alternatives:
            pooled = _distinct(rng, n_x + n_y)
            shift = rng.choice([0.0, 2_000.0, 60_000.0])
            add("ranksum", pooled[:n_x] + shift, pooled[n_x:], alternative=alt)
            add("ranksum", _tied(rng, n_x) + rng.choice([0.0, 0.5]), _tied(rng, n_y), alternative=alt)
    # complete separation: the tiniest exact and approximate p-values
    add("ranksum", np.arange(1, 50) + 1000.0, np.arange(1, 50), alternative="greater")
    add("ranksum", np.arange(1, 50) + 1000.0, np.arange(1, 50), alternative="two.sided")
    add("ranksum", np.arange(1, 301) + 1000.0, np.arange(1, 301) / 8, alternative="greater")
    add("ranksum", np.arange(1, 301) + 1000.0, np.arange(1, 301) / 8, alternative="less")
    # overrides: exact=TRUE beyond 50 and with ties (falls back), exact=FALSE, correct=FALSE, mu
    for alt in alternatives:
        pooled = _distinct(rng, 115)
        add("ranksum", pooled[:55] + 10_000, pooled[55:], alternative=alt, exact=True)
        add("ranksum", _tied(rng, 8), _tied(rng, 9), alternative=alt, exact=True)
        pooled = _distinct(rng, 17)
        add("ranksum", pooled[:8], pooled[8:], alternative=alt, exact=False)
        add("ranksum", pooled[:8], pooled[8:], alternative=alt, exact=False, correct=False)
        add("ranksum", _tied(rng, 30), _tied(rng, 40), alternative=alt, correct=False)
        add("ranksum", pooled[:8] / 1000, pooled[8:] / 1000, alternative=alt, mu=0.5)
        # missing values are dropped
        add("ranksum", _with_nan(rng, _distinct(rng, 12), 3), _with_nan(rng, _distinct(rng, 10), 2), alternative=alt)
    # all values tied, two-sided: R gives NaN (one-sided R gives 1: a documented deviation)
    add("ranksum", [2.0, 2.0], [2.0, 2.0, 2.0])

    # signed-rank, paired and one sample
    for n in (1, 2, 3, 4, 6, 9, 15, 25, 40, 49, 50, 51, 80, 300):
        for alt in alternatives:
            magnitude = rng.choice(np.arange(1, 400_000), size=n, replace=False) / 8
            signs = rng.choice([-1.0, 1.0], size=n, p=[0.35, 0.65])
            y = _distinct(rng, n)
            add("paired", y + signs * magnitude, y, alternative=alt)  # exact region when n < 50
            d = _tied(rng, n, levels=4)  # ties and zeros
            add("paired", y + d, y, alternative=alt)
            add("onesample", signs * magnitude, alternative=alt)
    for alt in alternatives:
        y = _distinct(rng, 20)
        d = rng.choice(np.arange(1, 10_000), size=20, replace=False) / 8 * rng.choice([-1.0, 1.0], size=20)
        d[:3] = 0.0  # zeros only: no ties among the rest
        add("paired", y + d, y, alternative=alt)
        add("paired", y + d, y, alternative=alt, exact=True)  # zeros: falls back like R
        add("paired", y + np.abs(d), y, alternative=alt, exact=False, correct=False)
        d = rng.choice(np.arange(1, 10_000), size=60, replace=False) / 8 * rng.choice([-1.0, 1.0], size=60)
        add("paired", y[:1].repeat(60) + d, y[:1].repeat(60), alternative=alt, exact=True)
        add("paired", _with_nan(rng, y + d[:20], 2), _with_nan(rng, y, 3), alternative=alt)
        add("onesample", d[:30], alternative=alt, mu=1.25)
        add("onesample", np.abs(d[30:]) - 100, alternative=alt, exact=False, correct=False)
    add("onesample", np.arange(1, 50) / 8, alternative="greater")  # all positive: smallest exact p
    add("onesample", np.arange(1, 400) / 8, alternative="less")  # tiny normal p
    add("onesample", [0.0, 0.0, 0.0])  # n = 0 after dropping zeros: NaN two-sided
    return cases


def _dist_cases():
    rows = []
    for m, n in [(1, 1), (2, 5), (7, 3), (10, 10), (25, 40), (49, 49), (60, 55)]:
        top = m * n
        for q in sorted({-1, 0, 1, top // 3, top // 2, top // 2 + 1, top - 1, top, top + 2}) + [2.5, top / 2 - 0.5]:
            rows.append(("pwilcox", q, m, n))
    for n in (1, 2, 5, 10, 30, 49, 60):
        top = n * (n + 1) // 2
        for q in sorted({-1, 0, 1, top // 4, top // 2, top // 2 + 1, top - 1, top, top + 3}) + [2.5, 3.5, top / 4 + 0.5]:
            rows.append(("psignrank", q, n))
    return rows


def _bh_cases():
    rng = np.random.default_rng(99)
    vectors = [
        [0.01, math.nan, 0.04, 0.03, 0.04, 0.5],
        [0.2],
        [math.nan, math.nan],
        [1e-300, 1e-12, 0.049, 0.05, 0.051, 1.0, 1.0],
    ]
    for size in (5, 17, 120):
        v = rng.uniform(0, 1, size) ** 3
        v[rng.choice(size, size // 5, replace=False)] = np.nan
        v[:3] = v[3]  # ties
        vectors.append(list(v))
    return vectors


@pytest.fixture(scope="module")
def r_results(run_r, tmp_path_factory):
    cases, dists, bhs = _cases(), _dist_cases(), _bh_cases()
    lines = []
    for c in cases:
        exact = {None: "NULL", True: "TRUE", False: "FALSE"}[c["exact"]]
        y = "" if c["y"] is None else _fmt(c["y"])
        lines.append("\t".join(["wilcox", c["id"], c["kind"], c["alternative"], exact,
                                "TRUE" if c["correct"] else "FALSE", repr(c["mu"]), _fmt(c["x"]), y]))
    for i, row in enumerate(dists):
        lines.append("\t".join([row[0], f"d{i}", *map(repr, row[1:])]))
    for i, v in enumerate(bhs):
        lines.append("\t".join(["bh", f"b{i}", _fmt(v)]))
    path = tmp_path_factory.mktemp("wilcox") / "cases.tsv"
    path.write_text("\n".join(lines) + "\n")
    out = {}
    for line in run_r(R_SCRIPT, path).splitlines():
        kind, ident, *rest = line.split("\t")
        out[ident] = rest
    assert len(out) == len(cases) + len(dists) + len(bhs), "R did not answer every case"
    return cases, dists, bhs, out


def _num(text: str) -> float:
    return math.nan if text in ("NA", "NaN") else float(text)


def _close(ours: float, theirs: float) -> bool:
    if math.isnan(theirs):
        return math.isnan(ours)
    return abs(ours - theirs) <= RTOL * max(abs(theirs), P_FLOOR)


def test_enough_cases_of_every_kind(r_results):
    cases, *_ = r_results
    methods = set()
    for c in cases:
        r = wilcox_test(c["x"], c["y"], paired=c["kind"] == "paired", alternative=c["alternative"],
                        mu=c["mu"], exact=c["exact"], correct=c["correct"])
        methods.add((c["kind"], r.method, c["alternative"]))
    for kind in ("ranksum", "paired", "onesample"):
        for method in (EXACT, NORMAL_CORRECTED, NORMAL):
            assert any(k == kind and m == method for k, m, _ in methods), (kind, method)


def test_wilcox_matches_r(r_results):
    cases, _, _, out = r_results
    mismatches = []
    for c in cases:
        stat_r, p_r, method_r = out[c["id"]]
        ours = wilcox_test(c["x"], c["y"], paired=c["kind"] == "paired", alternative=c["alternative"],
                           mu=c["mu"], exact=c["exact"], correct=c["correct"])
        if stat_r == "ERROR":
            mismatches.append((c["id"], "R errored", method_r))
            continue
        expected_method = EXACT if "exact" in method_r else (
            NORMAL_CORRECTED if "continuity correction" in method_r else NORMAL)
        if not (_close(ours.statistic, _num(stat_r)) and _close(ours.p_value, _num(p_r))
                and ours.method == expected_method):
            mismatches.append((c["id"], c["kind"], c["alternative"], ours.statistic, stat_r,
                               ours.p_value, p_r, ours.method, method_r))
    assert not mismatches, mismatches[:10]


def test_documented_r_values(r_results):
    """algorithms.md 10.3: the three R outputs quoted there, through R and through us."""
    _, _, _, out = r_results
    assert out["c0"][0] == "4" and round(_num(out["c0"][1]), 5) == 0.01778
    assert out["c1"][0] == "9.5" and round(_num(out["c1"][1]), 4) == 0.6845
    assert _num(out["c2"][1]) == 0.03125


def test_exact_distributions_match_r(r_results):
    _, dists, _, out = r_results
    for i, row in enumerate(dists):
        lower_r, upper_r = map(_num, out[f"d{i}"])
        if row[0] == "pwilcox":
            _, q, m, n = row
            ours = (pwilcox(q, m, n), pwilcox(q, m, n, lower_tail=False))
        else:
            _, q, n = row
            ours = (psignrank(q, n), psignrank(q, n, lower_tail=False))
        assert _close(ours[0], lower_r) and _close(ours[1], upper_r), (row, ours, (lower_r, upper_r))


def test_bh_matches_p_adjust(r_results):
    _, _, bhs, out = r_results
    for i, v in enumerate(bhs):
        theirs = [_num(t) for t in out[f"b{i}"][0].split(",")]
        ours = bh_adjust(v)
        assert len(ours) == len(theirs)
        assert all(_close(a, b) for a, b in zip(ours, theirs)), (v, list(ours), theirs)
