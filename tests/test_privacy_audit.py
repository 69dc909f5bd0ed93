"""The hash-chained audit log (P5) and re-identification under custody (P4)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from fieldkit.errors import PrivacyError
from fieldkit.privacy.audit import AuditHead, AuditLog, entry_hash
from fieldkit.privacy.reidentify import identity_access, reveal
from fieldkit.privacy.shares import KeyShare, split_identity_key
from fieldkit.protocol.model import Protocol
from fieldkit.protocol.schema import AccessLevel, IdentityAccess, RoleModel
from fieldkit.store import Database, open_database
from fieldkit.store.records import MemberChange
from tests.test_store_helpers import (
    CHILD,
    IDENTITY_KEY,
    NAME,
    PHONE,
    PROJECT_KEYS,
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


def _rehash_from(hq: Database, log: AuditLog, start: int, actor: str) -> None:
    """Rewrite entry ``start`` and re-hash every entry after it: a chain consistent again."""
    entries = log.entries()
    prev = entries[start - 1].hash if start else "0" * 64
    for entry in entries[start:]:
        changed = dataclasses.replace(
            entry, actor=actor if entry.index == start else entry.actor, prev_hash=prev
        )
        changed = dataclasses.replace(changed, hash=entry_hash(changed))
        _sql(
            hq,
            f"UPDATE audit_log SET actor = '{changed.actor}', prev_hash = '{changed.prev_hash}', "
            f"hash = '{changed.hash}' WHERE entry_index = {entry.index}",
        )
        prev = changed.hash


def test_a_fully_rehashed_chain_is_caught_only_against_anchors(hq: Database) -> None:
    log = _log_with(hq, 8)
    early, head = AuditHead(1, log.entries()[1].hash), log.head()
    assert head is not None
    _rehash_from(hq, log, 3, "nobody")
    assert log.verify().ok  # self-consistent again: the chain alone cannot tell
    check = log.verify(anchors=[head])
    assert (check.ok, check.first_bad) == (False, 0)
    check = log.verify(anchors=[early, head])  # narrowed: entries after #1 were rewritten
    assert (check.ok, check.first_bad) == (False, 2)
    assert check.problem is not None and "#7" in check.problem


TAMPERING = {
    "edit": "UPDATE audit_log SET detail = 'xlsx' WHERE entry_index = 2",
    "deletion": "DELETE FROM audit_log WHERE entry_index = 2",
    "reorder": "UPDATE audit_log SET entry_index = entry_index + 10 WHERE entry_index = 2",
    "truncation": "DELETE FROM audit_log WHERE entry_index >= 4",
    "rehash": "",
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_audit_verify_on_the_command_line_names_the_first_bad_entry(
    tmp_path: Path, case: str
) -> None:
    from typer.testing import CliRunner

    from fieldkit.cli import app

    store = tmp_path / "hq.sqlite"
    with open_database(store, role="coordinator") as db:
        log = _log_with(db, 6)
        head = log.head()
        assert head is not None
    runner = CliRunner()
    verify = ["audit", "verify", "--store", str(store), "--anchor", head.text()]
    intact = runner.invoke(app, verify)
    assert intact.exit_code == 0 and "6 entries, chain intact; 1 anchor(s) match" in intact.output
    with open_database(store, role="coordinator") as db:
        if case == "rehash":
            _rehash_from(db, AuditLog(db), 2, "nobody")
        else:
            _sql(db, TAMPERING[case])
    result = runner.invoke(app, verify)
    assert isinstance(result.exception, PrivacyError), result.output
    assert result.exception.code == "FK-PRIV-003"
    expected = {"edit": 2, "deletion": 2, "reorder": 2, "truncation": 4, "rehash": 0}[case]
    assert f"broken at entry {expected}:" in result.exception.message
    bad = runner.invoke(app, ["audit", "verify", "--store", str(store), "--anchor", "#5:abc"])
    assert isinstance(bad.exception, PrivacyError) and bad.exception.code == "FK-PRIV-005"


# -- re-identification ------------------------------------------------------------------------


def _captured_at_hq(tmp_path: Path, hq: Database, folder: str = "laptop") -> str:
    """Capture identities (and free text) on a laptop, then copy the rows to HQ as a merge
    would; returns the interview's reference."""
    (tmp_path / folder).mkdir()
    with open_laptop(tmp_path / folder) as store:
        interview = store.create_interview(form=make_form(), enumerator="e", language="en")
        store.apply(
            interview,
            [
                answer("respondent_name", NAME, pii=True),
                answer("respondent_phone", PHONE, pii=True),
                answer("child_name", CHILD, member=1, pii=True),
                answer("remarks", "free text, sealed to the merge key"),
                answer("hh_size", 3),
            ],
            members=[MemberChange("children", 1, True)],
        )
        interviews = raw_rows(store, "SELECT * FROM interviews")
        identities = raw_rows(
            store, "SELECT reference, question, member, status, sealed, key_id FROM identities"
        )
    with hq.transaction() as conn:
        for row in interviews:
            conn.exec_driver_sql(f"INSERT INTO interviews VALUES ({','.join('?' * len(row))})", row)
        for row in identities:
            conn.exec_driver_sql(
                "INSERT INTO identities (reference, question, member, status, sealed, key_id) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
    return str(identities[0][0])


CUSTODIANS = ("Ama", "Yaw", "Efua")
SHARES = split_identity_key(IDENTITY_KEY, CUSTODIANS, threshold=2)
REASON = "referral of the child to the district social welfare office"


def _reveal(
    hq: Database, record: str, protocol: Protocol, shares: list[KeyShare], **kw: str
) -> Any:
    return reveal(
        hq,
        record,
        shares=shares,
        keys=PROJECT_KEYS,
        protocols={"test_protocol": protocol},
        actor=kw.get("actor", "ama"),
        reason=kw.get("reason", REASON),
    )


def test_k_custodians_open_one_record_and_add_one_audit_entry(
    tmp_path: Path, hq: Database, protocol: Protocol
) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    other = _captured_at_hq(tmp_path, hq, "other-laptop")
    values = _reveal(hq, reference, protocol, [SHARES[0], SHARES[2]])
    assert values == {  # identity fields only: free text is the merge key's, not opened here
        ("child_name", 1): CHILD,
        ("respondent_name", 0): NAME,
        ("respondent_phone", 0): PHONE,
    }
    [entry] = AuditLog(hq).entries()
    assert (entry.actor, entry.action, entry.subject) == ("ama", "reveal", reference)
    assert json.loads(entry.detail) == {
        "custodians": ["Ama", "Efua"],
        "reason": REASON,
        "fields": 3,
    }
    assert AuditLog(hq).verify().ok
    assert reference != other  # the other record was never read


REFUSALS = {
    "one custodian's share": ("ref", REASON, [0]),
    "the same share twice": ("ref", REASON, [1, 1]),
    "a short reason": ("ref", "follow-up", [0, 1]),
    "a blank reason": ("ref", "   ", [0, 1]),
    "a pattern": ("%", REASON, [0, 1]),
    "a list of records": ("ref,ref", REASON, [0, 1]),
    "an unknown record": ("0" * 32, REASON, [0, 1]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_refused_attempt_opens_nothing_and_adds_one_audit_entry(
    tmp_path: Path, hq: Database, protocol: Protocol, case: str
) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    record, reason, shares = REFUSALS[case]
    record = record.replace("ref", reference)
    with pytest.raises(PrivacyError) as caught:
        _reveal(hq, record, protocol, [SHARES[n] for n in shares], reason=reason)
    assert caught.value.code == "FK-PRIV-002", case
    [entry] = AuditLog(hq).entries()
    assert entry.action == "reveal refused"
    assert json.loads(entry.detail)["refused"] == caught.value.message


def test_shares_of_another_key_are_refused_and_logged(
    tmp_path: Path, hq: Database, protocol: Protocol
) -> None:
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

    reference = _captured_at_hq(tmp_path, hq)
    stranger = split_identity_key(X25519PrivateKey.generate(), CUSTODIANS, threshold=2)
    for shares in ([stranger[0], stranger[1]], [SHARES[0], stranger[1]]):
        with pytest.raises(PrivacyError) as caught:
            _reveal(hq, reference, protocol, shares)
        assert caught.value.code == "FK-PRIV-002"
    assert [e.action for e in AuditLog(hq).entries()] == ["reveal refused"] * 2


def test_a_broken_audit_log_closes_re_identification(
    tmp_path: Path, hq: Database, protocol: Protocol
) -> None:
    reference = _captured_at_hq(tmp_path, hq)
    _log_with(hq, 3)
    _sql(hq, "DELETE FROM audit_log WHERE entry_index = 1")
    with pytest.raises(PrivacyError) as caught:
        _reveal(hq, reference, protocol, [SHARES[0], SHARES[1]])
    assert caught.value.code == "FK-PRIV-003"
    assert "entry 1" in caught.value.message


def test_the_library_has_no_other_way_to_open_an_identity() -> None:
    import fieldkit.privacy

    public = set(fieldkit.privacy.__all__)
    assert {"reveal", "seal", "seal_identity"} <= public
    assert not public & {"combine_key_shares", "open_identity", "open_sealed", "Custody"}


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
