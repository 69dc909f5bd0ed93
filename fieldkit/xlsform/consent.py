"""The protocol's screening and consent block as ordinary XLSForm questions.

fieldkit's engine asks the block itself (fieldkit/capture/consent.py); on ODK Collect or
KoboToolbox it has to be questions, with the same rules written as relevance:

1. each screening question, asked while no earlier one said stop; a stop ends the form;
2. the respondent's age, when children may answer;
3. an adult's consent; or the guardian's consent (or, with no guardian available, one of the
   protocol's documented exceptions, its reason and the approving supervisor) and then the
   child's own assent, whose "no" is final;
4. who else was present, and the language of the interview.

``fk_consent_ok`` is 1 only when the block allows the interview; every section of the form
sits in a group relevant on it, so a refusal ends the form. Every row is marked
``fieldkit::block = consent`` so `fieldkit xlsform import` recognises the block (and the
lists only its rows use). The choices sheet has no such column: pyxform copies the choices'
extra columns into the XForm, and a ``::`` there breaks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from fieldkit.capture.consent import NO, NO_GUARDIAN, PRESENT, YES
from fieldkit.capture.messages import say
from fieldkit.instrument.form import Form
from fieldkit.xlsform.languages import header_name

__all__ = ["CONSENT_NAMES", "ConsentRows", "consent_rows"]

_TEXTS: Final[dict[str, dict[str, str]]] = {
    "group": {"en": "Screening and consent", "fr": "Filtrage et consentement"},
    "stop": {
        "en": "Stop: the screening says this interview cannot go on. Thank the person and"
        " leave; follow the distress and referral protocol if needed.",
        "fr": "Arrêt : le filtrage indique que l'entretien ne peut pas continuer. Remerciez la"
        " personne et partez ; suivez le protocole de détresse et d'orientation si besoin.",
    },
    "refused": {
        "en": "Consent was not given: the interview ends here. Thank the person; nothing else"
        " is asked.",
        "fr": "Le consentement n'a pas été donné : l'entretien s'arrête ici. Remerciez la"
        " personne ; rien d'autre n'est demandé.",
    },
}
CONSENT_NAMES: Final = frozenset(
    {
        "fk_consent",
        "fk_screened_out",
        "fk_respondent_age",
        "fk_adult_consent",
        "fk_guardian_consent",
        "fk_exception",
        "fk_exception_reason",
        "fk_supervisor",
        "fk_child_assent",
        "fk_consent_ok",
        "fk_refused",
        "fk_others_present",
        "fk_language",
        "fk_interview",
    }
)


@dataclass
class ConsentRows:
    survey: list[dict[str, str]] = field(default_factory=list)
    choices: list[dict[str, str]] = field(default_factory=list)
    wrapper: dict[str, str] = field(default_factory=dict)
    """The begin-group row holding every section: relevant only when consent allows."""


class _Block:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.block = form.protocol.consent
        self.rows = ConsentRows()

    def texts(self, text: Mapping[str, str] | str) -> dict[str, str]:
        protocol = self.form.protocol
        return {
            f"label::{header_name(lang)}": protocol.text(text, lang) for lang in self.form.languages
        }

    def engine(self, key: str) -> dict[str, str]:
        return {f"label::{header_name(lang)}": say(key, lang) for lang in self.form.languages}

    def own(self, key: str) -> dict[str, str]:
        texts = _TEXTS[key]
        return {
            f"label::{header_name(lang)}": texts.get(lang, texts["en"])
            for lang in self.form.languages
        }

    def question(self, kind: str, name: str, label: dict[str, str], **extra: str) -> None:
        row = {"type": kind, "name": name, **label, **extra, "fieldkit::block": "consent"}
        self.rows.survey.append({k: v for k, v in row.items() if v})

    def choice_list(self, name: str, items: list[tuple[str, dict[str, str]]]) -> None:
        for value, label in items:
            self.rows.choices.append({"list_name": name, "name": value, **label})


def consent_rows(form: Form) -> ConsentRows:
    """The block's rows for ``form`` (nothing when the form asks no consent)."""
    if not form.consent_required:
        return ConsentRows()
    b = _Block(form)
    block = b.block
    b.choice_list("fk_yes_no", [(YES, b.engine("yes")), (NO, b.engine("no"))])
    b.question("begin group", "fk_consent", b.own("group"))
    passed = _screening(b)
    asks_age = "child" in form.respondents
    majority = block.age_of_majority
    age = "${fk_respondent_age}"
    if asks_age:
        b.question(
            "integer",
            "fk_respondent_age",
            b.engine("respondent_age"),
            required="yes",
            relevant=passed,
            constraint=". >= 0 and . <= 120",
            **{
                f"constraint_message::{header_name(lang)}": say("age_range", lang)
                for lang in form.languages
            },
        )
    adult_if = f"{passed} and {age} >= {majority}" if asks_age else passed
    b.question(
        "select_one fk_yes_no",
        "fk_adult_consent",
        b.texts(block.adult),
        required="yes",
        relevant=adult_if,
    )
    ok = f"{passed} and ${{fk_adult_consent}} = '{YES}'"
    refused = f"${{fk_adult_consent}} = '{NO}'"
    if asks_age:
        ok, refused = _child_steps(b, passed, f"{passed} and {age} < {majority}", ok, refused)
    b.question("calculate", "fk_consent_ok", {}, calculation=f"if({ok}, 1, 0)")
    b.question("note", "fk_refused", b.own("refused"), relevant=refused)
    _details(b)
    b.question("end group", "fk_consent", {})
    b.rows.wrapper = {
        "type": "begin group",
        "name": "fk_interview",
        "relevant": "${fk_consent_ok} = 1",
        "fieldkit::block": "consent",
    }
    return b.rows


