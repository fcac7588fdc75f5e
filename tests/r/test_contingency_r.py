"""metevo.stats.contingency against R's fisher.test, binom.test, mcnemar.test and mantelhaen.test.

Several hundred 2 x 2 tables (a zero in each cell in turn, counts up to 10,000, balanced and
extreme tables, the three alternatives, three confidence levels) and stratified sets are
generated with a fixed seed, written to one file and run through a single Rscript call.
Fisher p-values, conditional MLE odds ratios and interval limits must equal R's to 1e-10
relative (0 and Inf exactly): R finds the estimate and limits with uniroot, and metevo runs
the same iteration, so not even the fourth digit may differ.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from metevo.stats.contingency import cmh_test, fisher_exact, fisher_exact_many, mcnemar_chisq, mcnemar_exact

pytestmark = pytest.mark.r

RTOL = 1e-10
P_FLOOR = 1e-300  # below it both p-values count as zero

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
f17 <- function(v) paste(vapply(v, function(e) format(e, digits = 17), ""), collapse = "\t")
for (line in readLines(args[1])) {
  f <- strsplit(line, "\t", fixed = TRUE)[[1]]
  id <- f[2]
  if (f[1] == "fisher") {
    v <- as.numeric(f[3:6])
    r <- fisher.test(matrix(v[c(1, 3, 2, 4)], 2), alternative = f[7], conf.level = as.numeric(f[8]))
    cat("fisher", id, f17(c(r$p.value, unname(r$estimate), r$conf.int)), sep = "\t"); cat("\n")
  } else if (f[1] == "binom") {
    b <- as.numeric(f[3]); n <- b + as.numeric(f[4])
    p <- if (n == 0) 1 else binom.test(b, n, 0.5, alternative = f[5])$p.value
    cat("binom", id, f17(p), sep = "\t"); cat("\n")
  } else if (f[1] == "mcnemar") {
    b <- as.numeric(f[3]); cc <- as.numeric(f[4])
    r <- mcnemar.test(matrix(c(7, cc, b, 11), 2), correct = f[5] == "TRUE")
    cat("mcnemar", id, f17(c(unname(r$statistic), r$p.value)), sep = "\t"); cat("\n")
  } else if (f[1] == "cmh") {
    v <- as.numeric(f[7:length(f)])
    k <- length(v) / 4
    x <- array(0, c(2, 2, k))
    for (i in seq_len(k)) x[, , i] <- matrix(v[(4 * i - 3):(4 * i)][c(1, 3, 2, 4)], 2)
    r <- mantelhaen.test(x, alternative = f[3], correct = f[4] == "TRUE", exact = f[5] == "TRUE",
                         conf.level = as.numeric(f[6]))
    cat("cmh", id, f17(c(unname(r$statistic), r$p.value, unname(r$estimate), r$conf.int)), sep = "\t"); cat("\n")
  }
}
"""


def _fisher_tables(rng) -> list[tuple[int, int, int, int]]:
    tables = {
        (3, 1, 1, 3), (40, 28, 3, 47), (0, 3, 5, 4), (12, 2, 1, 9), (7, 8, 9, 2), (0, 0, 3, 4), (1, 0, 0, 1),
        (5000, 5000, 5000, 5000), (5000, 10, 20, 10000), (10000, 0, 0, 10000), (1, 9999, 0, 10000),
        (0, 10000, 3, 9997), (2500, 7500, 2600, 7400), (9999, 1, 9990, 10), (1, 1, 1, 1), (0, 1, 1, 0),
        (13, 0, 0, 0), (0, 0, 0, 0), (2, 0, 0, 7), (100, 1, 1, 100), (25, 975, 10, 9990),
    }
    for _ in range(120):  # small tables, ties in the hypergeometric probabilities are common
        tables.add(tuple(int(v) for v in rng.integers(0, 12, size=4)))
    for zero in range(4):  # a zero in each cell in turn
        for _ in range(25):
            v = [int(x) for x in rng.integers(1, 60, size=4)]
            v[zero] = 0
            tables.add(tuple(v))
    for _ in range(50):  # cohort-sized: a gene mutated in few of thousands of samples
        na, nb = (int(x) for x in rng.integers(500, 10001, size=2))
        ka, kb = int(rng.integers(0, 40)), int(rng.integers(0, 40))
        tables.add((ka, na - ka, kb, nb - kb))
    for _ in range(30):  # large balanced and unbalanced counts
        tables.add(tuple(int(x) for x in rng.integers(100, 5001, size=4)))
    for _ in range(20):  # extreme: one diagonal nearly empty
        big = [int(x) for x in rng.integers(50, 2000, size=2)]
        small = [int(x) for x in rng.integers(0, 3, size=2)]
        tables.add((big[0], small[0], small[1], big[1]))
    return sorted(tables)


