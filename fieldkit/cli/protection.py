"""fieldkit reveal / audit verify / retention apply / device revoke / keys rotate (issue 11).

Each command that writes to the coordinator store prints the audit log's head afterwards
(``audit head #12:9f3c…``): keep it somewhere the store's host cannot change, and give it to
``fieldkit audit verify --anchor`` later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.cli.unlock import source_passphrase, split_source

if TYPE_CHECKING:  # imported where used, so `fieldkit --help` starts fast
    from fieldkit.privacy.shares import KeyShare

__all__ = ["print_audit_head", "register"]

Store = Annotated[
    str, typer.Option("--store", "--into", help="Coordinator store: a SQLite path or a URL.")
]
ProjectOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--project",
        help="The study folder, or its protocol and instrument files or folders "
        "(default: the study folder holding the current one, or $FIELDKIT_PROJECT).",
    ),
]
Shares = Annotated[
    list[str],
    typer.Option(
        "--share",
        help="A custodian's share file: PATH, or PATH=file:P / PATH=env:VAR for its "
        "passphrase (otherwise asked for). Repeat for each custodian.",
    ),
]

audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
staff_app = typer.Typer(
    help="The staff register: codes to names, kept by the coordinator only.", no_args_is_help=True
)
retention_app = typer.Typer(help="Retention that deletes.", no_args_is_help=True)


def print_audit_head(store: str | Path) -> None:
    """Print the head a command left: the anchor to keep outside the store."""
    from fieldkit.privacy.audit import AuditLog
    from fieldkit.store.coordinator import open_coordinator

    with open_coordinator(store, create=False) as db:
        head = AuditLog(db).head()
    if head is not None:
        console.print(f"audit head {head.text()} (keep it: fieldkit audit verify --anchor)")


@audit_app.command("verify")
def audit_verify(
    store: Store,
    anchor: Annotated[
        list[str] | None,
        typer.Option("--anchor", help="A head printed earlier (#INDEX:HASH); repeat for more."),
    ] = None,
) -> None:
    """Check the audit chain (and the anchors kept); name the first bad entry."""
    from fieldkit.errors import Location, PrivacyError
    from fieldkit.privacy.audit import AuditLog, parse_anchor
    from fieldkit.store.coordinator import open_coordinator

    anchors = [parse_anchor(text) for text in anchor or []]
    with open_coordinator(store, create=False) as db:
        log = AuditLog(db)
        check = log.verify(anchors=anchors)
        head = log.head()
    if not check.ok:
        raise PrivacyError(
            f"the audit log is broken at entry {check.first_bad}: {check.problem}",
            code="FK-PRIV-003",
            location=Location(str(store)),
            hint="restore the store from a backup; keep this one for investigation",
        )
    what = f"{len(anchors)} anchor(s) match" if anchors else "no anchor given: give one"
    console.print(f"[green]✓[/] {check.entries} entries, chain intact; {what}")
    if head is not None:
        console.print(f"audit head {head.text()}")


def _open_shares(items: list[str]) -> list[KeyShare]:
    """Every share file is read and checked before any custodian is asked a passphrase."""
    from fieldkit.privacy.shares import open_share, read_share_file, share_custodian

    files = []
    for item in items:
        path_text, source = split_source(item)
        path = Path(path_text)
        data = read_share_file(path)
        files.append((path, data, share_custodian(data, str(path)), source))
    return [
        open_share(data, source_passphrase(source, prompt=f"Passphrase of {who}'s share"), str(p))
        for p, data, who, source in files
    ]


def reveal(
    record: Annotated[str, typer.Argument(help="One interview's reference (or id).")],
    reason: Annotated[str, typer.Option("--reason", help="Why this record must be opened.")],
    store: Store,
    share: Shares,
    keys: Annotated[Path, typer.Option("--keys", help="The study's project.pub.")] = Path(
        "keys/project.pub"
    ),
    project: ProjectOption = None,
    by: Annotated[str | None, typer.Option("--by", help="Who asks (default: you).")] = None,
) -> None:
    """Open one record's identity fields with K custodians' shares; every attempt is audited."""
    from rich.table import Table

    from fieldkit.cli.users import acting_user
    from fieldkit.privacy.audit import current_actor
    from fieldkit.privacy.keys import load_project_keys
    from fieldkit.privacy.reidentify import reveal as open_record
    from fieldkit.project import load_study
    from fieldkit.store.coordinator import open_coordinator

    loaded = load_study(project)
    # the store and the key files are checked before any custodian types a passphrase
    with open_coordinator(store, create=False) as db:
        project_keys = load_project_keys(keys)
        shares = _open_shares(share)
        try:
            values = open_record(
                db,
                record,
                shares=shares,
                keys=project_keys,
                protocols=loaded.protocols,
                actor=acting_user() or by or current_actor(),
                reason=reason,
            )
        finally:
            print_audit_head(store)
    table = Table(title=f"Identity fields of {escape(record)}", title_justify="left")
    for column in ("question", "member", "value"):
        table.add_column(column)
    for (question, member), value in sorted(values.items()):
        table.add_row(escape(question), str(member), escape(str(value)))
    console.print(table)


@retention_app.command("apply")
def retention_apply(
    store: Store,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would be destroyed; change nothing.")
    ] = False,
    project: ProjectOption = None,
) -> None:
    """Destroy sealed identities past the protocol's identity_retention_days."""
    from rich.table import Table

    from fieldkit.cli.users import acting_user
    from fieldkit.privacy.retention import apply_retention
    from fieldkit.project import load_study

    loaded = load_study(project)
    run = apply_retention(store, loaded.protocols, dry_run=dry_run, actor=acting_user())
    verb = "would destroy" if dry_run else "destroyed"
    table = Table(title=f"Retention on {run.today.isoformat()}", title_justify="left")
    for column in ("reference", "protocol", "collected", "kept until", "sealed rows"):
        table.add_column(column)
    for item in run.expired:
        table.add_row(
            item.reference,
            item.protocol_id,
            item.collected.isoformat(),
            item.due.isoformat(),
            str(item.rows),
        )
    console.print(table)
    console.print(
        f"{verb} {run.rows} sealed row(s) of {len(run.expired)} interview(s); their answers stay"
    )
    for protocol_id, count in sorted(run.unknown_protocols.items()):
        console.print(
            f"[yellow]kept[/] {count} interview(s) of protocol {escape(protocol_id)}: "
            "not in the project, so no retention period is known"
        )
    if not dry_run:
        print_audit_head(store)


