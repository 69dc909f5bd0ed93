"""Back-checks on the demo's store: a reproducible draw per enumerator, re-interviews with the
shipped backcheck_cl instrument entered on a laptop, bundled and merged, and discrepancy
rates per question and per enumerator (issue 16)."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldkit.bundle import init_device, read_device_public_key, write_bundle
from fieldkit.capture.scripted import CheckedScript, answer_file_from, rehearse, store_script
from fieldkit.cli import run
from fieldkit.demo.journey import DemoResult
from fieldkit.errors import FieldkitError
from fieldkit.merge import MergeOptions, merge_bundles, register_device
from fieldkit.privacy.keys import load_merge_key, load_project_keys
from fieldkit.project import load_study
from fieldkit.review.backcheck import compare, draw
from fieldkit.store import LaptopStore
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table
from tests.conftest import REPO
from tests.test_store_helpers import STORE_KEY


@pytest.fixture
def store(demo: DemoResult, tmp_path: Path) -> Path:
    assert demo.store is not None
    copy = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, copy)
    return copy


def test_the_draw_is_reproducible_and_per_enumerator(store: Path, demo: DemoResult) -> None:
    first = draw(store, rate=0.5, seed="round-1")
    again = draw(store, rate=0.5, seed="round-1")
    other = draw(store, rate=0.5, seed="round-2")
    assert [d.interview_id for d in first] == [d.interview_id for d in again]
    assert [d.interview_id for d in first] != [d.interview_id for d in other]
    with open_coordinator(store, create=False) as db, db.read() as conn:
        interviews = capture_table("interviews")
        rows = conn.execute(
            select(interviews.c.enumerator).where(
                interviews.c.form_id == "household_cl", interviews.c.status == "complete"
            )
        )
        completed = Counter(row[0] for row in rows)
    drawn = Counter(d.enumerator for d in first)
    for who, count in drawn.items():  # ceil(rate x n) of the included completed ones
        assert count <= math.ceil(0.5 * completed[who])
    assert set(drawn) <= set(completed)
    for bad in (0.0, 1.5):
        with pytest.raises(FieldkitError) as caught:
            draw(store, rate=bad, seed="x")
        assert caught.value.code == "FK-MON-058"
    with pytest.raises(FieldkitError) as caught:
        draw(store, rate=0.5, seed="x", form_id="backcheck_cl")
    assert caught.value.code == "FK-MON-059"


def _first_answers(store: Path, interview_id: str) -> dict[tuple[str, int], Any]:
    answers = capture_table("answers")
    with open_coordinator(store, create=False) as db, db.read() as conn:
        rows = conn.execute(
            select(answers.c.question, answers.c.member, answers.c.value).where(
                answers.c.interview_id == interview_id, answers.c.status == "answered"
            )
        )
        return {(q, m): json.loads(v) for q, m, v in rows}


def _backcheck_script(first: dict[tuple[str, int], Any], age_shift: int) -> dict[str, Any]:
    size = int(first[("hh_size", 0)])
    members = []
    for member in range(1, size + 1):
        age = int(first[("age", member)]) + (age_shift if member == 1 else 0)
        row: dict[str, Any] = {"sex": int(first[("sex", member)]), "age": age}
        if 5 <= age <= 17:
            row["attending_now"] = int(first.get(("attending_now", member), 2))
            worked = [a for a in first.get(("econ_any_7d", member), ["none"]) if a != "none"]
            row["worked_7d"] = 1 if worked else 2
        members.append(row)
    answers = {
        "cluster": first[("cluster", 0)],
        "hh_number": first[("hh_number", 0)],
        "hh_size": size,
        "members": members,
    }
    consent = {"adult": 1, "others_present": "nobody", "language": "en"}
    screening = {"adult_available": 1, "safe_to_proceed": 1, "private_setting": 1}
    return {
        "instrument": "backcheck_cl",
        "enumerator": "BC-01",
        "language": "en",
        "screening": screening,
        "consent": consent,
        "answers": answers,
    }


def test_discrepancies_per_question_and_enumerator(
    store: Path, demo: DemoResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = load_study([REPO])
    form = project.form("backcheck_cl")
    drawn = draw(store, rate=0.2, seed="round-1")
    assert len(drawn) >= 3
    laptop = tmp_path / "backcheck-laptop.sqlite"
    keys = demo.out / "keys"
    public = load_project_keys(keys / "project.pub")
    shifts = [5, 1] + [0] * (len(drawn) - 2)  # one age 5 years off, one a birthday apart
    with LaptopStore.open(laptop, project_keys=public, key=STORE_KEY) as laptop_store:
        for item, shift in zip(drawn, shifts, strict=True):
            data = _backcheck_script(_first_answers(store, item.interview_id), shift)
            script, doc = answer_file_from(data, item.interview_id)
            store_script(laptop_store, form, CheckedScript(script, rehearse(form, script, doc)))
    _, device_public = init_device(laptop, STORE_KEY)
    bundle = tmp_path / "backcheck.fkb"
    write_bundle(laptop, bundle, STORE_KEY)
    register_device(store, read_device_public_key(device_public))
    secret = (keys / "DEMO-ONLY-passphrases" / "merge.txt").read_text().splitlines()[0]
    merge_key = load_merge_key(keys / "merge.key", secret)
    assert merge_bundles([bundle], store, project, MergeOptions(merge_key=merge_key)).ok

    report = compare(store)
    assert report.backchecked == report.drawn == len(drawn)
    assert report.by_question["age"].differing == 1  # the 5-year gap; the 1-year one is the same
    assert report.by_question["sex"].differing == 0
    assert report.by_question["hh_size"].compared == len(drawn)
    shifted = drawn[0].enumerator
    assert report.by_enumerator[shifted].differing == 1
    assert sum(r.differing for r in report.by_enumerator.values()) == 1

    capsys.readouterr()
    assert run(["backcheck", "compare", "--store", str(store), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["by_question"]["age"]["differing"] == 1
    assert data["by_question"]["age"]["rate"] == round(1 / report.by_question["age"].compared, 4)


def test_the_draw_writes_a_sample_to_assign(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = tmp_path / "backcheck.csv"
    args = ["backcheck", "draw", "--store", str(store), "--rate", "0.2", "--seed", "r1"]
    assert run([*args, "--project", str(REPO), "--out", str(sample)]) == 0
    lines = sample.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "cluster,hh_number"
    assign = ["assign", "--store", str(store), "--sample", str(sample), "-i", "backcheck_cl"]
    assert run([*assign, "--project", str(REPO), "--enumerators", "BC-01"]) == 0
    assert "BC-01: " in capsys.readouterr().out
