"""Coordinates for the timeline picture, drawn by the server as SVG (no script, no library): letters per
month stacked by document kind, every bar segment a link to the letters list of that month and kind.

One implementation for the whole collection (/timeline) and for one person (their page): both measure a
``kg.web.picture_data.Timeline``. The templates draw; this module only measures. The network and the map
need a layout engine and a projection, so their pictures are drawn in the browser
(``static/network.js``, ``static/map.js``) over the tables the server renders.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from kg.web.picture_data import Timeline

PALETTE = ("#4e79a7", "#e15759", "#59a14f", "#b07aa1", "#f28e2b", "#76b7b2", "#9c755f", "#edc948")
WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 220, 40, 10, 14, 30


@dataclass(frozen=True)
class Segment:
    """One kind's part of one month's bar."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    href: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class LegendEntry:
    label: str
    fill: str
    count: int


@dataclass
class TimelineChart:
    segments: list[Segment]
    ticks: list[Tick]  # one per year (fewer when the span is long)
    legend: list[LegendEntry]
    peak: int  # letters in the busiest month (the y axis' top)
    undated: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: float = HEIGHT - BOTTOM


def _month_index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def timeline_chart(t: Timeline, filters: dict[str, str], width: int = WIDTH) -> TimelineChart:
    """Bars on a continuous month axis (empty months leave a gap); ``filters`` are the letters list
    parameters every bar's link keeps (``{"person": "stalin-i-v"}``, ``{"org": "politburo"}``, ``{}``)."""
    colours = {k.id: PALETTE[i % len(PALETTE)] for i, k in enumerate(t.kinds)}
    labels = {k.id: k.label for k in t.kinds}
    legend = [LegendEntry(k.label, colours[k.id], sum(m.counts.get(k.id, 0) for m in t.months)) for k in t.kinds]
    if not t.months:
        return TimelineChart([], [], legend, 0, t.undated, t.total, width)
    first, last = _month_index(t.months[0].month), _month_index(t.months[-1].month)
    first -= first % 12  # whole years on the axis
    last += 11 - last % 12
    slot = (width - LEFT - RIGHT) / (last - first + 1)
    peak = max(m.total for m in t.months)
    scale = (HEIGHT - TOP - BOTTOM) / peak
    segments = []
    for m in t.months:
        x = LEFT + (_month_index(m.month) - first) * slot
        y = float(HEIGHT - BOTTOM)
        for kid, count in m.counts.items():
            h = count * scale
            y -= h
            href = "/letters?" + urlencode({**filters, "month": m.month, "kind": kid})
            segments.append(Segment(round(x, 2), round(y, 2), round(max(slot - 1, 1), 2), round(h, 2), colours[kid],
                                    href, f"{m.month}: {count} {labels[kid]}{'s' if count != 1 else ''}"))
    years = range(first // 12, last // 12 + 1)
    step = max(1, len(years) // 16)
    ticks = [Tick(round(LEFT + (y * 12 - first) * slot, 2), str(y)) for y in years if (y - years[0]) % step == 0]
    return TimelineChart(segments, ticks, legend, peak, t.undated, t.total, width)
