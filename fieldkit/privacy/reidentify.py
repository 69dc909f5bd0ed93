"""Re-identification: open the sealed identities of one interview, after writing why and who.

    custody = Custody.from_shares({"Ama": load_share(a), "Yaw": load_share(b)})
    names = reveal(db, reference, custody=custody, access=identity_access(protocol, "coordinator"),
                   actor="Ama", reason="referral of child to social services")

Order of work: access check → custody check (two custodians where the protocol says so) →
audit chain check → audit entry committed → values opened. A refused request changes nothing;
an accepted one is logged even if a value then fails to open.

The control is as strong as the key handling: a protocol that asks for two custodians must
keep ``project.key`` offline (or destroy it) once the shares are handed out, so that no single
person holds the whole key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlmodel import col

from fieldkit.errors import Location, PrivacyError
from fieldkit.hashing import canonical_json
from fieldkit.privacy.audit import AuditLog
from fieldkit.privacy.identity import open_identity
from fieldkit.privacy.keys import PrivateKey, load_private_key
from fieldkit.privacy.shares import KeyShare, combine_key_shares
from fieldkit.protocol.model import Protocol
from fieldkit.protocol.schema import IdentityAccess
from fieldkit.store.database import Database
from fieldkit.store.records import JsonValue
from fieldkit.store.tables import Identity

__all__ = ["Custody", "identity_access", "reveal"]


@dataclass(frozen=True, slots=True)
class Custody:
    """The unlocked project private key, and the people who unlocked it."""

    private_key: PrivateKey
    custodians: tuple[str, ...]
    joint: bool
    """True when rebuilt from the shares of several custodians."""

    @classmethod
    def from_key_file(cls, path: Path, passphrase: str | bytes, *, custodian: str) -> Custody:
        return cls(load_private_key(path, passphrase), (custodian,), joint=False)

    @classmethod
    def from_shares(cls, shares: Mapping[str, KeyShare]) -> Custody:
        """Custodian name → that custodian's share."""
        return cls(combine_key_shares(list(shares.values())), tuple(shares), joint=True)


def identity_access(protocol: Protocol, role: str) -> IdentityAccess:
    """What ``role`` may do with identities under ``protocol`` (an unknown role: nothing)."""
    found = protocol.roles.get(role)
    return found.identities if found is not None else IdentityAccess.NONE


def reveal(
    db: Database,
    reference: str,
    *,
    custody: Custody,
    access: IdentityAccess,
    actor: str,
    reason: str,
) -> dict[tuple[str, int], JsonValue]:
    """The identifying answers under ``reference``: (question, member) → value."""
    _check_allowed(custody, access, reason, reference)
    log = AuditLog(db)
    check = log.verify()
    if not check.ok:
        raise PrivacyError(
            f"the audit log is broken at entry {check.first_bad}: {check.problem}",
            code="FK-PRIV-003",
            location=Location(db.where),
            hint="re-identification stays closed until the log is restored and verified",
        )
    detail = canonical_json({"reason": reason, "custodians": list(custody.custodians)})
    log.append(actor=actor, action="reveal", subject=reference, detail=detail.decode("utf-8"))
    with db.read() as conn:
        rows = conn.execute(
            select(Identity.question, Identity.member, Identity.sealed).where(  # type: ignore[call-overload]
                col(Identity.reference) == reference
            )
        ).all()
    return {
        (question, member): open_identity(custody.private_key, reference, question, member, sealed)
        for question, member, sealed in rows
    }


def _check_allowed(custody: Custody, access: IdentityAccess, reason: str, reference: str) -> None:
    problem = None
    if access is IdentityAccess.NONE:
        problem = "this role may not see identities"
    elif access is IdentityAccess.WITH_TWO_CUSTODIANS and (
        not custody.joint or len(set(custody.custodians)) < 2
    ):
        problem = "the protocol needs two custodians, each with their own key share"
    elif not reason.strip():
        problem = "a reason is required"
    if problem:
        raise PrivacyError(
            f"re-identification refused: {problem}",
            code="FK-PRIV-002",
            location=Location(record=reference),
            hint="see the protocol's roles and identities rules",
        )
