"""Analysis tables: variables with their metadata, values kept by column.

A :class:`Table` holds its values column by column (one list per variable), so a derived
variable is one more list and a tabulation reads only the columns it needs. Writers read
tables through the small :class:`Rows` protocol (``name``, ``variables``, ``rows()``), so a
:class:`StreamTable` fed by an iterator can be exported without holding it in memory.

Cells are ``int``, ``float``, ``str``, ``None`` (not asked, not applicable) or one of the
extended missing codes in :class:`Special` (don't know, refused), kept apart from ``None``
as Stata's ``.d`` and ``.r`` are.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from types import MappingProxyType
from typing import Any, Protocol

from fieldkit.dataset.errors import DatasetError
from fieldkit.instrument.schema import DisaggregationRole

__all__ = [
    "Cell",
    "Rows",
    "Special",
    "StreamTable",
    "Table",
    "VarType",
    "Variable",
]

Text = Mapping[str, str]


class Special(Enum):
    """Extended missing codes: an answer was asked but not given (Stata .d / .r)."""

    DONT_KNOW = ".d"
    REFUSED = ".r"

    @property
    def spss_code(self) -> int:
        """The user-missing code written to SPSS files (negative: never a real value)."""
        return -98 if self is Special.DONT_KNOW else -99

    @property
    def meaning(self) -> str:
        return "don't know" if self is Special.DONT_KNOW else "refused"

    def __str__(self) -> str:
        return self.value


Cell = int | float | str | Special | None


class VarType(StrEnum):
    KEY = "key"
    """An identifier of the row (interview id, member number): never a person's identity."""
    INTEGER = "integer"
    DECIMAL = "decimal"
    TEXT = "text"
    CODE = "code"
    """A code from a list, with value labels (select_one, derived categories)."""
    FLAG = "flag"
    """0/1 (one choice of a select_multiple, a derived indicator)."""
    DATE = "date"
    TIME = "time"
    DATETIME = "datetime"

    @property
    def numeric(self) -> bool:
        return self in (VarType.INTEGER, VarType.DECIMAL, VarType.FLAG)


