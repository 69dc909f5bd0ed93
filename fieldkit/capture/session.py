"""One interview: the actions a front end calls, the consent block among them.

Every action returns a `Step`; a refused answer changes nothing and says why in the session
language. A blank answer keeps the answer already given (or skips an optional question);
`Session.clear` removes an optional answer. How the cursor moves on, and what a session shows,
is `fieldkit.capture.state`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fieldkit.capture.changes import Refusal
from fieldkit.capture.consent import ConsentFlow
from fieldkit.capture.keys import Coded
from fieldkit.capture.messages import NO_WORDS, YES_WORDS, answer_error, consent_error
from fieldkit.capture.plan import MAX_MEMBERS, Node
from fieldkit.capture.prompts import Confirmation, Record, Step
from fieldkit.capture.reading import KEEP, read_answer
from fieldkit.capture.sheet import Key
from fieldkit.capture.state import ENDED, InterviewState
from fieldkit.capture.values import EMPTY
from fieldkit.errors import AnswerError, FieldkitError
from fieldkit.instrument.expression import MISSING
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import ConsentOutcome, ConsentRecord, InterviewStatus, ParadataEvent

__all__ = ["Session"]


class Session(InterviewState):
    """One interview. Every action returns a `Step`; nothing raises for a wrong answer."""

    # -- answering ----------------------------------------------------------------------------

    def answer(self, raw: object, *, confirm: bool = False) -> Step:
        """Answer the current prompt with typed text (the keys shown for choices), a `Coded`
        value, or an already typed value. A change that would delete other answers (a smaller
        household, an answer that makes others stop applying) is not made: the step asks
        for ``confirm`` (``step.confirm`` says what would be lost)."""
        if self.status in ENDED:
            return self._over()
        if self.flow is not None:
            return self._consent_answer(self.flow, raw)
        if self.cursor is None:
            return self._fail(answer_error("FK-ANS-007", "complete", self.language))
        node = self.plan.nodes[self.cursor[0]]
        if node.is_repeat:
            return self._roster_answer(node, raw)
        return self._question_answer(node, self.cursor[1], raw, confirm)

    def _question_answer(self, node: Node, member: int, raw: object, confirm: bool) -> Step:
        key = (node.name, member)
        try:
            value = self._parse(node, member, raw)
        except AnswerError as error:
            return self._invalid(node.name, member, error)
        had = key in self.sheet.values
        detail = "kept" if value is KEEP else "skipped" if value is EMPTY else None
        if detail is None and node.kind is not QuestionType.NOTE:
            changed = self._change("answer", lambda: self.sheet.assign(key, value), key, confirm)
            if isinstance(changed, Refusal):
                return self._refused(node.name, member, changed)
            if node.pii:
                self.texts.remember(key, value)
            if node.counted:
                self.tracker.answered(key, first=not had)
        elif detail == "skipped" and node.counted:
            self.tracker.passed(key)
        event = "change" if had and detail is None else "answer"
        if detail is None and self.changes.destroyed:
            detail = "confirmed"  # the enumerator agreed to delete what it deleted
        self._out.append(ParadataEvent(event, node.name, member, self._elapsed(), detail))
        self._advance()
        return self._ok()

    def _change(
        self, action: str, change: Callable[[], list[Record]], key: Key | None, confirm: bool
    ) -> Refusal | None:
        """Make a change through the roster checks and the confirmation rule."""
        done = self.changes.apply(action, change, key, confirm=confirm, language=self.language)
        if isinstance(done, Refusal):
            self._prompt = None
            return done
        self._out.extend(done)
        return None

    def _invalid(self, name: str, member: int, error: FieldkitError) -> Step:
        self._out.append(ParadataEvent("invalid", name, member, self._elapsed(), error.code))
        return self._fail(error)

    def _refused(self, name: str, member: int, refusal: Refusal) -> Step:
        if refusal.confirm is not None:
            return self._fail(refusal.error, refusal.confirm)
        return self._invalid(name, member, refusal.error)

    def _parse(self, node: Node, member: int, raw: object) -> object:
        prompt = None if node.kind is QuestionType.NOTE else self._shown((node.name, member))
        return read_answer(
            node,
            member,
            raw,
            prompt=prompt,
            plan=self.plan,
            sheet=self.sheet,
            language=self.language,
        )

    def _roster_answer(self, node: Node, raw: object) -> Step:
        if isinstance(raw, Coded):  # the web form's radio buttons: the yes/no code itself
            raw = raw.value
        word = "" if raw is None else str(raw).strip().lower()
        if word in YES_WORDS or word == "1":
            return self.add_member(node.name)
        if word in NO_WORDS or word in ("2", ""):
            self._out.append(ParadataEvent("answer", node.name, 0, self._elapsed(), "no_more"))
            self._advance()
            return self._ok()
        return self._fail(answer_error("FK-ANS-004", "choice", self.language, token=word))

    def clear(self, *, confirm: bool = False) -> Step:
        """Remove the answer to the current (optional) question (asking, like `answer`,
        before it deletes other answers that depend on it)."""
        if self.status in ENDED:
            return self._over()
        if self.flow is not None:
            return self._fail(consent_error("FK-CONSENT-001", "consent_first", self.language))
        if self.cursor is None:
            return self._fail(answer_error("FK-ANS-007", "complete", self.language))
        if self._shown(self.cursor).required:
            return self._fail(answer_error("FK-ANS-002", "required", self.language))
        key = self.cursor
        if key in self.sheet.values:
            refused = self._change("clear", lambda: self.sheet.assign(key, MISSING), key, confirm)
            if refused is not None:
                return self._refused(key[0], key[1], refused)
            self.texts.remember(key, MISSING)
            self._out.append(ParadataEvent("change", key[0], key[1], self._elapsed(), "cleared"))
        self._revalidate()
        return self._ok()

    # -- the consent block --------------------------------------------------------------------

    def _consent_answer(self, flow: ConsentFlow, raw: object) -> Step:
        try:
            flow.answer(raw)
        except FieldkitError as error:
            return self._fail(error)
        outcome = flow.outcome()
        if outcome is None:
            return self._ok()
        return self._end_consent(flow, outcome)

    def _end_consent(self, flow: ConsentFlow, outcome: ConsentOutcome) -> Step:
        record = flow.record(outcome, self.engine.now())
        self.flow, self.consent = None, record
        if record.allows_interview:
            self.language = flow.language
            self.open_form()
        else:
            stopped = outcome is ConsentOutcome.SCREENED_OUT
            self.status = InterviewStatus.STOPPED if stopped else InterviewStatus.REFUSED
        return self._ok(consent=record)

    def withdraw(self, *, confirm: bool = False) -> Step:
        """The respondent withdraws: the interview ends REFUSED with the consent record
        (outcome REFUSED) and no other record; the store, finishing it as REFUSED, deletes
        every answer already saved. The session forgets them too. Without ``confirm``,
        nothing happens: the step says what would (``step.confirm``)."""
        if self.status in ENDED:
            return self._over()
        if not confirm:
            asked = self.changes.withdrawal(
                consenting=self.flow is not None, language=self.language
            )
            return self._fail(asked.error, asked.confirm)
        if self.flow is not None:
            return self._end_consent(self.flow, ConsentOutcome.REFUSED)
        self.sheet.forget()
        self.texts.forget()
        self.tracker.forget()
        self._out.clear()
        self.status, self.cursor = InterviewStatus.REFUSED, None
        if self.consent is not None:
            self.consent = replace(self.consent, outcome=ConsentOutcome.REFUSED)
        return self._ok(consent=self.consent)

    # -- moving -------------------------------------------------------------------------------

    def back(self) -> Step:
        if self.status in ENDED:
            return self._over()
        if self.flow is not None:
            if self.flow.back():
                return self._ok()
            return self._fail(answer_error("FK-ANS-009", "at_start", self.language))
        previous = self.nav.stop_before(self.cursor)
        if previous is None:
            if self.consent is not None:
                return self._fail(consent_error("FK-CONSENT-002", "consent_final", self.language))
            return self._fail(answer_error("FK-ANS-009", "at_start", self.language))
        self._move(previous, "back")
        return self._ok()

    def goto(self, question: str, member: int = 0) -> Step:
        """Move to a question already reachable (a relevant question of an existing member)."""
        if self.flow is not None:
            return self._fail(consent_error("FK-CONSENT-001", "consent_first", self.language))
        if self.status in ENDED:
            return self._over()
        node = self.plan.nodes.get(question)
        if node is None:
            return self._fail(
                answer_error("FK-ANS-006", "unknown_question", self.language, name=question)
            )
        slot = self.nav.slot_for(node, member)
        if slot is None or not self.nav.is_stop(slot):
            return self._fail(answer_error("FK-ANS-006", "not_asked", self.language, name=question))
        self._move(slot, "back", "goto")
        return self._ok()

    def add_member(self, roster: str, *, confirm: bool = False) -> Step:
        """Add a member to an open-ended roster and go to its first question (refused, like
        an answer, when a roster check would fail: one over the roster's size)."""
        failed = self._roster_check(roster)
        if failed is not None:
            return failed
        if len(self.sheet.members[roster]) >= MAX_MEMBERS:
            return self._fail(
                answer_error(
                    "FK-ANS-008", "roster_full", self.language, name=roster, limit=MAX_MEMBERS
                )
            )
        added: list[int] = []

        def add() -> list[Record]:
            member, records = self.sheet.add_member(roster)
            added.append(member)
            return records

        refused = self._change("add_member", add, None, confirm)
        if refused is not None:
            return self._fail(refused.error, refused.confirm)
        member = added[-1]
        target = self.nav.stop_at_or_after((self.plan.kids[roster][0], member))
        self._move(target if target is not None else self.nav.first_gap())
        return self._ok()

    def remove_member(self, roster: str, member: int, *, confirm: bool = False) -> Step:
        """Remove a member of an open-ended roster, with its answers (numbers are kept); a
        member who holds answers is only removed with ``confirm``."""
        failed = self._roster_check(roster)
        if failed is not None:
            return failed
        if member not in self.sheet.members[roster]:
            return self._fail(
                answer_error("FK-ANS-008", "no_member", self.language, name=roster, member=member)
            )
        refused = self._change(
            "remove_member", lambda: self.sheet.remove_member(roster, member), None, confirm
        )
        if refused is not None:
            return self._fail(refused.error, refused.confirm)
        self._revalidate()
        return self._ok()

    def _roster_check(self, roster: str) -> Step | None:
        if self.flow is not None:
            return self._fail(consent_error("FK-CONSENT-001", "consent_first", self.language))
        if self.status in ENDED:
            return self._over()
        node = self.plan.nodes.get(roster)
        if node is None or not node.is_repeat:
            return self._fail(answer_error("FK-ANS-008", "not_roster", self.language, name=roster))
        if not node.open_ended:
            return self._fail(
                answer_error("FK-ANS-008", "counted_roster", self.language, name=roster)
            )
        if not self.sheet.relevant((roster, 0)):
            return self._fail(answer_error("FK-ANS-006", "not_asked", self.language, name=roster))
        return None

    # -- steps --------------------------------------------------------------------------------

    def _ok(self, consent: ConsentRecord | None = None) -> Step:
        records, self._out = tuple(self._out), []
        self._prompt = None
        return Step(True, records, None, consent, self.status)

    def _fail(self, error: FieldkitError, confirm: Confirmation | None = None) -> Step:
        records, self._out = tuple(self._out), []
        return Step(False, records, error, None, self.status, confirm)

    def _over(self) -> Step:
        return self._fail(
            answer_error("FK-ANS-007", "interview_over", self.language, status=self.status)
        )
