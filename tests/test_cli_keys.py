"""keys init and keys shares leave every file or none (a full disk, a folder turned read-only)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from fieldkit.cli import keys as keys_cli
from fieldkit.cli import run


def test_a_key_pair_half_written_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("correct horse battery staple\n")
    real_write = os.write
    calls = {"files": 0}

    def full_disk_on_second_file(fd: int, data: bytes | memoryview) -> int:
        if bytes(data[:27]) == b"fieldkit project public key":
            calls["files"] += 1
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(keys_cli.os, "write", full_disk_on_second_file)
    out = tmp_path / "keys"
    assert run(["keys", "init", "--out", str(out), "--passphrase-file", str(passphrase)]) == 1
    line = capsys.readouterr().err.strip()
    assert "FK-KEY-051" in line and "No space left on device" in line
    assert calls["files"] == 1
    assert list(out.iterdir()) == []  # project.key was written first, then removed
