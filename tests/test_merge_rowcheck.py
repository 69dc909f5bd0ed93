"""The checks written for speed (SQL of the interview times, one regular expression over an
answers' times or an event log) agree with a plain Python reading of the same text."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldkit.merge.rowsql import stored_time
from fieldkit.merge.textcheck import log_problem, times_problem

_SHAPE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
_SQL = sqlite3.connect(":memory:")


def _reference(text: str) -> bool:
    """What the store can read back: SQLAlchemy's SQLite format, a real moment."""
    if _SHAPE.fullmatch(text) is None:
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _sql(text: str) -> bool:
    found = _SQL.execute(f"SELECT coalesce(({stored_time('?1')}), 0)", (text,)).fetchone()
    return bool(found[0])


moments = st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31))
stored = moments.map(lambda m: m.strftime("%Y-%m-%d %H:%M:%S.%f").zfill(26))


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = list(draw(stored))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text) - 1))
        text[position] = draw(st.sampled_from("0123456789-: .TZ+\x00x/"))
    if draw(st.booleans()):
        text.append(draw(st.sampled_from(" Z0\x00")))
    return "".join(text)


@settings(max_examples=400)
@given(st.one_of(stored, damaged()))
def test_time_checks_agree_with_python(text: str) -> None:
    expected = _reference(text)
    assert _sql(text) is expected
    assert (times_problem(text) is None) is expected
    assert (times_problem(f"{text},{text}") is None) is expected


def test_leap_days() -> None:
    assert times_problem("2028-02-29 10:00:00.000000") is None
    assert times_problem("2027-02-29 10:00:00.000000") is not None
    assert not _sql("2027-02-29 10:00:00.000000") and _sql("2028-02-29 23:59:59.999999")


def _log(*events: list[object]) -> str:
    """An event log as SQLite's json_group_array(json_array(...)) writes it."""
    rows = ",".join(
        _SQL.execute("SELECT json_array(?, ?, ?, ?, ?, ?)", tuple(event)).fetchone()[0]
        for event in events
    )
    return f"[{rows}]"


GOOD = ["2027-02-01 09:00:00.000000", "answer", "cluster", 0, 1200, None]


def test_a_laptops_event_log_passes_and_each_odd_field_fails() -> None:
    assert log_problem("[]") is None
    assert log_problem(_log(GOOD, [*GOOD[:2], None, 3, None, 'say "hi"\n\x01'])) is None
    odd = {
        0: ["2027-02-30 09:00:00.000000", 17, "x"],
        1: ["Answer", "", "a" * 33, 5],
        2: ["", "a\x00b", "a" * 129, 4],
        3: [-1, 501, "0", 1.5, None],
        4: [-5, "12", 1.5, 10**17],
        5: [7],
    }
    for field, values in odd.items():
        for value in values:
            event = list(GOOD)
            event[field] = value
            assert log_problem(_log(event)) is not None, (field, value)
    assert json.loads(_log(GOOD)) == [GOOD]


def test_event_details_are_bounded_and_never_on_an_identifying_question() -> None:
    longest = [*GOOD[:5], "é" * 500]
    assert log_problem(_log(longest)) is None
    assert log_problem(_log([*GOOD[:5], "é" * 501])) is not None
    identifying = frozenset({"cluster", "hh.size"})
    assert log_problem(_log(GOOD), identifying) is None  # no detail: fine
    assert log_problem(_log([*GOOD[:5], "head of household"]), identifying) is not None
    on_other = [GOOD[0], "answer", "district", 0, None, "typed slowly"]
    assert log_problem(_log(on_other), identifying) is None
    not_a_pattern = [GOOD[0], "answer", "hh_size", 0, None, "x"]  # '.' is not a wildcard
    assert log_problem(_log(not_a_pattern), identifying) is None
