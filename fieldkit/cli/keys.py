"""fieldkit keys init / shares / show-public: the project key pair that seals identities."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.errors import FieldkitError, Location, PrivacyError
from fieldkit.localfiles import SMALL_FILE_BYTES, read_regular

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
    from fieldkit.privacy.keys import fingerprint, generate_project_keys, load_public_key

    key_path, public_path = out / "project.key", out / "project.pub"
    _refuse_existing([key_path, public_path])
    _require_folder(out)
    passphrase = _passphrase(passphrase_file, confirm=True)
    private, public = generate_project_keys(passphrase)
    with _all_or_none(out) as write:
        write(key_path, private, 0o600)
        write(public_path, public, 0o644)
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
    from fieldkit.privacy.keys import load_private_key
    from fieldkit.privacy.shares import share_text, split_private_key

    paths = [out / f"share-{index}-of-{count}.txt" for index in range(1, count + 1)]
    _refuse_existing(paths)
    _require_folder(out)
    private = load_private_key(key, _passphrase(passphrase_file, confirm=False))
    with _all_or_none(out) as write:
        for path, share in zip(paths, split_private_key(private, count=count), strict=True):
            write(path, share_text(share), 0o600)
    for path in paths:
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
    from fieldkit.privacy.keys import fingerprint, load_public_key

    key = load_public_key(path)
    console.print(escape(path.read_text(encoding="utf-8").strip()))
    console.print(f"fingerprint {fingerprint(key)}")


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


def _passphrase(path: Path | None, *, confirm: bool) -> str:
    if path is None:
        if sys.stdin.isatty():
            return str(typer.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm))
        # piped in by a script: its first line, read as it comes (no echo to hide, no typo
        # to confirm); nothing at all is a mistake, not a prompt waiting forever
        line = sys.stdin.readline()
        if not line:
            raise FieldkitError(
                "no passphrase was given (the input ended)",
                code="FK-CLI-053",
                hint="give --passphrase-file FILE, or type it at a terminal",
            )
        return line.rstrip("\r\n")
    try:
        return read_regular(path, limit=SMALL_FILE_BYTES).decode("utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise PrivacyError(
            f"cannot read the passphrase file: {reason}",
            code="FK-KEY-052",
            location=Location(str(path)),
            hint="give a text file holding the passphrase on its first line",
        ) from None


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


def _require_folder(out: Path) -> None:
    """``out`` is a folder or can become one: checked before the passphrase is asked."""
    if out.exists() and not out.is_dir():
        raise PrivacyError(
            f"{out} is a file, not a folder",
            code="FK-KEY-050",
            location=Location(str(out)),
            hint="give --out a folder (it is created if needed)",
        )


@contextlib.contextmanager
def _all_or_none(out: Path) -> Iterator[_Writer]:
    """Files written in the block stay only if all of them are written."""
    writer = _Writer()
    try:
        out.mkdir(parents=True, exist_ok=True, mode=0o700)
        yield writer
    except OSError as error:
        writer.remove_all()
        raise _cannot_write(out, error) from None
    except BaseException:
        writer.remove_all()
        raise


class _Writer:
    def __init__(self) -> None:
        self.created: list[Path] = []

    def __call__(self, path: Path, data: bytes, mode: int) -> None:
        """Create ``path`` (never replacing a file), write, and flush it to disk."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        self.created.append(path)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)

    def remove_all(self) -> None:
        for path in self.created:
            with contextlib.suppress(OSError):
                path.unlink()


def _cannot_write(out: Path, error: OSError) -> PrivacyError:
    return PrivacyError(
        f"cannot write in {out}: {error.strerror or error}",
        code="FK-KEY-051",
        location=Location(str(out)),
        hint="choose a folder you can write to (nothing was left half-written)",
    )
