"""Statistical tests with R's semantics, returning result objects that carry their counts.

``metevo.stats.wilcoxon``: rank-sum and signed-rank tests (R ``wilcox.test``);
``metevo.stats.multitest``: Benjamini-Hochberg (R ``p.adjust(method = "BH")``);
``metevo.stats.results``: the ``TestResult`` every test returns.
"""
