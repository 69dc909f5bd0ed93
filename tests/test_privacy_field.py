"""Issue 11, end to end on the shipped instruments: a planted-value scan of the laptop, the
bundles and the HQ store; custody that holds; retention, revocation, rotation and the consent
texts at HQ.

The shipped examples are entered through scripted entry onto one encrypted laptop store (the
household, a street child under a protocol exception, an establishment, a key informant), with
their names, phones, addresses and free text (occupations, notes, the exception's note) made
unique to this run. Staff names are offered where codes belong and must be refused. Then the
laptop's files, every bundle and the HQ store are searched byte for byte (UTF-8 and UTF-16,
as typed, lower and upper case): nothing. The values were captured all the same: the sealed
rows open with the keys, and plain answers are visible in the HQ store (the scans can see).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, update
from typer.testing import CliRunner

from fieldkit.bundle import apply_receipt, init_device, read_device_public_key, write_bundle
from fieldkit.capture.scripted import CheckedScript, answer_file_from, rehearse, store_script
from fieldkit.cli import app
from fieldkit.errors import BundleError, FieldkitError, PrivacyError, StoreError
from fieldkit.merge import MergeOptions, merge_bundles, register_device
from fieldkit.merge.revoke import revoke_device
from fieldkit.privacy.audit import AuditLog
from fieldkit.privacy.custody import create_project_keys, share_file_name
from fieldkit.privacy.identity import FREE_TEXT, open_identity
from fieldkit.privacy.keys import fingerprint, parse_merge_key, parse_project_keys
from fieldkit.privacy.retention import apply_retention
from fieldkit.privacy.rotation import rotate_identity_key
from fieldkit.privacy.shares import combine_key_shares, open_share
from fieldkit.project import Project, load_project
from fieldkit.store import LaptopStore, StoreKey, create_store_key
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import Identity, Interview
from tests.capture_helpers import leaks
from tests.conftest import REPO

FAST = 10
CUSTODIANS = [("Ama Serwaa", "Ama's passphrase, long"), ("Yaw Boateng", "Yaw's passphrase, long")]
CUSTODIANS.append(("Efua Mensah", "Efua's passphrase, long"))
MERGE_SECRET = "the coordinator's merge passphrase"
LAPTOP_SECRET = "the enumerator's own passphrase"
STAFF_NAMES = ("Fatmata Kamara", "Ibrahim Sesay")
"""An enumerator's and a supervisor's names, offered where codes belong: always refused."""
EXAMPLES = {
    "household_complete.yaml": "household",
    "street_exception.yaml": "street",
    "establishment_complete.yaml": "establishment",
    "rapid_key_informant.yaml": "rapid_assessment",
}


@dataclass
class Field:
    root: Path
    project: Project
    laptop: Path
    key: StoreKey
    bundles: list[Path]
    store: Path
    planted: tuple[str, ...]
    files: dict[str, bytes]
    """keys/project.pub, merge.key and each custodian's share, by name."""

    @property
    def merge_key(self) -> Any:
        return parse_merge_key(self.files["merge.key"], MERGE_SECRET)

    def shares(self, *names: str) -> list[Any]:
        people = dict(CUSTODIANS)
        return [open_share(self.files[name], people[name]) for name in names]


def _unique(data: dict[str, Any], tag: str) -> tuple[dict[str, Any], list[str]]:
    """The example with each identifying or free-text answer made unique to this run."""
    planted: list[str] = []

    def mark(value: str) -> str:
        text = f"{value} {tag}"
        planted.append(text)
        return text

    answers = data["answers"]
    for name in ("respondent_name", "hh_address", "est_name", "enumerator_notes", "notes"):
        if isinstance(answers.get(name), str):
            answers[name] = mark(answers[name])
    if "respondent_phone" in answers:
        answers["respondent_phone"] = "+2332" + str(secrets.randbelow(10**8)).zfill(8)
        planted.append(answers["respondent_phone"])
    for member in answers.get("members", []):
        for name in ("first_name", "occupation", "industry"):
            if isinstance(member.get(name), str):
                member[name] = mark(member[name])
    consent = data.get("consent", {})
    if isinstance(consent.get("exception_note"), str):
        consent["exception_note"] = mark(consent["exception_note"])
    return data, planted


