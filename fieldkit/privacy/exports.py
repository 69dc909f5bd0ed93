"""An export is written to the audit log: the profile, every file and its SHA-256.

The About sheet of the export names the audit head it was made from; this entry, written
after, names the files. Together they tie what left the tool to the log.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from fieldkit.privacy.audit import AuditRecord, record
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
    role: str,
    public: bool = False,
    tables_only: bool = False,
    actor: str | None = None,
) -> AuditRecord:
    """One ``export`` audit entry for the files just written."""
    hashes = {str(path): file_sha256(path) for path in files}
    profile = "public" if public else "tables only" if tables_only else "internal"
    detail = {"role": role, "profile": profile, "files": hashes}
    with open_coordinator(store) as db, db.transaction() as conn:
        return record(conn, "export", instrument, detail, actor=actor)
