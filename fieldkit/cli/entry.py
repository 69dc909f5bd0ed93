"""Running a command: every mistake is one coded line, and a bug is one line too.

A command raises a `FieldkitError` for a user's mistake (the library's own, or one the
command finds in its arguments); typer raises a usage error for an option it cannot parse.
Both are printed as one line ``error: [where: ]CODE message (hint)`` with a non-zero exit.
Anything else is a bug in fieldkit: the last-resort guard prints one line asking for a bug
report (``FIELDKIT_DEBUG=1`` shows the traceback), never a traceback to a field worker.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import typer
import typer.main
from typer._click import exceptions as usage  # typer's own parser errors (no public path)

from fieldkit.cli.render import err_console, print_error
from fieldkit.errors import FieldkitError

__all__ = ["EXIT_BUG", "EXIT_ERROR", "EXIT_USAGE", "plain_help", "run"]

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70  # EX_SOFTWARE
EXIT_INTERRUPTED = 130
DEBUG_VARIABLE = "FIELDKIT_DEBUG"

BAD_VALUE = "FK-CLI-050"
MISSING = "FK-CLI-051"
UNKNOWN = "FK-CLI-052"
NO_INPUT = "FK-CLI-053"
BUG = "FK-CLI-099"


def run(app: typer.Typer, argv: Sequence[str]) -> int:
    """Run ``fieldkit ARGV``; return the exit status (0 success, 1 error, 2 usage, 70 bug)."""
    command = typer.main.get_command(app)
    plain_help(command)
    try:
        status = command.main(args=list(argv), prog_name="fieldkit", standalone_mode=False)
    except FieldkitError as error:
        print_error(error)
        return EXIT_ERROR
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exit_:  # typer exits this way on a closed pipe
        return exit_.code if isinstance(exit_.code, int) else EXIT_ERROR
    except Exception as error:
        return _failed(error)
    return status if isinstance(status, int) else 0


def _failed(error: Exception) -> int:
    """A usage error typer found, no input at a prompt, or a bug."""
    if isinstance(error, usage.NoArgsIsHelpError):
        err_console.print(error.format_message(), markup=False, highlight=False)
        return EXIT_USAGE
    if isinstance(error, usage.UsageError):
        print_error(_usage_error(error))
        return EXIT_USAGE
    if isinstance(error, typer.Abort):
        print_error(FieldkitError("no answer was given", code=NO_INPUT, hint=_NO_INPUT_HINT))
        return EXIT_ERROR
    if os.environ.get(DEBUG_VARIABLE):
        raise error
    print_error(_bug(error))
    return EXIT_BUG


_NO_INPUT_HINT = "type it when asked, or use the command's file option (e.g. --passphrase-file)"


def _usage_error(error: usage.UsageError) -> FieldkitError:
    message = error.format_message().strip().rstrip(".")
    if isinstance(error, usage.MissingParameter) or "requires an argument" in message:
        code = MISSING
    elif isinstance(error, usage.NoSuchOption | usage.BadArgumentUsage) or any(
        words in message for words in ("No such command", "unexpected extra argument")
    ):
        code = UNKNOWN
    else:
        code = BAD_VALUE
    path = error.ctx.command_path if error.ctx is not None else "fieldkit"
    message = message[:1].lower() + message[1:]
    return FieldkitError(f"{path}: {message}", code=code, hint=f"see '{path} --help'")


def _bug(error: Exception) -> FieldkitError:
    detail = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {detail[0]}" if detail else type(error).__name__
    return FieldkitError(
        f"unexpected error ({text})",
        code=BUG,
        hint="this is a bug in fieldkit: please report it with the command you ran; "
        f"{DEBUG_VARIABLE}=1 shows the details",
    )


def plain_help(command: Any) -> None:
    """Help that names values (``--store STORE``) instead of Python types (``<str>``,
    ``<list[Path]>``), shows flags bare, and lists commands with their whole first sentence,
    for every command and group below ``command``."""
    for param in command.params:
        _name_value(param)
    help_option = command.get_help_option(typer.Context(command))
    if help_option is not None:
        _name_value(help_option)
    for sub in getattr(command, "commands", {}).values():
        if not sub.short_help and sub.help:  # whole in a command list, never cut with "..."
            sub.short_help = " ".join(sub.help.split("\n\n")[0].split())
        plain_help(sub)


def _name_value(param: Any) -> None:
    if param.metavar is not None:
        return
    if getattr(param, "is_flag", False):
        param.metavar = ""
        return
    name = (param.name or "value").upper()
    if param.param_type_name == "argument":
        param.metavar = name  # typer adds "..." (and braces when required) where due
        # typer shows an argument's Python type beside its name whatever its metavar
        param.display_type_rich = _no_type
        return
    param.metavar = name


def _no_type(ctx: Any) -> None:
    """Stands in for ``display_type_rich(ctx=...)`` on an argument: no type shown."""
    del ctx
