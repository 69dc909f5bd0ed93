"""The bundle file: one self-verifying file of finished interviews, signed by its laptop.

Layout::

    fieldkit bundle 3\n                    magic line: format and version
    {manifest}\n                           canonical JSON (sorted keys, no spaces, UTF-8):
                                           device, sequence, forms, enumerator codes, counts,
                                           tables and columns, the payload's SHA-256 and size,
                                           and how it is encrypted (to which merge key)
    <payload>                              exactly ``payload.bytes`` bytes: a SQLite database
                                           in the schema of ``fieldkit.bundle.payload``,
                                           encrypted to the coordinator's merge key
                                           (``fieldkit.bundle.crypt``)
    {"algorithm":"ed25519", ...}\n         trailer: Ed25519 signature by the device key over
                                           SIGNATURE_CONTEXT + SHA-256(magic + manifest)

The signature covers the manifest, the manifest covers the encrypted payload (its SHA-256),
so one signature check and one streaming hash verify every byte before anything is decrypted
and before SQLite opens the payload. Format 3 (issue 11) is format 2 with the payload
encrypted; a laptop's signing key and a stolen bundle both show nothing but the manifest. A
bundle's identity is the SHA-256 of the whole file (``bundle hash``). Identities stay sealed:
the payload's ``identities.sealed`` is the laptop's ciphertext, never opened here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldkit.bundle.payload import PAYLOAD_COLUMNS
from fieldkit.bundle.untrusted import canonical_line
from fieldkit.errors import BundleError, Location
from fieldkit.hashing import canonical_json

__all__ = [
    "COLUMNS",
    "DEVICE_ID",
    "FINISHED_STATUSES",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_LINE",
    "PAYLOAD_FORMAT",
    "BundleManifest",
    "FormEntry",
    "PayloadDigest",
    "damaged",
    "encode_line",
    "signed_message",
]

MAGIC = b"fieldkit bundle 3\n"
MAGIC_PREFIX = b"fieldkit bundle "
FORMAT_VERSION = 3
SIGNATURE_CONTEXT = b"fieldkit bundle signature v3\x00"
MAX_LINE = 1024 * 1024
"""Longest manifest or trailer line read; longer ones are damage."""
PAYLOAD_FORMAT = "sqlite3"
FINISHED_STATUSES = ("complete", "refused", "stopped")

COLUMNS = PAYLOAD_COLUMNS
"""The columns of each payload table, in order (stated in the manifest)."""

MAX_COUNT = 2**31 - 1
"""Largest sequence or count accepted: the store keeps them in 32-bit integer columns."""
MAX_BYTES = 2**53
"""Largest payload size accepted (exact in JSON everywhere)."""

_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
DEVICE_ID = _NAME
"""What a device id (and a form or protocol id) in a manifest looks like."""
_HEX64 = re.compile(r"[0-9a-f]{64}")
_FORM_HASH = re.compile(r"[a-z0-9]{1,16}:[0-9a-f]{16,128}")
_ENUMERATOR = re.compile(r"[^\x00-\x1f\x7f]{1,100}")  # the laptop store's own rule
_CREATED_AT = re.compile(r"[0-9A-Za-z:.+ -]{0,64}")
_VERSION = re.compile(r"[0-9A-Za-z.+_-]{0,40}")
_ENCRYPTION: dict[str, re.Pattern[str] | None] = {
    "scheme": re.compile(r"[a-z0-9-]{1,40}"),
    "chunk": None,  # a count
    "recipient": re.compile(r"sha256:[0-9a-f]{16}"),  # the merge key's fingerprint
    "key": re.compile(r"[A-Za-z0-9+/=]{1,200}"),  # the sealed payload key, base64
    "nonce_prefix": re.compile(r"[0-9a-f]{1,32}"),
}
"""The fields of a format 3 payload's encryption entry, and what each looks like."""


def encode_line(item: Any) -> bytes:
    return canonical_json(item) + b"\n"


def signed_message(magic: bytes, manifest_line: bytes) -> bytes:
    """What the device key signs: a context string and the SHA-256 of magic + manifest."""
    return SIGNATURE_CONTEXT + hashlib.sha256(magic + manifest_line).digest()


@dataclass(frozen=True, slots=True)
class FormEntry:
    form_id: str
    form_hash: str
    protocol_id: str
    interviews: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "form_id": self.form_id,
            "form_hash": self.form_hash,
            "protocol_id": self.protocol_id,
            "interviews": self.interviews,
        }


