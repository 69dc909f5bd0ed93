"""fieldkit check / show / compile: instruments and protocols."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console, plural, print_json, print_report
from fieldkit.errors import InstrumentError, Location

if TYPE_CHECKING:
    from rich.tree import Tree

    from fieldkit.instrument.form import Form, Question

__all__ = ["register"]

Paths = Annotated[list[Path], typer.Argument(help="Instrument and protocol files or folders.")]
Instrument = Annotated[Path, typer.Argument(help="An instrument YAML file.")]
Language = Annotated[str | None, typer.Option("--lang", "-l", help="Language code, e.g. fr.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def check(paths: Paths, as_json: JsonFlag = False) -> None:
    """Check instruments and protocols; report every problem with file:line:col."""
    from fieldkit.project import load_project, study_root

    _require_yaml_files(paths)
    # an instrument checked alone is checked against its study's protocols
    beside = sorted({study_root(path.resolve()) / "protocols" for path in paths})
    project = load_project(paths, extra_protocols=[p for p in beside if p.is_dir()])
    if as_json:
        print_json(project.report.to_dict())
    else:
        names = ", ".join(sorted(project.forms)) or "no instruments"
        protocols = plural(len(project.protocols), "protocol")
        print_report(project.report, subject=f"{protocols}, {names}")
    if not project.report.ok:
        raise typer.Exit(1)


def _require_yaml_files(paths: list[Path]) -> None:
    """A mistyped path or an empty folder is a mistake in the command, not a clean check."""
    from fieldkit.project import yaml_files

    for path in paths:
        if not path.exists():
            where = Location(str(path))
            raise InstrumentError(
                "file not found", code="FK-YAML-005", location=where, hint="check the path"
            )
    if not any(True for _ in yaml_files(paths)):
        raise InstrumentError(
            "no .yaml or .yml files to check",
            code="FK-YAML-033",
            location=Location(str(paths[0])),
            hint="give instrument and protocol files, or the folders that hold them",
        )


def compile_(instrument: Instrument) -> None:
    """Print the compiled form as JSON, with its content hash."""
    from fieldkit.project import resolve_form

    print_json(resolve_form(instrument).to_dict())


def show(instrument: Instrument, lang: Language = None) -> None:
    """Show the question tree with skip logic, in a chosen language."""
    from fieldkit.project import resolve_form

    form = resolve_form(instrument)
    language = lang or form.default_language
    if language not in form.languages:
        raise typer.BadParameter(
            f"'{language}' is not one of {', '.join(form.languages)}", param_hint="--lang"
        )
    # wrapped on a terminal rather than cropped; whole lines when piped (see render.py)
    console.print(_tree(form, language), soft_wrap=False)


def _tree(form: Form, language: str) -> Tree:
    from rich.tree import Tree

    root = Tree(
        f"[bold]{escape(form.title.get(language, form.id))}[/] "
        f"[dim]{form.id} · {form.kind} · {len(form.questions)} questions · {form.hash[:19]}[/]"
    )
    if form.consent_required:
        root.add(
            f"[magenta]consent block of protocol {form.protocol.id}[/] (screening, consent, assent)"
        )
    for section in form.sections:
        label = escape(section.label.get(language, section.name))
        branch = root.add(f"[bold cyan]{label}[/]" + _logic(section.relevant, "if"))
        for name in section.items:
            _add_question(branch, form, form.questions[name], language)
    return root


def _add_question(branch: Tree, form: Form, question: Question, language: str) -> None:
    node = branch.add(_question_line(question, language))
    if question.is_repeat:
        for member in question.members:
            _add_question(node, form, form.questions[member], language)
    elif question.choices and len(question.choices) <= 12:
        node.add(
            "[dim]"
            + escape(" · ".join(f"{c.value} {c.label.get(language, '')}" for c in question.choices))
            + "[/]"
        )


def _question_line(question: Question, language: str) -> str:
    label = escape(question.label.get(language, "")) if question.label else ""
    flags = [str(question.type)]
    if question.required:
        flags.append("required")
    if question.pii:
        flags.append("[red]pii[/]")
    if question.disaggregation:
        flags.append(f"[green]{question.disaggregation}[/]")
    text = f"[yellow]{question.name}[/] {label} [dim]({', '.join(flags)})[/]"
    text += _logic(question.relevant, "if")
    text += _logic(question.count, "× ")
    text += _logic(question.constraint, "check")
    text += _logic(question.calculation, "=")
    return text


def _logic(expr: object, word: str) -> str:
    from fieldkit.instrument.expression import unparse

    if expr is None:
        return ""
    return f" [blue]{escape(word)} {escape(unparse(expr))}[/]"  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("show")(show)
    app.command("compile")(compile_)
