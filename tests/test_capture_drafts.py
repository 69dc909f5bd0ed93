"""Drafts on a laptop, as an enumerator finds and resumes one: named by their household,
resumed by the start of their id (as the list shows it), and thrown away whole on purpose."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from fieldkit.capture.drafts import draft_rows, find_draft
from fieldkit.capture.recorder import open_interview
from fieldkit.errors import FieldkitError
from fieldkit.privacy.keys import load_project_keys
from fieldkit.store import LaptopStore, create_store_key, unlock_store
from fieldkit.store.cipher import new_store_allowed
from fieldkit.store.records import InterviewStatus
from tests.capture_helpers import (
    FIELDKIT,
    HOUSEHOLD,
    PASSPHRASE,
    UNLOCK,
    collect_command,
    database,
    form_of,
    load_example,
    make_study,
    run_collect,
    text_for,
)

DATA = load_example(HOUSEHOLD)


@pytest.fixture
def study(tmp_path: Path) -> Path:
    return make_study(tmp_path)


def _store(study: Path, db: Path) -> LaptopStore:
    if new_store_allowed(db):
        key = create_store_key(db, PASSPHRASE, log_n=10)
    else:
        key = unlock_store(db, PASSPHRASE)
    keys = load_project_keys(study / "keys/project.pub")
    return LaptopStore.open(db, project_keys=keys, key=key)


def _draft(store: LaptopStore, until: str = "urban") -> str:
    """A household draft typed from the example up to ``until`` (not answered)."""
    session, recorder = open_interview(store, form_of("household"), enumerator="E07", language=None)
    while (prompt := session.current()) is not None and prompt.name != until:
        step = session.answer(text_for(prompt, session, DATA))
        assert step.ok, step.message
        recorder.record(step)
    return recorder.interview_id


def test_the_drafts_list_names_the_household(study: Path, tmp_path: Path) -> None:
    db = tmp_path / "laptop.sqlite"
    with _store(study, db) as store:
        draft = _draft(store)
        form = form_of("household")
        (row,) = draft_rows(store, {form.hash: form})
    assert (row.id, row.short, row.unit) == (draft, draft[:8], "cluster 12, hh_number 7")
    result = subprocess.run(
        [*FIELDKIT, "drafts", "--db", str(db), *UNLOCK],
        capture_output=True, text=True, cwd=study, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in result.stdout.splitlines() if draft[:8] in line]
    assert "household_cl" in line and "cluster 12, hh_number 7" in line and "E07" in line
    assert f"fieldkit collect INSTRUMENT --db {db} --resume DRAFT" in result.stdout


def test_a_draft_is_resumed_by_the_start_of_its_id(study: Path, tmp_path: Path) -> None:
    db = tmp_path / "laptop.sqlite"
    with _store(study, db) as store:
        draft = _draft(store)
    result = subprocess.run(
        collect_command(study, "household", db, "--resume", draft[:8]),
        input="2\n", capture_output=True, text=True, cwd=study, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Area of residence" in result.stdout
    assert f"draft {draft[:8]}: resume it with collect --resume {draft[:8]}" in result.stdout
    assert f"fieldkit drafts --db {db}" in result.stdout
    with database(db) as conn:
        events = [row[0] for row in conn.execute("SELECT event FROM paradata ORDER BY id")]
        urban = conn.execute("SELECT value FROM answers WHERE question = 'urban'").fetchone()
    assert events.count("resume") == 1 and tuple(urban) == ('"2"',)
    for wrong in ("", "zz"):
        refused = run_collect(study, "household", db, "--resume", wrong)
        assert refused.returncode == 1 and "FK-STORE-005" in refused.stderr
        assert f"fieldkit drafts --db {db}" in refused.stderr


def test_a_prefix_that_names_no_draft_or_several_is_refused_with_the_candidates(
    study: Path, tmp_path: Path
) -> None:
    db = tmp_path / "laptop.sqlite"
    form = form_of("household")
    with _store(study, db) as store:
        ids = [
            store.create_interview(form=form, enumerator="E07", language="en") for _ in range(17)
        ]
        first = max({i[0] for i in ids}, key=lambda c: sum(i.startswith(c) for i in ids))
        sharing = sorted(i for i in ids if i.startswith(first))
        assert len(sharing) >= 2  # 17 ids, 16 hexadecimal digits
        with pytest.raises(FieldkitError) as several:
            find_draft(store, first, form, db=str(db))
        assert several.value.code == "FK-ANS-032"
        for candidate in sharing:
            assert candidate[:8] in several.value.message
        assert find_draft(store, sharing[0][:8], form) == sharing[0]
        with pytest.raises(FieldkitError) as none:
            find_draft(store, "zz", form, db=str(db))
        assert none.value.code == "FK-STORE-005"
        assert none.value.hint == f"fieldkit drafts --db {db} lists them"
        store.finish(sharing[0], InterviewStatus.REFUSED)
        with pytest.raises(FieldkitError) as done:
            find_draft(store, sharing[0][:8], form)
        assert done.value.code == "FK-STORE-006"
        other = store.create_interview(form=form_of("street"), enumerator="E07", language="en")
        with pytest.raises(FieldkitError) as elsewhere:
            find_draft(store, other, form)
        assert elsewhere.value.code == "FK-ANS-033" and "'street_cl'" in elsewhere.value.message


def test_a_discarded_draft_leaves_nothing_behind(study: Path, tmp_path: Path) -> None:
    db = tmp_path / "laptop.sqlite"
    with _store(study, db) as store:
        kept = _draft(store, "hh_size")
        thrown = _draft(store, "hh_size")
        store.discard(thrown)
        with pytest.raises(FieldkitError) as again:
            store.discard(thrown)
        assert again.value.code == "FK-STORE-005"
    tables = ("answers", "paradata")
    with database(db) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM interviews")] == [kept]
        for table in tables:
            found = {r[0] for r in conn.execute(f"SELECT interview_id FROM {table}")}
            assert found == {kept}, table
        references = {r[0] for r in conn.execute("SELECT reference FROM identities")}
        assert len(references) == 1  # the kept draft's sealed name only
