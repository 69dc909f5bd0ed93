"""Passphrases for the CLI: never on the command line.

Each passphrase comes from, in this order: ``--passphrase-file PATH`` (first line), or
``--passphrase-env NAME`` (the *name* of an environment variable, for CI and scripts), or a
hidden prompt on a terminal, or (no terminal: a script piping it in) the next line of the
standard input. No input at all (``make demo``, CI with nothing piped) stops the command
with one line (FK-CLI-053) instead of a prompt waiting forever; a file that cannot be read
or a variable that is not set is FK-KEY-052.

Several people's passphrases (custodians) are given as ``NAME=file:PATH`` or ``NAME=env:VAR``;
a bare ``NAME`` is asked for at the terminal.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fieldkit.errors import FieldkitError, Location, PrivacyError

if TYPE_CHECKING:  # imported where used, so `fieldkit --help` starts fast
    from fieldkit.store.cipher import StoreKey

__all__ = [
    "PassphraseEnv",
    "PassphraseFile",
    "laptop_key",
    "passphrase",
    "source_passphrase",
    "split_source",
]

PassphraseFile = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help="Read the passphrase from the first line of this file (scripts) instead of asking.",
    ),
]
PassphraseEnv = Annotated[
    str | None,
    typer.Option(
        "--passphrase-env",
        help="Read the passphrase from this environment variable (give its NAME, not the "
        "passphrase) instead of asking.",
    ),
]


def passphrase(file: Path | None, env: str | None, *, prompt: str, confirm: bool = False) -> str:
    """The passphrase from the file, the environment variable, or a hidden prompt."""
    if file is not None:
        return _from_file(file)
    if env is not None:
        return _from_env(env)
    if can_prompt():
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
    # piped in by a script: its next line, read as it comes (no echo to hide, no typo to
    # confirm); nothing at all is a mistake, not a prompt waiting forever
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise FieldkitError(
            f"no passphrase was given ({prompt.lower()}): the input ended",
            code="FK-CLI-053",
            hint="give --passphrase-file PATH or --passphrase-env NAME, or type it at a terminal",
        )
    return line.rstrip("\r\n")


def can_prompt() -> bool:
    """True when a person can type at a terminal (not ``make demo``, not CI)."""
    return sys.stdin is not None and sys.stdin.isatty()


def split_source(text: str) -> tuple[str, str | None]:
    """``NAME=file:PATH`` / ``NAME=env:VAR`` → (NAME, source); a bare NAME → (NAME, None)."""
    name, equals, source = text.rpartition("=")
    if not equals or not source.startswith(("file:", "env:")):
        return text.strip(), None
    return name.strip(), source


def source_passphrase(source: str | None, *, prompt: str, confirm: bool = False) -> str:
    """A passphrase from ``file:PATH``, ``env:VAR`` or (None) a hidden prompt."""
    if source is None:
        return passphrase(None, None, prompt=prompt, confirm=confirm)
    kind, _, value = source.partition(":")
    if kind == "file":
        return _from_file(Path(value))
    return _from_env(value)


def laptop_key(db: Path, file: Path | None, env: str | None, *, create: bool) -> StoreKey:
    """Unlock the laptop store ``db``; with ``create``, set up a new one (asking twice)."""
    from fieldkit.store.cipher import (
        create_store_key,
        new_store_allowed,
        require_unlock_file,
        unlock_store,
    )
    from fieldkit.store.database import check_laptop_path

    check_laptop_path(db)  # a wrong path is told before a passphrase is asked
    if create and new_store_allowed(db):
        secret = passphrase(file, env, prompt="New passphrase for this laptop store", confirm=True)
        return create_store_key(db, secret)
    require_unlock_file(db)
    return unlock_store(db, passphrase(file, env, prompt=f"Passphrase for {db.name}"))


def _from_file(path: Path) -> str:
    """The first line of a regular file: a FIFO or a device named here is refused at once,
    never waited on or read without end."""
    from fieldkit.localfiles import SMALL_FILE_BYTES, read_regular

    try:
        text = read_regular(path, limit=SMALL_FILE_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise PrivacyError(
            f"cannot read the passphrase file {path.name}: {reason}",
            code="FK-KEY-052",
            location=Location(str(path)),
            hint="give a readable text file whose first line is the passphrase",
        ) from None
    return text.splitlines()[0] if text else ""


def _from_env(name: str) -> str:
    value = os.environ.get(name)
    if value is None:
        raise PrivacyError(
            f"the environment variable {name} is not set",
            code="FK-KEY-052",
            hint="give the NAME of a variable that holds the passphrase",
        )
    return value
