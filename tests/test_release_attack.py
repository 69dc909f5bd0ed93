"""An attacker with a solver: for every hidden cell of a release, the smallest and largest
value it can take given every published cell (P12). Written apart from fieldkit.release:
its own cube of the tables' variables, its own equations, integer programs (scipy milp).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from fieldkit.dataset import Dataset, Special, Table
from fieldkit.demo.journey import run_demo
from fieldkit.release import publish
from fieldkit.stats import Crosstab, EstimateTable, crosstab
from tests.conftest import REPO
from tests.data.handmade import build_members, compile_form

NONE = "<none>"


def _value(cell: Any) -> Any:
    return NONE if cell is None or isinstance(cell, Special) or cell == "(not stated)" else cell


class Attacker:
    """Knows the published tables, the universes (which variables are missing together)
    and that counts are whole and not negative; solves for each hidden cell."""

    def __init__(self, table: Table, variables: Sequence[str], named: dict[str, set[Any]]) -> None:
        self.variables = list(variables)
        columns = [[_value(v) for v in table.column(name)] for name in self.variables]
        # the values a column can hold: those the tables name (a labelled category nobody
        # chose is still a column), not only those the data happen to have
        values = [
            sorted({v for v in c if v != NONE} | named.get(n, set()), key=str)
            for n, c in zip(self.variables, columns, strict=True)
        ]
        patterns = {tuple(v == NONE for v in row) for row in zip(*columns, strict=True)}
        self.atoms = [
            atom
            for pattern in sorted(patterns)
            for atom in itertools.product(
                *[[NONE] if gone else vals for gone, vals in zip(pattern, values, strict=True)]
            )
        ]
        self.rows: list[np.ndarray] = []
        self.values: list[int] = []
        self.hidden: list[tuple[str, np.ndarray]] = []

    def mask(self, where: dict[str, Any]) -> np.ndarray:
        keep = np.ones(len(self.atoms), dtype=bool)
        for name, wanted in where.items():
            j = self.variables.index(name)
            for i, atom in enumerate(self.atoms):
                if wanted == "known":
                    keep[i] &= atom[j] != NONE
                else:
                    keep[i] &= atom[j] in wanted
        return keep.astype(float)

    def see(self, label: str, where: dict[str, Any], shown: object) -> None:
        row = self.mask(where)
        if isinstance(shown, int):
            self.rows.append(row)
            self.values.append(shown)
        else:
            self.hidden.append((label, row))

    def narrowest(self) -> list[tuple[str, float]]:
        a = np.array(self.rows)
        b = np.array(self.values, dtype=float)
        found = []
        for label, row in self.hidden:
            ends = []
            for sign in (1.0, -1.0):
                result = milp(
                    sign * row,
                    constraints=LinearConstraint(a, b, b),
                    integrality=np.ones(len(self.atoms)),
                    bounds=Bounds(0, np.inf),
                )
                ends.append(np.inf if result.status == 3 else sign * result.fun)
            found.append((label, ends[1] - ends[0]))
        return found


def _row_where(table: Crosstab | EstimateTable, r: int) -> dict[str, Any]:
    where: dict[str, Any] = {}
    for name, key in zip(table.by, table.rows[r].key, strict=True):
        if key is not None:
            where[name] = set(key) if isinstance(key, tuple) else {key}
    return where


def attack(rows: Table, tables: Sequence[Crosstab | EstimateTable]) -> list[tuple[str, float]]:
    names = sorted({n for t in tables for n in (*t.by, t.variable)})
    named: dict[str, set[Any]] = {}
    for table in tables:
        named.setdefault(table.variable, set()).update(table.categories)
        for row in table.rows:
            for name, key in zip(table.by, row.key, strict=True):
                keys = key if isinstance(key, tuple) else (key,)
                named.setdefault(name, set()).update(_value(k) for k in keys if k is not None)
    attacker = Attacker(rows, names, {n: v - {NONE} for n, v in named.items()})
    for number, table in enumerate(tables):
        for r in range(len(table.rows)):
            base = _row_where(table, r)
            label = f"table {number + 1} {table.rows[r].labels}"
            if isinstance(table, Crosstab):
                codes = [*table.categories, "known"]
                for c, code in enumerate(codes):
                    wanted = code if code == "known" else {code}
                    where = {**base, table.variable: wanted}
                    attacker.see(f"{label} {table.columns[c]}", where, table.count(r, c))
            else:
                estimate = table.estimates[r]
                shown = "x" if estimate.n_hidden else estimate.n
                attacker.see(f"{label} n", {**base, table.variable: "known"}, shown)
    return attacker.narrowest()


def _members(dataset: Dataset) -> Table:
    return dataset.table(dataset.rosters[0])


def test_no_hidden_cell_of_the_demo_release_can_be_narrowed(tmp_path: Any) -> None:
    demo = run_demo(tmp_path / "out", REPO, per_district=3)
    assert demo.dataset is not None
    tables = [*demo.published, *([demo.highlight] if demo.highlight else [])]
    found = attack(_members(demo.dataset), tables)
    assert found, "the demo release hides nothing: the attack proves nothing"
    width = demo.dataset.study.small_cell_threshold
    assert [(label, w) for label, w in found if w < width] == []
    headline = demo.published[0]
    assert isinstance(headline, Crosstab) and headline.variable == "cl_sdg_8_7_1"
    assert headline.count(len(headline.rows) - 1, 0) != "x"  # the overall count is shown


@pytest.fixture(scope="module")
def many_small_cells() -> tuple[Dataset, Table]:
    """A generated release: 150 children over six districts, so most cells are small."""
    members = build_members()
    rng = random.Random(12)
    study = build_dataset_study()
    table = Table(members.name, [members.variable(n) for n in _GENERATED])
    districts = sorted({v for v in members.column("district") if v is not None}, key=str)
    for _ in range(150):
        table.append(
            (
                rng.choice([1, 2]),
                rng.choice(["5-11", "12-14", "15-17"]),
                rng.choice(districts),
                rng.choice([0, 1, 1, 0, 0]),
                rng.choice([0, 0, 0, 0, 1]),
            )
        )
    return Dataset(study, "en", {table.name: table}, main=table.name), table


_GENERATED = ("sex", "age_band_ilo_cl", "district", "cl_sdg_8_7_1", "tip_child")


def build_dataset_study() -> Any:
    from fieldkit.dataset import StudyInfo

    return StudyInfo.from_form(compile_form())


def test_no_hidden_cell_of_a_release_of_small_cells_can_be_narrowed(
    many_small_cells: tuple[Dataset, Table],
) -> None:
    dataset, rows = many_small_cells
    study = dataset.study
    tables: list[Crosstab | EstimateTable] = [
        crosstab(rows, "cl_sdg_8_7_1", ["sex", "age_band_ilo_cl"], study=study),
        crosstab(rows, "cl_sdg_8_7_1", ["district", "sex"], study=study),
        crosstab(rows, "tip_child", ["sex", "age_band_ilo_cl"], study=study),
        crosstab(rows, "tip_child", ["district"], study=study),
    ]
    published, outcome = publish(dataset, tables)
    assert outcome.hidden and outcome.exposed == []
    found = attack(rows, published)
    assert [(label, w) for label, w in found if w < study.small_cell_threshold] == []
    shown = [v for t in published for row in t.published() for v in row if v != "x"]
    assert all(v == 0 or v >= 5 for v in shown)
