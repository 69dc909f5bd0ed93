"""fieldkit monitor on the demo's coordinator store: JSON numbers that agree with what the
laptops entered, a shared report that hides small counts and staff codes, and the demo's
monitor.html opened in headless Chromium: charts drawn, no request leaving the page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldkit.cli import run
from fieldkit.demo.journey import DemoResult
from tests.conftest import REPO


def monitor_json(capsys: pytest.CaptureFixture[str], store: Path, *extra: str) -> Any:
    capsys.readouterr()
    status = run(["monitor", "--store", str(store), "--project", str(REPO), "--json", *extra])
    out = capsys.readouterr().out
    assert status == 0, out
    return json.loads(out)


def by_form(data: Any) -> dict[str, Any]:
    return {form["form_id"]: form for form in data["forms"]}


def test_numbers_agree_with_what_the_laptops_entered(
    demo: DemoResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.store is not None
    forms = by_form(monitor_json(capsys, demo.store))
    assert set(forms) == {
        "household_cl",
        "establishment_cl",
        "school_cl",
        "street_cl",
        "rapid_assessment_cl",
    }
    household = forms["household_cl"]["total"]
    # one household was keyed twice (a content duplicate: the same visit, not a new one)
    assert household["duplicates"] == 1
    entered = sum(n for (form, _), n in demo.interviews.items() if form == "household_cl")
    assert household["visited"] + household["duplicates"] == entered
    assert household["complete"] == demo.count("household_cl", "complete") - 1
    assert household["refused"] == demo.count("household_cl", "refused")
    assert household["quarantined"] == {"no_child_assent": 1}
    assert household["conflicts"] == 2  # the second visit and the household it claims
    assert (
        sum(row["visited"] for row in forms["household_cl"]["by_district"]) == household["visited"]
    )
    assert sum(row["visited"] for row in forms["household_cl"]["by_day"]) == household["visited"]
    # the demo's interviews are keyed from answers files, today: untimed and outside the
    # protocol's 2027 collection windows, and each such flag cites its rule
    rules = {rule["id"] for rule in monitor_json(capsys, demo.store)["rules"]}
    for form_id, form in forms.items():
        assert form["total"]["timed"] == 0
        for flag in form["flags"]:
            assert flag["rule"] in rules
        # only the household sample is assigned: visits outside it are flagged (MON-004)
        expected = {"MON-002", "MON-004"} if form_id == "household_cl" else {"MON-002"}
        assert {f["rule"] for f in form["flags"] if f["interview_id"]} == expected


def test_a_shared_report_hides_small_counts_and_staff(
    demo: DemoResult, capsys: pytest.CaptureFixture[str]
) -> None:
    assert demo.store is not None
    inside = by_form(monitor_json(capsys, demo.store))["household_cl"]
    shared_data = monitor_json(capsys, demo.store, "--share")
    assert shared_data["shared"] is True
    shared = by_form(shared_data)["household_cl"]
    names = {row["key"] for row in inside["by_enumerator"]}
    text = json.dumps(shared)
    assert not any(name in text for name in names)
    assert {row["key"] for row in shared["by_enumerator"]} == {
        f"E{i:02d}" for i in range(1, len(names) + 1)
    }
    assert all(flag["interview_id"] is None for flag in shared["flags"])
    for inner, outer in zip(inside["by_district"], shared["by_district"], strict=True):
        for column in ("visited", "complete", "refused"):
            value = inner[column]
            expected = f"<{shared_data['small_cell_threshold']}" if 0 < value < 5 else value
            assert outer[column] == expected
        if inner["visited"] < 5:
            assert outer["response_rate"] is None


@pytest.fixture(scope="module")
def context() -> Iterator[Any]:
    from tests.web_helpers import browser, chromium_or_skip

    chromium_or_skip()
    with browser() as found:
        yield found


def test_the_demos_report_opens_offline_with_its_charts(demo: DemoResult, context: Any) -> None:
    assert demo.monitor is not None and demo.monitor.name == "monitor.html"
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(demo.monitor.as_uri())
    charts = page.locator("svg.chart")
    assert charts.count() >= 5 * 2  # per instrument: progress over time + enumerator bars
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 20
    drawn = page.locator("svg.chart rect").count()
    assert drawn > 50
    first_bar = page.locator("#days-0 rect").first.bounding_box()
    assert first_bar is not None and first_bar["height"] > 0
    assert page.locator("li#MON-002").count() == 1
    assert requests == [demo.monitor.as_uri()]
    page.close()
