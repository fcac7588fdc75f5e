"""The result of a statistical test, carried whole into every table that reports it.

Every p-value metevo writes travels with the test that produced it, the sidedness, the
statistic and the counts it was computed from (docs/style.md), so a reader of a TSV can
recompute it by hand or in R.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

ALTERNATIVES = ("two-sided", "greater", "less")

# R spells two-sided "two.sided"; scipy spells it "two-sided". Accept both, report one.
_ALTERNATIVE_ALIASES = {"two-sided": "two-sided", "two.sided": "two-sided", "greater": "greater", "less": "less"}


def normalise_alternative(alternative: str) -> str:
    """'two-sided' (or R's 'two.sided'), 'greater' or 'less'; anything else is a ValueError."""
    try:
        return _ALTERNATIVE_ALIASES[alternative]
    except (KeyError, TypeError):
        raise ValueError(
            f"alternative must be one of two-sided (two.sided), greater, less; got {alternative!r}"
        ) from None


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test.

    ``n_x``/``n_y`` are the numbers of non-missing observations the test used from each
    sample; for a paired test both are the number of complete pairs, and ``n_zeros_dropped``
    says how many of those pairs had a zero difference and were left out of the ranking (R's
    convention). ``note`` explains a NaN p-value or a fallback from the requested method.
    """

    __test__: ClassVar[bool] = False  # not a pytest test class, despite the name

    test: str
    alternative: str
    statistic_name: str
    statistic: float
    p_value: float
    n_x: int
    n_y: int
    method: str
    ties: bool
    n_zeros_dropped: int = 0
    note: str = ""

    @property
    def n_pairs(self) -> int:
        """Complete pairs (paired tests only; equals n_x)."""
        return self.n_x

    @property
    def n_used(self) -> int:
        """Observations (or pairs) that entered the ranks."""
        return self.n_x - self.n_zeros_dropped

    def as_row(self) -> dict:
        """The result as one table row (column order is fixed: see ``ROW_COLUMNS``)."""
        return {
            "test": self.test,
            "alternative": self.alternative,
            "statistic_name": self.statistic_name,
            "statistic": self.statistic,
            "p_value": self.p_value,
            "n_x": self.n_x,
            "n_y": self.n_y,
            "n_zeros_dropped": self.n_zeros_dropped,
            "method": self.method,
            "ties": self.ties,
            "note": self.note,
        }

    @property
    def is_defined(self) -> bool:
        return not math.isnan(self.p_value)


ROW_COLUMNS = (
    "test", "alternative", "statistic_name", "statistic", "p_value",
    "n_x", "n_y", "n_zeros_dropped", "method", "ties", "note",
)  # the keys of TestResult.as_row(), in order
