"""Ratios of domain proportions (relative risks) with Taylor-linearised confidence intervals.

A vulnerability profile asks how much more often children of one group have an outcome
than children of a reference group: RR_g = p_g / p_r, with p_d = sum(w y) / sum(w) over the
records of domain d with a known y (:mod:`fieldkit.stats.estimate`). Both shares come from
the same design, so their covariance counts; the log of the ratio is linearised::

    z_k = s_gk / p_g - s_rk / p_r,     s_dk = w_k 1{k in d} (y_k - p_d) / sum_d(w)
    v = sum_h n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2      PSU totals z_hi
    CI = exp(log(RR) -+ t(0.975, df) sqrt(v)),               df = #PSU - #strata

This is R's ``survey`` package::

    d <- svydesign(ids = ~psu, strata = ~stratum, weights = ~weight, nest = TRUE, data = x)
    m <- svyby(~y, ~group, d, svymean, na.rm = TRUE, covmat = TRUE)
    r <- svycontrast(m, quote(log(`g` / `r`)))
    exp(confint(r, df = degf(d)))                              # the interval
    exp(coef(r)); SE(r) * exp(coef(r))                         # the ratio and its SE

(``svyratio`` of y 1{g} over 1{g} gives the same p_g and the same scores.) The ratio is not
given when either share is 0 (its log is not finite).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Table
from fieldkit.stats.breakdown import MISSING
from fieldkit.stats.domain_sums import DomainSums, Unit
from fieldkit.stats.estimate import (
    Domains,
    Estimate,
    EstimateTable,
    domains,
    estimate_proportion,
)
from fieldkit.stats.student import t_quantile

__all__ = ["Ratio", "RatioTable", "estimate_ratios", "ratio_of"]


@dataclass
class Ratio:
    value: float
    se: float
    """Of the ratio (delta method: RR times the SE of log RR)."""
    ci_low: float
    ci_high: float


@dataclass
class RatioTable(EstimateTable):
    """A table of weighted shares by one characteristic, with each group's share as a ratio
    to the reference group's. A ratio is shown only where both shares are shown."""

    reference: int = -1
    """The row of the reference group."""
    ratios: list[Ratio | None] = field(default_factory=list)

    def shown_ratio(self, row: int) -> Ratio | str | None:
        """The ratio, None where there is none, "x" where a share it rests on is hidden."""
        ratio = self.ratios[row]
        if ratio is None:
            return None
        if self.estimates[row].hidden or self.estimates[self.reference].hidden:
            return "x"
        return ratio

    @property
    def reference_label(self) -> str:
        return " / ".join(self.rows[self.reference].labels)


def estimate_ratios(
    table: Table,
    variable: str,
    by: str,
    *,
    study: StudyInfo,
    reference: Cell | None = None,
    value: Cell = 1,
    alpha: float = 0.05,
    language: str = "en",
    title: str | None = None,
    threshold: int | None = None,
) -> RatioTable:
    """The weighted share of ``variable == value`` in each group of ``by`` and its ratio to
    the share of the ``reference`` group (default: the group with the most records)."""
    shares = estimate_proportion(
        table, variable, [by], study=study, value=value, alpha=alpha, language=language,
        title=title, threshold=threshold,
    )  # fmt: skip
    found = domains(table, variable, [by], study=study, language=language, threshold=threshold)
    leaves = found.leaves(value)
    groups = [i for i, row in enumerate(found.structure.rows) if row.kind == "cell"]
    base = _reference_row(found, groups, shares.estimates, reference)
    t = t_quantile(1 - alpha / 2, found.df)
    ratios = [
        None if i == base or i not in groups else ratio_of(leaves[i], leaves[base], found, t)
        for i in range(len(found.structure.rows))
    ]
    result = RatioTable(**vars(shares), reference=base, ratios=ratios)
    result.notes.append(_ratio_note(result, found.df, alpha))
    return result


def _reference_row(
    found: Domains, groups: list[int], estimates: list[Estimate], reference: Cell | None
) -> int:
    rows = found.structure.rows
    if reference is None:
        known = [i for i in groups if rows[i].key[0] != MISSING] or groups
        return max(known, key=lambda i: (estimates[i].n, -i))
    for i in groups:
        if rows[i].key[0] == reference or str(rows[i].key[0]) == str(reference):
            return i
    names = ", ".join(str(rows[i].key[0]) for i in groups)
    raise DatasetError(
        f"no group '{reference}' in {found.structure.variables[0]}",
        code="FK-DATA-060",
        hint=f"the reference group is one of: {names}",
    )


def ratio_of(group: DomainSums, base: DomainSums, found: Domains, t: float) -> Ratio | None:
    """RR = p_group / p_base with its log-scale interval; None when a share is 0."""
    p_group, w_group = _share(group)
    p_base, w_base = _share(base)
    if not p_group or not p_base:
        return None
    scores: dict[Unit, float] = {}
    for sums, p, total, sign in ((group, p_group, w_group, 1.0), (base, p_base, w_base, -1.0)):
        for unit, w in sums.weight.items():
            score = (sums.counted.get(unit, 0.0) - p * w) / total / p
            scores[unit] = scores.get(unit, 0.0) + sign * score
    se_log = math.sqrt(found.variance(scores))
    ratio = p_group / p_base
    half = t * se_log
    return Ratio(ratio, ratio * se_log, ratio * math.exp(-half), ratio * math.exp(half))


def _share(sums: DomainSums) -> tuple[float | None, float]:
    total = sum(sums.weight.values())
    if not sums.n or total <= 0:
        return None, total
    return sum(sums.counted.values()) / total, total


def _ratio_note(table: RatioTable, df: int, alpha: float) -> str:
    level = round(100 * (1 - alpha))
    return (
        f"Ratio: each group's share divided by the share of the reference group "
        f"({table.reference_label}), with a {level}% interval on the log scale from the "
        f"linearised covariance of the two shares, t({df}) (as R svyby(covmat = TRUE) with "
        "svycontrast of log(g / r)); none where a share is 0; withheld where either share is."
    )
