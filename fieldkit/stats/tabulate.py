"""Disaggregated counts and percentages with totals, small cells suppressed.

``crosstab(table, "work_school", by=["sex", "age_band_ilo_cl"], study=study)`` counts the
rows in each category of the variable (columns) for each combination of the breakdown
variables (rows), with subtotals, the ILO 5-14 total, a total row and a total column, and
row percentages. Counts from 1 to the protocol's threshold minus one are hidden, and so are
as many others as it takes for no hidden count to be worked out from the totals
(:mod:`fieldkit.release.suppress`). Percentages are shown only beside shown counts and
shown totals. A study that is not representative gets its "do not extrapolate" note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import NOT_REPRESENTATIVE, StudyInfo
from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.release.suppress import Relation, suppress
from fieldkit.stats.breakdown import MISSING, Breakdown, Row, breakdown

__all__ = ["SUPPRESSED", "Crosstab", "crosstab", "relations"]

SUPPRESSED = "x"
"""What a hidden cell shows."""


@dataclass
class Crosstab:
    title: str
    variable: str
    by: tuple[str, ...]
    rows: list[Row]
    columns: list[str]
    """Category labels, then "Total"."""
    counts: list[list[int]]
    hidden: set[tuple[int, int]]
    threshold: int
    notes: list[str] = field(default_factory=list)
    left_out: int = 0
    """Rows with no value for the variable (not asked, unknown)."""

    def count(self, row: int, column: int) -> int | str:
        """What the published table shows: the count, or the suppression marker."""
        if (row, column) in self.hidden:
            return SUPPRESSED
        return self.counts[row][column]

    def percent(self, row: int, column: int) -> float | str | None:
        """The row percentage, hidden whenever its count or its row total is hidden."""
        total_column = len(self.columns) - 1
        if (row, column) in self.hidden or (row, total_column) in self.hidden:
            return SUPPRESSED
        total = self.counts[row][total_column]
        return None if total == 0 else 100.0 * self.counts[row][column] / total

    def published(self) -> list[list[int | str]]:
        return [[self.count(r, c) for c in range(len(self.columns))] for r in range(len(self.rows))]


def relations(structure: Breakdown, n_columns: int) -> list[Relation]:
    """Every row adds up to its total column; every aggregate row is the sum of its parts."""
    found = [
        Relation(tuple((r, c) for c in range(n_columns - 1)), (r, n_columns - 1))
        for r in range(len(structure.rows))
    ]
    for aggregate, parts in structure.relations():
        for c in range(n_columns):
            found.append(Relation(tuple((p, c) for p in parts), (aggregate, c)))
    return found


def crosstab(
    table: Table,
    variable: str,
    by: Sequence[str] = (),
    *,
    study: StudyInfo,
    language: str = "en",
    title: str | None = None,
    threshold: int | None = None,
) -> Crosstab:
    """Counts of ``variable``'s categories by ``by``, with totals, suppressed for publication."""
    limit = study.small_cell_threshold if threshold is None else threshold
    known = [_known(v) for v in table.column(variable)]
    structure = breakdown(table, by, language, known)
    target = table.variable(variable)
    labelled = list(target.value_labels)
    others = {v for v in table.column(variable) if _known(v) and v not in target.value_labels}
    categories = labelled + sorted(others, key=str)
    position = {code: i for i, code in enumerate(categories)}
    width = len(categories) + 1
    counts = [[0] * width for _ in structure.rows]
    left_out = 0
    by_columns = [table.column(name) for name in by]
    for i, value in enumerate(table.column(variable)):
        leaf = structure.leaf_of([column[i] for column in by_columns])
        if not _known(value) or leaf is None or value not in position:
            left_out += 1
            continue
        counts[leaf][position[value]] += 1
    for c in range(width - 1):
        column = [float(row[c]) for row in counts]
        structure.aggregate(column)
        for r, value in enumerate(column):
            counts[r][c] = int(value)
    for row in counts:
        row[-1] = sum(row[:-1])
    labels = [target.value_text(code, language) or str(code) for code in categories]
    result = Crosstab(
        title=title or target.text(language),
        variable=variable,
        by=tuple(by),
        rows=structure.rows,
        columns=[*labels, "Total"],
        counts=counts,
        hidden=suppress(counts, relations(structure, width), limit),
        threshold=limit,
        left_out=left_out,
    )
    result.notes.extend(_notes(study, result, target.universe))
    return result


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special) and value != MISSING


def _notes(study: StudyInfo, table: Crosstab, universe: str | None) -> list[str]:
    notes = []
    if study.counts_only:
        notes.append(NOT_REPRESENTATIVE)
    notes.append(
        f"{SUPPRESSED}: hidden to protect the people counted (counts from 1 to "
        f"{table.threshold - 1}, and others so hidden counts cannot be worked out from totals)."
    )
    if universe:
        notes.append(f"Universe: {universe}.")
    if table.left_out:
        shown = (
            str(table.left_out)
            if table.left_out >= table.threshold
            else f"fewer than {table.threshold}"
        )
        notes.append(f"{shown} rows without a value (not asked or unknown) left out.")
    return notes
