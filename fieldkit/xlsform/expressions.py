"""XLSForm expressions to fieldkit's and back.

The languages are the same (fieldkit's is XLSForm's), so most text passes through the
existing parser unchanged. What differs, and is handled here:

- ``position(..)`` in ODK is ``position()`` in fieldkit;
- ODK's ``regex()`` finds the pattern anywhere in the answer, fieldkit's matches the whole
  answer: an unanchored pattern is wrapped so it means the same;
- ``${today}`` (a ``today`` metadata row) is ``today()``; other metadata cannot be read;
- names are renamed to fieldkit names;
- indexed-repeat()'s question and roster are absolute paths (``/data/roster/members/sex`` is
  ``${sex}``). Going out, an expression calling indexed-repeat() has every answer written as
  its path (``../age`` in the same roster), because pyxform rewrites ``${name}`` around such
  calls wrongly (XLSForm/pyxform#569);
- functions and XPath syntax fieldkit lacks are reported, with the column where they start.

Going out, ``is-dont-know()``/``is-refused()`` are false on ODK (it has no such answers).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from fieldkit.errors import ExpressionError
from fieldkit.instrument.expression import (
    FUNCTIONS,
    Binary,
    Call,
    Expr,
    Literal,
    Property,
    Ref,
    Unary,
    parse,
    unparse,
)
from fieldkit.instrument.expression.functions import CROSS_MEMBER
from fieldkit.instrument.expression.queries import walk
from fieldkit.instrument.validation import did_you_mean
from fieldkit.xlsform import errors as codes

__all__ = ["Translation", "from_xlsform", "to_odk", "without_paths"]

_STRING: Final = re.compile(r"'[^']*'|\"[^\"]*\"")
_POSITION: Final = re.compile(r"position\s*\(\s*\.\.\s*\)")
_CALL: Final = re.compile(r"(?<![\w$.:{}-])([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_KEYWORDS: Final = frozenset({"and", "or", "div", "mod"})
_XPATH: Final = re.compile(r"\[|\.\.|/|\||@|::")
_PATH: Final = r"/[A-Za-z_][\w.-]*(?:/[A-Za-z_][\w.-]*)*"
_INDEXED_PATHS: Final = re.compile(rf"indexed-repeat\s*\(\s*({_PATH})\s*,\s*({_PATH})")
_ANY_PATH: Final = re.compile(rf"(?:\.\.)?{_PATH}")
_HINTS: Final = {
    "once": "fieldkit computes a calculation again when its inputs change; drop once()",
    "jr:choice-name": "fieldkit shows the choice's label itself; compare the value instead",
    "pulldata": "fieldkit reads no external CSV files; put the values in a choice list",
    "floor": "int() truncates towards zero (the same for answers that are not negative)",
    "ceiling": "use int() with an if(), e.g. if(. = int(.), ., int(.) + 1)",
    "contains": "use regex(text, '.*part.*')",
    "starts-with": "use regex(text, 'start.*')",
    "ends-with": "use regex(text, '.*end')",
    "format-date": "compare dates directly (dates subtract to days)",
    "format-date-time": "compare dates directly (dates subtract to days)",
    "decimal-date-time": "dates subtract to a number of days in fieldkit",
    "boolean-from-string": "compare the text: ${x} = 'true'",
    "uuid": "fieldkit gives every interview its own id",
    "random": "fieldkit has no random numbers (the order of questions is fixed)",
    "join": "use concat()",
    "substr": "fieldkit has no substring function",
    "instance": "choice lists are searched with choice_filter, not instance('...')",
    "current": "refer to answers by ${name}",
}


@dataclass
class Translation:
    """An XLSForm expression read as fieldkit's, or the reasons it cannot be."""

    text: str | None
    problems: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(code, message, hint) for what cannot be imported; ``text`` is None then."""
    notes: list[str] = field(default_factory=list)
    expr: Expr | None = None


def from_xlsform(
    text: str,
    names: Mapping[str, str],
    metadata: Mapping[str, str],
    dropped: Mapping[str, str],
    *,
    native: bool = False,
) -> Translation:
    """``names``: XLSForm name → fieldkit name of every question imported; ``metadata``:
    metadata row name → its type; ``dropped``: name → cell of rows not imported.

    ``native``: the text is fieldkit's own (a ``fieldkit::`` column this module wrote), so
    only names are mapped.
    """
    source = text.strip()
    if native:
        return _native(source, names, metadata, dropped)
    masked = _masked(source)
    notes: list[str] = []
    if _POSITION.search(masked):
        source, masked = _replace_positions(source, masked)
        notes.append("position(..) is position() in fieldkit")
    if _INDEXED_PATHS.search(masked):
        before = source
        source, masked = _replace_paths(source, masked, names)
        if source != before:
            notes.append("indexed-repeat(): the paths to a question and its roster are ${name}")
    problems = _unknown_functions(masked)
    xpath = _XPATH.search(masked)
    if xpath and not problems:
        problems.append(
            (
                codes.UNREADABLE_EXPRESSION,
                f"'{xpath.group()}' at character {xpath.start() + 1}: fieldkit reads ${{name}}"
                " references, not XPath paths, predicates or axes",
                "refer to each answer as ${name}; use div to divide",
            )
        )
    if problems:
        return Translation(None, problems)
    try:
        expr = parse(source)
    except ExpressionError as error:
        return Translation(None, [(codes.UNREADABLE_EXPRESSION, error.message, error.hint)])
    renamer = _Renamer(names, metadata, dropped)
    result = _rewrite(expr, renamer.visit)
    result = _rewrite(result, _anchor_regex(notes))
    if renamer.problems:
        return Translation(None, renamer.problems)
    notes += renamer.notes
    changed = result != expr or source != text.strip()
    return Translation(unparse(result) if changed else source, [], notes, result)


def _native(
    source: str, names: Mapping[str, str], metadata: Mapping[str, str], dropped: Mapping[str, str]
) -> Translation:
    try:
        expr = parse(source)
    except ExpressionError as error:
        return Translation(None, [(codes.UNREADABLE_EXPRESSION, error.message, error.hint)])
    renamer = _Renamer(names, metadata, dropped)
    result = _rewrite(expr, renamer.visit)
    if renamer.problems:
        return Translation(None, renamer.problems)
    return Translation(unparse(result) if result != expr else source, [], renamer.notes, result)


def to_odk(expr: Expr, paths: Mapping[str, str] | None = None, roster: str | None = None) -> str:
    """fieldkit's expression as ODK reads it (see the module docstring). ``paths``: every
    question's XForm path; ``roster``: the roster the expression is evaluated in."""
    if paths and any(isinstance(n, Call) and n.function == "indexed-repeat" for n in walk(expr)):
        expr = _as_paths(expr, paths, paths.get(roster or ""), across=False)
    return unparse(_rewrite(expr, _odk_node))


