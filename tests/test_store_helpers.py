"""Helpers for the store and privacy tests: a small compiled form and a project key pair.

The form is built from the compiled-form dataclasses directly, so these tests exercise the
store and do not depend on the YAML compiler.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from fieldkit.instrument.form import Form, Question
from fieldkit.instrument.schema import InstrumentKind, QuestionType
from fieldkit.privacy.keys import ProjectPublicKeys
from fieldkit.store import LaptopStore, StoreKey
from fieldkit.store.records import (
    AnswerChange,
    AnswerStatus,
    ConsentOutcome,
    ConsentRecord,
    JsonValue,
)

IDENTITY_KEY = X25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
"""The identity key (in a study: only as custodians' shares) that identities are sealed to.
Fixed, like the merge key, so a test's subprocess (a second merge) holds the same keys."""
MERGE_KEY = X25519PrivateKey.from_private_bytes(bytes(range(33, 65)))
"""The coordinator's merge key: bundle payloads are encrypted to it, free text sealed to it."""
PROJECT_KEYS = ProjectPublicKeys(IDENTITY_KEY.public_key(), MERGE_KEY.public_key())
STORE_KEY = StoreKey(bytes(range(32)))
"""A laptop store's raw SQLCipher key (tests skip the passphrase and its scrypt)."""

NAME = "Amina Koroma"
PHONE = "+233 24 555 0101"
CHILD = "Kwabena Mensah-Owusu"
ADDRESS = "House 17, behind the Zongo mosque, Tamale"


def _question(name: str, kind: str, *, repeat: str | None = None, pii: bool = False) -> Question:
    members: tuple[str, ...] = ()
    if kind == "repeat":
        members = ("child_name", "child_age", "child_works")
    return Question(
        name=name,
        type=QuestionType(kind),
        section="main",
        label={"en": name, "fr": name},
        hint={},
        repeat=repeat,
        pii=pii,
        members=members,
    )


def make_form(form_id: str = "mini", form_hash: str = "sha256:" + "ab" * 32) -> Form:
    """A household form: two identifying top-level answers, a roster with a child's name."""
    questions = [
        _question("respondent_name", "text", pii=True),
        _question("respondent_phone", "text", pii=True),
        _question("address", "text", pii=True),
        _question("hh_size", "integer"),
        _question("remarks", "text"),
        _question("children", "repeat"),
        _question("child_name", "text", repeat="children", pii=True),
        _question("child_age", "integer", repeat="children"),
        _question("child_works", "select_one", repeat="children"),
    ]
    return Form(
        id=form_id,
        title={"en": "Mini", "fr": "Mini"},
        version="1",
        kind=InstrumentKind.HOUSEHOLD,
        languages=("en", "fr"),
        default_language="en",
        respondents=("adult",),
        consent_required=True,
        protocol=SimpleNamespace(id="test_protocol"),  # type: ignore[arg-type]
        sections=(),
        questions={q.name: q for q in questions},
        hash=form_hash,
    )


def open_laptop(directory: Path) -> LaptopStore:
    return LaptopStore.open(directory / "laptop.sqlite", project_keys=PROJECT_KEYS, key=STORE_KEY)


def answer(question: str, value: JsonValue, member: int = 0, *, pii: bool = False) -> AnswerChange:
    return AnswerChange(question, member, value, AnswerStatus.ANSWERED, pii=pii)


def consent(outcome: ConsentOutcome = ConsentOutcome.GIVEN) -> ConsentRecord:
    return ConsentRecord(outcome=outcome, respondent="adult", respondent_age=41, adult_consent=True)


def raw_rows(store: LaptopStore, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with store.database.read() as conn:
        return [tuple(row) for row in conn.exec_driver_sql(sql, params)]


def test_the_helper_form_marks_identifying_questions() -> None:
    form = make_form()
    assert form.pii_fields() == (
        "respondent_name",
        "respondent_phone",
        "address",
        "child_name",
    )
    assert form.questions["child_age"].repeat == "children"
