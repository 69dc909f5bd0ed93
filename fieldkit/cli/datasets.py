"""fieldkit export / tables: analysis datasets and published tables from the coordinator store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from fieldkit.cli.render import console, err_console, plural, print_json, progress_bars
from fieldkit.cli.unlock import PassphraseEnv, PassphraseFile
from fieldkit.cli.users import acting_user
from fieldkit.protocol.profile import Profile  # not the schema: start-up time

if TYPE_CHECKING:
    from fieldkit.dataset import Dataset
    from fieldkit.instrument.form import Form
    from fieldkit.stats import Crosstab, EstimateTable

__all__ = ["print_published_table", "register"]

Store = Annotated[
    str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL (must exist).")
]
InstrumentId = Annotated[str, typer.Option("--instrument", "-i", help="Instrument id.")]
Role = Annotated[
    str, typer.Option("--role", help="Your role in the protocol (needs answers: all).")
]
Project = Annotated[
    list[Path] | None,
    typer.Option(
        "--project",
        help="The study folder, or its protocol and instrument files or folders "
        "(default: the study folder holding the current one, or $FIELDKIT_PROJECT).",
    ),
]
Lang = Annotated[
    str | None, typer.Option("--lang", "-l", help="Language of labels, one of the instrument's.")
]
OutFile = Annotated[Path | None, typer.Option(help="Write this file.")]
OutDir = Annotated[Path | None, typer.Option(help="Write files into this folder.")]
ProfileOption = Annotated[
    Profile,
    typer.Option(
        "--profile",
        help="Release profile: internal (coordinators), restricted (researchers under "
        "agreement: no free text, staff ids or exact dates), public (also k-anonymous, no "
        "unit numbers, ages in bands).",
    ),
]
Recodes = Annotated[
    Path,
    typer.Option("--recodes", help="Folder of recode files (<instrument>.yaml, fieldkit recode)."),
]
DEFAULT_RECODES = Path("recodes")
RECODE_REASON = "to code free text for release (fieldkit recode)"


def _load(
    store: str,
    instrument: str,
    role: str,
    project: list[Path] | None,
    lang: str | None,
    recodes: Path | None = None,
) -> tuple[Dataset, dict[str, int], Form]:
    from fieldkit.dataset.store import load_dataset
    from fieldkit.project import load_study

    form = load_study(project).form(instrument)
    dataset, counts = load_dataset(store, form, role=role, language=lang)
    coded = (recodes or DEFAULT_RECODES) / f"{instrument}.yaml"
    if coded.exists():
        from fieldkit.release.recode import apply_recodes

        apply_recodes(dataset, form, coded)
    return dataset, counts, form


def export(
    *,
    store: Store,
    instrument: InstrumentId,
    role: Role = "statistician",
    xlsx: OutFile = None,
    csv: OutDir = None,
    parquet: OutDir = None,
    dta: OutDir = None,
    sav: OutDir = None,
    project: Project = None,
    lang: Lang = None,
    profile: ProfileOption = Profile.RESTRICTED,
    recodes: Recodes = DEFAULT_RECODES,
    tables_only: Annotated[
        bool, typer.Option("--tables-only", help="Published tables, no microdata.")
    ] = False,
) -> None:
    """Export a release (Excel, CSV, Parquet, Stata, SPSS): codebook, protected tables and
    microdata as the profile lets them leave; every file asked for, or none."""
    from fieldkit.export import ExportTargets, write_exports
    from fieldkit.profiles.about import with_descriptive_note
    from fieldkit.release.about import protect_counts
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import prepare_microdata

    targets = ExportTargets(xlsx=xlsx, csv=csv, parquet=parquet, dta=dta, sav=sav)
    targets.check()  # before the store is read: a wrong target costs nothing
    full, counts, form = _load(store, instrument, role, project, lang, recodes)
    # tables from every record, protected with every table the study published before
    user = acting_user()
    label = f"export {profile.value}" + (f" by {user}" if user else "")
    published, _ = publish_recorded(store, full, label=label)
    shown = protect_counts(counts, full.study.small_cell_threshold)  # the About sheet's
    dataset = prepare_microdata(full, form, profile, user=user).dataset
    dataset = with_descriptive_note(dataset, form.protocol.model.caution)  # profiles, routes
    with progress_bars() as progress:
        written = write_exports(
            dataset,
            published,
            targets,
            counts=shown,
            progress=progress,
            public=False,  # prepare_microdata made public microdata k-anonymous, or refused
            microdata=not tables_only,
        )
    for issue in dataset.report.issues:
        err_console.print(f"[yellow]warning[/]: {escape(issue.one_line())}")
    for name, table in dataset.tables.items():
        variables = plural(len(table.variables), "variable")
        rows = "streamed" if table.n_rows is None else plural(table.n_rows, "row")
        console.print(f"{escape(name)}: {rows}, {variables}")
    for path in written:
        console.print(f"[green]✓[/] {escape(str(path))}")
    from fieldkit.cli.protection import print_audit_head
    from fieldkit.privacy.exports import record_export

    record_export(
        store,
        instrument,
        written,
        profile=profile.value,
        role=role,
        user=user,
        tables_only=tables_only,
    )
    print_audit_head(store)


def tables(
    *,
    store: Store,
    instrument: InstrumentId,
    indicator: Annotated[str, typer.Option(help="The variable to tabulate.")] = "cl_ilo_sna",
    by: Annotated[
        list[str] | None, typer.Option("--by", help="Break down by (repeat to cross).")
    ] = None,
    table: Annotated[str | None, typer.Option(help="Table name (default: the roster).")] = None,
    weighted: Annotated[
        bool, typer.Option("--weighted", help="Weighted prevalence with SE and 95% CI.")
    ] = False,
    role: Role = "statistician",
    project: Project = None,
    lang: Lang = None,
    profile: ProfileOption = Profile.RESTRICTED,
    recodes: Recodes = DEFAULT_RECODES,
    as_json: Annotated[bool, typer.Option("--json", help="Print rows as JSON.")] = False,
) -> None:
    """Print one disaggregated table (counts with totals, protected with every table
    published before)."""
    from fieldkit.cli.protection import print_audit_head
    from fieldkit.export.layout import lines
    from fieldkit.privacy.exports import record_tables
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import check_variables
    from fieldkit.stats import crosstab, estimate_proportion

    dataset, _, form = _load(store, instrument, role, project, lang, recodes)
    name = table or (dataset.rosters[0] if dataset.rosters else dataset.main)
    rows = dataset.table(name)
    breakdown = by or ["sex", "age_band_ilo_cl"]
    check_variables(dataset, form, profile, [indicator, *breakdown])
    result: Crosstab | EstimateTable
    if weighted:
        result = estimate_proportion(rows, indicator, breakdown, study=dataset.study)
    else:
        result = crosstab(rows, indicator, breakdown, study=dataset.study)
    # what is printed is published: protected with, and recorded beside, every earlier table
    user = acting_user()
    label = f"tables {profile.value}" + (f" by {user}" if user else "")
    publish_recorded(store, dataset, [result], label=label)
    published = [[value for value, _ in line] for line in lines([result])]
    asked = {"table": name, "indicator": indicator, "by": breakdown, "weighted": weighted}
    # audited before it is shown, as every release is: the profile, the table, who
    record_tables(
        store,
        instrument,
        json.dumps(published, ensure_ascii=False, default=str).encode("utf-8"),
        table=asked,
        profile=profile.value,
        role=role,
        user=user,
    )
    if as_json:
        print_json(published)
        return
    print_published_table(result)
    print_audit_head(store)


def print_published_table(result: Crosstab | EstimateTable) -> None:
    """The table under its title, then its notes (as a printed table has them: below)."""
    from rich.table import Table

    from fieldkit.export.layout import lines

    rendered = list(lines([result]))
    title, header, body = rendered[0], rendered[1], rendered[2:]
    grid = Table(title=escape(str(title[0][0])), title_justify="left")
    for value, _ in header:
        grid.add_column(escape(str(value)))
    notes: list[str] = []
    for line in body:
        if line and line[0][1] == "note":
            notes.append(str(line[0][0]))
        elif line:
            grid.add_row(*(escape(_fmt(value)) for value, _ in line))
    console.print(grid)
    for note in notes:
        console.print(f"[dim]{escape(note)}[/]")


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    return "" if value is None else str(value)


def recode(
    *,
    store: Store,
    instrument: InstrumentId,
    question: Annotated[
        list[str] | None,
        typer.Option("--question", "-q", help="A free-text question (repeat; default: all)."),
    ] = None,
    recodes: Recodes = DEFAULT_RECODES,
    role: Role = "statistician",
    project: Project = None,
    reason: Annotated[
        str,
        typer.Option("--reason", help="Why the texts are opened (written to the audit log)."),
    ] = RECODE_REASON,
    merge_key: Annotated[
        Path, typer.Option("--merge-key", help="The coordinator's merge key (keys init wrote it).")
    ] = Path("keys/merge.key"),
    passphrase_file: PassphraseFile = None,
    passphrase_env: PassphraseEnv = None,
) -> None:
    """Add the store's free-text answers to the instrument's recode file, for a coder to give
    each a code; exports then carry <question>_code, which every release profile keeps.

    Free text is sealed to the merge key: it is opened with the merge key's passphrase, and
    the audit log records who opened which questions, how many texts and why."""
    from fieldkit.cli.protection import print_audit_head
    from fieldkit.cli.unlock import passphrase
    from fieldkit.dataset import check_role
    from fieldkit.export.atomic import prepare_folder
    from fieldkit.privacy.audit import current_actor
    from fieldkit.privacy.freetext import open_free_text
    from fieldkit.privacy.keys import read_merge_key
    from fieldkit.project import load_study
    from fieldkit.release.recode import recode_questions, update_recodes
    from fieldkit.store.coordinator import open_coordinator

    form = load_study(project).form(instrument)
    check_role(form, role)
    path = recodes / f"{instrument}.yaml"
    questions = recode_questions(form, question or [], path)
    # the store, the folder and the key file are checked before the passphrase is asked
    with open_coordinator(store, create=False) as db:
        prepare_folder(recodes)  # FK-EXPORT-050 for a file, FK-EXPORT-002 if it cannot be made
        wrapped = read_merge_key(merge_key)
        key = wrapped.open(
            passphrase(passphrase_file, passphrase_env, prompt="Passphrase for the merge key")
        )
        opened = open_free_text(
            db,
            key,
            questions=questions,
            actor=acting_user() or current_actor(),
            reason=reason,
            form_id=form.id,
        )
    texts: dict[str, dict[tuple[str, int], str]] = {name: {} for name in questions}
    for (interview_id, name, member), value in opened.items():
        if isinstance(value, str):
            texts[name][(interview_id, member)] = value
    report = update_recodes(path, form, texts)
    for name, added in report.added.items():
        still = report.uncoded[name]
        console.print(f"{escape(name)}: {plural(added, 'new text')}, {still} still to code")
    console.print(f"[green]✓[/] {escape(str(report.path))}")
    print_audit_head(store)


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("tables")(tables)
    app.command("recode")(recode)
