"""Merge bundles into a coordinator store: verify every file first, then one transaction each.

    report = merge_bundles([Path("north-1.fkb")], "hq.sqlite", project)

For each file, before anything is written: structure, checksums and signature (against the
registered device key), then replay (sequence not newer than the last merged from the device,
unless byte-identical to a merged bundle: a no-op) and forms (every form hash known to the
project). Accepted bundles are imported in (device id, sequence, hash) order, each in its own
transaction: its payload is copied out (and must hash as scanned), its schema and counts are
checked before the store is touched, its rows while they are read (FK-BUNDLE-010 rolls the
bundle back whole). A crash leaves the store as before that bundle or after it. A rejected
bundle is logged in ``bundle_rejections`` and nothing else of it is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import DataError, IntegrityError

from fieldkit.bundle.device import public_key_from_text
from fieldkit.bundle.format import FormEntry, damaged
from fieldkit.bundle.payload import header_problem
from fieldkit.bundle.reader import (
    ScannedBundle,
    check_payload,
    contradiction,
    extract_payload,
    require_signature,
    scan_bundle,
    verify_scanned,
)
from fieldkit.bundle.receipt import receipt_path, write_receipt
from fieldkit.bundle.untrusted import open_regular, shown
from fieldkit.bundle.workcopy import sweep_leftovers
from fieldkit.errors import BundleError, Location, MergeConflict, PrivacyError
from fieldkit.instrument.form import Form
from fieldkit.merge.copy import SCHEMA
from fieldkit.merge.importer import BundleImport, import_bundle, receipt_for
from fieldkit.merge.importer import replay_error as _replay_error
from fieldkit.merge.report import ALREADY_MERGED, MERGED, BundleOutcome, MergeProgress, MergeReport
from fieldkit.merge.stored import clash_error
from fieldkit.privacy.audit import head_in, record
from fieldkit.privacy.keys import PrivateKey
from fieldkit.project import Project
from fieldkit.review.returns import returns_path, write_returns
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import bundle_rejections, bundles, conflicts, devices
from fieldkit.store.database import Database
from fieldkit.store.protocol_texts import check_protocols, register_protocols

__all__ = ["MergeOptions", "merge_bundles"]


@dataclass(frozen=True)
class MergeOptions:
    receipts_dir: Path | None = None
    """Where receipts go (default: beside each bundle, as ``<bundle>.receipt``)."""
    write_receipts: bool = True
    record_rejections: bool = True
    """False leaves the store untouched by refused bundles (a pure check)."""
    batch_interviews: int = 500
    progress: Callable[[MergeProgress], None] | None = None
    merge_key: PrivateKey | None = None
    """The coordinator's merge key: bundle payloads are encrypted to it (required)."""


@dataclass(frozen=True)
class _Ready:
    scanned: ScannedBundle
    outcome: BundleOutcome

    @property
    def order(self) -> tuple[str, int, str]:
        manifest = self.scanned.manifest
        return (manifest.device_id, manifest.sequence, self.scanned.sha256)


def merge_bundles(
    paths: Iterable[Path | str],
    store_url: Path | str,
    project: Project,
    options: MergeOptions | None = None,
) -> MergeReport:
    """Verify and import bundles; returns what happened to each, and the counts."""
    options = options or MergeOptions()
    if options.merge_key is None:
        raise PrivacyError(
            "merging needs the coordinator's merge key: bundle payloads are encrypted to it",
            code="FK-KEY-033",
            hint="give the study's merge.key (fieldkit merge --merge-key keys/merge.key)",
        )
    forms = project.by_hash()
    report = MergeReport()
    with open_coordinator(store_url) as db:
        sweep_leftovers(_payload_folder(db))  # copies a killed merge could not remove
        with db.read() as conn:  # a consent text changed under a known version: stop
            check_protocols(conn, project.protocols, db.where)
        ready = [
            item for path in paths if (item := _verify(db, Path(path), forms, report, options))
        ]
        merged: set[str] = set()
        for item in sorted(ready, key=lambda r: r.order):
            if item.scanned.sha256 in merged:
                item.outcome.status = ALREADY_MERGED
                report.bundles.append(item.outcome)
                continue
            merged.add(item.scanned.sha256)
            _merge_one(db, item, forms, report, options)
        with db.read() as conn:
            report.open_conflicts = int(
                conn.execute(
                    select(func.count()).select_from(conflicts).where(conflicts.c.status == "open")
                ).scalar_one()
            )
    return report


