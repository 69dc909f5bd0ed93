"""Opening databases (P14): pragmas, integrity check, migrations, transactions, clear errors."""

from __future__ import annotations

import os
import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import inspect
from sqlmodel import SQLModel

from fieldkit.errors import StoreError
from fieldkit.store import create_store_key, open_database
from fieldkit.store.migrations import MIGRATIONS
from tests.test_store_helpers import STORE_KEY, answer, make_form, open_laptop


def test_laptop_connections_have_the_safe_pragmas(tmp_path: Path) -> None:
    db = open_database(tmp_path / "l.sqlite", role="laptop", key=STORE_KEY)
    try:
        assert db.pragma("foreign_keys") == 1
        assert db.pragma("journal_mode") == "wal"
        assert db.pragma("synchronous") == 2  # FULL
        assert db.pragma("temp_store") == 2  # MEMORY: no plaintext temp files
        assert db.pragma("secure_delete") == 1
        assert db.pragma("busy_timeout") > 0
        # every pooled connection, not just the first one
        with db.engine.connect() as a, db.engine.connect() as b:
            for conn in (a, b):
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        db.close()


def test_coordinator_uses_normal_sync_and_its_own_migrations(tmp_path: Path) -> None:
    with open_database(f"sqlite:///{tmp_path / 'hq.sqlite'}", role="coordinator") as db:
        assert db.pragma("synchronous") == 1  # NORMAL
        assert db.pragma("foreign_keys") == 1
        assert [m.name for m in db.migrations()] == [m.name for m in MIGRATIONS["coordinator"]]
        names = [m.name for m in db.migrations()]
        assert "coordinator: event logs per interview" in names
        assert "coordinator: sealed free text, revocation, protocol texts" in names
        with db.read() as conn:
            tables = {row[0] for row in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert {"merged_interviews", "duplicates", "conflicts", "quarantine"} <= tables


def test_migrations_are_recorded_once_and_reopening_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_database(path, role="laptop", key=STORE_KEY) as db:
        first = db.migrations()
    assert [(m.version, m.name) for m in first] == [
        (1, "laptop: capture tables"),
        (2, "laptop: sealed free text, device key"),
    ]
    assert first[0].applied_at.tzinfo is not None
    for _ in range(3):
        with open_database(path, role="laptop", key=STORE_KEY) as db:
            assert db.migrations() == first
            assert db.integrity_check() == ["ok"]


def test_migrated_schema_matches_the_table_models(tmp_path: Path) -> None:
    """The frozen migration DDL and the SQLModel classes describe the same columns."""
    for role in ("laptop", "coordinator"):
        key = STORE_KEY if role == "laptop" else None
        with open_database(tmp_path / f"{role}.sqlite", role=role, key=key) as db:  # type: ignore[arg-type]
            inspector = inspect(db.engine)
            tables = set(inspector.get_table_names())
            for table in SQLModel.metadata.sorted_tables:
                if table.name not in tables:
                    continue
                found = {c["name"]: c for c in inspector.get_columns(table.name)}
                assert set(found) == {c.name for c in table.columns}, table.name
                for column in table.columns:
                    assert found[column.name]["nullable"] == column.nullable, (
                        table.name,
                        column.name,
                    )
                primary = inspector.get_pk_constraint(table.name)["constrained_columns"]
                assert set(primary) == {c.name for c in table.primary_key}, table.name
            expected = {"schema_migrations", "interviews", "answers", "identities"}
            expected |= {"paradata"} if role == "laptop" else {"event_logs", "merged_interviews"}
            assert expected <= tables
            assert role == "laptop" or "paradata" not in tables  # packed per interview


def test_random_bytes_are_refused_with_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.sqlite"
    path.write_bytes(random.Random(7).randbytes(8192))
    before = path.read_bytes()
    with pytest.raises(StoreError) as caught:
        open_database(path, role="laptop", key=STORE_KEY)
    error = caught.value
    assert error.code == "FK-STORE-001"
    assert "not-a-db.sqlite" in error.message
    assert error.hint
    assert "\n" not in error.one_line()
    assert path.read_bytes() == before  # never "repaired" over


def test_a_truncated_real_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.sqlite"
    with open_laptop(tmp_path) as store:
        form = make_form()
        for _ in range(40):
            interview = store.create_interview(form=form, enumerator="e1", language="en")
            store.apply(interview, [answer("remarks", "x" * 800), answer("hh_size", 4)])
    (tmp_path / "laptop.sqlite").rename(path)
    data = path.read_bytes()
    assert len(data) > 16 * 4096
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(StoreError) as caught:
        open_database(path, role="laptop", key=STORE_KEY)
    assert caught.value.code == "FK-STORE-001"
    assert "cut.sqlite" in caught.value.one_line()


def test_a_database_from_a_newer_fieldkit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    open_database(path, role="laptop", key=STORE_KEY).close()
    with closing(sqlcipher3.connect(str(path))) as conn:
        conn.execute(f'PRAGMA key = "{STORE_KEY.sqlcipher}"')
        conn.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) "
            "VALUES (99, 'laptop: from the future', '2030-01-01 00:00:00')"
        )
        conn.commit()
    with pytest.raises(StoreError) as caught:
        open_database(path, role="laptop", key=STORE_KEY)
    assert caught.value.code == "FK-STORE-002"
    assert "99" in caught.value.message


