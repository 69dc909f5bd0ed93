"""The terminal front end in a real terminal (tmux), where typing the wrong thing used to cost
data: a choice typed as the screen shows it, a smaller household, and ":w".

- The key shown beside a choice is the choice stored: school_level is coded 0-5, and the
  screen's "0" beside early childhood stores 0 (typing 1 there used to store primary).
- Lowering the household size names the member it would remove, with their first name as
  typed in this session, and removes nothing unless the enumerator types yes.
- ":w" (vim's "write") does nothing but say that answers are saved as they are given;
  ":withdraw" says what withdrawing deletes and waits for yes; ":discard" throws a draft away
  whole, which is not a withdrawal.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.capture_helpers import (
    Terminal,
    Typist,
    collect_command,
    interviews,
    make_study,
    mirror,
    only_interview,
    since,
    tmux_or_skip,
)

EARLY_CHILDHOOD = "Early childhood education / pre-primary"


def _place(typist: Typist) -> tuple[str, int] | None:
    prompt = typist.session.current()
    if prompt is None:
        return None
    return prompt.name, prompt.roster.index if prompt.roster else 0


def _type_until(typist: Typist, stop: tuple[str, int]) -> None:
    """Type the example's answers up to ``stop``, which is left on screen."""
    while (prompt := typist.session.current()) is not None and _place(typist) != stop:
        typist.wait(prompt)
        typist.answer(prompt)
    assert prompt is not None
    typist.wait(prompt)


def _key_beside(lines: list[str], label: str) -> str:
    """The key the screen shows beside a choice's label, as an enumerator reads it."""
    shown = [line for line in lines if line.rstrip().endswith(label)]
    match = re.fullmatch(r"\s+(\S+)\s+" + re.escape(label), shown[-1].rstrip())
    assert match is not None, shown
    return match.group(1)


def _asked(term: Terminal, words: str) -> list[str]:
    return term.wait(
        lambda ls: bool(ls) and ls[-1].startswith("Type yes to go ahead") and words in "".join(ls),
        f"the question {words!r}",
    )


def test_a_choice_and_a_smaller_household_in_the_terminal(tmp_path: Path) -> None:
    tmux_or_skip()
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    command = collect_command(study, "household", db, "--enumerator", "E07")
    session = mirror("household")
    with Terminal(command, study) as term:
        typist = Typist(term, session)
        _type_until(typist, ("school_level", 1))
        key = _key_beside(term.screen(), EARLY_CHILDHOOD)
        assert key == "0"  # the code itself: the list is coded 0-5
        assert session.answer(key).ok
        typist.send(key)
        _type_until(typist, ("sex", 2))
        lines = term.screen()
        heading = [line for line in lines if "% done" in line][-1]
        assert "Household members: member 2 of 3 (Fiifi)" in heading, heading
        assert "Is Fiifi male or female?" in since(lines, "member 2 of 3")
        _type_until(typist, ("age", 3))  # Abenaa's name and sex are given
        term.type(":g hh_size")
        term.wait(
            lambda ls: (
                bool(ls)
                and ls[-1] == ">"
                and any("How many people" in x for x in since(ls, ":g hh_size"))
            ),
            "the household size",
        )
        term.type("2")
        lines = _asked(term, "This removes member 3 (Abenaa)")
        assert any(
            "! This removes member 3 (Abenaa) from 'Household members', with the 2 answers"
            " given for them." in line
            for line in lines
        ), lines[-6:]
        term.type("no")
        term.wait(lambda ls: any("nothing was changed" in x for x in ls), "nothing changed")
        term.wait(lambda ls: bool(ls) and ls[-1] == ">", "the size again")
        term.type("2")
        _asked(term, "This removes member 3 (Abenaa)")
        term.type("yes")
        term.wait(lambda ls: bool(ls) and ls[-1] == ">" and "✗" not in ls[-2], "moving on")
        term.type(":q")
        term.wait(lambda ls: any("saved as a draft" in x for x in ls), "the draft")
        assert term.wait_exit() == 0

    draft = only_interview(db)
    assert draft.interview["status"] == "draft"
    assert draft.members == (("members", 1), ("members", 2))
    answers = {(q, m): json.loads(v) for q, m, v, _ in draft.answers if v is not None}
    assert answers[("school_level", 1)] == "0"
    assert answers[("hh_size", 0)] == 2
    assert not [key for key in answers if key[1] == 3]
    assert not [q for q, m, _ in draft.identities if m == 3]


def test_w_saves_nothing_new_withdrawing_asks_and_discarding_throws_the_draft_away(
    tmp_path: Path,
) -> None:
    tmux_or_skip()
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    command = collect_command(study, "household", db, "--enumerator", "E07")
    with Terminal(command, study) as term:
        typist = Typist(term, mirror("household"))
        _type_until(typist, ("stratum", 0))  # the cluster is answered
        term.type(":w")
        term.wait(lambda ls: any("there is nothing to write" in x for x in ls), "the :w answer")
        term.type(":withdraw")
        lines = _asked(term, "The respondent withdraws")
        assert any(
            "! The respondent withdraws: the interview ends now as refused, the answer given so"
            " far is deleted, and only the refusal is kept." in line
            for line in lines
        ), lines[-6:]
        term.type("")  # Enter: no
        term.wait(lambda ls: any("nothing was changed" in x for x in ls), "nothing changed")
        assert interviews(db)[0]["status"] == "draft"
        term.type(":discard")
        lines = _asked(term, "Discard this draft")
        term.type("yes")
        term.wait(lambda ls: any("the draft was discarded" in x for x in ls), "the end")
        assert term.wait_exit() == 0
    assert interviews(db) == []

    with Terminal(command, study) as term:  # the respondent does withdraw this time
        typist = Typist(term, mirror("household"))
        _type_until(typist, ("stratum", 0))
        term.type(":withdraw")
        _asked(term, "The respondent withdraws")
        term.type("yes")
        term.wait(lambda ls: any("only the refusal is kept" in x for x in ls), "the refusal")
        assert term.wait_exit() == 0
    refused = only_interview(db)
    assert refused.interview["status"] == "refused"
    assert refused.consent["outcome"] == "refused"
    assert refused.answers == frozenset() and refused.identities == frozenset()
