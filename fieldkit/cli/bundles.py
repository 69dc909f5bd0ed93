"""fieldkit bundle / device / merge / conflicts / quarantine: from district laptops to HQ."""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from fieldkit.cli.render import console, plural, print_json, progress_bars
from fieldkit.cli.unlock import PassphraseEnv, PassphraseFile
from fieldkit.errors import BundleError, Location

if TYPE_CHECKING:
    from rich.table import Table

    from fieldkit.merge import ConflictView, MergeReport
    from fieldkit.merge.report import Tally

__all__ = ["register", "show_merge"]

LaptopDb = Annotated[Path, typer.Option("--db", help="The laptop's database file.")]
Store = Annotated[
    str, typer.Option("--store", "--into", help="Coordinator store: a SQLite path or a URL.")
]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]

device_app = typer.Typer(help="Device keys: each laptop signs its bundles.", no_args_is_help=True)
conflicts_app = typer.Typer(
    help="Unit conflicts: list them side by side, resolve with a recorded reason.",
    invoke_without_command=True,
)


def bundle(
    db: LaptopDb,
    out: Annotated[
        Path | None, typer.Option("--out", help="The bundle file to write (a new file).")
    ] = None,
    receipt: Annotated[
        Path | None,
        typer.Option(
            "--receipt",
            help="A coordinator receipt to apply; rejected interviews in the .returns file "
            "beside it reopen as drafts.",
        ),
    ] = None,
    as_json: JsonFlag = False,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """Write a signed bundle of finished interviews, or apply a coordinator's receipt."""
    from fieldkit.bundle import apply_receipt, write_bundle
    from fieldkit.cli.unlock import laptop_key
    from fieldkit.review.reopen import reopen_returned

    _require_laptop_store(db)
    if receipt is None:  # checked before the passphrase is asked
        if out is None:
            raise typer.BadParameter("give --out FILE (or --receipt FILE)", param_hint="--out")
        _refuse_existing(out, "--out")
    store_key = laptop_key(db, passphrase_file, passphrase_env, create=False)
    if receipt is not None:
        outcome = apply_receipt(db, receipt, store_key)
        reopened = reopen_returned(db, receipt, store_key)
        if as_json:
            print_json(_slots(outcome) | {"reopened": [_slots(r) for r in reopened]})
            return
        if outcome.already_applied:
            console.print(f"receipt for {escape(outcome.bundle)} was already applied")
        else:
            console.print(
                f"[green]✓[/] bundle {escape(outcome.bundle)} merged at the coordinator: "
                f"{plural(outcome.deleted, 'interview')} removed from this laptop, "
                f"{outcome.kept_changed} kept (changed since)"
            )
        _show_reopened(reopened, db)
        return
    assert out is not None
    manifest = write_bundle(db, out, store_key)
    if as_json:
        print_json(manifest.to_dict())
        return
    console.print(
        f"[green]✓[/] {escape(str(out))}: bundle {escape(manifest.name)}, "
        f"{plural(manifest.interviews, 'interview')}, "
        + ", ".join(f"{f.form_id} ×{f.interviews}" for f in manifest.forms)
    )


def _show_reopened(reopened: list[Any], db: Path) -> None:
    """The interviews the supervisor sent back, with what to correct."""
    for item in reopened:
        console.print(
            f"[yellow]↩[/] interview {escape(item.interview_id[:8])} sent back by "
            f"{escape(item.reviewer)}: {escape(item.comment)}\n"
            f"  reopened as a draft: collect --db {escape(str(db))} --resume "
            f"{escape(item.interview_id[:8])}"
        )


def _require_laptop_store(db: Path) -> None:
    """Checked first, so a mistyped --db is not reported as a missing device key."""
    problem = None
    if db.is_dir():
        problem = "is a folder, not the laptop's database file"
    elif not db.exists():
        problem = "does not exist"
    elif db.stat().st_size == 0:
        problem = "is an empty file, not a laptop store"
    if problem is not None:
        raise BundleError(
            f"{db.name} {problem}",
            code="FK-BUNDLE-021",
            location=Location(str(db)),
            hint="give --db the laptop's database file, the one 'fieldkit collect --db' "
            "saves interviews in (collect creates it)",
        )


def _refuse_existing(out: Path, option: str) -> None:
    if out.exists() or out.is_symlink():
        raise BundleError(
            f"{out.name} already exists: fieldkit never replaces a file here",
            code="FK-BUNDLE-050",
            location=Location(str(out)),
            hint=f"give {option} a new file name",
        )


def _slots(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}


@device_app.command("init")
def device_init(
    db: LaptopDb,
    public: Annotated[
        Path | None, typer.Option("--public", help="Public key file for the coordinator.")
    ] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help="Make a new key (the coordinator re-registers it).")
    ] = False,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """Create this laptop's signing key (kept inside the encrypted store); give the .pub
    file to the coordinator."""
    from fieldkit.bundle import init_device
    from fieldkit.cli.unlock import laptop_key

    _require_laptop_store(db)
    if public is not None:
        _refuse_existing(public, "--public")
    store_key = laptop_key(db, passphrase_file, passphrase_env, create=False)
    try:
        device, public_path = init_device(db, store_key, public_path=public, replace=replace)
    except OSError as error:
        raise BundleError(
            f"cannot write the device's public key: {error.strerror or error}",
            code="FK-BUNDLE-051",
            location=Location(str(error.filename or public or db)),
            hint="give --public a file in a folder you can write to",
        ) from None
    console.print(
        f"[green]✓[/] device {escape(device.device_id)}: signing key kept inside "
        f"{escape(db.name)} (locked by its passphrase), public key {escape(str(public_path))} "
        f"(fingerprint {device.fingerprint})"
    )


