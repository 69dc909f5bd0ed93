"""The SQLite pivot gives exactly the tables of the generic row-by-row path, edge cases included.

``flatten_store`` takes the pivot on SQLite and the generic path elsewhere; both must agree
cell for cell (types too: 1, 1.0 and "1" are different cells) on the same store.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldkit.dataset import Dataset, Special
from fieldkit.dataset.sqlite_pivot import flatten_sqlite
from fieldkit.dataset.store import flatten_rows, flatten_store
from fieldkit.store.coordinator import open_coordinator
from tests.data.handmade import compile_form, stream
from tests.data.store_rows import fill_store
from tests.merge_fixtures import BACKENDS, fresh_store

ROSTER = "mini_household__members"
EXCLUDED = {"hh03": "quarantined", "hh05": "duplicate"}

EDGE_ANSWERS = [
    ("hh01", "not_in_form", 0, "1", "answered"),  # warned about, left out
    ("hh02", "age", 9, "12", "answered"),  # a member answered for but never listed
    ("hh02", "sex", 10, "null", "answered"),  # only a JSON null: no member row
    ("hh02", "sex", 11, "2", "cleared"),  # only a cleared answer: no member row
    ("hh04", "age", 0, "40", "answered"),  # a roster question at the top level: ignored
    ("hh06", "hours_econ_7d", 1, '"x"', "dont_know"),
    ("hh06", "night_work", 1, "1", "refused"),
    ("hh06", "chores_any", 1, "not json", "answered"),  # kept as the stored text
    ("hh06", "tip_age_at_start", 1, "12.0", "answered"),
    ("hh06", "hours_chores_7d", 1, '"7"', "answered"),
    ("hh06", "econ_any_7d", 1, '["farm", "wage"]', "answered"),
    ("hh06", "tip_sector", 1, '"agriculture"', "answered"),
    ("hh06", "citizenship", 1, "true", "answered"),
]
CLEARED = {("hh04", "district", 0), ("hh01", "hh_weight", 0)}


def _edge_rows() -> tuple[list[Any], list[Any], list[Any]]:
    interviews, answers, members = stream()
    interviews.append({"id": "hh07"})  # included, not a single answer
    answers = [
        (*a[:4], "cleared") if (a[0], a[1], a[2]) in CLEARED else a for a in answers
    ] + EDGE_ANSWERS
    members += [("hh04", "members", 20), ("hh07", "members", 1), ("hh07", "other_roster", 2)]
    return interviews, answers, members


def _cells(dataset: Dataset) -> dict[str, Any]:
    """Everything a dataset holds, with each cell's type next to its value."""
    return {
        "main": dataset.main,
        "language": dataset.language,
        "study": dataset.study,
        "issues": [issue.one_line() for issue in dataset.report.issues],
        "tables": {
            name: (
                table.label,
                table.variables,
                [[(type(cell), cell) for cell in row] for row in table.rows()],
            )
            for name, table in ((name, dataset.table(name)) for name in dataset.tables)
        },
    }


@pytest.fixture(scope="module")
def form() -> Any:
    return compile_form()


@pytest.fixture(scope="module")
def pivoted(form: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The edge-case store's dataset as the SQLite pivot builds it."""
    store = tmp_path_factory.mktemp("pivot") / "hq.sqlite"
    fill_store(store, form, *_edge_rows(), excluded=EXCLUDED)
    with open_coordinator(store) as db, db.read() as conn:
        dataset = flatten_sqlite(conn, form, role="statistician", language="fr")
    assert dataset is not None
    return _cells(dataset)


@pytest.mark.parametrize("backend", BACKENDS)
def test_pivot_and_generic_path_give_the_same_tables(
    backend: str, form: Any, pivoted: dict[str, Any], tmp_path: Path
) -> None:
    interviews, answers, members = _edge_rows()
    with fresh_store(backend, tmp_path) as store:
        fill_store(store, form, interviews, answers, members, excluded=EXCLUDED)
        with open_coordinator(store) as db, db.read() as conn:
            generic = flatten_rows(conn, form, role="statistician", language="fr")
            pivot = flatten_sqlite(conn, form, role="statistician", language="fr")
            chosen = flatten_store(conn, form, role="statistician", language="fr")
    assert (pivot is not None) == (backend == "sqlite")  # PostgreSQL: the generic path
    assert _cells(generic) == pivoted
    assert _cells(chosen) == pivoted
    rows = {(r["interview_id"], r["member"]): r for r in generic.table(ROSTER).records()}
    assert rows[("hh02", 9)]["age"] == 12 and ("hh02", 10) not in rows
    assert ("hh02", 11) not in rows and rows[("hh04", 20)]["age"] is None
    assert rows[("hh06", 1)]["night_work"] is Special.REFUSED
    assert rows[("hh06", 1)]["chores_any"] == "not json"
    assert generic.table("mini_household").column("interview_id")[-1] == "hh07"
    assert any("not_in_form" in issue.message for issue in generic.report.issues)


@pytest.mark.parametrize(
    "odd_answer",
    [
        ("hh01", "hh_weight", 2, "5.0", "answered"),  # top-level question, for a member
        ("hh02", "night_work", 30, b"1", "answered"),  # a value stored as a blob
    ],
)
def test_rows_the_pivot_cannot_reproduce_take_the_generic_path(
    odd_answer: tuple[Any, ...], form: Any, tmp_path: Path
) -> None:
    interviews, answers, members = _edge_rows()
    store = tmp_path / "hq.sqlite"
    fill_store(store, form, interviews, [*answers, odd_answer], members, excluded=EXCLUDED)
    with open_coordinator(store) as db, db.read() as conn:
        assert flatten_sqlite(conn, form, role="statistician") is None
        chosen = flatten_store(conn, form, role="statistician")
        generic = flatten_rows(conn, form, role="statistician")
    assert _cells(chosen) == _cells(generic)
