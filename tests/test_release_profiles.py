"""Release profiles (P13, issue 12): what restricted and public microdata keep, read back from
the files written, with an independent count of the quasi-identifier combinations."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import typer
import yaml
from typer.testing import CliRunner

from fieldkit.cli import datasets
from fieldkit.dataset import Dataset, DatasetError, flatten
from fieldkit.dataset.store import load_dataset
from fieldkit.demo.journey import DemoResult
from fieldkit.demo.workplaces import TASKS
from fieldkit.export import write_csv, write_parquet, write_xlsx
from fieldkit.export.common import file_label
from fieldkit.indicators import prepare
from fieldkit.instrument.form import Form
from fieldkit.privacy.audit import AuditLog, current_actor
from fieldkit.project import load_project
from fieldkit.release import ReleaseError
from fieldkit.release.profiles import Profile, check_variables, prepare_microdata
from fieldkit.release.recode import recode_questions
from fieldkit.store.coordinator import open_coordinator
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

TASK_TEXTS = [text for text, _code in TASKS]
"""What the demo's working children say they do (free text, sealed at capture)."""

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
    check_variables(dataset, form, Profile.PUBLIC, ["cl_ilo_sna", "sex", "age_band_ilo_cl"])
    check_variables(dataset, form, Profile.RESTRICTED, ["cl_ilo_sna", "age"])
    with pytest.raises(ReleaseError, match="'age' is left out of public") as caught:
        check_variables(dataset, form, Profile.PUBLIC, ["cl_ilo_sna", "age"])
    assert caught.value.code == "FK-RELEASE-030"
    with pytest.raises(ReleaseError, match="staff or device id"):
        check_variables(dataset, form, Profile.RESTRICTED, ["cl_ilo_sna", "enumerator"])


def _occupation_as_text_only(folder: Path) -> Path:
    """The shipped instruments, the household one adapted to ask the occupation as text only
    (no ISCO-08 code at capture): the office codes it with fieldkit recode."""
    instruments = folder / "instruments"
    shutil.copytree(REPO / "instruments", instruments)
    path = instruments / "household.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "- name: occupation_code")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip().startswith("- name:"))
    path.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")
    return instruments


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    folder = tmp_path_factory.mktemp("hq")
    instruments = _occupation_as_text_only(folder)
    form = load_project([REPO / "protocols", instruments]).form("household_cl")
    fill_store(folder / "hq.sqlite", form, *generated_streams(400), excluded={})
    project = ["--project", str(REPO / "protocols"), "--project", str(instruments)]
    args = ["--store", str(folder / "hq.sqlite"), "-i", "household_cl", *project]
    return folder, [*args, "--recodes", str(folder / "recodes")]


def _store_copy(demo: DemoResult, folder: Path) -> Path:
    """The demo's coordinator store, copied: the shared demo is read, never changed."""
    assert demo.store is not None
    for path in demo.store.parent.glob(f"{demo.store.name}*"):
        shutil.copy(path, folder / path.name)
    return folder / demo.store.name


