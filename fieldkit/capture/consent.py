"""The protocol's screening and consent block, asked before any question of the form.

ILO Book 2, 2.6.5 and the protocol's `ConsentBlock`, in this order:

1. the screening questions (yes/no); an answer in ``stop_when`` ends the interview
   (STOPPED, SCREENED_OUT);
2. the respondent's age, when the form's respondents include children;
3. an adult's consent; or, for a child, the guardian's consent (or, when no guardian is
   available, one of the protocol's documented exceptions with its coded reason, an optional
   note (free text, sealed by the store) and the approving supervisor's staff code) and then
   the child's own assent. Any "no" ends the interview (REFUSED); the
   child's "no" is final even when the guardian said yes (ASSENT_REFUSED);
4. who else was present, and the language of the interview.

Nothing here is stored until the block ends: then the one `ConsentRecord` says what happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from fieldkit.capture.keys import Coded, numbered
from fieldkit.capture.messages import LANGUAGE_NAMES, NO_WORDS, YES_WORDS, answer_error, say
from fieldkit.capture.prompts import ChoiceView, Progress, Prompt, PromptKind
from fieldkit.capture.values import EMPTY, check_exclusive, parse_answer
from fieldkit.instrument.form import Form
from fieldkit.instrument.schema import QuestionType as T
from fieldkit.store.records import STAFF_CODE, ConsentOutcome, ConsentRecord

__all__ = ["ConsentFlow"]

YES: Final = "1"
NO: Final = "2"
NO_GUARDIAN: Final = "3"
NOBODY: Final = "nobody"
PRESENT: Final = ("nobody", "parent", "other_family", "employer", "other")
MAX_AGE: Final = 120

AGE = "consent.respondent_age"
ADULT = "consent.adult"
GUARDIAN = "consent.guardian"
EXCEPTION = "consent.exception"
REASON = "consent.exception_reason"
NOTE = "consent.exception_note"
SUPERVISOR = "consent.supervisor"
ASSENT = "consent.assent"
OTHERS = "consent.others_present"
LANGUAGE = "consent.language"
SCREENING_PREFIX = "screening."
YES_NO_KINDS: Final = frozenset(
    {
        PromptKind.SCREENING,
        PromptKind.CONSENT_ADULT,
        PromptKind.GUARDIAN_CONSENT,
        PromptKind.CHILD_ASSENT,
    }
)
REFUSALS: Final = (
    (ADULT, ConsentOutcome.REFUSED),
    (GUARDIAN, ConsentOutcome.GUARDIAN_REFUSED),
    (ASSENT, ConsentOutcome.ASSENT_REFUSED),
)


@dataclass(frozen=True, slots=True)
class _Item:
    name: str
    kind: PromptKind
    type: T
    label: str
    hint: str = ""
    choices: tuple[ChoiceView, ...] = ()


class ConsentFlow:
    """The block's state: the answers so far, and the prompt they lead to."""

    def __init__(self, form: Form, language: str) -> None:
        self.form = form
        self.block = form.protocol.consent
        self.language = language
        self.start_language = language
        self.answers: dict[str, object] = {}
        self.order: list[str] = []
        self.asks_age = "child" in form.respondents

    # -- what comes next ----------------------------------------------------------------------

    def _next(self) -> str | None:
        answers = self.answers
        for screening in self.block.screening:
            if SCREENING_PREFIX + screening.name not in answers:
                return SCREENING_PREFIX + screening.name
        if self.asks_age and AGE not in answers:
            return AGE
        steps = [ADULT] if self.is_adult else self._child_steps()
        steps += [OTHERS, LANGUAGE] if len(self.form.languages) > 1 else [OTHERS]
        return next((name for name in steps if name not in answers), None)

    def _child_steps(self) -> list[str]:
        if self.answers.get(GUARDIAN) == NO_GUARDIAN:
            return [GUARDIAN, EXCEPTION, REASON, NOTE, SUPERVISOR, ASSENT]
        return [GUARDIAN, ASSENT]

    @property
    def is_adult(self) -> bool:
        age = self.answers.get(AGE)
        return not isinstance(age, int) or age >= self.block.age_of_majority

    def outcome(self) -> ConsentOutcome | None:
        """How the block ended, or None while it goes on."""
        for screening in self.block.screening:
            if self.answers.get(SCREENING_PREFIX + screening.name) in screening.stop_when:
                return ConsentOutcome.SCREENED_OUT
        for name, outcome in REFUSALS:
            if self.answers.get(name) == NO:
                return outcome
        if self._next() is not None:
            return None
        return ConsentOutcome.EXCEPTION if EXCEPTION in self.answers else ConsentOutcome.GIVEN

    # -- prompts ------------------------------------------------------------------------------

    def prompt(self, progress: Progress) -> Prompt | None:
        name = self._next()
        if name is None:
            return None
        item = self._item(name)
        return Prompt(
            kind=item.kind,
            name=item.name,
            type=item.type,
            label=item.label,
            progress=progress,
            hint=item.hint,
            choices=item.choices,
            required=True,
        )

    def _item(self, name: str) -> _Item:
        lang, protocol = self.language, self.form.protocol
        statements = {
            ADULT: (PromptKind.CONSENT_ADULT, self.block.adult),
            GUARDIAN: (PromptKind.GUARDIAN_CONSENT, self.block.guardian),
            ASSENT: (PromptKind.CHILD_ASSENT, self.block.child_assent),
        }
        if name.startswith(SCREENING_PREFIX):
            screening = next(s for s in self.block.screening if SCREENING_PREFIX + s.name == name)
            hint = protocol.text(self.block.distress_protocol, lang)
            label = protocol.text(screening.label, lang)
            choices = numbered(self._yes_no(), codes=True)
            return _Item(name, PromptKind.SCREENING, T.SELECT_ONE, label, hint, choices)
        if name in statements:
            kind, text = statements[name]
            pairs = self._yes_no()
            if name == GUARDIAN and self.block.exceptions:
                pairs += ((NO_GUARDIAN, say("no_guardian", lang)),)
            choices = numbered(pairs, codes=True)
            return _Item(name, kind, T.SELECT_ONE, protocol.text(text, lang), "", choices)
        return self._detail_item(name)

    def _detail_item(self, name: str) -> _Item:
        lang, protocol = self.language, self.form.protocol
        if name == AGE:
            return _Item(name, PromptKind.RESPONDENT_AGE, T.INTEGER, say("respondent_age", lang))
        if name == EXCEPTION:
            exceptions = ((e.id, protocol.text(e.label, lang)) for e in self.block.exceptions)
            choices = numbered(exceptions, codes=False)
            return _Item(
                name, PromptKind.EXCEPTION, T.SELECT_ONE, say("exception", lang), "", choices
            )
        if name == REASON:
            choices = tuple(
                ChoiceView(i, r.id, protocol.text(r.label, lang))
                for i, r in enumerate(self.block.exception_reasons, 1)
            )
            label = say("exception_reason", lang)
            return _Item(name, PromptKind.EXCEPTION, T.SELECT_ONE, label, "", choices)
        if name in (NOTE, SUPERVISOR):
            key = "exception_note" if name == NOTE else "supervisor"
            return _Item(name, PromptKind.EXCEPTION, T.TEXT, say(key, lang))
        if name == OTHERS:
            choices = numbered(((v, say(f"present.{v}", lang)) for v in PRESENT), codes=False)
            label = say("others_present", lang)
            return _Item(name, PromptKind.OTHERS_PRESENT, T.SELECT_MULTIPLE, label, "", choices)
        languages = ((code, LANGUAGE_NAMES.get(code, code)) for code in self.form.languages)
        choices = numbered(languages, codes=False)
        label = say("interview_language", lang)
        return _Item(name, PromptKind.INTERVIEW_LANGUAGE, T.SELECT_ONE, label, "", choices)

    def _yes_no(self) -> tuple[tuple[str, str], ...]:
        return ((YES, say("yes", self.language)), (NO, say("no", self.language)))

    # -- answering ----------------------------------------------------------------------------

    def answer(self, raw: object) -> None:
        """Record an answer to the current prompt (raises `AnswerError`, changing nothing)."""
        name = self._next()
        if name is None:
            return
        item = self._item(name)
        value = self._parse(item, raw)
        self.answers[name] = value
        self.order.append(name)
        if name == LANGUAGE and isinstance(value, str):
            self.language = value

    def _parse(self, item: _Item, raw: object) -> object:
        lang = self.language
        said = raw.value if isinstance(raw, Coded) else raw
        if isinstance(said, str) and item.kind in YES_NO_KINDS:
            word = said.strip().lower()
            raw = YES if word in YES_WORDS else NO if word in NO_WORDS else raw
        known = frozenset(c.value for c in item.choices)
        value = parse_answer(
            item.type, raw, item.choices, known,
            allow_dont_know=False, allow_refused=False, language=lang,
        )  # fmt: skip
        if value is EMPTY and item.name == NOTE:
            return ""  # the note is optional
        if value is EMPTY:
            raise answer_error("FK-ANS-002", "required", lang)
        if item.name == SUPERVISOR and not STAFF_CODE.fullmatch(str(value).strip()):
            raise answer_error("FK-ANS-001", "staff_code", lang)
        if item.name == AGE and not (isinstance(value, int) and 0 <= value <= MAX_AGE):
            raise answer_error("FK-ANS-001", "age_range", lang)
        if item.name == OTHERS and isinstance(value, tuple):
            check_exclusive(value, NOBODY, lang)
        return value

    def back(self) -> bool:
        """Forget the last answer, so its prompt is asked again (False: nothing to undo)."""
        if not self.order:
            return False
        del self.answers[self.order.pop()]
        if LANGUAGE not in self.answers:
            self.language = self.start_language
        return True

    # -- the record ---------------------------------------------------------------------------

    def record(self, outcome: ConsentOutcome, now: dt.datetime) -> ConsentRecord:
        answers = self.answers
        age = answers.get(AGE)
        others = answers.get(OTHERS, ())
        language = answers.get(LANGUAGE, self.language)
        return ConsentRecord(
            outcome=outcome,
            respondent="adult" if self.is_adult else "child",
            respondent_age=age if isinstance(age, int) else None,
            screening={
                s.name: str(answers[SCREENING_PREFIX + s.name])
                for s in self.block.screening
                if SCREENING_PREFIX + s.name in answers
            },
            adult_consent=_yes(answers.get(ADULT)),
            guardian_consent=_yes(answers.get(GUARDIAN)),
            child_assent=_yes(answers.get(ASSENT)),
            exception=_text(answers.get(EXCEPTION)),
            exception_reason=_text(answers.get(REASON)),
            supervisor=(_text(answers.get(SUPERVISOR)) or "").strip() or None,
            others_present=list(others) if isinstance(others, tuple) else [],
            language=str(language),
            recorded_at=now,
            exception_note=_text(answers.get(NOTE)) or None,
            protocol_version=self.form.protocol.version,
            consent_sha256=self.form.protocol.consent_sha256,
            data_use_sha256=self.form.protocol.data_use_sha256,
        )


def _yes(value: object) -> bool | None:
    if value == YES:
        return True
    if value == NO:
        return False
    return None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
