"""Survival analysis with R ``survival`` (>= 3.0) semantics, in numpy/scipy.

``metevo.survival.km``: Kaplan-Meier curves, confidence bands, median survival
(``survfit``, ``quantile.survfit``); ``metevo.survival.logrank``: log-rank test, stratified
(``survdiff``); ``metevo.survival.cox``: Cox regression (``coxph``, Efron ties) and the
proportional-hazards test (``cox.zph``); ``metevo.survival.outcome``: outcome by binary
feature across a cohort. Method and R equivalence: docs/survival.md.
"""

from metevo.survival.cox import CoxFit, cox_zph, coxph, design_matrix
from metevo.survival.km import MedianSurvival, kaplan_meier, km_by_group, km_median, km_quantile
from metevo.survival.logrank import LogrankResult, logrank

__all__ = [
    "CoxFit", "LogrankResult", "MedianSurvival", "cox_zph", "coxph", "design_matrix", "kaplan_meier",
    "km_by_group", "km_median", "km_quantile", "logrank",
]
