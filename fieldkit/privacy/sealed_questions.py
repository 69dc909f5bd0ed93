"""Which answers are sealed at capture: identifying ones, and every free text.

Protection must not depend on an author remembering a ``pii:`` mark (issue 11): every
``text`` question not marked ``pii`` is free text, sealed to the merge key, because a
"describe", "other, specify" or a note can name a trafficker, a village or a phone number.

The one exception is a code asked as text so that a leading zero survives (ISIC Rev.4 class
0510, ISCO-08 group 0110): the questions ``fieldkit.indicators.mappings`` names as the
industry and occupation codes of an instrument kind, and only when the instrument constrains
them to digits (``regex(., '^[0-9]{4}$')``), so nothing but a code can be typed in. Those stay
in clear: the child labour indicators read them, and release profiles let valid codes leave.
The laptop store and the merge's row checks both ask here, so they always agree.
"""

from __future__ import annotations

import re

from fieldkit.instrument.expression.ast import Call, Current, Literal
from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import QuestionType

__all__ = ["code_questions", "free_text_questions"]

_DIGITS = re.compile(r"\^\[0-9\]\{\d{1,2}(,\d{1,2})?\}\$")
"""A regex that admits digits only: ``^[0-9]{4}$`` or ``^[0-9]{2,4}$``."""


def code_questions(form: Form) -> frozenset[str]:
    """The text questions of ``form`` that hold ISIC/ISCO codes, constrained to digits."""
    from fieldkit.indicators.mappings import coded_questions  # noqa: PLC0415  (light, lazy)

    return frozenset(
        name
        for name in coded_questions(str(form.kind))
        if name in form.questions and _digits_only(form.questions[name])
    )


def free_text_questions(form: Form) -> frozenset[str]:
    """The questions whose answers are sealed to the merge key at capture."""
    codes = code_questions(form)
    return frozenset(
        name
        for name, question in form.questions.items()
        if question.type is QuestionType.TEXT and not question.pii and name not in codes
    )


def _digits_only(question: Question) -> bool:
    """True when the constraint is exactly ``regex(., '<digits only>')``."""
    rule = question.constraint
    if not isinstance(rule, Call) or rule.function != "regex" or len(rule.args) != 2:
        return False
    target, pattern = rule.args
    return (
        isinstance(target, Current)
        and isinstance(pattern, Literal)
        and isinstance(pattern.value, str)
        and _DIGITS.fullmatch(pattern.value) is not None
    )
