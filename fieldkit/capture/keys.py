"""What the enumerator types for a choice: one reading, the one the screen shows.

Every choice is shown with a *key*, and a typed key means that choice and nothing else:

- when every value of the question's list is a small whole number written plainly
  (``0``, ``1``, ``96``: the codes of a paper questionnaire), the key is the code itself,
  so ``1`` is the choice coded 1 whatever its place in the list;
- otherwise the key is the choice's place in the list shown (1, 2, 3, ... after any
  choice_filter), and a code is never typed.

Keys are digits; the special answers are the words ``dk`` and ``rf`` (with their French
and spelled-out forms), so a typed token can never be both. A word that is none of those may
name a choice by its value (``north``): a value is never all digits where keys are places,
and where keys are codes the value *is* the key, so that adds no second reading either.

An answers file or a web form gives the values themselves: it wraps them in `Coded`, which
is never read as a place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from fieldkit.capture.messages import answer_error
from fieldkit.capture.prompts import ChoiceView

__all__ = ["Coded", "keyed_by_code", "numbered", "read_choice", "read_choices", "read_one"]

CHOICE_ERROR = "FK-ANS-004"
_CODE: Final = re.compile(r"0|[1-9][0-9]{0,3}")
_DIGITS: Final = re.compile(r"[0-9]+")
_SEPARATORS: Final = re.compile(r"[\s,;]+")


@dataclass(frozen=True, slots=True)
class Coded:
    """Choice values given as the values themselves (``"1"``, ``["farm", "fishing"]``):
    what an answers file or a web form's radio buttons hand over. Never read as a place in
    the list; for questions that are not choices it is the plain value."""

    value: object


def keyed_by_code(values: Iterable[str]) -> bool:
    """Whether a list's codes are shown and typed as its keys (all small plain integers)."""
    found = list(values)
    return bool(found) and all(_CODE.fullmatch(value) for value in found)


def numbered(items: Iterable[tuple[str, str]], *, codes: bool) -> tuple[ChoiceView, ...]:
    """Choice views for ``(value, label)`` pairs in the order shown."""
    return tuple(
        ChoiceView(place, value, label, value if codes else str(place))
        for place, (value, label) in enumerate(items, 1)
    )


def read_choice(
    token: str, choices: Sequence[ChoiceView], known: frozenset[str], language: str
) -> str:
    """The value of the choice whose key is ``token`` (or, for a word, whose value it is)."""
    if _DIGITS.fullmatch(token):
        key = str(int(token)) if len(token) < 6 else token  # 01 is 1; never a huge int()
        for choice in choices:
            if choice.key == key:
                return choice.value
        if _by_code(choices) and key in known:  # a code the choice_filter left out
            raise answer_error(CHOICE_ERROR, "hidden_choice", language, token=token)
        raise answer_error(CHOICE_ERROR, "choice", language, token=token)
    for choice in choices:
        if choice.value == token:
            return token
    if token in known:
        raise answer_error(CHOICE_ERROR, "hidden_choice", language, token=token)
    raise answer_error(CHOICE_ERROR, "choice", language, token=token)


def read_value(
    value: str, choices: Sequence[ChoiceView], known: frozenset[str], language: str
) -> str:
    """A choice given by its value (`Coded`): only that value, never a place."""
    if any(choice.value == value for choice in choices):
        return value
    key = "hidden_choice" if value in known else "choice"
    raise answer_error(CHOICE_ERROR, key, language, token=value)


def read_choices(
    raw: object, choices: Sequence[ChoiceView], known: frozenset[str], language: str
) -> tuple[str, ...]:
    """A select_multiple answer: keys (or values) separated by spaces, commas or semicolons;
    a `Coded` list of values. In the order of the list, each once; empty for none."""
    if isinstance(raw, Coded):
        items = raw.value if isinstance(raw.value, list | tuple) else [raw.value]
        picked = {read_value(_text(item), choices, known, language) for item in items}
    else:
        if isinstance(raw, list | tuple | set | frozenset):
            tokens = [_text(item).strip() for item in raw]
        else:
            tokens = [t for t in _SEPARATORS.split(_text(raw).strip()) if t]
        picked = {read_choice(token, choices, known, language) for token in tokens}
    return tuple(c.value for c in choices if c.value in picked)


def read_one(
    raw: object, choices: Sequence[ChoiceView], known: frozenset[str], language: str
) -> str:
    """A select_one answer: a typed key (or value), or a `Coded` value."""
    if isinstance(raw, Coded):
        return read_value(_text(raw.value), choices, known, language)
    return read_choice(_text(raw).strip(), choices, known, language)


def _text(raw: object) -> str:
    if isinstance(raw, bool):
        return str(int(raw))
    return raw if isinstance(raw, str) else str(raw)


def _by_code(choices: Sequence[ChoiceView]) -> bool:
    return bool(choices) and all(choice.key == choice.value for choice in choices)
