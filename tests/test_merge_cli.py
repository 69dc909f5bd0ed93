"""The bundle, device, merge, conflicts and quarantine commands, run as a coordinator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from typer.testing import CliRunner

from fieldkit.cli.bundles import register
from fieldkit.errors import BundleError, FieldkitError, PrivacyError
from fieldkit.privacy.keys import merge_key_file
from fieldkit.store import LaptopStore, StoreKey, create_store_key
from tests.merge_fixtures import (
    Expected,
    Field,
    Household,
    _collector,
    _now,
    adult_consent,
    build_field,
    device_key_of,
    make_project,
    register_all,
)
from tests.test_store_helpers import MERGE_KEY, PROJECT_KEYS

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
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "merge.key").write_bytes(
        merge_key_file(MERGE_KEY, MERGE_PASSPHRASE, log_n=10)
    )
    (tmp_path / "merge-passphrase.txt").write_text(MERGE_PASSPHRASE + "\n")
    monkeypatch.chdir(tmp_path)


MERGE_PASSPHRASE = "the coordinator's merge passphrase"
UNLOCK_MERGE = ("--passphrase-file", "merge-passphrase.txt")
"""The merge key is keys/merge.key in the working folder (the default); its passphrase."""


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


def _laptop_with_passphrase(tmp_path: Path) -> tuple[Path, list[str], StoreKey]:
    """A laptop store set up with a passphrase (cheap scrypt), and the CLI options for it."""
    laptop = tmp_path / "laptop.sqlite"
    secret = tmp_path / "enumerator-passphrase.txt"
    secret.write_text("the enumerator's passphrase\n")
    key = create_store_key(laptop, "the enumerator's passphrase", log_n=10)
    LaptopStore.open(laptop, project_keys=PROJECT_KEYS, key=key).close()
    return laptop, ["--db", str(laptop), "--passphrase-file", str(secret)], key


def test_from_laptop_to_coordinator_and_back(tmp_path: Path, field: Field) -> None:
    laptop, unlock, key = _laptop_with_passphrase(tmp_path)
    result = runner.invoke(app, ["device", "init", *unlock])
    assert result.exit_code == 0, result.output
    assert "signing key kept inside laptop.sqlite" in result.output
    [public] = tmp_path.glob("device-*.pub")
    store = str(tmp_path / "hq.sqlite")
    result = runner.invoke(app, ["device", "register", str(public), "--into", store])
    assert result.exit_code == 0 and "registered" in result.output
    from tests.merge_fixtures import Laptop

    device = Laptop(laptop, device_key_of(laptop, key), "d00", store_key=key)
    with _collector(device, make_project().forms["hh_merge"], Expected()) as c:
        c.interview(Household("d00", 4, 1, [(1, 30, 2), (2, 11, 1)]), adult_consent(_now()))
    result = runner.invoke(app, ["bundle", *unlock, "--out", "north.fkb", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"]["interviews"] == 1
    result = runner.invoke(app, ["merge", "north.fkb", "--into", store, *UNLOCK_MERGE])
    assert result.exit_code == 0, result.output
    assert "merged" in result.output and "Per district" in result.output
    result = runner.invoke(app, ["bundle", *unlock, "--receipt", "north.fkb.receipt"])
    assert result.exit_code == 0 and "1 interview removed" in result.output
    result = runner.invoke(app, ["bundle", *unlock, "--receipt", "north.fkb.receipt"])
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
        *UNLOCK_MERGE,
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
    args = ["merge", str(bad), "--into", str(tmp_path / "hq.sqlite"), *UNLOCK_MERGE]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "FK-BUNDLE-001" in result.output


def test_merge_needs_the_merge_key_and_its_passphrase(tmp_path: Path, field: Field) -> None:
    store = str(tmp_path / "hq.sqlite")
    register_all(field, store)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the merge passphrase\n")
    bundle = str(field.bundles[0])
    for extra, code in (
        (["--passphrase-file", str(wrong)], "FK-KEY-001"),
        (["--merge-key", str(tmp_path / "none.key"), *UNLOCK_MERGE], "FK-KEY-002"),
        ([], "FK-CLI-053"),  # no terminal here, and no passphrase given
    ):
        result = runner.invoke(app, ["merge", bundle, "--into", store, *extra])
        assert isinstance(result.exception, FieldkitError), result.output
        assert result.exception.code == code
    other = tmp_path / "other.key"
    other.write_bytes(merge_key_file(X25519PrivateKey.generate(), MERGE_PASSPHRASE, log_n=10))
    args = ["merge", bundle, "--into", store, "--merge-key", str(other), *UNLOCK_MERGE]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1  # another study's merge key opens no payload
    assert json.loads(result.output)["bundles"]["items"][0]["code"] == "FK-BUNDLE-030"


def test_bundle_needs_out_or_receipt_a_device_key_and_the_passphrase(tmp_path: Path) -> None:
    laptop, unlock, _ = _laptop_with_passphrase(tmp_path)
    assert runner.invoke(app, ["bundle", *unlock]).exit_code == 2
    result = runner.invoke(app, ["bundle", *unlock, "--out", "x.fkb"])
    assert isinstance(result.exception, BundleError)
    assert result.exception.code == "FK-BUNDLE-020"
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the enumerator's passphrase\n")
    result = runner.invoke(
        app, ["bundle", "--db", str(laptop), "--passphrase-file", str(wrong), "--out", "x.fkb"]
    )
    assert isinstance(result.exception, PrivacyError)
    assert result.exception.code == "FK-KEY-001"
    result = runner.invoke(  # no terminal to ask on, and no passphrase given: one line
        app, ["bundle", "--db", str(laptop), "--out", "x.fkb"]
    )
    assert isinstance(result.exception, FieldkitError)
    assert result.exception.code == "FK-CLI-053"
    result = runner.invoke(
        app, ["bundle", "--db", str(laptop), "--passphrase-env", "FK_NOT_SET", "--out", "x.fkb"]
    )
    assert isinstance(result.exception, PrivacyError)
    assert result.exception.code == "FK-KEY-052"
    assert not (tmp_path / "x.fkb").exists()
