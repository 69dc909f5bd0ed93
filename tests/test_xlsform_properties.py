"""Invariants on generated input: import(export(x)) compiles to x's hash and pyxform converts
export(x) (texts showing answers, member labels and roster checks included); importing any
table of cells gives a result or one XlsformError, never a crash."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyxform.xls2xform import convert

from fieldkit.instrument.compiler import compile_text
from fieldkit.protocol.model import Protocol
from fieldkit.xlsform import XlsformError, export_xlsform, import_xlsform
from tests.xlsform_forms import write_xlsform

LANGUAGE_SETS = [["en"], ["en", "fr"], ["fr", "en"]]
SIMPLE = ["integer", "decimal", "text", "date", "time", "datetime", "geopoint", "note"]
SELECTS = ["select_one", "select_multiple"]

words = (
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Co"), blacklist_characters="\u2028\u2029\x85"
        ),
        min_size=1,
        max_size=16,
    )
    .map(str.strip)
    .filter(bool)
)
values = st.from_regex(r"[a-z0-9_]{1,6}", fullmatch=True)


@st.composite
def texts(draw: st.DrawFn, languages: list[str]) -> dict[str, str]:
    plain = words.filter(lambda word: "${" not in word)  # answers are shown by `showing` only
    return {
        lang: draw(plain | st.sampled_from(["Yes", "no", "#1: 'a' \"b\"", "=SUM(1)"]))
        for lang in languages
    }


@st.composite
def choice_lists(draw: st.DrawFn, languages: list[str]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {
        "sex": [
            {"value": 1, "label": draw(texts(languages))},
            {"value": 2, "label": draw(texts(languages))},
        ]
    }
    for index in range(draw(st.integers(1, 3))):
        keys = draw(st.lists(values, min_size=2, max_size=4, unique=True))
        with_filter = draw(st.booleans())
        lists[f"list_{index}"] = [
            {
                "value": key,
                "label": draw(texts(languages)),
                **({"filter": {"zone": draw(st.sampled_from(["n", "s"]))}} if with_filter else {}),
            }
            for key in keys
        ]
    return lists


class _Names:
    def __init__(self) -> None:
        self.count = 0
        self.numbers: list[str] = []
        self.selects: list[tuple[str, str]] = []
        self.answered: list[str] = []
        """Top-level questions with an answer, in order (a text may show them)."""
        self.members: list[str] = []
        self.member_numbers: list[str] = []
        """The same for the roster being generated."""

    def new(self) -> str:
        self.count += 1
        return f"q{self.count}"

    def add(self, name: str, kind: str, roster: str | None) -> None:
        if kind == "integer":
            (self.member_numbers if roster else self.numbers).append(name)
        if kind != "note":
            (self.members if roster else self.answered).append(name)

    def shown(self, roster: str | None) -> list[str]:
        return self.answered + (self.members if roster else [])


@st.composite
def showing(draw: st.DrawFn, languages: list[str], names: list[str]) -> dict[str, str]:
    """Texts, some of them showing an answer (``${name}``) fieldkit and ODK both fill in."""
    found = draw(texts(languages))
    if names and draw(st.booleans()):
        name = draw(st.sampled_from(names))
        found = {lang: f"{text} ${{{name}}}" for lang, text in found.items()}
    return found


@st.composite
def questions(
    draw: st.DrawFn,
    languages: list[str],
    lists: dict[str, list[dict[str, Any]]],
    names: _Names,
    roster: str | None,
) -> dict[str, Any]:
    kind = draw(st.sampled_from([*SIMPLE, *SELECTS, "calculate"]))
    name = names.new()
    q: dict[str, Any] = {"name": name, "type": kind}
    shown = names.shown(roster)
    if kind != "calculate":
        q["label"] = draw(showing(languages, shown))
    if draw(st.booleans()):
        q["hint"] = draw(showing(languages, shown))
    if kind == "calculate":
        q["calculation"] = draw(
            st.sampled_from(
                ["position()" if roster else "today()", "concat('a', \"b\")", "1 + 2 * 3"]
                + [f"${{{n}}} + 1" for n in names.numbers]
                + [
                    f"indexed-repeat(${{{n}}}, ${{{roster}}}, 1) - ${{{n}}}"
                    for n in (names.member_numbers if roster else [])
                ]
            )
        )
    if kind in SELECTS:
        list_name = draw(st.sampled_from(sorted(lists)))
        inline = draw(st.booleans())
        q["choices"] = lists[list_name] if inline else list_name
        if "filter" in lists[list_name][0] and draw(st.booleans()):
            q["choice_filter"] = "zone = 'n' or zone = 's'"
        if kind == "select_one" and roster is None:
            names.selects.append((name, str(lists[list_name][0]["value"])))
    if kind in ("integer", "decimal") and draw(st.booleans()):
        q["constraint"] = draw(st.sampled_from([". >= 0", "regex(string(.), '[0-9]+')"]))
        q["constraint_message"] = draw(showing(languages, shown))
    if kind not in ("note", "calculate"):
        q["required"] = draw(st.sampled_from([False, True, "1 = 1"]))
        q["allow_dont_know"] = draw(st.booleans())
        q["allow_refused"] = draw(st.booleans())
    q["pii"] = kind == "geopoint" or (kind == "text" and draw(st.booleans()))
    relevant = [f"${{{n}}} > 2" for n in names.numbers]
    relevant += [f"selected(${{{n}}}, '{v}')" for n, v in names.selects if n != name]
    relevant += [f"is-dont-know(${{{n}}})" for n in names.numbers]
    if relevant and draw(st.booleans()):
        q["relevant"] = draw(st.sampled_from(relevant))
    names.add(name, kind, roster)
    return q


@st.composite
def roster_checks(
    draw: st.DrawFn, languages: list[str], names: _Names, roster: str
) -> list[dict[str, Any]]:
    """Checks across members: of a member's number, another member's (indexed-repeat()), or
    of the roster as a whole (carried on ODK by the roster's last question, if any)."""
    rules = [f"count(${{{roster}}}) <= 20"]
    whens: list[str | None] = [None, *(f"${{{n}}} > 2" for n in names.numbers)]
    for number in names.member_numbers:
        rules += [f"${{{number}}} >= 0", f"indexed-repeat(${{{number}}}, ${{{roster}}}, 1) >= 1"]
        rules.append(
            f"indexed-repeat(${{{number}}}, ${{{roster}}}, ${{{number}}}) != ${{{number}}}"
        )
        whens.append(f"${{{number}}} >= 1")
    checks = []
    for index in range(draw(st.integers(1, 3))):
        check: dict[str, Any] = {"name": f"check_{index}", "rule": draw(st.sampled_from(rules))}
        when = draw(st.sampled_from(whens))
        if when is not None:
            check["when"] = when
        check["message"] = draw(showing(languages, names.members))
        checks.append(check)
    return checks


@st.composite
def instruments(draw: st.DrawFn) -> dict[str, Any]:
    languages = draw(st.sampled_from(LANGUAGE_SETS))
    lists = draw(choice_lists(languages))
    names = _Names()
    respondents = draw(st.sampled_from([["adult"], ["child"], ["adult", "child"], []]))
    sections = []
    for index in range(draw(st.integers(1, 3))):
        earlier = list(names.numbers)
        items = [
            draw(questions(languages, lists, names, None)) for _ in range(draw(st.integers(1, 3)))
        ]
        if index == 0:
            items.insert(
                0,
                {
                    "name": "age",
                    "type": "integer",
                    "label": draw(texts(languages)),
                    "disaggregation": "age",
                },
            )
            items.insert(
                0,
                {
                    "name": "sex",
                    "type": "select_one",
                    "choices": "sex",
                    "label": draw(texts(languages)),
                    "disaggregation": "sex",
                },
            )
        if draw(st.booleans()):
            name = f"roster_{index}"
            names.members, names.member_numbers = [], []
            members = [
                draw(questions(languages, lists, names, name))
                for _ in range(draw(st.integers(1, 3)))
            ]
            if draw(st.booleans()):  # a number for checks to compare across members
                number = {"name": names.new(), "type": "integer", "label": draw(texts(languages))}
                names.add(number["name"], "integer", name)
                members.append(number)
            roster: dict[str, Any] = {
                "name": name,
                "type": "repeat",
                "label": draw(texts(languages)),
                "questions": members,
            }
            if names.numbers and draw(st.booleans()):
                roster["count"] = f"${{{names.numbers[0]}}}"
            if names.members and draw(st.booleans()):
                label = draw(showing(languages, names.members))
                roster["member_label"] = draw(st.sampled_from([label, f"${{{names.members[0]}}}"]))
            if draw(st.booleans()):
                roster["checks"] = draw(roster_checks(languages, names, roster["name"]))
            items.append(roster)
        section: dict[str, Any] = {
            "name": f"s{index}",
            "label": draw(texts(languages)),
            "questions": items,
        }
        if earlier and draw(st.booleans()):
            section["relevant"] = f"${{{earlier[0]}}} != 9"
        sections.append(section)
    return {
        "id": "generated",
        "title": draw(texts(languages)),
        "version": draw(st.sampled_from(["1", "2026.1", "3"])),
        "kind": "household",
        "protocol": "test_protocol",
        "languages": languages,
        "default_language": draw(st.sampled_from(languages)),
        "respondents": respondents,
        "consent": "protocol" if respondents or draw(st.booleans()) else "none",
        "choices": lists,
        "sections": sections,
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments())
def test_import_of_export_is_the_same_form(protocol: Protocol, data: dict[str, Any]) -> None:
    protocols = {protocol.id: protocol}
    compiled = compile_text(json.dumps(data, ensure_ascii=False), protocols, "generated.yaml")
    assert compiled.form is not None, [i.one_line() for i in compiled.report.errors]
    form = compiled.form
    with tempfile.TemporaryDirectory() as folder:
        out = export_xlsform(form, Path(folder) / "generated.xlsx").path
        assert convert(xlsform=str(out), validate=False).xform
        back = import_xlsform(out, protocols)
    assert [i.one_line() for i in back.report.issues] == []
    assert back.form is not None
    assert back.form.content() == form.content()
    assert back.form.hash == form.hash


TYPES = [
    "integer",
    "text",
    "select_one l",
    "select_multiple l",
    "begin group",
    "end group",
    "begin repeat",
    "end repeat",
    "calculate",
    "note",
    "start",
    "image",
    "rank l",
    "select_one missing",
    "date",
    "junk type",
    "begin_group",
    "select one l or_other",
]
FRAGMENTS = [
    "${a}",
    "${b}",
    ".",
    "1",
    "'x'",
    "and",
    "or",
    "=",
    ">",
    "(",
    ")",
    "once(",
    "/data/a",
    "position(..)",
    "regex(., '[0-9')",
    "selected(${a}, 'x')",
    "${",
    '[{"name": "c", "rule": "${a} > 1", "message": {"en": "m ${b}"}}]',
    '[{"name": "c", "when": "${b} = 1", "rule": "indexed-repeat(${a}, ${c}, 1) = 1",'
    ' "message": {"en": "m"}}]',
    "[",
    "'",
    ",",
]
cells = st.one_of(
    st.none(),
    st.sampled_from(["a", "b", "c", "A", "a b", "1"]),
    st.lists(st.sampled_from(FRAGMENTS), max_size=6).map(" ".join),
    st.integers(-5, 5),
    words,
)
HEADERS = [
    "type",
    "name",
    "label",
    "relevant",
    "constraint",
    "calculation",
    "required",
    "choice_filter",
    "repeat_count",
    "label::French (fr)",
    "appearance",
    "default",
    "fieldkit::pii",
    "fieldkit::relevant",
    "fieldkit::disaggregation",
    "fieldkit::checks",
    "fieldkit::roster_checks",
    "fieldkit::member_label",
    "mystery",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8, unique=True),
    st.lists(st.tuples(st.sampled_from(TYPES), st.lists(cells, max_size=8)), max_size=12),
    st.lists(st.lists(cells, min_size=2, max_size=4), max_size=6),
)
def test_any_table_gives_a_result_or_one_error(
    protocol: Protocol,
    header: list[str],
    rows: list[tuple[str, list[Any]]],
    choices: list[list[Any]],
) -> None:
    header = ["type", *[h for h in header if h != "type"]]
    survey = [header, *([kind, *rest][: len(header)] for kind, rest in rows)]
    sheets = {"survey": survey, "choices": [["list_name", "name", "label"], *choices]}
    with tempfile.TemporaryDirectory() as folder:
        path = write_xlsform(Path(folder) / "fuzz.xlsx", sheets)
        try:
            result = import_xlsform(path, {protocol.id: protocol}, protocol=protocol.id)
        except XlsformError as error:
            assert error.code.startswith("FK-XLS-")
            return
    for issue in result.report.issues:
        assert issue.code.startswith("FK-XLS-")
    compiled = compile_text(result.text, {protocol.id: protocol}, "fuzz.yaml")
    assert compiled.report.codes() == [
        i.message.split()[0] for i in result.report.issues if i.code == "FK-XLS-023"
    ]
