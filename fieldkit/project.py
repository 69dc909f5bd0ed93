"""A study's files: every protocol and instrument found under the given paths, compiled.

Files are told apart by content: an instrument has ``sections:``, a protocol ``ethics:``.
Protocols compile first so instruments can be checked against them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.errors import FieldkitError, InstrumentError, Location
from fieldkit.instrument.compiler import compile_document
from fieldkit.instrument.form import Form
from fieldkit.instrument.source import SourceDocument, load_source
from fieldkit.protocol.compiler import compile_protocol_document
from fieldkit.protocol.model import Protocol
from fieldkit.report import Issue, Report

__all__ = ["Project", "load_project", "resolve_form", "study_root"]

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Project:
    forms: dict[str, Form] = field(default_factory=dict)
    protocols: dict[str, Protocol] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    files: dict[str, Path] = field(default_factory=dict)
    """Instrument id → the file it came from."""

    def form(self, ref: str) -> Form:
        """A form by id, file path or hash."""
        for form in self.forms.values():
            if ref in (form.id, form.hash) or (form.source and Path(form.source) == Path(ref)):
                return form
        known = ", ".join(sorted(self.forms)) or "none"
        raise InstrumentError(
            f"no instrument '{ref}'", code="FK-INS-019", hint=f"known instruments: {known}"
        )

    def by_hash(self) -> dict[str, Form]:
        return {form.hash: form for form in self.forms.values()}


def _yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES)
        else:
            yield path


def load_project(paths: Iterable[Path], *, extra_protocols: Iterable[Path] = ()) -> Project:
    """Compile every file under ``paths``.

    Protocols found under ``extra_protocols`` are used to compile instruments, not reported on.
    """
    project = Project()
    documents: list[SourceDocument] = []
    for path in _yaml_files(paths):
        try:
            documents.append(load_source(path))
        except FieldkitError as error:
            project.report.add(Issue.from_error(error))
    instruments = [d for d in documents if isinstance(d.data, dict) and "sections" in d.data]
    protocols = [d for d in documents if d not in instruments]
    for doc in protocols:
        _add_protocol(project, doc, project.report)
    for path in _yaml_files(extra_protocols):
        try:
            _add_protocol(project, load_source(path), Report())
        except FieldkitError:
            continue
    for doc in instruments:
        result = compile_document(doc, project.protocols)
        project.report.extend(result.report.issues)
        if result.form is not None:
            _add_form(project, result.form, doc)
    return project


def _add_protocol(project: Project, doc: SourceDocument, report: Report) -> None:
    protocol, issues = compile_protocol_document(doc)
    report.extend(issues)
    if protocol is None:
        return
    if protocol.id in project.protocols and project.protocols[protocol.id].source != doc.file:
        if report is project.report:
            report.error(
                "FK-PROT-011",
                f"protocol id '{protocol.id}' is also used by "
                f"{project.protocols[protocol.id].source}",
                doc.locate(("id",)),
                "give each protocol its own id",
            )
        return
    project.protocols[protocol.id] = protocol


def _add_form(project: Project, form: Form, doc: SourceDocument) -> None:
    if form.id in project.forms:
        project.report.error(
            "FK-INS-020",
            f"instrument id '{form.id}' is also used by {project.forms[form.id].source}",
            doc.locate(("id",)),
            "give each instrument its own id",
        )
        return
    project.forms[form.id] = form
    project.files[form.id] = Path(doc.file)


def resolve_form(instrument: Path | str, project_root: Path | None = None) -> Form:
    """Compile one instrument with the protocols beside it; raise on the first error."""
    path = Path(instrument)
    root = project_root or study_root(path)
    project = load_project([path], extra_protocols=[root / "protocols"])
    if not project.report.ok:
        first = project.report.errors[0]
        raise InstrumentError(
            first.message, code=first.code, location=first.location, hint=first.hint
        )
    if not project.forms:
        raise InstrumentError(
            "not an instrument (no sections:)", code="FK-INS-019", location=Location(str(path))
        )
    return next(iter(project.forms.values()))


def study_root(path: Path) -> Path:
    """The study folder a file belongs to: the nearest parent holding protocols/."""
    for parent in [path.parent, *path.parents]:
        if (parent / "protocols").is_dir():
            return parent
    return Path.cwd()
