"""Synthetic interviews for the workplace and school surveys (protocol workplace_school_surveys).

Establishments follow ``instruments/establishment.yaml``: an owner or manager answers for the
workforce (a quarter employ no one under 18); where children work, up to three of them are
interviewed in private on their own assent, the way the protocol allows. Pupils follow
``instruments/school.yaml``: a guardian consents and the pupil assents (a few say no); about
a third work outside school hours, mostly for their family. Names are invented.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fieldkit.demo.profiles import background, band, chance, consent_for_child, place, recent_day

__all__ = ["establishment_script", "school_script"]

SCREENING = {"safe_to_proceed": 1, "controller_present": 2}
SECTORS = (
    # ISIC section, description, its ISIC Rev.4 class (coded in the office), hazards seen
    ("c_manufacturing", "Casts aluminium pots from scrap", "2432", ("heavy_loads", "fire_flames")),
    (
        "a_agriculture",
        "Cocoa farm: weeding, harvesting and breaking pods",
        "0127",
        ("dangerous_tools",),
    ),
    ("b_mining", "Small-scale gold mining pit and washing site", "0729", ("underground", "water")),
    ("g_trade", "Wholesale of grain at the market", "4620", ("heavy_loads",)),
    ("i_accommodation_food", "Chop bar serving meals day and night", "5610", ("fire_flames",)),
    (
        "f_construction",
        "Block making and building sites",
        "2395",
        ("heavy_loads", "dust_fumes_gas"),
    ),
    ("h_transport", "Lorry park loading and unloading", "5224", ("heavy_loads", "noise_vibration")),
)
TASKS = (
    # a child's tasks and their ISCO-08 unit group (freight handlers, manufacturing labourers,
    # hand packers, kitchen helpers)
    ("Carries loads", "9333"),
    ("Works the furnace bellows", "9329"),
    ("Washes and sorts", "9321"),
    ("Serves and cleans", "9412"),
)
COUNTS = ("n_boys_5_11", "n_girls_5_11", "n_boys_12_14", "n_girls_12_14", "n_boys_15_17")


def establishment_script(number: int, seed: int, today: dt.date) -> dict[str, Any]:
    """Establishment ``number``: an answer-file mapping (no answers when the owner says no)."""
    rng = random.Random(f"{seed}-establishment-{number}")
    owner_age = rng.randint(28, 66)
    script: dict[str, Any] = {
        "instrument": "establishment_cl",
        "enumerator": f"W{1 + number % 3:02d}",
        "language": "en",
        "screening": dict(SCREENING),
        "consent": {"respondent_age": owner_age, "adult": 1, "others_present": ["nobody"]},
        "answers": {},
    }
    if number % 13 == 2:  # an owner who will not talk about the children working there
        script["consent"] = {"respondent_age": owner_age, "adult": 2}
        return script
    script["consent"]["language"] = "en"
    sector, activity, isic, hazards = rng.choice(SECTORS)
    answers: dict[str, Any] = {
        "est_id": 100 + number,
        **place(rng),
        "visit_date": recent_day(rng, today),
        "enumerator_code": 40 + number % 3,
        "est_name": f"{rng.choice(('Nyarko', 'Baah', 'Sow', 'Kone'))} works {number} (synthetic)",
        "est_gps": f"{rng.uniform(5, 11):.4f} {rng.uniform(-3, 1):.4f}",
        "respondent_role": rng.choice(("owner", "owner", "manager", "supervisor")),
        "isic_section": sector,
        "activity_description": activity,
        "isic_code": isic,
        "registered": rng.choice((1, 2, 2, "dk")),
    }
    answers.update(_workforce(rng, hazards))
    script["answers"] = answers
    return script


def _workforce(rng: random.Random, hazards: tuple[str, ...]) -> dict[str, Any]:
    workers = rng.randint(3, 40)
    answers: dict[str, Any] = {"n_workers": workers}
    children = 0 if chance(rng, 0.25) else rng.randint(1, min(8, workers))
    split = [0] * 6
    for _ in range(children):
        split[rng.choice((0, 1, 2, 2, 3, 4, 4, 5))] += 1
    answers.update(dict(zip((*COUNTS, "n_girls_15_17"), split, strict=True)))
    answers["hazards_observed"] = list(hazards) if children or chance(rng, 0.5) else ["none"]
    if children:
        youngest = 5 if split[0] or split[1] else (12 if split[2] or split[3] else 15)
        answers.update(_children_at_work(rng, youngest + rng.randint(0, 2)))
        answers.update(_conditions(rng))
        interviews = min(children, rng.randint(0, 3))
        answers["n_child_interviews"] = interviews
        if interviews:
            roster = [_child_worker(rng, hazards) for _ in range(interviews)]
            answers["child_workers_roster"] = roster
    return answers


def _children_at_work(rng: random.Random, youngest: int) -> dict[str, Any]:
    return {
        "youngest_age": youngest,
        "hours_day": rng.choice((4, 6, 8, 10, 12)),
        "days_week": rng.choice((5, 6, 6, 7)),
        "night_work": 1 if chance(rng, 0.1) else 2,
        "pay_type": rng.choice((1, 2, 3, 4, 5, "rf")),
        "hiring_channel": rng.choice(("family", "family", "walk_in", "recruiter")),
        "hire_reasons": rng.choice((["cheaper"], ["learn_trade"], ["help_family", "cheaper"])),
        "lodging_on_site": rng.choice((1, 2, 2)),
        "free_to_leave": 1 if chance(rng, 0.85) else 2,
        "docs_held_by_employer": 2 if chance(rng, 0.9) else 1,
        "child_injury_12m": rng.choice((1, 2, 2, 2, "dk")),
    }


def _conditions(rng: random.Random) -> dict[str, Any]:
    """Working conditions and benefits of the workers under 18 (ILO Book 2, 2.4.2)."""
    return {
        "u18_contract": 1 if chance(rng, 0.1) else 2,
        "u18_benefits": rng.choice((["meals"], ["meals", "lodging"], ["training"], ["none"])),
        "u18_safety": rng.choice((["drinking_water"], ["rest_breaks", "toilets"], ["none"])),
        "u18_daily_pay": rng.choice((0, 10, 15, 20, 30)),
        "u18_pay_vs_adults": rng.choice(("less", "less", "same", "not_comparable")),
    }


def _child_worker(rng: random.Random, hazards: tuple[str, ...]) -> dict[str, Any]:
    if chance(rng, 0.1):
        return {"cw_private": 2}  # no private place to talk: not interviewed
    if chance(rng, 0.1):
        return {"cw_private": 1, "cw_assent": 2}
    age = rng.randint(9, 17)
    recruited = chance(rng, 0.2)
    child: dict[str, Any] = {
        "cw_private": 1,
        "cw_assent": 1,
        "sex": rng.choice((1, 1, 2)),
        "age": age,
        **background(rng, born_abroad=0.15),
        **dict(zip(("cw_tasks", "cw_occupation_code"), rng.choice(TASKS), strict=True)),
        "cw_age_started": max(3, age - rng.randint(0, 4)),
        "cw_hours_7d": rng.choice((12, 20, 30, 42, 50, 60)),
        "cw_night_work": 1 if chance(rng, 0.1) else 2,
        "cw_hazards": list(hazards[:1]) if chance(rng, 0.7) else ["none"],
        "cw_injury_12m": ["wound_cut"] if chance(rng, 0.2) else ["none"],
        "cw_pay": rng.choice((1, 2, 3, 4, 5)),
        "cw_in_school": 1 if chance(rng, 0.4) else 2,
        "cw_sleeps_at_work": 1 if chance(rng, 0.2) else 2,
        "cw_recruited": 1 if recruited else 2,
        "cw_movement": rng.choice(("none", "none", "internal", "cross_border")),
        "cw_free_to_leave": 1 if chance(rng, 0.8) else 2,
        "cw_docs_holder": rng.choice(("parent_guardian", "no_documents", "self", "employer")),
        "cw_control": ["none"] if chance(rng, 0.7) else ["takes_earnings"],
        "cw_referral": 1 if chance(rng, 0.3) else 2,
    }
    if recruited:
        child["cw_recruiter_relation"] = rng.choice(("parent", "other_relative", "intermediary"))
    return child


def school_script(number: int, seed: int, today: dt.date) -> dict[str, Any]:
    """Pupil ``number`` (two per school visited): an answer-file mapping."""
    rng = random.Random(f"{seed}-pupil-{number}")
    age = rng.randint(8, 17)
    consent = consent_for_child(rng, age)
    if number % 11 == 3:  # the letter home came back signed "no"
        consent = {"respondent_age": age, "guardian": 2}
    script: dict[str, Any] = {
        "instrument": "school_cl",
        "enumerator": f"S{1 + number % 2:02d}",
        "language": "en",
        "screening": dict(SCREENING),
        "consent": consent,
        "answers": {},
    }
    if consent.get("assent") != 1:
        return script
    school = number // 2
    answers: dict[str, Any] = {
        "school_id": 10 + school,
        "school_type": rng.choice(("public", "public", "private", "religious")),
        **place(random.Random(f"{seed}-school-{school}")),  # both pupils: the school's place
        "visit_date": recent_day(rng, today),
        "enumerator_code": 90 + number % 2,
        "pupil_ref": number % 2 + 1,
        "grade": max(1, min(13, age - 5 - rng.choice((0, 0, 1, 2)))),
        "absent_4w_register": rng.choice((0, 0, 1, 2, 5, 9, "dk")),
        "sex": rng.choice((1, 2)),
        "age": "dk" if chance(rng, 0.04) else age,
        **background(rng, born_abroad=0.05),
        "parent_occupation": rng.choice((5, 6, 6, 7, 9, 9, 96, "dk")),
    }
    if answers["age"] == "dk":
        answers["age_band_est"] = band(age)
    answers.update(_pupil_days(rng, age))
    answers.update(_school_management(seed, school, first=number % 2 == 0))
    script["answers"] = answers
    return script


def _school_management(seed: int, school: int, *, first: bool) -> dict[str, Any]:
    """The head teacher and the registers, asked once per school visit (with its first
    pupil): enrolment, attendance, drop-outs and teaching conditions."""
    if not first:
        return {"head_interview": 2}
    rng = random.Random(f"{seed}-head-{school}")
    return {
        "head_interview": 1,
        "enrolled_boys": rng.randint(80, 400),
        "enrolled_girls": rng.randint(80, 400),
        "attendance_rate_4w": rng.randint(60, 95),
        "dropouts_year": rng.randint(0, 25),
        "dropout_reasons": rng.choice((["work", "cost"], ["migration"], ["chores", "distance"])),
        "seasonal_absence": rng.choice((1, 1, 2)),
        "teachers": rng.randint(4, 20),
        "teaching_conditions": rng.choice((["overcrowded", "no_textbooks"], ["none"])),
    }


def _pupil_days(rng: random.Random, age: int) -> dict[str, Any]:
    working = chance(rng, 0.2 + 0.02 * (age - 8))
    absent = rng.choice((0, 0, 0, 1, 2)) + (1 if working and chance(rng, 0.5) else 0)
    answers: dict[str, Any] = {"absent_7d_pupil": absent}
    if absent:
        answers["absence_reason"] = ["work"] if working else [rng.choice(("illness", "chores"))]
    answers["tired_in_class"] = rng.choice((1, 2, 2, 3)) if working else rng.choice((1, 1, 2))
    answers["work_7d"] = 1 if working else 2
    hours = 0
    if working:
        hours = rng.choice((4, 8, 12, 16, 24))
        answers.update(
            {
                "hours_work_7d": hours,
                "work_type": rng.choice(("a_agriculture", "g_trade", "g_trade", "t_households")),
                "work_timing": rng.choice((["after_school"], ["before_school", "weekend"])),
                "paid": 1 if chance(rng, 0.3) else 2,
                "for_whom": "family" if chance(rng, 0.8) else "other",
                "hazard_exposures": ["heavy_loads"] if chance(rng, 0.3) else ["none"],
            }
        )
    answers["chores_hours_7d"] = min(rng.choice((2, 5, 9, 14)), 168 - hours)
    answers["offered_work_away"] = 1 if chance(rng, 0.05) else 2
    if answers["offered_work_away"] == 1:
        answers["offer_from"] = rng.choice(("other_relative", "friend", "unknown"))
    answers["wants_to_leave_for_work"] = rng.choice((2, 2, 2, 1, "dk"))
    answers["referral"] = 1 if working and chance(rng, 0.3) else 2
    return answers
