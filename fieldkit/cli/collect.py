"""fieldkit collect: interviews on the enumerator's laptop, live or from an answers file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.cli.unlock import PassphraseEnv, PassphraseFile
from fieldkit.errors import Location, PrivacyError, StoreError

if TYPE_CHECKING:  # imported where used, so `fieldkit --help` starts fast
    from rich.table import Table

    from fieldkit.capture.drafts import DraftRow
    from fieldkit.capture.scripted import CheckedScript
    from fieldkit.instrument.form import Form
    from fieldkit.monitor.assignments import AssignmentFile
    from fieldkit.store import LaptopStore

__all__ = ["register"]


def collect(
    instrument: Annotated[Path, typer.Argument(help="The instrument YAML file.")],
    db: Annotated[Path, typer.Option("--db", help="The laptop's SQLite file.")] = Path(
        "laptop.sqlite"
    ),
    answers: Annotated[
        Path | None, typer.Option("--answers", help="Enter the answers of this YAML file.")
    ] = None,
    enumerator: Annotated[str | None, typer.Option(help="Enumerator code.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help="Interview language.")] = None,
    key: Annotated[
        Path | None,
        typer.Option(help="Project public key (default: keys/project.pub of the study)."),
    ] = None,
    resume: Annotated[
        str | None,
        typer.Option(help="Resume this draft: its id, or the start of it (fieldkit drafts)."),
    ] = None,
    trace: Annotated[
        bool, typer.Option(help="Print each answer's name once it is safely stored.")
    ] = False,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
    assignments: Annotated[
        Path | None,
        typer.Option(help="Offer the units of this assignment file (fieldkit assign --out)."),
    ] = None,
) -> None:
    """Collect an interview: consent first, each answer saved the moment it is given.

    The laptop store is encrypted: the first collect sets its passphrase, later ones ask
    for it. A forgotten passphrase loses the store's unsent interviews, by design."""
    from fieldkit.capture import Engine
    from fieldkit.capture.scripted import check_script
    from fieldkit.cli.unlock import laptop_key
    from fieldkit.privacy.keys import load_project_keys
    from fieldkit.project import resolve_form
    from fieldkit.store import LaptopStore

    form = resolve_form(instrument)
    if lang is not None:
        Engine(form).start(lang)  # a language the form has no texts in: refused up front
    project_keys = load_project_keys(key or _default_key(instrument))
    # An answers file is checked whole before the database is even opened: a rejected file
    # leaves the laptop's store exactly as it was (or not created).
    checked = check_script(form, answers, language=lang) if answers is not None else None
    assigned = None
    if assignments is not None and checked is None and resume is None:
        from fieldkit.monitor.assignments import read_assignment_file

        assigned = read_assignment_file(assignments, form)
    store_key = laptop_key(db, passphrase_file, passphrase_env, create=True)
    with LaptopStore.open(db, project_keys=project_keys, key=store_key) as store:
        if checked is not None:
            _scripted(store, form, checked, trace)
            return
        _live(store, form, enumerator, lang, resume, db, assigned)


def _default_key(instrument: Path) -> Path:
    from fieldkit.project import study_root

    path = study_root(instrument) / "keys" / "project.pub"
    if not path.exists():
        raise PrivacyError(
            f"no project public key at {path}",
            code="FK-KEY-007",
            hint="ask the coordinator for project.pub (fieldkit keys init), or pass --key",
        )
    return path


def _scripted(store: LaptopStore, form: Form, checked: CheckedScript, trace: bool) -> None:
    from fieldkit.capture.scripted import store_script
    from fieldkit.store.records import AnswerChange

    def saved(change: AnswerChange) -> None:
        console.print(f"saved {change.question}[{change.member}]")

    result = store_script(store, form, checked, on_saved=saved if trace else None)
    console.print(
        f"interview {result.interview_id}: {result.status}, {result.answers} answer record(s)"
    )


def _live(
    store: LaptopStore,
    form: Form,
    enumerator: str | None,
    lang: str | None,
    resume: str | None,
    db: Path,
    assigned: AssignmentFile | None = None,
) -> None:
    from fieldkit.capture.drafts import draft_rows, find_draft
    from fieldkit.capture.recorder import open_interview
    from fieldkit.cli.assigned import choose_unit, preloading
    from fieldkit.cli.terminal import TerminalInterview
    from fieldkit.store.records import InterviewStatus

    preload: dict[str, object] = {}
    if assigned is not None:  # a new interview of an assigned unit
        preload = choose_unit(assigned, console.input)
        enumerator = enumerator or assigned.enumerator
    elif resume is None:
        resume = _choose_draft(draft_rows(store, {form.hash: form}, form_id=form.id))
    else:
        resume = find_draft(store, resume, form, db=str(db))
    who = enumerator or ""
    if resume is None and not who:  # a resumed draft keeps the enumerator who started it
        who = console.input("Enumerator code: ").strip()
        if not who:
            raise typer.BadParameter("an enumerator code is needed", param_hint="--enumerator")
    session, recorder = open_interview(store, form, enumerator=who, language=lang, resume=resume)
    console.print(f"[bold]{escape(form.title.get(session.language, form.id))}[/]")
    if resume is not None:
        _show_sent_back(store, resume)
    _warn_outside_windows(form)
    read = preloading(session, preload, console.input) if preload else console.input
    status = TerminalInterview(session, recorder, console, read).run()
    if status is InterviewStatus.DRAFT:
        short = recorder.interview_id[:8]
        console.print(
            f"draft {short}: resume it with collect --resume {short}"
            f" (fieldkit drafts --db {escape(str(db))} lists the drafts)"
        )


