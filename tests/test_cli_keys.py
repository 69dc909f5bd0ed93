"""keys init and keys rotate leave every file or none (a full disk, a folder turned
read-only); rotate then re-seals nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from fieldkit.cli import run
from fieldkit.privacy.audit import AuditLog
from fieldkit.privacy.identity import open_identity, seal_identity
from fieldkit.privacy.keys import fingerprint, load_project_keys
from fieldkit.privacy.shares import combine_key_shares, open_share, read_share_file
from fieldkit.store import files
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import Identity, Interview
from tests.data.generated_household import generated_streams, household_form
from tests.data.store_rows import fill_store

PASSPHRASE = "correct horse battery staple"


def _secrets(folder: Path) -> list[str]:
    args = []
    for name in ("merge", "Ama", "Yaw"):
        path = folder / f"{name}.txt"
        path.write_text(f"{PASSPHRASE} of {name}\n")
        args += (
            ["--merge-passphrase-file", str(path)]
            if name == "merge"
            else ["--custodian", f"{name}=file:{path}"]
        )
    return args


def test_keys_half_written_are_removed_with_the_folders_made_for_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_write = os.write
    calls = {"files": 0}

    def full_disk_on_the_merge_key(fd: int, data: bytes | memoryview) -> int:
        if bytes(data[:25]) == b"-----BEGIN FIELDKIT MERGE":
            calls["files"] += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(files.os, "write", full_disk_on_the_merge_key)
    out = tmp_path / "study" / "keys"
    assert run(["keys", "init", "--out", str(out), *_secrets(tmp_path)]) == 1
    line = capsys.readouterr().err.strip()
    assert "FK-KEY-051" in line and "No space left on device" in line
    assert calls["files"] == 1
    # project.pub was written first, then removed, and the folders made for the keys too
    assert not (tmp_path / "study").exists()


def test_keys_init_writes_private_files_in_private_folders(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert run(["keys", "init", "--out", str(tmp_path / "keys"), *_secrets(tmp_path)]) == 0
    finally:
        os.umask(old)
    written = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "keys").rglob("*"))
    assert written == [
        "keys/merge.key",
        "keys/project.pub",
        "keys/shares",
        "keys/shares/share-ama.txt",
        "keys/shares/share-yaw.txt",
    ]
    for path in [tmp_path / "keys", *(tmp_path / "keys").rglob("*")]:
        expected = 0o700 if path.is_dir() else 0o600
        assert path.stat().st_mode & 0o777 == expected, path


def test_a_rotation_whose_new_shares_cannot_be_written_re_seals_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """keys rotate writes the new project.pub and shares inside the re-sealing transaction:
    a full disk on the last share leaves no new file and every identity sealed to the old
    key (its shares still open it), and no 'keys rotate' entry in the audit log."""
    keys = tmp_path / "keys"
    assert run(["keys", "init", "--out", str(keys), *_secrets(tmp_path)]) == 0
    public = load_project_keys(keys / "project.pub")
    store = tmp_path / "hq.sqlite"
    fill_store(store, household_form(), *generated_streams(3, seed=2), excluded={})
    with open_coordinator(store) as db, db.transaction() as conn:
        reference = conn.execute(select(Interview.reference).limit(1)).scalar_one()  # type: ignore[call-overload]
        sealed = seal_identity(public.identity, reference, "respondent_name", 0, "Abena")
        conn.execute(
            insert(Identity).values(
                reference=reference,
                question="respondent_name",
                member=0,
                status="answered",
                sealed=sealed,
                key_id=fingerprint(public.identity),
            )
        )
    real_write = os.write

    def full_disk_on_efuas_share(fd: int, data: bytes | memoryview) -> int:
        if b"custodian Efua" in bytes(data[:80]):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(files.os, "write", full_disk_on_efuas_share)
    secret = tmp_path / "Ama.txt"
    shares = [
        f"{keys / 'shares' / f'share-{name.lower()}.txt'}=file:{tmp_path / f'{name}.txt'}"
        for name in ("Ama", "Yaw")
    ]
    new = tmp_path / "rotated"
    command = ["keys", "rotate", "--store", str(store), "--keys", str(keys / "project.pub")]
    command += ["--share", shares[0], "--share", shares[1], "--out", str(new)]
    command += ["--custodian", f"Kofi=file:{secret}", "--custodian", f"Efua=file:{secret}"]
    assert run(command) == 1
    assert "FK-KEY-051" in capsys.readouterr().err
    assert not new.exists()
    with open_coordinator(store) as db:
        with db.read() as conn:
            [(key_id, still)] = conn.execute(select(Identity.key_id, Identity.sealed)).all()  # type: ignore[call-overload]
        assert "keys rotate" not in [e.action for e in AuditLog(db).entries()]
    assert key_id == fingerprint(public.identity)
    identity = combine_key_shares(
        [
            open_share(
                read_share_file(keys / "shares" / f"share-{name.lower()}.txt"),
                f"{PASSPHRASE} of {name}",
            )
            for name in ("Ama", "Yaw")
        ]
    )
    assert open_identity(identity, reference, "respondent_name", 0, still) == "Abena"