@device_app.command("register")
def device_register(
    public_key: Annotated[Path, typer.Argument(help="A device-<id>.pub file.")],
    store: Store,
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace the key of a registered device.")
    ] = False,
) -> None:
    """Register a laptop's public key at the coordinator (creates the store if needed)."""
    from fieldkit.bundle import read_device_public_key
    from fieldkit.cli.protection import print_audit_head
    from fieldkit.merge import register_device

    key = read_device_public_key(public_key)
    status = register_device(store, key, replace=replace)
    console.print(f"[green]✓[/] device {escape(key.device_id)} {status} ({key.fingerprint})")
    print_audit_head(store)


def merge(
    files: Annotated[list[Path], typer.Argument(help="Bundle files (.fkb).")],
    store: Store,
    project: Annotated[
        list[Path] | None,
        typer.Option(
            "--project",
            help="The study folder, or its protocol and instrument files or folders "
            "(default: the study folder holding the current one, or $FIELDKIT_PROJECT).",
        ),
    ] = None,
    receipts: Annotated[
        Path | None, typer.Option("--receipts", help="Folder for receipts (default: beside).")
    ] = None,
    as_json: JsonFlag = False,
    merge_key: Annotated[
        Path, typer.Option("--merge-key", help="The coordinator's merge key (keys init wrote it).")
    ] = Path("keys/merge.key"),
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """Verify and merge bundles into the coordinator store (created if needed); write a
    receipt for each.

    Bundle payloads are encrypted to the merge key: it is unlocked with its passphrase."""
    from fieldkit.cli.unlock import passphrase
    from fieldkit.merge import MergeOptions, merge_bundles
    from fieldkit.privacy.keys import read_merge_key
    from fieldkit.project import load_study

    _require_files(files)
    loaded = load_study(project)
    wrapped = read_merge_key(merge_key)  # a missing or wrong file before the passphrase
    secret = passphrase(passphrase_file, passphrase_env, prompt="Passphrase for the merge key")
    key = wrapped.open(secret)
    options = MergeOptions(receipts_dir=receipts, merge_key=key)
    with _merge_progress(enabled=not as_json) as on_progress:
        report = merge_bundles(files, store, loaded, replace(options, progress=on_progress))
    if as_json:
        print_json(report.to_dict())
    else:
        from fieldkit.cli.protection import print_audit_head

        show_merge(report)
        print_audit_head(store)
    if not report.ok:
        raise typer.Exit(1)


def _require_files(files: list[Path]) -> None:
    """A mistyped path or a folder stops the command before anything is merged; what is
    inside each file is judged by the merge, file by file."""
    for path in files:
        problem = None
        if path.is_dir():
            problem = "is a folder: give the bundle files in it (e.g. bundles/*.fkb)"
        elif not path.exists():
            problem = "does not exist"
        if problem is not None:
            raise BundleError(
                f"{path.name} {problem}",
                code="FK-BUNDLE-012",
                location=Location(str(path)),
                hint="nothing was merged; check the paths and run the command again",
            )


@contextmanager
def _merge_progress(*, enabled: bool) -> Iterator[Any]:
    if not enabled:
        yield None
        return
    with progress_bars() as update:
        yield lambda event: update(event.bundle, event.interviews_done, event.interviews_total)


def show_merge(report: MergeReport) -> None:
    """The merge report as tables: bundles, counts, per district and per enumerator."""
    from rich.table import Table

    table = Table(title="Bundles", title_justify="left")
    for column in ("file", "bundle", "status", "interviews", "new", "same id", "reason"):
        table.add_column(column)
    for item in report.bundles:
        colour = {"merged": "green", "already merged": "cyan"}.get(item.status, "red")
        table.add_row(
            escape(Path(item.path).name),
            escape(f"{item.device_id[:8]}…/{item.sequence}" if item.device_id else "-"),
            f"[{colour}]{item.status}[/]",
            str(item.interviews),
            str(item.new),
            str(item.same_id),
            escape(f"{item.code} {item.reason}" if item.code else ""),
        )
    console.print(table)
    data = report.to_dict()
    console.print(
        f"interviews new: [bold]{report.interviews_new}[/]  duplicates: "
        + ", ".join(f"{kind} {n}" for kind, n in data["duplicates"].items())
        + f"  open conflicts: {report.open_conflicts}"
    )
    if report.quarantined:
        console.print(
            "quarantined: "
            + ", ".join(f"{reason} {n}" for reason, n in sorted(report.quarantined.items()))
        )
    for title, tallies in (
        ("District", report.per_district),
        ("Enumerator", report.per_enumerator),
    ):
        if tallies:
            console.print(_tally_table(title, tallies))
    for issue in report.issues.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        console.print(f"[{colour}]{issue.severity}[/]: {escape(issue.one_line())}")


def _tally_table(title: str, tallies: dict[str, Tally]) -> Table:
    from rich.table import Table

    table = Table(title=f"Per {title.lower()}", title_justify="left")
    names = ("new", "same_id", "content", "unit_conflict", "quarantined")
    table.add_column(title)
    for name in names:
        table.add_column(name.replace("_", " "), justify="right")
    for key, tally in sorted(tallies.items()):
        table.add_row(escape(key), *(str(getattr(tally, name)) for name in names))
    return table


@conflicts_app.callback()
def conflicts(
    ctx: typer.Context,
    store: Annotated[
        str | None, typer.Option("--store", "--into", help="Coordinator store.")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include resolved conflicts.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """List unit conflicts side by side (two interviews claiming one household or child)."""
    if ctx.invoked_subcommand is not None:
        return
    from fieldkit.merge import list_conflicts

    if store is None:
        raise typer.BadParameter("give --store STORE", param_hint="--store")
    views = list_conflicts(store, include_resolved=show_all)
    if as_json:
        print_json([view.to_dict() for view in views])
        return
    if not views:
        console.print("[green]no unit conflicts[/]")
    for view in views:
        console.print(_conflict_table(view))


def _conflict_table(view: ConflictView) -> Table:
    from rich.table import Table

    state = view.status if view.status == "open" else f"resolved: keep {view.kept_interview_id}"
    # escaped: "[open]" would otherwise be read as a style tag and vanish
    title = escape(f"{view.id}  {view.form_id} unit {view.unit}  [{state}]")
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for member in view.members:
        table.add_column(escape(member.interview_id))
    rows: list[tuple[str, list[Any]]] = [
        ("enumerator", [m.enumerator for m in view.members]),
        ("device / seq", [f"{m.device_id[:8]} / {m.sequence}" for m in view.members]),
        ("status", [m.status for m in view.members]),
        ("started", [m.started_at.isoformat(timespec="minutes") for m in view.members]),
    ]
    questions = sorted({q for m in view.members for q in m.answers})
    rows += [(q, [m.answers.get(q, "") for m in view.members]) for q in questions]
    for label, values in rows:
        differ = len({str(v) for v in values}) > 1
        cells = [f"[yellow]{escape(str(v))}[/]" if differ else escape(str(v)) for v in values]
        table.add_row(escape(label), *cells)
    if view.history:
        table.caption = "decisions: " + "; ".join(
            escape(
                f"{r.resolved_at:%Y-%m-%d %H:%M} {r.resolved_by} kept {r.kept_interview_id} "
                f"({r.reason})"
            )
            for r in view.history
        )
        table.caption_justify = "left"
    return table


@conflicts_app.command("resolve")
def conflicts_resolve(
    conflict: Annotated[str, typer.Argument(help="The conflict id (U-...).")],
    keep: Annotated[str, typer.Option("--keep", help="The interview id to keep.")],
    reason: Annotated[str, typer.Option("--reason", help="Why this interview is kept.")],
    store: Store,
    by: Annotated[str | None, typer.Option("--by", help="Who decides (default: you).")] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Change an earlier decision (it stays in the history)."),
    ] = False,
) -> None:
    """Resolve a unit conflict: keep one interview, with a recorded reason and name."""
    from fieldkit.merge import resolve_conflict

    view = resolve_conflict(
        store, conflict, keep=keep, reason=reason, resolved_by=by or getpass.getuser(), force=force
    )
    from fieldkit.cli.protection import print_audit_head

    console.print(
        f"[green]✓[/] {escape(view.id)} resolved: keep {escape(keep)} "
        f"({plural(len(view.members) - 1, 'other')} excluded from datasets)"
    )
    print_audit_head(store)


def quarantine(
    store: Store,
    reason: Annotated[str | None, typer.Option("--reason", help="Only this reason.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Review interviews quarantined for consent problems (never emptied, only listed)."""
    from rich.table import Table

    from fieldkit.merge import list_quarantine

    entries = list_quarantine(store, reason=reason)
    if as_json:
        print_json([entry.to_dict() for entry in entries])
        return
    title = f"Quarantine: {plural(len(entries), 'entry', 'entries')}"
    table = Table(title=title, title_justify="left")
    for column in ("interview", "form", "enumerator", "device", "reason", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for e in entries:
        table.add_row(
            *(escape(v) for v in (e.interview_id[:8], e.form_id, e.enumerator, e.device_id[:8])),
            f"[red]{escape(e.reason)}[/]",
            escape(e.detail),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("bundle")(bundle)
    app.add_typer(device_app, name="device")
    app.command("merge")(merge)
    app.add_typer(conflicts_app, name="conflicts")
    app.command("quarantine")(quarantine)
