"""The terminal front end in a real terminal (tmux), typed answer by answer as an enumerator
types: the household interview of ``examples/household_complete.yaml`` lands exactly as the
answers file lands, mistakes and Ctrl-C included.

An in-process session of the same engine runs in lockstep: it says which question the
terminal must show next (so every wait is for a known label, never a fixed sleep), and it
is fed the same keystrokes.
"""

from __future__ import annotations

import json
from pathlib import Path

from fieldkit.capture import Engine
from tests.capture_helpers import (
    HOUSEHOLD,
    PLANTED,
    Stored,
    Terminal,
    Typist,
    collect_command,
    form_of,
    interviews,
    make_study,
    mirror,
    only_interview,
    run_collect,
    since,
    stored,
    tmux_or_skip,
)

WRONG_WEIGHT = "-4"
WRONG_AGE = "13"  # the 12-year-old, mistyped, then corrected with :b


def _plain(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _reference(tmp_path: Path, study: Path) -> Stored:
    """The same interview entered from the answers file."""
    db = tmp_path / "reference.sqlite"
    result = run_collect(study, "household", db, "--answers", str(HOUSEHOLD))
    assert result.returncode == 0, result.stderr
    return only_interview(db)


def _type_with_mistakes(typist: Typist) -> None:
    """The whole interview with one invalid answer, one :b and re-answer, and one :s."""
    session, term = typist.session, typist.term
    done: set[str] = set()
    while (prompt := session.current()) is not None:
        lines = typist.wait(prompt)
        where = (prompt.name, prompt.roster.index if prompt.roster else 0)
        if where == ("hh_weight", 0) and "invalid" not in done:
            done.add("invalid")
            step = session.answer(WRONG_WEIGHT)
            assert not step.ok and step.message
            typist.send(WRONG_WEIGHT)
            lines = typist.wait(prompt)  # asked again, saying why
            assert any(f"✗ {step.message}" in line for line in since(lines, f"> {WRONG_WEIGHT}"))
            continue
        if where == ("age", 2) and "back" not in done:
            done.add("back")
            assert session.answer(WRONG_AGE).ok
            typist.send(WRONG_AGE)
            typist.wait(session.current() or prompt)
            assert session.back().ok
            typist.send(":b")
            lines = typist.wait(prompt)  # the age again, showing the answer to correct
            assert any(f"current answer: {WRONG_AGE}" in line for line in since(lines, "> :b"))
            continue
        if where == ("floor_material", 0) and "summary" not in done:
            done.add("summary")
            typist.send(":s")
            lines = typist.wait(prompt)
            table = since(lines, "> :s")
            assert any("Answers so far" in line for line in table)
            name_rows = [line for line in table if "First name of the respondent" in line]
            assert name_rows and all("•••" in line for line in name_rows), table
            phone_rows = [line for line in table if "Telephone number" in line]
            assert phone_rows and all("•••" in line for line in phone_rows), table
            assert not [text for text in PLANTED for line in table if text in line], table
            continue
        typist.answer(prompt)
    assert done == {"invalid", "back", "summary"}
    confirm_complete(term)
    lines = term.wait(lambda ls: any("interview complete and saved" in x for x in ls), "the end")
    assert term.wait_exit() == 0, lines[-20:]


def confirm_complete(term: Terminal) -> None:
    """At the end the terminal asks before saving as complete (going back is still possible)."""
    term.wait(lambda ls: any("All questions are answered" in x for x in ls), "the confirmation")
    term.type("")


def test_household_typed_in_the_terminal_lands_as_the_answers_file_does(tmp_path: Path) -> None:
    tmux_or_skip()
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    command = collect_command(study, "household", db, "--enumerator", "E07")
    with Terminal(command, study) as term:
        _type_with_mistakes(Typist(term, mirror("household")))

    live = only_interview(db)
    assert live.interview["status"] == "complete"
    assert live.consent["outcome"] == "given"
    assert live.members == (("members", 1), ("members", 2), ("members", 3))
    events = [(event, question) for event, question, _ in live.paradata]
    assert ("invalid", "hh_weight") in events
    assert ("back", "age") in events
    assert ("change", "age") in events
    assert ("complete", None) in events

    reference = _reference(tmp_path, study)
    assert reference.interview["status"] == "complete"
    assert live.answers == reference.answers
    assert live.identities == reference.identities
    assert live.members == reference.members
    assert len(live.identities) == 9  # name, phone, address, three first names, free text x3


def test_ctrl_c_keeps_a_draft_that_resumes_to_the_same_interview(tmp_path: Path) -> None:
    tmux_or_skip()
    study = make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"
    session = mirror("household")
    command = collect_command(study, "household", db, "--enumerator", "E07")
    with Terminal(command, study) as term:
        typist = Typist(term, session)
        while (prompt := session.current()) is not None and (
            prompt.name,
            prompt.roster.index if prompt.roster else 0,
        ) != ("ever_attended", 1):
            typist.wait(prompt)
            typist.answer(prompt)
        assert prompt is not None
        typist.wait(prompt)
        term.keys("1")  # half-typed, not yet entered: not acknowledged, so not kept
        term.interrupt()
        lines = term.wait(lambda ls: any("saved as a draft" in x for x in ls), "the draft message")
        assert term.wait_exit() == 0, lines[-10:]

    (row,) = interviews(db)
    draft = stored(db, row["id"])
    assert draft.interview["status"] == "draft"
    held = session.answers()  # every answer the terminal acknowledged before Ctrl-C
    assert draft.identities == {(q, m, str(a.status)) for (q, m), a in held.items() if a.pii}
    assert {(q, m, _plain(json.loads(v)), s) for q, m, v, s in draft.answers} == {
        (q, m, _plain(a.value), str(a.status)) for (q, m), a in held.items() if not a.pii
    }
    assert draft.members == (("members", 1), ("members", 2), ("members", 3))

    # start again: the drafts list offers it, and the interview goes on where it stopped
    with Terminal(command, study) as term:
        term.wait(
            lambda ls: bool(ls) and ls[-1].startswith("Resume which draft?"), "the drafts list"
        )
        term.type("1")
        # The engine decides where a resumed interview goes on (after the last answer given);
        # the mirror resumes the same way from the same answers. Enter keeps an answer given.
        engine = Engine(form_of("household"))
        held = list(session.answers().values())
        session = engine.resume(held, {"members": [1, 2, 3]}, session.consent)
        typist = Typist(term, session)
        while (prompt := session.current()) is not None:
            typist.wait(prompt)
            typist.answer(prompt, keep=True)
        confirm_complete(term)
        term.wait(lambda ls: any("interview complete and saved" in x for x in ls), "the end")
        assert term.wait_exit() == 0

    (row,) = interviews(db)
    resumed = stored(db, row["id"])
    assert resumed.interview["status"] == "complete"
    assert [e for e, _, _ in resumed.paradata].count("resume") == 1
    reference = _reference(tmp_path, study)
    assert resumed.answers == reference.answers
    assert resumed.identities == reference.identities
    assert resumed.members == reference.members
