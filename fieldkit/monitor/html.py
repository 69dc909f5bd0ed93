"""The monitoring report as one self-contained HTML page: inline CSS, inline SVG charts, no
script, no font, no image, nothing fetched. Its Content-Security-Policy forbids any request,
so even a later edit could not make it call out. Built from the same plain data as ``--json``
(``sharing.report_dict``), so a shared page shows exactly the protected numbers."""

from __future__ import annotations

from html import escape
from typing import Any

from fieldkit.monitor.report import MonitorReport
from fieldkit.monitor.sharing import report_dict
from fieldkit.monitor.svg import Bar, bar_chart, day_chart

__all__ = ["render_html"]

_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{border-bottom:2px solid #4a78a8;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:2px 8px}
td.n{text-align:right}th{background:#eef2f7}.flag{color:#c8372d}.note{color:#555}
svg.chart{display:block;margin:.5em 0;font-size:11px}svg .heading{font-weight:bold}
svg .na{fill:#777;font-style:italic}svg .axis{stroke:#999}
svg .cumulative{fill:none;stroke:#c8372d;stroke-width:2}
"""
_PROGRESS = (
    ("assigned", "assigned"),
    ("visited", "visited"),
    ("complete", "complete"),
    ("refused", "refused"),
    ("stopped", "stopped"),
    ("conflicts", "conflicts"),
    ("response_rate", "response"),
    ("consent_refusal_rate", "consent refusals"),
    ("median_minutes", "median min"),
    ("flags", "flags"),
)
_COMPARED = (
    ("dont_know_refused_rate", "Don't know + refused share of answers", "MON-010"),
    ("straight_lining_rate", "Straight-lined grids (share)", "MON-011"),
    ("median_minutes", "Median interview minutes (complete, timed)", "MON-012"),
    ("consent_refusal_rate", "Consent refusals (share of visits)", "MON-013"),
)


def render_html(report: MonitorReport) -> str:
    data = report_dict(report)
    audience = (
        f"for sharing: counts under {data['small_cell_threshold']} hidden, staff numbered"
        if data["shared"]
        else "internal to the field team: staff codes and interview ids shown"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        "<title>fieldkit monitor</title>",
        f"<style>{_STYLE}</style></head><body>",
        "<h1>Fieldwork monitoring</h1>",
        f'<p class="note">Store {escape(data["store"])}, {escape(data["generated_at"])}; '
        f"{escape(audience)}.</p>",
    ]
    if not data["forms"]:
        parts.append("<p>No interview has been merged yet.</p>")
    for index, form in enumerate(data["forms"]):
        parts.append(_form_section(index, form))
    parts.append(_rules(data["rules"]))
    parts.append("</body></html>")
    return "\n".join(parts)


def _form_section(index: int, form: dict[str, Any]) -> str:
    title = f"{form['title']} ({form['form_id']})"
    days = [(d["key"], _number(d["visited"]), _number(d["complete"])) for d in form["by_day"]]
    parts = [
        f'<section id="form-{escape(form["form_id"])}"><h2>{escape(title)}</h2>',
        _table("In all", [form["total"]], "all"),
        day_chart("Progress over time", days, chart_id=f"days-{index}"),
        _table("By district", form["by_district"], "district"),
        _table("By enumerator", form["by_enumerator"], "enumerator"),
        _enumerator_charts(index, form),
        _questions(form["questions"]),
        _flags(form["flags"]),
        "</section>",
    ]
    return "\n".join(parts)


def _enumerator_charts(index: int, form: dict[str, Any]) -> str:
    marked: dict[str, set[str]] = {}
    for flag in form["flags"]:
        if flag["interview_id"] is None:
            marked.setdefault(flag["rule"], set()).add(flag["enumerator"])
    charts = []
    for n, (field, title, rule) in enumerate(_COMPARED):
        bars = [
            Bar(
                row["enumerator"],
                row[field],
                row["enumerator"] in marked.get(rule, set()),
                _shown(row[field], field),
            )
            for row in form["enumerators"]
        ]
        if any(bar.value is not None for bar in bars):
            chart_title = f"{title}; red: outlier ({rule})"
            charts.append(bar_chart(chart_title, bars, chart_id=f"enumerators-{index}-{n}"))
    return "\n".join(charts)


def _table(caption: str, rows: list[dict[str, Any]], key: str) -> str:
    head = "".join(f"<th>{escape(label)}</th>" for _, label in _PROGRESS)
    body = []
    for row in rows:
        cells = "".join(f'<td class="n">{escape(_shown(row[f], f))}</td>' for f, _ in _PROGRESS)
        quarantined = ", ".join(f"{k}: {v}" for k, v in row["quarantined"].items()) or ""
        body.append(
            f"<tr><th>{escape(str(row['key']))}</th>{cells}<td>{escape(quarantined)}</td></tr>"
        )
    return (
        f"<table><caption>{escape(caption)}</caption><tr><th>{escape(key)}</th>{head}"
        f"<th>quarantined</th></tr>{''.join(body)}</table>"
    )


def _questions(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>No question has a don't know or refused answer.</p>"
    body = "".join(
        f"<tr><th>{escape(r['question'])}</th><td class='n'>{escape(_shown(r['answers'], ''))}</td>"
        f"<td class='n'>{escape(_shown(r['dont_know'], ''))}</td>"
        f"<td class='n'>{escape(_shown(r['refused'], ''))}</td>"
        f"<td class='n'>{escape(_shown(r['rate'], 'rate'))}</td></tr>"
        for r in rows
    )
    return (
        "<table><caption>Questions with the most don't know / refused answers</caption>"
        "<tr><th>question</th><th>answers</th><th>don't know</th><th>refused</th>"
        f"<th>share</th></tr>{body}</table>"
    )


def _flags(flags: list[dict[str, Any]]) -> str:
    if not flags:
        return "<p>No flag raised.</p>"
    body = "".join(
        f"<tr><td class='flag'>{escape(f['rule'])}</td><td>{escape(f['title'])}</td>"
        f"<td>{escape(f['enumerator'])}</td><td>{escape(f['interview_id'] or '')}</td>"
        f"<td>{escape(_detail(f['detail']))}</td></tr>"
        for f in flags
    )
    return (
        f"<table class='flags'><caption>Flags ({len(flags)}): each cites its rule, listed "
        "below</caption><tr><th>rule</th><th>what</th><th>enumerator</th><th>interview</th>"
        f"<th>measured</th></tr>{body}</table>"
    )


def _rules(rules: list[dict[str, str]]) -> str:
    items = "".join(
        f"<li id='{escape(r['id'])}'><b>{escape(r['id'])} {escape(r['title'])}</b> "
        f"({escape(r['subject'])}): {escape(r['rule'])}. <i>Source: {escape(r['source'])}.</i></li>"
        for r in rules
    )
    return (
        "<h2>Rules</h2><p>A flag asks a supervisor to look; it is not a verdict.</p>"
        f"<ul>{items}</ul>"
    )


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in detail.items())


def _number(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _shown(value: object, field: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and "rate" in field:
        return f"{value * 100:.1f}%"
    return str(value)