def _collect(project: Project, store: LaptopStore, tag: str) -> list[str]:
    planted: list[str] = []
    for file, instrument in EXAMPLES.items():
        data = yaml.safe_load((REPO / "examples" / file).read_text(encoding="utf-8"))
        data, marked = _unique(data, tag)
        planted += marked
        form = project.forms[data["instrument"]]
        script, doc = answer_file_from(data, file)
        stored = store_script(store, form, CheckedScript(script, rehearse(form, script, doc)))
        assert stored.status.value in ("complete", "refused"), instrument
    for name in STAFF_NAMES:  # a name where a code belongs: refused, nothing kept
        with pytest.raises(StoreError):
            store.create_interview(
                form=project.forms["household_cl"], enumerator=name, language="en"
            )
    return planted


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    root = tmp_path_factory.mktemp("field")
    project = load_project([REPO / "protocols", REPO / "instruments"])
    made = create_project_keys(
        merge_passphrase=MERGE_SECRET, custodians=CUSTODIANS, threshold=2, log_n=FAST
    )
    files: dict[str, bytes] = {"project.pub": made.public_file, "merge.key": made.merge_file or b""}
    files.update(made.share_files)
    laptop = root / "laptop" / "laptop.sqlite"
    laptop.parent.mkdir()
    key = create_store_key(laptop, LAPTOP_SECRET, log_n=FAST)
    tag = secrets.token_hex(5)
    with LaptopStore.open(laptop, project_keys=made.public, key=key) as store:
        planted = _collect(project, store, tag)
    _, public = init_device(laptop, key)
    bundles = [root / "laptop" / "all.fkb"]
    write_bundle(laptop, bundles[0], key)
    store = root / "hq" / "hq.sqlite"
    store.parent.mkdir()
    register_device(store, read_device_public_key(public))
    merge_key = parse_merge_key(made.merge_file or b"", MERGE_SECRET)
    report = merge_bundles(bundles, store, project, MergeOptions(merge_key=merge_key))
    assert report.ok and report.interviews_new == len(EXAMPLES), report.to_dict()
    return Field(root, project, laptop, key, bundles, store, (*planted, *STAFF_NAMES), files)


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_the_planted_values_are_nowhere_on_the_laptop_in_bundles_or_at_hq(field: Field) -> None:
    assert len(field.planted) >= 12
    laptop_files = _files(field.laptop.parent)
    assert {p.name for p in laptop_files} >= {"laptop.sqlite", "laptop.sqlite.unlock", "all.fkb"}
    assert leaks(laptop_files, field.planted) == []
    assert leaks(field.bundles, field.planted) == []
    assert leaks(field.bundles, ("extreme_temperature", "hh_size")) == []  # no answer, no column
    hq_files = _files(field.store.parent)
    assert leaks(hq_files, field.planted) == []
    assert leaks(hq_files, ("extreme_temperature",)), "plain answers are at HQ: the scan can see"
    with open_coordinator(field.store) as db, db.read() as conn:
        enumerators = set(conn.execute(select(Interview.enumerator)).scalars())  # type: ignore[call-overload]
    assert enumerators == {"E07", "E12", "E04", "R02"}  # codes, never names


def test_the_sealed_values_were_captured_and_open_only_with_the_right_key(field: Field) -> None:
    identity = combine_key_shares(field.shares("Ama Serwaa", "Efua Mensah"))
    public = parse_project_keys(field.files["project.pub"])
    opened: list[str] = []
    with open_coordinator(field.store) as db, db.read() as conn:
        rows = conn.execute(
            select(
                Identity.reference,
                Identity.question,
                Identity.member,
                Identity.sealed,
                Identity.key_id,
            )  # type: ignore[call-overload]
        ).all()
    for reference, question, member, sealed, key_id in rows:
        if key_id == fingerprint(public.identity):
            opened.append(str(open_identity(identity, reference, question, member, sealed)))
        else:
            assert key_id == fingerprint(public.merge)
            value = open_identity(
                field.merge_key, reference, question, member, sealed, label=FREE_TEXT
            )
            opened.append(str(value))
    for text in field.planted[: -len(STAFF_NAMES)]:
        assert any(text in value for value in opened), text


def _hq_copy(field: Field, tmp_path: Path) -> Path:
    copy = tmp_path / "hq.sqlite"
    shutil.copyfile(field.store, copy)
    return copy


