"""Write a bundle from a laptop store: finished interviews only, streamed, signed, atomic."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import sqlcipher3

import fieldkit
from fieldkit.bundle.atomic import atomic_file, temp_file_beside
from fieldkit.bundle.device import DeviceKey, stored_device_key
from fieldkit.bundle.format import (
    COLUMNS,
    FINISHED_STATUSES,
    MAGIC,
    BundleManifest,
    FormEntry,
    PayloadDigest,
    encode_line,
    now_text,
    signed_message,
)
from fieldkit.bundle.ledger import record_items, take_sequence
from fieldkit.bundle.payload import create_payload_schema, payload_counts
from fieldkit.errors import BundleError, Location
from fieldkit.store.cipher import StoreKey
from fieldkit.store.database import Database, as_utc, open_database

__all__ = ["write_bundle"]

_COPY_CHUNK = 1 << 20
_COUNT_NAMES = ("interviews", "answers", "roster_members", "paradata", "identities")


def write_bundle(laptop_db_path: Path, out_path: Path, key: StoreKey) -> BundleManifest:
    """Write every complete, refused or stopped interview of a laptop store to ``out_path``,
    signed with the device key kept in the (unlocked) store.

    The file appears whole or not at all (temp file, fsync, rename, fsync of the folder).
    Nothing on the laptop is deleted: that waits for the coordinator's receipt.
    """
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise _cannot_write(out_path, f"the folder {out_path.parent} does not exist")
    with open_database(laptop_db_path, role="laptop", key=key) as db:
        created_at = now_text()
        with db.transaction() as conn:
            device_key = stored_device_key(conn, db)
            sequence = take_sequence(conn, out_path.name, created_at)
        try:
            manifest, sha256, items = _write_file(
                db, out_path, (device_key, key), sequence, created_at
            )
        except OSError as error:
            raise _cannot_write(out_path, error.strerror or str(error)) from None
        except (sqlite3.Error, sqlcipher3.Error) as error:
            raise _cannot_write(out_path, str(error)) from None
        with db.transaction() as conn:
            record_items(conn, sequence, sha256, items)
    return manifest


def _write_file(
    db: Database,
    out_path: Path,
    keys: tuple[DeviceKey, StoreKey],
    sequence: int,
    created_at: str,
) -> tuple[BundleManifest, str, list[tuple[str, dt.datetime]]]:
    assert db.path is not None
    key, store_key = keys
    with temp_file_beside(out_path, ".payload") as (spool, spool_path):
        spool.close()  # SQLite writes the payload database into it
        stated, items = _write_payload(db.path, store_key, spool_path)
        manifest = _manifest(stated, spool_path, key.device_id, sequence, created_at)
        manifest_line = manifest.line()
        signature = key.sign(signed_message(MAGIC, manifest_line))
        trailer = encode_line(
            {
                "algorithm": "ed25519",
                "device_id": key.device_id,
                "manifest_sha256": hashlib.sha256(MAGIC + manifest_line).hexdigest(),
                "signature": base64.b64encode(signature).decode("ascii"),
            }
        )
        whole = hashlib.sha256()
        with spool_path.open("rb") as payload, atomic_file(out_path) as handle:
            for part in (MAGIC, manifest_line):
                handle.write(part)
                whole.update(part)
            while chunk := payload.read(_COPY_CHUNK):
                handle.write(chunk)
                whole.update(chunk)
            handle.write(trailer)
            whole.update(trailer)
    return manifest, whole.hexdigest(), items


def _write_payload(
    laptop_path: Path, key: StoreKey, payload_path: Path
) -> tuple[dict[str, Any], list[tuple[str, dt.datetime]]]:
    """Copy the finished interviews into a fresh payload database, in one read snapshot.

    SQLCipher's driver, so the encrypted laptop store can be attached with its key; the
    payload itself (``main``, no key) is a plain SQLite file, encrypted whole afterwards."""
    conn = sqlcipher3.connect(str(payload_path), isolation_level=None)
    try:
        # A throwaway file, synced as part of the bundle: no journal needed while it is built.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA temp_store=MEMORY")  # no plaintext temp files while sorting
        conn.execute("ATTACH DATABASE ? AS laptop KEY ?", (str(laptop_path), key.sqlcipher))
        conn.execute("BEGIN")
        create_payload_schema(conn)
        for sql in _COPY:
            conn.execute(sql)
        items = [
            (interview_id, as_utc(dt.datetime.fromisoformat(updated_at)))
            for interview_id, updated_at in conn.execute(
                "SELECT id, updated_at FROM main.interviews ORDER BY id"
            )
        ]
        stated = payload_counts(conn, "main")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE laptop")
    finally:
        conn.close()
    return stated, items


def _copy_statements() -> list[str]:
    finished = ", ".join(f"'{status}'" for status in FINISHED_STATUSES)
    chosen = f"SELECT id FROM laptop.interviews WHERE status IN ({finished})"
    statements = []
    for table, columns in COLUMNS.items():
        names = ", ".join(columns)
        if table == "interviews":
            where = f"WHERE status IN ({finished})"
        elif table == "identities":
            where = (
                "WHERE reference IN "
                f"(SELECT reference FROM laptop.interviews WHERE status IN ({finished}))"
            )
        else:
            where = f"WHERE interview_id IN ({chosen})"
        order = ", ".join(_KEYS[table])  # in key order: the payload's B-trees fill densely
        statements.append(
            f"INSERT INTO main.{table} ({names}) "
            f"SELECT {names} FROM laptop.{table} {where} ORDER BY {order}"
        )
    return statements


_KEYS = {
    "interviews": ("id",),
    "answers": ("interview_id", "question", "member"),
    "roster_members": ("interview_id", "roster", "member"),
    "paradata": ("interview_id", "id"),
    "identities": ("reference", "question", "member"),
}
_COPY = _copy_statements()


def _manifest(
    stated: dict[str, Any], payload_path: Path, device_id: str, sequence: int, created_at: str
) -> BundleManifest:
    digest, size = hashlib.sha256(), 0
    with payload_path.open("rb") as payload:
        while chunk := payload.read(_COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    counts: Counter[str] = stated["counts"]
    forms = tuple(
        FormEntry(form_id, form_hash, protocol_id, count)
        for (form_id, form_hash, protocol_id), count in sorted(stated["forms"].items())
    )
    return BundleManifest(
        device_id=device_id,
        sequence=sequence,
        created_at=created_at,
        forms=forms,
        enumerators=dict(stated["enumerators"]),
        counts={name: counts.get(name, 0) for name in _COUNT_NAMES}
        | {k: v for k, v in counts.items() if k.startswith("status_")},
        payload=PayloadDigest(digest.hexdigest(), size),
        fieldkit_version=fieldkit.__version__,
    )


def _cannot_write(path: Path, why: str) -> BundleError:
    return BundleError(
        f"cannot write the bundle: {why}",
        code="FK-BUNDLE-022",
        location=Location(str(path)),
        hint="check the folder and free space; nothing was lost on the laptop",
    )
