"""``one_of``: one bound parameter for any number of values, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from fieldkit.merge.sets import one_of
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import devices
from tests.merge_fixtures import BACKENDS, fresh_store


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_store(request.param, tmp_path) as url:
        yield url


@pytest.mark.parametrize("wanted", [[], ["d2"], ["d0", "d3", "zz"], [f"d{n}" for n in range(900)]])
def test_one_of_finds_exactly_the_listed_values(store: str, wanted: list[str]) -> None:
    with open_coordinator(store) as db:
        with db.transaction() as conn:
            conn.execute(
                devices.insert(),
                [
                    {
                        "device_id": f"d{n}",
                        "public_key": "k",
                        "fingerprint": "f",
                        "last_sequence": n,
                    }
                    for n in range(5)
                ],
            )
        with db.read() as conn:
            found = conn.execute(
                select(devices.c.device_id).where(one_of(conn, devices.c.device_id, wanted))
            ).scalars()
            numbers = conn.execute(
                select(devices.c.device_id).where(one_of(conn, devices.c.last_sequence, {1, 4}))
            ).scalars()
            assert sorted(found) == sorted(set(wanted) & {f"d{n}" for n in range(5)})
            assert sorted(numbers) == ["d1", "d4"]
