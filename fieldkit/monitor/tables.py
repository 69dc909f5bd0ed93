"""The coordinator tables of field monitoring (migration 60): assignments and review decisions.

    assignments        a sampled unit of an instrument, the enumerator it is assigned to and
                       the fields preloaded from the listing (never identifying ones)
    review_decisions   every approve/reject a supervisor recorded, never updated or deleted
    backcheck_draws    the completed interviews drawn for a back-check, with the draw's seed
    interview_versions (migration 61) each version a corrected copy replaced: its rows as
                       JSON (interviews, answers, roster members, paradata, identities),
                       the bundle that had delivered it, its row hash, when it was replaced

Like the merge tables, no column depends on import order.
"""

from __future__ import annotations

from sqlalchemy import Column, Connection, DateTime, Float, Integer, MetaData, String, Table, Text

__all__ = [
    "MONITOR_METADATA",
    "assignments",
    "backcheck_draws",
    "create_monitor_tables",
    "interview_versions",
    "review_decisions",
]

MONITOR_METADATA = MetaData()

assignments = Table(
    "assignments",
    MONITOR_METADATA,
    Column("form_id", String, primary_key=True),
    # Canonical JSON of the form's unit key values, as merged_interviews.unit_values.
    Column("unit_values", Text, primary_key=True),
    Column("enumerator", String, nullable=False, index=True),
    Column("district", String, nullable=True),
    Column("preload", Text, nullable=False),  # JSON object: question -> value
    Column("sample_row", Integer, nullable=False),
    Column("assigned_by", String, nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
)

review_decisions = Table(
    "review_decisions",
    MONITOR_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_id", String, nullable=False, index=True),
    Column("decision", String, nullable=False),  # approved | rejected
    Column("comment", Text, nullable=False),
    Column("reviewer", String, nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

backcheck_draws = Table(
    "backcheck_draws",
    MONITOR_METADATA,
    Column("interview_id", String, primary_key=True),
    Column("form_id", String, nullable=False),
    Column("enumerator", String, nullable=False),
    Column("unit_values", Text, nullable=False),
    Column("seed", String, nullable=False),
    Column("rate", Float, nullable=False),
    Column("drawn_by", String, nullable=False),
    Column("drawn_at", DateTime(timezone=True), nullable=False),
)


interview_versions = Table(
    "interview_versions",
    MONITOR_METADATA,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_id", String, nullable=False, index=True),
    Column("bundle_sha256", String, nullable=False),
    Column("row_hash", String, nullable=False),
    Column("rows", Text, nullable=False),  # JSON: table name -> list of rows
    Column("replaced_at", DateTime(timezone=True), nullable=False),
)


def create_monitor_tables(conn: Connection) -> None:
    """The "field monitoring" migration of a coordinator store."""
    MONITOR_METADATA.create_all(conn, checkfirst=True)
