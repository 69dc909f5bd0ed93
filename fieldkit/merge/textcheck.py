"""Checks of texts the facts queries already hand back whole, by one regular expression each.

Per interview the merge receives its paradata packed into one JSON event log (SQLite's
``json_group_array``, the text the store keeps) and, here, its answers' times joined by
commas. Matching those texts against a compiled pattern checks every event and every time
in one pass of C over a few hundred bytes, where the same checks in SQL cost a string
function call per field and row (``bench/README.md``: the merge's cost per row is the budget).

An event of the log, as ``fieldkit.store.rows.add_events`` writes it::

    ["YYYY-MM-DD HH:MM:SS.ffffff", "event", "question" | null, member, elapsed_ms | null,
     "detail" | null]

with the event name the store's own rule (lower-case letters and ``_``, 1-32), a question name
1-128 characters without control characters, a member 0-500 and a whole number of
milliseconds. A time is the store's format, of a day that exists and an hour below 24.
"""

from __future__ import annotations

import calendar
import functools
import json
import re

__all__ = ["log_problem", "times_problem"]

_YEAR = r"(?!0000)\d{4}"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|02-(?:0[1-9]|1\d|2\d))"
)
_TIME = rf"{_YEAR}-{_MONTH_DAY} (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{{6}}"
_LEAP_DAY = re.compile(r"(\d{4})-02-29 ")

_NAME = r'"[^"\\\x00-\x1f\x7f]{1,128}+"'
_DETAIL = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4}){0,500}+"'
"""At most 500 characters (an escape is one), as ``fieldkit.store.inputs.EventInput``."""
_MEMBER = r"(?:500|[1-4]\d\d|[1-9]\d|\d)"
_ELAPSED = r"(?:0|[1-9]\d{0,15}+)"
_TIMES = re.compile(rf"{_TIME}(?:,{_TIME})*+")


@functools.lru_cache(maxsize=64)
def _log_pattern(identifying: frozenset[str]) -> re.Pattern[str]:
    """The event log of a form whose identifying questions are ``identifying``: an event on
    one of them has no detail (the store drops it: it could hold the answer)."""
    tail = rf",{_MEMBER},(?:null|{_ELAPSED}),"
    question = rf"(?:null|{_NAME}){tail}(?:null|{_DETAIL})"
    if identifying:
        names = "|".join(
            re.escape(json.dumps(name, ensure_ascii=False)) for name in sorted(identifying)
        )
        question = rf"(?:(?:{names}){tail}null|(?!(?:{names}),){question})"
    event = rf'\["{_TIME}","[a-z_]{{1,32}}+",{question}\]'
    return re.compile(rf"\[(?:{event}(?:,{event})*+)?\]")


def log_problem(log: str, identifying: frozenset[str] = frozenset()) -> str | None:
    """Why an interview's packed event log holds an event the laptop would not write."""
    if _log_pattern(identifying).fullmatch(log) is None:
        return (
            "an event the laptop would not write (its time, name, question, member, elapsed "
            "time, or a detail: too long, or on an identifying question)"
        )
    if _no_leap_day(log):
        return "an event time on 29 February of a year that has none"
    return None


def times_problem(times: str) -> str | None:
    """Why a comma-joined list of stored times holds one that is not a stored time."""
    if _TIMES.fullmatch(times) is None or _no_leap_day(times):
        return "an answer time that is not a stored time"
    return None


def _no_leap_day(text: str) -> bool:
    if "-02-29 " not in text:
        return False
    return any(not calendar.isleap(int(year)) for year in _LEAP_DAY.findall(text))
