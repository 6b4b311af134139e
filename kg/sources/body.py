"""The body: footnote markers, place/date lines and signatures.

Why markers are chosen against the notes: the body is full of numbers that are data ("11,000
rifles", "the 4th", "platform 46", "15/XII", "No. 286", "1) informed"). A number is a marker only
if its shape allows it (after a word, before punctuation or glued to a word) *and* it continues the
sequence of note numbers that exist (or is the very next number, shaped like a marker). A bare number
followed by a word ("by 3 million 3 .") is a weak candidate and yields to a later strong one; a weak
candidate may skip at most one lost marker, a strong one three. A number that no note carries is a
marker only when it is the next one, or when it floats ("decided 3 .") one number ahead: then it
is kept so that the parser can report the marker whose note is missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.model import DateStatement, Marker, PlaceDate, SourceSpan
from kg.sources.dates import MONTHS, DateProblem, day_statement

_BARE = re.compile(r"^(\d{1,2})([.,;:!?]*)$")
_GLUED_AFTER = re.compile(r"^([^\d\s]*[^\W\d_][\]»”\"'’)]*)(\d{1,2})([.,;:!?]*)$")
_GLUED_BEFORE = re.compile(r"^(\d{1,2})([^\W\d_][\w’'-]*[\]»”\"')]*[.,;:!?]*)$")  # "the 2center”."
_ORDINAL = re.compile(r"^(?:st|nd|rd|th|s)\b", re.I)  # "4th", "1920s": not markers glued to a word
_UNITS = {"million", "millions", "thousand", "thousands", "hundred", "hundreds", "billion", "rubles", "roubles",
          "percent", "poods", "pood", "days", "day", "months", "month", "years", "year", "people", "hours",
          "hour", "times", "versts", "km", "kilometers", "miles", "men", "workers", "divisions", "pieces",
          "copies", "weeks", "minutes", "o'clock", "vols", "volumes", "gold"}
_NUMBER_WORD = re.compile(r"^\d+[,.]?$")
_INITIAL = re.compile(r"^[A-ZА-Я]\.$")
_SENTENCE_END = re.compile(r"^[a-zа-я][\w'’-]*[.;!?]$")
_BRACKETED_ORDINAL = re.compile(r"^\[(?:th|st|nd|rd|s|oh|go|yh)\]", re.I)  # "4 [th] days", a telegram's
#   "4 [TH] DAYS": an ordinal, not a marker
_DIGIT_OR_SLASH = re.compile(r"[\d/]")
_ABBREVIATIONS = {"etc.", "i.e.", "e.g.", "cf.", "resp."}
_STOP_BEFORE = {"no.", "no", "№", "p.", "pp.", "s.", "l.", "f.", "d.", "op.", "vol.", "vols.", "page", "pages",
                "paragraph", "paragraphs", "point", "points", "item", "clause", "number", "issue", "article",
                "room", "house", "platform", "t.", "ch.", "art.", "than", "about", "over", "under"}
_PREPOSITIONS = {"about", "over", "under", "than"}
_STOP_BEFORE |= set(MONTHS)


@dataclass
class Candidate:
    """A number in the body that might be a footnote marker."""

    value: int
    strong: bool
    row: int  # index of the body line
    cut: tuple[int, int]  # characters of the line to remove
    floating: bool = False  # "decided 3 ." (number, space, punctuation): the translation's marker shape


def _bare_ok(prev: str, prev2: str, value: int, nxt: str, nxt2: str) -> bool:
    """Can a bare number between these words be a marker? (Data: 'No. 3', 'L. 5', '4 [th]', '3 million'.)"""
    p = prev.lower().strip("([«“\"")
    initials = len(prev) == 2 and prev[0].isupper() and _INITIAL.match(prev2)  # "V. T. 4 ." is a signature
    article_next = nxt.lower() in {"the", "a", "an"}  # "about 1 the wages": no quantity comes before "the"
    if not prev or (p in _STOP_BEFORE and not initials and not (article_next and p in _PREPOSITIONS)):
        return False
    if prev.endswith(":") or _NUMBER_WORD.match(prev):
        return False
    if _SENTENCE_END.match(prev) and prev not in _ABBREVIATIONS:  # "resignation. 2 Berlin"
        return False
    if (nxt in {"and", "or", "to", "-"} and nxt2[:1].isdigit()) or (
            prev in {"and", "or", "to"} and prev2[:1].isdigit()):  # "paragraphs 1 and 2"
        return False
    if _DIGIT_OR_SLASH.search(prev) or prev in {"-", "—", "–"} or _BRACKETED_ORDINAL.match(nxt):
        return False
    unit = nxt.lower().strip(".,;")
    if unit in _UNITS and not (value == 1 and unit.endswith("s")):  # "1 days" cannot be data
        return False
    return not (nxt and (nxt[0].isdigit() or nxt.startswith(("/", ")"))))


_DIGITS = re.compile(r"\d")
_SMALL_NUMBER = re.compile(r"(?<![\d,./])\d{1,2}(?![\d/]|[,.]\d)")  # markers are 1-99, never "2,457" or "15/XII"
_PUNCT = re.compile(r"^[.,;:!?]+$")
_WINDOW = 256  # characters either side of a number that can hold the two words judged with it


def _candidate(row: int, line: str, text: str, start: int) -> Candidate | None:
    """The token as a marker candidate, judged with its neighbours (prev word, next two words)."""
    stop = start + len(text)
    lo = max(0, start - _WINDOW)  # a window, not the rest of the line: copies per token made long lines quadratic
    before, after = line[lo:start].rstrip(), line[stop:stop + _WINDOW]
    prevs = before.rsplit(None, 2)[-2:] if before else []
    prev2, prev = ([""] + prevs)[-2:] if prevs else ("", "")
    nexts = after.split(None, 2)
    nxt, nxt2 = (nexts + ["", ""])[:2]
    nxt_start = stop + len(after) - len(after.lstrip())
    if prev and (m := _BARE.match(text)):
        if not _bare_ok(prev, prev2, int(m[1]), nxt, nxt2):
            return None
        punct_next = bool(_PUNCT.match(nxt))
        end = nxt_start if not m[2] and punct_next else start + len(m[1])
        if nxt == "." and prev.endswith(".") and not m[2]:  # "V. T. 4 ." -> "V. T.", not "V. T.."
            end = nxt_start + 1
        return Candidate(int(m[1]), bool(m[2]) or not nxt or punct_next, row, (lo + len(before), end),
                         floating=not m[2] and punct_next)
    if (m := _GLUED_AFTER.match(text)) and not _ORDINAL.match(text[len(m[1]) + len(m[2]):] or "-"):
        start = start + len(m[1])
        end = nxt_start if not m[3] and _PUNCT.match(nxt) else start + len(m[2])
        return Candidate(int(m[2]), True, row, (start, end))
    if prev and (m := _GLUED_BEFORE.match(text)) and not _ORDINAL.match(m[2]):
        return Candidate(int(m[1]), True, row, (start, start + len(m[1])))
    return None


def _digit_tokens(line: str) -> list[tuple[str, int]]:
    """(token, start) of the tokens holding a number 1-99, found from the numbers themselves."""
    out: list[tuple[str, int]] = []
    last_end = -1
    for m in _SMALL_NUMBER.finditer(line):
        if m.start() < last_end:
            continue
        begin = line.rfind(" ", 0, m.start()) + 1  # lines are normalized: single spaces, no tabs
        end = line.find(" ", m.end())
        end = len(line) if end < 0 else end
        out.append((line[begin:end], begin))
        last_end = end
    return out


def _candidates_in_line(row: int, line: str) -> list[Candidate]:
    """Marker-shaped numbers of one line with the span to cut (see the module docstring)."""
    found = (_candidate(row, line, text, start) for text, start in _digit_tokens(line))
    return [c for c in found if c is not None]


def choose_markers(candidates: list[Candidate], notes: set[int]) -> list[Candidate]:
    """Keep the candidates that continue the note sequence (see the module docstring)."""
    chosen: list[Candidate] = []
    last = 0
    last_strong = {(d.row, d.value): i for i, d in enumerate(candidates) if d.strong}  # one pass, not one per weak
    for i, c in enumerate(candidates):
        if c.value <= last:
            continue
        if not c.strong:
            later = last_strong.get((c.row, c.value), -1) > i
            if later or c.value > last + 2 or c.value not in notes:
                continue
        elif c.value not in notes and c.value != last + 1 and not (c.floating and c.value == last + 2):
            continue  # a floating marker may skip one number: its note is the one lost ("marker-without-note")
        elif c.value > last + 4:
            continue
        chosen.append(c)
        last = c.value
    return chosen


def _anchor(text: str, offset: int) -> str:
    before = text[max(0, offset - 60):offset].split()
    return " ".join(before[-5:])


def strip_markers(rows: list[tuple[int, str]], notes: set[int]) -> tuple[list[str], list[Marker]]:
    """Remove the chosen markers from the body lines; Marker.offset is into '\\n\\n'.join(result)."""
    cands = [c for r, (_, text) in enumerate(rows) for c in _candidates_in_line(r, text)]
    by_row: dict[int, list[Candidate]] = {}
    for c in choose_markers(cands, notes):
        by_row.setdefault(c.row, []).append(c)
    cleaned: list[str] = []
    markers: list[Marker] = []
    base = 0
    for r, (lineno, text) in enumerate(rows):
        out, pos = "", 0
        for c in by_row.get(r, ()):
            out += text[pos:c.cut[0]]
            markers.append(Marker(number=c.value, offset=base + len(out), anchor=_anchor(out, len(out)),
                                  line=lineno))
            pos = c.cut[1]
        out += text[pos:]
        cleaned.append(out)
        base += len(out) + 2
    return cleaned, markers


# ---------------------------------------------------------------- place/date lines and signatures

ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
         "XI": 11, "XII": 12}
OCR_ROMAN = {1: 1, 11: 2, 111: 3}  # OCR read Roman I, II, III as digits
CYRILLIC_ROMAN = str.maketrans({"\u0406": "I", "\u0412": "V", "\u0425": "X", "\u0445": "x"})  # "3/VІІІ"
_ROLE = (r"(?:(?P<role>Filed from|Filed in|Filed|Sent from|Received and deciphered on|Received and deciphered|"
         r"Received on|Received|Deciphered on|Deciphered)\s+)?")
_PLACE = r"(?:(?P<place>[A-ZА-Я][a-zа-я]+(?:[- ][A-ZА-Я][a-zа-я]+)?)\s*,?\s+)?"
_SHORT = r"(?P<d>\d{1,2})\s*[/.]\s*(?P<m>[IVX]{1,4}|\d{1,3})(?:\s*[-./ ]\s*(?P<y>\d{4}|\d{2})(?!\d))?"
_TAIL = (r"(?:\s+(?P<hours>\d{1,2}(?:[.:]\d{2})?\s*(?:hours?|h\.|o'clock))\s*"
         r"(?P<place2>[A-ZА-Я][a-zа-я]+(?:[- ][A-ZА-Я][a-zа-я]+)?)?)?\s*\.?")
SHORT_LINE = re.compile(rf"^{_ROLE}{_PLACE}{_SHORT}{_TAIL}$")
SHORT_LEAD = re.compile(rf"^{_SHORT}\s+(?P<trail>[A-ZА-Я][^\d]{{0,60}})$")
_MONTH_ALT = "|".join(sorted((m.capitalize() for m in MONTHS), key=len, reverse=True))
LONG_LINE = re.compile(rf"^{_ROLE}{_PLACE}(?P<month>{_MONTH_ALT})\.?\s+(?P<d>\d{{1,2}})(?:th|st|nd|rd)?\.?"
                       rf"(?:,?\s*(?P<y>\d{{4}}))?\s*(?:G\.|g\.)?\s*\.?$")
PLACE_ONLY = re.compile(r"^[A-ZА-Я][a-zа-я]+(?:[- ][A-ZА-Я][a-zа-я]+)?\.?$")
ROLES = {"filed": "filed", "sent": "filed", "received": "received", "deciphered": "received"}


def _month(raw: str, doc_month: int | None) -> int | None:
    if raw in ROMAN:
        return ROMAN[raw]
    value = int(raw)
    alt = OCR_ROMAN.get(value)
    if alt and doc_month and alt == doc_month and value != doc_month:
        return alt
    return value if 1 <= value <= 12 else alt


def _year(raw: str | None, doc_date: DateStatement | None) -> tuple[int | None, list[str]]:
    if raw:
        return (int(raw) + 1900 if len(raw) == 2 else int(raw)), []
    probe = doc_date and (doc_date.earliest or doc_date.latest)
    return (int(probe[:4]), ["year"]) if probe else (None, [])


def may_be_place_date(line: str) -> bool:
    """Cheap exit before the regexes: most body lines are prose."""
    return len(line) <= 90 and bool(_DIGITS.search(line))


def _date_part(line: str, m: re.Match[str]) -> str:
    """The date as printed, without place or role ("1.XI.1923" of "Berlin, 1.XI.1923")."""
    first = m.start("month") if m.groupdict().get("month") else m.start("d")
    last = max(m.end(g) for g in ("d", "m", "y") if g in m.groupdict() and m.group(g))
    return line[first:last]


def read_place_date(text: str, doc_date: DateStatement | None, span: SourceSpan) -> PlaceDate | DateProblem | None:
    """A whole line like 'Berlin, 1.XI.1923', '24/1 23', 'Filed from Moscow 5/3-21'; None: not one."""
    line = text.strip()
    if not may_be_place_date(line):
        return None
    probe = line.translate(CYRILLIC_ROMAN)
    m = SHORT_LINE.match(probe) or LONG_LINE.match(probe) or SHORT_LEAD.match(probe)
    if not m:
        return None
    groups = m.groupdict()
    doc_month = int(doc_date.earliest[5:7]) if doc_date and doc_date.earliest else None
    month = MONTHS[groups["month"].lower()] if groups.get("month") else _month(groups["m"], doc_month)
    year, supplied = _year(groups.get("y"), doc_date)
    place = groups.get("place") or groups.get("place2")
    role = ROLES.get((groups.get("role") or "").split(" ")[0].lower(), "written")
    date: DateStatement | DateProblem | None = None
    if month and year:
        date = day_statement(_date_part(line, m), year, month, int(groups["d"]), supplied)
        if isinstance(date, DateProblem):
            return date
        date.span = span
    return PlaceDate(verbatim=line, place=place, date=date, role=role, span=span)


_SIG = re.compile(
    r"^(?:(?:Your|Yours|Greetings,?|With (?:comradely |communist |party )?greetings,?|I shake (?:your )?hands?"
    r"(?: with)?,?|[A-ZА-Я][^:]{0,60}:)\s*)?"
    r"(?P<name>(?:[A-ZА-Я][a-zа-я]?\.\s?){0,3}\s*[A-ZА-Я][\w\[\]’'-]*\.?(?:\s+[A-ZА-Я][\w\[\]’'.-]*){0,4})\s*\.?$")
_TRAILING_SIG = re.compile(r"(?:^|[.!?*]\s+)(?P<sig>Your\s+[A-ZА-Я][\w\[\]’'-]*\.?)\s*$")


def is_signature(line: str) -> bool:
    text = line.strip()
    return len(text.split()) <= 8 and bool(_SIG.match(text))


def trailing_signature(line: str) -> str | None:
    """'... Write a couple of words *. Your Voroshilov.' ends with a signature inside the paragraph."""
    m = _TRAILING_SIG.search(line.strip())
    return m["sig"] if m and m.start() > 0 else None
