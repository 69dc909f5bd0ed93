"""An attacker with a solver: for every hidden cell of a release, the smallest and largest
value it can take given every published cell (P12). Written apart from fieldkit.release:
its own cube of the tables' variables, its own equations, integer programs (scipy milp).

The attacker proves a cell safe as soon as two whole-number solutions it knows (the true
records, and every optimum found so far) give that cell values ``rule`` apart: its interval
holds both. Otherwise it solves the cell's minimum and maximum.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from fieldkit.dataset import Dataset, Special, StudyInfo, Table
from fieldkit.demo.journey import run_demo
from fieldkit.release import publish
from fieldkit.release.counts import withhold_unreliable
from fieldkit.stats import Crosstab, EstimateTable, crosstab, estimate_total
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
        where = {atom: i for i, atom in enumerate(self.atoms)}
        truth = np.zeros(len(self.atoms))
        for row in zip(*columns, strict=True):
            truth[where[row]] += 1
        self.solutions = [truth]  # the records themselves: one whole-number solution

    def mask(self, where: dict[str, Any]) -> np.ndarray:
        keep = np.ones(len(self.atoms), dtype=bool)
        for name, wanted in where.items():
            j = self.variables.index(name)
            if wanted == "known":
                keep &= np.array([atom[j] != NONE for atom in self.atoms])
            else:
                keep &= np.array([atom[j] in wanted for atom in self.atoms])
        return keep.astype(float)

    def see(self, label: str, where: dict[str, Any], shown: object) -> None:
        row = self.mask(where)
        if isinstance(shown, int):
            self.rows.append(row)
            self.values.append(shown)
        else:
            self.hidden.append((label, row))

    def too_narrow(self, rule: int) -> list[tuple[str, float]]:
        """The hidden cells whose interval is narrower than ``rule``, with its width."""
        a = np.array(self.rows)
        b = np.array(self.values, dtype=float)
        found = []
        for label, row in self.hidden:
            for sign in (1.0, -1.0):
                if self._spread(row) >= rule:
                    break
                result = milp(
                    sign * row,
                    constraints=LinearConstraint(a, b, b),
                    integrality=np.ones(len(self.atoms)),
                    bounds=Bounds(0, np.inf),
                )
                if result.status == 3:  # unbounded: nothing caps this cell
                    break
                assert result.status == 0, result.message
                self.solutions.append(np.round(result.x))
            else:  # both ends solved: the spread is the interval's width
                if self._spread(row) < rule:
                    found.append((label, self._spread(row)))
        return found

    def _spread(self, row: np.ndarray) -> float:
        values = [float(row @ solution) for solution in self.solutions]
        return max(values) - min(values)


def _row_where(table: Crosstab | EstimateTable, r: int) -> dict[str, Any]:
    where: dict[str, Any] = {}
    for name, key in zip(table.by, table.rows[r].key, strict=True):
        if key is not None:  # a "(not stated)" row counts the records with no value
            where[name] = {_value(k) for k in (key if isinstance(key, tuple) else (key,))}
    return where


def attack(
    rows: Table, tables: Sequence[Crosstab | EstimateTable], rule: int
) -> list[tuple[str, float]]:
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
    assert attacker.hidden, "the release hides nothing: the attack proves nothing"
    return attacker.too_narrow(rule)


def _members(dataset: Dataset) -> Table:
    return dataset.table(dataset.rosters[0])


def test_no_hidden_cell_of_the_demo_release_can_be_narrowed(tmp_path: Any) -> None:
    demo = run_demo(tmp_path / "out", REPO, per_district=3)
    assert demo.dataset is not None
    tables = [*demo.published, *([demo.highlight] if demo.highlight else [])]
    assert attack(_members(demo.dataset), tables, demo.dataset.study.small_cell_threshold) == []
    headline = demo.published[0]
    assert isinstance(headline, Crosstab) and headline.variable == "cl_ilo_sna"
    assert headline.count(len(headline.rows) - 1, 0) != "x"  # the overall count is shown


def generated(children: int, districts: int) -> tuple[Dataset, Table]:
    """A generated release of ``children`` over ``districts``: with few children a district,
    many cells are small."""
    members = build_members()
    rng = random.Random(12)
    study = StudyInfo.from_form(compile_form())
    table = Table(members.name, [members.variable(n) for n in _GENERATED])
    names = [f"d{i:02}" for i in range(districts)]
    for _ in range(children):
        table.append(
            (
                rng.choice([1, 2]),
                rng.choice(["5_11", "12_14", "15_17"]),
                rng.choice(names),
                rng.choice([0, 1, 1, 0, 0]),
                rng.choice([0, 0, 0, 0, 1]),
            )
        )
    return Dataset(study, "en", {table.name: table}, main=table.name), table


_GENERATED = ("sex", "age_band_ilo_cl", "district", "cl_ilo_sna", "tip_child")


def generated_tables(dataset: Dataset, rows: Table) -> list[Crosstab | EstimateTable]:
    study = dataset.study
    return [
        crosstab(rows, "cl_ilo_sna", ["sex", "age_band_ilo_cl"], study=study),
        crosstab(rows, "cl_ilo_sna", ["district", "sex"], study=study),
        crosstab(rows, "tip_child", ["sex", "age_band_ilo_cl"], study=study),
        crosstab(rows, "tip_child", ["district"], study=study),
    ]


@pytest.mark.parametrize(("children", "districts"), [(150, 6), (1200, 30)])
def test_no_hidden_cell_of_a_generated_release_can_be_narrowed(
    children: int, districts: int
) -> None:
    dataset, rows = generated(children, districts)
    published, outcome = publish(dataset, generated_tables(dataset, rows))
    assert outcome.hidden and outcome.exposed == []
    threshold = dataset.study.small_cell_threshold
    assert attack(rows, published, threshold) == []
    shown = [v for t in published for row in t.published() for v in row if v != "x"]
    assert all(v == 0 or v >= threshold for v in shown)
    # the headline margins stay: child labour by sex and age band is all shown
    assert "x" not in [v for row in published[0].published() for v in row]


def test_the_attacker_works_out_cells_hidden_one_by_one() -> None:
    # what the tables printed before issue 12: only the small counts hidden
    dataset, rows = generated(150, 6)
    tables = generated_tables(dataset, rows)
    for table in tables:
        assert isinstance(table, Crosstab)
        table.hidden = {
            (r, c)
            for r, values in enumerate(table.counts)
            for c, value in enumerate(values)
            if 0 < value < 5
        }
    found = attack(rows, tables, dataset.study.small_cell_threshold)
    assert found and all(width == 0 for _, width in found)


# --- weighted totals ---------------------------------------------------------------------
# A weighted total adds up over domains: a hidden domain's total is its parent's minus its
# siblings'. The release protects a total as the count it weighs; this attacker knows every
# published total and that no total is negative, and owes nothing to fieldkit.release.


def weighted_generated(children: int, districts: int) -> tuple[Dataset, Table]:
    """``generated`` with a design: 3 strata of 4 clusters, household weights 40-400."""
    dataset, plain = generated(children, districts)
    members = build_members()
    names = (*_GENERATED, "stratum", "cluster", "hh_weight", "hours_econ_7d")
    table = Table(plain.name, [members.variable(n) for n in names])
    rng = random.Random(7)
    for row in zip(*(plain.column(n) for n in _GENERATED), strict=True):
        stratum = rng.randint(1, 3)
        hours = rng.choice([0, 0, 0, 2, 6, 14, 25, 40]) if row[3] == 1 else 0
        weight = round(rng.uniform(40, 400), 2)
        table.append((*row, stratum, 10 * stratum + rng.randint(1, 4), weight, hours))
    study = dataset.study
    assert study.sample_design is not None and study.sample_design.weight == "hh_weight"
    return Dataset(study, "en", {table.name: table}, main=table.name), table


def weighted_tables(dataset: Dataset, rows: Table) -> list[Crosstab | EstimateTable]:
    study = dataset.study
    return [
        estimate_total(rows, "cl_ilo_sna", ["sex", "age_band_ilo_cl"], study=study),
        estimate_total(rows, "cl_ilo_sna", ["district"], study=study),
        estimate_total(rows, "hours_econ_7d", ["district", "sex"], study=study),
    ]


def _named_rows(tables: Sequence[EstimateTable]) -> dict[str, set[Any]]:
    """The values the tables name: a labelled category nobody chose is still a row."""
    named: dict[str, set[Any]] = {t.variable: {0, 1} for t in tables if not t.amounts}
    for table in tables:
        for row in table.rows:
            for name, key in zip(table.by, row.key, strict=True):
                keys = key if isinstance(key, tuple) else (key,)
                named.setdefault(name, set()).update(k for k in keys if k is not None)
    return named


def _weighted_truth(rows: Table, attacker: Attacker, variable: str) -> np.ndarray:
    """Each atom's weighted total of ``variable``: the true point of the attacker's system."""
    where = {atom: i for i, atom in enumerate(attacker.atoms)}
    columns = [[_value(v) for v in rows.column(n)] for n in attacker.variables]
    truth = np.zeros(len(attacker.atoms))
    answers = rows.column(variable)
    weights = rows.column("hh_weight")
    for row, weight, y in zip(zip(*columns, strict=True), weights, answers, strict=True):
        if isinstance(y, int | float):
            truth[where[row]] += weight * y
    return truth


def weighted_attack(rows: Table, tables: Sequence[EstimateTable]) -> list[tuple[str, float]]:
    """For every hidden total, the smallest and largest value it can take (linear programs
    over the weighted total of each atom of the tables' cube, one system per variable);
    returns (label, width)."""
    from scipy.optimize import linprog

    assert all(table.statistic == "total" for table in tables)
    names = sorted({n for t in tables for n in (*t.by, t.variable)})
    attacker = Attacker(rows, names, _named_rows(tables))
    variables = sorted({t.variable for t in tables})
    size = len(attacker.atoms)
    shown_rows, shown_values, hidden = [], [], []
    for number, table in enumerate(tables):
        truth = _weighted_truth(rows, attacker, table.variable)
        at = variables.index(table.variable) * size
        for r, estimate in enumerate(table.estimates):
            row = attacker.mask({**_row_where(table, r), table.variable: "known"})
            full = np.zeros(size * len(variables))
            full[at : at + size] = row
            # a domain shown to have no record totals 0: nothing there to protect
            if estimate.hidden and (estimate.n_hidden or estimate.n):
                hidden.append((f"table {number + 1} {table.rows[r].labels}", full))
            else:
                shown_rows.append(full)
                shown_values.append(float(row @ truth))
    a, b = np.array(shown_rows), np.array(shown_values)
    found = []
    for label, row in hidden:
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(sign * row, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
            ends.append(math.inf if result.status == 3 else sign * result.fun)
        found.append((label, ends[1] - ends[0]))
    return found


def test_no_hidden_weighted_total_can_be_worked_out() -> None:
    dataset, rows = weighted_generated(300, 20)
    published, outcome = publish(dataset, weighted_tables(dataset, rows))
    assert outcome.exposed == []
    totals = [t for t in published if isinstance(t, EstimateTable)]
    found = weighted_attack(rows, totals)
    assert found, "the release hides no total: the attack proves nothing"
    # a hidden count can move by 5 records without changing a shown one, so a hidden total
    # can move by 5 of the lightest records at least
    lightest = min(rows.column("hh_weight"))
    narrow = [(label, width) for label, width in found if width < 5 * lightest - 1e-6]
    assert narrow == []
    # the overall number of children in child labour stays
    assert not totals[0].estimates[-1].hidden


def test_the_attacker_works_out_totals_withheld_one_by_one() -> None:
    # what a table of totals published before it was protected as a count: only the
    # estimates resting on few records withheld, each back as parent minus siblings
    dataset, rows = weighted_generated(300, 20)
    totals = weighted_tables(dataset, rows)
    withhold_unreliable(totals, dataset.study.small_cell_threshold)
    found = weighted_attack(rows, [t for t in totals if isinstance(t, EstimateTable)])
    assert found and min(width for _, width in found) < 1e-6
