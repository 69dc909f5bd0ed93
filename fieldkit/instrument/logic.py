"""Second compiler pass: skip logic, constraints and calculations.

Parses every expression once, type-checks it against the questions it can see, and builds
the dependency graph the engine uses to re-evaluate only what an answer affects. Reports
references to questions asked later (FK-EXPR-009) and cycles among calculations (FK-EXPR-008).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from fieldkit.errors import ExpressionError
from fieldkit.instrument.builder import Draft, Outline
from fieldkit.instrument.expression import (
    Binary,
    Call,
    Current,
    Expr,
    Literal,
    Ref,
    Symbol,
    ValueType,
    parse,
    references,
    typecheck,
)
from fieldkit.instrument.expression.queries import walk
from fieldkit.instrument.schema import QuestionType
from fieldkit.instrument.source import NodePath, SourceDocument
from fieldkit.instrument.validation import did_you_mean
from fieldkit.report import Issue

__all__ = ["Logic", "compile_logic"]

VALUE_TYPES = {
    QuestionType.INTEGER: ValueType.NUMBER,
    QuestionType.DECIMAL: ValueType.NUMBER,
    QuestionType.TEXT: ValueType.STRING,
    QuestionType.SELECT_ONE: ValueType.CHOICE,
    QuestionType.SELECT_MULTIPLE: ValueType.CHOICES,
    QuestionType.DATE: ValueType.DATE,
    QuestionType.TIME: ValueType.TIME,
    QuestionType.DATETIME: ValueType.DATETIME,
    QuestionType.GEOPOINT: ValueType.GEOPOINT,
    QuestionType.NOTE: ValueType.STRING,
    QuestionType.CALCULATE: ValueType.ANY,
    QuestionType.REPEAT: ValueType.ROSTER,
}
SELECT_TYPES = (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE)


@dataclass
class _Scope:
    symbols: dict[str, Symbol]
    current_repeat: str | None = None
    current_type: ValueType | None = None
    properties: frozenset[str] | None = None

    def lookup(self, name: str) -> Symbol | None:
        return self.symbols.get(name)

    def names(self) -> Iterable[str]:
        return self.symbols.keys()


@dataclass
class Logic:
    expressions: dict[str, dict[str, Expr]] = field(default_factory=dict)
    """Question name → key (relevant, required_if, constraint, calculation, ...) → AST."""
    section_relevance: dict[str, Expr] = field(default_factory=dict)
    dependents: dict[str, frozenset[str]] = field(default_factory=dict)
    calculation_types: dict[str, ValueType] = field(default_factory=dict)
    checks: dict[str, list[tuple[Expr | None, Expr | None]]] = field(default_factory=dict)
    """Roster name → each check's (when, rule), in order (None: absent or not compiled)."""
    issues: list[Issue] = field(default_factory=list)


def compile_logic(
    outline: Outline, doc: SourceDocument, sections: Iterable[tuple[str, NodePath, object]]
) -> Logic:
    return _LogicCompiler(outline, doc).run(list(sections))


