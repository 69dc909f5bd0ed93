"""Every compiler error code, triggered by the smallest instrument that shows it.

The standard header (tests/conftest.py) takes lines 1-6, so a body starts on line 7.
"""

from __future__ import annotations

import pytest

from tests.conftest import HEADER

OK_SECTION = """
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - name: age
        type: integer
        label: {en: Age, fr: Âge}
"""


def codes(result) -> list[str]:  # type: ignore[no-untyped-def]
    return result.report.codes()


def test_a_small_instrument_compiles(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION)
    assert result.report.ok, [i.one_line() for i in result.report.issues]
    assert result.form is not None
    assert result.form.hash.startswith("sha256:")


def test_malformed_yaml_names_file_and_line(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml("sections:\n  - name: main\n   questions: [\n")
    assert result.report.flatten(["file", "code"]) == [["i.yaml", "FK-YAML-001"]]
    assert result.report.issues[0].location.line is not None


def test_unknown_key_suggests_the_right_one(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION.replace("type: integer", "type: integer\n        lable: x"))
    assert result.report.flatten(["line", "column", "code"]) == [[13, 9, "FK-YAML-002"]]
    assert result.report.issues[0].hint == "did you mean 'label'?"


def test_duplicate_yaml_key(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION.replace("type: integer", "type: integer\n        type: text"))
    assert "FK-YAML-003" in codes(result)


def test_wrong_value_type_and_missing_key(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION.replace("type: integer", "type: integr"))
    assert result.report.flatten(["line", "code"]) == [[12, "FK-YAML-004"]]
    assert result.report.issues[0].hint == "did you mean 'integer'?"
    missing = compile_yaml(OK_SECTION.replace("      - name: age\n", "      - label_only: 1\n"))
    assert "FK-YAML-004" in codes(missing)


def test_empty_file_and_missing_file(protocol, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from fieldkit.instrument.compiler import compile_instrument, compile_text

    assert codes(compile_text("", {})) == ["FK-YAML-005"]
    assert codes(compile_instrument(tmp_path / "nope.yaml", {})) == ["FK-YAML-005"]


def test_duplicate_question_names(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = (
        OK_SECTION + "      - name: age\n        type: integer\n        label: {en: Age, fr: Âge}\n"
    )
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[14, "FK-INS-001"]]
    assert "first at line 11" in result.report.issues[0].message


def test_named_choice_list_missing_suggests(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    choices:
      yes_no:
        - {value: 1, label: {en: "Yes", fr: Oui}}
        - {value: 2, label: {en: "No", fr: Non}}
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - name: works
            type: select_one
            choices: yesno
            label: {en: "Works?", fr: "Travaille ?"}
    """
    result = compile_yaml(body)
    assert "FK-INS-002" in codes(result)
    issue = next(i for i in result.report.issues if i.code == "FK-INS-002")
    assert issue.hint == "did you mean 'yes_no'?"
    assert issue.location.line == 17


def test_empty_and_duplicate_choices(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    choices:
      empty: []
      twice:
        - {value: 1, label: {en: A, fr: A}}
        - {value: 1, label: {en: B, fr: B}}
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - {name: a, type: select_one, choices: empty, label: {en: A, fr: A}}
          - {name: b, type: select_one, choices: twice, label: {en: B, fr: B}}
    """
    result = compile_yaml(body)
    assert "FK-INS-003" in codes(result)
    assert [
        i.line for i in [x.location for x in result.report.issues if x.code == "FK-INS-004"]
    ] == [11]


def test_constraint_without_message(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION + '        constraint: ". >= 0"\n')
    assert result.report.flatten(["line", "code"]) == [[14, "FK-INS-005"]]


def test_repeat_count_must_be_a_whole_number(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - {name: nick, type: text, label: {en: Word, fr: Mot}}
          - name: members
            type: repeat
            label: {en: Members, fr: Membres}
            count: ${nick}
            questions:
              - {name: sex, type: select_one, choices: [{value: 1, label: {en: M, fr: M}}, {value: 2, label: {en: F, fr: F}}], label: {en: Sex, fr: Sexe}, disaggregation: sex}
              - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age}
    """
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[15, "FK-INS-006"]]


def test_select_without_choices_and_keys_that_do_not_fit(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - {name: a, type: select_one, label: {en: A, fr: A}}
          - {name: b, type: integer, label: {en: B, fr: B}, calculation: "1"}
    """
    result = compile_yaml(body)
    assert codes(result) == ["FK-INS-007", "FK-INS-008"]


def test_missing_translation(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION.replace("label: {en: Age, fr: Âge}", "label: {en: Age}"))
    assert result.report.flatten(["line", "code"]) == [[13, "FK-INS-009"]]
    assert "'fr'" in result.report.issues[0].message


def test_identifying_field_must_be_pii(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = OK_SECTION + "      - {name: child_name, type: text, label: {en: Name, fr: Nom}}\n"
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[14, "FK-INS-010"]]
    fixed = compile_yaml(body.replace("type: text,", "type: text, pii: true,"))
    assert fixed.report.ok


def test_child_instrument_needs_sex_and_exact_age(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    header = HEADER.replace("respondents: [adult]", "respondents: [child]")
    result = compile_yaml(OK_SECTION, header=header)
    assert codes(result) == ["FK-INS-011", "FK-INS-011"]
    banded = OK_SECTION.replace(
        "type: integer",
        "type: select_one\n        disaggregation: age\n        choices: [{value: a, label: {en: 5-11, fr: 5-11}}]",
    )
    assert "FK-INS-012" in codes(compile_yaml(banded))


def test_invalid_name(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION.replace("name: age", "name: Age-1"))
    assert result.report.flatten(["line", "code"]) == [[11, "FK-INS-013"]]


def test_unit_key_must_name_a_question(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION, header=HEADER + "unit_key: [agee]\n")
    assert result.report.flatten(["line", "code"]) == [[7, "FK-INS-014"]]
    assert result.report.issues[0].hint == "did you mean 'age'?"


def test_nested_roster(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - name: outer
            type: repeat
            label: {en: Outer, fr: Extérieur}
            questions:
              - name: inner
                type: repeat
                label: {en: Inner, fr: Intérieur}
                questions:
                  - {name: x, type: integer, label: {en: X, fr: X}}
    """
    header = HEADER.replace("kind: household", "kind: establishment")
    assert "FK-INS-015" in codes(compile_yaml(body, header=header))


def test_default_language_must_be_listed(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(OK_SECTION, header=HEADER + "default_language: pt\n")
    assert codes(result) == ["FK-INS-016"]


def test_unused_choice_list_is_a_warning(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = "choices:\n  spare:\n    - {value: 1, label: {en: A, fr: A}}\n" + OK_SECTION
    result = compile_yaml(body)
    assert result.report.ok
    assert codes(result) == ["FK-INS-017"]


def test_identifying_key(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = (
        OK_SECTION
        + "      - {name: head_name, type: text, pii: true, label: {en: Name, fr: Nom}}\n"
    )
    assert codes(compile_yaml(body, header=HEADER + "unit_key: [head_name]\n")) == ["FK-INS-018"]


def test_child_instrument_without_consent_block(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    header = HEADER.replace("respondents: [adult]", "respondents: [child]\nconsent: none")
    body = OK_SECTION.replace("type: integer", "type: integer\n        disaggregation: age") + (
        "      - {name: sex, type: select_one, disaggregation: sex, label: {en: Sex, fr: Sexe},"
        " choices: [{value: 1, label: {en: M, fr: M}}]}\n"
    )
    result = compile_yaml(body, header=header)
    assert result.report.flatten(["line", "code"]) == [[7, "FK-ETH-001"]]
    assert "children" in result.report.issues[0].message


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (("protocol: test_protocol", "protocol: test_protocl"), "FK-PROT-001"),
        (("kind: household", "kind: rapid_assessment"), "FK-PROT-002"),
        (("languages: [en, fr]", "languages: [en, fr, sw]"), "FK-PROT-003"),
    ],
)
def test_instrument_and_protocol_must_agree(compile_yaml, change, code) -> None:  # type: ignore[no-untyped-def]
    header = HEADER.replace(*change)
    assert code in codes(compile_yaml(OK_SECTION, header=header))


def test_sample_design_on_a_non_representative_study(protocol) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import compile_with

    adhoc = protocol.model.model_copy(update={"representative": False})
    other = type(protocol)(adhoc, protocol.consent, "sha256:x", None)
    header = HEADER + "sample_design: {psu: age, weight: age}\n"
    assert "FK-PROT-010" in codes(compile_with(other, OK_SECTION, header=header))


def test_every_problem_is_reported_not_only_the_first(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = OK_SECTION + (
        "      - {name: age, type: integer, label: {en: A}}\n"
        '      - {name: x, type: integer, label: {en: X, fr: X}, constraint: ". > 1"}\n'
    )
    assert codes(compile_yaml(body)) == ["FK-INS-001", "FK-INS-009", "FK-INS-005"]
