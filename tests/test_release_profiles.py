"""Release profiles (P13, issue 12): what restricted and public microdata keep, read back from
the files written, with an independent count of the quasi-identifier combinations."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from fieldkit.dataset import Dataset, DatasetError
from fieldkit.export import write_csv, write_xlsx
from fieldkit.instrument.form import Form
from fieldkit.release import ReleaseError
from fieldkit.release.profiles import Profile, check_variables, prepare_microdata
from tests.data.generated_household import DATE, PLANTED, generated_household

QUASI_IDENTIFIERS = {
    # the protocol's defaults, spelled out by variable: sex, age band, geography, ethnicity,
    # origin, disability, relationships, household size
    "sex", "age_band_ilo_cl", "district", "ethnicity", "citizenship", "birthplace",
    "migrated_5y", "wg_see", "wg_hear", "wg_walk", "wg_cognition", "wg_selfcare",
    "wg_communicate", "rel_to_head", "orphanhood", "lives_with", "hh_size",
}  # fmt: skip


@pytest.fixture(scope="module")
def survey() -> tuple[Form, Dataset]:
    return generated_household(households=400)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_public_release_is_k_anonymous_and_carries_nothing_planted(
    survey: tuple[Form, Dataset], tmp_path: Path
) -> None:
    form, dataset = survey
    release = prepare_microdata(dataset, form, Profile.PUBLIC)
    written = write_csv(release.dataset, [], tmp_path / "csv")
    workbook = write_xlsx(release.dataset, [], tmp_path / "public.xlsx")
    k = form.protocol.model.release.k
    for name in dataset.tables:
        records = _read_csv(tmp_path / "csv" / f"{name}.csv")
        keys = sorted(QUASI_IDENTIFIERS & set(records[0]))
        assert keys, name
        combinations = Counter(tuple(r[key] for key in keys) for r in records)
        assert min(combinations.values()) >= k, (name, combinations.most_common()[-3:])
    members = _read_csv(tmp_path / "csv" / "household_cl__members.csv")
    assert {"age", "dob", "cluster", "occupation", "enumerator"}.isdisjoint(members[0])
    assert "age_band_ilo_cl" in members[0]
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        assert [p for p in PLANTED if p in text] == [], path.name
    book = openpyxl.load_workbook(workbook, read_only=True)
    cells = [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    book.close()
    assert [p for p in PLANTED if any(p in cell for cell in cells)] == []
    about = _read_csv(tmp_path / "csv" / "about.csv")
    assert about[0] == {"field": "Release profile", "value": "public"}


def test_a_restricted_release_keeps_exact_ages_and_months_not_days(
    survey: tuple[Form, Dataset], tmp_path: Path
) -> None:
    form, dataset = survey
    release = prepare_microdata(dataset, form, Profile.RESTRICTED)
    written = write_csv(release.dataset, [], tmp_path)
    households = _read_csv(tmp_path / "household_cl.csv")
    assert {r["interview_date"] for r in households} == {DATE[:7]}
    assert [r["interview_id"] for r in households[:3]] == ["1", "2", "3"]
    members = _read_csv(tmp_path / "household_cl__members.csv")
    assert {"age", "cluster", "hh_number"} <= set(members[0]) | set(households[0])
    assert "occupation" not in members[0] and "enumerator_notes" not in households[0]
    assert {r["interview_id"] for r in members} <= {r["interview_id"] for r in households}
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        assert [p for p in PLANTED if p in text] == [], path.name


def test_an_internal_release_is_the_dataset(survey: tuple[Form, Dataset]) -> None:
    form, dataset = survey
    assert prepare_microdata(dataset, form, Profile.INTERNAL).dataset.tables == dataset.tables


def test_public_microdata_too_small_to_protect_is_refused_by_its_combinations() -> None:
    form, dataset = generated_household(households=25)
    with pytest.raises(DatasetError, match="may not leave the study") as caught:
        prepare_microdata(dataset, form, Profile.PUBLIC)
    assert caught.value.code == "FK-DATA-009"
    assert "district=North" in caught.value.message or "district=South" in caught.value.message


def test_a_table_may_not_read_what_its_profile_leaves_out(survey: tuple[Form, Dataset]) -> None:
    form, dataset = survey
    check_variables(dataset, form, Profile.PUBLIC, ["cl_sdg_8_7_1", "sex", "age_band_ilo_cl"])
    check_variables(dataset, form, Profile.RESTRICTED, ["cl_sdg_8_7_1", "age"])
    with pytest.raises(ReleaseError, match="'age' is left out of public") as caught:
        check_variables(dataset, form, Profile.PUBLIC, ["cl_sdg_8_7_1", "age"])
    assert caught.value.code == "FK-RELEASE-030"
    with pytest.raises(ReleaseError, match="staff or device id"):
        check_variables(dataset, form, Profile.RESTRICTED, ["cl_sdg_8_7_1", "enumerator"])
