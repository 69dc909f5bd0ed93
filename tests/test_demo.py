"""The demo: the whole journey, from YAML to Excel, as a newcomer first sees it."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fieldkit.capture.scripted import answer_file_from, rehearse
from fieldkit.demo.journey import TEAMS, DemoResult, run_demo
from fieldkit.errors import FieldkitError
from tests.capture_helpers import form_of
from tests.conftest import REPO


def test_the_merge_catches_what_went_wrong_in_the_field(demo: DemoResult) -> None:
    merge = demo.merge
    assert merge is not None
    assert not merge.rejected
    assert [b.status for b in merge.bundles].count("already merged") == 1  # the re-sent bundle
    assert merge.duplicates["content"] == 1  # the household keyed twice
    assert merge.open_conflicts == 1  # the household visited twice
    assert dict(merge.quarantined) == {"no_child_assent": 1}
    assert demo.count("household_cl", "refused") >= 1


def test_the_workbook_opens_with_its_sheets(demo: DemoResult) -> None:
    assert demo.workbook is not None
    book = openpyxl.load_workbook(demo.workbook, read_only=True)
    try:
        names = book.sheetnames
        about = [row for row in book["About"].iter_rows(values_only=True) if row and row[0]]
    finally:
        book.close()  # a read-only workbook keeps its file open until closed
    assert names[:2] == ["About", "Codebook"]
    assert "Tables" in names
    assert any(name.endswith("members") for name in names)
    assert any("quarantined" in str(row[0]).lower() for row in about)


def test_no_identifying_answer_leaves_the_tool(demo: DemoResult) -> None:
    """Respondent and establishment names are generated with the marker '(synthetic)'; none
    may be exported from any instrument."""
    assert demo.store is not None and len(demo.workbooks) == 5
    for workbook in demo.workbooks.values():
        with zipfile.ZipFile(workbook) as book:
            for name in book.namelist():
                text = book.read(name).decode("utf-8", errors="ignore")
                assert "(synthetic)" not in text, (workbook, name)
                for pii in ("respondent_name", "respondent_phone", "est_name", "est_gps"):
                    assert pii not in text, (workbook, name)
    for laptop in demo.laptops.values():
        assert b"(synthetic)" not in Path(laptop).read_bytes()
    assert b"(synthetic)" not in Path(demo.store).read_bytes()


def test_refusals_are_rows_marked_as_such_not_silent_gaps(demo: DemoResult) -> None:
    assert demo.workbook is not None
    book = openpyxl.load_workbook(demo.workbook, read_only=True)
    try:
        rows = book["household_cl"].iter_rows(values_only=True)
        header = list(next(rows))
        status, consent = header.index("status"), header.index("consent_outcome")
        seen = {(row[status], row[consent]) for row in rows}
    finally:
        book.close()
    assert ("refused", "refused") in seen
    assert ("complete", "given") in seen


def test_the_summary_table_shows_child_labour_by_age_band(demo: DemoResult) -> None:
    table = demo.highlight
    assert table is not None
    assert table.variable == "cl_ilo_sna" and table.by == ("age_band_ilo_cl",)


FORMS = ("household_cl", "establishment_cl", "school_cl", "street_cl", "rapid_assessment_cl")


def test_every_shipped_instrument_has_interviews_and_a_workbook(demo: DemoResult) -> None:
    for form_id in FORMS:
        assert demo.count(form_id, "complete") >= 3, form_id
        assert demo.workbooks[form_id].exists(), form_id
        dataset = demo.datasets[form_id]
        assert dataset.table(dataset.main).n_rows >= 3, form_id


def test_each_protocol_s_consent_rules_shape_the_data(demo: DemoResult) -> None:
    """Owners, guardians and children who say no, a screening that stops, and street-living
    children interviewed under the protocol's documented exception."""
    for form_id in ("household_cl", "establishment_cl", "school_cl", "street_cl"):
        assert demo.count(form_id, "refused") >= 1, form_id
    assert demo.count("street_cl", "stopped") == 1
    street = demo.datasets["street_cl"].table("street_cl")
    outcomes = set(street.column("consent_outcome"))
    assert {"given", "exception", "assent_refused", "screened_out"} <= outcomes
    pupils = demo.datasets["school_cl"].table("school_cl")
    assert "guardian_refused" in set(pupils.column("consent_outcome"))


@pytest.mark.parametrize("seed", [2026, 7])
def test_the_synthetic_interviews_are_valid_answer_files(seed: int) -> None:
    """Every generated record goes through the engine whole (rehearsal stores nothing)."""
    forms = {form_id: form_of(form_id.removesuffix("_cl")) for form_id in FORMS[1:]}
    today = dt.date.today()
    for team in TEAMS:
        form = forms[team.form_id]
        for number in range(40):
            data = team.script(number, seed, today)
            script, doc = answer_file_from(data, f"{team.laptop}-{number}")
            steps = rehearse(form, script, doc)
            assert steps, (team.form_id, number)


def test_demo_out_never_empties_a_folder_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.docx").write_text("years of work")
    with pytest.raises(FieldkitError) as caught:
        run_demo(precious, REPO, per_district=1)
    assert caught.value.code == "FK-DEMO-050"
    assert (precious / "chapter1.docx").read_text() == "years of work"
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    with pytest.raises(FieldkitError) as caught:
        run_demo(a_file, REPO, per_district=1)
    assert caught.value.code == "FK-DEMO-050"
    assert a_file.read_text() == "keep"


def test_demo_refuses_no_households_and_a_read_only_folder(read_only_folder: Path) -> None:
    for households in (0, -3):
        with pytest.raises(FieldkitError) as caught:
            run_demo(read_only_folder / "out", REPO, per_district=households)
        assert caught.value.code == "FK-DEMO-052"
    with pytest.raises(FieldkitError) as caught:
        run_demo(read_only_folder / "out", REPO, per_district=1)
    assert caught.value.code == "FK-DEMO-051"


def test_everything_the_demo_writes_is_private(demo: DemoResult) -> None:
    """Stores, keys, bundles, receipts, workbooks, the sample and the monitoring page: 0600 in
    0700 folders, whatever the umask; only the public keys (project.pub, device-*.pub) are
    meant to be copied."""
    loose = []
    for path in [demo.out, *demo.out.rglob("*")]:
        mode = path.stat().st_mode & 0o777
        public = path.name == "project.pub" or path.suffix == ".pub"
        expected = 0o700 if path.is_dir() else 0o644 if public and mode == 0o644 else 0o600
        if mode != expected:
            loose.append((str(path.relative_to(demo.out)), oct(mode)))
    assert loose == []
    assert (demo.out / "sample.csv").exists() and (demo.out / "monitor.html").exists()