def _frozen(mapping: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Variable:
    """One column and everything a codebook says about it."""

    name: str
    label: Text
    type: VarType
    value_labels: Mapping[Cell, Text] = field(default_factory=lambda: _frozen({}))
    """Code → label per language."""
    role: DisaggregationRole | None = None
    question: str | None = None
    """The question it comes from (None for metadata and derived variables)."""
    origin: str = "question"
    """question, metadata, design (copied from the interview), or derived."""
    definition: str | None = None
    """For a derived variable: how it is computed, in words."""
    source: str | None = None
    """For a derived variable: the published definition it follows."""
    universe: str | None = None
    """Who has a value, in words (the question's relevance, or a derived variable's age
    range), in the form's default language."""
    missing: tuple[Special, ...] = ()
    """Extended missing codes that may appear."""
    universe_text: Text = field(default_factory=lambda: _frozen({}))
    """The universe per language, where it names questions by their labels."""

    def text(self, language: str) -> str:
        return _pick(self.label, language) or self.name

    def universe_in(self, language: str) -> str:
        return _pick(self.universe_text, language) or self.universe or ""

    def value_text(self, code: Cell, language: str) -> str | None:
        label = self.value_labels.get(code)
        return None if label is None else _pick(label, language)

    @property
    def numeric_codes(self) -> bool:
        """A coded variable whose codes are all whole numbers (Stata/SPSS value labels)."""
        return bool(self.value_labels) and all(
            isinstance(code, int) and not isinstance(code, bool) for code in self.value_labels
        )

    def renamed(self, name: str) -> Variable:
        return replace(self, name=name)


def _pick(text: Text, language: str) -> str:
    if not text:
        return ""
    return text.get(language) or next(iter(text.values()))


class Rows(Protocol):
    """What writers read: a name, the variables in order, and the rows as tuples."""

    @property
    def name(self) -> str: ...

    @property
    def variables(self) -> tuple[Variable, ...]: ...

    @property
    def n_rows(self) -> int | None: ...

    def rows(self) -> Iterator[Sequence[Cell]]: ...


class Table:
    """An analysis table held in memory, one list per variable."""

    def __init__(self, name: str, variables: Iterable[Variable], label: Text | None = None) -> None:
        self.name = name
        self.label: Text = _frozen(label)
        self._variables: list[Variable] = []
        self._columns: list[list[Cell]] = []
        self._index: dict[str, int] = {}
        for variable in variables:
            self._add_variable(variable, [])

    @property
    def variables(self) -> tuple[Variable, ...]:
        return tuple(self._variables)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self._variables)

    @property
    def n_rows(self) -> int:
        return len(self._columns[0]) if self._columns else 0

    def __len__(self) -> int:
        return self.n_rows

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def variable(self, name: str) -> Variable:
        return self._variables[self._position(name)]

    def column(self, name: str) -> list[Cell]:
        """The values of one variable (the table's own list: do not change it)."""
        return self._columns[self._position(name)]

    def append(self, row: Sequence[Cell]) -> None:
        if len(row) != len(self._columns):
            raise ValueError(f"{self.name}: row of {len(row)} cells for {len(self._columns)}")
        for values, cell in zip(self._columns, row, strict=True):
            values.append(cell)

    def extend(self, rows: Iterable[Sequence[Cell]]) -> None:
        for row in rows:
            self.append(row)

    def add_column(self, variable: Variable, values: Sequence[Cell]) -> None:
        """Add (or replace) a variable; ``values`` has one cell per row."""
        if self._columns and len(values) != self.n_rows:
            raise ValueError(f"{variable.name}: {len(values)} values for {self.n_rows} rows")
        if variable.name in self._index:
            position = self._index[variable.name]
            self._variables[position] = variable
            self._columns[position] = list(values)
            return
        self._add_variable(variable, list(values))

    def rows(self) -> Iterator[tuple[Cell, ...]]:
        return zip(*self._columns, strict=True) if self._columns else iter(())

    def records(self) -> Iterator[dict[str, Cell]]:
        """Rows as name → value dicts (for tests and small tables)."""
        names = self.names
        for row in self.rows():
            yield dict(zip(names, row, strict=True))

    def select(self, keep: Callable[[dict[str, Cell]], bool]) -> Table:
        """A new table with the rows for which ``keep(record)`` is true."""
        table = Table(self.name, self._variables, self.label)
        for record in self.records():
            if keep(record):
                table.append(tuple(record.values()))
        return table

    def _position(self, name: str) -> int:
        try:
            return self._index[name]
        except KeyError:
            raise DatasetError(
                f"table '{self.name}' has no variable '{name}'",
                code="FK-DATA-007",
                hint=_suggest(name, self._index),
            ) from None

    def _add_variable(self, variable: Variable, values: list[Cell]) -> None:
        if variable.name in self._index:
            raise ValueError(f"{self.name}: variable '{variable.name}' twice")
        self._index[variable.name] = len(self._variables)
        self._variables.append(variable)
        self._columns.append(values)


class StreamTable:
    """A table read from an iterator each time it is written (for very large exports)."""

    def __init__(
        self,
        name: str,
        variables: Iterable[Variable],
        source: Callable[[], Iterable[Sequence[Cell]]],
        n_rows: int | None = None,
    ) -> None:
        self.name = name
        self._variables = tuple(variables)
        self._source = source
        self._n_rows = n_rows

    @property
    def variables(self) -> tuple[Variable, ...]:
        return self._variables

    @property
    def n_rows(self) -> int | None:
        return self._n_rows

    def rows(self) -> Iterator[Sequence[Cell]]:
        return iter(self._source())


def _suggest(name: str, known: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean '{close[0]}'?" if close else None
