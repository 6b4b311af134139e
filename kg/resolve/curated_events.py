"""Curated events (data/authority/events.toml) found in the notes' sentences and in the letters' texts.

Why an entry's text_names are read only in the letters its stated_in lists (unless ``anywhere``): "at the meeting
of the SRT" is the STO's sitting of 3 August 1923 in No. 171 and another sitting in any other letter; a reviewer
read the words in that letter. Names of general history (the Brest peace) mean one event wherever they stand.

Why curated: a session of the Politburo has a sentence shape ("On February 1, 1923, the Politburo agreed ..."),
a publication, a death, an arrest or a historical event has none that is safe to read from any note. Each entry
says which words recognize its sentence, and cites the note (or letter) it was read from; the date is read from
that sentence (or from the words ``date_words`` names in it), never written in the entry, so an event is only as
precise as its source, and an event no source dates has no date.

Why one regular expression for all keywords (and one for all text names): a scan per event per sentence made the
resolver's cost grow with the authority file at 100k letters; this way each sentence and each letter's text is
scanned once, whatever the number of curated events.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import replace
from datetime import date, timedelta

from kg.model import DateStatement, Document, Event, Note, SourceSpan
from kg.resolve.event_entries import HistoricalEvent
from kg.resolve.note_text import DATE, merge, note_date, summary
from kg.resolve.text import BodyLines
from kg.sources.dates import parse_date

ROMAN_MONTHS = {r: i for i, r in enumerate("I II III IV V VI VII VIII IX X XI XII".split(), start=1)}
CYRILLIC_ROMAN = str.maketrans("ІХ", "IX")  # "3/VІІІ" (No. 171): the OCR read the numeral's I's as Cyrillic І
MONTH_NUMBERS = {calendar.month_name[i]: i for i in range(1, 13)}
ROMAN_DAY = re.compile(r"^(?P<day>\d{1,2})/(?P<month>[IVX]{1,4})$")  # "15/XII": the letters' day/month in Roman


class CuratedFinder:
    """The curated events indexed by the words that find them."""

    def __init__(self, curated: list[HistoricalEvent]) -> None:
        self.curated = curated
        keywords = sorted({k.lower() for h in curated for k in h.keywords}, key=len, reverse=True)
        self.keyword_re = re.compile("|".join(map(re.escape, keywords))) if keywords else None
        # a long keyword found hides the shorter ones inside it ("myasnikov returned" holds "myasnikov")
        self.inside = {k: {s for s in keywords if s in k} for k in keywords}
        self.by_keyword: dict[str, list[HistoricalEvent]] = {}
        for hist in curated:
            for k in hist.keywords:
                self.by_keyword.setdefault(k.lower(), []).append(hist)
        names = sorted({n for h in curated for n in h.text_names}, key=len, reverse=True)
        self.name_re = (re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)", re.I)
                        if names else None)
        self.by_name = {n.lower(): h for h in curated for n in h.text_names}
        # where a reviewer read each entry's text_names: the letters of its stated_in ("171", not the note "171/1")
        self.read_in = {h.id: {s for s in h.stated_in if "/" not in s} for h in curated}

    def add_to(self, events: dict[str, Event], split: list[tuple[Document, Note, list[str]]],
               documents: list[Document]) -> None:
        """Add the curated events stated in the notes (``split``: each note's sentences), then those the letters'
        texts name. Events dated by another event's date come last (171: the STO's decisions taken "today, 3/VIII,
        at the meeting of the SRT", a sitting only the letter names)."""
        later = []
        for doc, note, found in split:
            for sentence in found:
                for hist in self.in_sentence(sentence):
                    if hist.date_of:
                        later.append((doc, note, sentence, hist))
                    else:
                        _from_note(events, doc, note, sentence, hist)
        if self.name_re is not None:  # before the events dated by another: that may be a sitting a letter names
            for doc in documents:
                lines = None
                for m in self.name_re.finditer(doc.body or ""):
                    hist = self.by_name[m.group().lower()]
                    if hist.anywhere or doc.key in self.read_in[hist.id]:  # "at the meeting of the SRT" is 3/VIII
                        lines = lines or BodyLines(doc)  # only in No. 171
                        _from_text(events, doc, hist, _span(doc, lines.line(m.start())))
        for doc, note, sentence, hist in later:
            _from_note(events, doc, note, sentence, hist)

    def in_sentence(self, sentence: str) -> list[HistoricalEvent]:
        """The curated events every keyword of which is in ``sentence`` (any case), in file order."""
        if self.keyword_re is None:
            return []
        found = {s for m in self.keyword_re.finditer(sentence.lower()) for s in self.inside[m.group()]}
        candidates = {id(h): h for k in found for h in self.by_keyword[k]}
        return [h for h in self.curated if id(h) in candidates and all(k.lower() in found for k in h.keywords)]


def _from_note(events: dict[str, Event], doc: Document, note: Note, sentence: str, hist: HistoricalEvent) -> None:
    context = note.text[:note.text.find(sentence)]
    if hist.undated:
        date = None
    elif hist.date_of:
        base = events.get(hist.date_of)
        date = relative_date(base.date, hist.date_words, hist.date_relation) if base and base.date else None
    elif hist.date_words:
        at = sentence.find(hist.date_words)
        date = text_date(hist.date_words, context + sentence[:at], doc) if at >= 0 else None
    else:
        m = re.search(DATE, sentence)
        date = note_date(m.group("date"), context + sentence[:m.start()], doc) if m else None
    if hist.id in events:
        known = events[hist.id]
        known.factuality = hist.factuality  # the entry's reading, also of a sitting a note's sentence dated
        if not known.cited_in:  # so far named by a letter's text only: the note gives its sentence, source and date
            known.summary, known.references, known.date = summary(sentence), list(note.references), known.date or date
        merge(events, replace(known, summary="", references=[], cited_in=[(doc.key, note.number)], named_in=[],
                              named_at=[]))
        return
    if (date is None or not date.edtf) and not hist.undated and not hist.text_names:
        return  # an undated sentence can only cite an event another sentence (or a letter's text) dates
    events[hist.id] = _event(hist, date, summary=summary(sentence), references=list(note.references),
                             cited_in=[(doc.key, note.number)])


def _from_text(events: dict[str, Event], doc: Document, hist: HistoricalEvent, at: SourceSpan | None) -> None:
    """An event a letter's text names: the letter mentions it, at the line ``at``; its date only where the text gives
    one. An event a note states as well (the GPU's cancellation of Myasnikov's expulsion, 175) is one event."""
    if hist.id not in events:
        events[hist.id] = _event(hist, None, summary=hist.description)
    event = events[hist.id]
    event.factuality = hist.factuality  # the entry's reading, also of a sitting a note's sentence dated
    if event.date is None and hist.date_words and hist.date_words in (doc.body or ""):  # also where a note left it
        if hist.date_of == "letter":  # 173's "tomorrow": words that count from the letter's own date
            event.date = letter_relative_date(doc.date, hist.date_words, hist.date_relation) if doc.date else None
        else:
            event.date = text_date(hist.date_words, "", doc)  # undated (174: "No. 58 of 19/X"); the letter's year
    if doc.key not in event.named_in:
        event.named_in.append(doc.key)
    if at is not None and at not in event.named_at:
        event.named_at.append(at)


def _span(doc: Document, line: int) -> SourceSpan | None:
    return SourceSpan(doc.source.file, line, line) if doc.source else None


def _event(hist: HistoricalEvent, date: DateStatement | None, **kwargs: object) -> Event:
    part_of = hist.date_of if hist.date_relation == "at" else None  # a decision taken at that sitting
    return Event(id=hist.id, label=hist.label, kind=hist.kind, date=date, body=hist.body, co_bodies=list(hist.bodies),
                 places=list(hist.places), participants=list(hist.participants), work=hist.work, part_of=part_of,
                 factuality=hist.factuality, **kwargs)  # type: ignore[arg-type]


def text_date(words: str, context: str, doc: Document) -> DateStatement | None:
    """``words`` as a date: "15/XII" (day/Roman month), "October 29-31", "November"; a missing year is the last
    one in ``context``, else the document's."""
    m = ROMAN_DAY.match(words.strip().translate(CYRILLIC_ROMAN))
    reading = f"{calendar.month_name[ROMAN_MONTHS[m.group('month')]]} {m.group('day')}" \
        if m and m.group("month") in ROMAN_MONTHS else words
    stmt = note_date(reading, context, doc)
    return replace(stmt, expressed=words) if stmt is not None and stmt.edtf else None


def relative_date(base: DateStatement, words: str, relation: str) -> DateStatement:
    """The date of an event dated by another's: "at the same time" (approximately its date), "after ..." (not
    before its earliest day, open at the end) or taken at that sitting ("at": its date, as that date was printed).
    ``words`` are the sentence's, verbatim."""
    if relation == "at":
        return base
    start = (base.edtf or "").split("/")[0]
    if relation == "after":
        return DateStatement(expressed=words, edtf=f"{start}/..", earliest=base.earliest, latest=None,
                             calendar=base.calendar, qualifier="not-before", gregorian_earliest=base.gregorian_earliest)
    edtf = "/".join(f"{part}~" for part in (base.edtf or "").split("/") if part)
    return replace(base, expressed=words, edtf=edtf, qualifier="approximate", supplied=[], span=None)


def letter_relative_date(base: DateStatement, words: str, relation: str) -> DateStatement | None:
    """Words of a letter's text that count from the letter's own (Gregorian) date, kept verbatim: "tomorrow"
    (day-after: the next day), "last year" (year-before: the year before the letter's, no finer), "in January"
    (month-next: that month's next occurrence after the letter's month, 176's planned conference). None where the
    letter's date is not fine enough to count from: no day is ever guessed."""
    if base.calendar != "gregorian" or not base.earliest or not base.latest:
        return None
    year, month = int(base.earliest[:4]), int(base.earliest[5:7])
    if relation == "day-after" and base.earliest == base.latest:
        day = date.fromisoformat(base.earliest) + timedelta(days=1)
        reading = f"{calendar.month_name[day.month]} {day.day}, {day.year}"
    elif relation == "year-before" and base.earliest[:4] == base.latest[:4]:
        reading = str(year - 1)
    elif relation == "month-next" and base.earliest[:7] == base.latest[:7] and words in MONTH_NUMBERS:
        named = MONTH_NUMBERS[words]
        reading = f"{words} {year if named > month else year + 1}"
    else:
        return None
    stmt = parse_date(reading)
    return replace(stmt, expressed=words) if isinstance(stmt, DateStatement) else None
