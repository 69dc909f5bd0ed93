"""Persist each engine step at once: the store commits before the next prompt is shown.

This is the seam between the pure engine and the laptop store. A front end (terminal,
scripted entry) drives a `Session` and hands every `Step` to `InterviewRecorder.record`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fieldkit.capture.engine import Engine, Session
from fieldkit.capture.prompts import Step
from fieldkit.instrument.form import Form
from fieldkit.store import LaptopStore
from fieldkit.store.records import AnswerChange, InterviewStatus, MemberChange, ParadataEvent

__all__ = ["ENDS_AT_ONCE", "InterviewRecorder", "open_interview"]

ENDS_AT_ONCE = (InterviewStatus.REFUSED, InterviewStatus.STOPPED)
"""A refusal or a safety stop ends the interview as it happens (and purges what was held).
A complete interview is saved as complete by the front end, once the enumerator confirms:
until then going back to correct an answer is still possible."""


@dataclass
class InterviewRecorder:
    store: LaptopStore
    interview_id: str
    on_saved: Callable[[AnswerChange], None] | None = None
    """Called after each answer is durable (the scripted front end's ``--trace``)."""

    def record(self, step: Step) -> None:
        answers = [r for r in step.records if isinstance(r, AnswerChange)]
        members = [r for r in step.records if isinstance(r, MemberChange)]
        events = [r for r in step.records if isinstance(r, ParadataEvent)]
        if step.consent is not None:
            self.store.record_consent(self.interview_id, step.consent)
        if answers or members or events:
            self.store.apply(self.interview_id, answers, members, events)
        if step.status in ENDS_AT_ONCE:
            self.store.finish(self.interview_id, step.status)
        if self.on_saved is not None:
            for answer in answers:
                self.on_saved(answer)

    def discard(self) -> None:
        """The enumerator throws this draft away (started by mistake): it is deleted whole.
        Not a respondent's withdrawal, which keeps the refusal (`Session.withdraw`)."""
        self.store.discard(self.interview_id)


def open_interview(
    store: LaptopStore,
    form: Form,
    *,
    enumerator: str,
    language: str | None,
    resume: str | None = None,
) -> tuple[Session, InterviewRecorder]:
    """A new interview (a draft row at once), or a draft resumed from the store.

    A draft whose consent block was not finished starts the block again: nothing was
    stored for it but the draft row.
    """
    engine = Engine(form)
    if resume is None:
        session = engine.start(language)
        interview_id = store.create_interview(
            form=form, enumerator=enumerator, language=session.language
        )
        return session, InterviewRecorder(store, interview_id)
    stored = store.load(resume)
    if stored.consent is None or not stored.consent.allows_interview:
        return engine.start(language or stored.language), InterviewRecorder(store, resume)
    session = engine.resume(stored.answers, stored.members, stored.consent, language=language)
    return session, InterviewRecorder(store, resume)
