"""fieldkit routes --by-period: routes by month, quarter or year of the interview or of the
recruitment, protected like every table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldkit.cli import app, run
from fieldkit.dataset.dataset import Dataset
from fieldkit.dataset.errors import DatasetError
from fieldkit.dataset.table import Special, Table, Variable, VarType
from fieldkit.demo.journey import DemoResult
from fieldkit.routes.periods import _period, add_period
from fieldkit.routes.rare import OTHER
from tests.conftest import REPO


def _invoke(demo: DemoResult, tmp_path: Path, *args: str) -> tuple[int, str]:
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)
    base = ["--store", str(store), "--project", str(REPO)]
    result = CliRunner().invoke(app, ["routes", *args, *base])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("every", "source", "column"),
    [("quarter", "interview", "tip_interview_quarter"),
     ("year", "recruitment", "tip_recruitment_year")],
)  # fmt: skip
def test_routes_by_period_are_protected(
    demo: DemoResult, tmp_path: Path, every: str, source: str, column: str
) -> None:
    args = ["-i", "household_cl", "--by-period", every, "--period-from", source, "--json"]
    code, output = _invoke(demo, tmp_path, *args)
    assert code == 0, output
    [table] = json.loads(output)
    assert table[0][0].endswith(f"by {every} of the {source}")
    header = table[1]
    assert header[:2] == ["tip_route", column]
    total = header.index("Total (n)")
    rows = [line for line in table[2:] if len(line) == len(header)]
    assert rows[-1][:2] == ["Total", "Total"]
    for line in rows:
        for count in line[2 : total + 1]:
            assert count in {"x", 0} or count >= 5  # nothing from 1 to 4 is shown
    assert any(line[1] == "All" for line in rows)  # each route's subtotal over the periods


def test_a_recruitment_period_the_instrument_does_not_ask_is_one_clear_line(
    demo: DemoResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)
    args = ["routes", "--store", str(store), "--project", str(REPO), "-i", "street_cl"]
    assert run([*args, "--by-period", "month", "--period-from", "recruitment"]) == 1
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "FK-DATA-061" in line and "use --period-from interview" in line


def test_periods_of_dates_and_datetimes() -> None:
    assert _period("2026-02-14", "month") == "2026-02"
    assert _period("2026-05-01T08:00:00Z", "quarter") == "2026-Q2"
    assert _period("2026-12-31", "quarter") == "2026-Q4"
    assert _period("2025-07-01", "year") == "2025"
    assert _period(None, "year") is None and _period(Special.DONT_KNOW, "year") is None


def test_a_period_one_child_has_is_folded(demo: DemoResult) -> None:
    from fieldkit.cli.datasets import _load

    assert demo.store is not None
    dataset, _, _ = _load(str(demo.store), "household_cl", "statistician", [REPO], None, None)
    children = Table("kids", [Variable(n, {"en": n}, VarType.CODE) for n in ("tip_child",)])
    children.add_column(Variable("tip_recruit_date", {"en": "d"}, VarType.DATE),
                        [])  # fmt: skip
    children.extend([[1, "2026-01-05"]] * 5 + [[1, "2019-03-01"], [None, "2026-01-09"]])
    name = add_period(_only(dataset, children), children, "month", "recruitment")
    assert children.column(name) == ["2026-01"] * 5 + [OTHER, "2026-01"]
    assert list(children.variable(name).value_labels) == ["2026-01", OTHER]
    with pytest.raises(DatasetError) as caught:
        add_period(dataset, Table("none", []), "year", "recruitment")
    assert caught.value.code == "FK-DATA-061"


def _only(dataset: Dataset, children: Table) -> Dataset:
    dataset.tables[dataset.main] = children
    return dataset


def test_the_map_of_a_table_by_period_draws_each_route_once_with_its_total(
    demo: DemoResult,
) -> None:
    from fieldkit.routes import flows
    from fieldkit.stats.tabulate import crosstab

    names = ("tip_route", "tip_interview_year", "tip_child")
    table = Table("kids", [Variable(n, {"en": n}, VarType.CODE) for n in names])
    table.extend([["a>direct>b", "2025", 1]] * 6 + [["a>c>b", "2026", 1]] * 7)
    found = crosstab(table, "tip_child", names[:2], study=demo.datasets["household_cl"].study)
    drawn = {(f.origin, f.transit, f.destination, f.children) for f in flows(found)}
    assert drawn == {("a", None, "b", 6), ("a", "c", "b", 7)}