def test_recode_opens_the_sealed_free_text_and_its_codes_leave_where_the_text_may_not(
    demo: DemoResult, tmp_path: Path
) -> None:
    """On a store filled by real capture, bundles and merge, free text is sealed to the merge
    key: the dataset holds none of it, so recode must open it (with the merge key, after an
    audit entry) to find the texts a coder codes."""
    store = _store_copy(demo, tmp_path)
    form = load_project([REPO / "protocols", REPO / "instruments"]).form("establishment_cl")
    dataset, _ = load_dataset(store, form, role="statistician")
    roster = dataset.table("establishment_cl__child_workers_roster")
    assert roster.n_rows and set(roster.column("cw_tasks")) == {None}  # sealed, not in clear
    keys = demo.out / "keys"
    args = ["--store", str(store), "-i", "establishment_cl", "--project", str(REPO)]
    args += ["--recodes", str(tmp_path / "recodes")]
    unlock = ["--merge-key", str(keys / "merge.key")]
    unlock += ["--passphrase-file", str(keys / "DEMO-ONLY-passphrases" / "merge.txt")]
    runner = CliRunner()
    done = runner.invoke(_app(), ["recode", *args, *unlock, "-q", "cw_tasks"])
    assert done.exit_code == 0, done.output
    path = tmp_path / "recodes" / "establishment_cl.yaml"
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))["cw_tasks"]["texts"]
    assert texts and set(texts) <= set(TASK_TEXTS) and set(texts.values()) == {None}
    assert f"cw_tasks: {len(texts)} new text" in done.output
    with open_coordinator(store) as db:
        opened = AuditLog(db).entries()[-1]
    assert (opened.action, opened.actor) == ("free text opened", current_actor())
    detail = json.loads(opened.detail)
    assert detail["questions"] == ["cw_tasks"] and detail["form"] == "establishment_cl"
    assert detail["values"] == roster.n_rows

    codes = {text: 900 + number for number, text in enumerate(sorted(texts))}
    labels = {code: f"task {code}" for code in codes.values()}
    path.write_text(yaml.safe_dump({"cw_tasks": {"labels": labels, "texts": codes}}), "utf-8")
    out = tmp_path / "restricted"
    export = ["export", *args, "--profile", "restricted", "--csv", str(out)]
    stale = runner.invoke(_app(), export)  # the records' codes predate the coder's work
    assert isinstance(stale.exception, ReleaseError), stale.output
    assert stale.exception.code == "FK-RELEASE-040" and not out.exists()
    again = runner.invoke(_app(), ["recode", *args, *unlock, "-q", "cw_tasks"])
    assert "cw_tasks: 0 new texts, 0 still to code" in again.output  # codes are kept
    given = (tmp_path / "recodes" / "establishment_cl.codes.json").read_text(encoding="utf-8")
    assert [task for task in TASK_TEXTS if task in given] == []  # codes by record, never a text
    done = runner.invoke(_app(), export)
    assert done.exit_code == 0, done.output
    rows = _read_csv(out / "establishment_cl__child_workers_roster.csv")
    assert "cw_tasks" not in rows[0]
    assert len(rows) == roster.n_rows
    assert {r["cw_tasks_code"] for r in rows} <= {str(code) for code in codes.values()}
    for written in out.iterdir():
        text = written.read_text(encoding="utf-8-sig")
        assert [task for task in TASK_TEXTS if task in text] == [], written.name
    with open_coordinator(store) as db:
        exported = AuditLog(db).entries()[-1]
    detail = json.loads(exported.detail)
    assert (exported.action, exported.actor) == ("export", current_actor())
    assert detail["user"] == "login name: this store has no user register"
    assert detail["profile"] == "restricted"
    assert detail["files"] == {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())
    }


def test_recode_leaves_a_description_coded_at_capture_alone(
    survey: tuple[Form, Dataset], tmp_path: Path
) -> None:
    # the shipped household instrument codes the occupation at capture (occupation_code,
    # ISCO-08): a recode would overwrite the enumerator's codes, so it is refused
    form, _ = survey
    path = tmp_path / "household_cl.yaml"
    with pytest.raises(ReleaseError, match="'occupation' is coded at capture") as caught:
        recode_questions(form, ["occupation"], path)  # checked before any text is opened
    assert caught.value.code == "FK-RELEASE-031"
    # every free-text question: no description coded at capture
    assert recode_questions(form, [], path) == ["enumerator_notes"]


def test_code_questions_leave_as_codes_and_nothing_else() -> None:
    # ISIC/ISCO codes are asked as text (0510 keeps its zero) but are codes: they leave a
    # restricted release; whatever else a code field holds stays home
    form = household_form()
    interviews, answers, members = generated_streams(20)
    for interview, typed in ((interviews[0], "9333"), (interviews[1], f"porter, {TRAFFICKER}")):
        answers.append((interview["id"], "occupation_code", 2, json.dumps(typed), "answered"))
    answers.sort(key=lambda row: (row[0], row[2]))
    dataset = flatten(form, interviews, answers, members, role="statistician")
    prepare(dataset)
    release = prepare_microdata(dataset, form, Profile.RESTRICTED)
    table = release.dataset.table("household_cl__members")
    assert [v for v in table.column("occupation_code") if v is not None] == ["9333"]
    assert "occupation" not in table and "industry" not in table
    assert "occupation_code" not in dict(release.about()).get("Dates kept to the month", "")


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
