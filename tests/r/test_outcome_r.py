"""metevo outcome against R survival, end to end.

The cohort of tests/unit/test_outcome.py (120 patients here) goes through ``metevo outcome``;
R gets the per-patient truth table from the simulation itself (metastasis sampled, MAPK and
NOTCH status of the metastasis, subtype, anti-HER2, times) and fits ``coxph`` (univariable, and
``+ subtype``), ``survdiff``, ``quantile(survfit(...), 0.5)`` and ``cox.zph`` for PFS and OS and
the anti-HER2 subgroup. The rows of outcome.tsv and ph_test.tsv must equal R's to 1e-6 relative:
this checks who the step counts as altered and which patients each model uses, not the
survival code (tests/r/test_survival_r.py does that)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main

pytestmark = pytest.mark.r

_spec = importlib.util.spec_from_file_location(
    "outcome_sim", Path(__file__).resolve().parents[1] / "unit" / "test_outcome.py")
_sim = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sim)

R_SCRIPT = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
d <- read.delim(args[1], stringsAsFactors = FALSE)
f17 <- function(v) paste(format(v, digits = 17), collapse = "\t")
out <- function(...) { cat(..., sep = "\t"); cat("\n") }
for (ep in c("pfs", "os")) for (feat in c("MAPK-altered", "NOTCH-altered")) for (sub in c("all", "anti_her2=yes")) {
  if (sub != "all" && (ep != "pfs" || feat != "MAPK-altered")) next
  x <- d[d$has_met == 1, ]
  if (sub != "all") x <- x[x$anti_her2 == "yes", ]
  x$t <- x[[paste0(ep, "_time")]]
  x$e <- x[[paste0(ep, "_event")]]
  x$s <- x[[if (feat == "MAPK-altered") "mapk" else "notch"]]
  x <- x[!is.na(x$t) & !is.na(x$e), ]
  f1 <- coxph(Surv(t, e) ~ s, data = x)
  s1 <- summary(f1)
  key <- paste(ep, sub, feat, sep = "|")
  out(key, "counts", nrow(x), sum(x$e), sum(x$s), sum(x$e[x$s == 1]))
  out(key, "uni", f17(c(s1$conf.int[1, c(1, 3, 4)], s1$coefficients[1, 5])))
  z <- cox.zph(f1)$table
  out(key, "zph_uni", f17(z[, 1]), f17(z[, 3]))
  if (sub == "all") {
    f2 <- coxph(Surv(t, e) ~ s + subtype, data = x)
    s2 <- summary(f2)
    out(key, "adj", f17(c(s2$conf.int[1, c(1, 3, 4)], s2$coefficients[1, 5])))
    z <- cox.zph(f2)$table
    out(key, "zph_adj", f17(z[, 1]), f17(z[, 3]))
  }
  sd <- survdiff(Surv(t, e) ~ s, data = x)
  out(key, "logrank", f17(c(sd$chisq, 1 - pchisq(sd$chisq, 1))))
  q <- quantile(survfit(Surv(t, e) ~ s, data = x), 0.5)
  out(key, "median", f17(c(q$quantile[2], q$lower[2], q$upper[2], q$quantile[1], q$lower[1], q$upper[1])))
}
"""


def _close(ours, theirs, what):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert np.array_equal(np.isnan(ours), np.isnan(theirs)), (what, ours, theirs)
    ok = ~np.isnan(ours)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=1e-6, atol=1e-12, err_msg=what)


def test_outcome_rows_equal_r(run_r, tmp_path):
    sim = _sim.simulate(seed=2, n=120)
    paths = _sim.write_inputs(tmp_path / "in", sim)
    out = tmp_path / "out"
    assert main([str(a) for a in _sim.base_args(paths) + ["--outdir", out]]) == 0
    outcome = pd.read_csv(out / "outcome.tsv", sep="\t", keep_default_na=False, na_values=[""])
    ph = pd.read_csv(out / "ph_test.tsv", sep="\t", keep_default_na=False, na_values=[""])

    truth = sim["truth"]
    table = pd.DataFrame({
        "has_met": truth["has_met"].astype(int), "mapk": truth["mapk_met"].astype(int),
        "notch": truth["notch"].astype(int), "subtype": truth["subtype"], "anti_her2": truth["anti_her2"],
        "pfs_time": truth["pfs_time"], "pfs_event": truth["pfs_event"], "os_time": truth["os_time"],
        "os_event": truth["os_event"],
    })
    table.to_csv(tmp_path / "truth.tsv", sep="\t", index=False, na_rep="NA")
    lines = [line.split("\t") for line in run_r(R_SCRIPT, tmp_path / "truth.tsv").strip().splitlines()]
    checked = 0
    for key, kind, *values in lines:
        endpoint, subgroup, feature = key.split("|")
        rows = outcome[(outcome["endpoint"] == endpoint) & (outcome["subgroup"] == subgroup)
                       & (outcome["feature"] == feature)]
        assert len(rows) == 1, key
        row = rows.iloc[0]
        r = [float("nan") if v.strip() == "NA" else float(v) for v in values]
        if kind == "counts":
            assert [row["n"], row["events"], row["n_altered"], row["events_altered"]] == r, key
        elif kind == "uni":
            _close(row[["hr", "hr_lcl", "hr_ucl", "p"]], r, f"{key} univariable")
            if subgroup != "all":  # subtype is single-valued there: the adjusted model is the univariable one
                _close(row[["hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "p_adjusted"]], r, f"{key} adjusted")
        elif kind == "adj":
            _close(row[["hr_adjusted", "hr_adjusted_lcl", "hr_adjusted_ucl", "p_adjusted"]], r, f"{key} adjusted")
        elif kind.startswith("zph"):
            model = "univariable" if kind == "zph_uni" else "adjusted"
            z = ph[(ph["endpoint"] == endpoint) & (ph["subgroup"] == subgroup) & (ph["feature"] == feature)
                   & (ph["model"] == model)]
            half = len(r) // 2
            _close(z["chisq"], r[:half], f"{key} {kind} chisq")
            _close(z["p"], r[half:], f"{key} {kind} p")
        elif kind == "logrank":
            _close(row[["logrank_chisq", "logrank_p"]], r, f"{key} log-rank")
        elif kind == "median":
            _close(row[["median_altered", "median_altered_lcl", "median_altered_ucl", "median_unaltered",
                        "median_unaltered_lcl", "median_unaltered_ucl"]], r, f"{key} medians")
        checked += 1
    assert checked == 4 * 7 + 5  # four all-patient rows with 7 lines each, the subgroup row with 5
