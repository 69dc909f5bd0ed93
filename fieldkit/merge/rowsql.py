"""SQL that judges one stored value: a shape, a range, a time, a value of a question's type.

Each function returns a SQL condition (true when the value is one the laptop store writes)
over the expression it is given; ``fieldkit.merge.rowcheck`` puts them together per table.
SQLite's own functions are the reference where they are strict enough (``date()`` for real
days, ``json_valid``/``json_type`` for JSON), GLOB patterns where they are not.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "HEX",
    "UUID",
    "listed",
    "no_nul",
    "number",
    "short_text",
    "stored_time",
    "typed_value",
]


def listed(values: Iterable[str]) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def no_nul(x: str) -> str:
    return f"instr(CAST({x} AS BLOB), x'00') = 0"


def number(x: str, low: int, high: int) -> str:
    return f"typeof({x}) = 'integer' AND {x} BETWEEN {low} AND {high}"


def short_text(x: str, longest: int) -> str:
    """1..longest characters, no control character (the store's ``Name``/``Short`` rule)."""
    return (
        f"typeof({x}) = 'text' AND length({x}) BETWEEN 1 AND {longest} AND {no_nul(x)} "
        f"AND NOT {x} GLOB '*[' || char(1) || '-' || char(31) || char(127) || ']*'"
    )


def _day(x: str) -> str:
    """``x`` (YYYY-MM-DD, its shape checked by the caller) is a real day: days 01-28 of
    months 01-12 always are; SQLite's date() is asked only about the rest (it moves Feb 30
    to March, so a day that does not exist does not come back equal)."""
    return (
        f"substr({x}, 6, 2) BETWEEN '01' AND '12' AND substr({x}, 1, 4) != '0000' "
        f"AND (substr({x}, 9, 2) BETWEEN '01' AND '28' OR date({x}, '+0 days') = {x})"
    )


_D = "[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]"
_T = "[0-2][0-9]:[0-5][0-9]:[0-5][0-9]"
_F = ".[0-9][0-9][0-9][0-9][0-9][0-9]"
_Z = "[+-][0-2][0-9]:[0-5][0-9]"


def stored_time(x: str) -> str:
    """A stored time, as SQLAlchemy writes it on SQLite: ``YYYY-MM-DD HH:MM:SS.ffffff``.

    Cheap checks first (this runs for every answer and event): 26 bytes (a NUL, or anything
    after one, would make more), the separators in place, then SQLite's own ``julianday``
    (digits, month, day up to 31, minutes, seconds), a last digit (julianday would take a
    time zone there), an hour below 24 and a day that exists (``_day``). A fuzz test holds
    this equal to Python's ``datetime.fromisoformat`` on the same shape."""
    return (
        f"typeof({x}) = 'text' AND length(CAST({x} AS BLOB)) = 26 "
        f"AND {x} GLOB '????-??-?? ??:??:??.??????' AND julianday({x}) IS NOT NULL "
        f"AND substr({x}, 26) BETWEEN '0' AND '9' AND {x} >= '0001' "
        f"AND substr({x}, 12, 2) < '24' AND (substr({x}, 9, 2) < '29' "
        f"OR date(substr({x}, 1, 10), '+0 days') = substr({x}, 1, 10))"
    )


def _quoted(pattern: str) -> str:
    """``a.value`` is a JSON string of exactly this GLOB shape (no escapes can match)."""
    return f"a.value GLOB '\"{pattern}\"'"


def _iso_date() -> str:
    return f"{_quoted(_D)} AND {_day('substr(a.value, 2, 10)')}"


def _iso_time() -> str:
    return f"({_quoted(_T)} OR {_quoted(_T + _F)}) AND substr(a.value, 2, 2) < '24'"


def _iso_datetime() -> str:
    shapes = " OR ".join(_quoted(f"{_D}T{_T}{tail}") for tail in ("", _F, _Z, _F + _Z))
    return f"({shapes}) AND substr(a.value, 13, 2) < '24' AND {_day('substr(a.value, 2, 10)')}"


HEX = "[0-9a-f]"
UUID = "-".join(HEX * n for n in (8, 4, 4, 4, 12))
_MAX_FLOAT = "1.7976931348623157e308"
_NUMBER = "a.value GLOB '[0-9-]*'"
_INTEGER = (
    f"{_NUMBER} AND NOT a.value GLOB '*[.eE]*' "
    "AND (length(a.value) < 19 OR typeof(json_extract(a.value, '$')) = 'integer')"
)
"""Given ``json_valid(a.value)`` and no leading space (json.dumps writes none), the first
character tells the JSON type; a 64-bit integer has at most 19 digits and a sign, and
SQLite reads anything longer as a real."""
_DECIMAL = (
    f"{_NUMBER} AND length(a.value) <= 32 "
    f"AND (NOT a.value GLOB '*[eE]*' OR abs(json_extract(a.value, '$')) <= {_MAX_FLOAT})"
)
_TEXTS = "NOT EXISTS (SELECT 1 FROM json_each(a.value) e WHERE e.type != 'text')"


def _choices(form: str) -> str:
    return f"temp.fk_choices c WHERE c.form_hash = {form} AND c.question = q.name"


def _typed(form: str) -> dict[str, str]:
    """The stored value (JSON text) of an answered question, by the question's type: what
    ``fieldkit.capture.values.to_json`` makes of what was typed, dumped by ``json.dumps``."""
    return {
        "integer": _INTEGER,
        "decimal": _DECIMAL,
        "text": "a.value GLOB '\"*'",
        # compared as the laptop writes them (json.dumps of the choice value)
        "select_one": "c.json IS NOT NULL",  # the LEFT JOIN found the choice as json.dumps wrote it
        "select_multiple": (
            "a.value GLOB '[[]*' AND json_array_length(a.value) >= 1 "
            "AND NOT EXISTS (SELECT 1 FROM json_each(a.value) e WHERE e.type != 'text' "
            f"OR NOT EXISTS (SELECT 1 FROM {_choices(form)} AND c.value = e.value)) "
            "AND (SELECT count(DISTINCT e.value) FROM json_each(a.value) e) "
            "= json_array_length(a.value)"
        ),
        "date": _iso_date(),
        "time": _iso_time(),
        "datetime": _iso_datetime(),
        "geopoint": (
            "a.value GLOB '\"*\"' AND length(a.value) BETWEEN 5 AND 102 "
            "AND NOT substr(a.value, 2, length(a.value) - 2) GLOB '*[^0-9.eE +-]*'"
        ),
        "calculate": (
            "CASE substr(a.value, 1, 1) WHEN '\"' THEN 1 "
            f"WHEN '[' THEN {_TEXTS} ELSE {_DECIMAL} AND (a.value GLOB '*[.eE]*' OR {_INTEGER}) END"
        ),
    }


def typed_value(form: str) -> str:
    """True when ``a.value`` is a value of its question ``q``'s type; ``form``: SQL for the
    interview's form hash (choices are per form)."""
    whens = " ".join(f"WHEN '{kind}' THEN {check}" for kind, check in _typed(form).items())
    return f"CASE q.type {whens} ELSE 0 END"
