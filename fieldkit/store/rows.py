"""The rows behind the laptop store: one function per kind of change, inside a transaction.

``LaptopStore`` (``fieldkit.store.laptop``) validates input, opens the transaction and calls
these. Everything here is portable SQLAlchemy Core (no ``ON CONFLICT``): an upsert is an UPDATE
and, when it touched nothing, an INSERT.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, insert, select, update
from sqlmodel import SQLModel, col

from fieldkit.errors import Location, PrivacyError, StoreError
from fieldkit.privacy.identity import FREE_TEXT, IDENTITY, seal_identity
from fieldkit.privacy.keys import ProjectPublicKeys, fingerprint
from fieldkit.store.consent import consent_from_json
from fieldkit.store.database import Database
from fieldkit.store.inputs import AnswerInput, EventInput, MemberInput
from fieldkit.store.records import AnswerStatus, InterviewStatus
from fieldkit.store.tables import Answer, Device, Identity, Interview, Paradata, RosterMember

__all__ = [
    "FormMeta",
    "QuestionMeta",
    "add_events",
    "apply_member",
    "check_member",
    "consent_allows",
    "delete_row",
    "draft_row",
    "ensure_device",
    "has_member",
    "interview_row",
    "not_draft",
    "purge",
    "question_meta",
    "save_answer",
    "save_sealed",
    "take_sequence",
    "upsert",
    "where_key",
]


@dataclass(frozen=True, slots=True)
class QuestionMeta:
    """What the store keeps of a form's question (table ``form_questions``)."""

    roster: str | None
    pii: bool
    free_text: bool = False
    """A text question not marked pii: sealed to the merge key, never stored readable."""

    @property
    def sealed(self) -> bool:
        return self.pii or self.free_text


FormMeta = dict[str, QuestionMeta]


def where_key(model: type[SQLModel], key: dict[str, Any]) -> list[ColumnElement[bool]]:
    return [col(getattr(model, name)) == value for name, value in key.items()]


def delete_row(conn: Connection, model: type[SQLModel], key: dict[str, Any]) -> None:
    conn.execute(delete(model).where(*where_key(model, key)))


def upsert(
    conn: Connection, model: type[SQLModel], key: dict[str, Any], values: dict[str, Any]
) -> None:
    """Update the row with ``key``, or insert it (portable: no dialect-specific ON CONFLICT)."""
    if conn.execute(update(model).where(*where_key(model, key)).values(values)).rowcount == 0:
        conn.execute(insert(model).values({**key, **values}))


def ensure_device(db: Database, keys: ProjectPublicKeys) -> str:
    """This store's device id, made on first use; the store stays tied to one project.pub."""
    project_key, public_keys = fingerprint(keys.identity), keys.text().decode("ascii")
    with db.transaction() as conn:
        row = conn.execute(select(Device.device_id, Device.public_keys)).one_or_none()  # type: ignore[call-overload]
        if row is None:
            device_id = str(uuid.uuid4())
            conn.execute(
                insert(Device).values(
                    device_id=device_id,
                    next_sequence=1,
                    project_key=project_key,
                    public_keys=public_keys,
                )
            )
            return device_id
    if row.public_keys != public_keys:
        raise PrivacyError(
            "this laptop store seals answers to other project keys than the project.pub given",
            code="FK-KEY-006",
            location=Location(db.where),
            hint="open it with the project.pub it was set up with",
        )
    return str(row.device_id)


def take_sequence(conn: Connection, device_id: str) -> int:
    sequence = conn.execute(
        select(Device.next_sequence).where(col(Device.device_id) == device_id)  # type: ignore[call-overload]
    ).scalar_one()
    conn.execute(
        update(Device)
        .where(col(Device.device_id) == device_id)
        .values(next_sequence=int(sequence) + 1)
    )
    return int(sequence)


def interview_row(conn: Connection, interview_id: str) -> Row[Any]:
    row = conn.execute(select(Interview).where(col(Interview.id) == interview_id)).one_or_none()
    if row is None:
        raise StoreError(
            "no such interview",
            code="FK-STORE-005",
            location=Location(record=interview_id),
            hint="list interviews with their ids to pick one",
        )
    return row


def draft_row(conn: Connection, interview_id: str) -> Row[Any]:
    row = interview_row(conn, interview_id)
    if row.status != InterviewStatus.DRAFT:
        raise not_draft(interview_id, f"the interview is {row.status}, not a draft")
    return row


def not_draft(interview_id: str, why: str) -> StoreError:
    return StoreError(why, code="FK-STORE-006", location=Location(record=interview_id))


def consent_allows(consent: str | None) -> bool:
    return consent is not None and consent_from_json(consent).allows_interview


def question_meta(meta: FormMeta, name: str, interview_id: str) -> QuestionMeta:
    question = meta.get(name)
    if question is None:
        raise StoreError(
            f"'{name}' is not a question of this interview's form",
            code="FK-STORE-007",
            location=Location(record=interview_id),
        )
    return question


