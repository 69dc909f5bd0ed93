"""Tables published at different times are one release to an attacker who keeps them all:
the ledger in the coordinator store protects each new table together with the old (P12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldkit.dataset.store import load_dataset
from fieldkit.release import EarlierCount, publish
from fieldkit.release.ledger import earlier_counts, publish_recorded
from fieldkit.stats import Crosstab, EstimateTable, crosstab
from tests.data.generated_household import generated_streams, household_form
from tests.data.store_rows import fill_store
from tests.test_release_attack import attack, generated, generated_tables


def test_tables_published_one_by_one_leak_without_the_ledger_and_not_with_it() -> None:
    dataset, rows = generated(100, 4)
    alone: list[Crosstab | EstimateTable] = []
    for table in generated_tables(dataset, rows):
        published, _ = publish(dataset, [table])
        alone += published
    assert attack(rows, alone, 5), "each table safe alone, together they leak"

    dataset, rows = generated(100, 4)
    earlier: list[EarlierCount] = []
    together: list[Crosstab | EstimateTable] = []
    for table in generated_tables(dataset, rows):
        published, outcome = publish(dataset, [table], earlier=earlier)
        together += published
        earlier += [
            EarlierCount(count.table, count.where, count.printed and i not in outcome.hidden)
            for i, count in enumerate(outcome.counts)
        ]
    assert attack(rows, together, 5) == []


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "hq.sqlite"
    fill_store(path, household_form(), *generated_streams(60, seed=3), excluded={})
    return path


def test_the_ledger_keeps_what_each_call_published(store: Path) -> None:
    form = household_form()
    dataset, _ = load_dataset(store, form, role="statistician")
    members = dataset.table(dataset.rosters[0])
    study = dataset.study
    first = crosstab(members, "citizenship", ["sex", "age_band_ilo_cl"], study=study)
    published, outcome = publish_recorded(store, dataset, [first], label="tables restricted")
    recorded = earlier_counts(store, form.id)
    assert len(recorded) == len({(c.table, str(c.where)) for c in outcome.counts})
    assert sum(1 for c in recorded if not c.shown) >= len(outcome.hidden) > 0

    dataset, _ = load_dataset(store, form, role="statistician")
    members = dataset.table(dataset.rosters[0])
    second = crosstab(members, "citizenship", ["sex"], study=study)
    again, _ = publish_recorded(store, dataset, [second], label="tables restricted")
    assert attack(members, [*published, *again], study.small_cell_threshold) == []
    # a count shown in the first call is shown again: the overall total, for one
    assert again[0].count(len(again[0].rows) - 1, 2) == first.count(len(first.rows) - 1, 2)
    assert len(earlier_counts(store, form.id)) >= len(recorded)
