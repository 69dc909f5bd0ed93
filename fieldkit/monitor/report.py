"""The monitoring report: progress and quality per instrument, from the coordinator store.

    report = build_monitor("hq.sqlite", project)
    report.to_dict()              # the numbers, for --json and other tools
    render_html(report)           # one self-contained page (fieldkit.monitor.html)

A report marked for sharing outside the field team (``share=True``) follows the protocol's
release rules: counts from 1 to the small-cell threshold less one are shown as ``<5``, rates
over fewer visits than the threshold are withheld, enumerators are numbered instead of named
(staff codes stay inside the team) and no interview id leaves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldkit.instrument.form import Form
from fieldkit.monitor.assignments import assigned_units
from fieldkit.monitor.facts import AnswerCounts, InterviewFacts, read_facts
from fieldkit.monitor.progress import Tally, tally
from fieldkit.monitor.quality import EnumeratorRates, enumerator_flags, interview_flags
from fieldkit.monitor.rules import Flag
from fieldkit.project import Project
from fieldkit.store.coordinator import open_coordinator

__all__ = ["FormMonitor", "MonitorReport", "build_monitor"]

TOP_QUESTIONS = 15
"""Questions listed per instrument, highest don't-know + refused share first."""


@dataclass
class FormMonitor:
    form_id: str
    title: str
    total: Tally
    by_district: dict[str, Tally]
    by_enumerator: dict[str, Tally]
    by_day: dict[str, Tally]
    rates: dict[str, EnumeratorRates]
    questions: list[tuple[str, AnswerCounts]]
    flags: list[Flag] = field(default_factory=list)

    def flagged_enumerators(self, rule: str) -> set[str]:
        return {f.enumerator for f in self.flags if f.rule == rule and f.interview_id is None}


@dataclass
class MonitorReport:
    generated_at: str
    forms: list[FormMonitor]
    shared: bool = False
    threshold: int = 5
    store: str = ""

    @property
    def flags(self) -> list[Flag]:
        return [flag for form in self.forms for flag in form.flags]

    def to_dict(self) -> dict[str, Any]:
        from fieldkit.monitor.sharing import report_dict  # noqa: PLC0415  (import cycle)

        return report_dict(self)


def build_monitor(
    store: Path | str, project: Project, *, share: bool = False, now: dt.datetime | None = None
) -> MonitorReport:
    """Read the store once and compute every table and flag of the report."""
    with open_coordinator(store, create=False) as db, db.read() as conn:
        facts = read_facts(conn, project.forms)
        assigned = assigned_units(conn)
    by_form: dict[str, list[InterviewFacts]] = {}
    for item in facts.interviews:
        by_form.setdefault(item.form_id, []).append(item)
    forms = []
    for form_id in sorted(by_form.keys() | {form_id for form_id, _ in assigned}):
        form = project.forms.get(form_id)
        units = {unit: owner for (f, unit), owner in assigned.items() if f == form_id}
        forms.append(_form_monitor(form_id, form, by_form.get(form_id, []), units, facts.questions))
    thresholds = [p.small_cell_threshold for p in project.protocols.values()]
    return MonitorReport(
        generated_at=(now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
        forms=forms,
        shared=share,
        threshold=max(thresholds, default=5),
        store=Path(str(store)).name,
    )


def _form_monitor(
    form_id: str,
    form: Form | None,
    items: list[InterviewFacts],
    units: dict[str, tuple[str, str | None]],
    questions: dict[tuple[str, str], AnswerCounts],
) -> FormMonitor:
    owners = {(form_id, unit): owner for unit, (owner, _) in units.items()} if units else None
    flags: list[Flag] = []
    flagged: dict[str, int] = {}
    by_enumerator: dict[str, list[InterviewFacts]] = {}
    for item in items:
        raised = interview_flags(item, form, owners)
        flags += raised
        flagged[item.id] = len(raised)
        by_enumerator.setdefault(item.enumerator, []).append(item)
    rates = {name: EnumeratorRates.of(group) for name, group in sorted(by_enumerator.items())}
    flags += enumerator_flags(form_id, rates, form)
    monitor = FormMonitor(
        form_id=form_id,
        title=form.title.get(form.default_language, form_id) if form is not None else form_id,
        total=_total(items, flagged),
        by_district=_tallies(items, "district", flagged),
        by_enumerator=_tallies(items, "enumerator", flagged),
        by_day=_tallies(items, "day", flagged),
        rates=rates,
        questions=_worst_questions(form_id, questions),
        flags=flags,
    )
    _add_assigned(monitor, items, units)
    return monitor


def _total(items: list[InterviewFacts], flagged: dict[str, int]) -> Tally:
    total = Tally("all")
    for item in items:
        total.add(item)
        total.flags += flagged.get(item.id, 0)
    return total


def _tallies(items: list[InterviewFacts], key: str, flagged: dict[str, int]) -> dict[str, Tally]:
    rows = tally(items, key)
    for item in items:
        value = item.day.isoformat() if key == "day" else getattr(item, key)
        rows[str(value) if value is not None else "-"].flags += flagged.get(item.id, 0)
    return rows


def _add_assigned(
    monitor: FormMonitor, items: list[InterviewFacts], units: dict[str, tuple[str, str | None]]
) -> None:
    """Assigned and assigned-and-visited units per enumerator, per district and in all."""
    if not units:
        return
    visited = {item.unit_values for item in items if not item.duplicate}
    for rows in (monitor.by_enumerator, monitor.by_district):
        for row in rows.values():
            row.assigned, row.assigned_visited = 0, 0
    monitor.total.assigned, monitor.total.assigned_visited = 0, 0
    for unit, (owner, district) in units.items():
        for rows, key in ((monitor.by_enumerator, owner), (monitor.by_district, district or "-")):
            if key not in rows:
                rows[key] = Tally(key, assigned=0, assigned_visited=0)
            _count_assigned(rows[key], unit in visited)
        _count_assigned(monitor.total, unit in visited)
    monitor.by_enumerator = dict(sorted(monitor.by_enumerator.items()))
    monitor.by_district = dict(sorted(monitor.by_district.items()))


def _count_assigned(row: Tally, visited: bool) -> None:
    row.assigned = (row.assigned or 0) + 1
    row.assigned_visited = (row.assigned_visited or 0) + visited


def _worst_questions(
    form_id: str, questions: dict[tuple[str, str], AnswerCounts]
) -> list[tuple[str, AnswerCounts]]:
    mine = [(q, c) for (f, q), c in questions.items() if f == form_id and c.total]
    mine.sort(key=lambda qc: (-(qc[1].dont_know + qc[1].refused) / qc[1].total, qc[0]))
    return [qc for qc in mine if qc[1].dont_know + qc[1].refused][:TOP_QUESTIONS]
