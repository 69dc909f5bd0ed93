"""First compiler pass: walk sections and questions, resolve choices and texts.

Produces drafts (a question with its YAML path and place in the form) and reports every
structural problem: names, duplicates, choice lists, keys that do not fit the type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from fieldkit.instrument.form import Choice, Text
from fieldkit.instrument.labels import localize
from fieldkit.instrument.schema import ChoiceModel, InstrumentModel, QuestionModel, QuestionType
from fieldkit.instrument.source import NodePath, SourceDocument
from fieldkit.instrument.validation import did_you_mean
from fieldkit.report import Issue, Severity

__all__ = ["Draft", "DraftSection", "Outline", "build_outline"]

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
SELECTS = (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)
UNLABELLED = (QuestionType.CALCULATE,)


@dataclass
class Draft:
    model: QuestionModel
    path: NodePath
    section: str
    repeat: str | None
    label: Text = field(default_factory=lambda: MappingProxyType({}))
    hint: Text = field(default_factory=lambda: MappingProxyType({}))
    constraint_message: Text = field(default_factory=lambda: MappingProxyType({}))
    choices: tuple[Choice, ...] = ()
    choice_list: str | None = None
    members: tuple[str, ...] = ()
    member_label: Text = field(default_factory=lambda: MappingProxyType({}))
    check_messages: tuple[Text, ...] = ()
    """Repeat only: each check's message, in the order of ``model.checks``."""

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def type(self) -> QuestionType:
        return self.model.type


@dataclass
class DraftSection:
    name: str
    path: NodePath
    label: Text
    items: tuple[str, ...]


@dataclass
class Outline:
    drafts: list[Draft]
    sections: list[DraftSection]
    issues: list[Issue]


def build_outline(model: InstrumentModel, doc: SourceDocument) -> Outline:
    builder = _Builder(model, doc)
    builder.run()
    return Outline(builder.drafts, builder.sections, builder.issues)


