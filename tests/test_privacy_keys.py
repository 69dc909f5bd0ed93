"""The study's key files and ``fieldkit keys``: custody, passphrases, clear errors, no overwrites."""

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
from fieldkit.privacy.custody import create_project_keys, share_file_name
from fieldkit.privacy.keys import (
    PUBLIC_HEADER,
    fingerprint,
    generate_device_key,
    load_merge_key,
    load_project_keys,
    parse_merge_key,
    parse_project_keys,
)
from fieldkit.privacy.sealing import open_sealed, seal
from fieldkit.privacy.shares import combine_key_shares, open_share
from fieldkit.privacy.wrapping import unwrap_secret, wrap_secret

PASSPHRASE = "correct horse battery staple"
FAST = 10  # scrypt log2 N for tests; real keys use 17
PEOPLE = [("Ama", "Ama's own passphrase"), ("Yaw", "Yaw's own passphrase"), ("Efua", "Efua's")]


@pytest.fixture(scope="module")
def made() -> object:
    return create_project_keys(
        merge_passphrase=PASSPHRASE,
        custodians=[(n, p + " long enough") for n, p in PEOPLE],
        threshold=2,
        log_n=FAST,
    )


def test_the_identity_key_exists_only_as_shares_and_k_of_them_rebuild_it(made: object) -> None:
    public = parse_project_keys(made.public_file)  # type: ignore[attr-defined]
    assert made.public_file.decode().splitlines()[0] == PUBLIC_HEADER  # type: ignore[attr-defined]
    assert sorted(made.share_files) == ["Ama", "Efua", "Yaw"]  # type: ignore[attr-defined]
    shares = {
        name: open_share(data, dict(PEOPLE)[name] + " long enough")
        for name, data in made.share_files.items()  # type: ignore[attr-defined]
    }
    rebuilt = combine_key_shares([shares["Yaw"], shares["Efua"]])
    assert fingerprint(rebuilt.public_key()) == fingerprint(public.identity)
    assert open_sealed(rebuilt, seal(public.identity, b"Amina", b"ctx"), b"ctx") == b"Amina"
    with pytest.raises(PrivacyError):  # one share alone rebuilds nothing
        combine_key_shares([shares["Ama"]])
    merge = parse_merge_key(made.merge_file, PASSPHRASE)  # type: ignore[attr-defined]
    assert fingerprint(merge.public_key()) == fingerprint(public.merge)
    assert fingerprint(public.merge) != fingerprint(public.identity)
    assert PASSPHRASE.encode() not in made.merge_file  # type: ignore[attr-defined]


def test_a_wrong_merge_passphrase_is_one_line_fk_key_001(tmp_path: Path, made: object) -> None:
    path = tmp_path / "merge.key"
    path.write_bytes(made.merge_file)  # type: ignore[attr-defined]
    with pytest.raises(PrivacyError) as caught:
        load_merge_key(path, PASSPHRASE + "!")
    assert caught.value.code == "FK-KEY-001"
    assert "merge.key" in caught.value.one_line() and "\n" not in caught.value.one_line()


