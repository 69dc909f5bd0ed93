"""Custodians' shares of the identity key: K of N rebuild it, each wrapped by its own passphrase.

A share file::

    fieldkit identity key share
    custodian Ama Serwaa
    <base64 of the share, wrapped by Ama's passphrase (fieldkit.privacy.wrapping),
     bound to the name "Ama Serwaa">

Inside the wrapping: ``"FKS2" | threshold | count | index | key id (8) | share (32)``. The key
id is the start of the SHA-256 of the identity *public* key (public anyway): it tells shares of
different keys apart and checks the rebuilt key. A single share is uniformly random
(``fieldkit.privacy.shamir``): alone it cannot confirm any guess, and without its custodian's
passphrase it is not even a share. The name is bound into the wrapping, so a share relabelled
to another custodian does not open, and ``combine_key_shares`` wants K *different* custodians.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy import shamir
from fieldkit.privacy.keys import PrivateKey, PublicKey, private_key_bytes
from fieldkit.privacy.wrapping import DEFAULT_LOG_N, unwrap_secret, wrap_secret

__all__ = [
    "SHARE_HEADER",
    "KeyShare",
    "check_custodian_name",
    "combine_key_shares",
    "key_id",
    "open_share",
    "share_custodian",
    "share_file",
    "split_identity_key",
]

SHARE_HEADER = "fieldkit identity key share"
SHARE_PURPOSE = "fieldkit identity key share"
_FORMAT = struct.Struct(">4sBBB8s32s")
_MAGIC = b"FKS2"
_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,64}$")


@dataclass(frozen=True, slots=True)
class KeyShare:
    custodian: str
    index: int
    count: int
    threshold: int
    key_id: bytes
    """First 8 bytes of the SHA-256 of the raw identity public key."""
    y: bytes


def key_id(key: PublicKey) -> bytes:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).digest()[:8]


def check_custodian_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not _NAME.match(cleaned):
        raise PrivacyError(
            f"not a usable custodian name: {name!r}",
            code="FK-KEY-005",
            hint="give each custodian a name of 1 to 64 printable characters",
        )
    return cleaned


def split_identity_key(
    key: PrivateKey, custodians: Sequence[str], *, threshold: int
) -> list[KeyShare]:
    """One share per custodian (in order); any ``threshold`` of them rebuild ``key``."""
    names = [check_custodian_name(name) for name in custodians]
    if len({name.casefold() for name in names}) != len(names):
        raise _mismatch("two custodians have the same name")
    count = len(names)
    if not 2 <= threshold <= count <= 255:
        raise PrivacyError(
            f"cannot make {count} shares needing {threshold}",
            code="FK-KEY-005",
            hint="two-person custody: at least 2 custodians needed together (K >= 2, K <= N)",
        )
    ident = key_id(key.public_key())
    parts = shamir.split(private_key_bytes(key), shares=count, threshold=threshold)
    return [
        KeyShare(name, part.x, count, threshold, ident, part.y)
        for name, part in zip(names, parts, strict=True)
    ]


def share_file(share: KeyShare, passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N) -> bytes:
    """The share as a file, wrapped by its custodian's passphrase and bound to their name."""
    inner = _FORMAT.pack(_MAGIC, share.threshold, share.count, share.index, share.key_id, share.y)
    wrapped = wrap_secret(
        inner, passphrase, purpose=SHARE_PURPOSE, bound=share.custodian, log_n=log_n
    )
    body = base64.b64encode(wrapped).decode("ascii")
    return f"{SHARE_HEADER}\ncustodian {share.custodian}\n{body}\n".encode()


def share_custodian(data: bytes, where: str = "<share>") -> str:
    """Whose share a file is (readable without the passphrase, to ask the right person)."""
    return _parts(data, where)[0]


def open_share(data: bytes, passphrase: str | bytes, where: str = "<share>") -> KeyShare:
    """The share inside a file; FK-KEY-001 on a wrong passphrase, FK-KEY-002 if damaged."""
    custodian, blob = _parts(data, where)
    inner = unwrap_secret(
        blob,
        passphrase,
        purpose=SHARE_PURPOSE,
        bound=custodian,
        where=where,
        what=f"{custodian}'s key share",
    )
    try:
        magic, threshold, count, index, ident, y = _FORMAT.unpack(inner)
    except struct.error:
        raise _not_a_share(where, "the share is damaged") from None
    if magic != _MAGIC or not 2 <= threshold <= count or not 1 <= index <= count:
        raise _not_a_share(where, "unknown share format")
    return KeyShare(custodian, index, count, threshold, ident, y)


def load_share(path: Path, passphrase: str | bytes) -> KeyShare:
    return open_share(read_share_file(path), passphrase, str(path))


def read_share_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _not_a_share(str(path), str(error.strerror)) from None


def combine_key_shares(shares: Sequence[KeyShare]) -> PrivateKey:
    """The identity key rebuilt from K distinct custodians' shares, or FK-KEY-005."""
    if not shares:
        raise _mismatch("no shares given")
    first = shares[0]
    if any(
        (s.key_id, s.count, s.threshold) != (first.key_id, first.count, first.threshold)
        for s in shares
    ):
        raise _mismatch("the shares belong to different keys")
    distinct = {s.index: s for s in shares}
    custodians = {s.custodian.casefold() for s in distinct.values()}
    if len(distinct) < first.threshold or len(custodians) < first.threshold:
        raise _mismatch(f"{first.threshold} different custodians' shares are needed")
    chosen = sorted(distinct.values(), key=lambda s: s.index)[: first.threshold]
    secret = shamir.combine([shamir.Share(s.index, s.y) for s in chosen])
    key = PrivateKey.from_private_bytes(secret)
    if key_id(key.public_key()) != first.key_id:
        raise _mismatch("the shares do not rebuild the identity key (a share is damaged)")
    return key


def _parts(data: bytes, where: str) -> tuple[str, bytes]:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 3 or lines[0].strip() != SHARE_HEADER:
        raise _not_a_share(where, f"the first line must be '{SHARE_HEADER}'")
    label, _, custodian = lines[1].strip().partition(" ")
    if label != "custodian" or not custodian:
        raise _not_a_share(where, "the second line must name the custodian")
    try:
        return custodian, base64.b64decode(lines[2].strip(), validate=True)
    except binascii.Error:
        raise _not_a_share(where, "the share is damaged (bad base64)") from None


def _mismatch(why: str) -> PrivacyError:
    return PrivacyError(
        f"cannot rebuild the identity key: {why}",
        code="FK-KEY-005",
        hint="each custodian brings their own share of the same key",
    )


def _not_a_share(where: str, why: str) -> PrivacyError:
    return PrivacyError(
        f"not a key share: {why}",
        code="FK-KEY-002",
        location=Location(where),
        hint="give a share file written by 'fieldkit keys init'",
    )