def _verify(
    db: Database, path: Path, forms: Mapping[str, Form], report: MergeReport, options: MergeOptions
) -> _Ready | None:
    outcome = BundleOutcome(path=shown(path), status="pending")
    scanned: ScannedBundle | None = None
    try:
        scanned = scan_bundle(path)
        _describe(outcome, scanned)
        _check_against_store(db, scanned, forms)
    except BundleError as error:
        _reject(db, outcome, error, report, options, path=path, scanned=scanned)
        return None
    except _HOSTILE as error:  # a file no check foresaw: refused alone, never the whole merge
        damage = damaged(shown(path), f"it cannot be read ({type(error).__name__})")
        _reject(db, outcome, damage, report, options, path=path, scanned=scanned)
        return None
    return _Ready(scanned, outcome)


_HOSTILE = (ValueError, OverflowError, RecursionError)
"""What parsing a hostile file can raise past the checks: caught per file, so one file never
stops the merge of the others (each is a fault fixed where it arose, with a test)."""


def _describe(outcome: BundleOutcome, scanned: ScannedBundle) -> None:
    manifest = scanned.manifest
    outcome.sha256 = scanned.sha256
    outcome.name = manifest.name
    outcome.device_id = manifest.device_id
    outcome.sequence = manifest.sequence
    outcome.interviews = manifest.interviews


def _check_against_store(db: Database, scanned: ScannedBundle, forms: Mapping[str, Form]) -> None:
    manifest, where = scanned.manifest, Location(scanned.where)
    require_signature(scanned)
    with db.read() as conn:
        device = conn.execute(
            select(devices).where(devices.c.device_id == manifest.device_id)
        ).one_or_none()
        merged_before = _is_merged(conn, scanned.sha256)
    if device is None:
        raise BundleError(
            f"device {manifest.device_id} is not registered at this coordinator",
            code="FK-BUNDLE-007",
            location=where,
            hint="register its public key: fieldkit device register device-<id>.pub --into STORE",
        )
    verify_scanned(scanned, public_key_from_text(device.public_key))
    if device.revoked_at is not None:
        raise BundleError(
            f"device {manifest.device_id} was revoked on {device.revoked_at} "
            f"({device.revoked_reason})",
            code="FK-BUNDLE-032",
            location=where,
            hint="a revoked laptop's bundles are never merged; its data goes to review",
        )
    if merged_before:
        return
    if manifest.sequence <= device.last_sequence:
        raise _replay_error(scanned, device.last_sequence)
    unknown = sorted(manifest.form_hashes() - set(forms))
    disagree = [f.form_id for f in manifest.forms if f.form_hash in forms and _other(f, forms)]
    if disagree:
        raise contradiction(
            scanned, f"form {disagree[0]}: its id or protocol disagree with its form hash"
        )
    if unknown:
        names = ", ".join(
            f"{f.form_id} ({f.form_hash[:19]})" for f in manifest.forms if f.form_hash in unknown
        )
        raise BundleError(
            f"the coordinator does not know the form version(s) used: {names}",
            code="FK-BUNDLE-009",
            location=where,
            hint="add the instrument version the laptop used to the project, then merge again",
        )


def _other(entry: FormEntry, forms: Mapping[str, Form]) -> bool:
    form = forms[entry.form_hash]
    return (entry.form_id, entry.protocol_id) != (form.id, form.protocol.id)


def _is_merged(conn: Connection, sha256: str) -> bool:
    return (
        conn.execute(select(bundles.c.sha256).where(bundles.c.sha256 == sha256)).first() is not None
    )


