"""fieldkit routes and fieldkit profile --traffickers on the demo study."""

from __future__ import annotations

import hashlib
import json
import shutil
from getpass import getuser
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from fieldkit.cli import app
from fieldkit.demo.journey import DemoResult
from fieldkit.privacy.audit import AuditLog
from fieldkit.protocol.schema import PlaceModel
from fieldkit.routes import Flow, flows_geojson
from fieldkit.store.coordinator import open_coordinator
from tests.conftest import REPO


def _run(demo: DemoResult, tmp_path: Path, *args: str) -> list[Any]:
    assert demo.store is not None
    store = tmp_path / "hq.sqlite"
    shutil.copyfile(demo.store, store)
    base = ["--store", str(store), "--project", str(REPO), "--json"]
    result = CliRunner().invoke(app, [*args, *base])
    assert result.exit_code == 0, result.output
    found: list[Any] = json.loads(result.output)
    return found


def test_routes_table_is_protected_and_the_map_holds_only_shown_flows(
    demo: DemoResult, tmp_path: Path
) -> None:
    geojson = tmp_path / "flows.geojson"
    tables = _run(demo, tmp_path, "routes", "-i", "household_cl", "--geojson", str(geojson))
    [table] = tables
    assert table[1][0] == "tip_route"
    totals = {line[0]: line[3] for line in table[2:] if len(line) == len(table[1])}
    for count in totals.values():
        assert count in {"x", 0} or count >= 5  # nothing from 1 to 4 is shown
    collection = json.loads(geojson.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["properties"]["children"] >= 5
        assert feature["geometry"]["type"] == "LineString"


def test_rapid_assessment_lists_points_of_vulnerability_by_tool(
    demo: DemoResult, tmp_path: Path
) -> None:
    [table] = _run(demo, tmp_path, "routes", "-i", "rapid_assessment_cl")
    assert table[0][0].endswith("how often each place was reported, and by which tool")
    assert table[1][0] == "vuln_points"
    places = [line[0] for line in table[2:] if len(line) == len(table[1])]
    assert "Centre 1 (capital)" in places  # every demo record names the capital's terminal


def test_trafficker_roles_by_type_of_exploitation(demo: DemoResult, tmp_path: Path) -> None:
    found = _run(demo, tmp_path, "profile", "-i", "household_cl", "--traffickers")
    titles = [table[0][0] for table in found["tables"]]
    assert any("Who took part in the chain" in title for title in titles)
    roles = next(t for t in found["tables"] if "Who took part" in t[0][0])
    header = roles[1]
    assert header[0] == "tip_exploit_type"
    for role in ("Someone who recruited the child", "An employer who controlled the work"):
        assert f"{role} (n)" in header
    for line in roles[2:]:
        if len(line) == len(header):
            for cell in line[1 : header.index("Total (n)") + 1]:
                assert cell in {"x", 0} or cell >= 5


def test_geojson_leaves_out_withheld_flows_and_places_without_coordinates() -> None:
    places = [
        PlaceModel(code="a", label={"en": "A"}, lat=1.0, lon=2.0),
        PlaceModel(code="b", label={"en": "B"}, lat=3.0, lon=4.0),
        PlaceModel(code="c", label={"en": "C"}),
    ]
    flows = [Flow("a", None, "b", 6), Flow("a", "b", "b", "x"), Flow("a", None, "c", 9)]
    features = flows_geojson(flows, places)["features"]
    assert len(features) == 1
    assert features[0]["geometry"]["coordinates"] == [[2.0, 1.0], [4.0, 3.0]]
    assert features[0]["properties"]["children"] == 6


def test_routes_and_profiles_are_audited_as_releases(demo: DemoResult, tmp_path: Path) -> None:
    """Both print published tables and may write files: each run adds one audit entry with
    the profile, the SHA-256 of what was printed and of each file, and who ran it."""
    geojson = tmp_path / "flows.geojson"
    shown = _run(demo, tmp_path, "routes", "-i", "household_cl", "--geojson", str(geojson))
    store = tmp_path / "hq.sqlite"
    with open_coordinator(store) as db:
        entry = AuditLog(db).entries()[-1]
    detail = json.loads(entry.detail)
    assert (entry.action, entry.subject, entry.actor) == ("routes", "household_cl", getuser())
    assert detail["profile"] == "restricted" and detail["user"].startswith("login name")
    printed = json.dumps(shown, ensure_ascii=False).encode("utf-8")
    assert detail["printed_sha256"] == hashlib.sha256(printed).hexdigest()
    assert detail["files"] == {str(geojson): hashlib.sha256(geojson.read_bytes()).hexdigest()}
    args = ["profile", "-i", "street_cl", "--traffickers", "--store", str(store)]
    result = CliRunner().invoke(app, [*args, "--project", str(REPO), "--json"])
    assert result.exit_code == 0, result.output
    with open_coordinator(store) as db:
        log = AuditLog(db)
        entry = log.entries()[-1]
        assert log.verify().ok
    detail = json.loads(entry.detail)
    assert (entry.action, entry.subject) == ("profile", "street_cl")
    assert detail["table"]["traffickers"] is True and detail["files"] == {}
