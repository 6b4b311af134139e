"""Date statements: the edition's date line and the writers' own short dates, read into DateStatement.

Why one module: the same arithmetic (validity, brackets = supplied by the editors, Old Style calendar)
serves the date line under the header ("August 3 [1923]") and the handwritten lines ("3/VІІІ",
"24/1 23") that body.py finds. Nothing here guesses silently: a date that cannot exist gives a
``DateProblem`` that the caller turns into an "impossible-date" diagnostic.

Choices (documented because the text does not decide them):
- ``[early|mid|late March 1921]``: days 1-10, 11-20, 21-end; EDTF is the interval
  ("1921-03-21/1921-03-31"), qualifier "approximate".
- ``[previously X]`` = not later than X: EDTF "../X", earliest None; ``[later X]`` = not earlier
  than X: EDTF "X/..", latest None.
- Old Style: a printed date before 1918-02-01 (the last Julian day was 31 January 1918) is Julian;
  ``gregorian_*`` is computed through the Julian Day Number (13 days in the 20th century).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from kg.model import DateStatement

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted((m for m in MONTHS), key=len, reverse=True))
COLLECTION_YEARS = ("1912-01-01", "1927-12-31")  # the edition's span: a date outside it is reported, not refused
JULIAN_BEFORE = "1918-02-01"  # first Gregorian day printed in Soviet Russia was 14 Feb 1918 (= 1 Feb OS)
_QUALIFIERS = {"previously": "not-after", "later": "not-before", "not later than": "not-after",
               "not earlier than": "not-before", "no later than": "not-after", "no earlier than": "not-before",
               "not after": "not-after", "not before": "not-before", "before": "not-after", "after": "not-before",
               "early": "early", "beginning of": "early", "mid": "mid", "middle of": "mid",
               "late": "late", "end of": "late"}
_QUAL_RE = "|".join(sorted(_QUALIFIERS, key=len, reverse=True))
_QUAL_WORDS = re.compile(rf"\b({_QUAL_RE})\b")
_TOKEN = re.compile(r"\[|\]|[A-Za-z]+|\d+|[-–—]|,|\.|\s+|.", re.I)
_DATE_LINE = re.compile(
    rf"^\[?\s*(?:(?:{_QUAL_RE})\s+\[?)?(?:(?:{_MONTH_RE})\.?\s*\]?\s*\[?\s*)?"
    rf"(?:\d{{1,2}}\s*\]?\s*(?:[-–—]\s*(?:(?:{_MONTH_RE})\s+)?\d{{1,2}}\s*)?\]?,?\s*)?\[?\s*\d{{4}}\s*\]?\s*\]?\.?$",
    re.I)


@dataclass(frozen=True)
class DateProblem:
    """A date line that looks like a date but cannot be one ("February 30, 1923")."""

    expressed: str
    message: str


@dataclass
class _Parts:
    """Components read from a date line, each with whether it sat inside editorial brackets."""

    qualifier: str = "exact"
    month: int | None = None
    month2: int | None = None
    day: int | None = None
    day2: int | None = None
    year: int | None = None
    supplied: set[str] | None = None


_PLACED = re.compile(r"^(?P<place>[A-ZА-Я][a-zа-я]+(?:[- ][A-ZА-Я][a-zа-я]+)?),\s+(?P<date>.+)$")


def is_date_line(text: str) -> bool:
    """Cheap shape test: does this whole line look like the edition's date line?"""
    return bool(_DATE_LINE.match(text.strip()))


def split_placed_date(text: str) -> tuple[str | None, str] | None:
    """('Tiflis', 'March 5, 1921') for 'Tiflis, March 5, 1921'; (None, text) for a plain date line."""
    text = text.strip()
    if _DATE_LINE.match(text):
        return None, text
    m = _PLACED.match(text)
    return (m["place"], m["date"]) if m and _DATE_LINE.match(m["date"]) else None


