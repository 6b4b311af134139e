"""How the editorial notes are read for events: sentences, their dates, summaries, and one event per id.

Shared by ``kg.resolve.events`` (sessions and decisions of bodies) and ``kg.resolve.curated_events`` (the
events of events.toml), so that both read a note the same way.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace

from kg.model import DateStatement, Document, Event
from kg.sources.dates import parse_date

MONTH = "(?:" + "|".join(m for m in calendar.month_name if m) + ")"
_DAYS = r"\d{1,2}(?!\d)(?:\s*[-–]\s*\d{1,2}(?!\d))?"
DATE = (rf"(?P<date>{MONTH}\s+{_DAYS}(?:,?\s+\d{{4}})?|{_DAYS}\s+{MONTH}(?:,?\s+\d{{4}})?"
        rf"|{MONTH},?\s+\d{{4}})")
YEAR = re.compile(r"\b(1[89]\d\d)\b")


def sentences(text: str) -> list[str]:
    """Sentences of a note. A period inside parentheses ("(Ibid. D. 331. L. 1)") or curly quotes, or after
    an abbreviation or initial ("comrade. Trotsky", "R.A."), does not end one."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "(“":
            depth += 1
        elif ch in ")”":
            depth = max(0, depth - 1)
        elif ch in ".!?" and depth == 0 and i >= start and _ends_sentence(text, i):
            end = i + 1 + len(re.match(r"[\"”’]?", text[i + 1:]).group())  # a closing quote stays with it
            out.append(text[start:end].strip())
            start = end
    out.append(text[start:].strip())
    return [s for s in out if s]


ABBREVIATIONS = frozenset({"comrade", "comrades", "tov", "no", "vol", "p", "pp", "s", "m", "l", "d", "f", "op",
                           "on", "ibid", "ob", "t", "vols", "ed", "eds", "cf", "etc"})


def _ends_sentence(text: str, i: int) -> bool:
    if not re.match(r"[\"”’]?\s+[A-Z“\"]", text[i + 1:i + 4]):
        return False
    word = re.search(r"(\w+)$", text[:i])
    return not (word and text[i] == "." and (word.group(1).lower() in ABBREVIATIONS or len(word.group(1)) == 1))


def note_date(expressed: str, context: str, doc: Document) -> DateStatement | None:
    """A date of a note sentence; a missing year is the last year printed before it in the note, or the
    document's year ("the STO's decision of January 16" after "On February 1, 1923")."""
    m = re.fullmatch(rf"(?P<days>{_DAYS})\s+(?P<month>{MONTH})(?P<rest>.*)", expressed.strip())
    text = f"{m.group('month')} {m.group('days')}{m.group('rest')}" if m else expressed
    if not YEAR.search(text):
        years = YEAR.findall(context)
        year = years[-1] if years else (doc.date.earliest[:4] if doc.date and doc.date.earliest else None)
        if year is None:
            return None
        text = f"{text.rstrip(',')}, {year}"
    stmt = parse_date(re.sub(r"\s*[-–]\s*", "-", text.replace(",", ", ").replace(",  ", ", ")))
    return replace(stmt, expressed=expressed) if isinstance(stmt, DateStatement) else None


def merge(events: dict[str, Event], new: Event) -> None:
    """One event per id: citations, references and distinct summary sentences accumulate; a decision stated by
    several sentences is several resolutions of that day ("decisions")."""
    old = events.get(new.id)
    if old is None:
        events[new.id] = new
        return
    old.cited_in += [c for c in new.cited_in if c not in old.cited_in]
    known = {r.verbatim for r in old.references}
    old.references += [r for r in new.references if r.verbatim not in known]
    old.named_in += [k for k in new.named_in if k not in old.named_in]
    if new.summary and new.summary not in old.summary:
        old.summary = f"{old.summary} {new.summary}".strip()
        if old.kind == "decision" and " decision of " in old.label:
            old.label = old.label.replace(" decision of ", " decisions of ", 1)


def summary(sentence: str) -> str:
    """The note sentence without its trailing source reference in parentheses."""
    return re.sub(r"\s*\([^()]*\)\s*(?=\.?$)", "", sentence).strip()


def human(date: DateStatement) -> str:
    """'1 February 1923', '25-27 October 1923', 'November 1923' (for labels a client can match)."""
    lo, hi = date.earliest or "", date.latest or ""
    if not lo:
        return date.expressed
    month = calendar.month_name[int(lo[5:7])]
    if date.precision == "day":
        return f"{int(lo[8:])} {month} {lo[:4]}"
    if lo[:7] == hi[:7] and date.edtf and "/" in date.edtf:
        return f"{int(lo[8:])}-{int(hi[8:])} {month} {lo[:4]}"
    return f"{month} {lo[:4]}"
