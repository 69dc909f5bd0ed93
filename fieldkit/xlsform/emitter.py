"""Write an imported instrument as readable YAML, the way the shipped instruments look.

Every key sits on one line, texts as flow mappings (``label: {en: "...", fr: "..."}``), so a
compiler message about line N maps back to the sheet cell that line came from (``lines``).
Comments say where each part came from and what the author should confirm.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = ["Emitted", "Node", "emit", "scalar"]

QUESTION_KEYS: Final = (
    "name",
    "type",
    "label",
    "hint",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choices",
    "choice_filter",
    "pii",
    "disaggregation",
    "allow_dont_know",
    "allow_refused",
    "count",
    "member_label",
)
SECTION_KEYS: Final = ("name", "label", "relevant")
_PLAIN: Final = re.compile(r"^[a-z_][a-z0-9_]*$")
_INTEGER: Final = re.compile(r"^(0|[1-9][0-9]{0,14})$")
_RESERVED: Final = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n"})
# Characters YAML may not carry raw, or reads as line breaks inside a quoted scalar.
_UNSAFE: Final = re.compile("[\x7f-\x84\x86-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


@dataclass
class Node:
    """A question or section to write: its keys, where it came from, what to say about it."""

    fields: dict[str, Any]
    cell: str | None = None
    origins: dict[str, str] = field(default_factory=dict)
    """YAML key → the sheet cell it came from."""
    comments: dict[str, str] = field(default_factory=dict)
    """YAML key → a comment at the end of its line."""
    remarks: list[str] = field(default_factory=list)
    """Comment lines inside the mapping (what was not imported, and why)."""
    children: list[Node] = field(default_factory=list)
    checks: list[Node] = field(default_factory=list)
    """A roster's checks, each written on one line (its fields: name, when, rule, message)."""
    removed: bool = False

    @property
    def name(self) -> str:
        return str(self.fields["name"])

    def live(self) -> list[Node]:
        return [child for child in self.children if not child.removed and child.has_content()]

    def has_content(self) -> bool:
        return self.fields.get("type") != "repeat" or bool(self.live())


@dataclass
class Emitted:
    text: str
    lines: dict[int, tuple[Node | None, str | None, str | None]]
    """1-based line → (node, YAML key, sheet cell)."""


def scalar(value: object, *, number: bool = False) -> str:
    """A YAML scalar that reads back as exactly ``value`` (fieldkit's loader is YAML 1.2).

    ``number``: a text of digits may be written as a plain number (a choice value, which
    fieldkit reads back as the same text); anywhere else it stays quoted text.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text not in _RESERVED:
        return text
    if number and _INTEGER.match(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)


def _flow(value: object, *, number: bool = False) -> str:
    if isinstance(value, Mapping):
        return (
            "{"
            + ", ".join(
                f"{scalar(k)}: {_flow(v, number=k == 'value')}"
                for k, v in value.items()
                if k != "__cell__"  # where a choice came from: for the line map, not the file
            )
            + "}"
        )
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value, number=number)


class _Writer:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.lines: dict[int, tuple[Node | None, str | None, str | None]] = {}

    def line(
        self, text: str, node: Node | None = None, key: str | None = None, comment: str = ""
    ) -> None:
        cell = node.origins.get(key or "", node.cell) if node is not None else None
        self.out.append(f"{text}  # {comment}" if comment else text)
        self.lines[len(self.out)] = (node, key, cell)

    def comment(self, indent: str, text: str) -> None:
        for part in text.splitlines() or [""]:
            self.out.append(f"{indent}# {part}".rstrip())

    def mapping(self, node: Node, keys: tuple[str, ...], indent: str) -> None:
        first = True
        for key in keys:
            if key not in node.fields:
                continue
            prefix = indent + ("- " if first else "  ")
            comment = node.comments.get(key, "")
            if key == "name" and node.cell:
                comment = f"{node.cell}" + (f"; {comment}" if comment else "")
            self.line(f"{prefix}{key}: {self._value(key, node.fields[key])}", node, key, comment)
            if first:
                for remark in node.remarks:
                    self.comment(indent + "  ", remark)
            first = False

    def _value(self, key: str, value: object) -> str:
        if key == "choices" and isinstance(value, list):
            return _flow(value)
        return _flow(value) if isinstance(value, Mapping | list) else scalar(value)

    def question(self, node: Node, indent: str) -> None:
        self.mapping(node, QUESTION_KEYS, indent)
        checks = [check for check in node.checks if not check.removed]
        if checks:
            self.line(f"{indent}  checks:", node)
            for check in checks:
                self.line(f"{indent}    - {_flow(check.fields)}", check, "check")
        if node.fields.get("type") == "repeat":
            self.line(f"{indent}  questions:", node)
            for child in node.live():
                self.question(child, indent + "    ")


def emit(
    header: list[tuple[str, object, str, str | None]],
    head_comments: list[str],
    choices: list[tuple[str, list[dict[str, Any]], str]],
    sections: list[Node],
) -> Emitted:
    """``header``: (key, value, comment, cell); ``choices``: (list name, items, comment)."""
    writer = _Writer()
    for text in head_comments:
        writer.comment("", text)
    for key, value, comment, cell in header:
        node = Node({}, cell) if cell else None
        writer.line(f"{key}: {_flow(value)}", node, None, comment)
    if choices:
        writer.line("")
        writer.line("choices:")
        for name, items, comment in choices:
            writer.line(f"  {scalar(name)}:", None, None, comment)
            for item in items:
                node = Node({}, item.get("__cell__"))
                writer.line(f"    - {_flow(item)}", node, None)
    writer.line("")
    writer.line("sections:")
    for section in sections:
        writer.mapping(section, SECTION_KEYS, "  ")
        writer.line("    questions:", section)
        for child in section.live():
            writer.question(child, "      ")
    return Emitted("\n".join(writer.out) + "\n", writer.lines)
