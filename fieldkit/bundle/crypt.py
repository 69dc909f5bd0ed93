"""A bundle's payload encrypted to the coordinator's merge key, in chunks, streamed.

    sealed_key, encrypt = payload_encryptor(merge_public_key, device_id, sequence)
    for chunk in plaintext: out.write(encrypt(chunk, last=...))
    decrypt = payload_decryptor(merge_private_key, sealed_key, device_id, sequence, where)

A random 32-byte content key per bundle, sealed to the merge public key
(``fieldkit.privacy.sealing``: X25519 + HKDF-SHA256 + AES-256-GCM, bound to the device and
bundle sequence). The payload is cut into chunks of ``CHUNK`` bytes, each sealed with
AES-256-GCM under the content key (the STREAM construction of Hoang, Reyhanitabar, Rogaway
and Vizár 2015, as age and Tink use it): the nonce is a random 7-byte prefix, a 4-byte chunk
counter and a last-chunk flag, so chunks cannot be reordered, dropped, repeated or cut off at
a chunk boundary without the tag failing. Memory stays bounded by one chunk.

The ciphertext is what the manifest's SHA-256 covers and the device signs: the coordinator
verifies signature and checksums first, decrypts after. Without the merge key a bundle shows
its manifest (device, sequence, forms and counts per enumerator code) and nothing else.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fieldkit.errors import BundleError, Location, PrivacyError
from fieldkit.hashing import canonical_json
from fieldkit.privacy.keys import PrivateKey, PublicKey, fingerprint
from fieldkit.privacy.sealing import open_sealed, seal

__all__ = [
    "CHUNK",
    "SCHEME",
    "TAG",
    "encryption_entry",
    "payload_decryptor",
    "payload_encryptor",
]

SCHEME = "x25519-aes256gcm-stream"
CHUNK = 1 << 16
TAG = 16
_PREFIX = 7


def _context(device_id: str, sequence: int) -> bytes:
    return canonical_json(["fieldkit bundle payload v3", device_id, sequence])


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def payload_encryptor(
    recipient: PublicKey, device_id: str, sequence: int
) -> tuple[dict[str, Any], Callable[[bytes, bool], bytes]]:
    """The manifest's ``encryption`` entry, and a function sealing each chunk in order."""
    content_key = os.urandom(32)
    prefix = os.urandom(_PREFIX)
    sealed = seal(recipient, content_key, _context(device_id, sequence))
    aead = AESGCM(content_key)
    counter = 0

    def encrypt(chunk: bytes, last: bool) -> bytes:
        nonlocal counter
        out = aead.encrypt(_nonce(prefix, counter, last), chunk, None)
        counter += 1
        return out

    return encryption_entry(recipient, sealed, prefix), encrypt


def encryption_entry(recipient: PublicKey, sealed: bytes, prefix: bytes) -> dict[str, Any]:
    return {
        "scheme": SCHEME,
        "chunk": CHUNK,
        "recipient": fingerprint(recipient),
        "key": base64.b64encode(sealed).decode("ascii"),
        "nonce_prefix": prefix.hex(),
    }


class PayloadDecryptor:
    """Decrypts ciphertext fed in any slicing; ``finish`` checks the last chunk came."""

    def __init__(self, key: bytes, prefix: bytes, where: str) -> None:
        self._aead = AESGCM(key)
        self._prefix = prefix
        self._where = where
        self._buffer = bytearray()
        self._counter = 0
        self._done = False

    def feed(self, data: bytes, sink: Callable[[bytes], Any]) -> None:
        self._buffer += data
        size = CHUNK + TAG
        while len(self._buffer) > size:  # more than one chunk: this one is not the last
            sink(self._open(bytes(self._buffer[:size]), last=False))
            del self._buffer[:size]

    def finish(self, sink: Callable[[bytes], Any]) -> None:
        sink(self._open(bytes(self._buffer), last=True))
        self._buffer.clear()

    def _open(self, chunk: bytes, *, last: bool) -> bytes:
        if self._done:
            raise _undecryptable(self._where, "data after the last chunk")
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, self._counter, last), chunk, None)
        except InvalidTag:
            raise _undecryptable(self._where, f"chunk {self._counter} does not open") from None
        self._counter += 1
        self._done = last
        return plain


def payload_decryptor(
    merge_key: PrivateKey, entry: dict[str, Any], device_id: str, sequence: int, where: str
) -> PayloadDecryptor:
    """A decryptor for a verified bundle's payload; FK-BUNDLE-030 if the merge key is not
    the one the payload was encrypted to, or the entry is not fieldkit's."""
    recipient = fingerprint(merge_key.public_key())
    if entry.get("scheme") != SCHEME or entry.get("chunk") != CHUNK:
        raise _undecryptable(where, "an unknown payload encryption")
    if entry.get("recipient") != recipient:
        raise BundleError(
            f"the payload is encrypted to merge key {entry.get('recipient')}, not {recipient}",
            code="FK-BUNDLE-030",
            location=Location(where),
            hint="merge with the study's merge.key (the laptop's project.pub names its key)",
        )
    try:
        sealed = base64.b64decode(str(entry["key"]), validate=True)
        prefix = bytes.fromhex(str(entry["nonce_prefix"]))
        key = open_sealed(merge_key, sealed, _context(device_id, sequence))
    except (KeyError, ValueError) as error:
        raise _undecryptable(where, str(error)) from None
    except PrivacyError:
        raise _undecryptable(where, "its key does not open with this merge key") from None
    if len(prefix) != _PREFIX or len(key) != 32:
        raise _undecryptable(where, "a malformed key or nonce")
    return PayloadDecryptor(key, prefix, where)


def _undecryptable(where: str, why: str) -> BundleError:
    return BundleError(
        f"the bundle's payload cannot be decrypted: {why}",
        code="FK-BUNDLE-031",
        location=Location(where),
        hint="the file was signed and checksummed yet does not decrypt: report it to the "
        "laptop's supervisor and do not merge it",
    )
