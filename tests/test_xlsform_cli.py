"""fieldkit xlsform import / export, run as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldkit.cli import app, main
from fieldkit.xlsform.emitter import scalar
from tests.conftest import REPO
from tests.xlsform_forms import HOUSEHOLD, UNSUPPORTED, write_xlsform


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from fieldkit.cli import main; main()", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


@pytest.fixture
def study(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "protocols", tmp_path / "protocols")
    (tmp_path / "instruments").mkdir()
    return tmp_path


def test_an_imported_form_passes_fieldkit_check(study: Path) -> None:
    form = write_xlsform(study / "household.xlsx", HOUSEHOLD)
    out = study / "instruments" / "household_survey.yaml"
    done = run(
        "xlsform", "import", str(form), "--protocol", "household_child_labour", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert "note: household.xlsx survey!A2: FK-XLS-050" in done.stdout
    assert "warning: household.xlsx survey!H8: FK-XLS-012" in done.stdout
    assert f"✓ {out}: 18 question(s)" in done.stdout
    checked = run("check", str(study / "instruments"), str(study / "protocols"))
    assert checked.returncode == 0, checked.stdout
    assert "household_survey" in checked.stdout


def test_export_then_import_gives_the_same_form_hash(study: Path) -> None:
    xlsx = study / "street.xlsx"
    exported = run("xlsform", "export", "instruments/street.yaml", "--out", str(xlsx))
    assert exported.returncode == 0, exported.stderr
    assert f"✓ wrote {xlsx}" in exported.stdout
    back = study / "instruments" / "street.yaml"
    imported = run(
        "xlsform",
        "import",
        str(xlsx),
        "--protocol",
        "protocols/rapid_assessment.yaml",
        "--out",
        str(back),
        "--json",
    )
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["written"] == str(back) and report["ok"] and report["issues"] == []
    hashes = [
        json.loads(run("compile", str(path)).stdout)["hash"]
        for path in (REPO / "instruments" / "street.yaml", back)
    ]
    assert hashes[0] == hashes[1]


def test_strict_writes_nothing_when_something_is_not_carried_over(study: Path) -> None:
    form = write_xlsform(study / "odd.xlsx", UNSUPPORTED)
    out = study / "instruments" / "odd.yaml"
    args = ("xlsform", "import", str(form), "--protocol", "rapid_assessment", "--out", str(out))
    done = run(*args, "--strict")
    assert done.returncode == 1
    assert "error: odd.xlsx survey!A2: FK-XLS-011" in done.stdout
    assert "nothing written" in done.stdout
    assert not out.exists()
    assert run(*args).returncode == 0
    assert out.exists()


def _mistakes(study: Path) -> list[tuple[list[str], str]]:
    good = write_xlsform(study / "good.xlsx", HOUSEHOLD)
    no_survey = write_xlsform(study / "nosurvey.xlsx", {"Survey1": [["type", "name"]]})
    no_type = write_xlsform(study / "notype.xlsx", {"survey": [["name"], ["a"]]})
    text = study / "form.xlsx.txt"
    text.write_text("type,name\ntext,a\n")
    fake = study / "fake.xlsx"
    fake.write_text("not a zip")
    existing = study / "instruments" / "exists.yaml"
    existing.write_text("id: x\n")
    broken = study / "broken_protocol.yaml"
    broken.write_text("id: p\nethics: [\n")
    out = str(study / "instruments" / "new.yaml")
    imp = ["xlsform", "import"]
    protocol = ["--protocol", "household_child_labour"]
    return [
        ([*imp, str(study / "missing.xlsx"), *protocol, "--out", out], "FK-XLS-001"),
        ([*imp, str(study), *protocol, "--out", out], "FK-XLS-001"),
        ([*imp, str(fake), *protocol, "--out", out], "FK-XLS-002"),
        ([*imp, str(text), *protocol, "--out", out], "FK-XLS-002"),
        ([*imp, str(no_survey), *protocol, "--out", out], "FK-XLS-003"),
        ([*imp, str(no_type), *protocol, "--out", out], "FK-XLS-004"),
        ([*imp, str(good), *protocol, "--out", str(existing)], "FK-XLS-005"),
        ([*imp, str(good), *protocol, "--out", str(study / "new.txt")], "FK-XLS-005"),
        ([*imp, str(good), *protocol, "--out", str(study / "no" / "new.yaml")], "FK-XLS-005"),
        ([*imp, str(good), *protocol, "--out", str(study / "instruments")], "FK-XLS-005"),
        ([*imp, str(good), "--out", out], "FK-XLS-006"),
        ([*imp, str(good), "--protocol", str(broken), "--out", out], "FK-XLS-006"),
        (
            ["xlsform", "export", "instruments/school.yaml", "--out", str(study / "s.xls")],
            "FK-XLS-005",
        ),
        (
            ["xlsform", "export", "instruments/school.yaml", "--out", str(study / "no" / "s.xlsx")],
            "FK-XLS-005",
        ),
        (
            ["xlsform", "export", str(study / "missing.yaml"), "--out", str(study / "s.xlsx")],
            "FK-YAML-005",
        ),
    ]


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The real entry point, in this process (a subprocess per mistake is too slow)."""
    saved = sys.argv
    sys.argv = ["fieldkit", *args]
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.argv = saved
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_mistakes_are_one_coded_line_and_write_nothing(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for args, code in _mistakes(study):
        before = sorted(p.name for p in study.rglob("*"))
        status, out, err = _main(args, capsys)
        assert status != 0, args
        lines = err.strip().splitlines()
        assert len(lines) == 1 and code in lines[0], (args, out, err)
        assert sorted(p.name for p in study.rglob("*")) == before, args
    assert (study / "instruments" / "exists.yaml").read_text() == "id: x\n"


def test_a_mistake_in_a_real_process_has_no_traceback(study: Path) -> None:
    fake = study / "fake.xlsx"
    fake.write_text("not a zip")
    done = run("xlsform", "import", str(fake), "--protocol", "p", "--out", str(study / "x.yaml"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: FK-XLS-002 fake.xlsx is not an .xlsx workbook")
    assert "Traceback" not in done.stdout + done.stderr


def test_force_overwrites_an_instrument(study: Path) -> None:
    good = write_xlsform(study / "good.xlsx", HOUSEHOLD)
    out = study / "instruments" / "h.yaml"
    out.write_text("old\n")
    done = run(
        "xlsform",
        "import",
        str(good),
        "--protocol",
        "household_child_labour",
        "--out",
        str(out),
        "--force",
    )
    assert done.returncode == 0, done.stderr
    assert out.read_text().startswith("# Imported from good.xlsx")


def test_every_command_has_help() -> None:
    for args in (["xlsform"], ["xlsform", "import"], ["xlsform", "export"]):
        done = CliRunner().invoke(app, [*args, "--help"])
        assert done.exit_code == 0
        assert "XLSForm" in done.output


def test_digits_stay_text_and_choice_values_stay_plain() -> None:
    """Regression: a label '0' was written as the number 0, which is not a label."""
    assert scalar("0") == '"0"'
    assert scalar("0", number=True) == "0"
    assert scalar("007", number=True) == '"007"'
    assert scalar("yes") == '"yes"'
    assert scalar("a\u2028b") == '"a\\u2028b"'
