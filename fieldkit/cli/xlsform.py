"""fieldkit xlsform import / export: questionnaires in and out of ODK's spreadsheet format."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console, print_json, print_report
from fieldkit.instrument.kinds import InstrumentKind  # not the schema: start-up time

if TYPE_CHECKING:
    from fieldkit.protocol.model import Protocol
    from fieldkit.report import Issue

__all__ = ["app"]

app = typer.Typer(
    name="xlsform",
    help="XLSForm in and out: import ODK/KoboToolbox forms, export instruments for them.",
    no_args_is_help=True,
    add_completion=False,
)

Form = Annotated[Path, typer.Argument(help="The XLSForm workbook (.xlsx).")]
Instrument = Annotated[Path, typer.Argument(help="An instrument YAML file.")]


def _notes(notes: list[Issue]) -> None:
    for note in notes:
        console.print(f"[dim]note: {escape(note.one_line())}[/]")


def _protocols(protocol: str | None, out: Path) -> tuple[Mapping[str, Protocol], str | None]:
    """``--protocol``: a protocol file, or an id looked up in the study's protocols/."""
    from fieldkit.project import load_project, study_root
    from fieldkit.xlsform import XlsformError
    from fieldkit.xlsform.errors import NO_PROTOCOL

    if protocol is not None and protocol.endswith((".yaml", ".yml")):
        project = load_project([Path(protocol)])
        if not project.protocols:
            first = project.report.issues[0].one_line() if project.report.issues else protocol
            raise XlsformError(
                f"{protocol} is not a protocol that compiles: {first}",
                code=NO_PROTOCOL,
                hint="run fieldkit check on it, or give a protocol id",
            )
        return project.protocols, next(iter(project.protocols))
    root = study_root(out.resolve())
    found = load_project([], extra_protocols=[root / "protocols"]).protocols
    return found, protocol


def import_(
    form: Form,
    out: Annotated[Path, typer.Option("--out", help="The instrument to write (.yaml).")],
    protocol: Annotated[
        str | None,
        typer.Option(
            "--protocol", help="Protocol id (from the study's protocols/) or protocol file."
        ),
    ] = None,
    kind: Annotated[
        InstrumentKind | None, typer.Option("--kind", help="Instrument kind (else proposed).")
    ] = None,
    instrument_id: Annotated[
        str | None, typer.Option("--id", help="Instrument id (else the form_id setting).")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Anything not carried over is an error.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print what was found as JSON.")] = False,
) -> None:
    """Import an XLSForm (.xlsx) as an instrument, listing what was not carried over.

    Every problem names its sheet cell (survey!E12); --strict makes them errors.
    """
    from fieldkit.xlsform import import_xlsform
    from fieldkit.xlsform.files import check_instrument_out, write_instrument

    check_instrument_out(out, force=force)
    protocols, protocol_id = _protocols(protocol, out)
    result = import_xlsform(
        form,
        protocols,
        protocol=protocol_id,
        kind=kind.value if kind else None,
        instrument_id=instrument_id,
        strict=strict,
        file_name=str(out),
    )
    if result.ok:
        write_instrument(out, result.text)
    if as_json:
        print_json(
            {
                "written": str(out) if result.ok else None,
                "questions": result.questions,
                **result.report.to_dict(),
                "notes": [note.to_dict() for note in result.notes],
            }
        )
    else:
        _notes(result.notes)
        subject = (
            f"{out}: {result.questions} question(s), {len(result.notes)} note(s)"
            if result.ok
            else f"{form.name}: nothing written"
        )
        print_report(result.report, subject=subject)
    if not result.ok:
        raise typer.Exit(1)


def export(
    instrument: Instrument,
    out: Annotated[Path, typer.Option("--out", help="The XLSForm to write (.xlsx).")],
) -> None:
    """Export an instrument as an XLSForm for ODK Collect or KoboToolbox.

    The protocol's consent block becomes ordinary questions; pii fields are marked.
    """
    from fieldkit.project import resolve_form
    from fieldkit.xlsform import export_xlsform

    form = resolve_form(instrument)
    result = export_xlsform(form, out)
    _notes(result.notes)
    console.print(
        f"[bold green]✓ wrote {escape(str(out))}[/]: {result.rows} survey rows"
        f" ({len(form.questions)} questions and the protocol's consent block)"
    )


app.command("import")(import_)
app.command("export")(export)
