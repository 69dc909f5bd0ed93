"""Read a bundle: check its structure, hashes and signature, then hand its payload to SQLite.

1. ``scan_bundle`` streams the whole file once: structure (FK-BUNDLE-001/002/004), the
   SHA-256 of the file and of the payload. Nothing in the payload is parsed.
   ``verify_scanned`` then checks the signature (005/006) and the payload hash (003):
   integrity first.
2. ``extract_payload`` copies the payload out to a private temporary file, hashing the file
   again on the way (FK-BUNDLE-003 if it is not byte for byte the one scanned) and decrypting
   it with the merge key (FK-BUNDLE-030/031), and
   ``check_payload`` checks its schema and rows against the manifest (010): meaning second.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldkit.bundle.crypt import payload_decryptor
from fieldkit.bundle.format import (
    MAGIC,
    MAGIC_PREFIX,
    MAX_LINE,
    BundleManifest,
    damaged,
    signed_message,
)
from fieldkit.bundle.payload import payload_problem
from fieldkit.bundle.untrusted import canonical_line, open_regular, shown
from fieldkit.bundle.workcopy import working_copy
from fieldkit.errors import BundleError, Location
from fieldkit.privacy.keys import PrivateKey

__all__ = [
    "ScannedBundle",
    "changed_error",
    "check_payload",
    "contradiction",
    "extract_payload",
    "require_signature",
    "scan_bundle",
    "truncated",
    "verify_scanned",
]

_TRAILER_KEYS = {"algorithm", "device_id", "manifest_sha256", "signature"}
_CHUNK = 1 << 16  # bounded memory: the payload is streamed, never held


@dataclass(frozen=True)
class ScannedBundle:
    path: Path
    sha256: str
    """SHA-256 of the whole file: the bundle's identity."""
    size: int
    manifest: BundleManifest
    manifest_line: bytes
    trailer: dict[str, Any]
    signature: bytes | None
    payload_offset: int
    """Where the payload starts in the file."""
    payload_sha256: str
    payload_bytes: int

    @property
    def where(self) -> str:
        return shown(self.path)


class _Stream:
    """Lines of a file, hashed as read; FK-BUNDLE-002 at an unexpected end."""

    def __init__(self, handle: BinaryIO, where: str) -> None:
        self.handle = handle
        self.where = where
        self.digest = hashlib.sha256()
        self.size = 0
        self.lineno = 0

    def line(self, limit: int = MAX_LINE) -> bytes:
        data = self.handle.readline(limit + 1)
        self.digest.update(data)
        self.size += len(data)
        self.lineno += 1
        if not data.endswith(b"\n"):
            if len(data) > limit:
                raise damaged(self.where, f"line {self.lineno} is too long")
            raise truncated(self.where)
        return data

    def copy(self, size: int, sink: Callable[[bytes], Any] | None) -> None:
        """The next ``size`` bytes, hashed and given to ``sink``; FK-BUNDLE-002 if fewer."""
        left = size
        while left > 0:
            chunk = self.handle.read(min(left, _CHUNK))
            if not chunk:
                raise truncated(self.where)
            self.digest.update(chunk)
            self.size += len(chunk)
            left -= len(chunk)
            if sink is not None:
                sink(chunk)

    def at_end(self) -> bool:
        rest = self.handle.read(1)
        self.digest.update(rest)
        return rest == b""


def _magic(stream: _Stream) -> None:
    data = stream.handle.readline(len(MAGIC) + 16)
    stream.digest.update(data)
    stream.size += len(data)
    stream.lineno += 1
    if data == MAGIC:
        return
    if MAGIC.startswith(data):
        raise truncated(stream.where)
    if data.startswith(MAGIC_PREFIX):
        older = data < MAGIC
        raise BundleError(
            f"unsupported bundle format: {data.strip().decode('utf-8', 'replace')!r}",
            code="FK-BUNDLE-001",
            location=Location(stream.where),
            hint="update fieldkit on the laptop and make the bundle again"
            if older
            else "upgrade fieldkit at the coordinator to read bundles from newer laptops",
        )
    raise BundleError(
        "not a fieldkit bundle",
        code="FK-BUNDLE-001",
        location=Location(stream.where),
        hint="give the .fkb file made by 'fieldkit bundle' on the laptop",
    )