def _merge_one(
    db: Database,
    item: _Ready,
    forms: Mapping[str, Form],
    report: MergeReport,
    options: MergeOptions,
) -> None:
    outcome = item.outcome
    try:
        imported = _import(db, item, forms, options)
    except BundleError as error:
        _reject(db, outcome, error, report, options, path=item.scanned.path, scanned=item.scanned)
        return
    except (IntegrityError, sqlite3.IntegrityError):
        clash = clash_error(item.scanned, outcome.name or "?", None)
        _reject(db, outcome, clash, report, options, path=item.scanned.path, scanned=item.scanned)
        return
    except _HOSTILE as error:
        bad = contradiction(item.scanned, f"a value no check foresaw ({type(error).__name__})")
        _reject(db, outcome, bad, report, options, path=item.scanned.path, scanned=item.scanned)
        return
    outcome.status = MERGED if imported is not None else ALREADY_MERGED
    if imported is not None:
        report.absorb(imported.report)
    report.bundles.append(outcome)
    if options.write_receipts:
        with db.read() as conn:
            head = head_in(conn)
        _write_receipt(item, report, options, head.text() if head else None)
        _write_returns(db, item, report, options)


def _import(
    db: Database, item: _Ready, forms: Mapping[str, Form], options: MergeOptions
) -> BundleImport | None:
    """Import one bundle in one transaction; None if it was merged before (a no-op)."""
    with db.read() as conn:
        if _is_merged(conn, item.scanned.sha256):
            return None
    assert options.merge_key is not None
    with _payload_copy(db, item.scanned, options.merge_key) as payload_path:
        facts = _checked_payload(payload_path, item.scanned)
        try:
            if db.is_sqlite:
                with db.attached(payload_path, SCHEMA) as conn:
                    raw = conn.connection.dbapi_connection
                    assert isinstance(raw, sqlite3.Connection)
                    raw.execute(f"PRAGMA {SCHEMA}.cache_size = -{_PAYLOAD_CACHE_KIB}")
                    job = BundleImport(conn, raw, facts, item.scanned, forms, item.outcome)
                    return _audited(conn, _run(job, options), item, forms)
            with db.transaction() as conn:
                job = BundleImport(conn, facts, facts, item.scanned, forms, item.outcome)
                try:
                    return _audited(conn, _run(job, options), item, forms)
                except DataError as error:  # a value PostgreSQL cannot hold: the bundle's
                    raise contradiction(item.scanned, _first_line(error.orig)) from None
        finally:
            facts.close()


def _payload_folder(db: Database) -> Path | None:
    """Where payload copies go: the SQLite store's own folder (the same protected disk),
    else the system's temporary folder."""
    return db.path.parent if db.path is not None else None


@contextlib.contextmanager
def _payload_copy(db: Database, scanned: ScannedBundle, merge_key: PrivateKey) -> Iterator[Path]:
    folder = _payload_folder(db)
    where = shown(folder) if folder is not None else "the temporary folder"
    stack = contextlib.ExitStack()
    try:
        payload_path = stack.enter_context(extract_payload(scanned, folder, merge_key=merge_key))
    except OSError as error:
        raise MergeConflict(
            f"cannot keep the working copy of a bundle in {where}: {error.strerror or error}",
            code="FK-MERGE-031",
            location=Location(where),
            hint="the store's folder must be writable by the merge (payloads are copied "
            "there, private, and removed after); nothing was merged from this bundle",
        ) from None
    with stack:
        yield payload_path


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "a value the store cannot hold"


_PAYLOAD_CACHE_KIB = 256
"""Page cache per connection for the payload: it is read in key order, batch by batch, so a
small cache serves; the store keeps SQLite's default."""


def _checked_payload(path: Path, scanned: ScannedBundle) -> sqlite3.Connection:
    """The payload attached on a private connection, after its schema and counts are checked
    (FK-BUNDLE-010), so the store's own connection only ever attaches a sound payload. The
    merge reads the per-interview facts on it (and, off SQLite, the rows too)."""
    problem = header_problem(path)
    if problem is not None:
        raise contradiction(scanned, problem)
    payload = sqlite3.connect(":memory:", isolation_level=None)
    try:
        payload.execute("PRAGMA trusted_schema=OFF")
        payload.execute("PRAGMA temp_store=MEMORY")  # like every store connection: no temp files
        payload.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(path),))
        payload.execute(f"PRAGMA {SCHEMA}.cache_size = -{_PAYLOAD_CACHE_KIB}")
        check_payload(payload, SCHEMA, scanned)
    except sqlite3.DatabaseError as error:
        payload.close()
        raise contradiction(scanned, f"the payload cannot be read ({error})") from None
    except BaseException:
        payload.close()
        raise
    return payload


