"""Datasets from the coordinator store: included interviews only, one form version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData, insert

from fieldkit.dataset import Special
from fieldkit.dataset.store import flatten_store, store_counts
from fieldkit.store.coordinator import open_coordinator
from tests.data.handmade import HOUSEHOLDS, PLANTED, compile_form, stream

ROSTER = "mini_household__members"
NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)
EXCLUDED = {"hh03": "quarantined", "hh05": "duplicate"}


def _complete(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns this test does not care about (the store's schema may grow)."""
    filler = {bool: False, int: 0, str: "-", dt.datetime: NOW}
    for column in table.columns:
        needed = not column.nullable and column.server_default is None
        if column.name not in values and needed and not column.primary_key:
            values[column.name] = filler.get(column.type.python_type, "-")
    return values


def _row(table: Any, **values: Any) -> Any:
    return insert(table).values(**_complete(table, values))


def _fill(path: Path, form: Any) -> None:
    interviews, answers, members = stream()
    with open_coordinator(path) as db, db.transaction() as conn:
        schema = MetaData()
        schema.reflect(conn)  # the tables as the store created them
        table = schema.tables
        conn.execute(_row(table["devices"], device_id="laptop-3", public_key="k"))
        conn.execute(_row(table["bundles"], sha256="b1", device_id="laptop-3", sequence=1))
        for number, interview in enumerate(interviews, start=1):
            conn.execute(_row(table["interviews"], **_interview(interview, form, number)))
            conn.execute(_row(table["merged_interviews"], **_merged(interview["id"], form.id)))
        conn.execute(
            _row(
                table["duplicates"], interview_id="hh05", kept_interview_id="hh04", form_id=form.id
            )
        )
        for a in answers:
            values = dict(
                zip(("interview_id", "question", "member", "value", "status"), a, strict=True)
            )
            conn.execute(_row(table["answers"], **values, changed_at=NOW))
        for m in members:
            values = dict(zip(("interview_id", "roster", "member"), m, strict=True))
            conn.execute(_row(table["roster_members"], **values))


def _interview(interview: dict[str, Any], form: Any, number: int) -> dict[str, Any]:
    return {
        "id": interview["id"], "form_id": form.id, "form_hash": form.hash,
        "instrument_kind": str(form.kind), "protocol_id": form.protocol.id,
        "enumerator": "enum07", "device_id": "laptop-3", "language": "en",
        "status": "complete", "consent": json.dumps({"outcome": "given"}),
        "consent_outcome": "given", "reference": f"REF-{interview['id']}", "sequence": number,
        "started_at": NOW, "ended_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _merged(interview_id: str, form_id: str) -> dict[str, Any]:
    return {
        "interview_id": interview_id, "form_id": form_id, "bundle_sha256": "b1",
        "bundle_device": "laptop-3", "bundle_sequence": 1, "content_hash": interview_id,
        "unit_values": None, "district": None,
        "quarantined": EXCLUDED.get(interview_id) == "quarantined",
        "included": interview_id not in EXCLUDED,
    }  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    form = compile_form()
    path = tmp_path_factory.mktemp("store") / "hq.sqlite"
    _fill(path, form)
    return path, form


def test_only_included_interviews_reach_the_dataset(store: tuple[Path, Any]) -> None:
    path, form = store
    with open_coordinator(path) as db, db.read() as conn:
        dataset = flatten_store(conn, form, role="statistician")
        counts = store_counts(conn, form.id)
    wide = dataset.table("mini_household")
    assert wide.column("interview_id") == [h[0] for h in HOUSEHOLDS if h[0] not in EXCLUDED]
    assert wide.column("device") == ["laptop-3"] * 4
    assert wide.column("started_at")[0] == NOW.isoformat()
    members = dataset.table(ROSTER)
    assert set(members.column("interview_id")) == {"hh01", "hh02", "hh04", "hh06"}
    ages = {(r["interview_id"], r["member"]): r["age"] for r in members.records()}
    assert ages[("hh01", 4)] == 13 and ages[("hh06", 1)] == 36
    assert counts == {"merged": 6, "included": 4, "quarantined": 1, "duplicates": 1}
    for row in members.rows():
        assert not any(name in str(value) for value in row for name in PLANTED)
        assert Special.REFUSED not in row  # hh05 held the refused answers: left out


def test_another_form_version_is_left_out(store: tuple[Path, Any]) -> None:
    path, form = store
    from dataclasses import replace

    other = replace(form, hash="sha256:another-version")
    with open_coordinator(path) as db, db.read() as conn:
        dataset = flatten_store(conn, other, role="statistician")
    assert dataset.table("mini_household").n_rows == 0
