"""fieldkit review: the supervisor's list of interviews to look at, and approve / reject."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from fieldkit.cli.datasets import Project
from fieldkit.cli.render import console, plural, print_json

__all__ = ["register", "review_app"]

review_app = typer.Typer(
    name="review",
    help="Interviews to review, flagged first; approve or reject them (audited).",
    invoke_without_command=True,
)
StoreOption = Annotated[
    str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")
]
Interview = Annotated[str, typer.Argument(help="The interview id (or its first characters).")]
Comment = Annotated[str, typer.Option("--comment", help="What the enumerator will read.")]


@review_app.callback()
def review(
    ctx: typer.Context,
    store: Annotated[
        str | None, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")
    ] = None,
    show_all: Annotated[bool, typer.Option("--all", help="Include decided interviews.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    project: Project = None,
) -> None:
    """List merged interviews to review: flagged first, with the rules they raised."""
    if ctx.invoked_subcommand is not None:
        return
    from fieldkit.project import load_study
    from fieldkit.review import review_queue

    if store is None:
        raise typer.BadParameter("give --store STORE", param_hint="--store")
    queue = review_queue(store, load_study(project), include_decided=show_all)
    if as_json:
        print_json([item.to_dict() for item in queue])
        return
    console.print(f"{plural(len(queue), 'interview')} to review")
    for item in queue:
        decided = "" if item.decision is None else f"  [{item.decision.decision}]"
        flags = ", ".join(item.flags) or "no flag"
        console.print(
            f"{escape(item.interview_id)}  {escape(item.form_id)}  {escape(item.enumerator)}  "
            f"{item.started_at:%Y-%m-%d %H:%M}  {escape(flags)}{escape(decided)}"
        )


def _decide(store: str, interview: str, decision: str, comment: str) -> None:
    from fieldkit.cli.users import acting_user
    from fieldkit.review import decide
    from fieldkit.store.coordinator import require_store

    require_store(store)
    done = decide(store, interview, decision, comment, acting_user() or "supervisor")
    console.print(f"[green]✓[/] {escape(done.interview_id)} {done.decision}")


@review_app.command("approve")
def approve(interview: Interview, store: StoreOption, comment: Comment = "") -> None:
    """Approve an interview."""
    _decide(store, interview, "approved", comment)


@review_app.command("reject")
def reject(interview: Interview, store: StoreOption, comment: Comment) -> None:
    """Reject an interview, saying what to correct (the comment is required)."""
    _decide(store, interview, "rejected", comment)


def register(app: typer.Typer) -> None:
    app.add_typer(review_app, name="review")
