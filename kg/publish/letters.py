"""The letters as the published graph states them, read back from ``kg.nt.gz``: the one source of the
letter-shaped views (``cmif.xml``, kg/publish/cmif.py; ``letters.csv``, kg/publish/letters_csv.py).

    letters = read_letters(staging / "kg.nt.gz")     # -> LetterIndex: letters in edition order, agents, edition

Why from the dump and not from the build's own records: the views must say exactly what the graph
says (one truth); a view that re-derived senders or dates from the parser could drift from the RDF.

Why a line filter before parsing: a letter needs a few dozen of the graph's ~160 triples per letter
(its texts, notes and most name usages are not read). Lines are kept by predicate (and ``rdf:type``
lines by class) and only those are parsed by Oxigraph. Name usages are kept only when they are
header names (the order of the parties): ``kg.nt.gz`` is sorted, so the lines of one subject are
contiguous and a usage's lines are held until its subject ends; its letter is the start of its IRI
(``<letter>/name/header-<n>``, kg.rdf.iris.UsagePlaces).

Party order: the graph states senders and recipients as unordered sets; the edition's order is the
order of the header's names (``bc:nameKind bcv:headerName`` usages, ``header-<n>`` in reading order).
A resolved party takes the place of the first header usage that refers to it; an unresolved one
(``letter/N/party/k``) the header usage whose name form is its ``bc:verbatim``, else its number ``k``.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.config import ONTOLOGY_NS, VOCAB_NS
from kg.rdf.iris import header_position

BC = ONTOLOGY_NS
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"
WIKIDATA = "http://www.wikidata.org/entity/"
HEADER_NAME = VOCAB_NS + "headerName"
NAME_KIND = BC + "nameKind"

DATE_PROPERTIES = ("edtf", "earliest", "latest", "gregorianEarliest", "gregorianLatest", "calendar",
                   "dateQualifier", "dateSupplied", "expressedDate")
KEPT = frozenset(f"<{iri}>".encode() for iri in (
    *(BC + p for p in ("documentNumber", "documentKey", "documentKind", "sender", "recipient", "placeWritten",
                       "created", "placeDate", "lineRole", "lineDate", "placeName", "verbatim", "unresolved",
                       "outsideCorpus", *DATE_PROPERTIES)),
    SCHEMA + "name", SCHEMA + "mentions", SCHEMA + "dateCreated", SCHEMA + "datePublished", OWL_SAME_AS,
    DCTERMS_TITLE))
USAGE = frozenset(f"<{BC}{p}>".encode() for p in ("nameForm", "refersTo"))  # of header usages only
TYPES = {f"<{BC}{c}>".encode(): c for c in ("Letter", "Person", "Group", "Place", "Event", "Edition")}
TYPE_LINE = f"<{RDF_TYPE}>".encode()
HEADER_LINE = f"<{HEADER_NAME}>".encode()
NAME_KIND_LINE = f"<{NAME_KIND}>".encode()
PARTY_NUMBER = re.compile(r"/party/(\d+)$")


@dataclass(frozen=True)
class Agent:
    """A sender, recipient, place or mentioned entity: its IRI, kind (Person, Group, Place, Event), name."""

    iri: str
    kind: str
    name: str
    wikidata: str | None = None  # the owl:sameAs item, when linked
    unresolved: bool = False  # a document-local node (letter/N/party/k, letter/N/place): no authority record

    @property
    def authority(self) -> str | None:
        """The IRI that identifies the entity outside this document: Wikidata where linked, ours otherwise."""
        return None if self.unresolved else (self.wikidata or self.iri)


@dataclass(frozen=True)
class DateInfo:
    """A bc:DateStatement as published (days as ISO text; empty when the graph has none)."""

    expressed: str = ""
    edtf: str = ""
    earliest: str = ""
    latest: str = ""
    gregorian_earliest: str = ""
    gregorian_latest: str = ""
    calendar: str = "gregorian"  # local name of bcv:gregorian / bcv:julian
    qualifier: str = "exact"  # local name: exact, range, notBefore, notAfter, approximate
    supplied: bool = False

    def bounds(self) -> tuple[str, str]:
        """The earliest and latest Gregorian day ('' when open), as schema:dateCreated reads them."""
        lo, hi = self.gregorian_earliest, self.gregorian_latest
        if self.calendar == "gregorian":
            lo, hi = lo or self.earliest, hi or self.latest
        return lo, hi


@dataclass(frozen=True)
class PlaceDate:
    """A place/date line: its role ('written', 'filed', 'received'), the place as read, its date."""

    role: str
    place: str
    date: DateInfo | None


@dataclass
class Letter:
    """One bc:Letter with what the views print, parties in the edition's order."""

    iri: str
    number: str  # bc:documentNumber ('' for unnumbered documents)
    key: str  # bc:documentKey
    kind: str  # local name of bc:documentKind (letter, telegram, ...)
    senders: list[Agent]
    recipients: list[Agent]
    place: Agent | None
    date: DateInfo | None
    date_created: str  # schema:dateCreated, '' when the graph has none
    place_dates: list[PlaceDate]
    mentions: list[Agent]