def _cases():
    rng = np.random.default_rng(20240611)
    fisher = []
    for i, table in enumerate(_fisher_tables(rng)):
        for alternative in ("two.sided", "less", "greater"):
            conf = (0.95, 0.9, 0.99)[(i + len(alternative)) % 3]
            fisher.append((f"f{len(fisher)}", table, alternative, conf))
    binom = []
    for b, c in [(0, 0), (3, 12), (12, 3), (5, 5), (0, 9), (1, 30), (40, 41), (200, 150), (1000, 1100), (0, 1)] + \
            [tuple(int(x) for x in rng.integers(0, 80, size=2)) for _ in range(20)]:
        for alternative in ("two.sided", "greater", "less"):
            binom.append((f"b{len(binom)}", b, c, alternative))
    mcnemar = []
    for b, c in [(3, 12), (12, 3), (5, 5), (0, 9), (1, 30), (40, 41), (200, 150), (1, 0), (6, 7)] + \
            [tuple(int(x) for x in rng.integers(0, 80, size=2)) for _ in range(15)]:
        for correct in (True, False):
            mcnemar.append((f"m{len(mcnemar)}", b, c, correct))
    cmh = []
    strata_sets = [
        [[[2, 5], [3, 6]], [[3, 4], [2, 7]], [[5, 1], [2, 2]]],
        [[[0, 5], [3, 6]], [[3, 0], [2, 7]], [[5, 1], [0, 2]]],
        [[[10, 1], [1, 10]], [[8, 2], [3, 9]]],
        [[[120, 80], [60, 140]], [[30, 70], [20, 80]], [[5, 5], [5, 5]], [[0, 3], [4, 9]]],
    ]
    for _ in range(16):
        k = int(rng.integers(2, 6))
        top = int(rng.choice([8, 30, 200]))
        strata_sets.append([[[int(x) for x in rng.integers(0, top, size=2)], [int(x) for x in rng.integers(0, top, size=2)]]
                            for _ in range(k)])
    for strata in strata_sets:
        strata = [s for s in strata if sum(map(sum, s)) >= 2]
        for alternative in ("two.sided", "less", "greater"):
            for correct, exact in ((True, False), (False, False), (True, True)):
                cmh.append((f"c{len(cmh)}", strata, alternative, correct, exact, 0.95 if alternative != "less" else 0.9))
    return fisher, binom, mcnemar, cmh


def _run_r(run_r, tmp_path, fisher, binom, mcnemar, cmh) -> dict[str, list[float]]:
    lines = []
    for id_, (a, b, c, d), alternative, conf in fisher:
        lines.append(f"fisher\t{id_}\t{a}\t{b}\t{c}\t{d}\t{alternative}\t{conf}")
    for id_, b, c, alternative in binom:
        lines.append(f"binom\t{id_}\t{b}\t{c}\t{alternative}")
    for id_, b, c, correct in mcnemar:
        lines.append(f"mcnemar\t{id_}\t{b}\t{c}\t{'TRUE' if correct else 'FALSE'}")
    for id_, strata, alternative, correct, exact, conf in cmh:
        counts = "\t".join(str(v) for s in strata for row in s for v in row)
        lines.append(f"cmh\t{id_}\t{alternative}\t{'TRUE' if correct else 'FALSE'}\t{'TRUE' if exact else 'FALSE'}\t{conf}\t{counts}")
    cases = tmp_path / "cases.tsv"
    cases.write_text("\n".join(lines) + "\n")
    out = {}
    for line in run_r(R_SCRIPT, cases, timeout=600).splitlines():
        fields = line.split("\t")
        out[fields[1]] = [math.nan if v == "NA" else float(v) for v in fields[2:]]
    return out


def _rel_err(got: float, want: float) -> float:
    """Relative error; infinities and NaN must match exactly, zeros/underflow within P_FLOOR."""
    if math.isnan(want) or math.isnan(got):
        return 0.0 if math.isnan(want) and math.isnan(got) else math.inf
    if math.isinf(want) or math.isinf(got):
        return 0.0 if got == want else math.inf
    if want == 0.0 or got == 0.0:
        return 0.0 if abs(got - want) <= P_FLOOR else math.inf
    if abs(want) < P_FLOOR and abs(got) < P_FLOOR:
        return 0.0
    return abs(got - want) / abs(want)


