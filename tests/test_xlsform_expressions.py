"""XLSForm expressions to fieldkit's and back: what changes, and why."""

from __future__ import annotations

import re

import pytest

from fieldkit.instrument.expression import parse
from fieldkit.instrument.expression.functions import compile_pattern
from fieldkit.xlsform.expressions import from_xlsform, to_odk, without_paths

NAMES = {"age": "age", "HH-Size": "hh_size", "work": "work", "members": "members"}


def _in(text: str) -> str | None:
    return from_xlsform(
        text, NAMES, {"today": "today", "start": "start"}, {"photo": "survey!B9"}
    ).text


@pytest.mark.parametrize(
    ("odk", "fieldkit"),
    [
        ("${age} >= 5", "${age} >= 5"),
        ("${HH-Size} > 2", "${hh_size} > 2"),
        ("position(..) = 1", "position() = 1"),
        ("${today} - ${age}", "today() - ${age}"),
        ("regex(., '^[0-9]{10}$')", "regex(., '^[0-9]{10}$')"),
        ("regex(., '[0-9]{10}')", "regex(., '[\\s\\S]*(?:[0-9]{10})[\\s\\S]*')"),
        ("regex(., '^a|b$')", "regex(., '[\\s\\S]*(?:^a|b$)[\\s\\S]*')"),
        ("count-selected(${work}) > 1 and not(${age} = '')", None),
        ("indexed-repeat(${age}, ${members}, 1) >= 12", None),
        (
            "indexed-repeat( /data/hh/members/age ,/data/hh/members, ${HH-Size}) > 1",
            "indexed-repeat(${age}, ${members}, ${hh_size}) > 1",
        ),
    ],
)
def test_odk_expressions_read_as_fieldkit_expressions(odk: str, fieldkit: str | None) -> None:
    assert _in(odk) == (fieldkit or odk)


def test_a_find_in_odk_is_a_full_match_in_fieldkit() -> None:
    text = _in("regex(., '[0-9]{3}')")
    assert text is not None
    pattern = text.split("'")[1]
    assert compile_pattern(pattern).fullmatch("tel 123 x")
    assert not compile_pattern(pattern).fullmatch("tel 12 x")
    assert re.search("[0-9]{3}", "tel 123 x")


@pytest.mark.parametrize(
    ("odk", "code", "words"),
    [
        ("once(${age})", "FK-XLS-014", "once() at character 1"),
        ("${age} + floor(2.5)", "FK-XLS-014", "floor() at character 10"),
        ("jr:choice-name(${work}, '${work}')", "FK-XLS-014", "jr:choice-name()"),
        ("/data/age > 5", "FK-XLS-015", "'/' at character 1"),
        ("indexed-repeat(/data/r/x, /data/r, 1)", "FK-XLS-015", "'/' at character 16"),
        ("count(../member[age > 5])", "FK-XLS-015", "'..' at character 7"),
        ("${age} >", "FK-XLS-015", "unexpected end of expression"),
        ("${start} != ''", "FK-XLS-017", "start metadata"),
        ("${photo} = ''", "FK-XLS-017", "survey!B9, which was not imported"),
        ("${agee} > 1", "FK-XLS-017", "did you mean 'age'?"),
    ],
)
def test_what_fieldkit_cannot_read_is_said_with_where(odk: str, code: str, words: str) -> None:
    found = from_xlsform(odk, NAMES, {"start": "start"}, {"photo": "survey!B9"})
    assert found.text is None
    assert found.problems[0][0] == code
    assert words in f"{found.problems[0][1]} {found.problems[0][2]}"


@pytest.mark.parametrize(
    ("fieldkit", "odk"),
    [
        ("position()", "position(..)"),
        ("is-dont-know(${age}) or is-refused(${age})", "false() or false()"),
        ("regex(., '[0-9]+')", "regex(., '^(?:[0-9]+)$')"),
        ("regex(., '^[0-9]+$')", "regex(., '^[0-9]+$')"),
        ("selected(${work}, 'farm') and ${age} >= 5", "selected(${work}, 'farm') and ${age} >= 5"),
    ],
)
def test_fieldkit_expressions_as_odk_reads_them(fieldkit: str, odk: str) -> None:
    assert to_odk(parse(fieldkit)) == odk


def test_fieldkit_own_columns_keep_fieldkit_meaning() -> None:
    found = from_xlsform("regex(., '[0-9]+')", NAMES, {}, {}, native=True)
    assert found.text == "regex(., '[0-9]+')"
    assert found.notes == []


PATHS = {
    "hh_size": "/data/hh/hh_size",
    "members": "/data/roster/members",
    "age": "/data/roster/members/age",
    "sex": "/data/roster/members/sex",
}


@pytest.mark.parametrize(
    ("fieldkit", "roster", "odk"),
    [
        # pyxform rewrites ${name} wrongly around a second indexed-repeat() (XLSForm/pyxform#569):
        # every answer is written as its path, ../ for the member's own
        (
            "indexed-repeat(${sex}, ${members}, .) = 2 and indexed-repeat(${age}, ${members}, .)"
            " >= ${age} + 12 and . <= ${hh_size}",
            "members",
            "indexed-repeat(/data/roster/members/sex, /data/roster/members, .) = 2 and"
            " indexed-repeat(/data/roster/members/age, /data/roster/members, .) >= ../age + 12"
            " and . <= /data/hh/hh_size",
        ),
        (
            "indexed-repeat(${age}, ${members}, 1) + sum(${age})",
            None,
            "indexed-repeat(/data/roster/members/age, /data/roster/members, 1)"
            " + sum(/data/roster/members/age)",
        ),
        ("${age} >= 5 and . <= ${hh_size}", "members", "${age} >= 5 and . <= ${hh_size}"),
    ],
)
def test_indexed_repeat_goes_out_with_paths_and_comes_back(
    fieldkit: str, roster: str | None, odk: str
) -> None:
    written = to_odk(parse(fieldkit), PATHS, roster)
    assert written == odk
    assert without_paths(written) == to_odk(parse(fieldkit))
