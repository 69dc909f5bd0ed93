"""The drafts on a laptop, as an enumerator picks one to resume: which household each is.

A draft is named by the start of its id (the first 8 characters are shown) and by the unit
it is about: its ``unit_key`` answers (``cluster 12, hh_number 7``), read from the answers
stored for it (a unit key is never identifying: FK-INS-018). `find_draft` accepts any start
of an id that names one draft only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from fieldkit.errors import AnswerError, Location, StoreError
from fieldkit.instrument.form import Form
from fieldkit.store import LaptopStore
from fieldkit.store.records import InterviewStatus

__all__ = ["SHOWN", "DraftRow", "draft_rows", "find_draft"]

SHOWN: Final = 8
"""How many characters of an interview id are shown (and enough to type)."""


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: str
    form_id: str
    unit: str
    """The unit key answers, e.g. ``cluster 12, hh_number 7`` ("" when not known here)."""
    enumerator: str
    started_at: dt.datetime
    updated_at: dt.datetime
    answered: int

    @property
    def short(self) -> str:
        return self.id[:SHOWN]


def draft_rows(
    store: LaptopStore, forms: Mapping[str, Form], *, form_id: str | None = None
) -> list[DraftRow]:
    """The drafts (of ``form_id`` only, if given), oldest first; ``forms`` by hash name the
    unit of each draft whose form is known."""
    rows = []
    for draft in store.drafts():
        if form_id is not None and draft.form_id != form_id:
            continue
        form = forms.get(draft.form_hash)
        unit = _unit(store, draft.id, form) if form is not None else ""
        rows.append(
            DraftRow(
                draft.id,
                draft.form_id,
                unit,
                draft.enumerator,
                draft.started_at,
                draft.updated_at,
                draft.answered,
            )
        )
    return rows


def _unit(store: LaptopStore, interview_id: str, form: Form) -> str:
    answers = store.load(interview_id).answers
    parts = []
    for name in form.unit_key:
        found = answers.get((name, 0))
        if found is not None and found[0] is not None:
            parts.append(f"{name} {found[0]}")
    return ", ".join(parts)


def find_draft(store: LaptopStore, prefix: str, form: Form, *, db: str = "laptop.sqlite") -> str:
    """The one draft of ``form`` whose id starts with ``prefix``; raises naming the drafts it
    could be (or saying why there is none)."""
    listing = f"fieldkit drafts --db {db} lists them"
    wanted = prefix.strip().lower()
    if not wanted:
        raise StoreError("no draft id given", code="FK-STORE-005", hint=listing)
    matches = [d for d in store.interviews() if d.id.lower().startswith(wanted)]
    drafts = [d for d in matches if d.status is InterviewStatus.DRAFT]
    where = Location(record=prefix)
    if not drafts:
        if matches:
            raise StoreError(
                f"interview {prefix} is {matches[0].status}, not a draft",
                code="FK-STORE-006",
                location=where,
                hint=f"only drafts can be resumed; {listing}",
            )
        raise StoreError(
            f"no draft on this laptop has an id starting with '{prefix}'",
            code="FK-STORE-005",
            location=where,
            hint=listing,
        )
    if len(drafts) > 1:
        names = ", ".join(d.id[: max(SHOWN, len(wanted) + 4)] for d in drafts)
        raise AnswerError(
            f"'{prefix}' is the start of {len(drafts)} drafts: {names}",
            code="FK-ANS-032",
            location=where,
            hint="type more of the id",
        )
    (draft,) = drafts
    if draft.form_id != form.id:
        raise AnswerError(
            f"draft {draft.id[:SHOWN]} is an interview of '{draft.form_id}', not '{form.id}'",
            code="FK-ANS-033",
            location=where,
            hint=f"resume it with the {draft.form_id} instrument",
        )
    return draft.id
