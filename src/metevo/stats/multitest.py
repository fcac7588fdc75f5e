"""Multiple-testing adjustment.

``bh_adjust`` is Benjamini & Hochberg (1995) step-up false discovery rate control, computed
as R's ``p.adjust(p, method = "BH")``: missing p-values stay missing in place and do not count
towards the number of tests (R's default ``n = length(p)`` is evaluated after the NAs are
removed).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def bh_adjust(p: Sequence[float]) -> np.ndarray:
    """Benjamini-Hochberg q-values, equal to R ``p.adjust(p, "BH")``; NaN kept in place.

    q_(i) = min over j >= i of min(1, m / j * p_(j)) for p sorted increasingly, with m the
    number of non-missing p-values.
    """
    p = np.asarray(p, dtype=float).reshape(-1)
    q = np.full(p.shape, np.nan)
    present = ~np.isnan(p)
    values = p[present]
    m = values.size
    if m == 0:
        return q
    # R: i <- m:1; o <- order(p, decreasing = TRUE); pmin(1, cummin(m / i * p[o]))[order(o)]
    order = np.argsort(-values, kind="mergesort")
    rank_from_top = np.arange(m, 0, -1, dtype=float)
    adjusted = np.minimum(1.0, np.minimum.accumulate(m / rank_from_top * values[order]))
    out = np.empty(m)
    out[order] = adjusted
    q[present] = out
    return q
