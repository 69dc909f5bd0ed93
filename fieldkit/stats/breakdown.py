"""The rows of a disaggregated table: every combination of the breakdown variables, with
subtotals, the age scheme's totals (ILO 5-14), and a grand total, and how they add up."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress

from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable
from fieldkit.indicators.agebands import OUTSIDE, SCHEMES, AgeScheme

__all__ = ["MISSING", "Breakdown", "Row", "breakdown"]

MISSING = "(not stated)"


@dataclass
class Row:
    """One row: the values it covers per breakdown variable (None: all), and its kind."""

    key: tuple[Cell | tuple[Cell, ...] | None, ...]
    labels: tuple[str, ...]
    kind: str
    """cell, subtotal (a prefix of the breakdown, or an age scheme total) or total."""
    children: list[int] = field(default_factory=list)

    def covers(self, values: Sequence[Cell]) -> bool:
        for wanted, value in zip(self.key, values, strict=True):
            if wanted is None:
                continue
            if isinstance(wanted, tuple):
                if value not in wanted:
                    return False
            elif value != wanted:
                return False
        return True


@dataclass
class Breakdown:
    variables: tuple[str, ...]
    rows: list[Row]

    def __post_init__(self) -> None:
        self._leaves = {r.key: i for i, r in enumerate(self.rows) if r.kind == "cell"}

    def leaf_of(self, values: Sequence[Cell]) -> int | None:
        """The row a record falls in (the total when nothing is broken down)."""
        if not self.variables:
            return len(self.rows) - 1
        return self._leaves.get(tuple(_norm(v) for v in values))

    def aggregate(self, leaf_values: list[float]) -> None:
        """Fill aggregate rows in place: each is the sum of its children (listed before it)."""
        for position, row in enumerate(self.rows):
            if row.children:
                leaf_values[position] = sum(leaf_values[i] for i in row.children)

    def relations(self) -> list[tuple[int, list[int]]]:
        """(aggregate row, the rows that add up to it) for every aggregate row."""
        return [(i, r.children) for i, r in enumerate(self.rows) if r.children]


def _categories(
    table: Table, name: str, keep: Sequence[bool] | None, found: Iterable[Cell] | None
) -> list[Cell]:
    variable = table.variable(name)
    if found is None:
        column = table.column(name)
        found = dict.fromkeys(column if keep is None else compress(column, keep))
    # Each distinct cell normalised once, in the order first found: the same set (and order
    # of categories tied by the sort below) as normalising the kept rows one by one.
    seen = {_norm(v) for v in found}
    # Every labelled code is a row, except the codes of ages outside an age scheme: those
    # only when found, kept apart from "(not stated)".
    ordered: list[Cell] = [c for c in variable.value_labels if not _outside(c) or c in seen]
    ordered += sorted((v for v in seen if v not in ordered and v != MISSING), key=str)
    if MISSING in seen:
        ordered.append(MISSING)
    return ordered


def _outside(code: Cell) -> bool:
    return isinstance(code, str) and code.startswith(OUTSIDE)


def _norm(value: Cell) -> Cell:
    return MISSING if value is None or isinstance(value, Special) else value


def _label(variable: Variable, value: Cell, language: str) -> str:
    if value == MISSING:
        return MISSING
    return variable.value_text(value, language) or str(value)


def _scheme_of(variable: Variable) -> AgeScheme | None:
    for known in SCHEMES.values():
        if variable.name == known.variable_name:
            return known
    return None


def breakdown(
    table: Table,
    by: Sequence[str],
    language: str = "en",
    keep: Sequence[bool] | None = None,
    found: Sequence[Iterable[Cell]] | None = None,
) -> Breakdown:
    """Rows for ``by``: leaves in order, a subtotal after each group, the total last.

    Categories are every labelled code, plus any other value found among the rows kept
    (``keep``), plus "(not stated)" when a kept row has no value. A caller that already
    knows the distinct cells of each variable among the kept rows, in the order first
    found, passes them as ``found`` and the table is not read again.
    """
    if len(by) > 4:
        raise DatasetError(
            "a table can cross at most 4 variables", code="FK-DATA-007", hint="split it"
        )
    if not by:
        return Breakdown((), [Row((), ("Total",), "total")])
    variables = [table.variable(name) for name in by]
    categories = [
        _categories(table, name, keep, None if found is None else found[i])
        for i, name in enumerate(by)
    ]
    rows: list[Row] = []
    top_children = _level(rows, variables, categories, (), language)
    rows.append(Row(tuple(None for _ in by), ("Total",) * len(by), "total", top_children))
    return Breakdown(tuple(by), rows)


def _level(
    rows: list[Row],
    variables: list[Variable],
    categories: list[list[Cell]],
    prefix: tuple[Cell, ...],
    language: str,
) -> list[int]:
    """Append the rows under ``prefix``; return the positions of its direct children."""
    depth = len(prefix)
    rest = len(variables) - depth - 1
    children: list[int] = []
    for value in categories[depth]:
        key = (*prefix, value)
        labels = tuple(_label(v, k, language) for v, k in zip(variables, key, strict=False))
        if rest == 0:
            rows.append(Row((*key,), labels, "cell"))
            children.append(len(rows) - 1)
            continue
        grand = _level(rows, variables, categories, key, language)
        total_labels = (*labels, *(["All"] * rest))
        rows.append(Row((*key, *([None] * rest)), total_labels, "subtotal", grand))
        children.append(len(rows) - 1)
    if variables:
        _scheme_totals(rows, variables[depth], children, prefix, len(variables) - depth - 1)
    return children


def _scheme_totals(
    rows: list[Row], variable: Variable, children: list[int], prefix: tuple[Cell, ...], rest: int
) -> None:
    """Partial totals of an age scheme (ILO 5-14) after the bands they add up."""
    scheme = _scheme_of(variable)
    if scheme is None or rest:
        return
    for total in scheme.totals:
        codes = scheme.totals_of(total)
        parts = [i for i in children if rows[i].key[len(prefix)] in codes]
        if len(parts) == len(children):
            continue  # the same rows as the total: ages outside it or not stated are absent
        labels = (*(rows[parts[0]].labels[: len(prefix)] if parts else ()), total.label)
        rows.append(Row((*prefix, tuple(codes)), labels, "subtotal", parts))
