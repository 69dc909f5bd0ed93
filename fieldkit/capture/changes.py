"""Making a change to the answers safely: checked across the roster, and asked before it
destroys anything.

Every change a session makes (an answer, clearing one, removing a member) goes through
`Changes.apply`: the sheet journals it, the roster checks it touches are decided, and what it
would delete besides the answer itself is worked out from the journal: answers of other
questions that stop applying, and roster members removed with the answers they held (a smaller
household size, a member removed by hand). A change that breaches a check, or destroys
answers without ``confirm``, is taken back whole and reported; nothing of it is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fieldkit.capture.checks import Breach, Checker
from fieldkit.capture.journal import ABSENT, Undo
from fieldkit.capture.messages import say
from fieldkit.capture.plan import Plan
from fieldkit.capture.prompts import Confirmation, MemberRemoval, Record
from fieldkit.capture.sheet import Key, Sheet
from fieldkit.capture.texts import Texts
from fieldkit.errors import AnswerError

__all__ = ["CHECK_ERROR", "CONFIRM_ERROR", "Changes", "Refusal"]

CONFIRM_ERROR = "FK-ANS-030"
CHECK_ERROR = "FK-ANS-031"
LISTED = 5
"""Cleared answers named in a confirmation before "and N more"."""


@dataclass(frozen=True)
class Refusal:
    """Why a change was taken back: a check it breaches, or what it would destroy."""

    error: AnswerError
    confirm: Confirmation | None = None


@dataclass(frozen=True)
class _Loss:
    removed: tuple[tuple[str, int, int], ...]
    """(roster, member, answers it held) for each member removed that held answers."""
    cleared: tuple[Key, ...]

    def __bool__(self) -> bool:
        return bool(self.removed or self.cleared)


class Changes:
    def __init__(self, plan: Plan, sheet: Sheet, texts: Texts) -> None:
        self.plan = plan
        self.sheet = sheet
        self.texts = texts
        self.checker = Checker(plan, sheet)
        self.destroyed = False
        """Whether the last change made deleted other answers (it was confirmed)."""

    def apply(
        self,
        action: str,
        change: Callable[[], list[Record]],
        changed: Key | None,
        *,
        confirm: bool,
        language: str,
    ) -> list[Record] | Refusal:
        """Make ``change``; its records, or why it was taken back (nothing changed then)."""
        sheet = self.sheet
        sheet.begin()
        records = change()
        breaches = self.checker.breaches(self.checker.affected(sheet.journal))
        if breaches:
            said = {breach: self._breach(breach, changed, language) for breach in breaches}
            sheet.undo()
            before = set(self.checker.breaches({check for check, _ in breaches}))
            new = [breach for breach in breaches if breach not in before]
            if new:
                return Refusal(said[new[0]])
            sheet.begin()  # it only keeps breaches that were there already: make it again
            records = change()
        loss = self._loss(sheet.journal, changed)
        self.destroyed = bool(loss)
        if loss and not confirm:
            sheet.undo()
            confirmation = self._confirmation(action, loss, language)
            return Refusal(AnswerError(confirmation.message, code=CONFIRM_ERROR), confirmation)
        sheet.end()
        return records

    def failures(self, language: str) -> list[tuple[Breach, AnswerError]]:
        """Every check that fails now for some member, with its message (naming the member)."""
        breaches = self.checker.breaches(self.plan.checks)
        return [(breach, self._breach(breach, None, language)) for breach in breaches]

    def withdrawal(self, *, consenting: bool, language: str) -> Refusal:
        """What the respondent's withdrawal would do, to confirm first."""
        given = sum(1 for key in self.sheet.values if self.plan.nodes[key[0]].counted)
        key = "withdraws_1" if given == 1 else "withdraws"
        message = say("withdraws_consent" if consenting else key, language, count=given)
        return Refusal(AnswerError(message, code=CONFIRM_ERROR), Confirmation("withdraw", message))

    # -- a check breached -------------------------------------------------------------------

    def _breach(self, breach: Breach, changed: Key | None, language: str) -> AnswerError:
        check, member = breach
        message = self.plan.text(check.message, language)
        message = self.texts.fill(message, check.roster, member, language)
        if changed is None or changed[1] != member or self.plan.repeat_of[changed[0]] is None:
            who = self.texts.who(check.roster, member, language)
            message = say("check_for", language, who=who, message=message)
        return AnswerError(message, code=CHECK_ERROR, hint=f"roster check '{check.name}'")

    # -- what would be lost -----------------------------------------------------------------

    def _loss(self, journal: list[Undo], changed: Key | None) -> _Loss:
        before: dict[Key, object] = {}
        removed: list[Key] = []
        for entry in journal:
            if entry.kind == "value":
                before.setdefault(entry.key, entry.old)
            elif entry.kind == "removed":
                removed.append(entry.key)
        held = dict.fromkeys(removed, 0)
        cleared: list[Key] = []
        nodes, values = self.plan.nodes, self.sheet.values
        for key, old in before.items():
            node = nodes[key[0]]
            if old is ABSENT or not node.counted or key == changed or key in values:
                continue
            owner = (node.repeat or "", key[1])
            if owner in held:
                held[owner] += 1
            else:
                cleared.append(key)
        kept = tuple((roster, member, n) for (roster, member), n in held.items() if n)
        return _Loss(kept, tuple(cleared))

    def _confirmation(self, action: str, loss: _Loss, language: str) -> Confirmation:
        """What the change would destroy, described on the sheet as it is (before it)."""
        texts = self.texts
        removals = tuple(
            MemberRemoval(
                roster,
                member,
                texts.place(roster, member),
                texts.member_name(roster, member, language),
                answers,
            )
            for roster, member, answers in loss.removed
        )
        sentences = [self._removes(removals, language)] if removals else []
        if loss.cleared:
            sentences.append(self._clears(loss.cleared, language))
        return Confirmation(action, " ".join(sentences), removals, loss.cleared)

    def _removes(self, removals: tuple[MemberRemoval, ...], language: str) -> str:
        parts = []
        for roster in dict.fromkeys(r.roster for r in removals):
            mine = [r for r in removals if r.roster == roster]
            who = _joined([self.texts.who(roster, r.member, language) for r in mine], language)
            count = sum(r.answers for r in mine)
            answers = say("answers_1" if count == 1 else "answers_n", language, count=count)
            label = self.plan.text(self.plan.nodes[roster].question.label, language)
            parts.append(say("removes", language, who=who, roster=label, answers=answers))
        return " ".join(parts)

    def _clears(self, cleared: tuple[Key, ...], language: str) -> str:
        names = []
        for name, member in cleared[:LISTED]:
            roster = self.plan.repeat_of[name]
            names.append(
                name if roster is None else f"{name} ({self.texts.who(roster, member, language)})"
            )
        if len(cleared) > LISTED:
            names.append(say("and_more", language, count=len(cleared) - LISTED))
        key = "clears_1" if len(cleared) == 1 else "clears_n"
        return say(key, language, count=len(cleared), names=", ".join(names))


def _joined(items: list[str], language: str) -> str:
    if len(items) == 1:
        return items[0]
    word = " et " if language == "fr" else " and "
    return ", ".join(items[:-1]) + word + items[-1]
