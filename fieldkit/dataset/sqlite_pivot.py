"""Flatten a SQLite coordinator store with the grouping done by SQLite: the same tables, faster.

:func:`fieldkit.dataset.flatten.flatten` reads one answer row at a time, and on a large store
most of its time goes into fetching some twenty rows per household and decoding each value in
Python. Here one statement returns one row per included interview: its metadata, its
top-level answers as a JSON object and, per roster, the members listed plus each question's
members and answers as JSON arrays. Stored answer texts are still decoded by the generic rules
(:func:`decode_answer`, then each column's ``extract``), but once per distinct text and column,
and the tables are filled a column at a time.

:func:`flatten_sqlite` returns ``None`` when it cannot promise the generic path's tables, and
the caller runs the generic path instead: another driver or an old SQLite, a roster with too
many questions for one statement, a stored value that is not text, or a top-level question
answered for a roster member (the generic path keeps the last such answer).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection

from fieldkit.dataset.columns import ColumnSpec, decode_answer
from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.flatten import (
    DEFAULT_METADATA,
    Layout,
    assemble,
    check_role,
    layouts,
    meta_cell,
)
from fieldkit.dataset.table import Cell, Special, Table
from fieldkit.instrument.form import Form
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.records import AnswerStatus

__all__ = ["flatten_sqlite"]

_DONT_KNOW, _REFUSED = -1, -2
"""How the statement marks don't-know and refused answers: stored values are always text
(checked), so an integer can never be an answer."""
_VALUE = (
    f"CASE a.status WHEN '{AnswerStatus.DONT_KNOW}' THEN {_DONT_KNOW}"
    f" WHEN '{AnswerStatus.REFUSED}' THEN {_REFUSED}"
    f" WHEN '{AnswerStatus.CLEARED}' THEN NULL"
    " ELSE CASE typeof(a.value) WHEN 'text' THEN a.value END END"  # JSON holds no blob: flagged
)
_MIN_SQLITE = (3, 38, 0)
"""JSON functions built in by default, and FILTER on aggregates."""
_MAX_ROSTER_QUESTIONS = 60
"""Two json_array arguments per roster question: SQLite allows 127 arguments by default."""
_BATCH = 2000
_CACHE_LIMIT = 1 << 16
"""Distinct texts remembered per column: codes and ages repeat, free text need not."""


def flatten_sqlite(
    connection: Connection,
    form: Form,
    *,
    role: str,
    language: str | None = None,
    metadata: Sequence[str] = DEFAULT_METADATA,
) -> Dataset | None:
    """The dataset :func:`flatten_store` gives, or ``None`` to use the generic path."""
    check_role(form, role)
    if not _usable(connection):
        return None
    lang = language or form.default_language
    main, rosters = layouts(form, lang, metadata)
    statement = _Statement(connection, form, main, rosters)
    if any(len(qs) > _MAX_ROSTER_QUESTIONS for qs in statement.roster_questions.values()):
        return None
    wide = _WideBuilder(main, statement.meta_processors)
    longs = {
        name: _RosterBuilder(layout, statement.roster_questions[name], main)
        for name, layout in rosters.items()
    }
    unknown: set[str] = set()
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement.sql, statement.params)
        while batch := cursor.fetchmany(_BATCH):
            if any(row[-2] for row in batch):
                return None
            for row in batch:
                if row[-1] != "[]":
                    unknown.update(json.loads(row[-1]))
            start = wide.add(batch)
            for position, builder in enumerate(longs.values(), start=statement.first_roster):
                builder.add(start, [row[position] for row in batch], wide)
    finally:
        cursor.close()
    tables = [builder.table(form.question(name).label) for name, builder in longs.items()]
    return assemble(form, lang, wide.table(form.title), tables, unknown)


def _usable(connection: Connection) -> bool:
    dialect = connection.dialect
    if dialect.name != "sqlite" or dialect.driver != "pysqlite":
        return False
    return sqlite3.sqlite_version_info >= _MIN_SQLITE


class _Statement:
    """The one SELECT, its parameters, and where each part of a row is."""

    def __init__(
        self, connection: Connection, form: Form, main: Layout, rosters: dict[str, Layout]
    ) -> None:
        self.params: dict[str, Any] = {"form_id": form.id, "form_hash": form.hash}
        metas, self.meta_processors = _meta_columns(connection, main.meta)
        top = sorted({spec.question for spec in main.specs})
        self.roster_questions = {
            name: [q.name for q in form.questions.values() if q.repeat == name and not q.pii]
            for name in rosters
        }
        roster_arrays = [self._roster(name, qs) for name, qs in self.roster_questions.items()]
        self.first_roster = 1 + len(metas) + 1
        top_in = self._names("top", top)
        # The flag column: a row the generic path would read differently (see the module).
        flag = (
            "coalesce(max(typeof(a.value) NOT IN ('text', 'null')"
            f" OR (a.member != 0 AND a.question IN ({top_in}))), 0)"
        )
        self.sql = f"""
