"""Read a YAML file into plain data plus the file:line:column of every node.

PyYAML's composer keeps a mark on each node; we walk the node tree once, build the plain
Python value, and remember where each path (``("sections", 0, "questions", 3, "name")``)
starts. Duplicate keys, which PyYAML silently collapses, are reported here.

Instruments, protocols and answers files travel between teams, so a file is untrusted input:
it must be a regular file of at most ``MAX_FILE_BYTES``, nested at most ``MAX_DEPTH`` deep,
and its aliases (``*name``) may repeat at most ``MAX_ALIAS_VALUES`` values in all. A
"billion laughs" document of nine short lines would otherwise expand to 10^9 values.
"""

from __future__ import annotations

import os
import re
import stat
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

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest file read (the shipped household instrument is about 70 KB)."""
MAX_DEPTH = 50
"""How deep values may nest (an instrument needs about 8 levels)."""
MAX_ALIAS_VALUES = 10_000
"""How many values aliases may repeat in all, the aliases' own nodes included."""

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser where PyYAML was built with it: ten times faster, same nodes and marks."""


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
    """Read and parse ``path``: a regular UTF-8 file of at most ``MAX_FILE_BYTES``."""
    return parse_source(_read_text(Path(path)), str(path))


def _read_text(path: Path) -> str:
    where = Location(str(path))
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; a regular file ignores it.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _unreadable("file not found", where, "check the path") from None
    except OSError as exc:
        raise _unreadable(f"cannot read file: {exc.strerror}", where, "check the path") from None
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise _unreadable("is a folder, not a YAML file", where, "give the file's path")
        if not stat.S_ISREG(mode):
            raise _unreadable(
                "is not a regular file (a device, FIFO or socket)", where, "give a YAML file"
            )
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        problem = f"cannot read file: {exc.strerror}"
        raise _unreadable(problem, where, "check the disk") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _unreadable(f"cannot read file: {exc}", where, "save it as UTF-8 text") from None


def _unreadable(message: str, where: Location, hint: str) -> InstrumentError:
    return InstrumentError(message, code="FK-YAML-005", location=where, hint=hint)


def _too_large(where: Location) -> InstrumentError:
    return InstrumentError(
        f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
        code="FK-YAML-030",
        location=where,
        hint="an instrument, protocol or answers file is a few hundred KB at most; "
        "is it the right file?",
    )


def parse_source(text: str, file: str) -> SourceDocument:
    if len(text) > MAX_FILE_BYTES:
        raise _too_large(Location(file))
    node = _compose(text, file)
    if node is None:
        raise InstrumentError(
            "the file is empty",
            code="FK-YAML-005",
            location=Location(file, 1, 1),
            hint="check that it is the file you meant",
        )
    document = SourceDocument(file=file, data=None)
    constructor = yaml.SafeLoader("")
    try:
        document.data = _Builder(document, constructor).build(node, ())
    finally:
        constructor.dispose()
    return document


def _compose(text: str, file: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        location = Location(file, mark.line + 1, mark.column + 1) if mark else Location(file)
        problem = _problem(exc.problem or exc.context or "invalid YAML", text, mark)
        if "nesting depth" in problem:
            raise _too_deep(location) from None
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
    except RecursionError:  # the pure-Python composer, when libyaml is not available
        raise _too_deep(Location(file)) from None


def _problem(problem: str, text: str, mark: yaml.Mark | None) -> str:
    """libyaml's message, with the offending character named as PyYAML's own parser does."""
    if mark is None or "cannot start any token" not in problem or "'" in problem:
        return problem
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    if mark.column >= len(line):
        return problem
    return f"found character {line[mark.column]!r} that cannot start any token"


def _too_deep(where: Location) -> InstrumentError:
    return InstrumentError(
        f"values nested more than {MAX_DEPTH} levels deep",
        code="FK-YAML-031",
        location=where,
        hint="an instrument, protocol or answers file needs a few levels; is it the right file?",
    )


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
    """Plain values from the node tree, with every position; bounded against hostile input.

    PyYAML composes an alias as the very node its anchor names, so a node met a second time
    is an alias being expanded, and a node met again while it is still being built is an
    alias inside its own anchor (a cycle)."""

    def __init__(self, doc: SourceDocument, constructor: yaml.SafeLoader) -> None:
        self.doc = doc
        self.constructor = constructor
        self.built: set[int] = set()
        self.building: set[int] = set()
        self.alias_depth = 0
        self.alias_values = 0
        self.alias_path: NodePath = ()
        """Where the outermost alias being expanded is written."""

    def build(self, node: yaml.Node, path: NodePath) -> Any:
        if len(path) > MAX_DEPTH:
            raise _too_deep(_mark(node, self.doc.file))
        key = id(node)
        if key in self.building:
            self.alias_path = path
            raise self._alias_error("an alias inside its own anchor repeats it forever")
        repeated = key in self.built
        if repeated and not self.alias_depth:
            self.alias_path = path
        self.alias_depth += repeated
        try:
            if self.alias_depth:
                self._count_alias_value()
            self.built.add(key)
            self.building.add(key)
            return self._value(node, path)
        finally:
            self.building.discard(key)
            self.alias_depth -= repeated

    def _count_alias_value(self) -> None:
        self.alias_values += 1
        if self.alias_values > MAX_ALIAS_VALUES:
            raise self._alias_error(f"aliases repeat more than {MAX_ALIAS_VALUES:,} values in all")

    def _alias_error(self, message: str) -> InstrumentError:
        # An alias node carries its anchor's position: point at the key or list holding it.
        path = self.alias_path
        return InstrumentError(
            message,
            code="FK-YAML-032",
            location=self.doc.keys.get(path) or self.doc.locate(path[:-1]),
            hint="write the values out, or use fewer aliases (*name)",
        )

    def _value(self, node: yaml.Node, path: NodePath) -> Any:
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
