"""Release profiles (P13, issue 12): what restricted and public microdata keep, read back from
the files written, with an independent count of the quasi-identifier combinations."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import typer
import yaml
from typer.testing import CliRunner

from fieldkit.cli import datasets
from fieldkit.dataset import Dataset, DatasetError
from fieldkit.export import write_csv, write_parquet, write_xlsx
from fieldkit.export.common import file_label
from fieldkit.instrument.form import Form
from fieldkit.release import ReleaseError
from fieldkit.release.profiles import Profile, check_variables, prepare_microdata
from tests.conftest import REPO
from tests.data.generated_household import (
    DATE,
    PLANTED,
    TRAFFICKER,
    generated_household,
    generated_streams,
    household_form,
)
from tests.data.store_rows import fill_store

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


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("hq")
    form = household_form()
    fill_store(folder / "hq.sqlite", form, *generated_streams(400), excluded={})
    project = ["--project", str(REPO / "protocols"), "--project", str(REPO / "instruments")]
    args = ["--store", str(folder / "hq.sqlite"), "-i", "household_cl", *project]
    return folder, [*args, "--recodes", str(folder / "recodes")]


def test_coded_free_text_leaves_where_the_text_may_not(hq: tuple[Path, list[str]]) -> None:
    folder, args = hq
    runner = CliRunner()
    done = runner.invoke(_app(), ["recode", *args, "-q", "occupation"])
    assert done.exit_code == 0, done.output
    assert "occupation: 1 new text, 1 still to code" in done.output
    path = folder / "recodes" / "household_cl.yaml"
    coding = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(coding["occupation"]["texts"].values()) == [None]
    text = next(iter(coding["occupation"]["texts"]))
    coding["occupation"] = {"labels": {9333: "Porter"}, "texts": {text: 9333}}
    path.write_text(yaml.safe_dump(coding), encoding="utf-8")
    again = runner.invoke(_app(), ["recode", *args, "-q", "occupation"])
    assert "occupation: 0 new texts, 0 still to code" in again.output  # codes are kept
    out = folder / "public"
    done = runner.invoke(_app(), ["export", *args, "--profile", "public", "--csv", str(out)])
    assert done.exit_code == 0, done.output
    members = _read_csv(out / "household_cl__members.csv")
    assert "occupation" not in members[0]
    assert {r["occupation_code"] for r in members} == {"9333"}
    assert TRAFFICKER not in (out / "household_cl__members.csv").read_text(encoding="utf-8-sig")


def test_recode_refuses_a_question_that_is_not_free_text(hq: tuple[Path, list[str]]) -> None:
    done = CliRunner().invoke(_app(), ["recode", *hq[1], "-q", "sex"])
    assert done.exit_code != 0
    assert isinstance(done.exception, ReleaseError) and done.exception.code == "FK-RELEASE-031"


def test_tables_of_a_public_release_refuse_exact_age(hq: tuple[Path, list[str]]) -> None:
    args = hq[1]
    done = CliRunner().invoke(_app(), ["tables", *args, "--profile", "public", "--by", "age"])
    assert isinstance(done.exception, ReleaseError) and done.exception.code == "FK-RELEASE-030"
    shown = CliRunner().invoke(_app(), ["tables", *args, "--profile", "public", "--by", "sex"])
    assert shown.exit_code == 0, shown.output


def _app() -> typer.Typer:
    app = typer.Typer()
    datasets.register(app)
    return app


def test_every_file_says_its_profile(survey: tuple[Form, Dataset], tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    form, dataset = survey
    release = prepare_microdata(dataset, form, Profile.RESTRICTED, user="amina")
    [households, *_] = write_parquet(release.dataset, tmp_path / "parquet")
    metadata = pq.read_schema(households).metadata
    about = json.loads(metadata[b"fieldkit_release"])
    assert about["Release profile"] == "restricted" and about["Released by"] == "amina"
    # Stata and SPSS files carry it as their file label (written by pyreadstat)
    label = file_label(release.dataset.study, "household_cl")
    assert label == "restricted release: household_cl"
