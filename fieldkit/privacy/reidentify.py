"""Re-identification: open one record's identities, with K custodians, after an audit entry.

    shares = [open_share(ama_file, ama_passphrase), open_share(yaw_file, yaw_passphrase)]
    names = reveal(db, "3f9c…", shares=shares, keys=load_project_keys(pub),
                   protocols=project.protocols, actor="ama",
                   reason="referral of the child to social services, case 2027-014")

Order of work: the audit chain is checked (a broken chain closes re-identification) → the
request is checked: one record only (no lists, patterns or empty references), a reason at
least as long as the protocol asks, K distinct custodians' shares of the current identity
key → an audit entry is committed, ``reveal`` when accepted and ``reveal refused`` (with why)
when not → only then are the record's identity fields opened. Free text sealed to the merge
key is not opened here, and no other record is read.

This is the only public way to open an identity: the key is rebuilt here from the shares,
used for this one record, and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from sqlalchemy import Connection, or_, select
from sqlmodel import col

from fieldkit.errors import Location, PrivacyError
from fieldkit.hashing import canonical_json
from fieldkit.privacy.audit import AuditLog
from fieldkit.privacy.identity import open_identity
from fieldkit.privacy.keys import PrivateKey, ProjectPublicKeys, fingerprint
from fieldkit.privacy.shares import KeyShare, combine_key_shares
from fieldkit.protocol.model import Protocol
from fieldkit.protocol.schema import IdentityAccess
from fieldkit.store.database import Database
from fieldkit.store.records import JsonValue
from fieldkit.store.tables import Identity, Interview

__all__ = ["identity_access", "reveal"]

_RECORD = re.compile(r"^[0-9a-f]{32}$|^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
"""One interview: its reference (32 hex digits) or its id (a UUID). Nothing else, so no
pattern, list or blank can reach more than one record."""


def identity_access(protocol: Protocol, role: str) -> IdentityAccess:
    """What ``role`` may do with identities under ``protocol`` (an unknown role: nothing)."""
    found = protocol.roles.get(role)
    return found.identities if found is not None else IdentityAccess.NONE


def reveal(
    db: Database,
    record: str,
    *,
    shares: Sequence[KeyShare],
    keys: ProjectPublicKeys,
    protocols: Mapping[str, Protocol],
    actor: str,
    reason: str,
) -> dict[tuple[str, int], JsonValue]:
    """The identity fields of one interview (by reference or id): (question, member) → value.

    ``keys``: the study's project.pub; the shares must rebuild its identity key.
    ``protocols``: the project's, by id (the record's own says how long a reason must be).

    Every attempt adds one audit entry, refused ones included (FK-PRIV-002 then); a broken
    audit chain refuses without one (FK-PRIV-003)."""
    log = AuditLog(db)
    check = log.verify()
    if not check.ok:
        raise PrivacyError(
            f"the audit log is broken at entry {check.first_bad}: {check.problem}",
            code="FK-PRIV-003",
            location=Location(db.where),
            hint="re-identification stays closed until the log is restored and verified",
        )
    custodians = sorted({share.custodian for share in shares})
    detail: dict[str, Any] = {"reason": reason.strip(), "custodians": custodians}
    try:
        key, reference = _checked(db, record, shares, protocols, reason)
        if fingerprint(key.public_key()) != fingerprint(keys.identity):
            _refuse("the shares are not of this study's identity key (project.pub)", record)
    except PrivacyError as error:
        detail["refused"] = error.message
        log.append(actor=actor, action="reveal refused", subject=record[:80], detail=_text(detail))
        raise
    with db.transaction() as conn:
        rows = _identity_rows(conn, reference, fingerprint(key.public_key()))
        detail["fields"] = len(rows)
        log.append_in(conn, actor=actor, action="reveal", subject=reference, detail=_text(detail))
    return {
        (question, member): open_identity(key, reference, question, member, sealed)
        for question, member, sealed in rows
    }


def _checked(
    db: Database,
    record: str,
    shares: Sequence[KeyShare],
    protocols: Mapping[str, Protocol],
    reason: str,
) -> tuple[PrivateKey, str]:
    if not _RECORD.fullmatch(record):
        _refuse("one record at a time: give one interview's reference or id", record)
    reference, protocol_id = _reference(db, record)
    protocol = protocols.get(protocol_id)
    if protocol is None:
        _refuse(f"the record's protocol '{protocol_id}' is not in the project", record)
    minimum = protocol.model.reveal_reason_min_length
    if len(reason.strip()) < minimum:
        _refuse(f"the reason must say why, in at least {minimum} characters", record)
    try:
        key = combine_key_shares(shares)
    except PrivacyError as error:
        _refuse(error.message, record)
    return key, reference


def _reference(db: Database, record: str) -> tuple[str, str]:
    with db.read() as conn:
        found = conn.execute(
            select(Interview.reference, Interview.protocol_id).where(  # type: ignore[call-overload]
                or_(col(Interview.reference) == record, col(Interview.id) == record)
            )
        ).first()
    if found is None:
        _refuse("no interview has this reference or id", record)
    return str(found[0]), str(found[1])


def _identity_rows(conn: Connection, reference: str, key_id: str) -> list[tuple[str, int, bytes]]:
    rows = conn.execute(
        select(Identity.question, Identity.member, Identity.sealed)  # type: ignore[call-overload]
        .where(col(Identity.reference) == reference, col(Identity.key_id) == key_id)
        .order_by(col(Identity.question), col(Identity.member))
    ).all()
    return [(str(q), int(m), bytes(s)) for q, m, s in rows]


def _refuse(why: str, record: str) -> NoReturn:
    raise PrivacyError(
        f"re-identification refused: {why}",
        code="FK-PRIV-002",
        location=Location(record=record[:80]),
        hint="see the protocol's rules for opening identities",
    )


def _text(detail: dict[str, Any]) -> str:
    return canonical_json(detail).decode("utf-8")
