"""Realistic synthetic household interviews, as answer files for scripted entry.

Deterministic for a seed. The households follow the shipped household instrument: a head,
often a spouse, children of all ages; children 5-17 go to school or not, some work on the
family farm or for wages (a few long hours, some with hazards), many do chores; a few were
recruited away from home by a third party. Names are invented and clearly synthetic.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["DISTRICTS", "HouseholdPlan", "household_script", "households"]

DISTRICTS = {
    "north_1": "north",
    "north_2": "north",
    "south_1": "south",
    "south_2": "south",
    "centre_1": "centre",
    "east_1": "east",
}
GIVEN = ("Ama", "Kofi", "Awa", "Moussa", "Fatou", "Yaw", "Mariam", "Ibrahim", "Adjoa", "Seydou")
FAMILY = ("Mensah", "Diallo", "Traoré", "Koné", "Ouédraogo", "Asante", "Bamba", "Sow")
SCREENING_OK = {"adult_available": 1, "safe_to_proceed": 1, "private_setting": 1}


@dataclass(frozen=True)
class HouseholdPlan:
    district: str
    cluster: int
    hh_number: int
    enumerator: str
    enumerator_code: int
    seed: int


def households(
    districts: dict[str, str], per_district: int, *, seed: int, enumerators: int = 2
) -> Iterator[HouseholdPlan]:
    """Plans for ``per_district`` households in each district, two enumerators each."""
    for d_index, district in enumerate(districts):
        for number in range(1, per_district + 1):
            e_index = number % enumerators
            yield HouseholdPlan(
                district=district,
                cluster=100 + d_index * 10 + (number - 1) // 2,
                hh_number=number,
                enumerator=f"{district.upper()}-E{e_index + 1}",
                enumerator_code=100 * (d_index + 1) + e_index + 1,
                seed=seed * 100_003 + d_index * 1_000 + number,
            )


def household_script(plan: HouseholdPlan, today: dt.date) -> dict[str, Any]:
    """One complete household interview as an answer-file mapping."""
    rng = random.Random(plan.seed)
    family = rng.choice(FAMILY)
    members = _members(rng)
    answers: dict[str, Any] = {
        "cluster": plan.cluster,
        "stratum": list(DISTRICTS.values()).index(DISTRICTS[plan.district]) + 1,
        "hh_number": plan.hh_number,
        "urban": rng.choice((1, 2, 2)),
        "region": DISTRICTS[plan.district],
        "district": plan.district,
        "hh_weight": round(rng.uniform(80, 400), 2),
        "interview_date": (today - dt.timedelta(days=rng.randint(1, 20))).isoformat(),
        "enumerator_code": plan.enumerator_code,
        "respondent_name": f"{members[0]['first_name']} {family} (synthetic)",
        "respondent_phone": "+2330" + "".join(str(rng.randint(0, 9)) for _ in range(8)),
        "hh_shocks_12m": rng.choice((["none"], ["crop_failure"], ["price_rise", "illness_injury"])),
        "hh_size": len(members),
        "members": members,
        "respondent_line": 1,
        "interview_result": "completed",
        "referral_made": 2,
    }
    _dates_of_birth(members, dt.date.fromisoformat(answers["interview_date"]))
    _date_recruitment(members, dt.date.fromisoformat(answers["interview_date"]))
    if answers["hh_shocks_12m"] != ["none"]:
        answers["shock_coping"] = rng.choice((["borrowed"], ["children_to_work"], ["sold_assets"]))
    return {
        "instrument": "household_cl",
        "enumerator": plan.enumerator,
        "language": "en",
        "screening": dict(SCREENING_OK),
        "consent": {
            "respondent_age": members[0]["age"],
            "adult": 1,
            "others_present": "nobody",
            "language": "en",
        },
        "answers": answers,
    }


def _date_recruitment(members: list[dict[str, Any]], interviewed: dt.date) -> None:
    """When each recruited child was recruited (the 1st of a month since the age it began),
    spread over the months without drawing from the generator, so every other answer of
    the demo stays as it was."""
    for member in members:
        if member.get("tip_recruited") != 1:
            continue
        months = 12 * (member["age"] - member["tip_age_at_start"]) + member["age"] * 5 % 12 + 1
        when = interviewed - dt.timedelta(days=31 * months)
        member["tip_recruit_date"] = when.replace(day=1).isoformat()


def _members(rng: random.Random) -> list[dict[str, Any]]:
    head_age = rng.randint(28, 60)
    members = [_adult(rng, 1, head_age)]
    if rng.random() < 0.8:
        members.append(_adult(rng, 2, max(18, head_age - rng.randint(0, 8))))
    youngest_parent = min(m["age"] for m in members)
    for _ in range(rng.randint(1, 4)):  # the household's roster checks hold: ages fit the family
        age = rng.randint(0, min(17, youngest_parent - 12))
        members.append(_child(rng, age, grandchild=age <= head_age - 24))
    spouse = members[1] if len(members) > 1 and members[1]["rel_to_head"] == 2 else None
    for line, member in enumerate(members, 1):
        member["first_name"] = f"{rng.choice(GIVEN)}"
        if line > 2 and member["age"] < 18:
            mother = spouse is not None and spouse["sex"] == 2 and member["rel_to_head"] == 3
            member["mother_line"] = 2 if mother else 0
    return members


def _dates_of_birth(members: list[dict[str, Any]], interview: dt.date) -> None:
    """A date of birth where a birth certificate was seen, "don't know" where there is none
    (no random draw: the rest of the household stays as it was)."""
    for line, member in enumerate(members, 1):
        certificate = member.get("birth_certificate")
        if certificate == 1:
            days = int(member["age"] * 365.25) + (line * 47) % 300  # within its age year
            member["dob"] = (interview - dt.timedelta(days=days)).isoformat()
        elif certificate == 3:
            member["dob"] = "dk"


def _adult(rng: random.Random, line: int, age: int) -> dict[str, Any]:
    return {
        "sex": rng.choice((1, 2)),
        "age": age,
        "rel_to_head": 1 if line == 1 else 2,
        "presence": "present",
        "citizenship": "gh",
        "birthplace": rng.choice(("same_district", "same_district", "other_district")),
        "ethnicity": rng.randint(1, 5),
        "ever_attended": rng.choice((1, 2)),
        **_short_set(rng),
    }


def _child(rng: random.Random, age: int, *, grandchild: bool) -> dict[str, Any]:
    relation = rng.choice((3, 3, 3, 4, 5))
    child: dict[str, Any] = {
        "sex": rng.choice((1, 2)),
        "age": age,
        "rel_to_head": relation if relation != 5 or grandchild else 3,
        "presence": "present",
        "citizenship": "gh",
        "birthplace": "same_district",
        "ethnicity": rng.randint(1, 5),
    }
    child["birth_certificate"] = rng.choice((1, 1, 2, 3))
    if child["birth_certificate"] == 3:
        child["birth_registered"] = rng.choice((1, 2))
    if age < 2:
        return child
    child.update(_functioning(rng, age))
    if age < 5:
        return child
    child.update(_schooling(rng, age))
    child.update(_work(rng, age))
    child.update(_chores(rng, child.get("hours_econ_7d", 0)))
    child["child_interview"] = rng.choice(("private", "private", "absent"))
    child.update(_trafficking(rng, age))
    return child


def _short_set(rng: random.Random) -> dict[str, Any]:
    """Washington Group Short Set, asked of adults."""
    domains = ("see", "hear", "walk", "cognition", "selfcare", "communicate")
    return {f"wg_{d}": (2 if rng.random() < 0.05 else 1) for d in domains}


CFM_2_4 = ("see", "hear", "walk", "fine_motor", "understand_you", "be_understood", "learning")
CFM_5_17: tuple[str, ...] = ("see", "hear", "walk", "selfcare", "understood_inside")
CFM_5_17 += ("understood_outside", "learning", "remembering", "concentrating")
CFM_5_17 += ("accepting_change", "behaviour")


def _difficulty(rng: random.Random) -> int:
    return 3 if rng.random() < 0.02 else (2 if rng.random() < 0.05 else 1)


def _functioning(rng: random.Random, age: int) -> dict[str, Any]:
    """UNICEF/WG Child Functioning Module: a few children with a lot of difficulty."""
    if age <= 4:
        answers = {f"cfm_{d}": _difficulty(rng) for d in (*CFM_2_4, "playing")}
        answers["cfm_kicking"] = rng.choice((1, 2, 2, 3))
        return answers
    answers = {f"cfm_{d}": _difficulty(rng) for d in (*CFM_5_17, "friends")}
    answers["cfm_anxiety"] = rng.choice((2, 3, 4, 4, 5))
    answers["cfm_depression"] = rng.choice((3, 4, 5, 5, 5))
    return answers


def _schooling(rng: random.Random, age: int) -> dict[str, Any]:
    if rng.random() < 0.15:
        return {
            "ever_attended": 2,
            "not_in_school_reason": rng.choice(("work", "cost", "distance")),
        }
    attending = 1 if rng.random() < 0.85 else 2
    answers: dict[str, Any] = {
        "ever_attended": 1,
        "attending_now": attending,
        "school_level": 1 if age < 12 else 2,
        "grade": max(1, min(8, age - 5)),
    }
    if attending == 2 and age <= 17:
        answers["not_in_school_reason"] = rng.choice(("work", "chores", "cost"))
    return answers


def _work(rng: random.Random, age: int) -> dict[str, Any]:
    if rng.random() > 0.35 + 0.03 * (age - 5):
        return {"econ_any_7d": ["none"], "temp_absent_job": 2, "work_12m": 2}
    hours = rng.choice((4, 8, 12, 16, 20, 30, 45))
    answers: dict[str, Any] = {
        "econ_any_7d": [rng.choice(("farm_livestock", "farm_livestock", "wage", "own_business"))],
        "hours_econ_7d": hours,
        "status_in_employment": rng.choice((3, 4, 4)),
        **_coded_job(rng),
        "hazard_loads": 1 if rng.random() < 0.3 else 2,
        "hazard_tools": 1 if rng.random() < 0.25 else 2,
        "hazard_exposures": ["dust_fumes_gas"] if rng.random() < 0.2 else ["none"],
        "night_work": 1 if rng.random() < 0.05 else 2,
        "abuse_at_work": ["shouted_at"] if rng.random() < 0.1 else ["none"],
        "injury_12m": ["wound_cut"] if rng.random() < 0.15 else ["none"],
    }
    return answers


JOBS = (
    ("Weeds and harvests maize on the family farm", "9211", "Family farm", "0111", "family_farm"),
    ("Picks cocoa pods", "9211", "Cocoa plantation", "0127", "other_farm"),
    ("Carries sand and stones at a quarry", "9311", "Sand and stone quarry", "0810", "mine_quarry"),
    ("Sells water sachets at the station", "5212", "Street trade", "4781", "street"),
    ("Mixes mortar for builders", "9313", "Building site", "4100", "construction_site"),
)


def _coded_job(rng: random.Random) -> dict[str, Any]:
    """A job described in words, with its ISCO-08 and ISIC Rev.4 codes beside it."""
    tasks, occupation, place, industry, where = rng.choice(JOBS[:2] * 4 + JOBS[2:])
    paid = rng.choice(("unpaid", "unpaid", "cash", "in_kind"))
    answers: dict[str, Any] = {
        "occupation": tasks,
        "occupation_code": occupation,
        "industry": place,
        "industry_code": industry,
        "work_place": where,
        "pay_kind": paid,
    }
    if paid == "cash":
        answers.update({"earnings_amount": rng.choice((5, 10, 20)), "earnings_period": "day"})
    return answers


def _chores(rng: random.Random, hours_work: int) -> dict[str, Any]:
    """Chores split as MICS6 (water, firewood, other tasks), then their conditions."""
    if rng.random() < 0.25:
        return {"chores_water": 2, "chores_firewood": 2, "chores_other": 2}
    room = max(0, 168 - hours_work)
    water, other = min(rng.choice((2, 4, 7, 10)), room), min(rng.choice((3, 7, 14, 18)), room)
    answers: dict[str, Any] = {
        "chores_water": 1,
        "hours_water_7d": water,
        "chores_firewood": 2,
        "chores_other": 1,
        "chores_tasks": ["cooking", "cleaning"],
        "hours_chores_other_7d": other,
    }
    for condition in ("heavy_loads", "dangerous_equipment", "unhealthy", "unsafe_place", "night"):
        answers[f"chores_{condition}"] = 1 if rng.random() < 0.05 else 2
    return answers


def _trafficking(rng: random.Random, age: int) -> dict[str, Any]:
    recruited = age >= 10 and rng.random() < 0.3  # enough cases to profile (issue 17)
    answers: dict[str, Any] = {"tip_away_work_12m": 2, "tip_recruited": 1 if recruited else 2}
    if not recruited:
        return answers
    answers.update(
        {
            "tip_recruiter_relation": rng.choice(("friend", "intermediary", "parent")),
            "tip_hours_week": rng.choice((10, 30, 50)),
            "tip_recruit_method": ["through_family_or_family_events"],
            "tip_age_at_start": max(5, age - rng.randint(0, 3)),
            "tip_movement": rng.choice(("internal", "internal", "cross_border")),
            "tip_sector": [rng.choice(("agriculture", "domestic_work", "mining_or_drilling"))],
            "tip_exploitation": [rng.choice(("forced_labour", "child_labour", "servitude"))],
            "tip_control": [rng.choice(("debt_bondage", "takes_earnings", "withholds_documents"))],
            "tip_free_to_leave": 2,
            "tip_docs_holder": rng.choice(("employer", "recruiter_handler", "parent_guardian")),
            "tip_current": rng.choice((1, 2)),
        }
    )
    if answers["tip_movement"] == "cross_border":
        answers["tip_country"] = rng.choice(("ci", "ng", "bf"))
    answers.update(_chain(rng, answers.get("tip_country")))
    return answers


def _chain(rng: random.Random, country: str | None) -> dict[str, Any]:
    """Who took part, and where the child came from, passed through and was exploited."""
    others = ("intermediary", "transporter", "employer", "document_provider", "official")
    answers: dict[str, Any] = {
        "tip_roles": ["recruiter", *rng.sample(others, rng.randint(1, 3))],
        "tip_origin_place": rng.choice(("north_1", "north_1", "north_2", "east_2")),
        "tip_recruit_place": rng.choice(("north_1", "centre_1")),
        "tip_exploit_place": country or rng.choice(("centre_1", "south_1", "south_1")),
    }
    if rng.random() < 0.6:
        answers["tip_transit_place"] = "centre_1"
    return answers
