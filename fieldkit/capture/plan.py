"""What the engine works out once per form: compiled expressions, who to tell of a change,
the order to re-evaluate in, and where rosters start and end.

Every question becomes a `Node`. ``Node.fanout`` lists the questions whose expressions read it
(``form.dependents``) with how many of their instances a change at one member touches:
a top-level question has one instance; a question in the same roster reads the same member
(unless it aggregates over the roster); a question in another roster has every member read it.
``Node.rank`` orders nodes so that a node is evaluated after what it reads.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from fieldkit.capture.keys import keyed_by_code, numbered
from fieldkit.capture.messages import localized
from fieldkit.capture.prompts import ChoiceView
from fieldkit.instrument.expression import (
    Evaluator,
    Expr,
    aggregated_references,
    compile_evaluator,
    references,
)
from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import QuestionType

__all__ = ["Fan", "Node", "Plan", "PlannedCheck"]

MAX_MEMBERS: Final = 500
"""A roster never grows beyond this (a mistyped count of 5000 must not freeze a laptop)."""


class Fan(Enum):
    TOP = "top"  # the dependent is asked once: member 0
    SAME = "same"  # the same member of the same roster
    ALL = "all"  # every member of the dependent's roster


class Node:
    """One question, ready to evaluate."""

    __slots__ = (
        "askable",
        "by_code",
        "calculation",
        "choice_filter",
        "constraint",
        "count",
        "counted",
        "fanout",
        "index",
        "is_repeat",
        "kind",
        "known_values",
        "name",
        "open_ended",
        "pii",
        "question",
        "rank",
        "relevance_inputs",
        "relevant",
        "repeat",
        "required_if",
        "section",
        "section_relevant",
    )

    def __init__(self, question: Question, index: int, section_relevant: Evaluator | None) -> None:
        self.question = question
        self.name = question.name
        self.index = index
        self.rank = index
        self.kind = question.type
        self.repeat = question.repeat
        self.section = question.section
        self.section_relevant = section_relevant
        self.pii = question.pii
        self.is_repeat = question.is_repeat
        self.open_ended = question.is_repeat and question.count is None
        self.counted = question.is_answerable
        self.askable = question.is_answerable or question.type is QuestionType.NOTE
        self.relevant = _compiled(question.relevant)
        self.required_if = _compiled(question.required_if)
        self.constraint = _compiled(question.constraint)
        self.calculation = _compiled(question.calculation)
        self.choice_filter = _compiled(question.choice_filter)
        self.count = _compiled(question.count)
        self.known_values = frozenset(c.value for c in question.choices)
        self.by_code = keyed_by_code(c.value for c in question.choices)
        """Its choices are typed by their codes (else by their place in the list shown)."""
        self.fanout: tuple[tuple[str, Fan], ...] = ()
        self.relevance_inputs: frozenset[str] = (
            references(question.relevant) if question.relevant is not None else frozenset()
        )
        """What its relevance reads (its section's too): while one is unanswered, a question
        that does not apply yet may still come to (progress counts it as half a question)."""

    def __repr__(self) -> str:
        return f"Node({self.name!r})"


def _compiled(expr: Expr | None) -> Evaluator | None:
    return None if expr is None else compile_evaluator(expr)


@dataclass(frozen=True, slots=True, eq=False)  # one per check: compared by identity
class PlannedCheck:
    """A roster check, compiled: ``rule`` must hold for each member where ``when`` does."""

    roster: str
    name: str
    rule: Evaluator
    when: Evaluator | None
    message: Mapping[str, str]
    reads: frozenset[str]
    """Every question and roster its expressions name: a change to one re-checks it."""
    applies_on: frozenset[str] = frozenset()
    """What ``when`` reads: the member's answers that make the check apply (where a failing
    check sends the enumerator first)."""


def _planned(question: Question) -> tuple[PlannedCheck, ...]:
    planned = []
    for check in question.checks:
        reads = references(check.rule) | (references(check.when) if check.when else frozenset())
        when = _compiled(check.when)
        rule = compile_evaluator(check.rule)
        applies_on = references(check.when) if check.when else frozenset()
        planned.append(
            PlannedCheck(question.name, check.name, rule, when, check.message, reads, applies_on)
        )
    return tuple(planned)


class Plan:
    """The form, precomputed for the engine. Built once by `Engine`, shared by its sessions."""

    def __init__(self, form: Form) -> None:
        self.form = form
        sections = {s.name: s.relevant for s in form.sections}
        compiled = {name: _compiled(expr) for name, expr in sections.items()}
        self.nodes: dict[str, Node] = {
            name: Node(q, i, compiled.get(q.section))
            for i, (name, q) in enumerate(form.questions.items())
        }
        for node in self.nodes.values():
            section = sections.get(node.section)
            if section is not None:
                node.relevance_inputs |= references(section)
        self.top: tuple[str, ...] = tuple(
            n for n, node in self.nodes.items() if node.repeat is None
        )
        self.top_index = {name: i for i, name in enumerate(self.top)}
        self.kids: dict[str, tuple[str, ...]] = {
            n: form.questions[n].members for n, node in self.nodes.items() if node.is_repeat
        }
        self.kid_index = {kid: i for kids in self.kids.values() for i, kid in enumerate(kids)}
        self.repeat_of: dict[str, str | None] = {n: node.repeat for n, node in self.nodes.items()}
        self.section_inputs = frozenset(
            ref for expr in sections.values() if expr is not None for ref in references(expr)
        )
        self.checks = tuple(c for q in form.questions.values() for c in _planned(q))
        self._link()
        self.cyclic = self._rank()
        self._labels: dict[tuple[str, str], dict[str, str]] = {}
        self._views: dict[tuple[str, str], tuple[ChoiceView, ...]] = {}
        self._sections = {s.name: s.label for s in form.sections}

    def _link(self) -> None:
        aggregated = {
            name: frozenset().union(*(aggregated_references(e) for e in q.expressions().values()))
            for name, q in self.form.questions.items()
        }
        for name, node in self.nodes.items():
            fanout: list[tuple[str, Fan]] = []
            for dependent in sorted(self.form.dependents.get(name, ()), key=self._index):
                target = self.nodes.get(dependent)
                if target is None or dependent == name:
                    continue
                fanout.append((dependent, _fan(node, target, name in aggregated[dependent])))
            node.fanout = tuple(fanout)

    def _index(self, name: str) -> int:
        node = self.nodes.get(name)
        return -1 if node is None else node.index

    def _rank(self) -> bool:
        """Topological ranks (form order among equals); True if the graph has a cycle."""
        edges: dict[str, set[str]] = {name: set() for name in self.nodes}
        for name, node in self.nodes.items():
            edges[name].update(d for d, _ in node.fanout)
            if node.is_repeat:
                edges[name].update(self.kids[name])
        waiting = {name: 0 for name in self.nodes}
        for targets in edges.values():
            for target in targets:
                waiting[target] += 1
        ready = [(node.index, name) for name, node in self.nodes.items() if waiting[name] == 0]
        heapq.heapify(ready)
        done: set[str] = set()
        cyclic = False
        while len(done) < len(self.nodes):
            if not ready:  # a cycle: break it at the earliest question left
                cyclic = True
                left = min((n.index, name) for name, n in self.nodes.items() if name not in done)
                ready.append(left)
            _, name = heapq.heappop(ready)
            if name in done:
                continue
            self.nodes[name].rank = len(done)
            done.add(name)
            for target in edges[name]:
                waiting[target] -= 1
                if waiting[target] == 0 and target not in done:
                    heapq.heappush(ready, (self.nodes[target].index, target))
        return cyclic

    def choice_labels(self, name: str, language: str) -> dict[str, str]:
        """Choice value → label in ``language`` (cached)."""
        key = (name, language)
        labels = self._labels.get(key)
        if labels is None:
            question = self.nodes[name].question
            default = self.form.default_language
            labels = {c.value: localized(c.label, language, default) for c in question.choices}
            self._labels[key] = labels
        return labels

    def choice_views(self, name: str, language: str) -> tuple[ChoiceView, ...]:
        """Every choice, numbered, in ``language`` (cached: for questions without a filter)."""
        key = (name, language)
        views = self._views.get(key)
        if views is None:
            labels = self.choice_labels(name, language)
            node = self.nodes[name]
            pairs = ((c.value, labels[c.value]) for c in node.question.choices)
            views = numbered(pairs, codes=node.by_code)
            self._views[key] = views
        return views

    def section_labels(self, section: str, language: str) -> str:
        return self.text(self._sections[section], language)

    def text(self, text: Mapping[str, str], language: str) -> str:
        return localized(text, language, self.form.default_language) if text else ""


def _fan(source: Node, target: Node, aggregated: bool) -> Fan:
    if target.repeat is None:
        return Fan.TOP
    if target.repeat == source.repeat and not aggregated:
        return Fan.SAME
    return Fan.ALL
