"""Importing real-world-style XLSForms: what comes over, and exactly what does not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.schema import QuestionType
from fieldkit.project import load_project
from fieldkit.protocol.model import Protocol
from fieldkit.report import Severity
from fieldkit.xlsform import ImportResult, XlsformError, import_xlsform
from tests.conftest import REPO
from tests.xlsform_forms import (
    CASCADE,
    COMMITTED,
    FORMS,
    FORWARD,
    HOUSEHOLD,
    HOUSEHOLD_REPORT,
    KOBO,
    NESTED,
    NESTED_REPORT,
    UNSUPPORTED,
    UNSUPPORTED_REPORT,
    Table,
    write_xlsform,
)

PROTOCOL = "household_child_labour"


@pytest.fixture(scope="module")
def protocols() -> dict[str, Protocol]:
    return load_project([REPO / "protocols"]).protocols


def _import(
    tmp_path: Path, protocols: dict[str, Protocol], sheets: dict[str, Table], **options: Any
) -> ImportResult:
    path = write_xlsform(tmp_path / "form.xlsx", sheets)
    return import_xlsform(path, protocols, protocol=PROTOCOL, file_name="form.yaml", **options)


def _cells(result: ImportResult, family: str = "FK-XLS") -> list[tuple[str, str]]:
    return [
        (i.code, i.location.record or "")
        for i in result.report.issues
        if i.code.startswith(family) and i.code != "FK-XLS-023"
    ]


def _notes(result: ImportResult) -> list[tuple[str, str]]:
    return [(n.code, n.location.record or "") for n in result.notes]


def test_an_odk_household_form_imports_with_every_loss_named(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, HOUSEHOLD)
    assert sorted(_cells(result)) == sorted(HOUSEHOLD_REPORT)
    assert result.ok and result.form is not None
    assert result.report.errors == []
    form = result.form
    assert form.languages == ("en", "fr")
    assert [s.name for s in form.sections] == ["location", "household", "questions"]
    assert form.question("member").count is None
    assert form.question("member").members == (
        "member_name",
        "sex",
        "age",
        "works",
        "is_child",
        "member_no",
    )
    assert form.question("last_meal").type is QuestionType.DATETIME
    assert form.question("works").label == {
        "en": "Did ${member_name} work last week?",
        "fr": "${member_name} a-t-il travaillé ?",
    }
    assert form.question("cluster").constraint_message == {
        "en": "Between 1 and 500",
        "fr": "Entre 1 et 500",
    }
    assert form.question("cluster").hint == {"en": "From the sample list", "fr": "Selon la liste"}
    assert form.question("cluster").required
    assert form.pii_fields() == ("gps", "head_name", "phone", "member_name")
    assert form.question("sex").disaggregation == "sex"
    assert form.question("age").disaggregation == "age"
    notes = _notes(result)
    assert [code for code, _ in notes].count("FK-XLS-050") == 5  # start end today deviceid user
    assert ("FK-XLS-056", "survey!J10") in notes  # ${today} is today()
    assert ("FK-XLS-056", "survey!M26") in notes  # position(..) is position()
    assert ("FK-XLS-055", "survey!A20") in notes  # the repeat outside any group: a section
    proposed = [cell for code, cell in notes if code == "FK-XLS-057"]
    assert proposed == [
        "survey!A9",
        "survey!A14",
        "survey!A15",
        "survey!A21",
        "survey!A22",
        "survey!A23",
    ]
    assert 'constraint: ". <= today()"' in result.text
    assert "pii: true  # proposed: looks identifying; confirm" in result.text
    assert "disaggregation: sex  # proposed from the name 'sex'; confirm" in result.text
    assert "- name: cluster  # survey!A8" in result.text


def test_cascading_selects_keep_their_filters_and_properties(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, CASCADE, kind="household")
    assert _cells(result) == []
    assert ("FK-XLS-060", "survey!C1") in _notes(result)  # 'label' read as English
    left = [i.message.split()[0] for i in result.report.issues]
    assert left == ["FK-INS-011", "FK-INS-011"]  # sex and age roles: the author's to add
    added = result.text.replace(
        "    questions:\n",
        "    questions:\n      - {name: sex, type: select_one, label: {en: Sex},"
        " choices: [{value: 1, label: {en: M}}, {value: 2, label: {en: F}}],"
        " disaggregation: sex}\n      - {name: age, type: integer, label: {en: Age},"
        " disaggregation: age}\n",
        1,
    )
    form = compile_text(added, protocols, "form.yaml").form
    assert form is not None
    city = form.question("city")
    assert city.choice_filter is not None
    assert [c.properties for c in city.choices][:2] == [
        {"country": "usa", "state": "texas"},
        {"country": "usa", "state": "texas"},
    ]
    assert form.question("country").required


def test_nested_repeats_are_reported_not_silently_flattened(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, NESTED)
    assert sorted(_cells(result)) == sorted(NESTED_REPORT)
    nested = result.report.issues[0]
    assert "FK-INS-015" in nested.message and "'child' is inside repeat 'member'" in nested.message
    assert "child_age" not in result.text and "oldest" not in result.text
    assert "calculation not imported (survey!F9): max(${child_age})" not in result.text
    assert "- name: first_name" in result.text
    assert 'label: {en: "How many children does ${first_name} have?"}' in result.text


def test_every_unsupported_construct_is_named_with_its_cell(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, UNSUPPORTED)
    assert sorted(_cells(result)) == sorted(UNSUPPORTED_REPORT)
    assert result.ok  # problems are warnings until --strict
    messages: dict[str | None, str] = {}
    for issue in result.report.issues:
        messages.setdefault(issue.location.record, issue.message)
    assert messages["survey!E7"].startswith("calculation not imported: once()")
    assert "jr:choice-name() at character 1" in messages["survey!E8"]
    assert "not XPath paths" in messages["survey!D10"]
    assert "refers to survey!B7, which was not imported" in messages["survey!D11"]
    assert "relevant not imported (survey!D10): /data/trained = 'yes'" in result.text


def test_strict_turns_every_problem_into_an_error(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, UNSUPPORTED, strict=True)
    assert not result.ok
    severities = {i.severity for i in result.report.issues if i.code != "FK-XLS-023"}
    assert severities == {Severity.ERROR}


def test_a_kobo_download_is_renamed_into_fieldkit_names(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, KOBO)
    assert _cells(result) == []
    assert result.form is not None
    assert result.instrument_id == "axyz123"
    assert [n for n, _ in _notes(result)].count("FK-XLS-061") == 4  # $kuid, $autoname...
    assert ("FK-XLS-051", "survey!B4") in _notes(result)  # Age-Years is age_years
    dob = result.form.question("dob")
    assert dob.relevant is not None
    assert 'relevant: "${age_years} < 18"' in result.text
    assert result.form.question("gender").required
    assert result.form.question("full_name").label == {"en": "Full name", "fr": "Full name"}


def test_logic_the_compiler_rejects_is_taken_out_at_its_cell(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    result = _import(tmp_path, protocols, FORWARD)
    dropped = [
        (i.location.record, i.message.split(": ")[1].split()[0])
        for i in result.report.issues
        if i.code == "FK-XLS-022"
    ]
    assert dropped == [("survey!D2", "FK-EXPR-009"), ("survey!E4", "FK-EXPR-003")]
    assert "relevant not imported (survey!D2): ${b} > 1" in result.text
    assert ("FK-XLS-053", "survey!E4") in _notes(result)  # a constraint needs a message
    assert compile_text(result.text, protocols, "f.yaml").report.codes().count("FK-EXPR-009") == 0


def test_texts_show_answers_as_fieldkit_does_and_say_where_they_cannot(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    sheets: dict[str, Table] = {
        "survey": [
            ["type", "name", "label", "hint", "constraint", "constraint_message", "repeat_count"],
            ["start", "started"],
            ["begin group", "visit", "Visit of ${hh-head}"],
            ["text", "hh-head", "Name of the head"],
            [
                "integer",
                "size",
                "How many live with ${hh-head}?",
                "With ${ hh-head }",
                ". > 0",
                "${hh-head}'s household has someone",
            ],
            ["note", "opened", "Started at ${started}"],
            ["note", "later", "Next: ${after}"],
            ["integer", "after", "After"],
            ["select_one yn", "ok", "All right?"],
            ["begin repeat", "people", "People", "", "", "", "${size}"],
            ["text", "person", "Who is member ${size}?"],
            ["select_one sex", "sex", "Is ${person} male or female?"],
            ["integer", "age", "How old is ${person}?"],
            ["end repeat"],
            ["note", "outside", "Last: ${person}"],
            ["end group"],
        ],
        "choices": [
            ["list_name", "name", "label"],
            ["yn", "y", "Yes, ${hh-head}"],
            ["sex", "1", "Male"],
            ["sex", "2", "Female"],
        ],
    }
    result = _import(tmp_path, protocols, sheets)
    assert sorted(_cells(result)) == [
        ("FK-XLS-020", "choices!C2"),  # a choice's label is shown as written
        ("FK-XLS-020", "survey!C15"),  # a member's answer outside the roster (FK-EXPR-006)
        ("FK-XLS-020", "survey!C3"),  # a group's label is shown as written
        ("FK-XLS-020", "survey!C6"),  # metadata
        ("FK-XLS-020", "survey!C7"),  # not yet asked (FK-EXPR-009)
    ]
    form = result.form
    assert form is not None
    assert form.question("size").label == {"en": "How many live with ${hh_head}?"}
    assert form.question("size").hint == {"en": "With ${hh_head}"}
    assert form.question("size").constraint_message == {"en": "${hh_head}'s household has someone"}
    assert form.question("age").label == {"en": "How old is ${person}?"}
    assert form.question("person").label == {"en": "Who is member ${size}?"}
    shown = {name: form.question(name).label["en"] for name in ("opened", "later", "outside")}
    assert shown == {"opened": "Started at …", "later": "Next: …", "outside": "Last: …"}
    assert form.section("visit").label == {"en": "Visit of ${hh-head}"}
    assert "# label shows … for ${started} (survey!C6)" in result.text


def test_groups_inside_groups_fold_their_relevance_onto_each_question(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    sheets: dict[str, Table] = {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["integer", "age", "Age"],
            ["begin group", "work", "Work"],
            ["select_one yn", "works", "Works?"],
            ["begin group", "details", "Details", "${works} = 'y'"],
            ["integer", "hours", "Hours", "${age} >= 5"],
            ["begin group", "deeper", "", "${hours} > 10"],
            ["text", "task", "Task"],
            ["end group"],
            ["end group"],
            ["end group"],
        ],
        "choices": [["list_name", "name", "label"], ["yn", "y", "Yes"], ["yn", "n", "No"]],
        "settings": [["form_title", "fieldkit::respondents"], ["Work", "adult"]],
    }
    result = _import(tmp_path, protocols, sheets)
    assert result.form is not None
    assert [s.name for s in result.form.sections] == ["questions", "work"]
    assert [n for n, _ in _notes(result)].count("FK-XLS-054") == 2
    assert "relevant: \"${works} = 'y' and ${age} >= 5\"" in result.text
    assert "relevant: \"${works} = 'y' and ${hours} > 10\"" in result.text


def test_regex_means_the_same_as_on_odk(tmp_path: Path, protocols: dict[str, Protocol]) -> None:
    sheets: dict[str, Table] = {
        "survey": [
            ["type", "name", "label", "constraint", "constraint_message"],
            ["text", "code", "Code", "regex(., '[0-9]{4}')", "Four digits"],
            ["text", "exact", "Exact", "regex(., '^[A-Z]{2}$')", "Two capitals"],
        ],
    }
    result = _import(tmp_path, protocols, sheets)
    assert "regex(., '[\\\\s\\\\S]*(?:[0-9]{4})[\\\\s\\\\S]*')" in result.text
    assert "regex(., '^[A-Z]{2}$')" in result.text
    assert [n for n, _ in _notes(result)].count("FK-XLS-056") == 1


def test_missing_lists_duplicates_and_odd_rows_are_reported(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    sheets: dict[str, Table] = {
        "survey": [
            ["type", "name", "label"],
            ["select_one colours", "colour", "Colour"],
            ["text", "", "No name"],
            ["", "", "A stray label"],
            ["select_one"],
            ["begin group", "g", "G"],
            ["integer", "n", "N"],
            ["end repeat"],
            ["select_one fruit", "fruit", "Fruit"],
            ["integer", "n", "N again"],
            ["begin repeat", "r", "R"],
            ["integer", "m", "M"],
        ],
        "choices": [
            ["list_name", "name", "label", "my:col"],
            ["fruit", "apple", "Apple"],
            ["fruit", "apple", "Apple again"],
            ["fruit", "", "No value"],
            ["fruit", "pear"],
        ],
        "Sheet3": [["nothing"]],
    }
    result = _import(tmp_path, protocols, sheets)
    assert sorted(_cells(result)) == sorted(
        [
            ("FK-XLS-019", "Sheet3!A1"),
            ("FK-XLS-007", "survey!A8"),
            ("FK-XLS-007", "survey!A11"),
            ("FK-XLS-021", "survey!B3"),
            ("FK-XLS-021", "survey!A4"),
            ("FK-XLS-021", "survey!B5"),
            ("FK-XLS-021", "survey!A2"),
            ("FK-XLS-012", "choices!D1"),
            ("FK-XLS-021", "choices!B3"),
            ("FK-XLS-021", "choices!B4"),
        ]
    )
    assert ("FK-XLS-051", "survey!B10") in _notes(result)  # the second 'n' is n_2
    assert ("FK-XLS-052", "choices!C5") in _notes(result)  # pear has no label
    assert "n_2" in result.text


@pytest.mark.parametrize(
    ("sheets", "code"),
    [
        ({"Survey1": [["type", "name"]]}, "FK-XLS-003"),
        ({"survey": [["name", "label"], ["a", "A"]]}, "FK-XLS-004"),
    ],
)
def test_a_workbook_that_is_not_an_xlsform_is_one_error(
    tmp_path: Path, protocols: dict[str, Protocol], sheets: dict[str, Table], code: str
) -> None:
    with pytest.raises(XlsformError) as raised:
        _import(tmp_path, protocols, sheets)
    assert raised.value.code == code
    if code == "FK-XLS-003":
        assert raised.value.hint == "did you mean 'Survey1'?"


def test_files_that_are_not_workbooks(tmp_path: Path, protocols: dict[str, Protocol]) -> None:
    old = tmp_path / "form.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0 an old binary workbook")
    for path, code in (
        (tmp_path / "missing.xlsx", "FK-XLS-001"),
        (tmp_path, "FK-XLS-001"),
        (old, "FK-XLS-002"),
        (REPO / "README.md", "FK-XLS-002"),
    ):
        with pytest.raises(XlsformError) as raised:
            import_xlsform(path, protocols, protocol=PROTOCOL)
        assert raised.value.code == code, path
    assert "save it as .xlsx" in (raised.value.hint or "") or old.exists()


def test_a_protocol_must_be_named(tmp_path: Path, protocols: dict[str, Protocol]) -> None:
    path = write_xlsform(tmp_path / "f.xlsx", {"survey": [["type", "name"], ["text", "a"]]})
    with pytest.raises(XlsformError) as raised:
        import_xlsform(path, protocols)
    assert raised.value.code == "FK-XLS-006"


def test_an_unknown_protocol_is_left_to_the_author(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    path = write_xlsform(
        tmp_path / "f.xlsx", {"survey": [["type", "name", "label"], ["text", "a", "A"]]}
    )
    result = import_xlsform(path, protocols, protocol="new_study")
    assert result.ok and result.form is None
    assert result.report.issues[0].message.startswith("FK-PROT-001")
    assert {i.code for i in result.report.issues} == {"FK-XLS-023"}


def test_the_forms_own_consent_question_is_pointed_out(
    tmp_path: Path, protocols: dict[str, Protocol]
) -> None:
    sheets: dict[str, Table] = {
        "survey": [
            ["type", "name", "label", "relevant"],
            ["select_one yn", "consent", "Do you agree to take part?"],
            ["integer", "age", "Age", "${consent} = 'yes'"],
        ],
        "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    }
    result = _import(tmp_path, protocols, sheets)
    assert ("FK-XLS-059", "survey!B2") in _notes(result)


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_committed_workbooks_are_these_tables(name: str) -> None:
    """tests/data/xlsforms/*.xlsx are for trying by hand; `python -m tests.xlsform_forms`
    rewrites them from the tables."""
    book = openpyxl.load_workbook(COMMITTED / f"{name}.xlsx", read_only=True)
    try:
        for sheet, table in FORMS[name].items():
            rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
            width = max(len(r) for r in table)
            expected = [
                [None if v == "" else v for v in r] + [None] * (width - len(r)) for r in table
            ]
            assert [r + [None] * (width - len(r)) for r in rows] == expected, sheet
    finally:
        book.close()
