"""metevo.survival and ``metevo survival`` against R survival on its own datasets.

One Rscript call exports aml, ovarian, lung (status recoded 1/2 -> 0/1, missing values as empty
cells) and veteran to CSV and writes every reference number (survfit curves for the three
confidence types, quantile() and print() medians with limits, survdiff, coxph, cox.zph) to a
long table. The tests read the CSVs back with metevo's reader, so both sides see the same data.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.survival.cox import cox_zph, coxph
from metevo.survival.inputs import read_survival_table
from metevo.survival.km import km_by_group, km_median
from metevo.survival.logrank import logrank

pytestmark = pytest.mark.r

RTOL = 1e-6
ATOL = 1e-9  # values near 0 (p-values of strong effects, S at the end of a curve)

R_SCRIPT = r"""
suppressMessages(library(survival))
out <- commandArgs(trailingOnly = TRUE)[1]
rows <- list()
emit <- function(kind, model, term, stat, value) {
  rows[[length(rows) + 1]] <<- data.frame(kind = kind, model = model, term = as.character(term), stat = stat,
                                          value = format(as.numeric(value), digits = 17))
}
lung2 <- lung; lung2$status <- lung2$status - 1
write.csv(survival::aml, file.path(out, "aml.csv"), row.names = FALSE)
write.csv(ovarian, file.path(out, "ovarian.csv"), row.names = FALSE)
write.csv(lung2, file.path(out, "lung.csv"), row.names = FALSE, na = "")
write.csv(veteran, file.path(out, "veteran.csv"), row.names = FALSE)
vet <- veteran
vet$celltype_sorted <- factor(as.character(vet$celltype), levels = sort(levels(vet$celltype)))

km <- function(model, fml, data) {
  for (ct in c("log", "log-log", "plain")) {
    fit <- survfit(fml, data = data, conf.type = ct)
    s <- summary(fit, censored = TRUE)
    grp <- if (is.null(s$strata)) rep("all", length(s$time)) else sub(".*=", "", as.character(s$strata))
    key <- paste(grp, s$time, sep = "@")
    emit("km", paste(model, ct), key, "surv", s$surv)
    emit("km", paste(model, ct), key, "std.err", fit$std.err)
    emit("km", paste(model, ct), key, "lower", s$lower)
    emit("km", paste(model, ct), key, "upper", s$upper)
    emit("km", paste(model, ct), key, "n.risk", s$n.risk)
    q <- quantile(fit, probs = 0.5)
    g <- if (is.null(fit$strata)) "all" else sub(".*=", "", names(fit$strata))
    emit("median", paste(model, ct), g, "median", q$quantile)
    emit("median", paste(model, ct), g, "lcl", q$lower)
    emit("median", paste(model, ct), g, "ucl", q$upper)
    tab <- summary(fit)$table
    if (is.null(dim(tab))) tab <- t(as.matrix(tab))
    emit("print", paste(model, ct), g, "median", tab[, "median"])
    emit("print", paste(model, ct), g, "lcl", tab[, "0.95LCL"])
    emit("print", paste(model, ct), g, "ucl", tab[, "0.95UCL"])
  }
}
km("aml", Surv(time, status) ~ x, survival::aml)
km("ovarian", Surv(futime, fustat) ~ rx, ovarian)
km("lung", Surv(time, status) ~ sex, lung)
km("lung_all", Surv(time, status) ~ 1, lung)
km("veteran", Surv(time, status) ~ celltype_sorted, vet)

lr <- function(model, fml, data) {
  d <- survdiff(fml, data = data)
  df <- sum(apply(as.matrix(d$exp), 1, sum) > 0) - 1
  emit("logrank", model, "", "chisq", d$chisq)
  emit("logrank", model, "", "df", df)
  emit("logrank", model, "", "p", pchisq(d$chisq, df, lower.tail = FALSE))
  emit("logrank", model, "", "observed", apply(as.matrix(d$obs), 1, sum))
  emit("logrank", model, "", "expected", apply(as.matrix(d$exp), 1, sum))
}
lr("aml", Surv(time, status) ~ x, survival::aml)
lr("ovarian", Surv(futime, fustat) ~ rx, ovarian)
lr("lung", Surv(time, status) ~ sex, lung)
lr("lung_strat", Surv(time, status) ~ sex + strata(ph.ecog), lung)
lr("veteran_strat", Surv(time, status) ~ trt + strata(celltype), vet)
lr("veteran_cell", Surv(time, status) ~ celltype_sorted, vet)