def test_retention_removes_exactly_the_identities_past_their_date(
    field: Field, tmp_path: Path
) -> None:
    store = _hq_copy(field, tmp_path)
    today = dt.date(2030, 6, 1)
    with open_coordinator(store) as db, db.transaction() as conn:
        ids = sorted(conn.execute(select(Interview.id, Interview.protocol_id)).all())  # type: ignore[call-overload]
        # interview k collected (k * 100) days before today: some past their period, some not
        for k, (interview_id, _) in enumerate(ids):
            ended = dt.datetime.combine(today, dt.time(12), dt.UTC) - dt.timedelta(days=100 * k)
            conn.execute(
                update(Interview).where(Interview.id == interview_id).values(ended_at=ended)
            )  # type: ignore[arg-type]
        before = _rows(conn)
    protocols = field.project.protocols
    expected = set()
    for k, (interview_id, protocol_id) in enumerate(ids):
        if 100 * k > protocols[protocol_id].model.identity_retention_days:
            expected.add(interview_id)
    assert expected and expected != {i for i, _ in ids}  # some go, some stay
    dry = apply_retention(store, protocols, today=today, dry_run=True)
    assert {item.interview_id for item in dry.expired} == expected
    with open_coordinator(store) as db, db.read() as conn:
        assert _rows(conn) == before  # a dry run changes nothing
    done = apply_retention(store, protocols, today=today)
    with open_coordinator(store) as db, db.read() as conn:
        after = _rows(conn)
        entries = AuditLog(db).entries()
    for table, rows in before.items():
        if table == "identities":
            gone = {r for r in rows if r[0] in expected}
            assert after[table] == rows - gone  # row by row: exactly those, nothing else
            assert gone
        else:
            assert after[table] == rows  # answers, interviews, members: all stay
    assert entries[-1].action == "retention"
    assert sorted(json.loads(entries[-1].detail)["references"]) == sorted(
        item.reference for item in done.expired
    )


