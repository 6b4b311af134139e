"""Stage "map": a resolved ``Corpus`` -> an rdflib ``Dataset`` (one named graph per document plus
the authority graph). Pure: no I/O, no clock, so the same corpus always gives the same triples.

    ds = map_corpus(corpus, base_iri="https://w3id.org/bolcorr/")

Graph layout: ``{base}graph/letter/{key}`` holds every statement read from that document and
PROV-O about the graph itself; ``{base}graph/authority`` holds people, groups, places, archives and
their units, events, the edition and the build activity.
"""

from __future__ import annotations

from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from kg import __version__
from kg.config import DEFAULT_BASE_IRI
from kg.errors import KGError
from kg.model import Corpus
from kg.rdf.authority import add_build_activity, add_edition, add_entity, add_event
from kg.rdf.iris import Iris
from kg.rdf.letter import LetterContext, map_document
from kg.rdf.vocab import BC, SCHEMA

PREFIXES = {"bc": str(BC._NS), "bcv": "https://w3id.org/bolcorr/vocab/", "schema": str(SCHEMA),
            "dcterms": str(DCTERMS), "prov": str(PROV), "skos": str(SKOS), "owl": str(OWL), "rdf": str(RDF),
            "rdfs": str(RDFS), "xsd": str(XSD), "foaf": str(FOAF), "wd": "http://www.wikidata.org/entity/"}


def new_dataset(base_iri: str) -> Dataset:
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, replace=True)
    ds.bind("data", base_iri, replace=True)
    return ds


def map_authority(shared: Graph, iris: Iris, corpus: Corpus, version: str) -> None:
    add_edition(shared, iris)
    add_build_activity(shared, iris, version)
    for ent in corpus.entities.values():
        add_entity(shared, iris, ent)
    for event in corpus.events.values():
        add_event(shared, iris, event, corpus.entities)
    add_aliases(shared, iris, corpus)


def add_aliases(shared: Graph, iris: Iris, corpus: Corpus) -> None:
    """``<withdrawn> owl:sameAs <its replacement>`` for every alias whose replacement this build mints (a build of
    other letters has no such resource to point to). A build minting a withdrawn IRI is an error: IRIs are never
    reused."""
    minted = {str(iris.event(e)) for e in corpus.events} | {str(iris.entity(ent.kind, ent.id))
                                                            for ent in corpus.entities.values()}
    for alias in corpus.aliases:
        old, new = URIRef(iris.base + alias.old), URIRef(iris.base + alias.new)
        if str(old) in minted:
            raise KGError(f"<{old}> is withdrawn (data/authority/aliases.toml: {alias.reason}) and may not be minted "
                          "again: IRIs are never reused")
        if str(new) in minted:
            shared.add((old, OWL.sameAs, new))


def event_notes(corpus: Corpus, iris: Iris) -> dict[str, list[tuple[URIRef, URIRef]]]:
    """Document key -> (note, event) for every note that describes an event, in event order.

    'The note describes this event' goes in the note's document graph (where the note was read)."""
    keys = {doc.key for doc in corpus.documents}
    out: dict[str, list[tuple[URIRef, URIRef]]] = {}
    for event in corpus.events.values():
        for key, note_no in event.cited_in:
            if key in keys:
                out.setdefault(key, []).append((iris.letter_part(key, "note", note_no), iris.event(event.id)))
    return out


def edition_numbers(corpus: Corpus) -> dict[str, str]:
    """Edition number -> document key, what cross-references ("see document No. 166") resolve with."""
    return {doc.number: doc.key for doc in corpus.documents if doc.number}


def link_events_to_notes(ds: Dataset, iris: Iris, corpus: Corpus) -> None:
    for key, links in event_notes(corpus, iris).items():
        for note, event in links:
            ds.graph(iris.graph(key)).add((note, BC.about, event))


def map_corpus(corpus: Corpus, base_iri: str = DEFAULT_BASE_IRI, version: str = __version__,
               problems: list[str] | None = None) -> Dataset:
    """Map every document into its own named graph and the shared resources into the authority graph.

    ``problems`` (if given) receives references the resolve stage made to ids it did not define."""
    iris = Iris(base_iri)
    ds = new_dataset(iris.base)
    shared = ds.graph(iris.authority_graph())
    map_authority(shared, iris, corpus, version)
    ctx = LetterContext(iris=iris, corpus=corpus, shared=shared, numbers=edition_numbers(corpus), version=version)
    for doc in corpus.documents:
        graph_iri = iris.graph(doc.key)
        map_document(ds.graph(graph_iri), ctx, doc, graph_iri)
    link_events_to_notes(ds, iris, corpus)
    if problems is not None:
        problems.extend(dict.fromkeys(ctx.problems))
    return ds


def authority_graph_iri(base_iri: str = DEFAULT_BASE_IRI) -> URIRef:
    return Iris(base_iri).authority_graph()
