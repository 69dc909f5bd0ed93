"""Import one verified bundle inside the caller's transaction, in batches of interviews.

The payload is a SQLite database (``fieldkit.bundle.payload``): its rows are checked against
the manifest, then read batch by batch in key order for what the merge decides per interview
(:mod:`fieldkit.merge.facts`), and copied into the store (:mod:`fieldkit.merge.copy`).

An interview id belongs to the device that first delivered it: the same id from another
device refuses the bundle (FK-BUNDLE-011), whatever the device ids' order, so one laptop can
never replace or delete another's interviews (nor their identities). From its own device, a
byte-identical copy (a re-send or a re-made bundle: the laptop never edits a finished
interview) changes nothing, so provenance stays with the first bundle that delivered it; a
copy that differs replaces the stored one if it comes from a later bundle, and a device's
bundles are accepted in sequence order only.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, insert, select, update

from fieldkit.bundle.reader import ScannedBundle, contradiction
from fieldkit.bundle.receipt import Receipt
from fieldkit.errors import BundleError, Location
from fieldkit.instrument.form import Form
from fieldkit.merge.copy import SCHEMA, copy_rows
from fieldkit.merge.derive import Derived, derive, wanted_questions
from fieldkit.merge.facts import BadRows, InterviewFacts, read_facts
from fieldkit.merge.groups import chunks, refresh_groups, shared_keys
from fieldkit.merge.report import BundleOutcome, MergeProgress, MergeReport
from fieldkit.merge.stored import (
    StoredCopy,
    claimed_error,
    clash_error,
    delete_interviews,
    find_clash,
    stored_copies,
)
from fieldkit.review.history import keep_replaced
from fieldkit.store.coordinator_tables import (
    bundles,
    capture_table,
    devices,
    event_logs,
    merged_interviews,
    quarantine,
    receipts,
)

__all__ = ["BundleImport", "import_bundle", "receipt_for", "replay_error"]

Progress = Callable[[MergeProgress], None]


@dataclass
class BundleImport:
    """One bundle's import: its context, and the counts it adds to the report."""

    conn: Connection
    payload: sqlite3.Connection
    """The connection rows are copied from, with the payload attached as ``bundle``: on
    SQLite the store's own (rows move inside SQLite), else ``facts``."""
    facts: sqlite3.Connection
    """A private connection with the payload attached, for the per-interview facts."""
    scanned: ScannedBundle
    forms: Mapping[str, Form]
    outcome: BundleOutcome
    progress: Progress | None = None
    batch: int = 200
    report: MergeReport = field(default_factory=MergeReport)
    rows_written: int = 0
    interviews_done: int = 0
    regroup_content: set[tuple[str, str]] = field(default_factory=set)
    regroup_units: set[tuple[str, str]] = field(default_factory=set)

    @property
    def version(self) -> tuple[str, int]:
        return (self.scanned.manifest.device_id, self.scanned.manifest.sequence)

    def write(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows (the same keys each); on SQLite straight through the driver, as
        SQLAlchemy's per-row parameter handling cost more than the insert itself."""
        if not rows:
            return
        if self.conn.dialect.name == "sqlite":
            names = list(rows[0])
            sql = (
                f"INSERT INTO {table.name} ({', '.join(names)}) "
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            store = self.conn.connection.dbapi_connection  # the store's own driver connection
            assert store is not None
            store.executemany(sql, [tuple(row[n] for n in names) for row in rows])
        else:
            self.conn.execute(insert(table), rows)
        self.wrote(len(rows))

    def wrote(self, rows: int) -> None:
        self.rows_written += rows
        if self.progress is not None:
            self.progress(
                MergeProgress(
                    self.scanned.manifest.name,
                    self.interviews_done,
                    self.scanned.manifest.interviews,
                    self.rows_written,
                )
            )


def receipt_for(scanned: ScannedBundle) -> Receipt:
    manifest = scanned.manifest
    return Receipt(
        manifest.name, scanned.sha256, manifest.device_id, manifest.sequence, manifest.interviews
    )


def import_bundle(job: BundleImport) -> bool:
    """Import the bundle, whose payload ``check_payload`` passed; False if a byte-identical
    bundle was merged before (a no-op)."""
    if not _claim(job):
        return False
    wanted = wanted_questions(job.forms.values())
    totals = Counter(job.scanned.manifest.counts)  # the payload's own (check_payload)
    try:
        for batch in _batches(job, wanted, totals):
            _import_batch(job, batch)
    except BadRows as error:
        raise contradiction(job.scanned, str(error)) from None
    _regroup(job)
    receipt = receipt_for(job.scanned)
    body = receipt.body()
    job.conn.execute(
        insert(receipts).values(
            bundle_sha256=job.scanned.sha256,
            device_id=receipt.device_id,
            sequence=receipt.sequence,
            receipt_sha256=_sha256(body),
            body=body.decode("utf-8"),
        )
    )
    return True


def _batches(
    job: BundleImport, wanted: set[str], totals: Counter[str]
) -> Iterator[list[InterviewFacts]]:
    """The facts, batch by batch; a payload SQLite cannot read is the bundle's fault (010),
    unlike an error of the store, which the loop body raises as it is."""
    batches = read_facts(
        job.facts,
        SCHEMA,
        forms=_claimed_forms(job),
        wanted=wanted,
        batch=job.batch,
        totals=totals,
        merge_key_id=str(job.scanned.manifest.payload.encryption["recipient"]),
    )
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except sqlite3.DatabaseError as error:
            raise BadRows(f"the payload cannot be read ({error})") from None
        yield batch


def _claimed_forms(job: BundleImport) -> list[Form]:
    """The forms the manifest names (every hash known: checked before the import)."""
    return [job.forms[entry.form_hash] for entry in job.scanned.manifest.forms]


def _claim(job: BundleImport) -> bool:
    """Re-check, inside the transaction, that this bundle is new and not a replay.

    The device's row is locked first (``FOR UPDATE``: on PostgreSQL it serialises the
    imports of one device until commit; SQLite's write transaction already does), and only
    then is the bundle looked up: a merge of the same bundle that committed while this one
    waited is seen as merged, not as a replay of its sequence."""
    manifest, conn = job.scanned.manifest, job.conn
    last = conn.execute(
        select(devices.c.last_sequence)
        .where(devices.c.device_id == manifest.device_id)
        .with_for_update()
    ).scalar_one()
    known = conn.execute(
        select(bundles.c.sha256).where(bundles.c.sha256 == job.scanned.sha256)
    ).first()
    if known is not None:
        return False
    if manifest.sequence <= int(last):
        raise replay_error(job.scanned, int(last))
    conn.execute(
        insert(bundles).values(
            sha256=job.scanned.sha256,
            device_id=manifest.device_id,
            sequence=manifest.sequence,
            name=manifest.name,
            created_at=manifest.created_at,
            interviews=manifest.interviews,
            status="merged",
        )
    )
    conn.execute(
        update(devices)
        .where(devices.c.device_id == manifest.device_id)
        .values(last_sequence=manifest.sequence)
    )
    return True


def replay_error(scanned: ScannedBundle, last: int) -> BundleError:
    return BundleError(
        f"bundle {scanned.manifest.name} is a replay: sequence {scanned.manifest.sequence} "
        f"is not newer than {last}, already merged from this device",
        code="FK-BUNDLE-008",
        location=Location(scanned.where),
        hint="merge the laptop's newest bundle: it holds everything not yet receipted",
    )


def _import_batch(job: BundleImport, batch: list[InterviewFacts]) -> None:
    stored = stored_copies(job.conn, [facts.id for facts in batch])
    incoming: list[Derived] = []
    replaced: list[tuple[str, StoredCopy]] = []
    for facts in batch:
        old = stored.get(facts.id)
        if old is not None and old.version[0] != job.version[0]:
            raise claimed_error(job.scanned, facts.id, old)
        derived = derive(facts, job.forms[facts.interview["form_hash"]])
        _tally_arrival(job, derived, is_new=old is None)
        if old is None:
            incoming.append(derived)
        elif old.row_hash != facts.row_hash and old.version < job.version:
            incoming.append(derived)  # a changed copy from a later bundle replaces the old one
            replaced.append((facts.id, old))
            job.outcome.updated += 1
    _check_clashes(job, incoming)
    keep_replaced(job.conn, [interview_id for interview_id, _ in replaced])  # the history
    delete_interviews(job.conn, [(interview_id, old.reference) for interview_id, old in replaced])
    _insert(job, incoming, (batch[0].id, batch[-1].id), every=len(incoming) == len(batch))
    for _, old in replaced:  # the groups it leaves need a second look
        if old.content_hash:
            job.regroup_content.add((old.form_id, old.content_hash))
        if old.unit_values:
            job.regroup_units.add((old.form_id, old.unit_values))
    job.interviews_done += len(batch)


def _regroup(job: BundleImport) -> None:
    """Refresh the duplicate and conflict groups this bundle touched: those its interviews
    share with any other interview, and those a replaced copy left."""
    content, units = shared_keys(job.conn, job.scanned.sha256)
    changes = refresh_groups(job.conn, content | job.regroup_content, units | job.regroup_units, ())
    _tally_flags(job, changes.new_duplicates, "content")
    _tally_flags(job, changes.new_conflicted, "unit_conflict")


def _check_clashes(job: BundleImport, incoming: list[Derived]) -> None:
    """Another interview already holds this reference or this device sequence: refuse."""
    if not incoming:
        return
    clash = find_clash(
        job.conn,
        job.scanned.manifest.device_id,
        {d.facts.interview["reference"]: d.id for d in incoming},
        {d.facts.interview["sequence"]: d.id for d in incoming},
    )
    if clash is not None:
        raise clash_error(job.scanned, *clash)


def _insert(
    job: BundleImport, incoming: list[Derived], span: tuple[str, str], *, every: bool
) -> None:
    if not incoming:
        return
    written = copy_rows(job.conn, job.payload, span, [d.id for d in incoming], every=every)
    job.wrote(sum(written.values()))
    job.write(
        event_logs,
        [
            {"interview_id": d.id, "events": d.facts.events, "log": d.facts.event_log}
            for d in incoming
            if d.facts.events
        ],
    )
    job.write(merged_interviews, [_provenance(job, d) for d in incoming])
    job.write(
        quarantine,
        [
            {"interview_id": d.id, "reason": reason, "detail": detail}
            for d in incoming
            for reason, detail in dict(d.problems).items()
        ],
    )


def _provenance(job: BundleImport, prepared: Derived) -> dict[str, Any]:
    return {
        "interview_id": prepared.id,
        "form_id": prepared.form.id,
        "bundle_sha256": job.scanned.sha256,
        "bundle_device": job.scanned.manifest.device_id,
        "bundle_sequence": job.scanned.manifest.sequence,
        "row_hash": prepared.facts.row_hash,
        "content_hash": prepared.content_hash,
        "unit_values": prepared.unit_values,
        "district": prepared.district,
        "quarantined": bool(prepared.problems),
        # Final unless a duplicate or conflict group holds it (then _regroup decides).
        "included": not prepared.problems,
    }


def _tally_arrival(job: BundleImport, prepared: Derived, *, is_new: bool) -> None:
    district, enumerator = job.report.tally(
        prepared.district, prepared.facts.interview["enumerator"]
    )
    if not is_new:
        job.outcome.same_id += 1
        job.report.duplicates["same_id"] += 1
        district.same_id += 1
        enumerator.same_id += 1
        return
    job.outcome.new += 1
    job.report.interviews_new += 1
    district.new += 1
    enumerator.new += 1
    for reason, _detail in prepared.problems:
        job.report.quarantined[reason] += 1
    if prepared.problems:
        district.quarantined += 1
        enumerator.quarantined += 1


def _tally_flags(job: BundleImport, ids: set[str], kind: str) -> None:
    if not ids:
        return
    interviews = capture_table("interviews")
    m = merged_interviews
    for chunk in chunks(sorted(ids)):
        rows = job.conn.execute(
            select(m.c.district, interviews.c.enumerator)
            .join(interviews, interviews.c.id == m.c.interview_id)
            .where(m.c.interview_id.in_(chunk))
        )
        for row in rows:
            job.report.duplicates[kind] += 1
            for tally in job.report.tally(row.district, row.enumerator):
                setattr(tally, kind, getattr(tally, kind) + 1)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