cx <- function(model, fml, data, ties = "efron") {
  fit <- do.call("coxph", list(formula = fml, data = data, ties = ties))
  s <- summary(fit)
  emit("cox", model, names(coef(fit)), "coef", coef(fit))
  emit("cox", model, names(coef(fit)), "se", sqrt(diag(vcov(fit))))
  emit("cox", model, names(coef(fit)), "p", s$coefficients[, "Pr(>|z|)"])
  emit("cox", model, names(coef(fit)), "lcl", s$conf.int[, "lower .95"])
  emit("cox", model, names(coef(fit)), "ucl", s$conf.int[, "upper .95"])
  emit("cox", model, "", "loglik0", fit$loglik[1])
  emit("cox", model, "", "loglik", fit$loglik[2])
  emit("cox", model, "", "score", fit$score)
  emit("cox", model, "", "wald", fit$wald.test)
  emit("cox", model, "", "n", fit$n)
  emit("cox", model, "", "events", fit$nevent)
  fit
}
cx("aml", Surv(time, status) ~ x, survival::aml)
cx("ovarian_age", Surv(futime, fustat) ~ age, ovarian)
cx("ovarian_rx", Surv(futime, fustat) ~ rx, ovarian)
cx("ovarian_3", Surv(futime, fustat) ~ age + rx + ecog.ps, ovarian)
cx("ovarian_3_breslow", Surv(futime, fustat) ~ age + rx + ecog.ps, ovarian, ties = "breslow")
cx("lung_3", Surv(time, status) ~ age + sex + ph.ecog, lung)
cx("lung_strat", Surv(time, status) ~ age + sex + strata(ph.ecog), lung)
cx("veteran_sorted", Surv(time, status) ~ trt + celltype_sorted + karno, vet)
cx("veteran_given", Surv(time, status) ~ trt + celltype + karno, vet)

zp <- function(model, fit) {
  z <- cox.zph(fit)
  emit("zph", model, rownames(z$table), "chisq", z$table[, "chisq"])
  emit("zph", model, rownames(z$table), "df", z$table[, "df"])
  emit("zph", model, rownames(z$table), "p", z$table[, "p"])
}
zp("ovarian_2", coxph(Surv(futime, fustat) ~ age + ecog.ps, ovarian))
zp("lung_3", coxph(Surv(time, status) ~ age + sex + ph.ecog, lung))
zp("veteran_sorted", coxph(Surv(time, status) ~ trt + celltype_sorted + karno, vet))
zp("lung_strat", coxph(Surv(time, status) ~ age + sex + strata(ph.ecog), lung))

# what `metevo survival --group sex --covariates age,ph.ecog` computes on lung
lung2$sexf <- factor(lung2$sex)
cx("cli_uni_sex", Surv(time, status) ~ sexf, lung2)
cx("cli_uni_age", Surv(time, status) ~ age, lung2)
cx("cli_uni_ph.ecog", Surv(time, status) ~ ph.ecog, lung2)
zp("cli_multi", cx("cli_multi", Surv(time, status) ~ sexf + age + ph.ecog, lung2))

# monotone likelihood: group b has no events; R warns "beta may be infinite"
mono <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 8), event = c(1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0),
                   g = rep(c("a", "b"), c(8, 4)), const = 1)
warned <- ""
fit <- withCallingHandlers(coxph(Surv(time, event) ~ g + const, mono),
                           warning = function(w) { warned <<- conditionMessage(w); invokeRestart("muffleWarning") })
emit("mono", "mono", names(coef(fit)), "coef", coef(fit))
emit("mono", "mono", "", "warned_infinite", as.numeric(grepl("infinite", warned)))
emit("mono", "mono", "", "iter", fit$iter)

