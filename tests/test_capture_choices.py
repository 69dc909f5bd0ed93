"""Every choice of every shipped instrument, entered as the screen shows it, is the choice
stored: one reading of what the enumerator types (fieldkit/capture/keys.py).

Each instrument is walked with its skip logic, constraints and roster checks taken out, so
that every select question is asked (its choices, keys and choice_filter are untouched).
At each one, every choice is typed by the key shown beside it, and the record the step
hands to the store must hold that choice's value; so must "dk" and "rf" where shown. A
question whose choices are filtered is visited again for every answer its filter reads,
and the choices offered over all of them must be the whole list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from fieldkit.capture import Engine, Prompt, PromptKind, Session, Step
from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.expression import references
from fieldkit.instrument.form import Form
from fieldkit.instrument.source import parse_source
from fieldkit.project import load_project
from fieldkit.store.records import AnswerStatus
from tests.conftest import REPO

INSTRUMENTS = sorted((REPO / "instruments").glob("*.yaml"))
SELECTS = ("select_one", "select_multiple")
LOGIC = ("relevant", "constraint", "constraint_message", "required", "checks")
TYPED = {"integer": "1", "decimal": "1.5", "text": "x", "date": "2026-01-15", "time": "09:30"}
TYPED |= {"datetime": "2026-01-15 09:30", "geopoint": "5.6 -0.2"}


def _without_logic(node: Any) -> Any:
    """The instrument's data with every relevant, constraint, required and check removed."""
    if isinstance(node, dict):
        return {k: _without_logic(v) for k, v in node.items() if k not in LOGIC}
    if isinstance(node, list):
        return [_without_logic(item) for item in node]
    return node


def _every_question_asked(path: Path) -> Form:
    project = load_project([REPO / "protocols"])
    data = _without_logic(parse_source(path.read_text(encoding="utf-8"), str(path)).data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    result = compile_text(text, project.protocols, file=path.name)
    assert result.form is not None, [i.one_line() for i in result.report.issues]
    return result.form


def _consented(form: Form) -> Session:
    stops = {f"screening.{s.name}": s.stop_when for s in form.protocol.consent.screening}
    session = Engine(form).start("en", today=dt.date(2026, 11, 20))
    while session.consenting:
        prompt = session.current()
        assert prompt is not None
        going_on = [c for c in prompt.choices if c.value not in stops.get(prompt.name, ())]
        typed = going_on[0].key if going_on else "30"
        assert session.answer(typed).ok, prompt.name
    assert session.current() is not None, session.consent
    return session


def _stored(step: Step, prompt: Prompt) -> tuple[object, AnswerStatus]:
    assert step.ok, (prompt.name, step.message)
    (record,) = [a for a in step.answers if (a.question, a.member) == (prompt.name, prompt.member)]
    return record.value, record.status


def _try_every_key(session: Session, prompt: Prompt) -> set[str]:
    """Type each choice's key (and dk, rf) at ``prompt``; the values offered there."""
    for choice in prompt.choices:
        assert session.clear(confirm=True).ok  # so that even the answer held is stored anew
        value, status = _stored(session.answer(choice.key, confirm=True), prompt)
        expected = choice.value if prompt.type == "select_one" else [choice.value]
        assert (value, status) == (expected, AnswerStatus.ANSWERED), (prompt.name, choice)
        assert session.goto(prompt.name, prompt.member).ok
    for special in prompt.specials:
        value, status = _stored(session.answer(special.key, confirm=True), prompt)
        assert (value, str(status)) == (None, special.value), (prompt.name, special)
        assert session.goto(prompt.name, prompt.member).ok
    return {choice.value for choice in prompt.choices}


def _walk(session: Session) -> Iterator[Prompt]:
    """Every prompt to the end, answered with its first key (after the caller's look)."""
    while (prompt := session.current()) is not None:
        yield prompt
        typed = prompt.choices[0].key if prompt.choices else TYPED.get(prompt.type, "")
        if prompt.kind is PromptKind.ROSTER_COUNT:
            typed = "2"
        assert session.answer(typed, confirm=True).ok, prompt.name


@pytest.mark.parametrize("path", INSTRUMENTS, ids=[p.stem for p in INSTRUMENTS])
def test_each_choice_typed_as_shown_is_the_choice_stored(path: Path) -> None:
    form = _every_question_asked(path)
    session = _consented(form)
    seen = set()
    for prompt in _walk(session):
        if prompt.type in SELECTS and prompt.kind is PromptKind.QUESTION:
            seen.add(prompt.name)
            _try_every_key(session, prompt)
    selects = {name for name, q in form.questions.items() if q.type in SELECTS}
    assert seen == selects  # every select question of the instrument was tried


@pytest.mark.parametrize("path", INSTRUMENTS, ids=[p.stem for p in INSTRUMENTS])
def test_a_cascade_offers_every_choice_for_some_answer_and_each_is_stored(path: Path) -> None:
    form = _every_question_asked(path)
    filtered = [q for q in form.questions.values() if q.choice_filter is not None]
    if not filtered:
        pytest.skip(f"{path.name} has no choice_filter")
    session = _consented(form)
    for _ in _walk(session):
        pass
    for question in filtered:
        offered: set[str] = set()
        for parent in sorted(references(question.choice_filter)):  # type: ignore[arg-type]
            assert session.goto(parent).ok
            parent_prompt = session.current()
            assert parent_prompt is not None
            for choice in parent_prompt.choices:
                assert session.goto(parent).ok
                assert session.answer(choice.key, confirm=True).ok
                assert session.goto(question.name).ok
                prompt = session.current()
                assert prompt is not None and prompt.name == question.name
                offered |= _try_every_key(session, prompt)
        assert offered == {c.value for c in question.choices}, question.name


def test_codes_are_the_keys_where_the_codes_are_small_numbers() -> None:
    """school_level is coded 0-5 (ISCED): the screen shows 0 beside early childhood, and 0
    is early childhood; 1 is primary. ethnicity's 96 is typed 96, never 6."""
    form = _every_question_asked(REPO / "instruments" / "household.yaml")
    session = _consented(form)
    shown = {}
    for prompt in _walk(session):
        if prompt.name in ("school_level", "ethnicity", "district", "floor_material"):
            shown[prompt.name] = [(c.key, c.value) for c in prompt.choices]
    assert shown["school_level"] == [(str(n), str(n)) for n in range(6)]
    assert shown["ethnicity"][-1] == ("96", "96")
    assert shown["floor_material"] == [("1", "natural"), ("2", "rudimentary"), ("3", "finished")]
    assert shown["district"] == [("1", "north_1"), ("2", "north_2")]  # places in the filtered list
