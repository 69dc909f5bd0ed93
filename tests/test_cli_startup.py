"""Start-up stays fast: ``import fieldkit.cli`` pulls in no heavy library.

Command modules import the library inside the command function (fieldkit/cli/__init__.py
says why); a command registered with a heavy import at the top of its module fails here.
Times are measured in bench/ (bench/startup.py), never asserted in tests.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "cryptography",
    "openpyxl",
    "xlsxwriter",
    "pyarrow",
    "pandas",
    "pyreadstat",
    "lark",
    "fieldkit.instrument.schema",
    "fieldkit.protocol.schema",
    "fieldkit.store",
    "fieldkit.capture",
)
"""What no command needs before it runs (pydantic: the YAML schemas and the store's models)."""


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=True,
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY))


def test_importing_the_cli_imports_no_heavy_module() -> None:
    assert _heavy(_modules_after("import fieldkit.cli")) == []


def test_help_imports_no_heavy_module() -> None:
    """(A command's own --help goes through typer's option parsing, which uses pydantic.)"""
    code = "from fieldkit.cli import run\nrun(['--help'])"
    assert _heavy(_modules_after(code)) == []


def test_check_imports_only_what_compiling_needs() -> None:
    """Checking an instrument needs the compiler (pydantic schemas, lark), not the stores,
    the keys or the export writers."""
    code = f"from fieldkit.cli import run\nrun(['check', {str(REPO / 'instruments' / 'street.yaml')!r}])"
    loaded = _modules_after(code)
    assert "fieldkit.instrument.compiler" in loaded
    needed = ("pydantic", "lark", "fieldkit.instrument.schema", "fieldkit.protocol.schema")
    extra = [m for m in _heavy(loaded) if not any(m == n or m.startswith(f"{n}.") for n in needed)]
    assert extra == []


def test_the_package_resolves_its_public_names_on_first_use() -> None:
    loaded = _modules_after("import fieldkit")
    assert "fieldkit.instrument.compiler" not in loaded
    loaded = _modules_after("import fieldkit\nfieldkit.load_project")
    assert "fieldkit.project" in loaded
