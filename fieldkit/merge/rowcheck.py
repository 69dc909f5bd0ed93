"""Every payload row checked against the form it claims, in SQL, as the facts are read.

A signed bundle proves which laptop sent it, not that the laptop's fieldkit wrote it: a stolen
laptop's key signs whatever its thief wants. So each row must be one the laptop store could
have written for the interview's form (``fieldkit.store.laptop`` and ``fieldkit.store.inputs``
are the reference): an answer to a question of that form, at the right level (member 0 at the
top level, a present roster member inside a roster), of the question's type, a choice of its
list, with a known status; ids, references, sequences, member numbers and times of the shape
and range the laptop writes (and the store's 32-bit columns can hold); no NUL byte that
PostgreSQL would refuse. The first row that fails names the bundle's refusal (FK-BUNDLE-010).

The forms are put into temporary tables on the payload's private connection
(:func:`install_forms`); each check (:func:`row_checks`) is one SQL ``CASE`` giving the reason
a row fails, or NULL. ``fieldkit.merge.facts`` counts them inside its aggregate queries, one
pass per table and batch, and only when a count is not zero asks :func:`first_problem` which
row it was. A row costs a few comparisons and probes into small indexed tables; when the
bundle holds one form version (the usual case) its hash is written into the SQL, so the child
tables are checked without a lookup of their interview.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import QuestionType
from fieldkit.merge.rowsql import (
    HEX,
    UUID,
    listed,
    no_nul,
    number,
    short_text,
    stored_time,
    typed_value,
)
from fieldkit.privacy.sealed_questions import free_text_questions
from fieldkit.store.records import EXCEPTION_NOTE, AnswerStatus, ConsentOutcome, InterviewStatus

__all__ = [
    "MAX_MEMBER",
    "RowCheck",
    "RowChecks",
    "first_problem",
    "install_forms",
    "printable",
    "row_checks",
]

MAX_MEMBER = 500
"""Highest roster member number (``fieldkit.capture.plan.MAX_MEMBERS``; a test keeps them
equal without the merge importing the capture engine)."""
MAX_SEQUENCE = 2**31 - 1
"""The store's 32-bit integer columns (PostgreSQL ``integer``)."""
MAX_ELAPSED_MS = 2**53
MAX_SEALED = 65536
MAX_CONSENT = 16384

_STATUSES = tuple(str(s) for s in AnswerStatus if s is not AnswerStatus.CLEARED)
_FINISHED = tuple(str(s) for s in InterviewStatus if s is not InterviewStatus.DRAFT)
_OUTCOMES = tuple(str(o) for o in ConsentOutcome)
_NO_ANSWER = (str(QuestionType.NOTE), str(QuestionType.REPEAT))


def _case(*rules: tuple[str, str]) -> str:
    """``CASE WHEN ok THEN (next rule) ELSE reason END``, nested: NULL when every rule holds.
    A rule that is NULL fails too (WHEN takes only true), so a NULL where the laptop writes
    none is caught; and in a WHEN, SQLite stops an AND at its first false term (no later
    JSON function meets a value already found not to be JSON). A reason is text, or SQL
    (``=`` first) worked out only for a row that fails."""
    sql = "NULL"
    for ok, why in reversed(rules):
        sql = f"CASE WHEN {ok} THEN {sql} ELSE {_why(why)} END"
    return sql


def _why(text: str) -> str:
    return text[1:] if text.startswith("=") else "'" + text.replace("'", "''") + "'"


def _first(*rules: tuple[str, str]) -> str:
    """The reason of the first rule that fails, as SQL (for the THEN of a combined rule)."""
    return "=" + _case(*rules)


_LEVEL = (
    "CASE WHEN q.repeat IS NULL THEN {row}.member = 0 ELSE r.member IS NOT NULL END",
    "not at the question's level (member 0 at the top level, a member the roster has inside it)",
)
"""``r``: the row's roster member (LEFT JOIN on interview, q.repeat and member)."""


def _status(row: str) -> tuple[str, str]:
    """An answered value, or 'don't know' / 'refused' with none where the question allows."""
    return (
        f"{row}.status = 'answered' OR ({row}.status = 'dont_know' AND q.dont_know "
        f"AND {{none}}) OR ({row}.status = 'refused' AND q.refused AND {{none}})",
        _first(
            (f"{row}.status IN {listed(_STATUSES)}", "an unknown answer status"),
            (f"{row}.status != 'dont_know' OR q.dont_know", "'don't know' where not allowed"),
            (f"{row}.status != 'refused' OR q.refused", "'refused' where not allowed"),
            ("0", "a value kept with 'don't know' or 'refused'"),
        ),
    )


