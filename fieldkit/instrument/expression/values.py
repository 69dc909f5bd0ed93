"""Runtime values of expressions and their ODK-like conversions.

Values are ``bool``, ``int``, ``float``, ``str``, ``tuple[str, ...]`` (a select_multiple
answer), ``datetime.date``, ``datetime.datetime``, ``datetime.time`` and `MISSING`. Nothing
here raises anything but `ExpressionError`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol

from fieldkit.errors import ExpressionError

__all__ = [
    "DONT_KNOW",
    "MISSING",
    "REFUSED",
    "Environment",
    "Missing",
    "Number",
    "clamp",
    "from_days",
    "normalize",
    "parse_number",
    "parse_temporal",
    "runtime_error",
    "scale",
    "to_date",
    "to_number",
    "to_string",
    "truthy",
]

RUNTIME_ERROR = "FK-EXPR-020"
Number = int | float


class Missing:
    """No value. `MISSING` is the one in expressions; `DONT_KNOW` and `REFUSED` are the
    answers "don't know" and "refused", which expressions see as `MISSING` except
    ``is-dont-know()`` and ``is-refused()``."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return self._name  # pickles and copies as the same singleton


MISSING: Final = Missing("MISSING")
DONT_KNOW: Final = Missing("DONT_KNOW")
REFUSED: Final = Missing("REFUSED")


class Environment(Protocol):
    """The answers an expression is evaluated against."""

    def value(self, name: str) -> object:
        """The answer of ``${name}`` here (the same member inside a roster), or `MISSING`."""

    def values(self, name: str) -> Sequence[object]:
        """Every member's answer to a roster question; for a roster, one entry per member."""

    def value_at(self, name: str, member: int) -> object:
        """The answer to roster question ``name`` of member number ``member``, or `MISSING`."""

    def current(self) -> object:
        """The answer ``.`` stands for."""

    def property(self, name: str) -> object:
        """A property of the choice being filtered, or `MISSING`."""

    def position(self) -> int | None:
        """The 1-based member number inside a roster; None at top level."""

    def today(self) -> dt.date: ...

    def now(self) -> dt.datetime: ...


def runtime_error(message: str, hint: str | None = None) -> ExpressionError:
    return ExpressionError(message, code=RUNTIME_ERROR, hint=hint)


# -- normalising what an environment hands over -------------------------------------------

_INT_LIMIT: Final = 2**63
_PLAIN: Final = frozenset({bool, int, float, str, dt.date, dt.datetime, dt.time})


def clamp(number: int) -> Number:
    """Integers stay 64-bit; beyond that they become floats (ODK numbers are doubles)."""
    if -_INT_LIMIT < number < _INT_LIMIT:
        return number
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def normalize(value: object) -> object:
    """The expression value for an answer: markers and None become `MISSING`."""
    kind = type(value)
    if kind in _PLAIN:
        return _plain(value)
    if isinstance(value, Missing) or value is None:
        return MISSING
    if isinstance(value, tuple | list | set | frozenset):
        if kind is tuple and all(type(item) is str for item in value):
            return value
        return tuple(str(item) for item in value)
    return _unusual(value)


def _plain(value: Any) -> object:
    if type(value) is int:
        return clamp(value)
    if type(value) is float and math.isnan(value):
        return MISSING
    return value


def _unusual(value: object) -> object:
    if isinstance(value, bool | dt.date | dt.time):
        return value  # subclasses of the plain types
    if isinstance(value, int):
        return clamp(int(value))
    if isinstance(value, float):
        return _plain(float(value))
    return str(value)


# -- conversions ----------------------------------------------------------------------------

_NUMERIC = re.compile(r"\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)\s*")
_EPOCH: Final = dt.date(1970, 1, 1)
_EPOCH_ORDINAL: Final = _EPOCH.toordinal()
_EPOCH_TIME: Final = dt.datetime(1970, 1, 1)


def truthy(value: object) -> bool:
    """XPath boolean(): empty, zero and false are false; everything else is true."""
    if type(value) is bool:
        return value
    if value is MISSING or isinstance(value, Missing):
        return False
    if isinstance(value, int | float):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str | tuple):
        return len(value) > 0
    return True


def to_string(value: object) -> str:
    """XPath string(): ``MISSING`` is ``''``, ``2.0`` is ``'2'``, choices are space-joined."""
    if type(value) is str:
        return value
    if isinstance(value, Missing):
        return ""
    for kind, text in _TEXTS:
        if isinstance(value, kind):
            return text(value)
    return str(value)


def _float_text(value: float) -> str:
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


_TEXTS: Final[tuple[tuple[type[Any], Callable[[Any], str]], ...]] = (
    (bool, lambda value: "true" if value else "false"),
    (int, lambda value: str(int(value))),
    (float, lambda value: _float_text(float(value))),
    (tuple, lambda value: " ".join(str(item) for item in value)),
    (dt.date, lambda value: value.isoformat()),
    (dt.time, lambda value: value.isoformat()),
)


def parse_number(text: str) -> Number | None:
    """``'12'`` is 12, ``' 2.5 '`` is 2.5; anything else (``'1e3'``, ``'nan'``) is None."""
    if _NUMERIC.fullmatch(text) is None:
        return None
    text = text.strip()
    if "." in text:
        return float(text)
    try:
        return clamp(int(text))
    except ValueError:  # more digits than Python converts
        return float(text)


def to_number(value: object) -> Number | Missing:
    """XPath number(): dates count days since 1970-01-01; non-numbers are `MISSING`."""
    if type(value) is int or type(value) is float:
        return value
    if type(value) is bool:
        return int(value)
    if isinstance(value, str | tuple):
        number = parse_number(to_string(value))
        return MISSING if number is None else number
    scaled = scale(value)
    return MISSING if scaled is None else scaled


def scale(value: object) -> Number | None:
    """Numbers as they are; dates, date-times and times as days."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.datetime):
        offset = value.utcoffset() or dt.timedelta(0)
        local = (value.replace(tzinfo=None) - _EPOCH_TIME).total_seconds()
        return (local - offset.total_seconds()) / 86400
    if isinstance(value, dt.date):
        return value.toordinal() - _EPOCH_ORDINAL
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    return None


def parse_temporal(text: str) -> object:
    text = text.strip()
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat, dt.time.fromisoformat):
        try:
            return parse(text)
        except ValueError:
            continue
    return None


def to_date(value: object) -> dt.date | Missing:
    """date(): a date from text (``'2020-01-31'``), a date-time or a number of days."""
    if isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    if isinstance(value, str):
        return _date_from_text(value)
    number = to_number(value)
    return MISSING if isinstance(number, Missing) else from_days(number)


def _date_from_text(text: str) -> dt.date | Missing:
    if not text.strip():
        return MISSING
    parsed = parse_temporal(text)
    if isinstance(parsed, dt.date):
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed
    raise runtime_error(f"{text!r} is not a date", hint="write a date as 'YYYY-MM-DD'")


def from_days(days: Number) -> dt.date:
    try:
        return dt.date.fromordinal(_EPOCH_ORDINAL + math.floor(days))
    except (OverflowError, ValueError):
        raise runtime_error(f"{to_string(days)} days is out of the range of dates") from None
