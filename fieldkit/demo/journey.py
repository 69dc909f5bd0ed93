"""The whole journey on the embedded SQLite default, from YAML to Excel, in under a minute.

Synthetic households for several districts and enumerators are entered through the engine's
scripted entry onto one laptop store per district; a few refuse, one household is visited
twice by two enumerators (a unit conflict), one interview is keyed twice (a content
duplicate), one bundle is re-sent, and one child's interview reaches the coordinator
without the child's own assent (as from an old app or a careless paper entry). Laptops
bundle and sign their interviews; the coordinator registers the devices, merges, and exports
the disaggregated datasets to Excel.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from fieldkit.bundle import init_device, read_device_public_key, write_bundle
from fieldkit.capture.recorder import InterviewRecorder
from fieldkit.capture.scripted import CheckedScript, answer_file_from, rehearse, store_script
from fieldkit.dataset import Dataset
from fieldkit.dataset.store import load_dataset
from fieldkit.demo.synthetic import DISTRICTS, HouseholdPlan, household_script, households
from fieldkit.errors import FieldkitError
from fieldkit.export import write_xlsx
from fieldkit.instrument.form import Form
from fieldkit.merge import MergeReport, merge_bundles, register_device
from fieldkit.privacy.keys import generate_project_keys, load_public_key
from fieldkit.project import Project, load_project
from fieldkit.release.about import protect_counts
from fieldkit.release.publish import publish, standard_tables
from fieldkit.stats import Crosstab, EstimateTable, crosstab
from fieldkit.store import LaptopStore
from fieldkit.store.records import ConsentOutcome, ConsentRecord, InterviewStatus

__all__ = ["DemoResult", "run_demo"]

INSTRUMENT = "household_cl"
HIGHLIGHT = "cl_sdg_8_7_1"
REFUSE_EVERY = 9
"""Every ninth household refuses (about 11%, a plausible non-response rate)."""


@dataclass
class DemoResult:
    out: Path
    laptops: dict[str, Path] = field(default_factory=dict)
    bundles: list[Path] = field(default_factory=list)
    interviews: dict[str, int] = field(default_factory=dict)
    """Status → interviews entered on the laptops."""
    merge: MergeReport | None = None
    dataset: Dataset | None = None
    published: list[Crosstab | EstimateTable] = field(default_factory=list)
    highlight: Crosstab | None = None
    """One disaggregated table for the summary: child labour by age band, all children."""
    workbook: Path | None = None
    store: Path | None = None
    seconds: float = 0.0


def run_demo(
    out: Path,
    root: Path,
    *,
    per_district: int = 8,
    seed: int = 2026,
    today: dt.date | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> DemoResult:
    """Run the journey into ``out`` (which is emptied first); ``say`` hears each stage."""
    started = time.perf_counter()
    project = _project(root)
    form = project.form(INSTRUMENT)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    result = DemoResult(out)
    say("coordinator: project keys")
    public_path = _keys(out / "keys")
    say("enumerators: interviews through the engine, one laptop per district")
    _collect(result, form, public_path, per_district, seed=seed, today=today or dt.date.today())
    say("laptops: signed bundles (one re-sent)")
    devices = _bundle(result)
    say("coordinator: register devices and merge")
    result.store = out / "hq.sqlite"
    for public in devices:
        register_device(result.store, read_device_public_key(public))
    result.merge = merge_bundles(result.bundles, result.store, project)
    say("statistician: datasets, derived indicators, Excel")
    dataset, counts = load_dataset(result.store, form, role="statistician")
    tables: list[Crosstab | EstimateTable] = list(standard_tables(dataset))
    if dataset.rosters:  # printed on the console: part of the release like every sheet
        members = dataset.table(dataset.rosters[0])
        result.highlight = crosstab(
            members, HIGHLIGHT, ["age_band_ilo_cl"], study=dataset.study, language="en"
        )
        tables.append(result.highlight)
    published, _ = publish(dataset, tables)
    result.dataset = dataset
    result.published = [t for t in published if t is not result.highlight]
    workbook = out / "fieldkit-demo.xlsx"
    shown = protect_counts(counts, dataset.study.small_cell_threshold)  # About: a release too
    result.workbook = write_xlsx(dataset, result.published, workbook, counts=shown)
    result.seconds = time.perf_counter() - started
    return result


def _project(root: Path) -> Project:
    project = load_project([root / "protocols", root / "instruments"])
    if not project.report.ok:
        first = project.report.errors[0]
        raise FieldkitError(
            first.message, code=first.code, location=first.location, hint=first.hint
        )
    return project


def _keys(folder: Path) -> Path:
    folder.mkdir()
    passphrase = secrets.token_urlsafe(18)
    private, public = generate_project_keys(passphrase)
    (folder / "project.key").write_bytes(private)
    (folder / "project.pub").write_bytes(public)
    (folder / "DEMO-ONLY-passphrase.txt").write_text(
        passphrase + "\n# demo only: a real passphrase is never stored beside its key\n"
    )
    return folder / "project.pub"


def _collect(
    result: DemoResult,
    form: Form,
    public_path: Path,
    per_district: int,
    *,
    seed: int,
    today: dt.date,
) -> None:
    public_key = load_public_key(public_path)
    plans = list(households(DISTRICTS, per_district, seed=seed))
    by_district: dict[str, list[HouseholdPlan]] = {}
    for plan in plans:
        by_district.setdefault(plan.district, []).append(plan)
    laptops = result.out / "laptops"
    laptops.mkdir()
    for number, (district, district_plans) in enumerate(by_district.items()):
        path = laptops / f"{district}.sqlite"
        result.laptops[district] = path
        with LaptopStore.open(path, project_public_key=public_key) as store:
            for index, plan in enumerate(district_plans, 1):
                refuse = (index + number) % REFUSE_EVERY == 0
                _enter(store, form, result, plan, today, refuse=refuse)
            if number == 0:
                _enter_twists(store, form, result, district_plans, today)


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
    script, doc = answer_file_from(data, name or f"{plan.district}-{plan.hh_number}")
    stored = store_script(store, form, CheckedScript(script, rehearse(form, script, doc)))
    result.interviews[str(stored.status)] = result.interviews.get(str(stored.status), 0) + 1
    assert stored.interview_id is not None
    return stored.interview_id


def _enter_twists(
    store: LaptopStore, form: Form, result: DemoResult, plans: list[HouseholdPlan], today: dt.date
) -> None:
    """What goes wrong in the field, so the merge has something to catch."""
    first = next(p for i, p in enumerate(plans, 1) if i % REFUSE_EVERY != 0)
    # the same household keyed twice from one paper form: a content duplicate
    _enter(store, form, result, first, today, name="keyed-twice")
    # a second enumerator visits household 2 of the cluster: the same unit, other answers
    other = replace(plans[1], enumerator="SUPERVISOR-1", seed=plans[1].seed + 7)
    _enter(store, form, result, other, today, name="second-visit")
    # a child interviewed with the guardian's consent but no assent on record
    _without_assent(store, form, result, plans[2], today)


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
    result.interviews["complete"] = result.interviews.get("complete", 0) + 1


def _bundle(result: DemoResult) -> list[Path]:
    folder = result.out / "bundles"
    folder.mkdir()
    publics: list[Path] = []
    for district, laptop in result.laptops.items():
        key, _, public = init_device(laptop)
        publics.append(public)
        bundle = folder / f"{district}.fkb"
        write_bundle(laptop, bundle, key)
        result.bundles.append(bundle)
    resent = folder / f"{next(iter(result.laptops))}-resent.fkb"
    shutil.copyfile(result.bundles[0], resent)
    result.bundles.append(resent)
    return publics
