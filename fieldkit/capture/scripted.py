"""Scripted entry: drive the engine from a file of answers (training, paper forms, tests).

The file goes through the same engine as a live interview, with the same validation and
the same consent rules. It is checked whole before anything is stored: an invalid file is
rejected with the question and the reason, and the laptop store is left as it was.

    instrument: household_cl
    enumerator: E07
    language: en
    screening: {safe_to_proceed: 1}
    consent: {adult: 1, others_present: nobody, language: en}
    answers:
      cluster: 12
      members:                 # a roster: one mapping per member, in order
        - {first_name: Amina, sex: 2, age: 41}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from fieldkit.capture.engine import Engine, Session
from fieldkit.capture.keys import Coded
from fieldkit.capture.prompts import Prompt, PromptKind, Step
from fieldkit.capture.recorder import ENDS_AT_ONCE, InterviewRecorder
from fieldkit.errors import AnswerError, FieldkitError
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.source import NodePath, SourceDocument, load_source, parse_source
from fieldkit.instrument.validation import validate_document
from fieldkit.store import LaptopStore
from fieldkit.store.records import AnswerChange, InterviewStatus

__all__ = [
    "AnswerFile",
    "CheckedScript",
    "ScriptResult",
    "check_script",
    "collect_scripted",
    "load_answer_file",
    "rehearse",
    "store_script",
]

MAX_STEPS = 100_000
"""A guard against a file that never finishes the interview (it cannot loop: the engine
moves forward on every accepted answer; this only bounds a malformed roster)."""


class AnswerFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str | None = None
    enumerator: str
    language: str | None = None
    screening: dict[str, Any] = Field(default_factory=dict)
    consent: dict[str, Any] = Field(default_factory=dict)
    answers: dict[str, Any] = Field(default_factory=dict)


@dataclass
class ScriptResult:
    interview_id: str | None
    status: InterviewStatus
    steps: list[Step] = field(default_factory=list)

    @property
    def answers(self) -> int:
        return sum(len(step.answers) for step in self.steps)


def load_answer_file(path: Path) -> tuple[AnswerFile, SourceDocument]:
    return _validated(load_source(path))


def answer_file_from(data: dict[str, Any], name: str) -> tuple[AnswerFile, SourceDocument]:
    """An answer file built in memory (generated interviews), checked like one on disk."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return _validated(parse_source(text, name))


def _validated(doc: SourceDocument) -> tuple[AnswerFile, SourceDocument]:
    model, issues = validate_document(AnswerFile, doc)
    if model is None:
        first = issues[0]
        raise AnswerError(first.message, code=first.code, location=first.location, hint=first.hint)
    return model, doc


def rehearse(form: Form, script: AnswerFile, doc: SourceDocument) -> list[Step]:
    """Run the whole file through the engine without storing anything; raise on the first
    answer the engine refuses, naming the question and the reason."""
    if script.instrument is not None and script.instrument not in (form.id, form.hash):
        raise AnswerError(
            f"the answers are for instrument '{script.instrument}', not '{form.id}'",
            code="FK-ANS-020",
            location=doc.locate(("instrument",)),
            hint="collect with the instrument the file was written for",
        )
    driver = _Driver(Engine(form).start(script.language), script, doc)
    return driver.run()


@dataclass(frozen=True)
class CheckedScript:
    """An answers file the engine went through whole: the steps to store, nothing stored yet."""

    script: AnswerFile
    steps: list[Step]


def check_script(form: Form, path: Path) -> CheckedScript:
    """Read and rehearse an answers file; raise on the first problem. Touches no store, so a
    front end can call it before it opens (or creates) the laptop database."""
    script, doc = load_answer_file(path)
    return CheckedScript(script, rehearse(form, script, doc))


def store_script(
    store: LaptopStore,
    form: Form,
    checked: CheckedScript,
    *,
    on_saved: Callable[[AnswerChange], None] | None = None,
) -> ScriptResult:
    """Store a checked file's steps as a live interview would, in one transaction: the
    interview lands whole or not at all (the file, not the laptop, is its first copy).
    ``on_saved`` hears each answer once the transaction has committed."""
    script, steps = checked.script, checked.steps
    saved: list[AnswerChange] = []
    status = steps[-1].status if steps else InterviewStatus.DRAFT
    with store.batch():
        interview_id = store.create_interview(
            form=form,
            enumerator=script.enumerator,
            language=script.language or form.default_language,
        )
        recorder = InterviewRecorder(store, interview_id, saved.append)
        for step in steps:
            recorder.record(step)
        if status not in ENDS_AT_ONCE:
            store.finish(interview_id, InterviewStatus.COMPLETE)
            status = InterviewStatus.COMPLETE
    if on_saved is not None:
        for answer in saved:
            on_saved(answer)
    return ScriptResult(interview_id, status, steps)