_INTERVIEW_RULES = (
    (f"length(i.id) = 36 AND i.id GLOB '{UUID}' AND {no_nul('i.id')}", "an id that is not a UUID"),
    ("f.form_hash IS NOT NULL", "a form version the manifest does not list"),
    (
        "i.form_id = f.form_id AND i.protocol_id = f.protocol_id AND i.instrument_kind = f.kind",
        "a form id, protocol or kind that disagrees with its form hash",
    ),
    (
        "EXISTS (SELECT 1 FROM temp.fk_languages l "
        "WHERE l.form_hash = i.form_hash AND l.language = i.language)",
        "a language the form does not have",
    ),
    (short_text("i.enumerator", 100), "an enumerator code the laptop would not accept"),
    (f"i.status IN {listed(_FINISHED)}", "not finished"),
    (
        f"length(i.reference) = 32 AND i.reference GLOB '{HEX * 32}' AND {no_nul('i.reference')}",
        "a reference that is not 32 hexadecimal digits",
    ),
    (number("i.sequence", 1, MAX_SEQUENCE), "a sequence number out of range"),
    (
        f"({stored_time('i.started_at')}) AND ({stored_time('i.updated_at')}) "
        f"AND (i.ended_at IS NULL OR ({stored_time('i.ended_at')}))",
        "a time that is not a stored time",
    ),
    (
        # the record itself is parsed and checked once, in Python (consent.read_record)
        "(i.consent IS NULL AND i.consent_outcome IS NULL) OR (typeof(i.consent) = 'text' "
        f"AND length(CAST(i.consent AS BLOB)) <= {MAX_CONSENT} "
        f"AND i.consent_outcome IN {listed(_OUTCOMES)})",
        "a consent record too long, or an unknown consent outcome",
    ),
)
"""Per interview row ``i``, with its form ``f`` (LEFT JOIN temp.fk_forms)."""


def _answer_rules(form: str) -> tuple[tuple[str, str], ...]:
    """Per answer ``a`` with its question ``q``, roster member ``r`` and choice ``c``."""
    status, why_status = _status("a")
    return (
        (
            "q.answerable AND typeof(a.member) = 'integer'",
            _first(
                ("q.name IS NOT NULL", "not a question of the interview's form"),
                ("NOT q.pii", "an identifying answer in plain text (it must be sealed)"),
                ("q.answerable", "a question that takes no answer"),
                ("0", "a member number that is not a number"),
            ),
        ),
        (_LEVEL[0].format(row="a"), _LEVEL[1]),
        (
            # a listed choice, as json.dumps writes it, is JSON already (compared whole)
            f"c.json IS NOT NULL OR (typeof(a.value) = 'text' AND {no_nul('a.value')} "
            "AND json_valid(a.value))",
            "a value that is not JSON",
        ),
        (status.format(none="a.value = 'null'"), why_status),
        (
            "NOT q.free_text OR a.status != 'answered'",
            "free text in plain text (it must be sealed)",
        ),
        (f"a.status != 'answered' OR ({typed_value(form)})", "a value not of the question's type"),
        # checked whole per interview by fieldkit.merge.textcheck (the comma-joined times)
        ("typeof(a.changed_at) = 'text'", "a time that is not a stored time"),
    )


_MEMBER_RULES = (
    (number("m.member", 1, MAX_MEMBER), "a member number out of range"),
    ("q.type = 'repeat'", "not a roster of the interview's form"),
)
"""Per roster member ``m``, with the roster ``q`` it names."""

_EVENT_RULES = ((number("p.id", 1, 2**63 - 1), "an event number out of range"),)
"""Per paradata event ``p`` (its number orders the events); the rest of each event (time,
name, question, member, elapsed time, detail, none on an identifying question) is checked in
the packed event log by ``fieldkit.merge.textcheck``."""


