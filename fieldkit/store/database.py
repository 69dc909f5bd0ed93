"""The one place that opens a database: pragmas, integrity check, migrations, transactions.

    db = open_database(path, role="laptop")
    with db.transaction() as conn:      # BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error)
        conn.execute(...)

SQLite files get, on every connection: ``journal_mode=WAL``, ``synchronous=FULL`` on a laptop
(NORMAL on a coordinator), ``foreign_keys=ON``, a ``busy_timeout``, ``temp_store=MEMORY`` (no
plaintext temp files) and ``secure_delete=ON`` (deleted rows are overwritten, not left in free
pages). ``PRAGMA quick_check`` runs on open. Python's sqlite3 is kept out of transaction
control (``isolation_level=None``) and fieldkit emits BEGIN itself, so ``executescript``'s
implicit COMMIT (cpython #26231) never comes into play.

A laptop store is encrypted at rest (SQLCipher, through the ``sqlcipher3`` driver, with the
raw key of ``fieldkit.store.cipher``): its key is the first statement on every connection.
A coordinator store takes any SQLAlchemy URL; everything SQLite-only sits behind
``Database.is_sqlite``. A new SQLite file is created 0600 (``fieldkit.store.files``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlcipher3
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url, select
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, NoSuchModuleError
from sqlalchemy.pool import QueuePool

from fieldkit.errors import Location, PrivacyError, StoreError
from fieldkit.store.cipher import StoreKey, unlock_path
from fieldkit.store.files import create_private_file
from fieldkit.store.migrations import Role, migrate
from fieldkit.store.tables import SchemaMigration

__all__ = [
    "AppliedMigration",
    "Database",
    "Role",
    "as_utc",
    "check_laptop_path",
    "open_database",
]

BUSY_TIMEOUT_MS = 5000
SUPPORTED_BACKENDS = ("sqlite", "postgresql")
_BEGIN = "fieldkit_begin"
DRIVER_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher3.Error)
"""What the two SQLite drivers raise (SQLCipher's are not subclasses of the standard one's)."""
_INTEGRITY_ERRORS = (IntegrityError, sqlite3.IntegrityError, sqlcipher3.IntegrityError)

_COMMON_PRAGMAS = (
    "journal_mode=WAL",
    "foreign_keys=ON",
    "temp_store=MEMORY",
    "secure_delete=ON",
    "trusted_schema=OFF",
)
PRAGMAS: dict[Role, tuple[str, ...]] = {
    "laptop": (*_COMMON_PRAGMAS, "synchronous=FULL"),
    "coordinator": (*_COMMON_PRAGMAS, "synchronous=NORMAL"),
}

_DAMAGED_HINT = (
    "keep the file for recovery and use the last bundle or a backup; do not copy over it"
)


@dataclass(frozen=True, slots=True)
class AppliedMigration:
    version: int
    name: str
    applied_at: dt.datetime


class Database:
    """An open database: an engine with the right settings, and its transactions."""

    def __init__(self, engine: Engine, *, role: Role, where: str, path: Path | None) -> None:
        self.engine = engine
        self.role: Role = role
        self.where = where
        """What to call this database in messages (the file path, or the URL without password)."""
        self.path = path
        """The SQLite file, or None for a server database."""
        self._open: Connection | None = None
        self._checkpoint_due = False

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: ``BEGIN IMMEDIATE`` on SQLite, committed when the block ends.

        A transaction opened inside another joins it: the outer block commits everything at
        once, or nothing (scripted entry stores a whole interview this way).
        """
        if self._open is not None:
            yield self._open
            return
        with self._translated(), self.engine.connect() as conn, self._writing(conn):
            yield conn
        if self._checkpoint_due:
            self.checkpoint()

    @contextlib.contextmanager
    def attached(self, path: Path, name: str) -> Iterator[Connection]:
        """A write transaction on a connection that has another SQLite file attached as
        ``name`` (SQLite only: ATTACH is not allowed inside a transaction, so it comes first,
        and DETACH after the commit or rollback)."""
        self._require_sqlite("ATTACH")
        if self._open is not None:
            raise StoreError("cannot attach inside an open transaction", code="FK-STORE-010")
        with self._translated(), self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute(f"ATTACH DATABASE ? AS {name}", (str(path),))
            try:
                with self._writing(conn):
                    yield conn
            finally:
                try:
                    raw.execute(f"DETACH DATABASE {name}")
                except DRIVER_ERRORS:
                    conn.invalidate()  # never hand a connection with the file attached back
        if self._checkpoint_due:
            self.checkpoint()

    @contextlib.contextmanager
    def _writing(self, conn: Connection) -> Iterator[None]:
        """``conn`` in a write transaction (BEGIN IMMEDIATE on SQLite), joined by nested ones."""
        if self.is_sqlite:
            conn.execution_options(**{_BEGIN: "IMMEDIATE"})
        try:
            with conn.begin():
                self._open = conn
                yield
        finally:
            self._open = None

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction: one consistent snapshot, rolled back when the block ends."""
        with self._translated(), self.engine.connect() as conn:
            trans = conn.begin()
            try:
                yield conn
            finally:
                trans.rollback()

    def pragma(self, name: str) -> Any:
        """The value of a SQLite pragma on a pooled connection (for checks and tests)."""
        self._require_sqlite(name)
        rows = self._outside_transaction(f"PRAGMA {name}")
        return rows[0][0] if rows else None

    def integrity_check(self) -> list[str]:
        """``PRAGMA integrity_check``: ``["ok"]`` or the problems found."""
        self._require_sqlite("integrity_check")
        with self.read() as conn:
            return [str(row[0]) for row in conn.exec_driver_sql("PRAGMA integrity_check")]

    def quick_check(self) -> None:
        """Raise FK-STORE-001 unless ``PRAGMA quick_check`` says ok (no-op off SQLite)."""
        if not self.is_sqlite:
            return
        with self.read() as conn:
            problems = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise StoreError(
                f"{self._name()} is damaged: {problems[0]}",
                code="FK-STORE-001",
                location=Location(self.where),
                hint=_DAMAGED_HINT,
            )

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it (drops old page versions).

        Inside a transaction it waits for the commit (a checkpoint cannot pass a writer)."""
        if self._open is not None:
            self._checkpoint_due = True
            return
        self._checkpoint_due = False
        if self.is_sqlite:
            self._outside_transaction("PRAGMA wal_checkpoint(TRUNCATE)")

    def reclaim(self, table: str) -> None:
        """Give back the space of deleted rows, so their bytes leave the file (retention).

        SQLite: deleted content is already overwritten (``secure_delete``); the WAL is
        checkpointed and ``VACUUM`` rewrites the file without the freed pages. PostgreSQL:
        ``VACUUM FULL`` rewrites ``table`` (it cannot run inside a transaction)."""
        if self._open is not None:
            raise StoreError("cannot reclaim space inside a transaction", code="FK-STORE-010")
        if self.is_sqlite:
            self.checkpoint()
            self._outside_transaction("VACUUM")
            self.checkpoint()
            return
        with self._translated(), self.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                f"VACUUM FULL {table}"
            )

    def migrations(self) -> list[AppliedMigration]:
        with self.read() as conn:
            rows = conn.execute(select(SchemaMigration).order_by(SchemaMigration.version))  # type: ignore[arg-type]
            return [AppliedMigration(row.version, row.name, as_utc(row.applied_at)) for row in rows]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _name(self) -> str:
        return self.path.name if self.path is not None else self.where

    def _require_sqlite(self, what: str) -> None:
        if not self.is_sqlite:
            raise StoreError(f"{what} is only available on SQLite", code="FK-STORE-010")

    def _outside_transaction(self, sql: str) -> list[tuple[Any, ...]]:
        """Run ``sql`` on the driver connection directly: no BEGIN (pragmas, checkpoints)."""
        with self._translated(), self.engine.connect() as conn:
            dbapi_connection = conn.connection.dbapi_connection
            assert dbapi_connection is not None
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(sql)
                return [tuple(row) for row in cursor.fetchall()]
            except DRIVER_ERRORS as error:
                raise _store_error(error, self._name(), self.where) from None
            finally:
                cursor.close()

    @contextlib.contextmanager
    def _translated(self) -> Iterator[None]:
        """Database driver errors become one-line StoreErrors naming the file."""
        try:
            yield
        except _INTEGRITY_ERRORS:
            raise  # a broken invariant in fieldkit itself: keep the traceback
        except DBAPIError as error:
            raise _store_error(error.orig, self._name(), self.where) from None
        except DRIVER_ERRORS as error:  # statements run on the driver connection directly
            raise _store_error(error, self._name(), self.where) from None


