"""fieldkit export / tables: analysis datasets and published tables from the coordinator store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from fieldkit.cli.render import console, err_console, print_json, print_report, progress_bars
from fieldkit.cli.users import acting_user
from fieldkit.dataset import Dataset
from fieldkit.dataset.store import load_dataset
from fieldkit.export import write_csv, write_dta, write_parquet, write_sav, write_xlsx
from fieldkit.export.layout import lines
from fieldkit.instrument.form import Form
from fieldkit.project import load_project
from fieldkit.protocol.schema import Profile
from fieldkit.stats import Crosstab, EstimateTable, crosstab, estimate_proportion

__all__ = ["register"]

Store = Annotated[str, typer.Option("--store", help="Coordinator store: a SQLite path or a URL.")]
InstrumentId = Annotated[str, typer.Option("--instrument", "-i", help="Instrument id.")]
Role = Annotated[
    str, typer.Option("--role", help="Your role in the protocol (needs answers: all).")
]
Project = Annotated[
    list[Path] | None,
    typer.Option("--project", help="Protocol and instrument files or folders."),
]
Lang = Annotated[str | None, typer.Option("--lang", "-l", help="Language of labels, e.g. fr.")]
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
DEFAULT_PROJECT = [Path("protocols"), Path("instruments")]
DEFAULT_RECODES = Path("recodes")


def _load(
    store: str,
    instrument: str,
    role: str,
    project: list[Path] | None,
    lang: str | None,
    recodes: Path | None = None,
) -> tuple[Dataset, dict[str, int], Form]:
    loaded = load_project(project or DEFAULT_PROJECT)
    if not loaded.report.ok:
        print_report(loaded.report, subject="project")
        raise typer.Exit(1)
    form = loaded.form(instrument)
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
    microdata as the profile lets them leave."""
    from fieldkit.release.about import protect_counts
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import prepare_microdata

    if not any((xlsx, csv, parquet, dta, sav)):
        err_console.print("nothing to write: give --xlsx, --csv, --parquet, --dta or --sav")
        raise typer.Exit(2)
    full, counts, form = _load(store, instrument, role, project, lang, recodes)
    # tables from every record, protected with every table the study published before
    user = acting_user()
    label = f"export {profile.value}" + (f" by {user}" if user else "")
    published, _ = publish_recorded(store, full, label=label)
    shown = protect_counts(counts, full.study.small_cell_threshold)  # the About sheet's
    dataset = prepare_microdata(full, form, profile, user=user).dataset
    public = False  # prepare_microdata has made public microdata k-anonymous, or refused
    written: list[Path] = []
    with progress_bars() as progress:
        if xlsx:
            written.append(
                write_xlsx(
                    dataset,
                    published,
                    xlsx,
                    counts=shown,
                    progress=progress,
                    public=public,
                    microdata=not tables_only,
                )
            )
        if csv:
            written += write_csv(
                dataset,
                published,
                csv,
                counts=shown,
                progress=progress,
                public=public,
                microdata=not tables_only,
            )
        if parquet and not tables_only:
            written += write_parquet(dataset, parquet, progress=progress, public=public)
        if dta and not tables_only:
            written += write_dta(dataset, dta, public=public)
        if sav and not tables_only:
            written += write_sav(dataset, sav, public=public)
    for issue in dataset.report.issues:
        err_console.print(f"[yellow]warning[/]: {escape(issue.one_line())}")
    for name, table in dataset.tables.items():
        console.print(f"{escape(name)}: {table.n_rows} rows, {len(table.variables)} variables")
    for path in written:
        console.print(f"[green]✓[/] {escape(str(path))}")


def tables(
    *,
    store: Store,
    instrument: InstrumentId,
    indicator: Annotated[str, typer.Option(help="The variable to tabulate.")] = "cl_sdg_8_7_1",
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
    from fieldkit.release.ledger import publish_recorded
    from fieldkit.release.profiles import check_variables

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
    if as_json:
        print_json([[value for value, _ in line] for line in lines([result])])
        return
    print_published_table(result)


def print_published_table(result: Crosstab | EstimateTable) -> None:
    rendered = list(lines([result]))
    title, header, body = rendered[0], rendered[1], rendered[2:]
    grid = Table(title=str(title[0][0]), title_justify="left")
    for value, _ in header:
        grid.add_column(str(value))
    for line in body:
        if line and line[0][1] == "note":
            console.print(f"[dim]{escape(str(line[0][0]))}[/]")
        elif line:
            grid.add_row(*(_fmt(value) for value, _ in line))
    console.print(grid)


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
) -> None:
    """Add the store's free-text answers to the instrument's recode file, for a coder to give
    each a code; exports then carry <question>_code, which every release profile keeps."""
    from fieldkit.release.recode import update_recodes

    dataset, _, form = _load(store, instrument, role, project, None)
    recodes.mkdir(parents=True, exist_ok=True)
    report = update_recodes(recodes / f"{instrument}.yaml", form, dataset, question or [])
    for name, added in report.added.items():
        console.print(f"{escape(name)}: {added} new texts, {report.uncoded[name]} still to code")
    console.print(f"[green]✓[/] {escape(str(report.path))}")


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("tables")(tables)
    app.command("recode")(recode)
