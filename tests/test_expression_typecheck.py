"""Type-checking expressions: every problem, each at the file:line:col of the node at fault."""

from __future__ import annotations

from fieldkit.errors import Location
from fieldkit.instrument.expression import DictScope, Symbol, ValueType, parse, typecheck
from fieldkit.report import Issue

T = ValueType
WHERE = Location("f.yaml", 10, 5)  # the expression's first character: column 1 is file col 5

QUESTIONS = (
    Symbol("name", T.STRING),
    Symbol("name_text", T.STRING),
    Symbol("age_head", T.NUMBER),
    Symbol("hh_size", T.NUMBER),
    Symbol("consent", T.CHOICE),
    Symbol("work", T.CHOICES),
    Symbol("dob", T.DATE),
    Symbol("visit", T.DATETIME),
    Symbol("members", T.ROSTER),
    Symbol("age", T.NUMBER, "members"),
    Symbol("sex", T.CHOICE, "members"),
    Symbol("children", T.ROSTER, "members"),
    Symbol("child_age", T.NUMBER, "children"),
    Symbol("plots", T.ROSTER),
    Symbol("plot_size", T.NUMBER, "plots"),
)
TOP = DictScope.of(*QUESTIONS)
IN_MEMBERS = DictScope.of(*QUESTIONS, current_repeat="members")
IN_CHILDREN = DictScope.of(*QUESTIONS, current_repeat="children")
CONSTRAINT = DictScope.of(*QUESTIONS, current_type=T.NUMBER)
CHOICE_FILTER = DictScope.of(*QUESTIONS, properties=frozenset({"region", "district"}))


def issues(
    text: str, scope: DictScope = TOP, expected: ValueType | None = None
) -> list[tuple[str, int | None]]:
    """(code, file column) of each problem, in the order found."""
    _, found = typecheck(parse(text), scope, WHERE, expected)
    assert all(i.location.file == "f.yaml" and i.location.line == 10 for i in found)
    return [(issue.code, issue.location.column) for issue in found]


def only_issue(text: str, scope: DictScope = TOP, expected: ValueType | None = None) -> Issue:
    _, found = typecheck(parse(text), scope, WHERE, expected)
    assert len(found) == 1, found
    return found[0]


def type_of(text: str, scope: DictScope = TOP) -> ValueType:
    found, problems = typecheck(parse(text), scope)
    assert problems == []
    return found


def test_a_good_expression_has_a_type_and_no_issues() -> None:
    assert type_of("${age_head} >= 5 and selected(${work}, 'farm')") is T.BOOLEAN
    assert type_of("int((today() - ${dob}) div 365.25)") is T.NUMBER
    assert type_of("${dob} + 7") is T.DATE
    assert type_of("concat(${name}, ' ', ${hh_size})") is T.STRING
    assert type_of("if(${consent} = 1, ${age_head}, '')") is T.NUMBER
    assert type_of("coalesce(${name}, 'unknown')") is T.STRING
    assert type_of("count(${members}) + sum(${age}) + max(${plot_size})") is T.NUMBER


def test_unknown_reference_suggests_the_nearest_name() -> None:
    issue = only_issue("${nmae} = 'x'")
    assert (issue.code, issue.location) == ("FK-EXPR-002", Location("f.yaml", 10, 5))
    assert issue.message == "unknown question ${nmae}"
    assert issue.hint == "did you mean ${name}?"


def test_wrong_operand_type_names_expected_and_found() -> None:
    issue = only_issue("${name_text} + 1")
    assert (issue.code, issue.location.column) == ("FK-EXPR-003", 5)
    assert issue.message == "'+' needs a number, found a text"


def test_wrong_argument_type() -> None:
    issue = only_issue("selected(${age_head}, 'x')")
    assert (issue.code, issue.location.column) == ("FK-EXPR-003", 14)
    assert issue.message == (
        "selected() argument 1 must be a select_one answer or a select_multiple answer,"
        " found a number"
    )
    assert issues("count-selected(${consent}) > 1") == [("FK-EXPR-003", 20)]


def test_comparison_and_ordering_types() -> None:
    assert issues("${consent} = 1 or ${consent} = 'yes' or ${age_head} = ''") == []
    assert issues("${dob} < '2020-01-01' and ${visit} > ${dob}") == []
    assert issues("${consent} > 2") == []  # a choice value may be a number
    assert issues("${dob} = 5") == [("FK-EXPR-003", 5)]
    assert issues("${name} < 5") == [("FK-EXPR-003", 5)]
    assert issues("${dob} < 5") == [("FK-EXPR-003", 5)]
    assert issues("${work} = 1") == [("FK-EXPR-003", 5)]


def test_arithmetic_types() -> None:
    assert type_of("today() - ${dob}") is T.NUMBER
    assert type_of("${dob} - 1") is T.DATE
    assert issues("${dob} + ${dob}") == [("FK-EXPR-003", 5), ("FK-EXPR-003", 14)]
    assert issues("-${name}") == [("FK-EXPR-003", 6)]
    assert issues("${work} * 2") == [("FK-EXPR-003", 5)]


