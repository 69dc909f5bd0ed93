"""Derived variables against the answers written out in tests/data/handmade.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldkit.dataset import DatasetError, Special
from fieldkit.indicators import (
    CTDC_BROAD,
    ILO_CL,
    AgeScheme,
    LabourInputs,
    TipInputs,
    add_age_band,
    add_child_labour,
    add_trafficking,
    recut,
    rule_set,
)
from fieldkit.indicators.labour_rules import Child, ilo_sna, mics6_dk_missing
from tests.conftest import REPO
from tests.data.handmade import EXPECTED, LABOUR, build_members, expected

ROSTER_KEYS = ("interview_id", "member")


@pytest.fixture(scope="module")
def members() -> Any:
    return build_members()


def _by_key(table: Any, column: str) -> dict[tuple[str, int], Any]:
    return {(r["interview_id"], r["member"]): r[column] for r in table.records()}


@pytest.mark.parametrize("column", [*EXPECTED, "work_school", "tip_child"])
def test_every_indicator_matches_the_hand_worked_answer(members: Any, column: str) -> None:
    found = _by_key(members, column)
    for key, answer in expected(column).items():
        assert found[key] == answer, (column, key)


def test_adults_get_no_child_indicator(members: Any) -> None:
    found = _by_key(members, "cl_ilo_sna")
    assert found[("hh01", 1)] is None and found[("hh01", 6)] is None  # 40 and 4 years old


def test_haz_is_its_own_flag(members: Any) -> None:
    haz = _by_key(members, "cl_ilo_haz")
    assert haz[("hh01", 5)] == 1  # 45 hours
    assert haz[("hh04", 4)] == 1  # chemicals and night work
    assert haz[("hh02", 5)] == 0  # 20 hours on the farm, nothing hazardous


def test_rules_are_three_valued() -> None:
    unknown_hours = Child(13, True, None, True, False, False, False, 0.0, False, True)
    assert ilo_sna(unknown_hours) is True  # hazardous: hours do not matter
    light = Child(13, True, None, False, False, False, False, 0.0, False, True)
    assert ilo_sna(light) is None  # depends on the unknown hours
    no_chores_hours = Child(9, False, 0.0, False, False, False, False, None, False, True)
    assert mics6_dk_missing(no_chores_hours) is None


def test_rule_sets_are_named_versioned_and_cited() -> None:
    sdg = rule_set("ilo_icls18_sna")
    assert sdg.version == "2008" and "18th ICLS" in sdg.source
    assert rule_set("unicef_mics6").version == "2019" and ">= 21" in rule_set("unicef_mics6").source
    legacy_gpb = rule_set("ilo_icls18_gpb", chores_5_14=28, chores_15_17=43)
    assert legacy_gpb.parameters == {"chores_5_14": 28, "chores_15_17": 43}
    assert "28 h" in legacy_gpb.outputs[0].definition
    with pytest.raises(DatasetError, match="unknown child labour rule set") as caught:
        rule_set("sdg_2030")
    assert caught.value.code == "FK-DATA-007"
    with pytest.raises(DatasetError) as renamed:
        rule_set("sdg_8_7_1_icls_2008")  # the old name: the hint gives the new one
    assert "renamed 'ilo_icls18_sna'" in (renamed.value.hint or "")


def test_legacy_chores_threshold_is_a_parameter(members: Any) -> None:
    add_child_labour(members, [rule_set("ilo_icls18_gpb", chores_5_14=28)], inputs=LABOUR)
    gpb28 = _by_key(members, "cl_ilo_gpb")
    assert gpb28[("hh02", 2)] == 1  # 7 years old, employed: SDG already
    assert gpb28[("hh01", 4)] == 0  # 13, 10 h work, 25 h chores: 21 h rule yes, 28 h rule no
    assert gpb28[("hh03", 5)] == 1  # 13, 28 h chores
    add_child_labour(members, ["ilo_icls18_gpb"], inputs=LABOUR)  # restore the default
    assert _by_key(members, "cl_ilo_gpb")[("hh01", 4)] == 1


def test_codebook_entries_cite_their_definitions(members: Any) -> None:
    for name in (*EXPECTED, "work_school", "tip_child", "tip_act", "age_band_ilo_cl"):
        variable = members.variable(name)
        assert variable.origin == "derived" and variable.definition and variable.source, name
    assert "hours_econ_7d" in members.variable("cl_ilo_sna").definition  # the input mapping
    assert "Palermo" in members.variable("tip_child").source


def test_missing_inputs_are_named(members: Any) -> None:
    with pytest.raises(DatasetError, match="lacks hours_worked") as caught:
        add_child_labour(members, inputs=LabourInputs(hours="hours_worked"))
    assert caught.value.code == "FK-DATA-006"
    with pytest.raises(DatasetError, match="trafficking flags"):
        add_trafficking(members, TipInputs(recruited="recruited"))


# --- age bands ---------------------------------------------------------------------------


def test_age_bands_from_exact_age(members: Any) -> None:
    ilo = _by_key(members, "age_band_ilo_cl")
    ctdc = _by_key(members, "age_band_ctdc_broad")
    assert (
        ilo[("hh01", 2)] == "5_11" and ilo[("hh01", 4)] == "12_14" and ilo[("hh01", 5)] == "15_17"
    )
    # 4 and 40: outside the scheme, kept apart from ages not stated
    assert ilo[("hh01", 6)] == "out_0_4" and ilo[("hh01", 1)] == "out_18_plus"
    assert ilo[("hh03", 7)] is Special.DONT_KNOW
    assert (
        ctdc[("hh01", 6)] == "0_8" and ctdc[("hh01", 4)] == "9_17" and ctdc[("hh01", 1)] == "39_47"
    )
    assert ILO_CL.totals_of(ILO_CL.totals[0]) == ("5_11", "12_14")  # 5-14


def test_user_defined_scheme_from_a_protocol_mapping(members: Any) -> None:
    national = AgeScheme.from_mapping("national", {"bands": ["5-13", "14-17"], "source": "Act 12"})
    add_age_band(members, national)
    assert _by_key(members, "age_band_national")[("hh01", 4)] == "5_13"
    assert members.variable("age_band_national").source == "Act 12"


def test_recut_is_exact_when_bands_nest() -> None:
    assert recut(["5_11", "12_14", None, "15_17"], ILO_CL, "child_adult") == [
        "child",
        "child",
        None,
        "child",
    ]
    assert recut(["18_20", "48_plus", "9_17"], CTDC_BROAD, "child_adult") == [
        "adult",
        "adult",
        "child",
    ]


@pytest.mark.parametrize(
    ("source", "target", "values", "message"),
    [
        ("ctdc_broad", "ilo_cl", ["0_8"], "band 0-8 into ilo_cl: it straddles 0-4, 5-11"),
        ("ilo_cl", "ctdc_broad", ["12_14", "5_11"], "band 5-11 into ctdc_broad: it straddles 0-8"),
        ("ilo_cl", "ctdc_broad", ["out_18_plus"], "band 18\\+ into ctdc_broad: it straddles"),
    ],
)
def test_recut_is_refused_when_a_band_found_straddles(
    source: str, target: str, values: list[str], message: str
) -> None:
    with pytest.raises(DatasetError, match=message) as caught:
        recut(values, source, target)
    assert caught.value.code == "FK-DATA-001"


def test_a_single_nesting_band_recuts_when_the_whole_scheme_does_not() -> None:
    assert recut(["12_14", None, "12_14"], ILO_CL, CTDC_BROAD) == ["9_17", None, "9_17"]
    assert recut(["15_17", "out_0_4"], ILO_CL, CTDC_BROAD) == ["9_17", "0_8"]
    assert recut(["out_0_4", "out_18_plus"], ILO_CL, "child_adult") == ["child", "adult"]


def test_ctdc_9_17_cannot_become_ilo_12_14() -> None:
    only_9_17 = AgeScheme("ctdc_children", (CTDC_BROAD.by_code("9_17"),))
    with pytest.raises(DatasetError, match="9-17 into ilo_cl: it straddles 5-11, 12-14, 15-17"):
        recut(["9_17"], only_9_17, ILO_CL)


@pytest.mark.parametrize(
    "bad",
    [{"bands": ["5-11", "10-14"]}, {"bands": ["5-x"]}, {"bands": ["5-11"], "totals": ["12-14"]}],
)
def test_malformed_schemes_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(DatasetError) as caught:
        AgeScheme.from_mapping("bad", bad)
    assert caught.value.code == "FK-DATA-002"


def test_unknown_scheme_and_band() -> None:
    with pytest.raises(DatasetError, match="unknown age-band scheme") as caught:
        recut(["5_11"], "unicef", ILO_CL)
    assert caught.value.code == "FK-DATA-002"
    with pytest.raises(DatasetError, match="'5_9' is not a band"):
        recut(["5_9"], ILO_CL, "child_adult")


# --- trafficking -------------------------------------------------------------------------


def test_trafficking_elements_are_separate_flags(members: Any) -> None:
    row = {(r["interview_id"], r["member"]): r for r in members.records()}
    debt = row[("hh01", 5)]  # recruited at 14, forced labour, debt bondage and threats
    assert (debt["tip_act"], debt["tip_worst_form"], debt["tip_exploit"]) == (1, 1, 1)
    assert debt["tip_below_min_age"] == 1 and debt["tip_movement_type"] == 1
    # debt bondage and threats chosen; papers kept by the employer: documents withheld too
    assert debt["moc_debt_bondage"] == debt["moc_threats"] == debt["moc_withholds_documents"] == 1
    mine = row[("hh04", 4)]  # exploitation not known, but mining: hazardous work, C182 3(d)
    assert mine["tip_worst_form"] is None and mine["tip_hazardous"] == 1
    assert mine["tip_exploit"] == 1 and mine["tip_movement_type"] == 2
    assert mine["moc_withholds_documents"] == 1
    dusty = row[("hh02", 6)]  # recruited at 16, 'other' work, but 30 h with dust: hazardous
    assert (dusty["tip_act"], dusty["tip_worst_form"], dusty["tip_hazardous"]) == (1, 0, 1)
    assert dusty["tip_child"] == 1
    light = row[("hh06", 5)]  # recruited at 13, hours of that work unknown: light work or not?
    assert light["tip_below_min_age"] is None and light["tip_child"] is None
    refused = row[("hh05", 5)]  # act refused: forced labour alone is not trafficking
    assert (
        refused["tip_act"] is None and refused["tip_exploit"] == 1 and refused["tip_child"] is None
    )
    assert members.variable("moc_debt_bondage").source == (
        "HTCDS v2.0 (IOM) vic_MethodsOfControl DebtBondage; "
        "CTDC global dataset codebook (v6) meansOfControlDebtBondage"
    )


def test_means_are_not_required_for_children(members: Any) -> None:
    row = {(r["interview_id"], r["member"]): r for r in members.records()}
    no_means = row[("hh02", 6)]  # recruited at 16 into hazardous work, no means of control
    assert no_means["moc_threats"] == 0 and no_means["tip_child"] == 1


def test_the_household_instrument_feeds_the_default_mappings() -> None:
    if not (REPO / "protocols").is_dir() or not any((REPO / "protocols").glob("*.yaml")):
        pytest.skip("the shipped protocols are not written yet")
    from fieldkit.project import load_project

    project = load_project([REPO / "protocols", REPO / "instruments"])
    if "household_cl" not in project.forms:
        pytest.skip("household instrument does not compile yet")
    form = project.form("household_cl")
    roster = {name for q in form.repeats() for name in q.members}
    for name in LabourInputs().names():
        assert name in roster, name
    tip = TipInputs()
    for name in (tip.recruited, tip.movement, tip.exploitation, tip.control, tip.docs_holder):
        assert name in roster, name
    assert Path(form.source or "").name == "household.yaml"


def test_optional_trafficking_inputs_may_be_absent(members: Any) -> None:
    from fieldkit.dataset import Table

    keep = [v for v in members.variables if "sector" not in v.name and v.origin != "derived"]
    table = Table("street", keep)
    for record in members.records():
        table.append([record[v.name] for v in keep])
    fitted = TipInputs().fitted(table)
    assert fitted is not None and fitted.sector is None and fitted.movement == "tip_movement"
    add_trafficking(table, fitted)
    mine = {(r["interview_id"], r["member"]): r for r in table.records()}[("hh04", 4)]
    assert mine["tip_hazardous"] is None  # no sector, hours or HAZ flag: cannot tell
    assert TipInputs(recruited="recruited").fitted(table) is None


def test_an_adapted_instrument_uses_the_inputs_it_asks() -> None:
    """The mini survey asks no industry code and chores as one total: the household
    mapping fits it, the SNA rule is computed, the chores-based rules are not."""
    from fieldkit.dataset import flatten
    from fieldkit.indicators import derive_all
    from tests.data.handmade import compile_form, stream

    table = flatten(compile_form(), *stream(), role="statistician").table("mini_household__members")
    added = {v.name for v in derive_all(table)}
    assert {"cl_ilo_sna", "cl_ilo_haz", "work_school"} <= added
    assert not {"cl_ilo_gpb", "cl_unicef_mics6"} & added  # no MICS6 chores parts asked
    assert "industry=None" in (table.variable("cl_ilo_sna").definition or "")
    expected_sna = expected("cl_ilo_sna")
    assert _by_key(table, "cl_ilo_sna") == {
        **{k: v for k, v in _by_key(table, "cl_ilo_sna").items() if k not in expected_sna},
        **expected_sna,
    }


@pytest.mark.parametrize(
    ("movement", "country", "citizenship", "expected"),
    [
        ("internal", None, "bj", 1),
        (Special.DONT_KNOW, "ng", "bj", 2),  # not answered: countries differ, cross-border
        (Special.DONT_KNOW, "bj", "bj", 1),
        (Special.DONT_KNOW, "other_country", "bj", 2),  # 'other' is surely not Benin
        (Special.DONT_KNOW, "other_country", "other_country", None),  # maybe two countries
        (Special.DONT_KNOW, "ng", "stateless", None),
        (Special.DONT_KNOW, None, "bj", None),
    ],
)
def test_movement_when_not_answered(
    movement: Any, country: Any, citizenship: Any, expected: Any
) -> None:
    from fieldkit.indicators.tip_rules import movement as movement_type

    row = {"tip_movement": movement, "tip_country": country, "citizenship": citizenship}
    assert movement_type(row, TipInputs()) == expected


def test_a_parent_can_be_the_trafficker_and_light_work_is_not_exploitation() -> None:
    from fieldkit.indicators.tip_rules import exploitation, tip_child

    by_parent = {
        "age": 14,
        "tip_recruited": 1,
        "tip_recruiter_relation": "parent",
        "tip_age_at_start": 13,
        "tip_hours_week": 10,
        "tip_exploitation": "other",
        "tip_sector": "agriculture",
        "tip_control": "none",
        "cl_ilo_haz": 0,
    }
    assert exploitation(by_parent, TipInputs()) is False  # light work at 13: 10 h, safe
    assert tip_child(by_parent, TipInputs()) is False
    long_hours = {**by_parent, "tip_hours_week": 20}  # not light work at 13
    assert tip_child(long_hours, TipInputs()) is True
    hazardous = {**by_parent, "cl_ilo_haz": 1}  # recruited into hazardous work
    assert tip_child(hazardous, TipInputs()) is True
    at_eleven = {**by_parent, "tip_age_at_start": 11}  # below the light-work age
    assert tip_child(at_eleven, TipInputs()) is True
    organs = {**by_parent, "tip_exploitation": "organ_removal"}
    assert tip_child(organs, TipInputs()) is True
