"""The fieldkit command line. Commands are thin: parse, call the library, render.

Start-up time is something a user feels on every command, so a command module imports only
typer, pathlib and ``fieldkit.cli.render`` at its top, and the library modules it calls
(SQLAlchemy, pydantic, cryptography, openpyxl, pyarrow, ...) inside the command function.
``tests/test_cli_startup.py`` keeps it so; ``bench/startup.py`` measures it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from fieldkit.cli import (
    backcheck,
    bundles,
    collect,
    datasets,
    demo,
    estimate,
    instruments,
    keys,
    monitor,
    profile,
    protection,
    review,
    routes,
    serve,
    users,
    xlsform,
)
from fieldkit.cli.entry import run as run_app

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="fieldkit",
    help="Offline-first toolkit for field surveys on child labour and child trafficking.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
instruments.register(app)
collect.register(app)
keys.register(app)
bundles.register(app)
datasets.register(app)
estimate.register(app)
profile.register(app)
routes.register(app)
demo.register(app)
app.add_typer(xlsform.app, name="xlsform")
protection.register(app)  # reveal, audit, retention, staff; device revoke, keys rotate
serve.register(app)
users.register(app)
monitor.register(app)
review.register(app)
backcheck.register(app)
users.guard(app)  # every command with a --store runs as a registered user (issue 12)


def run(argv: Sequence[str]) -> int:
    """``fieldkit ARGV`` in this process; the exit status (tests and embedding use it)."""
    return run_app(app, argv)


def main() -> None:
    """Entry point: user mistakes become one line and a non-zero exit, never a traceback."""
    sys.exit(run(sys.argv[1:]))
