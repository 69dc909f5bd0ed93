"""The project's key pairs (X25519) and the laptops' signing keys (Ed25519).

A project has two key pairs, for two different people:

* the **identity key** seals identifying answers (``pii``). Its private half never touches
  disk whole: ``fieldkit keys init`` splits it at once into custodians' shares
  (``fieldkit.privacy.shares``), K of which open one record (``fieldkit reveal``).
* the **merge key** opens bundle payloads and free text. The coordinator keeps it,
  passphrase-protected (``merge.key``), so merging never needs the custodians while the
  identities inside bundles stay sealed to the identity key.

Files::

    project.pub   fieldkit project public keys (X25519)     -> every laptop
                  identity <base64 of 32 raw bytes>
                  merge <base64 of 32 raw bytes>

    merge.key     -----BEGIN FIELDKIT MERGE PRIVATE KEY-----  -> the coordinator only
                  <base64 of the raw key wrapped by the passphrase: fieldkit.privacy.wrapping>
                  -----END FIELDKIT MERGE PRIVATE KEY-----
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from fieldkit.errors import Location, PrivacyError
from fieldkit.privacy.wrapping import DEFAULT_LOG_N, MIN_PASSPHRASE, unwrap_secret, wrap_secret

__all__ = [
    "MIN_PASSPHRASE",
    "PUBLIC_HEADER",
    "PrivateKey",
    "ProjectPublicKeys",
    "PublicKey",
    "WrappedMergeKey",
    "fingerprint",
    "generate_device_key",
    "generate_merge_key",
    "load_merge_key",
    "load_project_keys",
    "merge_key_file",
    "parse_merge_key",
    "parse_project_keys",
    "private_key_bytes",
    "read_merge_key",
    "wrapped_merge_key",
]

PublicKey = X25519PublicKey
PrivateKey = X25519PrivateKey

PUBLIC_HEADER = "fieldkit project public keys (X25519)"
_BEGIN = b"-----BEGIN FIELDKIT MERGE PRIVATE KEY-----"
_END = b"-----END FIELDKIT MERGE PRIVATE KEY-----"
MERGE_PURPOSE = "fieldkit merge key"
_RAW = serialization.Encoding.Raw


@dataclass(frozen=True)
class ProjectPublicKeys:
    """What a laptop holds of the project's keys: public halves only."""

    identity: PublicKey
    """Seals identifying answers; opened only by K custodians together."""
    merge: PublicKey
    """Seals bundle payloads and free text; opened by the coordinator's merge key."""

    def text(self) -> bytes:
        return (
            f"{PUBLIC_HEADER}\nidentity {_b64(self.identity)}\nmerge {_b64(self.merge)}\n"
        ).encode("ascii")


def _b64(key: PublicKey) -> str:
    return base64.b64encode(key.public_bytes(_RAW, serialization.PublicFormat.Raw)).decode()


def generate_device_key() -> Ed25519PrivateKey:
    """A laptop's signing key for the bundles it hands over."""
    return Ed25519PrivateKey.generate()


def private_key_bytes(key: PrivateKey) -> bytes:
    return key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def fingerprint(key: PublicKey) -> str:
    """A short, stable name for a public key: ``sha256:`` and 16 hex digits."""
    raw = key.public_bytes(_RAW, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def parse_project_keys(data: bytes, where: str = "<project.pub>") -> ProjectPublicKeys:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 3 or lines[0].strip() != PUBLIC_HEADER:
        raise _not_a_key(where, f"the first line must be '{PUBLIC_HEADER}'")
    found: dict[str, PublicKey] = {}
    for line in lines[1:]:
        name, _, text = line.strip().partition(" ")
        try:
            found[name] = X25519PublicKey.from_public_bytes(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise _not_a_key(
                where, f"the {name or 'first'} key is not 32 bytes of base64"
            ) from None
    if set(found) != {"identity", "merge"}:
        raise _not_a_key(where, "it must hold an 'identity' and a 'merge' key")
    return ProjectPublicKeys(found["identity"], found["merge"])


def load_project_keys(path: Path) -> ProjectPublicKeys:
    return parse_project_keys(_read(path), str(path))


def generate_merge_key(
    passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N
) -> tuple[PrivateKey, bytes]:
    """A new merge key pair: the key, and its passphrase-protected file (``merge.key``)."""
    key = X25519PrivateKey.generate()
    return key, merge_key_file(key, passphrase, log_n=log_n)


def merge_key_file(
    key: PrivateKey, passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N
) -> bytes:
    wrapped = wrap_secret(private_key_bytes(key), passphrase, purpose=MERGE_PURPOSE, log_n=log_n)
    return _BEGIN + b"\n" + base64.encodebytes(wrapped) + _END + b"\n"


@dataclass(frozen=True)
class WrappedMergeKey:
    """A merge.key file read and checked, not yet opened: a missing or wrong file is found
    before anyone is asked for the passphrase."""

    blob: bytes
    where: str

    def open(self, passphrase: str | bytes) -> PrivateKey:
        """FK-KEY-001 for a wrong passphrase."""
        raw = unwrap_secret(
            self.blob, passphrase, purpose=MERGE_PURPOSE, where=self.where, what="the merge key"
        )
        if len(raw) != 32:
            raise _not_a_key(self.where, "the key is damaged (wrong length)")
        return X25519PrivateKey.from_private_bytes(raw)


def wrapped_merge_key(data: bytes, where: str = "<merge.key>") -> WrappedMergeKey:
    lines = data.strip().splitlines()
    if len(lines) < 3 or lines[0].strip() != _BEGIN or lines[-1].strip() != _END:
        raise _not_a_key(where, "it is not a fieldkit merge private key")
    try:
        blob = base64.b64decode(b"".join(line.strip() for line in lines[1:-1]), validate=True)
    except binascii.Error:
        raise _not_a_key(where, "the key is damaged (bad base64)") from None
    return WrappedMergeKey(blob, where)


def read_merge_key(path: Path) -> WrappedMergeKey:
    """FK-KEY-002 unless ``path`` is a merge.key file."""
    return wrapped_merge_key(_read(path), str(path))


def parse_merge_key(data: bytes, passphrase: str | bytes, where: str = "<merge.key>") -> PrivateKey:
    return wrapped_merge_key(data, where).open(passphrase)


def load_merge_key(path: Path, passphrase: str | bytes) -> PrivateKey:
    return read_merge_key(path).open(passphrase)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PrivacyError(
            f"cannot read {path.name}: {error.strerror}",
            code="FK-KEY-002",
            location=Location(str(path)),
            hint="give the files written by 'fieldkit keys init'",
        ) from None


def _not_a_key(where: str, why: str) -> PrivacyError:
    return PrivacyError(
        f"not a usable key file: {why}",
        code="FK-KEY-002",
        location=Location(where),
        hint="give the project.pub / merge.key written by 'fieldkit keys init'",
    )
