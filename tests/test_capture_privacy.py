"""A stolen laptop shows no name, phone or address, whichever way they were entered.

The household example's identifying answers (three first names, the respondent's full name,
a phone number, an address) go in twice: from the answers file (a complete interview), and
typed in the real terminal front end under tmux (up to the last name, then saved as a draft
with ``:q``). Then the database, its ``-wal`` and ``-shm`` (also while the
terminal program is still running), the whole study folder and the test's own folder are
searched byte for byte (UTF-8 and UTF-16, as typed, lower and upper case): none of them
appears. The respondent's name typed in the terminal is one no other test uses, and every
file written to the temp folder since the test began, by any process, is searched for it:
other tests write the shared names to their own files on purpose, so only a name of this
run's own proves a leak of this laptop's. The store is encrypted at rest, so its files show
no answer at all; the scan is shown to see by finding plain (non-identifying) answers in a
copy decrypted with the store's key, where the names and the free text (sealed at capture)
still do not appear.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from tests.capture_helpers import (
    HOUSEHOLD,
    PLANTED,
    Terminal,
    Typist,
    collect_command,
    decrypted_copy,
    files_under,
    interviews,
    leaks,
    mirror,
    new_temp_files,
    run_collect,
    stored,
    tmux_or_skip,
)
from tests.capture_helpers import make_study as _make_study

CONTROL = ("extreme_temperature",)
"""A plain answer of the same file (a choice of hazard_exposures): seen once decrypted."""
FREE_TEXT = ("Weeding, harvesting maize and groundnuts",)
"""A free-text answer of the same file (occupation): sealed, never seen, even decrypted."""


def _laptop_files(db: Path) -> list[Path]:
    return sorted(db.parent.glob(db.name + "*"))


def _in_clear(db: Path, texts: tuple[str, ...]) -> list[tuple[str, str]]:
    copy = decrypted_copy(db, db.parent / "decrypted-copy.sqlite")
    try:
        return leaks([copy], texts)
    finally:
        copy.unlink()


def test_no_planted_name_or_phone_is_readable_anywhere(tmp_path: Path) -> None:
    tmux_or_skip()
    began = time.time() - 1
    study = _make_study(tmp_path)
    db = tmp_path / "laptop.sqlite"

    # the needles find every planted text where it is in plain: in the answers file itself
    assert {text for _, text in leaks([HOUSEHOLD])} == set(PLANTED)

    result = run_collect(study, "household", db, "--answers", str(HOUSEHOLD))
    assert result.returncode == 0, result.stderr
    assert _in_clear(db, CONTROL), "the scan must see a plain answer once decrypted"
    assert _in_clear(db, (*PLANTED, *FREE_TEXT)) == []
    assert leaks(_laptop_files(db), (*PLANTED, *CONTROL, *FREE_TEXT)) == []

    control = f"typed-control-{secrets.token_hex(6)}"  # free text, typed below: sealed
    code = f"E-{secrets.token_hex(6)}"  # the enumerator's code: a plain value
    command = collect_command(study, "household", db, "--enumerator", code)
    # a respondent's name no other test types: the whole temp folder is searched for it,
    # whoever else writes there (other tests and programs plant the same names on purpose)
    marker = f"Kwabena Tettey-{secrets.token_hex(4)}"
    session = mirror("household")
    with Terminal(command, study) as term:
        typist = Typist(term, session)
        while (prompt := session.current()) is not None:
            typist.wait(prompt)
            member = prompt.roster.index if prompt.roster else 0
            if prompt.name == "respondent_name":
                assert session.answer(marker).ok
                typist.send(marker)
                continue
            if (prompt.name, member) == ("occupation", 2):
                assert session.answer(control).ok
                typist.send(control)
                continue
            if (prompt.name, member) == ("sex", 3):
                break
            typist.answer(prompt)
        # every identifying answer typed (the last name just now), the program still running
        # with its WAL live: the moment a laptop is most likely to be taken
        files = _laptop_files(db)
        assert db.with_name(db.name + "-wal") in files
        assert leaks(files, (control, code)) == [], "encrypted at rest, WAL included"
        assert leaks(files) == []
        assert _in_clear(db, (code,)), "the scan must see what was typed in plain"
        assert _in_clear(db, (control, *PLANTED)) == [], "free text and names: sealed"
        typist.send(":q")  # save and quit: a draft, with its sealed names
        term.wait(lambda ls: any("saved as a draft" in x for x in ls), "the draft")
        assert term.wait_exit() == 0

    assert [row["status"] for row in interviews(db)] == ["complete", "draft"]
    draft = stored(db, interviews(db)[1]["id"])
    assert {q for q, _, _ in draft.identities} >= {"respondent_name", "first_name"}
    assert leaks(_laptop_files(db)) == []
    assert leaks(list(files_under(study))) == []
    assert leaks(list(files_under(tmp_path))) == []
    # Every file written to the temp folder since the test began, by anyone: the shared
    # names may be in other tests' files (they write answers files on purpose), the marker
    # only where this laptop put it.
    assert leaks(new_temp_files(began), (marker,)) == []