@dataclass(frozen=True)
class PayloadDigest:
    sha256: str
    """Of the payload as stored in the file: the ciphertext."""
    bytes: int
    format: str = PAYLOAD_FORMAT
    encryption: Mapping[str, Any] = field(default_factory=dict)
    """How the payload is encrypted (``fieldkit.bundle.crypt.encryption_entry``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "bytes": self.bytes,
            "format": self.format,
            "encryption": dict(self.encryption),
        }


@dataclass(frozen=True)
class BundleManifest:
    """What a bundle says about itself, signed. ``created_at`` is informational only."""

    device_id: str
    sequence: int
    created_at: str
    forms: tuple[FormEntry, ...]
    enumerators: Mapping[str, int]
    """Enumerator → interviews in this bundle."""
    counts: Mapping[str, int]
    """interviews, answers, roster_members, paradata, identities, and per status."""
    payload: PayloadDigest
    fieldkit_version: str = ""
    columns: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(COLUMNS))

    @property
    def name(self) -> str:
        """A readable bundle name: ``<device id>-<sequence>``."""
        return f"{self.device_id}-{self.sequence:06d}"

    @property
    def interviews(self) -> int:
        return int(self.counts.get("interviews", 0))

    def form_hashes(self) -> set[str]:
        return {entry.form_hash for entry in self.forms}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "fieldkit-bundle",
            "version": FORMAT_VERSION,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "created_at": self.created_at,
            "fieldkit_version": self.fieldkit_version,
            "forms": [entry.to_dict() for entry in self.forms],
            "enumerators": dict(sorted(self.enumerators.items())),
            "counts": dict(sorted(self.counts.items())),
            "columns": {tag: list(names) for tag, names in self.columns.items()},
            "payload": self.payload.to_dict(),
        }

    def line(self) -> bytes:
        return encode_line(self.to_dict())

    @classmethod
    def from_line(cls, line: bytes, where: str) -> BundleManifest:
        """Parse and check a manifest line; FK-BUNDLE-004 when it is not a valid manifest.

        It is read before its signature is checked, so bounded: canonical JSON only
        (``fieldkit.bundle.untrusted``), every name, count and text checked for shape and
        range (a sequence must fit the store's 32-bit columns on PostgreSQL too)."""
        try:
            data = canonical_line(line)
        except ValueError as error:
            raise damaged(where, f"the manifest is not valid: {error}") from None
        if not isinstance(data, dict):
            raise damaged(where, "the manifest is not a JSON object")
        try:
            return _manifest(data)
        except (KeyError, TypeError, ValueError) as error:
            raise damaged(where, f"the manifest is incomplete ({_short(error)})") from None


def _manifest(data: dict[str, Any]) -> BundleManifest:
    if data["format"] != "fieldkit-bundle" or data["version"] != FORMAT_VERSION:
        raise ValueError("unknown format or version")
    if {tag: list(names) for tag, names in COLUMNS.items()} != data["columns"]:
        raise ValueError(f"columns differ from format version {FORMAT_VERSION}")
    payload = _mapping(data["payload"])
    if payload["format"] != PAYLOAD_FORMAT or not _HEX64.fullmatch(_text(payload["sha256"])):
        raise ValueError("unknown payload format or checksum")
    return BundleManifest(
        device_id=_name(data["device_id"]),
        sequence=_count(data["sequence"], minimum=1),
        created_at=_text(data["created_at"], _CREATED_AT),
        forms=tuple(_form(_mapping(item)) for item in _list(data["forms"])),
        enumerators={
            _text(k, _ENUMERATOR): _count(v) for k, v in _mapping(data["enumerators"]).items()
        },
        counts={_name(k): _count(v) for k, v in _mapping(data["counts"]).items()},
        payload=PayloadDigest(
            payload["sha256"],
            _count(payload["bytes"], maximum=MAX_BYTES),
            encryption=_encryption(_mapping(payload["encryption"])),
        ),
        fieldkit_version=_text(data.get("fieldkit_version", ""), _VERSION),
    )


def _form(item: dict[str, Any]) -> FormEntry:
    return FormEntry(
        _name(item["form_id"]),
        _text(item["form_hash"], _FORM_HASH),
        _name(item["protocol_id"]),
        _count(item["interviews"]),
    )


def _encryption(entry: dict[str, Any]) -> dict[str, Any]:
    """The payload's encryption entry, in shape only (``fieldkit.bundle.crypt`` judges it)."""
    if set(entry) != set(_ENCRYPTION):
        raise ValueError("the payload's encryption entry has other fields")
    checked: dict[str, Any] = {"chunk": _count(entry["chunk"], minimum=1)}
    for name, shape in _ENCRYPTION.items():
        if shape is not None:
            checked[name] = _text(entry[name], shape)
    return checked


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


def _text(value: Any, shape: re.Pattern[str] | None = None) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    if shape is not None and not shape.fullmatch(value):
        raise ValueError(f"not a valid value: {value[:40]!r}")
    return value


def _name(value: Any) -> str:
    return _text(value, _NAME)


def _count(value: Any, minimum: int = 0, maximum: int = MAX_COUNT) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
        raise ValueError(f"not a count: {str(value)[:40]}")
    return value


def _short(error: BaseException) -> str:
    return str(error).splitlines()[0][:160] if str(error) else type(error).__name__


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def damaged(where: str, why: str) -> BundleError:
    return BundleError(
        f"the bundle is damaged: {why}",
        code="FK-BUNDLE-004",
        location=Location(where),
        hint="make the bundle again on the laptop ('fieldkit bundle') and send the new file",
    )