def test_the_wrong_role_or_a_foreign_database_is_refused(tmp_path: Path) -> None:
    laptop = tmp_path / "l.sqlite"
    create_store_key(laptop, "correct horse battery staple", log_n=10)
    open_database(laptop, role="laptop", key=STORE_KEY).close()
    with pytest.raises(StoreError) as caught:
        open_database(laptop, role="coordinator")
    assert caught.value.code == "FK-STORE-003"
    assert "laptop" in caught.value.message
    hq = tmp_path / "hq.sqlite"
    open_database(hq, role="coordinator").close()
    with pytest.raises(StoreError) as caught:  # plain SQLite is never a laptop store
        open_database(hq, role="laptop", key=STORE_KEY)
    assert caught.value.code == "FK-STORE-003"
    assert "not an encrypted laptop store" in caught.value.message

    other = tmp_path / "other-app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT)")
    conn.close()
    with pytest.raises(StoreError) as caught:
        open_database(other, role="coordinator")
    assert caught.value.code == "FK-STORE-003"
    with sqlite3.connect(other) as conn:  # untouched: no fieldkit tables added
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert names == {"contacts"}


@pytest.mark.parametrize(
    "target",
    ["missing-folder/l.sqlite", ".", "postgresql://u:secret@localhost/hq", "sqlite://"],
)
def test_unusable_laptop_targets_are_refused(tmp_path: Path, target: str) -> None:
    given: Path | str = target if "://" in target else tmp_path / target
    with pytest.raises(StoreError) as caught:
        open_database(given, role="laptop", key=STORE_KEY)
    assert caught.value.code == "FK-STORE-004"
    assert "secret" not in caught.value.one_line()


def test_transactions_commit_or_roll_back_whole(tmp_path: Path) -> None:
    with open_database(tmp_path / "l.sqlite", role="laptop", key=STORE_KEY) as db:
        with db.transaction() as conn:
            conn.exec_driver_sql(
                "INSERT INTO device (device_id, next_sequence, project_key) VALUES ('d', 1, 'k')"
            )
        with pytest.raises(RuntimeError), db.transaction() as conn:
            conn.exec_driver_sql("UPDATE device SET next_sequence = 50")
            raise RuntimeError("boom")
        with db.read() as conn:
            assert conn.exec_driver_sql("SELECT next_sequence FROM device").scalar() == 1


def test_a_locked_database_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite"
    with open_database(path, role="laptop", key=STORE_KEY, busy_timeout_ms=50) as db:
        other = sqlcipher3.connect(str(path), isolation_level=None)
        other.execute(f'PRAGMA key = "{STORE_KEY.sqlcipher}"')
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(StoreError) as caught, db.transaction():
                pass
            assert caught.value.code == "FK-STORE-008"
        finally:
            other.execute("ROLLBACK")
            other.close()


def test_a_full_disk_gives_a_clear_error_and_keeps_earlier_answers(tmp_path: Path) -> None:
    with open_laptop(tmp_path) as store:
        interview = store.create_interview(form=make_form(), enumerator="e1", language="en")
        store.apply(interview, [answer("hh_size", 5)])
        with store.database.engine.connect() as conn:  # the one pooled connection
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
            conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError) as caught:
            for n in range(200):
                store.apply(interview, [answer("remarks", os.urandom(2000).hex() + str(n))])
        assert caught.value.code == "FK-STORE-009"
        assert store.load(interview).answers[("hh_size", 0)][0] == 5


def test_other_database_errors_are_one_line_store_errors(tmp_path: Path) -> None:
    with open_database(tmp_path / "l.sqlite", role="laptop", key=STORE_KEY) as db:
        with pytest.raises(StoreError) as caught, db.transaction() as conn:
            conn.exec_driver_sql("SELECT * FROM no_such_table")
        assert caught.value.code == "FK-STORE-010"
        assert "no_such_table" in caught.value.message


def test_migration_4_packs_existing_paradata_per_interview(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store made before event logs keeps every event, in order, as one log per interview."""
    path = tmp_path / "hq.sqlite"
    monkeypatch.setitem(MIGRATIONS, "coordinator", MIGRATIONS["coordinator"][:3])
    with open_database(path, role="coordinator") as db, db.transaction() as conn:
        conn.exec_driver_sql(
            "INSERT INTO interviews VALUES ('i1', 'f', 'h', 'household', 'p', 'e', 'd', 'en', "
            "'complete', NULL, NULL, 'r1', 1, '2027-02-01 09:00:00.000000', NULL, "
            "'2027-02-01 09:30:00.000000')"
        )
        for event_id, at, event in ((7, "09:05", "answer"), (3, "09:01", "consent")):
            conn.exec_driver_sql(
                "INSERT INTO paradata (id, interview_id, at, event, question, member, "
                f"elapsed_ms, detail) VALUES ({event_id}, 'i1', '2027-02-01 {at}:00.000000', "
                f"'{event}', NULL, 0, 12, NULL)"
            )
    monkeypatch.undo()
    with open_database(path, role="coordinator") as db, db.read() as conn:
        tables = set(inspect(conn).get_table_names())
        rows = conn.exec_driver_sql("SELECT interview_id, events, log FROM event_logs").all()
    assert "paradata" not in tables
    assert [tuple(row) for row in rows] == [
        (
            "i1",
            2,
            '[["2027-02-01 09:01:00.000000","consent",null,0,12,null],'
            '["2027-02-01 09:05:00.000000","answer",null,0,12,null]]',
        )
    ]
