"""Suppression of a release as a set: the loop, its audit and its limits (P12)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.dataset import Table, Variable, VarType
from fieldkit.release import Problem, ReleaseError, audit, protect
from fieldkit.release.about import protect_counts
from fieldkit.release.space import MAX_ATOMS, Space, build_space


def _grid(inner: list[list[int]]) -> Problem:
    """An n x m table with row totals, column totals and a grand total."""
    n, m = len(inner), len(inner[0])
    problem = Problem(np.array([v for row in inner for v in row]))
    for r in range(n):
        for c in range(m):
            problem.add([r * m + c], inner[r][c])
    for r in range(n):
        problem.add([r * m + c for c in range(m)], sum(inner[r]))
    for c in range(m):
        problem.add([r * m + c for r in range(n)], sum(row[c] for row in inner))
    problem.add(range(n * m), sum(map(sum, inner)))
    return problem


grids = st.integers(1, 4).flatmap(
    lambda m: st.lists(st.lists(st.integers(0, 30), min_size=m, max_size=m), min_size=1, max_size=4)
)


@settings(max_examples=60, deadline=None)
@given(inner=grids, threshold=st.integers(3, 11))
def test_no_hidden_cell_of_a_table_can_be_narrowed(inner: list[list[int]], threshold: int) -> None:
    problem = _grid(inner)
    sensitive = [i for i, c in enumerate(problem.counts) if 0 < c.value < threshold]
    result = protect(
        problem,
        sensitive=sensitive,
        width=threshold,
        costs=[c.value + 1.0 for c in problem.counts],
    )
    shown = [i for i in range(len(problem.counts)) if i not in result.hidden]
    assert all(problem.counts[i].value == 0 or problem.counts[i].value >= threshold for i in shown)
    exact = audit(problem, shown, sorted(result.hidden))  # no width: every interval solved
    assert all(iv.exact or iv.high == float("inf") for iv in exact.values())
    assert [i for i, iv in exact.items() if iv.width < threshold] == []


def test_the_audit_finds_a_cell_pinned_by_a_combination() -> None:
    # a dumbbell: two hidden rectangles joined by one hidden cell, which is then pinned
    problem = _grid([[1, 9, 9], [9, 9, 9], [9, 9, 9]])
    hidden = {0, 1, 3, 4, 5, 8}  # (0,0) (0,1) (1,0) (1,1) (1,2) (2,2)
    shown = [i for i in range(len(problem.counts)) if i not in hidden]
    found = audit(problem, shown, sorted(hidden))
    assert found[5].width == 0 and found[5].binding  # (1,2) = its row total minus the rest
    assert found[0].width >= 5


def test_counts_that_contradict_each_other_are_a_bug_not_a_release() -> None:
    problem = Problem(np.array([3, 0]))
    problem.add([0], 3)
    problem.add([0, 1], 2)  # a total smaller than one of its parts
    problem.add([1], 0)
    with pytest.raises(ReleaseError, match="could not be solved") as caught:
        audit(problem, [0, 1], [2])
    assert caught.value.code == "FK-RELEASE-001"


def test_a_release_crossing_too_many_variables_is_refused() -> None:
    names = [f"v{i}" for i in range(6)]
    table = Table("t", [Variable(n, {"en": n}, VarType.INTEGER) for n in names])
    table.append([0] * 6)
    with pytest.raises(ReleaseError, match="combinations to audit") as caught:
        build_space(table, names, {n: set(range(10)) for n in names})
    assert caught.value.code == "FK-RELEASE-005" and 10**6 > MAX_ATOMS


@pytest.mark.parametrize(
    "counts",
    [
        {"merged": 24, "included": 21, "quarantined": 1, "duplicates": 2},
        {"merged": 31, "included": 28, "quarantined": 1, "duplicates": 1},
        {"merged": 30, "included": 20, "quarantined": 0, "duplicates": 10},
    ],
)
def test_the_about_sheet_counts_cannot_be_worked_out(counts: dict[str, int]) -> None:
    shown = protect_counts(counts, 5)
    assert all(shown[name] == "x" for name, value in counts.items() if 0 < value < 5)
    # an attacker who knows merged = included + quarantined + duplicates + held back (>= 0)
    # and every printed count: each hidden one can take values 5 apart
    parts = ("included", "quarantined", "duplicates")
    top = counts["merged"] + 10
    seen: dict[str, set[int]] = {name: set() for name in shown if shown[name] == "x"}
    for values in itertools.product(range(top), repeat=3):
        guess = dict(zip(parts, values, strict=True))
        guess["merged"] = sum(values) + max(0, counts["merged"] - sum(counts[p] for p in parts))
        if guess["merged"] >= top:
            continue
        if all(guess[n] == v for n, v in shown.items() if v != "x" and n in guess):
            for name, values_seen in seen.items():
                values_seen.add(guess[name])
    assert all(max(v) - min(v) >= 5 for v in seen.values()), seen
    if counts["quarantined"] == 0:
        assert shown == counts  # nothing small: all shown


def test_one_small_cell_is_hidden_in_a_rectangle_of_the_cheapest_cells() -> None:
    # the first cut hid six cells here; four suffice: the cell, one beside, one below and
    # the corner, the cheapest such rectangle (its interval is then 2 + 20 = 22 wide)
    problem = _grid([[20, 2, 30], [25, 40, 35], [30, 45, 50], [12, 14, 16]])
    result = protect(
        problem,
        sensitive=[1],
        width=5,
        costs=[c.value + 1.0 for c in problem.counts],
    )
    assert sorted(result.hidden) == [0, 1, 9, 10]  # (0,0) (0,1) (3,0) (3,1)
    assert result.moves == 1


def _problem(space: Space, wheres: list[dict[str, frozenset[object] | None]]) -> Problem:
    problem = Problem(space.sizes)
    for where in wheres:
        atoms = space.atoms(where)
        problem.add(atoms, space.count(atoms))
    return problem


def test_values_no_count_tells_apart_are_one_atom() -> None:
    # a total of hours names them only as known (n) and as non-zero (hits): the audit needs
    # two hour values, not forty, and finds the same intervals as on every value
    table = Table("t", [Variable(n, {"en": n}, VarType.INTEGER) for n in ("sex", "hours")])
    rng = np.random.default_rng(3)
    for _ in range(90):
        table.append([int(rng.integers(1, 3)), int(rng.choice([0, 0, *range(1, 41)]))])
    table.append([1, None])
    worked = frozenset(range(1, 41))
    wheres: list[dict[str, frozenset[object] | None]] = [
        {"sex": frozenset([s]), "hours": h} for s in (1, 2) for h in (None, worked)
    ]
    wheres += [{"hours": None}, {"hours": worked}]
    named: dict[str, set[object]] = {"sex": {1, 2}, "hours": set(worked)}
    sets = {name: {w[name] for w in wheres if name in w and w[name] is not None} for name in named}
    coarse = build_space(table, ["sex", "hours"], named, sets)
    full = build_space(table, ["sex", "hours"], named)
    assert len(coarse.categories[1]) == 2 and len(full.categories[1]) == 41
    assert coarse.n_atoms == 2 * 2 + 2  # (sex x zero or not) and (sex x no answer)
    hidden = [1, 3]  # the boys and the girls who worked
    found = [
        audit(problem, [i for i in range(len(wheres)) if i not in hidden], hidden)
        for problem in (_problem(coarse, wheres), _problem(full, wheres))
    ]
    ends = [[(iv.low, iv.high) for iv in audited.values()] for audited in found]
    assert ends[0] == ends[1] and all(high > low for low, high in ends[0])  # not trivial