def valid_day(year: int, month: int, day: int, julian: bool = False) -> bool:
    """Does the day exist (in the Julian calendar every fourth year is leap, 1900 included)?"""
    if not 1 <= month <= 12 or day < 1:
        return False
    last = calendar.monthrange(year, month)[1]
    if julian and month == 2 and year % 4 == 0:
        last = 29
    return day <= last


def _jdn_julian(y: int, m: int, d: int) -> int:
    a = (14 - m) // 12
    yy, mm = y + 4800 - a, m + 12 * a - 3
    return d + (153 * mm + 2) // 5 + 365 * yy + yy // 4 - 32083


def _gregorian_from_jdn(j: int) -> str:
    a = j + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return f"{year:04d}-{month:02d}-{day:02d}"


def julian_to_gregorian(iso: str) -> str:
    """Convert an ISO day of the Julian calendar to the Gregorian one (13 days in 1900-2099)."""
    y, m, d = (int(x) for x in iso.split("-"))
    return _gregorian_from_jdn(_jdn_julian(y, m, d))


def set_calendar(stmt: DateStatement) -> DateStatement:
    """Mark Old Style dates (printed before 1918-02-01) and fill the Gregorian bounds."""
    probe = stmt.latest or stmt.earliest
    if probe and probe < JULIAN_BEFORE:
        stmt.calendar = "julian"
        stmt.gregorian_earliest = julian_to_gregorian(stmt.earliest) if stmt.earliest else None
        stmt.gregorian_latest = julian_to_gregorian(stmt.latest) if stmt.latest else None
    else:
        stmt.calendar = "gregorian"
        stmt.gregorian_earliest, stmt.gregorian_latest = stmt.earliest, stmt.latest
    return stmt


def _not_iso(stmt: DateStatement) -> str | None:
    """A bound that is no day of the ISO calendar (xsd:date), e.g. the Old Style February 29, 1900."""
    for bound in (stmt.earliest, stmt.latest, stmt.gregorian_earliest, stmt.gregorian_latest):
        try:
            if bound is not None:
                datetime.date.fromisoformat(bound)
        except ValueError:
            return f"{bound} is not a day of the ISO calendar (xsd:date) the graph stores dates in"
    return None


def _read_parts(text: str) -> _Parts | None:
    """Walk the tokens, tracking brackets, and assign month/day/year components."""
    parts, depth, supplied = _Parts(supplied=set()), 0, set()
    lowered = text.lower()
    q = _QUAL_WORDS.search(lowered)
    if q:
        parts.qualifier = _QUALIFIERS[q.group(1)]
        lowered = lowered[:q.start()] + " " + lowered[q.end():]
    for tok in _TOKEN.findall(lowered):
        if tok == "[":
            depth += 1
        elif tok == "]":
            depth = max(0, depth - 1)
        elif tok in MONTHS:
            key = "month" if parts.month is None else "month2"
            setattr(parts, key, MONTHS[tok])
            if depth and key == "month":
                supplied.add("month")
        elif tok.isdigit():
            if not _assign_number(parts, int(tok), len(tok), depth, supplied):
                return None
    parts.supplied = supplied
    return parts if parts.year else None


def _assign_number(parts: _Parts, value: int, width: int, depth: int, supplied: set[str]) -> bool:
    if width == 4:
        parts.year = value
        if depth:
            supplied.add("year")
        return True
    if parts.day is None and parts.month is not None:
        parts.day = value
        if depth:
            supplied.add("day")
        return True
    if parts.day is not None and parts.day2 is None:
        parts.day2 = value
        return True
    return False


