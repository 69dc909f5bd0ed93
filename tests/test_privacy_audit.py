"""The hash-chained audit log (P5) and re-identification under custody (P4)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from fieldkit.errors import PrivacyError
from fieldkit.privacy.audit import AuditHead, AuditLog, entry_hash
from fieldkit.privacy.keys import generate_project_keys
from fieldkit.privacy.reidentify import Custody, identity_access, reveal
from fieldkit.privacy.shares import split_private_key
from fieldkit.protocol.schema import AccessLevel, IdentityAccess, RoleModel
from fieldkit.store import Database, open_database
from fieldkit.store.records import MemberChange
from tests.test_store_helpers import (
    CHILD,
    NAME,
    PHONE,
    PRIVATE_KEY,
    answer,
    make_form,
    open_laptop,
    raw_rows,
)


@pytest.fixture
def hq(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = open_database(tmp_path / "hq.sqlite", role="coordinator")
    yield db
    db.close()


def _log_with(db: Database, count: int) -> AuditLog:
    log = AuditLog(db)
    for n in range(count):
        log.append(actor=f"user{n % 2}", action="export", subject=f"dataset-{n}", detail="csv")
    return log


def _sql(db: Database, statement: str) -> None:
    with db.transaction() as conn:
        conn.exec_driver_sql(statement)


def test_a_fresh_chain_verifies_and_links(hq: Database) -> None:
    log = _log_with(hq, 5)
    entries = log.entries()
    assert [e.index for e in entries] == [0, 1, 2, 3, 4]
    assert entries[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    check = log.verify(anchor=log.head())
    assert check.ok and check.entries == 5 and check.first_bad is None
    assert AuditLog(hq).verify().ok  # an empty-log instance reads the same table


@pytest.mark.parametrize("victim", [0, 3, 6])
def test_deleting_an_entry_names_its_index(hq: Database, victim: int) -> None:
    log = _log_with(hq, 8)
    _sql(hq, f"DELETE FROM audit_log WHERE entry_index = {victim}")
    check = log.verify()
    assert (check.ok, check.first_bad) == (False, victim)


def test_deleting_the_last_entries_needs_the_anchor(hq: Database) -> None:
    log = _log_with(hq, 6)
    anchor = log.head()
    assert anchor == AuditHead(5, log.entries()[-1].hash)
    _sql(hq, "DELETE FROM audit_log WHERE entry_index >= 4")
    assert log.verify().ok  # a cut tail is invisible to the chain alone
    assert log.verify(anchor=anchor).first_bad == 4


def test_reordering_entries_names_the_first_moved_index(hq: Database) -> None:
    log = _log_with(hq, 6)
    _sql(hq, "UPDATE audit_log SET entry_index = -1 WHERE entry_index = 2")
    _sql(hq, "UPDATE audit_log SET entry_index = 2 WHERE entry_index = 3")
    _sql(hq, "UPDATE audit_log SET entry_index = 3 WHERE entry_index = -1")
    check = log.verify()
    assert (check.ok, check.first_bad) == (False, 2)


@pytest.mark.parametrize("column", ["actor", "action", "subject", "detail", "at"])
def test_editing_any_field_names_that_index(hq: Database, column: str) -> None:
    log = _log_with(hq, 6)
    _sql(hq, f"UPDATE audit_log SET {column} = {column} || 'x' WHERE entry_index = 3")
    check = log.verify()
    assert (check.ok, check.first_bad) == (False, 3)
    assert check.problem is not None and "edited" in check.problem


def test_a_rehashed_edit_is_caught_by_the_next_link_and_the_anchor(hq: Database) -> None:
    log = _log_with(hq, 6)
    anchor = log.head()
    forged = dataclasses.replace(log.entries()[2], actor="nobody")
    _sql(
        hq,
        f"UPDATE audit_log SET actor = 'nobody', hash = '{entry_hash(forged)}' "
        "WHERE entry_index = 2",
    )
    assert log.verify().first_bad == 3  # entry 2 is self-consistent; its successor is not
    assert log.verify(anchor=anchor).first_bad == 3


# -- re-identification ------------------------------------------------------------------------


def _captured_at_hq(tmp_path: Path, hq: Database) -> str:
    """Capture identities on a laptop, then copy the rows to HQ as a merge would."""
    with open_laptop(tmp_path) as store:
        interview = store.create_interview(form=make_form(), enumerator="e", language="en")
        store.apply(
            interview,
            [
                answer("respondent_name", NAME, pii=True),
                answer("respondent_phone", PHONE, pii=True),
                answer("child_name", CHILD, member=1, pii=True),
                answer("hh_size", 3),
            ],
            members=[MemberChange("children", 1, True)],
        )
        interviews = raw_rows(store, "SELECT * FROM interviews")
        identities = raw_rows(store, "SELECT * FROM identities")
    with hq.transaction() as conn:
        for row in interviews:
            conn.exec_driver_sql(f"INSERT INTO interviews VALUES ({','.join('?' * len(row))})", row)
        for row in identities:
            conn.exec_driver_sql("INSERT INTO identities VALUES (?, ?, ?, ?, ?)", row)
    return str(identities[0][0])


def _pair(key: object) -> Custody:
    shares = split_private_key(key, count=3)  # type: ignore[arg-type]
    return Custody.from_shares({"Ama": shares[0], "Yaw": shares[2]})


def test_two_custodians_reveal_and_the_audit_entry_comes_first(
    tmp_path: Path, hq: Database
) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    values = reveal(
        hq,
        reference,
        custody=_pair(PRIVATE_KEY),
        access=IdentityAccess.WITH_TWO_CUSTODIANS,
        actor="Ama",
        reason="referral to child protection services",
    )
    assert values == {
        ("respondent_name", 0): NAME,
        ("respondent_phone", 0): PHONE,
        ("child_name", 1): CHILD,
    }
    [entry] = AuditLog(hq).entries()
    assert (entry.actor, entry.action, entry.subject) == ("Ama", "reveal", reference)
    assert json.loads(entry.detail) == {
        "custodians": ["Ama", "Yaw"],
        "reason": "referral to child protection services",
    }
    assert AuditLog(hq).verify().ok


def test_one_custodian_is_refused_where_two_are_required(tmp_path: Path, hq: Database) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    private, _public = generate_project_keys("correct horse battery staple", log_n=14)
    (tmp_path / "project.key").write_bytes(private)
    alone = Custody.from_key_file(
        tmp_path / "project.key", "correct horse battery staple", custodian="Ama"
    )
    shares = split_private_key(PRIVATE_KEY, count=3)
    same_person = Custody(_pair(PRIVATE_KEY).private_key, ("Ama", "Ama"), joint=True)
    for custody in (alone, same_person):
        with pytest.raises(PrivacyError) as caught:
            reveal(
                hq,
                reference,
                custody=custody,
                access=IdentityAccess.WITH_TWO_CUSTODIANS,
                actor="Ama",
                reason="curiosity",
            )
        assert caught.value.code == "FK-PRIV-002"
    with pytest.raises(PrivacyError) as caught:
        Custody.from_shares({"Ama": shares[0]})
    assert caught.value.code == "FK-KEY-005"
    assert AuditLog(hq).entries() == []  # refused requests change nothing


def test_roles_without_identity_access_and_empty_reasons_are_refused(
    tmp_path: Path, hq: Database
) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    for access, reason in (
        (IdentityAccess.NONE, "audit"),
        (IdentityAccess.WITH_ONE_CUSTODIAN, " "),
    ):
        with pytest.raises(PrivacyError) as caught:
            reveal(
                hq, reference, custody=_pair(PRIVATE_KEY), access=access, actor="x", reason=reason
            )
        assert caught.value.code == "FK-PRIV-002"
    found = reveal(
        hq,
        reference,
        custody=Custody(PRIVATE_KEY, ("Ama",), joint=False),
        access=IdentityAccess.WITH_ONE_CUSTODIAN,
        actor="Ama",
        reason="call-back",
    )
    assert found[("respondent_name", 0)] == NAME


def test_a_broken_audit_log_closes_re_identification(tmp_path: Path, hq: Database) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    _log_with(hq, 3)
    _sql(hq, "DELETE FROM audit_log WHERE entry_index = 1")
    with pytest.raises(PrivacyError) as caught:
        reveal(
            hq,
            reference,
            custody=_pair(PRIVATE_KEY),
            access=IdentityAccess.WITH_TWO_CUSTODIANS,
            actor="Ama",
            reason="referral",
        )
    assert caught.value.code == "FK-PRIV-003"
    assert "entry 1" in caught.value.message


def test_the_wrong_key_is_logged_then_refused(tmp_path: Path, hq: Database) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    reference = _captured_at_hq(tmp_path, hq)
    with pytest.raises(PrivacyError) as caught:
        reveal(
            hq,
            reference,
            custody=_pair(X25519PrivateKey.generate()),
            access=IdentityAccess.WITH_TWO_CUSTODIANS,
            actor="Ama",
            reason="referral",
        )
    assert caught.value.code == "FK-PRIV-001"
    assert [e.action for e in AuditLog(hq).entries()] == ["reveal"]  # the attempt is on record


def test_identity_access_follows_the_protocol_roles() -> None:
    protocol = SimpleNamespace(
        roles={
            "coordinator": RoleModel(
                answers=AccessLevel.ALL, identities=IdentityAccess.WITH_TWO_CUSTODIANS
            ),
            "enumerator": RoleModel(answers=AccessLevel.OWN),
        }
    )
    assert identity_access(protocol, "coordinator") is IdentityAccess.WITH_TWO_CUSTODIANS  # type: ignore[arg-type]
    assert identity_access(protocol, "enumerator") is IdentityAccess.NONE  # type: ignore[arg-type]
    assert identity_access(protocol, "stranger") is IdentityAccess.NONE  # type: ignore[arg-type]
