"""The staff register: codes to names, kept by the coordinator, outside every fieldkit store.

    register = load_staff_register(Path("staff.yaml"))
    missing = unregistered_codes("hq.sqlite", register)

A register is a YAML mapping of staff code to name and role::

    E07: {name: Fatmata Kamara, role: enumerator}
    S03: {name: Ibrahim Sesay, role: supervisor}

Answers, consent records, paradata, bundles and exports only ever hold the codes; the names
stay in this one file, which the coordinator keeps apart (it is never merged, bundled or
exported). ``fieldkit staff check`` lists the codes a store uses that the register lacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from fieldkit.errors import Location, PrivacyError
from fieldkit.instrument.source import load_source
from fieldkit.store.coordinator import open_coordinator
from fieldkit.store.coordinator_tables import capture_table
from fieldkit.store.records import STAFF_CODE

__all__ = ["StaffMember", "load_staff_register", "unregistered_codes"]

ROLES = ("enumerator", "supervisor", "coordinator", "custodian")


@dataclass(frozen=True, slots=True)
class StaffMember:
    code: str
    name: str
    role: str


def load_staff_register(path: Path) -> dict[str, StaffMember]:
    """Code → member; FK-PRIV-007 for a malformed register, naming the entry.

    Read with the bounded YAML loader instruments use (FK-YAML-005 for a missing, empty or
    non-regular file, FK-YAML-030 for one too large, aliases and depth bounded)."""
    data = load_source(path).data
    if not isinstance(data, dict):
        raise _bad(path, "it must map staff codes to {name, role}")
    register = {}
    for code, entry in data.items():
        if not isinstance(code, str) or not STAFF_CODE.fullmatch(code):
            raise _bad(path, f"{code!r} is not a staff code (letters, digits, - _ .)")
        if not isinstance(entry, dict) or not str(entry.get("name", "")).strip():
            raise _bad(path, f"{code}: give a name")
        role = str(entry.get("role", ""))
        if role not in ROLES:
            raise _bad(path, f"{code}: role must be one of {', '.join(ROLES)}")
        register[code] = StaffMember(code, str(entry["name"]).strip(), role)
    return register


def unregistered_codes(store: Path | str, register: dict[str, StaffMember]) -> dict[str, int]:
    """Staff codes the store uses (enumerators, approving supervisors) missing from the
    register: code → interviews."""
    interviews = capture_table("interviews")
    used: dict[str, int] = {}
    with open_coordinator(store, create=False) as db, db.read() as conn:
        for enumerator, consent in conn.execute(
            select(interviews.c.enumerator, interviews.c.consent)
        ):
            codes = {enumerator}
            supervisor = json.loads(consent).get("supervisor") if consent else None
            if supervisor:
                codes.add(supervisor)
            for code in codes - set(register):
                used[code] = used.get(code, 0) + 1
    return dict(sorted(used.items()))


def _bad(path: Path, why: str) -> PrivacyError:
    return PrivacyError(
        f"not a usable staff register: {why}",
        code="FK-PRIV-007",
        location=Location(str(path)),
        hint="one entry per code: E07: {name: ..., role: enumerator}",
    )