def _show_sent_back(store: LaptopStore, interview_id: str) -> None:
    """A draft the supervisor sent back opens with what they asked to correct."""
    from fieldkit.review.reopen import returned_comments

    with store.database.read() as conn:
        found = returned_comments(conn).get(interview_id)
    if found is not None:
        console.print(
            f"[yellow]sent back by supervisor {escape(found.reviewer)}: {escape(found.comment)}[/]"
        )


def _warn_outside_windows(form: Form) -> None:
    """The protocol says when to collect; the enumerator is told, not stopped (clocks drift)."""
    if form.protocol.collection_window(dt.datetime.now()) is not None:
        return
    windows = ", ".join(
        f"{w.name} {w.start}..{w.end}" for w in form.protocol.model.collection.windows
    )
    console.print(
        f"[yellow]warning: now is outside the protocol's collection windows ({escape(windows)});"
        " check with your supervisor before interviewing[/]"
    )


def _choose_draft(drafts: list[DraftRow]) -> str | None:
    if not drafts:
        return None
    console.print(_drafts_table(drafts, "Drafts on this laptop", numbered=True))
    choice = console.input("Resume which draft? (number, Enter for a new interview) ").strip()
    if choice.isdigit() and 1 <= int(choice) <= len(drafts):
        return drafts[int(choice) - 1].id
    return None


def _drafts_table(drafts: list[DraftRow], title: str, *, numbered: bool) -> Table:
    from rich.table import Table

    table = Table(title=title)
    columns = ["#"] if numbered else []
    columns += ["draft", "instrument", "unit", "enumerator", "started", "last answer", "answers"]
    for column in columns:
        table.add_column(column)
    for number, draft in enumerate(drafts, 1):
        cells = [str(number)] if numbered else []
        table.add_row(*(escape(cell) for cell in [*cells, *_cells(draft)]))
    return table


def _cells(draft: DraftRow) -> list[str]:
    return [
        draft.short,
        draft.form_id,
        draft.unit or "-",
        draft.enumerator,
        draft.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        draft.updated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        str(draft.answered),
    ]


def drafts(
    db: Annotated[Path, typer.Option("--db", help="The laptop's SQLite file.")] = Path(
        "laptop.sqlite"
    ),
    key: Annotated[
        Path | None,
        typer.Option(help="Project public key (default: keys/project.pub of the study)."),
    ] = None,
    project: Annotated[
        list[Path] | None,
        typer.Option("--project", help="Instrument files or folders, to name each unit."),
    ] = None,
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """List the drafts on this laptop: the id to resume, the household, who, when."""
    from fieldkit.capture.drafts import draft_rows
    from fieldkit.cli.unlock import laptop_key
    from fieldkit.privacy.keys import load_project_keys
    from fieldkit.project import load_project, study_root
    from fieldkit.store import LaptopStore

    if not db.is_file() or db.stat().st_size == 0:  # an empty file would become a store
        raise StoreError(
            "no laptop database at this path",
            code="FK-STORE-004",
            location=Location(str(db)),
            hint="give the laptop's file with --db",
        )
    root = study_root(Path.cwd() / "laptop")
    paths = project or [root / "protocols", root / "instruments"]
    forms = load_project(p for p in paths if p.exists()).by_hash()
    project_keys = load_project_keys(key or _default_key(root / "instruments"))
    store_key = laptop_key(db, passphrase_file, passphrase_env, create=False)
    with LaptopStore.open(db, project_keys=project_keys, key=store_key) as store:
        rows = draft_rows(store, forms)
    if not rows:
        console.print("no drafts on this laptop")
        return
    if console.is_terminal:
        console.print(_drafts_table(rows, "Drafts on this laptop", numbered=False))
    else:  # piped: one whole line per draft, never cut to a width
        for row in rows:
            console.print("  ".join(escape(cell) for cell in _cells(row)))
    where = escape(str(db))
    console.print(f"resume one with: fieldkit collect INSTRUMENT --db {where} --resume DRAFT")


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
    app.command("drafts")(drafts)
