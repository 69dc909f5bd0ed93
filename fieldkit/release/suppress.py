"""Cell suppression for a whole release, checked by the audit's linear programs.

Every count a release publishes is checked together with every other (all sheets, every
earlier ``tables`` call on the same data), so a hidden count cannot come back from another
table's margin, a shared total or a nested age band (5-14 inside 5-17).

:func:`protect` starts from the *sensitive* counts (from 1 to the threshold minus one, and
zeros that would tell a whole group's answer), then repeats until nothing is left to do:

1. audit every hidden count still to check (:func:`fieldkit.release.audit.audit`): its
   smallest and largest feasible value given everything shown;
2. for each count whose interval is narrower than the protocol's protection interval, hide
   the cheapest shown count among those that hold its bounds (a non-zero dual).

Hiding a count only removes an equation, so intervals only widen: a count that passed once
passes for good, and only the counts that failed or were just hidden are audited again.
Counts published earlier cannot be taken back: when only they pin a count, it is reported
as ``exposed`` (in practice never, since they were protected when published).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fieldkit.release.audit import Interval, Problem, audit

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
    solved: int = 0
    """Counts audited, over all rounds (each one is two linear programs)."""


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
    check = hidden | {c for c in locked_hidden if problem.counts[c].atoms}
    while check:
        result.rounds += 1
        shown = [c for c in range(len(problem.counts)) if c not in hidden | locked_hidden]
        found = audit(problem, shown, sorted(check), width)
        result.solved += len(found)
        result.intervals.update(found)
        failing = sorted(
            (c for c, interval in found.items() if interval.width < width),
            key=lambda c: (found[c].width, c),
        )
        chosen = _choose(
            problem,
            failing=failing,
            found=found,
            hideable=set(shown) - locked_shown,
            costs=costs,
            exposed=result.exposed,
        )
        hidden |= chosen
        check = (set(failing) - result.exposed) | chosen
        if not chosen:
            break
    return result


def _choose(
    problem: Problem,
    *,
    failing: list[int],
    found: dict[int, Interval],
    hideable: set[int],
    costs: Sequence[float],
    exposed: set[int],
) -> set[int]:
    """One more count to hide per failing count, sharing picks within a round."""
    chosen: set[int] = set()
    for count in failing:
        candidates = [c for c in found[count].binding if c in hideable]
        if not candidates:  # a degenerate optimum names no equation: any overlapping count
            atoms = set(problem.counts[count].atoms)
            candidates = [c for c in hideable if atoms.intersection(problem.counts[c].atoms)]
        if not candidates:
            exposed.add(count)
            continue
        if chosen.intersection(candidates):
            continue  # another pick this round already loosens it: audit it again first
        chosen.add(min(candidates, key=lambda c: (costs[c], c)))
    return chosen
