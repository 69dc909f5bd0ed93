"""The whole journey on the embedded SQLite default, from YAML to Excel, in under a minute.

Synthetic interviews for each of the five shipped instruments are entered through the
engine's scripted entry, each respecting its protocol's consent rules: households on one
laptop per district, and establishments, pupils, street children and rapid-assessment records
on one laptop per team. A few refuse, one household is visited twice by two enumerators (a
unit conflict), one interview is keyed twice (a content duplicate), one bundle is re-sent,
and one child's interview reaches the coordinator without the child's own assent (as from an
old app or a careless paper entry). Laptops bundle and sign their interviews; the
coordinator registers the devices, merges, and exports each instrument's disaggregated
datasets to Excel.

Protection is on as in the field (issue 11): the study's keys are made with three custodians
(any two open an identity), every laptop store is encrypted under its enumerator's
passphrase, bundles are encrypted to the merge key. ``make demo`` and CI have no terminal
to type passphrases at, so the demo makes random ones and writes each beside what it opens,
in files marked DEMO ONLY; every file and folder it writes is private (0600/0700).
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fieldkit.bundle import init_device, read_device_public_key, write_bundle
from fieldkit.capture.recorder import InterviewRecorder
from fieldkit.capture.scripted import CheckedScript, answer_file_from, rehearse, store_script
from fieldkit.dataset import Dataset
from fieldkit.dataset.store import load_dataset
from fieldkit.demo.streets import rapid_script, street_script
from fieldkit.demo.synthetic import DISTRICTS, HouseholdPlan, household_script, households
from fieldkit.demo.workplaces import establishment_script, school_script
from fieldkit.errors import FieldkitError, Location
from fieldkit.export import write_xlsx
from fieldkit.instrument.form import Form
from fieldkit.merge import MergeOptions, MergeReport, merge_bundles, register_device
from fieldkit.privacy.custody import create_project_keys, share_file_name
from fieldkit.privacy.exports import record_export
from fieldkit.privacy.keys import ProjectPublicKeys, load_merge_key, load_project_keys
from fieldkit.project import Project, load_study
from fieldkit.release.about import protect_counts
from fieldkit.release.publish import publish, standard_tables
from fieldkit.stats import Crosstab, EstimateTable, crosstab
from fieldkit.store import LaptopStore, StoreKey, create_store_key
from fieldkit.store.files import make_private, private_folder, write_private
from fieldkit.store.records import ConsentOutcome, ConsentRecord, InterviewStatus

__all__ = ["TEAMS", "DemoResult", "Team", "run_demo"]

INSTRUMENT = "household_cl"
HIGHLIGHT = "cl_ilo_sna"
REFUSE_EVERY = 9
"""Every ninth household refuses (about 11%, a plausible non-response rate)."""
MARKER = ".fieldkit-demo"
"""Marks a folder the demo made, so a later run may empty it (and never another folder)."""
CUSTODIANS = ("Custodian A (demo)", "Custodian B (demo)", "Custodian C (demo)")
DEMO_NOTE = "# DEMO ONLY: a real passphrase is never written down, least of all beside its key\n"

Script = Callable[[int, int, dt.date], dict[str, Any]]


@dataclass(frozen=True)
class Team:
    """A field team with one laptop, collecting one instrument."""

    form_id: str
    laptop: str
    script: Script
    records: Callable[[int], int]
    """How many records for the demo's households per district."""


