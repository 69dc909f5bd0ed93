"""One survey row's columns as a fieldkit question's keys.

Texts come per language (a missing translation is copied from the default language, and
said so), a question's showing answers as ``${name}`` as fieldkit does; expressions go
through `expressions.from_xlsform`; fieldkit's own columns (``fieldkit::pii``...) are read
back; every other filled column is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from fieldkit.capture.messages import say
from fieldkit.instrument.expression import Binary, Expr, parse, unparse
from fieldkit.instrument.schema import DisaggregationRole
from fieldkit.xlsform import errors as codes
from fieldkit.xlsform.answers import renamed
from fieldkit.xlsform.checks import CARRIES, CHECKS, OWN_MESSAGE, Rule, carried_constraint
from fieldkit.xlsform.emitter import Node
from fieldkit.xlsform.expressions import Translation, from_xlsform, to_odk, without_paths
from fieldkit.xlsform.reader import Row
from fieldkit.xlsform.report import Findings
from fieldkit.xlsform.sheets import ChoiceRow, Languages
from fieldkit.xlsform.survey import Entry

__all__ = ["Context", "FieldBuilder"]

YES: Final = frozenset({"yes", "true", "true()", "1", "y"})
NO: Final = frozenset({"no", "false", "false()", "0", "n"})
EXPRESSION_KEYS: Final = ("relevant", "required", "constraint", "calculation", "choice_filter")
MEMBER_LABEL: Final = "fieldkit::member_label"
HANDLED: Final = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "relevant",
        "required",
        "constraint",
        "constraint_message",
        "calculation",
        "choice_filter",
        "repeat_count",
        "appearance",
        "fieldkit::pii",
        "fieldkit::disaggregation",
        "fieldkit::allow_dont_know",
        "fieldkit::allow_refused",
        "fieldkit::choices",
        "fieldkit::block",
        MEMBER_LABEL,
        CHECKS,
        CARRIES,
        OWN_MESSAGE,
        *(f"fieldkit::{key}" for key in (*EXPRESSION_KEYS, "repeat_count")),
    }
)
_COLUMN_WHY: Final = {
    "default": "fieldkit has no default answers: every question is asked",
    "required_message": "fieldkit shows its own message for a missing answer",
    "read_only": "fieldkit has no read-only questions: use a calculate or a note",
    "guidance_hint": "fieldkit shows one hint per question",
    "parameters": "fieldkit's question types take no parameters",
    "trigger": "fieldkit recomputes calculations whenever their inputs change",
    "image": "fieldkit shows no media",
    "big-image": "fieldkit shows no media",
    "audio": "fieldkit shows no media",
    "video": "fieldkit shows no media",
}
# Appearances whose purpose fieldkit's front ends already serve (they lay out choices and
# pages themselves); anything else is reported.
DISPLAY_ONLY: Final = frozenset(
    {
        "minimal",
        "quick",
        "horizontal",
        "horizontal-compact",
        "compact",
        "likert",
        "columns",
        "columns-pack",
        "no-buttons",
        "autocomplete",
        "multiline",
        "field-list",
        "thousands-sep",
        "w1",
        "w2",
        "w3",
        "w4",
        "w5",
        "w6",
    }
)
_LAYOUT: Final = re.compile(r"w[0-9]+|columns-[0-9]+")


@dataclass
class Context:
    findings: Findings
    languages: Languages
    names: dict[str, str]
    """XLSForm name → fieldkit name, for every question and roster imported."""
    metadata: dict[str, str]
    dropped: dict[str, str]
    lists: dict[str, list[ChoiceRow]]
    exported: bool = False
    """The workbook was written by fieldkit xlsform export: its fieldkit:: marks are the
    author's, so nothing is proposed."""
    cache: dict[tuple[int, str], Translation] = field(default_factory=dict)
    checks: dict[str, Rule] = field(default_factory=dict)
    """The checks of the roster whose members are being read, by name."""