def test_a_roster_can_only_be_counted() -> None:
    issue = only_issue("${members} > 2")
    assert (issue.code, issue.hint) == ("FK-EXPR-003", "write count(${members})")
    assert issues("sum(${members})") == [("FK-EXPR-003", 9)]
    assert issues("count(${hh_size})") == [("FK-EXPR-003", 11)]
    assert issues("sum(${name})") == [("FK-EXPR-003", 9)]
    assert issues("count(1)") == [("FK-EXPR-003", 11)]


def test_answer_functions_need_a_question() -> None:
    assert issues("is-dont-know(${age}) or is-refused(.)", IN_MEMBERS) == [("FK-EXPR-007", 40)]
    assert issues("is-dont-know(5)") == [("FK-EXPR-003", 18)]


def test_position_only_inside_a_roster() -> None:
    assert issues("position() = 1", IN_MEMBERS) == []
    issue = only_issue("position() = 1")
    assert issue.code == "FK-EXPR-003"
    assert "roster" in issue.message


def test_unknown_function_suggests_the_nearest_one() -> None:
    issue = only_issue("count_selected(${work}) > 0")
    assert (issue.code, issue.location.column) == ("FK-EXPR-004", 5)
    assert issue.hint == "did you mean count-selected()?"
    assert only_issue("selectd(${work}, 'a')").hint == "did you mean selected()?"


def test_wrong_number_of_arguments_says_how_many() -> None:
    issue = only_issue("round()")
    assert (issue.code, issue.location.column) == ("FK-EXPR-005", 5)
    assert issue.message == "round() takes 1 to 2 arguments, found 0"
    assert only_issue("selected(${work})").message == "selected() takes 2 arguments, found 1"
    assert issues("concat()") == []


def test_roster_question_from_outside_needs_an_aggregate() -> None:
    issue = only_issue("${age} > 5")
    assert (issue.code, issue.location.column) == ("FK-EXPR-006", 5)
    assert issue.hint == "wrap it in count(), sum(), min() or max()"
    assert issues("max(${age}) > 5") == []
    assert issues("${plot_size} > 1", IN_MEMBERS) == [("FK-EXPR-006", 5)]


def test_inside_a_roster_a_plain_ref_is_the_same_members_answer() -> None:
    assert issues("${age} > 5 and ${sex} = 1", IN_MEMBERS) == []
    assert issues("${age} > ${child_age}", IN_CHILDREN) == []  # nested: the parent member
    assert issues("${age_head} > 5", IN_MEMBERS) == []  # top level: visible everywhere
    assert issues("${child_age} > 5", IN_MEMBERS) == [("FK-EXPR-006", 5)]


def test_current_answer_only_where_there_is_one() -> None:
    assert issues(". >= 1 and . <= 999", CONSTRAINT) == []
    issue = only_issue(". > 5")
    assert (issue.code, issue.location.column) == ("FK-EXPR-007", 5)


def test_invalid_regular_expression() -> None:
    assert issues("regex(${name}, '[0-9]{10}')") == []
    issue = only_issue("regex(${name}, '[0-9')")
    assert (issue.code, issue.location.column) == ("FK-EXPR-010", 20)
    assert "invalid regular expression" in issue.message
    assert issues("regex(${name}, ${name_text})") == [("FK-EXPR-003", 20)]


def test_result_must_fit_the_place() -> None:
    issue = only_issue("${age_head} + 1", expected=T.BOOLEAN)
    assert (issue.code, issue.location.column) == ("FK-EXPR-011", 5)
    assert issue.message == "expected a true/false expression, found a number"
    _, found = typecheck(parse("${name}"), TOP, WHERE, T.BOOLEAN, context="relevant")
    assert found[0].message == "relevant must be a true/false expression, found a text"
    assert issues("${name}", expected=T.NUMBER) == [("FK-EXPR-011", 5)]
    assert issues("${hh_size}", expected=T.NUMBER) == []
    assert issues("${consent} = 1", expected=T.BOOLEAN) == []


def test_bare_names_only_in_a_choice_filter() -> None:
    issue = only_issue("region = ${consent}")
    assert (issue.code, issue.location.column) == ("FK-EXPR-012", 5)
    assert issue.hint == "write ${region} to refer to a question, or 'region' for a text"
    assert only_issue("true").hint == "write true()"
    assert only_issue("AND").hint == "operators are lower case: and"
    assert issues("region = ${consent}", CHOICE_FILTER) == []
    assert only_issue("regoin = 1", CHOICE_FILTER).hint == "did you mean region?"


def test_every_problem_is_reported_not_only_the_first() -> None:
    assert issues("${nmae} + count_selected(${work}) + . + ${age}") == [
        ("FK-EXPR-002", 5),
        ("FK-EXPR-004", 15),
        ("FK-EXPR-007", 41),
        ("FK-EXPR-006", 45),
    ]


def test_without_a_location_issues_carry_the_column_in_the_expression() -> None:
    _, found = typecheck(parse("1 + ${nmae}"), TOP)
    assert found[0].location == Location(column=5)
