"""Merging is idempotent, order-free and clock-free (P8, P11)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fieldkit.bundle import write_bundle
from fieldkit.merge import merge_bundles
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import (
    conflict_members,
    duplicates,
    merged_interviews,
    quarantine,
)
from tests.merge_fixtures import MERGING, Field, build_field, dump_lines, register_all, shift_clock

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


def distinct(field: Field) -> list[Path]:
    return sorted(set(field.bundles), key=lambda p: p.name)


def latest(field: Field) -> list[Path]:
    """One bundle per device: its newest, which holds everything the laptop has."""
    return [laptop.bundles[-1] for laptop in field.laptops]


def merged_dump(field: Field, calls: list[list[Path]]) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        store = str(Path(folder) / "hq.sqlite")
        register_all(field, store)
        for paths in calls:
            report = merge_bundles(paths, store, field.project, MERGING)
            assert report.ok, report.to_dict()
        return dump_lines(store)


@pytest.fixture(scope="module")
def reference(field: Field) -> list[str]:
    return merged_dump(field, [distinct(field)])


@pytest.fixture(scope="module")
def reference_latest(field: Field) -> list[str]:
    return merged_dump(field, [latest(field)])


@SETTINGS
@given(data=st.data())
def test_any_order_any_repeats_in_one_merge(
    field: Field, reference: list[str], data: st.DataObject
) -> None:
    """Every bundle (two from one laptop, and a re-send) in any order, some more than once."""
    bundles = distinct(field)
    order = data.draw(st.permutations(bundles))
    repeats = data.draw(st.lists(st.sampled_from(bundles), max_size=4))
    assert merged_dump(field, [list(order) + repeats]) == reference


@SETTINGS
@given(data=st.data())
def test_any_order_any_repeats_across_merges(
    field: Field, reference_latest: list[str], data: st.DataObject
) -> None:
    """One bundle per laptop, merged in several runs, in any order, any number of times."""
    bundles = latest(field)
    sequence = list(data.draw(st.permutations(bundles)))
    sequence += data.draw(st.lists(st.sampled_from(bundles), max_size=4))
    cuts = sorted(data.draw(st.sets(st.integers(1, len(sequence) - 1), max_size=3)))
    calls = [sequence[a:b] for a, b in zip([0, *cuts], [*cuts, len(sequence)], strict=True)]
    assert merged_dump(field, calls) == reference_latest


def test_an_older_bundle_after_a_newer_one_is_a_replay(field: Field, tmp_path: Path) -> None:
    store = str(tmp_path / "hq.sqlite")
    register_all(field, store)
    first, second = field.laptops[1].bundles
    assert merge_bundles([second], store, field.project, MERGING).ok
    report = merge_bundles([first], store, field.project, MERGING)
    assert [b.code for b in report.bundles] == ["FK-BUNDLE-008"]


def decisions(store: str) -> dict[str, list[tuple[object, ...]]]:
    """What the merge decided, keyed by interview ids: no times, no bundle hashes."""
    m = merged_interviews
    with open_coordinator(store) as db, db.read() as conn:
        return {
            "interviews": sorted(
                tuple(row)
                for row in conn.execute(
                    select(
                        m.c.interview_id,
                        m.c.content_hash,
                        m.c.unit_values,
                        m.c.district,
                        m.c.quarantined,
                        m.c.included,
                    )
                )
            ),
            "duplicates": sorted(tuple(r) for r in conn.execute(select(duplicates))),
            "conflicts": sorted(tuple(r) for r in conn.execute(select(conflict_members))),
            "quarantine": sorted(
                tuple(r)
                for r in conn.execute(select(quarantine.c.interview_id, quarantine.c.reason))
            ),
        }


def test_laptop_clocks_a_year_off_give_the_same_merge(field: Field, tmp_path: Path) -> None:
    shifts = [dt.timedelta(days=365), dt.timedelta(days=-365), dt.timedelta(days=-366)]
    skewed: list[Path] = []
    for laptop, shift in zip(field.laptops, shifts, strict=True):
        copy = tmp_path / laptop.path.name
        shutil.copy(laptop.path, copy)
        shift_clock(copy, shift)
        out = tmp_path / f"skewed-{laptop.district}.fkb"
        write_bundle(copy, out, laptop.store_key)
        skewed.append(out)
    plain, shifted = str(tmp_path / "plain.sqlite"), str(tmp_path / "shifted.sqlite")
    register_all(field, plain)
    register_all(field, shifted)
    a = merge_bundles(latest(field), plain, field.project, MERGING)
    b = merge_bundles(skewed, shifted, field.project, MERGING)
    for report in (a, b):
        report.bundles = []
    assert a.to_dict() == b.to_dict()
    assert decisions(plain) == decisions(shifted)
    with open_coordinator(shifted) as db, db.read() as conn:
        answers = conn.execute(select(merged_interviews.c.interview_id)).all()
    assert len(answers) == field.expected.interviews
