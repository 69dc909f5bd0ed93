"""Prompts for the form's own questions and rosters, in the session language."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from fieldkit.capture.messages import say
from fieldkit.capture.plan import Node, Plan
from fieldkit.capture.prompts import (
    ChoiceView,
    Progress,
    Prompt,
    PromptKind,
    RosterPlace,
    SummaryRow,
)
from fieldkit.capture.sheet import Key, Sheet
from fieldkit.capture.values import show
from fieldkit.instrument.schema import QuestionType

__all__ = ["question_prompt", "roster_prompt", "summary_rows"]


def question_prompt(plan: Plan, sheet: Sheet, node: Node, member: int, language: str) -> Prompt:
    question = node.question
    labels = plan.choice_labels(node.name, language)
    if node.choice_filter is None:
        choices = plan.choice_views(node.name, language)
    else:
        offered = enumerate(sheet.offered(node, member), 1)
        choices = tuple(ChoiceView(n, c.value, labels[c.value]) for n, c in offered)
    required_if = node.required_if
    required = question.required or (
        required_if is not None and sheet.check(node, member, required_if)
    )
    key = (node.name, member)
    value = sheet.values.get(key)
    shown = (
        None if key not in sheet.values else show(value, node.kind, labels, language, pii=node.pii)
    )
    return Prompt(
        kind=PromptKind.QUESTION,
        name=node.name,
        type=node.kind,
        label=plan.text(question.label, language),
        progress=Progress(sheet.answered, sheet.applicable),
        hint=plan.text(question.hint, language),
        choices=choices,
        required=required and node.counted,
        allow_dont_know=question.allow_dont_know,
        allow_refused=question.allow_refused,
        member=member,
        roster=_place(plan, sheet, node.repeat, member, language),
        section=node.section,
        section_label=plan.section_labels(node.section, language),
        answer=shown,
    )


def roster_prompt(plan: Plan, sheet: Sheet, node: Node, language: str) -> Prompt:
    """The open-ended roster's "add a member?" (1 yes, 2 no)."""
    label = plan.text(node.question.label, language)
    count = len(sheet.members[node.name])
    return Prompt(
        kind=PromptKind.ROSTER_COUNT,
        name=node.name,
        type=QuestionType.SELECT_ONE,
        label=say("add_member", language, label=label, count=count),
        progress=Progress(sheet.answered, sheet.applicable),
        choices=(
            ChoiceView(1, "1", say("add_yes", language)),
            ChoiceView(2, "2", say("add_no", language)),
        ),
        section=node.section,
        section_label=plan.section_labels(node.section, language),
    )


def summary_rows(plan: Plan, sheet: Sheet, stops: Iterable[Key], language: str) -> list[SummaryRow]:
    """The answered questions among ``stops``, for display (identifying answers as "•••")."""
    rows: list[SummaryRow] = []
    for slot in stops:
        node = plan.nodes[slot[0]]
        if not node.counted or slot not in sheet.values:
            continue
        labels = plan.choice_labels(node.name, language)
        shown = show(sheet.values[slot], node.kind, labels, language, pii=node.pii)
        label = plan.text(node.question.label, language)
        rows.append(SummaryRow(node.section, node.name, slot[1], label, shown))
    return rows


def _place(
    plan: Plan, sheet: Sheet, roster: str | None, member: int, language: str
) -> RosterPlace | None:
    if roster is None:
        return None
    members = sheet.members[roster]
    label = plan.text(plan.nodes[roster].question.label, language)
    index = bisect_left(members, member) + 1
    return RosterPlace(roster, label, member, index, len(members))
