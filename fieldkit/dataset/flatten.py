"""Flatten interviews into analysis tables: a wide table per instrument, a long one per roster.

The inputs are plain iterables sorted by interview id, as a store reads them:

- interviews: mappings with ``id`` and metadata (``enumerator``, ``device_id``, ...);
- answers: ``(interview_id, question, member, value_json, status)`` rows;
- members: ``(interview_id, roster, member)`` rows.

They are walked together, one interview at a time, so memory holds one interview's answers
plus the tables being built. Identifying (``pii``) questions never become columns, and an
answer to one is dropped unread. Don't-know and refused answers become the extended missing
codes ``.d`` and ``.r``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from fieldkit.dataset.columns import ColumnSpec, decode_answer, question_columns
from fieldkit.dataset.dataset import Dataset, StudyInfo
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Cell, Special, Table, Variable, VarType
from fieldkit.errors import Location
from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import DisaggregationRole
from fieldkit.protocol.schema import AccessLevel, IdentityAccess
from fieldkit.report import Report
from fieldkit.store.database import as_utc
from fieldkit.store.records import TOP_LEVEL

__all__ = ["DEFAULT_METADATA", "check_role", "flatten", "table_name"]

DEFAULT_METADATA = (
    "status",
    "consent_outcome",
    "enumerator",
    "device",
    "language",
    "started_at",
    "ended_at",
)
"""Interview fields copied to the wide table (never the reference number or the consent
record itself). Status and consent outcome tell a refusal (a row with no answers, part of
non-response) from a completed interview."""

_META_LABELS = {
    "status": {"en": "Interview status", "fr": "Statut de l'entretien"},
    "consent_outcome": {"en": "Consent outcome", "fr": "Résultat du consentement"},
    "enumerator": {"en": "Enumerator", "fr": "Enquêteur"},
    "device": {"en": "Device that captured the interview", "fr": "Appareil de saisie"},
    "language": {"en": "Language of the interview", "fr": "Langue de l'entretien"},
    "started_at": {"en": "Interview started (UTC)", "fr": "Début de l'entretien (UTC)"},
    "ended_at": {"en": "Interview ended (UTC)", "fr": "Fin de l'entretien (UTC)"},
    "district": {"en": "District", "fr": "District"},
}
_KEY = Variable(
    "interview_id", {"en": "Interview id", "fr": "Identifiant"}, VarType.KEY, origin="key"
)
_MEMBER = Variable(
    "member", {"en": "Member number", "fr": "Numéro du membre"}, VarType.KEY, origin="key"
)


def table_name(form: Form, roster: str | None = None) -> str:
    return form.id if roster is None else f"{form.id}__{roster}"


def check_role(form: Form, role: str, *, identities: bool = False) -> None:
    """Refuse a role the protocol does not let see every interview's answers (or identities)."""
    roles = form.protocol.roles
    if role not in roles:
        known = ", ".join(sorted(roles)) or "none"
        raise DatasetError(
            f"role '{role}' is not defined by protocol '{form.protocol.id}'",
            code="FK-DATA-004",
            hint=f"roles: {known}",
        )
    access = roles[role]
    if access.answers is not AccessLevel.ALL:
        raise DatasetError(
            f"role '{role}' may see {access.answers} answers; datasets need all",
            code="FK-DATA-004",
            hint="export as a role with answers: all (e.g. the study statistician)",
        )
    if identities:
        reason = (
            "has no access to identities"
            if access.identities is IdentityAccess.NONE
            else "must re-identify through the custodians' keys, never through a dataset"
        )
        raise DatasetError(
            f"role '{role}' {reason}: datasets never carry identifying fields",
            code="FK-DATA-004",
            hint="identifying fields stay sealed in the identities table",
        )


@dataclass
class Layout:
    """The columns of one table and where each value is read from."""

    name: str
    specs: list[ColumnSpec]
    meta: list[str] = field(default_factory=list)
    copied: list[ColumnSpec] = field(default_factory=list)

    def variables(self, roster: bool) -> list[Variable]:
        keys = [_KEY, _MEMBER] if roster else [_KEY]
        meta = [
            Variable(
                m,
                _META_LABELS.get(m, {"en": m}),
                _meta_type(m),
                origin="metadata",
                role=DisaggregationRole.DISTRICT if m == "district" else None,
            )
            for m in self.meta
        ]
        copied = [_as_copied(s.variable) for s in self.copied]
        return [*keys, *meta, *copied, *(s.variable for s in self.specs)]


