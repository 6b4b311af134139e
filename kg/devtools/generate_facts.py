"""The expected facts of a generated document: what a perfect parser would read from its text.

The generator knows the truth it wrote (the true note numbers behind damaged markers, the calendar of an
Old Style date, the normalized citation behind "On."/"RTSHIDNI;"), so the parser's accuracy can be measured
on pages nobody has annotated. The JSON form is flat for the fields every consumer compares (number,
parties, date, citation parts, note count, place) and nested for the details.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PartyFact:
    """A sender or recipient: the name as printed in the header, and whether it is a person or a body."""

    name: str
    kind: str  # person | organization
    surname: str | None = None  # persons only: what seed-expected.json compares on


@dataclass
class DateFact:
    """The main date line and its reading (same conventions as kg.model.DateStatement)."""

    expressed: str  # "March 5 [1921]"
    form: str  # exact | year-supplied | whole-supplied | month | month-supplied | late-month | range | ...
    date: str  # EDTF-like ISO: "1921-03-05", "1921-03", "1921-03-05/1921-03-06", "../1921-03-05", "1921-03-05/.."
    earliest: str | None  # in the printed calendar; None = open
    latest: str | None
    supplied: list[str] = field(default_factory=list)  # [] | ["year"] | ["whole"]
    qualifier: str = "exact"  # exact | range | not-after | not-before | approximate
    calendar: str = "gregorian"  # julian before 14 February 1918 (New Style)
    gregorian_earliest: str | None = None
    gregorian_latest: str | None = None

    @property
    def year_supplied(self) -> bool:
        """The editors added the year (alone or with the whole date) in brackets."""
        return bool(self.supplied)


@dataclass(frozen=True)
class PlaceDateFact:
    """A second place/date line ("Berlin, 1.XI.1923", "Filed from Moscow 5/3-21")."""

    verbatim: str
    place: str | None
    role: str  # written | filed | received
    date: str  # ISO day it stands for (the printed calendar)
    position: str  # head (after the date line) | end (after the signature)


@dataclass
class CitationFact:
    """The archival citation line, normalized like seed-expected.json, with the variants it exercises."""

    verbatim: str
    archive: str  # RTsKhIDNI (also for RTSHIDNI; and RGASPI) | GARF
    archive_verbatim: str
    fond: str
    opis: str
    delo: str
    folios: str  # spaces around dashes removed: "103-113"; lists kept: "1, 2"
    form: str  # normalized: autograph | typewritten | certified typewritten copy | ...
    form_verbatim: str  # as printed, final period included
    publication: str | None = None
    variants: list[str] = field(default_factory=list)  # "On.", "RTSHIDNI;", "no-period-before-form", ...


@dataclass(frozen=True)
class CrossRefFact:
    """'See note 1 to document No. 166.'"""

    document: str
    note: int | None


@dataclass
class NoteFact:
    """One editorial note: its true number and how the page printed (or lost) it."""

    number: int
    printed: str  # the number as printed: "1", "1 .", "2" (glued), "one", "" (lost)
    style: str  # plain | spaced-period | glued | word | lost
    kind: str  # pseudonym | initials | letterhead | decision | ibid | cross-reference | publication | ...
    cross_references: list[CrossRefFact] = field(default_factory=list)


@dataclass
class DocumentFacts:
    """Everything the generator knows about one document it wrote."""

    number: str
    number_line: str  # "No. 12" | "Number 12"
    page: str  # file name of the page it is on
    kind: str  # letter | telegram
    header: str
    senders: list[PartyFact]
    recipients: list[PartyFact]
    date: DateFact
    citation: CitationFact
    place_dates: list[PlaceDateFact] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    markers: list[int] = field(default_factory=list)  # note numbers marked in the body, in order
    notes: list[NoteFact] = field(default_factory=list)
    notes_label: bool = True  # "Notes:" printed
    also_on: list[str] = field(default_factory=list)  # other pages showing the same document (extras)
    layouts: list[str] = field(default_factory=list)  # extras: headerless-telegram | dative-header | exchange
    parts: list[dict[str, str]] = field(default_factory=list)  # exchange: {"writer", "addressee"} per message
    rendering: dict[str, Any] | None = None  # extras: its page of the other rendering, what that page says
    transmission: dict[str, Any] | None = None  # extras: copies, status, reply_to, reply_basis, variants

    @property
    def place(self) -> str | None:
        """Where it was written (a 'written' place/date line), as kg.model.Document.place reads it."""
        return next((p.place for p in self.place_dates if p.place and p.role == "written"), None)

    @property
    def cross_references(self) -> list[CrossRefFact]:
        return [x for n in self.notes for x in n.cross_references]

    def to_json(self) -> dict[str, Any]:
        """Flat keys for what every consumer compares, nested details after them."""
        d, c = self.date, self.citation
        return {
            "number": self.number,
            "page": self.page,
            "kind": self.kind,
            "header": self.header,
            "senders": [_plain(p) for p in self.senders],
            "recipients": [_plain(p) for p in self.recipients],
            "date": d.date,
            "date_expressed": d.expressed,
            "year_supplied": d.year_supplied,
            "calendar": d.calendar,
            "archive": c.archive,
            "fond": c.fond,
            "opis": c.opis,
            "delo": c.delo,
            "folios": c.folios,
            "form": c.form,
            "note_count": len(self.notes),
            "cross_references": [_plain(x) for x in self.cross_references],
            "place": self.place,
            "pages": [self.page, *self.also_on],
            "number_line": self.number_line,
            "date_detail": _plain(d, "expressed", "date", "calendar"),
            "citation": _plain(c, "archive", "fond", "opis", "delo", "folios", "form"),
            "place_dates": [_plain(p) for p in self.place_dates],
            "signatures": self.signatures,
            "markers": self.markers,
            "notes": [{**_plain(n), "cross_references": [_plain(x) for x in n.cross_references]} for n in self.notes],
            "notes_label": self.notes_label,
        } | self._layout_json()

    def _layout_json(self) -> dict[str, Any]:
        """Issue 15's keys, only where a layout or a rendering page is drawn: the facts of corpora without
        extras stay byte for byte what they were."""
        out: dict[str, Any] = {}
        if self.layouts or self.rendering:
            out["layouts"] = self.layouts + (["other-rendering"] if self.rendering else [])
        if self.parts:
            out["parts"] = self.parts
        if self.rendering:
            out["rendering"] = self.rendering
        if self.transmission is not None:
            out["transmission"] = self.transmission
        return out

    def to_line(self) -> str:
        """One line of expected.jsonl (keys in a fixed order, so files are byte-identical across runs)."""
        return json.dumps(self.to_json(), ensure_ascii=False)


def _plain(obj: Any, *drop: str) -> dict[str, Any]:
    """A fact as a JSON-ready dict, minus what the flat part already says. Shallow on purpose: facts hold
    only strings, numbers and lists of them (nested facts are converted by the caller), and
    dataclasses.asdict's deep copies cost a third of the generation time at 100k documents."""
    return {k: v for k, v in vars(obj).items() if k not in drop}


def read_facts(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the facts file written by write_corpus (one JSON object per document)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
