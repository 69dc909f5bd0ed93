"""Write a bundle from a laptop store: finished interviews only, encrypted, signed, atomic.

The payload is built in memory, never on disk in the clear: the encrypted laptop store is
read through SQLCipher's driver and its finished interviews are copied, in key order, into an
in-memory SQLite database (the payload schema of ``fieldkit.bundle.payload``), which is then
encrypted to the coordinator's merge key (``fieldkit.bundle.crypt``). Only ciphertext is ever
written beside the bundle. Memory is bounded by the laptop's unsent interviews (a payload is a
few MB per thousand households).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import select

import fieldkit
from fieldkit.bundle.atomic import atomic_file
from fieldkit.bundle.crypt import CHUNK, payload_encryptor
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
from fieldkit.privacy.keys import PublicKey, parse_project_keys
from fieldkit.store.cipher import StoreKey
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.database import as_utc, open_database

__all__ = ["write_bundle"]

_COUNT_NAMES = ("interviews", "answers", "roster_members", "paradata", "identities")
_FETCH = 5000


def write_bundle(laptop_db_path: Path, out_path: Path, key: StoreKey) -> BundleManifest:
    """Write every complete, refused or stopped interview of a laptop store to ``out_path``,
    encrypted to the merge key of the store's project.pub and signed with the device key
    kept in the (unlocked) store.

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
            public = conn.execute(select(capture_table("device").c.public_keys)).scalar()
            recipient = parse_project_keys(str(public).encode(), db.where).merge
            sequence = take_sequence(conn, out_path.name, created_at)
        try:
            stated, items, payload = _payload(Path(laptop_db_path), key)
            manifest, sha256 = _write_file(
                out_path,
                device_key,
                recipient,
                payload,
                stated=stated,
                numbering=(sequence, created_at),
            )
        except OSError as error:
            raise _cannot_write(out_path, error.strerror or str(error)) from None
        except (sqlite3.Error, sqlcipher3.Error) as error:
            raise _cannot_write(out_path, str(error)) from None
        with db.transaction() as conn:
            record_items(conn, sequence, sha256, items)
    return manifest


def _write_file(
    out_path: Path,
    key: DeviceKey,
    recipient: PublicKey,
    payload: bytes,
    *,
    stated: dict[str, Any],
    numbering: tuple[int, str],
) -> tuple[BundleManifest, str]:
    sequence, created_at = numbering
    entry, encrypt = payload_encryptor(recipient, key.device_id, sequence)
    chunks = [
        encrypt(payload[start : start + CHUNK], start + CHUNK >= len(payload))
        for start in range(0, max(len(payload), 1), CHUNK)
    ]
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    sealed = PayloadDigest(digest.hexdigest(), sum(map(len, chunks)), encryption=entry)
    manifest = _manifest(stated, sealed, key.device_id, sequence, created_at)
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
    with atomic_file(out_path) as handle:
        for part in (MAGIC, manifest_line, *chunks, trailer):
            handle.write(part)
            whole.update(part)
    return manifest, whole.hexdigest()


def _payload(
    laptop_path: Path, key: StoreKey
) -> tuple[dict[str, Any], list[tuple[str, dt.datetime]], bytes]:
    """The finished interviews as a payload database's bytes, read in one snapshot."""
    source = sqlcipher3.connect(":memory:", isolation_level=None)
    payload = sqlite3.connect(":memory:", isolation_level=None)
    try:
        source.execute("PRAGMA temp_store=MEMORY")  # no plaintext temp files while sorting
        source.execute("ATTACH DATABASE ? AS laptop KEY ?", (str(laptop_path), key.sqlcipher))
        source.execute("BEGIN")
        payload.execute("BEGIN")
        create_payload_schema(payload)
        for _table, select_sql, insert_sql in _COPY:
            cursor = source.execute(select_sql)
            while rows := cursor.fetchmany(_FETCH):
                payload.executemany(insert_sql, rows)
        items = [
            (interview_id, as_utc(dt.datetime.fromisoformat(updated_at)))
            for interview_id, updated_at in payload.execute(
                "SELECT id, updated_at FROM main.interviews ORDER BY id"
            )
        ]
        stated = payload_counts(payload, "main")
        payload.execute("COMMIT")
        source.execute("COMMIT")
        source.execute("DETACH DATABASE laptop")
        return stated, items, payload.serialize()
    finally:
        payload.close()
        source.close()


def _copy_statements() -> list[tuple[str, str, str]]:
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
            (
                table,
                f"SELECT {names} FROM laptop.{table} {where} ORDER BY {order}",
                f"INSERT INTO main.{table} ({names}) VALUES ({', '.join('?' * len(columns))})",
            )
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
    stated: dict[str, Any],
    payload: PayloadDigest,
    device_id: str,
    sequence: int,
    created_at: str,
) -> BundleManifest:
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
        payload=payload,
        fieldkit_version=fieldkit.__version__,
    )


def _cannot_write(path: Path, why: str) -> BundleError:
    return BundleError(
        f"cannot write the bundle: {why}",
        code="FK-BUNDLE-022",
        location=Location(str(path)),
        hint="check the folder and free space; nothing was lost on the laptop",
    )
