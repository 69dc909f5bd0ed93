"""Assignments: which sampled unit each enumerator is to visit (``fieldkit assign``).

The coordinator loads the sample into the HQ store (each unit with its enumerator and the
fields preloaded from the listing, audited), and writes one assignment file per enumerator to
carry to the laptops, where ``fieldkit collect --assignments FILE`` offers its units as the
list to visit with the unit key filled in. Assigning a unit again moves it (a re-assignment).
An interview of a unit outside the assignment is allowed and flagged (MON-004).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from fieldkit.errors import Location
from fieldkit.instrument.form import Form
from fieldkit.monitor.errors import MonitorError
from fieldkit.monitor.sample import SampleUnit
from fieldkit.monitor.tables import assignments
from fieldkit.store.coordinator import open_coordinator

__all__ = [
    "ASSIGNMENT_FORMAT",
    "AssignmentFile",
    "assign_sample",
    "assigned_units",
    "read_assignment_file",
    "write_assignment_files",
]

ASSIGNMENT_FORMAT = "fieldkit-assignments-1"


def assigned_units(conn: Connection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(form id, unit values) → (enumerator, district) of every assigned unit."""
    a = assignments
    rows = conn.execute(select(a.c.form_id, a.c.unit_values, a.c.enumerator, a.c.district))
    return {(f, unit): (who, district) for f, unit, who, district in rows}


def assign_sample(
    store: Path | str,
    form: Form,
    units: Sequence[SampleUnit],
    *,
    enumerators: Sequence[str] = (),
    actor: str = "coordinator",
) -> dict[str, int]:
    """Record the sample's units for ``form``; returns units per enumerator. Units without an
    enumerator in the file go to ``enumerators`` a whole cluster (first unit key) at a time,
    in turn, so each enumerator works whole clusters."""
    owners = _owners(units, enumerators)
    district = _district_question(form)
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "form_id": form.id,
            "unit_values": unit.unit_values,
            "enumerator": owners[unit.line],
            "district": None if district is None else _text(unit.preload.get(district)),
            "preload": json.dumps(unit.preload, ensure_ascii=False, sort_keys=True),
            "sample_row": unit.line,
            "assigned_by": actor,
            "assigned_at": now,
        }
        for unit in units
    ]
    from fieldkit.privacy.audit import AuditLog  # noqa: PLC0415  (the HQ audit chain)

    with open_coordinator(store, create=False) as db, db.transaction() as conn:
        values = [row["unit_values"] for row in rows]
        for start in range(0, len(values), 500):
            conn.execute(
                delete(assignments).where(
                    assignments.c.form_id == form.id,
                    assignments.c.unit_values.in_(values[start : start + 500]),
                )
            )
        conn.execute(insert(assignments), rows)
        counts: dict[str, int] = {}
        for who in owners.values():
            counts[who] = counts.get(who, 0) + 1
        detail = json.dumps({"units": len(rows), "per_enumerator": counts}, sort_keys=True)
        AuditLog(db).append_in(conn, actor=actor, action="assign", subject=form.id, detail=detail)
    return dict(sorted(counts.items()))


def _owners(units: Sequence[SampleUnit], enumerators: Sequence[str]) -> dict[int, str]:
    owners: dict[int, str] = {}
    clusters: dict[str, str] = {}
    for unit in units:
        if unit.enumerator is not None:
            owners[unit.line] = unit.enumerator
            continue
        if not enumerators:
            raise MonitorError(
                f"line {unit.line} names no enumerator",
                code="FK-MON-054",
                location=Location(line=unit.line),
                hint="fill the sample's enumerator column, or give --enumerators E01,E02",
            )
        cluster = json.dumps(next(iter(unit.unit.values())))
        if cluster not in clusters:
            clusters[cluster] = enumerators[len(clusters) % len(enumerators)]
        owners[unit.line] = clusters[cluster]
    return owners


def _district_question(form: Form) -> str | None:
    from fieldkit.instrument.schema import DisaggregationRole  # noqa: PLC0415

    found = form.by_role(DisaggregationRole.DISTRICT)
    return found[0].name if found else None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class AssignmentFile:
    form_id: str
    enumerator: str
    units: list[dict[str, Any]]
    """Each: ``{"unit": {question: value}, "preload": {question: value}}``, sample order."""


def write_assignment_files(store: Path | str, form: Form, folder: Path) -> list[Path]:
    """One JSON file per enumerator of ``form``'s assignments, for their laptop."""
    from fieldkit.export.atomic import all_or_nothing, atomic_path, prepare_folder  # noqa: PLC0415

    a = assignments
    query = (
        select(a.c.enumerator, a.c.preload)
        .where(a.c.form_id == form.id)
        .order_by(a.c.enumerator, a.c.sample_row)
    )
    per: dict[str, list[dict[str, Any]]] = {}
    with open_coordinator(store, create=False) as db, db.read() as conn:
        for who, preload in conn.execute(query):
            loaded = json.loads(preload)
            unit = {name: loaded.get(name) for name in form.unit_key}
            per.setdefault(who, []).append({"unit": unit, "preload": loaded})
    written = []
    with all_or_nothing():
        prepare_folder(folder)
        for who, units in per.items():
            body = {"format": ASSIGNMENT_FORMAT, "form_id": form.id, "enumerator": who}
            target = folder / f"{form.id}-{_safe(who)}.json"
            with atomic_path(target) as partial:
                text = json.dumps({**body, "units": units}, ensure_ascii=False, indent=1)
                partial.write_text(text + "\n", encoding="utf-8")
            written.append(target)
    return written


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def read_assignment_file(path: Path, form: Form) -> AssignmentFile:
    """An assignment file for ``form`` (FK-MON-055 otherwise)."""
    data: Any = None
    reason = "not a fieldkit assignment file"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        reason = error.strerror or str(error)
    except ValueError:
        pass
    valid = isinstance(data, dict) and data.get("format") == ASSIGNMENT_FORMAT
    if not valid or not isinstance(data.get("units"), list):
        raise MonitorError(
            f"cannot use {path}: {reason}",
            code="FK-MON-055",
            location=Location(str(path)),
            hint="give the file 'fieldkit assign --out' wrote for this laptop",
        )
    if data.get("form_id") != form.id:
        raise MonitorError(
            f"{path} assigns units of '{data.get('form_id')}', not '{form.id}'",
            code="FK-MON-055",
            location=Location(str(path)),
            hint="collect with the instrument the assignment is for",
        )
    return AssignmentFile(form.id, str(data.get("enumerator") or ""), list(data["units"]))
