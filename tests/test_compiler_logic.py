"""Expressions inside instruments: positions, references, cycles, order, dependencies."""

from __future__ import annotations

BASE = """
sections:
  - name: main
    label: {en: Main, fr: Principal}
    questions:
      - name: age
        type: integer
        label: {en: Age, fr: Âge}
      - name: works
        type: integer
        label: {en: Hours, fr: Heures}
        relevant: "${agee} >= 5"
"""


def test_dangling_reference_points_at_the_character(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(BASE)
    # line 17, `relevant: "` ends at column 19, the reference starts at column 20
    assert result.report.flatten(["line", "column", "code"]) == [[17, 20, "FK-EXPR-002"]]
    assert result.report.issues[0].hint is not None
    assert "${age}" in result.report.issues[0].hint


def test_bad_expression_is_one_clear_line(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(BASE.replace("${agee} >= 5", "${age} >= "))
    assert result.report.codes() == ["FK-EXPR-001"]
    line = result.report.issues[0].one_line()
    assert line.startswith("i.yaml:17:")
    assert "\n" not in line


def test_cycle_among_calculations(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = BASE.replace("${agee}", "${age}") + (
        '      - {name: a, type: calculate, calculation: "${b} + 1"}\n'
        '      - {name: b, type: calculate, calculation: "${a} + 1"}\n'
    )
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[18, "FK-EXPR-008"]]
    assert "a → b → a" in result.report.issues[0].message


def test_cycle_through_relevance(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    """A calculation reading a later question whose relevance reads the calculation."""
    body = BASE.replace("${agee}", "${age}") + (
        '      - {name: flag, type: calculate, calculation: "${later} + 1"}\n'
        '      - {name: later, type: integer, label: {en: L, fr: L}, relevant: "${flag} > 1"}\n'
    )
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[18, "FK-EXPR-008"]]
    assert "flag → later → flag" in result.report.issues[0].message


def test_relevance_on_a_later_question(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = BASE.replace("${agee} >= 5", "${later} = 1") + (
        "      - {name: later, type: integer, label: {en: L, fr: L}}\n"
    )
    assert compile_yaml(body).report.flatten(["line", "code"]) == [[17, "FK-EXPR-009"]]


def test_roster_reference_from_outside_needs_an_aggregate(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - name: members
            type: repeat
            label: {en: Members, fr: Membres}
            questions:
              - {name: sex, type: select_one, disaggregation: sex, label: {en: Sex, fr: Sexe}, choices: [{value: 1, label: {en: M, fr: M}}, {value: 2, label: {en: F, fr: F}}]}
              - {name: age, type: integer, disaggregation: age, label: {en: Age, fr: Âge}}
          - {name: n_kids, type: calculate, calculation: "${age} + 0"}
          - {name: n_all, type: calculate, calculation: "count(${members})"}
    """
    result = compile_yaml(body)
    assert result.report.flatten(["line", "code"]) == [[17, "FK-EXPR-006"]]


def test_dependencies_are_recorded(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    result = compile_yaml(BASE.replace("${agee}", "${age}"))
    assert result.form is not None
    assert result.form.dependents["age"] == frozenset({"works"})


def test_hash_changes_with_content_not_with_layout(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    plain = compile_yaml(BASE.replace("${agee}", "${age}")).form
    spaced = compile_yaml("\n\n" + BASE.replace("${agee}", "${age}")).form
    changed = compile_yaml(BASE.replace("${agee} >= 5", "${age} >= 6")).form
    assert plain is not None and spaced is not None and changed is not None
    assert plain.hash == spaced.hash
    assert plain.hash != changed.hash


def test_comparing_a_select_with_a_value_it_does_not_have(compile_yaml) -> None:  # type: ignore[no-untyped-def]
    body = """
    choices:
      band:
        - {value: "5_11", label: {en: 5-11, fr: 5-11}}
        - {value: "12_14", label: {en: 12-14, fr: 12-14}}
    sections:
      - name: main
        label: {en: Main, fr: Principal}
        questions:
          - {name: band, type: select_one, choices: band, label: {en: Band, fr: Tranche}}
          - {name: x, type: integer, label: {en: X, fr: X}, relevant: "${band} = '511'"}
          - {name: y, type: integer, label: {en: Y, fr: Y}, relevant: "${band} = '12_14'"}
    """
    result = compile_yaml(body)
    assert result.report.flatten(["line", "column", "code"]) == [[16, 78, "FK-EXPR-013"]]
    assert result.report.issues[0].hint == "did you mean '5_11'?"
