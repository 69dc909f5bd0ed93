"""The report's numbers as plain data, protected when the report leaves the field team.

Inside the team every number is shown. Marked for sharing (``--share``) the protocol's
release rules apply, as they do to published tables: a count from 1 to threshold - 1 becomes
``"<T"``, a rate over fewer than T visits is withheld (None), enumerators become ``E01``,
``E02``... in name order, and flags lose their interview ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fieldkit.monitor.rules import RULES, Flag

if TYPE_CHECKING:
    from fieldkit.monitor.progress import Tally
    from fieldkit.monitor.report import FormMonitor, MonitorReport

__all__ = ["Shown", "report_dict"]

Count = int | str | None


class Shown:
    """How counts, rates and staff codes are shown in one report."""

    def __init__(self, shared: bool, threshold: int, enumerators: list[str]) -> None:
        self.shared = shared
        self.threshold = threshold
        self._names = {name: f"E{i:02d}" for i, name in enumerate(sorted(set(enumerators)), 1)}

    def count(self, value: int | None) -> Count:
        if value is None or not self.shared or value == 0 or value >= self.threshold:
            return value
        return f"<{self.threshold}"

    def rate(self, value: float | None, base: int) -> float | None:
        if value is None or (self.shared and base < self.threshold):
            return None
        return round(value, 4)

    def who(self, name: str) -> str:
        return self._names.get(name, "E??") if self.shared else name


def report_dict(report: MonitorReport) -> dict[str, Any]:
    return {
        "generated_at": report.generated_at,
        "store": report.store,
        "shared": report.shared,
        "small_cell_threshold": report.threshold,
        "rules": [rule.to_dict() for rule in RULES.values()],
        "forms": [form_dict(form, shown_for(report, form)) for form in report.forms],
    }


def shown_for(report: MonitorReport, form: FormMonitor) -> Shown:
    return Shown(report.shared, report.threshold, list(form.by_enumerator))


def form_dict(form: FormMonitor, shown: Shown) -> dict[str, Any]:
    return {
        "form_id": form.form_id,
        "title": form.title,
        "total": tally_dict(form.total, shown),
        "by_district": [tally_dict(t, shown) for t in form.by_district.values()],
        "by_enumerator": [tally_dict(t, shown, staff=True) for t in form.by_enumerator.values()],
        "by_day": [tally_dict(t, shown) for t in form.by_day.values()],
        "enumerators": [
            {
                "enumerator": shown.who(name),
                "answers": shown.count(r.answers),
                "dont_know_refused_rate": shown.rate(r.dk_rf, r.answers),
                "straight_lining_rate": shown.rate(r.straight, form.by_enumerator[name].visited),
                "median_minutes": None if r.median_minutes is None else round(r.median_minutes, 1),
                "consent_refusal_rate": shown.rate(r.refusal, form.by_enumerator[name].consented),
            }
            for name, r in form.rates.items()
        ],
        "questions": [
            {
                "question": question,
                "answers": shown.count(c.total),
                "dont_know": shown.count(c.dont_know),
                "refused": shown.count(c.refused),
                "rate": shown.rate((c.dont_know + c.refused) / c.total, c.total),
            }
            for question, c in form.questions
        ],
        "flags": [_flag_dict(flag, shown) for flag in form.flags],
    }


def _flag_dict(flag: Flag, shown: Shown) -> dict[str, Any]:
    data = flag.to_dict()
    if not shown.shared:
        return data
    detail = dict(flag.detail)
    detail.pop("unit", None)  # a household's cluster and number: not outside the team
    if detail.get("assigned_to") is not None:
        detail["assigned_to"] = shown.who(str(detail["assigned_to"]))
    data.update(enumerator=shown.who(flag.enumerator), interview_id=None, detail=detail)
    return data


def tally_dict(row: Tally, shown: Shown, *, staff: bool = False) -> dict[str, Any]:
    data = row.to_dict()
    if staff:
        data["key"] = shown.who(row.key)
    for name in ("assigned", "visited", "assigned_visited", "complete", "refused", "stopped"):
        data[name] = shown.count(data[name])
    for name in ("conflicts", "duplicates", "timed", "flags"):
        data[name] = shown.count(data[name])
    data["quarantined"] = {k: shown.count(v) for k, v in row.quarantined.items()}
    base = row.assigned if row.assigned else row.visited
    data["response_rate"] = shown.rate(row.response_rate, base)
    data["consent_refusal_rate"] = shown.rate(row.refusal_rate, row.consented)
    return data
