"""Key shares: the project private key split so that two custodians are needed to use it.

A share file::

    fieldkit project key share 2 of 5 (any 2 open identities)
    <base64: "FKS1" | threshold | count | index | key fingerprint (8) | share (32)>

The fingerprint is of the *public* key (public anyway): it tells shares of different keys
apart and checks the rebuilt key; it says nothing about the private key. A single share is
uniformly random (``fieldkit.privacy.shamir``): alone it cannot confirm any guess.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy import shamir
from fieldkit.privacy.keys import PrivateKey, PublicKey, private_key_bytes

__all__ = [
    "SHARE_HEADER",
    "KeyShare",
    "combine_key_shares",
    "load_share",
    "parse_share",
    "share_text",
    "split_private_key",
]

SHARE_HEADER = "fieldkit project key share"
_FORMAT = struct.Struct(">4sBBB8s32s")
_MAGIC = b"FKS1"


@dataclass(frozen=True, slots=True)
class KeyShare:
    index: int
    count: int
    threshold: int
    key_id: bytes
    """First 8 bytes of the SHA-256 of the raw public key."""
    y: bytes


def _key_id(key: PublicKey) -> bytes:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


def split_private_key(key: PrivateKey, *, count: int, threshold: int = 2) -> list[KeyShare]:
    if not 2 <= threshold <= count <= 255:
        raise PrivacyError(
            f"cannot make {count} shares needing {threshold}",
            code="FK-KEY-005",
            hint="give at least 2 shares (and at most 255)",
        )
    key_id = _key_id(key.public_key())
    return [
        KeyShare(share.x, count, threshold, key_id, share.y)
        for share in shamir.split(private_key_bytes(key), shares=count, threshold=threshold)
    ]


def combine_key_shares(shares: Sequence[KeyShare]) -> PrivateKey:
    """The private key rebuilt from shares, or FK-KEY-005 if they are too few or do not match."""
    if not shares:
        raise _mismatch("no shares given")
    first = shares[0]
    if any(
        (s.key_id, s.count, s.threshold) != (first.key_id, first.count, first.threshold)
        for s in shares
    ):
        raise _mismatch("the shares belong to different keys")
    distinct: dict[int, KeyShare] = {}
    for share in shares:  # a custodian's share given twice counts once
        distinct.setdefault(share.index, share)
    if len(distinct) < first.threshold:
        raise _mismatch(f"{first.threshold} different shares are needed")
    chosen = list(distinct.values())[: first.threshold]
    secret = shamir.combine([shamir.Share(s.index, s.y) for s in chosen])
    key = PrivateKey.from_private_bytes(secret)
    if _key_id(key.public_key()) != first.key_id:
        raise _mismatch("the shares do not rebuild the project key (a share is damaged)")
    return key


def share_text(share: KeyShare) -> bytes:
    blob = _FORMAT.pack(_MAGIC, share.threshold, share.count, share.index, share.key_id, share.y)
    header = (
        f"{SHARE_HEADER} {share.index} of {share.count} (any {share.threshold} open identities)"
    )
    return f"{header}\n{base64.b64encode(blob).decode('ascii')}\n".encode("ascii")


def parse_share(data: bytes, where: str = "<share>") -> KeyShare:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 2 or not lines[0].startswith(SHARE_HEADER):
        raise _not_a_share(where, f"the first line must start with '{SHARE_HEADER}'")
    try:
        blob = base64.b64decode(lines[1].strip(), validate=True)
        magic, threshold, count, index, key_id, y = _FORMAT.unpack(blob)
    except (binascii.Error, struct.error):
        raise _not_a_share(where, "the share is damaged") from None
    if magic != _MAGIC or not 2 <= threshold <= count or not 1 <= index <= count:
        raise _not_a_share(where, "unknown share format")
    return KeyShare(index, count, threshold, key_id, y)


def load_share(path: Path) -> KeyShare:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise _not_a_share(str(path), str(error.strerror)) from None
    return parse_share(data, str(path))


def _mismatch(why: str) -> PrivacyError:
    return PrivacyError(
        f"cannot rebuild the project key: {why}",
        code="FK-KEY-005",
        hint="each custodian brings their own share of the same key",
    )


def _not_a_share(where: str, why: str) -> PrivacyError:
    return PrivacyError(
        f"not a key share: {why}",
        code="FK-KEY-002",
        location=Location(where),
        hint="give a share file written by 'fieldkit keys shares'",
    )
