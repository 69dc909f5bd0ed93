"""Content duplicates, unit conflicts and the included flag: recomputed from the store's rows.

Each group is recomputed from scratch whenever an import touches it, as a pure function of the
interviews it holds, so the result never depends on which bundle came first:

* content duplicates (same form, same answers and roster, another id): the interview kept is
  the first by (quarantined last, device id, the device's interview sequence, interview id);
  every other one is set aside in ``duplicates``;
* unit conflicts (same form, same unit key answers, different interviews, none of them
  quarantined or a set-aside duplicate): all kept, listed in ``conflicts``; excluded until a
  coordinator's resolution names exactly the current members and the interview to keep;
* included: not quarantined, not set aside, and either in no conflict or kept by the
  resolution of its conflict.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, and_, delete, exists, insert, or_, select, update

from fieldkit.store.coordinator_tables import (
    capture_table,
    conflict_members,
    conflict_resolutions,
    conflicts,
    duplicates,
    merged_interviews,
)

__all__ = [
    "GroupChanges",
    "chunks",
    "conflict_id",
    "members_digest",
    "refresh_groups",
    "shared_keys",
]

CHUNK = 400
T = TypeVar("T")


def chunks(items: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def conflict_id(form_id: str, unit_values: str) -> str:
    return "U-" + hashlib.sha256(f"{form_id}\x00{unit_values}".encode()).hexdigest()[:20]


def members_digest(members: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(sorted(members)).encode()).hexdigest()


@dataclass
class GroupChanges:
    new_duplicates: set[str] = field(default_factory=set)
    """Interviews set aside as content duplicates by this refresh (not before)."""
    new_conflicted: set[str] = field(default_factory=set)
    """Interviews that joined a unit conflict in this refresh."""


def refresh_groups(
    conn: Connection,
    content_keys: set[tuple[str, str]],
    unit_keys: set[tuple[str, str]],
    interview_ids: Iterable[str],
) -> GroupChanges:
    """Recompute the touched groups, then the included flag of everyone they hold."""
    changes = GroupChanges()
    affected = set(interview_ids)
    affected |= _refresh_content(conn, content_keys, changes)
    affected |= _refresh_units(conn, unit_keys, changes)
    refresh_included(conn, affected)
    return changes


def shared_keys(
    conn: Connection, bundle_sha256: str
) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(form id, content hash) and (form id, unit values) that interviews delivered by this
    bundle share with at least one other interview: the only groups its arrival can change."""
    m = merged_interviews
    other = merged_interviews.alias("other")
    found: list[set[tuple[str, str]]] = []
    for column in ("content_hash", "unit_values"):
        rows = conn.execute(
            select(m.c.form_id, m.c[column])
            .distinct()
            .join(
                other,
                and_(
                    other.c.form_id == m.c.form_id,
                    other.c[column] == m.c[column],
                    other.c.interview_id != m.c.interview_id,
                ),
            )
            .where(m.c.bundle_sha256 == bundle_sha256, m.c[column].is_not(None))
        )
        found.append({(form_id, key) for form_id, key in rows})
    return found[0], found[1]


def _refresh_content(
    conn: Connection, keys: set[tuple[str, str]], changes: GroupChanges
) -> set[str]:
    interviews = capture_table("interviews")
    m = merged_interviews
    members: set[str] = set()
    for form_id, hashes in _per_form(keys):
        rows = conn.execute(
            select(
                m.c.interview_id,
                m.c.form_id,
                m.c.content_hash,
                m.c.quarantined,
                interviews.c.device_id,
                interviews.c.sequence,
            )
            .join(interviews, interviews.c.id == m.c.interview_id)
            .where(m.c.form_id == form_id, m.c.content_hash.in_(hashes))  # ix_merged_content
        ).all()
        before = set(
            conn.execute(
                select(duplicates.c.interview_id).where(duplicates.c.content_hash.in_(hashes))
            ).scalars()
        )
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in rows:
            groups[(row.form_id, row.content_hash)].append(row)
            members.add(row.interview_id)
        fresh = [_set_aside(group) for group in groups.values()]
        conn.execute(delete(duplicates).where(duplicates.c.content_hash.in_(hashes)))
        new_rows = [row for rows_of_group in fresh for row in rows_of_group]
        if new_rows:
            conn.execute(insert(duplicates), new_rows)
        changes.new_duplicates |= {row["interview_id"] for row in new_rows} - before
    return members


