"""Mapping of the shared resources into the authority graph: people, groups, places, archives,
events, the edition and the build activity, with the provenance of every Wikidata link.

Why a graph of their own: a person is described once, not once per letter; letters point at it.
"""

from __future__ import annotations

from rdflib import OWL, RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.model import DateStatement, Entity, Event, GeoRecord, WikidataLink
from kg.rdf.iris import Iris
from kg.rdf.parts import add_date, add_reference, span_text
from kg.rdf.vocab import BC, BCV, SCHEMA

# Why bc:Agent stated beside bc:Person, bc:Group and bc:Archive (as bc:Event beside an event's kind): any SHACL
# validator given the shapes alone (no ontology) then finds the agents sh:class bc:Agent and sh:targetClass ask for.
ENTITY_TYPES = {"person": (BC.Person, BC.Agent, SCHEMA.Person),
                "organization": (BC.Group, BC.Agent, SCHEMA.Organization), "place": (BC.Place, SCHEMA.Place),
                "archive": (BC.Archive, BC.Agent, SCHEMA.ArchiveOrganization)}
EVENT_TYPES = {"decision": BC.Decision, "meeting": BC.Meeting, "plenum": BC.Meeting, "publication": BC.PublicationEvent,
               "death": BC.Death, "arrest": BC.Arrest, "return": BC.Return, "expulsion": BC.Expulsion,
               "historical": BC.HistoricalEvent}
SESSION_KINDS = frozenset({"decision", "meeting", "plenum"})  # their bodies decide: bc:decidedBy
EDITION_TITLE = "Bolshevik leadership. Correspondence. 1912–1927"
EDITION_COMPILERS = "A. V. Kvashonkin, L. P. Kosheleva, L. A. Rogovaya, O. V. Khlevnyuk"


def add_wikidata(g: Graph, node: URIRef, link: WikidataLink) -> None:
    """owl:sameAs and schema:sameAs to the item, plus the alignment record (source, method, confidence, date)."""
    item = URIRef(link.iri)
    g.add((node, OWL.sameAs, item))
    g.add((node, SCHEMA.sameAs, item))
    record = URIRef(f"{node}/wikidata")
    g.add((node, BC.hasWikidataAlignment, record))
    g.add((record, RDF.type, BC.WikidataAlignment))
    g.add((record, BC.alignedWith, item))
    g.add((record, BC.alignmentMethod, BCV.curated if link.method == "curated" else BCV.reconciled))
    g.add((record, BC.confidence, Literal(link.confidence)))
    g.add((record, BC.alignmentSource, Literal(link.source)))
    # the day the link was made, as recorded: dcterms:created takes an xsd:date; prov:generatedAtTime would need
    # an xsd:dateTime, a time of day the authority files do not give
    g.add((record, DCTERMS.created, Literal(link.date, datatype=XSD.date)))
    if link.evidence:
        g.add((record, BC.evidence, Literal(link.evidence)))


def add_entity(g: Graph, iris: Iris, ent: Entity) -> URIRef:
    """A person, group, place or archive: our class and schema.org's, names as labels and alternates."""
    node = iris.entity(ent.kind, ent.id)
    for cls in ENTITY_TYPES[ent.kind]:
        g.add((node, RDF.type, cls))
    g.add((node, SCHEMA.name, Literal(ent.pref_label)))
    g.add((node, SKOS.prefLabel, Literal(ent.pref_label, lang="en")))
    for alt in dict.fromkeys(ent.alt_labels):
        if alt != ent.pref_label:
            g.add((node, SKOS.altLabel, Literal(alt, lang="en")))
            g.add((node, SCHEMA.alternateName, Literal(alt)))
    if ent.full_name and ent.kind == "person":
        g.add((node, BC.fullName, Literal(ent.full_name)))
    if ent.description:
        g.add((node, SCHEMA.description, Literal(ent.description, lang="en")))
    if ent.wikidata is not None:
        add_wikidata(g, node, ent.wikidata)
    for prop, day in ((SCHEMA.foundingDate, ent.founded), (SCHEMA.dissolutionDate, ent.dissolved)):
        if day:
            g.add((node, prop, Literal(day, datatype=XSD.date)))
    if ent.source:
        g.add((node, DCTERMS.source, Literal(ent.source)))
    if ent.geo is not None:
        add_geo(g, node, ent.geo)
    return node


def add_geo(g: Graph, node: URIRef, geo: GeoRecord) -> None:
    """A place's GeoNames id and, for a city, its coordinates, with the gazetteer they came from; the record's
    Cyrillic alternate names as hidden labels: found by a search ("Москва"), never shown as the place's name,
    since GeoNames does not say in which language each is (Russian, Belarusian, Ossetian ...)."""
    g.add((node, BC.geonamesId, Literal(str(geo.geonames_id))))
    g.add((node, DCTERMS.source, Literal(f"GeoNames {geo.geonames_id} ({geo.name}, {geo.country}) via {geo.source}")))
    for name in geo.cyrillic_names:
        g.add((node, SKOS.hiddenLabel, Literal(name)))
    if geo.latitude is not None and geo.longitude is not None:
        point = URIRef(f"{node}/geo")
        g.add((node, SCHEMA.geo, point))
        g.add((point, RDF.type, SCHEMA.GeoCoordinates))
        g.add((point, SCHEMA.latitude, Literal(geo.latitude, datatype=XSD.decimal)))
        g.add((point, SCHEMA.longitude, Literal(geo.longitude, datatype=XSD.decimal)))