def collect_scripted(
    store: LaptopStore,
    form: Form,
    path: Path,
    *,
    on_saved: Callable[[AnswerChange], None] | None = None,
) -> ScriptResult:
    return store_script(store, form, check_script(form, path), on_saved=on_saved)


class _Driver:
    def __init__(self, session: Session, script: AnswerFile, doc: SourceDocument) -> None:
        self.session = session
        self.script = script
        self.doc = doc
        self.used: set[NodePath] = set()

    def run(self) -> list[Step]:
        steps: list[Step] = []
        for _ in range(MAX_STEPS):
            prompt = self.session.current()
            if prompt is None:
                break
            path, raw = self._lookup(prompt)
            step = self.session.answer(raw)
            if not step.ok:
                raise self._refused(prompt, path, step)
            steps.append(step)
        # Also after a refusal, a stop or the last question: whatever the file says beyond
        # what was asked is an error, not something to drop silently.
        self._check_all_used()
        return steps

    def _lookup(self, prompt: Prompt) -> tuple[NodePath, object]:
        if prompt.kind is PromptKind.ROSTER_COUNT:
            return self._more_members(prompt)
        path = self._path(prompt)
        value = self._value(path)
        if value is _ABSENT:
            return path, ""
        self.used.add(path)
        if prompt.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
            return path, Coded(_as_codes(value))  # the file holds codes, never list places
        return path, _as_text(value)

    def _path(self, prompt: Prompt) -> NodePath:
        if prompt.name.startswith("screening."):
            return ("screening", prompt.name.removeprefix("screening."))
        if prompt.name.startswith("consent."):
            return ("consent", prompt.name.removeprefix("consent."))
        if prompt.roster is not None:
            return ("answers", prompt.roster.roster, prompt.roster.index - 1, prompt.name)
        return ("answers", prompt.name)

    def _value(self, path: NodePath) -> object:
        node: Any = self.script.model_dump()
        for part in path:
            if isinstance(part, int):
                if not isinstance(node, list) or part >= len(node):
                    return _ABSENT
                node = node[part]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return _ABSENT
        return node

    def _more_members(self, prompt: Prompt) -> tuple[NodePath, object]:
        listed = self._value(("answers", prompt.name))
        count = len(listed) if isinstance(listed, list) else 0
        self.used.add(("answers", prompt.name))
        more = len(self.session.members(prompt.name)) < count
        return ("answers", prompt.name), "1" if more else "2"

    def _refused(self, prompt: Prompt, path: NodePath, step: Step) -> FieldkitError:
        where = _describe(prompt)
        error = step.error
        message = error.message if error is not None else "refused"
        return AnswerError(
            f"{where}: {message}",
            code=error.code if error is not None else "FK-ANS-000",
            location=self.doc.locate(path),
            hint=(error.hint if error is not None else None) or "fix the answer in the file",
        )

    def _check_all_used(self) -> None:
        for path in _leaf_paths(self.script.model_dump(), ("screening", "consent", "answers")):
            if path not in self.used:
                raise AnswerError(
                    f"an answer for {_describe_path(path)}, which was never asked",
                    code="FK-ANS-021",
                    location=self.doc.locate(path),
                    hint="remove it: earlier answers made the question not apply (or misspelt)",
                )


class _Absent:
    pass


_ABSENT = _Absent()


def _as_text(value: object) -> object:
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if value is None:
        return ""
    return str(value)


def _as_codes(value: object) -> object:
    if isinstance(value, list):
        return [_as_text(item) for item in value]
    return _as_text(value)


def _describe(prompt: Prompt) -> str:
    if prompt.roster is not None:
        return f"question '{prompt.name}' (member {prompt.roster.index})"
    return f"question '{prompt.name}'"


def _describe_path(path: NodePath) -> str:
    """``('answers', 'members', 2, 'age')`` → "'age' (members, member 3)"."""
    if len(path) == 4 and isinstance(path[2], int):
        return f"'{path[3]}' ({path[1]}, member {path[2] + 1})"
    return f"'{'.'.join(str(p) for p in path[1:])}'"


def _leaf_paths(data: dict[str, Any], tops: tuple[str, ...]) -> list[NodePath]:
    paths: list[NodePath] = []
    for top in tops:
        for name, value in data.get(top, {}).items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                for index, member in enumerate(value):
                    paths += [(top, name, index, key) for key in member]
            else:
                paths.append((top, name))
    return paths
