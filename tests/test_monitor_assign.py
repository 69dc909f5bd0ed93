"""fieldkit assign: the sample into the HQ store, assignment files for the laptops, the units
offered by the terminal front end with their key filled in, and interviews outside the
assignment flagged (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldkit.cli import run
from fieldkit.demo.journey import DemoResult
from fieldkit.demo.synthetic import DISTRICTS
from fieldkit.errors import FieldkitError
from fieldkit.monitor.assignments import read_assignment_file
from fieldkit.monitor.sample import read_sample
from fieldkit.monitor.tables import assignments
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import AuditEntry
from tests.capture_helpers import HOUSEHOLD, form_of, load_example, mirror, text_for
from tests.conftest import REPO

SAMPLE = """cluster,hh_number,region,district,hh_weight
101,1,north,north_1,12.5
101,2,north,north_1,12.5
101,3,north,north_1,12.5
102,1,north,north_2,9.75
102,2,north,north_2,9.75
103,1,south,south_1,20
"""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "hq.sqlite"
    open_coordinator(path).close()
    return path


def assign(store: Path, sample: Path, *extra: str) -> int:
    args = ["assign", "--store", str(store), "--sample", str(sample), "-i", "household_cl"]
    return run([*args, "--project", str(REPO), *extra])


def rows(store: Path) -> list[dict[str, Any]]:
    with open_coordinator(store, create=False) as db, db.read() as conn:
        query = select(assignments).order_by(assignments.c.sample_row)
        return [dict(row) for row in conn.execute(query).mappings()]


def test_assign_whole_clusters_in_turn_and_write_the_laptops_files(
    tmp_path: Path, store: Path
) -> None:
    sample = tmp_path / "sample.csv"
    sample.write_text(SAMPLE, encoding="utf-8")
    out = tmp_path / "assignments"
    assert assign(store, sample, "--enumerators", "E01,E02", "--out", str(out)) == 0
    stored = rows(store)
    assert [(r["unit_values"], r["enumerator"], r["district"]) for r in stored] == [
        ("[101,1]", "E01", "north_1"),
        ("[101,2]", "E01", "north_1"),
        ("[101,3]", "E01", "north_1"),
        ("[102,1]", "E02", "north_2"),
        ("[102,2]", "E02", "north_2"),
        ("[103,1]", "E01", "south_1"),
    ]
    assert json.loads(stored[0]["preload"])["hh_weight"] == 12.5
    files = sorted(p.name for p in out.iterdir())
    assert files == ["household_cl-E01.json", "household_cl-E02.json"]
    laptop = read_assignment_file(out / "household_cl-E02.json", form_of("household"))
    assert laptop.enumerator == "E02"
    assert [u["unit"] for u in laptop.units] == [
        {"cluster": 102, "hh_number": 1},
        {"cluster": 102, "hh_number": 2},
    ]
    with open_coordinator(store, create=False) as db, db.read() as conn:
        actions = [r.action for r in conn.execute(select(AuditEntry.action))]  # type: ignore[call-overload]
    assert actions == ["assign"]
    # assigning a unit again moves it to the enumerator the file names now
    moved = tmp_path / "moved.csv"
    moved.write_text("cluster,hh_number,enumerator\n103,1,E02\n", encoding="utf-8")
    assert assign(store, moved) == 0
    owners = {r["unit_values"]: r["enumerator"] for r in rows(store)}
    assert len(owners) == 6 and owners["[103,1]"] == "E02" and owners["[101,1]"] == "E01"


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("", "FK-MON-050", 1),
        ("cluster,hh_number\n", "FK-MON-050", None),
        ("cluster,hh_numbr\n101,1\n", "FK-MON-051", 1),
        ("cluster,hh_number,respondent_name\n101,1,Ama\n", "FK-MON-051", 1),
        ("cluster,district\n101,north_1\n", "FK-MON-051", 1),
        ("cluster,hh_number\n101,one\n", "FK-MON-052", 2),
        ("cluster,hh_number,district\n101,1,atlantis\n", "FK-MON-052", 2),
        ("cluster,hh_number\n101,1\n101,\n", "FK-MON-052", 3),
        ("cluster,hh_number\n101,1,extra\n", "FK-MON-052", 2),
        ("cluster,hh_number\n101,1\n102,1\n101,1\n", "FK-MON-053", 4),
    ],
)
def test_a_wrong_sample_says_which_line(
    tmp_path: Path, text: str, code: str, line: int | None
) -> None:
    sample = tmp_path / "sample.csv"
    sample.write_text(text, encoding="utf-8")
    with pytest.raises(FieldkitError) as caught:
        read_sample(sample, form_of("household"))
    assert (caught.value.code, caught.value.location.line) == (code, line)


def test_units_need_an_enumerator(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "sample.csv"
    sample.write_text("cluster,hh_number\n101,1\n", encoding="utf-8")
    assert assign(store, sample) == 1
    assert "FK-MON-054" in capsys.readouterr().err
    assert rows(store) == []


def test_an_assignment_file_for_another_form_or_not_one(tmp_path: Path) -> None:
    other = tmp_path / "school.json"
    other.write_text(
        json.dumps({"format": "fieldkit-assignments-1", "form_id": "school_cl", "units": []}),
        encoding="utf-8",
    )
    notes = tmp_path / "notes.json"
    notes.write_text("[1, 2]", encoding="utf-8")
    for path in (other, notes, tmp_path / "missing.json"):
        with pytest.raises(FieldkitError) as caught:
            read_assignment_file(path, form_of("household"))
        assert caught.value.code == "FK-MON-055"


def test_the_terminal_types_the_assigned_unit_in(capsys: pytest.CaptureFixture[str]) -> None:
    from fieldkit.cli.assigned import preloading

    data = load_example(HOUSEHOLD)
    preload = {"cluster": 140, "hh_number": 7, "region": "centre", "district": "centre_2"}
    session = mirror("household")
    asked: list[str] = []

    def enumerator_types(_: str) -> str:
        prompt = session.current()
        assert prompt is not None
        asked.append(prompt.name)
        return text_for(prompt, session, data)

    read = preloading(session, preload, enumerator_types)
    while session.current() is not None:
        session.answer(read("> "))
    answers = {
        name: change.value for (name, member), change in session.answers().items() if not member
    }
    assert {name: answers[name] for name in preload} == preload
    assert not set(preload) & set(asked)
    assert "(from the assignment)" in capsys.readouterr().out
    assert answers["hh_weight"] == data["answers"]["hh_weight"]


def test_the_demo_flags_visits_outside_its_assignment(
    demo: DemoResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.store is not None and demo.assignments
    capsys.readouterr()
    assert run(["monitor", "--store", str(demo.store), "--project", str(REPO), "--json"]) == 0
    (household,) = [
        f for f in json.loads(capsys.readouterr().out)["forms"] if f["form_id"] == "household_cl"
    ]
    outside = {
        (f["enumerator"], f["detail"]["unit"]) for f in household["flags"] if f["rule"] == "MON-004"
    }
    # the second visit by a supervisor, and the child interviewed in an unsampled household
    assert len(outside) == 2
    assert ("SUPERVISOR-1", "[100,2]") in outside
    assert household["total"]["assigned"] == len(DISTRICTS) * 3  # the fixture's 3 per district
    by_enumerator = {row["key"]: row for row in household["by_enumerator"]}
    assert by_enumerator["SUPERVISOR-1"]["assigned"] == 0
