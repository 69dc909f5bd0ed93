"""Fill a coordinator store with hand-written interviews, answers and roster members.

Rows go straight into the store's own tables (as the merge would leave them), so dataset
tests can plant exactly the rows they are about, edge cases included.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, insert

from fieldkit.store.coordinator import open_coordinator

NOW = dt.datetime(2027, 2, 1, 9, 0, tzinfo=dt.UTC)


def fill_store(
    store: Path | str,
    form: Any,
    interviews: Iterable[Mapping[str, Any]],
    answers: Iterable[tuple[Any, ...]],
    members: Iterable[tuple[Any, ...]],
    *,
    excluded: Mapping[str, str],
) -> None:
    """``answers``: (interview, question, member, value text, status); ``excluded``: id ->
    ``quarantined`` or ``duplicate`` (a duplicate of the interview before it)."""
    with open_coordinator(store) as db, db.transaction() as conn:
        schema = MetaData()
        schema.reflect(conn)  # the tables as the store created them
        table = schema.tables
        conn.execute(_row(table["devices"], device_id="laptop-3", public_key="k"))
        conn.execute(_row(table["bundles"], sha256="b1", device_id="laptop-3", sequence=1))
        previous = None
        for number, interview in enumerate(interviews, start=1):
            iid = interview["id"]
            conn.execute(_row(table["interviews"], **_interview(iid, form, number)))
            conn.execute(_row(table["merged_interviews"], **_merged(iid, form.id, excluded)))
            if excluded.get(iid) == "duplicate":
                conn.execute(
                    _row(
                        table["duplicates"],
                        interview_id=iid,
                        kept_interview_id=previous,
                        form_id=form.id,
                    )
                )
            previous = iid
        for a in answers:
            values = dict(
                zip(("interview_id", "question", "member", "value", "status"), a, strict=True)
            )
            conn.execute(_row(table["answers"], **values, changed_at=NOW))
        for m in members:
            values = dict(zip(("interview_id", "roster", "member"), m, strict=True))
            conn.execute(_row(table["roster_members"], **values))


def _complete(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """Fill the columns a test does not care about (the store's schema may grow)."""
    filler = {bool: False, int: 0, str: "-", dt.datetime: NOW}
    for column in table.columns:
        needed = not column.nullable and column.server_default is None
        if column.name not in values and needed and not column.primary_key:
            values[column.name] = filler.get(column.type.python_type, "-")
    return values


def _row(table: Any, **values: Any) -> Any:
    return insert(table).values(**_complete(table, values))


def _interview(interview_id: str, form: Any, number: int) -> dict[str, Any]:
    return {
        "id": interview_id, "form_id": form.id, "form_hash": form.hash,
        "instrument_kind": str(form.kind), "protocol_id": form.protocol.id,
        "enumerator": "enum07", "device_id": "laptop-3", "language": "en",
        "status": "complete", "consent": json.dumps({"outcome": "given"}),
        "consent_outcome": "given", "reference": f"REF-{interview_id}", "sequence": number,
        "started_at": NOW, "ended_at": NOW, "updated_at": NOW,
    }  # fmt: skip


def _merged(interview_id: str, form_id: str, excluded: Mapping[str, str]) -> dict[str, Any]:
    return {
        "interview_id": interview_id, "form_id": form_id, "bundle_sha256": "b1",
        "bundle_device": "laptop-3", "bundle_sequence": 1, "content_hash": interview_id,
        "unit_values": None, "district": None,
        "quarantined": excluded.get(interview_id) == "quarantined",
        "included": interview_id not in excluded,
    }  # fmt: skip
