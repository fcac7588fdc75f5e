"""metevo.survival without R: published R survival numbers, edge cases, the command line.

The aml and ovarian tables below are R survival's datasets (Embury et al. 1977; Edmonson et
al. 1979), copied whole; the expected numbers are the ones R prints for them
(tests/doaml.Rout.save, tests/ovarian.Rout.save, the cox.zph example) as quoted in
algorithms.md section 9. The R comparisons to 1e-6 are in tests/r/test_survival_r.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.survival import cox_zph, coxph, kaplan_meier, km_by_group, km_median, logrank
from metevo.survival.km import confidence_band, findq
from metevo.survival.outcome import outcome_by_feature

AML_TIME = [9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161, 5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45]
AML_STATUS = [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
AML_X = ["Maintained"] * 11 + ["Nonmaintained"] * 12

OVARIAN = pd.DataFrame({
    "futime": [59, 115, 156, 421, 431, 448, 464, 475, 477, 563, 638, 744, 769, 770, 803, 855, 1040, 1106, 1129,
               1206, 1227, 268, 329, 353, 365, 377],
    "fustat": [1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0],
    "age": [72.3315, 74.4932, 66.4658, 53.3644, 50.3397, 56.4301, 56.937, 59.8548, 64.1753, 55.1781, 56.7562,
            50.1096, 59.6301, 57.0521, 39.2712, 43.1233, 38.8932, 44.6, 53.9068, 44.2055, 59.589, 74.5041, 43.137,
            63.2192, 64.4247, 58.3096],
    "rx": [1, 1, 1, 2, 1, 1, 2, 2, 1, 2, 1, 2, 2, 2, 1, 1, 1, 1, 2, 2, 2, 1, 1, 2, 2, 2],
    "ecog.ps": [1, 1, 2, 1, 1, 2, 2, 2, 1, 2, 2, 1, 2, 1, 1, 2, 2, 1, 1, 1, 2, 2, 1, 2, 1, 1],
})


# ------------------------------------------------------------------ published numbers


def test_aml_medians_and_limits():
    curves = km_by_group(AML_TIME, AML_STATUS, AML_X)
    med = {g: km_median(c) for g, c in curves.groupby("group")}
    assert (med["Maintained"].median, med["Maintained"].lcl) == (31, 18) and math.isnan(med["Maintained"].ucl)
    assert (med["Nonmaintained"].median, med["Nonmaintained"].lcl) == (23, 8) and math.isnan(med["Nonmaintained"].ucl)


def test_aml_km_table_row():
    curves = km_by_group(AML_TIME, AML_STATUS, AML_X)
    row = curves[(curves["group"] == "Maintained") & (curves["time"] == 23)].iloc[0]
    assert row["surv"] == pytest.approx(0.614, abs=5e-4)
    assert row["lower"] == pytest.approx(0.3769, abs=5e-5)
    assert row["upper"] == pytest.approx(0.999, abs=5e-4)
    assert (row["n_risk"], row["n_event"], row["n_censor"]) == (7, 1, 0)


def test_ovarian_km_table_row():
    curve = kaplan_meier(OVARIAN["futime"], OVARIAN["fustat"])
    row = curve[curve["time"] == 638].iloc[0]
    assert row["surv"] == pytest.approx(0.497, abs=5e-4)
    assert row["surv"] * row["std_err"] == pytest.approx(0.1051, abs=5e-5)  # R's summary: SE of S
    assert (row["lower"], row["upper"]) == pytest.approx((0.328, 0.752), abs=5e-4)


def test_aml_logrank():
    res = logrank(AML_TIME, AML_STATUS, AML_X)
    assert res.chisq == pytest.approx(3.3964, abs=5e-5)
    assert res.p == pytest.approx(0.06534, abs=5e-6)
    assert res.df == 1 and res.table["observed"].tolist() == [7, 11]
    assert res.table["expected"].round(2).tolist() == [10.69, 7.31]


def test_ovarian_logrank_rx():
    res = logrank(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN["rx"])
    assert round(res.chisq, 2) == 1.06 and round(res.p, 3) == 0.303


def test_aml_cox():
    fit = coxph(AML_TIME, AML_STATUS, pd.DataFrame({"x": AML_X}))
    assert fit.names == ["xNonmaintained"]
    assert fit.coef[0] == pytest.approx(0.9155, abs=5e-5) and fit.se[0] == pytest.approx(0.5119, abs=5e-5)


def test_ovarian_cox_published():
    age = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["age"]])
    assert age.coef[0] == pytest.approx(0.16162, abs=5e-6) and age.se[0] == pytest.approx(0.04974, abs=5e-6)
    assert age.lrt == pytest.approx(14.29, abs=5e-3)
    rx = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["rx"]])
    assert rx.coef[0] == pytest.approx(-0.5964, abs=5e-5) and rx.se[0] == pytest.approx(0.5870, abs=5e-5)
    three = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["age", "rx", "ecog.ps"]])
    np.testing.assert_allclose(three.coef, [0.1470, -0.8146, 0.1032], atol=5e-5)
    np.testing.assert_allclose(three.se, [0.0463, 0.6342, 0.6064], atol=5e-5)
    assert three.lrt == pytest.approx(15.92, abs=5e-3) and three.converged


def test_ovarian_cox_zph_published():
    fit = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["age", "ecog.ps"]])
    zph = cox_zph(fit)
    assert zph["term"].tolist() == ["age", "ecog.ps", "GLOBAL"]
    assert zph["chisq"].round(3).tolist() == [0.698, 2.371, 3.633]
    assert zph["df"].tolist() == [1, 1, 2]
    assert zph["p"].round(2).tolist() == [0.40, 0.12, 0.16]


# ------------------------------------------------------------------ R semantics, edge cases


def test_median_on_a_flat_at_one_half_is_the_midpoint():
    # R: survfit(Surv(1:4) ~ 1) has S = 0.5 on [2, 3): median 2.5
    assert km_median(kaplan_meier([1, 2, 3, 4], [1, 1, 1, 1])).median == 2.5
    # a flat at 0.5 that ends the curve: midpoint of its start and the last (censored) time
    assert findq([0, 1, 2, 5], [0, 0.25, 0.5, 0.5], 0.5) == 3.5


def test_km_last_event_gives_zero_survival_and_na_limits():
    curve = kaplan_meier([1, 2, 3], [1, 1, 1])
    assert curve["surv"].tolist()[-1] == 0
    assert math.isinf(curve["std_err"].iloc[-1])  # R: Inf
    assert math.isnan(curve["lower"].iloc[-1]) and math.isnan(curve["upper"].iloc[-1])


def test_confidence_types():
    lower, upper = confidence_band([0.5], [0.2], "plain")
    assert (lower[0], upper[0]) == pytest.approx((0.5 - 1.959964 * 0.1, 0.5 + 1.959964 * 0.1), abs=1e-6)
    lower, upper = confidence_band([1.0, 0.5], [0.0, 0.2], "log-log")
    assert math.isnan(lower[0]) and lower[1] < 0.5 < upper[1]
    with pytest.raises(ValueError):
        confidence_band([0.5], [0.1], "logit")


def test_censored_at_an_event_time_are_still_at_risk():
    curve = kaplan_meier([2, 2, 2, 5], [1, 0, 0, 1])
    assert curve["n_risk"].tolist() == [4, 1] and curve["surv"].tolist()[0] == 0.75


def test_near_ties_are_merged_like_r_timefix():
    a = kaplan_meier([1.0, 1.0 + 1e-12, 2.0], [1, 1, 0])
    assert a["time"].tolist() == [1.0, 2.0] and a["n_event"].tolist() == [2, 0]


def test_zero_events():
    curve = kaplan_meier([1, 2, 3], [0, 0, 0])
    assert curve["surv"].tolist() == [1, 1, 1] and math.isnan(km_median(curve).median)
    res = logrank([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])
    assert math.isnan(res.p) and "no events" in res.note
    fit = coxph([1, 2, 3, 4], [0, 0, 0, 0], pd.DataFrame({"g": ["a", "a", "b", "b"]}))
    assert math.isnan(fit.coef[0]) and "no events" in fit.note


def test_one_group_has_no_logrank():
    res = logrank([1, 2, 3], [1, 0, 1], ["a", "a", "a"])
    assert math.isnan(res.chisq) and "one group" in res.note


def test_constant_covariate_is_not_estimable_and_leaves_the_others_alone():
    with_const = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["age"]].assign(site=1.0))
    alone = coxph(OVARIAN["futime"], OVARIAN["fustat"], OVARIAN[["age"]])
    assert math.isnan(with_const.coef[1]) and with_const.singular.tolist() == [False, True]
    assert with_const.coef[0] == pytest.approx(alone.coef[0], rel=1e-10)
    assert "not estimable" in with_const.summary()["note"].iloc[1]
    zph = cox_zph(with_const)
    assert zph["term"].tolist() == ["age", "GLOBAL"]


def test_group_without_events_gives_monotone_likelihood_and_no_hazard_ratio():
    time = [1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 8]
    event = [1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0]
    group = ["a"] * 8 + ["b"] * 4
    fit = coxph(time, event, pd.DataFrame({"group": group}))
    row = fit.summary().iloc[0]
    assert fit.infinite.tolist() == [True] and fit.coef[0] < -5  # runs off towards -inf, as in R
    assert math.isnan(row["hr"]) and math.isnan(row["p"]) and "monotone likelihood" in row["note"]
    assert not math.isnan(logrank(time, event, group).p)  # the log-rank test is still defined


def test_efron_and_breslow_differ_with_ties_and_agree_without():
    efron = coxph(AML_TIME, AML_STATUS, pd.DataFrame({"x": AML_X}))
    breslow = coxph(AML_TIME, AML_STATUS, pd.DataFrame({"x": AML_X}), ties="breslow")
    assert abs(efron.coef[0] - breslow.coef[0]) > 1e-3
    untied = np.arange(1, 24) + np.linspace(0, 0.5, 23)
    a = coxph(untied, AML_STATUS, pd.DataFrame({"x": AML_X}))
    b = coxph(untied, AML_STATUS, pd.DataFrame({"x": AML_X}), ties="breslow")
    assert a.coef[0] == pytest.approx(b.coef[0], rel=1e-12)


def test_factor_levels_given_order_sets_the_reference():
    fit = coxph(AML_TIME, AML_STATUS, pd.DataFrame({"x": AML_X}), levels={"x": ["Nonmaintained", "Maintained"]})
    default = coxph(AML_TIME, AML_STATUS, pd.DataFrame({"x": AML_X}))
    assert fit.names == ["xMaintained"] and fit.coef[0] == pytest.approx(-default.coef[0], rel=1e-9)


def test_stratified_logrank_sums_over_strata():
    strata = np.array([1, 2] * 11 + [1])
    res = logrank(AML_TIME, AML_STATUS, AML_X, strata)
    parts = [logrank(np.array(AML_TIME)[strata == s], np.array(AML_STATUS)[strata == s],
                     np.array(AML_X)[strata == s]) for s in (1, 2)]
    np.testing.assert_allclose(res.table["expected"], parts[0].table["expected"] + parts[1].table["expected"])
    assert res.n_strata == 2 and res.df == 1


# ------------------------------------------------------------------ outcome_by_feature


def test_outcome_by_feature_recovers_a_planted_hazard_ratio():
    rng = np.random.default_rng(20240611)
    n = 400
    patients = [f"P{i:03d}" for i in range(n)]
    altered = rng.integers(0, 2, n)
    null = rng.integers(0, 2, n).astype(float)
    null[rng.choice(n, 20, replace=False)] = np.nan
    age = rng.normal(60, 10, n)
    hazard = 0.01 * 2.0 ** altered
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.uniform(0, 250, n)
    clinical = pd.DataFrame({"os_days": np.minimum(event_time, censor_time),
                             "os_event": (event_time <= censor_time).astype(int), "age": age}, index=patients)
    features = pd.DataFrame({"TP53": altered, "NULLGENE": null, "CONST": np.zeros(n)}, index=patients)
    out = outcome_by_feature(clinical, features, "os_days", "os_event", covariates=["age"]).set_index("feature")
    tp53 = out.loc["TP53"]
    assert tp53["hr_lcl"] < 2 < tp53["hr_ucl"] and tp53["p"] < 0.01
    assert tp53["hr_adjusted_lcl"] < 2 < tp53["hr_adjusted_ucl"] and tp53["p_adjusted"] < 0.01
    assert tp53["logrank_p"] < 0.01 and tp53["median_altered"] < tp53["median_unaltered"]
    assert tp53["n"] == n and tp53["n_altered"] == altered.sum()
    assert out.loc["NULLGENE", "n"] == n - 20 and out.loc["NULLGENE", "p"] > 0.01
    assert math.isnan(out.loc["CONST", "hr"]) and "not estimable" in out.loc["CONST", "note"]
    # BH over the features with a p-value (R p.adjust)
    p = out["p"].dropna().sort_values()
    assert out.loc["TP53", "q"] == pytest.approx(min(1.0, p["TP53"] * len(p) / 1), rel=1e-12)


def test_outcome_by_feature_rejects_non_binary_features():
    clinical = pd.DataFrame({"t": [1.0, 2.0], "e": [1, 0]})
    with pytest.raises(ValueError, match="not binary"):
        outcome_by_feature(clinical, pd.DataFrame({"G": [0, 2]}), "t", "e")


# ------------------------------------------------------------------ command line


def _aml_table(path: Path, sep: str = "\t", extra_rows: str = "") -> Path:
    lines = [sep.join(["patient", "os", "dead", "arm", "age"])]
    ages = [50 + (i * 7) % 23 for i in range(23)]
    for i, (t, s, x) in enumerate(zip(AML_TIME, AML_STATUS, AML_X)):
        lines.append(sep.join([f"P{i}", str(t), str(s), x, str(ages[i])]))
    path.write_text("\n".join(lines) + "\n" + extra_rows)
    return path


def _run(capsys, *args) -> tuple[int, str]:
    rc = main([str(a) for a in args])
    return rc, capsys.readouterr().err


OUTPUTS = ["cox.tsv", "forest.svg", "km.svg", "km.tsv", "km_curve.tsv", "logrank.tsv", "ph_test.tsv"]


def test_cli_writes_every_output_and_is_deterministic(tmp_path, capsys):
    table = _aml_table(tmp_path / "aml.tsv", extra_rows="P99\t\t1\tMaintained\t60\nP98\t10\t1\t\t61\n")
    args = ["survival", "--table", table, "--time", "os", "--event", "dead", "--group", "arm", "--covariates", "age"]
    rc, err = _run(capsys, *args, "--outdir", tmp_path / "a")
    assert rc == 0, err
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == OUTPUTS
    rc, err = _run(capsys, *args, "--outdir", tmp_path / "b")
    for name in OUTPUTS:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    km = pd.read_csv(tmp_path / "a" / "km.tsv", sep="\t")
    assert km["median"].tolist() == [31, 23] and km["median_lcl"].tolist() == [18, 8]
    assert km["median_ucl"].isna().all() and km["n"].tolist() == [11, 12]
    assert km["note"].str.contains("2 rows with missing values left out").all()
    lr = pd.read_csv(tmp_path / "a" / "logrank.tsv", sep="\t").iloc[0]
    assert lr["chisq"] == pytest.approx(3.3964, abs=5e-5) and lr["observed"] == "7;11"
    cox = pd.read_csv(tmp_path / "a" / "cox.tsv", sep="\t")
    assert cox["model"].tolist() == ["univariable", "univariable", "multivariable", "multivariable"]
    assert cox.loc[0, "term"] == "armNonmaintained" and cox.loc[0, "reference"] == "Maintained"
    assert cox.loc[0, "hr"] == pytest.approx(math.exp(0.9155), rel=1e-4)
    ph = pd.read_csv(tmp_path / "a" / "ph_test.tsv", sep="\t")
    assert ph["term"].tolist() == ["arm", "age", "GLOBAL"] and ph["model"].eq("multivariable").all()
    svg = (tmp_path / "a" / "km.svg").read_text()
    assert svg.startswith("<svg") and "Number at risk" in svg and "arm=Maintained" in svg


def test_cli_reads_csv_like_tsv(tmp_path, capsys):
    tsv = _aml_table(tmp_path / "aml.tsv")
    csv = _aml_table(tmp_path / "aml.csv", sep=",")
    sniffed = _aml_table(tmp_path / "aml.data", sep=",")
    for table, out in ((tsv, "t"), (csv, "c"), (sniffed, "s")):
        rc, err = _run(capsys, "survival", "--table", table, "--time", "os", "--event", "dead", "--group", "arm",
                       "--outdir", tmp_path / out)
        assert rc == 0, err
    for name in OUTPUTS:
        assert (tmp_path / "t" / name).read_bytes() == (tmp_path / "c" / name).read_bytes() == \
            (tmp_path / "s" / name).read_bytes()


def test_cli_accepts_true_false_events_and_one_group(tmp_path, capsys):
    table = tmp_path / "t.tsv"
    table.write_text("time\tevent\tg\n1\tTRUE\ta\n2\tfalse\ta\n3\tT\ta\n4\tF\ta\n")
    rc, err = _run(capsys, "survival", "--table", table, "--time", "time", "--event", "event", "--group", "g",
                   "--outdir", tmp_path / "out")
    assert rc == 0, err
    lr = pd.read_csv(tmp_path / "out" / "logrank.tsv", sep="\t").iloc[0]
    assert math.isnan(lr["p"]) and "one group" in lr["note"]
    assert (lr["n"], lr["events"]) == (4, 2)  # TRUE, T events; false, F censored
    cox = pd.read_csv(tmp_path / "out" / "cox.tsv", sep="\t")
    assert cox["term"].tolist() == ["g"] and math.isnan(cox["hr"].iloc[0])
    assert "single level (a)" in cox["note"].iloc[0]
    km = pd.read_csv(tmp_path / "out" / "km.tsv", sep="\t")
    assert km["median"].tolist() == [3]


@pytest.mark.parametrize(
    "body,args,line,column,message",
    [
        ("time\tevent\n1\t1\n", ["--group", "arm"], 1, "arm", "missing required column 'arm'"),
        ("time\tevent\n1\t1\n-2\t0\n", [], 3, "time", "expected a survival time"),
        ("time\tevent\n1\t1\nabc\t0\n", [], 3, "time", "found 'abc'"),
        ("time\tevent\n1\t1\n2\t2\n", [], 3, "event", "recode R's 1/2"),
        ("time\tevent\n1\t1\n2\tyes\n", [], 3, "event", "expected an event status"),
        ("time\tevent\n\t1\nNA\t0\n", [], 1, "time", "no rows left"),
    ],
)
def test_cli_bad_inputs(tmp_path, capsys, body, args, line, column, message):
    table = tmp_path / "bad.tsv"
    table.write_text(body)
    outdir = tmp_path / "out"
    rc, err = _run(capsys, "survival", "--table", table, "--time", "time", "--event", "event", *args,
                   "--outdir", outdir)
    assert rc == 2
    assert len(err.strip().splitlines()) == 1
    assert str(table) in err and f"line {line}" in err and f"column '{column}'" in err and message in err
    assert not outdir.exists()


def test_cli_bad_levels_option(tmp_path, capsys):
    table = _aml_table(tmp_path / "aml.tsv")
    rc, err = _run(capsys, "survival", "--table", table, "--time", "os", "--event", "dead", "--group", "arm",
                   "--levels", "arm=Maintained", "--outdir", tmp_path / "out")
    assert rc == 2 and "Nonmaintained" in err and "line 13" in err and not (tmp_path / "out").exists()
