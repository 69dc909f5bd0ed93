"""The protocol's collection windows: an enumerator collecting outside them is warned."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.capture_helpers import collect_command, make_study


def test_collecting_outside_the_windows_warns_and_still_saves_a_draft(tmp_path: Path) -> None:
    study = make_study(tmp_path)
    protocol = study / "protocols" / "household_child_labour.yaml"
    text = protocol.read_text(encoding="utf-8")
    # move every window to the past, whatever today is
    text = text.replace("2027-", "2001-")
    protocol.write_text(text, encoding="utf-8")
    db = tmp_path / "laptop.sqlite"
    result = subprocess.run(
        collect_command(study, "household", db, "--enumerator", "E07"),
        input=":q\n",
        capture_output=True,
        text=True,
        cwd=study,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "outside the protocol's collection windows" in result.stdout
    assert "saved as a draft" in result.stdout
    assert db.exists()