def check_member(
    conn: Connection, interview_id: str, question: QuestionMeta, answer: AnswerInput
) -> None:
    if question.roster is None:
        ok = answer.member == 0
    else:
        ok = answer.member >= 1 and has_member(conn, interview_id, question.roster, answer.member)
    if not ok:
        where = f"roster '{question.roster}'" if question.roster else "the top level (member 0)"
        raise StoreError(
            f"'{answer.question}' member {answer.member} is not a member of {where}",
            code="FK-STORE-007",
            location=Location(record=interview_id),
            hint="add the roster member before answering for it",
        )


def has_member(conn: Connection, interview_id: str, roster: str, member: int) -> bool:
    found = conn.execute(
        select(RosterMember.member).where(  # type: ignore[call-overload]
            col(RosterMember.interview_id) == interview_id,
            col(RosterMember.roster) == roster,
            col(RosterMember.member) == member,
        )
    ).first()
    return found is not None


def apply_member(conn: Connection, row: Row[Any], meta: FormMeta, change: MemberInput) -> None:
    questions = [name for name, q in meta.items() if q.roster == change.roster]
    if not questions:
        raise StoreError(
            f"'{change.roster}' is not a roster of this interview's form",
            code="FK-STORE-007",
            location=Location(record=row.id),
        )
    exists = has_member(conn, row.id, change.roster, change.member)
    if change.present and not exists:
        conn.execute(
            insert(RosterMember).values(
                interview_id=row.id, roster=change.roster, member=change.member
            )
        )
    elif not change.present:
        conn.execute(
            delete(Answer).where(
                col(Answer.interview_id) == row.id,
                col(Answer.member) == change.member,
                col(Answer.question).in_(questions),
            )
        )
        conn.execute(
            delete(Identity).where(
                col(Identity.reference) == row.reference,
                col(Identity.member) == change.member,
                col(Identity.question).in_(questions),
            )
        )
        conn.execute(
            delete(RosterMember).where(
                col(RosterMember.interview_id) == row.id,
                col(RosterMember.roster) == change.roster,
                col(RosterMember.member) == change.member,
            )
        )


def add_events(
    conn: Connection,
    interview_id: str,
    meta: FormMeta,
    events: list[EventInput],
    now: dt.datetime,
) -> None:
    rows = []
    for event in events:
        question = meta.get(event.question) if event.question else None
        identifying = question is not None and question.sealed
        rows.append(
            {
                "interview_id": interview_id,
                "at": now,
                "event": event.event,
                "question": event.question,
                "member": event.member,
                "elapsed_ms": event.elapsed_ms,
                "detail": None if identifying else event.detail,
            }
        )
    if rows:
        conn.execute(insert(Paradata), rows)


def purge(conn: Connection, row: Row[Any]) -> None:
    conn.execute(delete(Answer).where(col(Answer.interview_id) == row.id))
    conn.execute(delete(Identity).where(col(Identity.reference) == row.reference))
    conn.execute(delete(RosterMember).where(col(RosterMember.interview_id) == row.id))
    conn.execute(delete(Paradata).where(col(Paradata.interview_id) == row.id))


def save_answer(
    conn: Connection,
    *,
    keys: ProjectPublicKeys,
    row: Row[Any],
    meta: FormMeta,
    answer: AnswerInput,
    now: dt.datetime,
) -> None:
    question = question_meta(meta, answer.question, row.id)
    check_member(conn, row.id, question, answer)
    answer_key = {"interview_id": row.id, "question": answer.question, "member": answer.member}
    identifying = answer.pii or question.pii
    # Free text is sealed when it has a value; "don't know" or "refused" carries none and
    # stays a plain answer, so analysis still sees it.
    free_text = question.free_text and answer.status is AnswerStatus.ANSWERED
    if answer.status is AnswerStatus.CLEARED:
        delete_row(conn, Answer, answer_key)
        delete_row(conn, Identity, _identity_key(row, answer.question, answer.member))
    elif identifying or free_text:
        delete_row(conn, Answer, answer_key)
        save_sealed(
            conn,
            keys=keys,
            row=row,
            question=answer.question,
            member=answer.member,
            value=answer.kept_value,
            status=answer.status,
            identifying=identifying,
        )
    else:
        if question.free_text:  # a text answered before, now refused: its sealed value goes
            delete_row(conn, Identity, _identity_key(row, answer.question, answer.member))
        value = json.dumps(answer.kept_value, ensure_ascii=False)
        values = {"value": value, "status": str(answer.status), "changed_at": now}
        upsert(conn, Answer, answer_key, values)


def save_sealed(
    conn: Connection,
    *,
    keys: ProjectPublicKeys,
    row: Row[Any],
    question: str,
    member: int,
    value: Any,
    status: AnswerStatus,
    identifying: bool,
) -> None:
    """Seal one value into ``identities``: identifying to the identity key, free text to the
    merge key (the row's ``key_id`` says which)."""
    public_key, label = (keys.identity, IDENTITY) if identifying else (keys.merge, FREE_TEXT)
    sealed = seal_identity(public_key, row.reference, question, member, value, label=label)
    upsert(
        conn,
        Identity,
        _identity_key(row, question, member),
        {"status": str(status), "sealed": sealed, "key_id": fingerprint(public_key)},
    )


def _identity_key(row: Row[Any], question: str, member: int) -> dict[str, Any]:
    return {"reference": row.reference, "question": question, "member": member}
