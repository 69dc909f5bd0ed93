"""Typed answers: parse what the enumerator typed, and convert to and from stored records.

In the engine an answer is an ``int``, ``float``, ``str`` (text, select_one value, geopoint
``"lat lon alt acc"``), ``tuple[str, ...]`` (select_multiple, in the choices' order),
``datetime.date``/``time``/``datetime``, or one of the markers `DONT_KNOW`, `REFUSED` and
the store's `SEALED` (an identifying answer: given, but not readable back). Stored records
hold JSON values: dates as ISO text, choices as a list.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Final

from fieldkit.capture.keys import Coded, read_choices, read_one
from fieldkit.capture.messages import DONT_KNOW_WORDS, HIDDEN, REFUSED_WORDS, answer_error, say
from fieldkit.capture.prompts import ChoiceView
from fieldkit.errors import AnswerError
from fieldkit.instrument.expression import DONT_KNOW, MISSING, REFUSED
from fieldkit.instrument.expression.values import to_string
from fieldkit.instrument.schema import QuestionType as T
from fieldkit.store import SEALED
from fieldkit.store.records import AnswerStatus, JsonValue

__all__ = [
    "EMPTY",
    "from_record",
    "parse_answer",
    "show",
    "status_of",
    "to_json",
]

TYPE_ERROR = "FK-ANS-001"
CHOICE_ERROR = "FK-ANS-004"
SELECTS: Final = (T.SELECT_ONE, T.SELECT_MULTIPLE)
SPECIAL_ERROR = "FK-ANS-005"


EMPTY: Final = MISSING
"""What a blank input parses to: no answer."""

_INTEGER = re.compile(r"[-+]?\d+")
_DECIMAL = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2}(?::\d{2})?)")
_GROUPED = re.compile(r"[-+]?[1-9]\d{0,2},\d{3}")
_GEO_SPACED = re.compile(r"[\s;]")
_GEO_SEPARATORS = re.compile(r"\s*;\s*|\s*,\s+|\s+")
_INT_LIMIT: Final = 2**63


# -- parsing typed input ----------------------------------------------------------------------


def parse_answer(
    kind: T,
    raw: object,
    choices: Sequence[ChoiceView],
    known: frozenset[str],
    *,
    allow_dont_know: bool,
    allow_refused: bool,
    language: str,
) -> object:
    """The typed answer for ``raw`` (typed text, a `Coded` value or an already typed value),
    `EMPTY` for a blank.

    ``choices`` are those shown (filtered), with the keys the enumerator types (``keys.py``);
    ``known`` every value of the question's list, so a value filtered out is told apart from
    a typing error. Raises `AnswerError`.
    """
    inner = raw.value if isinstance(raw, Coded) else raw
    chosen = isinstance(raw, Coded) and kind in SELECTS and _token(inner) in known
    special = None if chosen else _special(inner, allow_dont_know, allow_refused, language)
    if special is not None:
        return special
    if _blank(inner):
        return EMPTY
    if kind is T.SELECT_ONE:
        return read_one(raw, choices, known, language)
    if kind is T.SELECT_MULTIPLE:
        return read_choices(raw, choices, known, language) or EMPTY
    if isinstance(inner, str):
        return _PARSERS.get(kind, _text)(inner.strip(), language)
    return _typed(kind, inner, language)


def _blank(raw: object) -> bool:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return True
    return isinstance(raw, list | tuple) and not raw


def _special(raw: object, allow_dk: bool, allow_rf: bool, language: str) -> object:
    word = raw.strip().lower() if isinstance(raw, str) else None
    if raw is DONT_KNOW or (word is not None and word in DONT_KNOW_WORDS):
        if not allow_dk:
            raise answer_error(SPECIAL_ERROR, "no_dont_know", language)
        return DONT_KNOW
    if raw is REFUSED or (word is not None and word in REFUSED_WORDS):
        if not allow_rf:
            raise answer_error(SPECIAL_ERROR, "no_refused", language)
        return REFUSED
    return None


def _token(raw: object) -> str:
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return str(int(raw))
    return str(raw)


def _integer(text: str, language: str) -> int:
    if _INTEGER.fullmatch(text) is None or len(text) > 19:
        raise answer_error(TYPE_ERROR, "integer", language)
    return _bounded(int(text), language)


def _bounded(number: int, language: str) -> int:
    if not -_INT_LIMIT < number < _INT_LIMIT:
        raise answer_error(TYPE_ERROR, "integer", language)
    return number


def _decimal(text: str, language: str) -> float:
    """A point or a comma before the decimals; never a comma that may group thousands."""
    if _DECIMAL.fullmatch(text) is None or len(text) > 40:
        raise answer_error(TYPE_ERROR, "decimal", language)
    if _GROUPED.fullmatch(text):  # 1,532: 1532 to one enumerator, 1.532 to another
        raise answer_error(TYPE_ERROR, "grouped", language, token=text)
    return float(text.replace(",", "."))


def _date(text: str, language: str) -> dt.date:
    if _DATE.fullmatch(text) is None:
        raise answer_error(TYPE_ERROR, "date", language)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise answer_error(TYPE_ERROR, "date", language) from None


def _time(text: str, language: str) -> dt.time:
    if _TIME.fullmatch(text) is None:
        raise answer_error(TYPE_ERROR, "time", language)
    hours, _, rest = text.partition(":")
    try:
        return dt.time.fromisoformat(f"{int(hours):02d}:{rest}")
    except ValueError:
        raise answer_error(TYPE_ERROR, "time", language) from None


def _datetime(text: str, language: str) -> dt.datetime:
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise answer_error(TYPE_ERROR, "datetime", language)
    day = _date(match.group(1), language)
    moment = _time(match.group(2), language)
    return dt.datetime.combine(day, moment)


def _geopoint(text: str, language: str) -> str:
    """Numbers apart by spaces or semicolons (a comma too when followed by a space), or by
    commas alone when there is nothing else: ``5,6 -1,2`` is refused, not read as four
    numbers (5, 6, -1, 2) when it meant two with decimal commas."""
    text = text.strip()
    spaced = _GEO_SPACED.search(text) is not None
    parts = _GEO_SEPARATORS.split(text) if spaced else text.split(",")
    numbers: list[float] = []
    for part in parts:
        if _DECIMAL.fullmatch(part) is None or "," in part:
            raise answer_error(TYPE_ERROR, "geopoint", language)
        numbers.append(float(part))
    if not 2 <= len(numbers) <= 4 or not -90 <= numbers[0] <= 90 or not -180 <= numbers[1] <= 180:
        raise answer_error(TYPE_ERROR, "geopoint", language)
    if len(numbers) == 4 and numbers[3] < 0:
        raise answer_error(TYPE_ERROR, "geopoint", language)
    return " ".join(to_string(n) for n in numbers)


def _text(text: str, language: str) -> str:
    return text


_PARSERS: Final[dict[T, Callable[[str, str], object]]] = {
    T.INTEGER: _integer,
    T.DECIMAL: _decimal,
    T.DATE: _date,
    T.TIME: _time,
    T.DATETIME: _datetime,
    T.GEOPOINT: _geopoint,
    T.TEXT: _text,
}


_EXACT_TYPES: Final[dict[T, type]] = {
    T.INTEGER: int,
    T.DATE: dt.date,
    T.DATETIME: dt.datetime,
    T.TIME: dt.time,
}


def _typed(kind: T, raw: object, language: str) -> object:
    """An answer passed as a Python value: check it has the question's type."""
    if type(raw) is _EXACT_TYPES.get(kind):
        return _bounded(raw, language) if isinstance(raw, int) else raw
    if kind in (T.TEXT, T.NOTE):
        return str(raw)
    parser = _PARSERS.get(kind)
    if parser is not None and type(raw) in (int, float):
        return parser(to_string(raw), language)
    raise answer_error(TYPE_ERROR, str(kind) if kind in _PARSERS else "text", language)


