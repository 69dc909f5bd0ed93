"""Weighted totals with Taylor-linearised standard errors, by domain: the number of children
in child labour, not only their share.

For a domain d and a numeric outcome y (0/1 for a count) with weights w::

    Y = sum(w y)                                over records of d with a known y
    z_k = w_k y_k                               (0 outside d: all PSUs kept)
    v = sum_h n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2    PSU totals z_hi
    CI = Y -+ t(1 - alpha/2, df) sqrt(v),       df = #PSU - #strata of the full design

This is R's ``svytotal`` / ``svyby(~y, ~d, design, svytotal)`` (with ``confint(df =
degf(design))``) and samplics 0.6 ``TaylorEstimator(PopParam.total)`` with ``domain=``.
What a release withholds is decided by :mod:`fieldkit.release` (a total adds up over domains
like the count it weighs, so it is protected as that count is).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from fieldkit.dataset.dataset import StudyInfo
from fieldkit.dataset.table import Table
from fieldkit.stats.domain_sums import DomainSums
from fieldkit.stats.estimate import Domains, Estimate, EstimateTable, domains, method_note
from fieldkit.stats.student import t_quantile

__all__ = ["estimate_total"]


def estimate_total(
    table: Table,
    variable: str,
    by: Sequence[str] = (),
    *,
    study: StudyInfo,
    alpha: float = 0.05,
    language: str = "en",
    title: str | None = None,
    threshold: int | None = None,
) -> EstimateTable:
    """The weighted total of ``variable`` (a count for a 0/1 indicator), by domain."""
    found = domains(table, variable, by, study=study, language=language, threshold=threshold)
    t = t_quantile(1 - alpha / 2, found.df)
    estimates = [_total(sums, found, t) for sums in found.leaves(1, numeric=True)]
    target = table.variable(variable)
    heading = f"{target.text(language)}: weighted total"
    method = method_note(study, found.df, alpha, "total")
    amounts = not set(found.records.answers()) <= {0, 1}
    return found.table(
        target, estimates, method, amounts=amounts, title=title or heading, statistic="total"
    )


def _total(sums: DomainSums, found: Domains, t: float) -> Estimate:
    if not sums.n:
        return Estimate(0, 0, None, None, None, None)
    total = sum(sums.counted.values())
    scores = {unit: sums.counted.get(unit, 0.0) for unit in sums.weight}
    se = math.sqrt(found.variance(scores))
    return Estimate(sums.n, sums.hits, None, se, total - t * se, total + t * se, total=total)
