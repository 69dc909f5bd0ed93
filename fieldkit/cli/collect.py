"""fieldkit collect: interviews on the enumerator's laptop, live or from an answers file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console
from fieldkit.errors import PrivacyError

if TYPE_CHECKING:  # imported where used, so `fieldkit --help` starts fast
    from fieldkit.capture.scripted import CheckedScript
    from fieldkit.instrument.form import Form
    from fieldkit.store import InterviewSummary, LaptopStore

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
    resume: Annotated[str | None, typer.Option(help="Resume this draft interview id.")] = None,
    trace: Annotated[
        bool, typer.Option(help="Print each answer's name once it is safely stored.")
    ] = False,
) -> None:
    """Collect an interview: consent first, each answer saved the moment it is given."""
    from fieldkit.capture.scripted import check_script
    from fieldkit.privacy.keys import load_public_key
    from fieldkit.project import resolve_form
    from fieldkit.store import LaptopStore

    form = resolve_form(instrument)
    public_key = load_public_key(key or _default_key(instrument))
    # An answers file is checked whole before the database is even opened: a rejected file
    # leaves the laptop's store exactly as it was (or not created).
    checked = check_script(form, answers) if answers is not None else None
    with LaptopStore.open(db, project_public_key=public_key) as store:
        if checked is not None:
            _scripted(store, form, checked, trace)
            return
        _live(store, form, enumerator, lang, resume)


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
    store: LaptopStore, form: Form, enumerator: str | None, lang: str | None, resume: str | None
) -> None:
    from fieldkit.capture.recorder import open_interview
    from fieldkit.cli.terminal import TerminalInterview
    from fieldkit.store.records import InterviewStatus

    if resume is None:
        resume = _choose_draft([d for d in store.drafts() if d.form_id == form.id])
    who = enumerator or ""
    if resume is None and not who:  # a resumed draft keeps the enumerator who started it
        who = console.input("Enumerator code: ").strip()
        if not who:
            raise typer.BadParameter("an enumerator code is needed", param_hint="--enumerator")
    session, recorder = open_interview(store, form, enumerator=who, language=lang, resume=resume)
    console.print(f"[bold]{escape(form.title.get(session.language, form.id))}[/]")
    _warn_outside_windows(form)
    status = TerminalInterview(session, recorder, console, console.input).run()
    if status is InterviewStatus.DRAFT:
        console.print(f"draft {recorder.interview_id}: run collect again to resume it")


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


def _choose_draft(drafts: list[InterviewSummary]) -> str | None:
    from rich.table import Table

    if not drafts:
        return None
    table = Table(title="Drafts on this laptop")
    for column in ("#", "interview", "enumerator", "started", "answers"):
        table.add_column(column)
    for number, draft in enumerate(drafts, 1):
        started = draft.started_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(str(number), draft.id[:8], draft.enumerator, started, str(draft.answered))
    console.print(table)
    choice = console.input("Resume which draft? (number, Enter for a new interview) ").strip()
    if choice.isdigit() and 1 <= int(choice) <= len(drafts):
        return drafts[int(choice) - 1].id
    return None


def register(app: typer.Typer) -> None:
    app.command("collect")(collect)
