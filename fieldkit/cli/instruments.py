"""fieldkit check / show / compile: instruments and protocols."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.tree import Tree

from fieldkit.cli.render import console, print_json, print_report
from fieldkit.instrument.expression import unparse
from fieldkit.instrument.form import Form, Question
from fieldkit.project import load_project, resolve_form

__all__ = ["register"]

Paths = Annotated[list[Path], typer.Argument(help="Instrument and protocol files or folders.")]
Instrument = Annotated[Path, typer.Argument(help="An instrument YAML file.")]
Language = Annotated[str | None, typer.Option("--lang", "-l", help="Language code, e.g. fr.")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print the report as JSON.")]


def check(paths: Paths, as_json: JsonFlag = False) -> None:
    """Check instruments and protocols; report every problem with file:line:col."""
    project = load_project(paths)
    if as_json:
        print_json(project.report.to_dict())
    else:
        names = ", ".join(sorted(project.forms)) or "no instruments"
        print_report(project.report, subject=f"{len(project.protocols)} protocol(s), {names}")
    if not project.report.ok:
        raise typer.Exit(1)


def compile_(instrument: Instrument) -> None:
    """Print the compiled form as JSON, with its content hash."""
    print_json(resolve_form(instrument).to_dict())


def show(instrument: Instrument, lang: Language = None) -> None:
    """Show the question tree with skip logic, in a chosen language."""
    form = resolve_form(instrument)
    language = lang or form.default_language
    if language not in form.languages:
        raise typer.BadParameter(
            f"'{language}' is not one of {', '.join(form.languages)}", param_hint="--lang"
        )
    console.print(_tree(form, language))


def _tree(form: Form, language: str) -> Tree:
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
    if expr is None:
        return ""
    return f" [blue]{escape(word)} {escape(unparse(expr))}[/]"  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("show")(show)
    app.command("compile")(compile_)
