"""The expression `Environment` the engine evaluates a form's expressions in.

`Env` reads a `Sheet`'s answers for one question instance (`bind` it first). `CheckEnv`
does the same for a roster check and notes whether it read an answer not given (or not
readable here): a check is only decided on answers that are there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from fieldkit.instrument.expression import MISSING, Missing
from fieldkit.instrument.form import Choice
from fieldkit.store import SEALED

if TYPE_CHECKING:
    from fieldkit.capture.sheet import Sheet

__all__ = ["CheckEnv", "Env"]


class Env:
    """The expression `Environment` for one instance: `bind` it, then evaluate."""

    __slots__ = ("_now", "_today", "choice", "current_value", "member", "repeat", "sheet")

    def __init__(self, sheet: Sheet, today: dt.date, now: dt.datetime) -> None:
        self.sheet = sheet
        self.repeat: str | None = None
        self.member = 0
        self.current_value: object = MISSING
        self.choice: Choice | None = None
        self._today = today
        self._now = now

    def bind(self, repeat: str | None, member: int) -> None:
        self.repeat = repeat
        self.member = member

    def value(self, name: str) -> object:
        repeat = self.sheet.plan.repeat_of.get(name)
        if repeat is None:
            value = self.sheet.values.get((name, 0), MISSING)
        elif repeat == self.repeat:
            value = self.sheet.values.get((name, self.member), MISSING)
        else:
            return MISSING
        return MISSING if value is SEALED else value

    def value_at(self, name: str, member: int) -> object:
        """``name``'s answer for roster member ``member`` (indexed-repeat), or `MISSING`."""
        sheet = self.sheet
        roster = sheet.plan.repeat_of.get(name)
        if roster is None or member not in sheet.members.get(roster, ()):
            return MISSING
        value = sheet.values.get((name, member), MISSING)
        return MISSING if value is SEALED else value

    def values(self, name: str) -> Sequence[object]:
        sheet = self.sheet
        if name in sheet.members:
            return tuple(sheet.members[name])
        roster = sheet.plan.repeat_of.get(name)
        if roster is None:
            return ()
        values = sheet.values
        found = (values.get((name, m), MISSING) for m in sheet.members[roster])
        return tuple(MISSING if v is SEALED else v for v in found)

    def current(self) -> object:
        return self.current_value

    def position(self) -> int | None:
        return self.member if self.repeat is not None else None

    def today(self) -> dt.date:
        return self._today

    def now(self) -> dt.datetime:
        return self._now

    def property(self, name: str) -> object:
        if self.choice is None:
            return MISSING
        return self.choice.properties.get(name, MISSING)


class CheckEnv(Env):
    """An `Env` that remembers whether an answer it was asked for is not there."""

    __slots__ = ("unknown",)

    def __init__(self, sheet: Sheet, today: dt.date, now: dt.datetime) -> None:
        super().__init__(sheet, today, now)
        self.unknown = False

    def value(self, name: str) -> object:
        found = super().value(name)
        self.unknown = self.unknown or isinstance(found, Missing)
        return found

    def value_at(self, name: str, member: int) -> object:
        found = super().value_at(name, member)
        self.unknown = self.unknown or isinstance(found, Missing)
        return found
