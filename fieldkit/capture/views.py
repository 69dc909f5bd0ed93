"""Prompts for the form's own questions and rosters, in the session language."""

from __future__ import annotations

import functools
from collections.abc import Iterable

from fieldkit.capture.keys import numbered
from fieldkit.capture.messages import DONT_KNOW_KEY, REFUSED_KEY, say
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
from fieldkit.capture.texts import Texts
from fieldkit.capture.values import show
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import AnswerStatus

__all__ = ["question_prompt", "roster_prompt", "summary_rows"]


def question_prompt(
    texts: Texts, node: Node, member: int, language: str, progress: Progress
) -> Prompt:
    """A question as shown: its texts with the answers they name, its choices with the keys
    to type, and the special answers it takes."""
    plan, sheet = texts.plan, texts.sheet
    question = node.question
    labels = plan.choice_labels(node.name, language)
    if node.choice_filter is None:
        choices = plan.choice_views(node.name, language)
    else:
        offered = ((c.value, labels[c.value]) for c in sheet.offered(node, member))
        choices = numbered(offered, codes=node.by_code)
    required_if = node.required_if
    required = question.required or (
        required_if is not None and sheet.check(node, member, required_if)
    )
    key = (node.name, member)
    value = sheet.values.get(key)
    shown = (
        None if key not in sheet.values else show(value, node.kind, labels, language, pii=node.pii)
    )
    fill = functools.partial(texts.fill, roster=node.repeat, member=member, language=language)
    return Prompt(
        kind=PromptKind.QUESTION,
        name=node.name,
        type=node.kind,
        label=fill(plan.text(question.label, language)),
        progress=progress,
        hint=fill(plan.text(question.hint, language)),
        choices=choices,
        required=required and node.counted,
        allow_dont_know=question.allow_dont_know,
        allow_refused=question.allow_refused,
        member=member,
        roster=_place(texts, node.repeat, member, language),
        section=node.section,
        section_label=plan.section_labels(node.section, language),
        answer=shown,
        specials=_specials(question.allow_dont_know, question.allow_refused, language),
    )


def roster_prompt(
    plan: Plan, sheet: Sheet, node: Node, language: str, progress: Progress
) -> Prompt:
    """The open-ended roster's "add a member?" (1 yes, 2 no)."""
    label = plan.text(node.question.label, language)
    count = len(sheet.members[node.name])
    return Prompt(
        kind=PromptKind.ROSTER_COUNT,
        name=node.name,
        type=QuestionType.SELECT_ONE,
        label=say("add_member", language, label=label, count=count),
        progress=progress,
        choices=numbered(
            (("1", say("add_yes", language)), ("2", say("add_no", language))), codes=True
        ),
        section=node.section,
        section_label=plan.section_labels(node.section, language),
    )


def _specials(dont_know: bool, refused: bool, language: str) -> tuple[ChoiceView, ...]:
    allowed = (
        (dont_know, AnswerStatus.DONT_KNOW, "dont_know", DONT_KNOW_KEY),
        (refused, AnswerStatus.REFUSED, "refused", REFUSED_KEY),
    )
    return tuple(
        ChoiceView(0, str(status), say(text, language), key)
        for allow, status, text, key in allowed
        if allow
    )


def summary_rows(texts: Texts, stops: Iterable[Key], language: str) -> list[SummaryRow]:
    """The answered questions among ``stops``, for display (identifying answers as "•••"),
    each label with its answers filled in, identifying ones left out ("member 2")."""
    plan, sheet = texts.plan, texts.sheet
    rows: list[SummaryRow] = []
    for slot in stops:
        node = plan.nodes[slot[0]]
        if not node.counted or slot not in sheet.values:
            continue
        labels = plan.choice_labels(node.name, language)
        shown = show(sheet.values[slot], node.kind, labels, language, pii=node.pii)
        label = plan.text(node.question.label, language)
        label = texts.fill(label, node.repeat, slot[1], language, sealed=True)
        rows.append(SummaryRow(node.section, node.name, slot[1], label, shown))
    return rows


def _place(texts: Texts, roster: str | None, member: int, language: str) -> RosterPlace | None:
    if roster is None:
        return None
    plan, members = texts.plan, texts.sheet.members[roster]
    label = plan.text(plan.nodes[roster].question.label, language)
    name = texts.member_name(roster, member, language)
    return RosterPlace(roster, label, member, texts.place(roster, member), len(members), name)
