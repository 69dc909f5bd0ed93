"""A release is written to the audit log: the profile, what left and its SHA-256, and who.

``fieldkit export`` writes files: the entry names each with its SHA-256. ``fieldkit tables``,
``profile`` and ``routes`` print tables in the terminal: the entry names the tables asked
for, the SHA-256 of what was printed, and any file written beside (``--xlsx``,
``--geojson``). The About sheet of an export names the audit head it was made from; this
entry, written after, names the files. Together they tie what left the tool to the log.

Who: the registered user the command ran as (``fieldkit users``), or, in a store without a
user register, the operating system's login name, and the entry says no register vouches
for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from fieldkit.privacy.audit import AuditRecord, current_actor, record
from fieldkit.store.coordinator import open_coordinator

__all__ = ["file_sha256", "record_export", "record_tables"]

UNREGISTERED = "login name: this store has no user register"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def record_export(
    store: Path | str,
    instrument: str,
    files: Iterable[Path],
    *,
    profile: str,
    role: str,
    user: str | None,
    tables_only: bool = False,
) -> AuditRecord:
    """One ``export`` audit entry for the files just written, naming who exported them."""
    hashes = {str(path): file_sha256(path) for path in files}
    detail: dict[str, object] = {
        "profile": profile,
        "role": role,
        "tables_only": tables_only,
        "files": hashes,
    }
    return _record(store, "export", instrument, detail, user)


def record_tables(
    store: Path | str,
    instrument: str,
    printed: bytes,
    *,
    table: Mapping[str, object],
    profile: str,
    role: str,
    user: str | None,
    files: Iterable[Path] = (),
    action: str = "tables",
) -> AuditRecord:
    """One audit entry for tables printed in the terminal (``fieldkit tables``, ``profile``,
    ``routes``: the ``action``): what was asked (``table``: variable, breakdown, ...), the
    SHA-256 of what was printed, and the files written beside, each with its SHA-256."""
    detail: dict[str, object] = {
        "profile": profile,
        "role": role,
        "table": dict(table),
        "printed_sha256": hashlib.sha256(printed).hexdigest(),
        "files": {str(path): file_sha256(path) for path in files},
    }
    return _record(store, action, instrument, detail, user)


def _record(
    store: Path | str, action: str, subject: str, detail: dict[str, object], user: str | None
) -> AuditRecord:
    detail["user"] = UNREGISTERED if user is None else "registered user"
    actor = user if user is not None else current_actor()
    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        return record(conn, action, subject, detail, actor=actor)
