"""A route, a point of vulnerability or a role named by one child is not disclosed: not as a
row with its counts withheld, not on the map, not in any file or line the commands write."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from fieldkit.cli import app
from fieldkit.dataset.table import Table, Variable, VarType
from fieldkit.demo.journey import DemoResult
from fieldkit.routes.rare import OTHER, fold_rare
from tests.conftest import REPO

UNIQUE_TRANSIT = ("ml", "Mali")  # no demo child passes through Mali
UNIQUE_POINT = ("ng", "Nigeria")  # no demo record names a point in Nigeria


def _planted(demo: DemoResult, tmp_path: Path) -> Path:
    """A copy of the demo store where one child went through Mali, one rapid-assessment
    record names a point in Nigeria, and one child names a document provider."""
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)
    with sqlite3.connect(store) as db:
        first = "(select min(rowid) from answers where question = ?)"
        db.execute(f"update answers set value = ? where rowid = {first}",
                   (json.dumps(UNIQUE_TRANSIT[0]), "tip_transit_place"))  # fmt: skip
        db.execute(f"update answers set value = ? where rowid = {first}",
                   (json.dumps([UNIQUE_POINT[0], "centre_1"]), "vuln_points"))  # fmt: skip
    return store


def _run(store: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--store", str(store), "--project", str(REPO)])
    assert result.exit_code == 0, result.output
    return result.output


def _cells(book: Path) -> str:
    """Every cell of a workbook, as text, but the codebook rows of the instrument's own
    questions: their choice lists (every place) are the instrument's, not the data's."""
    workbook = openpyxl.load_workbook(book, read_only=True)
    rows = [
        json.dumps(row, default=str, ensure_ascii=False)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        if sheet.title != "Codebook" or row[4] != "question"
    ]
    workbook.close()
    assert len(rows) > 20
    return "\n".join(rows)


def _disclosed(text: str, code: str, name: str) -> bool:
    return name in text or f'"{code}"' in text or f">{code}>" in text


def test_a_route_and_a_point_one_record_names_are_in_no_output(
    demo: DemoResult, tmp_path: Path
) -> None:
    store = _planted(demo, tmp_path)
    geojson = tmp_path / "flows.geojson"
    books = [tmp_path / "routes.xlsx", tmp_path / "points.xlsx", tmp_path / "by-year.xlsx"]
    outputs = [
        _run(store, "routes", "-i", "household_cl", "--geojson", str(geojson), "--xlsx", str(books[0])),
        _run(store, "routes", "-i", "household_cl", "--json"),
        _run(store, "routes", "-i", "rapid_assessment_cl", "--xlsx", str(books[1])),
        _run(store, "routes", "-i", "rapid_assessment_cl", "--json"),
        _run(store, "routes", "-i", "household_cl", "--by-period", "year", "--period-from",
             "recruitment", "--xlsx", str(books[2])),
    ]  # fmt: skip
    files = [geojson.read_text(encoding="utf-8"), *(_cells(book) for book in books)]
    for text in [*outputs, *files]:
        assert not _disclosed(text, *UNIQUE_TRANSIT)
        assert not _disclosed(text, *UNIQUE_POINT)
    assert "Other routes" in outputs[0] and "Other places" in outputs[2]
    flows = json.loads(files[0])["features"]
    assert all(UNIQUE_TRANSIT[0] != f["properties"]["transit"] for f in flows)


def test_role_tables_list_the_instrument_roles_whatever_one_child_answers(
    demo: DemoResult, tmp_path: Path
) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    store = _planted(demo, plain)
    before = json.loads(_run(store, "profile", "-i", "household_cl", "--traffickers", "--json"))
    with sqlite3.connect(store) as db:
        db.execute(
            "update answers set value = ? where rowid = "
            "(select min(rowid) from answers where question = 'tip_roles')",
            (json.dumps(["recruiter", "document_provider"]),),
        )
    after = json.loads(_run(store, "profile", "-i", "household_cl", "--traffickers", "--json"))

    def layout(found: dict[str, list[list[list[object]]]]) -> list[object]:
        return [[t[1], [line[0] for line in t[2:] if line]] for t in found["tables"]]

    assert layout(after) == layout(before)  # the same rows and columns: none from the data


def test_fold_rare_keeps_codes_with_enough_counted_rows() -> None:
    codes = ["a", "a", "a", "b", "b", "b", None, "c"]
    counted = [True, True, True, True, True, False, True, True]
    folded, kept = fold_rare(codes, counted, 3)
    assert kept == {"a"}  # b's third row is not counted: b stays rare
    assert folded == ["a", "a", "a", OTHER, OTHER, OTHER, None, OTHER]


def test_the_route_variable_labels_only_the_routes_it_keeps() -> None:
    from fieldkit.routes import add_route

    names = ["tip_origin_place", "tip_transit_place", "tip_exploit_place", "tip_child"]
    table = Table("children", [Variable(n, {"en": n}, VarType.CODE) for n in names])
    table.extend([["a", None, "b", 1]] * 5 + [["a", "ml", "b", 1], ["c", None, "b", None]] * 2)
    add_route(table, {}, threshold=5)
    route = table.variable("tip_route")
    assert list(route.value_labels) == ["a>direct>b", OTHER]
    assert table.column("tip_route")[5:] == [OTHER] * 4