class _Builder:
    def __init__(self, model: InstrumentModel, doc: SourceDocument) -> None:
        self.model = model
        self.doc = doc
        self.languages = model.languages
        self.drafts: list[Draft] = []
        self.sections: list[DraftSection] = []
        self.issues: list[Issue] = []
        self.seen: dict[str, NodePath] = {}
        self.used_lists: set[str] = set()
        self.lists = {
            name: self._choice_list(items, ("choices", name))
            for name, items in model.choices.items()
        }

    def run(self) -> None:
        self._check_header()
        for index, section in enumerate(self.model.sections):
            path: NodePath = ("sections", index)
            self._check_name(section.name, (*path, "name"), "section")
            label, issues = localize(section.label, self.languages, self.doc.locate(path), "label")
            self.issues += issues
            items = [
                self._question(q, (*path, "questions", i), section.name, None)
                for i, q in enumerate(section.questions)
            ]
            self.sections.append(DraftSection(section.name, path, label, tuple(items)))
        for name in self.model.choices:
            if name not in self.used_lists:
                self.issues.append(
                    Issue(
                        "FK-INS-017",
                        f"choice list '{name}' is not used by any question",
                        self.doc.locate(("choices", name), key=True),
                        "remove it, or point a question's choices: at it",
                        Severity.WARNING,
                    )
                )

    def _check_header(self) -> None:
        self._check_name(self.model.id, ("id",), "instrument id")
        _, issues = localize(self.model.title, self.languages, self.doc.locate(("title",)), "title")
        self.issues += issues
        default = self.model.default_language
        if default is not None and default not in self.languages:
            self.issues.append(
                Issue(
                    "FK-INS-016",
                    f"default language '{default}' is not one of the languages {self.languages}",
                    self.doc.locate(("default_language",)),
                    "add it to languages, or pick one of them",
                )
            )

    def _check_name(self, name: str, path: NodePath, what: str) -> None:
        if not NAME.match(name):
            self.issues.append(
                Issue(
                    "FK-INS-013",
                    f"{what} '{name}' is not a valid name",
                    self.doc.locate(path),
                    "use lower-case letters, digits and _, starting with a letter",
                )
            )
        if what == "question":
            if name in self.seen:
                first = self.doc.locate(self.seen[name])
                self.issues.append(
                    Issue(
                        "FK-INS-001",
                        f"question name '{name}' is used twice (first at line {first.line})",
                        self.doc.locate(path),
                        "every question, roster questions included, needs its own name",
                    )
                )
            else:
                self.seen[name] = path

    def _question(
        self, question: QuestionModel, path: NodePath, section: str, repeat: str | None
    ) -> str:
        self._check_name(question.name, (*path, "name"), "question")
        draft = Draft(question, path, section, repeat)
        self.drafts.append(draft)
        self._texts(draft)
        self.issues += list(self._keys_fit_type(draft))
        self._resolve_choices(draft)
        if question.type is QuestionType.REPEAT:
            draft.members = self._members(draft)
            self._roster_texts(draft)
        return question.name

    def _roster_texts(self, draft: Draft) -> None:
        """The member label and the checks' names and messages (their rules: logic.py)."""
        q = draft.model
        if isinstance(q.member_label, str):  # "${first_name}": the same in every language
            draft.member_label = MappingProxyType(dict.fromkeys(self.languages, q.member_label))
        else:
            where = self.doc.locate((*draft.path, "member_label"))
            draft.member_label, issues = localize(
                q.member_label, self.languages, where, "member_label", required=False
            )
            self.issues += issues
        seen: set[str] = set()
        messages: list[Text] = []
        for index, check in enumerate(q.checks or []):
            path = (*draft.path, "checks", index)
            self._check_name(check.name, (*path, "name"), "check")
            if check.name in seen:
                self.issues.append(
                    Issue(
                        "FK-INS-030",
                        f"check name '{check.name}' is used twice in roster '{draft.name}'",
                        self.doc.locate((*path, "name")),
                        "give every check of a roster its own name",
                    )
                )
            seen.add(check.name)
            message, issues = localize(
                check.message, self.languages, self.doc.locate((*path, "message")), "message"
            )
            self.issues += issues
            messages.append(message)
        draft.check_messages = tuple(messages)

    def _members(self, draft: Draft) -> tuple[str, ...]:
        if draft.repeat is not None:
            self.issues.append(
                Issue(
                    "FK-INS-015",
                    f"roster '{draft.name}' is inside roster '{draft.repeat}'",
                    self.doc.locate(draft.path),
                    "rosters cannot be nested; ask the inner questions in the outer roster",
                )
            )
        questions = draft.model.questions or []
        return tuple(
            self._question(q, (*draft.path, "questions", i), draft.section, draft.name)
            for i, q in enumerate(questions)
        )

    def _texts(self, draft: Draft) -> None:
        q = draft.model
        where = self.doc.locate((*draft.path, "label"))
        draft.label, issues = localize(
            q.label, self.languages, where, "label", required=q.type not in UNLABELLED
        )
        self.issues += issues
        where_hint = self.doc.locate((*draft.path, "hint"))
        draft.hint, issues = localize(q.hint, self.languages, where_hint, "hint", required=False)
        self.issues += issues
        if q.constraint is None:
            return
        if q.constraint_message is None:
            self.issues.append(
                Issue(
                    "FK-INS-005",
                    f"constraint on '{q.name}' has no constraint_message",
                    self.doc.locate((*draft.path, "constraint"), key=True),
                    "add constraint_message: {...} telling the enumerator what is allowed",
                )
            )
            return
        draft.constraint_message, issues = localize(
            q.constraint_message,
            self.languages,
            self.doc.locate((*draft.path, "constraint_message")),
            "constraint_message",
        )
        self.issues += issues

    def _keys_fit_type(self, draft: Draft) -> Iterator[Issue]:
        q = draft.model
        rules: list[tuple[bool, str, str]] = [
            (
                q.type in SELECTS and q.choices is None,
                "choices",
                f"a {q.type} question needs choices",
            ),
            (
                q.type not in SELECTS and q.choices is not None,
                "choices",
                f"choices do not apply to a {q.type} question",
            ),
            (
                q.choice_filter is not None and q.type not in SELECTS,
                "choice_filter",
                "choice_filter applies to select questions only",
            ),
            (
                q.type is QuestionType.CALCULATE and q.calculation is None,
                "type",
                "a calculate question needs calculation",
            ),
            (
                q.type is not QuestionType.CALCULATE and q.calculation is not None,
                "calculation",
                f"calculation does not apply to a {q.type} question",
            ),
            (q.type is QuestionType.REPEAT and not q.questions, "type", "a repeat needs questions"),
            (
                q.type is not QuestionType.REPEAT and q.questions is not None,
                "questions",
                "only a repeat holds questions",
            ),
            (
                q.type is not QuestionType.REPEAT and q.count is not None,
                "count",
                "count applies to a repeat only",
            ),
            (
                q.type is not QuestionType.REPEAT and q.checks is not None,
                "checks",
                "checks apply to a repeat only (a question has its constraint)",
            ),
            (
                q.type is not QuestionType.REPEAT and q.member_label is not None,
                "member_label",
                "member_label applies to a repeat only",
            ),
        ]
        for broken, key, message in rules:
            if broken:
                path = (*draft.path, key) if key in q.model_fields_set else draft.path
                yield Issue(
                    "FK-INS-007" if message.endswith("needs choices") else "FK-INS-008",
                    f"'{q.name}': {message}",
                    self.doc.locate(path),
                    "see docs/instruments.md, question keys",
                )

    def _resolve_choices(self, draft: Draft) -> None:
        choices = draft.model.choices
        if isinstance(choices, str):
            self.used_lists.add(choices)
            if choices not in self.lists:
                self.issues.append(
                    Issue(
                        "FK-INS-002",
                        f"choice list '{choices}' is not defined",
                        self.doc.locate((*draft.path, "choices")),
                        did_you_mean(choices, self.lists)
                        or "define it under choices: at the top of the file",
                    )
                )
                return
            draft.choices, draft.choice_list = self.lists[choices], choices
        elif isinstance(choices, list):
            draft.choices = self._choice_list(choices, (*draft.path, "choices"))

    def _choice_list(self, items: list[ChoiceModel], path: NodePath) -> tuple[Choice, ...]:
        if not items:
            self.issues.append(
                Issue(
                    "FK-INS-003",
                    "the choice list is empty",
                    self.doc.locate(path),
                    "add at least two choices",
                )
            )
        seen: set[str] = set()
        result: list[Choice] = []
        for index, item in enumerate(items):
            value = str(item.value)
            where = self.doc.locate((*path, index))
            if value in seen:
                self.issues.append(
                    Issue(
                        "FK-INS-004",
                        f"choice value '{value}' appears twice",
                        where,
                        "give every choice its own value",
                    )
                )
            seen.add(value)
            label, issues = localize(
                item.label, self.languages, where, f"label of choice '{value}'"
            )
            self.issues += issues
            properties: Mapping[str, str] = MappingProxyType(
                {k: str(v) for k, v in item.filter.items()}
            )
            result.append(Choice(value, label, properties))
        return tuple(result)
