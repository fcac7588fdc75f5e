"""Temporary stand-in for metevo.stats.contingency while it is being written (issue 4).

``ensure_contingency()`` imports the real module; only when it is missing does it install a
scipy-based module with the same API (conditional MLE odds ratio and exact interval from
scipy.stats.contingency.odds_ratio, two-sided p from scipy.stats.fisher_exact, McNemar as the
binomial test). Tests that compare numbers with R need the real module (tests/r).
"""

from __future__ import annotations

import importlib
import sys
import types


def ensure_contingency():
    try:
        return importlib.import_module("metevo.stats.contingency")
    except ImportError:
        pass
    from dataclasses import dataclass

    import numpy as np
    from scipy import stats

    @dataclass(frozen=True)
    class FisherResult:
        p_value: float
        odds_ratio: float
        ci_low: float
        ci_high: float

    @dataclass(frozen=True)
    class FisherArrays:
        p_value: np.ndarray
        odds_ratio: np.ndarray
        ci_low: np.ndarray
        ci_high: np.ndarray

    @dataclass(frozen=True)
    class McNemarResult:
        statistic: float
        p_value: float
        method: str = "binomial"

    def fisher_exact(a, b, c, d, alternative="two.sided", conf_level=0.95, **_):
        table = [[int(a), int(b)], [int(c), int(d)]]
        alt = alternative.replace(".", "-")
        p = stats.fisher_exact(table, alternative=alt)[1]
        res = stats.contingency.odds_ratio(table, kind="conditional")
        ci = res.confidence_interval(confidence_level=conf_level, alternative=alt)
        return FisherResult(float(p), float(res.statistic), float(ci.low), float(ci.high))

    def fisher_exact_many(a, b, c, d, alternative="two.sided", conf_level=0.95, **_):
        rows = [fisher_exact(*t, alternative=alternative, conf_level=conf_level) for t in zip(np.ravel(a), np.ravel(b), np.ravel(c), np.ravel(d))]
        return FisherArrays(*(np.array([getattr(r, f) for r in rows], dtype=float) for f in ("p_value", "odds_ratio", "ci_low", "ci_high")))

    def mcnemar_exact(b, c, alternative="two.sided"):
        n = int(b) + int(c)
        if n == 0:
            return McNemarResult(0.0, 1.0)
        alt = alternative.replace(".", "-")
        p = stats.binomtest(int(b), n, 0.5, alternative=alt).pvalue
        return McNemarResult(float(min(b, c) if alt == "two-sided" else b), float(p))

    module = types.ModuleType("metevo.stats.contingency")
    module.FisherResult, module.FisherArrays, module.McNemarResult = FisherResult, FisherArrays, McNemarResult
    module.fisher_exact, module.fisher_exact_many, module.mcnemar_exact = fisher_exact, fisher_exact_many, mcnemar_exact
    module.SHIM = True
    sys.modules["metevo.stats.contingency"] = module
    import metevo.stats

    metevo.stats.contingency = module
    return module
