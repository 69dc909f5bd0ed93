"""Project keys (X25519) that seal identities, and device keys (Ed25519) that sign bundles.

Files::

    project.pub   fieldkit project public key (X25519)     <- header line
                  <base64 of the 32 raw public bytes>

    project.key   -----BEGIN FIELDKIT PROJECT PRIVATE KEY-----
                  <base64: "FKPK" | version | log2 N | r | p | salt(16) | nonce(12) | AES-GCM(key)>
                  -----END FIELDKIT PROJECT PRIVATE KEY-----

The private key is wrapped with AES-256-GCM under a key derived from the passphrase with
scrypt (N = 2^17, r = 8, p = 1 by default: about 0.6 s and 128 MiB), the header bytes being
the associated data. Not ``BestAvailableEncryption``: for PKCS#8 it gives PBES2 with PBKDF2 at
2048 iterations (checked on cryptography 48), far cheaper to brute-force than scrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import struct
import unicodedata
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from fieldkit.errors import Location, PrivacyError

__all__ = [
    "MIN_PASSPHRASE",
    "PUBLIC_HEADER",
    "PrivateKey",
    "PublicKey",
    "decrypt_private_key",
    "encrypt_private_key",
    "fingerprint",
    "generate_device_key",
    "generate_project_keys",
    "load_private_key",
    "load_public_key",
    "parse_public_key",
    "private_key_bytes",
    "public_key_text",
]

PublicKey = X25519PublicKey
PrivateKey = X25519PrivateKey

PUBLIC_HEADER = "fieldkit project public key (X25519)"
MIN_PASSPHRASE = 12
DEFAULT_LOG_N = 17
_BEGIN = b"-----BEGIN FIELDKIT PROJECT PRIVATE KEY-----"
_END = b"-----END FIELDKIT PROJECT PRIVATE KEY-----"
_MAGIC = b"FKPK"
_HEADER = struct.Struct(">4sBBBB16s12s")  # magic, version, log2 N, r, p, salt, nonce
_WRAPPED_BYTES = 32 + 16
_RAW = serialization.Encoding.Raw


def generate_project_keys(
    passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N
) -> tuple[bytes, bytes]:
    """A new project key pair: (passphrase-protected private key file, public key file)."""
    key = X25519PrivateKey.generate()
    return encrypt_private_key(key, passphrase, log_n=log_n), public_key_text(key.public_key())


def generate_device_key() -> Ed25519PrivateKey:
    """A laptop's signing key for the bundles it hands over."""
    return Ed25519PrivateKey.generate()


def private_key_bytes(key: PrivateKey) -> bytes:
    return key.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def fingerprint(key: PublicKey) -> str:
    """A short, stable name for a public key: ``sha256:`` and 16 hex digits."""
    raw = key.public_bytes(_RAW, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()[:16]


def public_key_text(key: PublicKey) -> bytes:
    raw = key.public_bytes(_RAW, serialization.PublicFormat.Raw)
    return f"{PUBLIC_HEADER}\n{base64.b64encode(raw).decode('ascii')}\n".encode("ascii")


def parse_public_key(data: bytes, where: str = "<public key>") -> PublicKey:
    lines = data.decode("utf-8", errors="replace").strip().splitlines()
    if len(lines) != 2 or lines[0].strip() != PUBLIC_HEADER:
        raise _not_a_key(where, f"the first line must be '{PUBLIC_HEADER}'")
    try:
        raw = base64.b64decode(lines[1].strip(), validate=True)
        return X25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError):
        raise _not_a_key(where, "the key is not 32 bytes of base64") from None


def load_public_key(path: Path) -> PublicKey:
    return parse_public_key(_read(path), str(path))


def load_private_key(path: Path, passphrase: str | bytes) -> PrivateKey:
    return decrypt_private_key(_read(path), passphrase, str(path))


def encrypt_private_key(
    key: PrivateKey, passphrase: str | bytes, *, log_n: int = DEFAULT_LOG_N
) -> bytes:
    secret = _passphrase_bytes(passphrase)
    if len(secret) < MIN_PASSPHRASE:
        raise PrivacyError(
            f"the passphrase is too short (at least {MIN_PASSPHRASE} characters)",
            code="FK-KEY-004",
            hint="use a long passphrase: a few unrelated words",
        )
    header = _HEADER.pack(_MAGIC, 1, log_n, 8, 1, os.urandom(16), os.urandom(12))
    nonce = header[-12:]
    wrapped = AESGCM(_kdf(secret, header)).encrypt(nonce, private_key_bytes(key), header)
    body = base64.encodebytes(header + wrapped)
    return _BEGIN + b"\n" + body + _END + b"\n"


def decrypt_private_key(data: bytes, passphrase: str | bytes, where: str = "<key>") -> PrivateKey:
    blob = _unarmour(data, where)
    header, wrapped = blob[: _HEADER.size], blob[_HEADER.size :]
    magic, version, log_n, r, p, _salt, nonce = _HEADER.unpack(header)
    if magic != _MAGIC or version != 1 or not 10 <= log_n <= 20 or (r, p) != (8, 1):
        raise _not_a_key(where, "unknown key format")
    try:
        raw = AESGCM(_kdf(_passphrase_bytes(passphrase), header)).decrypt(nonce, wrapped, header)
    except InvalidTag:
        raise PrivacyError(
            "wrong passphrase for the project private key",
            code="FK-KEY-001",
            location=Location(where),
            hint="type it again; if it is lost, the key cannot be recovered (use the key shares)",
        ) from None
    return X25519PrivateKey.from_private_bytes(raw)


def _kdf(secret: bytes, header: bytes) -> bytes:
    _magic, _version, log_n, r, p, salt, _nonce = _HEADER.unpack(header)
    return Scrypt(salt=salt, length=32, n=2**log_n, r=r, p=p).derive(secret)


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    if isinstance(passphrase, bytes):
        return passphrase
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def _unarmour(data: bytes, where: str) -> bytes:
    lines = data.strip().splitlines()
    if len(lines) < 3 or lines[0].strip() != _BEGIN or lines[-1].strip() != _END:
        raise _not_a_key(where, "it is not a fieldkit project private key")
    try:
        blob = base64.b64decode(b"".join(line.strip() for line in lines[1:-1]), validate=True)
    except binascii.Error:
        raise _not_a_key(where, "the key is damaged (bad base64)") from None
    if len(blob) != _HEADER.size + _WRAPPED_BYTES:
        raise _not_a_key(where, "the key is damaged (wrong length)")
    return blob


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise PrivacyError(
            f"cannot read {path.name}: {error.strerror}",
            code="FK-KEY-002",
            location=Location(str(path)),
        ) from None


def _not_a_key(where: str, why: str) -> PrivacyError:
    return PrivacyError(
        f"not a usable key file: {why}",
        code="FK-KEY-002",
        location=Location(where),
        hint="give the project.key / project.pub written by 'fieldkit keys init'",
    )