# -- records and display ----------------------------------------------------------------------


def status_of(value: object) -> AnswerStatus:
    if value is DONT_KNOW:
        return AnswerStatus.DONT_KNOW
    if value is REFUSED:
        return AnswerStatus.REFUSED
    return AnswerStatus.ANSWERED


def to_json(value: object) -> JsonValue:
    """The stored form of an engine value (None for the markers: the status says why)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, tuple | list):
        return [str(item) for item in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return None  # MISSING, DONT_KNOW, REFUSED, SEALED


def from_record(kind: T, value: object, status: AnswerStatus) -> object:
    """The engine value of a stored answer (None: no answer); `SEALED` stays sealed."""
    special = _SPECIAL_STATUS.get(status)
    if special is not None or value is SEALED or value is None:
        return special if special is not None else value
    if kind is T.SELECT_MULTIPLE and isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    if kind is T.DECIMAL and isinstance(value, int | float):
        return float(value)
    converter = _FROM_TEXT.get(kind)
    return converter(value) if converter is not None and isinstance(value, str) else value


_SPECIAL_STATUS: Final[dict[AnswerStatus, object]] = {
    AnswerStatus.DONT_KNOW: DONT_KNOW,
    AnswerStatus.REFUSED: REFUSED,
    AnswerStatus.CLEARED: None,
}
_FROM_TEXT: Final[dict[T, Callable[[str], object]]] = {
    T.DATE: dt.date.fromisoformat,
    T.TIME: dt.time.fromisoformat,
    T.DATETIME: dt.datetime.fromisoformat,
}


def show(
    value: object, kind: T, labels: dict[str, str], language: str, *, pii: bool = False
) -> str:
    """An answer for display: choice labels, the special answers in words, pii hidden."""
    if value is DONT_KNOW or value is REFUSED:
        return say("dont_know" if value is DONT_KNOW else "refused", language)
    if pii or value is SEALED:
        return HIDDEN
    if isinstance(value, str):
        return labels.get(value, value) if kind is T.SELECT_ONE else value
    if isinstance(value, tuple):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if isinstance(value, float):
        return to_string(value)
    json = to_json(value)
    return "" if json is None else str(json)


def check_exclusive(picked: tuple[str, ...], exclusive: str, language: str) -> None:
    """``exclusive`` (e.g. "nobody") may not be picked with anything else."""
    if exclusive in picked and len(picked) > 1:
        raise AnswerError(say("exclusive", language, token=exclusive), code=CHOICE_ERROR)
