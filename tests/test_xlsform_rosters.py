"""Rosters on ODK and back: member labels, roster checks as the constraints ODK applies, and
indexed-repeat() written so pyxform converts it right. The household instrument uses all."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from fieldkit.instrument.expression import MISSING, Expr, evaluate, parse, truthy
from fieldkit.instrument.form import Form
from fieldkit.project import Project, load_project
from fieldkit.protocol.model import Protocol
from fieldkit.xlsform import export_xlsform, import_xlsform
from fieldkit.xlsform.expressions import without_paths
from tests.conftest import REPO, compile_with
from tests.test_xlsform_export import XF, _sheet


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project([REPO / "instruments", REPO / "protocols"])


@pytest.fixture(scope="module")
def household(project: Project) -> Form:
    return project.form(str(REPO / "instruments" / "household.yaml"))


@pytest.fixture(scope="module")
def exported(household: Form, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_xlsform(household, tmp_path_factory.mktemp("x") / "household.xlsx").path


def _rows(path: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for row in _sheet(path, "survey"):
        if "name" in row:
            rows.setdefault(row["name"], row)  # a begin row, not its end row
    return rows


def test_member_label_and_checks_are_kept_in_fieldkit_columns(
    household: Form, exported: Path
) -> None:
    rows = _rows(exported)
    members = household.question("members")
    assert rows["members"]["fieldkit::member_label::English (en)"] == "${first_name}"
    assert json.loads(rows["members"]["fieldkit::checks"]) == [c.to_dict() for c in members.checks]
    carried = {
        name: row["fieldkit::roster_checks"]
        for name, row in rows.items()
        if "fieldkit::roster_checks" in row
    }
    assert carried == {
        "rel_to_head": "child_of_head_younger grandchild_of_head_younger parent_of_head_older",
        "mother_line": "mother_is_a_member mother_is_female mother_older",
        "father_line": "father_is_a_member father_is_male father_older",
    }
    assert (
        rows["mother_line"]["fieldkit::constraint"]
        == ". >= 0 and . <= ${hh_size} and . != ${line_no}"
    )
    message = rows["mother_line"]["constraint_message::English (en)"].splitlines()
    assert message == [
        "0, or the line number of another member",
        "Line ${mother_line} is given as ${first_name}'s mother but the household has no member"
        " ${mother_line}",
        "Line ${mother_line} is given as ${first_name}'s mother but is recorded as male",
        "The mother (line ${mother_line}) must be at least 12 years older than ${first_name}",
    ]


def test_pyxform_keeps_every_path_of_a_check_pointing_at_the_form(exported: Path) -> None:
    root = ET.fromstring(convert(xlsform=str(exported), validate=False).xform)
    binds = {b.get("nodeset", ""): b for b in root.iter(f"{XF}bind")}
    for name in ("mother_line", "father_line", "rel_to_head"):
        nodeset = next(n for n in binds if n.endswith(f"/members/{name}"))
        constraint = binds[nodeset].get("constraint", "")
        assert "${" not in constraint
        calls = re.findall(r"indexed-repeat\(([^,]+), ([^,]+),", constraint)
        assert calls, name
        for question, roster in calls:  # absolute, as the XForms spec asks (pyxform#569)
            assert question in binds and roster == nodeset.rsplit("/", 1)[0]
        for relative in re.findall(r"\.\./(\w+)", constraint):
            assert f"{nodeset.rsplit('/', 1)[0]}/{relative}" in binds


@dataclass
class Member:
    """One member being entered (an `Environment`): their answers, the roster's so far, and
    the answer being checked; notes whether an answer read was not there."""

    mine: dict[str, object]
    roster: dict[str, list[object]]
    candidate: object
    top: dict[str, object] = field(default_factory=lambda: {"hh_size": 4})
    unknown: bool = False

    def value(self, name: str) -> object:
        found = self.mine.get(name, self.top.get(name, MISSING))
        self.unknown = self.unknown or found is MISSING
        return found

    def values(self, name: str) -> Sequence[object]:
        if name == "members":  # the household's members: hh_size of them, typed or not yet
            return list(range(1, int(self.top["hh_size"]) + 1))  # type: ignore[call-overload]
        return self.roster.get(name, [])

    def value_at(self, name: str, member: int) -> object:
        column = self.roster.get(name, [])
        found = column[member - 1] if 1 <= member <= len(column) else MISSING
        self.unknown = self.unknown or found is MISSING
        return found

    def current(self) -> object:
        return self.candidate

    def property(self, name: str) -> object:
        return MISSING

    def position(self) -> int | None:
        return 3

    def today(self) -> dt.date:
        return dt.date(2027, 2, 1)

    def now(self) -> dt.datetime:
        return dt.datetime(2027, 2, 1, 9, 30)


def _decided(expr: Expr, env: Member) -> bool | None:
    env.unknown = False
    value = truthy(evaluate(expr, env))
    return None if env.unknown else value


def _fieldkit_allows(form: Form, name: str, env: Member) -> bool:
    """As the engine decides: the question's own constraint, then no check failing on the
    answers that are there (fieldkit/capture/checks.py)."""
    own = form.question(name).constraint
    if own is not None and not truthy(evaluate(own, env)):
        return False
    env.mine[name] = env.candidate
    return not any(
        (check.when is None or _decided(check.when, env) is True)
        and _decided(check.rule, env) is False
        for check in form.question("members").checks
    )


HEAD_AND_MOTHER = {"sex": [1, 2, 1], "age": [40, 35, 10]}


@pytest.mark.parametrize(
    ("question", "answer", "roster", "allowed"),
    [
        ("mother_line", 2, HEAD_AND_MOTHER, True),
        ("mother_line", 1, HEAD_AND_MOTHER, False),  # line 1 is a man
        ("mother_line", 0, HEAD_AND_MOTHER, True),
        ("mother_line", 4, HEAD_AND_MOTHER, True),  # her row is not entered yet
        ("mother_line", 3, HEAD_AND_MOTHER, False),  # the member's own line
        ("mother_line", 2, {"sex": [1, 2, 1], "age": [40, 20, 10]}, False),  # 10 years older
        ("mother_line", 2, {"sex": [1, 2, 1], "age": [40, MISSING, 10]}, True),  # age not given
        ("father_line", 1, HEAD_AND_MOTHER, True),
        ("father_line", 4, {"sex": [1, 2, 1], "age": [40, 35, 10]}, True),  # a 4th, not typed yet
        ("father_line", 2, HEAD_AND_MOTHER, False),
        ("rel_to_head", 3, HEAD_AND_MOTHER, True),  # the head's child, 30 years younger
        ("rel_to_head", 3, {"sex": [1, 2, 1], "age": [18, 35, 10]}, False),
        ("rel_to_head", 5, HEAD_AND_MOTHER, True),
        ("rel_to_head", 5, {"sex": [1, 2, 1], "age": [30, 35, 10]}, False),  # 24 years older
        ("rel_to_head", 6, HEAD_AND_MOTHER, False),  # a parent of the head, aged 10
        ("rel_to_head", 3, {"sex": [1, 2, 1], "age": [MISSING, 35, 10]}, True),
    ],
)
def test_odk_applies_the_roster_checks_as_fieldkit_does(
    household: Form,
    exported: Path,
    *,
    question: str,
    answer: int,
    roster: dict[str, list[object]],
    allowed: bool,
) -> None:
    odk = parse(without_paths(_rows(exported)[question]["constraint"]))
    mine: dict[str, object] = {"age": 10, "sex": 1, "line_no": 3, "rel_to_head": 3}
    on_odk = truthy(evaluate(odk, Member(dict(mine), roster, answer)))
    in_fieldkit = _fieldkit_allows(household, question, Member(dict(mine), roster, answer))
    assert (on_odk, in_fieldkit) == (allowed, allowed)


def _edited(exported: Path, out: Path, name: str, cells: dict[str, str]) -> tuple[Path, str]:
    """``exported`` with the cells of ``name``'s (begin) row set, as an author edits it;
    and the first edited cell's reference."""
    book = openpyxl.load_workbook(exported)
    sheet = book["survey"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("name")].value == name)
    for column, value in cells.items():
        row[header.index(column)].value = value
    book.save(out)
    return out, row[header.index(next(iter(cells)))].coordinate


