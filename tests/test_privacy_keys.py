"""Project key files and ``fieldkit keys``: passphrase protection, clear errors, no overwrites."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from fieldkit.cli.keys import keys_app, register
from fieldkit.errors import PrivacyError
from fieldkit.privacy.keys import (
    PUBLIC_HEADER,
    decrypt_private_key,
    fingerprint,
    generate_device_key,
    generate_project_keys,
    load_private_key,
    load_public_key,
    parse_public_key,
)
from fieldkit.privacy.sealing import open_sealed, seal
from fieldkit.privacy.shares import combine_key_shares, load_share

PASSPHRASE = "correct horse battery staple"
FAST = 14  # scrypt log2 N for tests; real keys use 17


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("keys")
    private, public = generate_project_keys(PASSPHRASE, log_n=FAST)
    (folder / "project.key").write_bytes(private)
    (folder / "project.pub").write_bytes(public)
    return folder / "project.key", folder / "project.pub"


def test_key_pair_round_trip(key_files: tuple[Path, Path]) -> None:
    key_path, public_path = key_files
    private = load_private_key(key_path, PASSPHRASE)
    public = load_public_key(public_path)
    assert fingerprint(private.public_key()) == fingerprint(public)
    assert open_sealed(private, seal(public, b"Amina", b"ctx"), b"ctx") == b"Amina"
    text = public_path.read_text()
    assert text.splitlines()[0] == PUBLIC_HEADER
    assert len(base64.b64decode(text.splitlines()[1])) == 32
    armoured = key_path.read_bytes()
    assert armoured.startswith(b"-----BEGIN FIELDKIT PROJECT PRIVATE KEY-----")
    assert PASSPHRASE.encode() not in armoured


def test_wrong_passphrase_is_fk_key_001(key_files: tuple[Path, Path]) -> None:
    with pytest.raises(PrivacyError) as caught:
        load_private_key(key_files[0], PASSPHRASE + "!")
    assert caught.value.code == "FK-KEY-001"
    assert "project.key" in caught.value.one_line()


def test_an_altered_key_file_does_not_open(key_files: tuple[Path, Path]) -> None:
    lines = key_files[0].read_bytes().splitlines()
    blob = bytearray(base64.b64decode(b"".join(lines[1:-1])))
    blob[-1] ^= 1
    damaged = b"\n".join([lines[0], base64.encodebytes(bytes(blob)).strip(), lines[-1]])
    with pytest.raises(PrivacyError) as caught:
        decrypt_private_key(damaged, PASSPHRASE)
    assert caught.value.code == "FK-KEY-001"  # AES-GCM cannot tell a wrong passphrase apart


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        b"-----BEGIN FIELDKIT PROJECT PRIVATE KEY-----\nnot base64!\n"
        b"-----END FIELDKIT PROJECT PRIVATE KEY-----\n",
        b"-----BEGIN FIELDKIT PROJECT PRIVATE KEY-----\nAAAA\n"
        b"-----END FIELDKIT PROJECT PRIVATE KEY-----\n",
        b"-----BEGIN FIELDKIT PROJECT PRIVATE KEY-----\n"
        + base64.b64encode(b"XXXX" + bytes(80))  # right length, wrong magic
        + b"\n-----END FIELDKIT PROJECT PRIVATE KEY-----\n",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGjMF8GCSqGSIb3DQEFDTBS\n-----END ENCRYPTED PRIVATE KEY-----\n",
    ],
)
def test_garbage_private_key_files_are_fk_key_002(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "project.key"
    path.write_bytes(content)
    with pytest.raises(PrivacyError) as caught:
        load_private_key(path, PASSPHRASE)
    assert caught.value.code == "FK-KEY-002"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI",
        f"{PUBLIC_HEADER}\nAAAA\n".encode(),
        f"{PUBLIC_HEADER}\n{base64.b64encode(bytes(33)).decode()}\n".encode(),
        f"some other key\n{base64.b64encode(bytes(32)).decode()}\n".encode(),
    ],
)
def test_garbage_public_key_files_are_fk_key_002(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "project.pub"
    path.write_bytes(content)
    with pytest.raises(PrivacyError) as caught:
        load_public_key(path)
    assert caught.value.code == "FK-KEY-002"


def test_missing_key_file_is_fk_key_002(tmp_path: Path) -> None:
    with pytest.raises(PrivacyError) as caught:
        load_public_key(tmp_path / "nowhere.pub")
    assert caught.value.code == "FK-KEY-002"


def test_short_passphrases_are_refused() -> None:
    with pytest.raises(PrivacyError) as caught:
        generate_project_keys("short", log_n=FAST)
    assert caught.value.code == "FK-KEY-004"


def test_passphrases_are_unicode_normalised() -> None:
    private, public = generate_project_keys("Ama Serwaa café ñandú", log_n=FAST)
    decomposed = "Ama Serwaa cafe\u0301 n\u0303andu\u0301"
    key = decrypt_private_key(private, decomposed)
    assert fingerprint(key.public_key()) == fingerprint(parse_public_key(public))


def test_device_keys_sign() -> None:
    key = generate_device_key()
    assert isinstance(key, Ed25519PrivateKey)
    key.public_key().verify(key.sign(b"bundle"), b"bundle")


# -- the CLI ------------------------------------------------------------------------------


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _root() -> None:
        """fieldkit"""

    return app


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "pass.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


def test_keys_init_writes_a_protected_pair(tmp_path: Path, passphrase_file: Path) -> None:
    out = tmp_path / "keys"
    result = CliRunner().invoke(
        _app(), ["keys", "init", "--out", str(out), "--passphrase-file", str(passphrase_file)]
    )
    assert result.exit_code == 0, result.output
    key_mode = stat.S_IMODE((out / "project.key").stat().st_mode)
    assert key_mode == 0o600
    private = load_private_key(out / "project.key", PASSPHRASE)  # trailing newline dropped
    public = load_public_key(out / "project.pub")
    assert fingerprint(private.public_key()) == fingerprint(public)
    assert fingerprint(public) in result.output

    before = (out / "project.key").read_bytes()
    again = CliRunner().invoke(
        keys_app, ["init", "--out", str(out), "--passphrase-file", str(passphrase_file)]
    )
    assert again.exit_code != 0
    assert isinstance(again.exception, PrivacyError)
    assert again.exception.code == "FK-KEY-003"
    assert (out / "project.key").read_bytes() == before

    shown = CliRunner().invoke(keys_app, ["show-public", str(out / "project.pub")])
    assert shown.exit_code == 0
    assert PUBLIC_HEADER in shown.output and fingerprint(public) in shown.output

    arguments = ["shares", "-n", "3", "--key", str(out / "project.key")]
    arguments += ["--out", str(tmp_path / "s"), "--passphrase-file", str(passphrase_file)]
    shares = CliRunner().invoke(keys_app, arguments)
    assert shares.exit_code == 0, shares.output
    files = sorted((tmp_path / "s").iterdir())
    assert [f.name for f in files] == [f"share-{i}-of-3.txt" for i in (1, 2, 3)]
    rebuilt = combine_key_shares([load_share(files[2]), load_share(files[0])])
    assert fingerprint(rebuilt.public_key()) == fingerprint(public)


def test_keys_init_prompts_twice_without_a_passphrase_file(tmp_path: Path) -> None:
    out = tmp_path / "keys"
    typed = f"{PASSPHRASE}\n{PASSPHRASE}\n"
    result = CliRunner().invoke(keys_app, ["init", "--out", str(out)], input=typed)
    assert result.exit_code == 0, result.output
    assert load_private_key(out / "project.key", PASSPHRASE)


def test_keys_init_refuses_a_short_passphrase(tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("abc")
    result = CliRunner().invoke(
        keys_app, ["init", "--out", str(tmp_path / "k"), "--passphrase-file", str(short)]
    )
    assert isinstance(result.exception, PrivacyError)
    assert result.exception.code == "FK-KEY-004"
    assert not (tmp_path / "k" / "project.key").exists()


def test_every_keys_command_has_help() -> None:
    for command in keys_app.registered_commands:
        assert command.callback is not None and command.callback.__doc__
    result = CliRunner().invoke(_app(), ["keys", "--help"])
    assert result.exit_code == 0
    for name in ("init", "shares", "show-public"):
        assert name in result.output
