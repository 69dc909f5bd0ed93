"""Load a protocol file and check it says what a protocol must (ILO Book 2, 2.6)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from fieldkit.errors import FieldkitError
from fieldkit.hashing import content_hash
from fieldkit.indicators.codelists import isco08, isic_rev4
from fieldkit.instrument.labels import localize
from fieldkit.instrument.source import NodePath, SourceDocument, load_source
from fieldkit.instrument.validation import did_you_mean, validate_document
from fieldkit.protocol.model import ConsentBlock, Protocol, ScreeningQuestion
from fieldkit.protocol.places import check_places
from fieldkit.protocol.schema import WEEKDAYS, ProtocolModel
from fieldkit.report import Issue, Report

__all__ = ["compile_protocol_document", "load_protocol"]

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
CLOCK = re.compile(r"^([01]\d|2[0-4]):[0-5]\d$")
MIN_CELL_THRESHOLD = 3


def load_protocol(path: Path) -> tuple[Protocol | None, Report]:
    report = Report()
    try:
        doc = load_source(path)
    except FieldkitError as error:
        report.add(Issue.from_error(error))
        return None, report
    protocol, issues = compile_protocol_document(doc)
    report.extend(issues)
    return protocol, report


def compile_protocol_document(doc: SourceDocument) -> tuple[Protocol | None, list[Issue]]:
    model, issues = validate_document(ProtocolModel, doc)
    if model is None:
        return None, issues
    issues += list(_check(model, doc))
    if any(issue.severity == "error" for issue in issues):
        return None, issues
    consent = _consent_block(model)
    protocol = Protocol(
        model=model,
        consent=consent,
        # Monitoring thresholds change nothing a laptop asks: tuning them mid-fieldwork must
        # not give every form a new hash (and make the laptops' interviews unknown at HQ).
        hash=content_hash(model.model_dump(mode="json", by_alias=True, exclude={"monitoring"})),
        source=doc.file,
    )
    return protocol, issues


def _consent_block(model: ProtocolModel) -> ConsentBlock:
    languages = model.languages
    ethics = model.ethics

    def text(label: object) -> dict[str, str]:
        if isinstance(label, dict):
            return dict(label)
        return dict.fromkeys(languages, str(label))

    return ConsentBlock(
        screening=tuple(
            ScreeningQuestion(q.name, text(q.label), frozenset(str(v) for v in q.stop_when))
            for q in ethics.screening
        ),
        adult=text(ethics.consent.adult),
        guardian=text(ethics.consent.guardian),
        child_assent=text(ethics.consent.child_assent),
        age_of_majority=ethics.age_of_majority,
        exceptions=tuple(ethics.exceptions),
        distress_protocol=text(ethics.distress_protocol),
        referral=text(ethics.referral),
        exception_reasons=tuple(ethics.exception_reasons),
    )


def _check(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    yield from _check_names(model, doc)
    yield from _check_texts(model, doc)
    yield from _check_windows(model, doc)
    yield from _check_ethics(model, doc)
    yield from _check_roles(model, doc)
    yield from _check_hazardous_work(model, doc)
    yield from _check_monitoring(model, doc)
    yield from check_places(model, doc)


def _check_monitoring(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    """The field's time zone must be one the monitor can convert laptop clocks to."""
    import zoneinfo  # noqa: PLC0415  (rarely needed: keeps 'fieldkit check' start-up quick)

    name = model.monitoring.timezone
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        yield Issue(
            "FK-PROT-070",
            f"unknown time zone '{name}'",
            doc.locate(("monitoring", "timezone")),
            "give an IANA zone name such as Africa/Accra or Asia/Dhaka, or leave UTC",
        )


