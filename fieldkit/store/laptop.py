"""The laptop store: encrypted at rest, every change committed as it is made, sealed at capture.

The whole file (and its ``-wal``) is SQLCipher-encrypted under the key the enumerator's
passphrase unlocks (``fieldkit.store.cipher``). One ``apply`` is one ``BEGIN IMMEDIATE ...
COMMIT`` with ``synchronous=FULL``: when it returns, the answers it carried survive the app
being killed and the power being cut.

On top of that, two kinds of answers are sealed at capture and written to ``identities``
under the interview's random reference, never to ``answers`` or ``paradata``: answers to
``pii`` questions (flagged by the engine *or* by the form) to the project's identity key,
and free text (every ``text`` question not marked ``pii``, and the consent exception's note)
to the merge key. Protection does not depend on an author remembering a ``pii`` mark. The
laptop cannot read either back (``load`` returns the marker ``SEALED``). A refused or stopped
interview keeps only its row and consent record.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import secrets
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlmodel import col

from fieldkit.errors import StoreError
from fieldkit.instrument.form import Form
from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.privacy.sealed_questions import free_text_questions
from fieldkit.protocol.model import Protocol
from fieldkit.store.cipher import StoreKey
from fieldkit.store.consent import consent_from_json, consent_to_json
from fieldkit.store.database import Database, as_utc, open_database
from fieldkit.store.inputs import (
    AnswerInput,
    ConsentCodes,
    EventInput,
    MemberInput,
    NewInterview,
    validated,
)
from fieldkit.store.protocol_texts import check_consent_records
from fieldkit.store.records import (
    EXCEPTION_NOTE,
    STAFF_CODE,
    AnswerChange,
    AnswerStatus,
    ConsentRecord,
    InterviewStatus,
    JsonValue,
    MemberChange,
    ParadataEvent,
)
from fieldkit.store.rows import (
    FormMeta,
    QuestionMeta,
    add_events,
    apply_member,
    consent_allows,
    draft_row,
    ensure_device,
    interview_row,
    not_draft,
    purge,
    save_answer,
    save_sealed,
    take_sequence,
)
from fieldkit.store.tables import (
    Answer,
    FormQuestion,
    Identity,
    Interview,
    RosterMember,
)

__all__ = ["SEALED", "InterviewSummary", "LaptopStore", "Sealed", "StoredInterview", "StoredValue"]


class Sealed(Enum):
    """The value of an identifying answer on the laptop: present, but unreadable here."""

    SEALED = "sealed"

    def __repr__(self) -> str:
        return "SEALED"


SEALED: Final = Sealed.SEALED
StoredValue = JsonValue | Sealed
_ENDED = (InterviewStatus.COMPLETE, InterviewStatus.REFUSED, InterviewStatus.STOPPED)
_PURGED = (InterviewStatus.REFUSED, InterviewStatus.STOPPED)


@dataclass(frozen=True, slots=True)
class InterviewSummary:
    id: str
    form_id: str
    form_hash: str
    enumerator: str
    status: InterviewStatus
    sequence: int
    started_at: dt.datetime
    updated_at: dt.datetime
    answered: int
    """Answers stored (any status), identifying ones included."""


@dataclass(frozen=True, slots=True)
class StoredInterview:
    id: str
    form_id: str
    form_hash: str
    protocol_id: str
    enumerator: str
    language: str
    status: InterviewStatus
    sequence: int
    started_at: dt.datetime
    ended_at: dt.datetime | None
    consent: ConsentRecord | None
    answers: dict[tuple[str, int], tuple[StoredValue, AnswerStatus]] = field(default_factory=dict)
    """(question, member) → (value, status); identifying answers have the value ``SEALED``."""
    members: dict[str, list[int]] = field(default_factory=dict)
    """Roster name → member numbers, ascending."""


class LaptopStore:
    """Interviews on one laptop. Open with ``LaptopStore.open``; close when done."""

    def __init__(self, db: Database, *, device_id: str, keys: ProjectPublicKeys) -> None:
        self.database = db
        self.device_id = device_id
        self._keys = keys
        self._forms: dict[str, FormMeta] = {}

    @classmethod
    def open(cls, path: Path, *, project_keys: ProjectPublicKeys, key: StoreKey) -> LaptopStore:
        """Open the encrypted laptop database at ``path`` with its unlocked ``key``, creating
        it (and this device's id) if missing. ``project_keys``: the study's project.pub."""
        db = open_database(path, role="laptop", key=key)
        try:
            device_id = ensure_device(db, project_keys)
            db.checkpoint()  # old page versions left by a crash after a refusal go now
        except BaseException:
            db.close()
            raise
        return cls(db, device_id=device_id, keys=project_keys)

    @property
    def path(self) -> Path | None:
        return self.database.path

    def create_interview(self, *, form: Form, enumerator: str, language: str) -> str:
        """Start a draft interview of ``form``; returns its new id (a random UUID4).

        ``enumerator`` is a staff code (FK-STORE-030 for anything else, a name above all)."""
        if not STAFF_CODE.fullmatch(enumerator):
            raise StoreError(
                f"the enumerator must be a staff code, not {enumerator!r}",
                code="FK-STORE-030",
                hint="use the enumerator's code (such as E07): names live only in the "
                "coordinator's staff register",
            )
        checked = validated(NewInterview, {"enumerator": enumerator, "language": language}, "")
        if not form.hash:
            raise StoreError(f"form '{form.id}' has no content hash", code="FK-STORE-007")
        if form.languages and checked.language not in form.languages:
            raise StoreError(
                f"form '{form.id}' has no language '{checked.language}'",
                code="FK-STORE-007",
                hint=f"use one of {', '.join(form.languages)}",
            )
        interview_id, now = str(uuid.uuid4()), _now()
        with self.database.transaction() as conn:
            if isinstance(form.protocol, Protocol):
                consents = conn.execute(
                    select(Interview.consent).where(  # type: ignore[call-overload]
                        col(Interview.protocol_id) == form.protocol.id
                    )
                ).scalars()
                check_consent_records(form.protocol, consents, self.database.where)
            self._register_form(conn, form)
            sequence = take_sequence(conn, self.device_id)
            conn.execute(
                insert(Interview).values(
                    id=interview_id,
                    form_id=form.id,
                    form_hash=form.hash,
                    instrument_kind=str(form.kind),
                    protocol_id=form.protocol.id,
                    enumerator=checked.enumerator,
                    device_id=self.device_id,
                    language=checked.language,
                    status=str(InterviewStatus.DRAFT),
                    reference=secrets.token_hex(16),
                    sequence=sequence,
                    started_at=now,
                    updated_at=now,
                )
            )
        return interview_id

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Everything stored inside the block commits together, or not at all.

        Live capture never uses it (each answer is durable at once); scripted entry does, so
        an interview keyed from a file lands whole or not at all.
        """
        with self.database.transaction():
            yield

    def record_consent(self, interview_id: str, consent: ConsentRecord) -> None:
        """Keep who agreed to what; kept even if the interview is then refused or stopped.

        Reasons and supervisors are codes (FK-STORE-011 otherwise); the exception's free-text
        note is sealed to the merge key, and the stored record only says it exists."""
        validated(ConsentCodes, consent, interview_id)
        note = (consent.exception_note or "").strip()
        stored = replace(consent, exception_note=None, exception_note_sealed=bool(note))
        with self.database.transaction() as conn:
            row = draft_row(conn, interview_id)
            if note:
                save_sealed(
                    conn,
                    keys=self._keys,
                    row=row,
                    question=EXCEPTION_NOTE,
                    member=0,
                    value=note,
                    status=AnswerStatus.ANSWERED,
                    identifying=False,
                )
            conn.execute(
                update(Interview)
                .where(col(Interview.id) == interview_id)
                .values(
                    consent=consent_to_json(stored),
                    consent_outcome=str(consent.outcome),
                    language=consent.language,  # the language chosen during consent
                    updated_at=_now(),
                )
            )

    def apply(
        self,
        interview_id: str,
        answers: Sequence[AnswerChange] = (),
        members: Sequence[MemberChange] = (),
        events: Sequence[ParadataEvent] = (),
    ) -> None:
        """Save changes in one transaction, durable on return. Members first, then answers.

        A removed member loses its answers and identities; a CLEARED answer is deleted; an
        identifying answer is sealed into ``identities`` and never written to ``answers``.
        """
        checked_answers = [validated(AnswerInput, a, interview_id) for a in answers]
        checked_members = [validated(MemberInput, m, interview_id) for m in members]
        checked_events = [validated(EventInput, e, interview_id) for e in events]
        now = _now()
        with self.database.transaction() as conn:
            row = draft_row(conn, interview_id)
            if row.consent_outcome is not None and not consent_allows(row.consent):
                raise not_draft(interview_id, "consent was refused: no answers can be kept")
            meta = self._form_meta(conn, row.form_hash)
            for member in checked_members:
                apply_member(conn, row, meta, member)
            for answer in checked_answers:
                save_answer(conn, keys=self._keys, row=row, meta=meta, answer=answer, now=now)
            add_events(conn, interview_id, meta, checked_events, now)
            conn.execute(
                update(Interview).where(col(Interview.id) == interview_id).values(updated_at=now)
            )

    def finish(self, interview_id: str, status: InterviewStatus) -> None:
        """End a draft. REFUSED / STOPPED delete every answer, member, identity and event."""
        if status not in _ENDED:
            raise not_draft(interview_id, f"cannot finish an interview as '{status}'")
        now = _now()
        with self.database.transaction() as conn:
            row = draft_row(conn, interview_id)
            if (
                status is InterviewStatus.COMPLETE
                and row.consent_outcome
                and not consent_allows(row.consent)
            ):
                raise not_draft(interview_id, "consent was refused: it cannot be complete")
            if status in _PURGED:
                purge(conn, row)
            conn.execute(
                update(Interview)
                .where(col(Interview.id) == interview_id)
                .values(status=str(status), ended_at=now, updated_at=now)
            )
        if status in _PURGED:
            self.database.checkpoint()  # drop the deleted answers' old pages from the WAL

    def discard(self, interview_id: str) -> None:
        """Delete a draft and everything saved for it (an interview started by mistake): unlike
        a refusal or a stop, nothing of it is kept, not even its row."""
        with self.database.transaction() as conn:
            row = draft_row(conn, interview_id)
            purge(conn, row)
            conn.execute(delete(Interview).where(col(Interview.id) == interview_id))
        self.database.checkpoint()  # drop the deleted answers' old pages from the WAL

    def drafts(self) -> list[InterviewSummary]:
        """Interviews that can be resumed, oldest first."""
        return self.interviews(InterviewStatus.DRAFT)

    def interviews(self, status: InterviewStatus | None = None) -> list[InterviewSummary]:
        answered = (
            select(func.count())
            .select_from(Answer)
            .where(col(Answer.interview_id) == col(Interview.id))
            .scalar_subquery()
        )
        sealed = (
            select(func.count())
            .select_from(Identity)
            .where(col(Identity.reference) == col(Interview.reference))
            .scalar_subquery()
        )
        query = select(Interview, (answered + sealed).label("answered")).order_by(
            col(Interview.sequence)
        )
        if status is not None:
            query = query.where(col(Interview.status) == str(status))
        with self.database.read() as conn:
            return [_summary(row) for row in conn.execute(query)]

    def load(self, interview_id: str) -> StoredInterview:
        """An interview as saved: answers (identifying ones ``SEALED``), members, consent."""
        with self.database.read() as conn:
            row = interview_row(conn, interview_id)
            answers: dict[tuple[str, int], tuple[StoredValue, AnswerStatus]] = {}
            for question, member, value, status in conn.execute(
                select(Answer.question, Answer.member, Answer.value, Answer.status).where(  # type: ignore[call-overload]
                    col(Answer.interview_id) == interview_id
                )
            ):
                answers[(question, member)] = (json.loads(value), AnswerStatus(status))
            for question, member, status in conn.execute(
                select(Identity.question, Identity.member, Identity.status).where(  # type: ignore[call-overload]
                    col(Identity.reference) == row.reference,
                    col(Identity.question) != EXCEPTION_NOTE,
                )
            ):
                answers[(question, member)] = (SEALED, AnswerStatus(status))
            members: dict[str, list[int]] = {}
            for roster, member in conn.execute(
                select(RosterMember.roster, RosterMember.member)  # type: ignore[call-overload]
                .where(col(RosterMember.interview_id) == interview_id)
                .order_by(col(RosterMember.roster), col(RosterMember.member))
            ):
                members.setdefault(roster, []).append(member)
        return StoredInterview(
            id=row.id,
            form_id=row.form_id,
            form_hash=row.form_hash,
            protocol_id=row.protocol_id,
            enumerator=row.enumerator,
            language=row.language,
            status=InterviewStatus(row.status),
            sequence=row.sequence,
            started_at=as_utc(row.started_at),
            ended_at=as_utc(row.ended_at) if row.ended_at else None,
            consent=consent_from_json(row.consent) if row.consent else None,
            answers=answers,
            members=members,
        )

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> LaptopStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals ----------------------------------------------------------------------

    def _register_form(self, conn: Connection, form: Form) -> None:
        if self._form_meta(conn, form.hash):
            return
        free_text = free_text_questions(form)
        meta = {
            name: QuestionMeta(q.repeat, q.pii, free_text=name in free_text)
            for name, q in form.questions.items()
        }
        rows = [
            {
                "form_hash": form.hash,
                "question": name,
                "roster": q.roster,
                "pii": q.pii,
                "free_text": q.free_text,
            }
            for name, q in meta.items()
        ]
        if rows:
            conn.execute(insert(FormQuestion), rows)
        self._forms[form.hash] = meta

    def _form_meta(self, conn: Connection, form_hash: str) -> FormMeta:
        if form_hash not in self._forms:
            rows = conn.execute(
                select(  # type: ignore[call-overload]
                    FormQuestion.question,
                    FormQuestion.roster,
                    FormQuestion.pii,
                    FormQuestion.free_text,
                ).where(col(FormQuestion.form_hash) == form_hash)
            ).all()
            if not rows:
                return {}
            self._forms[form_hash] = {
                q: QuestionMeta(r, bool(p), free_text=bool(f)) for q, r, p, f in rows
            }
        return self._forms[form_hash]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _summary(row: Row[Any]) -> InterviewSummary:
    return InterviewSummary(
        id=row.id,
        form_id=row.form_id,
        form_hash=row.form_hash,
        enumerator=row.enumerator,
        status=InterviewStatus(row.status),
        sequence=row.sequence,
        started_at=as_utc(row.started_at),
        updated_at=as_utc(row.updated_at),
        answered=int(row.answered),
    )
