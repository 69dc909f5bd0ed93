"""A study folder: protocols and instruments found, told apart, and cross-checked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldkit.errors import InstrumentError
from fieldkit.project import load_project, resolve_form
from tests.conftest import REPO


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "protocols", tmp_path / "protocols")
    shutil.copytree(REPO / "instruments", tmp_path / "instruments")
    return tmp_path


def test_the_shipped_study_compiles_into_five_forms(study: Path) -> None:
    project = load_project([study / "protocols", study / "instruments"])
    assert project.report.ok, [i.one_line() for i in project.report.issues]
    assert {str(f.kind) for f in project.forms.values()} == {
        "household",
        "establishment",
        "street",
        "school",
        "rapid_assessment",
    }
    form = project.form("household_cl")
    assert project.form(form.hash) is form
    assert project.by_hash()[form.hash] is form


def test_unknown_instrument_names_the_known_ones(study: Path) -> None:
    project = load_project([study / "protocols", study / "instruments"])
    with pytest.raises(InstrumentError) as caught:
        project.form("housework")
    assert caught.value.code == "FK-INS-019"
    assert "household_cl" in (caught.value.hint or "")


def test_resolve_form_finds_the_protocols_beside_it(study: Path) -> None:
    form = resolve_form(study / "instruments" / "street.yaml")
    assert form.id == "street_cl"
    with pytest.raises(InstrumentError) as caught:
        resolve_form(study / "protocols" / "rapid_assessment.yaml")
    assert caught.value.code == "FK-INS-019"


def test_two_instruments_with_one_id(study: Path) -> None:
    shutil.copy(study / "instruments" / "school.yaml", study / "instruments" / "school2.yaml")
    project = load_project([study / "protocols", study / "instruments"])
    assert project.report.codes() == ["FK-INS-020"]


def test_two_protocols_with_one_id(study: Path) -> None:
    shutil.copy(study / "protocols" / "rapid_assessment.yaml", study / "protocols" / "copy.yaml")
    project = load_project([study / "protocols", study / "instruments"])
    assert project.report.codes() == ["FK-PROT-011"]
