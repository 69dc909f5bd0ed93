"""What the command line prints, run as a user runs it (issue 10, the confusing ones).

A bug is one line asking for a report; help names values, not Python types; output to a
pipe is never cropped; a table's notes come after it; a mistyped store is never created; the
study is found as git finds a repository.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main

from fieldkit.cli import app, run
from fieldkit.cli.entry import EXIT_BUG
from fieldkit.cli.entry import run as run_app
from fieldkit.demo.journey import DemoResult
from tests.conftest import REPO

Capture = pytest.CaptureFixture[str]


def _lines(capsys: Capture) -> list[str]:
    out, err = capsys.readouterr()
    return [line for line in (out + err).splitlines() if line.strip()]


def _broken_app() -> typer.Typer:
    broken = typer.Typer()

    @broken.command("boom")
    def boom() -> None:
        """Fails as a bug would."""
        raise ValueError("boom\nsecond line of detail")

    @broken.command("fine")
    def fine() -> None:
        """Works."""

    return broken


def test_a_bug_is_one_line_asking_for_a_report(
    capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FIELDKIT_DEBUG", raising=False)
    assert run_app(_broken_app(), ["boom"]) == EXIT_BUG
    [line] = _lines(capsys)
    assert line.startswith("error: FK-CLI-099 unexpected error (ValueError: boom)")
    assert "report it" in line and "FIELDKIT_DEBUG=1" in line
    monkeypatch.setenv("FIELDKIT_DEBUG", "1")
    with pytest.raises(ValueError, match="boom"):
        run_app(_broken_app(), ["boom"])


def test_an_unknown_command_and_no_command(capsys: Capture) -> None:
    assert run(["exprot"]) == 2
    [line] = _lines(capsys)
    assert "FK-CLI-052" in line and "exprot" in line
    assert run([]) == 2
    assert "Commands:" in capsys.readouterr().err


def _command_paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix] if prefix else []
    for name, sub in (getattr(command, "commands", None) or {}).items():
        found += _command_paths(sub, (*prefix, name))
    return found


def test_help_names_values_not_python_types(capsys: Capture) -> None:
    for path in [(), *_command_paths(typer.main.get_command(app))]:
        assert run([*path, "--help"]) == 0, path
        text = capsys.readouterr().out
        for python_type in ("<bool>", "<str>", "<int>", "<path>", "<list[", "{paths}"):
            assert python_type not in text, (path, python_type)
    run(["export", "--help"])
    text = capsys.readouterr().out
    assert "--store STORE" in text and "--tables-only " in text
    run(["--help"])
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    assert listed and not [line for line in listed if line.rstrip().endswith("...")]


def test_piped_output_is_never_cropped() -> None:
    shown = subprocess.run(
        [
            *(sys.executable, "-c", "from fieldkit.cli import main; main()"),
            *("show", str(REPO / "instruments" / "household.yaml")),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "60"},
    )
    assert "Address or description of how to find the dwelling (text, pii)" in shown.stdout, (
        shown.stdout[:2000]
    )
    assert max(len(line) for line in shown.stdout.splitlines()) > 120


def test_a_table_s_notes_come_after_it(demo: DemoResult, capsys: Capture) -> None:
    store = str(demo.store)
    status = run(["tables", "--store", store, "-i", "household_cl", "--project", str(REPO)])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("Table 1."))
    bottom = max(i for i, line in enumerate(lines) if line.startswith("└"))
    note = next(i for i, line in enumerate(lines) if line.startswith("x: hidden"))
    assert title < bottom < note


def test_counts_read_as_words(demo: DemoResult, capsys: Capture) -> None:
    assert run(["quarantine", "--store", str(demo.store)]) == 0
    assert "Quarantine: 1 entry" in capsys.readouterr().out


def test_a_conflict_shows_its_state_and_whole_interview_ids(
    demo: DemoResult, capsys: Capture
) -> None:
    assert run(["conflicts", "--store", str(demo.store)]) == 0
    out = capsys.readouterr().out
    assert "[open]" in out
    assert len([w for w in out.split() if len(w) == 36 and w.count("-") == 4]) >= 2


@pytest.mark.parametrize(
    "command",
    [
        ["conflicts", "--store", "{store}"],
        ["quarantine", "--store", "{store}"],
        ["tables", "--store", "{store}", "-i", "household_cl"],
        ["export", "--store", "{store}", "-i", "household_cl", "--xlsx", "{out}"],
        ["conflicts", "resolve", "U-1", "--keep", "x", "--reason", "r", "--store", "{store}"],
    ],
)
def test_a_mistyped_store_is_never_created(
    command: list[str], tmp_path: Path, capsys: Capture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    typo = tmp_path / "hq.sqllite"
    args = [a.format(store=typo, out=tmp_path / "x.xlsx") for a in command]
    assert run(args) == 1
    assert "FK-STORE-050" in _lines(capsys)[0]
    assert not typo.exists() and not (tmp_path / "x.xlsx").exists()


def test_the_study_is_found_from_any_folder_inside_it(
    demo: DemoResult, capsys: Capture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = str(demo.store)
    args = ["tables", "--store", store, "-i", "household_cl", "--by", "sex", "--json"]
    monkeypatch.delenv("FIELDKIT_PROJECT", raising=False)
    monkeypatch.chdir(REPO / "instruments")  # below the study folder, as git finds .git
    assert run(args) == 0
    capsys.readouterr()
    monkeypatch.chdir(tmp_path)  # outside any study
    assert run(args) == 1
    [line] = _lines(capsys)
    assert "FK-PROT-050" in line and "--project" in line and "FIELDKIT_PROJECT" in line
    assert "protocols: FK-YAML-005" not in line
    monkeypatch.setenv("FIELDKIT_PROJECT", str(REPO))
    assert run(args) == 0
    capsys.readouterr()
    monkeypatch.setenv("FIELDKIT_PROJECT", str(tmp_path))
    assert run(args) == 1
    assert "FIELDKIT_PROJECT" in _lines(capsys)[0]


def test_bundle_out_never_replaces_a_file(
    tmp_path: Path, capsys: Capture, demo: DemoResult
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("precious")
    laptop = str(demo.laptops["north_1"])
    assert run(["bundle", "--db", laptop, "--out", str(notes)]) == 1
    assert "FK-BUNDLE-050" in _lines(capsys)[0]
    assert notes.read_text() == "precious"
