"""The fieldkit command line. Commands are thin: parse, call the library, render."""

from __future__ import annotations

import sys

import typer

from fieldkit.cli import bundles, collect, datasets, demo, instruments, keys, users, xlsform
from fieldkit.cli.render import err_console, print_error
from fieldkit.errors import FieldkitError

__all__ = ["app", "main"]

app = typer.Typer(
    name="fieldkit",
    help="Offline-first toolkit for field surveys on child labour and child trafficking.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
instruments.register(app)
collect.register(app)
keys.register(app)
bundles.register(app)
datasets.register(app)
demo.register(app)
app.add_typer(xlsform.app, name="xlsform")
users.register(app)
users.guard(app)  # every command with a --store runs as a registered user (issue 12)


def main() -> None:
    """Entry point: user mistakes become one line and a non-zero exit, never a traceback."""
    try:
        app()
    except FieldkitError as error:
        print_error(error)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
