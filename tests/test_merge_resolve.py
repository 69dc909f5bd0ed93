"""A coordinator's decision on a unit conflict is never silently overwritten: changing it needs
``--force``, the refusal names the earlier decision, and every decision stays in the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from fieldkit.cli.bundles import register
from fieldkit.errors import MergeConflict
from fieldkit.merge import list_conflicts, merge_bundles, resolve_conflict
from tests.merge_fixtures import (
    BACKENDS,
    MERGING,
    Field,
    build_field,
    fresh_store,
    register_all,
)

runner = CliRunner()
app = typer.Typer()
register(app)


@pytest.fixture(scope="module")
def field(tmp_path_factory: pytest.TempPathFactory) -> Field:
    return build_field(tmp_path_factory.mktemp("field"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_decision_changes_only_with_force(field: Field, backend: str, tmp_path: Path) -> None:
    with fresh_store(backend, tmp_path) as store:
        register_all(field, store)
        merge_bundles(field.bundles, store, field.project, MERGING)
        [conflict] = list_conflicts(store)
        first, second = (m.interview_id for m in conflict.members)
        resolve_conflict(store, conflict.id, keep=first, reason="revisit", resolved_by="amina")
        again = resolve_conflict(store, conflict.id, keep=first, reason="same", resolved_by="bo")
        assert [r.resolved_by for r in again.history] == ["amina"]  # the same decision: no change
        with pytest.raises(MergeConflict) as caught:
            resolve_conflict(store, conflict.id, keep=second, reason="no", resolved_by="bo")
        refusal = caught.value
        assert refusal.code == "FK-MERGE-030"
        assert (
            "amina" in refusal.message and first in refusal.message and "revisit" in refusal.message
        )
        assert "--force" in (refusal.hint or "")
        [unchanged] = list_conflicts(store, include_resolved=True)
        assert unchanged.kept_interview_id == first
        changed = resolve_conflict(
            store, conflict.id, keep=second, reason="head confirmed", resolved_by="bo", force=True
        )
        assert (changed.kept_interview_id, changed.resolved_by) == (second, "bo")
        assert [(r.kept_interview_id, r.resolved_by) for r in changed.history] == [
            (first, "amina"),
            (second, "bo"),
        ]


def test_the_command_line_refuses_then_forces(field: Field, tmp_path: Path) -> None:
    store = str(tmp_path / "hq.sqlite")
    register_all(field, store)
    merge_bundles(field.bundles, store, field.project, MERGING)
    [conflict] = list_conflicts(store)
    first, second = (m.interview_id for m in conflict.members)
    resolve = ["conflicts", "resolve", conflict.id, "--store", store, "--by", "amina"]
    result = runner.invoke(app, [*resolve, "--keep", first, "--reason", "revisit"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*resolve, "--keep", second, "--reason", "other"])
    assert isinstance(result.exception, MergeConflict)
    assert result.exception.code == "FK-MERGE-030"
    result = runner.invoke(app, [*resolve, "--keep", second, "--reason", "other", "--force"])
    assert result.exit_code == 0, result.output
    listed = json.loads(
        runner.invoke(app, ["conflicts", "--store", store, "--all", "--json"]).output
    )
    assert [h["resolved_by"] for h in listed[0]["history"]] == ["amina", "amina"]
    assert listed[0]["kept_interview_id"] == second
    table = runner.invoke(app, ["conflicts", "--store", store, "--all"]).output
    assert "decisions:" in table and "revisit" in table
