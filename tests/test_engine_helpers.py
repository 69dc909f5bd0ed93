"""Small instruments for the engine tests, written inline as in docs/instruments.md."""

from __future__ import annotations

import datetime as dt
import textwrap

from fieldkit.capture import Engine, Session, Step
from fieldkit.instrument.compiler import compile_text
from fieldkit.instrument.form import Form
from fieldkit.instrument.source import parse_source
from fieldkit.protocol.compiler import compile_protocol_document
from fieldkit.protocol.model import Protocol
from fieldkit.store.records import AnswerChange, AnswerStatus, MemberChange

PROTOCOL = """\
id: engine_protocol
title: {en: Engine study, fr: Étude moteur}
languages: [en, fr]
purpose: {en: Test the engine, fr: Tester le moteur}
population: {en: Households, fr: Ménages}
definitions:
  - term: child
    definition: {en: Anyone under 18, fr: Toute personne de moins de 18 ans}
collection:
  windows:
    - {name: main, start: 2027-01-01, end: 2027-03-31}
tools: [household, street]
ethics:
  age_of_majority: 18
  screening:
    - name: safe_to_proceed
      label: {en: "Is it safe to continue?", fr: "Peut-on continuer en sécurité ?"}
      stop_when: [2]
    - name: respondent_calm
      label: {en: "Is the respondent calm?", fr: "La personne est-elle calme ?"}
      stop_when: [2]
  consent:
    adult: {en: "Do you agree to take part?", fr: "Acceptez-vous de participer ?"}
    guardian: {en: "Do you agree for your child?", fr: "Acceptez-vous pour votre enfant ?"}
    child_assent: {en: "Do you want to take part?", fr: "Veux-tu participer ?"}
  exceptions:
    - id: street_living
      label: {en: Street-living child without a guardian, fr: Enfant des rues sans tuteur}
  exception_reasons:
    - id: no_family_contact
      label: {en: No contact with family, fr: Aucun contact avec la famille}
    - id: parents_unreachable
      label: {en: Parents cannot be reached, fr: Parents injoignables}
  distress_protocol: {en: Stop and refer, fr: Arrêter et orienter}
  referral: {en: Call the helpline, fr: Appeler la ligne d'aide}
roles:
  enumerator: {answers: own, identities: none}
data_use_statement: {en: Statistics only, fr: Statistique seulement}
identity_retention_days: 365
"""

ADULT_HEADER = """\
id: mini
title: {en: Mini, fr: Mini}
kind: household
protocol: engine_protocol
languages: [en, fr]
respondents: [adult]
"""

CHILD_HEADER = ADULT_HEADER.replace("respondents: [adult]", "respondents: [adult, child]")

NO_CONSENT_HEADER = """\
id: sheet
title: {en: Observation sheet, fr: Fiche d'observation}
kind: household
protocol: engine_protocol
languages: [en, fr]
consent: none
"""

YES_NO = """\
choices:
  yes_no:
    - {value: 1, label: {en: "Yes", fr: "Oui"}}
    - {value: 2, label: {en: "No", fr: "Non"}}
  sex:
    - {value: 1, label: {en: Male, fr: Homme}}
    - {value: 2, label: {en: Female, fr: Femme}}
"""

TODAY = dt.date(2027, 2, 15)


def protocol() -> Protocol:
    found, issues = compile_protocol_document(parse_source(PROTOCOL, "p.yaml"))
    assert found is not None, [i.one_line() for i in issues]
    return found


def form(body: str, header: str = ADULT_HEADER) -> Form:
    """Compile an instrument body (choices and sections) under ``header``."""
    text = textwrap.dedent(body).lstrip("\n")
    if text.startswith("choices:\n"):  # its lists join the shared ones
        text = text.removeprefix("choices:\n")
    source = header + YES_NO + text
    found = protocol()
    result = compile_text(source, {found.id: found}, file="i.yaml")
    errors = [i.one_line() for i in result.report.issues if i.severity == "error"]
    assert result.form is not None, errors
    return result.form


class Clock:
    """A paradata clock that moves only when told."""

    def __init__(self) -> None:
        self.seconds = 100.0

    def __call__(self) -> float:
        return self.seconds

    def tick(self, seconds: float) -> None:
        self.seconds += seconds


def engine(found: Form, clock: Clock | None = None) -> Engine:
    moment = dt.datetime(2027, 2, 15, 10, 30, tzinfo=dt.UTC)
    return Engine(found, clock=clock or Clock(), now=lambda: moment)


def start(found: Form, language: str = "en", clock: Clock | None = None) -> Session:
    return engine(found, clock).start(language, today=TODAY)


def consent_adult(session: Session, language_choice: str = "1") -> Step:
    """Screening yes, yes; adult consent yes; nobody present; the language."""
    for raw in ("1", "1", "yes", "nobody"):
        step = session.answer(raw)
        assert step.ok, step.message
    step = session.answer(language_choice)
    assert step.ok and step.consent is not None, step.message
    return step


def interview(body: str, header: str = ADULT_HEADER, language: str = "en") -> Session:
    """A session on the form, past an adult's consent."""
    session = start(form(body, header), language)
    if session.flow is not None:
        consent_adult(session, "1" if language == "en" else "2")
    return session


def answer_all(session: Session, *answers: object) -> list[Step]:
    steps = [session.answer(raw) for raw in answers]
    for step in steps:
        assert step.ok, step.message
    return steps


def replay(session: Session, steps: list[Step]) -> dict[tuple[str, int], object]:
    """The answers a store holds after applying the steps' records in order (a removed member
    takes its answers with it)."""
    kept: dict[tuple[str, int], object] = {}
    for step in steps:
        for record in step.records:
            if isinstance(record, AnswerChange):
                key = (record.question, record.member)
                if record.status is AnswerStatus.CLEARED:
                    kept.pop(key, None)
                else:
                    kept[key] = (record.value, record.status)
            elif isinstance(record, MemberChange) and not record.present:
                for question in session.plan.kids[record.roster]:
                    kept.pop((question, record.member), None)
    return kept


def members(steps: list[Step]) -> dict[str, set[int]]:
    """The roster members a store holds after applying the steps' records in order."""
    found: dict[str, set[int]] = {}
    for step in steps:
        for record in step.records:
            if isinstance(record, MemberChange):
                group = found.setdefault(record.roster, set())
                (group.add if record.present else group.discard)(record.member)
    return found


def held(session: Session) -> dict[tuple[str, int], object]:
    return {key: (a.value, a.status) for key, a in session.answers().items()}