@dataclass
class LetterIndex:
    letters: list[Letter]
    edition_title: str = ""
    edition_year: str = ""


@dataclass
class _Nodes:
    """The kept triples: subject -> predicate -> objects (lexical form or IRI), and the types."""

    values: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    types: dict[str, str] = field(default_factory=dict)
    header_usages: dict[str, list[str]] = field(default_factory=dict)  # letter -> its header usages, in order
    agents: dict[str, Agent] = field(default_factory=dict)

    def one(self, s: str, p: str, default: str = "") -> str:
        objects = self.values.get(s, {}).get(p)
        return min(objects) if objects else default

    def all(self, s: str, p: str) -> list[str]:
        return sorted(set(self.values.get(s, {}).get(p, ())))


def kept_lines(lines: Iterable[bytes]) -> Iterator[bytes]:
    """The N-Triples lines a letter view needs (module docstring). Sorted input: a subject's lines are
    contiguous, so a name usage's lines are held until its subject ends and kept if it is a header name.

    Why a plain loop: it costs ~0.2 µs a line; regular expressions over whole blocks were no faster
    (Python's engine tries every byte position of a multi-line pattern)."""
    held: list[bytes] = []
    held_subject, header = b"", False
    for line in lines:
        s, p, rest = line.split(b" ", 2)
        if s != held_subject:
            if header:
                yield from held
            held, held_subject, header = [], s, False
        if p in KEPT:
            yield line
        elif p == TYPE_LINE:
            if rest[:-2].rstrip() in TYPES:
                yield line
        elif p in USAGE:
            held.append(line)
        elif p == NAME_KIND_LINE and rest.startswith(HEADER_LINE):
            held.append(line)
            header = True
    if header:
        yield from held


def _lines(path: Path, block: int = 8 << 20) -> Iterator[bytes]:
    """The lines of a gzip file (each with its newline), read in blocks: gzip's own readline costs
    ~3 µs a line, 1.6 M lines at 10k letters."""
    rest = b""
    with gzip.open(path, "rb") as f:
        while data := f.read(block):
            lines = (rest + data).split(b"\n")
            rest = lines.pop()
            for line in lines:
                if line:
                    yield line + b"\n"
    if rest:
        yield rest + b"\n"


def _lexical(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode) else str(term)


def read_nodes(path: Path) -> _Nodes:
    nodes = _Nodes()
    kept = b"".join(kept_lines(_lines(path)))
    for t in ox.parse(kept, format=ox.RdfFormat.N_TRIPLES):
        s, p, o = t.subject.value, t.predicate.value, _lexical(t.object)
        if p == RDF_TYPE:
            nodes.types[s] = TYPES[f"<{o}>".encode()]
        else:
            nodes.values[s][p].append(o)
            if p == NAME_KIND:  # only header usages were kept; a usage's IRI is <letter>/name/header-<n>
                nodes.header_usages.setdefault(s.rsplit("/name/", 1)[0], []).append(s)
    for usages in nodes.header_usages.values():
        usages.sort(key=lambda iri: header_position(iri) or 0)
    return nodes


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def agent(nodes: _Nodes, iri: str) -> Agent:
    """The agent (or place) ``iri``, made once per build: authority entities recur in many letters."""
    found = nodes.agents.get(iri)
    if found is None:
        found = nodes.agents[iri] = _agent(nodes, iri)
    return found


