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
import difflib
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
from fieldkit.errors import AnswerError, FieldkitError, InstrumentError
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.source import NodePath, SourceDocument, load_source, parse_source
from fieldkit.instrument.validation import did_you_mean, validate_document
from fieldkit.report import Severity
from fieldkit.store import LaptopStore
from fieldkit.store.records import STAFF_CODE, AnswerChange, InterviewStatus

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

_SHAPE_HINT = (
    "an answers file needs at least enumerator: and answers: (see examples/household_complete.yaml)"
)
MAX_STEPS = 100_000
"""A guard against a file that never finishes the interview (it cannot loop: the engine
moves forward on every accepted answer; this only bounds a malformed roster)."""


class AnswerFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instrument: str | None = None
    enumerator: str = Field(pattern=STAFF_CODE.pattern)
    """A staff code (E07), never a name."""
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
    try:
        doc = load_source(path)
    except InstrumentError as error:
        if error.code == "FK-YAML-005" and error.location.line is not None:  # read: nothing in it
            raise AnswerError(
                "the answers file is empty",
                code="FK-YAML-005",
                location=error.location,
                hint=_SHAPE_HINT,
            ) from None
        raise
    return _validated(doc)


def answer_file_from(data: dict[str, Any], name: str) -> tuple[AnswerFile, SourceDocument]:
    """An answer file built in memory (generated interviews), checked like one on disk."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return _validated(parse_source(text, name))


def _validated(doc: SourceDocument) -> tuple[AnswerFile, SourceDocument]:
    if not isinstance(doc.data, dict):
        raise AnswerError(
            "an answers file is a mapping of keys (enumerator:, answers:, ...)",
            code="FK-YAML-004",
            location=doc.locate(()),
            hint=_SHAPE_HINT,
        )
    model, issues = validate_document(AnswerFile, doc)
    errors = [issue for issue in issues if issue.severity is Severity.ERROR]
    if model is None or errors:  # a duplicate key too: which of the two answers is meant?
        first = errors[0]
        raise AnswerError(first.message, code=first.code, location=first.location, hint=first.hint)
    return model, doc


def rehearse(
    form: Form, script: AnswerFile, doc: SourceDocument, language: str | None = None
) -> list[Step]:
    """Run the whole file through the engine without storing anything; raise on the first
    answer the engine refuses, naming the question and the reason. ``language`` (``--lang``)
    is the interview language when the file names none."""
    if script.instrument is not None and script.instrument not in (form.id, form.hash):
        raise AnswerError(
            f"the answers are for instrument '{script.instrument}', not '{form.id}'",
            code="FK-ANS-020",
            location=doc.locate(("instrument",)),
            hint="collect with the instrument the file was written for",
        )
    chosen = interview_language(form, script, doc, language)
    driver = _Driver(Engine(form).start(chosen), script, doc)
    return driver.run()


def interview_language(
    form: Form, script: AnswerFile, doc: SourceDocument, given: str | None
) -> str:
    """The file's ``language:`` or else ``given``; one the form has texts in, and never two
    that disagree."""
    said = script.language
    if said is not None and said not in form.languages:
        raise AnswerError(
            f"the form has no texts in '{said}'",
            code="FK-ANS-010",
            location=doc.locate(("language",)),
            hint=f"use one of {', '.join(form.languages)}",
        )
    if said is not None and given is not None and given != said:
        raise AnswerError(
            f"--lang {given} disagrees with the file's language: {said}",
            code="FK-ANS-034",
            location=doc.locate(("language",)),
            hint="leave out --lang, or change the file's language",
        )
    return said or given or form.default_language


@dataclass(frozen=True)
class CheckedScript:
    """An answers file the engine went through whole: the steps to store, nothing stored yet."""

    script: AnswerFile
    steps: list[Step]
    language: str | None = None
    """The interview language (the file's, or ``--lang``; None: the file's or the form's)."""


def check_script(form: Form, path: Path, *, language: str | None = None) -> CheckedScript:
    """Read and rehearse an answers file; raise on the first problem. Touches no store, so a
    front end can call it before it opens (or creates) the laptop database."""
    script, doc = load_answer_file(path)
    chosen = interview_language(form, script, doc, language)
    return CheckedScript(script, rehearse(form, script, doc, chosen), chosen)


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
            language=checked.language or script.language or form.default_language,
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
        self.asked: set[str] = set()
        """The names of the prompts asked, consent and screening ones included."""

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
        self.asked.add(str(path[-1]))
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
        error = step.error
        message = f"{_describe(prompt)}: {error.message if error is not None else 'refused'}"
        hint = (error.hint if error is not None else None) or "fix the answer in the file"
        location = self.doc.locate(path)
        if path not in self.doc.values:  # the file has no answer here: say where it should be
            found = self._misspelt(path)
            if found is None:
                message += " The file gives no answer to it."
                location = self.doc.locate(path[:-1], key=True)
                hint = f"add {path[-1]}: ... {_under(path)}"
            else:
                message += f" The file has no '{path[-1]}' {_under(path)}, but has '{found}'."
                location = self.doc.locate((*path[:-1], found), key=True)
                hint = f"did you mean '{path[-1]}'? rename '{found}'"
        code = error.code if error is not None else "FK-ANS-000"
        return AnswerError(message, code=code, location=location, hint=hint)

    def _misspelt(self, path: NodePath) -> str | None:
        """A key beside where ``path`` should be that names no question: a misspelling."""
        parent = self._value(path[:-1])
        if not isinstance(parent, dict):
            return None
        known = self.session.plan.nodes
        strangers = [
            key
            for key in parent
            if (*path[:-1], key) not in self.used and key not in known and key not in self.asked
        ]
        close = difflib.get_close_matches(str(path[-1]), strangers, n=1, cutoff=0.6)
        return close[0] if close else None

    def _check_all_used(self) -> None:
        for path in _leaf_paths(self.script.model_dump(), ("screening", "consent", "answers")):
            if path in self.used:
                continue
            name = str(path[-1])
            known = self.asked | set(self.session.plan.nodes)
            if name in known:
                hint = "remove it: earlier answers made the question not apply"
            else:
                hint = did_you_mean(name, known) or "no question of this instrument has this name"
            raise AnswerError(
                f"an answer for {_describe_path(path)}, which was never asked",
                code="FK-ANS-021",
                location=self.doc.locate(path, key=True),
                hint=hint,
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


def _under(path: NodePath) -> str:
    """Where ``path`` sits in the file, in words: "under answers:", "for members member 2"."""
    if len(path) == 4 and isinstance(path[2], int):
        return f"for {path[1]} member {path[2] + 1}"
    return f"under {path[0]}:"


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
