"""Two merges of the same bundle at once, in two real processes, on PostgreSQL.

The first merge is held inside its import transaction (its progress callback waits for a
signal file) until the second is seen waiting on the device's lock in ``pg_stat_activity``;
then both go on. The bundle is merged once, the other merge finds it merged: no false
FK-BUNDLE-008 replay, no rejection logged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from fieldkit.merge import MergeOptions, MergeProgress, merge_bundles
from tests.conftest import REPO
from tests.merge_fixtures import (
    MERGE_KEY,
    PG_URL,
    build_field,
    dump_lines,
    fresh_store,
    register_all,
)

pytestmark = pytest.mark.skipif(not PG_URL, reason="set FIELDKIT_TEST_PG_URL")

WAIT = 120.0
"""Seconds to wait for the other process to reach a point (a guard against a hang, never a
measurement)."""


def child(store: str, bundle: str, out: str, hold: str) -> None:
    """Run in a subprocess: merge ``bundle``; if ``hold`` names a file, stop in the first
    progress callback (inside the import transaction) until that file exists."""
    from tests.merge_fixtures import make_project

    def progress(_event: MergeProgress) -> None:
        if hold:
            Path(out + ".inside").touch()
            _until(lambda: Path(hold).exists())

    report = merge_bundles(
        [Path(bundle)],
        store,
        make_project(),
        MergeOptions(
            write_receipts=False, progress=progress, batch_interviews=1, merge_key=MERGE_KEY
        ),
    )
    Path(out).write_text(json.dumps(report.to_dict()))


def _until(condition: object) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the other merge never got there")
        time.sleep(0.05)


def _start(store: str, bundle: Path, out: Path, hold: Path | None) -> subprocess.Popen[bytes]:
    code = (
        "import sys; from tests.test_merge_race import child; "
        "child(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4])"
    )
    args = [sys.executable, "-c", code, store, str(bundle), str(out), str(hold or "")]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(args, cwd=REPO, env=env)


def _waiting_on_a_lock(store: str) -> bool:
    database = make_url(store).database
    assert PG_URL is not None
    engine = create_engine(PG_URL)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = :db AND wait_event_type = 'Lock'"
                ),
                {"db": database},
            ).scalar_one()
    finally:
        engine.dispose()
    return bool(found)


def test_two_merges_of_one_bundle_at_once(tmp_path: Path) -> None:
    field = build_field(tmp_path, districts=3, households=4, problems=False)
    bundle = field.laptops[0].bundles[0]
    with fresh_store("postgresql", tmp_path) as store:
        register_all(field, store)
        first, second, go = tmp_path / "first.json", tmp_path / "second.json", tmp_path / "go"
        holder = _start(store, bundle, first, go)
        try:
            _until(lambda: Path(str(first) + ".inside").exists())
            other = _start(store, bundle, second, None)
            try:
                _until(lambda: _waiting_on_a_lock(store))
            finally:
                go.touch()
                assert other.wait(WAIT) == 0
        finally:
            go.touch()
            assert holder.wait(WAIT) == 0
        reports = [json.loads(path.read_text()) for path in (first, second)]
        statuses = sorted(r["bundles"]["items"][0]["status"] for r in reports)
        assert statuses == ["already merged", "merged"], reports
        assert all(r["ok"] for r in reports)
        assert not [line for line in dump_lines(store) if line.startswith("bundle_rejections")]
        again = merge_bundles(
            [bundle], store, field.project, MergeOptions(write_receipts=False, merge_key=MERGE_KEY)
        )
        assert [b.status for b in again.bundles] == ["already merged"]
