"""Read a YAML file into plain data plus the file:line:column of every node.

PyYAML's composer keeps a mark on each node; we walk the node tree once, build the plain
Python value, and remember where each path (``("sections", 0, "questions", 3, "name")``)
starts. Duplicate keys, which PyYAML silently collapses, are reported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from fieldkit.errors import InstrumentError, Location

__all__ = ["NodePath", "SourceDocument", "load_source", "parse_source"]

_BOOL_TAG = "tag:yaml.org,2002:bool"
_YAML12_NUMBERS = {
    "tag:yaml.org,2002:int": re.compile(r"^[-+]?(0|[1-9][0-9]*)$"),
    "tag:yaml.org,2002:float": re.compile(
        r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$"
    ),
}

NodePath = tuple[str | int, ...]


@dataclass
class SourceDocument:
    """A YAML document as plain data, with the location of every value and mapping key."""

    file: str
    data: Any
    values: dict[NodePath, Location] = field(default_factory=dict)
    keys: dict[NodePath, Location] = field(default_factory=dict)
    text_starts: dict[NodePath, Location] = field(default_factory=dict)
    duplicates: list[tuple[NodePath, Location]] = field(default_factory=list)

    def locate(self, path: NodePath, *, key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        for end in range(len(path), -1, -1):
            found = table.get(path[:end]) or self.values.get(path[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)

    def expression_start(self, path: NodePath) -> Location:
        """Where the text of a scalar starts (after an opening quote)."""
        return self.text_starts.get(path) or self.locate(path)


def load_source(path: Path) -> SourceDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(
            "file not found",
            code="FK-YAML-005",
            location=Location(str(path)),
            hint="check the path",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError(
            f"cannot read file: {exc}",
            code="FK-YAML-005",
            location=Location(str(path)),
            hint="save it as UTF-8 text",
        ) from None
    return parse_source(text, str(path))


def parse_source(text: str, file: str) -> SourceDocument:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = exc.problem or exc.context or "invalid YAML"
        raise InstrumentError(
            f"malformed YAML: {problem}",
            code="FK-YAML-001",
            location=location,
            hint=_yaml_hint(problem),
        ) from None
    except yaml.YAMLError as exc:
        raise InstrumentError(
            f"malformed YAML: {exc}", code="FK-YAML-001", location=Location(file, 1, 1)
        ) from None
    if node is None:
        raise InstrumentError(
            "the file is empty",
            code="FK-YAML-005",
            location=Location(file, 1, 1),
            hint="an instrument or protocol needs at least an id",
        )
    document = SourceDocument(file=file, data=None)
    constructor = yaml.SafeLoader("")
    try:
        document.data = _Builder(document, constructor).build(node, ())
    finally:
        constructor.dispose()
    return document


def _yaml_hint(problem: str) -> str:
    if "tab" in problem or "\\t" in problem or "\t" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "quote a value that contains ': '"
    if "found character" in problem or "unexpected" in problem:
        return 'quote the value, e.g. constraint: ". >= 5"'
    return "check indentation and quoting on this line"


def _mark(node: yaml.Node, file: str) -> Location:
    return Location(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    def __init__(self, doc: SourceDocument, constructor: yaml.SafeLoader) -> None:
        self.doc = doc
        self.constructor = constructor

    def build(self, node: yaml.Node, path: NodePath) -> Any:
        doc = self.doc
        doc.values[path] = _mark(node, doc.file)
        if isinstance(node, yaml.MappingNode):
            return dict(self._mapping(node, path))
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        if getattr(node, "style", None) in ("'", '"'):
            start = doc.values[path]
            doc.text_starts[path] = Location(start.file, start.line, (start.column or 1) + 1)
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: NodePath) -> Iterator[tuple[str, Any]]:
        seen: set[str] = set()
        for key_node, value_node in node.value:
            raw = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else key_node
            key = raw if isinstance(raw, str) else str(raw)
            child = (*path, key)
            key_location = _mark(key_node, self.doc.file)
            if key in seen:
                self.doc.duplicates.append((child, key_location))
                continue
            seen.add(key)
            self.doc.keys[child] = key_location
            yield key, self.build(value_node, child)

    def _scalar(self, node: yaml.Node) -> Any:
        """Resolve a scalar as YAML 1.2 would: only true/false are booleans.

        YAML 1.1 reads ``Yes``, ``No``, ``On`` and ``NO`` (Norway's country code) as booleans,
        which turns a label or a choice value into ``True``; and ``5_11`` (an age band) as the
        integer 511, ``0o17``/``017`` as octal, ``1:30`` as sexagesimal 90. Those stay text.
        """
        if node.tag == _BOOL_TAG and str(node.value).lower() not in ("true", "false"):
            return str(node.value)
        number = _YAML12_NUMBERS.get(node.tag)
        if number is not None and not number.match(str(node.value)):
            return str(node.value)
        return self.constructor.construct_object(node, deep=True)
