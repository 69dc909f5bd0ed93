"""Roster checks at capture: which members a change would put in breach of a check.

A check (``checks:`` of a repeat, compiled into `PlannedCheck`) is decided for a member only
on answers that are there: while an answer it reads is missing, "don't know" or refused (or
sealed), it neither holds nor fails, so a mother's line number may be entered before the
mother's own row. A change that makes a check fail for some member where it did not fail
before is refused, as a constraint refuses an answer, with the check's message.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldkit.capture.env import CheckEnv
from fieldkit.capture.journal import Undo
from fieldkit.capture.plan import Plan, PlannedCheck
from fieldkit.capture.sheet import Sheet
from fieldkit.errors import ExpressionError
from fieldkit.instrument.expression import Evaluator, truthy

__all__ = ["Breach", "Checker"]

Breach = tuple[PlannedCheck, int]
"""A check and the member it fails for."""


class Checker:
    def __init__(self, plan: Plan, sheet: Sheet) -> None:
        self.plan = plan
        self.sheet = sheet
        self.env = CheckEnv(sheet, sheet.env.today(), sheet.env.now())

    def affected(self, journal: Iterable[Undo]) -> tuple[PlannedCheck, ...]:
        """The checks that read something the journalled change touched."""
        if not self.plan.checks:
            return ()
        touched = {entry.key[0] for entry in journal}
        return tuple(check for check in self.plan.checks if check.reads & touched)

    def breaches(self, checks: Iterable[PlannedCheck]) -> list[Breach]:
        """Every (check, member) that fails now, in roster order."""
        return [
            (check, member)
            for check in checks
            for member in self.sheet.members.get(check.roster, ())
            if self._fails(check, member)
        ]

    def _fails(self, check: PlannedCheck, member: int) -> bool:
        self.env.bind(check.roster, member)
        if check.when is not None and self._decide(check.when) is not True:
            return False
        return self._decide(check.rule) is False

    def _decide(self, evaluator: Evaluator) -> bool | None:
        """True or False on the answers there; None when it read one that is not there."""
        env = self.env
        env.unknown = False
        try:
            result = truthy(evaluator(env))
        except ExpressionError:
            return None
        return None if env.unknown else result
