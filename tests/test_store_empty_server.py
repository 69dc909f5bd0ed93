"""A reading command given an empty server database refuses it and writes nothing to it.

A mistyped SQLite path is caught because the file is missing; on PostgreSQL a mistyped or
fresh database exists and is empty, so only its having no fieldkit tables tells it apart.
Only `merge` and `device register` may turn it into a store (FK-STORE-050 otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, inspect

from fieldkit.cli import run
from fieldkit.errors import StoreError
from fieldkit.store.coordinator import open_coordinator
from fieldkit.users import has_users
from tests.conftest import REPO
from tests.merge_fixtures import BACKENDS, fresh_store

READING_COMMANDS = {
    "export": ["export", "-i", "household_cl", "--csv", "{out}"],
    "tables": ["tables", "-i", "household_cl"],
    "conflicts": ["conflicts"],
    "conflicts resolve": ["conflicts", "resolve", "U-1", "--keep", "x", "--reason", "r"],
    "quarantine": ["quarantine"],
    "recode": ["recode", "-i", "household_cl", "--recodes", "{out}"],
    "users list": ["users", "list"],
}


@pytest.fixture(params=BACKENDS)
def empty_store(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    with fresh_store(request.param, tmp_path) as url:  # type: ignore[arg-type]
        yield url


def _tables(url: str) -> list[str]:
    if "://" not in url:
        return ["(the file)"] if os.path.exists(url) else []
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", sorted(READING_COMMANDS))
def test_a_reading_command_refuses_an_empty_database_and_writes_nothing(
    command: str,
    empty_store: str,
    tmp_path: os.PathLike[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    out = os.path.join(tmp_path, "out")
    args = [arg.replace("{out}", out) for arg in READING_COMMANDS[command]]
    status = run([*args, "--store", empty_store])
    err = capsys.readouterr().err
    assert status == 1
    assert "FK-STORE-050" in err
    assert "Traceback" not in err
    assert _tables(empty_store) == []
    assert not os.path.exists(out)


def test_opening_an_empty_server_database_for_reading_creates_nothing(empty_store: str) -> None:
    with pytest.raises(StoreError) as caught:
        open_coordinator(empty_store, create=False)
    assert caught.value.code == "FK-STORE-050"
    assert not has_users(empty_store)  # the users guard asks first: that creates nothing
    assert _tables(empty_store) == []


def test_a_store_made_by_merging_opens_for_reading(empty_store: str) -> None:
    with open_coordinator(empty_store):  # what merge and device register do
        pass
    with open_coordinator(empty_store, create=False) as db:
        assert [m.version for m in db.migrations()]
