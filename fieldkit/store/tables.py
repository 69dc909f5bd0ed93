"""SQLModel table models: what the store reads and writes.

These classes describe rows; they are never built from raw input (SQLModel table classes skip
validation). Input is checked first by ``fieldkit.store.inputs`` and rows are built from the
validated models. The schema itself is created by the frozen migrations in
``fieldkit.store.migrations``; ``tests/test_store_database.py`` checks that both agree.

No table has a plaintext identifying column: names and contacts live only in
``identities.sealed``, encrypted to the project key (``fieldkit.privacy.sealing``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

__all__ = [
    "Answer",
    "AuditEntry",
    "Device",
    "FormQuestion",
    "Identity",
    "Interview",
    "Paradata",
    "RosterMember",
    "SchemaMigration",
]


class SchemaMigration(SQLModel, table=True):
    __tablename__ = "schema_migrations"

    version: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    name: str
    applied_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class Device(SQLModel, table=True):
    """One row on a laptop: who this database is, and the next interview sequence number."""

    __tablename__ = "device"

    device_id: str = Field(primary_key=True)
    next_sequence: int
    project_key: str
    """Fingerprint of the project's identity public key identities are sealed to."""
    signing_key: bytes | None = Field(default=None, sa_type=LargeBinary)
    """The device's Ed25519 signing key (raw): inside the encrypted store, never in a file."""
    public_keys: str | None = Field(default=None, sa_type=Text)
    """The project.pub this store seals to (identity and merge public keys)."""


class FormQuestion(SQLModel, table=True):
    """What the store must know of a form to keep identities apart and rosters tidy."""

    __tablename__ = "form_questions"

    form_hash: str = Field(primary_key=True)
    question: str = Field(primary_key=True)
    roster: str | None = None
    pii: bool
    free_text: bool = False
    """A text question not marked pii: sealed too, to the merge key (``fieldkit recode``)."""


class Interview(SQLModel, table=True):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("device_id", "sequence"),)

    id: str = Field(primary_key=True)
    form_id: str
    form_hash: str = Field(index=True)
    instrument_kind: str
    protocol_id: str
    enumerator: str
    device_id: str
    language: str
    status: str = Field(index=True)
    consent: str | None = Field(default=None, sa_type=Text)
    consent_outcome: str | None = None
    reference: str = Field(unique=True)
    sequence: int
    started_at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    ended_at: dt.datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    updated_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class Answer(SQLModel, table=True):
    __tablename__ = "answers"

    interview_id: str = Field(primary_key=True, foreign_key="interviews.id")
    question: str = Field(primary_key=True)
    member: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    value: str = Field(sa_type=Text)
    """The value as JSON text."""
    status: str
    changed_at: dt.datetime = Field(sa_type=DateTime(timezone=True))


class RosterMember(SQLModel, table=True):
    __tablename__ = "roster_members"

    interview_id: str = Field(primary_key=True, foreign_key="interviews.id")
    roster: str = Field(primary_key=True)
    member: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})


class Paradata(SQLModel, table=True):
    """How the interview went. Never a value: events on identifying questions lose their detail."""

    __tablename__ = "paradata"

    id: int | None = Field(default=None, primary_key=True)
    interview_id: str = Field(foreign_key="interviews.id", index=True)
    at: dt.datetime = Field(sa_type=DateTime(timezone=True))
    event: str
    question: str | None = None
    member: int
    elapsed_ms: int | None = None
    detail: str | None = Field(default=None, sa_type=Text)


class Identity(SQLModel, table=True):
    """A sealed answer under the interview's reference: identifying (to the identity key) or
    free text (to the merge key), as ``key_id`` says."""

    __tablename__ = "identities"

    reference: str = Field(primary_key=True, foreign_key="interviews.reference")
    question: str = Field(primary_key=True)
    member: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    status: str
    sealed: bytes = Field(sa_type=LargeBinary)
    key_id: str = ""
    """Fingerprint of the public key ``sealed`` was sealed to (identity or merge key)."""


class AuditEntry(SQLModel, table=True):
    """One link of the hash-chained audit log (coordinator stores)."""

    __tablename__ = "audit_log"

    entry_index: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: str
    """ISO-8601 UTC text, exactly as hashed."""
    actor: str
    action: str
    subject: str
    detail: str = Field(sa_type=Text)
    prev_hash: str
    hash: str
