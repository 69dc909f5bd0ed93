"""Exporting the shipped instruments: pyxform converts them, and they come back unchanged."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from pyxform.xls2xform import convert

from fieldkit.capture.messages import LANGUAGE_NAMES
from fieldkit.errors import FieldkitError
from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.expression import MISSING, evaluate, parse, truthy
from fieldkit.instrument.form import Form
from fieldkit.project import Project, load_project
from fieldkit.xlsform import XlsformError, export_xlsform, import_xlsform
from tests.conftest import REPO
from tests.test_expression_evaluate import Answers

SHIPPED = sorted(p.stem for p in (REPO / "instruments").glob("*.yaml"))
XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def project() -> Project:
    loaded = load_project([REPO / "instruments", REPO / "protocols"])
    assert loaded.report.ok
    return loaded


def _form(project: Project, stem: str) -> Form:
    return project.form(str(REPO / "instruments" / f"{stem}.yaml"))


def _sheet(path: Path, name: str) -> list[dict[str, str]]:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = list(book[name].iter_rows(values_only=True))
    book.close()
    header = [str(h) for h in rows[0]]
    return [
        {h: str(v) for h, v in zip(header, row, strict=False) if v is not None} for row in rows[1:]
    ]


@pytest.mark.parametrize("stem", SHIPPED)
def test_shipped_instruments_convert_with_pyxform_and_round_trip(
    project: Project, stem: str, tmp_path: Path
) -> None:
    form = _form(project, stem)
    out = tmp_path / f"{stem}.xlsx"
    result = export_xlsform(form, out)
    warnings: list[str] = []
    xform = convert(xlsform=str(out), warnings=warnings, validate=False).xform
    assert warnings == []
    root = ET.fromstring(xform)
    binds = {b.get("nodeset", "").rsplit("/", 1)[-1] for b in root.iter(f"{XF}bind")}
    repeats = {r.get("nodeset", "").rsplit("/", 1)[-1] for r in root.iter(f"{XF}repeat")}
    assert {q.name for q in form.repeats()} == repeats
    assert set(form.questions) - repeats <= binds
    translations = {t.get("lang") for t in root.iter(f"{XF}translation")}
    assert translations == {f"{LANGUAGE_NAMES[code]} ({code})" for code in form.languages}
    if form.consent_required:
        assert {"fk_consent_ok", "fk_adult_consent"} <= binds
    pii = {row["name"] for row in _sheet(out, "survey") if row.get("fieldkit::pii") == "yes"}
    assert pii == set(form.pii_fields())
    back = import_xlsform(out, project.protocols, file_name=f"{stem}.yaml")
    assert back.report.issues == []
    assert back.form is not None
    assert back.form.hash == form.hash
    assert {n.code for n in back.notes} <= {"FK-XLS-056", "FK-XLS-058"}
    assert result.rows > len(form.questions)


def test_the_imported_yaml_reads_like_a_shipped_instrument(
    project: Project, tmp_path: Path
) -> None:
    form = _form(project, "household")
    out = tmp_path / "household.xlsx"
    export_xlsform(form, out)
    text = import_xlsform(out, project.protocols).text
    assert "      - name: district  # survey!" in text
    assert 'choice_filter: "region = ${region}"' in text
    assert "sample_design: {stratum: stratum, psu: cluster, weight: hh_weight}" in text
    again = compile_text(text, project.protocols, "again.yaml")
    assert again.form is not None and again.form.hash == form.hash


def _consent(path: Path) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for row in _sheet(path, "survey"):
        if row.get("fieldkit::block") == "consent":
            rows.setdefault(row["name"], row)  # the begin row, not its end row
    return rows


def _value(
    rows: dict[str, dict[str, str]], name: str, column: str, answers: dict[str, object]
) -> object:
    return evaluate(parse(rows[name][column]), Answers(answers=answers))


@pytest.mark.parametrize(
    ("answers", "goes_on", "ends_with"),
    [
        ({"fk_respondent_age": 30, "fk_adult_consent": "1"}, True, None),
        ({"fk_respondent_age": 30, "fk_adult_consent": "2"}, False, "fk_refused"),
        ({"fk_respondent_age": 12, "fk_guardian_consent": "1", "fk_child_assent": "1"}, True, None),
        (
            {"fk_respondent_age": 12, "fk_guardian_consent": "1", "fk_child_assent": "2"},
            False,
            "fk_refused",
        ),
        ({"fk_respondent_age": 12, "fk_guardian_consent": "2"}, False, "fk_refused"),
        (
            {
                "fk_respondent_age": 14,
                "fk_guardian_consent": "3",
                "fk_exception": "street_living_no_guardian",
                "fk_child_assent": "1",
            },
            True,
            None,
        ),
        ({"fk_screen_controller_present": "1"}, False, "fk_screened_out"),
    ],
)
def test_the_consent_block_on_odk_ends_the_form_as_the_engine_does(
    project: Project, tmp_path: Path, answers: dict[str, object], goes_on: bool, ends_with: str
) -> None:
    out = export_xlsform(_form(project, "street"), tmp_path / "street.xlsx").path
    rows = _consent(out)
    screened = {
        "fk_screen_safe_for_team": "1",
        "fk_screen_controller_present": "2",
        "fk_screen_reprisal_risk": "2",
    }
    given = {**screened, **answers}
    ok = _value(rows, "fk_consent_ok", "calculation", given)
    given["fk_consent_ok"] = ok
    assert truthy(_value(rows, "fk_interview", "relevant", given)) is goes_on
    for note in ("fk_refused", "fk_screened_out"):
        shown = truthy(_value(rows, note, "relevant", given))
        assert shown is (note == ends_with), note
    if answers.get("fk_respondent_age") == 12:
        assert not truthy(_value(rows, "fk_adult_consent", "relevant", given))
        assert truthy(_value(rows, "fk_guardian_consent", "relevant", given))
    assert ok is not MISSING


def test_a_form_without_consent_has_no_block(project: Project, tmp_path: Path) -> None:
    form = project.forms["rapid_assessment_cl"]
    assert form.consent_required  # key informants are people: the block is there
    text = (REPO / "instruments" / "rapid_assessment.yaml").read_text(encoding="utf-8")
    text = text.replace("consent: protocol", "consent: none").replace(
        "respondents: [adult, child]", "respondents: []"
    )
    plain = compile_text(text, project.protocols, "ra.yaml").form
    assert plain is not None and not plain.consent_required
    out = export_xlsform(plain, tmp_path / "ra.xlsx").path
    assert _consent(out) == {}
    assert convert(xlsform=str(out), validate=False).xform
    back = import_xlsform(out, project.protocols)
    assert back.form is not None and back.form.hash == plain.hash


def test_export_mistakes_are_one_coded_error(project: Project, tmp_path: Path) -> None:
    form = _form(project, "school")
    for out in (tmp_path / "form.xls", tmp_path, tmp_path / "missing" / "f.xlsx"):
        with pytest.raises(FieldkitError) as raised:
            export_xlsform(form, out)
        assert raised.value.code == "FK-XLS-005", out
    assert list(tmp_path.iterdir()) == []


def test_a_question_named_like_the_consent_block_cannot_be_exported(
    project: Project, tmp_path: Path
) -> None:
    text = (REPO / "instruments" / "school.yaml").read_text(encoding="utf-8")
    clashing = text.replace("school_id", "fk_consent_ok")
    form = compile_text(clashing, project.protocols, "school.yaml").form
    assert form is not None
    with pytest.raises(XlsformError) as raised:
        export_xlsform(form, tmp_path / "school.xlsx")
    assert raised.value.code == "FK-XLS-030"
    assert not (tmp_path / "school.xlsx").exists()


def test_export_notes_what_odk_cannot_do(project: Project, tmp_path: Path) -> None:
    notes = export_xlsform(_form(project, "household"), tmp_path / "h.xlsx").notes
    codes = [n.code for n in notes]
    assert codes.count("FK-XLS-072") == 1  # pii fields stored in clear by ODK
    assert "FK-XLS-070" in codes  # no "don't know" on ODK
    assert codes.count("FK-XLS-073") == 3  # three questions carry the roster's checks
    rewritten = [n for n in notes if n.code == "FK-XLS-071"]
    assert any("is-dont-know(${age})" in n.message for n in rewritten)
    assert all((n.location.record or "").startswith("survey!") for n in rewritten)