def _meta_type(name: str) -> VarType:
    return VarType.DATETIME if name.endswith("_at") else VarType.TEXT


def _as_copied(variable: Variable) -> Variable:
    return replace(variable, origin="design")


def flatten(
    form: Form,
    interviews: Iterable[Mapping[str, Any]],
    answers: Iterable[Any],
    members: Iterable[Any] = (),
    *,
    role: str,
    language: str | None = None,
    metadata: Sequence[str] = DEFAULT_METADATA,
    identities: bool = False,
) -> Dataset:
    """Build the dataset of ``form`` from interviews, answers and roster members."""
    check_role(form, role, identities=identities)
    lang = language or form.default_language
    main, rosters = layouts(form, lang, metadata)
    wide = Table(main.name, main.variables(roster=False), form.title)
    longs = {
        roster: Table(layout.name, layout.variables(roster=True), form.question(roster).label)
        for roster, layout in rosters.items()
    }
    unknown: set[str] = set()
    for interview, rows, listed in _grouped(interviews, answers, members):
        top, per_member = _split(form, rows, unknown)
        wide.append(_row(main, interview, top))
        for roster, table in longs.items():
            for member in _members(roster, per_member, listed):
                values = per_member.get((roster, member), {})
                table.append(_row(rosters[roster], interview, top, values, member))
    return assemble(form, lang, wide, longs.values(), unknown)


def assemble(
    form: Form, language: str, wide: Table, longs: Iterable[Table], unknown: Iterable[str]
) -> Dataset:
    """The dataset of the built tables, warning once per answered name the form lacks."""
    report = Report()
    for name in sorted(unknown):
        report.warning(
            "FK-DATA-007", f"answers to '{name}', not a question of '{form.id}': left out"
        )
    dataset = Dataset(StudyInfo.from_form(form), language, main=wide.name, report=report)
    dataset.tables[wide.name] = wide
    for table in longs:
        dataset.tables[table.name] = table
    return dataset


def layouts(form: Form, language: str, metadata: Sequence[str]) -> tuple[Layout, dict[str, Layout]]:
    """The wide table's layout, and each roster's by roster name."""
    meta = list(metadata)
    if not form.by_role(DisaggregationRole.DISTRICT) and "district" not in meta:
        meta.append("district")
    top = [q for q in form.questions.values() if q.repeat is None]
    main = Layout(table_name(form), _specs(form, top, language), meta)
    copied = [s for s in main.specs if _copied(form, s)]
    rosters = {
        r.name: Layout(
            table_name(form, r.name),
            _specs(form, [form.question(m) for m in r.members], language),
            [m for m in meta if m == "district"],
            copied,
        )
        for r in form.repeats()
    }
    return main, rosters


def _specs(form: Form, questions: Iterable[Question], language: str) -> list[ColumnSpec]:
    return [spec for q in questions for spec in question_columns(form, q, language)]


def _copied(form: Form, spec: ColumnSpec) -> bool:
    """Interview-level columns a roster table repeats: the sample design and breakdowns."""
    design = form.sample_design
    names = {design.psu, design.weight, design.stratum} if design else set()
    if spec.question in names:
        return True
    return spec.variable.role is not None and "__" not in spec.variable.name


def _row(
    layout: Layout,
    interview: Mapping[str, Any],
    top: Mapping[str, Any],
    values: Mapping[str, Any] | None = None,
    member: int | None = None,
) -> list[Cell]:
    cells: list[Cell] = [str(interview["id"])]
    if member is not None:
        cells.append(member)
    cells.extend(_meta_value(interview, m) for m in layout.meta)
    cells.extend(_cell(spec, top.get(spec.question)) for spec in layout.copied)
    source = top if values is None else values
    cells.extend(_cell(spec, source.get(spec.question)) for spec in layout.specs)
    return cells


def _cell(spec: ColumnSpec, value: Any) -> Cell:
    if value is None or isinstance(value, Special):
        return value
    return spec.extract(value)


