"""What one page of an interview shows, and how a submitted page becomes engine answers.

A screen is the engine's current prompt, or, in a section marked ``screen: section``, the
current prompt and the questions after it in the same section and roster member
(`Session.ahead`). A submitted screen is answered field by field, in asking order, while the
engine's current prompt is the next field laid out and still reads the same (an answer can
make a later question apply, stop applying or offer other choices: then the page is shown
again from there, with what was typed kept). Each answer is saved the moment the engine
accepts it; the first one refused stops the page, its message beside its field.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import takewhile
from typing import Final

from fieldkit.capture import DONT_KNOW, REFUSED, Prompt, PromptKind, Session
from fieldkit.capture.keys import Coded
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType as T
from fieldkit.instrument.schema import ScreenMode
from fieldkit.store.records import AnswerChange, AnswerStatus
from fieldkit.web.desk import Live

__all__ = [
    "Field",
    "Screen",
    "Submitted",
    "Typed",
    "build_screen",
    "field_key",
    "shape",
    "submit_screen",
]

Typed = Mapping[str, str | list[str]]
"""What was typed on a page, by field key (never an identifying answer)."""

INPUTS: Final[dict[T, str]] = {
    T.SELECT_ONE: "radio",
    T.SELECT_MULTIPLE: "checkbox",
    T.INTEGER: "integer",
    T.DECIMAL: "decimal",
    T.DATE: "date",
    T.TIME: "time",
    T.DATETIME: "datetime-local",
    T.NOTE: "note",
}
"""How each question type is typed in (text and geopoint: a text box)."""

SPECIALS: Final[dict[str, object]] = {"dk": DONT_KNOW, "rf": REFUSED}
SPECIAL_STATUS: Final = {AnswerStatus.DONT_KNOW: "dk", AnswerStatus.REFUSED: "rf"}


@dataclass(frozen=True, slots=True)
class Field:
    prompt: Prompt
    key: str
    """The form field's name: ``question@member``."""
    input: str
    value: tuple[str, ...] = ()
    """What the input shows: the answer given or what was typed (never an identifying one)."""
    special: str | None = None
    """``dk`` or ``rf`` when that is the answer."""
    hidden: bool = False
    """An identifying answer was given: it is never shown back."""
    error: str | None = None

    @property
    def shape(self) -> str:
        return shape(self.prompt)


@dataclass(frozen=True, slots=True)
class Screen:
    fields: tuple[Field, ...]
    consent: bool
    grouped: bool
    error: str | None = None
    keys: tuple[str, ...] = field(default=())

    @property
    def first(self) -> Prompt:
        return self.fields[0].prompt

    @property
    def signature(self) -> str:
        return " ".join(self.keys)


def field_key(prompt: Prompt) -> str:
    return f"{prompt.name}@{prompt.member}"


def shape(prompt: Prompt) -> str:
    """What the page showed of a question that a later answer on the same page can change:
    the choices offered and whether an answer is required."""
    choices = ",".join(choice.value for choice in prompt.choices)
    return f"{int(prompt.required)}:{choices}"


def build_screen(
    session: Session,
    form: Form,
    *,
    typed: Typed | None = None,
    error: tuple[str, str] | None = None,
) -> Screen | None:
    """The page for the engine's current prompt (None when there is none)."""
    prompts = list(_laid_out(session, form))
    if not prompts:
        return None
    given = session.answers() if not session.consenting else {}
    if error is None:
        error = _failing(session, prompts)
    fields = tuple(_field(p, given, typed or {}, error) for p in prompts)
    return Screen(
        fields=fields,
        consent=session.consenting,
        grouped=len(fields) > 1 or _grouped(form, prompts[0]),
        error=error[1] if error else None,
        keys=tuple(f.key for f in fields),
    )


def _failing(session: Session, prompts: list[Prompt]) -> tuple[str, str] | None:
    """A roster check a resumed draft breaks, beside the field to correct (if shown)."""
    shown = {(p.name, p.member): p for p in prompts}
    for failure in session.failing():
        if failure.at in shown:
            return field_key(shown[failure.at]), failure.message
    return None


