"""The cheapest way to protect one hidden count: a *move* of records between atoms.

A hidden count ``p`` is protected when its records can change by ``width`` while every shown
count stays as published: then the attacker's interval for ``p`` spans ``width`` at least. A
move ``y`` (records added to or taken from each atom, never below zero) changes every count
``c`` by ``A_c y``; the counts it changes must be hidden. The cheapest such move is a linear
program, as in Fischetti and Salazar's model of cell suppression (and tau-Argus's "optimal"
method, one sensitive cell at a time):

    min   sum(cost[c] * z[c] for c that may still be hidden)
    s.t.  A_p y = +width  (or -width)
          -z[c] <= A_c y <= z[c]       for c that may be hidden (z[c] > 0: hide c)
          A_c y = 0                    for c that must stay shown (published before)
          y >= -truth,  z >= 0

Counts already hidden are free (not in the program), so later moves reuse earlier ones' cells
and a sensitive cell usually ends up in a rectangle (4 cells) or a small cube, not a chain.
``truth + y`` is a feasible point for every release that hides at least these counts: the
audit reuses it to see, without solving, that a count spreads over ``width``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from fieldkit.release.audit import Problem
from fieldkit.release.errors import ReleaseError

__all__ = ["Move", "Planner"]

_CHANGED = 1e-7


@dataclass(frozen=True)
class Move:
    point: np.ndarray
    """Records per atom after the move (a feasible point of the release)."""
    changed: frozenset[int]
    """The counts the move changes: they must be hidden."""


class Planner:
    """Cheapest moves over one release's counts (their incidence matrix built once)."""

    def __init__(self, problem: Problem, costs: Sequence[float], locked: Collection[int]) -> None:
        self.problem = problem
        self.truth = problem.truth.astype(float)
        self.costs = np.asarray(costs, dtype=float)
        self.locked = sorted(locked)
        from scipy.sparse import csr_array  # noqa: PLC0415 (scipy loads on first use: slow)

        rows: list[int] = []
        columns: list[int] = []
        for row, count in enumerate(problem.counts):
            rows += [row] * len(count.atoms)
            columns += count.atoms
        shape = (len(problem.counts), problem.n_atoms)
        self.matrix = csr_array((np.ones(len(rows)), (rows, columns)), shape=shape)
        self.solved = 0

    def move(self, target: int, width: int, free: Collection[int]) -> Move | None:
        """The cheapest move changing ``target`` by ``width`` (up, else down), or None when
        only counts that must stay shown could let it change."""
        for sign in (1.0, -1.0):
            found = self._solve(target, sign * width, free)
            if found is not None:
                return found
        return None

    def _solve(self, target: int, change: float, free: Collection[int]) -> Move | None:
        from scipy.optimize import linprog  # noqa: PLC0415 (scipy loads on first use: slow)
        from scipy.sparse import csr_array, hstack, identity, vstack  # noqa: PLC0415

        skip = {target, *free, *self.locked}
        costed = [c for c in range(len(self.problem.counts)) if c not in skip]
        n, m = self.problem.n_atoms, len(costed)
        part = self.matrix[costed]
        ones = identity(m, format="csr")
        upper = vstack([hstack([part, -ones]), hstack([-part, -ones])], format="csr")
        equal_rows = [target, *self.locked]
        equal = hstack([self.matrix[equal_rows], csr_array((len(equal_rows), m))], format="csr")
        values = np.zeros(len(equal_rows))
        values[0] = change
        objective = np.concatenate([np.zeros(n), self.costs[costed]])
        bounds = [(-t, None) for t in self.truth] + [(0.0, None)] * m
        self.solved += 1
        result = linprog(
            objective,
            A_ub=upper if m else None,
            b_ub=np.zeros(2 * m) if m else None,
            A_eq=equal,
            b_eq=values,
            bounds=bounds,
            method="highs",
        )
        if result.status == 2:  # infeasible: counts published before hold it in place
            return None
        if result.status != 0:
            raise ReleaseError(
                f"the release's suppression could not be planned ({result.message})",
                code="FK-RELEASE-001",
                hint="report this as a bug, with the tables requested",
            )
        step = np.asarray(result.x[:n])
        changes = np.abs(self.matrix @ step)
        changed = frozenset(int(c) for c in np.flatnonzero(changes > _CHANGED))
        return Move(self.truth + step, changed)