def _meta_value(interview: Mapping[str, Any], name: str) -> Cell:
    value = interview.get(name)
    if value is None and name == "device":
        value = interview.get("device_id")
    return meta_cell(value)


def meta_cell(value: Any) -> Cell:
    """An interview field as a cell: datetimes as ISO 8601 in UTC, anything else as text."""
    if isinstance(value, dt.datetime):
        return as_utc(value).isoformat()  # stores keep UTC; SQLite gives it back naive
    if isinstance(value, dt.date):
        return value.isoformat()
    return None if value is None else str(value)


def _split(
    form: Form, rows: list[tuple[str, int, Any, str]], unknown: set[str]
) -> tuple[dict[str, Any], dict[tuple[str, int], dict[str, Any]]]:
    top: dict[str, Any] = {}
    per_member: dict[tuple[str, int], dict[str, Any]] = {}
    for name, member, raw, status in rows:
        question = form.questions.get(name)
        if question is None:
            unknown.add(name)
            continue
        if question.pii:
            continue
        value = decode_answer(raw, status)
        if value is None:
            continue
        if question.repeat is None or member == TOP_LEVEL:
            top[name] = value
        else:
            per_member.setdefault((question.repeat, member), {})[name] = value
    return top, per_member


def _members(
    roster: str, per_member: Mapping[tuple[str, int], Any], listed: set[tuple[str, int]]
) -> list[int]:
    found = {m for (r, m) in per_member if r == roster} | {m for (r, m) in listed if r == roster}
    return sorted(found)


def _grouped(
    interviews: Iterable[Mapping[str, Any]], answers: Iterable[Any], members: Iterable[Any]
) -> Iterator[tuple[Mapping[str, Any], list[tuple[str, int, Any, str]], set[tuple[str, int]]]]:
    """Walk the three sorted streams together, one interview at a time."""
    answer_stream = _Sorted((_answer(row) for row in answers), "answers")
    member_stream = _Sorted((_member(row) for row in members), "roster members")
    previous: str | None = None
    for interview in interviews:
        key = str(interview["id"])
        if previous is not None and key <= previous:
            raise _unsorted("interviews", key, previous)
        previous = key
        rows = [(q, m, v, s) for _, q, m, v, s in answer_stream.take(key)]
        listed = {(r, m) for _, r, m in member_stream.take(key)}
        yield interview, rows, listed


class _Sorted:
    """A stream of tuples whose first item is the interview id, checked to be sorted."""

    def __init__(self, rows: Iterator[tuple[Any, ...]], what: str) -> None:
        self._rows = rows
        self._what = what
        self._head: tuple[Any, ...] | None = None
        self._last: str | None = None

    def take(self, key: str) -> list[tuple[Any, ...]]:
        """The rows of interview ``key``, skipping rows of interviews not included."""
        found: list[tuple[Any, ...]] = []
        while True:
            head = self._peek()
            if head is None or head[0] > key:
                return found
            if head[0] == key:
                found.append(head)
            self._head = None

    def _peek(self) -> tuple[Any, ...] | None:
        if self._head is None:
            row = next(self._rows, None)
            if row is None:
                return None
            if self._last is not None and row[0] < self._last:
                raise _unsorted(self._what, row[0], self._last)
            self._last = row[0]
            self._head = row
        return self._head


def _unsorted(what: str, key: str, previous: str) -> DatasetError:
    return DatasetError(
        f"{what} are not sorted by interview id ('{key}' after '{previous}')",
        code="FK-DATA-005",
        location=Location(record=key),
        hint="read them ORDER BY interview_id (and member)",
    )


def _answer(row: Any) -> tuple[str, str, int, Any, str]:
    if isinstance(row, Mapping):
        return (
            str(row["interview_id"]),
            str(row["question"]),
            int(row["member"]),
            row.get("value", row.get("value_json")),
            str(row["status"]),
        )
    interview_id, question, member, value, status = row
    return str(interview_id), str(question), int(member), value, str(status)


def _member(row: Any) -> tuple[str, str, int]:
    if isinstance(row, Mapping):
        return str(row["interview_id"]), str(row["roster"]), int(row["member"])
    interview_id, roster, member = tuple(row)[:3]
    return str(interview_id), str(roster), int(member)