@pytest.fixture(scope="module")
def reference(run_r, tmp_path_factory):
    cases = _cases()
    return cases, _run_r(run_r, tmp_path_factory.mktemp("contingency"), *cases)


def test_fisher_exact_equals_r(reference):
    (fisher, _, _, _), r = reference
    tables = {t for _, t, _, _ in fisher}
    assert len(tables) >= 300 and len(fisher) >= 900
    worst = {"p": 0.0, "or": 0.0, "ci": 0.0}
    bad = []
    for id_, table, alternative, conf in fisher:
        got = fisher_exact(*table, alternative=alternative, conf_level=conf)
        want = r[id_]
        errs = [_rel_err(g, w) for g, w in zip((got.p_value, got.odds_ratio, got.ci_low, got.ci_high), want)]
        worst["p"] = max(worst["p"], errs[0])
        worst["or"] = max(worst["or"], errs[1])
        worst["ci"] = max(worst["ci"], errs[2], errs[3])
        if max(errs) > RTOL:
            bad.append((table, alternative, conf, (got.p_value, got.odds_ratio, got.ci_low, got.ci_high), want))
    print(f"\nfisher.test: {len(tables)} tables x 3 alternatives; max relative error p {worst['p']:.2e}, "
          f"odds ratio {worst['or']:.2e}, interval {worst['ci']:.2e}")
    assert not bad, f"{len(bad)} differ from R, first: {bad[:3]}"
    # the infinities and zeros are there to be matched
    values = np.array([r[id_][1:] for id_, _, _, _ in fisher])
    assert np.isinf(values).sum() > 50 and (values == 0).sum() > 50


def test_fisher_exact_many_equals_one_by_one(reference):
    (fisher, _, _, _), r = reference
    for alternative in ("two.sided", "less", "greater"):
        chosen = [(id_, t) for id_, t, alt, conf in fisher if alt == alternative and conf == 0.95]
        a, b, c, d = (np.array([t[j] for _, t in chosen] * 2) for j in range(4))  # duplicates: cached
        many = fisher_exact_many(a, b, c, d, alternative=alternative)
        for i, (id_, _) in enumerate(chosen * 2):
            got = (many.p_value[i], many.odds_ratio[i], many.ci_low[i], many.ci_high[i])
            assert max(_rel_err(g, w) for g, w in zip(got, r[id_])) <= RTOL, (id_, got, r[id_])


def test_mcnemar_exact_equals_binom_test(reference):
    (_, binom, _, _), r = reference
    worst = 0.0
    for id_, b, c, alternative in binom:
        got = mcnemar_exact(b, c, alternative=alternative).p_value
        err = _rel_err(got, r[id_][0])
        worst = max(worst, err)
        assert err <= RTOL, (b, c, alternative, got, r[id_])
    print(f"\nbinom.test (exact McNemar): {len(binom)} cases, max relative error {worst:.2e}")


def test_mcnemar_exact_is_statsmodels():
    from statsmodels.stats.contingency_tables import mcnemar

    for b, c in [(3, 12), (12, 3), (5, 5), (0, 9), (40, 41), (0, 0)]:
        want = mcnemar(np.array([[7, b], [c, 11]]), exact=True)
        got = mcnemar_exact(b, c)
        assert got.statistic == want.statistic and got.p_value == pytest.approx(want.pvalue, rel=1e-12)


def test_mcnemar_chisq_equals_r(reference):
    (_, _, mcnemar, _), r = reference
    worst = 0.0
    for id_, b, c, correct in mcnemar:
        got = mcnemar_chisq(b, c, correct=correct)
        errs = [_rel_err(got.statistic, r[id_][0]), _rel_err(got.p_value, r[id_][1])]
        worst = max(worst, *errs)
        assert max(errs) <= RTOL, (b, c, correct, got, r[id_])
    print(f"\nmcnemar.test: {len(mcnemar)} cases, max relative error {worst:.2e}")


def test_cmh_equals_mantelhaen(reference):
    (_, _, _, cmh), r = reference
    worst = 0.0
    for id_, strata, alternative, correct, exact, conf in cmh:
        got = cmh_test(strata, alternative=alternative, correct=correct, exact=exact, conf_level=conf)
        values = (got.statistic, got.p_value, got.odds_ratio, got.ci_low, got.ci_high)
        errs = [_rel_err(g, w) for g, w in zip(values, r[id_])]
        worst = max(worst, *errs)
        assert max(errs) <= RTOL, (strata, alternative, correct, exact, values, r[id_])
    print(f"\nmantelhaen.test: {len(cmh)} cases (asymptotic and exact), max relative error {worst:.2e}")
