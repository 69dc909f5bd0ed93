"""What the synthetic interviews of every instrument share: places, dates, a child's background.

The instruments ask the same disaggregation block (origin, ethnicity, the Washington Group
questions, family) in the same words; a child's answers here follow plausible shares: most
are Ghanaian-born and live with a parent, some moved in the last five years, a few were born
abroad, about one in twenty has some difficulty in a functioning domain.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

__all__ = [
    "ALL_DISTRICTS",
    "NEIGHBOURS",
    "background",
    "band",
    "chance",
    "consent_for_child",
    "functioning",
    "place",
    "recent_day",
]

ALL_DISTRICTS = (
    "north_1",
    "north_2",
    "south_1",
    "south_2",
    "centre_1",
    "centre_2",
    "east_1",
    "east_2",
    "west_1",
    "west_2",
)
NEIGHBOURS = ("bf", "tg", "ci", "ng", "ml", "bj")
"""Countries children cross from (choice values of the instruments' country list)."""


def chance(rng: random.Random, share: float) -> bool:
    return rng.random() < share


def place(rng: random.Random) -> dict[str, str]:
    district = rng.choice(ALL_DISTRICTS)
    return {"region": district.split("_")[0], "district": district}


def recent_day(rng: random.Random, today: dt.date, days: int = 30) -> str:
    return (today - dt.timedelta(days=rng.randint(1, days))).isoformat()


def band(age: int) -> str:
    """The instruments' age-band choice for an age (used when the exact age is not known)."""
    if age <= 11:
        return "5_11"
    return "12_14" if age <= 14 else "15_17"


def functioning(rng: random.Random) -> dict[str, int]:
    domains = ("see", "hear", "walk", "cognition", "selfcare", "communicate")
    return {f"wg_{d}": (rng.choice((2, 2, 3)) if chance(rng, 0.05) else 1) for d in domains}


def background(rng: random.Random, *, born_abroad: float = 0.1) -> dict[str, Any]:
    """Origin, ethnicity, functioning and family of a child (the shared block)."""
    abroad = chance(rng, born_abroad)
    birthplace = "abroad" if abroad else rng.choice(("same_district", "same_district", "other"))
    if birthplace == "other":
        birthplace = "other_district"
    answers: dict[str, Any] = {
        "citizenship": rng.choice(NEIGHBOURS) if abroad else "gh",
        "birthplace": birthplace,
        "migrated_5y": 1 if birthplace != "same_district" and chance(rng, 0.6) else 2,
        "ethnicity": rng.choice((1, 2, 3, 4, 5, 96)),
        **functioning(rng),
        "lives_with": rng.choice((1, 1, 1, 2, 2, 3, 4)),
        "orphanhood": rng.choice((1, 1, 1, 1, 2, 3, 4)),
    }
    return answers


def consent_for_child(
    rng: random.Random,
    age: int,
    *,
    exception: str | None = None,
    refuse: float = 0.05,
) -> dict[str, Any]:
    """The consent block for a child respondent: a guardian's consent and the child's assent,
    or the protocol's documented ``exception`` when no guardian can be reached."""
    block: dict[str, Any] = {"respondent_age": age}
    if exception is not None:
        block.update(
            {
                "guardian": 3,
                "exception": exception,
                "exception_reason": "no_family_contact",  # coded; the note is sealed
                "exception_note": "no parent or guardian reachable; outreach worker present",
                "supervisor": "S02",
            }
        )
    else:
        block["guardian"] = 2 if chance(rng, refuse) else 1
        if block["guardian"] == 2:
            return block
    block["assent"] = 2 if chance(rng, refuse) else 1
    if block["assent"] == 1:
        block["others_present"] = ["nobody"] if chance(rng, 0.7) else ["other"]
        block["language"] = "en" if chance(rng, 0.8) else "fr"
    return block
