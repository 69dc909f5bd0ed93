"""Promises the project keeps about itself: codes tested, commands documented, API pinned."""

from __future__ import annotations

import re

import fieldkit
from fieldkit.cli import app
from tests.conftest import REPO

CODE = re.compile(r"FK-[A-Z]+-\d{3}")


def _codes_in(folder: str) -> set[str]:
    found: set[str] = set()
    for path in (REPO / folder).rglob("*.py"):
        found.update(CODE.findall(path.read_text(encoding="utf-8")))
    return {code for code in found if not code.endswith("-000")}


def test_every_error_code_has_a_test() -> None:
    untested = _codes_in("fieldkit") - _codes_in("tests")
    assert not untested, f"error codes without a test: {sorted(untested)}"


def test_every_error_code_is_documented() -> None:
    documented = set(CODE.findall((REPO / "docs" / "errors.md").read_text(encoding="utf-8")))
    missing = _codes_in("fieldkit") - documented
    assert not missing, f"error codes missing from docs/errors.md: {sorted(missing)}"


def test_every_documented_code_has_exactly_one_row() -> None:
    """Two branches picking the same number for two meanings is caught here: each code has
    one row in docs/errors.md, and no two rows share a code."""
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (FK-[A-Z]+-\d{3}) \|", text, flags=re.MULTILINE)
    twice = sorted({code for code in rows if rows.count(code) > 1})
    assert not twice, f"codes with more than one row in docs/errors.md: {twice}"
    assert len(rows) > 200
    unlisted = set(CODE.findall(text)) - set(rows)
    assert not unlisted, f"codes docs/errors.md mentions without a row: {sorted(unlisted)}"


def test_every_command_has_help_and_a_readme_mention() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert commands
    for name in commands:
        assert name is not None
        assert f"fieldkit {name}" in readme, f"README does not mention 'fieldkit {name}'"
    for command in app.registered_commands:
        assert command.callback is not None and command.callback.__doc__, command.name


def test_public_api_is_pinned() -> None:
    assert sorted(fieldkit.__all__) == sorted(
        [
            "FieldkitError",
            "Form",
            "Issue",
            "Location",
            "Project",
            "Protocol",
            "Report",
            "compile_instrument",
            "load_project",
            "resolve_form",
        ]
    )
    for name in fieldkit.__all__:
        assert hasattr(fieldkit, name)


def test_library_never_prints() -> None:
    for path in (REPO / "fieldkit").rglob("*.py"):
        if "cli" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*print\(", text, re.M), path
        assert "sys.exit" not in text, path
