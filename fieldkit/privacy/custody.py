"""A study's keys, made once: the identity key exists whole only in memory, never on disk.

    made = create_project_keys(
        merge_passphrase="...", custodians=[("Ama", "..."), ("Yaw", "..."), ("Efua", "...")],
        threshold=2,
    )
    made.public_file      -> project.pub (laptops)     made.merge_file -> merge.key (coordinator)
    made.share_files      -> one file per custodian, wrapped by that custodian's passphrase

Two-person custody holds because no file opens an identity: the merge key opens payloads and
free text only, and each share needs its custodian's passphrase and K-1 other custodians.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from fieldkit.privacy.keys import PrivateKey, ProjectPublicKeys, PublicKey, generate_merge_key
from fieldkit.privacy.shares import KeyShare, share_file, split_identity_key
from fieldkit.privacy.wrapping import DEFAULT_LOG_N, check_passphrase

__all__ = ["NewProjectKeys", "create_project_keys", "reshare_identity_key", "share_file_name"]


@dataclass(frozen=True)
class NewProjectKeys:
    public: ProjectPublicKeys
    public_file: bytes
    merge_file: bytes | None
    """None when the merge key was kept (``keys rotate`` changes the identity key only)."""
    share_files: dict[str, bytes] = field(default_factory=dict)
    """Custodian name → their share file, in the order given."""


def create_project_keys(
    *,
    merge_passphrase: str | bytes,
    custodians: Sequence[tuple[str, str | bytes]],
    threshold: int,
    log_n: int = DEFAULT_LOG_N,
) -> NewProjectKeys:
    """New identity and merge key pairs; the identity private key leaves only as shares."""
    check_passphrase(merge_passphrase)
    merge, merge_file = generate_merge_key(merge_passphrase, log_n=log_n)
    made = reshare_identity_key(
        X25519PrivateKey.generate(), merge.public_key(), custodians, threshold, log_n=log_n
    )
    return NewProjectKeys(made.public, made.public_file, merge_file, made.share_files)


def reshare_identity_key(
    identity: PrivateKey,
    merge_public: PublicKey,
    custodians: Sequence[tuple[str, str | bytes]],
    threshold: int,
    *,
    log_n: int = DEFAULT_LOG_N,
) -> NewProjectKeys:
    """Shares of ``identity`` for ``custodians`` (name, passphrase), and the public file."""
    for _name, passphrase in custodians:
        check_passphrase(passphrase)
    shares: list[KeyShare] = split_identity_key(
        identity, [name for name, _ in custodians], threshold=threshold
    )
    files = {
        share.custodian: share_file(share, passphrase, log_n=log_n)
        for share, (_, passphrase) in zip(shares, custodians, strict=True)
    }
    public = ProjectPublicKeys(identity.public_key(), merge_public)
    return NewProjectKeys(public, public.text(), None, files)


def share_file_name(custodian: str) -> str:
    """A file name for a custodian's share: ``share-ama-serwaa.txt``."""
    ascii_name = unicodedata.normalize("NFKD", custodian).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "custodian"
    return f"share-{slug}.txt"
