"""Write a bundle from a laptop store: finished interviews only, streamed, signed, atomic."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Connection, Row, Select, select

import fieldkit
from fieldkit.bundle.atomic import atomic_file, temp_file_beside
from fieldkit.bundle.device import DeviceKey
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
from fieldkit.errors import BundleError, Location
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.database import Database, as_utc, open_database

__all__ = ["write_bundle"]

_COPY_CHUNK = 1 << 20
_CHILDREN = (("a", "answers"), ("r", "roster_members"), ("p", "paradata"), ("s", "identities"))
_COUNT_NAMES = {"i": "interviews", **dict(_CHILDREN)}


def write_bundle(laptop_db_path: Path, out_path: Path, device_key: DeviceKey) -> BundleManifest:
    """Write every complete, refused or stopped interview of a laptop store to ``out_path``.

    The file appears whole or not at all (temp file, fsync, rename, fsync of the folder).
    Nothing on the laptop is deleted: that waits for the coordinator's receipt.
    """
    out_path = Path(out_path)
    if not out_path.parent.is_dir():
        raise _cannot_write(out_path, f"the folder {out_path.parent} does not exist")
    with open_database(laptop_db_path, role="laptop") as db:
        created_at = now_text()
        with db.transaction() as conn:
            _check_device(conn, device_key, laptop_db_path)
            sequence = take_sequence(conn, out_path.name, created_at)
        try:
            manifest, sha256, items = _write_file(db, out_path, device_key, sequence, created_at)
        except OSError as error:
            raise _cannot_write(out_path, error.strerror or str(error)) from None
        with db.transaction() as conn:
            record_items(conn, sequence, sha256, items)
    return manifest


def _check_device(conn: Connection, key: DeviceKey, db_path: Path) -> None:
    device_id = conn.execute(select(capture_table("device").c.device_id)).scalar()
    if device_id is None or device_id != key.device_id:
        raise BundleError(
            f"the device key is for device {key.device_id}, but this laptop store is "
            f"{device_id or 'not set up'}",
            code="FK-BUNDLE-020",
            location=Location(str(db_path)),
            hint="use the key 'fieldkit device init' made for this laptop store",
        )


@dataclass
class _Payload:
    """Counts and hash of the payload as it is written."""

    digest: Any = field(default_factory=hashlib.sha256)
    bytes: int = 0
    lines: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    forms: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    enumerators: Counter[str] = field(default_factory=Counter)
    items: list[tuple[str, dt.datetime]] = field(default_factory=list)

    def write(self, out: BinaryIO, tag: str, values: tuple[Any, ...]) -> None:
        line = encode_line([tag, *(_cell(value) for value in values)])
        out.write(line)
        self.digest.update(line)
        self.bytes += len(line)
        self.lines += 1
        self.counts[_COUNT_NAMES[tag]] += 1

    def manifest(self, device_id: str, sequence: int, created_at: str) -> BundleManifest:
        forms = tuple(
            FormEntry(form_id, form_hash, protocol_id, count)
            for (form_id, form_hash, protocol_id), count in sorted(self.forms.items())
        )
        counts = {name: self.counts.get(name, 0) for name in _COUNT_NAMES.values()}
        counts.update({f"status_{k}": v for k, v in self.counts.items() if k in FINISHED_STATUSES})
        return BundleManifest(
            device_id=device_id,
            sequence=sequence,
            created_at=created_at,
            forms=forms,
            enumerators=dict(self.enumerators),
            counts=counts,
            payload=PayloadDigest(self.digest.hexdigest(), self.bytes, self.lines),
            fieldkit_version=fieldkit.__version__,
        )


def _write_file(
    db: Database, out_path: Path, key: DeviceKey, sequence: int, created_at: str
) -> tuple[BundleManifest, str, list[tuple[str, dt.datetime]]]:
    with temp_file_beside(out_path, ".payload") as (spool, _spool_path):
        with db.read() as conn:
            payload = _write_payload(conn, spool)
        manifest = payload.manifest(key.device_id, sequence, created_at)
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
        spool.flush()
        spool.seek(0)
        with atomic_file(out_path) as handle:
            for part in (MAGIC, manifest_line):
                handle.write(part)
                whole.update(part)
            while chunk := spool.read(_COPY_CHUNK):
                handle.write(chunk)
                whole.update(chunk)
            handle.write(trailer)
            whole.update(trailer)
    return manifest, whole.hexdigest(), payload.items


class _Children:
    """Rows of one child table, ordered by interview id, taken interview by interview."""

    def __init__(self, rows: Iterator[Row[Any]]) -> None:
        self._rows = rows
        self._next = next(rows, None)

    def take(self, interview_id: str) -> Iterator[tuple[Any, ...]]:
        while self._next is not None and self._next[0] == interview_id:
            yield tuple(self._next[1:])
            self._next = next(self._rows, None)


def _write_payload(conn: Connection, out: BinaryIO) -> _Payload:
    payload = _Payload()
    interviews = capture_table("interviews")
    children = [(tag, _Children(iter(conn.execute(_child_query(name))))) for tag, name in _CHILDREN]
    query = (
        select(*(interviews.c[name] for name in COLUMNS["i"]))
        .where(interviews.c.status.in_(FINISHED_STATUSES))
        .order_by(interviews.c.id)
    )
    for row in conn.execute(query):
        payload.write(out, "i", tuple(row))
        payload.counts[row.status] += 1
        payload.forms[(row.form_id, row.form_hash, row.protocol_id)] += 1
        payload.enumerators[row.enumerator] += 1
        payload.items.append((row.id, as_utc(row.updated_at)))
        for tag, rows in children:
            for values in rows.take(row.id):
                payload.write(out, tag, values)
    return payload


def _child_query(name: str) -> Select[Any]:
    interviews = capture_table("interviews")
    table = capture_table(name)
    columns = [table.c[column] for column in COLUMNS[_tag(name)]]
    if name == "identities":
        join = table.join(interviews, interviews.c.reference == table.c.reference)
        order = [table.c.question, table.c.member]
    else:
        join = table.join(interviews, interviews.c.id == table.c.interview_id)
        order = [table.c.id] if name == "paradata" else columns[:2]
    return (
        select(interviews.c.id, *columns)
        .select_from(join)
        .where(interviews.c.status.in_(FINISHED_STATUSES))
        .order_by(interviews.c.id, *order)
    )


def _tag(name: str) -> str:
    return next(tag for tag, table in _CHILDREN if table == name)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _cannot_write(path: Path, why: str) -> BundleError:
    return BundleError(
        f"cannot write the bundle: {why}",
        code="FK-BUNDLE-022",
        location=Location(str(path)),
        hint="check the folder and free space; nothing was lost on the laptop",
    )