def _laid_out(session: Session, form: Form) -> Iterator[Prompt]:
    current = session.current()
    if current is None:
        return
    yield current
    if _grouped(form, current):
        yield from takewhile(lambda p: _same_screen(current, p), session.ahead())


def _grouped(form: Form, prompt: Prompt) -> bool:
    if prompt.kind is not PromptKind.QUESTION or prompt.section is None:
        return False
    return form.section(prompt.section).screen is ScreenMode.SECTION


def _same_screen(first: Prompt, prompt: Prompt) -> bool:
    return (
        prompt.kind is PromptKind.QUESTION
        and prompt.section == first.section
        and prompt.member == first.member
    )


def _field(
    prompt: Prompt,
    given: Mapping[tuple[str, int], AnswerChange],
    typed: Typed,
    error: tuple[str, str] | None,
) -> Field:
    key = field_key(prompt)
    kind = INPUTS.get(prompt.type, "text")
    message = error[1] if error is not None and error[0] == key else None
    change = given.get((prompt.name, prompt.member))
    pii = change is not None and change.pii
    if key in typed and not pii:
        return Field(prompt, key, kind, _values(typed[key]), error=message)
    if change is None:
        return Field(prompt, key, kind, error=message)
    special = SPECIAL_STATUS.get(change.status)
    hidden = pii and special is None
    value = () if hidden or special else _values(change.value)
    return Field(prompt, key, kind, value, special, hidden, message)


def _values(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


# -- a submitted page ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Submitted:
    """The outcome of a page: every field saved (``error`` None), or where it stopped."""

    typed: dict[str, str | list[str]]
    error: tuple[str, str] | None = None
    complete: bool = True
    """False when the page changed under the answers (shown again from the engine's cursor)."""
    confirm: tuple[str, str] | None = None
    """(field, what would be deleted): an answer that deletes others waits for a yes."""


def submit_screen(
    live: Live,
    keys: Sequence[str],
    read: Mapping[str, list[str]],
    specials: Mapping[str, str],
    shapes: Mapping[str, str],
    *,
    confirmed: str = "",
) -> Submitted:
    """Answer the fields ``keys`` (the page as it was laid out) in order.

    ``read`` holds each field's submitted values, ``specials`` the don't know / refused
    picked for a field, ``shapes`` each field's `shape` as the page showed it. A field is
    answered only while it is the engine's current prompt and still has that shape; each
    accepted answer is saved before the next is given. An answer that would delete others
    (fewer roster members, answers that stop applying) is given only for the field named by
    ``confirmed``, the enumerator having said yes to the engine's message.
    """
    session = live.session
    typed = _typed(session, keys, read)
    for key in keys:
        prompt = session.current()
        if prompt is None or field_key(prompt) != key or shape(prompt) != shapes.get(key):
            return Submitted(typed, complete=False)
        raw = _raw(prompt, read.get(key, []), specials.get(key))
        step = live.record(session.answer(raw, confirm=key == confirmed))
        if step.confirm is not None:
            return Submitted(typed, complete=False, confirm=(key, step.confirm.message))
        if not step.ok:
            return Submitted(typed, (key, step.message or ""), complete=False)
        typed.pop(key, None)
    return Submitted(typed)


def _typed(
    session: Session, keys: Sequence[str], read: Mapping[str, list[str]]
) -> dict[str, str | list[str]]:
    """What was typed, to show again if the page must be shown again; identifying fields are
    left out (nothing identifying is ever sent back to the page)."""
    pii = set(session.form.pii_fields())
    kept: dict[str, str | list[str]] = {}
    for key in keys:
        name = key.rpartition("@")[0]
        if name not in pii and key in read:
            values = read[key]
            kept[key] = values if len(values) != 1 else values[0]
    return kept


def _raw(prompt: Prompt, values: list[str], special: str | None) -> object:
    """What the engine is given: a radio button or box hands over the choice's value itself
    (`Coded`: never read as a place in the list), a text box what was typed."""
    if special in SPECIALS:
        return SPECIALS[special]
    if prompt.type is T.SELECT_MULTIPLE:
        return Coded(list(values))
    if prompt.choices and prompt.kind is not PromptKind.ROSTER_COUNT:  # that one reads words
        return Coded(values[0]) if values else ""
    return values[0] if values else ""
