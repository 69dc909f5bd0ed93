"""The engine on the shipped household instrument, driven with examples/household_complete.yaml
as an enumerator types it: progress only moves forward and ends at 100%, labels name the member
from what was typed in this session (never from the sealed store), a smaller household asks
before it drops members holding answers, and the roster checks catch an impossible family.
"""

from __future__ import annotations

from fieldkit.capture import MemberRemoval, Prompt, Session
from fieldkit.store.records import AnswerStatus, MemberChange
from tests.capture_helpers import HOUSEHOLD, form_of, load_example, mirror, text_for
from tests.test_engine_helpers import engine

DATA = load_example(HOUSEHOLD)


def _place(prompt: Prompt) -> tuple[str, int]:
    return prompt.name, prompt.roster.index if prompt.roster else 0


def drive(
    session: Session, until: tuple[str, int] | None = None, *, language: str = "en"
) -> list[Prompt]:
    """Type the example's answers up to the prompt ``until`` (shown, not answered), in
    ``language`` (the consent block's choice of interview language)."""
    shown = []
    while (prompt := session.current()) is not None and _place(prompt) != until:
        shown.append(prompt)
        typed = text_for(prompt, session, DATA)
        if prompt.name == "consent.language":
            typed = next(c.key for c in prompt.choices if c.value == language)
        step = session.answer(typed)
        assert step.ok, (prompt.name, step.message)
    return shown


def test_progress_only_moves_forward_and_is_100_at_the_end() -> None:
    session = mirror("household")
    seen = [prompt.progress.percent for prompt in drive(session)]
    assert seen == sorted(seen), seen  # never backwards (it went 75% -> 31% at hh_size)
    assert len(set(seen)) > 50  # and it moves: most answers show a step forward
    assert seen[-1] < 100 and session.progress.percent == 100  # 100% exactly at the end


def test_progress_after_a_resume_goes_on_from_what_was_answered() -> None:
    session = mirror("household")
    drive(session, ("ever_attended", 2))
    before = session.progress.percent
    resumed = engine(form_of("household")).resume(
        list(session.answers().values()), {"members": [1, 2, 3]}, session.consent
    )
    after = [prompt.progress.percent for prompt in drive(resumed)]
    assert after == sorted(after) and resumed.progress.percent == 100
    assert abs(after[0] - before) < 15, (before, after[0])


def test_labels_name_the_member_from_what_was_typed_in_this_session_only() -> None:
    session = mirror("household")
    drive(session, ("sex", 2))
    prompt = session.current()
    assert prompt is not None and prompt.label == "Is Fiifi male or female?"
    assert prompt.roster is not None and prompt.roster.name == "Fiifi"
    assert prompt.answer is None
    # the store never gives a name back: after a resume the label says "member 2"
    resumed = engine(form_of("household")).resume(
        list(session.answers().values()), {"members": [1, 2, 3]}, session.consent
    )
    assert resumed.goto("sex", 2).ok
    prompt = resumed.current()
    assert prompt is not None and prompt.label == "Is member 2 male or female?"
    assert prompt.roster is not None and prompt.roster.name == ""
    french = engine(form_of("household")).resume(
        list(session.answers().values()), {"members": [1, 2, 3]}, session.consent, language="fr"
    )
    assert french.goto("sex", 2).ok
    prompt = french.current()
    assert prompt is not None and prompt.label == "membre 2 est-il de sexe masculin ou féminin ?"


def test_a_smaller_household_asks_before_it_drops_members_holding_answers() -> None:
    session = mirror("household")
    drive(session)
    held = session.answers()
    assert session.goto("hh_size").ok
    asked = session.answer("2")
    assert not asked.ok and asked.code == "FK-ANS-030" and asked.confirm is not None
    (removal,) = asked.confirm.removed
    answered = sum(1 for (q, m), a in held.items() if m == 3 and session.plan.nodes[q].counted)
    assert removal == MemberRemoval("members", 3, 3, "Abenaa", answered)
    assert asked.message == (
        f"This removes member 3 (Abenaa) from 'Household members', with the {answered} answers"
        " given for them."
    )
    assert session.answers() == held and session.members("members") == (1, 2, 3)
    done = session.answer("2", confirm=True)
    assert done.ok and MemberChange("members", 3, present=False) in done.records
    assert session.members("members") == (1, 2)
    # in French, the same question in the session language
    french = mirror("household", "fr")
    drive(french, language="fr")
    assert french.goto("hh_size").ok
    assert french.answer("2").message == (
        f"Cela retire membre 3 (Abenaa) de « Membres du ménage », avec les {answered} réponses"
        " données."
    )


def test_growing_the_household_asks_nothing() -> None:
    session = mirror("household")
    drive(session)
    assert session.goto("hh_size").ok
    step = session.answer("4")
    assert step.ok and step.confirm is None and session.members("members") == (1, 2, 3, 4)


def test_a_mother_line_pointing_at_a_later_member_is_checked_when_that_row_is_filled() -> None:
    session = mirror("household")
    drive(session, ("mother_line", 2))
    assert session.answer("3").ok  # line 3 has no sex or age yet: nothing to check
    drive(session, ("sex", 3))
    refused = session.answer("1")
    assert not refused.ok and refused.code == "FK-ANS-031"
    assert refused.message == (
        "member 2 (Fiifi): Line 3 is given as Fiifi's mother but is recorded as male"
    )
    assert refused.error is not None and refused.error.hint == "roster check 'mother_is_female'"
    assert ("sex", 3) not in session.answers()
    assert session.answer("2").ok
    drive(session, ("age", 3))
    too_young = session.answer("15")  # Abenaa, 15, cannot be the mother of Fiifi, 12
    assert too_young.message == (
        "member 2 (Fiifi): The mother (line 3) must be at least 12 years older than Fiifi"
    )
    assert session.answer("dk").ok  # an age not known is not checked


def test_a_father_recorded_as_female_is_refused_at_once() -> None:
    session = mirror("household")
    drive(session, ("sex", 3))
    assert session.answer("2").ok  # Abenaa, female
    assert session.goto("father_line", 2).ok  # Fiifi's: his father is line 3?
    refused = session.answer("3")
    assert refused.code == "FK-ANS-031"
    assert refused.message == "Line 3 is given as Fiifi's father but is recorded as female"
    assert session.answers()[("father_line", 2)].value == 1  # Kwasi still


def test_ages_must_agree_with_the_relationship_to_the_head() -> None:
    session = mirror("household")
    drive(session, ("age", 2))
    assert session.answer("40").ok  # Fiifi at 40: nothing says yet he is the head's son
    refused = session.answer("3")  # son or daughter of a head aged 44
    assert refused.code == "FK-ANS-031"
    assert refused.message == (
        "Fiifi is the head's son or daughter: the head must be at least 12 years older"
    )
    assert session.answer("7").ok  # a brother, then: no age rule
    assert session.answers()[("rel_to_head", 2)].status is AnswerStatus.ANSWERED
