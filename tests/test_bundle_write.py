"""Writing bundles on the laptop: contents, signature, atomic files, device keys, receipts."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from fieldkit.bundle import (
    apply_receipt,
    check_payload,
    extract_payload,
    init_device,
    parse_device_public_key,
    read_device_public_key,
    scan_bundle,
    verify_scanned,
    write_bundle,
)
from fieldkit.bundle.format import COLUMNS
from fieldkit.bundle.receipt import Receipt, write_receipt
from fieldkit.errors import BundleError, PrivacyError, StoreError
from fieldkit.store import LaptopStore, create_store_key, open_database, unlock_store
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.records import InterviewStatus
from tests.merge_fixtures import (
    Collector,
    Expected,
    Laptop,
    _now,
    adult_consent,
    device_key_of,
    make_project,
    new_laptop,
    random_household,
)
from tests.test_store_helpers import MERGE_KEY, PROJECT_KEYS, STORE_KEY


@pytest.fixture
def laptop(tmp_path: Path) -> Laptop:
    return new_laptop(tmp_path / "laptop.sqlite")


def collect(laptop: Laptop, households: int, *, drafts: int = 0) -> Expected:
    import random

    rng = random.Random(3)
    form = make_project().forms["hh_merge"]
    expected = Expected()
    with LaptopStore.open(laptop.path, project_keys=PROJECT_KEYS, key=STORE_KEY) as store:
        c = Collector(laptop, store, form, expected)
        for number in range(1, households + 1):
            c.interview(
                random_household(rng, "d00", 0, number), adult_consent(_now()), enumerator=number
            )
        for _ in range(drafts):
            store.create_interview(form=form, enumerator="e9", language="en")
    return expected


def test_a_bundle_holds_finished_interviews_signed_and_sealed(
    laptop: Laptop, tmp_path: Path
) -> None:
    expected = collect(laptop, 3, drafts=2)
    manifest = write_bundle(laptop.path, tmp_path / "b.fkb", STORE_KEY)
    assert manifest.device_id == laptop.key.device_id
    assert manifest.sequence == 1
    assert manifest.interviews == 3 == expected.interviews
    assert manifest.counts["status_complete"] == 3
    assert dict(manifest.enumerators) == {"d00-e1": 1, "d00-e2": 2}
    assert [(f.form_id, f.interviews) for f in manifest.forms] == [("hh_merge", 3)]
    scanned = scan_bundle(tmp_path / "b.fkb")
    verify_scanned(scanned, laptop.key.public.key)
    with extract_payload(scanned, tmp_path, merge_key=MERGE_KEY) as payload:
        conn = sqlite3.connect(payload)
        try:
            check_payload(conn, "main", scanned)
            rows = sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COLUMNS)
            per_interview = conn.execute(
                "SELECT (SELECT count(*) FROM identities s WHERE s.reference = v.reference), "
                "(SELECT count(*) FROM roster_members r WHERE r.interview_id = v.id) "
                "FROM interviews v"
            ).fetchall()
        finally:
            conn.close()
    assert rows == expected.rows
    data = (tmp_path / "b.fkb").read_bytes()
    assert b"Person 1" not in data and b"Head" not in data  # identities stay sealed
    assert b"hh_size" not in data and b"SQLite format 3" not in data  # the payload too
    assert len(per_interview) == 3
    assert all(identities == 1 + members for identities, members in per_interview)
    assert list(tmp_path.glob(".fieldkit-payload-*")) == []  # the extracted copy is gone


def test_sequence_grows_and_a_remade_bundle_holds_everything_not_receipted(
    laptop: Laptop, tmp_path: Path
) -> None:
    collect(laptop, 2)
    first = write_bundle(laptop.path, tmp_path / "1.fkb", STORE_KEY)
    second = write_bundle(laptop.path, tmp_path / "2.fkb", STORE_KEY)
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.interviews == first.interviews == 2
    assert first.counts == second.counts  # same rows, new sequence
    assert first.payload.sha256 != second.payload.sha256  # encrypted afresh: a new key each


def test_a_receipt_deletes_exactly_what_was_merged(laptop: Laptop, tmp_path: Path) -> None:
    collect(laptop, 3)
    bundle = tmp_path / "b.fkb"
    manifest = write_bundle(laptop.path, bundle, STORE_KEY)
    scanned = scan_bundle(bundle)
    interviews = capture_table("interviews")
    with open_database(laptop.path, role="laptop", key=STORE_KEY) as db, db.transaction() as conn:
        changed = conn.execute(select(interviews.c.id).order_by(interviews.c.id)).scalars().first()
        conn.execute(update(interviews).where(interviews.c.id == changed).values(updated_at=_now()))
    receipt = tmp_path / "b.fkb.receipt"
    write_receipt(Receipt(manifest.name, scanned.sha256, manifest.device_id, 1, 3), receipt)
    outcome = apply_receipt(laptop.path, receipt, STORE_KEY)
    assert (outcome.deleted, outcome.kept_changed, outcome.already_applied) == (2, 1, False)
    assert apply_receipt(laptop.path, receipt, STORE_KEY).already_applied
    with open_database(laptop.path, role="laptop", key=STORE_KEY) as db, db.read() as conn:
        assert conn.execute(select(interviews.c.id)).scalars().all() == [changed]
        for name in ("answers", "roster_members", "paradata"):
            table = capture_table(name)
            left = conn.execute(select(table.c.interview_id).distinct()).scalars().all()
            assert left == [changed]
    assert write_bundle(laptop.path, tmp_path / "next.fkb", STORE_KEY).interviews == 1


def test_a_receipt_for_another_bundle_deletes_nothing(laptop: Laptop, tmp_path: Path) -> None:
    collect(laptop, 1)
    write_bundle(laptop.path, tmp_path / "b.fkb", STORE_KEY)
    foreign = tmp_path / "foreign.receipt"
    write_receipt(Receipt("x-000001", "0" * 64, laptop.key.device_id, 1, 1), foreign)
    with pytest.raises(BundleError) as caught:
        apply_receipt(laptop.path, foreign, STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-024"
    broken = tmp_path / "broken.receipt"
    broken.write_text('{"format": "fieldkit-receipt"}')
    with pytest.raises(BundleError) as caught:
        apply_receipt(laptop.path, broken, STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-023"
    with pytest.raises(BundleError) as caught:
        apply_receipt(laptop.path, tmp_path / "missing.receipt", STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-023"


def test_device_keys_live_inside_the_encrypted_store(laptop: Laptop, tmp_path: Path) -> None:
    assert sorted(p.name for p in tmp_path.iterdir() if "laptop" in p.name) == [
        "laptop.sqlite"  # no key file beside it: the signing key is inside, encrypted
    ]
    public = read_device_public_key(laptop.path.with_name(f"device-{laptop.key.device_id}.pub"))
    assert public.text == laptop.key.public.text
    with pytest.raises(BundleError) as caught:
        init_device(laptop.path, STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-025"
    assert device_key_of(laptop.path).public.text == public.text  # unchanged
    replaced, _ = init_device(laptop.path, STORE_KEY, replace=True)
    assert replaced.text != public.text == laptop.key.public.text
    assert device_key_of(laptop.path).public.text == replaced.text
    with pytest.raises(BundleError) as caught:
        parse_device_public_key(b"fieldkit device public key (Ed25519)\nabc\nnot-base64!\n")
    assert caught.value.code == "FK-BUNDLE-026"
    with pytest.raises(BundleError) as caught:
        read_device_public_key(tmp_path / "nope.pub")
    assert caught.value.code == "FK-BUNDLE-026"


def test_a_thief_without_the_passphrase_can_neither_read_nor_sign(
    laptop: Laptop, tmp_path: Path
) -> None:
    """The files alone: the store does not open, and no key in them signs a bundle."""
    path = tmp_path / "field.sqlite"
    key = create_store_key(path, "the enumerator's own passphrase", log_n=10)
    LaptopStore.open(path, project_keys=PROJECT_KEYS, key=key).close()
    init_device(path, key)
    with pytest.raises(PrivacyError) as caught:
        unlock_store(path, "a thief's best guess at it")
    assert caught.value.code == "FK-KEY-001"
    with pytest.raises(StoreError) as failed:  # the store's bytes with another key: nothing
        open_database(path, role="laptop", key=STORE_KEY)
    assert failed.value.code == "FK-STORE-001"
    with pytest.raises(StoreError):
        write_bundle(path, tmp_path / "forged.fkb", STORE_KEY)
    assert not (tmp_path / "forged.fkb").exists()
    assert unlock_store(path, "the enumerator's own passphrase") == key
    with pytest.raises(PrivacyError) as caught:
        unlock_store(tmp_path / "elsewhere.sqlite", "the enumerator's own passphrase")
    assert caught.value.code == "FK-KEY-030"


def test_a_laptop_store_needs_a_device_and_its_signing_key(laptop: Laptop, tmp_path: Path) -> None:
    with pytest.raises(BundleError) as caught:
        init_device(tmp_path / "missing.sqlite", STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-021"
    empty = tmp_path / "empty.sqlite"
    open_database(empty, role="laptop", key=STORE_KEY).close()
    with pytest.raises(BundleError) as caught:
        init_device(empty, STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-021"
    other = tmp_path / "other.sqlite"
    LaptopStore.open(other, project_keys=PROJECT_KEYS, key=STORE_KEY).close()
    with pytest.raises(BundleError) as caught:  # set up, but no signing key yet
        write_bundle(other, tmp_path / "b.fkb", STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-020"
    assert not (tmp_path / "b.fkb").exists()


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_failed_write_leaves_no_bundle_and_no_temp_file(
    laptop: Laptop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    collect(laptop, 2)
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(BundleError) as caught:
        write_bundle(laptop.path, out_dir / "b.fkb", STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-022"
    monkeypatch.undo()
    assert list(out_dir.iterdir()) == []
    with pytest.raises(BundleError) as caught:
        write_bundle(laptop.path, tmp_path / "no-such-folder" / "b.fkb", STORE_KEY)
    assert caught.value.code == "FK-BUNDLE-022"
    manifest = write_bundle(laptop.path, out_dir / "b.fkb", STORE_KEY)
    assert manifest.sequence == 2  # the number the failed write took is never reused


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_killed_bundle_writer_leaves_nothing_or_a_valid_bundle(
    laptop: Laptop, tmp_path: Path
) -> None:
    collect(laptop, 12)
    outcomes = set()
    for attempt in range(8):
        out = tmp_path / f"k{attempt}.fkb"
        pid = os.fork()
        if pid == 0:  # pragma: no cover - child
            try:
                write_bundle(laptop.path, out, STORE_KEY)
            finally:
                os._exit(0)
        time.sleep(0.004 * attempt)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        if out.exists():
            verify_scanned(scan_bundle(out), laptop.key.public.key)
            outcomes.add("valid")
        else:
            outcomes.add("none")
        for name in _leftovers(tmp_path):
            (tmp_path / name).unlink()  # a killed writer may leave its temp file, never the bundle
    assert outcomes <= {"valid", "none"}
    with open_database(laptop.path, role="laptop", key=STORE_KEY) as db:
        assert db.integrity_check() == ["ok"]


def test_refused_and_stopped_interviews_travel_drafts_do_not(
    laptop: Laptop, tmp_path: Path
) -> None:
    form = make_project().forms["hh_merge"]
    with LaptopStore.open(laptop.path, project_keys=PROJECT_KEYS, key=STORE_KEY) as store:
        c = Collector(laptop, store, form, Expected())
        c.interview(None, adult_consent(_now()), InterviewStatus.REFUSED)
        c.interview(None, adult_consent(_now()), InterviewStatus.STOPPED)
        store.create_interview(form=form, enumerator="e1", language="en")
    manifest = write_bundle(laptop.path, tmp_path / "b.fkb", STORE_KEY)
    assert (manifest.counts["status_refused"], manifest.counts["status_stopped"]) == (1, 1)
    assert manifest.interviews == 2
