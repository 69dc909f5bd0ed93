"""Compile an instrument file into a frozen, hashed Form, with a report of every problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from fieldkit.errors import FieldkitError
from fieldkit.hashing import content_hash
from fieldkit.instrument.builder import Draft, Outline, build_outline
from fieldkit.instrument.checks import check_form_rules
from fieldkit.instrument.form import Form, Question, RosterCheck, SampleDesign, Section
from fieldkit.instrument.labels import localize
from fieldkit.instrument.logic import Logic, compile_logic
from fieldkit.instrument.schema import ConsentMode, InstrumentModel
from fieldkit.instrument.source import SourceDocument, load_source, parse_source
from fieldkit.instrument.templates import check_templates
from fieldkit.instrument.validation import did_you_mean, validate_document
from fieldkit.protocol.model import Protocol
from fieldkit.report import Issue, Report

__all__ = ["CompileResult", "compile_document", "compile_instrument", "compile_text"]


@dataclass
class CompileResult:
    form: Form | None
    report: Report


def compile_instrument(path: Path, protocols: Mapping[str, Protocol]) -> CompileResult:
    try:
        doc = load_source(path)
    except FieldkitError as error:
        return CompileResult(None, Report([Issue.from_error(error)]))
    return compile_document(doc, protocols)


def compile_text(
    text: str, protocols: Mapping[str, Protocol], file: str = "<instrument>"
) -> CompileResult:
    """Compile YAML text (for tests and tools that build instruments in memory)."""
    try:
        doc = parse_source(text, file)
    except FieldkitError as error:
        return CompileResult(None, Report([Issue.from_error(error)]))
    return compile_document(doc, protocols)


def compile_document(doc: SourceDocument, protocols: Mapping[str, Protocol]) -> CompileResult:
    report = Report()
    model, issues = validate_document(InstrumentModel, doc)
    report.extend(issues)
    if model is None:
        return CompileResult(None, report)
    protocol = _find_protocol(model, doc, protocols, report)
    outline = build_outline(model, doc)
    report.extend(outline.issues)
    sections = [
        (s.name, s.path, model.sections[i].relevant) for i, s in enumerate(outline.sections)
    ]
    logic = compile_logic(outline, doc, sections)
    report.extend(logic.issues)
    report.extend(check_templates(outline, doc))
    report.extend(check_form_rules(model, outline, doc, protocol))
    if not report.ok or protocol is None:
        return CompileResult(None, report)
    return CompileResult(_assemble(model, doc, outline, logic, protocol), report)


def _find_protocol(
    model: InstrumentModel, doc: SourceDocument, protocols: Mapping[str, Protocol], report: Report
) -> Protocol | None:
    protocol = protocols.get(model.protocol)
    if protocol is None:
        known = ", ".join(sorted(protocols)) or "none found"
        report.error(
            "FK-PROT-001",
            f"protocol '{model.protocol}' not found",
            doc.locate(("protocol",)),
            did_you_mean(model.protocol, protocols) or f"known protocols: {known}",
        )
    return protocol


def _assemble(
    model: InstrumentModel, doc: SourceDocument, outline: Outline, logic: Logic, protocol: Protocol
) -> Form:
    questions = {d.name: _question(d, doc, logic) for d in outline.drafts}
    screens = {s.name: s.screen for s in model.sections}
    sections = tuple(
        Section(s.name, s.label, logic.section_relevance.get(s.name), s.items, screens[s.name])
        for s in outline.sections
    )
    design = model.sample_design
    title, _ = localize(model.title, model.languages, doc.locate(("title",)), "title")
    form = Form(
        id=model.id,
        title=title,
        version=str(model.version),
        kind=model.kind,
        languages=tuple(model.languages),
        default_language=model.default_language or model.languages[0],
        respondents=tuple(str(r) for r in model.respondents),
        consent_required=model.consent is ConsentMode.PROTOCOL,
        protocol=protocol,
        sections=sections,
        questions=MappingProxyType(questions),
        unit_key=tuple(model.unit_key),
        sample_design=None
        if design is None
        else SampleDesign(design.psu, design.weight, design.stratum),
        dependents=MappingProxyType(dict(logic.dependents)),
        source=doc.file,
    )
    object.__setattr__(form, "hash", content_hash(form.content()))
    return form


def _question(draft: Draft, doc: SourceDocument, logic: Logic) -> Question:
    q = draft.model
    exprs = logic.expressions.get(draft.name, {})
    return Question(
        name=q.name,
        type=q.type,
        section=draft.section,
        label=draft.label,
        hint=draft.hint,
        repeat=draft.repeat,
        required=q.required is True,
        required_if=exprs.get("required_if"),
        relevant=exprs.get("relevant"),
        constraint=exprs.get("constraint"),
        constraint_message=draft.constraint_message,
        calculation=exprs.get("calculation"),
        choices=draft.choices,
        choice_list=draft.choice_list,
        choice_filter=exprs.get("choice_filter"),
        pii=q.pii,
        disaggregation=q.disaggregation,
        allow_dont_know=q.allow_dont_know,
        allow_refused=q.allow_refused,
        count=exprs.get("count"),
        members=draft.members,
        location=doc.locate(draft.path),
        member_label=draft.member_label,
        checks=_checks(draft, doc, logic),
        value_type=logic.calculation_types.get(draft.name),
    )


def _checks(draft: Draft, doc: SourceDocument, logic: Logic) -> tuple[RosterCheck, ...]:
    compiled = logic.checks.get(draft.name, [])
    checks = []
    for index, (check, (when, rule)) in enumerate(
        zip(draft.model.checks or [], compiled, strict=True)
    ):
        if rule is None:
            continue  # `rule: true` never fails
        message = draft.check_messages[index]
        location = doc.locate((*draft.path, "checks", index))
        checks.append(RosterCheck(check.name, rule, message, when, location))
    return tuple(checks)
