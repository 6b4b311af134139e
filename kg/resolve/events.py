"""Events from the editorial notes: dated decisions and meetings of the Politburo, Orgburo and STO,
plenums, and the curated historical events (events.toml).

Why sentence shapes rather than "a body and a date somewhere in a note": the notes also say "In October
1923, a sharp struggle unfolded in the Politburo" (not a decision) and "On November 19, Dzerzhinsky
addressed ... Molotov" (a letter). Only the shapes below — the body acting on a date — make an event, so
every event can be traced to one sentence, which becomes its summary. The same meeting cited by two notes
(1 February 1923: note 2 to No. 167 and note 4 to No. 168) is one event with both citations.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace

from kg.model import DateStatement, Document, Event, Note
from kg.resolve.authority import Authorities, HistoricalEvent
from kg.sources.dates import parse_date

MONTH = "(?:" + "|".join(m for m in calendar.month_name if m) + ")"
_DAYS = r"\d{1,2}(?!\d)(?:\s*[-–]\s*\d{1,2}(?!\d))?"
DATE = (rf"(?P<date>{MONTH}\s+{_DAYS}(?:,?\s+\d{{4}})?|{_DAYS}\s+{MONTH}(?:,?\s+\d{{4}})?"
        rf"|{MONTH},?\s+\d{{4}})")
BODY = r"(?P<body>Politburo|Political Bureau|Orgburo|Organizing Bureau|STO|SRT|Council of Labou?r and Defen[cs]e)"
BODY_IDS = {"politburo": "politburo", "political bureau": "politburo", "orgburo": "orgburo",
            "organizing bureau": "orgburo", "sto": "sto", "srt": "sto", "council of labor and defense": "sto",
            "council of labour and defence": "sto"}
BODY_LABELS = {"politburo": "Politburo", "orgburo": "Orgburo", "sto": "STO"}
DECISION_VERBS = frozenset({"agreed", "approved", "decided", "accepted", "instructed", "adopted", "resolved",
                            "made", "taken", "decision", "entrusted", "confirmed"})
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("act", re.compile(rf"^(?:On|In|At the end of|By)\s+{DATE},\s+(?:at the suggestion of [^,]+,\s+)?"
                       rf"the\s+{BODY}\s+(?P<verb>\w+)")),
    ("meeting", re.compile(rf"\b[Aa]t\s+the\s+{BODY}\s+meeting\s+(?:on|of)\s+{DATE}")),
    ("passive", re.compile(rf"\b(?P<verb>made|considered|approved|adopted|taken)\s+(?:at\s+a\s+meeting\s+of|by)\s+"
                           rf"the\s+{BODY}(?:\s+of\s+the\s+Central\s+Committee(?:\s+of\s+the\s+[\w()]+(?:\s?\(\w+\))?)?)?"
                           rf"\s+on\s+{DATE}")),
    ("decision", re.compile(rf"\b(?P<verb>decision)\s+of\s+the\s+{BODY}\s+of\s+{DATE}", re.I)),
    ("decision", re.compile(rf"\bthe\s+{BODY}'s\s+(?P<verb>decision)\s+of\s+{DATE}")),
)
PLENUM = re.compile(rf"\b(?P<label>(?:joint\s+)?plenum\s+of\s+the\s+Central\s+Committee(?:\s+and\s+the\s+Central\s+"
                    rf"Control\s+Commission)?),?\s+which\s+met\s+on\s+{DATE}", re.I)
YEAR = re.compile(r"\b(1[89]\d\d)\b")


def extract_events(documents: list[Document], auth: Authorities) -> dict[str, Event]:
    """Every event the notes of ``documents`` describe, by id, in order of first citation."""
    events: dict[str, Event] = {}
    split = [(doc, note, sentences(note.text)) for doc in documents for note in doc.notes]  # once: ~30 % of the time
    for doc, note, found in split:
        for sentence in found:
            for event in _body_events(doc, note, sentence) + _plenums(doc, note, sentence):
                _merge(events, event)
    for doc, note, found in split:  # historical events: dated sentences first, then undated ones may cite them
        for sentence in found:
            for hist in auth.events:
                _historical(events, doc, note, sentence, hist)
    return events


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


def _body_events(doc: Document, note: Note, sentence: str) -> list[Event]:
    out = []
    for _shape, pattern in SHAPES:
        for m in pattern.finditer(sentence):
            date = note_date(m.group("date"), note.text[:note.text.find(sentence) + m.start("date")], doc)
            if date is None or not date.edtf:
                continue
            verbs = {(m.groupdict().get("verb") or "").lower(), *re.findall(r"\w+", sentence[m.end():].lower())}
            kind = "decision" if verbs & DECISION_VERBS else "meeting"
            body = BODY_IDS[" ".join(m.group("body").lower().split())]
            out.append(Event(id=f"{date.edtf.split('/')[0]}-{body}", label=_label(body, date), kind=kind, date=date,
                             body=body, summary=_summary(sentence), references=list(note.references),
                             cited_in=[(doc.key, note.number)]))
    return out


def _plenums(doc: Document, note: Note, sentence: str) -> list[Event]:
    out = []
    for m in PLENUM.finditer(sentence):
        date = note_date(m.group("date"), note.text[:note.text.find(sentence) + m.start("date")], doc)
        if date is None or not date.edtf:
            continue
        joint = "control" in m.group("label").lower()
        suffix = "plenum-cc-ccc" if joint else "plenum-cc"
        name = "Joint plenum of the CC and CCC" if joint else "Plenum of the CC"
        out.append(Event(id=f"{date.edtf.split('/')[0]}-{suffix}", label=f"{name} of {_human(date)}",
                         kind="plenum", date=date, body="cc-rcp", co_bodies=["ccc"] if joint else [],
                         summary=_summary(sentence),
                         references=list(note.references), cited_in=[(doc.key, note.number)]))
    return out


def _historical(events: dict[str, Event], doc: Document, note: Note, sentence: str, hist: HistoricalEvent) -> None:
    if not all(k.lower() in sentence.lower() for k in hist.keywords):
        return
    m = re.search(DATE, sentence)
    date = note_date(m.group("date"), note.text[:note.text.find(sentence) + m.start()], doc) if m else None
    if hist.id not in events and (date is None or not date.edtf):
        return  # an undated mention can only cite an event already dated by another sentence
    if hist.id in events:
        _merge(events, replace(events[hist.id], summary="", references=[], cited_in=[(doc.key, note.number)]))
        return
    events[hist.id] = Event(id=hist.id, label=hist.label, kind=hist.kind, date=date, body=hist.body,
                            summary=_summary(sentence), references=list(note.references),
                            cited_in=[(doc.key, note.number)], places=list(hist.places))


def _merge(events: dict[str, Event], new: Event) -> None:
    """One event per id: citations, references and distinct summary sentences accumulate."""
    old = events.get(new.id)
    if old is None:
        events[new.id] = new
        return
    old.cited_in += [c for c in new.cited_in if c not in old.cited_in]
    known = {r.verbatim for r in old.references}
    old.references += [r for r in new.references if r.verbatim not in known]
    if new.summary and new.summary not in old.summary:
        old.summary = f"{old.summary} {new.summary}".strip()
    if new.kind == "decision" and old.kind == "meeting":
        old.kind = "decision"


def _summary(sentence: str) -> str:
    """The note sentence without its trailing source reference in parentheses."""
    return re.sub(r"\s*\([^()]*\)\s*(?=\.?$)", "", sentence).strip()


def _label(body: str, date: DateStatement) -> str:
    if date.precision == "day":
        return f"{BODY_LABELS[body]} meeting of {_human(date)}"
    return f"{BODY_LABELS[body]} decision of {_human(date)}"


def _human(date: DateStatement) -> str:
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
