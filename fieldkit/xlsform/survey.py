"""The survey sheet's rows as fieldkit's structure: sections of questions and rosters.

XLSForm nests freely; fieldkit has sections (top-level groups), questions, and rosters that
do not nest. So: a top-level ``begin group`` is a section; questions outside any group are
gathered into sections of their own; a group inside a section or a roster is flattened (its
relevance moves onto each of its questions); a repeat inside a repeat is not imported
(FK-INS-015) and said so. Rows of the consent block fieldkit itself exported are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.reader import Row, Sheet
from fieldkit.xlsform.report import Findings

__all__ = ["Entry", "Part", "Structure", "read_structure"]

BASIC: Final = {
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "text": "text",
    "string": "text",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "date time": "datetime",
    "geopoint": "geopoint",
    "gps": "geopoint",
    "location": "geopoint",
    "note": "note",
    "calculate": "calculate",
}
SELECTS: Final = {
    "select_one": "select_one",
    "select1": "select_one",
    "select one": "select_one",
    "select_multiple": "select_multiple",
    "select multiple": "select_multiple",
    "select all that apply": "select_multiple",
}
METADATA: Final = {
    "start": "start",
    "end": "end",
    "today": "today",
    "deviceid": "deviceid",
    "imei": "deviceid",
    "username": "username",
}
_METADATA_WHY: Final = {
    "start": "fieldkit records when each interview starts",
    "end": "fieldkit records when each interview ends",
    "today": "fieldkit records the interview's date (use today() in expressions)",
    "deviceid": "fieldkit records the device that collected each interview",
    "username": "fieldkit records the enumerator's code with each interview",
}
_WHY_NOT: Final = {
    "select_one_from_file": "fieldkit reads no external choice files: copy the list into the"
    " choices sheet and use select_one",
    "select_multiple_from_file": "fieldkit reads no external choice files: copy the list into"
    " the choices sheet and use select_multiple",
    "select_one_external": "external selects need a CSV fieldkit does not read",
    "rank": "fieldkit has no ranking question",
    "range": "use an integer or decimal question with a constraint",
    "acknowledge": "use a select_one with a single choice, or a note",
    "trigger": "use a select_one with a single choice, or a note",
    "hidden": "use a calculate question",
    "phonenumber": "fieldkit does not read the device's phone number",
    "simserial": "fieldkit does not read the SIM card",
    "subscriberid": "fieldkit does not read the SIM card",
    "email": "fieldkit does not read the device's e-mail account",
    "audit": "fieldkit keeps its own paradata (every answer timed); audit settings are not read",
}
_GROUP: Final = re.compile(r"^(begin|end)[ _](group|repeat|looped group|lgroup)$")


@dataclass
class Entry:
    """A question or a roster to import."""

    row: Row
    type: str
    """fieldkit's type name (``repeat`` for a roster)."""
    name: str
    """As written in the sheet."""
    list_name: str | None = None
    conditions: list[Row] = field(default_factory=list)
    """Rows of the flattened groups around it whose ``relevant`` also applies."""
    members: list[Entry] = field(default_factory=list)


@dataclass
class Part:
    """A section: a top-level group, or questions found outside any group."""

    row: Row | None
    name: str | None
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Structure:
    parts: list[Part]
    metadata: dict[str, str]
    """Name of each metadata row → its kind (start, today, ...)."""
    dropped: dict[str, str]
    """Name of each row not imported → its cell, for messages about references to it."""
    consent_block: bool = False
    """The workbook carries the protocol consent block fieldkit exports (and its wrapper)."""
    consent_lists: set[str] = field(default_factory=set)
    """Choice lists the consent block's rows use."""


@dataclass
class _Frame:
    kind: str  # root, section, group, repeat, wrapper, consent
    row: Row | None = None
    name: str | None = None
    entries: list[Entry] = field(default_factory=list)
    skipped: bool = False


def read_structure(sheet: Sheet, findings: Findings) -> Structure:
    walker = _Walker(findings)
    for row in sheet.rows:
        walker.row(row)
    walker.finish()
    return Structure(
        walker.parts,
        walker.metadata,
        walker.dropped,
        consent_block=walker.consent_rows > 0,
        consent_lists=walker.consent_lists,
    )