def _identity_rules(merge_key_id: str) -> tuple[tuple[str, str], ...]:
    """Per sealed row ``s`` with its question ``q`` and roster member ``r``.

    Format 3 (issue 11) seals three kinds of value, each to its own key: an identifying
    answer to the identity key (the custodians'), a free-text answer (a ``text`` question
    not marked pii, when answered) and the consent exception's note to the merge key, whose
    fingerprint the manifest names (checked when the payload was decrypted). An identifying
    answer sealed to the merge key would open without the custodians: refused."""
    merge = "'" + merge_key_id.replace("'", "''") + "'"
    note = "'" + EXCEPTION_NOTE.replace("'", "''") + "'"
    pii_status, why_status = _status("s")
    return (
        (
            f"s.question = {note} OR (q.name IS NOT NULL AND (q.pii OR q.free_text) "
            "AND typeof(s.member) = 'integer')",
            _first(
                ("q.name IS NOT NULL", "not a question of the interview's form"),
                ("q.pii OR q.free_text", "a sealed answer to a question that is not sealed"),
                ("0", "a member number that is not a number"),
            ),
        ),
        (_LEVEL[0].format(row="s"), _LEVEL[1]),  # the note's q is NULL: member 0
        (
            f"typeof(s.sealed) = 'blob' AND length(s.sealed) BETWEEN 1 AND {MAX_SEALED}",
            "a sealed value that is not a sealed blob",
        ),
        (
            f"CASE WHEN q.pii THEN s.key_id != {merge} ELSE s.key_id = {merge} END",
            "sealed to the wrong key (identifying answers to the identity key, free text "
            "to the merge key)",
        ),
        (
            f"CASE WHEN q.pii THEN {pii_status.format(none='1')} ELSE s.status = 'answered' END",
            f"=CASE WHEN q.pii THEN {why_status[1:]} ELSE 'free text sealed without an answer' END",
        ),
    )


@dataclass(frozen=True, slots=True)
class RowCheck:
    """How to read one table's rows of a batch, and the first bad one."""

    table: str
    source: str
    """FROM ...: the table, its interview ``i`` if needed, its question ``q``."""
    interview: str
    """The column holding the row's interview id."""
    key: str
    """The columns that name a row in a message."""
    problem: str
    """The CASE expression: why the row is refused, or NULL."""


@dataclass(frozen=True, slots=True)
class RowChecks:
    interview_source: str
    interview_problem: str
    children: dict[str, RowCheck]
    """answers, roster_members, paradata, identities."""


def _roster(alias: str, interview: str) -> str:
    return (
        f" LEFT JOIN {{s}}.roster_members r ON r.interview_id = {interview} "
        f"AND r.roster = q.repeat AND r.member = {alias}.member"
    )


def row_checks(schema: str, form_hashes: Sequence[str], merge_key_id: str) -> RowChecks:
    """The checks for a payload attached as ``schema`` holding these form versions, its
    free text sealed to the merge key ``merge_key_id`` (a fingerprint)."""
    single = len(set(form_hashes)) == 1
    form = "'" + form_hashes[0].replace("'", "''") + "'" if single else "i.form_hash"

    def child(table: str, alias: str, column: str, key: str, rules: Sequence[Any]) -> RowCheck:
        iid = f"{alias}.interview_id"
        source = f"{{s}}.{table} {alias}"
        if table == "paradata":
            return RowCheck(table, _in(schema, source), iid, key, _in(schema, _case(*rules)))
        if not single:  # the child table drives the join: rows stay in key order
            source += f" CROSS JOIN {{s}}.interviews i ON i.id = {iid}"
        source += (
            f" LEFT JOIN temp.fk_questions q ON q.form_hash = {form} AND q.name = {alias}.{column}"
        )
        if table == "answers":
            source += _roster(alias, iid) + (
                f" LEFT JOIN temp.fk_choices c ON c.form_hash = {form} AND c.question = a.question "
                "AND c.json = a.value"
            )
        return RowCheck(table, _in(schema, source), iid, key, _in(schema, _case(*rules)))

    identity_source = (
        "{s}.interviews i CROSS JOIN {s}.identities s ON s.reference = i.reference "
        "LEFT JOIN temp.fk_questions q ON q.form_hash = i.form_hash AND q.name = s.question"
        + _roster("s", "i.id")
    )
    return RowChecks(
        interview_source=_in(
            schema, "{s}.interviews i LEFT JOIN temp.fk_forms f ON f.form_hash = i.form_hash"
        ),
        interview_problem=_case(*_INTERVIEW_RULES),
        children={
            "answers": child(
                "answers",
                "a",
                "question",
                "quote(a.question) || ' member ' || quote(a.member)",
                _answer_rules(form),
            ),
            "roster_members": child(
                "roster_members",
                "m",
                "roster",
                "quote(m.roster) || ' member ' || quote(m.member)",
                _MEMBER_RULES,
            ),
            "paradata": child("paradata", "p", "question", "'event ' || quote(p.id)", _EVENT_RULES),
            "identities": RowCheck(
                "identities",
                _in(schema, identity_source),
                "i.id",
                "quote(s.question) || ' member ' || quote(s.member)",
                _in(schema, _case(*_identity_rules(merge_key_id))),
            ),
        },
    )


