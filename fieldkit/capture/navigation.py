"""Where the interview goes next: the asking order over questions, members and rosters.

A *slot* is ``(question, member)``. The order is the form's, with each roster's questions
repeated for each of its members; an open-ended roster ends with its own slot
``(roster, 0)``, the "add another member?" prompt. A *stop* is a slot that is shown: a
relevant question (or note) of an existing member, or a relevant open-ended roster's prompt.
Walking from a slot whose member was just removed still works: members are found by number.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator

from fieldkit.capture.plan import Node, Plan
from fieldkit.capture.sheet import Key, Sheet

__all__ = ["Navigator"]


class Navigator:
    def __init__(self, plan: Plan, sheet: Sheet) -> None:
        self.plan = plan
        self.sheet = sheet

    def is_stop(self, slot: Key) -> bool:
        node = self.plan.nodes[slot[0]]
        if node.is_repeat:
            return node.open_ended and slot[1] == 0 and self.sheet.relevance.get(slot, False)
        return node.askable and self.sheet.relevance.get(slot, False)

    def stop_after(self, slot: Key | None) -> Key | None:
        """The first stop after ``slot`` (None: from the start)."""
        found = self._enter(0) if slot is None else self._next(slot)
        while found is not None and not self.is_stop(found):
            found = self._next(found)
        return found

    def slot_for(self, node: Node, member: int) -> Key | None:
        """Where going to ``node`` (of ``member``) lands: a roster is entered at its member's
        first question (or its "add a member?" prompt)."""
        if not node.is_repeat:
            return (node.name, member if node.repeat is not None else 0)
        members = self.sheet.members[node.name]
        first = self.plan.kids[node.name][0]
        if member in members:
            return self.stop_at_or_after((first, member))
        if node.open_ended or not members:
            return (node.name, 0)
        return self.stop_at_or_after((first, members[0]))

    def stop_at_or_after(self, slot: Key) -> Key | None:
        return slot if self.is_stop(slot) else self.stop_after(slot)

    def stop_before(self, slot: Key | None) -> Key | None:
        """The last stop before ``slot`` (None: from the end)."""
        found = self._enter_back(len(self.plan.top) - 1) if slot is None else self._previous(slot)
        while found is not None and not self.is_stop(found):
            found = self._previous(found)
        return found

    def stops(self) -> Iterator[Key]:
        """Every stop, in asking order."""
        found = self.stop_after(None)
        while found is not None:
            yield found
            found = self.stop_after(found)

    def first_open(self) -> Key | None:
        """Where a resumed interview goes on: the first stop after the last answered one.

        Optional questions skipped before that stay skipped (the enumerator already passed
        them); required ones left empty are visited at the end, as in a live interview.
        """
        values, nodes = self.sheet.values, self.plan.nodes
        stops = list(self.stops())
        last = max(
            (i for i, slot in enumerate(stops) if nodes[slot[0]].counted and slot in values),
            default=-1,
        )
        return stops[last + 1] if last + 1 < len(stops) else None

    def first_gap(self) -> Key | None:
        """The first required question left unanswered (None: the interview is complete)."""
        sheet, nodes = self.sheet, self.plan.nodes
        for slot in self.stops():
            node = nodes[slot[0]]
            if not node.counted or slot in sheet.values:
                continue
            required_if = node.required_if
            if node.question.required or (
                required_if is not None and sheet.check(node, slot[1], required_if)
            ):
                return slot
        return None

    # -- the order of slots ---------------------------------------------------------------------

    def _enter(self, index: int) -> Key | None:
        """The first slot at or after top-level position ``index``."""
        plan, top = self.plan, self.plan.top
        while index < len(top):
            name = top[index]
            node = plan.nodes[name]
            if not node.is_repeat:
                return (name, 0)
            members = self.sheet.members[name]
            if members:
                return (plan.kids[name][0], members[0])
            if node.open_ended:
                return (name, 0)
            index += 1
        return None

    def _enter_back(self, index: int) -> Key | None:
        """The last slot at or before top-level position ``index``."""
        plan, top = self.plan, self.plan.top
        while index >= 0:
            name = top[index]
            node = plan.nodes[name]
            if not node.is_repeat:
                return (name, 0)
            if node.open_ended:
                return (name, 0)
            members = self.sheet.members[name]
            if members:
                return (plan.kids[name][-1], members[-1])
            index -= 1
        return None

    def _next(self, slot: Key) -> Key | None:
        name, member = slot
        plan = self.plan
        roster = plan.nodes[name].repeat
        if roster is None:
            return self._enter(plan.top_index[name] + 1)
        kids = plan.kids[roster]
        position = plan.kid_index[name]
        if position + 1 < len(kids):
            return (kids[position + 1], member)
        members = self.sheet.members[roster]
        later = bisect_right(members, member)
        if later < len(members):
            return (kids[0], members[later])
        if plan.nodes[roster].open_ended:
            return (roster, 0)
        return self._enter(plan.top_index[roster] + 1)

    def _previous(self, slot: Key) -> Key | None:
        name, member = slot
        plan = self.plan
        node = plan.nodes[name]
        roster = node.repeat
        if roster is None:
            members = self.sheet.members[name] if node.is_repeat else []
            if members:  # from an open-ended roster's prompt into its last member
                return (plan.kids[name][-1], members[-1])
            return self._enter_back(plan.top_index[name] - 1)
        kids = plan.kids[roster]
        position = plan.kid_index[name]
        if position > 0:
            return (kids[position - 1], member)
        members = self.sheet.members[roster]
        earlier = bisect_left(members, member)
        if earlier > 0:
            return (kids[-1], members[earlier - 1])
        return self._enter_back(plan.top_index[roster] - 1)
