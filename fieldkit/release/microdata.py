"""The release check for microdata leaving the study (P13): k-anonymity and individual risk.

Quasi-identifiers are the breakdown variables (sex, exact age, origin, ethnicity,
disability, family, district): together they can single a child out. A public file needs
every combination of them shared by at least ``k`` records in the sample, unweighted (CTDC
publishes with k = 11; a missing value is a category of its own, stricter than sdcMicro's
wildcard), and every record's re-identification risk under ``max_risk``.

The individual risk is sdcMicro's (``indivRisk``, method "approx", Benedetti-Franconi):
with f the sample frequency of a record's combination and F its estimated population
frequency (the sum of the weights), p = f / F and

    f = 1:  r = p / (1 - p) * log(1 / p)
    f = 2:  r = p / (1 - p) - (p / (1 - p))^2 * log(1 / p)
    f > 2:  r = p / (f - (1 - p))
    f = F:  r = 1 / f                      (the whole population is in the sample)

A sample unique weighing 200 scores 2.7%, not the 0.5% that 1 / F would give. The global
risk is the mean of the individual risks (sdcMicro's ``measure_risk``). Exports fail closed
when the check fails, naming the smallest combinations by their value labels.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Rows, Special, Variable

__all__ = ["ReleaseCheck", "check_release", "individual_risk", "quasi_identifiers"]


@dataclass(frozen=True)
class ReleaseCheck:
    table: str
    quasi_identifiers: tuple[str, ...]
    k: int
    smallest_key: int
    records_below_k: int
    global_risk: float
    max_risk: float
    highest_risk: float = 0.0
    offending: tuple[str, ...] = ()
    """The smallest combinations below k, by their value labels (at most five)."""

    @property
    def ok(self) -> bool:
        return self.smallest_key >= self.k and self.highest_risk < self.max_risk

    def raise_if_failed(self) -> None:
        if self.ok:
            return
        named = "; ".join(self.offending)
        raise DatasetError(
            f"table '{self.table}' may not leave the study: {self.records_below_k} records share "
            f"their {', '.join(self.quasi_identifiers)} with fewer than {self.k - 1} others"
            + (f" ({named})" if named else "")
            + f"; highest individual risk {self.highest_risk:.1%} (limit {self.max_risk:.0%})",
            code="FK-DATA-009",
            hint="publish the protected tables instead, or coarsen the quasi-identifiers "
            "(age bands, regions) before a public microdata release",
        )


def quasi_identifiers(table: Rows) -> tuple[str, ...]:
    return tuple(
        v.name
        for v in table.variables
        if v.role is not None and "__" not in v.name and v.origin != "derived"
    )


def check_release(
    table: Rows,
    *,
    keys: Sequence[str] | None = None,
    weight: str | None = None,
    k: int = 11,
    max_risk: float = 0.03,
    language: str = "en",
) -> ReleaseCheck:
    names = tuple(keys) if keys is not None else quasi_identifiers(table)
    positions = [i for i, v in enumerate(table.variables) if v.name in names]
    weight_at = next((i for i, v in enumerate(table.variables) if v.name == weight), None)
    counts: Counter[tuple[Cell, ...]] = Counter()
    mass: dict[tuple[Cell, ...], float] = defaultdict(float)
    for row in table.rows():
        key = tuple(_key(row[i]) for i in positions)
        counts[key] += 1
        mass[key] += _mass(row[weight_at]) if weight_at is not None else 1.0
    total = sum(counts.values())
    risks = {key: individual_risk(count, mass[key]) for key, count in counts.items()}
    labels = [table.variables[i] for i in positions]
    offending = tuple(
        _labelled(labels, key, counts[key], language)
        for key in sorted((key for key, c in counts.items() if c < k), key=lambda q: counts[q])[:5]
    )
    return ReleaseCheck(
        table=table.name,
        quasi_identifiers=names,
        k=k,
        smallest_key=min(counts.values(), default=k),
        records_below_k=sum(c for c in counts.values() if c < k),
        global_risk=sum(risks[key] * c for key, c in counts.items()) / total if total else 0.0,
        max_risk=max_risk,
        highest_risk=max(risks.values(), default=0.0),
        offending=offending,
    )


def individual_risk(f: int, big_f: float) -> float:
    """sdcMicro's approximate individual risk of a record in a combination of ``f`` sample
    records whose weights add up to ``big_f`` (module docstring)."""
    if big_f <= f:
        return 1.0 / f
    p = f / big_f
    if f == 1:
        return p / (1 - p) * math.log(1 / p)
    if f == 2:
        odds = p / (1 - p)
        return odds - odds**2 * math.log(1 / p)
    return p / (f - (1 - p))


def _labelled(variables: Sequence[Variable], key: tuple[Cell, ...], count: int, lang: str) -> str:
    parts = []
    for variable, value in zip(variables, key, strict=True):
        text = variable.value_text(value, lang) if value is not None else None
        parts.append(f"{variable.name}={text or ('missing' if value is None else value)}")
    return f"{', '.join(parts)}: {count}"


def _key(value: Cell) -> Cell:
    return str(value) if isinstance(value, Special) else value


def _mass(value: Cell) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 1.0
