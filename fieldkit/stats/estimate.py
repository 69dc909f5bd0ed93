"""Weighted proportions with Taylor-linearised standard errors and 95% confidence intervals.

For a domain d (a row of the breakdown) and a 0/1 outcome y with weights w::

    p = sum(w y) / sum(w)                      over records of d with a known y
    z_k = w_k (y_k - p) / sum(w)               (0 outside d: a subpopulation, all PSUs kept)
    v = sum_h n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2    PSU totals z_hi, n_h PSUs in h
    se = sqrt(v)
    CI = expit(logit(p) -+ t(0.975, df) se / (p (1 - p))),   df = #PSU - #strata

PSUs are taken as sampled with replacement within strata (the ultimate-cluster variance),
with no finite population correction. This is samplics 0.6 ``TaylorEstimator(PopParam.prop)``
with ``domain=`` and R's ``svyciprop(method = "logit")`` on the full design. The degrees of
freedom are those of the full design for every domain; R's ``svyby`` on a subset counts
only the PSUs of the domain, so its intervals can be wider.

When p is 0 or 1 the linearised variance is 0 and the logit interval would be [p, p]: the
interval is then the Korn-Graubard (1998) exact interval, as R's
``svyciprop(method = "beta")``, with the effective sample size taken as the domain's
records with a known value (Korn and Graubard's rule when the design variance is 0; R's
own effective size p(1-p)/v is 0/0 there) and its degrees-of-freedom adjustment
n* = n (t(n-1) / t(df))^2: [0, 1 - (alpha/2)^(1/n*)] at p = 0, [(alpha/2)^(1/n*), 1] at 1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Table, Variable
from fieldkit.stats.breakdown import Breakdown, Row, breakdown
from fieldkit.stats.domain_sums import (
    DomainSums,
    Records,
    Unit,
    check_weights,
    group_records,
    merged,
)
from fieldkit.stats.student import t_quantile

__all__ = ["Domains", "Estimate", "EstimateTable", "domains", "estimate_proportion", "method_note"]


@dataclass
class Estimate:
    n: int
    """Unweighted records of the domain with a known value."""
    hits: int
    """Unweighted records with the value counted (y = 1; in a total of amounts, y != 0)."""
    proportion: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    hidden: bool = False
    """The estimate is withheld (decided by :mod:`fieldkit.release`)."""
    n_hidden: bool = False
    total: float | None = None
    """The weighted total (in a table of totals; ``proportion`` is then None)."""

    @property
    def value(self) -> float | None:
        return self.proportion if self.total is None else self.total


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
    statistic: str = "proportion"
    """proportion (shown in %) or total (a weighted count or sum)."""
    value: Cell = 1
    """The value whose share is estimated."""
    categories: list[Cell] = field(default_factory=list)
    """The variable's labelled codes (what a domain's ``n`` may hold); for a variable without
    labels (a CSV column, an amount), the values its records hold."""
    source: str = ""
    """The analysis table the estimates come from."""
    amounts: bool = False
    """A total of amounts (hours, earnings), not of a 0/1 indicator: ``hits`` are the records
    with a non-zero amount, and few records with a zero amount withhold nothing."""

    @property
    def scale(self) -> float:
        """What the published table multiplies values by (100 for percentages)."""
        return 100.0 if self.statistic == "proportion" else 1.0

    @property
    def headings(self) -> tuple[str, ...]:
        if self.statistic == "proportion":
            return ("n", "%", "SE (% points)", "95% CI low (%)", "95% CI high (%)")
        return ("n", "Total", "SE", "95% CI low", "95% CI high")


@dataclass
class Domains:
    """What every estimate of one table needs: the design, the grouped records, the rows."""

    study: StudyInfo
    records: Records
    structure: Breakdown
    limit: int
    source: str
    """The analysis table the records come from."""

    @property
    def df(self) -> int:
        return self.records.df

    def leaves(self, value: Cell, *, numeric: bool = False) -> list[DomainSums]:
        """Per row of the breakdown, the sums of the records it covers."""
        leaves = self.records.leaf_sums(self.structure, value, numeric=numeric)
        return [
            merged([leaves[leaf] for leaf in covered if leaf in leaves])
            for covered in _domains(self.structure)
        ]

    def variance(self, scores: dict[Unit, float]) -> float:
        """Ultimate-cluster variance of PSU totals ``scores`` (units without a record of the
        domain score 0: each stratum's untouched units enter as (0 - mean)^2)."""
        touched: dict[str, list[float]] = defaultdict(list)
        for unit, score in scores.items():
            touched[unit[0]].append(score)
        variance = 0.0
        for stratum, found in touched.items():
            n = len(self.records.strata[stratum])
            mean = sum(found) / n
            spread = sum((s - mean) ** 2 for s in found) + (n - len(found)) * mean**2
            variance += n / (n - 1) * spread
        return variance

    def table(
        self,
        target: Variable,
        estimates: list[Estimate],
        method: str,
        *,
        value: Cell = 1,
        amounts: bool = False,
        **text: str,
    ) -> EstimateTable:
        """The published shape of ``estimates``; what to withhold is the release's decision
        (:mod:`fieldkit.release`), made from ``value``, ``categories`` and ``source``."""
        return EstimateTable(
            title=text["title"],
            variable=target.name,
            by=self.structure.variables,
            rows=self.structure.rows,
            estimates=estimates,
            df=self.df,
            n_psu=self.df + len(self.records.strata),
            n_strata=len(self.records.strata),
            threshold=self.limit,
            method=method,
            notes=[method],
            statistic=text.get("statistic", "proportion"),
            value=value,
            categories=list(target.value_labels) or self.records.answers(),
            source=self.source,
            amounts=amounts,
        )


def domains(
    table: Table,
    variable: str,
    by: Sequence[str],
    *,
    study: StudyInfo,
    language: str,
    threshold: int | None,
) -> Domains:
    """Check the design and group the records once, for proportions and totals alike."""
    sample = study.require_estimates()
    records = group_records(table, sample, variable, by)
    limit = study.small_cell_threshold if threshold is None else threshold
    structure = breakdown(table, by, language, found=records.found())
    check_weights(table, sample, variable)
    if records.df <= 0:
        raise DatasetError("no degrees of freedom (#PSU - #strata <= 0)", code="FK-DATA-008")
    return Domains(study, records, structure, limit, table.name)


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
    found = domains(table, variable, by, study=study, language=language, threshold=threshold)
    t = t_quantile(1 - alpha / 2, found.df)
    estimates = [_proportion(sums, found, t, alpha) for sums in found.leaves(value)]
    target = table.variable(variable)
    method = method_note(study, found.df, alpha, "proportion")
    return found.table(target, estimates, method, value=value, title=title or target.text(language))


def _domains(structure: Breakdown) -> list[set[int]]:
    """For every row, the leaf rows it covers."""
    covered: list[set[int]] = []
    for position, row in enumerate(structure.rows):
        if row.children:
            covered.append(set().union(*(covered[i] for i in row.children)))
        else:
            covered.append({position})
    return covered


def _proportion(sums: DomainSums, found: Domains, t: float, alpha: float) -> Estimate:
    total = sum(sums.weight.values())
    if not sums.n or total <= 0:
        return Estimate(0, 0, None, None, None, None)
    p = sum(sums.counted.values()) / total
    # A unit's score, sum of w (y - p) / total over its records, from its two sums.
    scores = {
        unit: (sums.counted.get(unit, 0.0) - p * w) / total for unit, w in sums.weight.items()
    }
    se = math.sqrt(found.variance(scores))
    if p <= 0.0 or p >= 1.0:
        low, high = korn_graubard_bound(p, sums.n, found.df, alpha)
    else:
        low, high = _logit_interval(p, se, t)
    return Estimate(sums.n, sums.hits, p, se, low, high)


def _logit_interval(p: float, se: float, t: float) -> tuple[float, float]:
    centre = math.log(p / (1 - p))
    half = t * se / (p * (1 - p))
    return _expit(centre - half), _expit(centre + half)


def korn_graubard_bound(p: float, n: int, df: int, alpha: float) -> tuple[float, float]:
    """The Korn-Graubard interval at p = 0 or 1, effective size n, df-adjusted."""
    size = float(n)
    if n > 1:
        size *= (t_quantile(1 - alpha / 2, n - 1) / t_quantile(1 - alpha / 2, df)) ** 2
    edge = (alpha / 2) ** (1.0 / size)
    return (0.0, 1.0 - edge) if p <= 0.0 else (edge, 1.0)


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def method_note(study: StudyInfo, df: int, alpha: float, statistic: str) -> str:
    sample = study.sample_design
    assert sample is not None
    stratum = sample.stratum or "(one stratum)"
    level = round(100 * (1 - alpha))
    design = (
        f"Weighted by {sample.weight}. Standard errors by Taylor linearisation, PSUs "
        f"({sample.psu}) taken as sampled with replacement within strata ({stratum}), no "
        f"finite population correction; domains as subpopulations of the full design. "
        f"Degrees of freedom: df = #PSU - #strata = {df} of the full design, for every "
        "domain (R's svyby on a subset would count only the domain's PSUs). "
    )
    if statistic == "total":
        return design + (
            f"{level}% confidence intervals: total -+ t(df) SE (as R svytotal with "
            "confint(df = degf(design)) and samplics TaylorEstimator)."
        )
    return design + (
        f"{level}% confidence intervals on the logit scale with Student's t (as samplics "
        "TaylorEstimator and R svyciprop(method='logit')); where the proportion is 0 or 1 "
        "the Korn-Graubard interval (R svyciprop(method='beta')) with the domain's records "
        "as effective sample size, since the logit interval has no width there."
    )
