"""One interview's state: what it holds, where its cursor is, and everything read from it.

`InterviewState` is what a `Session` acts on. The cursor moves forward through the stops in
asking order; once past the last, it visits each required question left unanswered, then any
question a failing roster check sends it to, and the interview is complete (status COMPLETE,
`current()` None) when there is none. Going back or to a question reopens it (status DRAFT
again). Nothing here answers, moves on request or ends the interview: see `Session`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Final

from fieldkit.capture.changes import Changes
from fieldkit.capture.consent import ConsentFlow
from fieldkit.capture.navigation import Navigator
from fieldkit.capture.plan import PlannedCheck
from fieldkit.capture.progress import Tracker
from fieldkit.capture.prompts import CheckFailure, Progress, Prompt, Record, SummaryRow
from fieldkit.capture.sheet import Key, Sheet
from fieldkit.capture.texts import Texts
from fieldkit.capture.values import status_of, to_json
from fieldkit.capture.views import question_prompt, roster_prompt, summary_rows
from fieldkit.store.records import AnswerChange, ConsentRecord, InterviewStatus, ParadataEvent

if TYPE_CHECKING:
    from fieldkit.capture.engine import Engine

__all__ = ["ENDED", "InterviewState"]

ENDED: Final = (InterviewStatus.REFUSED, InterviewStatus.STOPPED)


class InterviewState:
    """An interview's answers, consent and cursor, and what to show of them."""

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
        return summary_rows(self.texts, self.nav.stops(), self.language)

    def answers(self) -> dict[Key, AnswerChange]:
        """Every answer and calculation held now, as the record that would set it (an
        identifying answer's value is sealed: None)."""
        nodes = self.plan.nodes
        return {
            key: AnswerChange(key[0], key[1], to_json(v), status_of(v), nodes[key[0]].pii)
            for key, v in self.sheet.values.items()
        }

    def failing(self) -> tuple[CheckFailure, ...]:
        """The roster checks that fail on the answers as they stand, each with the question
        to correct. An answer that breaks a check is refused, so only a draft resumed with
        answers that break one (stored by an earlier fieldkit, or written by another program)
        has any; while one fails the interview cannot be complete."""
        if self.flow is not None or self.status in ENDED:
            return ()
        return tuple(
            CheckFailure(error, self._check_slot(check, member))
            for (check, member), error in self.changes.failures(self.language)
        )

    def _check_slot(self, check: PlannedCheck, member: int) -> Key | None:
        """The member's first question asked that the check's ``when`` reads, else that it
        reads at all (a mother's line number before the member's own sex)."""
        questions = self.plan.kids[check.roster]
        for names in (check.applies_on, check.reads):
            for name in questions:
                if name in names and self.nav.is_stop((name, member)):
                    return (name, member)
        return None

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
        start = self._failing_slot() if resuming else None
        if start is None:
            start = self.nav.first_open() if resuming else self.nav.stop_after(None)
        self._move(start if start is not None else self.nav.first_gap())

    def _failing_slot(self) -> Key | None:
        """Where to correct the first roster check that fails (None: every check holds)."""
        return next((f.at for f in self.failing() if f.at is not None), None)

    def _advance(self) -> None:
        """Forward in asking order; past the end, to each unanswered required question, then
        to each roster check that fails."""
        following = None if self._filling else self.nav.stop_after(self.cursor)
        if following is None:
            following = self.nav.first_gap() or self._failing_slot()
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