def test_an_altered_wrapped_secret_does_not_open() -> None:
    blob = bytearray(wrap_secret(b"secret" * 6, PASSPHRASE, purpose="test", log_n=FAST))
    for position in (6, 30, len(blob) - 1):  # the cost, the nonce, the tag
        altered = bytearray(blob)
        altered[position] ^= 1
        with pytest.raises(PrivacyError) as caught:
            unwrap_secret(bytes(altered), PASSPHRASE, purpose="test")
        assert caught.value.code in ("FK-KEY-001", "FK-KEY-002")
    with pytest.raises(PrivacyError) as caught:  # another purpose: does not open
        unwrap_secret(bytes(blob), PASSPHRASE, purpose="other")
    assert caught.value.code == "FK-KEY-001"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x89PNG\r\n\x1a\n" + bytes(100),
        b"-----BEGIN FIELDKIT MERGE PRIVATE KEY-----\nnot base64!\n"
        b"-----END FIELDKIT MERGE PRIVATE KEY-----\n",
        b"-----BEGIN FIELDKIT MERGE PRIVATE KEY-----\nAAAA\n"
        b"-----END FIELDKIT MERGE PRIVATE KEY-----\n",
        b"-----BEGIN FIELDKIT MERGE PRIVATE KEY-----\n"
        + base64.b64encode(b"XXXX" + bytes(80))  # right length, wrong magic
        + b"\n-----END FIELDKIT MERGE PRIVATE KEY-----\n",
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGjMF8GCSqGSIb3DQEFDTBS\n-----END ENCRYPTED PRIVATE KEY-----\n",
    ],
)
def test_garbage_merge_key_files_are_fk_key_002(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "merge.key"
    path.write_bytes(content)
    with pytest.raises(PrivacyError) as caught:
        load_merge_key(path, PASSPHRASE)
    assert caught.value.code == "FK-KEY-002"


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI",
        f"{PUBLIC_HEADER}\nidentity AAAA\nmerge AAAA\n".encode(),
        f"{PUBLIC_HEADER}\nidentity {base64.b64encode(bytes(32)).decode()}\n".encode(),
        f"{PUBLIC_HEADER}\nidentity {base64.b64encode(bytes(32)).decode()}\n"
        f"other {base64.b64encode(bytes(32)).decode()}\n".encode(),
        f"some other key\n{base64.b64encode(bytes(32)).decode()}\n".encode(),
    ],
)
def test_garbage_public_key_files_are_fk_key_002(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "project.pub"
    path.write_bytes(content)
    with pytest.raises(PrivacyError) as caught:
        load_project_keys(path)
    assert caught.value.code == "FK-KEY-002"


def test_missing_key_file_is_fk_key_002(tmp_path: Path) -> None:
    with pytest.raises(PrivacyError) as caught:
        load_project_keys(tmp_path / "nowhere.pub")
    assert caught.value.code == "FK-KEY-002"


def test_short_passphrases_are_refused() -> None:
    for merge, custodian in ((PASSPHRASE, "short"), ("short", PASSPHRASE)):
        with pytest.raises(PrivacyError) as caught:
            create_project_keys(
                merge_passphrase=merge,
                custodians=[("Ama", custodian), ("Yaw", PASSPHRASE)],
                threshold=2,
                log_n=FAST,
            )
        assert caught.value.code == "FK-KEY-004"


def test_passphrases_are_unicode_normalised() -> None:
    blob = wrap_secret(b"k" * 32, "Ama Serwaa café ñandú", purpose="test", log_n=FAST)
    decomposed = "Ama Serwaa cafe\u0301 n\u0303andu\u0301"
    assert unwrap_secret(blob, decomposed, purpose="test") == b"k" * 32


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


def _secrets(tmp_path: Path) -> list[str]:
    """Options for three custodians and the merge key, their passphrases in files."""
    folder = tmp_path / "secrets"
    folder.mkdir(exist_ok=True)
    args = []
    for name, secret in [("merge", PASSPHRASE), *PEOPLE]:
        (folder / name).write_text(secret + " long enough\n")
    args += ["--merge-passphrase-file", str(folder / "merge")]
    for name, _ in PEOPLE:
        args += ["--custodian", f"{name}=file:{folder / name}"]
    return args


def test_keys_init_writes_public_keys_a_merge_key_and_one_share_each(tmp_path: Path) -> None:
    out = tmp_path / "keys"
    args = ["keys", "init", "--out", str(out), "--threshold", "2", *_secrets(tmp_path)]
    result = CliRunner().invoke(_app(), args)
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == [
        "merge.key",
        "project.pub",
        "shares/share-ama.txt",
        "shares/share-efua.txt",
        "shares/share-yaw.txt",
    ]
    for path in out.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path
    public = load_project_keys(out / "project.pub")
    assert fingerprint(public.identity) in result.output
    merge = load_merge_key(out / "merge.key", PASSPHRASE + " long enough")
    assert fingerprint(merge.public_key()) == fingerprint(public.merge)
    ama = open_share(
        (out / "shares/share-ama.txt").read_bytes(), "Ama's own passphrase long enough"
    )
    yaw = open_share(
        (out / "shares/share-yaw.txt").read_bytes(), "Yaw's own passphrase long enough"
    )
    assert fingerprint(combine_key_shares([ama, yaw]).public_key()) == fingerprint(public.identity)

    before = (out / "merge.key").read_bytes()
    again = CliRunner().invoke(keys_app, ["init", "--out", str(out), *_secrets(tmp_path)])
    assert isinstance(again.exception, PrivacyError)
    assert again.exception.code == "FK-KEY-003"
    assert (out / "merge.key").read_bytes() == before

    shown = CliRunner().invoke(keys_app, ["show-public", str(out / "project.pub")])
    assert shown.exit_code == 0
    assert PUBLIC_HEADER in shown.output and fingerprint(public.merge) in shown.output


def test_keys_init_prompts_for_names_and_passphrases_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fieldkit.cli.unlock.can_prompt", lambda: True)
    out = tmp_path / "keys"
    ama, yaw = "A types this one", "Y types this one"
    lines = ["Ama", "Yaw", PASSPHRASE, PASSPHRASE, ama, ama, yaw, yaw]  # each asked twice
    result = CliRunner().invoke(
        keys_app, ["init", "--out", str(out), "-n", "2"], input="\n".join(lines) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert open_share((out / "shares/share-yaw.txt").read_bytes(), "Y types this one")
    assert PASSPHRASE not in result.output


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--threshold", "4"], "FK-KEY-005"),  # more than there are custodians
        (["--custodians", "2"], None),  # three --custodian given: a usage error
    ],
)
def test_keys_init_refuses_impossible_custody(
    tmp_path: Path, extra: list[str], code: str | None
) -> None:
    args = ["init", "--out", str(tmp_path / "k"), *_secrets(tmp_path), *extra]
    result = CliRunner().invoke(keys_app, args)
    assert result.exit_code != 0
    if code is not None:
        assert isinstance(result.exception, PrivacyError) and result.exception.code == code
    assert not (tmp_path / "k" / "merge.key").exists()


