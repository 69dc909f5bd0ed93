"""The audit of a release, as tau-Argus audits a suppression pattern: for every hidden cell,
the smallest and largest value it can take given every published cell.

A release is a set of counts over the same records. Each count is the number of records in
a union of *atoms*: the finest groups the published tables tell apart (see
:mod:`fieldkit.release.space`). An attacker who knows every shown count knows, for each, that
its atoms add up to it, and that no atom is negative. The feasible values of a hidden count
are then an interval, found by two linear programs (minimise, maximise its atoms' sum):

    min / max   sum(x[a] for a in hidden cell)
    subject to  sum(x[a] for a in shown cell) = shown value   for every shown cell
                x >= 0

Solved by HiGHS through ``scipy.optimize.linprog``; the bounds are rounded inwards to whole
numbers (an attacker knows counts are integers). The published cells whose equations hold
the optimum (a non-zero dual value) are the ones that pin the hidden cell: hiding one of
them is what can widen its interval.

Suppression only needs to know whether an interval is at least ``width`` wide, and every
solution of one program is a feasible point for all the others: a count whose values over
the points found so far (the true counts among them) already spread over ``width`` passes
without a program of its own (``Interval.exact`` is then False and the interval is a part
of the true one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from fieldkit.release.errors import ReleaseError

__all__ = ["Count", "Interval", "Problem", "audit"]

_DUAL = 1e-9
_ROUND = 1e-6


@dataclass(frozen=True, slots=True)
class Count:
    """One count of a release: the atoms it adds up, and its true value."""

    atoms: tuple[int, ...]
    value: int


@dataclass(frozen=True, slots=True)
class Interval:
    """What an attacker can work out about a hidden count."""

    low: int
    high: float
    """``math.inf`` when nothing shown bounds the count from above."""
    binding: tuple[int, ...]
    """The shown counts (positions in the problem) that hold the bounds."""
    exact: bool = True
    """False: only a part of the interval, found wide enough without solving for it."""

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class Problem:
    """The counts of a release over ``n_atoms`` atoms."""

    truth: np.ndarray
    """Records per atom: the first feasible point of every audit, where moves start."""
    counts: list[Count] = field(default_factory=list)

    @property
    def n_atoms(self) -> int:
        return len(self.truth)

    def add(self, atoms: Sequence[int], value: int) -> int:
        """Add a count; return its position."""
        self.counts.append(Count(tuple(sorted(set(atoms))), value))
        return len(self.counts) - 1


def audit(
    problem: Problem,
    shown: Sequence[int],
    targets: Sequence[int],
    width: float = math.inf,
    points: Sequence[np.ndarray] = (),
) -> dict[int, Interval]:
    """The interval of every count in ``targets`` given the counts in ``shown``; with a
    ``width``, counts seen to spread over it are not solved exactly. ``points`` are feasible
    records per atom known already (moves that keep every shown count)."""
    system = _System(problem, shown, points)
    return {target: system.interval(problem.counts[target], width) for target in targets}


class _System:
    """The equations of the shown counts, kept in the sparse form the solver takes."""

    def __init__(
        self, problem: Problem, shown: Sequence[int], points: Sequence[np.ndarray]
    ) -> None:
        self.problem = problem
        self.shown = list(shown)
        from scipy.sparse import csr_array  # noqa: PLC0415 (scipy loads on first use: slow)

        rows: list[int] = []
        columns: list[int] = []
        for row, position in enumerate(self.shown):
            atoms = problem.counts[position].atoms
            rows += [row] * len(atoms)
            columns += atoms
        shape = (max(len(self.shown), 1), problem.n_atoms)
        data = np.ones(len(rows))
        self.matrix = csr_array((data, (rows, columns)), shape=shape)
        values = [problem.counts[p].value for p in self.shown]
        self.values = np.array(values or [0], dtype=float)
        known = [problem.truth, *points]
        self.points = np.array(known, dtype=float).reshape(-1, problem.n_atoms)

    def interval(self, count: Count, width: float) -> Interval:
        if not count.atoms:
            return Interval(0, 0.0, ())
        atoms = list(count.atoms)
        seen = self._seen(atoms)
        if _spread(seen) >= width:
            return _part(seen)
        objective = np.zeros(self.problem.n_atoms)
        objective[atoms] = 1.0
        high, high_binding = self._solve(-objective)
        if high is None:
            return Interval(0, math.inf, (), exact=False)
        seen = self._seen(atoms)
        if _spread(seen) >= width:
            return _part(seen)
        low, low_binding = self._solve(objective)
        lowest = max(0, math.ceil((low or 0.0) - _ROUND))
        highest = math.floor(-high + _ROUND)
        binding = tuple(sorted(set(low_binding) | set(high_binding)))
        return Interval(lowest, float(highest), binding)

    def _seen(self, atoms: list[int]) -> tuple[float, float]:
        """The smallest and largest value of a count over the points found so far."""
        values = self.points[:, atoms].sum(axis=1)
        return float(values.min()), float(values.max())

    def _solve(self, objective: np.ndarray) -> tuple[float | None, list[int]]:
        """The optimum (None when unbounded) and the shown counts that hold it."""
        from scipy.optimize import linprog  # noqa: PLC0415 (scipy loads on first use: slow)

        result = linprog(
            objective,
            A_eq=self.matrix if self.shown else None,
            b_eq=self.values if self.shown else None,
            bounds=(0, None),
            method="highs",
            options={"presolve": False},  # small systems: presolve costs more than it saves
        )
        if result.status == 3:  # unbounded: nothing shown caps this count
            return None, []
        if result.status != 0:
            raise ReleaseError(
                f"the release audit could not be solved ({result.message})",
                code="FK-RELEASE-001",
                hint="the published counts contradict each other; report this as a bug",
            )
        self.points = np.vstack([self.points, np.asarray(result.x)])
        duals = result.eqlin.marginals if self.shown else []
        binding = [self.shown[i] for i, dual in enumerate(duals) if abs(dual) > _DUAL]
        return float(result.fun), binding


def _spread(seen: tuple[float, float]) -> int:
    """The whole values between the lowest and highest seen (an attacker knows counts are
    whole numbers, so a fractional end does not count)."""
    return math.floor(seen[1] + _ROUND) - math.ceil(seen[0] - _ROUND)


def _part(seen: tuple[float, float]) -> Interval:
    low, high = math.ceil(seen[0] - _ROUND), math.floor(seen[1] + _ROUND)
    return Interval(low, float(high), (), exact=False)