def test_an_edited_odk_constraint_is_read_as_written(
    project: Project, household: Form, exported: Path, tmp_path: Path
) -> None:
    edited, _ = _edited(exported, tmp_path / "e.xlsx", "mother_line", {"constraint": ". <= 30"})
    back = import_xlsform(edited, project.protocols)
    assert back.form is not None
    assert back.form.question("mother_line").constraint == parse(". <= 30")
    assert back.form.question("members").checks == household.question("members").checks


def test_checks_not_written_by_fieldkit_are_reported_not_guessed(
    project: Project, exported: Path, tmp_path: Path
) -> None:
    edited, cell = _edited(
        exported, tmp_path / "e.xlsx", "members", {"fieldkit::checks": "[{'name': 'x'}]"}
    )
    back = import_xlsform(edited, project.protocols)
    assert [(i.code, i.location.record) for i in back.report.issues] == [
        ("FK-XLS-012", f"survey!{cell}")
    ]
    assert back.form is not None and back.form.question("members").checks == ()
    mother = back.form.question("mother_line")
    assert mother.constraint == parse(". >= 0 and . <= ${hh_size} and . != ${line_no}")


def test_a_member_label_showing_a_roster_shows_an_ellipsis(
    project: Project, exported: Path, tmp_path: Path
) -> None:
    label = "${first_name} of ${members}"
    edited, cell = _edited(
        exported,
        tmp_path / "e.xlsx",
        "members",
        {
            "fieldkit::member_label::English (en)": label,
            "fieldkit::member_label::Français (fr)": label,
        },
    )
    back = import_xlsform(edited, project.protocols)
    assert [(i.code, i.location.record) for i in back.report.issues] == [
        ("FK-XLS-020", f"survey!{cell}")
    ]
    assert "FK-EXPR-003" in back.report.issues[0].message
    assert back.form is not None
    assert back.form.question("members").member_label == {
        "en": "${first_name} of …",
        "fr": "${first_name} of …",
    }


def test_a_roster_without_a_question_to_carry_its_check_says_so(
    protocol: Protocol, tmp_path: Path
) -> None:
    body = """\
        sections:
          - name: s
            label: {en: S, fr: S}
            questions:
              - {name: sex, type: select_one, label: {en: Sex, fr: Sexe}, disaggregation: sex,
                 choices: [{value: 1, label: {en: M, fr: M}}, {value: 2, label: {en: F, fr: F}}]}
              - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
              - name: visits
                type: repeat
                label: {en: Visits, fr: Visites}
                checks:
                  - {name: few, rule: "count(${visits}) <= 5", message: {en: Few, fr: Peu}}
                questions:
                  - {name: visit_no, type: calculate, calculation: "position()"}
    """
    form = compile_with(protocol, body).form
    assert form is not None
    result = export_xlsform(form, tmp_path / "visits.xlsx")
    notes = [n for n in result.notes if n.code == "FK-XLS-073"]
    assert [n.message for n in notes] == [
        "roster visits has no question ODK checks an answer of: its checks (few) are not applied"
        " on ODK"
    ]
    back = import_xlsform(result.path, {protocol.id: protocol})
    assert back.form is not None and back.form.hash == form.hash