SELECT i.id, {", ".join([*metas, ""])}
  json_group_object(a.question, {_VALUE}) FILTER (
    WHERE a.member = 0 AND a.question IN ({top_in})),
  {", ".join([*roster_arrays, ""])}
  {flag},
  json_group_array(a.question) FILTER (
    WHERE a.question NOT IN ({self._names("known", list(form.questions))}))
FROM interviews i JOIN merged_interviews m ON m.interview_id = i.id
LEFT JOIN answers a ON a.interview_id = i.id AND m.form_id = :form_id
WHERE m.included IS 1 AND i.form_id = :form_id AND +i.form_hash = :form_hash
GROUP BY i.id ORDER BY i.id"""  # +form_hash: walk interviews by id, so nothing is sorted

    def _names(self, prefix: str, names: Sequence[str]) -> str:
        """Bind ``names`` as parameters; their placeholders, for an IN list."""
        keys = [f"{prefix}{k}" for k in range(len(names))]
        self.params.update(zip(keys, names, strict=True))
        return ", ".join(f":{key}" for key in keys) or "NULL"

    def _roster(self, roster: str, questions: Sequence[str]) -> str:
        """[members listed, then members and values of each question] for one roster."""
        number = len([k for k in self.params if k.startswith("roster")])
        self.params[f"roster{number}"] = roster
        parts = [
            "json((SELECT json_group_array(r.member) FROM roster_members r"
            f" WHERE r.interview_id = i.id AND r.roster = :roster{number}"
            " AND m.form_id = :form_id))"
        ]
        for k, question in enumerate(questions):
            key = f"r{number}q{k}"
            self.params[key] = question
            where = f"FILTER (WHERE a.question = :{key} AND a.member != 0)"
            parts.append(f"json_group_array(a.member) {where}")
            parts.append(f"json_group_array({_VALUE}) {where}")
        return f"json_array({', '.join(parts)})"


Processor = Callable[[Any], Any] | None


def _meta_columns(
    connection: Connection, names: Sequence[str]
) -> tuple[list[str], list[Processor]]:
    """SQL for each metadata field, and how its stored value becomes what SQLAlchemy gives."""
    columns = capture_table("interviews").c
    dialect = connection.dialect
    sql: list[str] = []
    processors: list[Processor] = []
    for name in names:
        sources = [c for c in (name, "device_id" if name == "device" else "") if c in columns]
        sql.append(
            f"coalesce({', '.join(f'i.{_quoted(c)}' for c in sources)}, NULL)"
            if sources
            else "NULL"
        )
        processors.append(
            columns[sources[0]].type.dialect_impl(dialect).result_processor(dialect, None)
            if sources
            else None
        )
    return sql, processors


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class _Cells(dict[Any, Cell]):
    """The cells of one column by stored text: each distinct text is decoded once."""

    def __init__(self, spec: ColumnSpec) -> None:
        super().__init__({None: None, _DONT_KNOW: Special.DONT_KNOW, _REFUSED: Special.REFUSED})
        self._extract = spec.extract

    def __missing__(self, raw: Any) -> Cell:
        value = decode_answer(raw, AnswerStatus.ANSWERED)
        cell = None if value is None else self._extract(value)
        if len(self) < _CACHE_LIMIT:
            self[raw] = cell
        return cell


class _MetaCells(dict[Any, Cell]):
    """The cells of one metadata field by stored value (as the generic path converts them)."""

    def __init__(self, processor: Processor) -> None:
        super().__init__({None: None})
        self._processor = processor

    def __missing__(self, raw: Any) -> Cell:
        cell = meta_cell(raw if self._processor is None else self._processor(raw))
        if len(self) < _CACHE_LIMIT:
            self[raw] = cell
        return cell


def _present(raw: Any) -> bool:
    """Whether an answer makes its member a row (the generic path drops cleared and nulls)."""
    if raw is None:
        return False
    return raw in (_DONT_KNOW, _REFUSED) or decode_answer(raw, AnswerStatus.ANSWERED) is not None


class _WideBuilder:
    """The wide table's columns, filled a batch of interviews at a time."""

    def __init__(self, layout: Layout, processors: Sequence[Processor]) -> None:
        self.layout = layout
        self.ids: list[Cell] = []
        self._meta_cells = [_MetaCells(p) for p in processors]
        self.meta: list[list[Cell]] = [[] for _ in processors]
        self._cells = [_Cells(spec) for spec in layout.specs]
        self.values: list[list[Cell]] = [[] for _ in layout.specs]

    def add(self, batch: Sequence[Sequence[Any]]) -> int:
        """Add one row per interview; the position of the first."""
        start = len(self.ids)
        columns = list(zip(*batch, strict=True))
        self.ids.extend(columns[0])
        stored_meta = columns[1 : 1 + len(self.meta)]
        for converted, stored, meta in zip(self._meta_cells, stored_meta, self.meta, strict=True):
            meta.extend(map(converted.__getitem__, stored))
        answers = _decoded(columns[1 + len(self.meta)])
        for spec, cells, values in zip(self.layout.specs, self._cells, self.values, strict=True):
            question = spec.question
            values.extend([cells[top.get(question)] for top in answers])
        return start

    def table(self, label: Any) -> Table:
        return _table(self.layout, [self.ids, *self.meta, *self.values], label, roster=False)