def open_database(
    path_or_url: Path | str,
    *,
    role: Role,
    key: StoreKey | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Database:
    """Open (creating if needed) a fieldkit database, check it and bring its schema up to date.

    ``path_or_url``: a file path, or for a coordinator any SQLAlchemy URL. ``key``: a laptop
    store's unlocked key (required for a laptop). Raises StoreError: FK-STORE-001 damaged or
    not a database (or not readable with this key), FK-STORE-002 from a newer fieldkit,
    FK-STORE-003 not this role's fieldkit database, FK-STORE-004 cannot be opened.
    ``busy_timeout_ms``: how long a write waits for another program's lock before FK-STORE-008.
    """
    url, path, where = _resolve(path_or_url, role)
    if role == "laptop" and key is None:
        raise PrivacyError(
            "a laptop store is encrypted: it opens only with its passphrase",
            code="FK-KEY-030",
            location=Location(where),
            hint="unlock it with the enumerator's passphrase",
        )
    if path is not None:
        _check_kind(path, role, where)
        _create_private(path)
    engine = _make_engine(url, role, busy_timeout_ms, key)
    db = Database(engine, role=role, where=where, path=path)
    try:
        db.quick_check()
        with db.transaction() as conn:
            migrate(conn, role, where)
    except BaseException:
        engine.dispose()
        raise
    return db


def _resolve(path_or_url: Path | str, role: Role) -> tuple[URL, Path | None, str]:
    text = str(path_or_url)
    if isinstance(path_or_url, str) and "://" in text:
        try:
            url = make_url(text)
        except ArgumentError:
            raise StoreError(
                "not a database URL", code="FK-STORE-004", location=Location(text)
            ) from None
        if url.get_backend_name() not in SUPPORTED_BACKENDS:
            raise StoreError(
                f"a {url.get_backend_name()} database is not supported",
                code="FK-STORE-004",
                location=Location(url.render_as_string(hide_password=True)),
                hint="give a SQLite file path or a postgresql+psycopg://... URL",
            )
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            if role == "laptop":
                raise StoreError(
                    "a laptop store must be a SQLite file",
                    code="FK-STORE-004",
                    location=Location(url.render_as_string(hide_password=True)),
                )
            return url, None, url.render_as_string(hide_password=True)
        path = Path(url.database)
    else:
        path = Path(path_or_url)
    _check_path(path)
    return URL.create("sqlite", database=str(path)), path, str(path)


def check_laptop_path(path: Path) -> None:
    """The checks opening a laptop store makes on its path, made before a passphrase is
    asked: FK-STORE-004 for a folder or a missing folder, FK-STORE-003 for a plain SQLite
    file (a coordinator store, another program's)."""
    _check_path(path)
    _check_kind(path, "laptop", str(path))


def _check_path(path: Path) -> None:
    problem = None
    if path.is_dir():
        problem = "is a folder, not a database file"
    elif not path.parent.is_dir():
        problem = f"cannot be created: the folder {path.parent} does not exist"
    if problem:
        raise StoreError(
            f"{path.name} {problem}",
            code="FK-STORE-004",
            location=Location(str(path)),
            hint="give the path of a database file",
        )


_PLAIN_SQLITE = b"SQLite format 3\x00"
"""The first bytes of every unencrypted SQLite file: never of an encrypted laptop store."""


def _check_kind(path: Path, role: Role, where: str) -> None:
    """FK-STORE-003 for a plain SQLite file opened as a laptop store, and for a laptop store
    (it has an unlock file) opened as a coordinator store: neither could be read anyway."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_PLAIN_SQLITE))
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return  # a new file, or one the opening itself will report
    problem = None
    if role == "laptop" and head == _PLAIN_SQLITE:
        problem = (
            "is not an encrypted laptop store (it is a plain SQLite file: a coordinator store, "
            "another program's, or a laptop store from an older fieldkit)",
            "bundle an old laptop store's interviews with the fieldkit that made it",
        )
    elif role == "coordinator" and unlock_path(path).exists():
        problem = (
            "is an encrypted laptop store, not a coordinator one",
            "open it with the laptop commands",
        )
    if problem:
        raise StoreError(
            f"{path.name} {problem[0]}",
            code="FK-STORE-003",
            location=Location(where),
            hint=problem[1],
        )


def _create_private(path: Path) -> None:
    try:
        create_private_file(path)
    except OSError as error:
        raise StoreError(
            f"{path.name} cannot be created: {error.strerror}",
            code="FK-STORE-004",
            location=Location(str(path)),
            hint="check the folder and its permissions",
        ) from None


def _make_engine(url: URL, role: Role, busy_timeout_ms: int, key: StoreKey | None) -> Engine:
    if url.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True)
        except (ImportError, NoSuchModuleError) as error:
            raise StoreError(
                f"no database driver for {url.drivername} is installed ({error})",
                code="FK-STORE-004",
                location=Location(url.render_as_string(hide_password=True)),
                hint="use postgresql+psycopg://..., the driver fieldkit installs",
            ) from None
    cipher: dict[str, Any] = {} if key is None else {"module": sqlcipher3, "poolclass": QueuePool}
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        **cipher,
    )
    pragmas = (*PRAGMAS[role], f"busy_timeout={busy_timeout_ms}")
    if key is not None:  # the key first: SQLCipher reads nothing before it
        pragmas = (f'key = "{key.sqlcipher}"', *pragmas)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # fieldkit emits BEGIN itself (see _on_begin)
        cursor = dbapi_connection.cursor()
        try:
            for pragma in pragmas:
                cursor.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql(f"BEGIN {conn.get_execution_options().get(_BEGIN, 'DEFERRED')}")

    return engine


_SQLITE_CODES = {
    "SQLITE_CORRUPT": ("FK-STORE-001", "is damaged or not a database", _DAMAGED_HINT),
    "SQLITE_NOTADB": ("FK-STORE-001", "is not a database", _DAMAGED_HINT),
    "SQLITE_BUSY": ("FK-STORE-008", "is locked by another program", "close it and try again"),
    "SQLITE_LOCKED": ("FK-STORE-008", "is locked by another program", "close it and try again"),
    "SQLITE_FULL": ("FK-STORE-009", "cannot be written: the disk is full", "free disk space"),
    "SQLITE_CANTOPEN": ("FK-STORE-004", "cannot be opened", "check the path and permissions"),
    "SQLITE_READONLY": ("FK-STORE-004", "is read-only", "check the file permissions"),
    "SQLITE_PERM": ("FK-STORE-004", "cannot be opened", "check the file permissions"),
}


def _store_error(error: BaseException | None, name: str, where: str) -> StoreError:
    """A driver error as a one-line StoreError (SQLite errors by their result code)."""
    code_name = str(getattr(error, "sqlite_errorname", ""))
    for prefix, (code, problem, hint) in _SQLITE_CODES.items():
        if code_name.startswith(prefix):
            return StoreError(f"{name} {problem}", code=code, location=Location(where), hint=hint)
    detail = str(error).strip().splitlines()[0] if str(error).strip() else "error"
    return StoreError(
        f"{name}: database error: {detail}",
        code="FK-STORE-010",
        location=Location(where),
        hint="check the disk and the file; the last committed answers are safe",
    )


def as_utc(value: dt.datetime) -> dt.datetime:
    """Datetimes come back naive from SQLite: they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
