"""The check / show / compile commands, run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from fieldkit.cli import app
from tests.conftest import REPO

runner = CliRunner()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess: exit codes and stderr as a user sees them."""
    return subprocess.run(
        [sys.executable, "-c", "from fieldkit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )


def test_shipped_instruments_and_protocols_pass_check() -> None:
    result = runner.invoke(app, ["check", str(REPO / "instruments"), str(REPO / "protocols")])
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output


def test_check_json_lists_every_issue(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nsections:\n  - name: s\n    questions: [{name: a, type: integr}]\n")
    result = runner.invoke(app, ["check", str(bad), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["ok"] is False
    assert {i["code"] for i in report["issues"]} >= {"FK-YAML-004"}


def test_show_renders_every_shipped_instrument_in_french() -> None:
    for path in sorted((REPO / "instruments").glob("*.yaml")):
        result = runner.invoke(app, ["show", str(path), "--lang", "fr"])
        assert result.exit_code == 0, (path, result.output)
        assert "consent" in result.output or "observation" in path.name


def test_compile_prints_form_with_hash() -> None:
    result = runner.invoke(app, ["compile", str(REPO / "instruments" / "household.yaml")])
    assert result.exit_code == 0, result.output
    form = json.loads(result.output)
    assert form["hash"].startswith("sha256:")
    assert form["kind"] == "household"


def test_user_mistakes_are_one_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: x\nsections: [\n")
    for args in (
        ["show", str(bad)],
        ["compile", str(tmp_path / "missing.yaml")],
        ["check", str(bad)],
    ):
        result = run(*args)
        assert result.returncode != 0
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert "FK-YAML-00" in output


def test_show_rejects_an_unknown_language() -> None:
    result = run("show", "instruments/household.yaml", "--lang", "xx")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
