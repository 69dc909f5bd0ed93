"""Small-cell suppression with secondary suppression, checked by linear algebra.

A published table is a grid of counts tied together by linear relations: each row adds up
to its total, each column's cells add up to the column's subtotals and total. A reader who
knows every shown number can solve those relations for a hidden cell when it is the only
unknown in one of them, or, less obviously, when a combination of relations pins it down.

:func:`suppress` hides every count from 1 to ``threshold - 1`` (primary suppression), then
repeats until nothing changes:

1. every relation with exactly one hidden cell gets a second one (the smallest non-zero
   shown cell of that relation, a margin only when no inner cell is left);
2. :func:`determined_cells` solves the relations exactly (Gaussian elimination over
   fractions) and, for any hidden cell still pinned down, hides one more cell beside it.

Zeros are shown: a zero is not a person. Primary and secondary cells look the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["Cell", "Relation", "determined_cells", "suppress"]

Cell = tuple[int, int]
"""(row, column) in the grid."""


@dataclass(frozen=True, slots=True)
class Relation:
    """``sum(parts) == total``: a row adding to its total, or rows adding to a subtotal."""

    parts: tuple[Cell, ...]
    total: Cell

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.parts, self.total)


def suppress(
    counts: Sequence[Sequence[int]], relations: Sequence[Relation], threshold: int
) -> set[Cell]:
    """The cells to hide so no count from 1 to threshold-1 shows or can be worked out."""
    hidden = {
        (r, c)
        for r, row in enumerate(counts)
        for c, value in enumerate(row)
        if 0 < value < threshold
    }
    while True:
        if _pair_up(counts, relations, hidden):
            continue
        pinned = determined_cells(relations, hidden)
        if not pinned or not _hide_beside(counts, relations, hidden, pinned):
            return hidden


def _pair_up(
    counts: Sequence[Sequence[int]], relations: Sequence[Relation], hidden: set[Cell]
) -> bool:
    changed = False
    for relation in relations:
        if sum(cell in hidden for cell in relation.cells) == 1:
            partner = _partner(counts, relation, hidden)
            if partner is not None:
                hidden.add(partner)
                changed = True
    return changed


def _partner(counts: Sequence[Sequence[int]], relation: Relation, hidden: set[Cell]) -> Cell | None:
    """The cell to hide next in a relation: the smallest non-zero shown part, else the total."""
    shown = [cell for cell in relation.parts if cell not in hidden and _value(counts, cell) > 0]
    if shown:
        return min(shown, key=lambda cell: (_value(counts, cell), cell))
    if relation.total not in hidden:
        return relation.total
    zeros = [cell for cell in relation.parts if cell not in hidden]
    return min(zeros) if zeros else None


def _value(counts: Sequence[Sequence[int]], cell: Cell) -> int:
    return counts[cell[0]][cell[1]]


def _hide_beside(
    counts: Sequence[Sequence[int]],
    relations: Sequence[Relation],
    hidden: set[Cell],
    pinned: Iterable[Cell],
) -> bool:
    """Hide one more cell in a relation of a pinned cell (else anywhere near hidden ones)."""
    pinned = sorted(pinned)
    touching = [r for r in relations if any(c in r.cells for c in pinned)]
    touching += [r for r in relations if any(c in hidden for c in r.cells)]
    for relation in touching:
        partner = _partner(counts, relation, hidden)
        if partner is not None:
            hidden.add(partner)
            return True
    return False


def determined_cells(relations: Sequence[Relation], hidden: set[Cell]) -> set[Cell]:
    """Hidden cells whose value follows exactly from the shown cells and the relations.

    Unknowns are the hidden cells; each relation is one linear equation among them. A cell
    is determined exactly when its unit vector lies in the row space of the equations, which
    in reduced row echelon form means a row with a single non-zero entry, at that cell.
    """
    unknowns = sorted(hidden)
    index = {cell: i for i, cell in enumerate(unknowns)}
    matrix: list[list[Fraction]] = []
    for relation in relations:
        row = [Fraction(0)] * len(unknowns)
        for cell in relation.parts:
            if cell in index:
                row[index[cell]] += 1
        if relation.total in index:
            row[index[relation.total]] -= 1
        if any(row):
            matrix.append(row)
    reduced = _rref(matrix, len(unknowns))
    found = set()
    for row in reduced:
        nonzero = [i for i, value in enumerate(row) if value != 0]
        if len(nonzero) == 1:
            found.add(unknowns[nonzero[0]])
    return found


def _rref(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    rows = [list(r) for r in matrix]
    pivot_row = 0
    for column in range(width):
        found = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if found is None:
            continue
        rows[pivot_row], rows[found] = rows[found], rows[pivot_row]
        pivot = rows[pivot_row][column]
        rows[pivot_row] = [value / pivot for value in rows[pivot_row]]
        for r, row in enumerate(rows):
            if r != pivot_row and row[column] != 0:
                factor = row[column]
                rows[r] = [a - factor * b for a, b in zip(row, rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]
