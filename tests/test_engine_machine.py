"""Random interviews: answers, back, goto, count changes and roster edits in any order.

Whatever happens, the engine only answers with Steps; no answer is ever held for a question
that does not apply; the records it emitted, replayed in order as a store would, give exactly
the answers it holds; and those answers are what a from-scratch evaluation of the same input
gives (the incremental re-evaluation misses nothing).
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fieldkit.capture import Prompt, Step
from fieldkit.store import SEALED
from fieldkit.store.records import AnswerChange, AnswerStatus, MemberChange
from tests.test_engine_helpers import TODAY, consent_adult, engine, form, held, replay

BODY = """
choices:
  region:
    - {value: north, label: {en: North, fr: Nord}}
    - {value: south, label: {en: South, fr: Sud}}
  district:
    - {value: n1, label: {en: North 1, fr: Nord 1}, filter: {region: north}}
    - {value: s1, label: {en: South 1, fr: Sud 1}, filter: {region: south}}
    - {value: s2, label: {en: South 2, fr: Sud 2}, filter: {region: south}}
sections:
  - name: household
    label: {en: Household, fr: Ménage}
    questions:
      - {name: region, type: select_one, choices: region, label: {en: R, fr: R}}
      - {name: district, type: select_one, choices: district, label: {en: D, fr: D},
         choice_filter: "region = ${region}"}
      - {name: hh_size, type: integer, label: {en: Size, fr: Taille}, allow_dont_know: true,
         constraint: ". >= 0 and . <= 4", constraint_message: {en: 0 to 4, fr: 0 à 4}}
      - name: people
        type: repeat
        label: {en: People, fr: Personnes}
        count: ${hh_size}
        questions:
          - {name: sex, type: select_one, choices: sex, label: {en: Sex, fr: Sexe}, disaggregation: sex}
          - {name: age, type: integer, label: {en: Age, fr: Âge}, disaggregation: age,
             allow_dont_know: true, allow_refused: true}
          - {name: works, type: select_one, choices: yes_no, label: {en: W, fr: W}, relevant: "${age} >= 5 and ${region} != 'south'"}
          - {name: hours, type: integer, label: {en: H, fr: H}, relevant: "${works} = 1"}
          - {name: pos, type: calculate, calculation: "position() * 10 + coalesce(${hours}, 0)"}
      - {name: total, type: calculate, calculation: "sum(${hours})"}
      - {name: heavy, type: select_one, choices: yes_no, label: {en: Heavy, fr: Lourd},
         relevant: "${total} > 10", required: true}
      - name: kids
        type: repeat
        label: {en: Kids, fr: Enfants}
        relevant: "${heavy} = 1 or ${hh_size} >= 2"
        questions:
          - {name: kid_name, type: text, label: {en: Name, fr: Nom}, pii: true}
          - {name: kid_age, type: integer, label: {en: Age, fr: Âge}, relevant: "${hh_size} != 3"}
      - {name: n_kids, type: calculate, calculation: "count(${kids})"}
  - name: closing
    label: {en: Closing, fr: Fin}
    relevant: "${n_kids} > 0 or ${region} = 'north'"
    questions:
      - {name: seen, type: note, label: {en: Thanks, fr: Merci}}
      - {name: comment, type: text, label: {en: Comment, fr: Commentaire}, relevant: "${district} != ''"}
