"""Read a bundle as a stream: check its structure, hashes and signature, then its rows.

Two passes, neither holding more than one interview in memory:

1. ``scan_bundle`` reads the whole file: structure (FK-BUNDLE-001/002/004), the SHA-256 of
   the file and of the payload, and every row against the manifest (the first problem is
   kept, hashing goes on, so damage reports as damage, not as a bad row).
   ``verify_scanned`` then checks the signature (005/006), the payload hash (003) and the
   rows (010), in that order: integrity first, then meaning.
2. ``iter_blocks`` reads it again for the import, interview by interview, and fails with
   FK-BUNDLE-003 if the file is not byte for byte the one scanned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from fieldkit.bundle.format import (
    MAGIC,
    MAGIC_PREFIX,
    MAX_LINE,
    BundleManifest,
    damaged,
    encode_line,
    signed_message,
)
from fieldkit.bundle.rows import InterviewBlock, RowChecker
from fieldkit.errors import BundleError, Location

__all__ = [
    "ScannedBundle",
    "changed_error",
    "iter_blocks",
    "require_signature",
    "scan_bundle",
    "truncated",
    "verify_scanned",
]

_TRAILER_KEYS = {"algorithm", "device_id", "manifest_sha256", "signature"}


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
    payload_sha256: str
    payload_bytes: int
    payload_lines: int
    problem: BundleError | None
    """The first row that contradicts the manifest (FK-BUNDLE-010), if any."""

    @property
    def where(self) -> str:
        return str(self.path)


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

    def at_end(self) -> bool:
        rest = self.handle.read(1)
        self.digest.update(rest)
        return rest == b""


@dataclass
class _Walk:
    manifest: BundleManifest
    manifest_line: bytes
    payload_sha256: str = ""
    payload_bytes: int = 0
    payload_lines: int = 0
    trailer_line: bytes = b""


def _walk(stream: _Stream, checker_for: Any) -> Iterator[InterviewBlock | _Walk]:
    """Yield blocks, then the walk summary as the last item."""
    _magic(stream)
    manifest_line = stream.line()
    manifest = BundleManifest.from_line(manifest_line, stream.where)
    walk = _Walk(manifest, manifest_line)
    checker: RowChecker = checker_for(manifest)
    payload = hashlib.sha256()
    while True:
        line = stream.line()
        if line.startswith(b"{"):
            walk.trailer_line = line
            break
        payload.update(line)
        walk.payload_bytes += len(line)
        walk.payload_lines += 1
        block = checker.feed(line, stream.lineno)
        if block is not None:
            yield block
    last = checker.finish(walk.payload_bytes, walk.payload_lines)
    if last is not None:
        yield last
    if not stream.at_end():
        raise damaged(stream.where, "there are bytes after the signature line")
    walk.payload_sha256 = payload.hexdigest()
    yield walk


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
        raise BundleError(
            f"unsupported bundle format: {data.strip().decode('utf-8', 'replace')!r}",
            code="FK-BUNDLE-001",
            location=Location(stream.where),
            hint="upgrade fieldkit at the coordinator to read bundles from newer laptops",
        )
    raise BundleError(
        "not a fieldkit bundle",
        code="FK-BUNDLE-001",
        location=Location(stream.where),
        hint="give the .fkb file made by 'fieldkit bundle' on the laptop",
    )


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as error:
        raise BundleError(
            f"cannot read the bundle: {error.strerror}",
            code="FK-BUNDLE-012",
            location=Location(str(path)),
            hint="check the file name and permissions",
        ) from None


def scan_bundle(path: Path) -> ScannedBundle:
    """Pass 1: read and check the whole file without trusting it yet."""
    path = Path(path)
    with _open(path) as handle:
        stream = _Stream(handle, str(path))
        checker: list[RowChecker] = []

        def make(manifest: BundleManifest) -> RowChecker:
            checker.append(RowChecker(manifest, str(path), collect=False))
            return checker[0]

        walk: _Walk | None = None
        for item in _walk(stream, make):
            if isinstance(item, _Walk):
                walk = item
    assert walk is not None
    trailer, signature = _trailer(walk.trailer_line, str(path))
    return ScannedBundle(
        path=path,
        sha256=stream.digest.hexdigest(),
        size=stream.size,
        manifest=walk.manifest,
        manifest_line=walk.manifest_line,
        trailer=trailer,
        signature=signature,
        payload_sha256=walk.payload_sha256,
        payload_bytes=walk.payload_bytes,
        payload_lines=walk.payload_lines,
        problem=checker[0].problem,
    )


def _trailer(line: bytes, where: str) -> tuple[dict[str, Any], bytes | None]:
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise damaged(where, "the signature line is not valid JSON") from None
    if not isinstance(data, dict) or not set(data) <= _TRAILER_KEYS or encode_line(data) != line:
        raise damaged(where, "the signature line is not a fieldkit signature")
    text = data.get("signature")
    if text is None:
        return data, None
    try:
        signature = base64.b64decode(str(text), validate=True)
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
    if scanned.problem is not None:
        raise scanned.problem


def iter_blocks(scanned: ScannedBundle) -> Iterator[InterviewBlock]:
    """Pass 2: the interviews, one block at a time; FK-BUNDLE-003 if the file changed."""
    try:
        with _open(scanned.path) as handle:
            stream = _Stream(handle, scanned.where)

            def make(manifest: BundleManifest) -> RowChecker:
                return RowChecker(manifest, scanned.where, collect=True, strict=True)

            for item in _walk(stream, make):
                if isinstance(item, InterviewBlock):
                    yield item
    except BundleError:
        raise changed_error(scanned) from None
    if stream.digest.hexdigest() != scanned.sha256:
        raise changed_error(scanned)


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
