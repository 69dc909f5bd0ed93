"""The store and privacy APIs other packages build on are pinned here."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

import fieldkit.privacy
import fieldkit.store
from fieldkit.store import LaptopStore

LAPTOP_API = {
    "open": "(path: 'Path', *, project_keys: 'ProjectPublicKeys', key: 'StoreKey') -> 'LaptopStore'",
    "create_interview": "(self, *, form: 'Form', enumerator: 'str', language: 'str') -> 'str'",
    "record_consent": "(self, interview_id: 'str', consent: 'ConsentRecord') -> 'None'",
    "apply": "(self, interview_id: 'str', answers: 'Sequence[AnswerChange]' = (), "
    "members: 'Sequence[MemberChange]' = (), events: 'Sequence[ParadataEvent]' = ()) -> 'None'",
    "finish": "(self, interview_id: 'str', status: 'InterviewStatus') -> 'None'",
    "drafts": "(self) -> 'list[InterviewSummary]'",
    "load": "(self, interview_id: 'str') -> 'StoredInterview'",
    "interviews": "(self, status: 'InterviewStatus | None' = None) -> 'list[InterviewSummary]'",
    "close": "(self) -> 'None'",
}


UNLOCK_API = {
    "check_laptop_store": "(path: 'Path') -> 'None'",
    "is_new_laptop_store": "(path: 'Path') -> 'bool'",
    "open_laptop_store": "(path: 'Path', passphrase: 'str', *, "
    "project_keys: 'ProjectPublicKeys') -> 'LaptopStore'",
}
"""What a front end calls to open the encrypted laptop store (the web form does)."""


@pytest.mark.parametrize(("name", "signature"), sorted(UNLOCK_API.items()))
def test_unlock_signatures_are_pinned(name: str, signature: str) -> None:
    assert str(inspect.signature(getattr(fieldkit.store, name))) == signature


@pytest.mark.parametrize(("name", "signature"), sorted(LAPTOP_API.items()))
def test_laptop_store_signatures_are_pinned(name: str, signature: str) -> None:
    assert str(inspect.signature(getattr(LaptopStore, name))) == signature


def test_exported_names_are_pinned() -> None:
    assert sorted(fieldkit.store.__all__) == sorted(
        [
            "SEALED",
            "AppliedMigration",
            "Database",
            "InterviewSummary",
            "LaptopStore",
            "Role",
            "Sealed",
            "StoreKey",
            "StoredInterview",
            "StoredValue",
            "check_laptop_store",
            "create_store_key",
            "is_new_laptop_store",
            "open_database",
            "open_laptop_store",
            "unlock_store",
        ]
    )
    assert sorted(fieldkit.privacy.__all__) == sorted(
        [
            "AuditCheck",
            "AuditHead",
            "AuditLog",
            "AuditRecord",
            "KeyShare",
            "PrivateKey",
            "ProjectPublicKeys",
            "PublicKey",
            "create_project_keys",
            "fingerprint",
            "generate_device_key",
            "generate_lookup_key",
            "identity_access",
            "load_merge_key",
            "load_project_keys",
            "lookup_token",
            "reveal",
            "seal",
            "seal_identity",
        ]
    )
    for module in (fieldkit.store, fieldkit.privacy):
        for name in module.__all__:
            assert hasattr(module, name), name


@pytest.mark.parametrize(
    "module",
    ["fieldkit.store", "fieldkit.privacy", "fieldkit.privacy.reidentify", "fieldkit.cli.keys"],
)
def test_each_package_imports_first_without_a_cycle(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
