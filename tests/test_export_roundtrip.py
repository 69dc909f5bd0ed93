"""All five instruments export to every format and read back equal to the CSV (issue 10, #13).

The demo's coordinator store holds interviews of every shipped instrument (refusals, don't
know and refused answers, rosters). Each instrument is exported with the real command to
Excel, CSV, Parquet, Stata and SPSS at once; every file is read back with the library a
statistician uses (openpyxl, pyarrow, pyreadstat) and compared cell by cell with the CSV file
of the same table.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest

from fieldkit.cli import run
from fieldkit.dataset.table import Variable, VarType
from fieldkit.demo.journey import DemoResult
from fieldkit.export import EXCEL_ROWS, sheet_names, stata_names
from fieldkit.export.codebook import text_cell
from tests.conftest import REPO

FORMS = ("household_cl", "establishment_cl", "school_cl", "street_cl", "rapid_assessment_cl")
SPSS_MISSING = {-98.0: ".d", -99.0: ".r"}


@pytest.fixture(scope="module")
def exported(demo: DemoResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Instrument → the folder its export went to (workbook.xlsx, csv/, pq/, dta/, sav/)."""
    folders = {}
    for form_id in FORMS:
        out = tmp_path_factory.mktemp(form_id)
        formats = ["--xlsx", str(out / "workbook.xlsx"), "--csv", str(out / "csv")]
        formats += [
            "--parquet",
            str(out / "pq"),
            "--dta",
            str(out / "dta"),
            "--sav",
            str(out / "sav"),
        ]
        status = run(
            ["export", "--store", str(demo.store), "-i", form_id, "--project", str(REPO), *formats]
        )
        assert status == 0, form_id
        folders[form_id] = out
    return folders


def _tables(demo: DemoResult) -> Iterator[tuple[str, str]]:
    for form_id in FORMS:
        for name in demo.datasets[form_id].tables:
            yield form_id, name


def _csv(folder: Path, table: str) -> tuple[list[str], list[list[str]]]:
    with (folder / "csv" / f"{table}.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _compare(expected: list[list[str]], got: list[list[str]], names: list[str], where: str) -> None:
    assert len(got) == len(expected), f"{where}: {len(got)} rows, the CSV has {len(expected)}"
    wrong = [
        (r, names[c], want, have)
        for r, (want_row, have_row) in enumerate(zip(expected, got, strict=True))
        for c, (want, have) in enumerate(zip(want_row, have_row, strict=True))
        if want != have
    ]
    assert not wrong, (
        f"{where}: {len(wrong)} cells differ, e.g. (row, column, csv, file) {wrong[:5]}"
    )


def _number_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return text_cell(value)


def test_every_instrument_has_data_in_every_table(
    demo: DemoResult, exported: dict[str, Path]
) -> None:
    for form_id, table in _tables(demo):
        header, rows = _csv(exported[form_id], table)
        assert header and rows, (form_id, table)
    specials = {
        cell
        for form_id, table in _tables(demo)
        for row in _csv(exported[form_id], table)[1]
        for cell in row
    }
    assert {".d", ".r"} <= specials  # don't know and refused travel through every format


def test_excel_reads_back_as_the_csv(demo: DemoResult, exported: dict[str, Path]) -> None:
    for form_id, table in _tables(demo):
        header, expected = _csv(exported[form_id], table)
        book = openpyxl.load_workbook(exported[form_id] / "workbook.xlsx", read_only=True)
        sheet = book[sheet_names(table, len(expected), EXCEL_ROWS)[0]]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        book.close()
        assert [str(name) for name in rows[0]] == header
        got = [
            [_number_text(cell) for cell in row] + [""] * (len(header) - len(row))
            for row in rows[1:]
        ]
        _compare(expected, got, header, f"{table}.xlsx")


def test_parquet_reads_back_as_the_csv(demo: DemoResult, exported: dict[str, Path]) -> None:
    for form_id, table in _tables(demo):
        header, expected = _csv(exported[form_id], table)
        columns = pq.read_table(exported[form_id] / "pq" / f"{table}.parquet").to_pydict()
        got_columns = []
        for name in header:
            reasons = columns.get(f"{name}__missing", [None] * len(expected))
            got_columns.append(
                [
                    reason or _number_text(value)
                    for value, reason in zip(columns[name], reasons, strict=True)
                ]
            )
        _compare(
            expected,
            [list(row) for row in zip(*got_columns, strict=True)],
            header,
            f"{table}.parquet",
        )


def _statistical(
    reader: Callable[..., Any],
    suffix: str,
    limit: int,
    decode: Callable[[Any, Variable, dict[float, str]], str],
) -> Callable[[DemoResult, dict[str, Path]], None]:
    def check(demo: DemoResult, exported: dict[str, Path]) -> None:
        for form_id, table in _tables(demo):
            header, expected = _csv(exported[form_id], table)
            frame, meta = reader(
                str(exported[form_id] / suffix / f"{table}.{suffix}"), user_missing=True
            )
            variables = {v.name: v for v in demo.datasets[form_id].tables[table].variables}
            names = stata_names(header, limit)
            assert list(frame.columns) == [names[name] for name in header], table
            got_columns = []
            for name in header:
                labels = meta.variable_value_labels.get(names[name], {})
                got_columns.append(
                    [decode(value, variables[name], labels) for value in frame[names[name]]]
                )
            _compare(
                expected,
                [list(row) for row in zip(*got_columns, strict=True)],
                header,
                f"{table}.{suffix}",
            )

    return check


def _coded(value: Any, variable: Variable, labels: dict[float, str]) -> str | None:
    """A numbered code ('north_1' written as 3, labelled 'north_1: North 1') back to text."""
    if variable.type is not VarType.CODE or variable.numeric_codes:
        return None
    if isinstance(value, float) and value in labels:
        return labels[value].split(": ", 1)[0]
    return None


def _from_stata(value: Any, variable: Variable, labels: dict[float, str]) -> str:
    if isinstance(value, str) and len(value) == 1 and variable.missing:
        return f".{value}"  # Stata's extended missing .d / .r
    return _coded(value, variable, labels) or (
        value if isinstance(value, str) else _number_text(value)
    )


def _from_spss(value: Any, variable: Variable, labels: dict[float, str]) -> str:
    if variable.missing and value in SPSS_MISSING:
        return SPSS_MISSING[value]
    return _coded(value, variable, labels) or (
        value if isinstance(value, str) else _number_text(value)
    )


test_stata_reads_back_as_the_csv = _statistical(pyreadstat.read_dta, "dta", 28, _from_stata)
test_spss_reads_back_as_the_csv = _statistical(pyreadstat.read_sav, "sav", 64, _from_spss)


def test_stata_and_spss_label_their_codes(demo: DemoResult, exported: dict[str, Path]) -> None:
    folder = exported["household_cl"]
    _, meta = pyreadstat.read_dta(
        str(folder / "dta" / "household_cl__members.dta"), metadataonly=True
    )
    assert meta.variable_value_labels["sex"] == {1.0: "Male", 2.0: "Female"}
    assert meta.column_names_to_labels["age_r"] == "Calculated from age, age_band_est"
    sav = str(folder / "sav" / "household_cl__members.sav")
    _, meta = pyreadstat.read_sav(sav, metadataonly=True, user_missing=True)
    assert meta.variable_value_labels["age"][-98.0] == "don't know"
    assert meta.missing_ranges["age"] == [{"lo": -98.0, "hi": -98.0}]
