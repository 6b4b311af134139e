"""Events from the editorial notes: the sessions of the Politburo, Orgburo, STO and plenums, the decisions taken
at them or known only by their date, and the curated events of events.toml (publications, deaths, arrests,
returns, expulsions, historical events; ``kg.resolve.curated_events`` finds those).

Why sentence shapes rather than "a body and a date somewhere in a note": the notes also say "In October
1923, a sharp struggle unfolded in the Politburo" (not a decision) and "On November 19, Dzerzhinsky
addressed ... Molotov" (a letter). Only the shapes below — the body acting on a date — make an event, so
every event can be traced to one sentence, which becomes its summary. The same meeting cited by two notes
(1 February 1923: note 2 to No. 167 and note 4 to No. 168) is one event with both citations.

Why a session and a decision are two events: "On November 10, 1923, the Politburo considered ... and decided"
states a sitting of the body that day (a bc:Meeting) and a resolution taken at it (a bc:Decision, part of the
meeting). "The STO's decision of January 16" states a decision only: its sole source is the Politburo protocol
of 1 February, which says nothing of an STO sitting, so no STO meeting is made. A month ("In November 1923,
the Politburo accepted") dates a decision, not one sitting.
"""

from __future__ import annotations

import re

from kg.model import Document, Event, Note
from kg.resolve.authority import Authorities
from kg.resolve.curated_events import CuratedFinder
from kg.resolve.note_text import DATE, human, merge, note_date, sentences, summary

__all__ = ["extract_events", "note_date", "sentences"]

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
RESOLUTION = re.compile(r"\bdecision\s+[“\"](?P<title>[^”\"]{4,200})[”\"]\s+of\s+the\s*$")


def extract_events(documents: list[Document], auth: Authorities) -> dict[str, Event]:
    """Every event the notes of ``documents`` (and, for curated ones, their texts) state, by id, in order of first
    citation."""
    events: dict[str, Event] = {}
    split = [(doc, note, sentences(note.text)) for doc in documents for note in doc.notes]  # once: ~30 % of the time
    for doc, note, found in split:
        for sentence in found:
            for event in _body_events(doc, note, sentence) + _plenums(doc, note, sentence):
                merge(events, event)
    CuratedFinder(auth.events).add_to(events, split, documents)
    return events


def _body_events(doc: Document, note: Note, sentence: str) -> list[Event]:
    out = []
    for shape, pattern in SHAPES:
        for m in pattern.finditer(sentence):
            date = note_date(m.group("date"), note.text[:note.text.find(sentence) + m.start("date")], doc)
            if date is None or not date.edtf:
                continue
            verbs = {(m.groupdict().get("verb") or "").lower(), *re.findall(r"\w+", sentence[m.end():].lower())}
            body = BODY_IDS[" ".join(m.group("body").lower().split())]
            day = date.edtf.split("/")[0]
            common = {"date": date, "body": body, "summary": summary(sentence), "references": list(note.references),
                      "cited_in": [(doc.key, note.number)]}
            session, decided = None, shape == "decision" or bool(verbs & DECISION_VERBS)
            if shape != "decision" and (date.precision == "day" or not decided):  # the body acting: its sitting
                session = Event(id=f"{day}-{body}", label=f"{BODY_LABELS[body]} meeting of {human(date)}",
                                kind="meeting", **common)
                out.append(session)
            if decided:
                out.append(Event(id=f"{day}-{body}-decision", label=f"{BODY_LABELS[body]} decision of {human(date)}",
                                 kind="decision", part_of=session.id if session else None, **common))
    return out


def _plenums(doc: Document, note: Note, sentence: str) -> list[Event]:
    out = []
    for m in PLENUM.finditer(sentence):
        date = note_date(m.group("date"), note.text[:note.text.find(sentence) + m.start("date")], doc)
        if date is None or not date.edtf:
            continue
        joint = "control" in m.group("label").lower()
        meeting_id = f"{date.edtf.split('/')[0]}-{'plenum-cc-ccc' if joint else 'plenum-cc'}"
        name = "joint plenum of the CC and CCC" if joint else "plenum of the CC"
        common = {"date": date, "body": "cc-rcp", "co_bodies": ["ccc"] if joint else [], "summary": summary(sentence),
                  "references": list(note.references), "cited_in": [(doc.key, note.number)]}
        out.append(Event(id=meeting_id, label=f"{name[0].upper()}{name[1:]} of {human(date)}", kind="plenum", **common))
        title = RESOLUTION.search(sentence[:m.start()])
        if title:  # "the decision “On the question ...” of the joint plenum": a resolution taken at it
            label = f"Decision “{title.group('title').strip()}” of the {name}"
            out.append(Event(id=f"{meeting_id}-decision", label=label, kind="decision", part_of=meeting_id, **common))
    return out


