"""fieldkit users add / list, and the guard every HQ command runs behind.

Every command that opens a coordinator store (``--store``) runs as a registered user once
the store has a user register: ``FIELDKIT_USER`` names the user, the passphrase comes from
``FIELDKIT_PASSPHRASE_FILE`` or is asked for; the protocol's roles decide whether that user
may run the command and release the profile asked for (:mod:`fieldkit.users.access`); a
``--role`` given on the command line is replaced by the user's own; and the audit log
records who ran what (and who was refused).
"""

from __future__ import annotations

import contextvars
import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.localfiles import SMALL_FILE_BYTES, read_regular
from fieldkit.protocol.profile import Profile  # not the schema: start-up time

if TYPE_CHECKING:
    from fieldkit.protocol.model import Protocol

__all__ = ["acting_user", "guard", "register", "users_app"]

users_app = typer.Typer(
    name="users",
    help="The HQ user register: who may run which command and release which profile.",
    no_args_is_help=True,
)
Store = Annotated[str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")]
ProjectPaths = Annotated[
    list[Path] | None,
    typer.Option("--project", help="Protocol and instrument files or folders."),
]
USER_VARIABLE = "FIELDKIT_USER"
PASSPHRASE_VARIABLE = "FIELDKIT_PASSPHRASE_FILE"
_acting: contextvars.ContextVar[Any] = contextvars.ContextVar("acting", default=None)


@users_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The new user's name (lower case).")],
    *,
    store: Store,
    role: Annotated[str, typer.Option("--role", help="A role of the protocol.")],
    passphrase_file: Annotated[
        Path | None,
        typer.Option("--passphrase-file", help="Read the new user's passphrase from this file."),
    ] = None,
    project: ProjectPaths = None,
) -> None:
    """Add a user; the first user of a store must have a role that may manage users."""
    from fieldkit.users import add_user, allowed_commands
    from fieldkit.users.errors import UserError

    acting = _acting.get()
    protocols = _protocols(project, None)
    roles = [p.roles[role] for p in protocols if role in p.roles]
    if not roles:
        raise UserError(f"no protocol here defines role '{role}'", code="FK-USER-005")
    if acting is None and not all({"*", "users add"} & allowed_commands(r) for r in roles):
        raise UserError(
            f"the first user must be able to add the others: '{role}' cannot",
            code="FK-USER-004",
            hint="add a coordinator first",
        )
    passphrase = _read_passphrase(passphrase_file, confirm=True)
    added_by = acting.name if acting is not None else name
    user = add_user(store, name, role, passphrase, added_by=added_by)
    console.print(f"[green]✓[/] user {escape(user.name)} ({escape(user.role)})")


@users_app.command("list")
def list_(*, store: Store) -> None:
    """List the registered users and their roles."""
    from fieldkit.store.coordinator import require_store
    from fieldkit.users import list_users

    require_store(store)  # listing never creates a store

    for user in list_users(store):
        console.print(f"{escape(user.name)}\t{escape(user.role)}")


def acting_user() -> str | None:
    """The registered user the current command runs as (None: a store without users)."""
    user = _acting.get()
    return None if user is None else str(user.name)


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")


def guard(app: typer.Typer) -> None:
    """Run every command of ``app`` that takes a ``store`` behind the user register."""
    for name, info in _commands(app):
        if info.callback is not None:
            info.callback = _guarded(info.callback, name)


def _commands(app: typer.Typer, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for info in app.registered_commands:
        if info.callback is not None:
            name = info.name or info.callback.__name__.replace("_", "-")
            yield f"{prefix}{name}", info
    for group in app.registered_groups:
        if group.typer_instance is not None:
            inner = group.name or group.typer_instance.info.name or ""
            yield from _commands(group.typer_instance, f"{prefix}{inner} ")


def _guarded(callback: Callable[..., Any], command: str) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, **kwargs: Any) -> Any:
        store = kwargs.get("store")
        if not isinstance(store, str | Path) or not _registered(store):
            return callback(*args, **kwargs)  # no register: roles as declared (--role)
        return _as_user(callback, command, store, args, kwargs)

    return run


def _as_user(
    callback: Callable[..., Any],
    command: str,
    store: str | Path,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    from fieldkit.users import authenticate, authorize
    from fieldkit.users.errors import UserError

    name = os.environ.get(USER_VARIABLE) or typer.prompt("fieldkit user")
    user = authenticate(store, name, _read_passphrase(_passphrase_path(), confirm=False))
    profile = kwargs.get("profile") if isinstance(kwargs.get("profile"), Profile) else None
    protocols = _protocols(kwargs.get("project"), kwargs.get("instrument"))
    try:
        authorize(user, command, protocols, profile)
    except UserError:
        _audit(store, user.name, f"refused: {command}", kwargs, user.role)
        raise
    if "role" in kwargs and command != "users add":
        kwargs["role"] = user.role  # the register's role, not a declared one
    token = _acting.set(user)
    try:
        result = callback(*args, **kwargs)
    finally:
        _acting.reset(token)
    _audit(store, user.name, command, kwargs, user.role)
    return result


def _registered(store: str | Path) -> bool:
    from fieldkit.users import has_users

    text = str(store)
    if "://" not in text and (not Path(text).is_file() or Path(text).stat().st_size == 0):
        return False  # no store yet (an empty file is none): the command says what is wrong
    return has_users(store)


def _protocols(project: object, instrument: object) -> list[Protocol]:
    from fieldkit.project import load_project, study_paths

    # the study the command itself works on: --project, $FIELDKIT_PROJECT, or found upwards
    loaded = load_project(study_paths(project if isinstance(project, list) and project else None))
    if isinstance(instrument, str) and instrument in loaded.forms:
        return [loaded.form(instrument).protocol]
    return list(loaded.protocols.values())


def _audit(store: str | Path, actor: str, action: str, kwargs: dict[str, Any], role: str) -> None:
    from fieldkit.privacy.audit import AuditLog
    from fieldkit.store.coordinator import open_coordinator

    profile = kwargs.get("profile")
    detail = {"role": role, "profile": profile.value if isinstance(profile, Profile) else None}
    subject = str(kwargs.get("instrument") or "")
    with open_coordinator(store) as db:
        AuditLog(db).append(actor=actor, action=action, subject=subject, detail=json.dumps(detail))


def _passphrase_path() -> Path | None:
    found = os.environ.get(PASSPHRASE_VARIABLE)
    return Path(found) if found else None


def _read_passphrase(path: Path | None, *, confirm: bool) -> str:
    from fieldkit.users.errors import UserError

    if path is not None:
        try:
            return read_regular(path, limit=SMALL_FILE_BYTES).decode("utf-8").rstrip("\n")
        except (OSError, UnicodeDecodeError) as error:
            reason = getattr(error, "strerror", None) or "not UTF-8 text"
            raise UserError(
                f"cannot read the passphrase file {path}: {reason}",
                code="FK-USER-001",
                hint=f"point {PASSPHRASE_VARIABLE} (or --passphrase-file) at a readable file",
            ) from None
    return str(typer.prompt("passphrase", hide_input=True, confirmation_prompt=confirm))
