"""The laptop store API as the capture front ends use it."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from fieldkit.errors import PrivacyError, StoreError
from fieldkit.privacy.identity import FREE_TEXT, open_identity
from fieldkit.privacy.keys import ProjectPublicKeys, fingerprint
from fieldkit.store import SEALED, LaptopStore
from fieldkit.store.records import (
    EXCEPTION_NOTE,
    AnswerChange,
    AnswerStatus,
    ConsentOutcome,
    InterviewStatus,
    MemberChange,
    ParadataEvent,
)
from tests.test_store_helpers import (
    IDENTITY_KEY,
    MERGE_KEY,
    NAME,
    PROJECT_KEYS,
    STORE_KEY,
    answer,
    consent,
    make_form,
    open_laptop,
    raw_rows,
)


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    opened = open_laptop(tmp_path)
    yield opened
    opened.close()


def _start(store: LaptopStore) -> str:
    return store.create_interview(form=make_form(), enumerator="enum-07", language="fr")


def test_create_interview_is_a_committed_draft(store: LaptopStore) -> None:
    interview = _start(store)
    assert uuid.UUID(interview).version == 4
    loaded = store.load(interview)
    assert loaded.status is InterviewStatus.DRAFT
    assert (loaded.form_id, loaded.protocol_id, loaded.language) == ("mini", "test_protocol", "fr")
    assert loaded.answers == {} and loaded.members == {} and loaded.consent is None
    [(reference, kind, device)] = raw_rows(
        store, "SELECT reference, instrument_kind, device_id FROM interviews"
    )
    assert len(reference) == 32 and int(reference, 16) >= 0  # 128 random bits
    assert (kind, device) == ("household", store.device_id)


def test_sequence_is_per_device_and_monotonic(tmp_path: Path) -> None:
    with open_laptop(tmp_path) as store:
        device = store.device_id
        first = [_start(store) for _ in range(3)]
    with open_laptop(tmp_path) as store:
        assert store.device_id == device  # stable across openings
        later = _start(store)
        sequences = [s.sequence for s in store.interviews()]
        assert [s.id for s in store.interviews()] == [*first, later]
    assert sequences == [1, 2, 3, 4]


def test_apply_round_trip_with_roster_and_sealed_identities(store: LaptopStore) -> None:
    interview = _start(store)
    store.record_consent(interview, consent())
    store.apply(
        interview,
        answers=[
            answer("respondent_name", NAME, pii=True),
            answer("hh_size", 4),
            answer("child_name", "Kofi", member=1),  # pii by the form, even unflagged
            answer("child_age", 12, member=1),
            answer("child_works", ["farm", "market"], member=2),
            AnswerChange("remarks", 0, None, AnswerStatus.DONT_KNOW),
        ],
        members=[MemberChange("children", 1, True), MemberChange("children", 2, True)],
        events=[ParadataEvent("answer", "hh_size", 0, 5300)],
    )
    loaded = store.load(interview)
    assert loaded.answers == {
        ("respondent_name", 0): (SEALED, AnswerStatus.ANSWERED),
        ("hh_size", 0): (4, AnswerStatus.ANSWERED),
        ("child_name", 1): (SEALED, AnswerStatus.ANSWERED),
        ("child_age", 1): (12, AnswerStatus.ANSWERED),
        ("child_works", 2): (["farm", "market"], AnswerStatus.ANSWERED),
        ("remarks", 0): (None, AnswerStatus.DONT_KNOW),  # free text without a value: plain
    }
    assert loaded.members == {"children": [1, 2]}
    assert loaded.consent == consent()
    assert repr(SEALED) == "SEALED"
    # the sealed value opens with the coordinator key, bound to this reference/question/member
    [(reference, sealed)] = raw_rows(
        store, "SELECT reference, sealed FROM identities WHERE question = 'child_name'"
    )
    assert open_identity(IDENTITY_KEY, reference, "child_name", 1, sealed) == "Kofi"


def test_free_text_is_sealed_to_the_merge_key_and_each_row_names_its_key(
    store: LaptopStore,
) -> None:
    interview = _start(store)
    store.record_consent(interview, consent())
    store.apply(
        interview,
        [answer("remarks", "the aunt's number is 0244 555 0199"), answer("hh_size", 3)],
    )
    assert raw_rows(store, "SELECT question FROM answers") == [("hh_size",)]
    [(reference, sealed, key_id)] = raw_rows(
        store, "SELECT reference, sealed, key_id FROM identities WHERE question = 'remarks'"
    )
    assert key_id == fingerprint(PROJECT_KEYS.merge) != fingerprint(PROJECT_KEYS.identity)
    opened = open_identity(MERGE_KEY, reference, "remarks", 0, sealed, label=FREE_TEXT)
    assert opened == "the aunt's number is 0244 555 0199"
    with pytest.raises(PrivacyError):  # not with the identity key, nor as an identity
        open_identity(IDENTITY_KEY, reference, "remarks", 0, sealed, label=FREE_TEXT)
    with pytest.raises(PrivacyError):
        open_identity(MERGE_KEY, reference, "remarks", 0, sealed)
    assert store.load(interview).answers[("remarks", 0)] == (SEALED, AnswerStatus.ANSWERED)
    store.apply(interview, [AnswerChange("remarks", 0, None, AnswerStatus.REFUSED)])
    assert raw_rows(store, "SELECT count(*) FROM identities") == [(0,)]  # the text is gone
    assert store.load(interview).answers[("remarks", 0)] == (None, AnswerStatus.REFUSED)


def test_consent_codes_are_kept_and_the_exception_note_is_sealed(store: LaptopStore) -> None:
    interview = _start(store)
    note = "aunt Mariam Sesay is the only adult, she sells at Lumley market"
    record = replace(
        consent(ConsentOutcome.EXCEPTION),
        respondent="child",
        exception="street_living",
        exception_reason="no_family_contact",
        supervisor="S03",
        exception_note=note,
    )
    store.record_consent(interview, record)
    stored = store.load(interview).consent
    assert stored == replace(record, exception_note=None, exception_note_sealed=True)
    [(text,)] = raw_rows(store, "SELECT consent FROM interviews")
    assert "Mariam" not in text and "Lumley" not in text
    [(reference, sealed, key_id)] = raw_rows(
        store,
        "SELECT reference, sealed, key_id FROM identities WHERE question = ?",
        EXCEPTION_NOTE,
    )
    assert key_id == fingerprint(PROJECT_KEYS.merge)
    assert open_identity(MERGE_KEY, reference, EXCEPTION_NOTE, 0, sealed, label=FREE_TEXT) == note
    assert (EXCEPTION_NOTE, 0) not in store.load(interview).answers  # not a form question


@pytest.mark.parametrize(
    "change",
    [
        {"supervisor": "Fatmata Kamara"},
        {"exception_reason": "her parents are in Kenema and cannot be reached"},
        {"exception": "street living"},
    ],
)
def test_names_and_free_text_in_coded_consent_fields_are_refused(
    store: LaptopStore, change: dict[str, str]
) -> None:
    interview = _start(store)
    record = replace(consent(ConsentOutcome.EXCEPTION), **change)
    with pytest.raises(StoreError) as caught:
        store.record_consent(interview, record)
    assert caught.value.code == "FK-STORE-011"
    assert store.load(interview).consent is None


@pytest.mark.parametrize("who", ["Amina Koroma", "", "E 07", "e07\n"])
def test_the_enumerator_is_a_staff_code_never_a_name(store: LaptopStore, who: str) -> None:
    with pytest.raises(StoreError) as caught:
        store.create_interview(form=make_form(), enumerator=who, language="en")
    assert caught.value.code == "FK-STORE-030"
    assert store.interviews() == []


def test_changing_and_clearing_answers(store: LaptopStore) -> None:
    interview = _start(store)
    store.apply(interview, [answer("hh_size", 4), answer("respondent_name", NAME, pii=True)])
    store.apply(interview, [answer("hh_size", 6)])
    store.apply(
        interview,
        [
            AnswerChange("respondent_name", 0, None, AnswerStatus.CLEARED, pii=True),
            AnswerChange("remarks", 0, "ignored", AnswerStatus.REFUSED),
        ],
    )
    loaded = store.load(interview)
    assert loaded.answers == {
        ("hh_size", 0): (6, AnswerStatus.ANSWERED),
        ("remarks", 0): (None, AnswerStatus.REFUSED),  # a refused answer keeps no value
    }
    assert raw_rows(store, "SELECT count(*) FROM identities") == [(0,)]
    store.apply(interview, [AnswerChange("hh_size", 0, None, AnswerStatus.CLEARED)])
    assert ("hh_size", 0) not in store.load(interview).answers


def test_removing_a_member_removes_its_answers_and_identities(store: LaptopStore) -> None:
    interview = _start(store)
    store.apply(
        interview,
        [answer("child_name", "A", 1), answer("child_age", 9, 1), answer("child_name", "B", 2)],
        members=[MemberChange("children", 1, True), MemberChange("children", 2, True)],
    )
    store.apply(interview, members=[MemberChange("children", 1, False)])
    loaded = store.load(interview)
    assert loaded.members == {"children": [2]}
    assert set(loaded.answers) == {("child_name", 2)}
    assert raw_rows(store, "SELECT question, member FROM identities") == [("child_name", 2)]


def test_finish_refused_keeps_only_the_interview_and_its_consent(store: LaptopStore) -> None:
    kept = _start(store)
    store.apply(kept, [answer("hh_size", 2)])
    interview = _start(store)
    store.apply(
        interview,
        [
            answer("respondent_name", NAME, pii=True),
            answer("hh_size", 3),
            answer("child_age", 7, 1),
        ],
        members=[MemberChange("children", 1, True)],
        events=[ParadataEvent("answer", "hh_size", 0, 800, detail="typed 3")],
    )
    refusal = consent(ConsentOutcome.ASSENT_REFUSED)
    store.record_consent(interview, refusal)
    store.finish(interview, InterviewStatus.REFUSED)
    for table in ("answers", "roster_members", "paradata"):
        assert raw_rows(
            store, f"SELECT count(*) FROM {table} WHERE interview_id = ?", interview
        ) == [(0,)], table
    assert raw_rows(store, "SELECT count(*) FROM identities") == [(0,)]
    loaded = store.load(interview)
    assert (loaded.status, loaded.consent, loaded.answers) == (InterviewStatus.REFUSED, refusal, {})
    assert loaded.ended_at is not None
    assert store.load(kept).answers == {("hh_size", 0): (2, AnswerStatus.ANSWERED)}  # untouched
    with pytest.raises(StoreError) as caught:
        store.apply(interview, [answer("hh_size", 3)])
    assert caught.value.code == "FK-STORE-006"


def test_finish_stopped_also_purges(store: LaptopStore) -> None:
    interview = _start(store)
    store.apply(interview, [answer("hh_size", 3)], events=[ParadataEvent("ask", "hh_size")])
    store.finish(interview, InterviewStatus.STOPPED)
    assert store.load(interview).answers == {}
    assert raw_rows(store, "SELECT count(*) FROM paradata") == [(0,)]


def test_refused_consent_blocks_answers_and_completion(store: LaptopStore) -> None:
    interview = _start(store)
    store.record_consent(interview, consent(ConsentOutcome.REFUSED))
    with pytest.raises(StoreError) as caught:
        store.apply(interview, [answer("hh_size", 3)])
    assert caught.value.code == "FK-STORE-006"
    with pytest.raises(StoreError):
        store.finish(interview, InterviewStatus.COMPLETE)
    with pytest.raises(StoreError):
        store.finish(interview, InterviewStatus.DRAFT)


def test_drafts_and_interviews_by_status(store: LaptopStore) -> None:
    a, b, c = _start(store), _start(store), _start(store)
    store.apply(a, [answer("hh_size", 1), answer("respondent_name", NAME, pii=True)])
    store.apply(b, [answer("hh_size", 1)])
    store.finish(b, InterviewStatus.COMPLETE)
    drafts = store.drafts()
    assert [(d.id, d.answered, d.enumerator) for d in drafts] == [
        (a, 2, "enum-07"),
        (c, 0, "enum-07"),
    ]
    assert drafts[0].started_at.tzinfo is not None
    assert [s.id for s in store.interviews(InterviewStatus.COMPLETE)] == [b]
    assert len(store.interviews()) == 3
    with pytest.raises(StoreError) as caught:
        store.record_consent(b, consent())
    assert caught.value.code == "FK-STORE-006"


def test_paradata_never_keeps_details_of_identifying_questions(store: LaptopStore) -> None:
    interview = _start(store)
    store.apply(
        interview,
        events=[
            ParadataEvent("invalid", "respondent_phone", 0, 10, detail=f"bad: {NAME}"),
            ParadataEvent("back", "hh_size", 0, 20, detail="went back"),
        ],
    )
    rows = raw_rows(store, "SELECT event, question, detail FROM paradata ORDER BY id")
    assert rows == [("invalid", "respondent_phone", None), ("back", "hh_size", "went back")]


@pytest.mark.parametrize(
    ("changes", "members"),
    [
        ([answer("no_such_question", 1)], []),
        ([answer("hh_size", 1, member=1)], []),  # a top-level question for a member
        ([answer("child_age", 5, member=3)], []),  # member 3 was never added
        ([answer("child_age", 5, member=0)], []),
        ([], [MemberChange("no_such_roster", 1, True)]),
    ],
)
def test_answers_that_do_not_fit_the_form_are_refused(
    store: LaptopStore, changes: list[AnswerChange], members: list[MemberChange]
) -> None:
    interview = _start(store)
    with pytest.raises(StoreError) as caught:
        store.apply(interview, changes, members)
    assert caught.value.code == "FK-STORE-007"
    assert caught.value.location.record == interview


@pytest.mark.parametrize(
    "change",
    [
        AnswerChange("hh_size", -1, 3, AnswerStatus.ANSWERED),
        AnswerChange("hh_size", 0, True, AnswerStatus.ANSWERED),  # type: ignore[arg-type]
        AnswerChange("hh_size", 0, float("nan"), AnswerStatus.ANSWERED),
        AnswerChange("hh_size", 0, {"a": 1}, AnswerStatus.ANSWERED),  # type: ignore[arg-type]
        AnswerChange("hh\x00size", 0, 1, AnswerStatus.ANSWERED),
    ],
)
def test_malformed_records_are_refused_before_anything_is_written(
    store: LaptopStore, change: AnswerChange
) -> None:
    interview = _start(store)
    store.apply(interview, [answer("hh_size", 2)])
    with pytest.raises(StoreError) as caught:
        store.apply(interview, [answer("remarks", "first"), change])
    assert caught.value.code == "FK-STORE-011"
    assert store.load(interview).answers == {("hh_size", 0): (2, AnswerStatus.ANSWERED)}


def test_a_failing_apply_writes_nothing(store: LaptopStore) -> None:
    interview = _start(store)
    with pytest.raises(StoreError):
        store.apply(interview, [answer("hh_size", 9), answer("no_such_question", 1)])
    assert store.load(interview).answers == {}


def test_bad_interview_ids_and_forms(store: LaptopStore) -> None:
    with pytest.raises(StoreError) as caught:
        store.apply("not-an-interview", [answer("hh_size", 1)])
    assert caught.value.code == "FK-STORE-005"
    with pytest.raises(StoreError) as caught:
        store.load(str(uuid.uuid4()))
    assert caught.value.code == "FK-STORE-005"
    with pytest.raises(StoreError) as caught:
        store.create_interview(form=make_form(), enumerator="e", language="sw")
    assert caught.value.code == "FK-STORE-007"


def test_two_forms_on_one_laptop(store: LaptopStore) -> None:
    other = make_form("other", "sha256:" + "cd" * 32)
    a = _start(store)
    b = store.create_interview(form=other, enumerator="e", language="en")
    store.apply(a, [answer("hh_size", 1)])
    store.apply(b, [answer("hh_size", 2)])
    assert store.load(b).form_hash == other.hash


def test_a_laptop_database_is_tied_to_its_project_key(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    open_laptop(tmp_path).close()
    stranger = X25519PrivateKey.generate().public_key()
    for keys in (
        ProjectPublicKeys(stranger, PROJECT_KEYS.merge),
        ProjectPublicKeys(PROJECT_KEYS.identity, stranger),
    ):
        with pytest.raises(PrivacyError) as caught:
            LaptopStore.open(tmp_path / "laptop.sqlite", project_keys=keys, key=STORE_KEY)
        assert caught.value.code == "FK-KEY-006"


def test_the_consent_language_becomes_the_interview_language(store: LaptopStore) -> None:
    interview = _start(store)
    assert store.load(interview).language == "fr"
    store.record_consent(interview, replace(consent(), language="en"))
    assert store.load(interview).language == "en"


def test_a_batch_lands_whole_or_not_at_all(store: LaptopStore) -> None:
    kept = _start(store)
    with pytest.raises(RuntimeError), store.batch():
        store.apply(kept, [answer("hh_size", 3)])
        interview = store.create_interview(form=make_form(), enumerator="E1", language="en")
        store.apply(interview, [answer("hh_size", 4)])
        raise RuntimeError("power cut while keying the file")
    assert [s.id for s in store.interviews()] == [kept]
    assert store.load(kept).answers == {}
    with store.batch():
        store.apply(kept, [answer("hh_size", 3)])
        store.finish(kept, InterviewStatus.COMPLETE)
    assert store.load(kept).status is InterviewStatus.COMPLETE