def _in(schema: str, sql: str) -> str:
    return sql.replace("{s}", schema)


def first_problem(conn: sqlite3.Connection, check: RowCheck, interview: str) -> str:
    """The first row of ``interview`` that ``check`` refuses, named, with the reason."""
    sql = (
        f"SELECT {check.key}, {check.problem} AS why FROM {check.source} "
        f"WHERE {check.interview} = ? AND why IS NOT NULL LIMIT 1"
    )
    row = conn.execute(sql, (interview,)).fetchone()
    if row is None:  # pragma: no cover - only called after the aggregate counted one
        return f"interview {interview}: a row of '{check.table}' fieldkit never writes"
    return f"interview {interview}: {check.table} {printable(row[0])}: {row[1]}"


_SPEC = (
    "CREATE TEMP TABLE IF NOT EXISTS fk_forms (form_hash TEXT PRIMARY KEY, form_id TEXT, "
    "kind TEXT, protocol_id TEXT) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS fk_languages (form_hash TEXT, language TEXT, "
    "PRIMARY KEY (form_hash, language)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS fk_questions (form_hash TEXT, name TEXT, type TEXT, "
    "repeat TEXT, pii INTEGER, free_text INTEGER, answerable INTEGER, dont_know INTEGER, "
    "refused INTEGER, PRIMARY KEY (form_hash, name)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS fk_choices (form_hash TEXT, question TEXT, value TEXT, "
    "json TEXT, PRIMARY KEY (form_hash, question, value)) WITHOUT ROWID",
    "CREATE UNIQUE INDEX IF NOT EXISTS temp.fk_choices_json "
    "ON fk_choices (form_hash, question, json)",
)


def install_forms(conn: sqlite3.Connection, forms: Iterable[Form]) -> None:
    """Put the forms (by hash) into the temporary tables the checks read."""
    for statement in _SPEC:
        conn.execute(statement)
    for table in ("fk_forms", "fk_languages", "fk_questions", "fk_choices"):
        conn.execute(f"DELETE FROM temp.{table}")
    for form in forms:
        free = free_text_questions(form)  # sealed to the merge key at capture
        conn.execute(
            "INSERT OR IGNORE INTO temp.fk_forms VALUES (?, ?, ?, ?)",
            (form.hash, form.id, str(form.kind), form.protocol.id),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO temp.fk_languages VALUES (?, ?)",
            [(form.hash, language) for language in form.languages],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO temp.fk_questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (form.hash, q.name, str(q.type), q.repeat, q.pii, q.name in free, *_flags(q))
                for q in form.questions.values()
            ],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO temp.fk_choices VALUES (?, ?, ?, ?)",
            [
                (form.hash, q.name, c.value, json.dumps(c.value, ensure_ascii=False))
                for q in form.questions.values()
                for c in q.choices
            ],
        )


def _flags(question: Question) -> tuple[bool, bool, bool]:
    """(kept in ``answers``, don't know allowed, refused allowed): an identifying answer is
    sealed instead, a note or roster takes none; a calculation carries what it reads."""
    answerable = not question.pii and question.type.value not in _NO_ANSWER
    if question.type is QuestionType.CALCULATE:
        return answerable, True, True
    return answerable, question.allow_dont_know, question.allow_refused


def printable(value: object, longest: int = 120) -> str:
    """A value from a payload, safe in a one-line message (control characters escaped)."""
    text = str(value)
    if len(text) > longest:
        text = text[:longest] + "…"
    return text if text.isprintable() else repr(text)