def _screening(b: _Block) -> str:
    """Ask each screening question while none said stop; the condition for going on."""
    passed: list[str] = []
    for screening in b.block.screening:
        name = f"fk_screen_{screening.name}"
        b.question(
            "select_one fk_yes_no",
            name,
            b.texts(screening.label),
            required="yes",
            relevant=" and ".join(passed),
            **{
                f"hint::{header_name(lang)}": b.form.protocol.text(b.block.distress_protocol, lang)
                for lang in b.form.languages
            },
        )
        passed += [f"${{{name}}} != '{value}'" for value in sorted(screening.stop_when)]
    condition = " and ".join(passed) or "true()"
    if passed:
        b.question("note", "fk_screened_out", b.own("stop"), relevant=f"not({condition})")
    return f"({condition})" if len(passed) > 1 else condition


def _child_steps(b: _Block, passed: str, child: str, ok: str, refused: str) -> tuple[str, str]:
    block = b.block
    guardian_choices = [(YES, b.engine("yes")), (NO, b.engine("no"))]
    if block.exceptions:
        guardian_choices.append((NO_GUARDIAN, b.engine("no_guardian")))
    b.choice_list("fk_guardian", guardian_choices)
    b.question(
        "select_one fk_guardian",
        "fk_guardian_consent",
        b.texts(block.guardian),
        required="yes",
        relevant=child,
    )
    guardian = "${fk_guardian_consent}"
    assent_if = f"{guardian} = '{YES}'"
    if block.exceptions:
        b.choice_list("fk_exception", [(e.id, b.texts(e.label)) for e in block.exceptions])
        waived = f"{guardian} = '{NO_GUARDIAN}'"
        b.question(
            "select_one fk_exception",
            "fk_exception",
            b.engine("exception"),
            required="yes",
            relevant=waived,
        )
        b.question(
            "text",
            "fk_exception_reason",
            b.engine("exception_reason"),
            required="yes",
            relevant=waived,
        )
        b.question("text", "fk_supervisor", b.engine("supervisor"), required="yes", relevant=waived)
        assent_if = f"{assent_if} or ({waived} and ${{fk_exception}} != '')"
    b.question(
        "select_one fk_yes_no",
        "fk_child_assent",
        b.texts(block.child_assent),
        required="yes",
        relevant=f"{child} and ({assent_if})",
    )
    child_ok = f"${{fk_child_assent}} = '{YES}' and ({assent_if})"
    ok = f"{passed} and (${{fk_adult_consent}} = '{YES}' or ({child_ok}))"
    refused = f"{refused} or {guardian} = '{NO}' or ${{fk_child_assent}} = '{NO}'"
    return ok, refused


def _details(b: _Block) -> None:
    b.choice_list("fk_present", [(v, b.engine(f"present.{v}")) for v in PRESENT])
    b.question(
        "select_multiple fk_present",
        "fk_others_present",
        b.engine("others_present"),
        relevant="${fk_consent_ok} = 1",
    )
    if len(b.form.languages) > 1:
        b.choice_list(
            "fk_language",
            [
                (lang, {f"label::{header_name(x)}": header_name(lang) for x in b.form.languages})
                for lang in b.form.languages
            ],
        )
        b.question(
            "select_one fk_language",
            "fk_language",
            b.engine("interview_language"),
            required="yes",
            relevant="${fk_consent_ok} = 1",
        )
