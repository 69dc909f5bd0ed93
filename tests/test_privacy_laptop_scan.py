"""P1 / P2: a stolen laptop shows no name or contact, at any moment, drafts included.

Names are planted through ``LaptopStore.apply`` and the raw bytes of every file the store could
have written are searched (UTF-8, UTF-16, upper and lower case). The store is encrypted at
rest, so the raw files show nothing at all; to prove the scan can see, the same scan runs on a
decrypted copy (made with the store's key), where a control value planted in a plain answer
must be found and the names, sealed inside the encryption, still must not.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldkit.store import LaptopStore
from fieldkit.store.records import (
    AnswerChange,
    AnswerStatus,
    ConsentOutcome,
    InterviewStatus,
    MemberChange,
)
from tests.test_store_helpers import (
    ADDRESS,
    CHILD,
    NAME,
    PHONE,
    STORE_KEY,
    answer,
    consent,
    make_form,
    open_laptop,
    raw_rows,
)

PLANTED = (NAME, PHONE, CHILD, ADDRESS, "Amina", "Koroma", "233245550101", "555 0101")


def _needles(text: str) -> set[bytes]:
    found = set()
    for variant in (text, text.lower(), text.upper()):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            found.add(variant.encode(encoding))
    return found


def _files_under(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith("bash_")]  # not ours: tool machinery
        for name in files:
            yield Path(root) / name


def _recent_temp_files(since: float) -> list[Path]:
    recent = []
    for path in _files_under(Path(tempfile.gettempdir())):
        try:
            info = path.lstat()
        except OSError:
            continue
        if info.st_mtime >= since and path.is_file() and info.st_size < 64 * 2**20:
            recent.append(path)
    return recent


def _leaks(paths: list[Path], texts: tuple[str, ...]) -> list[tuple[str, str]]:
    needles = {needle: text for text in texts for needle in _needles(text)}
    leaks = []
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for needle, text in needles.items():
            if needle in data:
                leaks.append((str(path), text))
    return leaks


def _store_files(folder: Path) -> list[Path]:
    paths = [p for p in _files_under(folder) if not p.name.startswith("decrypted")]
    assert any(p.name == "laptop.sqlite" for p in paths)
    return paths


def decrypted_copy(store: Path, target: Path) -> Path:
    """A plain SQLite copy of an encrypted laptop store, made with its key (for the control)."""
    target.unlink(missing_ok=True)
    conn = sqlcipher3.connect(str(store))
    try:
        conn.execute(f'PRAGMA key = "{STORE_KEY.sqlcipher}"')
        conn.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        conn.execute("SELECT sqlcipher_export('plain')")
        conn.execute("DETACH DATABASE plain")
    finally:
        conn.close()
    return target


def _seen_in_clear(folder: Path, texts: tuple[str, ...]) -> list[tuple[str, str]]:
    copy = decrypted_copy(folder / "laptop.sqlite", folder / "decrypted.sqlite")
    try:
        return _leaks([copy], texts)
    finally:
        copy.unlink()


def test_no_name_or_contact_is_readable_on_the_laptop(tmp_path: Path) -> None:
    started = time.time() - 1
    folder = tmp_path / "field"
    folder.mkdir()
    control = f"control-{secrets.token_hex(6)}"
    gone = f"said-before-refusing-{secrets.token_hex(6)}"
    # Other programs on this machine may write common names to the temp folder at any time,
    # so the machine-wide scan looks for values only this test writes.
    unique = (f"Amina Koroma {secrets.token_hex(4)}", f"+233 24 {secrets.randbelow(10**8):08d}")
    form = make_form()
    store = open_laptop(folder)

    draft = store.create_interview(form=form, enumerator="enum-07", language="en")
    store.record_consent(draft, consent())
    store.apply(
        draft,
        [
            answer("respondent_name", NAME, pii=True),
            answer("respondent_phone", PHONE, pii=True),
            answer("address", ADDRESS),  # identifying by the form alone
            answer("remarks", f"free text naming {NAME}"),  # free text: sealed too
            answer("child_works", control, member=1),  # a plain answer: the control
            answer("hh_size", 5),
            answer("child_name", CHILD, member=1, pii=True),
            answer("child_name", "Amina", member=2, pii=True),
            answer("child_name", unique[0], member=3, pii=True),
            answer("child_name", unique[1], member=4, pii=True),
        ],
        members=[MemberChange("children", n, True) for n in (1, 2, 3, 4)],
    )
    # open store, live WAL: the moment a laptop is most likely to be taken
    assert (folder / "laptop.sqlite-wal").exists()
    assert _leaks(_store_files(folder), (control,)) == [], "encrypted at rest: nothing in clear"
    assert _seen_in_clear(folder, (control,)), "decrypted, the scan must see plain answers"
    assert _seen_in_clear(folder, (*PLANTED, *unique)) == [], "sealed inside the encryption"
    assert _leaks(_store_files(folder), (*PLANTED, *unique)) == []
    assert _leaks(_recent_temp_files(started), (*unique, gone)) == []

    store.apply(draft, members=[MemberChange("children", 1, False)])
    store.apply(draft, [AnswerChange("respondent_phone", 0, None, AnswerStatus.CLEARED)])
    assert _leaks(_store_files(folder), PLANTED) == []

    refused = store.create_interview(form=form, enumerator="enum-07", language="en")
    store.apply(
        refused,
        [answer("respondent_name", NAME, pii=True), answer("hh_size", 1)],
        members=[MemberChange("children", 1, True)],
    )
    store.apply(refused, [answer("child_works", gone, member=1)])
    assert _seen_in_clear(folder, (gone,)), "the control must be there before refusal"
    store.record_consent(refused, consent(ConsentOutcome.REFUSED))
    store.finish(refused, InterviewStatus.REFUSED)
    assert _leaks(_store_files(folder), (*PLANTED, gone)) == []
    assert _seen_in_clear(folder, (*PLANTED, gone)) == [], "refused: purged, not just hidden"

    complete = store.create_interview(form=form, enumerator="enum-07", language="fr")
    store.apply(complete, [answer("respondent_name", PHONE, pii=True)])
    store.finish(complete, InterviewStatus.COMPLETE)
    assert _leaks(_store_files(folder), PLANTED) == []

    _check_identifiers_are_kept_apart(store)
    store.close()
    assert _leaks(_store_files(folder), (*PLANTED, *unique, gone)) == []
    assert _seen_in_clear(folder, (*PLANTED, *unique, gone)) == []
    assert _leaks(_recent_temp_files(started), (*unique, gone)) == []


def _check_identifiers_are_kept_apart(store: LaptopStore) -> None:
    pii = set(make_form().pii_fields())
    stored = {q for (q,) in raw_rows(store, "SELECT DISTINCT question FROM answers")}
    assert stored and not stored & pii
    columns = {
        (table, column)
        for (table,) in raw_rows(store, "SELECT name FROM sqlite_master WHERE type = 'table'")
        for (column,) in raw_rows(store, f"SELECT name FROM pragma_table_info('{table}')")
    }
    assert {c for t, c in columns if t == "answers"} == {
        "interview_id",
        "question",
        "member",
        "value",
        "status",
        "changed_at",
    }
    assert {c for t, c in columns if t == "identities"} == {
        "reference",
        "question",
        "member",
        "status",
        "sealed",
        "key_id",
    }
    identifying = ("name", "phone", "address", "contact", "gps", "email", *pii)
    suspects = [(t, c) for t, c in columns if any(word in c for word in identifying)]
    assert sorted(suspects) == [("schema_migrations", "name")]  # the migration's name


STEPS = st.lists(
    st.one_of(
        st.tuples(st.just("name"), st.integers(0, 3), st.sampled_from(PLANTED)),
        st.tuples(st.just("remove"), st.integers(1, 3), st.just("")),
        st.tuples(st.just("clear"), st.integers(0, 3), st.just("")),
        st.tuples(
            st.just("finish"), st.sampled_from(["complete", "refused", "stopped"]), st.just("")
        ),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
def test_after_every_step_of_a_random_session_no_name_is_readable(
    steps: list[tuple[str, object, str]],
) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with open_laptop(folder) as store:
            interview = store.create_interview(form=make_form(), enumerator="e", language="en")
            members: set[int] = set()
            for step in steps:
                interview = _step(store, interview, members, step)
                assert _leaks(_store_files(folder), PLANTED) == [], step
        assert _leaks(_store_files(folder), PLANTED) == []


def _step(
    store: LaptopStore, interview: str, members: set[int], step: tuple[str, object, str]
) -> str:
    action, number, text = step
    assert isinstance(number, int | str)
    if action == "name" and isinstance(number, int):
        if number and number not in members:
            store.apply(interview, members=[MemberChange("children", number, True)])
            members.add(number)
        question = "child_name" if number else "respondent_name"
        store.apply(interview, [answer(question, text, member=number, pii=True)])
    elif action == "remove" and number in members:
        store.apply(interview, members=[MemberChange("children", int(number), False)])
        members.discard(int(number))
    elif action == "clear" and (number == 0 or number in members):
        question = "child_name" if number else "respondent_name"
        store.apply(interview, [AnswerChange(question, int(number), None, AnswerStatus.CLEARED)])
    elif action == "finish":
        store.finish(interview, InterviewStatus(str(number)))
        members.clear()
        return store.create_interview(form=make_form(), enumerator="e", language="en")
    return interview
