"""Disaggregated counts and percentages with totals.

``crosstab(table, "work_school", by=["sex", "age_band_ilo_cl"], study=study)`` counts the
rows in each category of the variable (columns) for each combination of the breakdown
variables (rows), with subtotals, the ILO 5-14 total, a total row and a total column, and
row percentages. A crosstab hides nothing: it is for internal use as it comes. What may be
published is decided by :mod:`fieldkit.release`, which marks cells ``hidden`` for all the
tables of a release together. Percentages are shown only beside shown counts and shown
totals. A study that is not representative gets its "do not extrapolate" note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fieldkit.dataset.dataset import NOT_REPRESENTATIVE, StudyInfo
from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.stats.breakdown import MISSING, Row, breakdown

__all__ = ["SUPPRESSED", "Crosstab", "crosstab", "left_out_note"]

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
    threshold: int
    notes: list[str] = field(default_factory=list)
    left_out: int = 0
    """Rows with no value for the variable (not asked, unknown)."""
    hidden: set[tuple[int, int]] = field(default_factory=set)
    """Cells a release withholds (none until :mod:`fieldkit.release` decides)."""
    categories: list[Cell] = field(default_factory=list)
    """The variable's code for each column but the last (Total)."""
    source: str = ""
    """The analysis table counted."""
    left_out_hidden: bool = False

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
    """Counts of ``variable``'s categories by ``by``, with totals (nothing hidden)."""
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
        threshold=limit,
        left_out=left_out,
        categories=categories,
        source=table.name,
    )
    result.notes.extend(_notes(study, result, target.universe))
    return result


def _known(value: Cell) -> bool:
    return value is not None and not isinstance(value, Special) and value != MISSING


def _notes(study: StudyInfo, table: Crosstab, universe: str | None) -> list[str]:
    notes = []
    if study.counts_only:
        notes.append(NOT_REPRESENTATIVE)
    if universe:
        notes.append(f"Universe: {universe}.")
    if table.left_out:
        notes.append(left_out_note(table.left_out))
    return notes


def left_out_note(count: int | None) -> str:
    """The note on rows without a value; ``None`` when the count itself is withheld."""
    shown = "Some" if count is None else str(count)
    return f"{shown} rows without a value (not asked or unknown) left out."
