"""metevo.enrichment.external_tables against R: from a unit-level table (side, subtype, mutated
per gene) R builds its own 2 x 2 x K tables with ``table()`` and runs ``fisher.test`` (overall
and per subtype) and ``mantelhaen.test`` (default continuity correction, and exact = TRUE) on
the units with a known subtype. Statistics, p-values, estimates and intervals must equal R's to
1e-10 relative. The contingency functions themselves are checked in test_contingency_r.py; this
checks that enrichment counts, orients and stratifies the tables as R would."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metevo.enrichment import Group, external_tables

pytestmark = pytest.mark.r

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], colClasses = "character", na.strings = character(0))
f17 <- function(v) paste(format(v, digits = 17), collapse = "\t")
for (g in unique(d$gene)) {
  x <- d[d$gene == g, ]
  side <- factor(x$side, levels = c("met", "ext"))
  mut <- factor(x$mutated, levels = c("1", "0"))
  f <- fisher.test(table(side, mut))
  k <- x$subtype != ""
  tab <- table(side[k], mut[k], factor(x$subtype[k], levels = c("HR+/HER2-", "HER2+", "TNBC")))
  a <- mantelhaen.test(tab)
  e <- mantelhaen.test(tab, exact = TRUE)
  cat(g, "overall", f17(c(f$p.value, f$estimate, f$conf.int)), sep = "\t"); cat("\n")
  cat(g, "cmh", f17(c(a$statistic, a$p.value, a$estimate, a$conf.int, e$p.value)), sep = "\t"); cat("\n")
  for (s in dimnames(tab)[[3]]) {
    fs <- fisher.test(tab[, , s])
    cat(g, s, f17(c(fs$p.value, fs$estimate)), sep = "\t"); cat("\n")
  }
}
"""


def test_external_tables_equal_r(run_r, tmp_path):
    rng = np.random.default_rng(7)
    subtypes = np.array(["HR+/HER2-", "HER2+", "TNBC", ""])
    met_sub = rng.choice(subtypes, size=60, p=[0.4, 0.3, 0.2, 0.1])
    ext_sub = rng.choice(subtypes, size=300, p=[0.65, 0.12, 0.15, 0.08])
    rates = {"GENE_A": {"HR+/HER2-": (0.3, 0.1), "HER2+": (0.5, 0.2), "TNBC": (0.2, 0.1), "": (0.4, 0.1)},
             "GENE_B": {"HR+/HER2-": (0.05, 0.05), "HER2+": (0.5, 0.5), "TNBC": (0.05, 0.05), "": (0.3, 0.05)},
             "GENE_C": {"HR+/HER2-": (0.1, 0.2), "HER2+": (0.1, 0.1), "TNBC": (0.3, 0.3), "": (0.1, 0.1)}}
    met_units = [f"M{i:03d}" for i in range(60)]
    ext_units = [f"E{i:03d}" for i in range(300)]
    met_rows, ext_rows, long = [], [], []
    for gene, by in rates.items():
        for units, subs, rows, side, which in ((met_units, met_sub, met_rows, "met", 0), (ext_units, ext_sub, ext_rows, "ext", 1)):
            hit = rng.random(len(units)) < np.array([by[s][which] for s in subs])
            rows += [(gene, u) for u, h in zip(units, hit) if h]
            long += [(gene, side, s, "1" if h else "0") for s, h in zip(subs, hit)]
    met = Group("metastasis", met_units, pd.DataFrame(met_rows, columns=["gene", "unit"]), dict(zip(met_units, met_sub)))
    ext = Group("ext", ext_units, pd.DataFrame(ext_rows, columns=["gene", "unit"]), dict(zip(ext_units, ext_sub)))
    wide, by_subtype = external_tables(met, ext, min_mutated=1)
    path = tmp_path / "units.tsv"
    pd.DataFrame(long, columns=["gene", "side", "subtype", "mutated"]).to_csv(path, sep="\t", index=False)
    got = {}
    for line in run_r(R_SCRIPT, path).splitlines():
        gene, what, *values = line.split("\t")
        got[(gene, what)] = [float(v) for v in values]
    wide = wide.set_index("gene")
    by_subtype = by_subtype.set_index(["gene", "subtype"])
    for gene in rates:
        row = wide.loc[gene]
        assert [row.p_value, row.odds_ratio, row.ci_low, row.ci_high] == pytest.approx(got[(gene, "overall")], rel=1e-10)
        mine = [row.cmh_statistic, row.cmh_p_value, row.cmh_odds_ratio, row.cmh_ci_low, row.cmh_ci_high, row.cmh_exact_p_value]
        assert mine == pytest.approx(got[(gene, "cmh")], rel=1e-10), gene
        for subtype in ("HR+/HER2-", "HER2+", "TNBC"):
            r = by_subtype.loc[(gene, subtype)]
            assert [r.p_value, r.odds_ratio] == pytest.approx(got[(gene, subtype)], rel=1e-10), (gene, subtype)
    # the units without a subtype are in the overall test only
    assert (wide["met_total"] == 60).all() and (wide["cmh_met_total"] == int((met_sub != "").sum())).all()
