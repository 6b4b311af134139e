"""The mapping's output without rdflib's Memory store: rdflib terms in insertion-ordered sets.

    light = map_corpus_light(corpus, base_iri)    # same triples as kg.rdf.mapping.map_corpus
    ds = light.to_dataset()                        # an rdflib Dataset where a library needs one

Why: rdflib's Memory store costs ~40 µs per Graph.add (six indexes, contexts); the mapping adds
~174 triples per document and only ever *adds* (and asks "is this archive already there?"). A dict
of triples per named graph gives the same triples (the mapping code and its rdflib terms are
unchanged: ``LightGraph`` has the two methods it uses) at a fraction of the cost; validation and the
dumps read the plain triples, and an rdflib Dataset is built only on request.
"""

from __future__ import annotations

from collections.abc import Iterator

from rdflib import Dataset, URIRef
from rdflib.term import Node

from kg import __version__
from kg.config import DEFAULT_BASE_IRI
from kg.model import Corpus
from kg.progress import progress
from kg.rdf.iris import Iris
from kg.rdf.letter import LetterContext, map_document
from kg.rdf.mapping import edition_numbers, event_notes, map_authority, new_dataset
from kg.rdf.vocab import BC

Triple = tuple[Node, Node, Node]


class LightGraph:
    """An ordered set of triples with the part of rdflib's Graph API the mapping uses.

    IRIs are interned per dataset (``iris``): the mapping makes a new URIRef for every use of a
    predicate, class or resource; one object per distinct IRI saves ~40 % of the memory and lets
    later dictionary lookups succeed on identity instead of rdflib's Python-level __eq__."""

    __slots__ = ("identifier", "triples", "iris")

    def __init__(self, identifier: URIRef, iris: dict[URIRef, URIRef] | None = None):
        self.identifier = identifier
        self.triples: dict[Triple, None] = {}
        self.iris = iris if iris is not None else {}

    def add(self, triple: Triple) -> LightGraph:
        s, p, o = triple
        iris = self.iris
        s = iris.setdefault(s, s)  # type: ignore[arg-type]
        p = iris.setdefault(p, p)  # type: ignore[arg-type]
        if type(o) is URIRef:
            o = iris.setdefault(o, o)
        self.triples[(s, p, o)] = None
        return self

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples

    def __iter__(self) -> Iterator[Triple]:
        return iter(self.triples)

    def __len__(self) -> int:
        return len(self.triples)


class LightDataset:
    """Named graphs of plain triples: the document graphs and the authority graph."""

    def __init__(self, base_iri: str):
        self.base_iri = base_iri
        self.graphs: dict[URIRef, LightGraph] = {}
        self.iris: dict[URIRef, URIRef] = {}

    def graph(self, identifier: URIRef) -> LightGraph:
        found = self.graphs.get(identifier)
        if found is None:
            found = self.graphs[identifier] = LightGraph(identifier, self.iris)
        return found

    def __len__(self) -> int:
        return sum(len(g) for g in self.graphs.values())

    def quads(self) -> Iterator[tuple[Node, Node, Node, URIRef]]:
        for name, g in self.graphs.items():
            for s, p, o in g.triples:
                yield s, p, o, name

    def to_dataset(self) -> Dataset:
        """The same named graphs in an rdflib Dataset (prefixes bound as kg.rdf.mapping binds them)."""
        ds = new_dataset(self.base_iri)
        for name, g in self.graphs.items():
            target = ds.graph(name)
            target.addN((s, p, o, target) for s, p, o in g.triples)
        return ds


def light_of(ds: Dataset, base_iri: str) -> LightDataset:
    """An rdflib Dataset's named graphs as a LightDataset (the default graph, their union, left out)."""
    light = LightDataset(base_iri)
    default = ds.default_graph.identifier
    for s, p, o, g in ds.quads((None, None, None, None)):
        name = getattr(g, "identifier", g)
        if name is not None and name != default and type(name) is URIRef:
            light.graph(name).add((s, p, o))
    return light


def map_corpus_light(corpus: Corpus, base_iri: str = DEFAULT_BASE_IRI, version: str = __version__,
                     problems: list[str] | None = None) -> LightDataset:
    """kg.rdf.mapping.map_corpus into a LightDataset: the same calls, the same triples, no triple store."""
    iris = Iris(base_iri)
    light = LightDataset(iris.base)
    shared = light.graph(iris.authority_graph())
    map_authority(shared, iris, corpus, version)  # type: ignore[arg-type]
    ctx = LetterContext(iris=iris, corpus=corpus, shared=shared, numbers=edition_numbers(corpus),  # type: ignore[arg-type]
                        version=version)
    for doc in progress(corpus.documents, "mapping"):
        graph_iri = iris.graph(doc.key)
        map_document(light.graph(graph_iri), ctx, doc, graph_iri)  # type: ignore[arg-type]
    for key, links in event_notes(corpus, iris).items():  # as kg.rdf.mapping.link_events_to_notes
        for note, event in links:
            light.graph(iris.graph(key)).add((note, BC.about, event))
    if problems is not None:
        problems.extend(dict.fromkeys(ctx.problems))
    return light

