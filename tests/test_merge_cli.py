"""The bundle, device, merge, conflicts and quarantine commands, run as a coordinator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fieldkit.cli.bundles import register
from fieldkit.errors import BundleError
from fieldkit.store import LaptopStore
from tests.merge_fixtures import (
    PROJECT_KEY,
    Expected,
    Field,
    Household,
    _collector,
    _now,
    adult_consent,
    build_field,
    make_project,
)

runner = CliRunner()
app = typer.Typer()
register(app)


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.fixture(autouse=True)
def project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The merge command reads protocols/ and instruments/ from the working folder."""
    from tests.conftest import PROTOCOL_YAML
    from tests.merge_fixtures import INSTRUMENT, MAX_DISTRICTS, district_name

    (tmp_path / "protocols").mkdir()
    (tmp_path / "protocols" / "p.yaml").write_text(PROTOCOL_YAML)
    (tmp_path / "instruments").mkdir()
    choices = "\n".join(
        f"    - {{value: {district_name(k)}, label: {{en: District {k}}}}}"
        for k in range(MAX_DISTRICTS)
    )
    (tmp_path / "instruments" / "hh.yaml").write_text(INSTRUMENT.format(districts=choices))
    monkeypatch.chdir(tmp_path)


def invoke(*args: str) -> object:
    result = runner.invoke(app, [*args])
    return result


def test_every_command_has_help() -> None:
    for args in (
        ["bundle"],
        ["device", "init"],
        ["device", "register"],
        ["merge"],
        ["conflicts"],
        ["conflicts", "resolve"],
        ["quarantine"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_from_laptop_to_coordinator_and_back(tmp_path: Path, field: Field) -> None:
    laptop = tmp_path / "laptop.sqlite"
    with LaptopStore.open(laptop, project_public_key=PROJECT_KEY.public_key()):
        pass
    result = runner.invoke(app, ["device", "init", "--db", str(laptop)])
    assert result.exit_code == 0, result.output
    [public] = tmp_path.glob("device-*.pub")
    store = str(tmp_path / "hq.sqlite")
    result = runner.invoke(app, ["device", "register", str(public), "--into", store])
    assert result.exit_code == 0 and "registered" in result.output
    from fieldkit.bundle import load_device_key
    from tests.merge_fixtures import Laptop

    key = load_device_key(laptop.with_name(laptop.name + ".device-key"))
    with _collector(Laptop(laptop, key, "d00"), make_project().forms["hh_merge"], Expected()) as c:
        c.interview(Household("d00", 4, 1, [(1, 30, 2), (2, 11, 1)]), adult_consent(_now()))
    result = runner.invoke(app, ["bundle", "--db", str(laptop), "--out", "north.fkb", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["interviews"] == 1
    result = runner.invoke(app, ["merge", "north.fkb", "--into", store])
    assert result.exit_code == 0, result.output
    assert "merged" in result.output and "Per district" in result.output
    result = runner.invoke(app, ["bundle", "--db", str(laptop), "--receipt", "north.fkb.receipt"])
    assert result.exit_code == 0 and "1 interview removed" in result.output
    result = runner.invoke(app, ["bundle", "--db", str(laptop), "--receipt", "north.fkb.receipt"])
    assert "already applied" in result.output


def test_merge_json_conflicts_and_quarantine(tmp_path: Path, field: Field) -> None:
    store = str(tmp_path / "hq.sqlite")
    for laptop in field.laptops:
        public = laptop.path.with_name(f"device-{laptop.key.device_id}.pub")
        assert (
            runner.invoke(app, ["device", "register", str(public), "--into", store]).exit_code == 0
        )
    args = [
        "merge",
        *map(str, field.bundles),
        "--into",
        store,
        "--json",
        "--receipts",
        str(tmp_path),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["interviews_new"] == field.expected.interviews
    assert report["duplicates"]["content"] == 1
    result = runner.invoke(app, ["conflicts", "--store", store])
    assert result.exit_code == 0 and "U-" in result.output and "hh_size" in result.output
    [conflict] = json.loads(runner.invoke(app, ["conflicts", "--store", store, "--json"]).output)
    keep = conflict["members"][0]["interview_id"]
    result = runner.invoke(
        app,
        [
            "conflicts",
            "resolve",
            conflict["id"],
            "--keep",
            keep,
            "--reason",
            "revisit",
            "--store",
            store,
            "--by",
            "amina",
        ],
    )
    assert result.exit_code == 0 and "resolved" in result.output, result.output
    assert "no unit conflicts" in runner.invoke(app, ["conflicts", "--store", store]).output
    resolved = json.loads(
        runner.invoke(app, ["conflicts", "--store", store, "--all", "--json"]).output
    )
    assert resolved[0]["resolved_by"] == "amina" and resolved[0]["reason"] == "revisit"
    result = runner.invoke(app, ["quarantine", "--store", store])
    assert result.exit_code == 0 and "missing_consent" in result.output
    entries = json.loads(runner.invoke(app, ["quarantine", "--store", store, "--json"]).output)
    assert len(entries) == sum(field.expected.quarantined.values())


def test_a_rejected_bundle_makes_merge_fail(tmp_path: Path) -> None:
    bad = tmp_path / "bad.fkb"
    bad.write_bytes(b"not a bundle\n")
    result = runner.invoke(app, ["merge", str(bad), "--into", str(tmp_path / "hq.sqlite")])
    assert result.exit_code == 1
    assert "FK-BUNDLE-001" in result.output


def test_bundle_needs_out_or_receipt_and_a_device_key(tmp_path: Path) -> None:
    laptop = tmp_path / "laptop.sqlite"
    LaptopStore.open(laptop, project_public_key=PROJECT_KEY.public_key()).close()
    assert runner.invoke(app, ["bundle", "--db", str(laptop)]).exit_code == 2
    result = runner.invoke(app, ["bundle", "--db", str(laptop), "--out", "x.fkb"])
    assert isinstance(result.exception, BundleError)
    assert result.exception.code == "FK-BUNDLE-026"
