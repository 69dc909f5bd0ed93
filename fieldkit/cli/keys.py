"""fieldkit keys init / shares / show-public: the project key pair that seals identities."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy.keys import (
    fingerprint,
    generate_project_keys,
    load_private_key,
    load_public_key,
)
from fieldkit.privacy.shares import share_text, split_private_key

__all__ = ["keys_app", "register"]

keys_app = typer.Typer(
    name="keys",
    help="Project keys: laptops seal identities with project.pub; only project.key opens them.",
    no_args_is_help=True,
)

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="Read the passphrase from this file (scripts, CI) instead of asking.",
        exists=True,
        dir_okay=False,
        readable=True,
    ),
]


@keys_app.command("init")
def init(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for project.key and project.pub.")
    ] = Path("keys"),
    passphrase_file: PassphraseFile = None,
) -> None:
    """Create the project key pair; refuses to overwrite existing keys."""
    key_path, public_path = out / "project.key", out / "project.pub"
    _refuse_existing([key_path, public_path])
    passphrase = _passphrase(passphrase_file, confirm=True)
    private, public = generate_project_keys(passphrase)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_new(key_path, private, 0o600)
    _write_new(public_path, public, 0o644)
    key = load_public_key(public_path)
    console.print(f"wrote {escape(str(key_path))} (keep it offline, with its passphrase apart)")
    console.print(f"wrote {escape(str(public_path))}, key {fingerprint(key)}: copy it to laptops")


@keys_app.command("shares")
def shares(
    count: Annotated[int, typer.Option("--count", "-n", min=2, max=255, help="Shares to make.")],
    key: Annotated[Path, typer.Option("--key", help="The project private key.")] = Path(
        "keys/project.key"
    ),
    out: Annotated[Path, typer.Option("--out", help="Folder for the share files.")] = Path(
        "shares"
    ),
    passphrase_file: PassphraseFile = None,
) -> None:
    """Split the private key into N shares; any 2 custodians together can open identities."""
    paths = [out / f"share-{index}-of-{count}.txt" for index in range(1, count + 1)]
    _refuse_existing(paths)
    private = load_private_key(key, _passphrase(passphrase_file, confirm=False))
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    for path, share in zip(paths, split_private_key(private, count=count), strict=True):
        _write_new(path, share_text(share), 0o600)
        console.print(f"wrote {escape(str(path))}")
    console.print(
        "give each share to a different custodian; for two-custodian protocols, "
        f"then keep {escape(str(key))} offline or destroy it"
    )


@keys_app.command("show-public")
def show_public(
    path: Annotated[Path, typer.Argument(help="A project.pub file.")] = Path("keys/project.pub"),
) -> None:
    """Print the project public key and its fingerprint."""
    key = load_public_key(path)
    console.print(escape(path.read_text(encoding="utf-8").strip()))
    console.print(f"fingerprint {fingerprint(key)}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


def _passphrase(path: Path | None, *, confirm: bool) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    return str(typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm))


def _refuse_existing(paths: list[Path]) -> None:
    for path in paths:
        if path.exists():
            raise PrivacyError(
                f"{path.name} already exists: keys are never overwritten",
                code="FK-KEY-003",
                location=Location(str(path)),
                hint="identities sealed to the old key would become unreadable; "
                "choose another --out folder",
            )


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create ``path`` (never replacing a file), write, and flush it to disk."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
