"""Protect the tables of one release together, with the tables published before it.

    outcome = protect_tables(dataset, tables, rules=Rules(threshold=5, width=5))

marks the cells to hide in ``tables`` (their ``hidden`` sets, ``n_hidden``/``hidden`` of
estimates) so that, given every count shown by these tables and by ``earlier`` ones (from
the ledger), no hidden count can be narrowed below ``rules.width``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell, Table
from fieldkit.release.audit import Interval, Problem
from fieldkit.release.counts import (
    PublishedCount,
    Shown,
    counts_of,
    mark_hidden,
    withhold_unreliable,
)
from fieldkit.release.space import Space, build_space
from fieldkit.release.suppress import protect
from fieldkit.stats.tabulate import SUPPRESSED, Crosstab, left_out_note

__all__ = ["EarlierCount", "ReleaseOutcome", "Rules", "problem_of", "protect_tables"]

HEADLINE_COST = 10.0
"""Hiding a count of a headline table costs this many times more than another count."""


@dataclass(frozen=True)
class Rules:
    threshold: int
    """Counts from 1 to threshold - 1 are hidden."""
    width: int
    """The narrowest interval an attacker may work out for a hidden count."""


@dataclass(frozen=True)
class EarlierCount:
    """A count published before (from the ledger): shown, or hidden and still protected."""

    table: str
    where: dict[str, frozenset[Cell] | None]
    shown: bool


@dataclass
class ReleaseOutcome:
    counts: list[PublishedCount]
    hidden: set[int]
    intervals: dict[int, Interval] = field(default_factory=dict)
    exposed: list[int] = field(default_factory=list)
    atoms: int = 0
    moves: int = 0
    """Moves planned (a linear program each)."""
    audited: int = 0
    """Hidden counts the audit solved exactly (two linear programs each)."""
    rounds: int = 0
    seconds: float = 0.0


def protect_tables(
    dataset: Dataset,
    tables: Sequence[Shown],
    *,
    rules: Rules,
    earlier: Sequence[EarlierCount] = (),
    headline: set[int] | None = None,
) -> ReleaseOutcome:
    """Decide the hidden cells of ``tables``; mark them and add the notes that say so."""
    started = time.perf_counter()
    # A count published before over a table or variable this dataset lacks (a recode file
    # since removed) cannot be part of the system; every other one is.
    earlier = [e for e in earlier if _known(dataset, e)]
    counts = counts_of(tables, rules.threshold, headline or set(), _equal_weights(dataset))
    wheres = [(c.table, c.where) for c in counts] + [(e.table, e.where) for e in earlier]
    problem, index = problem_of(dataset, wheres)
    # The same records counted in several tables (a group's total, a shared margin) are one
    # count: shown anywhere means shown everywhere, so hiding it means hiding every copy.
    new = [index[i] for i in range(len(counts))]
    old = [index[len(counts) + i] for i in range(len(earlier))]
    costs = [0.0] * len(problem.counts)
    for i, count in enumerate(counts):
        costs[new[i]] += (count.value + 1.0) * (HEADLINE_COST if count.headline else 1.0)
    printed = {new[i] for i, count in enumerate(counts) if count.printed}
    fixed_shown = {old[i] for i, e in enumerate(earlier) if e.shown}
    fixed_hidden = {old[i] for i, e in enumerate(earlier) if not e.shown} - fixed_shown
    result = protect(
        problem,
        sensitive={new[i] for i, count in enumerate(counts) if count.sensitive} & printed,
        width=rules.width,
        costs=costs,
        fixed_shown=fixed_shown,
        fixed_hidden=fixed_hidden,
        never_shown={new[i] for i in range(len(counts))} - printed - fixed_shown,
    )
    # a count hidden before stays hidden wherever a new table prints it again
    hidden = {i for i in range(len(counts)) if new[i] in result.hidden | fixed_hidden}
    mark_hidden(tables, counts, hidden)
    withhold_unreliable(tables, rules.threshold)
    _notes(tables, rules)
    return ReleaseOutcome(
        counts=counts,
        hidden=hidden,
        intervals={i: result.intervals[new[i]] for i in hidden if new[i] in result.intervals},
        exposed=sorted(result.exposed),
        atoms=problem.n_atoms,
        moves=result.moves,
        audited=result.solved,
        rounds=result.rounds,
        seconds=time.perf_counter() - started,
    )


def _known(dataset: Dataset, count: EarlierCount) -> bool:
    table = dataset.tables.get(count.table)
    return isinstance(table, Table) and all(name in table for name in count.where)


def _equal_weights(dataset: Dataset) -> Callable[[str], bool]:
    """Whether a table's records all weigh the same (then a share fixes a count)."""
    design = dataset.study.sample_design

    def equal(name: str) -> bool:
        if design is None:
            return True
        table = dataset.table(name)
        return design.weight not in table or len(set(table.column(design.weight))) <= 1

    return equal


def problem_of(
    dataset: Dataset, wheres: Sequence[tuple[str, Mapping[str, frozenset[Cell] | None]]]
) -> tuple[Problem, list[int]]:
    """The release's atoms and its distinct counts; for each ``where``, its count."""
    variables: dict[str, dict[str, None]] = defaultdict(dict)
    named: dict[str, dict[str, set[Cell]]] = defaultdict(lambda: defaultdict(set))
    sets: dict[str, dict[str, set[frozenset[Cell]]]] = defaultdict(lambda: defaultdict(set))
    for table, where in wheres:
        for name, allowed in where.items():
            variables[table][name] = None
            named[table][name] |= set(allowed or ())
            if allowed is not None:
                sets[table][name].add(allowed)
    spaces: dict[str, tuple[Space, int]] = {}
    offset = 0
    for table, names in variables.items():
        space = build_space(dataset.table(table), names, named[table], sets[table])
        spaces[table] = (space, offset)
        offset += space.n_atoms
    sizes = [space.sizes for space, _ in spaces.values()]
    problem = Problem(np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64))
    seen: dict[tuple[int, ...], int] = {}
    index: list[int] = []
    for table, where in wheres:
        space, start = spaces[table]
        local = space.atoms(where)
        atoms = tuple(start + a for a in local)
        if atoms not in seen:
            seen[atoms] = problem.add(atoms, space.count(local))
        index.append(seen[atoms])
    return problem, index


def _notes(tables: Sequence[Shown], rules: Rules) -> None:
    note = (
        f"{SUPPRESSED}: hidden to protect the people counted (counts from 1 to "
        f"{rules.threshold - 1}, zeros that would tell a whole group's answer, and others so "
        "that no hidden count can be worked out from any published table)."
    )
    for table in tables:
        if not isinstance(table, Crosstab):
            continue
        if table.left_out_hidden:
            shown = left_out_note(table.left_out)
            table.notes = [left_out_note(None) if n == shown else n for n in table.notes]
        if table.hidden or table.left_out_hidden:
            table.notes.append(note)
