"""The structured lines of a generated document: header, date line, place/date lines, archival citation.

Each function returns the text it printed together with the fact it stands for, so the page and the
facts file cannot drift apart. Every variant listed in shared/corpus/FORMATS.md for these lines is drawn
with a weight that makes it appear many times in a few hundred documents.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from kg.devtools.generate_facts import CitationFact, DateFact, PartyFact, PlaceDateFact
from kg.devtools.generate_vocab import (
    FORM_WEIGHTS,
    FORMS,
    INSTITUTIONS,
    JOURNALS,
    MONTHS,
    PEOPLE,
    PLACES,
    ROMAN,
    Person,
)

OLD_STYLE_END = date(1918, 2, 14)  # first New Style day; earlier documents are printed in the Julian calendar
JULIAN_OFFSET = timedelta(days=13)  # Julian -> Gregorian, valid for 1900-03-01 .. 2100-02-28

DATE_FORMS = ("exact", "year-supplied", "whole-supplied", "month", "month-supplied", "late-month", "range",
              "previously", "later")
DATE_WEIGHTS = (40, 12, 8, 6, 5, 5, 8, 8, 8)
DAY_FORMS = ("exact", "year-supplied", "whole-supplied", "range")  # forms that name the day of writing


# ---------------------------------------------------------------------------------------------- header

def pick_party(rng: random.Random, year: int, institution_rate: float) -> tuple[PartyFact, Person | None]:
    """A person (most of the time) or an institution that existed in that year."""
    if rng.random() < institution_rate:
        names = [n for n, lo, hi in INSTITUTIONS if lo <= year <= hi]
        return PartyFact(rng.choice(names), "organization"), None
    person = rng.choice(PEOPLE)
    return PartyFact(person.name, "person", person.surname), person


def pick_parties(rng: random.Random, year: int, count: int, rate: float,
                 exclude: set[str] | None = None) -> list[tuple[PartyFact, Person | None]]:
    """`count` distinct parties, none of them in `exclude` (nobody writes to themselves)."""
    seen: set[str] = set(exclude or ())
    out = []
    while len(out) < count:
        fact, person = pick_party(rng, year, rate)
        if fact.name not in seen:
            seen.add(fact.name)
            out.append((fact, person))
    return out


def join_parties(rng: random.Random, parties: list[PartyFact], article: bool) -> str:
    """'A, B, C' or 'A, B and C'; institutions take 'the' inside a telegram's sentence."""
    names = [("the " + p.name if article and p.kind == "organization" else p.name) for p in parties]
    if len(names) > 1 and rng.random() < 0.5:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return ", ".join(names)


def header_line(rng: random.Random, senders: list[PartyFact], recipients: list[PartyFact], telegram: bool) -> str:
    """Every header separator of FORMATS.md: em dash, hyphen, 'to', 'Telegram from/of X to Y'."""
    if telegram:
        verb = rng.choice(("from", "of"))
        return f"Telegram {verb} {join_parties(rng, senders, True)} to {join_parties(rng, recipients, True)}"
    sep = rng.choices((" — ", " - ", " to "), (4, 3, 3))[0]
    line = join_parties(rng, senders, False) + sep + join_parties(rng, recipients, False)
    return line + "." if rng.random() < 0.1 else line


# ------------------------------------------------------------------------------------------------ date

def printed_day(true_day: date) -> tuple[date, str]:
    """The day as the document prints it, and its calendar (Old Style before 14 February 1918)."""
    if true_day < OLD_STYLE_END:
        return true_day - JULIAN_OFFSET, "julian"
    return true_day, "gregorian"


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _to_gregorian(iso: str | None, calendar: str) -> str | None:
    if iso is None or calendar == "gregorian":
        return iso
    return (date.fromisoformat(iso) + JULIAN_OFFSET).isoformat()


def date_line(rng: random.Random, true_day: date) -> tuple[DateFact, date]:
    """One of the nine date forms; returns the fact and the printed day of writing."""
    day, calendar = printed_day(true_day)
    form = rng.choices(DATE_FORMS, DATE_WEIGHTS)[0]
    if form == "range" and day.day > 25:
        day = day.replace(day=day.day - 5)
    fact = _date_fact(rng, form, day)
    fact.calendar = calendar
    fact.gregorian_earliest = _to_gregorian(fact.earliest, calendar)
    fact.gregorian_latest = _to_gregorian(fact.latest, calendar)
    return fact, day


def _date_fact(rng: random.Random, form: str, day: date) -> DateFact:
    m, d, y, iso = MONTHS[day.month - 1], day.day, day.year, day.isoformat()
    first, last, month = day.replace(day=1).isoformat(), _month_end(day).isoformat(), iso[:7]
    if form == "exact":
        return DateFact(f"{m} {d}, {y}", form, iso, iso, iso)
    if form == "year-supplied":
        return DateFact(f"{m} {d} [{y}]", form, iso, iso, iso, ["year"])
    if form == "whole-supplied":
        return DateFact(f"[{m} {d}, {y}]", form, iso, iso, iso, ["whole"])
    if form == "month":
        return DateFact(f"{m} {y}", form, month, first, last)
    if form == "month-supplied":
        return DateFact(f"[{m} {y}]", form, month, first, last, ["whole"])
    if form == "late-month":
        late = day.replace(day=21).isoformat()
        return DateFact(f"[late {m} {y}]", form, month, late, last, ["whole"], "approximate")
    if form == "range":
        end = day + timedelta(days=rng.randint(1, 3))
        return DateFact(f"{m} {d}-{end.day}, {y}", form, f"{iso}/{end.isoformat()}", iso, end.isoformat(),
                        qualifier="range")
    if form == "previously":
        return DateFact(f"[previously {m} {d}, {y}]", form, f"../{iso}", None, iso, ["whole"], "not-after")
    return DateFact(f"[later {m} {d}, {y}]", form, f"{iso}/..", iso, None, ["whole"], "not-before")