def _open(path: Path) -> tuple[BinaryIO, int]:
    """The bundle opened for reading and its size; FK-BUNDLE-012 unless a regular file
    (a FIFO, ``/dev/zero`` or a symlink to either would never end)."""
    try:
        return open_regular(path)
    except OSError as error:
        raise BundleError(
            f"cannot read the bundle: {error.strerror}",
            code="FK-BUNDLE-012",
            location=Location(shown(path)),
            hint="give the .fkb file itself (a regular file), and check its name and permissions",
        ) from None


def scan_bundle(path: Path) -> ScannedBundle:
    """Pass 1: read and hash the whole file without trusting it yet."""
    path = Path(path)
    handle, size = _open(path)
    with handle:
        stream = _Stream(handle, shown(path))
        _magic(stream)
        manifest_line = stream.line()
        manifest = BundleManifest.from_line(manifest_line, stream.where)
        offset = stream.size
        if offset + manifest.payload.bytes > size:  # never read past the end it declares
            raise truncated(stream.where)
        payload = hashlib.sha256()
        stream.copy(manifest.payload.bytes, payload.update)
        trailer_line = stream.line()
        if not stream.at_end():
            raise damaged(stream.where, "there are bytes after the signature line")
    trailer, signature = _trailer(trailer_line, stream.where)
    return ScannedBundle(
        path=path,
        sha256=stream.digest.hexdigest(),
        size=stream.size,
        manifest=manifest,
        manifest_line=manifest_line,
        trailer=trailer,
        signature=signature,
        payload_offset=offset,
        payload_sha256=payload.hexdigest(),
        payload_bytes=manifest.payload.bytes,
    )


def _trailer(line: bytes, where: str) -> tuple[dict[str, Any], bytes | None]:
    try:
        data = canonical_line(line)
    except ValueError as error:
        raise damaged(where, f"the signature line is not valid: {error}") from None
    if (
        not isinstance(data, dict)
        or not set(data) <= _TRAILER_KEYS
        or not all(isinstance(value, str) for value in data.values())
    ):
        raise damaged(where, "the signature line is not a fieldkit signature")
    text = data.get("signature")
    if text is None:
        return data, None
    try:
        signature = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise damaged(where, "the signature is not base64") from None
    if base64.b64encode(signature).decode("ascii") != text:
        raise damaged(where, "the signature is not in canonical base64")
    return data, signature


def require_signature(scanned: ScannedBundle) -> bytes:
    """The bundle's signature, or FK-BUNDLE-005 when it has none."""
    if scanned.signature is None or scanned.trailer.get("algorithm") != "ed25519":
        raise BundleError(
            "the bundle is not signed",
            code="FK-BUNDLE-005",
            location=Location(scanned.where),
            hint="only bundles signed by a registered laptop are merged",
        )
    return scanned.signature


