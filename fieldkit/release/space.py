"""The atoms of a release: the finest groups of records its published counts tell apart.

Every published count is the number of records of one analysis table whose values fall in
given sets (``where``: sex in {1}, age band in {5-11, 12-14}, child labour in {0, 1}). The
variables any count of the release names span a cube; an atom is one cell of it. The
attacker the audit models knows:

- every published count, and that counts are whole and never negative;
- which variables are *missing together* (a child outside every indicator's universe has
  none of them): the universes are published, so atoms whose pattern of missing values no
  record has are left out;
- nothing else: not how the values of two variables go together. Two child-labour rules
  tabulated by the same breakdown are two margins of one cube, not one table.

This is the model tau-Argus uses for linked tables (one cover table over all spanning
variables), with the missing-value patterns of the data as structural zeros.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.release.errors import ReleaseError
from fieldkit.stats.breakdown import MISSING

__all__ = ["MAX_ATOMS", "Space", "Where", "build_space"]

Where = Mapping[str, frozenset[Cell] | None]
"""Variable -> the values a record must have (MISSING stands for no value; None for any value
but no value); a variable not named: anything."""

MAX_ATOMS = 200_000
"""More combinations than this are refused: publish fewer breakdowns in one release."""


def normal(value: Cell) -> Cell:
    """A record's value as counts see it: every kind of missing is MISSING."""
    return MISSING if value is None or isinstance(value, Special) else value


@dataclass
class Space:
    """The atoms of one analysis table for a set of variables."""

    table: str
    variables: tuple[str, ...]
    categories: list[list[Cell]]
    """Known values per variable (MISSING excluded); one for all the values no count tells
    apart, when the space was built with the counts' sets."""
    codes: np.ndarray
    """(atoms x variables): the position of the atom's value in ``categories``; -1 missing."""
    sizes: np.ndarray
    """Records per atom."""

    @property
    def n_atoms(self) -> int:
        return int(self.codes.shape[0])

    def atoms(self, where: Where) -> list[int]:
        """The atoms a count with this ``where`` adds up."""
        mask = np.ones(self.n_atoms, dtype=bool)
        for name, allowed in where.items():
            j = self.variables.index(name)
            if allowed is None:
                mask &= self.codes[:, j] >= 0
                continue
            wanted = [i for i, value in enumerate(self.categories[j]) if value in allowed]
            if MISSING in allowed:
                wanted.append(-1)
            mask &= np.isin(self.codes[:, j], wanted)
        return [int(a) for a in np.flatnonzero(mask)]

    def count(self, atoms: Sequence[int]) -> int:
        return int(self.sizes[list(atoms)].sum()) if atoms else 0


def build_space(
    table: Table,
    variables: Iterable[str],
    named: Mapping[str, set[Cell]],
    sets: Mapping[str, Collection[frozenset[Cell]]] | None = None,
) -> Space:
    """The atoms of ``table`` over ``variables``; ``named`` adds values counts name that no
    record has (a labelled category nobody chose still has a column). With ``sets`` (per
    variable, every set of values a count names), values no count tells apart are one
    category (see :func:`_classes`)."""
    names = tuple(dict.fromkeys(variables))
    columns = [[normal(v) for v in table.column(name)] for name in names]
    categories: list[list[Cell]] = []
    index: list[dict[Cell, int]] = []
    for name, column in zip(names, columns, strict=True):
        seen = dict.fromkeys(v for v in column if v != MISSING)
        seen.update(dict.fromkeys(v for v in named.get(name, set()) if v != MISSING))
        values = sorted(seen, key=_order)
        kept, place = _classes(values, None if sets is None else sets.get(name, ()))
        categories.append(kept)
        index.append(place)
    record_codes = [
        tuple(-1 if v == MISSING else index[j][v] for j, v in enumerate(row))
        for row in zip(*columns, strict=True)
    ]
    patterns = sorted({tuple(code == -1 for code in codes) for codes in record_codes})
    total = sum(_product(categories, pattern) for pattern in patterns)
    if total > MAX_ATOMS:
        raise ReleaseError(
            f"the release crosses {', '.join(names)}: {total:,} combinations to audit",
            code="FK-RELEASE-005",
            hint="publish fewer breakdowns in one release, or coarser ones",
        )
    atoms = [codes for pattern in patterns for codes in _cube(categories, pattern)]
    position = {codes: i for i, codes in enumerate(atoms)}
    sizes = np.zeros(len(atoms), dtype=np.int64)
    for codes in record_codes:
        sizes[position[codes]] += 1
    matrix = np.array(atoms, dtype=np.int32).reshape(len(atoms), len(names))
    return Space(table.name, names, categories, matrix, sizes)


def _classes(
    values: list[Cell], sets: Collection[frozenset[Cell]] | None
) -> tuple[list[Cell], dict[Cell, int]]:
    """The categories of a variable and each value's category.

    Values that every named set holds or lacks alike are told apart by no count: their atoms
    are in the same counts, so one atom stands for them all (the audit and the moves give the
    same intervals) and a category keeps the first of them. An amount (hours, earnings) a
    total's counts name only as zero and non-zero has two categories, not one per value."""
    if sets is None:
        return values, {value: i for i, value in enumerate(values)}
    chosen = list(sets)
    first: dict[tuple[bool, ...], int] = {}
    kept: list[Cell] = []
    place: dict[Cell, int] = {}
    for value in values:
        signature = tuple(value in s for s in chosen)
        if signature not in first:
            first[signature] = len(kept)
            kept.append(value)
        place[value] = first[signature]
    return kept, place


def _order(value: Cell) -> tuple[str, str]:
    return (type(value).__name__, str(value))


def _product(categories: list[list[Cell]], pattern: tuple[bool, ...]) -> int:
    total = 1
    for values, missing in zip(categories, pattern, strict=True):
        total *= 1 if missing else len(values)
    return total


def _cube(categories: list[list[Cell]], pattern: tuple[bool, ...]) -> Iterable[tuple[int, ...]]:
    ranges = [
        (-1,) if missing else range(len(values))
        for values, missing in zip(categories, pattern, strict=True)
    ]
    return itertools.product(*ranges)