# ------------------------------------------------------------------------------------ place/date lines

def _roman(month: int, rng: random.Random) -> str:
    """A Roman month, now and then with OCR damage (II -> 11) or Cyrillic 'І' (U+0406) for Latin I."""
    r = ROMAN[month - 1]
    roll = rng.random()
    if roll < 0.05 and "I" in r:
        return r.replace("I", "\u0406")
    if roll < 0.08 and r in ("II", "III"):
        return r.replace("I", "1")
    return r


def place_date_line(rng: random.Random, day: date, year_known: bool, telegram: bool,
                    position: str) -> PlaceDateFact:
    """A handwritten second date line, with a place in some forms (FORMATS.md 'Date line')."""
    d, mo, yy, y, place = day.day, day.month, f"{day.year % 100:02d}", day.year, rng.choice(PLACES)
    iso = day.isoformat()
    if telegram and rng.random() < 0.5:
        if rng.random() < 0.5:
            return PlaceDateFact(f"Filed from {place} {d}/{mo}-{yy}", place, "filed", iso, position)
        nxt = day + timedelta(days=1)
        text = f"Received and deciphered on {nxt.day}/{nxt.month}-{nxt.year % 100:02d}."
        return PlaceDateFact(text, None, "received", nxt.isoformat(), position)
    if not year_known:
        variants = [(f"{d}/{_roman(mo, rng)}", None), (f"{place} {d}/{mo}.", place)]
    else:
        variants = [(f"{d}/{_roman(mo, rng)}-{yy}", None), (f"{d}/{mo} {yy}", None),
                    (f"{d}.{_roman(mo, rng)}.{y}", None), (f"{place}, {d}/{_roman(mo, rng)} {y}", place),
                    (f"{place}, {d}.{_roman(mo, rng)}.{y}", place),
                    (f"{d}/{mo} {yy} {rng.randint(1, 23)} hours {place}.", place)]
    text, where = rng.choice(variants)
    return PlaceDateFact(text, where, "written", iso, position)


# -------------------------------------------------------------------------------------------- citation

def _folios(rng: random.Random) -> tuple[str, str, str | None]:
    """(printed, normalized, variant tag) for 'L. 12', 'L. 12-13', 'L. 1, 2', 'L. 103 - 113'."""
    a = rng.randint(1, 400)
    kind = rng.choices(("single", "range", "list", "spaced"), (35, 45, 10, 10))[0]
    if kind == "single":
        return str(a), str(a), None
    b = a + rng.randint(1, 10)
    if kind == "range":
        return f"{a}-{b}", f"{a}-{b}", None
    if kind == "list":
        return f"{a}, {a + 1}", f"{a}, {a + 1}", "folio-list"
    return f"{a} - {b}", f"{a}-{b}", "spaced-range"


def _archive(rng: random.Random) -> tuple[str, str, str, str | None]:
    """(printed archive token with its punctuation, normalized archive, fond, variant tag)."""
    kind = rng.choices(("RTSKHIDNI", "RTSHIDNI;", "RGASPI", "RTsKhIDNI", "GARF"), (55, 8, 12, 10, 15))[0]
    if kind == "GARF":
        return "GARF.", "GARF", f"R-{rng.choice((130, 1235, 3316, 5446, 5674))}", "GARF"
    fond = str(rng.choice((2, 5, 17, 44, 76, 85, 323, 324, 325, 558)))
    if kind == "RTSHIDNI;":
        return "RTSHIDNI;", "RTsKhIDNI", fond, "RTSHIDNI;"
    return kind + ".", "RTsKhIDNI", fond, ("RGASPI" if kind == "RGASPI" else None)


def citation_line(rng: random.Random) -> CitationFact:
    """The archival reference line, with every variant of FORMATS.md 'Archival citation'."""
    arch_text, archive, fond, tag = _archive(rng)
    variants = [tag] if tag else []
    op_label = "On." if rng.random() < 0.25 else "Op."
    opis = str(rng.randint(1, 120)) + ("/S" if rng.random() < 0.12 else "")
    delo = str(rng.randint(1, 3000))
    folios_text, folios, ftag = _folios(rng)
    form_text, form = rng.choices(FORMS, FORM_WEIGHTS)[0]
    gap = " " if rng.random() < 0.08 else ". "
    variants += [v for v in (op_label == "On." and "On.", "/S" in opis and "opis-suffix", ftag,
                             gap == " " and "no-period-before-form") if v]
    text = f"{arch_text} F. {fond}. {op_label} {opis}. D. {delo}. L. {folios_text}{gap}{form_text}"
    publication = None
    if rng.random() < 0.1:
        journal = rng.choice(JOURNALS)
        year, issue, page = rng.randint(1930, 1995), rng.randint(1, 12), rng.randint(2, 250)
        publication = f"\u201c{journal}\u201d. {year}. No. {issue}. P. {page}."
        text += " " + publication
        variants.append("publication")
    return CitationFact(text, archive, arch_text.rstrip(".;"), fond, opis, delo, folios, form, form_text,
                        publication, variants)
