"""The enumerator's desk: the study's forms, the unlocked store and the interviews in progress.

Every interview runs on the capture engine (``fieldkit.capture``) and is saved through its
`InterviewRecorder`, exactly as the terminal front end does: each step is committed before
the next page is shown. Interviews in progress stay in memory between pages; one the server
does not hold (after a restart) is resumed from the store, which holds every answer given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fieldkit.capture import Engine, Session, Step
from fieldkit.capture.recorder import InterviewRecorder, open_interview
from fieldkit.errors import InstrumentError, StoreError
from fieldkit.instrument.form import Form
from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.store import SEALED, InterviewSummary, LaptopStore, StoredInterview
from fieldkit.store.records import InterviewStatus
from fieldkit.web.unlock import check_store, is_new_store, needs_passphrase, unlock_store

__all__ = ["Desk", "Listed", "Live"]


@dataclass
class Live:
    """An interview in progress: its engine session and the recorder that saves each step."""

    form: Form
    session: Session
    recorder: InterviewRecorder

    @property
    def id(self) -> str:
        return self.recorder.interview_id

    def record(self, step: Step) -> Step:
        """Save what the step produced (a refused answer's paradata too), then hand it back."""
        self.recorder.record(step)
        return step


@dataclass(frozen=True, slots=True)
class Listed:
    """An interview as the home page and today's list show it."""

    id: str
    title: str
    unit: str
    """The unit key's answers (never identifying: the compiler refuses a pii key)."""
    started_at: dt.datetime
    status: InterviewStatus
    percent: int | None
    """Progress of a draft; None while its consent block is unfinished (or once ended)."""


class Desk:
    """One laptop store and the forms of one study, for one enumerator at a time."""

    def __init__(
        self, forms: Mapping[str, Form], db: Path, project_keys: ProjectPublicKeys
    ) -> None:
        self.forms = dict(forms)
        self.by_hash = {form.hash: form for form in self.forms.values()}
        self.db = db
        self.project_keys = project_keys
        self.store: LaptopStore | None = None
        self.enumerator = ""
        self.live: dict[str, Live] = {}
        self._engines: dict[str, Engine] = {}

    # -- the store ------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.store is None

    @property
    def needs_passphrase(self) -> bool:
        return needs_passphrase(self.db)

    @property
    def new_store(self) -> bool:
        """No store yet: the first unlock sets its passphrase (typed twice)."""
        return self.store is None and is_new_store(self.db)

    def check(self) -> None:
        """Before serving: a store that cannot be opened (a wrong file, a folder, no access)
        says so now, in one line, rather than later in the browser. The passphrase itself
        is left for the unlock step."""
        check_store(self.db)

    def unlock(self, passphrase: str | None, enumerator: str) -> None:
        if self.store is None:
            self.store = unlock_store(self.db, self.project_keys, passphrase or "")
        self.enumerator = enumerator.strip()

    def close(self) -> None:
        self.live.clear()
        if self.store is not None:
            self.store.close()
            self.store = None

    def _store(self) -> LaptopStore:
        if self.store is None:
            raise StoreError("the laptop store is locked", code="FK-STORE-004")
        return self.store

    # -- interviews -----------------------------------------------------------------------------

    def form(self, ref: str) -> Form:
        form = self.forms.get(ref) or self.by_hash.get(ref)
        if form is None:
            known = ", ".join(sorted(self.forms)) or "none"
            raise InstrumentError(
                f"no instrument '{ref}' in this study",
                code="FK-INS-019",
                hint=f"known instruments: {known}; a draft started with another version of"
                " the questionnaire needs that version",
            )
        return form

    def start(self, form_id: str, language: str | None) -> Live:
        form = self.form(form_id)
        session, recorder = open_interview(
            self._store(), form, enumerator=self.enumerator, language=language
        )
        live = Live(form, session, recorder)
        self.live[live.id] = live
        return live

    def reopen(self, interview_id: str) -> Live:
        """Resume a draft from what the store holds (every answer given so far)."""
        stored = self._store().load(interview_id)
        if stored.status is not InterviewStatus.DRAFT:
            raise StoreError(
                f"interview {interview_id} is {stored.status}, not a draft",
                code="FK-STORE-006",
                hint="only unfinished interviews can be resumed",
            )
        form = self.form(stored.form_hash)
        session, recorder = open_interview(
            self._store(), form, enumerator=stored.enumerator, language=None, resume=stored.id
        )
        live = Live(form, session, recorder)
        self.live[live.id] = live
        return live

    def interview(self, interview_id: str) -> Live | InterviewStatus:
        """The interview in progress, resumed from the store if the server does not hold it;
        or the status of one that has ended."""
        live = self.live.get(interview_id)
        if live is not None:
            return live
        status = self._store().load(interview_id).status
        if status is not InterviewStatus.DRAFT:
            return status
        return self.reopen(interview_id)

    def finish(self, live: Live) -> None:
        """Save a complete interview as complete: from then on it is only listed."""
        self._store().finish(live.id, InterviewStatus.COMPLETE)
        self.live.pop(live.id, None)

    def ended(self, live: Live) -> None:
        """Forget an interview the engine ended (refused, stopped): the recorder saved it."""
        self.live.pop(live.id, None)

    # -- lists ----------------------------------------------------------------------------------

    def drafts(self) -> list[Listed]:
        return [self._listed(row) for row in self._store().drafts()]

    def today(self) -> list[Listed]:
        today = dt.datetime.now().astimezone().date()
        return [
            self._listed(row)
            for row in self._store().interviews()
            if row.started_at.astimezone().date() == today
        ]

    def _listed(self, row: InterviewSummary) -> Listed:
        form = self.by_hash.get(row.form_hash)
        title = row.form_id if form is None else form.title.get(form.default_language, form.id)
        unit, percent = "", None
        if form is not None and (form.unit_key or row.status is InterviewStatus.DRAFT):
            stored = self._store().load(row.id)
            unit = _unit(form, stored)
            if row.status is InterviewStatus.DRAFT:
                percent = self._percent(form, stored)
        return Listed(row.id, title, unit, row.started_at.astimezone(), row.status, percent)

    def _percent(self, form: Form, stored: StoredInterview) -> int | None:
        if stored.consent is None or not stored.consent.allows_interview:
            return None
        engine = self._engines.setdefault(form.hash, Engine(form))
        session = engine.resume(stored.answers, stored.members, stored.consent)
        prompt = session.current()
        return 100 if prompt is None else prompt.progress.percent


def _unit(form: Form, stored: StoredInterview) -> str:
    parts = []
    for name in form.unit_key:
        value, _ = stored.answers.get((name, 0), (None, None))
        if value is not None and value is not SEALED:
            parts.append(f"{name} {value}")
    return ", ".join(parts)
