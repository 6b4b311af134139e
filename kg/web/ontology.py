"""The /ontology page's content, read from the ontology graph: every class, property, declared datatype and
concept scheme with its label, definition, domain, range, super-terms and alignments, as typed data.

Why a view model: the template must never meet an rdflib node. A union class (``owl:unionOf``) is read
into its members, shown "A or B"; an anonymous class that is not a union is named as such, never by its
blank-node id. Our terms link to their anchor on the page (``#Letter``: an IRI ``bc:Letter`` opens there),
other vocabularies' terms to their IRI. ``kg.publish.ontodoc`` writes the release's static copy of this
page; the layering keeps the two apart (publish may not import web, nor web publish).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from kg.web.describe import curie

EXTRA_PREFIXES = {"rico": "https://www.ica.org/standards/RiC/ontology#", "crm": "http://www.cidoc-crm.org/cidoc-crm/",
                  "foaf": "http://xmlns.com/foaf/0.1/", "oa": "http://www.w3.org/ns/oa#",
                  "skosxl": "http://www.w3.org/2008/05/skos-xl#", "cmif": "https://lod.academy/cmif/vocab/terms#",
                  "sd": "http://www.w3.org/ns/sparql-service-description#",
                  "ricrst": "https://www.ica.org/standards/RiC/vocabularies/recordSetTypes#"}
# Which standard a term outside our namespaces belongs to, for the alignment column.
VOCABULARIES = (("http://schema.org/", "schema.org"), ("http://purl.org/dc/terms/", "Dublin Core"),
                ("https://www.ica.org/standards/RiC/", "RiC-O"), ("http://www.w3.org/ns/prov#", "PROV-O"),
                ("http://www.w3.org/2004/02/skos/core#", "SKOS"), ("http://www.w3.org/2008/05/skos-xl#", "SKOS-XL"),
                ("http://www.cidoc-crm.org/", "CIDOC-CRM"), ("http://xmlns.com/foaf/", "FOAF"),
                ("http://www.w3.org/ns/oa#", "Web Annotation"), ("https://lod.academy/cmif/", "CMIF"),
                ("http://www.w3.org/ns/sparql-service-description#", "SPARQL Service Description"),
                ("http://www.w3.org/2002/07/owl#", "OWL"))
RELATIONS = ((RDFS.subClassOf, "subclass of"), (RDFS.subPropertyOf, "subproperty of"),
             (OWL.equivalentClass, "equivalent class"), (OWL.equivalentProperty, "equivalent property"),
             (SKOS.exactMatch, "exact match"), (SKOS.closeMatch, "close match"))


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@dataclass(frozen=True)
class Alignment:
    vocabulary: str
    relation: str
    target: Link


@dataclass
class TermView:
    """One term of the page; ``domain`` and ``range`` are alternatives ("A or B"), one list per axiom."""

    anchor: str
    iri: str
    curie: str
    label: str
    definition: str
    domain: list[list[Link]] = field(default_factory=list)
    range: list[list[Link]] = field(default_factory=list)
    supers: list[Link] = field(default_factory=list)
    subs: list[Link] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    members: list[TermView] = field(default_factory=list)  # a concept scheme's concepts


@dataclass
class Section:
    anchor: str
    heading: str
    terms: list[TermView]


@dataclass
class OntologyView:
    title: str
    comment: str
    namespace: str
    version: str
    version_iri: str
    sections: list[Section]


class Reader:
    def __init__(self, graph: Graph, ns: str, vocab_ns: str):
        self.g, self.ns, self.vocab_ns = graph, ns, vocab_ns

    def anchor(self, iri: str) -> str:
        if iri.startswith(self.ns):
            return iri[len(self.ns):]
        return "bcv-" + iri[len(self.vocab_ns):] if iri.startswith(self.vocab_ns) else "xsd-" + iri.rsplit("#")[-1]

    def link(self, node: URIRef) -> Link:
        iri = str(node)
        short = curie(iri)
        if short == iri:
            short = next((f"{p}:{iri[len(ns):]}" for p, ns in EXTRA_PREFIXES.items() if iri.startswith(ns)), iri)
        ours = iri.startswith((self.ns, self.vocab_ns)) or (node, RDF.type, RDFS.Datatype) in self.g
        return Link(short, "#" + self.anchor(iri) if ours else iri)

    def expression(self, node: Node) -> list[Link]:
        """A class expression as alternatives: an IRI, or a union's members; never a blank node's id."""
        if isinstance(node, URIRef):
            return [self.link(node)]
        members = self.g.value(node, OWL.unionOf)
        if members is None:
            return [Link("an anonymous class", "")]
        return [link for m in self.g.items(members) for link in self.expression(m)]

    def term(self, node: URIRef) -> TermView:
        g, iri = self.g, str(node)
        label = g.value(node, RDFS.label) or g.value(node, SKOS.prefLabel) or curie(iri)
        definition = g.value(node, RDFS.comment) or g.value(node, SKOS.definition) or ""
        view = TermView(self.anchor(iri), iri, self.link(node).text, str(label), str(definition),
                        domain=[self.expression(d) for d in g.objects(node, RDFS.domain)],
                        range=[self.expression(r) for r in g.objects(node, RDFS.range)])
        for prop, relation in RELATIONS:
            for target in sorted(o for o in g.objects(node, prop) if isinstance(o, URIRef)):
                link = self.link(target)
                if prop in (RDFS.subClassOf, RDFS.subPropertyOf):
                    view.supers.append(link)
                if not str(target).startswith((self.ns, self.vocab_ns)):
                    view.alignments.append(Alignment(self.vocabulary(str(target)), relation, link))
        for prop in (RDFS.subClassOf, RDFS.subPropertyOf, SKOS.broader):
            view.subs += [self.link(s) for s in sorted(g.subjects(prop, node)) if isinstance(s, URIRef)]
        view.types = [self.link(t) for t in sorted(g.objects(node, RDF.type))
                      if isinstance(t, URIRef) and not str(t).startswith((str(OWL), str(SKOS), str(RDFS)))]
        view.supers += [self.link(b) for b in sorted(g.objects(node, SKOS.broader)) if isinstance(b, URIRef)]
        view.supers.sort(key=lambda link: link.text)
        view.subs.sort(key=lambda link: link.text)
        return view

    @staticmethod
    def vocabulary(iri: str) -> str:
        return next((name for ns, name in VOCABULARIES if iri.startswith(ns)), "other")

    def of_type(self, kind: URIRef, prefix: str) -> list[TermView]:
        nodes = {s for s in self.g.subjects(RDF.type, kind) if isinstance(s, URIRef) and str(s).startswith(prefix)
                 and str(s) != prefix}
        return [self.term(n) for n in sorted(nodes, key=lambda n: str(n).lower())]


def ontology_view(graph: Graph, ns: str, vocab_ns: str) -> OntologyView:
    """The page's content for the ontology with namespace ``ns`` and the SKOS schemes under ``vocab_ns``."""
    r = Reader(graph, ns, vocab_ns)
    schemes = r.of_type(SKOS.ConceptScheme, vocab_ns)
    for scheme in schemes:
        scheme.members = [r.term(c) for c in sorted(graph.subjects(SKOS.inScheme, URIRef(scheme.iri)))
                          if isinstance(c, URIRef)]
    sections = [Section("classes", "Classes", r.of_type(OWL.Class, ns)),
                Section("object-properties", "Object properties", r.of_type(OWL.ObjectProperty, ns)),
                Section("datatype-properties", "Datatype properties", r.of_type(OWL.DatatypeProperty, ns)),
                Section("annotation-properties", "Annotation properties", r.of_type(OWL.AnnotationProperty, ns)),
                Section("datatypes", "Datatypes declared", r.of_type(RDFS.Datatype, "")),
                Section("concept-schemes", "Concept schemes", schemes)]
    onto = URIRef(ns)
    return OntologyView(str(graph.value(onto, RDFS.label) or "ontology"), str(graph.value(onto, RDFS.comment) or ""),
                        ns, str(graph.value(onto, OWL.versionInfo) or ""), str(graph.value(onto, OWL.versionIRI) or ""),
                        [s for s in sections if s.terms])