TEAMS = (
    Team("establishment_cl", "workplace-team", establishment_script, lambda n: n + 2),
    Team("school_cl", "school-team", school_script, lambda n: 2 * n),
    Team("street_cl", "street-team", street_script, lambda n: n + 3),
    Team("rapid_assessment_cl", "rapid-team", rapid_script, lambda n: max(5, n // 2)),
)


@dataclass
class DemoResult:
    out: Path
    laptops: dict[str, Path] = field(default_factory=dict)
    laptop_keys: dict[str, StoreKey] = field(default_factory=dict, repr=False)
    bundles: list[Path] = field(default_factory=list)
    interviews: dict[tuple[str, str], int] = field(default_factory=dict)
    """(instrument, status) → interviews entered on the laptops."""
    merge: MergeReport | None = None
    datasets: dict[str, Dataset] = field(default_factory=dict)
    """Instrument → its analysis dataset."""
    published: list[Crosstab | EstimateTable] = field(default_factory=list)
    """The household survey's published tables."""
    highlight: Crosstab | None = None
    """One disaggregated table for the summary: child labour by age band, all children."""
    workbooks: dict[str, Path] = field(default_factory=dict)
    """Instrument → its Excel workbook."""
    store: Path | None = None
    monitor: Path | None = None
    """The supervisors' monitoring report (fieldkit monitor --html)."""
    assignments: list[Path] = field(default_factory=list)
    """One assignment file per household enumerator (fieldkit assign --out)."""
    seconds: float = 0.0

    @property
    def dataset(self) -> Dataset | None:
        return self.datasets.get(INSTRUMENT)

    @property
    def workbook(self) -> Path | None:
        return self.workbooks.get(INSTRUMENT)

    def count(self, form_id: str, status: str) -> int:
        return self.interviews.get((form_id, status), 0)


def run_demo(
    out: Path,
    study: Path | Sequence[Path],
    *,
    per_district: int = 8,
    seed: int = 2026,
    today: dt.date | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> DemoResult:
    """Run the journey into ``out`` (a new folder, or one an earlier demo made, which is
    emptied first). ``study``: the study folder, or its protocol and instrument paths;
    ``say`` hears each stage."""
    started = time.perf_counter()
    if per_district < 1:
        raise FieldkitError(
            f"{per_district} households per district: the demo needs at least one",
            code="FK-DEMO-052",
            hint="give --households 1 or more",
        )
    project = load_study(_study_paths(study))
    result = DemoResult(Path(out))
    try:
        _fresh_folder(result.out)
        _journey(result, project, per_district, seed=seed, today=today or dt.date.today(), say=say)
    except OSError as error:
        raise FieldkitError(
            f"cannot write the demo into {out}: {error.strerror or error}",
            code="FK-DEMO-051",
            location=Location(str(out)),
            hint="give --out a folder you can write to",
        ) from None
    result.seconds = time.perf_counter() - started
    return result


def _study_paths(study: Path | Sequence[Path]) -> list[Path]:
    if not isinstance(study, Path):
        return list(study)
    if not (study / "protocols").is_dir():
        raise FieldkitError(
            f"{study} is not a study folder (it has no protocols/)",
            code="FK-PROT-050",
            location=Location(str(study)),
            hint="give --root the folder holding protocols/ and instruments/",
        )
    return [study]


def _journey(
    result: DemoResult,
    project: Project,
    per_district: int,
    *,
    seed: int,
    today: dt.date,
    say: Callable[[str], None],
) -> None:
    out = result.out
    say("coordinator: project keys (3 custodians, any 2 open an identity; demo passphrases)")
    public_path = _keys(out / "keys")
    say("enumerators: interviews through the engine, one laptop per district or team")
    _collect(result, project, public_path, per_district, seed=seed, today=today)
    say("laptops: signed bundles (one re-sent)")
    devices = _bundle(result)
    say("coordinator: register devices and merge")
    result.store = out / "hq.sqlite"
    for public in devices:
        register_device(result.store, read_device_public_key(public))
    say("coordinator: the household sample assigned to its enumerators")
    _assign(result, project.form(INSTRUMENT), per_district, seed=seed)
    merge_key = load_merge_key(out / "keys" / "merge.key", _read_demo(out / "keys"))
    result.merge = merge_bundles(
        result.bundles, result.store, project, MergeOptions(merge_key=merge_key)
    )
    say("statistician: datasets, derived indicators, one workbook per instrument")
    for form_id in (INSTRUMENT, *(team.form_id for team in TEAMS)):
        _export(result, project.form(form_id))
    say("supervisor: monitoring report (progress, quality flags)")
    result.monitor = _monitor(result.store, project, out / "monitor.html")


def _assign(result: DemoResult, form: Form, per_district: int, *, seed: int) -> None:
    """The sample as a coordinator would load it: a CSV row per household to visit."""
    from fieldkit.monitor.assignments import assign_sample, write_assignment_files  # noqa: PLC0415
    from fieldkit.monitor.sample import read_sample  # noqa: PLC0415

    assert result.store is not None
    sample = result.out / "sample.csv"
    lines = ["cluster,hh_number,region,district,enumerator"]
    for plan in households(DISTRICTS, per_district, seed=seed):
        region = DISTRICTS[plan.district]
        lines.append(f"{plan.cluster},{plan.hh_number},{region},{plan.district},{plan.enumerator}")
    write_private(sample, ("\n".join(lines) + "\n").encode("utf-8"))  # 0600, like the rest
    assign_sample(result.store, form, read_sample(sample, form), actor="demo-coordinator")
    result.assignments = write_assignment_files(result.store, form, result.out / "assignments")


def _monitor(store: Path, project: Project, path: Path) -> Path:
    from fieldkit.monitor import build_monitor  # noqa: PLC0415  (only the demo's last stage)
    from fieldkit.monitor.html import render_html  # noqa: PLC0415

    write_private(path, render_html(build_monitor(store, project)).encode("utf-8"))
    return path


def _export(result: DemoResult, form: Form) -> None:
    assert result.store is not None
    dataset, counts = load_dataset(result.store, form, role="statistician")
    tables: list[Crosstab | EstimateTable] = list(standard_tables(dataset))
    highlight = None
    if form.id == INSTRUMENT and dataset.rosters:  # printed on the console: part of the release
        members = dataset.table(dataset.rosters[0])
        highlight = crosstab(
            members, HIGHLIGHT, ["age_band_ilo_cl"], study=dataset.study, language="en"
        )
        tables.append(highlight)
    published, _ = publish(dataset, tables)
    sheets = [t for t in published if t is not highlight]
    result.datasets[form.id] = dataset
    if form.id == INSTRUMENT:
        result.published, result.highlight = sheets, highlight
    workbook = result.out / f"{form.id}.xlsx"
    shown = protect_counts(counts, dataset.study.small_cell_threshold)  # About: a release too
    result.workbooks[form.id] = write_xlsx(dataset, sheets, workbook, counts=shown)
    # an export like any other: the audit log names the workbook, its hash and who made it
    record_export(
        result.store, form.id, [workbook], profile="internal", role="statistician", user=None
    )


def _fresh_folder(out: Path) -> None:
    """Empty an earlier demo's folder, or make a new one; refuse anything else."""
    problem = None
    if out.exists() and not out.is_dir():
        problem = "is a file"
    elif out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        problem = "holds files the demo did not write"
    if problem is not None:
        raise FieldkitError(
            f"{out} {problem}: the demo empties its folder before each run",
            code="FK-DEMO-050",
            location=Location(str(out)),
            hint="give --out a new folder (or one an earlier demo made)",
        )
    if out.exists():
        shutil.rmtree(out)
    private_folder(out)
    write_private(out / MARKER, b"written by fieldkit demo; emptied by the next run\n")


def _keys(folder: Path) -> Path:
    """The study's keys, with demo-only passphrases written beside them (no prompt: ``make
    demo`` and CI have no terminal). Each file says it is a demo passphrase."""
    private_folder(folder / "shares")
    secrets_dir = private_folder(folder / "DEMO-ONLY-passphrases")
    merge_secret = _demo_passphrase(secrets_dir / "merge.txt")
    people = [(name, _demo_passphrase(secrets_dir / share_file_name(name))) for name in CUSTODIANS]
    made = create_project_keys(merge_passphrase=merge_secret, custodians=people, threshold=2)
    write_private(folder / "project.pub", made.public_file)
    assert made.merge_file is not None
    write_private(folder / "merge.key", made.merge_file)
    for name, data in made.share_files.items():
        write_private(folder / "shares" / share_file_name(name), data)
    return folder / "project.pub"


def _read_demo(keys: Path) -> str:
    """The coordinator's demo-only merge passphrase, as written by ``_keys``."""
    return (keys / "DEMO-ONLY-passphrases" / "merge.txt").read_text().splitlines()[0]


def _demo_passphrase(path: Path) -> str:
    """A random passphrase, written to ``path`` and marked DEMO ONLY."""
    passphrase = "demo-only-" + secrets.token_urlsafe(18)
    write_private(path, (passphrase + "\n" + DEMO_NOTE).encode("utf-8"))
    return passphrase


def _open_laptop(result: DemoResult, name: str, keys: ProjectPublicKeys) -> LaptopStore:
    """A new encrypted laptop store; its enumerator's demo-only passphrase beside it."""
    laptops = result.out / "laptops"
    path = result.laptops[name] = laptops / f"{name}.sqlite"
    secret = _demo_passphrase(laptops / f"{name}.DEMO-ONLY-passphrase.txt")
    key = result.laptop_keys[name] = create_store_key(path, secret)
    return LaptopStore.open(path, project_keys=keys, key=key)


def _collect(
    result: DemoResult,
    project: Project,
    public_path: Path,
    per_district: int,
    *,
    seed: int,
    today: dt.date,
) -> None:
    project_keys = load_project_keys(public_path)
    private_folder(result.out / "laptops")
    form = project.form(INSTRUMENT)
    plans = list(households(DISTRICTS, per_district, seed=seed))
    by_district: dict[str, list[HouseholdPlan]] = {}
    for plan in plans:
        by_district.setdefault(plan.district, []).append(plan)
    for number, (district, district_plans) in enumerate(by_district.items()):
        with _open_laptop(result, district, project_keys) as store:
            for index, plan in enumerate(district_plans, 1):
                refuse = (index + 2 * number) % REFUSE_EVERY == 0  # from 3 per district
                _enter(store, form, result, plan, today, refuse=refuse)
            if number == 0:
                _enter_twists(store, form, result, district_plans, today)
    for team in TEAMS:
        team_form = project.form(team.form_id)
        with _open_laptop(result, team.laptop, project_keys) as store:
            for number in range(team.records(per_district)):
                data = team.script(number, seed, today)
                _store(store, team_form, result, data, f"{team.laptop}-{number}")


def _store(
    store: LaptopStore, form: Form, result: DemoResult, data: dict[str, Any], name: str
) -> str:
    script, doc = answer_file_from(data, name)
    stored = store_script(store, form, CheckedScript(script, rehearse(form, script, doc)))
    key = (form.id, str(stored.status))
    result.interviews[key] = result.interviews.get(key, 0) + 1
    assert stored.interview_id is not None
    return stored.interview_id


def _enter(
    store: LaptopStore,
    form: Form,
    result: DemoResult,
    plan: HouseholdPlan,
    today: dt.date,
    *,
    refuse: bool = False,
    name: str | None = None,
) -> str:
    data = household_script(plan, today)
    if refuse:
        data["consent"] = {"respondent_age": data["consent"]["respondent_age"], "adult": 2}
        data["answers"] = {}
    return _store(store, form, result, data, name or f"{plan.district}-{plan.hh_number}")


def _enter_twists(
    store: LaptopStore, form: Form, result: DemoResult, plans: list[HouseholdPlan], today: dt.date
) -> None:
    """What goes wrong in the field, so the merge has something to catch."""
    first = next(p for i, p in enumerate(plans, 1) if i % REFUSE_EVERY != 0)  # district 0
    # the same household keyed twice from one paper form: a content duplicate
    _enter(store, form, result, first, today, name="keyed-twice")
    # a second enumerator visits household 2 of the cluster: the same unit, other answers
    visited = plans[1 % len(plans)]
    other = replace(visited, enumerator="SUPERVISOR-1", seed=visited.seed + 7)
    _enter(store, form, result, other, today, name="second-visit")
    # a child interviewed with the guardian's consent but no assent on record
    _without_assent(store, form, result, plans[2 % len(plans)], today)


def _without_assent(
    store: LaptopStore, form: Form, result: DemoResult, plan: HouseholdPlan, today: dt.date
) -> None:
    """Stored as an app that skipped the assent question would: consent says 'given'."""
    twin = replace(plan, hh_number=900, seed=plan.seed + 11)
    script, doc = answer_file_from(household_script(twin, today), "no-assent")
    steps = rehearse(form, script, doc)
    bad = ConsentRecord(
        outcome=ConsentOutcome.GIVEN,
        respondent="child",
        respondent_age=15,
        screening={"adult_available": "1", "safe_to_proceed": "1", "private_setting": "1"},
        guardian_consent=True,
        child_assent=None,
        language="en",
        recorded_at=dt.datetime.now(dt.UTC),
    )
    interview = store.create_interview(form=form, enumerator=twin.enumerator, language="en")
    recorder = InterviewRecorder(store, interview)
    for step in steps:
        recorder.record(replace(step, consent=bad) if step.consent is not None else step)
    store.finish(interview, InterviewStatus.COMPLETE)
    key = (form.id, "complete")
    result.interviews[key] = result.interviews.get(key, 0) + 1


def _bundle(result: DemoResult) -> list[Path]:
    folder = private_folder(result.out / "bundles")
    publics: list[Path] = []
    for name, laptop in result.laptops.items():
        key = result.laptop_keys[name]
        _, public = init_device(laptop, key)
        publics.append(public)
        bundle = folder / f"{name}.fkb"
        write_bundle(laptop, bundle, key)
        result.bundles.append(bundle)
    resent = folder / f"{next(iter(result.laptops))}-resent.fkb"
    shutil.copyfile(result.bundles[0], resent)
    make_private(resent)
    result.bundles.append(resent)
    return publics