def verify_scanned(scanned: ScannedBundle, public_key: Ed25519PublicKey) -> None:
    """Signature (005/006), then payload hash (003), then rows (010). Raises BundleError."""
    where = Location(scanned.where)
    signature = require_signature(scanned)
    header = hashlib.sha256(MAGIC + scanned.manifest_line).hexdigest()
    claims = (scanned.trailer.get("device_id"), scanned.trailer.get("manifest_sha256"))
    if claims != (scanned.manifest.device_id, header):
        raise BundleError(
            "the signature line belongs to another manifest: the bundle was altered",
            code="FK-BUNDLE-006",
            location=where,
            hint="ask the laptop for a fresh bundle; do not edit bundles",
        )
    try:
        public_key.verify(signature, signed_message(MAGIC, scanned.manifest_line))
    except InvalidSignature:
        raise BundleError(
            f"the signature does not match device {scanned.manifest.device_id}'s key: "
            "the manifest was changed after signing, or another key signed it",
            code="FK-BUNDLE-006",
            location=where,
            hint="ask the laptop for a fresh bundle; do not edit bundles",
        ) from None
    payload = scanned.manifest.payload
    if (scanned.payload_sha256, scanned.payload_bytes) != (payload.sha256, payload.bytes):
        raise BundleError(
            "the bundle is corrupted: its contents do not match their signed checksum",
            code="FK-BUNDLE-003",
            location=where,
            hint="copy the file again from the laptop or make a new bundle there",
        )


@contextlib.contextmanager
def extract_payload(
    scanned: ScannedBundle, directory: Path | None = None, *, merge_key: PrivateKey
) -> Iterator[Path]:
    """The verified payload, decrypted with the merge key, as a private temporary SQLite file
    (0600), removed afterwards.

    The file is read again from the start and must hash to the scanned SHA-256
    (FK-BUNDLE-003 otherwise), so what is decrypted and what SQLite opens is exactly what was
    verified; a chunk that does not decrypt is FK-BUNDLE-031. The copy is
    ``fieldkit.bundle.workcopy``'s: mode 0600, locked while in use, swept if abandoned.
    Raises OSError when ``directory`` cannot hold it."""
    manifest = scanned.manifest
    decryptor = payload_decryptor(
        merge_key,
        dict(manifest.payload.encryption),
        manifest.device_id,
        manifest.sequence,
        scanned.where,
    )
    with working_copy(directory) as (out, temp):
        try:
            handle, _size = _open(scanned.path)
            with handle:
                stream = _Stream(handle, scanned.where)
                stream.copy(scanned.payload_offset, None)
                stream.copy(scanned.payload_bytes, lambda data: decryptor.feed(data, out.write))
                stream.copy(scanned.size - stream.size, None)
                unchanged = stream.at_end() and stream.digest.hexdigest() == scanned.sha256
        except BundleError:
            unchanged = False
        if not unchanged:
            raise changed_error(scanned)
        decryptor.finish(out.write)
        out.flush()
        yield temp


def check_payload(conn: sqlite3.Connection, schema: str, scanned: ScannedBundle) -> None:
    """FK-BUNDLE-010 unless the payload attached as ``schema`` agrees with its manifest."""
    manifest = scanned.manifest
    try:
        problem = payload_problem(
            conn,
            schema,
            device_id=manifest.device_id,
            counts=manifest.counts,
            forms={(f.form_id, f.form_hash, f.protocol_id): f.interviews for f in manifest.forms},
            enumerators=manifest.enumerators,
        )
    except sqlite3.DatabaseError as error:
        problem = f"the payload cannot be read ({error})"
    if problem is not None:
        raise contradiction(scanned, problem)


def contradiction(scanned: ScannedBundle, why: str) -> BundleError:
    """FK-BUNDLE-010: signed rows that contradict the manifest or that fieldkit never writes."""
    return BundleError(
        f"the bundle's rows contradict its manifest: {why}",
        code="FK-BUNDLE-010",
        location=Location(scanned.where),
        hint="the laptop's fieldkit made a bad bundle: report it, and do not merge this file",
    )


def changed_error(scanned: ScannedBundle) -> BundleError:
    return BundleError(
        "the bundle file changed while it was being merged",
        code="FK-BUNDLE-003",
        location=Location(scanned.where),
        hint="merge a stable copy of the file; nothing from it was kept",
    )


def truncated(where: str) -> BundleError:
    return BundleError(
        "the bundle is truncated (the file ends too early)",
        code="FK-BUNDLE-002",
        location=Location(where),
        hint="copy the whole file again; a partial copy is never merged",
    )
