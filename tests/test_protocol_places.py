"""fieldkit check on the protocol's place list and the instruments' place choices: each
mistake one line naming the file, the line and the fix."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from fieldkit.cli import app
from fieldkit.indicators.codelists import iso3166_alpha2
from tests.conftest import REPO

PROTOCOL = "household_child_labour.yaml"


def _study(tmp_path: Path) -> Path:
    study = tmp_path / "study"
    for folder in ("protocols", "instruments"):
        shutil.copytree(REPO / folder, study / folder)
    return study


def _edit(path: Path, old: str, new: str) -> int:
    """Replace ``old`` (once) and return the line it is on."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def _check(study: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        app, ["check", str(study / "protocols"), str(study / "instruments" / "household.yaml")]
    )
    return result.exit_code, [line for line in result.output.splitlines() if "FK-" in line]


def test_the_shipped_place_lists_pass(tmp_path: Path) -> None:
    code, lines = _check(_study(tmp_path))
    assert code == 0 and lines == []


def test_each_place_list_mistake_names_file_line_and_fix(tmp_path: Path) -> None:
    study = _study(tmp_path)
    protocol = study / "protocols" / PROTOCOL
    twice = _edit(protocol, "{code: north_2,", "{code: north_1,")
    parent = _edit(
        protocol, "parent: south, country: gh, lat: 5.6", "parent: sud, country: gh, lat: 5.6"
    )
    swapped = _edit(protocol, "lat: 7.35, lon: -2.33", "lat: -92.33, lon: 7.35")
    half = _edit(protocol, "lat: 6.6, lon: 0.47", "lat: 6.6")
    country = _edit(protocol, "level: country, country: bf,", "level: country, country: uk,")
    code, lines = _check(study)
    assert code == 1
    expected = [
        (twice, "FK-PROT-060", "listed twice", "give each place its own code"),
        (parent, "FK-PROT-061", "parent 'sud'", "add a place with code 'sud'"),
        (swapped, "FK-PROT-062", "lat -92.33 is outside -90 to 90", "swapped lat and lon"),
        (half, "FK-PROT-062", "has lat without lon", "give both lat and lon"),
        (country, "FK-PROT-063", "'uk' is not an ISO 3166-1 alpha-2", "gb for the United"),
    ]
    for line, error, what, fix in expected:
        [found] = [text for text in lines if f"{PROTOCOL}:{line}:" in text and error in text]
        assert what in found and fix in found


def test_instrument_place_choices_must_be_the_protocol_places(tmp_path: Path) -> None:
    study = _study(tmp_path)
    instrument = study / "instruments" / "household.yaml"
    line = _edit(
        instrument,
        '{value: bj, label: {en: "Benin", fr: "Bénin"}}\n    - {value: other_country, label: {en: "Another',
        '{value: benin, label: {en: "Benin", fr: "Bénin"}}\n    - {value: other_country, label: {en: "Another',
    )  # the place list's Benin (the birthplace list has one too)
    code, lines = _check(study)
    assert code == 1
    [extra] = [text for text in lines if f"household.yaml:{line}:" in text]
    assert "FK-PROT-064" in extra and "'benin' is not in protocol" in extra
    assert "add it to the protocol's places" in extra
    [missing] = [text for text in lines if "leave out bj" in text]
    assert "household.yaml" in missing and "FK-PROT-064" in missing


def test_the_shipped_country_list_is_iso_3166_1() -> None:
    codes = iso3166_alpha2()
    assert len(codes) == 249  # the officially assigned alpha-2 codes
    assert codes["GH"] == "Ghana" and codes["CI"] == "Côte d'Ivoire" and "UK" not in codes
