"""Every shipped instrument is analysable: its example interviews go through laptop,
bundle and merge, and `fieldkit export --csv` writes its derived indicators, read back
from the files as a statistician would."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fieldkit.bundle import init_device, read_device_public_key, write_bundle
from fieldkit.capture.scripted import check_script, store_script
from fieldkit.cli import app
from fieldkit.merge import merge_bundles, register_device
from fieldkit.project import load_project
from fieldkit.store import LaptopStore
from tests.conftest import REPO
from tests.merge_fixtures import MERGING
from tests.test_store_helpers import PROJECT_KEYS, STORE_KEY

EXAMPLES = {
    "household_cl": ["household_complete.yaml"],
    "establishment_cl": ["establishment_complete.yaml"],
    "street_cl": ["street_exception.yaml"],
    "school_cl": ["school_complete.yaml"],
    "rapid_assessment_cl": ["rapid_key_informant.yaml", "rapid_observation.yaml"],
}
PROJECT = [str(REPO / "protocols"), str(REPO / "instruments")]


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, list[dict[str, str]]]]:
    """instrument id -> CSV table name -> rows, after laptop, bundle, merge and export."""
    folder = tmp_path_factory.mktemp("five")
    project = load_project([Path(p) for p in PROJECT])
    assert project.report.ok, [i.one_line() for i in project.report.issues]
    laptop = folder / "laptop.sqlite"
    with LaptopStore.open(laptop, project_keys=PROJECT_KEYS, key=STORE_KEY) as store:
        for instrument, files in EXAMPLES.items():
            form = project.form(instrument)
            for name in files:
                checked = check_script(form, REPO / "examples" / name)
                store_script(store, form, checked)
    _, device_public = init_device(laptop, STORE_KEY)
    bundle = folder / "laptop.fkb"
    write_bundle(laptop, bundle, STORE_KEY)
    hq = folder / "hq.sqlite"
    register_device(hq, read_device_public_key(device_public))
    assert merge_bundles([bundle], hq, project, MERGING).ok
    found: dict[str, dict[str, list[dict[str, str]]]] = {}
    for instrument in EXAMPLES:
        out = folder / instrument
        result = CliRunner().invoke(
            app,
            [
                "export",
                "--store",
                str(hq),
                "-i",
                instrument,
                "--csv",
                str(out),
                *(arg for path in PROJECT for arg in ("--project", path)),
            ],
        )
        assert result.exit_code == 0, result.output
        found[instrument] = {
            path.stem: list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
            for path in out.glob("*.csv")
        }
    return found


def _one(rows: list[dict[str, str]], **where: Any) -> dict[str, str]:
    [row] = [r for r in rows if all(r[k] == str(v) for k, v in where.items())]
    return row


def test_household_roster_has_labour_disability_and_registration(exported: Any) -> None:
    members = exported["household_cl"]["household_cl__members"]
    son = _one(members, age=12)  # 20 h on the family farm with loads, machetes, pesticide
    assert (son["cl_ilo_sna"], son["cl_ilo_haz"], son["cl_unicef_mics6"]) == ("1", "1", "1")
    assert (son["cl_ilo_gpb"], son["work_school"], son["tip_child"]) == ("1", "2", "0")
    assert (son["disability_cfm"], son["birth_registration"]) == ("0", "1")
    daughter = _one(members, age=15)  # in school, 12 h of chores: no child labour
    assert (daughter["cl_ilo_sna"], daughter["cl_ilo_gpb"], daughter["work_school"]) == (
        "0",
        "0",
        "1",
    )
    head = _one(members, age=44)
    assert head["cl_ilo_sna"] == "" and head["age_band_ilo_cl"] == "out_18_plus"
    assert head["disability_wg_ss"] == "0"


def test_establishment_roster_has_labour_and_trafficking(exported: Any) -> None:
    workers = exported["establishment_cl"]["establishment_cl__child_workers_roster"]
    young = _one(workers, age=13)  # 58 h at a foundry, brought by a relative at 11
    assert (young["cl_ilo_sna"], young["cl_ilo_haz"], young["work_school"]) == ("1", "1", "2")
    assert young["isic_code"] == "2599"  # the establishment's industry, on each child's row
    assert (young["tip_act"], young["tip_below_min_age"], young["tip_child"]) == ("1", "1", "1")
    older = _one(workers, age=16)  # apprentice welder, 45 h: long hours are hazardous
    assert (older["cl_ilo_haz"], older["cl_ilo_sna"], older["tip_child"]) == ("1", "1", "0")


def test_street_record_has_labour_and_trafficking(exported: Any) -> None:
    [child] = exported["street_cl"]["street_cl"]
    assert (child["cl_ilo_sna"], child["cl_ilo_haz"], child["work_school"]) == ("1", "1", "2")
    assert (child["tip_act"], child["tip_worst_form"], child["tip_child"]) == ("1", "1", "1")
    assert (child["tip_movement_type"], child["moc_physical_threats"]) == ("2", "1")


def test_school_record_has_labour_and_work_school(exported: Any) -> None:
    [pupil] = exported["school_cl"]["school_cl"]
    assert (pupil["cl_ilo_sna"], pupil["cl_unicef_mics6"], pupil["work_school"]) == ("1", "1", "3")
    assert pupil["cl_ilo_gpb"] == "1" and "tip_child" not in pupil  # no act asked of pupils


def test_rapid_assessment_records_get_bands_and_disability(exported: Any) -> None:
    records = exported["rapid_assessment_cl"]["rapid_assessment_cl"]
    assert len(records) == 2
    assert {"age_band_ilo_cl", "disability_wg_ss"} <= set(records[0])
