"""How far the interview has got: a share that only grows, and is 100% exactly at the end.

Counting answered questions against those that apply goes backwards whenever an answer
opens more questions (a household size of 6 brings six members' questions at once: 75%
drops to 31%), and stops short of 100% when optional questions are left empty. Instead each
question newly answered, or left empty and passed, takes its share of what is left: with
``r`` questions still to go after it, the share done grows from ``d`` to
``1 - (1 - d) * r / (r + 1)``. When more questions open, the steps get smaller, never
negative; when the interview is complete it is 1.

What is still to go is an estimate: the questions that apply and have no answer, and half of
those that may yet apply (their relevance reads something unanswered, as a member's
child-labour questions before their age is known), with one member assumed for a roster
whose size is not known yet.
"""

from __future__ import annotations

from fieldkit.capture.prompts import Progress
from fieldkit.capture.sheet import Key, Sheet

__all__ = ["Tracker"]


class Tracker:
    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.done = 0.0
        self._passed: set[Key] = set()
        """Optional questions left empty on the way: no longer to go, unless answered."""

    def resumed(self) -> None:
        """A resumed interview starts from the share its answers make of what applies."""
        sheet = self.sheet
        if sheet.applicable:
            self.done = min(1.0, sheet.answered / sheet.applicable)

    def answered(self, key: Key, *, first: bool) -> None:
        """``key`` was answered (``first``: it had no answer before)."""
        self._passed.discard(key)
        if first:
            self._forward()

    def passed(self, key: Key) -> None:
        """``key`` was left empty and the cursor went on."""
        if key not in self._passed and key not in self.sheet.values:
            self._passed.add(key)
            self._forward()

    def forget(self) -> None:
        self._passed.clear()

    def progress(self, *, complete: bool) -> Progress:
        sheet = self.sheet
        return Progress(sheet.answered, sheet.applicable, 1.0 if complete else self.done)

    def _forward(self) -> None:
        left = self._left()
        self.done = 1.0 - (1.0 - self.done) * left / (left + 1)

    def _left(self) -> float:
        """Questions that apply and have no answer (less those passed on purpose), and half
        of those that may still come to apply."""
        sheet = self.sheet
        passed = sum(1 for key in self._passed if key not in sheet.values and sheet.relevant(key))
        certain = max(0, sheet.applicable - sheet.answered - passed)
        return certain + (len(sheet.maybe) + self._unsized()) / 2

    def _unsized(self) -> int:
        """The questions of one member of each roster that applies but has no member yet."""
        sheet, plan = self.sheet, self.sheet.plan
        return sum(
            sum(1 for kid in kids if plan.nodes[kid].counted)
            for roster, kids in plan.kids.items()
            if not sheet.members[roster] and sheet.relevant((roster, 0))
        )
