"""The monitoring tables and queries on both coordinator backends (SQLite and PostgreSQL):
the merge fixtures' field merged, monitored, assigned, reviewed and drawn for back-checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldkit.merge import merge_bundles
from fieldkit.monitor import build_monitor
from fieldkit.monitor.assignments import assign_sample
from fieldkit.monitor.sample import read_sample
from fieldkit.review import decide, review_queue
from fieldkit.review.backcheck import draw
from tests.merge_fixtures import BACKENDS, MERGING, Field, build_field, fresh_store, register_all


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, field: Field) -> Iterator[str]:
    with fresh_store(request.param, tmp_path) as url:
        register_all(field, url)
        merge_bundles(field.bundles, url, field.project, MERGING)
        yield url


def test_monitor_assign_review_and_draw(store: str, field: Field, tmp_path: Path) -> None:
    report = build_monitor(store, field.project)
    (form,) = report.forms
    expected = field.expected
    assert form.total.visited == expected.interviews - expected.content
    assert form.total.duplicates == expected.content
    assert sum(form.total.quarantined.values()) == sum(expected.quarantined.values())
    assert form.total.conflicts == expected.unit_conflict
    assert sum(row.visited for row in form.by_district.values()) == form.total.visited

    sample = tmp_path / "sample.csv"
    sample.write_text("cluster,hh_number\n0,1\n0,2\n1,1\n", encoding="utf-8")
    units = read_sample(sample, field.form)
    assert assign_sample(store, field.form, units, enumerators=["A", "B"]) == {"A": 2, "B": 1}
    assigned = build_monitor(store, field.project).forms[0]
    assert assigned.total.assigned == 3
    assert any(flag.rule == "MON-004" for flag in assigned.flags)

    first = review_queue(store, field.project)[0]
    decide(store, first.interview_id, "rejected", "check the roster", "sup")
    decided = review_queue(store, field.project, include_decided=True)
    (again,) = [item for item in decided if item.interview_id == first.interview_id]
    assert again.decision is not None and again.decision.decision == "rejected"

    drawn = draw(store, rate=0.5, seed="s", form_id=field.form.id)
    assert drawn and all(isinstance(item.unit, list) for item in drawn)
