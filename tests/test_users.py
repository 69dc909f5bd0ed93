"""Roles enforced, not declared (issue 12): the HQ user register, what the protocol's roles
let each user do, and the audit log naming who did it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pytest
import typer
from typer.testing import CliRunner, Result

from fieldkit.cli import app
from fieldkit.cli.users import guard
from fieldkit.privacy.audit import AuditLog
from fieldkit.protocol.schema import Profile
from fieldkit.store.coordinator import open_coordinator
from fieldkit.users import (
    Cost,
    User,
    UserError,
    add_user,
    authenticate,
    authorize,
    list_users,
)
from tests.conftest import REPO
from tests.data.generated_household import generated_streams, household_form
from tests.data.store_rows import fill_store

CHEAP = Cost(memory=1024, passes=1, lanes=1)
PROJECT = ["--project", str(REPO / "protocols"), "--project", str(REPO / "instruments")]


def test_the_register_keeps_a_memory_hard_hash_not_the_passphrase(tmp_path: Path) -> None:
    store = tmp_path / "hq.sqlite"
    add_user(store, "amina", "statistician", "a long passphrase 1", added_by="kofi", cost=CHEAP)
    with open_coordinator(store) as db, db.read() as conn:
        [stored] = conn.exec_driver_sql("SELECT passphrase_hash FROM users").scalars()
    assert stored.startswith("argon2id$m=1024,t=1,p=1$") and "a long passphrase" not in stored
    assert authenticate(store, "amina", "a long passphrase 1") == User("amina", "statistician")
    assert list_users(store) == [User("amina", "statistician")]
    for name, passphrase in (("amina", "a long passphrase 2"), ("nobody", "a long passphrase 1")):
        with pytest.raises(UserError, match="not registered here, or the passphrase") as caught:
            authenticate(store, name, passphrase)
        assert caught.value.code == "FK-USER-001"


@pytest.mark.parametrize(
    ("name", "passphrase", "message"),
    [
        ("Amina Mensah", "a long passphrase", "cannot be a user name"),
        ("kwame", "short", "too short"),
        ("amina", "a long passphrase", "exists already"),
    ],
)
def test_users_that_cannot_be_added(
    tmp_path: Path, name: str, passphrase: str, message: str
) -> None:
    store = tmp_path / "hq.sqlite"
    add_user(store, "amina", "statistician", "a long passphrase", added_by="kofi", cost=CHEAP)
    with pytest.raises(UserError, match=message) as caught:
        add_user(store, name, "statistician", passphrase, added_by="kofi", cost=CHEAP)
    assert caught.value.code == "FK-USER-004"


def test_the_protocol_roles_decide_commands_and_profiles() -> None:
    protocol = household_form().protocol
    statistician, coordinator = User("amina", "statistician"), User("kofi", "coordinator")
    authorize(statistician, "export", [protocol], Profile.PUBLIC)
    authorize(coordinator, "reveal", [protocol])
    authorize(coordinator, "export", [protocol], Profile.INTERNAL)
    with pytest.raises(UserError, match="may not run 'reveal'") as caught:
        authorize(statistician, "reveal", [protocol])
    assert caught.value.code == "FK-USER-002"
    with pytest.raises(UserError, match="may not release 'internal'") as caught:
        authorize(statistician, "export", [protocol], Profile.INTERNAL)
    assert caught.value.code == "FK-USER-003"
    with pytest.raises(UserError, match="nothing at HQ"):
        authorize(User("ama", "enumerator"), "tables", [protocol])
    with pytest.raises(UserError, match="defined by no protocol") as caught:
        authorize(User("x", "journalist"), "tables", [protocol])
    assert caught.value.code == "FK-USER-005"


@pytest.fixture
def hq(tmp_path: Path) -> Path:
    store = tmp_path / "hq.sqlite"
    fill_store(store, household_form(), *generated_streams(30, seed=5), excluded={})
    for name in ("kofi", "amina"):
        (tmp_path / f"{name}.pass").write_text(f"{name} has a long passphrase", encoding="utf-8")
    return store


def _as(folder: Path, name: str) -> dict[str, str]:
    return {"FIELDKIT_USER": name, "FIELDKIT_PASSPHRASE_FILE": str(folder / f"{name}.pass")}


def _add(store: Path, name: str, role: str, acting: dict[str, str]) -> Result:
    passphrase = str(store.parent / f"{name}.pass")
    command = ["users", "add", name, "--role", role, "--store", str(store), *PROJECT]
    return CliRunner().invoke(app, [*command, "--passphrase-file", passphrase], env=acting)


def test_a_statistician_exports_restricted_not_internal_and_the_log_says_who(hq: Path) -> None:
    folder = hq.parent
    first = _add(hq, "amina", "statistician", {})
    assert isinstance(first.exception, UserError) and first.exception.code == "FK-USER-004"
    assert _add(hq, "kofi", "coordinator", {}).exit_code == 0
    added = _add(hq, "amina", "statistician", _as(folder, "kofi"))
    assert added.exit_code == 0, added.output

    export = ["export", "--store", str(hq), "-i", "household_cl", *PROJECT]
    runner = CliRunner()
    refused = runner.invoke(
        app,
        [*export, "--profile", "internal", "--csv", str(folder / "in")],
        env=_as(folder, "amina"),
    )
    assert isinstance(refused.exception, UserError) and refused.exception.code == "FK-USER-003"
    assert not (folder / "in").exists()
    done = runner.invoke(
        app,
        [*export, "--profile", "restricted", "--csv", str(folder / "out")],
        env=_as(folder, "amina"),
    )
    assert done.exit_code == 0, done.output
    about = (folder / "out" / "about.csv").read_text(encoding="utf-8-sig")
    assert "Release profile,restricted" in about and "Released by,amina" in about
    wrong = runner.invoke(
        app,
        [*export, "--csv", str(folder / "x")],
        env=_as(folder, "kofi") | {"FIELDKIT_PASSPHRASE_FILE": str(folder / "amina.pass")},
    )
    assert isinstance(wrong.exception, UserError) and wrong.exception.code == "FK-USER-001"

    with open_coordinator(hq) as db:
        log = AuditLog(db)
        entries = [(e.actor, e.action, json.loads(e.detail)) for e in log.entries()]
        assert log.verify().ok
    assert ("kofi", "users add", {"role": "coordinator", "profile": None}) in entries
    assert ("amina", "refused: export", {"role": "statistician", "profile": "internal"}) in entries
    assert ("amina", "export", {"role": "statistician", "profile": "restricted"}) in entries


def test_a_statistician_cannot_run_reveal_or_add_users(hq: Path) -> None:
    folder = hq.parent
    _add(hq, "kofi", "coordinator", {})
    _add(hq, "amina", "statistician", _as(folder, "kofi"))
    sealed = typer.Typer()

    @sealed.command("reveal")
    def reveal(
        store: Annotated[str, typer.Option("--store")],
        project: Annotated[list[Path] | None, typer.Option("--project")] = None,
    ) -> None:
        raise AssertionError("reveal ran")

    @sealed.command("other")
    def other() -> None:  # no store: nothing to guard
        """Needs no store."""

    guard(sealed)
    command = ["reveal", "--store", str(hq), *PROJECT]
    done = CliRunner().invoke(sealed, command, env=_as(folder, "amina"))
    assert isinstance(done.exception, UserError) and done.exception.code == "FK-USER-002"
    again = _add(hq, "kwame", "statistician", _as(folder, "amina"))
    assert isinstance(again.exception, UserError)
    assert again.exception.code == "FK-USER-002"