def _per_form(keys: set[tuple[str, str]]) -> Iterator[tuple[str, list[str]]]:
    """(form id, a chunk of its keys), so lookups use the (form_id, key) indexes."""
    by_form: dict[str, list[str]] = defaultdict(list)
    for form_id, key in sorted(keys):
        by_form[form_id].append(key)
    for form_id, form_keys in by_form.items():
        for chunk in chunks(form_keys):
            yield form_id, chunk


def _set_aside(group: list[Any]) -> list[dict[str, Any]]:
    ranked = sorted(
        group, key=lambda r: (bool(r.quarantined), r.device_id, r.sequence, r.interview_id)
    )
    kept = ranked[0]
    return [
        {
            "interview_id": row.interview_id,
            "kept_interview_id": kept.interview_id,
            "form_id": row.form_id,
            "content_hash": row.content_hash,
        }
        for row in ranked[1:]
    ]


def _refresh_units(conn: Connection, keys: set[tuple[str, str]], changes: GroupChanges) -> set[str]:
    m = merged_interviews
    affected: set[str] = set()
    for form_id, values in _per_form(keys):
        chunk = [(form_id, unit) for unit in values]
        candidates = conn.execute(
            select(m.c.interview_id, m.c.form_id, m.c.unit_values).where(
                m.c.form_id == form_id,  # with unit_values: ix_merged_unit, not a scan
                m.c.unit_values.in_(values),
                m.c.quarantined.is_(False),
                ~exists().where(duplicates.c.interview_id == m.c.interview_id),
            )
        ).all()
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in candidates:
            groups[(row.form_id, row.unit_values)].append(row.interview_id)
        ids = {conflict_id(form_id, unit): (form_id, unit) for form_id, unit in chunk}
        before = _members_before(conn, list(ids))
        affected |= {member for members in before.values() for member in members}
        _replace_conflicts(conn, ids, groups, before, changes)
        affected |= {member for key in chunk for member in groups.get(key, [])}
    return affected


def _members_before(conn: Connection, ids: list[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    rows = conn.execute(
        select(conflict_members.c.conflict_id, conflict_members.c.interview_id).where(
            conflict_members.c.conflict_id.in_(ids)
        )
    )
    for cid, interview_id in rows:
        found[cid].add(interview_id)
    return found


def _latest_resolutions(conn: Connection, ids: list[str]) -> dict[tuple[str, str], Any]:
    latest: dict[tuple[str, str], Any] = {}
    rows = conn.execute(
        select(conflict_resolutions)
        .where(conflict_resolutions.c.conflict_id.in_(ids))
        .order_by(conflict_resolutions.c.id)
    )
    for row in rows:
        latest[(row.conflict_id, row.members_digest)] = row
    return latest


def _replace_conflicts(
    conn: Connection,
    ids: dict[str, tuple[str, str]],
    groups: dict[tuple[str, str], list[str]],
    before: dict[str, set[str]],
    changes: GroupChanges,
) -> None:
    resolutions = _latest_resolutions(conn, list(ids))
    conflict_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    for cid, key in sorted(ids.items()):
        members = sorted(groups.get(key, []))
        if len(members) < 2:
            continue
        digest = members_digest(members)
        resolution = resolutions.get((cid, digest))
        conflict_rows.append(
            {
                "id": cid,
                "form_id": key[0],
                "unit_values": key[1],
                "members_digest": digest,
                "status": "resolved" if resolution is not None else "open",
                "kept_interview_id": None if resolution is None else resolution.kept_interview_id,
                "resolution_id": None if resolution is None else resolution.id,
            }
        )
        member_rows += [{"conflict_id": cid, "interview_id": member} for member in members]
        changes.new_conflicted |= set(members) - before.get(cid, set())
    conn.execute(delete(conflict_members).where(conflict_members.c.conflict_id.in_(list(ids))))
    conn.execute(delete(conflicts).where(conflicts.c.id.in_(list(ids))))
    if conflict_rows:
        conn.execute(insert(conflicts), conflict_rows)
        conn.execute(insert(conflict_members), member_rows)


def refresh_included(conn: Connection, interview_ids: Iterable[str]) -> None:
    """Set ``included`` from quarantine, duplicates and conflicts for these interviews."""
    m = merged_interviews
    set_aside = exists().where(duplicates.c.interview_id == m.c.interview_id)
    blocked = exists().where(
        conflict_members.c.interview_id == m.c.interview_id,
        conflicts.c.id == conflict_members.c.conflict_id,
        or_(conflicts.c.status != "resolved", conflicts.c.kept_interview_id != m.c.interview_id),
    )
    for chunk in chunks(sorted(set(interview_ids))):
        conn.execute(
            update(m)
            .where(m.c.interview_id.in_(chunk))
            .values(included=and_(m.c.quarantined.is_(False), ~set_aside, ~blocked))
        )
