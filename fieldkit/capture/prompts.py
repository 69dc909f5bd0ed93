"""What the engine shows and what it hands back: plain frozen data for any front end.

A front end asks ``session.current()`` for a `Prompt`, shows it, and passes what the
enumerator typed to ``session.answer()``, which returns a `Step`: ``ok`` with the records to
store, or not ``ok`` with an error whose message is in the session language.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fieldkit.errors import FieldkitError
from fieldkit.instrument.schema import QuestionType
from fieldkit.store.records import (
    TOP_LEVEL,
    AnswerChange,
    ConsentRecord,
    InterviewStatus,
    MemberChange,
    ParadataEvent,
)

__all__ = [
    "CheckFailure",
    "ChoiceView",
    "Confirmation",
    "MemberRemoval",
    "Progress",
    "Prompt",
    "PromptKind",
    "Record",
    "RosterPlace",
    "Step",
    "SummaryRow",
]

Record = AnswerChange | MemberChange | ParadataEvent
"""What a successful step asks the store to persist, in order."""


class PromptKind(StrEnum):
    SCREENING = "screening"
    RESPONDENT_AGE = "respondent_age"
    CONSENT_ADULT = "consent_adult"
    GUARDIAN_CONSENT = "guardian_consent"
    EXCEPTION = "exception"
    """A documented protocol exception instead of guardian consent (which, why, who approved)."""
    CHILD_ASSENT = "child_assent"
    OTHERS_PRESENT = "others_present"
    INTERVIEW_LANGUAGE = "interview_language"
    QUESTION = "question"
    ROSTER_COUNT = "roster_count"
    """An open-ended roster: "add another member?" (1 yes, 2 no)."""


@dataclass(frozen=True, slots=True)
class ChoiceView:
    number: int
    """1-based position in the shown (filtered) list."""
    value: str
    label: str
    key: str = ""
    """What the enumerator types for this choice, shown beside its label: the code itself
    when the list's codes are small whole numbers, else ``number`` (``keys.py``)."""

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", str(self.number))


@dataclass(frozen=True, slots=True)
class Progress:
    answered: int
    relevant: int
    """Questions that apply so far (rosters grow this as members are added)."""
    done: float | None = None
    """The share of the interview done, as the engine reckons it: it only grows as answers
    are given, and is 1.0 once the interview is complete (None: from the two counts)."""

    @property
    def percent(self) -> int:
        """Whole percent done: never 100 before the end, always 100 at the end."""
        if self.done is not None:
            return 100 if self.done >= 1 else min(99, int(100 * self.done))
        if self.relevant == 0:
            return 0
        return min(100, (100 * self.answered) // self.relevant)


@dataclass(frozen=True, slots=True)
class RosterPlace:
    """Member ``index`` of ``total`` of roster ``roster`` (``member`` is its stable number)."""

    roster: str
    label: str
    member: int
    index: int
    total: int
    name: str = ""
    """The member as the roster's ``member_label`` names them (``${first_name}``), from what
    was typed in this session only; "" when not known (after a resume, for instance)."""


@dataclass(frozen=True, slots=True)
class Prompt:
    kind: PromptKind
    name: str
    """The question's name; consent prompts are named ``consent.*`` and ``screening.*``."""
    type: QuestionType
    label: str
    progress: Progress
    hint: str = ""
    choices: tuple[ChoiceView, ...] = ()
    """Already filtered by the question's choice_filter."""
    required: bool = False
    allow_dont_know: bool = False
    allow_refused: bool = False
    member: int = TOP_LEVEL
    roster: RosterPlace | None = None
    section: str | None = None
    section_label: str = ""
    answer: str | None = None
    """The answer already given, for display ("•••" for an identifying answer); None if none."""
    specials: tuple[ChoiceView, ...] = ()
    """The special answers this question takes, with their keys (``dk``, ``rf``); their
    values are the statuses ``dont_know`` and ``refused``."""


@dataclass(frozen=True, slots=True)
class MemberRemoval:
    """A roster member an action would remove, with the answers given for them."""

    roster: str
    member: int
    index: int
    """Its place in the roster as shown ("member 2 of 3")."""
    name: str
    """As the roster's ``member_label`` names them in this session; "" when not known."""
    answers: int


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What an action would destroy, for the enumerator to confirm first."""

    action: str
    """``answer``, ``clear``, ``remove_member`` or ``withdraw``: repeat it with confirm=True."""
    message: str
    """What would happen, in the session language."""
    removed: tuple[MemberRemoval, ...] = ()
    cleared: tuple[tuple[str, int], ...] = ()
    """Other answers (question, member) that would stop applying and be deleted."""


@dataclass(frozen=True, slots=True)
class CheckFailure:
    """A roster check that fails on the answers as they stand (a resumed draft): its message,
    as an answer breaching it would be refused with, and the question to correct first."""

    error: FieldkitError
    at: tuple[str, int] | None
    """(question, member) the cursor goes to for it; None when none of it is asked now."""

    @property
    def message(self) -> str:
        return self.error.message


@dataclass(frozen=True, slots=True)
class Step:
    """The outcome of one action: records to store in order, or an error and no change."""

    ok: bool
    records: tuple[Record, ...] = ()
    error: FieldkitError | None = None
    consent: ConsentRecord | None = None
    """Set by the step that ends the consent block (given, refused or screened out)."""
    status: InterviewStatus = InterviewStatus.DRAFT
    """The interview's status after this step."""
    confirm: Confirmation | None = None
    """Set (with ``ok`` False and nothing changed) when the action would destroy answers:
    what it would do, to show before repeating the action with ``confirm=True``."""

    @property
    def message(self) -> str | None:
        return None if self.error is None else self.error.message

    @property
    def code(self) -> str | None:
        return None if self.error is None else self.error.code

    @property
    def answers(self) -> tuple[AnswerChange, ...]:
        return tuple(r for r in self.records if isinstance(r, AnswerChange))


@dataclass(frozen=True, slots=True)
class SummaryRow:
    section: str
    question: str
    member: int
    label: str
    value: str
    """For display: choice labels, "Don't know", "•••" for identifying answers."""
