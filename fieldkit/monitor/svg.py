"""Two small chart kinds as inline SVG text: nothing to load, nothing to run, opens offline.

Hand-written rather than a plotting library: the report needs horizontal bars and a line
over days, and a page of plain SVG prints, zooms and opens in any browser of a field office.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Bar", "bar_chart", "day_chart"]

_WIDTH = 640
_LABEL = 150
_ROW = 20
_PLAIN, _MARKED = "#4a78a8", "#c8372d"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float | None
    """None: withheld or not measured (drawn as a note, never as 0)."""
    marked: bool = False
    text: str = ""
    """What is written at the end of the bar (the value as shown)."""


def bar_chart(title: str, bars: Sequence[Bar], *, chart_id: str) -> str:
    """Horizontal bars, one row each; marked bars (outliers) in red with a title saying so."""
    top = max((b.value for b in bars if b.value is not None), default=0.0) or 1.0
    span = _WIDTH - _LABEL - 70
    height = 30 + _ROW * len(bars)
    rows = []
    for i, bar in enumerate(bars):
        y = 24 + i * _ROW
        label = f'<text x="{_LABEL - 6}" y="{y + 13}" text-anchor="end">{escape(bar.label)}</text>'
        if bar.value is None:
            note = escape(bar.text or "n/a")
            rows.append(label + f'<text x="{_LABEL + 4}" y="{y + 13}" class="na">{note}</text>')
            continue
        width = max(bar.value / top * span, 1.0)
        colour = _MARKED if bar.marked else _PLAIN
        note = " (outlier)" if bar.marked else ""
        rows.append(
            label + f'<rect x="{_LABEL}" y="{y + 2}" width="{width:.1f}" height="{_ROW - 6}" '
            f'fill="{colour}" class="{"marked" if bar.marked else "bar"}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}{note}</title></rect>"
            f'<text x="{_LABEL + width + 4:.1f}" y="{y + 13}">{escape(bar.text)}</text>'
        )
    return _svg(title, chart_id, height, "".join(rows))


def day_chart(
    title: str, days: Sequence[tuple[str, int | None, int | None]], *, chart_id: str
) -> str:
    """Visits per day as bars and the cumulative complete interviews as a line. A day's
    count withheld (None, a shared report's small count) draws no bar, and then no line:
    the steps of a running total would give the withheld counts away."""
    if not days:
        return _svg(title, chart_id, 40, '<text x="10" y="32" class="na">no interviews yet</text>')
    height, base, left = 220, 180, 50
    step = (_WIDTH - left - 20) / len(days)
    line = all(complete is not None for _, _, complete in days)
    total = sum(complete or 0 for _, _, complete in days)
    top = max(total if line else 0, *(v or 0 for _, v, _ in days), 1)
    parts = [f'<line x1="{left}" y1="{base}" x2="{_WIDTH - 10}" y2="{base}" class="axis"/>']
    parts.append(f'<text x="{left - 6}" y="{base - 146}" text-anchor="end">{top}</text>')
    parts.append(f'<text x="{left - 6}" y="{base + 4}" text-anchor="end">0</text>')
    running, points = 0, []
    for i, (day, visits, complete) in enumerate(days):
        x = left + i * step
        if visits is not None:
            h = visits / top * 150
            parts.append(
                f'<rect x="{x + step * 0.15:.1f}" y="{base - h:.1f}" width="{step * 0.7:.1f}" '
                f'height="{h:.1f}" fill="{_PLAIN}" class="bar"><title>{escape(day)}: {visits} '
                f"visits</title></rect>"
            )
        running += complete or 0
        points.append(f"{x + step / 2:.1f},{base - running / top * 150:.1f}")
        if i in (0, len(days) - 1) or len(days) <= 8:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{base + 16}" text-anchor="middle">'
                f"{escape(day[5:])}</text>"
            )
    legend = "bars: visits per day"
    if line:
        parts.append(f'<polyline points="{" ".join(points)}" class="cumulative"/>')
        legend += f"; line: complete interviews so far ({running})"
    parts.append(f'<text x="{left}" y="{base + 34}" class="legend">{legend}</text>')
    return _svg(title, chart_id, height, "".join(parts))


def _svg(title: str, chart_id: str, height: int, body: str) -> str:
    return (
        f'<svg id="{escape(chart_id)}" class="chart" xmlns="http://www.w3.org/2000/svg" '
        f'width="{_WIDTH}" height="{height}" viewBox="0 0 {_WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<text x="4" y="14" class="heading">{escape(title)}</text>{body}</svg>'
    )