def _check_names(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    named: list[tuple[str, NodePath]] = [(model.id, ("id",))]
    named += [
        (q.name, ("ethics", "screening", i, "name")) for i, q in enumerate(model.ethics.screening)
    ]
    named += [
        (e.id, ("ethics", "exceptions", i, "id")) for i, e in enumerate(model.ethics.exceptions)
    ]
    named += [
        (r.id, ("ethics", "exception_reasons", i, "id"))
        for i, r in enumerate(model.ethics.exception_reasons)
    ]
    for name, path in named:
        if not NAME.match(name):
            yield Issue(
                "FK-INS-013",
                f"'{name}' is not a valid name",
                doc.locate(path),
                "use lower-case letters, digits and _; start with a letter",
            )


def _check_texts(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    languages = model.languages
    texts: list[tuple[object, NodePath]] = [
        (model.title, ("title",)),
        (model.purpose, ("purpose",)),
        (model.population, ("population",)),
        (model.data_use_statement, ("data_use_statement",)),
        (model.ethics.consent.adult, ("ethics", "consent", "adult")),
        (model.ethics.consent.guardian, ("ethics", "consent", "guardian")),
        (model.ethics.consent.child_assent, ("ethics", "consent", "child_assent")),
        (model.ethics.distress_protocol, ("ethics", "distress_protocol")),
        (model.ethics.referral, ("ethics", "referral")),
    ]
    texts += [
        (d.definition, ("definitions", i, "definition")) for i, d in enumerate(model.definitions)
    ]
    texts += [
        (q.label, ("ethics", "screening", i, "label")) for i, q in enumerate(model.ethics.screening)
    ]
    texts += [
        (e.label, ("ethics", "exceptions", i, "label"))
        for i, e in enumerate(model.ethics.exceptions)
    ]
    texts += [
        (r.label, ("ethics", "exception_reasons", i, "label"))
        for i, r in enumerate(model.ethics.exception_reasons)
    ]
    texts += [(rule, ("interview_rules", i)) for i, rule in enumerate(model.interview_rules)]
    if model.methodology is not None:
        texts.append((model.methodology, ("methodology",)))
    for label, path in texts:
        _, issues = localize(label, languages, doc.locate(path), str(path[-1]))  # type: ignore[arg-type]
        yield from issues


def _check_windows(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    for index, window in enumerate(model.collection.windows):
        base: NodePath = ("collection", "windows", index)
        if window.end < window.start:
            yield Issue(
                "FK-PROT-006",
                f"collection window '{window.name}' ends ({window.end})"
                f" before it starts ({window.start})",
                doc.locate((*base, "end")),
                "swap start and end",
            )
        for day_index, day in enumerate(window.days):
            if day not in WEEKDAYS:
                yield Issue(
                    "FK-PROT-006",
                    f"'{day}' is not a day of the week",
                    doc.locate((*base, "days", day_index)),
                    did_you_mean(day, WEEKDAYS) or f"use {', '.join(WEEKDAYS)}",
                )
        if window.hours is not None:
            for key, value in (("from", window.hours.from_), ("to", window.hours.to)):
                if not CLOCK.match(value):
                    yield Issue(
                        "FK-PROT-006",
                        f"'{value}' is not a time of day",
                        doc.locate((*base, "hours", key)),
                        'write hours as "HH:MM", e.g. "07:00"',
                    )
    if model.collection.continuous_coverage and not any(
        _covers_whole_week(w.days, w.hours) for w in model.collection.windows
    ):
        yield Issue(
            "FK-PROT-009",
            "continuous coverage is required but no window covers 24 hours, 7 days a week",
            doc.locate(("collection", "continuous_coverage")),
            'add a window with all seven days and hours {from: "00:00", to: "24:00"}',
        )


def _covers_whole_week(days: list[str], hours: object) -> bool:
    full_day = hours is None or (
        getattr(hours, "from_", "") == "00:00" and getattr(hours, "to", "") == "24:00"
    )
    return set(days) >= set(WEEKDAYS) and full_day


def _check_ethics(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    ethics = model.ethics
    if not ethics.consent.child_refusal_overrides:
        yield Issue(
            "FK-PROT-004",
            "a child's refusal must override an adult's consent",
            doc.locate(("ethics", "consent", "child_refusal_overrides")),
            "set child_refusal_overrides: true (ILO Book 2, 2.6.5)",
        )
    if not 12 <= ethics.age_of_majority <= 21:
        yield Issue(
            "FK-PROT-005",
            f"age of majority {ethics.age_of_majority} is outside 12-21",
            doc.locate(("ethics", "age_of_majority")),
            "a child is anyone under 18 (UN CRC art. 1); use 18 unless national law says otherwise",
        )
    if ethics.exceptions and not ethics.exception_reasons:
        yield Issue(
            "FK-PROT-040",
            "the protocol allows consent exceptions but lists no coded exception reasons",
            doc.locate(("ethics", "exceptions")),
            "add ethics.exception_reasons (id and label each): a reason is chosen from the "
            "list, and anything more is a sealed note",
        )
    if model.small_cell_threshold < MIN_CELL_THRESHOLD:
        yield Issue(
            "FK-PROT-007",
            f"small-cell threshold {model.small_cell_threshold} would publish counts of 1 or 2",
            doc.locate(("small_cell_threshold",)),
            "use at least 3 (5 is the default; CTDC uses 11)",
        )


def _check_roles(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    enumerator = model.roles.get("enumerator")
    if enumerator is not None and enumerator.identities != "none":
        yield Issue(
            "FK-PROT-008",
            "enumerators must not be able to read identifying data back",
            doc.locate(("roles", "enumerator", "identities")),
            "set identities: none for the enumerator role",
        )


def _check_hazardous_work(model: ProtocolModel, doc: SourceDocument) -> Iterator[Issue]:
    """Every entry of the national hazardous work list must be a published code."""
    listed = model.hazardous_work
    if listed is None:
        return
    for key, what, codes, example in (
        ("industries", "industry", isic_rev4(), '"B", "05" or "0510"'),
        ("occupations", "occupation", isco08(), '"93" or "9311"'),
    ):
        for i, entry in enumerate(getattr(listed, key)):
            if entry not in codes.groups:
                yield Issue(
                    "FK-PROT-030",
                    f"hazardous work {what} '{entry}' is not an {codes.name} code",
                    doc.locate(("hazardous_work", key, i)),
                    f"name {codes.name} groups as published, e.g. {example}",
                )
