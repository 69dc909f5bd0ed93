"""Assignments: which sampled unit each enumerator is to visit (``fieldkit assign``)."""

from __future__ import annotations

from sqlalchemy import Connection, select

from fieldkit.monitor.tables import assignments

__all__ = ["assigned_units"]


def assigned_units(conn: Connection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(form id, unit values) → (enumerator, district) of every assigned unit."""
    a = assignments
    rows = conn.execute(select(a.c.form_id, a.c.unit_values, a.c.enumerator, a.c.district))
    return {(f, unit): (who, district) for f, unit, who, district in rows}
