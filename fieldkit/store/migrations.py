"""Schema migrations: frozen, ordered, recorded in ``schema_migrations``.

Each migration writes the schema *as it was* when the migration was released, with its own
SQLAlchemy Core tables, so a migration never changes meaning when the table models in
``fieldkit.store.tables`` evolve. A model change therefore needs a new migration; a test
compares a freshly migrated database with the models.

The DDL is portable (SQLAlchemy Core), so the coordinator list runs unchanged on PostgreSQL.
Migration names start with the role, which is how a laptop file opened as a coordinator store
(or the other way round) is recognised.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.schema import CreateColumn

from fieldkit.errors import Location, StoreError
from fieldkit.store.tables import SchemaMigration

__all__ = ["MIGRATIONS", "Migration", "Role", "existing_store_only", "migrate"]

Role = Literal["laptop", "coordinator"]

_EXISTING_ONLY: ContextVar[bool] = ContextVar("fieldkit_existing_store_only", default=False)
"""Set while a command that only reads a store opens one: an empty database is then refused
before anything is written to it (see `existing_store_only`)."""


@contextmanager
def existing_store_only() -> Iterator[None]:
    """Within this block `migrate` refuses a database with no fieldkit tables (FK-STORE-050)
    instead of making it a store: for a server database, where no missing file tells a
    mistyped URL from an empty store, and the reading commands must write nothing."""
    token = _EXISTING_ONLY.set(True)
    try:
        yield
    finally:
        _EXISTING_ONLY.reset(token)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    upgrade: Callable[[Connection], None]


def _when() -> DateTime:
    return DateTime(timezone=True)


def _capture_tables_v1(metadata: MetaData) -> None:
    """interviews, answers, roster members, paradata, identities, form questions (v1)."""
    Table(
        "form_questions",
        metadata,
        Column("form_hash", String, primary_key=True),
        Column("question", String, primary_key=True),
        Column("roster", String, nullable=True),
        Column("pii", Boolean, nullable=False),
    )
    Table(
        "interviews",
        metadata,
        Column("id", String, primary_key=True),
        Column("form_id", String, nullable=False),
        Column("form_hash", String, nullable=False, index=True),
        Column("instrument_kind", String, nullable=False),
        Column("protocol_id", String, nullable=False),
        Column("enumerator", String, nullable=False),
        Column("device_id", String, nullable=False),
        Column("language", String, nullable=False),
        Column("status", String, nullable=False, index=True),
        Column("consent", Text, nullable=True),
        Column("consent_outcome", String, nullable=True),
        Column("reference", String, nullable=False, unique=True),
        Column("sequence", Integer, nullable=False),
        Column("started_at", _when(), nullable=False),
        Column("ended_at", _when(), nullable=True),
        Column("updated_at", _when(), nullable=False),
        UniqueConstraint("device_id", "sequence"),
    )
    Table(
        "answers",
        metadata,
        Column("interview_id", String, ForeignKey("interviews.id"), primary_key=True),
        Column("question", String, primary_key=True),
        Column("member", Integer, primary_key=True, autoincrement=False),
        Column("value", Text, nullable=False),
        Column("status", String, nullable=False),
        Column("changed_at", _when(), nullable=False),
    )
    Table(
        "roster_members",
        metadata,
        Column("interview_id", String, ForeignKey("interviews.id"), primary_key=True),
        Column("roster", String, primary_key=True),
        Column("member", Integer, primary_key=True, autoincrement=False),
    )
    paradata = Table(
        "paradata",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("interview_id", String, ForeignKey("interviews.id"), nullable=False),
        Column("at", _when(), nullable=False),
        Column("event", String, nullable=False),
        Column("question", String, nullable=True),
        Column("member", Integer, nullable=False),
        Column("elapsed_ms", Integer, nullable=True),
        Column("detail", Text, nullable=True),
    )
    Index("ix_paradata_interview_id", paradata.c.interview_id)
    Table(
        "identities",
        metadata,
        Column("reference", String, ForeignKey("interviews.reference"), primary_key=True),
        Column("question", String, primary_key=True),
        Column("member", Integer, primary_key=True, autoincrement=False),
        Column("status", String, nullable=False),
        Column("sealed", LargeBinary, nullable=False),
    )


def _laptop_v1(conn: Connection) -> None:
    metadata = MetaData()
    Table(
        "device",
        metadata,
        Column("device_id", String, primary_key=True),
        Column("next_sequence", Integer, nullable=False),
        Column("project_key", String, nullable=False),
    )
    _capture_tables_v1(metadata)
    metadata.create_all(conn)


def _coordinator_v1(conn: Connection) -> None:
    metadata = MetaData()
    _capture_tables_v1(metadata)
    metadata.create_all(conn)


def _audit_log_v1(conn: Connection) -> None:
    metadata = MetaData()
    Table(
        "audit_log",
        metadata,
        Column("entry_index", Integer, primary_key=True, autoincrement=False),
        Column("at", String, nullable=False),
        Column("actor", String, nullable=False),
        Column("action", String, nullable=False),
        Column("subject", String, nullable=False),
        Column("detail", Text, nullable=False),
        Column("prev_hash", String, nullable=False),
        Column("hash", String, nullable=False),
    )
    metadata.create_all(conn)


def _merge_tables_v1(conn: Connection) -> None:
    # Imported here: the merge tables reference the capture tables registered above.
    from fieldkit.store.coordinator_tables import create_merge_tables  # noqa: PLC0415

    create_merge_tables(conn)


def _release_ledger_v1(conn: Connection) -> None:
    # Imported here: the release layer owns its table (fieldkit/release/ledger.py).
    from fieldkit.release.ledger import create_ledger  # noqa: PLC0415

    create_ledger(conn)


def _users_v1(conn: Connection) -> None:
    # Imported here: the user register owns its table (fieldkit/users/register.py).
    from fieldkit.users.register import create_users  # noqa: PLC0415

    create_users(conn)


def _monitor_v1(conn: Connection) -> None:
    # Imported here: field monitoring owns its tables (fieldkit/monitor/tables.py).
    from fieldkit.monitor.tables import create_monitor_tables  # noqa: PLC0415

    create_monitor_tables(conn)


def _event_logs_v1(conn: Connection) -> None:
    """Paradata packed per interview: one JSON array of the laptop's events (in its order)
    instead of a row per event. A coordinator reads paradata an interview at a time, and a
    row per event made the merge write (and index) as many paradata rows as answers."""
    metadata = MetaData()
    interviews = Table("interviews", metadata, Column("id", String, primary_key=True))
    logs = Table(
        "event_logs",
        metadata,
        Column("interview_id", String, ForeignKey(interviews.c.id), primary_key=True),
        Column("events", Integer, nullable=False),
        Column("log", Text, nullable=False),
    )
    logs.create(conn)
    old = Table("paradata", MetaData(), autoload_with=conn)
    rows = conn.execute(
        select(
            old.c.interview_id,
            old.c.at,
            old.c.event,
            old.c.question,
            old.c.member,
            old.c.elapsed_ms,
            old.c.detail,
        ).order_by(old.c.interview_id, old.c.id)
    )
    packed: dict[str, list[list[Any]]] = {}
    for interview_id, at, *rest in rows:
        stamp = _stored_time(at)
        packed.setdefault(interview_id, []).append([stamp, *rest])
    if packed:
        conn.execute(
            insert(logs),
            [
                {"interview_id": key, "events": len(events), "log": _json_text(events)}
                for key, events in packed.items()
            ],
        )
    old.drop(conn)


def _sealing_v2(conn: Connection, *, laptop: bool) -> None:
    """Free text sealed like identities, each sealed row naming its key, and (on a laptop)
    the device's signing key and the project's public keys inside the encrypted store."""
    columns: list[tuple[str, Column[Any]]] = [
        ("form_questions", Column("free_text", Boolean, nullable=False, server_default=false())),
        ("identities", Column("key_id", String, nullable=False, server_default="")),
    ]
    if laptop:
        columns += [
            ("device", Column("signing_key", LargeBinary, nullable=True)),
            ("device", Column("public_keys", Text, nullable=True)),
        ]
    else:  # device revocation, and the protocol texts each interview was collected under
        columns += [
            ("devices", Column("revoked_at", String, nullable=True)),
            ("devices", Column("revoked_reason", Text, nullable=True)),
        ]
        from fieldkit.store.coordinator_tables import create_merge_tables  # noqa: PLC0415

        create_merge_tables(conn)  # the tables added since (protocol_texts), if missing
    for table, column in columns:
        _add_column(conn, table, column)


def _add_column(conn: Connection, table: str, column: Column[Any]) -> None:
    """``ALTER TABLE ... ADD COLUMN`` through SQLAlchemy's DDL compiler (portable). The merge
    tables of a new store already have today's columns (migration 3 creates them from
    ``coordinator_tables``): a column already there is left alone."""
    if column.name in {c["name"] for c in inspect(conn).get_columns(table)}:
        return
    spec = CreateColumn(column).compile(dialect=conn.dialect)
    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {spec}"))


def _stored_time(value: Any) -> str:
    """A time as the laptop stores it: ``YYYY-MM-DD HH:MM:SS.ffffff``, UTC."""
    if isinstance(value, str):
        return value
    moment = value if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    return str(moment.strftime("%Y-%m-%d %H:%M:%S.%f"))


def _json_text(events: list[list[Any]]) -> str:
    return json.dumps(events, ensure_ascii=False, separators=(",", ":"))


MIGRATIONS: dict[Role, tuple[Migration, ...]] = {
    "laptop": (
        Migration(1, "laptop: capture tables", _laptop_v1),
        Migration(2, "laptop: sealed free text, device key", lambda c: _sealing_v2(c, laptop=True)),
    ),
    "coordinator": (
        Migration(1, "coordinator: capture tables", _coordinator_v1),
        Migration(2, "coordinator: audit log", _audit_log_v1),
        Migration(3, "coordinator: merge tables", _merge_tables_v1),
        Migration(4, "coordinator: event logs per interview", _event_logs_v1),
        Migration(
            5,
            "coordinator: sealed free text, revocation, protocol texts",
            lambda c: _sealing_v2(c, laptop=False),
        ),
        Migration(50, "coordinator: release ledger", _release_ledger_v1),
        Migration(51, "coordinator: user register", _users_v1),
        Migration(60, "coordinator: assignments, reviews, back-checks", _monitor_v1),
        Migration(61, "coordinator: replaced interview versions", _monitor_v1),
    ),
}


def _migrations_table(metadata: MetaData) -> Table:
    return Table(
        "schema_migrations",
        metadata,
        Column("version", Integer, primary_key=True, autoincrement=False),
        Column("name", String, nullable=False),
        Column("applied_at", _when(), nullable=False),
    )


def migrate(conn: Connection, role: Role, where: str) -> list[int]:
    """Apply the role's missing migrations in order, inside the caller's transaction.

    Returns the versions applied. Raises FK-STORE-002 for a database written by a newer
    fieldkit and FK-STORE-003 for a database that is not this role's fieldkit store.
    """
    known = MIGRATIONS[role]
    existing = set(inspect(conn).get_table_names())
    if "schema_migrations" not in existing:
        if existing:
            raise StoreError(
                "not a fieldkit database (it has other tables)",
                code="FK-STORE-003",
                location=Location(where),
                hint="open a file made by fieldkit, or give a new file name",
            )
        if _EXISTING_ONLY.get():
            raise StoreError(
                "no coordinator store in this database (it has no tables)",
                code="FK-STORE-050",
                location=Location(where),
                hint="check the URL; only 'fieldkit merge' and 'fieldkit device register' "
                "create a store",
            )
        metadata = MetaData()
        _migrations_table(metadata)
        metadata.create_all(conn)
    applied = _applied(conn)
    _check_applied(applied, known, role, where)
    done: list[int] = []
    for migration in known:
        if migration.version in applied:
            continue
        migration.upgrade(conn)
        conn.execute(
            insert(SchemaMigration).values(
                version=migration.version, name=migration.name, applied_at=dt.datetime.now(dt.UTC)
            )
        )
        done.append(migration.version)
    return done


def _applied(conn: Connection) -> dict[int, str]:
    rows = conn.execute(select(SchemaMigration.version, SchemaMigration.name))  # type: ignore[call-overload]
    return {int(version): str(name) for version, name in rows}


def _check_applied(
    applied: dict[int, str], known: tuple[Migration, ...], role: Role, where: str
) -> None:
    names = {migration.version: migration.name for migration in known}
    for version, name in sorted(applied.items()):
        if version not in names:
            raise StoreError(
                f"written by a newer fieldkit (schema version {version}, this one knows "
                f"{max(names)})",
                code="FK-STORE-002",
                location=Location(where),
                hint="upgrade fieldkit before opening this file",
            )
        if names[version] != name:
            other = name.split(":", 1)[0]
            raise StoreError(
                f"this is a {other} database, not a {role} one",
                code="FK-STORE-003",
                location=Location(where),
                hint=f"open it with the {other} commands",
            )
