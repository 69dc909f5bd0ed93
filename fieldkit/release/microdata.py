"""The release check for microdata leaving the study (P13): k-anonymity and global risk.

Quasi-identifiers are the breakdown variables (sex, exact age, origin, ethnicity,
disability, family, district): together they can single a child out. A public file needs
every combination of them shared by at least ``k`` records (CTDC publishes with k = 11) and
a global re-identification risk under ``max_risk`` (HDX publishes under 3%), where a
record's risk is 1 / (its combination's estimated population count: the sum of the weights,
or the number of records when unweighted), as sdcMicro's individual risk without the
negative binomial model. Exports fail closed when the check fails.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Rows, Special

__all__ = ["ReleaseCheck", "check_release", "quasi_identifiers"]


@dataclass(frozen=True)
class ReleaseCheck:
    table: str
    quasi_identifiers: tuple[str, ...]
    k: int
    smallest_key: int
    records_below_k: int
    global_risk: float
    max_risk: float

    @property
    def ok(self) -> bool:
        return self.smallest_key >= self.k and self.global_risk < self.max_risk

    def raise_if_failed(self) -> None:
        if self.ok:
            return
        raise DatasetError(
            f"table '{self.table}' may not leave the study: {self.records_below_k} records share "
            f"their {', '.join(self.quasi_identifiers)} with fewer than {self.k - 1} others; "
            f"global risk {self.global_risk:.1%} (limit {self.max_risk:.0%})",
            code="FK-DATA-009",
            hint="publish the suppressed tables instead, or coarsen the quasi-identifiers "
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
    risk = sum(count / mass[key] for key, count in counts.items()) / total if total else 0.0
    return ReleaseCheck(
        table=table.name,
        quasi_identifiers=names,
        k=k,
        smallest_key=min(counts.values(), default=k),
        records_below_k=sum(c for c in counts.values() if c < k),
        global_risk=risk,
        max_risk=max_risk,
    )


def _key(value: Cell) -> Cell:
    return str(value) if isinstance(value, Special) else value


def _mass(value: Cell) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 1.0