def add_event(g: Graph, iris: Iris, event: Event, groups: dict[str, Entity]) -> URIRef:
    """An event: its kind, schema:Event with Gregorian start/end dates and our date statement (none when no source
    dates it), the acting bodies, participants and places, the session a decision was taken at, a publication's
    work, the notes (or letters) that state it (a letter's text with the lines naming it) and the sources those
    notes cite."""
    node = iris.event(event.id)
    g.add((node, RDF.type, BC.Event))
    if event.kind in EVENT_TYPES:
        g.add((node, RDF.type, EVENT_TYPES[event.kind]))
    g.add((node, RDF.type, SCHEMA.Event))
    if event.kind == "publication":
        g.add((node, RDF.type, SCHEMA.PublicationEvent))
    g.add((node, SCHEMA.name, Literal(event.label)))
    g.add((node, BC.factuality, BCV[event.factuality]))  # stated, supposed, planned ... (bcv:Factuality)
    if event.date is not None:
        _add_event_date(g, node, event.date)
    acting = BC.decidedBy if event.kind in SESSION_KINDS else SCHEMA.publishedBy if event.kind == "publication" \
        else BC.participant
    for body in [event.body, *event.co_bodies]:  # a joint plenum: both bodies
        if body and body in groups:
            g.add((node, acting, iris.entity(groups[body].kind, body)))
    for who in event.participants:
        if who in groups:
            g.add((node, BC.participant, iris.entity(groups[who].kind, who)))
    for place in event.places:
        if place in groups:
            g.add((node, SCHEMA.location, iris.entity(groups[place].kind, place)))
    if event.part_of:  # a resolution and the session it was taken at
        g.add((node, SCHEMA.superEvent, iris.event(event.part_of)))
        g.add((iris.event(event.part_of), SCHEMA.subEvent, node))
    if event.work:
        _add_work(g, iris, node, event, groups)
    for key, number in event.cited_in:
        g.add((node, BC.statedIn, iris.letter_part(key, "note", number)))
    for key in event.named_in:
        g.add((node, BC.statedIn, iris.letter(key)))
    for span in event.named_at:  # the lines of those letters' texts that name it
        g.add((node, BC.sourceLines, Literal(span_text(span))))
    if event.summary:
        g.add((node, SCHEMA.description, Literal(event.summary, lang="en")))
    for i, ref in enumerate(event.references, start=1):
        ref_node = URIRef(f"{node}/ref/{i}")
        g.add((node, BC.hasReference, ref_node))
        add_reference(g, g, iris, ref_node, ref, groups)
    if event.wikidata is not None:
        add_wikidata(g, node, event.wikidata)
    return node


def _add_event_date(g: Graph, node: URIRef, date: DateStatement) -> None:
    """Our date statement, and schema:startDate/endDate only where both bounds are known (an open "after May 1923"
    has no day to start on)."""
    if date.edtf:
        g.add((node, BC.edtf, Literal(date.edtf)))
    start = date.gregorian_earliest or (date.earliest if date.calendar == "gregorian" else None)
    end = date.gregorian_latest or (date.latest if date.calendar == "gregorian" else None)
    if start and end:
        g.add((node, SCHEMA.startDate, Literal(start, datatype=XSD.date)))
        if end != start:
            g.add((node, SCHEMA.endDate, Literal(end, datatype=XSD.date)))
    date_node = URIRef(f"{node}/date")
    g.add((node, BC.eventDate, date_node))
    add_date(g, date_node, date)


def _add_work(g: Graph, iris: Iris, node: URIRef, event: Event, groups: dict[str, Entity]) -> None:
    """The work a publication made public, titled as the note prints it, by the people who took part."""
    work = URIRef(f"{node}/work")
    g.add((node, SCHEMA.workFeatured, work))
    g.add((work, RDF.type, SCHEMA.CreativeWork))
    g.add((work, SCHEMA.name, Literal(event.work)))
    for who in event.participants:
        if who in groups and groups[who].kind == "person":
            g.add((work, SCHEMA.author, iris.entity("person", who)))


def add_edition(g: Graph, iris: Iris) -> URIRef:
    """The 1996 edition every letter is part of."""
    node = iris.edition()
    g.add((node, RDF.type, BC.Edition))
    g.add((node, RDF.type, SCHEMA.Book))
    g.add((node, SCHEMA.name, Literal(EDITION_TITLE)))
    g.add((node, DCTERMS.title, Literal(EDITION_TITLE, lang="en")))
    g.add((node, SCHEMA.datePublished, Literal("1996", datatype=XSD.gYear)))
    g.add((node, DCTERMS.description, Literal(f"Collection of documents, 1996. Compiled by {EDITION_COMPILERS}. "
                                              "Read in its English machine translation on the web.", lang="en")))
    return node


def add_build_activity(g: Graph, iris: Iris, version: str) -> URIRef:
    """The build activity of this parser version (its time is recorded in void.ttl, not here)."""
    node = iris.build_activity(version)
    g.add((node, RDF.type, BC.BuildActivity))
    g.add((node, RDF.type, PROV.Activity))
    g.add((node, BC.parserVersion, Literal(version)))
    g.add((node, SCHEMA.name, Literal(f"kg build {version}")))
    return node
