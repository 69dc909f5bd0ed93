"""Texts with answers in them: ``${first_name}`` in a label, hint, message or member label.

A ``${name}`` shows the answer the interview holds, as the summary shows it (choice labels,
"Don't know"). An identifying answer is sealed the moment it is given and is never read back:
it is shown only from what was typed in this live session (`Texts.remember`), and after a
resume, or where there is no answer yet, the text says "member 2" inside a roster and "…"
elsewhere. Nothing here is ever stored.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Final

from fieldkit.capture.messages import say
from fieldkit.capture.plan import Plan
from fieldkit.capture.sheet import Key, Sheet
from fieldkit.capture.values import show
from fieldkit.instrument.expression import MISSING, Missing
from fieldkit.instrument.templates import TEMPLATE_REFERENCE
from fieldkit.store import SEALED

__all__ = ["UNKNOWN", "Texts"]

UNKNOWN: Final = "…"
"""Shown for an answer not given (or not readable here) outside a roster."""


class Texts:
    def __init__(self, plan: Plan, sheet: Sheet) -> None:
        self.plan = plan
        self.sheet = sheet
        self._memory: dict[Key, object] = {}
        """Identifying answers as typed in this session: for showing on screen, never stored."""

    def remember(self, key: Key, value: object) -> None:
        """An identifying answer just given (kept in memory only, to show in texts)."""
        if isinstance(value, Missing):
            self._memory.pop(key, None)
        else:
            self._memory[key] = value

    def forget(self) -> None:
        self._memory.clear()

    def fill(
        self, text: str, roster: str | None, member: int, language: str, *, sealed: bool = False
    ) -> str:
        """``text`` with each ``${name}`` replaced by the answer for this member; with
        ``sealed``, identifying answers are not shown even from this session (a summary,
        which shows them as "•••", says "member 2" instead of the name)."""
        if "${" not in text:
            return text
        return TEMPLATE_REFERENCE.sub(
            lambda m: self._shown(m.group(1).strip(), roster, member, language, sealed), text
        )

    def member_name(self, roster: str, member: int, language: str) -> str:
        """The member as the roster's member_label names them; "" unless all of it is known."""
        template = self.plan.text(self.plan.nodes[roster].question.member_label, language)
        names = [m.group(1).strip() for m in TEMPLATE_REFERENCE.finditer(template)]
        if not template or any(self._value(name, member) is MISSING for name in names):
            return ""
        return self.fill(template, roster, member, language).strip()

    def place(self, roster: str, member: int) -> int:
        """A member's place in its roster as shown (1-based), from its stable number."""
        return bisect_left(self.sheet.members[roster], member) + 1

    def who(self, roster: str, member: int, language: str) -> str:
        """ "member 2 (Fiifi)", or "member 2" when the name is not known here."""
        place = say("member_n", language, index=self.place(roster, member))
        name = self.member_name(roster, member, language)
        return f"{place} ({name})" if name else place

    # -- one answer ----------------------------------------------------------------------------

    def _value(self, name: str, member: int, *, sealed: bool = False) -> object:
        node = self.plan.nodes.get(name)
        if node is None or node.is_repeat:
            return MISSING
        key = (name, member if node.repeat is not None else 0)
        value = self.sheet.values.get(key, MISSING)
        if value is SEALED:
            value = MISSING if sealed else self._memory.get(key, MISSING)
        return MISSING if isinstance(value, Missing) else value

    def _shown(
        self, name: str, roster: str | None, member: int, language: str, sealed: bool = False
    ) -> str:
        value = self._value(name, member, sealed=sealed)
        node = self.plan.nodes.get(name)
        if value is MISSING or node is None:
            if roster is not None and node is not None and node.repeat == roster:
                return say("member_n", language, index=self.place(roster, member))
            return UNKNOWN
        labels = self.plan.choice_labels(name, language)
        return show(value, node.kind, labels, language)
