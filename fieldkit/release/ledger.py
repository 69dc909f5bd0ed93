"""The release ledger: every count a study has published, in the coordinator store.

A table printed today and another printed next month are one release to an attacker who
keeps both. So each ``tables`` call and each export records the counts it published (which
records each counts, and whether it was shown or hidden) in ``release_ledger``, and the next
release is protected together with all of them: a count shown before stays shown, a count
hidden before stays hidden and keeps its protection (:func:`fieldkit.release.protect_tables`,
``earlier=``).

A count is recorded by *which records it counts* (its analysis table and ``where``), not by
its value: later merges change values, and the same records counted again are the same
count.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import Boolean, Column, Connection, Integer, MetaData, String, Table, Text, select

from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.table import Cell
from fieldkit.release.counts import PublishedCount, Shown
from fieldkit.release.publish import publish
from fieldkit.release.tables import EarlierCount, ReleaseOutcome
from fieldkit.store.coordinator import open_coordinator

__all__ = ["LEDGER", "create_ledger", "earlier_counts", "publish_recorded", "record_release"]

_METADATA = MetaData()
LEDGER = Table(
    "release_ledger",
    _METADATA,
    Column("entry", Integer, primary_key=True, autoincrement=True),
    Column("form_id", String, nullable=False, index=True),
    Column("analysis_table", String, nullable=False),
    # the ``where`` as canonical JSON: variable -> sorted tagged values, or null (any)
    Column("counted", Text, nullable=False),
    Column("shown", Boolean, nullable=False),
    # the value when published (for the record; later releases use the data's own)
    Column("value", Integer, nullable=False),
    # when, what and by whom: "2026-12-06T15:00:00Z tables restricted by amina"
    Column("release", String, nullable=False),
)


def publish_recorded(
    store: Path | str,
    dataset: Dataset,
    tables: Sequence[Shown] | None = None,
    *,
    label: str,
) -> tuple[list[Shown], ReleaseOutcome]:
    """Publish ``tables`` (the standard ones by default) protected together with every count
    the study published before, and record what they publish."""
    form_id = dataset.study.form_id
    earlier = earlier_counts(store, form_id)
    published, outcome = publish(dataset, tables, earlier=earlier)
    record_release(store, form_id, outcome.counts, outcome.hidden, label=label)
    return published, outcome


def create_ledger(conn: Connection) -> None:
    """The store migration that adds the ledger."""
    _METADATA.create_all(conn, tables=[LEDGER])


def earlier_counts(store: Path | str, form_id: str) -> list[EarlierCount]:
    """Every count published for ``form_id``, each once (shown wins: it cannot be taken
    back, and a count shown anywhere is known)."""
    found: dict[tuple[str, str], bool] = {}
    with open_coordinator(store) as db, db.read() as conn:
        query = select(LEDGER.c.analysis_table, LEDGER.c.counted, LEDGER.c.shown).where(
            LEDGER.c.form_id == form_id
        )
        for table, counted, shown in conn.execute(query):
            key = (str(table), str(counted))
            found[key] = found.get(key, False) or bool(shown)
    return [EarlierCount(table, _where(text), shown) for (table, text), shown in found.items()]


def record_release(
    store: Path | str,
    form_id: str,
    counts: Sequence[PublishedCount],
    hidden: set[int],
    *,
    label: str,
) -> int:
    """Record the counts a release published (``hidden``: positions of those hidden)."""
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = [
        {
            "form_id": form_id,
            "analysis_table": count.table,
            "counted": _counted(count.where),
            "shown": count.printed and i not in hidden,
            "value": count.value,
            "release": f"{at} {label}",
        }
        for i, count in enumerate(counts)
    ]
    if rows:
        with open_coordinator(store) as db, db.transaction() as conn:
            conn.execute(LEDGER.insert(), rows)
    return len(rows)


def _counted(where: dict[str, frozenset[Cell] | None]) -> str:
    data = {
        name: None if allowed is None else sorted((_tag(v) for v in allowed), key=json.dumps)
        for name, allowed in where.items()
    }
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def _tag(value: Cell) -> list[object]:
    if isinstance(value, bool | int):
        return ["i", int(value)]
    if isinstance(value, float):
        return ["f", value]
    return ["s", str(value)]


def _where(counted: str) -> dict[str, frozenset[Cell] | None]:
    data = json.loads(counted)
    return {
        name: None if values is None else frozenset(_untag(v) for v in values)
        for name, values in data.items()
    }


def _untag(tagged: list[object]) -> Cell:
    kind, value = tagged
    if kind == "i":
        return int(str(value))
    if kind == "f":
        return float(str(value))
    return str(value)