def test_keys_init_refuses_a_short_passphrase_and_a_missing_variable(tmp_path: Path) -> None:
    short = tmp_path / "short.txt"
    short.write_text("abc")
    base = ["init", "--out", str(tmp_path / "k"), "--custodian", f"Ama=file:{short}"]
    base += ["--custodian", "Yaw=env:FK_TEST_UNSET_VARIABLE"]
    merge = ["--merge-passphrase-file", str(tmp_path / "secrets" / "merge")]
    _secrets(tmp_path)
    result = CliRunner().invoke(keys_app, [*base, *merge])
    assert isinstance(result.exception, PrivacyError)
    assert result.exception.code == "FK-KEY-052"  # Yaw's variable is not set
    (tmp_path / "short2.txt").write_text(PASSPHRASE)
    base[-1] = f"Yaw=file:{tmp_path / 'short2.txt'}"
    result = CliRunner().invoke(keys_app, [*base, *merge])
    assert isinstance(result.exception, PrivacyError)
    assert result.exception.code == "FK-KEY-004"  # Ama's is too short
    assert not (tmp_path / "k").exists()


def test_share_file_names_are_safe() -> None:
    assert share_file_name("Ama Serwaa") == "share-ama-serwaa.txt"
    assert share_file_name("Ñandú / ../etc") == "share-nandu-etc.txt"
    assert share_file_name("中文") == "share-custodian.txt"


def test_every_keys_command_has_help() -> None:
    for command in keys_app.registered_commands:
        assert command.callback is not None and command.callback.__doc__
    result = CliRunner().invoke(_app(), ["keys", "--help"])
    assert result.exit_code == 0
    for name in ("init", "show-public"):
        assert name in result.output
