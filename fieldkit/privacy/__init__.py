"""Privacy: project keys, sealed identities, key shares, keyed lookups, the audit log.

generate_project_keys(passphrase)        -> (project.key bytes, project.pub bytes)
seal(public_key, plaintext, context)     -> sealed bytes (X25519 + HKDF + AES-256-GCM)
open_sealed(private_key, sealed, context)
split_private_key(key, count=n)          -> 2-of-n key shares (Shamir over GF(256))
lookup_token(key, value, field=...)      -> HMAC-SHA256 token for matching without names
AuditLog(db).append(...) / .verify()     -> hash-chained, append-only
reveal(db, reference, custody=..., ...)  -> identities, after an audit entry
"""

from __future__ import annotations

from fieldkit.privacy.audit import AuditCheck, AuditHead, AuditLog, AuditRecord
from fieldkit.privacy.identity import open_identity, seal_identity
from fieldkit.privacy.keys import (
    PrivateKey,
    PublicKey,
    fingerprint,
    generate_device_key,
    generate_project_keys,
    load_private_key,
    load_public_key,
)
from fieldkit.privacy.lookup import generate_lookup_key, lookup_token
from fieldkit.privacy.reidentify import Custody, identity_access, reveal
from fieldkit.privacy.sealing import open_sealed, seal
from fieldkit.privacy.shares import (
    KeyShare,
    combine_key_shares,
    load_share,
    split_private_key,
)

__all__ = [
    "AuditCheck",
    "AuditHead",
    "AuditLog",
    "AuditRecord",
    "Custody",
    "KeyShare",
    "PrivateKey",
    "PublicKey",
    "combine_key_shares",
    "fingerprint",
    "generate_device_key",
    "generate_lookup_key",
    "generate_project_keys",
    "identity_access",
    "load_private_key",
    "load_public_key",
    "load_share",
    "lookup_token",
    "open_identity",
    "open_sealed",
    "reveal",
    "seal",
    "seal_identity",
    "split_private_key",
]
