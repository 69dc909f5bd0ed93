"""Value types of expressions, and the scope the type checker resolves ``${name}`` in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

__all__ = ["DictScope", "Scope", "Symbol", "ValueType", "describe"]


class ValueType(StrEnum):
    BOOLEAN = "boolean"
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    TIME = "time"
    CHOICE = "choice"  # a select_one answer
    CHOICES = "choices"  # a select_multiple answer
    GEOPOINT = "geopoint"
    ROSTER = "roster"  # a repeat itself: it can only be counted
    ANY = "any"  # unknown: compatible with everything


_DESCRIPTIONS = {
    ValueType.BOOLEAN: "a true/false value",
    ValueType.NUMBER: "a number",
    ValueType.STRING: "a text",
    ValueType.DATE: "a date",
    ValueType.DATETIME: "a date and time",
    ValueType.TIME: "a time",
    ValueType.CHOICE: "a select_one answer",
    ValueType.CHOICES: "a select_multiple answer",
    ValueType.GEOPOINT: "a geopoint",
    ValueType.ROSTER: "a roster",
    ValueType.ANY: "any value",
}


def describe(types: Iterable[ValueType]) -> str:
    """``describe([NUMBER, DATE]) == "a number or a date"``, for messages (in enum order)."""
    order = list(ValueType)
    return " or ".join(_DESCRIPTIONS[t] for t in sorted(set(types), key=order.index))


@dataclass(frozen=True, slots=True)
class Symbol:
    """A name an expression may refer to: a question, a calculation or a roster."""

    name: str
    type: ValueType
    repeat: str | None = None  # the roster it is asked in; None at top level


class Scope(Protocol):
    """What the type checker needs to know about where an expression is written."""

    def lookup(self, name: str) -> Symbol | None: ...

    def names(self) -> Iterable[str]: ...

    @property
    def current_repeat(self) -> str | None:
        """The roster the expression's question is in (None: top level)."""

    @property
    def current_type(self) -> ValueType | None:
        """The type of ``.`` (None: there is no current answer here)."""

    @property
    def properties(self) -> frozenset[str] | None:
        """Choice properties usable as bare names (None: bare names are not allowed)."""


@dataclass(frozen=True)
class DictScope:
    """A ready-made `Scope` over a mapping of symbols (for tests and simple callers)."""

    symbols: Mapping[str, Symbol] = field(default_factory=dict)
    current_repeat: str | None = None
    current_type: ValueType | None = None
    properties: frozenset[str] | None = None

    @classmethod
    def of(
        cls,
        *symbols: Symbol,
        current_repeat: str | None = None,
        current_type: ValueType | None = None,
        properties: frozenset[str] | None = None,
    ) -> DictScope:
        table = {symbol.name: symbol for symbol in symbols}
        return cls(table, current_repeat, current_type, properties)

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> Iterable[str]:
        return self.symbols.keys()