class _LogicCompiler:
    def __init__(self, outline: Outline, doc: SourceDocument) -> None:
        self.outline = outline
        self.doc = doc
        self.logic = Logic()
        self.order = {d.name: i for i, d in enumerate(outline.drafts)}
        self.drafts = {d.name: d for d in outline.drafts}
        self.symbols = {
            d.name: Symbol(d.name, VALUE_TYPES[d.type], d.repeat) for d in outline.drafts
        }

    def run(self, sections: list[tuple[str, NodePath, object]]) -> Logic:
        for draft in self.outline.drafts:
            self._draft(draft)
            if draft.model.checks:
                self.logic.checks[draft.name] = self._checks(draft)
        for name, path, relevant in sections:
            self._section(name, path, relevant)
        self._check_cycles()
        self._dependents()
        return self.logic

    # -- parsing and typing ------------------------------------------------------------

    def _compile(
        self, text: object, path: NodePath, scope: _Scope, expected: ValueType | None
    ) -> tuple[Expr | None, ValueType]:
        location = self.doc.expression_start(path)
        source = _as_text(text)
        try:
            expr = parse(source, location)
        except ExpressionError as error:
            self.logic.issues.append(Issue.from_error(error))
            return None, ValueType.ANY
        found, issues = typecheck(expr, scope, location, expected)
        self.logic.issues += issues
        return expr, found

    def _draft(self, draft: Draft) -> None:
        q = draft.model
        exprs: dict[str, Expr] = {}
        base = _Scope(self.symbols, current_repeat=draft.repeat)
        candidates: list[tuple[str, str, object, _Scope, ValueType | None]] = []
        if q.relevant is not None and q.relevant is not True:
            candidates.append(("relevant", "relevant", q.relevant, base, ValueType.BOOLEAN))
        if isinstance(q.required, str):
            candidates.append(("required_if", "required", q.required, base, ValueType.BOOLEAN))
        if q.constraint is not None:
            own = _Scope(self.symbols, draft.repeat, VALUE_TYPES[q.type])
            candidates.append(("constraint", "constraint", q.constraint, own, ValueType.BOOLEAN))
        if q.calculation is not None and q.type is QuestionType.CALCULATE:
            candidates.append(("calculation", "calculation", q.calculation, base, None))
        if q.choice_filter is not None:
            keys = frozenset(k for c in draft.choices for k in c.properties)
            scope = _Scope(self.symbols, draft.repeat, None, keys)
            candidates.append(
                ("choice_filter", "choice_filter", q.choice_filter, scope, ValueType.BOOLEAN)
            )
        if q.count is not None:
            outside = _Scope(self.symbols, current_repeat=None)
            candidates.append(("count", "count", q.count, outside, None))
        for key, yaml_key, text, scope, expected in candidates:
            expr, found = self._compile(text, (*draft.path, yaml_key), scope, expected)
            if expr is None:
                continue
            exprs[key] = expr
            self._check_choice_values(draft, expr, (*draft.path, yaml_key))
            if key == "calculation":
                self.symbols[draft.name] = Symbol(draft.name, found, draft.repeat)
                self.logic.calculation_types[draft.name] = found
            if key == "count":
                self._check_count(draft, expr, found)
            if key != "calculation":
                self._check_order(draft, key, expr, (*draft.path, yaml_key))
        self.logic.expressions[draft.name] = exprs

    def _checks(self, draft: Draft) -> list[tuple[Expr | None, Expr | None]]:
        """A roster's checks, typed in the roster's scope: ``${x}`` is the member's answer,
        aggregates and indexed-repeat() read the other members'."""
        scope = _Scope(self.symbols, current_repeat=draft.name)
        compiled: list[tuple[Expr | None, Expr | None]] = []
        for index, check in enumerate(draft.model.checks or []):
            path = (*draft.path, "checks", index)
            pair: list[Expr | None] = []
            for key, text in (("when", check.when), ("rule", check.rule)):
                if text is None or text is True:
                    pair.append(None)
                    continue
                expr, _ = self._compile(text, (*path, key), scope, ValueType.BOOLEAN)
                if expr is not None:
                    self._check_choice_values(draft, expr, (*path, key))
                pair.append(expr)
            compiled.append((pair[0], pair[1]))
        return compiled

    def _check_choice_values(self, draft: Draft, expr: Expr, path: NodePath) -> None:
        """A select answer compared with a value that is not one of its choices is never true."""
        for ref, literal in _choice_comparisons(expr):
            target = draft if ref is None else self.drafts.get(ref)
            if target is None or target.type not in SELECT_TYPES or not target.choices:
                continue
            values = [c.value for c in target.choices]
            if str(literal.value) not in values:
                self.logic.issues.append(
                    Issue(
                        "FK-EXPR-013",
                        f"'{literal.value}' is not a choice of '{target.name}'",
                        self.doc.expression_start(path).shifted(0, literal.column),
                        did_you_mean(str(literal.value), values)
                        or f"its choices are {', '.join(values[:12])}",
                    )
                )

    def _section(self, name: str, path: NodePath, relevant: object) -> None:
        if relevant is None or relevant is True:
            return
        expr, _ = self._compile(
            relevant, (*path, "relevant"), _Scope(self.symbols), ValueType.BOOLEAN
        )
        if expr is None:
            return
        self.logic.section_relevance[name] = expr
        first = min(
            (self.order[d.name] for d in self.outline.drafts if d.section == name), default=0
        )
        for ref in sorted(references(expr)):
            if self.order.get(ref, -1) >= first:
                self.logic.issues.append(self._later(ref, f"section '{name}'", (*path, "relevant")))

    def _check_count(self, draft: Draft, expr: Expr, found: ValueType) -> None:
        refs = references(expr)
        decimal = [
            r for r in refs if r in self.drafts and self.drafts[r].type is QuestionType.DECIMAL
        ]
        if (
            found not in (ValueType.NUMBER, ValueType.ANY)
            or decimal
            or isinstance(draft.model.count, float)
        ):
            self.logic.issues.append(
                Issue(
                    "FK-INS-006",
                    f"the count of roster '{draft.name}' is not a whole number",
                    self.doc.expression_start((*draft.path, "count")),
                    "point count at an integer question, e.g. count: ${hh_size}",
                )
            )

    def _check_order(self, draft: Draft, key: str, expr: Expr, path: NodePath) -> None:
        mine = self.order[draft.name]
        for ref in sorted(references(expr)):
            theirs = self.order.get(ref)
            if theirs is None:
                continue
            asked_later = theirs > mine or (theirs == mine and key != "constraint")
            inside_own_roster = (
                draft.type is QuestionType.REPEAT and self.drafts[ref].repeat == draft.name
            )
            if asked_later or inside_own_roster:
                self.logic.issues.append(self._later(ref, f"the {key} of '{draft.name}'", path))

    def _later(self, ref: str, where: str, path: NodePath) -> Issue:
        return Issue(
            "FK-EXPR-009",
            f"{where} uses ${{{ref}}}, which is not yet answered at that point",
            self.doc.expression_start(path),
            f"move '{ref}' earlier, or refer to a question asked before",
        )

    # -- graph ------------------------------------------------------------------------

    def _check_cycles(self) -> None:
        """A value that, through calculations and relevance, ends up depending on itself."""
        graph = self._value_graph()
        for cycle in _cycles(graph):
            exprs = self.logic.expressions.get(cycle[0], {})
            key = "calculation" if "calculation" in exprs else next(iter(exprs), "calculation")
            yaml_key = "required" if key == "required_if" else key
            draft = self.drafts[cycle[0]]
            self.logic.issues.append(
                Issue(
                    "FK-EXPR-008",
                    "values depend on each other in a circle: " + " → ".join([*cycle, cycle[0]]),
                    self.doc.expression_start((*draft.path, yaml_key)),
                    "break the circle: one of them must not use the other",
                )
            )

    def _value_graph(self) -> dict[str, set[str]]:
        """Question → the questions its value or its being asked depends on (not constraints,
        which only accept or refuse an answer)."""
        graph: dict[str, set[str]] = defaultdict(set)
        for name, exprs in self.logic.expressions.items():
            for key, expr in exprs.items():
                if key != "constraint":
                    graph[name].update(r for r in references(expr) if r in self.drafts)
        for section, expr in self.logic.section_relevance.items():
            refs = {r for r in references(expr) if r in self.drafts}
            for draft in self.outline.drafts:
                if draft.section == section:
                    graph[draft.name].update(refs)
        return dict(graph)

    def _dependents(self) -> None:
        graph: dict[str, set[str]] = defaultdict(set)
        for name, exprs in self.logic.expressions.items():
            for expr in exprs.values():
                for ref in references(expr):
                    graph[ref].add(name)
        for section, expr in self.logic.section_relevance.items():
            members = [d.name for d in self.outline.drafts if d.section == section]
            for ref in references(expr):
                graph[ref].update(members)
        self.logic.dependents = {name: frozenset(deps) for name, deps in graph.items()}


def _choice_comparisons(expr: Expr) -> Iterator[tuple[str | None, Literal]]:
    """(question name or None for `.`, literal) for `${x} = 'v'` and `selected(${x}, 'v')`."""
    for node in walk(expr):
        pair: tuple[Expr, Expr] | None = None
        if isinstance(node, Binary) and node.op in ("=", "!="):
            pair = (node.left, node.right)
        elif isinstance(node, Call) and node.function == "selected" and len(node.args) == 2:
            pair = (node.args[0], node.args[1])
        if pair is None:
            continue
        for side, other in (pair, pair[::-1]):
            if isinstance(other, Literal) and other.value != "":
                if isinstance(side, Ref):
                    yield side.name, other
                elif isinstance(side, Current):
                    yield None, other


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true()" if value else "false()"
    return str(value)


def _cycles(graph: dict[str, set[str]]) -> Iterator[list[str]]:
    """Each elementary cycle once, found by depth-first search (graphs here are small)."""
    reported: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> Iterator[list[str]]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    yield cycle
            elif nxt not in state:
                yield from visit(nxt)
        stack.pop()
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            yield from visit(start)
