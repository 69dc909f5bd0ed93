"""A study's files: every protocol and instrument found under the given paths, compiled.

Files are told apart by content: an instrument has ``sections:``, a protocol ``ethics:``.
Protocols compile first so instruments can be checked against them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fieldkit.errors import FieldkitError, InstrumentError, Location
from fieldkit.instrument.compiler import compile_document
from fieldkit.instrument.form import Form
from fieldkit.instrument.source import SourceDocument, load_source
from fieldkit.protocol.compiler import compile_protocol_document
from fieldkit.protocol.model import Protocol
from fieldkit.report import Issue, Report

__all__ = [
    "PROJECT_VARIABLE",
    "Project",
    "load_project",
    "load_study",
    "resolve_form",
    "study_paths",
    "study_root",
    "yaml_files",
]

YAML_SUFFIXES = (".yaml", ".yml")
PROJECT_VARIABLE = "FIELDKIT_PROJECT"
"""Names the study folder when a command runs outside it."""


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


def yaml_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The files under ``paths`` that ``load_project`` reads: YAML files in folders, and
    every file named directly."""
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
    for path in yaml_files(paths):
        try:
            documents.append(load_source(path))
        except FieldkitError as error:
            project.report.add(Issue.from_error(error))
    instruments = [d for d in documents if isinstance(d.data, dict) and "sections" in d.data]
    protocols = [d for d in documents if d not in instruments]
    for doc in protocols:
        _add_protocol(project, doc, project.report)
    for path in yaml_files(extra_protocols):
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
    if path.is_dir():
        raise InstrumentError(
            "is a folder, not an instrument file",
            code="FK-YAML-005",
            location=Location(str(path)),
            hint="give one instrument's YAML file, e.g. instruments/household.yaml",
        )
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
    return _nearest_study(path.parent) or Path.cwd()


def _nearest_study(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if _is_study(folder):
            return folder
    return None


def _is_study(folder: Path) -> bool:
    return (folder / "protocols").is_dir()


def study_paths(project: Sequence[Path] | None = None, start: Path | None = None) -> list[Path]:
    """The protocol and instrument files or folders of the study being worked on.

    ``project`` (the ``--project`` option) wins; a study folder in it stands for its
    protocols/ and instruments/. Else ``FIELDKIT_PROJECT`` names the study folder. Else the
    study is the nearest folder holding protocols/, from ``start`` (the current folder) up,
    as git finds its repository. FK-PROT-050 when there is none.
    """
    if project:
        return [path for given in project for path in _expanded(given)]
    variable = os.environ.get(PROJECT_VARIABLE)
    if variable:
        root = Path(variable)
        if not _is_study(root):
            raise _no_study(f"{PROJECT_VARIABLE}={variable} is not a study folder (no protocols/)")
        return _expanded(root)
    here = (start or Path.cwd()).resolve()
    found = _nearest_study(here)
    if found is None:
        raise _no_study(f"no study folder (one holding protocols/) in {here} or above")
    return _expanded(found)


def _expanded(path: Path) -> list[Path]:
    if not path.exists():
        raise _no_study(f"--project {path}: no such file or folder")
    if path.is_dir() and _is_study(path):
        return [path / "protocols", *[p for p in [path / "instruments"] if p.is_dir()]]
    return [path]


def _no_study(message: str) -> InstrumentError:
    return InstrumentError(
        message,
        code="FK-PROT-050",
        hint="run the command inside the study folder, give --project FOLDER, "
        f"or set {PROJECT_VARIABLE}",
    )


def load_study(project: Sequence[Path] | None = None, start: Path | None = None) -> Project:
    """The study's compiled project (see `study_paths`); raise on its first error."""
    loaded = load_project(study_paths(project, start))
    errors = loaded.report.errors
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise InstrumentError(
            first.message + more,
            code=first.code,
            location=first.location,
            hint="'fieldkit check' on the study's protocols and instruments lists them all",
        )
    return loaded
