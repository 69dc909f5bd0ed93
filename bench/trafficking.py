"""Generated children for the ``profile`` and ``routes`` stages: a household survey's roster
of children (sample design: stratum = district, PSU = cluster of 20 households, weights),
with the characteristics a vulnerability profile breaks down by, the trafficking flag and,
for children recruited away, the coded places of their journey."""

from __future__ import annotations

import random

from fieldkit.dataset import Dataset, StudyInfo, Table, Variable, VarType
from fieldkit.dataset.table import Cell, Text
from fieldkit.instrument.form import SampleDesign

SIZES = {"tiny": (3, 150), "small": (20, 1_000), "national": (200, 1_000)}
"""districts, households per district (as the merge bench's sizes)"""
BY = ["sex", "age_band", "origin_district", "ethnicity"]
"""What the profile stage breaks tip_child down by."""

_YES_NO: dict[Cell, Text] = {1: {"en": "Yes"}, 0: {"en": "No"}}
_ABROAD = ("bf", "ci", "ml", "ng", "tg")


def _code(name: str, labels: dict[Cell, Text]) -> Variable:
    return Variable(name, {"en": name}, VarType.CODE, labels)


def _variables(places: dict[Cell, Text], districts: dict[Cell, Text]) -> list[Variable]:
    return [
        Variable("interview_id", {"en": "id"}, VarType.KEY),
        Variable("stratum", {"en": "stratum"}, VarType.INTEGER),
        Variable("cluster", {"en": "cluster"}, VarType.INTEGER),
        Variable("hh_weight", {"en": "weight"}, VarType.DECIMAL),
        _code("sex", {1: {"en": "Male"}, 2: {"en": "Female"}}),
        _code(
            "age_band", {"5_11": {"en": "5-11"}, "12_14": {"en": "12-14"}, "15_17": {"en": "15-17"}}
        ),
        _code("origin_district", districts),
        _code("ethnicity", {i: {"en": f"Group {i}"} for i in range(1, 6)}),
        _code("tip_child", _YES_NO),
        _code("tip_origin_place", places),
        _code("tip_transit_place", places),
        _code("tip_exploit_place", places),
    ]


def generated(size: str, seed: int = 2027) -> Dataset:
    """About 2.5 children a household; 6% trafficked, more from the poorer half of the
    districts; the recruited name an origin, often a transit town, and a destination."""
    n_districts, households = SIZES[size]
    rng = random.Random(seed)
    codes = [f"d{i:03}" for i in range(n_districts)]
    districts: dict[Cell, Text] = {c: {"en": f"District {c}"} for c in codes}
    places: dict[Cell, Text] = {**districts, **{c: {"en": c.upper()} for c in _ABROAD}}
    towns = codes[: max(3, n_districts // 10)]  # transit and destination hubs
    children = Table("hh__members", _variables(places, districts))
    main = Table("hh", [Variable("interview_id", {"en": "id"}, VarType.KEY)])
    for d, district in enumerate(codes):
        poor = d % 2 == 0
        for h in range(households):
            hh_id = f"{district}-{h:05}"
            main.append((hh_id,))
            weight = round(rng.uniform(80, 400), 2)
            for _ in range(rng.choice((1, 2, 2, 3, 3, 4))):
                trafficked = int(rng.random() < (0.09 if poor else 0.03))
                route: tuple[Cell, Cell, Cell] = (None, None, None)
                if trafficked or rng.random() < 0.02:
                    transit = rng.choice(towns) if rng.random() < 0.6 else None
                    exploit = rng.choice(towns) if rng.random() < 0.85 else rng.choice(_ABROAD)
                    route = (district, transit, exploit)
                children.append(
                    (
                        hh_id, d + 1, d * 1000 + h // 20, weight,
                        rng.choice((1, 2)), rng.choice(("5_11", "12_14", "15_17")),
                        district, rng.randint(1, 5), trafficked, *route,
                    )
                )  # fmt: skip
    study = StudyInfo(
        title={"en": "bench"},
        protocol_id="bench",
        form_id="bench",
        form_title={"en": "bench"},
        form_version="1",
        form_hash="0" * 64,
        kind="household",
        data_use_statement={"en": "bench"},
        methodology={"en": "bench"},
        sample_design=SampleDesign(psu="cluster", weight="hh_weight", stratum="stratum"),
    )
    return Dataset(study, "en", {"hh": main, children.name: children}, main="hh")
