"""Survey and ethics rules a form must keep, beyond its shape and logic.

- identifying fields are marked ``pii`` (FK-INS-010) and never serve as keys (FK-INS-018);
- an instrument that records a child records sex and exact age (FK-INS-011, FK-INS-012);
- keys and the sample design name real questions (FK-INS-014);
- a person is interviewed only after the protocol's consent block (FK-ETH-001);
- the instrument and its protocol agree (FK-PROT-002, -003, -010, -064: place choices).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fieldkit.instrument.builder import Draft, Outline
from fieldkit.instrument.schema import (
    ConsentMode,
    DisaggregationRole,
    InstrumentKind,
    InstrumentModel,
    QuestionType,
    Respondent,
)
from fieldkit.instrument.source import SourceDocument
from fieldkit.instrument.validation import did_you_mean
from fieldkit.protocol.model import Protocol
from fieldkit.protocol.places import check_place_choices
from fieldkit.report import Issue

__all__ = ["check_form_rules", "looks_identifying"]

IDENTIFYING_NAME = re.compile(
    r"(^|_)(name|names|first_?name|surname|family_name|phone|telephone|mobile|tel|email|address|"
    r"gps|coordinates|photo|picture|passport|id_number|id_card|document_number|birth_certificate)($|_)"
)
EXACT_AGE_TYPES = (QuestionType.INTEGER, QuestionType.DATE, QuestionType.CALCULATE)


def looks_identifying(draft: Draft) -> bool:
    if draft.type is QuestionType.GEOPOINT:
        return True
    if draft.type not in (QuestionType.TEXT, QuestionType.INTEGER, QuestionType.DECIMAL):
        return False
    return bool(IDENTIFYING_NAME.search(draft.name))


def check_form_rules(
    model: InstrumentModel, outline: Outline, doc: SourceDocument, protocol: Protocol | None
) -> list[Issue]:
    drafts = {d.name: d for d in outline.drafts}
    issues = list(_identifying(outline, doc))
    issues += list(_disaggregation(model, outline, doc))
    issues += list(_keys(model, drafts, doc))
    issues += list(_consent(model, doc))
    if protocol is not None:
        issues += list(_agreement(model, doc, protocol))
    return issues


def _identifying(outline: Outline, doc: SourceDocument) -> Iterator[Issue]:
    for draft in outline.drafts:
        if looks_identifying(draft) and not draft.model.pii:
            yield Issue(
                "FK-INS-010",
                f"'{draft.name}' looks identifying ({draft.type}) but is not marked pii",
                doc.locate(draft.path),
                "add pii: true so it is encrypted and kept apart from answers",
            )


def _records_child(model: InstrumentModel, outline: Outline) -> bool:
    has_roster = any(d.type is QuestionType.REPEAT for d in outline.drafts)
    return Respondent.CHILD in model.respondents or (
        has_roster and model.kind is not InstrumentKind.RAPID_ASSESSMENT
    )


def _disaggregation(
    model: InstrumentModel, outline: Outline, doc: SourceDocument
) -> Iterator[Issue]:
    roles = {d.model.disaggregation: d for d in outline.drafts if d.model.disaggregation}
    age = roles.get(DisaggregationRole.AGE)
    if age is not None and age.type not in EXACT_AGE_TYPES:
        yield Issue(
            "FK-INS-012",
            f"age '{age.name}' is recorded as a {age.type}, not as an exact value",
            doc.locate(age.path),
            "record completed years (integer) or date of birth; bands are computed at export",
        )
    sex = roles.get(DisaggregationRole.SEX)
    if sex is not None and sex.type is not QuestionType.SELECT_ONE:
        yield Issue(
            "FK-INS-012",
            f"sex '{sex.name}' must be a select_one question",
            doc.locate(sex.path),
            "use the shared sex choice list (1 male, 2 female)",
        )
    if not _records_child(model, outline):
        return
    for role in (DisaggregationRole.SEX, DisaggregationRole.AGE):
        if role not in roles:
            yield Issue(
                "FK-INS-011",
                f"this instrument records children but has no question with disaggregation: {role}",
                doc.locate(("sections",), key=True),
                f"add a {'select_one sex' if role == 'sex' else 'integer age in completed years'}"
                f" question with disaggregation: {role}",
            )


def _keys(model: InstrumentModel, drafts: dict[str, Draft], doc: SourceDocument) -> Iterator[Issue]:
    named: list[tuple[str, tuple[str | int, ...]]] = [
        (name, ("unit_key", i)) for i, name in enumerate(model.unit_key)
    ]
    if model.sample_design is not None:
        design = model.sample_design
        named += [
            (v, ("sample_design", k))
            for k, v in (
                ("stratum", design.stratum),
                ("psu", design.psu),
                ("weight", design.weight),
            )
            if v
        ]
    for name, path in named:
        draft = drafts.get(name)
        if draft is None:
            yield Issue(
                "FK-INS-014",
                f"'{name}' is not a question of this instrument",
                doc.locate(path),
                did_you_mean(name, drafts) or "name a top-level question",
            )
        elif draft.repeat is not None or draft.type is QuestionType.REPEAT:
            yield Issue(
                "FK-INS-014",
                f"'{name}' is asked per roster member; keys and the design need one value"
                " per interview",
                doc.locate(path),
                "name a question outside the roster",
            )
        elif draft.model.pii:
            yield Issue(
                "FK-INS-018",
                f"'{name}' is identifying (pii) and cannot be a key or design variable",
                doc.locate(path),
                "use a reference number, not a name or contact",
            )


def _consent(model: InstrumentModel, doc: SourceDocument) -> Iterator[Issue]:
    if model.consent is ConsentMode.NONE and model.respondents:
        who = "children" if Respondent.CHILD in model.respondents else "people"
        yield Issue(
            "FK-ETH-001",
            f"this instrument interviews {who} but skips the protocol's consent block",
            doc.locate(("consent",)),
            "set consent: protocol (consent: none is only for tools with no respondent)",
        )


def _agreement(model: InstrumentModel, doc: SourceDocument, protocol: Protocol) -> Iterator[Issue]:
    if model.kind not in protocol.model.tools:
        yield Issue(
            "FK-PROT-002",
            f"protocol '{protocol.id}' does not list {model.kind} among its tools",
            doc.locate(("kind",)),
            f"add {model.kind} to tools in {protocol.source or protocol.id},"
            " or use another protocol",
        )
    missing = [lang for lang in model.languages if lang not in protocol.languages]
    if missing:
        yield Issue(
            "FK-PROT-003",
            f"protocol '{protocol.id}' has no consent texts in {', '.join(missing)}",
            doc.locate(("languages",)),
            "translate the protocol first: consent must be read in the interview language",
        )
    non_representative = (
        not protocol.representative or model.kind is InstrumentKind.RAPID_ASSESSMENT
    )
    if model.sample_design is not None and non_representative:
        yield Issue(
            "FK-PROT-010",
            "a sample design (weights) on a non-representative study",
            doc.locate(("sample_design",)),
            "rapid assessments and purposive samples give counts only; remove sample_design",
        )
    if model.kind is InstrumentKind.RAPID_ASSESSMENT and protocol.representative:
        yield Issue(
            "FK-PROT-010",
            f"rapid assessment under protocol '{protocol.id}', which claims to be representative",
            doc.locate(("protocol",)),
            "rapid assessments are not representative: set representative: false in the protocol",
        )
    yield from check_place_choices(model.choices, doc, protocol.model.places, protocol.id)
