"""The coordinator's receipt: proof, bound to one bundle's bytes, that it was merged.

One line of canonical JSON::

    {"bundle":"<device>-<sequence>","bundle_sha256":"...","device_id":"...",
     "format":"fieldkit-receipt","interviews":12,"sequence":3,"status":"merged","version":1}

A receipt is hash-bound, not signed: it names the SHA-256 of the exact bundle file, and the
laptop acts on it only if it made a bundle with that hash (``fieldkit bundle --receipt``).
It carries no answer. The receipt itself (``body``) is the same for the same bundle every
time (nothing in it depends on a clock); the file also names the coordinator's audit head
when it was written (``"audit_head": "#12:<hash>"``), an anchor kept outside the store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.bundle.atomic import atomic_file
from fieldkit.bundle.format import encode_line
from fieldkit.bundle.untrusted import canonical_line, read_small
from fieldkit.errors import BundleError, Location

__all__ = ["Receipt", "read_receipt", "receipt_path", "write_receipt"]

_HEX64 = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,160}")
_AUDIT_HEAD = re.compile(r"#[0-9]{1,18}:[0-9a-f]{64}")
"""The coordinator's audit head when the receipt was written (issue 11), if any."""
_KEYS = {
    "format",
    "version",
    "status",
    "bundle",
    "bundle_sha256",
    "device_id",
    "sequence",
    "interviews",
}


@dataclass(frozen=True, slots=True)
class Receipt:
    bundle: str
    bundle_sha256: str
    device_id: str
    sequence: int
    interviews: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": "fieldkit-receipt",
            "version": 1,
            "status": "merged",
            "bundle": self.bundle,
            "bundle_sha256": self.bundle_sha256,
            "device_id": self.device_id,
            "sequence": self.sequence,
            "interviews": self.interviews,
        }

    def body(self) -> bytes:
        return encode_line(self.to_dict())


def receipt_path(bundle_path: Path, folder: Path | None = None) -> Path:
    return (folder or bundle_path.parent) / f"{bundle_path.name}.receipt"


def write_receipt(receipt: Receipt, path: Path, *, audit_head: str | None = None) -> None:
    """Write the receipt file (0600); ``audit_head`` as ``#INDEX:HASH``, when there is one."""
    data = receipt.to_dict() | ({"audit_head": audit_head} if audit_head else {})
    with atomic_file(path) as handle:
        handle.write(encode_line(data))


def read_receipt(path: Path) -> Receipt:
    """Parse a receipt file; FK-BUNDLE-023 if it is not one.

    A receipt comes back to the laptop from outside, so it is read like a bundle: a regular
    file (never a FIFO or a device), a few KiB at most, one canonical JSON line, every field
    checked for type and shape before anything acts on it."""
    try:
        data = canonical_line(read_small(path, MAX_RECEIPT_BYTES))
    except OSError as error:
        raise _bad_receipt(path, f"cannot read it ({error.strerror})") from None
    except ValueError as error:
        raise _bad_receipt(path, str(error)) from None
    try:
        return _receipt(data)
    except (KeyError, TypeError, ValueError) as error:
        raise _bad_receipt(path, str(error)[:160] or type(error).__name__) from None


MAX_RECEIPT_BYTES = 4096
"""A receipt is one line of about 300 bytes."""


def _receipt(data: Any) -> Receipt:
    if not isinstance(data, dict) or set(data) - {"audit_head"} != _KEYS:
        raise ValueError("not a fieldkit receipt")
    if "audit_head" in data and not _AUDIT_HEAD.fullmatch(_text(data["audit_head"])):
        raise ValueError("the audit head is not #INDEX:HASH")
    if data["format"] != "fieldkit-receipt" or data["version"] != 1:
        raise ValueError("not a fieldkit receipt")
    if data["status"] != "merged" or not _HEX64.fullmatch(_text(data["bundle_sha256"])):
        raise ValueError("no merged bundle hash")
    sequence, interviews = data["sequence"], data["interviews"]
    for number in (sequence, interviews):
        if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < 2**31:
            raise TypeError("sequence and interviews must be whole numbers in range")
    bundle, device_id = _text(data["bundle"]), _text(data["device_id"])
    if not _NAME.fullmatch(bundle) or not _NAME.fullmatch(device_id):
        raise ValueError("bundle or device name is not valid")
    return Receipt(bundle, data["bundle_sha256"], device_id, sequence, interviews)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _bad_receipt(path: Path, why: str) -> BundleError:
    return BundleError(
        f"not a coordinator receipt: {why}",
        code="FK-BUNDLE-023",
        location=Location(str(path)),
        hint="give the .receipt file the coordinator's 'fieldkit merge' wrote for your bundle",
    )