def _agent(nodes: _Nodes, iri: str) -> Agent:
    items = [o for o in nodes.all(iri, OWL_SAME_AS) if o.startswith(WIKIDATA)]
    unresolved = nodes.one(iri, BC + "unresolved") == "true"
    return Agent(iri, nodes.types.get(iri, ""), nodes.one(iri, SCHEMA + "name") or _local(iri),
                 items[0] if items else None, unresolved)


def date_info(nodes: _Nodes, node: str) -> DateInfo:
    v = {p: nodes.one(node, BC + p) for p in DATE_PROPERTIES}
    return DateInfo(v["expressedDate"], v["edtf"], v["earliest"], v["latest"], v["gregorianEarliest"],
                    v["gregorianLatest"], _local(v["calendar"]) if v["calendar"] else "gregorian",
                    _local(v["dateQualifier"]) if v["dateQualifier"] else "exact", v["dateSupplied"] == "true")


def _part_number(iri: str) -> int:
    tail = iri.rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def party_order(nodes: _Nodes, letter: str, parties: list[str]) -> list[str]:
    """``parties`` in the order of the header's names (module docstring); unplaced ones last, by IRI."""
    usages = nodes.header_usages.get(letter, [])
    first: dict[str, int] = {}
    unnamed: dict[str, int] = {}
    for position, usage in enumerate(usages, start=1):
        for target in nodes.all(usage, BC + "refersTo"):
            first.setdefault(target, position)
        if not nodes.all(usage, BC + "refersTo"):
            unnamed.setdefault(nodes.one(usage, BC + "nameForm"), position)

    def place(iri: str) -> tuple[int, str]:
        if iri in first:
            return first[iri], iri
        verbatim = nodes.one(iri, BC + "verbatim")
        if verbatim in unnamed:
            return unnamed[verbatim], iri
        number = PARTY_NUMBER.search(iri)
        return (int(number.group(1)) if number else 1 << 30), iri

    return sorted(parties, key=place)


def _number_key(letter: Letter) -> tuple[int, int, str]:
    """Edition order: numbered documents by number, then unnumbered ones by key."""
    return (0, int(letter.number), letter.key) if letter.number.isdigit() else (1, 0, letter.key)


def read_letters(path: Path) -> LetterIndex:
    """Every bc:Letter of the dump (documents outside the corpus are not letters of it), in edition order."""
    nodes = read_nodes(path)
    letters = []
    for iri in (s for s, kind in nodes.types.items() if kind == "Letter"):
        if nodes.one(iri, BC + "outsideCorpus") == "true":
            continue
        created = nodes.one(iri, BC + "created")
        place = nodes.one(iri, BC + "placeWritten")
        lines = []
        for line in sorted(nodes.all(iri, BC + "placeDate"), key=_part_number):
            line_date = nodes.one(line, BC + "lineDate")
            lines.append(PlaceDate(nodes.one(line, BC + "lineRole"), nodes.one(line, BC + "placeName"),
                                   date_info(nodes, line_date) if line_date else None))
        letters.append(Letter(
            iri, nodes.one(iri, BC + "documentNumber"), nodes.one(iri, BC + "documentKey"),
            _local(nodes.one(iri, BC + "documentKind")) if nodes.one(iri, BC + "documentKind") else "",
            [agent(nodes, a) for a in party_order(nodes, iri, nodes.all(iri, BC + "sender"))],
            [agent(nodes, a) for a in party_order(nodes, iri, nodes.all(iri, BC + "recipient"))],
            agent(nodes, place) if place else None, date_info(nodes, created) if created else None,
            nodes.one(iri, SCHEMA + "dateCreated"), lines,
            [agent(nodes, m) for m in nodes.all(iri, SCHEMA + "mentions")]))
    edition = next((s for s, kind in nodes.types.items() if kind == "Edition"), "")
    return LetterIndex(sorted(letters, key=_number_key),
                       nodes.one(edition, DCTERMS_TITLE) or nodes.one(edition, SCHEMA + "name"),
                       nodes.one(edition, SCHEMA + "datePublished"))
