"""k-anonymity of public microdata on the protocol's quasi-identifiers, by local suppression.

The protocol lists the quasi-identifiers (variable names or disaggregation roles, most
important first; defaults in :class:`fieldkit.protocol.schema.ReleaseModel`) and ``k``.
Each table of a public release is checked on the quasi-identifiers it has, counting
records unweighted (a missing value is a category of its own). While some combination
occurs fewer than ``k`` times, the least important quasi-identifier still set is blanked in
the records of those combinations (sdcMicro's local suppression, one variable at a time,
least important first), until every combination occurs ``k`` times or more. A release
that would blank more than the protocol's ``max_suppressed`` share of the values, or whose
highest individual risk (sdcMicro's, with the weights) stays over ``max_risk``, is refused
with the offending combinations named by their labels (FK-DATA-009).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Rows, Table
from fieldkit.protocol.schema import ReleaseModel
from fieldkit.release.microdata import ReleaseCheck, check_release

__all__ = ["Anonymised", "anonymise", "quasi_identifiers_of"]


@dataclass
class Anonymised:
    checks: list[ReleaseCheck] = field(default_factory=list)
    suppressed: dict[str, int] = field(default_factory=dict)
    """Table -> values blanked."""


def quasi_identifiers_of(table: Rows, settings: ReleaseModel) -> tuple[str, ...]:
    """The table's quasi-identifiers, most important first."""
    found: list[str] = []
    for entry in settings.quasi_identifiers:
        for variable in table.variables:
            role = variable.role.value if variable.role is not None else None
            if entry in (variable.name, role) and variable.name not in found:
                found.append(variable.name)
    return tuple(found)


def anonymise(dataset: Dataset, settings: ReleaseModel, language: str) -> Anonymised:
    """Blank quasi-identifier values of ``dataset``'s tables (in place) until each is
    k-anonymous; refuse (FK-DATA-009) when that takes too much or the risk stays high."""
    result = Anonymised()
    design = dataset.study.sample_design
    weight = design.weight if design is not None else None
    for name, rows in list(dataset.tables.items()):
        table = rows if isinstance(rows, Table) else _materialised(rows)
        dataset.tables[name] = table
        keys = quasi_identifiers_of(table, settings)
        before = check_release(table, keys=keys, weight=weight, k=settings.k, language=language)
        blanked = _suppress(table, keys, settings.k)
        result.suppressed[name] = blanked
        share = blanked / (table.n_rows * len(keys)) if table.n_rows and keys else 0.0
        after = check_release(
            table, keys=keys, weight=weight, k=settings.k, max_risk=settings.max_risk,
            language=language,
        )  # fmt: skip
        result.checks.append(after)
        if share > settings.max_suppressed:
            _refuse(before, share, settings)
        after.raise_if_failed()
    return result


def _materialised(rows: Rows) -> Table:
    table = Table(rows.name, rows.variables)
    table.extend(rows.rows())
    return table


def _suppress(table: Table, keys: Sequence[str], k: int) -> int:
    """Blank the least important quasi-identifiers of records in combinations under k."""
    columns = [list(table.column(name)) for name in keys]
    blanked = 0
    for j in reversed(range(len(columns))):
        risky = _risky(columns, k)
        if not risky:
            break
        for i in risky:
            if columns[j][i] is not None:
                columns[j][i] = None
                blanked += 1
    for name, column in zip(keys, columns, strict=True):
        table.add_column(table.variable(name), column)
    return blanked


def _risky(columns: Sequence[list[Cell]], k: int) -> list[int]:
    keys = [tuple(_key(c[i]) for c in columns) for i in range(len(columns[0]))] if columns else []
    counts = Counter(keys)
    return [i for i, key in enumerate(keys) if counts[key] < k]


def _key(value: Cell) -> Cell:
    return None if value is None else str(value)


def _refuse(before: ReleaseCheck, share: float, settings: ReleaseModel) -> None:
    named = "; ".join(before.offending)
    raise DatasetError(
        f"table '{before.table}' may not leave the study as public microdata: making every "
        f"combination of {', '.join(before.quasi_identifiers)} occur {settings.k} times "
        f"would blank {share:.0%} of their values (limit {settings.max_suppressed:.0%})"
        + (f"; smallest combinations: {named}" if named else ""),
        code="FK-DATA-009",
        hint="publish the protected tables instead, or a restricted release under agreement",
    )