def _bounds(p: _Parts) -> tuple[str, str] | DateProblem | None:
    """Earliest/latest ISO days of the components (before any qualifier)."""
    y = p.year or 0
    if p.month is None:
        return f"{y:04d}-01-01", f"{y:04d}-12-31"
    m2 = p.month2 or p.month
    if p.day is None:
        if m2 < p.month:
            return DateProblem("", f"the range ends before it starts: month {p.month} to month {m2}")
        return f"{y:04d}-{p.month:02d}-01", f"{y:04d}-{m2:02d}-{calendar.monthrange(y, m2)[1]:02d}"
    d2 = p.day2 if p.day2 is not None else p.day
    julian = f"{y:04d}-{p.month:02d}" < JULIAN_BEFORE[:7]
    for m, d in ((p.month, p.day), (m2, d2)):
        if not valid_day(y, m, d, julian):
            return DateProblem("", f"no such day: {calendar.month_name[m] if 1 <= m <= 12 else m} {d}, {y}")
    lo, hi = f"{y:04d}-{p.month:02d}-{p.day:02d}", f"{y:04d}-{m2:02d}-{d2:02d}"
    if lo > hi:  # "March 6-5, 1921": a range cannot end before it starts (earliest > latest is refused by the shapes)
        return DateProblem("", f"the range ends before it starts: {lo} to {hi}")
    return lo, hi


def _edtf(p: _Parts, lo: str, hi: str) -> str:
    if p.month is None:
        return lo[:4]
    if p.day is None and p.month2 in (None, p.month):
        return lo[:7]
    return lo if lo == hi else f"{lo}/{hi}"


def _apply_qualifier(p: _Parts, lo: str, hi: str) -> tuple[str, str | None, str | None, str]:
    """EDTF, earliest, latest and the model's qualifier for previously/later/early/mid/late."""
    q = p.qualifier
    if q == "not-after":
        return f"../{hi}", None, hi, "not-after"
    if q == "not-before":
        return f"{lo}/..", lo, None, "not-before"
    if q in ("early", "mid", "late") and p.day is None and p.month is not None:
        last = int(hi[8:])
        first, end = {"early": (1, 10), "mid": (11, 20), "late": (21, last)}[q]
        lo, hi = f"{lo[:8]}{first:02d}", f"{lo[:8]}{end:02d}"
        return f"{lo}/{hi}", lo, hi, "approximate"
    qualifier = "range" if lo != hi and p.day is not None else "exact"
    return _edtf(p, lo, hi), lo, hi, qualifier


def _supplied(text: str, p: _Parts) -> list[str]:
    stripped = text.strip().rstrip(".")
    if stripped.startswith("[") and stripped.endswith("]") and stripped.count("[") == 1:
        return ["whole"]
    order = ["day", "month", "year"]
    return [c for c in order if c in (p.supplied or set())]


def parse_date(text: str) -> DateStatement | DateProblem | None:
    """Read a date line ("March 5 [1921]", "[late March 1921]", ...). None: not a date at all."""
    expressed = text.strip()
    parts = _read_parts(expressed)
    if parts is None:
        return None
    bounds = _bounds(parts)
    if isinstance(bounds, DateProblem):
        return DateProblem(expressed, bounds.message)
    if bounds is None:
        return None
    edtf, lo, hi, qualifier = _apply_qualifier(parts, *bounds)
    stmt = set_calendar(DateStatement(expressed=expressed, edtf=edtf, earliest=lo, latest=hi,
                                      supplied=_supplied(expressed, parts), qualifier=qualifier))
    problem = _not_iso(stmt)
    return DateProblem(expressed, problem) if problem else stmt


def day_statement(expressed: str, year: int, month: int, day: int,
                  supplied: list[str] | None = None) -> DateStatement | DateProblem:
    """A single-day statement built from already separated parts (the short handwritten dates)."""
    julian = f"{year:04d}-{month:02d}" < JULIAN_BEFORE[:7]
    if not valid_day(year, month, day, julian):
        return DateProblem(expressed, f"no such day: {day}/{month}/{year}")
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    stmt = set_calendar(DateStatement(expressed=expressed, edtf=iso, earliest=iso, latest=iso, supplied=supplied or []))
    problem = _not_iso(stmt)
    return DateProblem(expressed, problem) if problem else stmt


def outside_collection(stmt: DateStatement) -> bool:
    """Is a (Gregorian) bound of the date outside 1912-1927? The same test as the shapes' warning."""
    first, last = COLLECTION_YEARS
    return any(bound is not None and not first <= bound <= last
               for bound in (stmt.gregorian_earliest, stmt.gregorian_latest))