def device_revoke(
    device: Annotated[str, typer.Argument(help="The device id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (lost, stolen, compromised).")],
    store: Store,
    from_sequence: Annotated[
        int | None,
        typer.Option("--from-sequence", min=1, help="Quarantine its bundles from this one on."),
    ] = None,
    since: Annotated[
        dt.datetime | None,
        typer.Option("--since", help="Quarantine bundles it claims it made since (its clock)."),
    ] = None,
) -> None:
    """Revoke a laptop: its later bundles are refused; those it sent since are quarantined."""
    from fieldkit.cli.users import acting_user
    from fieldkit.merge.revoke import revoke_device

    moment = since if since is None or since.tzinfo else since.replace(tzinfo=dt.UTC)
    done = revoke_device(
        store,
        device,
        reason=reason,
        from_sequence=from_sequence,
        since=moment,
        actor=acting_user(),
    )
    console.print(f"[green]✓[/] device {escape(device)} revoked on {done.revoked_at}")
    for item in done.held:
        console.print(
            f"  held for review: bundle {escape(item.name)} (sequence {item.sequence}, "
            f"made {item.created_at or '?'} by its clock), {item.interviews} interview(s)"
        )
    console.print(f"{done.quarantined} interview(s) quarantined as device_revoked")
    print_audit_head(store)


def keys_rotate(
    store: Store,
    share: Shares,
    keys: Annotated[Path, typer.Option("--keys", help="The current project.pub.")] = Path(
        "keys/project.pub"
    ),
    out: Annotated[
        Path, typer.Option("--out", help="A new folder for the new project.pub and shares.")
    ] = Path("keys-rotated"),
    custodian: Annotated[
        list[str] | None,
        typer.Option("--custodian", help="A new custodian: NAME, NAME=file:P or NAME=env:V."),
    ] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", "-k", min=2, help="How many open an identity (K>=2).")
    ] = 2,
) -> None:
    """Re-seal every identity to a new identity key; new shares for the custodians.

    The new files are written before the re-sealing is committed: if they cannot be, nothing
    is re-sealed."""
    from fieldkit.cli.keys import all_or_none, refuse_existing, require_folder
    from fieldkit.cli.users import acting_user
    from fieldkit.privacy.custody import NewProjectKeys, share_file_name
    from fieldkit.privacy.keys import fingerprint, load_project_keys
    from fieldkit.privacy.rotation import rotate_identity_key
    from fieldkit.store.coordinator import open_coordinator

    named = [split_source(item) for item in custodian or []]
    if len(named) < 2:
        raise typer.BadParameter("give at least 2 new custodians", param_hint="--custodian")
    share_paths = {name: out / "shares" / share_file_name(name) for name, _ in named}
    if len(set(share_paths.values())) != len(named):
        raise typer.BadParameter(
            "two custodians' names give the same share file name", param_hint="--custodian"
        )
    refuse_existing([out / "project.pub", *share_paths.values()])
    require_folder(out)
    with open_coordinator(store, create=False):
        pass  # the store is checked before any custodian types a passphrase
    current = load_project_keys(keys)
    old = _open_shares(share)
    people = [
        (n, source_passphrase(s, prompt=f"{n}'s new passphrase", confirm=True)) for n, s in named
    ]

    def keep(made: NewProjectKeys) -> None:
        with all_or_none(out) as write:
            write(out / "project.pub", made.public_file)
            for name, data in made.share_files.items():
                write(share_paths[name], data)

    made, count = rotate_identity_key(
        store,
        old_shares=old,
        keys=current,
        custodians=people,
        threshold=threshold,
        actor=acting_user(),
        keep=keep,
    )
    console.print(
        f"[green]✓[/] {count} identities re-sealed to {fingerprint(made.public.identity)}; "
        f"new project.pub and shares in {escape(str(out))}: give the laptops the new project.pub"
    )
    print_audit_head(store)


@staff_app.command("check")
def staff_check(
    register_file: Annotated[
        Path, typer.Option("--register", help="The coordinator's staff register (YAML).")
    ],
    store: Store,
) -> None:
    """List the staff codes a store uses that the register does not name."""
    from fieldkit.privacy.staff import load_staff_register, unregistered_codes

    register = load_staff_register(register_file)
    missing = unregistered_codes(store, register)
    console.print(f"{len(register)} staff code(s) in the register")
    for code, count in missing.items():
        console.print(f"[yellow]not in the register[/]: {escape(code)} ({count} interview(s))")
    if missing:
        raise typer.Exit(1)
    console.print("[green]✓[/] every code in the store is in the register")


def register(app: typer.Typer) -> None:
    from fieldkit.cli.bundles import device_app
    from fieldkit.cli.keys import keys_app

    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
    app.add_typer(staff_app, name="staff")
    app.command("reveal")(reveal)
    device_app.command("revoke")(device_revoke)
    keys_app.command("rotate")(keys_rotate)
