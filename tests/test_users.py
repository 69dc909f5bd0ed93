"""Roles enforced, not declared (issue 12): the HQ user register, what the protocol's roles
let each user do, and the audit log naming who did it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from typer.testing import CliRunner, Result

from fieldkit.cli import app
from fieldkit.privacy.audit import AuditLog
from fieldkit.privacy.custody import create_project_keys
from fieldkit.privacy.identity import seal_identity
from fieldkit.privacy.keys import fingerprint
from fieldkit.protocol.schema import Profile
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import Identity, Interview
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
HEAD = "Kwabena Owusu-Ansah"
"""The head of household whose name is sealed, and opened once, by the coordinator."""
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
    [files] = [d for actor, action, d in entries if action == "export" and "files" in d]
    assert files["user"] == "registered user" and files["profile"] == "restricted"
    assert sorted(files["files"]) == sorted(str(p) for p in (folder / "out").iterdir())
    assert ("amina", "export") == next((a, b) for a, b, d in entries if d is files)


def _sealed_identity(store: Path, folder: Path) -> tuple[str, list[str], Path]:
    """One interview's name sealed to a study's identity key, as a merged bundle leaves it;
    the study's project.pub and its two custodians' --share options."""
    secret = folder / "custodian.pass"
    secret.write_text("a custodian's long passphrase\n", encoding="utf-8")
    made = create_project_keys(
        merge_passphrase="the coordinator's merge passphrase",
        custodians=[(name, "a custodian's long passphrase") for name in ("Ama", "Yaw")],
        threshold=2,
        log_n=10,
    )
    public = folder / "project.pub"
    public.write_bytes(made.public_file)
    shares = []
    for name, data in made.share_files.items():
        path = folder / f"share-{name}.txt"
        path.write_bytes(data)
        shares += ["--share", f"{path}=file:{secret}"]
    with open_coordinator(store) as db, db.transaction() as conn:
        interview_id, reference = conn.execute(
            select(Interview.id, Interview.reference).limit(1)  # type: ignore[call-overload]
        ).one()
        identity = made.public.identity
        conn.execute(
            insert(Identity).values(
                reference=reference,
                question="respondent_name",
                member=0,
                status="answered",
                sealed=seal_identity(identity, reference, "respondent_name", 0, HEAD),
                key_id=fingerprint(identity),
            )
        )
    return str(interview_id), shares, public


def test_a_statistician_cannot_run_reveal_or_add_users(hq: Path) -> None:
    """The real ``fieldkit reveal`` behind the register: a statistician is refused before any
    share is read (the refusal logged); a coordinator opens the record with two custodians'
    shares, and the log names the registered user who did."""
    folder = hq.parent
    _add(hq, "kofi", "coordinator", {})
    _add(hq, "amina", "statistician", _as(folder, "kofi"))
    interview_id, shares, public = _sealed_identity(hq, folder)
    reveal = ["reveal", interview_id, "--reason", "referral of the child to social services"]
    reveal += ["--store", str(hq), "--keys", str(public), *shares, *PROJECT]
    runner = CliRunner()
    done = runner.invoke(app, reveal, env=_as(folder, "amina"))
    assert isinstance(done.exception, UserError) and done.exception.code == "FK-USER-002"
    assert HEAD not in done.output
    opened = runner.invoke(app, reveal, env=_as(folder, "kofi"))
    assert opened.exit_code == 0, opened.output
    assert HEAD in opened.output
    again = _add(hq, "kwame", "statistician", _as(folder, "amina"))
    assert isinstance(again.exception, UserError)
    assert again.exception.code == "FK-USER-002"
    with open_coordinator(hq) as db:
        entries = [(e.actor, e.action) for e in AuditLog(db).entries()]
        assert AuditLog(db).verify().ok
    assert ("amina", "refused: reveal") in entries
    assert ("kofi", "reveal") in entries and ("amina", "reveal") not in entries
