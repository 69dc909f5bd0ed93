"""fieldkit review: flagged interviews first; approve and reject recorded with their history
and written to the audit log; a rejection needs its comment (issue 16)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from fieldkit.cli import run
from fieldkit.demo.journey import DemoResult
from fieldkit.monitor.tables import review_decisions
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import AuditEntry
from tests.conftest import REPO


@pytest.fixture
def store(demo: DemoResult, tmp_path: Path) -> Path:
    assert demo.store is not None
    copy = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, copy)
    return copy


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    status = run(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def queue(capsys: pytest.CaptureFixture[str], store: Path, *extra: str) -> list[dict[str, Any]]:
    status, out, _ = cli(
        capsys, "review", "--store", str(store), "--project", str(REPO), "--json", *extra
    )
    assert status == 0
    data: list[dict[str, Any]] = json.loads(out)
    return data


def test_flagged_first_then_decided_leave_the_list(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = queue(capsys, store)
    counts = [len(item["flags"]) for item in items]
    assert counts == sorted(counts, reverse=True)
    assert items[0]["flags"] == ["MON-002", "MON-004"]  # outside the windows and the sample
    first, second = items[0]["interview_id"], items[1]["interview_id"]
    assert cli(capsys, "review", "approve", first[:8], "--store", str(store))[0] == 0
    status, _, err = cli(
        capsys, "review", "reject", second, "--store", str(store), "--comment", "  "
    )
    assert status == 1 and "FK-MON-057" in err
    comment = "members 2 and 3: ages look swapped, please check with the household"
    assert (
        cli(capsys, "review", "reject", second, "--store", str(store), "--comment", comment)[0] == 0
    )
    left = {item["interview_id"] for item in queue(capsys, store)}
    assert first not in left and second not in left and len(left) == len(items) - 2
    decided = {i["interview_id"]: i["decision"] for i in queue(capsys, store, "--all")}
    assert decided[second]["decision"] == "rejected"
    assert decided[second]["comment"] == comment


def test_every_decision_is_kept_and_audited(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = queue(capsys, store)[0]["interview_id"]
    cli(capsys, "review", "reject", target, "--store", str(store), "--comment", "redo the roster")
    cli(capsys, "review", "approve", target, "--store", str(store), "--comment", "corrected")
    with open_coordinator(store, create=False) as db, db.read() as conn:
        history = [
            (row.decision, row.comment)
            for row in conn.execute(select(review_decisions).order_by(review_decisions.c.id))
        ]
        audit = [
            (row.action, row.subject)
            for row in conn.execute(select(AuditEntry.action, AuditEntry.subject))  # type: ignore[call-overload]
        ]
    assert history == [("rejected", "redo the roster"), ("approved", "corrected")]
    assert ("review rejected", target) in audit and ("review approved", target) in audit
    (latest,) = [i for i in queue(capsys, store, "--all") if i["interview_id"] == target]
    assert latest["decision"]["decision"] == "approved"


@pytest.mark.parametrize("given", ["abc", "zzzzzzzz", ""])
def test_an_interview_that_is_not_there(
    store: Path, capsys: pytest.CaptureFixture[str], given: str
) -> None:
    status, _, err = cli(capsys, "review", "approve", given, "--store", str(store))
    assert status == 1 and "FK-MON-056" in err