"""

FORM = form(BODY)
ENGINE = engine(FORM)
NAMES = [*FORM.questions, "nowhere"]
ASKED = [name for name, q in FORM.questions.items() if q.is_answerable]
INPUTS = st.one_of(
    st.sampled_from(["", " ", "dk", "rf", "yes", "no", "north", "south", "s1", "n1", "1 2", "x"]),
    st.integers(-2, 25).map(str),
    st.one_of(
        st.none(), st.integers(), st.floats(), st.text(max_size=4), st.lists(st.text(max_size=2))
    ),
)


def valid_input(prompt: Prompt | None) -> st.SearchStrategy[str]:
    """An answer the current prompt accepts (most of the time)."""
    if prompt is None or not prompt.choices:
        numbers = (
            st.integers(0, 4)
            if prompt is not None and prompt.name == "hh_size"
            else st.integers(0, 20)
        )
        return st.one_of(numbers.map(str), st.sampled_from(["dk", "Awa"]))
    keys = st.sampled_from([choice.key for choice in prompt.choices])
    if prompt.type == "select_multiple":
        return st.lists(keys, min_size=1, max_size=2).map(" ".join)
    return keys


def visible(kept: dict[tuple[str, int], object]) -> dict[tuple[str, int], object]:
    """Answers as the session shows them: an identifying value is sealed (None)."""
    pii = {name for name, q in FORM.questions.items() if q.pii}
    return {k: (None, v[1]) if k[0] in pii else v for k, v in kept.items()}  # type: ignore[index]


class Interviews(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.session = ENGINE.start("en", today=TODAY)
        self.steps: list[Step] = [consent_adult(self.session)]

    def take(self, step: object) -> None:
        assert isinstance(step, Step)
        if not step.ok:  # a refused action changes nothing
            assert step.error is not None and step.error.code.startswith("FK-")
            assert not [r for r in step.records if isinstance(r, AnswerChange | MemberChange)]
        self.steps.append(step)

    def confirmed(self, action: Callable[..., Step], *args: object) -> None:
        """An action, and when it asks first (it would delete answers), the same confirmed."""
        before = held(self.session)
        step = action(*args)
        self.take(step)
        if step.confirm is not None:
            assert held(self.session) == before  # asking changed nothing
            self.take(action(*args, confirm=True))

    @rule(raw=INPUTS)
    def answer(self, raw: object) -> None:
        self.confirmed(self.session.answer, raw)

    @rule(data=st.data(), count=st.integers(1, 12))
    def answer_validly(self, data: st.DataObject, count: int) -> None:
        """Walk on through the next few prompts with answers they accept."""
        for _ in range(count):
            self.confirmed(self.session.answer, data.draw(valid_input(self.session.current())))

    @rule(data=st.data(), name=st.sampled_from(ASKED), member=st.integers(1, 3))
    def change_an_answer(self, data: st.DataObject, name: str, member: int) -> None:
        step = self.session.goto(name, member if FORM.questions[name].repeat else 0)
        self.take(step)
        if step.ok:
            self.confirmed(self.session.answer, data.draw(valid_input(self.session.current())))

    @rule()
    def back(self) -> None:
        self.take(self.session.back())

    @rule(name=st.sampled_from(NAMES), member=st.integers(0, 5))
    def goto(self, name: str, member: int) -> None:
        self.take(self.session.goto(name, member))

    @rule(size=st.one_of(st.integers(0, 5).map(str), st.just("dk")))
    def change_count(self, size: str) -> None:
        self.take(self.session.goto("hh_size"))
        self.confirmed(self.session.answer, size)

    @rule()
    def add_kid(self) -> None:
        self.take(self.session.add_member("kids"))

    @rule(member=st.integers(1, 4))
    def remove_kid(self, member: int) -> None:
        self.confirmed(self.session.remove_member, "kids", member)

    @rule()
    def clear(self) -> None:
        self.confirmed(self.session.clear)

    @invariant()
    def no_answer_for_a_question_that_does_not_apply(self) -> None:
        sheet = self.session.sheet
        for question, member in sheet.values:
            assert sheet.relevant((question, member)), (question, member)
            roster = FORM.questions[question].repeat
            assert member in sheet.members[roster] if roster else member == 0

    @invariant()
    def a_choice_held_is_a_choice_offered(self) -> None:
        sheet = self.session.sheet
        for (question, member), value in sheet.values.items():
            node = self.session.plan.nodes[question]
            if node.choice_filter is not None and isinstance(value, str | tuple):
                offered = {c.value for c in sheet.offered(node, member)}
                assert set(value if isinstance(value, tuple) else [value]) <= offered

    @invariant()
    def the_records_replayed_give_the_answers_held(self) -> None:
        assert visible(replay(self.session, self.steps)) == held(self.session)

    @invariant()
    def progress_counts_what_is_held(self) -> None:
        sheet = self.session.sheet
        asked = {n for n, q in FORM.questions.items() if q.is_answerable}
        assert sheet.answered == sum(1 for k in sheet.values if k[0] in asked)
        assert sheet.applicable == sum(
            1 for k, on in sheet.relevance.items() if on and k[0] in asked
        )

    @invariant()
    def incremental_equals_from_scratch(self) -> None:
        session = self.session
        given = {
            key: (None if a.pii else a.value, a.status)
            for key, a in session.answers().items()
            if FORM.questions[key[0]].is_answerable
        }
        members = {roster: list(session.members(roster)) for roster in ("people", "kids")}
        fresh = ENGINE.resume(_sealed(given), members, session.consent, today=TODAY)
        assert held(fresh) == held(session)


Stored = dict[tuple[str, int], tuple[object, AnswerStatus]]


def _sealed(given: Stored) -> Stored:
    """As the store loads them: identifying answers sealed."""
    return {
        key: (SEALED if key[0] == "kid_name" and status is AnswerStatus.ANSWERED else value, status)
        for key, (value, status) in given.items()
    }


Interviews.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestInterviews = Interviews.TestCase
