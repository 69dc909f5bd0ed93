"""The interview engine: a pure state machine from answers to the next question. No I/O.

    engine = Engine(form)                     # once per form: compiles and orders everything
    session = engine.start("fr")              # the protocol's screening and consent come first
    while (prompt := session.current()) is not None:
        step = session.answer(read_input(prompt))
        store(step.records, step.consent)     # whether ok or not (paradata), in order

`Engine` compiles a form once (`Plan`); each `Session` (``session.py``: its actions, over the
state and cursor of ``state.py``) is one interview over a `Sheet` of answers (``sheet.py``),
walked by a `Navigator` (``navigation.py``) and opened by the protocol's consent block
(``consent.py``).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping

from fieldkit.capture.messages import consent_error
from fieldkit.capture.plan import Plan
from fieldkit.capture.session import Session
from fieldkit.capture.sheet import Key
from fieldkit.capture.values import from_record
from fieldkit.errors import AnswerError
from fieldkit.instrument.form import Form
from fieldkit.store import SEALED
from fieldkit.store.records import AnswerChange, AnswerStatus, ConsentRecord

__all__ = ["Engine", "Session"]

Clock = Callable[[], float]


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Engine:
    """One form, precomputed once; it starts and resumes any number of sessions."""

    def __init__(
        self, form: Form, *, clock: Clock = time.monotonic, now: Callable[[], dt.datetime] = _now
    ) -> None:
        self.form = form
        self.plan = Plan(form)
        self.clock = clock
        """Seconds from any origin (``time.monotonic``): times paradata."""
        self.now = now
        """The wall clock: ``now()``/``today()`` in expressions, ``recorded_at`` of consent."""

    def start(self, language: str | None = None, *, today: dt.date | None = None) -> Session:
        session = Session(self, self._language(language), today)
        if session.flow is None:
            session.open_form()
        return session

    def resume(
        self,
        answers: Mapping[Key, tuple[object, AnswerStatus]] | Iterable[AnswerChange],
        members: Mapping[str, Iterable[int]],
        consent: ConsentRecord | None,
        *,
        language: str | None = None,
        today: dt.date | None = None,
    ) -> Session:
        """A session over what the store loaded (``LaptopStore.load``): answers as
        ``(question, member) → (value, status)`` with identifying values `SEALED` (or as
        `AnswerChange` records), roster member numbers, and the consent record."""
        if self.form.consent_required and (consent is None or not consent.allows_interview):
            raise consent_error("FK-CONSENT-003", "consent_first", "en")
        if language is None and consent is not None and consent.language in self.form.languages:
            language = consent.language
        session = Session(self, self._language(language), today)
        session.flow, session.consent = None, consent
        stored = {r: list(numbers) for r, numbers in members.items() if r in self.plan.kids}
        session.open_form(self._stored(answers), stored)
        return session

    def _language(self, language: str | None) -> str:
        if language is None:
            return self.form.default_language
        if language not in self.form.languages:
            known = ", ".join(self.form.languages)
            raise AnswerError(
                f"the form has no texts in '{language}'",
                code="FK-ANS-010",
                hint=f"use one of {known}",
            )
        return language

    def _stored(
        self, answers: Mapping[Key, tuple[object, AnswerStatus]] | Iterable[AnswerChange]
    ) -> dict[Key, object]:
        items: Iterable[tuple[str, int, object, AnswerStatus]]
        if isinstance(answers, Mapping):
            items = ((q, m, value, status) for (q, m), (value, status) in answers.items())
        else:
            items = ((a.question, a.member, _sealed(a), a.status) for a in answers)
        values: dict[Key, object] = {}
        for question, member, raw, status in items:
            node = self.plan.nodes.get(question)
            if node is None:
                raise AnswerError(
                    f"a stored answer to an unknown question '{question}'", code="FK-ANS-011"
                )
            value = from_record(node.kind, raw, AnswerStatus(status))
            if value is not None and not node.is_repeat:
                values[(question, member)] = value
        return values


def _sealed(change: AnswerChange) -> object:
    """An identifying answer comes back from the store without its value: sealed."""
    answered = change.status is AnswerStatus.ANSWERED
    return SEALED if change.pii and answered and change.value is None else change.value