class _RosterBuilder:
    """One roster's long table: a row per member listed or answered for, by interview."""

    def __init__(self, layout: Layout, questions: Sequence[str], main: Layout) -> None:
        self.layout = layout
        self._questions = questions
        self._raw: dict[str, list[Any]] = {question: [] for question in questions}
        self._meta_from = [main.meta.index(name) for name in layout.meta]
        self._copied_from = [main.specs.index(spec) for spec in layout.copied]
        self._cells = [_Cells(spec) for spec in layout.specs]
        self.columns: list[list[Cell]] = [
            [] for _ in range(2 + len(layout.meta) + len(layout.copied) + len(layout.specs))
        ]

    def add(self, start: int, texts: Sequence[str], wide: _WideBuilder) -> None:
        """Add the members of a batch of interviews (``start``: the batch's first wide row)."""
        rows_of: list[int] = []  # the wide row of each member row
        members_column = self.columns[1]
        for offset, (listed, *arrays) in enumerate(_decoded(texts)):
            answered = list(zip(self._questions, arrays[0::2], arrays[1::2], strict=True))
            members = _members(listed, answered)
            rows_of.extend([start + offset] * len(members))
            members_column.extend(members)
            for question, numbers, values in answered:
                raw = self._raw[question]
                if numbers == members:
                    raw.extend(values)
                else:
                    by_member = dict(zip(numbers, values, strict=True))
                    raw.extend([by_member.get(member) for member in members])
        from_wide = [wide.ids, *(wide.meta[k] for k in self._meta_from)]
        from_wide += [wide.values[k] for k in self._copied_from]
        copies = [self.columns[0], *self.columns[2 : 1 + len(from_wide)]]
        for source, column in zip(from_wide, copies, strict=True):
            column.extend(map(source.__getitem__, rows_of))
        answers = self.columns[1 + len(from_wide) :]
        for spec, cells, column in zip(self.layout.specs, self._cells, answers, strict=True):
            stored = self._raw.get(spec.question)
            column.extend(
                [None] * len(rows_of) if stored is None else map(cells.__getitem__, stored)
            )
        for stored_values in self._raw.values():
            stored_values.clear()

    def table(self, label: Any) -> Table:
        return _table(self.layout, self.columns, label, roster=True)


def _members(listed: list[int], answered: Sequence[tuple[str, list[int], list[Any]]]) -> list[int]:
    """Members listed, and members with an answer kept (as the generic path finds them)."""
    found = set(listed)
    for _, numbers, values in answered:
        if not found.issuperset(numbers):
            found.update([m for m, v in zip(numbers, values, strict=True) if _present(v)])
    return sorted(found)


def _decoded(texts: Sequence[str]) -> list[Any]:
    """The JSON texts of a batch, decoded in one call (a call per row costs as much again)."""
    return list(json.loads(f"[{','.join(texts)}]"))


def _table(layout: Layout, columns: Sequence[list[Cell]], label: Any, *, roster: bool) -> Table:
    table = Table(layout.name, [], label)
    for variable, values in zip(layout.variables(roster=roster), columns, strict=True):
        table.add_column(variable, values)
    return table
