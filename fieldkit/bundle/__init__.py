"""Bundles: the one file a laptop hands over, and what verifies it.

    key = unlock_store(Path("laptop.sqlite"), passphrase)         # the enumerator's unlock
    public, public_file = init_device(Path("laptop.sqlite"), key)  # once per laptop
    manifest = write_bundle(Path("laptop.sqlite"), Path("north-1.fkb"), key)
    scanned = scan_bundle(Path("north-1.fkb")); verify_scanned(scanned, public_key)
    with extract_payload(scanned) as payload: ...          # the verified SQLite payload
    apply_receipt(Path("laptop.sqlite"), Path("north-1.fkb.receipt"), key)   # then deletes

The file format is described in ``fieldkit.bundle.format``.
"""

from __future__ import annotations

from fieldkit.bundle.device import (
    DeviceKey,
    DevicePublicKey,
    init_device,
    parse_device_public_key,
    read_device_public_key,
    stored_device_key,
)
from fieldkit.bundle.format import BundleManifest, FormEntry, PayloadDigest
from fieldkit.bundle.ledger import ReceiptOutcome, apply_receipt
from fieldkit.bundle.reader import (
    ScannedBundle,
    check_payload,
    extract_payload,
    scan_bundle,
    verify_scanned,
)
from fieldkit.bundle.receipt import Receipt, read_receipt, receipt_path, write_receipt
from fieldkit.bundle.writer import write_bundle

__all__ = [
    "BundleManifest",
    "DeviceKey",
    "DevicePublicKey",
    "FormEntry",
    "PayloadDigest",
    "Receipt",
    "ReceiptOutcome",
    "ScannedBundle",
    "apply_receipt",
    "check_payload",
    "extract_payload",
    "init_device",
    "parse_device_public_key",
    "read_device_public_key",
    "read_receipt",
    "receipt_path",
    "scan_bundle",
    "stored_device_key",
    "verify_scanned",
    "write_bundle",
    "write_receipt",
]
