"""IRIs of everything we publish, derived from the data only (README, "IRI policy").

Why one module: the IRI policy is a public promise (an IRI, once published, names the same thing
forever), so every pattern lives in one place that tests and the web layer can read.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from urllib.parse import quote

from rdflib import URIRef

from kg.errors import KGError
from kg.model import Document, NameUsage

ENTITY_PREFIX = {"person": "person", "organization": "org", "place": "place", "archive": "archive"}

# Archive names as printed -> archive id. RTsKhIDNI (1991-1999) is a former name of RGASPI.
ARCHIVE_ALIASES = {"rtskhidni": "rgaspi", "rtshidni": "rgaspi", "rtskhdni": "rgaspi", "rgaspi": "rgaspi",
                   "garf": "garf", "rgani": "rgani", "rgva": "rgva", "rgae": "rgae"}


def slug(text: str) -> str:
    """ASCII lower case with '-' between words ('Ruhr area' -> 'ruhr-area')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


def unit_segment(value: str) -> str:
    """An archival unit number as an IRI segment: lower case, '/' dropped ('1/S' -> '1s')."""
    return slug(value.replace("/", ""))


def document_local(subject: str, graph: str, letter: str) -> bool:
    """True when triples about ``subject`` belong in the document's graph alone (IRIs as plain text).

    The subject is the graph, the letter or one of the letter's parts. Any other subject (a source
    page, a document cited from outside the corpus) may be described by many documents, so its
    triples are published once, in the shared graph: then no triple is in two named graphs and the
    union of the graphs is their RDF merge on every store (kg/publish/chunks.py applies this rule)."""
    return subject == graph or subject == letter or subject.startswith(letter + "/")


class Iris:
    """The IRI patterns relative to one configurable base."""

    def __init__(self, base: str):
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def _iri(self, path: str) -> URIRef:
        return URIRef(self.base + path)

    def edition(self) -> URIRef:
        return self._iri("edition")

    def letter(self, key: str) -> URIRef:
        return self._iri(f"letter/{quote(key, safe='-._~')}")

    def letter_part(self, key: str, *parts: object) -> URIRef:
        """A sub-resource of a letter: 'date', ('note', 2), ('source', 1), ('name', '7.1-4'), ('party', 2)..."""
        return URIRef(str(self.letter(key)) + "".join(f"/{p}" for p in parts))

    def name_usage(self, key: str, place: str, note: int | None = None) -> URIRef:
        """A name usage: ``letter/167/name/7.1-4``, or under its note, ``letter/167/note/3/name/1.52-60``
        (``place`` from UsagePlaces)."""
        return self.letter_part(key, "note", note, "name", place) if note is not None else \
            self.letter_part(key, "name", place)

    def graph(self, key: str) -> URIRef:
        return self._iri(f"graph/letter/{quote(key, safe='-._~')}")

    def letter_of_graph(self, graph_iri: URIRef) -> URIRef:
        """The letter a document graph is about (``graph`` with the key already quoted)."""
        prefix = self.base + "graph/letter/"
        if not graph_iri.startswith(prefix):
            raise ValueError(f"not a document graph of {self.base}: {graph_iri}")
        return URIRef(self.base + "letter/" + graph_iri[len(prefix):])

    def authority_graph(self) -> URIRef:
        return self._iri("graph/authority")

    def entity(self, kind: str, entity_id: str) -> URIRef:
        return self._iri(f"{ENTITY_PREFIX[kind]}/{quote(entity_id, safe='-._~')}")

    def event(self, event_id: str) -> URIRef:
        return self._iri(f"event/{quote(event_id, safe='-._~')}")

    def archive(self, archive_id: str) -> URIRef:
        return self._iri(f"archive/{archive_id}")

    def unit(self, archive_id: str, fond: str, opis: str | None = None, delo: str | None = None) -> URIRef:
        path = f"archive/{archive_id}/f{unit_segment(fond)}"
        if opis:
            path += f"/op{unit_segment(opis)}"
            if delo:
                path += f"/d{unit_segment(delo)}"
        return self._iri(path)

    def source_page(self, path: str) -> URIRef:
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        return self._iri(f"source/{quote(name, safe='-._~')}")

    def build_activity(self, version: str) -> URIRef:
        """One IRI per parser version, so two builds of the same input give identical data."""
        return self._iri(f"build/{quote(version, safe='-._~')}")


HEADER_PLACE = "header-"  # the place of a header party: "header-2", its position among the header's parties


class TextPlaces:
    """Where spans of one published text stand, as IRI segments: "7.1-4" is line 7, characters 1 to 4.

    Lines are those of the text as published (``schema:text`` split at its line breaks, so the blank line
    between two paragraphs counts), characters are counted from 1 in the line, the end is inclusive, and a
    span that runs onto a later line ends there ("7.70-8.3"). A reader can check a usage against the text
    with the IRI alone. Line starts are indexed once per text: a letter of 2 MB has thousands of names."""

    def __init__(self, text: str):
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def point(self, offset: int) -> tuple[int, int]:
        """(line, character) of ``offset``, both from 1."""
        i = bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def place(self, start: int, end: int) -> str:
        line, char = self.point(start)
        last_line, last_char = self.point(max(start, end - 1))
        return f"{line}.{char}-{last_char}" if last_line == line else f"{line}.{char}-{last_line}.{last_char}"


class UsagePlaces:
    """The place of each name usage of one document, the last segment of its IRI (Iris.name_usage).

    Why a place and not a number: the usages used to be numbered in the order they were found, so a reading the
    resolver learned (a new alias, a nickname now recognised) inserted a usage and renumbered every later one:
    ``letter/167/name/12`` named another name after each such release, and a statement citing it became
    untraceable. A usage's place is where its form stands in the source, which a new reading does not move: it
    mints the new usage's IRI and leaves every other one as it was.

        body                   letter/167/name/7.1-4            line 7 of the letter's text, characters 1-4
        note 3                 letter/167/note/3/name/1.52-60   the same, in the note's text (schema:text)
        header party 2         letter/167/name/header-2         senders then recipients, as the header prints them
        signature line 1       letter/167/name/signature-1.1-11 a signature the body does not repeat (bc:signature)

    A signature the body repeats is placed in the body's text, where it was read. What does move a place is a
    change of the text itself (a parser fix that changes the published ``schema:text``): the usages after it on
    its line, or on every later line if it adds or removes a line break; then the IRI's place and the text it
    points into change together, so a statement made with the old IRI can still be checked against the old
    release's text. Lines keep a correction in one paragraph from moving the places of the others.

    The numbered IRIs published before (``letter/167/name/12``) are not mapped to these (no owl:sameAs, no
    redirect, nothing in data/authority/aliases.toml): a number named whichever usage came twelfth in its build,
    so no one place is what it designated across releases, and an alias would assert an identity that held in
    one release only. They were published before 1.0 only."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.texts: dict[int | None, TextPlaces] = {}

    def _text(self, note: int | None) -> TextPlaces:
        found = self.texts.get(note)
        if found is None:
            text = self.doc.body if note is None else next(n.text for n in self.doc.notes if n.number == note)
            found = self.texts[note] = TextPlaces(text)
        return found

    def of(self, usage: NameUsage) -> str:
        if usage.party is not None:
            return f"{HEADER_PLACE}{usage.party}"
        if usage.span is None:
            raise KGError(f"document {self.doc.key}: name usage '{usage.form}' has no place to mint its IRI from")
        start, end = usage.span
        if usage.signature is not None:  # one line: the signature's number stands for the line
            return f"signature-{usage.signature + 1}.{start + 1}-{end}"
        return self._text(usage.note).place(start, end)

