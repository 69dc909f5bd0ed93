"""fieldkit export / tables, from a coordinator store to files and a printed table."""

from __future__ import annotations

import hashlib
import json
from getpass import getuser
from pathlib import Path

import openpyxl
import pytest
import typer
from typer.testing import CliRunner

from fieldkit.cli import datasets
from fieldkit.dataset import DatasetError
from fieldkit.export import ExportError
from fieldkit.privacy.audit import AuditLog
from fieldkit.store.coordinator import open_coordinator
from tests.conftest import PROTOCOL_YAML
from tests.data.handmade import INSTRUMENT, compile_form, stream
from tests.data.store_rows import fill_store
from tests.test_dataset_store import EXCLUDED


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("study")
    (folder / "protocol.yaml").write_text(PROTOCOL_YAML, encoding="utf-8")
    (folder / "mini.yaml").write_text(INSTRUMENT, encoding="utf-8")
    fill_store(folder / "hq.sqlite", compile_form(), *stream(), excluded=EXCLUDED)
    args = ["--store", str(folder / "hq.sqlite"), "--instrument", "mini_household"]
    return folder, [*args, "--project", str(folder)]


def _app() -> typer.Typer:
    app = typer.Typer()
    datasets.register(app)
    return app


def test_export_writes_the_workbook_and_csv(study: tuple[Path, list[str]]) -> None:
    folder, args = study
    result = CliRunner().invoke(
        _app(), ["export", *args, "--xlsx", str(folder / "out.xlsx"), "--csv", str(folder / "csv")]
    )
    assert result.exit_code == 0, result.output
    assert "mini_household__members: 25 rows" in result.output
    assert "FK-DATA-008" in result.output  # no weighted table: a warning, not a failure
    book = openpyxl.load_workbook(folder / "out.xlsx", read_only=True)
    assert book.sheetnames[:3] == ["About", "Codebook", "Tables"]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True)}
    # one quarantined, one duplicate: too few to print (and not to be worked out)
    assert about["Interviews: quarantined"] == "x" and about["Interviews: duplicates"] == "x"
    assert about["Release profile"] == "restricted"
    book.close()
    assert (folder / "csv" / "mini_household__members.csv").exists()


def test_export_needs_a_target(study: tuple[Path, list[str]]) -> None:
    result = CliRunner().invoke(_app(), ["export", *study[1]])
    assert isinstance(result.exception, ExportError)
    assert result.exception.code == "FK-EXPORT-051"


def test_tables_prints_a_suppressed_table(study: tuple[Path, list[str]]) -> None:
    result = CliRunner().invoke(_app(), ["tables", *study[1], "--by", "sex", "--json"])
    assert result.exit_code == 0, result.output
    assert "Table 1. Child labour, SNA production boundary (ILO, 18th ICLS)" in result.output
    printed = CliRunner().invoke(_app(), ["tables", *study[1], "--by", "sex"])
    assert printed.exit_code == 0, printed.output
    assert "Total" in printed.output and "hidden to protect" in printed.output


def test_a_printed_table_is_audited_before_it_is_shown(study: tuple[Path, list[str]]) -> None:
    """A table printed in the terminal is a release: the audit log names the profile, the
    table asked for, the SHA-256 of what was printed and who (the login name: this store
    has no user register)."""
    folder, args = study
    result = CliRunner().invoke(_app(), ["tables", *args, "--by", "sex", "--json"])
    assert result.exit_code == 0, result.output
    with open_coordinator(folder / "hq.sqlite") as db:
        log = AuditLog(db)
        entry = log.entries()[-1]
        assert log.verify().ok
    detail = json.loads(entry.detail)
    assert (entry.action, entry.subject, entry.actor) == ("tables", "mini_household", getuser())
    assert detail["profile"] == "restricted" and detail["role"] == "statistician"
    assert detail["table"]["indicator"] == "cl_ilo_sna" and detail["table"]["by"] == ["sex"]
    assert detail["user"] == "login name: this store has no user register"
    printed = json.dumps(json.loads(result.output), ensure_ascii=False).encode("utf-8")
    assert detail["printed_sha256"] == hashlib.sha256(printed).hexdigest()


def test_weighted_tables_explain_a_design_without_variance(study: tuple[Path, list[str]]) -> None:
    # two households left out of the store: strata 2 and 3 keep a single PSU each
    result = CliRunner().invoke(_app(), ["tables", *study[1], "--weighted"])
    assert isinstance(result.exception, DatasetError)
    assert result.exception.code == "FK-DATA-008"


def test_commands_have_help() -> None:
    for command in ("export", "tables"):
        result = CliRunner().invoke(_app(), [command, "--help"])
        assert result.exit_code == 0 and "--store" in result.output
