"""keys init and keys rotate leave every file or none (a full disk, a folder turned
read-only); rotate then re-seals nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from fieldkit.cli import run
from fieldkit.store import files

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
