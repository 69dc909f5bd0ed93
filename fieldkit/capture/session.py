"""One interview: the cursor, the consent block, and the actions a front end calls.

Every action returns a `Step`; a refused answer changes nothing and says why in the session
language. A blank answer keeps the answer already given (or skips an optional question);
`Session.clear` removes an optional answer. The cursor moves forward through the stops in
asking order; once past the last, it visits each required question left unanswered, and the
interview is complete (status COMPLETE, `current()` None) when there is none. Going back or
to a question reopens it (status DRAFT again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from fieldkit.capture.changes import Changes, Refusal
from fieldkit.capture.consent import ConsentFlow
from fieldkit.capture.keys import Coded
from fieldkit.capture.messages import NO_WORDS, YES_WORDS, answer_error, consent_error
from fieldkit.capture.navigation import Navigator
from fieldkit.capture.plan import MAX_MEMBERS, Node
from fieldkit.capture.progress import Tracker
from fieldkit.capture.prompts import Confirmation, Progress, Prompt, Record, Step, SummaryRow
from fieldkit.capture.reading import KEEP, read_answer
from fieldkit.capture.sheet import Key, Sheet
from fieldkit.capture.texts import Texts
from fieldkit.capture.values import EMPTY, status_of, to_json
from fieldkit.capture.views import question_prompt, roster_prompt, summary_rows
from fieldkit.errors import AnswerError, FieldkitError
from fieldkit.instrument.expression import MISSING
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import (
    AnswerChange,
    ConsentOutcome,
    ConsentRecord,
    InterviewStatus,
    ParadataEvent,
)

if TYPE_CHECKING:
    from fieldkit.capture.engine import Engine

__all__ = ["Session"]

ENDED: Final = (InterviewStatus.REFUSED, InterviewStatus.STOPPED)


class Session:
    """One interview. Every action returns a `Step`; nothing raises for a wrong answer."""

    def __init__(self, engine: Engine, language: str, today: dt.date | None) -> None:
        self.engine = engine
        self.form = engine.form
        self.plan = engine.plan
        self.language = language
        started = engine.now()
        self.sheet = Sheet(self.plan, today or started.date(), started)
        self.nav = Navigator(self.plan, self.sheet)
        self.texts = Texts(self.plan, self.sheet)
        self.changes = Changes(self.plan, self.sheet, self.texts)
        self.tracker = Tracker(self.sheet)
        self.flow: ConsentFlow | None = (
            ConsentFlow(self.form, language) if self.form.consent_required else None
        )
        self.consent: ConsentRecord | None = None
        self.status = InterviewStatus.DRAFT
        self.cursor: Key | None = None
        self._out: list[Record] = []
        self._asked_at = engine.clock()
        self._prompt: Prompt | None = None
        self._filling = False
        """Past the end: visiting the required questions left unanswered."""

    # -- reading ------------------------------------------------------------------------------

    def current(self) -> Prompt | None:
        """What to ask now; None when the interview is complete or has ended."""
        if self.flow is not None:
            return self.flow.prompt(Progress(0, 0, 0.0))
        if self.cursor is None or self.status in ENDED:
            return None
        return self._shown(self.cursor)

    def _shown(self, slot: Key) -> Prompt:
        if self._prompt is None:
            self._prompt = self._prompt_at(slot)
        return self._prompt

    def _prompt_at(self, slot: Key) -> Prompt:
        node = self.plan.nodes[slot[0]]
        progress = self.progress
        if node.is_repeat:
            return roster_prompt(self.plan, self.sheet, node, self.language, progress)
        return question_prompt(self.texts, node, slot[1], self.language, progress)

    @property
    def progress(self) -> Progress:
        """How far the interview has got: only grows as answers are given; 100% when complete."""
        return self.tracker.progress(complete=self.status is InterviewStatus.COMPLETE)

    def ahead(self) -> Iterator[Prompt]:
        """The prompts of the stops after the current one, in asking order, as the answers
        stand now; nothing moves. A front end that shows several questions on one screen
        (a section with ``screen: section``) takes the ones it lays out, then answers them
        in order while ``current()`` is the next of them."""
        if self.flow is not None or self.cursor is None or self.status in ENDED:
            return
        slot = self.nav.stop_after(self.cursor)
        while slot is not None:
            yield self._prompt_at(slot)
            slot = self.nav.stop_after(slot)

    def summary(self) -> list[SummaryRow]:
        """The answers given, in asking order, for display (identifying answers as "•••")."""
        return summary_rows(self.plan, self.sheet, self.nav.stops(), self.language)

    def answers(self) -> dict[Key, AnswerChange]:
        """Every answer and calculation held now, as the record that would set it (an
        identifying answer's value is sealed: None)."""
        nodes = self.plan.nodes
        return {
            key: AnswerChange(key[0], key[1], to_json(v), status_of(v), nodes[key[0]].pii)
            for key, v in self.sheet.values.items()
        }

    def members(self, roster: str) -> tuple[int, ...]:
        """A roster's member numbers, ascending (stable: removing one renumbers nothing)."""
        return tuple(self.sheet.members.get(roster, ()))

    def applies(self, question: str, member: int = 0) -> bool:
        """Whether the question is relevant now for that member (False before consent)."""
        return self.sheet.relevant((question, member))

    @property
    def consenting(self) -> bool:
        """True while the screening and consent block is being asked."""
        return self.flow is not None

    @property
    def evaluations(self) -> int:
        """Expression evaluations of question instances so far (each relevance/calculation)."""
        return self.sheet.evaluations

    @property
    def recomputed(self) -> tuple[Key, ...]:
        """The instances the last change re-evaluated, in order."""
        return tuple(self.sheet.recomputed)

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

    def add_member(self, roster: str) -> Step:
        """Add a member to an open-ended roster and go to its first question."""
        failed = self._roster_check(roster)
        if failed is not None:
            return failed
        if len(self.sheet.members[roster]) >= MAX_MEMBERS:
            return self._fail(
                answer_error(
                    "FK-ANS-008", "roster_full", self.language, name=roster, limit=MAX_MEMBERS
                )
            )
        member, records = self.sheet.add_member(roster)
        self._out.extend(records)
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

    # -- the cursor ---------------------------------------------------------------------------

    def open_form(
        self, values: dict[Key, object] | None = None, members: dict[str, list[int]] | None = None
    ) -> None:
        """Evaluate the form (with stored answers when resuming) and go to its first stop."""
        resuming = values is not None
        if resuming:
            self.sheet.load(values or {}, members or {})
        self._out.extend(self.sheet.evaluate_all())
        if resuming:
            self.tracker.resumed()
        self._out.append(ParadataEvent("resume" if resuming else "open"))
        start = self.nav.first_open() if resuming else self.nav.stop_after(None)
        self._move(start if start is not None else self.nav.first_gap())

    def _advance(self) -> None:
        """Forward in asking order; past the end, to each unanswered required question."""
        following = None if self._filling else self.nav.stop_after(self.cursor)
        if following is None:
            following = self.nav.first_gap()
            self._filling = following is not None
        self._move(following)

    def _revalidate(self) -> None:
        """After a change elsewhere: stay if the cursor still applies, else move on."""
        self._prompt = None
        if self.cursor is not None and not self.nav.is_stop(self.cursor):
            self._advance()

    def _move(self, slot: Key | None, event: str | None = None, detail: str | None = None) -> None:
        self.cursor = slot
        self._prompt = None
        if slot is None:
            if self.status is not InterviewStatus.COMPLETE:
                self.status = InterviewStatus.COMPLETE
                self._out.append(ParadataEvent("complete"))
            return
        self.status = InterviewStatus.DRAFT
        if event is not None:
            self._filling = False
            self._out.append(ParadataEvent(event, slot[0], slot[1], detail=detail))
        self._out.append(ParadataEvent("ask", slot[0], slot[1]))
        self._asked_at = self.engine.clock()

    def _elapsed(self) -> int:
        return max(0, int((self.engine.clock() - self._asked_at) * 1000))

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
