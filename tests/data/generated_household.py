"""A generated household survey on the shipped household instrument, with things planted
that must never leave in a restricted or public release: names and a phone number in free
text, staff codes, device ids, exact dates and times.

    form, dataset = generated_household(households=400)
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

from fieldkit.dataset import Dataset, flatten
from fieldkit.indicators import prepare
from fieldkit.instrument.form import Form
from fieldkit.project import load_project
from tests.conftest import REPO

TRAFFICKER = "Kofi Mensah-Planted"
PHONE = "+233245559876"
STAFF_CODE = "ENUM-PLANTED-77"
DEVICE = "laptop-planted-9"
DATE = "2025-03-17"
"""Every interview's date: the exact date must not leave (the month may, restricted)."""
PLANTED = (TRAFFICKER, PHONE, STAFF_CODE, DEVICE, DATE, "08:15:00", "4242")


def household_form() -> Form:
    project = load_project([REPO / "protocols", REPO / "instruments"])
    assert project.report.ok
    return project.form("household_cl")


def generated_household(households: int = 400, seed: int = 12) -> tuple[Form, Dataset]:
    """Households in four districts of two regions, 2-6 members each; most members share
    the common values of the rarer quasi-identifiers (no disability, citizens)."""
    form = household_form()
    dataset = flatten(form, *generated_streams(households, seed), role="statistician")
    prepare(dataset)
    return form, dataset


Streams = tuple[list[dict[str, Any]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def generated_streams(households: int, seed: int = 12) -> Streams:
    """Interviews, answers and roster members, sorted as a store reads them."""
    rng = random.Random(seed)
    interviews: list[dict[str, Any]] = []
    answers: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    for number in range(households):
        iid = f"{number:08d}-0000-4000-8000-000000000000"
        interviews.append(
            {
                "id": iid,
                "enumerator": STAFF_CODE,
                "device_id": DEVICE,
                "status": "complete",
                "started_at": f"{DATE}T08:15:00Z",
            }
        )
        size = rng.randint(2, 6)
        _household(answers, iid, number, size, rng)
        for line in range(1, size + 1):
            members.append((iid, "members", line))
            _member(answers, iid, line, rng)
    answers.sort(key=lambda row: (row[0], row[2]))
    return interviews, answers, members


def _add(rows: list[tuple[Any, ...]], iid: str, name: str, member: int, value: Any) -> None:
    rows.append((iid, name, member, json.dumps(value), "answered"))


def _household(rows: list[tuple[Any, ...]], iid: str, number: int, size: int, rng: Any) -> None:
    district = rng.choice(["north_1", "north_2", "south_1", "south_2"])
    top = {
        "cluster": 100 + number // 20,
        "stratum": 1 if district.startswith("north") else 2,
        "hh_number": number % 20 + 1,
        "region": district.split("_")[0],
        "district": district,
        "hh_weight": 150.0 + 10 * (number % 3),
        "interview_date": DATE,
        "enumerator_code": 4242,
        "hh_size": size,
        "respondent_name": "Ama Planted-Respondent",
        "enumerator_notes": f"{TRAFFICKER} took the girl to the city; call {PHONE}",
    }
    for name, value in top.items():
        _add(rows, iid, name, 0, value)


def _member(rows: list[tuple[Any, ...]], iid: str, line: int, rng: Any) -> None:
    age = rng.randint(5, 17) if line > 1 else rng.randint(25, 60)
    born = dt.date(2025 - age, rng.randint(1, 12), rng.randint(1, 28))
    values: dict[str, Any] = {
        "first_name": "Planted Child",
        "sex": rng.choice(["1", "2"]),
        "dob": born.isoformat(),
        "age": age,
        "rel_to_head": "1" if line == 1 else "3",
        "citizenship": "bj" if rng.random() < 0.97 else "bf",
        "ethnicity": rng.choice(["1", "2"]),
        "occupation": f"carries loads for {TRAFFICKER}",
    }
    for question in ("wg_see", "wg_hear", "wg_walk"):
        values[question] = "1" if rng.random() < 0.98 else "2"
    for name, value in values.items():
        _add(rows, iid, name, line, value)