class FieldBuilder:
    def __init__(self, context: Context) -> None:
        self.c = context

    # -- texts ------------------------------------------------------------------------------

    def texts(
        self,
        row: Row,
        key: str,
        node: Node | None,
        *,
        fallback: str | None = None,
        answers: bool = False,
    ) -> dict[str, str] | None:
        """``{code: text}`` in every language, or None when the row has none. ``answers``: a
        question's text, where fieldkit shows ``${name}`` (not a group's or a choice's)."""
        found = self._by_code(row.texts(key))
        if not found and fallback is not None:
            found = {self.c.languages.default: fallback}
            self.c.findings.note(
                codes.TEXT_COPIED, row.cell(key), f"no {key}: '{fallback}' used", f"write a {key}"
            )
        if not found:
            return None
        shown = [(lang, text) for lang, text in row.texts(key).items() if "${" in text]
        if answers and shown:
            found = self.shown(found, row.cell(key, shown[0][0]), key, node)
        elif shown:
            self.c.findings.problem(
                codes.ANSWER_IN_TEXT,
                row.cell(key, shown[0][0]),
                f"{key} shows an answer (${{...}}): fieldkit shows answers in a question's"
                " texts only, so this one is shown as written",
                "reword the text so it reads well without the answer",
            )
        return self._complete(found, row, key, node)

    def shown(
        self, texts: Mapping[str, str], cell: str, key: str, node: Node | None
    ) -> dict[str, str]:
        """``texts`` with each ``${name}`` as fieldkit names the question (module answers.py)."""
        c = self.c
        return renamed(texts, (cell, key), node, c.names, (c.metadata, c.dropped, c.findings))

    def _by_code(self, texts: Mapping[str | None, str]) -> dict[str, str]:
        result: dict[str, str] = {}
        for language, text in texts.items():
            code = self.c.languages.of.get(language)
            if code is not None and (language is not None or code not in result):
                result[code] = text
        return result

    def _complete(
        self, found: dict[str, str], row: Row, key: str, node: Node | None
    ) -> dict[str, str]:
        languages = self.c.languages
        source = languages.default if languages.default in found else next(iter(found))
        missing = [code for code in languages.codes if code not in found]
        if missing:
            self.c.findings.note(
                codes.TEXT_COPIED,
                row.cell(key, _language_of(row, key)),
                f"{key} has no {', '.join(missing)} text: the {source} text was copied",
                "translate it",
            )
            if node is not None:
                node.comments[key] = f"{', '.join(missing)} copied from {source}: translate"
        return {code: found.get(code, found[source]) for code in languages.codes}

    # -- expressions ------------------------------------------------------------------------

    def expression(self, row: Row, key: str) -> Translation | None:
        """The row's ``key`` expression as fieldkit's (None when the cell is empty)."""
        cached = self.c.cache.get((row.number, key))
        if cached is not None:
            return cached
        text = row.get(key)
        native = row.get(f"fieldkit::{key}")
        if not text and not native:
            return None
        c = self.c
        if native and _matches(native, text):
            found = from_xlsform(native, c.names, c.metadata, c.dropped, native=True)
            where = row.cell(f"fieldkit::{key}")
        else:
            found = from_xlsform(text, c.names, c.metadata, c.dropped)
            where = row.cell(key)
        for code, message, hint in found.problems:
            c.findings.problem(code, where, f"{key} not imported: {message}", hint)
        for note in found.notes:
            c.findings.note(codes.EXPRESSION_TRANSLATED, where, f"{key}: {note}")
        self.c.cache[row.number, key] = found
        return found

    def put_expression(self, node: Node, row: Row, key: str, yaml_key: str) -> bool:
        found = self.expression(row, key)
        if found is None:
            return False
        if found.text is None:
            node.remarks.append(f"{yaml_key} not imported ({row.cell(key)}): {row.get(key)}")
            return False
        node.fields[yaml_key] = found.text
        node.origins[yaml_key] = row.cell(key)
        return True

    def relevance(self, node: Node, row: Row, conditions: list[Row]) -> None:
        """The row's own ``relevant`` and those of the groups flattened around it, joined."""
        parts: list[Expr] = []
        for source in [*conditions, row]:
            found = self.expression(source, "relevant")
            if found is not None and found.expr is not None:
                parts.append(found.expr)
            elif found is not None and source is row:
                node.remarks.append(
                    f"relevant not imported ({row.cell('relevant')}): {row.get('relevant')}"
                )
        if not parts:
            return
        joined = parts[0]
        for part in parts[1:]:
            joined = Binary("and", joined, part)
        own = self.c.cache.get((row.number, "relevant"))
        if len(parts) == 1 and own is not None and own.expr is parts[0] and own.text:
            node.fields["relevant"] = own.text  # as the author wrote it
        else:
            node.fields["relevant"] = unparse(joined)
        node.origins["relevant"] = row.cell("relevant")

    # -- the rest ---------------------------------------------------------------------------

    def required(self, node: Node, row: Row) -> None:
        value = row.get("required").strip()
        if not row.get("fieldkit::required") and value.lower() in YES | NO | {""}:
            if value.lower() in YES:
                node.fields["required"] = True
                node.origins["required"] = row.cell("required")
            return
        self.put_expression(node, row, "required", "required")

    def constraint(self, node: Node, row: Row) -> None:
        if row.get(CARRIES) and self._carried(node, row):
            return
        if not self.put_expression(node, row, "constraint", "constraint"):
            return
        message = self.texts(row, "constraint_message", node, answers=True)
        if message is None:
            message = {code: say("constraint", code) for code in self.c.languages.codes}
            self.c.findings.note(
                codes.MESSAGE_WRITTEN,
                row.cell("constraint"),
                "constraint has no constraint_message: fieldkit's general message was used",
                "write a constraint_message that says what is allowed",
            )
            node.comments["constraint_message"] = "written by the importer: say what is allowed"
        node.fields["constraint_message"] = message
        node.origins["constraint_message"] = row.cell("constraint_message")

    def _carried(self, node: Node, row: Row) -> bool:
        """A question whose ODK constraint carries roster checks (module checks.py): its own
        constraint comes from fieldkit's columns, unless the ODK column was edited after
        export (then it is read as written). Checks that could not be read were reported at
        their roster."""
        c = self.c
        own: Translation | None = None
        if row.get("fieldkit::constraint"):
            text = row.get("fieldkit::constraint")
            own = from_xlsform(text, c.names, c.metadata, c.dropped, native=True)
            if own.expr is None:
                return False
        rules = [c.checks.get(name) for name in row.get(CARRIES).split()]
        known = [rule for rule in rules if rule is not None]
        if len(known) == len(rules):
            expected = carried_constraint(own.expr if own else None, known, node.name)
            if to_odk(expected) != without_paths(row.get("constraint").strip()):
                return False
        if own is not None and own.text is not None:
            node.fields["constraint"] = own.text
            node.origins["constraint"] = row.cell("fieldkit::constraint")
            message = self.texts(row, OWN_MESSAGE, node, answers=True)
            if message:
                node.fields["constraint_message"] = message
                node.origins["constraint_message"] = row.cell(OWN_MESSAGE)
        return True

    def fieldkit_marks(self, node: Node, row: Row) -> None:
        for key in ("pii", "allow_dont_know", "allow_refused"):
            if row.get(f"fieldkit::{key}").lower() in YES:
                node.fields[key] = True
                node.origins[key] = row.cell(f"fieldkit::{key}")
        role = row.get("fieldkit::disaggregation")
        if role in DisaggregationRole.__members__.values():
            node.fields["disaggregation"] = role
            node.origins["disaggregation"] = row.cell("fieldkit::disaggregation")
        elif role:
            self.c.findings.problem(
                codes.UNSUPPORTED_COLUMN,
                row.cell("fieldkit::disaggregation"),
                f"'{role}' is not a disaggregation role: not imported",
                f"use one of {', '.join(r.value for r in DisaggregationRole)}",
            )

    def other_columns(self, row: Row, entry: Entry, node: Node) -> None:
        for column in row.filled():
            key = column.key
            why = _misplaced(key, entry.type)
            if why is None and (key in HANDLED or key.startswith("$")):
                continue
            why = why or _COLUMN_WHY.get(key) or _prefixed_why(key)
            if why is None:
                continue  # an unknown column: reported once for the whole sheet
            self.c.findings.problem(
                codes.UNSUPPORTED_COLUMN,
                row.cell(key, column.language),
                f"{column.header} = {row.values[column.index]!r} not imported",
                why,
            )
        self.appearance(row, node)

    def appearance(self, row: Row, node: Node) -> None:
        words = row.get("appearance").split()
        shown = [w for w in words if w.lower() in DISPLAY_ONLY or _LAYOUT.fullmatch(w.lower())]
        others = [w for w in words if w not in shown]
        if shown:
            node.comments["type"] = f"appearance {' '.join(shown)}: display only"
        if others:
            self.c.findings.problem(
                codes.UNSUPPORTED_APPEARANCE,
                row.cell("appearance"),
                f"appearance '{' '.join(others)}' has no fieldkit equivalent: not imported",
                "fieldkit's front ends choose the layout; express rules as constraints",
            )


def _misplaced(key: str, kind: str) -> str | None:
    """Why a column that fieldkit reads does not apply to this row's type, if it does not."""
    if key == "calculation" and kind != "calculate":
        return f"a {kind} question computes nothing in fieldkit (a computed default)"
    if key == "repeat_count" and kind != "repeat":
        return "repeat_count applies to a begin repeat row"
    if key == "choice_filter" and kind not in ("select_one", "select_multiple"):
        return "choice_filter applies to select questions"
    if key in (MEMBER_LABEL, CHECKS) and kind != "repeat":
        return f"{key} applies to a begin repeat row"
    return None


def _matches(native: str, text: str) -> bool:
    """A fieldkit column is used only while the ODK column still says what it was exported
    as (an author may have edited the ODK column after export); paths as ``${name}``."""
    try:
        return to_odk(parse(native)) == without_paths(text.strip())
    except Exception:
        return False


def _language_of(row: Row, key: str) -> str | None:
    texts = row.texts(key)
    return next(iter(texts), None)


def _prefixed_why(key: str) -> str | None:
    if key.startswith(("bind::", "instance::", "body::")):
        return "fieldkit does not write XForm attributes"
    if key.startswith("fieldkit::"):
        return "not a column fieldkit writes"
    return None
