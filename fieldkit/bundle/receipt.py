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

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldkit.bundle.atomic import atomic_file
from fieldkit.bundle.format import encode_line
from fieldkit.errors import BundleError, Location

__all__ = ["Receipt", "read_receipt", "receipt_path", "write_receipt"]

_HEX64 = re.compile(r"^[0-9a-f]{64}$")


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
    """Parse a receipt file; FK-BUNDLE-023 if it is not one."""
    try:
        return _receipt(json.loads(path.read_bytes()))
    except OSError as error:
        raise _bad_receipt(path, f"cannot read it ({error.strerror})") from None
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise _bad_receipt(path, str(error) or type(error).__name__) from None


def _receipt(data: Any) -> Receipt:
    if data["format"] != "fieldkit-receipt" or data["version"] != 1:
        raise ValueError("not a fieldkit receipt")
    if data["status"] != "merged" or not _HEX64.match(str(data["bundle_sha256"])):
        raise ValueError("no merged bundle hash")
    sequence, interviews = data["sequence"], data["interviews"]
    if not isinstance(sequence, int) or not isinstance(interviews, int):
        raise TypeError("sequence and interviews must be numbers")
    return Receipt(
        str(data["bundle"]),
        str(data["bundle_sha256"]),
        str(data["device_id"]),
        sequence,
        interviews,
    )


def _bad_receipt(path: Path, why: str) -> BundleError:
    return BundleError(
        f"not a coordinator receipt: {why}",
        code="FK-BUNDLE-023",
        location=Location(str(path)),
        hint="give the .receipt file the coordinator's 'fieldkit merge' wrote for your bundle",
    )
