"""Datasets from the coordinator store: included interviews only, one form version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldkit.dataset import Special
from fieldkit.dataset.store import flatten_store, store_counts
from fieldkit.store.coordinator import open_coordinator
from tests.data.handmade import HOUSEHOLDS, PLANTED, compile_form, stream
from tests.data.store_rows import NOW, fill_store

ROSTER = "mini_household__members"
EXCLUDED = {"hh03": "quarantined", "hh05": "duplicate"}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    form = compile_form()
    path = tmp_path_factory.mktemp("store") / "hq.sqlite"
    fill_store(path, form, *stream(), excluded=EXCLUDED)
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
