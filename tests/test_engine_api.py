"""The engine's public surface, pinned: front ends are written against it."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
from pathlib import Path

import pytest

from fieldkit import capture
from fieldkit.capture import Engine, Prompt, Session, Step
from tests.conftest import REPO


def test_the_capture_package_exports() -> None:
    assert sorted(capture.__all__) == sorted(
        [
            "DONT_KNOW",
            "MAX_MEMBERS",
            "REFUSED",
            "CheckFailure",
            "ChoiceView",
            "Coded",
            "Confirmation",
            "Engine",
            "MemberRemoval",
            "Progress",
            "Prompt",
            "PromptKind",
            "Record",
            "RosterPlace",
            "Session",
            "Step",
            "SummaryRow",
        ]
    )


def test_prompt_and_step_fields() -> None:
    assert [f.name for f in dataclasses.fields(Prompt)] == [
        "kind",
        "name",
        "type",
        "label",
        "progress",
        "hint",
        "choices",
        "required",
        "allow_dont_know",
        "allow_refused",
        "member",
        "roster",
        "section",
        "section_label",
        "answer",
        "specials",
    ]
    assert [f.name for f in dataclasses.fields(Step)] == [
        "ok",
        "records",
        "error",
        "consent",
        "status",
        "confirm",
    ]


def test_session_actions() -> None:
    actions = {
        name: str(inspect.signature(member))
        for name, member in inspect.getmembers(Session, inspect.isfunction)
        if not name.startswith("_") and name != "open_form"
    }
    assert actions == {
        "add_member": "(self, roster: 'str', *, confirm: 'bool' = False) -> 'Step'",
        "ahead": "(self) -> 'Iterator[Prompt]'",
        "answer": "(self, raw: 'object', *, confirm: 'bool' = False) -> 'Step'",
        "answers": "(self) -> 'dict[Key, AnswerChange]'",
        "applies": "(self, question: 'str', member: 'int' = 0) -> 'bool'",
        "back": "(self) -> 'Step'",
        "clear": "(self, *, confirm: 'bool' = False) -> 'Step'",
        "current": "(self) -> 'Prompt | None'",
        "failing": "(self) -> 'tuple[CheckFailure, ...]'",
        "goto": "(self, question: 'str', member: 'int' = 0) -> 'Step'",
        "members": "(self, roster: 'str') -> 'tuple[int, ...]'",
        "remove_member": "(self, roster: 'str', member: 'int', *, confirm: 'bool' = False)"
        " -> 'Step'",
        "summary": "(self) -> 'list[SummaryRow]'",
        "withdraw": "(self, *, confirm: 'bool' = False) -> 'Step'",
    }
    assert {"start", "resume"} <= set(vars(Engine))


def _bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "engine_step", Path(REPO, "bench", "engine_step.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_form_compiles_and_is_driven_to_the_end() -> None:
    """bench/engine_step.py keeps working (its timings are reported there, never asserted)."""
    import random

    bench = _bench()
    try:  # engine_step stops with a message (sys.exit) on a compile error or a refused answer
        form = bench.compile_form(1000)  # type: ignore[attr-defined]
        assert len(form.questions) == 1000
        session = Engine(form).start()
        while session.consenting:
            session.answer(bench.random_answer(session.current(), random.Random(0), 6))  # type: ignore[attr-defined]
        times, given = bench.drive(session, random.Random(1), 6)  # type: ignore[attr-defined]
    except SystemExit as stopped:
        pytest.fail(f"bench/engine_step.py stopped: {stopped}")
    assert session.current() is None, session.current()
    assert len(times) == len(given) > 700, (len(times), len(given))