def _audited(
    conn: Connection, job: BundleImport | None, item: _Ready, forms: Mapping[str, Form]
) -> BundleImport | None:
    """The import's audit entry, in the import's own transaction (issue 11), with the texts
    of protocol versions the store meets for the first time: a merge that imports nothing
    leaves the store as it was."""
    if job is not None:
        protocols = {form.protocol.id: form.protocol for form in forms.values()}
        register_protocols(conn, protocols, item.scanned.where)
        manifest = item.scanned.manifest
        detail = {
            "bundle_sha256": item.scanned.sha256,
            "device_id": manifest.device_id,
            "sequence": manifest.sequence,
            "interviews": manifest.interviews,
            "new": item.outcome.new,
        }
        record(conn, "merge", manifest.name, detail)
    return job


def _run(job: BundleImport, options: MergeOptions) -> BundleImport | None:
    job.progress, job.batch = options.progress, options.batch_interviews
    return job if import_bundle(job) else None


def _write_receipt(
    item: _Ready, report: MergeReport, options: MergeOptions, head: str | None
) -> None:
    path = receipt_path(item.scanned.path, options.receipts_dir)
    try:
        write_receipt(receipt_for(item.scanned), path, audit_head=head)
    except OSError as error:
        report.warn(
            "FK-BUNDLE-013",
            f"merged, but the receipt could not be written: {error.strerror}",
            shown(path),
            "the merge is kept; merge the same file again to write its receipt",
        )
        return
    item.outcome.receipt = shown(path)


def _write_returns(db: Database, item: _Ready, report: MergeReport, options: MergeOptions) -> None:
    """The laptop's rejected interviews, sent back beside its receipt (issue 16)."""
    if options.merge_key is None:
        return
    path = returns_path(receipt_path(item.scanned.path, options.receipts_dir))
    device_id, sha256 = item.scanned.manifest.device_id, item.scanned.sha256
    try:
        with db.read() as conn:
            write_returns(conn, options.merge_key, device_id, sha256, path)
    except OSError as error:
        report.warn(
            "FK-BUNDLE-013",
            f"merged, but the rejected interviews could not be written: {error.strerror}",
            shown(path),
            "the merge is kept; merge the same file again to write them",
        )


def _reject(
    db: Database,
    outcome: BundleOutcome,
    error: BundleError,
    report: MergeReport,
    options: MergeOptions,
    *,
    path: Path,
    scanned: ScannedBundle | None,
) -> None:
    if error.location.file is None:
        error.location = Location(shown(path), record=error.location.record)
    report.reject(outcome, error)
    if not options.record_rejections:
        return
    sha256 = scanned.sha256 if scanned is not None else _file_sha256(path)
    with db.transaction() as conn:
        seen = conn.execute(
            select(bundle_rejections.c.sha256).where(
                bundle_rejections.c.sha256 == sha256, bundle_rejections.c.code == error.code
            )
        ).first()
        if seen is None:
            name = shown(path.name)  # a file name need not be text (bytes that are not UTF-8)
            detail = {"bundle_sha256": sha256, "code": error.code, "file": name}
            record(conn, "merge refused", outcome.name or name, detail)
            conn.execute(
                insert(bundle_rejections).values(
                    sha256=sha256,
                    code=error.code,
                    reason=error.message,
                    device_id=outcome.device_id,
                    sequence=outcome.sequence,
                    file_name=shown(path.name),
                )
            )


def _file_sha256(path: Path) -> str:
    """The refused file's SHA-256 (its key in ``bundle_rejections``): a regular file only,
    read up to the size it had when opened (never a FIFO or a device that never ends)."""
    digest = hashlib.sha256()
    try:
        handle, size = open_regular(path)
        with handle:
            while size > 0 and (chunk := handle.read(min(size, 1 << 20))):
                digest.update(chunk)
                size -= len(chunk)
    except OSError:
        return "unreadable:" + hashlib.sha256(str(path).encode("utf-8", "replace")).hexdigest()
    return digest.hexdigest()
