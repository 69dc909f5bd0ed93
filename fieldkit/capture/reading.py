"""Reading an answer to a question of the form: its type, required, its constraint."""

from __future__ import annotations

from typing import Final

from fieldkit.capture.messages import answer_error
from fieldkit.capture.plan import Node, Plan
from fieldkit.capture.prompts import Prompt
from fieldkit.capture.sheet import Sheet
from fieldkit.capture.values import EMPTY, parse_answer
from fieldkit.errors import AnswerError
from fieldkit.instrument.expression import Missing

__all__ = ["KEEP", "read_answer"]

KEEP: Final = object()
"""A blank answer where one was given already: keep it."""


def read_answer(
    node: Node,
    member: int,
    raw: object,
    *,
    prompt: Prompt | None,
    plan: Plan,
    sheet: Sheet,
    language: str,
) -> object:
    """The value ``raw`` gives the question as ``prompt`` shows it (None for a note); `EMPTY`
    for a blank on an optional question, `KEEP` for a blank where an answer is held. Raises
    `AnswerError` for a wrong type, a required question left blank, a broken constraint."""
    if prompt is None:
        return EMPTY
    question = node.question
    value = parse_answer(
        node.kind, raw, prompt.choices, node.known_values,
        allow_dont_know=question.allow_dont_know, allow_refused=question.allow_refused,
        language=language,
    )  # fmt: skip
    if value is EMPTY:
        if (node.name, member) in sheet.values:
            return KEEP
        if prompt.required:
            raise answer_error("FK-ANS-002", "required", language)
        return EMPTY
    constraint = node.constraint
    if constraint is not None and not isinstance(value, Missing):
        if not sheet.check(node, member, constraint, value):
            message = plan.text(question.constraint_message, language)
            raise (
                answer_error("FK-ANS-003", "constraint", language)
                if not message
                else AnswerError(message, code="FK-ANS-003")
            )
    return value