def without_paths(text: str) -> str:
    """``text`` with every path written as ``${name}``: what `to_odk` gives without paths."""
    masked = _masked(text)
    for found in reversed(list(_ANY_PATH.finditer(masked))):
        start, end = found.span()
        text = text[:start] + "${" + found.group().rsplit("/", 1)[-1] + "}" + text[end:]
    return text


# -- import helpers -------------------------------------------------------------------------


def _masked(text: str) -> str:
    """``text`` with the inside of every string blanked (same length, same positions)."""
    return _STRING.sub(lambda m: m.group()[0] + "_" * (len(m.group()) - 2) + m.group()[0], text)


def _replace_positions(source: str, masked: str) -> tuple[str, str]:
    for found in reversed(list(_POSITION.finditer(masked))):
        start, end = found.span()
        source = source[:start] + "position()" + source[end:]
        masked = masked[:start] + "position()" + masked[end:]
    return source, masked


def _replace_paths(source: str, masked: str, names: Mapping[str, str]) -> tuple[str, str]:
    """indexed-repeat()'s question and roster paths as ``${name}`` when ``names`` has the
    path's last step; any other path is left for the XPath check to report."""
    spans = [
        found.span(group)
        for found in _INDEXED_PATHS.finditer(masked)
        for group in (1, 2)
        if found.group(group).rsplit("/", 1)[-1] in names
    ]
    for start, end in reversed(spans):
        reference = "${" + masked[start:end].rsplit("/", 1)[-1] + "}"
        source = source[:start] + reference + source[end:]
        masked = masked[:start] + reference + masked[end:]
    return source, masked


def _unknown_functions(masked: str) -> list[tuple[str, str, str | None]]:
    problems: list[tuple[str, str, str | None]] = []
    for found in _CALL.finditer(masked):
        name = found.group(1)
        if name in FUNCTIONS or name in _KEYWORDS:
            continue
        hint = (
            _HINTS.get(name)
            or did_you_mean(name, FUNCTIONS)
            or ("see docs/instruments.md for the functions fieldkit has")
        )
        problems.append(
            (
                codes.UNKNOWN_FUNCTION,
                f"{name}() at character {found.start() + 1} is not in fieldkit's"
                " expression language",
                hint,
            )
        )
    return problems


