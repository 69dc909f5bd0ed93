"""An export is written to the audit log: the profile, every file and its SHA-256, and who.

The About sheet of the export names the audit head it was made from; this entry, written
after, names the files. Together they tie what left the tool to the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from fieldkit.privacy.audit import AuditRecord, current_actor, record
from fieldkit.store.coordinator import open_coordinator

__all__ = ["file_sha256", "record_export"]


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
    """One ``export`` audit entry for the files just written, naming who exported them.

    ``user``: the registered user the command ran as (fieldkit.users), or None when the store
    has no user register; the entry then names the operating system's login name and says
    that no register vouches for it."""
    hashes = {str(path): file_sha256(path) for path in files}
    detail: dict[str, object] = {
        "profile": profile,
        "role": role,
        "tables_only": tables_only,
        "files": hashes,
    }
    if user is None:
        detail["user"] = "login name: this store has no user register"
    else:
        detail["user"] = "registered user"
    actor = user if user is not None else current_actor()
    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        return record(conn, "export", instrument, detail, actor=actor)