class _Walker:
    def __init__(self, findings: Findings) -> None:
        self.findings = findings
        self.stack: list[_Frame] = [_Frame("root")]
        self.parts: list[Part] = []
        self.loose: Part | None = None
        self.metadata: dict[str, str] = {}
        self.dropped: dict[str, str] = {}
        self.consent_rows = 0
        self.consent_lists: set[str] = set()

    # -- rows ---------------------------------------------------------------------------

    def row(self, row: Row) -> None:
        kind = " ".join(row.get("type").split())
        top = self.stack[-1]
        if top.kind == "consent" or top.skipped:
            self._inside_skipped(row, kind, top)
            return
        if not kind:
            if row.get("name") or row.get("label") or row.texts("label"):
                self.findings.problem(
                    codes.ROW_SKIPPED, row.cell("type"), "row has no type: not imported"
                )
            return
        if row.get("fieldkit::block") == "consent":
            self._consent_row(row, kind)
            return
        found = _GROUP.match(kind.lower())
        if found:
            self._group(row, found.group(1), "group" if found.group(2) == "group" else "repeat")
        else:
            self._question(row, kind)

    def _inside_skipped(self, row: Row, kind: str, top: _Frame) -> None:
        """Rows of the exported consent block, or of a nested repeat: counted, not imported."""
        found = _GROUP.match(kind.lower())
        if top.kind == "consent":
            self._count_consent(kind)
        elif row.get("name"):
            self.dropped[row.get("name")] = row.cell("name")
        if found and found.group(1) == "begin":
            self.stack.append(_Frame(top.kind, row, row.get("name"), skipped=True))
        elif found:
            self.stack.pop()

    def _consent_row(self, row: Row, kind: str) -> None:
        found = _GROUP.match(kind.lower())
        self._count_consent(kind)
        if found and found.group(1) == "begin":
            if row.get("name") == "fk_interview":
                self.stack.append(_Frame("wrapper", row, "fk_interview"))
            else:
                self.stack.append(_Frame("consent", row, row.get("name"), skipped=True))
        elif found and self.stack[-1].kind == "wrapper":
            self.stack.pop()

    def _count_consent(self, kind: str) -> None:
        self.consent_rows += 1
        select = _select(kind)
        if select is not None and select[1]:
            self.consent_lists.add(select[1][0])

    def finish(self) -> None:
        """Close what the sheet left open, saying so."""
        while len(self.stack) > 1:
            top = self.stack[-1]
            if not top.skipped and top.kind != "wrapper" and top.row is not None:
                kind = "repeat" if top.kind == "repeat" else "group"
                self.findings.problem(
                    codes.UNBALANCED,
                    top.row.cell("type"),
                    f"begin {kind} '{top.name}' has no end {kind}: closed at the end of the sheet",
                    f"add an end {kind} row where it should end",
                )
            self._close(None, "", top)

    def _group(self, row: Row, edge: str, kind: str) -> None:
        if edge == "end":
            self._end(row, kind)
            return
        name = row.get("name")
        if not name:
            name = f"{kind}_{row.number}"
            self.findings.note(
                codes.RENAMED, row.cell("name"), f"begin {kind} has no name: called it '{name}'"
            )
        if kind == "repeat" and any(f.kind == "repeat" for f in self.stack):
            outer = next(f for f in reversed(self.stack) if f.kind == "repeat")
            self.findings.problem(
                codes.NESTED_REPEAT,
                row.cell("type"),
                f"repeat '{name}' is inside repeat '{outer.name}': fieldkit rosters do not nest"
                " (FK-INS-015), so it and its questions were not imported",
                "ask its questions in the outer roster, or make it a roster of its own",
            )
            self.dropped[name] = row.cell("name")
            self.stack.append(_Frame("repeat", row, name, skipped=True))
            return
        if kind == "group":
            kind = "section" if self._at_top() else "group"
            if kind == "section":
                self.loose = None
            else:
                self.findings.note(
                    codes.GROUP_FLATTENED,
                    row.cell("type"),
                    f"group '{name}' is inside another group or a roster: its questions joined"
                    " the enclosing one, and its relevance moved onto each of them",
                )
        self.stack.append(_Frame(kind, row, name))

    def _at_top(self) -> bool:
        return all(f.kind in ("root", "wrapper") for f in self.stack)

    def _end(self, row: Row, kind: str) -> None:
        top = self.stack[-1]
        if top.kind in {"root", "wrapper"}:
            self.findings.problem(
                codes.UNBALANCED,
                row.cell("type"),
                f"end {kind} closes nothing",
                "remove the row, or add the begin row it belongs to",
            )
            return
        self._close(row, kind, top)

    def _close(self, row: Row | None, kind: str, top: _Frame) -> None:
        expected = "repeat" if top.kind == "repeat" else "group"
        if row is not None and kind != expected:
            self.findings.problem(
                codes.UNBALANCED,
                row.cell("type"),
                f"end {kind} where {top.row.cell('type') if top.row else 'a group'} began a"
                f" {expected}",
                f"write end {expected} here",
            )
        self.stack.pop()
        if top.skipped:
            return
        if top.kind == "section":
            self.parts.append(Part(top.row, top.name, top.entries))
        elif top.kind == "repeat" and top.row is not None and top.name is not None:
            self._add(Entry(top.row, "repeat", top.name, members=top.entries))
        elif top.kind == "group" and top.row is not None:
            for entry in top.entries:
                entry.conditions.insert(0, top.row)
            self._container().entries.extend(top.entries)

    def _container(self) -> _Frame | Part:
        top = self.stack[-1]
        if top.kind in ("section", "group", "repeat"):
            return top
        if self.loose is None:
            self.loose = Part(None, None)
            self.parts.append(self.loose)
        return self.loose

    def _add(self, entry: Entry) -> None:
        self._container().entries.append(entry)

    # -- questions ------------------------------------------------------------------------

    def _question(self, row: Row, kind: str) -> None:
        name = row.get("name")
        words = kind.split()
        base = words[0].lower() if words else ""
        if not name:
            self.findings.problem(codes.ROW_SKIPPED, row.cell("name"), f"{kind} has no name")
            return
        fieldkit_type = BASIC.get(kind.lower()) or BASIC.get(base)
        if fieldkit_type:
            self._add(Entry(row, fieldkit_type, name))
            return
        select = _select(kind)
        if select is not None:
            self._select(row, kind, name, select)
            return
        if kind.lower() in METADATA:
            meta = METADATA[kind.lower()]
            self.metadata[name] = meta
            self.findings.note(
                codes.METADATA,
                row.cell("type"),
                f"{kind} metadata '{name}' is not a question in fieldkit: {_METADATA_WHY[meta]}",
            )
            return
        self.dropped[name] = row.cell("name")
        why = _WHY_NOT.get(base) or "fieldkit has no question of this type"
        self.findings.problem(
            codes.UNSUPPORTED_TYPE,
            row.cell("type"),
            f"type '{kind}' is not supported: question '{name}' was not imported",
            why,
        )

    def _select(self, row: Row, kind: str, name: str, select: tuple[str, list[str]]) -> None:
        fieldkit_type, rest = select
        if not rest:
            self.dropped[name] = row.cell("name")
            self.findings.problem(
                codes.ROW_SKIPPED,
                row.cell("type"),
                f"'{kind}' names no choice list: question '{name}' was not imported",
                f"write {fieldkit_type} LIST_NAME",
            )
            return
        if len(rest) > 1:
            if rest[1:] == ["or_other"]:
                self.findings.problem(
                    codes.OR_OTHER,
                    row.cell("type"),
                    f"or_other is not supported: '{name}' was imported without its 'Other'"
                    " choice and text box",
                    f"add an 'other' choice to {rest[0]} and a text question with relevant"
                    f" selected(${{{name}}}, 'other')",
                )
            else:
                self.findings.problem(
                    codes.UNSUPPORTED_TYPE,
                    row.cell("type"),
                    f"'{' '.join(rest[1:])}' after the list name is not understood: ignored",
                )
        self._add(Entry(row, fieldkit_type, name, list_name=rest[0]))


def _select(kind: str) -> tuple[str, list[str]] | None:
    """(fieldkit type, [list name, modifiers...]) for a select_one/select_multiple type."""
    lowered = kind.lower()
    for prefix in sorted(SELECTS, key=len, reverse=True):
        if lowered == prefix or lowered.startswith(prefix + " "):
            if lowered.startswith(prefix + "_"):
                continue
            return SELECTS[prefix], kind[len(prefix) :].split()
    return None