class _Renamer:
    def __init__(
        self, names: Mapping[str, str], metadata: Mapping[str, str], dropped: Mapping[str, str]
    ) -> None:
        self.names, self.metadata, self.dropped = names, metadata, dropped
        self.problems: list[tuple[str, str, str | None]] = []
        self.notes: list[str] = []

    def visit(self, node: Expr) -> Expr:
        if not isinstance(node, Ref):
            return node
        if node.name in self.names:
            return dataclasses.replace(node, name=self.names[node.name])
        kind = self.metadata.get(node.name)
        if kind == "today":
            self.notes.append(f"${{{node.name}}} (today's date) is today() in fieldkit")
            return Call("today", (), node.column)
        if kind is not None:
            self.problems.append(
                (
                    codes.MISSING_REFERENCE,
                    f"${{{node.name}}} is {kind} metadata, which fieldkit records itself"
                    " and expressions cannot read",
                    "remove the reference, or use today()/now()",
                )
            )
        elif node.name in self.dropped:
            self.problems.append(
                (
                    codes.MISSING_REFERENCE,
                    f"${{{node.name}}} refers to {self.dropped[node.name]}, which was not imported",
                    "rewrite the expression once that question exists",
                )
            )
        else:
            self.problems.append(
                (
                    codes.MISSING_REFERENCE,
                    f"${{{node.name}}}: no question of that name in the survey sheet",
                    did_you_mean(node.name, self.names) or "check the name",
                )
            )
        return node


def _anchored(pattern: str) -> bool:
    """Whether the whole pattern is tied to both ends: ``^...$`` with no ``|`` at the top
    level (``^a|b$`` is "starts with a, or ends with b")."""
    if not (pattern.startswith("^") and pattern.endswith("$") and not pattern.endswith("\\$")):
        return False
    depth, escaped, in_class = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            return False
    return True


def _anchor_regex(notes: list[str]) -> Callable[[Expr], Expr]:
    def visit(node: Expr) -> Expr:
        if not (isinstance(node, Call) and node.function == "regex" and len(node.args) == 2):
            return node
        pattern = node.args[1]
        if not isinstance(pattern, Literal) or not isinstance(pattern.value, str):
            return node
        if _anchored(pattern.value):
            return node
        notes.append(
            "regex(): ODK finds the pattern anywhere in the answer, fieldkit matches the whole"
            " answer, so the pattern was wrapped in [\\s\\S]*(?:...)[\\s\\S]*"
        )
        wrapped = Literal(f"[\\s\\S]*(?:{pattern.value})[\\s\\S]*", pattern.column)
        return dataclasses.replace(node, args=(node.args[0], wrapped))

    return visit


# -- export helpers -------------------------------------------------------------------------


def _as_paths(expr: Expr, paths: Mapping[str, str], here: str | None, *, across: bool) -> Expr:
    """Every ``${name}`` as its path, printed verbatim: ``../name`` for an answer of the roster
    at ``here``, absolute for any other and for the questions a function reads across members
    (indexed-repeat()'s first two arguments, an aggregate's)."""
    if isinstance(expr, Ref) and expr.name in paths:
        path = paths[expr.name]
        near = not across and here is not None and path.rsplit("/", 1)[0] == here
        return Property(f"../{expr.name}" if near else path, expr.column)
    if isinstance(expr, Binary):
        left = _as_paths(expr.left, paths, here, across=across)
        right = _as_paths(expr.right, paths, here, across=across)
        return dataclasses.replace(expr, left=left, right=right)
    if isinstance(expr, Unary):
        operand = _as_paths(expr.operand, paths, here, across=across)
        return dataclasses.replace(expr, operand=operand)
    if isinstance(expr, Call):
        read = 2 if expr.function == "indexed-repeat" else len(expr.args)
        read = read if expr.function in CROSS_MEMBER else 0
        args = tuple(
            _as_paths(arg, paths, here, across=across or index < read)
            for index, arg in enumerate(expr.args)
        )
        return dataclasses.replace(expr, args=args)
    return expr


def _odk_node(node: Expr) -> Expr:
    if not isinstance(node, Call):
        return node
    if node.function == "position" and not node.args:
        return Property("position(..)", node.column)  # printed verbatim
    if node.function in ("is-dont-know", "is-refused"):
        return Call("false", (), node.column)  # ODK has no such answers: never true there
    if node.function == "regex" and len(node.args) == 2:
        pattern = node.args[1]
        if isinstance(pattern, Literal) and isinstance(pattern.value, str):
            if not _anchored(pattern.value):
                anchored = Literal(f"^(?:{pattern.value})$", pattern.column)
                return dataclasses.replace(node, args=(node.args[0], anchored))
    return node


def _rewrite(expr: Expr, visit: Callable[[Expr], Expr]) -> Expr:
    """``visit`` applied to every node, children first."""
    if isinstance(expr, Binary):
        expr = dataclasses.replace(
            expr, left=_rewrite(expr.left, visit), right=_rewrite(expr.right, visit)
        )
    elif isinstance(expr, Unary):
        expr = dataclasses.replace(expr, operand=_rewrite(expr.operand, visit))
    elif isinstance(expr, Call):
        expr = dataclasses.replace(expr, args=tuple(_rewrite(a, visit) for a in expr.args))
    return visit(expr)
