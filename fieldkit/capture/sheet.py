"""The answers of one interview and everything derived from them, kept consistent.

`Sheet` holds each answer and calculation by ``(question, member)`` (member 0 at top level),
whether each question instance applies (its relevance), and each roster's members. Changing
one answer re-evaluates only what depends on it, transitively, in dependency order:
relevance (an answer whose question stops applying is cleared: no ghosts), calculations,
choice filters (a choice no longer offered is dropped) and roster counts (members added or
removed with their answers). Every change is written out as a record for the store.

Removing a roster member is one record, `MemberChange` with ``present=False``: the store
drops that member's answers with it (no CLEARED record per answer). Roster members have
stable numbers: removing member 2 of 3 leaves members 1 and 3, and
``position()`` is that number. New members get the next number after the highest.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math

from fieldkit.capture.env import Env
from fieldkit.capture.journal import ABSENT, Journal, Key, Undo, undo
from fieldkit.capture.plan import MAX_MEMBERS, Fan, Node, Plan
from fieldkit.capture.prompts import Record
from fieldkit.capture.values import status_of, to_json
from fieldkit.errors import ExpressionError
from fieldkit.instrument.expression import MISSING, Evaluator, Missing, truthy
from fieldkit.instrument.expression.values import to_number
from fieldkit.instrument.form import Choice
from fieldkit.store import SEALED
from fieldkit.store.records import AnswerChange, AnswerStatus, MemberChange, ParadataEvent

__all__ = ["Key", "Sheet"]

MAX_PASSES = 4
"""How often one instance may be re-evaluated in one cascade (only forms with a cycle)."""


class Sheet:
    def __init__(self, plan: Plan, today: dt.date, now: dt.datetime) -> None:
        self.plan = plan
        self.values: dict[Key, object] = {}
        self.relevance: dict[Key, bool] = {}
        self.members: dict[str, list[int]] = {name: [] for name in plan.kids}
        self.answered = 0
        """Answered instances of questions asked of the respondent (progress)."""
        self.applicable = 0
        """Relevant instances of questions asked of the respondent (progress)."""
        self.maybe: set[Key] = set()
        """Instances of questions asked of the respondent that do not apply while something
        their relevance reads is unanswered: they may still come to (progress)."""
        self.evaluations = 0
        self.recomputed: list[Key] = []
        """The instances the last cascade evaluated, in order (for tests and profiling)."""
        self.env = Env(self, today, now)
        self._queue: list[tuple[int, int, str]] = []
        self._queued: set[Key] = set()
        self._passes: dict[Key, int] = {}
        self._sections: dict[str, bool] = {}
        self._out: list[Record] = []
        self._journal = Journal()
        self._log = self._journal.log
        self._counts = (0, 0)

    # -- changes that can be taken back ---------------------------------------------------------

    def begin(self) -> None:
        """Journal every change from now on, so `undo` can take them all back."""
        self._journal.begin()
        self._counts = (self.answered, self.applicable)

    @property
    def journal(self) -> list[Undo]:
        """What the change since `begin` replaced, in order (empty when not journalling)."""
        return self._journal.entries or []

    def end(self) -> list[Undo]:
        """Keep the changes made since `begin`; the journal of what they replaced."""
        return self._journal.take()

    def undo(self) -> None:
        """Take back every change since `begin` (the records already handed out are void)."""
        undo(self._journal.take(), self.values, self.relevance, self.maybe, self.members)
        self.answered, self.applicable = self._counts
        self._sections.clear()

    # -- reading -------------------------------------------------------------------------------

    def relevant(self, key: Key) -> bool:
        return self.relevance.get(key, False)

    def check(
        self, node: Node, member: int, evaluator: Evaluator, current: object = MISSING
    ) -> bool:
        """Whether ``evaluator`` (a constraint, required_if) holds at this instance."""
        env = self.env
        env.bind(node.repeat, member)
        env.current_value = current
        try:
            return truthy(self._run(evaluator))
        finally:
            env.current_value = MISSING

    def offered(self, node: Node, member: int) -> tuple[Choice, ...]:
        """The question's choices that its choice_filter lets through here."""
        choices = node.question.choices
        evaluator = node.choice_filter
        if evaluator is None:
            return choices
        env = self.env
        env.bind(node.repeat, member)
        kept: list[Choice] = []
        for choice in choices:
            env.choice = choice
            if truthy(self._run(evaluator)):
                kept.append(choice)
        env.choice = None
        return tuple(kept)

    def _run(self, evaluator: Evaluator) -> object:
        try:
            return evaluator(self.env)
        except ExpressionError:  # a runtime failure (a date out of range): an empty value
            return MISSING

    # -- changing ------------------------------------------------------------------------------

    def assign(self, key: Key, value: object) -> list[Record]:
        """Set (or, with `MISSING`, clear) one answer and everything that follows from it."""
        node = self.plan.nodes[key[0]]
        changed = self._drop(node, key) if value is MISSING else self._put(node, key, value)
        if changed:
            self._notify(node, key[1])
        return self._cascade()

    def add_member(self, roster: str) -> tuple[int, list[Record]]:
        node = self.plan.nodes[roster]
        member = self._add(node)
        self._notify(node, 0)
        return member, self._cascade()

    def remove_member(self, roster: str, member: int) -> list[Record]:
        node = self.plan.nodes[roster]
        self._remove(node, member)
        self._notify(node, 0)
        return self._cascade()

    def evaluate_all(self) -> list[Record]:
        """Evaluate every instance (a new or resumed interview)."""
        for name in self.plan.top:
            self._push(name, 0)
        for roster, members in self.members.items():
            for member in members:
                for kid in self.plan.kids[roster]:
                    self._push(kid, member)
        return self._cascade()

    def load(self, values: dict[Key, object], members: dict[str, list[int]]) -> None:
        """Stored answers and members, as they were (then call `evaluate_all`)."""
        for roster, numbers in members.items():
            self.members[roster] = sorted(set(numbers))
        for key, value in values.items():
            node = self.plan.nodes[key[0]]
            if node.repeat is None and key[1] != 0:
                continue  # not an instance of this form: nothing could ever clear it
            if node.repeat is not None and key[1] not in self.members[node.repeat]:
                continue
            self.values[key] = value
            self.answered += node.counted

    def forget(self) -> None:
        """Drop every answer and member without a record (consent withdrawn: the store
        deletes the whole interview when it is finished as REFUSED)."""
        self.values.clear()
        self.relevance.clear()
        self.maybe.clear()
        for members in self.members.values():
            members.clear()
        self.answered = self.applicable = 0

    # -- the cascade ---------------------------------------------------------------------------

    def _push(self, name: str, member: int) -> None:
        key = (name, member)
        if key not in self._queued:
            self._queued.add(key)
            heapq.heappush(self._queue, (self.plan.nodes[name].rank, member, name))

    def _notify(self, node: Node, member: int, *, others_only: bool = False) -> None:
        """Queue the instances whose expressions read ``node`` at ``member``."""
        for name, fan in node.fanout:
            if fan is Fan.TOP:
                self._push(name, 0)
            elif fan is Fan.SAME:
                if not others_only:
                    self._push(name, member)
            else:
                roster = self.plan.nodes[name].repeat
                for other in self.members[roster] if roster is not None else ():
                    self._push(name, other)

    def _cascade(self) -> list[Record]:
        self.recomputed = []
        self._passes.clear()
        queue, nodes = self._queue, self.plan.nodes
        while queue:
            _, member, name = heapq.heappop(queue)
            key = (name, member)
            self._queued.discard(key)
            if self.plan.cyclic:
                passes = self._passes.get(key, 0) + 1
                self._passes[key] = passes
                if passes > MAX_PASSES:
                    continue
            self._evaluate(nodes[name], member, key)
        out, self._out = self._out, []
        return out

    def _evaluate(self, node: Node, member: int, key: Key) -> None:
        if node.repeat is not None and member not in self.members[node.repeat]:
            return  # the member was removed meanwhile
        self.evaluations += 1
        self.recomputed.append(key)
        self.env.bind(node.repeat, member)
        relevant = self._relevant(node)
        was = self.relevance.get(key)
        if relevant is not was:
            self._log("relevance", key, ABSENT if was is None else was)
            self.relevance[key] = relevant
            if node.counted:
                self.applicable += (relevant is True) - (was is True)
        if node.counted and node.relevance_inputs:
            self._may_apply(key, not relevant and self._undecided(node, member))
        if not relevant:
            changed = self._drop(node, key)
            if node.is_repeat:
                changed = self._resize(node, 0) or changed
        elif node.calculation is not None:
            changed = self._calculate(node, key, node.calculation)
        elif node.count is not None:
            changed = self._resize(node, self._target(node.count))
        elif node.choice_filter is not None and key in self.values:
            changed = self._prune(node, key)
        else:
            changed = False
        if changed:
            self._notify(node, member)

    def _undecided(self, node: Node, member: int) -> bool:
        """Whether something ``node``'s relevance reads here is still unanswered."""
        values, repeat_of = self.values, self.plan.repeat_of
        for name in node.relevance_inputs:
            roster = repeat_of.get(name)
            if roster is None:
                if name not in self.members and (name, 0) not in values:
                    return True
            elif roster == node.repeat and (name, member) not in values:
                return True
        return False

    def _may_apply(self, key: Key, maybe: bool) -> None:
        if maybe is not (key in self.maybe):
            self._log("maybe", key, not maybe)
            (self.maybe.add if maybe else self.maybe.discard)(key)

    def _relevant(self, node: Node) -> bool:
        if node.section_relevant is not None:
            section = self._sections.get(node.section)
            if section is None:
                section = truthy(self._run(node.section_relevant))
                self._sections[node.section] = section
            if not section:
                return False
        return node.relevant is None or truthy(self._run(node.relevant))

    def _calculate(self, node: Node, key: Key, calculation: Evaluator) -> bool:
        value = self._run(calculation)
        if isinstance(value, Missing) or value is None or _nan(value):
            return self._drop(node, key)
        old = self.values.get(key, MISSING)
        if old is not MISSING and to_json(old) == to_json(value):
            self._log("value", key, old)
            self.values[key] = value  # the same (perhaps loaded as stored text): no record
            return False
        return self._put(node, key, value)

    def _prune(self, node: Node, key: Key) -> bool:
        value = self.values[key]
        offered = {c.value for c in self.offered(node, key[1])}
        if isinstance(value, str) and value not in offered:
            return self._drop(node, key)
        if isinstance(value, tuple):
            kept = tuple(v for v in value if v in offered)
            if kept != value:
                return self._put(node, key, kept) if kept else self._drop(node, key)
        return False

    def _target(self, count: Evaluator) -> int:
        number = to_number(self._run(count))
        if isinstance(number, Missing) or _nan(number):
            return 0
        return max(0, min(MAX_MEMBERS, int(number)))

    # -- the one place values, members and counters change -----------------------------------------

    def _put(self, node: Node, key: Key, value: object) -> bool:
        values = self.values
        old = values.get(key, MISSING)
        if old is not MISSING and old == value and type(old) is type(value) and old is not SEALED:
            return False
        self._log("value", key, ABSENT if old is MISSING else old)
        values[key] = SEALED if node.pii and not isinstance(value, Missing) else value
        if old is MISSING and node.counted:
            self.answered += 1
        if node.name in self.plan.section_inputs:
            self._sections.clear()
        self._out.append(AnswerChange(key[0], key[1], to_json(value), status_of(value), node.pii))
        return True

    def _drop(self, node: Node, key: Key, *, record: bool = True) -> bool:
        """Clear an answer; ``record=False`` when its member's removal already says so."""
        if key not in self.values:
            return False
        self._log("value", key, self.values.pop(key))
        if node.counted:
            self.answered -= 1
        if node.name in self.plan.section_inputs:
            self._sections.clear()
        if record:
            self._out.append(AnswerChange(key[0], key[1], None, AnswerStatus.CLEARED, node.pii))
        return True

    def _resize(self, node: Node, target: int) -> bool:
        members = self.members[node.name]
        if node.open_ended and target:
            return False  # open-ended: members come and go one by one
        changed = False
        while len(members) < target:
            self._add(node)
            changed = True
        while len(members) > target:
            self._remove(node, members[-1])
            changed = True
        return changed

    def _add(self, node: Node) -> int:
        members = self.members[node.name]
        member = members[-1] + 1 if members else 1
        members.append(member)
        self._log("added", (node.name, member))
        self._out.append(MemberChange(node.name, member, present=True))
        self._out.append(ParadataEvent("member_add", node.name, member))
        for kid in self.plan.kids[node.name]:
            self._push(kid, member)
            self._notify(self.plan.nodes[kid], member, others_only=True)
        return member

    def _remove(self, node: Node, member: int) -> None:
        nodes = self.plan.nodes
        for kid in self.plan.kids[node.name]:
            key = (kid, member)
            kid_node = nodes[kid]
            self._drop(kid_node, key, record=False)
            self._may_apply(key, False)
            if key in self.relevance:
                self._log("relevance", key, self.relevance[key])
                if self.relevance.pop(key) and kid_node.counted:
                    self.applicable -= 1
            self._notify(kid_node, member, others_only=True)
        self.members[node.name].remove(member)
        self._log("removed", (node.name, member))
        self._out.append(MemberChange(node.name, member, present=False))
        self._out.append(ParadataEvent("member_remove", node.name, member))


def _nan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)
