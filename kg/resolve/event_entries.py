"""Curated events (data/authority/events.toml): the entries a reviewer wrote, read and checked.

Why apart from kg.resolve.authority: an event entry has its own rules (where it is stated, how it is dated,
how its text puts it), and kg.resolve.curated_events, which finds the events in notes and texts, needs only
these records.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from kg.model import Factuality
from kg.resolve.authority_rows import SLUG, AuthorityError, read_toml, value_of


@dataclass(frozen=True)
class HistoricalEvent:
    """A curated event (events.toml): the words that recognize the sentence stating it, who took part, and the
    evidence a reviewer checks it against (``stated_in``: "168/2" is note 2 to No. 168, "177" the letter's text)."""

    id: str
    label: str
    kind: str
    keywords: tuple[str, ...]
    places: tuple[str, ...] = ()
    body: str | None = None
    description: str = ""
    bodies: tuple[str, ...] = ()  # further acting bodies (decided jointly)
    participants: tuple[str, ...] = ()
    work: str = ""  # a publication: the title of the work
    date_words: str = ""  # verbatim words dating it when the sentence has no full date ("15/XII", "at the same time")
    date_of: str = ""  # the event those words date it by ("at the same time" as the Politburo meeting of 24 January);
    # "letter": the date of the letter whose text names it ("tomorrow", "last year": words counting from it)
    date_relation: str = ""  # same | after | at (date_of's date: about it, not before it, at that sitting); for the
    # letter day-after | year-before | month-next ("tomorrow", "last year", "in January")
    text_names: tuple[str, ...] = ()  # forms naming it in the texts of the letters of stated_in (anywhere: in any)
    anywhere: bool = False  # text_names name this event in any letter (the Brest peace), not only where read
    stated_in: tuple[str, ...] = ()
    source: str = ""  # what the stating note cites, verbatim ("" = none)
    undated: bool = False  # the stating note gives no date, and none is read: an event without a date
    factuality: Factuality = "stated"  # how that note or letter puts it (bcv:Factuality): stated, supposed ...


EVENT_KINDS = ("decision", "meeting", "plenum", "publication", "death", "arrest", "return", "expulsion", "historical")
STATED_IN = re.compile(r"^\d+[a-z]?(?:/\d+)?$")


def load_events(path: Path, entities: Collection[str]) -> list[HistoricalEvent]:
    """The curated events of events.toml, each checked (ids known in ``entities``, a kind, where it is stated,
    how its text puts it); a malformed entry names the file and the entry."""
    events: list[HistoricalEvent] = []
    for i, row in enumerate(read_toml(path).get("event", [])):
        where = f"[[event]] #{i + 1}"
        ev_id, kind = value_of(path, where, row, "id", str), value_of(path, where, row, "kind", str)
        if not SLUG.match(ev_id):
            raise AuthorityError(path, where, "id must be an ASCII lower-case slug")
        if kind not in EVENT_KINDS:
            raise AuthorityError(path, where, f"kind must be one of {', '.join(EVENT_KINDS)}")
        ids = {key: tuple(value_of(path, where, row, key, list, [])) for key in ("places", "bodies", "participants")}
        body = value_of(path, where, row, "body", str, None)
        unknown = [e for e in (*ids["places"], *ids["bodies"], *ids["participants"], body)
                   if e and e not in entities]
        if unknown:
            raise AuthorityError(path, where, f"unknown entity id(s) {', '.join(unknown)}")
        stated_in = tuple(value_of(path, where, row, "stated_in", list))
        if not stated_in or not all(STATED_IN.match(s) for s in stated_in):
            raise AuthorityError(path, where, "stated_in must list the notes ('168/2') or letters ('177') stating it")
        relation = value_of(path, where, row, "date_relation", str, "")
        of_letter = row.get("date_of") == "letter"
        allowed = ("day-after", "year-before", "month-next") if of_letter else ("same", "after", "at")
        if (relation and relation not in allowed) or bool(relation) != bool(row.get("date_of")):
            raise AuthorityError(path, where,
                                 f"date_relation ({' | '.join(allowed)}) goes with date_of, and only with it")
        if of_letter and not row.get("text_names"):
            raise AuthorityError(path, where, 'date_of = "letter" dates words of a letter\'s text (text_names)')
        factuality = value_of(path, f"{where} ({ev_id})", row, "factuality", str)  # no default: a reviewer reads each
        if factuality not in get_args(Factuality):
            raise AuthorityError(path, f"{where} ({ev_id})", f"factuality '{factuality}' is not one of "
                                 f"{', '.join(get_args(Factuality))} (bcv:Factuality)")
        events.append(HistoricalEvent(
            id=ev_id, label=value_of(path, where, row, "label", str), kind=kind,
            keywords=tuple(value_of(path, where, row, "keywords", list, [])), places=ids["places"], body=body,
            description=value_of(path, where, row, "description", str, ""), bodies=ids["bodies"],
            participants=ids["participants"], work=value_of(path, where, row, "work", str, ""),
            date_words=value_of(path, where, row, "date_words", str, ""),
            date_of=value_of(path, where, row, "date_of", str, ""),
            date_relation=relation, text_names=tuple(value_of(path, where, row, "text_names", list, [])),
            stated_in=stated_in, source=value_of(path, where, row, "source", str, ""),
            anywhere=value_of(path, where, row, "anywhere", bool, False),
            undated=value_of(path, where, row, "undated", bool, False), factuality=factuality))
        if not events[-1].keywords and not events[-1].text_names:
            raise AuthorityError(path, where, "an event needs keywords (of a note sentence) or text_names (in a text)")
    return events
