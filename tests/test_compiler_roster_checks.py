"""Roster checks, member labels and answers shown in texts, as the compiler sees them: typed
like constraints, every mistake one issue at its file:line:column.

The standard header (tests/conftest.py) takes lines 1-6; the roster below starts on line 7.
"""

from __future__ import annotations

from typing import Any

from fieldkit.instrument.expression import unparse

ROSTER = """
choices:
  sex:
    - {value: 1, label: {en: Male, fr: Homme}}
    - {value: 2, label: {en: Female, fr: Femme}}
sections:
  - name: roster
    label: {en: Members, fr: Membres}
    questions:
      - {name: hh_size, type: integer, label: {en: Size, fr: Taille}}
      - name: members
        type: repeat
        label: {en: Members, fr: Membres}
        count: ${hh_size}
        member_label: "${first_name}"
        checks:
          - name: mother_is_female
            when: "${mother_line} >= 1"
            rule: "indexed-repeat(${sex}, ${members}, ${mother_line}) = 2"
            message: {en: "Line ${mother_line} is not a woman", fr: "La ligne ${mother_line} n'est pas une femme"}
        questions:
          - {name: first_name, type: text, pii: true, label: {en: Name, fr: Nom}}
          - {name: sex, type: select_one, choices: sex, disaggregation: sex,
             label: {en: "Is ${first_name} male or female?", fr: "${first_name} est-il un homme ?"}}
          - {name: age, type: integer, disaggregation: age, label: {en: Age, fr: Âge}}
          - {name: mother_line, type: integer, label: {en: Mother, fr: Mère}}
"""
RULE_LINE = 24  # `rule:` of the check


def _issues(result: Any) -> list[list[object]]:
    return result.report.flatten(["line", "column", "code"])  # type: ignore[no-any-return]


def test_a_roster_with_checks_and_a_member_label_compiles(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(ROSTER)
    assert result.report.ok, [i.one_line() for i in result.report.issues]
    members = result.form.questions["members"]
    assert dict(members.member_label) == {"en": "${first_name}", "fr": "${first_name}"}
    (check,) = members.checks
    assert (check.name, unparse(check.rule)) == (
        "mother_is_female",
        "indexed-repeat(${sex}, ${members}, ${mother_line}) = 2",
    )
    assert check.location.line == 22
    assert "checks" in members.to_dict()  # the checks are part of the form's hash


def test_a_form_without_checks_keeps_its_hash(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    plain = (
        ROSTER.split("        member_label:", maxsplit=1)[0]
        + "        questions:"
        + (ROSTER.split("        questions:", 1)[1])
    )
    data = compile_yaml(plain).form.questions["members"].to_dict()
    assert "checks" not in data and "member_label" not in data


def test_a_check_is_typed_like_a_constraint(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    unknown = compile_yaml(ROSTER.replace("${mother_line}) = 2", "${mothr_line}) = 2"))
    assert _issues(unknown) == [[RULE_LINE, 55, "FK-EXPR-002"]]
    assert unknown.report.issues[0].hint == "did you mean ${mother_line}?"
    number = compile_yaml(ROSTER.replace(' = 2"', '"'))
    assert _issues(number) == [[RULE_LINE, 20, "FK-EXPR-011"]]  # a rule must be true/false


def test_indexed_repeat_needs_a_question_of_that_roster(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    not_roster = compile_yaml(ROSTER.replace("${sex}, ${members}", "${sex}, ${hh_size}"))
    assert _issues(not_roster) == [[RULE_LINE, 43, "FK-EXPR-003"]]
    top_level = compile_yaml(ROSTER.replace("(${sex}, ${members}", "(${hh_size}, ${members}"))
    assert _issues(top_level) == [[RULE_LINE, 35, "FK-EXPR-003"]]
    assert "is not asked in a roster" in top_level.report.issues[0].message


def test_checks_belong_to_a_repeat_and_have_their_own_names(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    twice = ROSTER.replace(
        "        questions:\n          - {name: first_name",
        '          - {name: mother_is_female, rule: "${age} >= 0", message: {en: A, fr: A}}\n'
        "        questions:\n          - {name: first_name",
    )
    assert _issues(compile_yaml(twice)) == [[26, 20, "FK-INS-030"]]
    on_a_question = ROSTER.replace(
        "- {name: hh_size, type: integer,",
        "- {name: hh_size, type: integer, checks: [], member_label: x,",
    )
    assert [code for *_, code in _issues(compile_yaml(on_a_question))] == [
        "FK-INS-008",
        "FK-INS-008",
    ]


def test_an_answer_shown_in_a_text_is_checked_like_a_reference(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    misspelt = compile_yaml(ROSTER.replace('"Is ${first_name} male', '"Is ${firstname} male'))
    assert _issues(misspelt) == [[29, 30, "FK-EXPR-002"]]
    assert misspelt.report.issues[0].hint == "did you mean 'first_name'?"
    later = compile_yaml(ROSTER.replace('"Is ${first_name} male', '"Is ${age} male'))
    assert _issues(later) == [[29, 30, "FK-EXPR-009"]]
    outside = compile_yaml(ROSTER.replace("label: {en: Size,", 'label: {en: "Size ${sex}",'))
    assert _issues(outside) == [[15, 58, "FK-EXPR-006"]]
    roster = compile_yaml(ROSTER.replace('not a woman"', 'not a woman of ${members}"'))
    assert _issues(roster) == [[25, 66, "FK-EXPR-003"]]