write.table(do.call(rbind, rows), file.path(out, "reference.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)
"""


@pytest.fixture(scope="module")
def r_ref(run_r, tmp_path_factory):
    folder = tmp_path_factory.mktemp("survival_r")
    run_r(R_SCRIPT, folder)
    ref = pd.read_csv(folder / "reference.tsv", sep="\t", keep_default_na=False, dtype=str)
    ref["value"] = ref["value"].map(lambda v: math.nan if v.strip() in ("NA", "NaN") else float(v))
    return folder, ref


def _values(ref, kind, model, stat, term=None):
    sel = ref[(ref["kind"] == kind) & (ref["model"] == model) & (ref["stat"] == stat)]
    if term is not None:
        sel = sel[sel["term"] == term]
    return sel["value"].to_numpy(dtype=float)


def _close(ours, theirs, what=""):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, what
    same_nan = np.isnan(ours) == np.isnan(theirs)
    assert same_nan.all(), f"{what}: NA pattern differs: {ours} vs {theirs}"
    ok = ~np.isnan(ours)
    np.testing.assert_allclose(ours[ok], theirs[ok], rtol=RTOL, atol=ATOL, err_msg=what)


def _table(folder, name, **columns):
    return read_survival_table(Path(folder) / f"{name}.csv", **columns)


KM_CASES = [
    ("aml", "aml", "time", "status", "x"),
    ("ovarian", "ovarian", "futime", "fustat", "rx"),
    ("lung", "lung", "time", "status", "sex"),
    ("lung_all", "lung", "time", "status", None),
    ("veteran", "veteran", "time", "status", "celltype"),
]


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
@pytest.mark.parametrize("model,data,time,event,group", KM_CASES)
def test_km_curves_and_medians_match_survfit(r_ref, model, data, time, event, group, conf_type):
    folder, ref = r_ref
    t = _table(folder, data, time=time, event=event, group=group)
    labels = t[group].to_numpy() if group else np.full(len(t), "all", dtype=object)
    curves = km_by_group(t[time], t[event], labels, conf_type=conf_type)
    key = curves["group"].astype(str) + "@" + curves["time"].map(lambda v: format(v, "g"))
    sel = ref[(ref["kind"] == "km") & (ref["model"] == f"{model} {conf_type}")]
    for stat, column in (("surv", "surv"), ("std.err", "std_err"), ("lower", "lower"), ("upper", "upper"),
                         ("n.risk", "n_risk")):
        theirs = sel[sel["stat"] == stat].set_index("term")["value"]
        assert list(theirs.index) == list(key), f"{model}: time points differ"
        _close(curves[column].to_numpy(float), theirs.to_numpy(), f"{model} {conf_type} {stat}")
    for g, curve in curves.groupby("group", sort=False):
        med = km_median(curve)
        for kind in ("median", "print"):
            theirs = [_values(ref, kind, f"{model} {conf_type}", s, str(g))[0] for s in ("median", "lcl", "ucl")]
            _close([med.median, med.lcl, med.ucl], theirs, f"{model} {conf_type} {kind} {g}")


def test_aml_published_medians(r_ref):
    folder, _ = r_ref
    t = _table(folder, "aml", time="time", event="status", group="x")
    curves = km_by_group(t["time"], t["status"], t["x"])
    got = {g: km_median(c) for g, c in curves.groupby("group")}
    assert (got["Maintained"].median, got["Maintained"].lcl) == (31, 18) and math.isnan(got["Maintained"].ucl)
    assert (got["Nonmaintained"].median, got["Nonmaintained"].lcl) == (23, 8)


LOGRANK_CASES = [
    ("aml", "aml", "time", "status", "x", None),
    ("ovarian", "ovarian", "futime", "fustat", "rx", None),
    ("lung", "lung", "time", "status", "sex", None),
    ("lung_strat", "lung", "time", "status", "sex", "ph.ecog"),
    ("veteran_strat", "veteran", "time", "status", "trt", "celltype"),
    ("veteran_cell", "veteran", "time", "status", "celltype", None),
]


@pytest.mark.parametrize("model,data,time,event,group,strata", LOGRANK_CASES)
def test_logrank_matches_survdiff(r_ref, model, data, time, event, group, strata):
    folder, ref = r_ref
    t = _table(folder, data, time=time, event=event, group=group, strata=strata)
    t = t.dropna(subset=[c for c in (time, event, group, strata) if c])
    res = logrank(t[time], t[event], t[group], t[strata] if strata else None)
    _close([res.chisq, res.df, res.p], [_values(ref, "logrank", model, s)[0] for s in ("chisq", "df", "p")], model)
    _close(res.table["observed"], _values(ref, "logrank", model, "observed"), model)
    _close(res.table["expected"], _values(ref, "logrank", model, "expected"), model)


COX_CASES = [
    # model, data, time, event, covariates, strata, ties, levels, R term names
    ("aml", "aml", "time", "status", ["x"], None, "efron", None, ["xNonmaintained"]),
    ("ovarian_age", "ovarian", "futime", "fustat", ["age"], None, "efron", None, ["age"]),
    ("ovarian_rx", "ovarian", "futime", "fustat", ["rx"], None, "efron", None, ["rx"]),
    ("ovarian_3", "ovarian", "futime", "fustat", ["age", "rx", "ecog.ps"], None, "efron", None, None),
    ("ovarian_3_breslow", "ovarian", "futime", "fustat", ["age", "rx", "ecog.ps"], None, "breslow", None, None),
    ("lung_3", "lung", "time", "status", ["age", "sex", "ph.ecog"], None, "efron", None, None),
    ("lung_strat", "lung", "time", "status", ["age", "sex"], "ph.ecog", "efron", None, None),
    ("veteran_sorted", "veteran", "time", "status", ["trt", "celltype", "karno"], None, "efron", None,
     ["trt", "celltype_sortedlarge", "celltype_sortedsmallcell", "celltype_sortedsquamous", "karno"]),
    ("veteran_given", "veteran", "time", "status", ["trt", "celltype", "karno"], None, "efron",
     {"celltype": ["squamous", "smallcell", "adeno", "large"]}, None),
]


def _fit(r_ref, data, time, event, covariates, strata, ties, levels):
    folder, _ = r_ref
    t = _table(folder, data, time=time, event=event, covariates=covariates, strata=strata)
    t = t.dropna(subset=[time, event, *covariates, *([strata] if strata else [])])
    return coxph(t[time], t[event], t[covariates], ties=ties, strata=t[strata] if strata else None, levels=levels)


@pytest.mark.parametrize("model,data,time,event,covariates,strata,ties,levels,rnames", COX_CASES)
def test_coxph_matches_r(r_ref, model, data, time, event, covariates, strata, ties, levels, rnames):
    _, ref = r_ref
    fit = _fit(r_ref, data, time, event, covariates, strata, ties, levels)
    summary = fit.summary()
    sel = ref[(ref["kind"] == "cox") & (ref["model"] == model)]
    terms = sel[sel["stat"] == "coef"]["term"].tolist()
    assert (rnames or terms) == terms
    assert len(terms) == len(fit.names)
    if rnames is None:
        assert fit.names == terms
    for stat, column in (("coef", "coef"), ("se", "se"), ("p", "p"), ("lcl", "hr_lcl"), ("ucl", "hr_ucl")):
        _close(summary[column], _values(ref, "cox", model, stat), f"{model} {stat}")
    for stat, ours in (("loglik0", fit.loglik[0]), ("loglik", fit.loglik[1]), ("score", fit.score_test),
                       ("wald", fit.wald_test), ("n", fit.n), ("events", fit.events)):
        _close([ours], _values(ref, "cox", model, stat), f"{model} {stat}")


ZPH_CASES = [
    ("ovarian_2", "ovarian", "futime", "fustat", ["age", "ecog.ps"], None, ["age", "ecog.ps", "GLOBAL"]),
    ("lung_3", "lung", "time", "status", ["age", "sex", "ph.ecog"], None, ["age", "sex", "ph.ecog", "GLOBAL"]),
    ("veteran_sorted", "veteran", "time", "status", ["trt", "celltype", "karno"], None,
     ["trt", "celltype", "karno", "GLOBAL"]),
    ("lung_strat", "lung", "time", "status", ["age", "sex"], "ph.ecog", ["age", "sex", "GLOBAL"]),
]


@pytest.mark.parametrize("model,data,time,event,covariates,strata,terms", ZPH_CASES)
def test_cox_zph_matches_r(r_ref, model, data, time, event, covariates, strata, terms):
    _, ref = r_ref
    zph = cox_zph(_fit(r_ref, data, time, event, covariates, strata, "efron", None))
    assert zph["term"].tolist() == terms
    for stat in ("chisq", "df", "p"):
        _close(zph[stat], _values(ref, "zph", model, stat), f"{model} {stat}")


def test_cox_zph_published_ovarian(r_ref):
    zph = cox_zph(_fit(r_ref, "ovarian", "futime", "fustat", ["age", "ecog.ps"], None, "efron", None))
    assert zph["chisq"].round(3).tolist() == [0.698, 2.371, 3.633]


def test_metevo_survival_command_matches_r_on_lung(r_ref, tmp_path, capsys):
    folder, ref = r_ref
    outdir = tmp_path / "out"
    rc = main(["survival", "--table", str(folder / "lung.csv"), "--time", "time", "--event", "status",
               "--group", "sex", "--covariates", "age,ph.ecog", "--outdir", str(outdir)])
    assert rc == 0, capsys.readouterr().err
    read = lambda name: pd.read_csv(outdir / name, sep="\t", dtype={"group": str})  # noqa: E731
    curve = read("km_curve.tsv")
    key = curve["group"] + "@" + curve["time"].map(lambda v: format(v, "g"))
    sel = ref[(ref["kind"] == "km") & (ref["model"] == "lung log")]
    for stat, column in (("surv", "surv"), ("std.err", "std_err"), ("lower", "lower"), ("upper", "upper")):
        theirs = sel[sel["stat"] == stat].set_index("term")["value"]
        assert list(theirs.index) == list(key)
        _close(curve[column], theirs.to_numpy(), f"km_curve {stat}")
    km = read("km.tsv").set_index("group")
    for g in ("1", "2"):
        _close(km.loc[g, ["median", "median_lcl", "median_ucl"]].to_numpy(float),
               [_values(ref, "median", "lung log", s, g)[0] for s in ("median", "lcl", "ucl")], f"median {g}")
    assert km["n"].tolist() == [138, 90] and km["events"].tolist() == [112, 53]
    lr = read("logrank.tsv").iloc[0]
    _close([lr["chisq"], lr["df"], lr["p"]], [_values(ref, "logrank", "lung", s)[0] for s in ("chisq", "df", "p")])
    cox = read("cox.tsv")
    uni = cox[cox["model"] == "univariable"].set_index("term")
    for term, model in (("sex2", "cli_uni_sex"), ("age", "cli_uni_age"), ("ph.ecog", "cli_uni_ph.ecog")):
        row = uni.loc[term]
        _close([row["coef"], row["se"], row["p"], row["hr_lcl"], row["hr_ucl"], row["n"], row["events"]],
               [*(_values(ref, "cox", model, s)[0] for s in ("coef", "se", "p", "lcl", "ucl")),
                _values(ref, "cox", model, "n")[0], _values(ref, "cox", model, "events")[0]], term)
        _close([row["hr"]], [math.exp(_values(ref, "cox", model, "coef")[0])], term)
    multi = cox[cox["model"] == "multivariable"]
    assert multi["term"].tolist() == ["sex2", "age", "ph.ecog"]
    for stat, column in (("coef", "coef"), ("se", "se"), ("p", "p"), ("lcl", "hr_lcl"), ("ucl", "hr_ucl")):
        _close(multi[column], _values(ref, "cox", "cli_multi", stat), f"multivariable {stat}")
    assert set(multi["n"]) == {227} and "1 row with missing values left out" in multi["note"].iloc[0]
    ph = read("ph_test.tsv")
    assert ph["term"].tolist() == ["sex", "age", "ph.ecog", "GLOBAL"]
    for stat in ("chisq", "df", "p"):
        _close(ph[stat], _values(ref, "zph", "cli_multi", stat), f"ph_test {stat}")


def test_monotone_likelihood_and_constant_column_as_r(r_ref):
    _, ref = r_ref
    mono = pd.DataFrame({"g": ["a"] * 8 + ["b"] * 4, "const": 1.0})
    fit = coxph([1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 8], [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0], mono)
    assert _values(ref, "mono", "mono", "warned_infinite")[0] == 1
    assert fit.infinite.tolist() == [True, False] and fit.singular.tolist() == [False, True]
    _close(fit.coef, _values(ref, "mono", "mono", "coef"), "runaway coefficient and NA")
    assert fit.iterations == _values(ref, "mono", "mono", "iter")[0]
    assert fit.summary()["hr"].isna().all()
