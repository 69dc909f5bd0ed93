"""Weighted proportions with Taylor-linearised standard errors and 95% confidence intervals.

For a domain d (a row of the breakdown) and a 0/1 outcome y with weights w::

    p = sum(w y) / sum(w)                      over records of d with a known y
    z_k = w_k (y_k - p) / sum(w)               (0 outside d: a subpopulation, all PSUs kept)
    v = sum_h n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2    PSU totals z_hi, n_h PSUs in h
    se = sqrt(v)
    CI = expit(logit(p) -+ t(0.975, df) se / (p (1 - p))),   df = #PSU - #strata

PSUs are taken as sampled with replacement within strata (the ultimate-cluster variance),
with no finite population correction. This is samplics 0.6 ``TaylorEstimator(PopParam.prop)``
with ``domain=`` and R's ``svyciprop(method = "logit")``; when p is 0 or 1 the interval is
[p, p], as samplics gives it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Table
from fieldkit.stats.breakdown import Breakdown, Row, breakdown
from fieldkit.stats.domain_sums import DomainSums, Records, check_weights, group_records, merged
from fieldkit.stats.student import t_quantile

__all__ = ["Estimate", "EstimateTable", "estimate_proportion"]


@dataclass
class Estimate:
    n: int
    """Unweighted records of the domain with a known value."""
    hits: int
    """Unweighted records with the value counted (y = 1)."""
    proportion: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    hidden: bool = False
    """The estimate is withheld (decided by :mod:`fieldkit.release`)."""
    n_hidden: bool = False


@dataclass
class EstimateTable:
    title: str
    variable: str
    by: tuple[str, ...]
    rows: list[Row]
    estimates: list[Estimate]
    df: int
    n_psu: int
    n_strata: int
    threshold: int
    method: str
    notes: list[str] = field(default_factory=list)
    value: Cell = 1
    """The value whose share is estimated."""
    categories: list[Cell] = field(default_factory=list)
    """The variable's labelled codes (what a domain's ``n`` may hold)."""
    source: str = ""
    """The analysis table the estimates come from."""


def estimate_proportion(
    table: Table,
    variable: str,
    by: Sequence[str] = (),
    *,
    study: StudyInfo,
    value: Cell = 1,
    alpha: float = 0.05,
    language: str = "en",
    title: str | None = None,
    threshold: int | None = None,
) -> EstimateTable:
    """The weighted share of records with ``variable == value``, by domain."""
    sample = study.require_estimates()
    records = group_records(table, sample, variable, by)
    limit = study.small_cell_threshold if threshold is None else threshold
    structure = breakdown(table, by, language, found=records.found())
    check_weights(table, sample, variable)
    if records.df <= 0:
        raise DatasetError("no degrees of freedom (#PSU - #strata <= 0)", code="FK-DATA-008")
    t = t_quantile(1 - alpha / 2, records.df)
    leaves = records.leaf_sums(structure, value)
    estimates = [
        _estimate(merged([leaves[leaf] for leaf in covered if leaf in leaves]), records, t)
        for covered in _domains(structure)
    ]
    target = table.variable(variable)
    method = _method(study, records.df, alpha)
    return EstimateTable(
        title=title or target.text(language),
        variable=variable,
        by=tuple(by),
        rows=structure.rows,
        estimates=estimates,
        df=records.df,
        n_psu=records.df + len(records.strata),
        n_strata=len(records.strata),
        threshold=limit,
        method=method,
        notes=[method],
        value=value,
        categories=list(target.value_labels),
        source=table.name,
    )


def _domains(structure: Breakdown) -> list[set[int]]:
    """For every row, the leaf rows it covers."""
    covered: list[set[int]] = []
    for position, row in enumerate(structure.rows):
        if row.children:
            covered.append(set().union(*(covered[i] for i in row.children)))
        else:
            covered.append({position})
    return covered


def _estimate(sums: DomainSums, records: Records, t: float) -> Estimate:
    total = sum(sums.weight.values())
    if not sums.n or total <= 0:
        return Estimate(0, 0, None, None, None, None)
    p = sum(sums.counted.values()) / total
    # A unit's score, sum of w (y - p) / total over its records, from its two sums.
    # Units without a record of the domain score 0: only strata the domain touches add to
    # the variance, and each stratum's untouched units enter as (0 - mean)^2 without a loop.
    touched: dict[str, list[float]] = defaultdict(list)
    for unit, w in sums.weight.items():
        touched[unit[0]].append((sums.counted.get(unit, 0.0) - p * w) / total)
    variance = 0.0
    for stratum, scores in touched.items():
        n = len(records.strata[stratum])
        mean = sum(scores) / n
        spread = sum((s - mean) ** 2 for s in scores) + (n - len(scores)) * mean**2
        variance += n / (n - 1) * spread
    se = math.sqrt(variance)
    low, high = _logit_interval(p, se, t)
    return Estimate(sums.n, sums.hits, p, se, low, high)


def _logit_interval(p: float, se: float, t: float) -> tuple[float, float]:
    if p <= 0.0 or p >= 1.0:
        return p, p
    centre = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return _expit(centre - half), _expit(centre + half)


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _method(study: StudyInfo, df: int, alpha: float) -> str:
    sample = study.sample_design
    assert sample is not None
    stratum = sample.stratum or "(one stratum)"
    level = round(100 * (1 - alpha))
    return (
        f"Weighted by {sample.weight}. Standard errors by Taylor linearisation, PSUs "
        f"({sample.psu}) taken as sampled with replacement within strata ({stratum}), no "
        f"finite population correction; domains as subpopulations. {level}% confidence "
        f"intervals on the logit scale with Student's t, df = #PSU - #strata = {df} "
        "(as samplics TaylorEstimator and R svyciprop(method='logit'))."
    )