def _rows(conn: Any) -> dict[str, set[tuple[Any, ...]]]:
    interviews = {r.reference: r.id for r in conn.execute(select(Interview))}
    identities = {
        (interviews[r.reference], r.question, r.member, bytes(r.sealed))
        for r in conn.execute(select(Identity))
    }
    found = {"identities": identities}
    for table in ("answers", "interviews", "roster_members"):
        found[table] = {tuple(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}")}
    return found


def test_a_revoked_laptop_is_refused_and_what_it_sent_is_held(field: Field, tmp_path: Path) -> None:
    store = _hq_copy(field, tmp_path)
    with open_coordinator(store) as db, db.read() as conn:
        device = conn.exec_driver_sql("SELECT device_id FROM devices").scalar()
    done = revoke_device(store, device, reason="laptop stolen in Kenema", from_sequence=1)
    assert [b.sequence for b in done.held] == [1] and done.quarantined == len(EXAMPLES)
    with open_coordinator(store) as db, db.read() as conn:
        included = conn.exec_driver_sql(
            "SELECT count(*) FROM merged_interviews WHERE included"
        ).scalar()
        reasons = set(conn.exec_driver_sql("SELECT reason FROM quarantine").scalars())
        entry = AuditLog(db).entries()[-1]
    assert included == 0 and "device_revoked" in reasons
    assert entry.action == "device revoke" and entry.subject == device
    with pytest.raises(BundleError) as caught:  # the thief's key: never trusted again
        register_device(store, read_device_public_key(next(field.laptop.parent.glob("*.pub"))))
    assert caught.value.code == "FK-BUNDLE-032"
    later = tmp_path / "later.fkb"
    write_bundle(field.laptop, later, field.key)
    report = merge_bundles([later], store, field.project, MergeOptions(merge_key=field.merge_key))
    assert [b.code for b in report.bundles] == ["FK-BUNDLE-032"]
    with pytest.raises(BundleError) as caught:
        revoke_device(store, device, reason="  ")
    assert caught.value.code == "FK-BUNDLE-033"


def test_rotation_reseals_every_identity_and_the_old_shares_open_nothing(
    field: Field, tmp_path: Path
) -> None:
    store = _hq_copy(field, tmp_path)
    public = parse_project_keys(field.files["project.pub"])
    with open_coordinator(store) as db, db.read() as conn:
        reference = conn.execute(
            select(Interview.reference).where(Interview.form_id == "household_cl")
        ).scalar()  # type: ignore[call-overload]
    new_people = [("Kojo", "Kojo's new passphrase"), ("Abena", "Abena's new passphrase")]
    made, count = rotate_identity_key(
        store,
        old_shares=field.shares("Yaw Boateng", "Efua Mensah"),
        keys=public,
        custodians=new_people,
        threshold=2,
        log_n=FAST,
    )
    assert count > 5 and fingerprint(made.public.merge) == fingerprint(public.merge)
    from fieldkit.privacy.reidentify import reveal

    reason = "call-back to confirm the household roster, case 2027-031"
    with open_coordinator(store) as db:
        with pytest.raises(PrivacyError):  # the old shares, against the new project.pub
            reveal(
                db,
                reference,
                shares=field.shares("Ama Serwaa", "Yaw Boateng"),
                keys=made.public,
                protocols=field.project.protocols,
                actor="x",
                reason=reason,
            )
        new = [open_share(made.share_files[n], p) for n, p in new_people]
        values = reveal(
            db,
            reference,
            shares=new,
            keys=made.public,
            protocols=field.project.protocols,
            actor="kojo",
            reason=reason,
        )
        actions = [e.action for e in AuditLog(db).entries()]
    assert any(str(v).startswith("Kwasi Nyamekye") for v in values.values())
    assert actions[-3:] == ["keys rotate", "reveal refused", "reveal"]


def test_a_consent_text_changed_under_the_same_version_is_refused(
    field: Field, tmp_path: Path
) -> None:
    store = _hq_copy(field, tmp_path)
    study = tmp_path / "study"
    shutil.copytree(REPO / "protocols", study / "protocols")
    shutil.copytree(REPO / "instruments", study / "instruments")
    path = study / "protocols" / "household_child_labour.yaml"
    text = path.read_text(encoding="utf-8")
    changed = text.replace("This statement will not be changed", "This statement may change")
    path.write_text(changed, encoding="utf-8")
    project = load_project([study / "protocols", study / "instruments"])
    options = MergeOptions(merge_key=field.merge_key)
    with pytest.raises(FieldkitError) as caught:
        merge_bundles(field.bundles, store, project, options)
    assert caught.value.code == "FK-PROT-041"
    with LaptopStore.open(
        field.laptop, project_keys=parse_project_keys(field.files["project.pub"]), key=field.key
    ) as laptop:
        with pytest.raises(FieldkitError) as caught:  # on the laptop too, before an interview
            laptop.create_interview(
                form=project.forms["household_cl"], enumerator="E07", language="en"
            )
        assert caught.value.code == "FK-PROT-041"
    path.write_text(
        changed.replace(
            "id: household_child_labour\n", 'id: household_child_labour\nversion: "2"\n', 1
        ),
        encoding="utf-8",
    )
    project = load_project([study / "protocols", study / "instruments"])
    assert project.protocols["household_child_labour"].version == "2"
    assert merge_bundles([], store, project, options).ok  # nothing imported: nothing recorded
    with open_coordinator(store) as db, db.read() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM protocol_texts").scalar() == 3
    # an interview collected under version 2, bundled by the same laptop (a copy of it)
    laptop = tmp_path / "laptop.sqlite"
    for suffix in ("", ".unlock", "-wal"):
        if Path(f"{field.laptop}{suffix}").exists():
            shutil.copy(f"{field.laptop}{suffix}", f"{laptop}{suffix}")
    receipt = field.bundles[0].with_name(field.bundles[0].name + ".receipt")
    apply_receipt(laptop, receipt, field.key)  # the merged interviews leave the laptop
    keys = parse_project_keys(field.files["project.pub"])
    with LaptopStore.open(laptop, project_keys=keys, key=field.key) as collector:
        data = yaml.safe_load((REPO / "examples" / "household_complete.yaml").read_text("utf-8"))
        form = project.forms["household_cl"]
        script, doc = answer_file_from(data, "v2")
        store_script(collector, form, CheckedScript(script, rehearse(form, script, doc)))
    write_bundle(laptop, tmp_path / "v2.fkb", field.key)
    assert merge_bundles([tmp_path / "v2.fkb"], store, project, options).ok  # recorded, audited
    with open_coordinator(store) as db:
        entries = AuditLog(db).entries()
        with db.read() as conn:
            versions = set(
                conn.exec_driver_sql(
                    "SELECT protocol_id || ' ' || version FROM protocol_texts"
                ).scalars()
            )
    protocols = [e.subject for e in entries if e.action == "protocol"]
    assert protocols[-1] == "household_child_labour" and entries[-1].action == "merge"
    assert {"household_child_labour 1", "household_child_labour 2"} <= versions


def test_reveal_from_the_command_line_with_two_custodians(
    field: Field, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _hq_copy(field, tmp_path)
    monkeypatch.chdir(REPO)
    (tmp_path / "project.pub").write_bytes(field.files["project.pub"])
    shares = []
    for name, secret in CUSTODIANS[:2]:
        share = tmp_path / share_file_name(name)
        share.write_bytes(field.files[name])
        (tmp_path / f"{name}.pass").write_text(secret + "\n")
        shares += ["--share", f"{share}=file:{tmp_path / f'{name}.pass'}"]
    with open_coordinator(store) as db, db.read() as conn:
        reference = conn.execute(
            select(Interview.reference).where(Interview.form_id == "household_cl")
        ).scalar()  # type: ignore[call-overload]
    base = ["reveal", reference, "--store", str(store), "--keys", str(tmp_path / "project.pub")]
    runner = CliRunner()
    result = runner.invoke(
        app,
        [*base, *shares, "--reason", "referral of the child to the district social welfare office"],
    )
    assert result.exit_code == 0, result.output
    assert "Kwasi Nyamekye" in result.output and "audit head #" in result.output
    refused = runner.invoke(
        app, [*base, *shares[:2], "--reason", "referral of the child to the district office"]
    )
    assert isinstance(refused.exception, PrivacyError) and refused.exception.code == "FK-PRIV-002"
    with open_coordinator(store) as db:
        assert [e.action for e in AuditLog(db).entries()][-2:] == ["reveal", "reveal refused"]


def test_free_text_opens_with_the_merge_key_after_an_audit_entry(
    field: Field, tmp_path: Path
) -> None:
    from fieldkit.privacy.freetext import open_free_text

    store = _hq_copy(field, tmp_path)
    with open_coordinator(store) as db:
        texts = open_free_text(
            db,
            field.merge_key,
            questions=["occupation", "industry"],
            actor="amina",
            reason="code occupations to ISCO-08",
        )
        entry = AuditLog(db).entries()[-1]
        with pytest.raises(PrivacyError) as caught:
            open_free_text(db, field.merge_key, questions=["occupation"], actor="amina", reason=" ")
        assert caught.value.code == "FK-PRIV-006"
        names = open_free_text(
            db, field.merge_key, questions=["respondent_name"], actor="amina", reason="curious"
        )
    assert sorted(q for _, q, _ in texts) == ["industry", "occupation"]
    assert any("Weeding, harvesting maize" in str(v) for v in texts.values())
    assert (entry.action, json.loads(entry.detail)["values"]) == ("free text opened", 2)
    assert names == {}  # identities are sealed to the identity key: never opened here


def test_the_staff_register_names_codes_outside_the_store(field: Field, tmp_path: Path) -> None:
    register = tmp_path / "staff.yaml"
    register.write_text(
        "E07: {name: Fatmata Kamara, role: enumerator}\n"
        "E12: {name: Ibrahim Sesay, role: enumerator}\n"
        "S03: {name: Mariatu Conteh, role: supervisor}\n"
        "E04: {name: Alhaji Bangura, role: enumerator}\n"
    )
    runner = CliRunner()
    check = ["staff", "check", "--register", str(register), "--store", str(field.store)]
    result = runner.invoke(app, check)
    assert result.exit_code == 1 and "R02 (1 interview(s))" in result.output
    register.write_text(register.read_text() + "R02: {name: Kadiatu Koroma, role: enumerator}\n")
    assert runner.invoke(app, check).exit_code == 0
    assert leaks(_files(field.store.parent), ("Kadiatu Koroma", "Mariatu Conteh")) == []
    register.write_text("Fatmata Kamara: {name: Fatmata Kamara, role: enumerator}\n")
    bad = runner.invoke(app, check)
    assert isinstance(bad.exception, PrivacyError) and bad.exception.code == "FK-PRIV-007"


def test_bundles_receipts_and_exports_are_private_and_name_the_audit_head(
    field: Field, tmp_path: Path
) -> None:
    import os
    import stat

    from openpyxl import load_workbook

    from fieldkit.dataset.store import load_dataset
    from fieldkit.export import write_csv, write_xlsx

    old = os.umask(0)
    try:
        receipt = next(field.laptop.parent.glob("*.receipt"))
        dataset, counts = load_dataset(
            field.store, field.project.forms["household_cl"], role="statistician"
        )
        xlsx = write_xlsx(dataset, [], tmp_path / "out.xlsx", counts=counts)
        csvs = write_csv(dataset, [], tmp_path / "csv", counts=counts)
    finally:
        os.umask(old)
    for path in (*field.bundles, receipt, xlsx, *csvs):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE((tmp_path / "csv").stat().st_mode) == 0o700
    with open_coordinator(field.store) as db:
        head = AuditLog(db).head()
    assert head is not None
    assert json.loads(receipt.read_text())["audit_head"].startswith("#")
    about = dict(load_workbook(xlsx, read_only=True)["About"].iter_rows(values_only=True))
    assert about["Audit head"] == head.text()
    [(key, value)] = [(k, v) for k, v in about.items() if str(k).startswith("Collected under")]
    assert key == "Collected under: household_child_labour version 1"
    assert value.startswith("1 interview(s); data-use statement sha256:")
    assert "This statement will not be changed" in value
