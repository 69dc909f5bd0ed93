"""The laptop store encrypted at rest: unlocking, wrong and forgotten passphrases, file modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from fieldkit.errors import PrivacyError, StoreError
from fieldkit.store import LaptopStore, create_store_key, open_database, unlock_store
from fieldkit.store.cipher import unlock_path
from tests.test_store_helpers import PROJECT_KEYS, answer, consent, make_form

PASSPHRASE = "three unrelated words, please"


def _new(tmp_path: Path) -> tuple[Path, LaptopStore]:
    path = tmp_path / "laptop.sqlite"
    key = create_store_key(path, PASSPHRASE, log_n=10)
    return path, LaptopStore.open(path, project_keys=PROJECT_KEYS, key=key)


def test_the_store_file_and_its_wal_are_encrypted_and_open_with_the_passphrase(
    tmp_path: Path,
) -> None:
    path, store = _new(tmp_path)
    interview = store.create_interview(form=make_form(), enumerator="E07", language="en")
    store.record_consent(interview, consent())
    store.apply(interview, [answer("hh_size", 123456789)])
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0
    for file in (path, wal):
        data = file.read_bytes()
        assert not data.startswith(b"SQLite format 3")
        for needle in (b"123456789", b"interviews", b"E07", b"hh_size"):
            assert needle not in data, (file.name, needle)
    assert store.database.pragma("cipher_version")  # SQLCipher, not plain SQLite
    store.close()
    key = unlock_store(path, PASSPHRASE)
    with LaptopStore.open(path, project_keys=PROJECT_KEYS, key=key) as again:
        assert [s.id for s in again.interviews()] == [interview]
    assert key.raw.hex() not in unlock_path(path).read_text()  # only the wrapped key is kept
    assert "…" in repr(key) and key.raw.hex() not in repr(key)


def test_a_wrong_passphrase_is_one_clear_line(tmp_path: Path) -> None:
    path, store = _new(tmp_path)
    store.close()
    with pytest.raises(PrivacyError) as caught:
        unlock_store(path, PASSPHRASE.upper())
    error = caught.value
    assert error.code == "FK-KEY-001"
    assert "laptop.sqlite" in error.one_line() and "\n" not in error.one_line()
    assert "cannot be recovered" in (error.hint or "")


def test_a_store_is_set_up_once(tmp_path: Path) -> None:
    path, store = _new(tmp_path)
    store.close()
    before = unlock_path(path).read_bytes()
    with pytest.raises(PrivacyError) as caught:
        create_store_key(path, "another passphrase entirely", log_n=10)
    assert caught.value.code == "FK-KEY-031"
    assert unlock_path(path).read_bytes() == before  # the store's unlock is never replaced


def test_without_its_unlock_file_or_with_a_damaged_one_the_store_does_not_open(
    tmp_path: Path,
) -> None:
    path, store = _new(tmp_path)
    store.close()
    unlock = unlock_path(path)
    original = unlock.read_bytes()
    unlock.write_bytes(original.replace(b"unlock", b"unlocks", 1))
    with pytest.raises(PrivacyError) as caught:
        unlock_store(path, PASSPHRASE)
    assert caught.value.code == "FK-KEY-002"
    unlock.unlink()
    with pytest.raises(PrivacyError) as caught:
        unlock_store(path, PASSPHRASE)
    assert caught.value.code == "FK-KEY-030"
    with pytest.raises(PrivacyError) as caught:  # the library too: no key, no laptop store
        open_database(path, role="laptop")
    assert caught.value.code == "FK-KEY-030"


def test_store_files_are_private_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)  # the most permissive umask a user could have
    try:
        _, store = _new(tmp_path)
        interview = store.create_interview(form=make_form(), enumerator="E07", language="en")
        store.apply(interview, [answer("hh_size", 3)])
        files = sorted(tmp_path.glob("laptop.sqlite*"))
        assert [f.name for f in files] == [
            "laptop.sqlite",
            "laptop.sqlite-shm",
            "laptop.sqlite-wal",
            "laptop.sqlite.unlock",
        ]
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        store.close()
        hq = tmp_path / "hq.sqlite"
        open_database(hq, role="coordinator").close()
        assert stat.S_IMODE(hq.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_the_store_refuses_a_plain_or_foreign_file_with_one_line(tmp_path: Path) -> None:
    path, store = _new(tmp_path)
    store.close()
    with pytest.raises(StoreError) as caught:
        open_database(path, role="coordinator")
    assert caught.value.code == "FK-STORE-003"
