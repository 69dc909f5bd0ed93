"""The survey's structure as fieldkit sections and questions (nodes ready to write)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.checks import CHECKS, read_checks
from fieldkit.xlsform.emitter import Node
from fieldkit.xlsform.expressions import Translation, from_xlsform
from fieldkit.xlsform.fields import MEMBER_LABEL, Context, FieldBuilder
from fieldkit.xlsform.reader import Row
from fieldkit.xlsform.sheets import ChoiceRow
from fieldkit.xlsform.survey import Entry, Part, Structure

__all__ = ["Built", "build_nodes", "fieldkit_name"]

_INVALID: Final = re.compile(r"[^a-z0-9_]+")
_VALID: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_CONSENT_LIKE: Final = re.compile(r"(^|_)(consent|assent|agree|informed)($|_)")


@dataclass
class Built:
    sections: list[Node]
    questions: list[Node]
    """Every question node, roster members included, in sheet order."""
    choices: list[tuple[str, list[dict[str, Any]], str]]


def fieldkit_name(name: str, taken: set[str]) -> str:
    """``name`` if fieldkit accepts it and it is free, else the nearest name that is."""
    base = name if _VALID.match(name) else _INVALID.sub("_", name.lower()).strip("_")
    if not base or not base[0].isalpha():
        base = f"q_{base}".rstrip("_")
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}_{number}", number + 1
    taken.add(candidate)
    return candidate


def _entries(entries: list[Entry]) -> Iterator[Entry]:
    for entry in entries:
        yield entry
        yield from _entries(entry.members)


def build_nodes(structure: Structure, context: Context, title: dict[str, str]) -> Built:
    builder = _Builder(structure, context, title)
    return builder.run()


class _Builder:
    def __init__(self, structure: Structure, context: Context, title: dict[str, str]) -> None:
        self.structure = structure
        self.c = context
        self.fields = FieldBuilder(context)
        self.title = title
        self.taken: set[str] = set()
        self.questions: list[Node] = []
        self.inline: set[str] = set()
        self.referenced: set[str] = set()
        self.own: dict[int, str] = {}
        """Row number → the fieldkit name of the question on that row."""
        self.items: dict[str, list[dict[str, Any]]] = {}

    def run(self) -> Built:
        self._name_questions()
        self._drop_unimportable()
        sections = [self._section(part, i) for i, part in enumerate(self.structure.parts)]
        return Built([s for s in sections if s.live()], self.questions, self._choices())

    # -- names ------------------------------------------------------------------------------

    def _name_questions(self) -> None:
        for entry in _entries([e for p in self.structure.parts for e in p.entries]):
            if entry.name in self.c.names:
                new = fieldkit_name(entry.name, self.taken)
                self.own[entry.row.number] = new
                self.c.findings.note(
                    codes.RENAMED,
                    entry.row.cell("name"),
                    f"name '{entry.name}' is used twice: this one is '{new}'",
                    "references to the name mean the first one",
                )
                continue
            new = fieldkit_name(entry.name, self.taken)
            self.c.names[entry.name] = new
            self.own[entry.row.number] = new
            if new != entry.name:
                self.c.findings.note(
                    codes.RENAMED,
                    entry.row.cell("name"),
                    f"'{entry.name}' is '{new}' in fieldkit (names are lower-case letters,"
                    " digits and _)",
                )

    def _drop_unimportable(self) -> None:
        """Selects without their list, and calculations fieldkit cannot read, are not
        imported; neither is anything computed from them (found before any expression is
        translated, so messages about references say why)."""
        entries = list(_entries([e for p in self.structure.parts for e in p.entries]))
        for entry in entries:
            if entry.list_name is not None and entry.list_name not in self.c.lists:
                self._drop(entry)
                self.c.findings.problem(
                    codes.ROW_SKIPPED,
                    entry.row.cell("type"),
                    f"the choices sheet has no list '{entry.list_name}': question"
                    f" '{entry.name}' was not imported",
                    "add the list to the choices sheet",
                )
        changed = True
        while changed:
            changed = False
            for entry in entries:
                if entry.type != "calculate" or entry.row.number not in self.own:
                    continue
                text = entry.row.get("fieldkit::calculation") or entry.row.get("calculation")
                native = bool(entry.row.get("fieldkit::calculation"))
                found = from_xlsform(
                    text, self.c.names, self.c.metadata, self.c.dropped, native=native
                )
                if found.text is None:
                    self._drop(entry)
                    changed = True

    def _drop(self, entry: Entry) -> None:
        name = self.own.pop(entry.row.number, None)
        if name is not None and self.c.names.get(entry.name) == name:
            del self.c.names[entry.name]
            self.c.dropped[entry.name] = entry.row.cell("name")

    # -- sections and questions -------------------------------------------------------------

    def _section(self, part: Part, index: int) -> Node:
        if part.row is None:
            name = fieldkit_name("questions", self.taken)
            node = Node({"name": name, "label": dict(self.title)})
            if part.entries:
                first = part.entries[0].row
                node.cell = f"{first.cell('type')}"
                self.c.findings.note(
                    codes.LOOSE_QUESTIONS,
                    first.cell("type"),
                    f"questions outside any group (from row {first.number}) form section"
                    f" '{name}', labelled with the form's title",
                )
                node.comments["name"] = "questions outside any group"
        else:
            row = part.row
            name = fieldkit_name(part.name or f"section_{index + 1}", self.taken)
            if name != part.name:
                self.c.findings.note(
                    codes.RENAMED, row.cell("name"), f"group '{part.name}' is section '{name}'"
                )
            node = Node({"name": name}, row.cell("type"))
            node.fields["label"] = self.fields.texts(row, "label", node, fallback=name)
            node.origins["label"] = row.cell("label")
            self.fields.relevance(node, row, [])
            self.fields.appearance(row, node)
        node.children = [n for e in part.entries if (n := self._question(e)) is not None]
        return node

    def _question(self, entry: Entry) -> Node | None:
        name = self.own.get(entry.row.number)
        if name is None:
            if entry.type == "calculate" and entry.list_name is None:
                self.fields.expression(entry.row, "calculation")  # says why it was dropped
            return None
        row = entry.row
        node = Node({"name": name, "type": entry.type}, row.cell("type"))
        if entry.type != "calculate":
            label = self.fields.texts(row, "label", node, fallback=name, answers=True)
            node.fields["label"] = label
            node.origins["label"] = row.cell("label")
        hint = self.fields.texts(row, "hint", node, answers=True)
        if hint:
            node.fields["hint"] = hint
            node.origins["hint"] = row.cell("hint")
        self.fields.required(node, row)
        self.fields.relevance(node, row, entry.conditions)
        self.fields.constraint(node, row)
        if entry.type == "calculate":
            self.fields.put_expression(node, row, "calculation", "calculation")
        if entry.list_name is not None:
            self._choices_of(node, entry)
        if entry.type == "repeat":
            self.fields.put_expression(node, row, "repeat_count", "count")
            self._roster(node, row)
            node.children = [n for m in entry.members if (n := self._question(m)) is not None]
            self.c.checks = {}
        self.fields.fieldkit_marks(node, row)
        self.fields.other_columns(row, entry, node)
        self._own_consent(node, entry)
        self.questions.append(node)
        return node

    def _roster(self, node: Node, row: Row) -> None:
        """The member label and checks fieldkit export wrote (module checks.py)."""
        label = self.fields.texts(row, MEMBER_LABEL, node, answers=True)
        if label:
            same = len(set(label.values())) == 1  # "${first_name}" in every language
            node.fields["member_label"] = next(iter(label.values())) if same else label
            node.origins["member_label"] = row.cell(MEMBER_LABEL)
        self.c.checks = {}
        if not row.get(CHECKS):
            return
        found = read_checks(row.get(CHECKS))
        if found is None:
            self.c.findings.problem(
                codes.UNSUPPORTED_COLUMN,
                row.cell(CHECKS),
                f"{CHECKS} is not the list of checks fieldkit xlsform export writes: not imported",
                "export the instrument again, or write the roster's checks in the YAML",
            )
            return
        for check in found:
            self._check(node, row, check)

    def _check(self, node: Node, row: Row, check: dict[str, Any]) -> None:
        cell, name, c = row.cell(CHECKS), check["name"], self.c
        read: dict[str, Translation] = {}
        for key in ("when", "rule"):
            if key not in check:
                continue
            found = from_xlsform(check[key], c.names, c.metadata, c.dropped, native=True)
            for code, why, hint in found.problems:
                c.findings.problem(code, cell, f"roster check '{name}' not imported: {why}", hint)
            if found.expr is None:
                return
            read[key] = found
        fields: dict[str, Any] = {"name": name} | {k: found.text for k, found in read.items()}
        fields["message"] = self.fields.shown(check["message"], cell, "check message", None)
        node.checks.append(Node(fields, cell))
        rule = read["rule"].expr
        when = read["when"].expr if "when" in read else None
        if rule is not None:
            c.checks[name] = (when, rule)

    def _choices_of(self, node: Node, entry: Entry) -> None:
        list_name = entry.list_name or ""
        if entry.row.get("fieldkit::choices") == "inline":
            self.inline.add(list_name)
            node.fields["choices"] = self._list(list_name)
        else:
            self.referenced.add(list_name)
            node.fields["choices"] = list_name
        node.origins["choices"] = entry.row.cell("type")
        if entry.type in ("select_one", "select_multiple"):
            self.fields.put_expression(node, entry.row, "choice_filter", "choice_filter")

    def _own_consent(self, node: Node, entry: Entry) -> None:
        if self.c.exported:
            return
        if entry.type in ("select_one", "note") and _CONSENT_LIKE.search(node.name):
            self.c.findings.note(
                codes.OWN_CONSENT,
                entry.row.cell("name"),
                f"'{node.name}' looks like the form's own consent question: fieldkit asks the"
                " protocol's screening and consent block before any question",
                "remove it once the protocol's consent texts cover it",
            )

    # -- choices ----------------------------------------------------------------------------

    def _list(self, name: str) -> list[dict[str, Any]]:
        if name not in self.items:
            self.items[name] = [self._choice(c) for c in self.c.lists[name]]
        return self.items[name]

    def _choice(self, choice: ChoiceRow) -> dict[str, Any]:
        label = self.fields.texts(choice.row, "label", None, fallback=choice.value)
        item: dict[str, Any] = {"value": choice.value, "label": label}
        if choice.filter:
            item["filter"] = dict(choice.filter)
        item["__cell__"] = choice.row.cell("name")
        return item

    def _choices(self) -> list[tuple[str, list[dict[str, Any]], str]]:
        result = []
        for name, rows in self.c.lists.items():
            if name in self.structure.consent_lists and name not in self.referenced:
                continue
            if name in self.inline and name not in self.referenced:
                continue
            first, last = rows[0].row.number, rows[-1].row.number
            where = f"choices!{first}" + (f"-{last}" if last != first else "")
            result.append((name, self._list(name), where))
        return result
