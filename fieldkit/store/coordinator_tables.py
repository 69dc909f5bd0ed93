"""The coordinator store's merge tables (SQLAlchemy Core: the same DDL on SQLite and PostgreSQL).

The interview data itself sits in the capture tables that every fieldkit database shares
(``interviews``, ``answers``, ``roster_members``, ``identities``: the laptop's shape, so
datasets read the same tables on either side), except paradata: a laptop keeps a row per
event, a coordinator one ``event_logs`` row per interview (migration 4). These tables add what
only a coordinator knows::

    devices              registered laptops: public key, last merged bundle sequence
    bundles              every merged bundle, keyed by the SHA-256 of its bytes
    bundle_rejections    every refused bundle and why (hash, code)
    receipts             the receipt issued for each merged bundle
    merged_interviews    per interview: provenance (bundle, device, sequence), content hash,
                         unit key values, district, quarantined / included flags
    duplicates           content duplicates: the interview set aside and the one kept
    conflicts            two or more interviews claiming one unit (+ current resolution)
    conflict_members     the interviews in each conflict
    conflict_resolutions every resolution a coordinator recorded (who, why), never deleted
    quarantine           interviews without valid consent, one row per reason
    protocol_texts       per protocol version: the hashes and texts of its consent statements
                         and data-use statement, as first seen (a change needs a new version)

No column holds an arrival time or an autoincrement key that depends on import order, so the
same bundles merged in any order give the same rows (``conflict_resolutions.id`` and
``resolved_at`` record coordinator actions, not imports).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlmodel import SQLModel

import fieldkit.store.tables  # noqa: F401  (registers the capture tables in SQLModel.metadata)

__all__ = [
    "MERGE_METADATA",
    "bundle_rejections",
    "bundles",
    "capture_table",
    "conflict_members",
    "conflict_resolutions",
    "conflicts",
    "create_merge_tables",
    "devices",
    "duplicates",
    "event_logs",
    "merged_interviews",
    "protocol_texts",
    "quarantine",
    "receipts",
]

MERGE_METADATA = MetaData()


def capture_table(name: str) -> Table:
    """A capture table (``interviews``, ``answers``...) as a Core table, on either side."""
    return SQLModel.metadata.tables[name]


_INTERVIEW_ID = capture_table("interviews").c.id

devices = Table(
    "devices",
    MERGE_METADATA,
    Column("device_id", String, primary_key=True),
    Column("public_key", String, nullable=False),  # base64 of the 32 raw Ed25519 bytes
    Column("fingerprint", String, nullable=False),
    Column("last_sequence", Integer, nullable=False, default=0),
    # A revoked laptop's later bundles are refused (``fieldkit device revoke``).
    Column("revoked_at", String, nullable=True),
    Column("revoked_reason", Text, nullable=True),
)

bundles = Table(
    "bundles",
    MERGE_METADATA,
    Column("sha256", String, primary_key=True),
    Column("device_id", String, ForeignKey("devices.device_id"), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("name", String, nullable=False),
    # As claimed by the laptop's clock: informational, nothing is ordered by it.
    Column("created_at", String, nullable=True),
    Column("interviews", Integer, nullable=False),
    Column("status", String, nullable=False),
    UniqueConstraint("device_id", "sequence"),
)

bundle_rejections = Table(
    "bundle_rejections",
    MERGE_METADATA,
    Column("sha256", String, primary_key=True),
    Column("code", String, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("device_id", String, nullable=True),
    Column("sequence", Integer, nullable=True),
    Column("file_name", String, nullable=False),
)

receipts = Table(
    "receipts",
    MERGE_METADATA,
    Column("bundle_sha256", String, ForeignKey("bundles.sha256"), primary_key=True),
    Column("device_id", String, nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("receipt_sha256", String, nullable=False),
    Column("body", Text, nullable=False),
)

merged_interviews = Table(
    "merged_interviews",
    MERGE_METADATA,
    Column("interview_id", String, ForeignKey(_INTERVIEW_ID), primary_key=True),
    Column("form_id", String, nullable=False),
    Column("bundle_sha256", String, ForeignKey("bundles.sha256"), nullable=False),
    Column("bundle_device", String, nullable=False),
    Column("bundle_sequence", Integer, nullable=False),
    # SHA-256 of all the interview's rows (fieldkit.merge.facts): a re-send vs a changed copy.
    Column("row_hash", String, nullable=False),
    # Form id + answers + roster members (no ids, times or identities); None: no answers.
    Column("content_hash", String, nullable=True),
    # Canonical JSON of the form's unit key answers; None when any of them is missing.
    Column("unit_values", Text, nullable=True),
    Column("district", String, nullable=True),
    Column("quarantined", Boolean, nullable=False),
    Column("included", Boolean, nullable=False),
)
Index("ix_merged_content", merged_interviews.c.form_id, merged_interviews.c.content_hash)
Index("ix_merged_unit", merged_interviews.c.form_id, merged_interviews.c.unit_values)
Index("ix_merged_bundle", merged_interviews.c.bundle_sha256)

duplicates = Table(
    "duplicates",
    MERGE_METADATA,
    Column("interview_id", String, ForeignKey(_INTERVIEW_ID), primary_key=True),
    Column("kept_interview_id", String, nullable=False),
    Column("form_id", String, nullable=False),
    Column("content_hash", String, nullable=False),
)

conflicts = Table(
    "conflicts",
    MERGE_METADATA,
    Column("id", String, primary_key=True),
    Column("form_id", String, nullable=False),
    Column("unit_values", Text, nullable=False),
    Column("members_digest", String, nullable=False),
    # open, or resolved (a resolution exists for exactly the current members).
    Column("status", String, nullable=False),
    Column("kept_interview_id", String, nullable=True),
    Column("resolution_id", Integer, nullable=True),
)

conflict_members = Table(
    "conflict_members",
    MERGE_METADATA,
    Column("conflict_id", String, ForeignKey("conflicts.id"), primary_key=True),
    Column("interview_id", String, ForeignKey(_INTERVIEW_ID), primary_key=True),
)
Index("ix_conflict_members_interview", conflict_members.c.interview_id)

conflict_resolutions = Table(
    "conflict_resolutions",
    MERGE_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conflict_id", String, nullable=False, index=True),
    Column("members_digest", String, nullable=False),
    Column("kept_interview_id", String, nullable=False),
    Column("reason", Text, nullable=False),
    Column("resolved_by", String, nullable=False),
    Column("resolved_at", DateTime(timezone=True), nullable=False),
)

quarantine = Table(
    "quarantine",
    MERGE_METADATA,
    Column("interview_id", String, ForeignKey(_INTERVIEW_ID), primary_key=True),
    Column("reason", String, primary_key=True),
    Column("detail", Text, nullable=False),
)


protocol_texts = Table(
    "protocol_texts",
    MERGE_METADATA,
    Column("protocol_id", String, primary_key=True),
    Column("version", String, primary_key=True),
    Column("consent_sha256", String, nullable=False),
    Column("data_use_sha256", String, nullable=False),
    # canonical JSON of the statement in every language, to print it in exports
    Column("data_use_statement", Text, nullable=False),
)


EVENT_METADATA = MetaData()
event_logs = Table(
    "event_logs",
    EVENT_METADATA,
    Column("interview_id", String, ForeignKey(_INTERVIEW_ID), primary_key=True),
    Column("events", Integer, nullable=False),
    # JSON array of [at, event, question, member, elapsed_ms, detail] in the laptop's order;
    # ``at`` as stored ("YYYY-MM-DD HH:MM:SS.ffffff", UTC).
    Column("log", Text, nullable=False),
)


def create_merge_tables(conn: Connection) -> None:
    """Create the merge tables that are missing (the coordinator's "merge tables" migration)."""
    MERGE_METADATA.create_all(conn, checkfirst=True)
