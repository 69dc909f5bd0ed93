"""Cell suppression for a whole release, checked by the audit's linear programs.

Every count a release publishes is checked together with every other (all sheets, every
earlier ``tables`` call on the same data), so a hidden count cannot come back from another
table's margin, a shared total or a nested age band (5-14 inside 5-17).

:func:`protect` starts from the *sensitive* counts (from 1 to the threshold minus one, and
zeros that would tell a whole group's answer), then repeats until nothing is left to do:

1. for each hidden count not yet seen to move by ``width``, the cheapest move of records
   that changes it by ``width`` and keeps every other shown count
   (:mod:`fieldkit.release.moves`); the counts the move changes are hidden too;
2. audit every hidden count (:func:`fieldkit.release.audit.audit`), reusing the moves as
   feasible points, so only a count no move spread over ``width`` costs a linear program;
   a count narrower than ``width`` (a cell hidden by another's move that moved it by less)
   gets a move of its own in the next round.

Hiding a count only removes an equation, so intervals only widen: a count that passed once
passes for good. Counts published earlier cannot be taken back: a count that only they pin
down is reported as ``exposed`` (in practice never, since they were protected when
published).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from fieldkit.release.audit import Interval, Problem, audit
from fieldkit.release.moves import Planner

__all__ = ["Protection", "protect"]


@dataclass
class Protection:
    hidden: set[int]
    """Counts of the new tables to hide (primary and secondary alike)."""
    intervals: dict[int, Interval] = field(default_factory=dict)
    """The last audit of every hidden count (new and earlier ones)."""
    exposed: set[int] = field(default_factory=set)
    """Hidden counts that only counts published earlier pin down."""
    rounds: int = 0
    moves: int = 0
    """Moves planned (one linear program each, two when the count cannot go up)."""
    solved: int = 0
    """Counts the audit had to solve (two linear programs each)."""


def protect(
    problem: Problem,
    *,
    sensitive: Iterable[int],
    width: int,
    costs: Sequence[float],
    fixed_shown: Iterable[int] = (),
    fixed_hidden: Iterable[int] = (),
    never_shown: Iterable[int] = (),
) -> Protection:
    """Hide counts until every hidden count's feasible interval is at least ``width`` wide.

    ``fixed_shown``/``fixed_hidden`` were published earlier and stay as they are;
    ``never_shown`` are counts no table prints but whose protection matters (a share's
    complement); every other count may be hidden, at its cost.
    """
    locked_shown = set(fixed_shown)
    locked_hidden = set(fixed_hidden) | set(never_shown)
    hidden = {c for c in sensitive if c not in locked_shown and problem.counts[c].atoms}
    hidden -= locked_hidden
    result = Protection(hidden)
    planner = Planner(problem, costs, locked_shown)
    points: list[np.ndarray] = []
    moved: set[int] = set()
    pending = sorted(hidden | {c for c in locked_hidden if problem.counts[c].atoms})
    while pending:
        result.rounds += 1
        for count in pending:
            if _spread(problem, points, count) >= width:
                continue  # an earlier move already changes it enough
            move = planner.move(count, width, hidden | locked_hidden)
            if move is None or count in moved:  # a moved count cannot fail: guard the loop
                result.exposed.add(count)
                continue
            moved.add(count)
            points.append(move.point)
            hidden |= move.changed - locked_hidden - locked_shown
        shown = [c for c in range(len(problem.counts)) if c not in hidden | locked_hidden]
        found = audit(problem, shown, sorted(hidden | locked_hidden), width, points)
        result.solved += sum(1 for interval in found.values() if interval.exact)
        result.intervals.update(found)
        pending = sorted(
            c for c, iv in found.items() if iv.width < width and c not in result.exposed
        )
    result.moves = planner.solved
    return result


def _spread(problem: Problem, points: Sequence[np.ndarray], count: int) -> float:
    atoms = list(problem.counts[count].atoms)
    values = [float(problem.truth[atoms].sum())] + [float(p[atoms].sum()) for p in points]
    return max(values) - min(values)
