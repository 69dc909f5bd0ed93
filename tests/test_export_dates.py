"""Dates reach Stata and SPSS as dates, not text (issue 10, #13).

An ``internal`` export keeps exact dates (``restricted`` and ``public`` cut them to the
month, as text). Each of the five instruments is exported with the real command; the .dta
and .sav files are read back with pyreadstat: every date variable has the target's date
format (Stata ``%td``, SPSS ``DATE11``) and every date, don't know included, equals the CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pyreadstat
import pytest

from fieldkit.cli import run
from fieldkit.dataset.table import VarType
from fieldkit.demo.journey import DemoResult
from fieldkit.export import stata_names
from tests.conftest import REPO

FORMS = ("household_cl", "establishment_cl", "school_cl", "street_cl", "rapid_assessment_cl")
SPSS_DAY_0 = dt.datetime(1582, 10, 14)
SPSS_MISSING = {-98.0: ".d", -99.0: ".r"}


@pytest.fixture(scope="module")
def exported(demo: DemoResult, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folders = {}
    for form_id in FORMS:
        out = tmp_path_factory.mktemp(form_id)
        formats = ["--csv", str(out / "csv"), "--dta", str(out / "dta"), "--sav", str(out / "sav")]
        status = run(
            [
                *("export", "--store", str(demo.store), "-i", form_id, "--project", str(REPO)),
                *("--profile", "internal", *formats),
            ]
        )
        assert status == 0, form_id
        folders[form_id] = out
    return folders


def _dated(demo: DemoResult) -> list[tuple[str, str, list[str]]]:
    """(instrument, table, its date variables) for every table that has dates."""
    found = []
    for form_id in FORMS:
        for name, table in demo.datasets[form_id].tables.items():
            dates = [v.name for v in table.variables if v.type is VarType.DATE]
            if dates:
                found.append((form_id, name, dates))
    return found


def _csv_columns(path: Path, names: list[str]) -> dict[str, list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {name: [row[name] for row in rows] for name in names}


def _stata(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return f".{value}"  # extended missing .d / .r
    assert value is None or math.isnan(value)
    return ""


def _spss(value: Any) -> str:
    if value is None or math.isnan(value):
        return ""
    if value in SPSS_MISSING:
        return SPSS_MISSING[value]
    return (SPSS_DAY_0 + dt.timedelta(seconds=value)).date().isoformat()


def test_every_instrument_has_dates_and_some_are_unknown(demo: DemoResult) -> None:
    assert {form_id for form_id, _, _ in _dated(demo)} == set(FORMS)
    members = demo.datasets["household_cl"].tables["household_cl__members"]
    dob = list(members.column("dob"))
    assert any(isinstance(v, str) for v in dob)
    assert any(v is not None and not isinstance(v, str) for v in dob)  # .d among the dates


def test_stata_dates_are_dates_equal_to_the_csv(
    demo: DemoResult, exported: dict[str, Path]
) -> None:
    for form_id, table, dates in _dated(demo):
        folder = exported[form_id]
        expected = _csv_columns(folder / "csv" / f"{table}.csv", dates)
        frame, meta = pyreadstat.read_dta(str(folder / "dta" / f"{table}.dta"), user_missing=True)
        names = stata_names(list(expected), 28)
        for name in dates:
            assert meta.original_variable_types[names[name]] == "%td", (table, name)
            assert [_stata(v) for v in frame[names[name]]] == expected[name], (table, name)


def test_spss_dates_are_dates_equal_to_the_csv(demo: DemoResult, exported: dict[str, Path]) -> None:
    for form_id, table, dates in _dated(demo):
        folder = exported[form_id]
        expected = _csv_columns(folder / "csv" / f"{table}.csv", dates)
        path = str(folder / "sav" / f"{table}.sav")
        _, meta = pyreadstat.read_sav(path, metadataonly=True)
        raw, _ = pyreadstat.read_sav(path, user_missing=True, disable_datetime_conversion=True)
        names = stata_names(list(expected), 64)
        for name in dates:
            assert meta.original_variable_types[names[name]] == "DATE11", (table, name)
            assert [_spss(v) for v in raw[names[name]]] == expected[name], (table, name)
    _, meta = pyreadstat.read_sav(
        str(exported["household_cl"] / "sav" / "household_cl__members.sav"), metadataonly=True
    )
    assert meta.variable_value_labels["dob"][-98.0] == "don't know"
