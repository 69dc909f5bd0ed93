"""``fieldkit keys rotate``: re-seal every identity to a new identity key, new shares for all.

    made, rows = rotate_identity_key("hq.sqlite", old_shares=[...], keys=project_keys,
                                     custodians=[("Ama", "..."), ("Kojo", "...")], threshold=2)

K custodians of the current key bring their shares; a new identity key is made in memory,
every identity sealed to the current key is opened and sealed again to the new one (in one
transaction, with one audit entry), and the new key leaves only as new custodians' shares,
with a new project.pub (the merge key is kept). Until every laptop has the new project.pub,
bundles may still arrive sealed to the old key: keep the old shares until then, and rotate
again (only rows still sealed to the old key are touched; each run is audited).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select, update
from sqlmodel import col

from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy.audit import AuditLog, record
from fieldkit.privacy.custody import NewProjectKeys, reshare_identity_key
from fieldkit.privacy.identity import open_identity, seal_identity
from fieldkit.privacy.keys import ProjectPublicKeys, fingerprint
from fieldkit.privacy.shares import KeyShare, combine_key_shares
from fieldkit.privacy.wrapping import DEFAULT_LOG_N
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.tables import Identity

__all__ = ["rotate_identity_key"]


def rotate_identity_key(
    store: Path | str,
    *,
    old_shares: Sequence[KeyShare],
    keys: ProjectPublicKeys,
    custodians: Sequence[tuple[str, str | bytes]],
    threshold: int,
    actor: str | None = None,
    log_n: int = DEFAULT_LOG_N,
    keep: Callable[[NewProjectKeys], None] | None = None,
) -> tuple[NewProjectKeys, int]:
    """The new key's files, and how many identities were re-sealed to it.

    ``keep`` saves the new files (project.pub, the shares); it runs before the re-sealing is
    committed, so if it fails nothing is re-sealed: identities are never left sealed to a
    key whose shares were not written."""
    old = combine_key_shares(old_shares)
    old_id = fingerprint(old.public_key())
    if old_id != fingerprint(keys.identity):
        raise PrivacyError(
            "the shares are not of the identity key in project.pub",
            code="FK-KEY-005",
            hint="bring the current custodians' shares and the current project.pub",
        )
    new = X25519PrivateKey.generate()
    made = reshare_identity_key(new, keys.merge, custodians, threshold, log_n=log_n)
    new_id = fingerprint(new.public_key())
    with open_coordinator(store, create=False) as db:
        check = AuditLog(db).verify()
        if not check.ok:
            raise PrivacyError(
                f"the audit log is broken at entry {check.first_bad}: {check.problem}",
                code="FK-PRIV-003",
                location=Location(db.where),
                hint="keys are not rotated until the log is restored and verified",
            )
        with db.transaction() as conn:
            rows = conn.execute(
                select(  # type: ignore[call-overload]
                    Identity.reference, Identity.question, Identity.member, Identity.sealed
                ).where(col(Identity.key_id) == old_id)
            ).all()
            for reference, question, member, sealed in rows:
                value = open_identity(old, reference, question, member, bytes(sealed))
                resealed = seal_identity(new.public_key(), reference, question, member, value)
                conn.execute(
                    update(Identity)
                    .where(
                        col(Identity.reference) == reference,
                        col(Identity.question) == question,
                        col(Identity.member) == member,
                    )
                    .values(sealed=resealed, key_id=new_id)
                )
            detail = {
                "from": old_id,
                "to": new_id,
                "resealed": len(rows),
                "custodians": [name for name, _ in custodians],
                "threshold": threshold,
            }
            record(conn, "keys rotate", new_id, detail, actor=actor)
            if keep is not None:
                keep(made)
    return made, len(rows)
