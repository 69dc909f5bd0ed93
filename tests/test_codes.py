"""ISIC Rev.4 and ISCO-08 code lists, and the national hazardous work list in a protocol."""

from __future__ import annotations

import pytest

from fieldkit.dataset import DatasetError, Special
from fieldkit.indicators.codes import DEFAULT_HAZARDOUS, HazardousList, isco08, isic_rev4
from fieldkit.indicators.codes import normalise_code as code
from tests.conftest import PROTOCOL_YAML, REPO
from tests.test_protocol import compile_protocol


def test_the_shipped_lists_have_the_published_structure() -> None:
    isic = isic_rev4()
    assert len(isic.titles) == 419  # ISIC Rev.4: 21 sections, 88 divisions, 238 groups
    assert len({c[:2] for c in isic.titles}) == 88 and len({c[:3] for c in isic.titles}) == 238
    assert set(isic.section_of.values()) == set("ABCDEFGHIJKLMNOPQRSTU")
    assert isic.titles["0510"] == "Mining of hard coal (anthracite)"
    assert isic.section_of["4100"] == "F"
    isco = isco08()
    assert len(isco.titles) == 436  # ISCO-08: 10 major, 43 sub-major, 130 minor groups
    assert len({c[:2] for c in isco.titles}) == 43 and len({c[:3] for c in isco.titles}) == 130
    assert isco.titles["9311"] == "Mining and quarrying labourers"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0510", "0510"),
        ("05.10", "0510"),
        (510, "0510"),
        (4100.0, "4100"),
        (" 9311 ", "9311"),
        ("farm (cocoa)", None),  # free text is never read as a code
        ("Bakery", None),
        ("41000", None),
        (Special.DONT_KNOW, None),
        (None, None),
    ],
)
def test_codes_are_normalised_never_guessed(value: object, expected: str | None) -> None:
    assert code(value) == expected  # type: ignore[arg-type]


def test_hazardous_industries_by_section_division_or_class() -> None:
    listed = HazardousList(industries=("B", "41", "0220"), occupations=("93", "8111"))
    assert listed.industry("0510") is True  # class 0510 is in section B
    assert listed.industry("4100") is True  # division 41
    assert listed.industry("4290") is False  # section F, but only division 41 is listed
    assert listed.industry("0220") is True and listed.industry("0210") is False
    assert listed.industry("1071") is False  # a bakery
    assert listed.industry("9999") is None  # no ISIC class: unknown, not "not hazardous"
    assert listed.industry(Special.DONT_KNOW) is None


def test_hazardous_occupations_at_any_level() -> None:
    listed = HazardousList(occupations=("93", "8111"))
    assert listed.occupation("9311") is True and listed.occupation("9333") is True
    assert listed.occupation("8111") is True and listed.occupation("8112") is False
    assert listed.occupation("9211") is False
    assert listed.occupation("9999") is None
    assert DEFAULT_HAZARDOUS.occupation("9311") is False  # no occupation without a national list


def test_a_list_naming_unknown_codes_is_refused() -> None:
    with pytest.raises(DatasetError, match="hazardous industries Z, 0999 are not ISIC") as caught:
        HazardousList(industries=("B", "Z", "0999"))
    assert caught.value.code == "FK-DATA-030"
    with pytest.raises(DatasetError, match="hazardous occupations 9999 are not ISCO-08"):
        HazardousList(occupations=("9999",))


def test_the_protocol_names_the_national_list() -> None:
    listed = (
        "hazardous_work:\n  source: {en: National list 2024, fr: Liste nationale 2024}\n"
        '  industries: ["B", "F"]\n  occupations: ["9311", "931"]\n'
    )
    protocol, issues = compile_protocol(PROTOCOL_YAML + listed)
    assert issues == [] and protocol is not None
    assert protocol.model.hazardous_work is not None
    assert protocol.model.hazardous_work.occupations == ["9311", "931"]
    wrong = listed.replace('["9311", "931"]', '["9311", "0999"]').replace('"F"', '"Q9"')
    _, issues = compile_protocol(PROTOCOL_YAML + wrong)
    assert [(i.code, i.location.line) for i in issues] == [
        ("FK-PROT-030", PROTOCOL_YAML.count("\n") + 3),
        ("FK-PROT-030", PROTOCOL_YAML.count("\n") + 4),
    ]
    assert "industry 'Q9' is not an ISIC Rev.4 code" in issues[0].message


def test_the_shipped_protocol_takes_a_release_block_beside_its_hazardous_list() -> None:
    # issue 12's release: block and issue 13's hazardous_work: are both protocol keys
    text = (REPO / "protocols" / "household_child_labour.yaml").read_text(encoding="utf-8")
    release = "release:\n  k: 15\n  quasi_identifiers: [sex, age, district]\n"
    protocol, issues = compile_protocol(text + release)
    assert issues == [] and protocol is not None
    assert protocol.model.release.k == 15 and protocol.model.release.max_risk == 0.03
    assert protocol.model.hazardous_work is not None
    assert "9311" in protocol.model.hazardous_work.occupations
