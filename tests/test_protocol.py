"""Protocol files: what the ILO guidance asks a protocol to spell out, checked."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldkit.instrument.source import parse_source
from fieldkit.protocol.compiler import compile_protocol_document
from tests.conftest import PROTOCOL_YAML


def compile_protocol(text: str):  # type: ignore[no-untyped-def]
    return compile_protocol_document(parse_source(text, "p.yaml"))


def test_the_test_protocol_compiles() -> None:
    protocol, issues = compile_protocol(PROTOCOL_YAML)
    assert issues == []
    assert protocol is not None
    assert protocol.consent.age_of_majority == 18
    assert protocol.consent.screening[0].stop_when == frozenset({"2"})


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("small_cell_threshold: 5", "small_cell_threshold: 5\nethics2: 1", "FK-YAML-002"),
        (
            '    child_assent: {en: "Do you want to take part?", fr: "Veux-tu participer ?"}',
            '    child_assent: {en: "Do you want to take part?", fr: "Veux-tu participer ?"}\n'
            "    child_refusal_overrides: false",
            "FK-PROT-004",
        ),
        ("ethics:\n", "ethics:\n  age_of_majority: 30\n", "FK-PROT-005"),
        (
            "{name: main, start: 2027-01-01, end: 2027-03-31}",
            "{name: main, start: 2027-03-01, end: 2027-01-31}",
            "FK-PROT-006",
        ),
        (
            "{name: main, start: 2027-01-01, end: 2027-03-31}",
            "{name: main, start: 2027-01-01, end: 2027-03-31, days: [mon, tues]}",
            "FK-PROT-006",
        ),
        ("small_cell_threshold: 5", "small_cell_threshold: 2", "FK-PROT-007"),
        (
            "enumerator: {answers: own, identities: none}",
            "enumerator: {answers: own, identities: with_one_custodian}",
            "FK-PROT-008",
        ),
        ("tools: [", "collection2: 1\ntools: [", "FK-YAML-002"),
        (  # exceptions need coded reasons: free text is never a reason
            "  exception_reasons:\n    - id: no_family_contact\n"
            "      label: {en: No contact with family, fr: Aucun contact avec la famille}\n",
            "",
            "FK-PROT-040",
        ),
        (
            "  exception_reasons:\n    - id: no_family_contact",
            "  exception_reasons:\n    - id: No contact",
            "FK-INS-013",
        ),
        (
            "identity_retention_days: 365",
            "identity_retention_days: 365\nreveal_reason_min_length: 3",
            "FK-YAML-004",
        ),
        (
            "purpose: {en: Measure child labour, fr: Mesurer le travail des enfants}",
            "purpose: {en: Measure child labour}",
            "FK-INS-009",
        ),
    ],
)
def test_protocol_errors(old: str, new: str, code: str) -> None:
    assert old in PROTOCOL_YAML
    _, issues = compile_protocol(PROTOCOL_YAML.replace(old, new))
    assert code in [i.code for i in issues]


def test_consent_and_data_use_hashes_change_with_their_texts_only() -> None:
    base, _ = compile_protocol(PROTOCOL_YAML)
    assert base is not None and base.version == "1"
    reworded, _ = compile_protocol(PROTOCOL_YAML.replace("Do you agree?", "Do you accept?"))
    other_use, _ = compile_protocol(PROTOCOL_YAML.replace("statistics only", "statistics"))
    elsewhere, _ = compile_protocol(PROTOCOL_YAML.replace("Measure child", "Count child"))
    assert reworded is not None and other_use is not None and elsewhere is not None
    assert reworded.consent_sha256 != base.consent_sha256
    assert reworded.data_use_sha256 == base.data_use_sha256
    assert other_use.data_use_sha256 != base.data_use_sha256
    assert other_use.consent_sha256 == base.consent_sha256
    assert (elsewhere.consent_sha256, elsewhere.data_use_sha256) == (
        base.consent_sha256,
        base.data_use_sha256,
    )
    assert base.exception_reason("no_family_contact") is not None
    assert base.exception_reason("lives on the street") is None


def test_continuous_coverage_needs_a_24_hour_7_day_window() -> None:
    text = PROTOCOL_YAML.replace("  windows:", "  continuous_coverage: true\n  windows:")
    text = text.replace("end: 2027-03-31}", 'end: 2027-03-31, hours: {from: "08:00", to: "18:00"}}')
    _, issues = compile_protocol(text)
    assert [i.code for i in issues] == ["FK-PROT-009"]
    fixed = text.replace('"08:00", to: "18:00"', '"00:00", to: "24:00"')
    assert compile_protocol(fixed)[1] == []


def test_hours_must_be_clock_times() -> None:
    text = PROTOCOL_YAML.replace(
        "end: 2027-03-31}", 'end: 2027-03-31, hours: {from: "7am", to: "18:00"}}'
    )
    _, issues = compile_protocol(text)
    assert [(i.code, i.location.line) for i in issues] == [("FK-PROT-006", 11)]


def test_collection_windows_by_date_day_and_hour() -> None:
    text = PROTOCOL_YAML.replace(
        "{name: main, start: 2027-01-01, end: 2027-03-31}",
        "{name: main, start: 2027-01-01, end: 2027-03-31, days: [mon, tue, wed, thu, fri],"
        ' hours: {from: "08:00", to: "18:00"}}',
    )
    protocol, issues = compile_protocol(text)
    assert protocol is not None, issues
    monday = dt.datetime(2027, 2, 1, 9, 30)
    assert protocol.collection_window(monday) is not None
    assert protocol.collection_window(monday.replace(hour=19)) is None  # after hours
    assert protocol.collection_window(dt.datetime(2027, 2, 6, 10, 0)) is None  # a Saturday
    assert protocol.collection_window(dt.datetime(2027, 4, 1, 10, 0)) is None  # after the round
