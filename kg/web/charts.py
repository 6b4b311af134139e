"""Coordinates for the two server-rendered SVG pictures (no JavaScript, no CDN): a person's letters on
a timeline and their correspondents as a network. The templates draw; this module only measures."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    label: str
    href: str
    kind: str


def timeline(letters: list[dict[str, str | None]], width: int = 720) -> dict:
    """Sent letters above the axis, received below; x by date (year + day fraction)."""
    dated = [(row, _year_fraction(row.get("date"))) for row in letters]
    years = [y for _, y in dated if y is not None]
    if not years:
        return {"dots": [], "ticks": [], "width": width, "height": 120}
    lo, hi = math.floor(min(years)), math.floor(max(years)) + 1
    span, pad = max(hi - lo, 1), 30

    def x_of(year: float) -> float:
        return pad + (year - lo) / span * (width - 2 * pad)

    dots, stack = [], {}
    for row, year in dated:
        if year is None:
            continue
        col = round(x_of(year) / 6)
        level = stack[(col, row["role"])] = stack.get((col, row["role"]), -1) + 1
        y = 60 - 10 - 8 * level if row["role"] == "sent" else 60 + 10 + 8 * level
        dots.append(Dot(x_of(year), max(4.0, min(116.0, y)), 4, f"No. {row.get('number') or '?'} ({row.get('date')})",
                        row["letter"] or "", row["role"] or ""))
    ticks = [(x_of(y), y) for y in range(lo, hi + 1)]
    return {"dots": dots, "ticks": ticks, "width": width, "height": 120}


def _year_fraction(date: str | None) -> float | None:
    if not date or not date[:4].isdigit():
        return None
    parts = [int(p) for p in date.split("-") if p.isdigit()]
    month = parts[1] if len(parts) > 1 else 7
    day = parts[2] if len(parts) > 2 else 15
    return parts[0] + (month - 1) / 12 + (day - 1) / 366


def network(center: str, others: list[dict[str, str | None]], size: int = 560) -> dict:
    """The person in the middle, correspondents on a circle, line width by number of letters."""
    mid = size / 2
    radius = size / 2 - 130
    most = max((int(o["letters"] or 1) for o in others), default=1)
    nodes = []
    for i, other in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1) - math.pi / 2
        count = int(other["letters"] or 1)
        nodes.append({"x": mid + radius * math.cos(angle), "y": mid + radius * math.sin(angle),
                      "width": 1 + 5 * count / most, "count": count, "href": other["other"] or "",
                      "label": other.get("name") or other["other"] or "",
                      "anchor": "start" if math.cos(angle) > 0.2 else ("end" if math.cos(angle) < -0.2 else "middle")})
    return {"size": size, "cx": mid, "cy": mid, "center": center, "nodes": nodes}
