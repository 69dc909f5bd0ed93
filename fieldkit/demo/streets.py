"""Synthetic records for the rapid assessment protocol: street children and research tools.

Street interviews follow ``instruments/street.yaml``: children met at markets, lorry parks
and junctions by time slot; some live on the street with no guardian reachable and are
interviewed under the protocol's documented exception (``street_living_no_guardian``), a few
refuse, and a visit with a controlling adult nearby is stopped at the screening. Rapid
assessment records follow ``instruments/rapid_assessment.yaml``: key-informant interviews,
observation sheets, focus groups and short child interviews at the same sites, each with low
and high estimates where the tool gives them. Everything is invented.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from fieldkit.demo.profiles import background, band, chance, consent_for_child, place, recent_day

__all__ = ["rapid_script", "street_script"]

SCREENING = {"safe_for_team": 1, "controller_present": 2, "reprisal_risk": 2}
SITES = ("market", "transport_hub", "junction", "dumpsite")
SLOTS = ("morning", "afternoon", "evening", "night")
ACTIVITIES = (["vending"], ["porter"], ["begging"], ["car_washing", "vending"], ["scavenging"])
EXCEPTION = "street_living_no_guardian"


def street_script(number: int, seed: int, today: dt.date) -> dict[str, Any]:
    """Street child ``number``: an answer-file mapping."""
    rng = random.Random(f"{seed}-street-{number}")
    age = rng.randint(7, 17)
    living = chance(rng, 0.35)  # sleeps on the street: usually no guardian to ask
    script: dict[str, Any] = {
        "instrument": "street_cl",
        "enumerator": f"T{1 + number % 2:02d}",
        "language": "en",
        "screening": dict(SCREENING),
        "consent": consent_for_child(rng, age, exception=EXCEPTION if living else None),
        "answers": {},
    }
    if number % 17 == 4:  # a handler watches: the team stops before any question
        script["screening"] = {"safe_for_team": 1, "controller_present": 1}
        script["consent"] = {}
        return script
    if number % 7 == 5 and "assent" in script["consent"]:  # the child says no, whoever agreed
        script["consent"] = {**script["consent"], "assent": 2}
        script["consent"].pop("others_present", None)
        script["consent"].pop("language", None)
    if script["consent"].get("assent") != 1:
        return script
    site = number // 4
    visit = random.Random(f"{seed}-site-{site}")
    answers: dict[str, Any] = {
        "site_id": 1 + site,
        "site_type": visit.choice(SITES),
        **place(visit),
        "visit_date": recent_day(visit, today),
        "visit_slot": visit.choice(SLOTS),
        "interview_time": f"{rng.randint(6, 21):02d}:{rng.choice((0, 15, 30, 45)):02d}",
        "children_counted": visit.randint(8, 60),
        "child_seq": number % 4 + 1,
        "enumerator_code": 60 + number % 2,
        "sex": rng.choice((1, 1, 2)),
        "age": age,
        **_origin(rng),
    }
    answers.update(_street_life(rng, age, living))
    answers.update(_trafficking(rng, age))
    answers.update(_employer_or_client(rng, age))
    answers["referral"] = rng.choice(("accepted", "info_only", "not_needed"))
    answers["interview_end"] = "completed" if chance(rng, 0.9) else "child_stopped"
    script["answers"] = answers
    return script


def _origin(rng: random.Random) -> dict[str, Any]:
    answers = background(rng, born_abroad=0.25)
    if answers["birthplace"] == "abroad":
        answers["birth_country"] = answers["citizenship"]
    return answers


def _street_life(rng: random.Random, age: int, living: bool) -> dict[str, Any]:
    return {
        "slept_last_night": "street" if living else rng.choice(("home", "home", "workplace")),
        "family_contact": rng.choice(("never", "monthly")) if living else "daily",
        "typology": 1 if living else rng.choice((2, 2, 3)),
        "age_first_street": max(4, age - rng.randint(0, 5)),
        "activity": rng.choice(ACTIVITIES),
        "hours_7d": rng.choice((15, 25, 35, 50, 63, "dk")),
        "street_night_work": 1 if living and chance(rng, 0.5) else 2,
        "street_hazards": rng.choice((["traffic"], ["heavy_loads", "dust_fumes_gas"], ["none"])),
        "earnings_day": rng.choice((500, 800, 1200, 1500, 2500, "rf")),
        "who_keeps_earnings": rng.choice(("self", "self", "parent", "handler")),
        "handler_present": 1 if chance(rng, 0.15) else 2,
        "in_school": 2 if living or chance(rng, 0.4) else 1,
        "violence_12m": ["none"] if chance(rng, 0.5) else [rng.choice(("police", "peers"))],
        "substance_use": ["none"] if chance(rng, 0.7) else ["tobacco"],
    }


def _trafficking(rng: random.Random, age: int) -> dict[str, Any]:
    movement = rng.choice(("none", "none", "internal", "internal", "cross_border"))
    recruited = movement != "none" and chance(rng, 0.4)
    answers: dict[str, Any] = {"tip_movement": movement}
    if movement == "cross_border":
        answers["tip_country"] = rng.choice(("bf", "tg", "ci"))
    answers["tip_recruited"] = 1 if recruited else 2
    if recruited:
        answers.update(
            {
                "tip_recruiter_relation": rng.choice(("parent", "other_relative", "intermediary")),
                "tip_recruit_method": ["through_friends_or_social_events"],
                "tip_age_at_start": max(5, age - rng.randint(0, 3)),
            }
        )
    controlled = recruited and chance(rng, 0.6)
    answers.update(
        {
            "tip_control": ["takes_earnings", "physical_threats"] if controlled else ["none"],
            "tip_free_to_leave": 2 if controlled else 1,
            "tip_docs_holder": rng.choice(("no_documents", "parent_guardian", "self")),
            "tip_exploitation": ["forced_labour"] if controlled else ["child_labour"],
        }
    )
    return answers


def _employer_or_client(rng: random.Random, age: int) -> dict[str, Any]:
    """The adult who employs the child or buys from the child, asked out of the child's
    hearing (ILO Book 2, 2.4.3); often nobody is there or willing."""
    role = rng.choice(("employer", "handler", "regular_client", "occasional_client", "nobody"))
    answers: dict[str, Any] = {"ec_role": role}
    if role == "nobody":
        return answers
    answers["ec_payment"] = rng.choice(("pays_child", "pays_other", "in_kind", "no_pay"))
    if role in ("employer", "handler"):
        answers["ec_hours_day"] = rng.choice((6, 8, 10, 12))
    answers["ec_age_guess"] = "under_12" if age < 12 else band(age)
    answers["ec_reasons"] = rng.choice((["cheaper"], ["help_child"], ["obedient", "cheaper"]))
    return answers


TOOLS = ("kii", "obs", "fgd", "child_int", "short_q")


def rapid_script(number: int, seed: int, today: dt.date) -> dict[str, Any]:
    """Rapid-assessment record ``number``: one use of a research tool at a site."""
    rng = random.Random(f"{seed}-rapid-{number}")
    tool = TOOLS[number % len(TOOLS)]
    site = random.Random(f"{seed}-rapid-site-{number // len(TOOLS)}")
    answers: dict[str, Any] = {
        "site_id": 50 + number // len(TOOLS),
        **place(site),
        "visit_date": recent_day(site, today, 10),
        "start_time": f"{rng.randint(5, 20):02d}:{rng.choice((0, 30)):02d}",
        "tool": tool,
        "record_seq": 1 + number // len(TOOLS),
        "researcher_code": 2 + number % 3,
    }
    age = rng.randint(10, 17) if tool == "child_int" else rng.randint(24, 64)
    if tool == "child_int":
        consent = consent_for_child(rng, age, refuse=0.1)
    else:
        consent = {"respondent_age": age, "adult": 1, "others_present": ["nobody"]}
        consent["language"] = "en"
    script: dict[str, Any] = {
        "instrument": "rapid_assessment_cl",
        "enumerator": f"R{2 + number % 3:02d}",
        "language": "en",
        "screening": dict(SCREENING),
        "consent": consent,
        "answers": {},
    }
    if consent.get("adult", consent.get("assent")) != 1:
        return script
    answers.update(_TOOL_SECTIONS[tool](rng, age))
    if tool in ("kii", "obs", "fgd"):
        answers.update(_estimates(rng))
    answers["theme_codes"] = rng.choice((["recruitment", "routes"], ["working_conditions"]))
    # points of vulnerability: the capital's bus terminal above all (issue 17)
    answers["vuln_points"] = [
        "centre_1",
        *rng.sample(("north_1", "bf", "south_1"), rng.randint(0, 2)),
    ]
    answers["triangulated_with"] = rng.choice((["obs"], ["kii", "secondary_data"], ["none_yet"]))
    answers["notes"] = "Synthetic record for the demo."
    script["answers"] = answers
    return script


def _informant(rng: random.Random, _age: int) -> dict[str, Any]:
    return {
        "informant_type": rng.choice(("ngo", "teacher", "leader", "local_worker", "official")),
        "ki_knowledge_basis": rng.choice(("direct", "direct", "occasional", "records")),
        "ki_years_known": rng.choice((1, 3, 6, 10, "dk")),
    }


def _observation(rng: random.Random, _age: int) -> dict[str, Any]:
    return {
        "obs_place_type": rng.choice(("market", "transport_hub", "junction", "farm")),
        "obs_minutes": rng.choice((60, 90, 120)),
        "obs_children_seen": rng.randint(5, 80),
        "obs_adults_directing": rng.randint(0, 6),
        "obs_arrivals": rng.choice((1, 2)),
    }


def _focus_group(rng: random.Random, _age: int) -> dict[str, Any]:
    size = rng.randint(6, 12)
    shares = [0] * 8
    for _ in range(size):
        shares[rng.randrange(8)] += 1
    names = [
        f"fgd_{who}_{ages}" for ages in ("5_11", "12_14", "15_17") for who in ("boys", "girls")
    ]
    group: dict[str, Any] = {
        "fgd_participant_type": rng.choice(("children", "parents", "mixed")),
        "fgd_n_participants": size,
        **dict(zip([*names, "fgd_men", "fgd_women"], shares, strict=True)),
        "fgd_visual_aids": rng.choice((1, 2)),
    }
    return group


def _child(rng: random.Random, age: int) -> dict[str, Any]:
    child: dict[str, Any] = {
        "sex": rng.choice((1, 2)),
        "age": "dk" if chance(rng, 0.1) else age,
        **background(rng, born_abroad=0.2),
        "child_hours_7d": rng.choice((10, 20, 35, 56)),
        "child_in_school": rng.choice((1, 2, 2)),
    }
    if child["age"] == "dk":
        child["age_band_est"] = band(age)
    return child


_TOOL_SECTIONS = {
    "kii": _informant,
    "short_q": _informant,
    "obs": _observation,
    "fgd": _focus_group,
    "child_int": _child,
}


def _estimates(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for group in ("boys_5_11", "girls_5_11", "boys_12_14", "girls_12_14"):
        low = rng.choice((0, 2, 5, 10, 20))
        answers[f"est_low_{group}"] = low
        answers[f"est_high_{group}"] = low * rng.choice((2, 3)) + rng.randint(0, 5)
    for group in ("boys_15_17", "girls_15_17"):  # the age the informants were least sure of
        answers[f"est_low_{group}"] = "dk"
        answers[f"est_high_{group}"] = "dk"
    answers.update(
        {
            "forms_of_work": rng.choice((["peddling", "transportation"], ["agriculture"])),
            "hazards_observed": rng.choice((["heavy_loads", "traffic"], ["none"], ["night_work"])),
            "adult_control": rng.choice(("none", "supervision", "coercive")),
            "recruitment_pathway": ["through_family_or_family_events"],
            "movement": rng.choice(("internal", "cross_border", "dk")),
        }
    )
    return answers
