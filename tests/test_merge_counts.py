"""A generated set of district bundles merges to exactly the expected counts, on every backend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fieldkit.bundle import write_bundle
from fieldkit.errors import MergeConflict
from fieldkit.merge import (
    list_conflicts,
    list_quarantine,
    merge_bundles,
    resolve_conflict,
)
from fieldkit.store.coordinator import included_ids, included_interviews, open_coordinator
from fieldkit.store.coordinator_tables import (
    bundles,
    capture_table,
    event_logs,
    merged_interviews,
)
from tests.merge_fixtures import (
    BACKENDS,
    MERGING,
    Collector,
    Expected,
    Field,
    Forgery,
    Household,
    _collector,
    _now,
    adult_consent,
    build_field,
    dump_lines,
    fresh_store,
    register_all,
)

CAPTURE = ("interviews", "answers", "roster_members", "identities")


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_store(request.param, tmp_path) as url:
        yield url


def test_a_district_set_merges_to_exactly_the_expected_counts(field: Field, store: str) -> None:
    register_all(field, store)
    report = merge_bundles(field.bundles, store, field.project, MERGING)
    expected = field.expected
    assert report.ok
    assert Counter(b.status for b in report.bundles) == {"merged": 4, "already merged": 1}
    assert report.interviews_new == expected.interviews
    assert dict(report.duplicates) == {
        "same_id": expected.same_id,
        "content": expected.content,
        "unit_conflict": expected.unit_conflict,
    }
    assert report.quarantined == expected.quarantined
    assert report.open_conflicts == expected.open_conflicts == 1
    assert {k: t.new for k, t in report.per_district.items()} == dict(expected.per_district)
    assert sum(t.new for t in report.per_enumerator.values()) == expected.interviews
    assert report.to_dict()["bundles"]["accepted"] == 5
    with open_coordinator(store) as db, db.read() as conn:
        assert len(list(included_interviews(conn, "hh_merge"))) == expected.included
        assert len(conn.execute(included_ids()).all()) == expected.included
        rows = sum(
            conn.execute(select(func.count()).select_from(capture_table(name))).scalar_one()
            for name in CAPTURE
        )
        rows += conn.execute(select(func.sum(event_logs.c.events))).scalar_one()
        assert rows == expected.rows
        _check_provenance(conn)
    assert Counter(e.reason for e in list_quarantine(store)) == expected.quarantined
    assert len(list_quarantine(store, reason="missing_consent")) == 1
    [conflict] = list_conflicts(store)
    assert conflict.unit == [1, 2] and len(conflict.members) == 2
    assert {m.answers["hh_number"] for m in conflict.members} == {2}


def _check_provenance(conn: object) -> None:
    interviews = capture_table("interviews")
    rows = conn.execute(  # type: ignore[attr-defined]
        select(
            interviews.c.enumerator,
            interviews.c.device_id,
            merged_interviews.c.bundle_device,
            bundles.c.sha256,
        )
        .join(merged_interviews, merged_interviews.c.interview_id == interviews.c.id)
        .join(bundles, bundles.c.sha256 == merged_interviews.c.bundle_sha256)
    ).all()
    count = conn.execute(select(func.count()).select_from(interviews)).scalar_one()  # type: ignore[attr-defined]
    assert len(rows) == count
    assert all(
        r.enumerator and r.device_id == r.bundle_device and len(r.sha256) == 64 for r in rows
    )


def test_merging_everything_twice_changes_nothing(field: Field, store: str) -> None:
    register_all(field, store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    once = dump_lines(store)
    again = merge_bundles(field.bundles + field.bundles, store, field.project, MERGING)
    assert again.ok and again.interviews_new == 0
    assert {b.status for b in again.bundles} == {"already merged"}
    assert dump_lines(store) == once


def test_conflicts_are_resolved_with_a_recorded_reason(field: Field, store: str) -> None:
    register_all(field, store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    [conflict] = list_conflicts(store)
    first, second = (m.interview_id for m in conflict.members)
    with open_coordinator(store) as db, db.read() as conn:
        before = {row["id"] for row in included_interviews(conn)}
    assert first not in before and second not in before
    for kwargs, code in (
        ({"conflict": "U-nope", "keep": first, "reason": "x"}, "FK-MERGE-001"),
        ({"conflict": conflict.id, "keep": "someone-else", "reason": "x"}, "FK-MERGE-002"),
        ({"conflict": conflict.id, "keep": first, "reason": "  "}, "FK-MERGE-003"),
    ):
        with pytest.raises(MergeConflict) as caught:
            resolve_conflict(store, resolved_by="coordinator", **kwargs)  # type: ignore[arg-type]
        assert caught.value.code == code
    view = resolve_conflict(
        store, conflict.id, keep=first, reason="revisit confirmed", resolved_by="amina"
    )
    assert (view.status, view.kept_interview_id, view.resolved_by) == ("resolved", first, "amina")
    assert list_conflicts(store) == []
    with open_coordinator(store) as db, db.read() as conn:
        after = {row["id"] for row in included_interviews(conn)}
    assert after == before | {first}
    resolved = dump_lines(store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    assert dump_lines(store) == resolved


def test_a_new_claimant_reopens_a_resolved_conflict(
    field: Field, store: str, tmp_path: Path
) -> None:
    register_all(field, store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    [conflict] = list_conflicts(store)
    keep = conflict.members[0].interview_id
    resolve_conflict(store, conflict.id, keep=keep, reason="checked", resolved_by="amina")
    laptop = field.laptops[2]
    copy = tmp_path / "laptop-copy.sqlite"
    copy.write_bytes(laptop.path.read_bytes())
    laptop_copy = type(laptop)(copy, laptop.key, laptop.district)
    with _collector(laptop_copy, field.form, Expected()) as c:
        assert isinstance(c, Collector)
        c.interview(Household("d01", 1, 2, [(2, 8, 1)]), adult_consent(_now()))
    write_bundle(copy, tmp_path / "third.fkb", laptop.store_key)
    report = merge_bundles([tmp_path / "third.fkb"], store, field.project, MERGING)
    assert report.interviews_new == 1 and report.duplicates["unit_conflict"] == 1
    [reopened] = list_conflicts(store)
    assert reopened.id == conflict.id and reopened.status == "open"
    assert len(reopened.members) == 3


def test_a_changed_copy_from_a_later_bundle_replaces_the_stored_one(
    field: Field, store: str, tmp_path: Path
) -> None:
    """Laptops never edit a finished interview; if a later signed bundle does, it wins."""
    register_all(field, store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    laptop = field.laptops[2]
    forged = Forgery.of(laptop.bundles[-1])
    forged.manifest["sequence"] = 5
    [(first_id,)] = forged.sql("SELECT min(id) FROM interviews")
    forged.sql(
        "UPDATE answers SET value = '7' WHERE interview_id = ? AND question = 'hh_size'", first_id
    )  # and, as every change on a laptop does, a new updated_at:
    forged.sql(
        "UPDATE interviews SET updated_at = '2030-01-01 00:00:00.000000' WHERE id = ?", first_id
    )
    report = merge_bundles(
        [forged.write(tmp_path / "later.fkb", laptop.key)], store, field.project, MERGING
    )
    [outcome] = report.bundles
    assert (outcome.status, outcome.updated, outcome.new) == ("merged", 1, 0)
    answers = capture_table("answers")
    with open_coordinator(store) as db, db.read() as conn:
        value = conn.execute(
            select(answers.c.value).where(
                answers.c.interview_id == first_id, answers.c.question == "hh_size"
            )
        ).scalar_one()
        provenance = conn.execute(
            select(merged_interviews.c.bundle_sequence).where(
                merged_interviews.c.interview_id == first_id
            )
        ).scalar_one()
    assert (value, provenance) == ("7", 5)
