"""A resource's description as the templates need it: values grouped by property, labels resolved,
sub-resources (``letter/167/note/1``) and inverse links (a person's letters) kept apart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import RDFS, Graph, Literal, URIRef

from kg.store.results import PREFIXES
from kg.store.types import RDF_LANGSTRING, XSD_STRING, Term

LABEL_PROPS = ("http://schema.org/name", "http://www.w3.org/2004/02/skos/core#prefLabel",
               "http://www.w3.org/2000/01/rdf-schema#label")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def curie(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Description:
    iri: str
    triples: list[tuple[Term, Term, Term]]
    out: dict[str, dict[str, list[Term]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    inverse: list[tuple[str, str]] = field(default_factory=list)  # (subject IRI, predicate IRI)
    labels: dict[str, str] = field(default_factory=dict)
    _ranks: dict[str, tuple[bool, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for s, p, o in self.triples:
            if o == ("uri", self.iri) and s[1] != self.iri and not s[1].startswith(self.iri + "/"):
                self.inverse.append((s[1], p[1]))
                continue
            self.out[s[1]][p[1]].append(o)
            if p[1] in LABEL_PROPS and o[0] == "literal":
                self._offer_label(s[1], p[1], o)

    def _offer_label(self, subject: str, prop: str, term: Term) -> None:
        """Keep the best label: English (or no language) first, then schema:name, prefLabel, rdfs:label."""
        rank = (term[3] not in (None, "", "en"), LABEL_PROPS.index(prop))
        if subject not in self._ranks or rank < self._ranks[subject]:
            self._ranks[subject] = rank
            self.labels[subject] = term[1]

    @property
    def exists(self) -> bool:
        return self.iri in self.out

    def values(self, prop: str, subject: str | None = None) -> list[Term]:
        return list(self.out.get(subject or self.iri, {}).get(prop, []))

    def first(self, prop: str, subject: str | None = None) -> str | None:
        found = self.values(prop, subject)
        return found[0][1] if found else None

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or curie(iri)

    def types(self, subject: str | None = None) -> list[str]:
        return [t[1] for t in self.values(RDF_TYPE, subject)]

    def rows(self, subject: str | None = None) -> list[tuple[str, list[Term]]]:
        """(property, values) of a subject, rdf:type first, then by CURIE: the generic table."""
        props = self.out.get(subject or self.iri, {})
        return sorted(props.items(), key=lambda kv: (kv[0] != RDF_TYPE, curie(kv[0])))

    def sub_resources(self) -> list[str]:
        """Sub-resources (``<iri>/note/1``) and blank nodes described with this resource."""
        prefix = self.iri + "/"
        return sorted(s for s in self.out if s.startswith(prefix) or "://" not in s and ":" not in s)


def term_of(node: object) -> Term:
    """An rdflib node as a store term (the inverse of ``kg.web.resources._node``)."""
    if isinstance(node, URIRef):
        return ("uri", str(node))
    if isinstance(node, Literal):
        datatype = RDF_LANGSTRING if node.language else str(node.datatype or XSD_STRING)
        return ("literal", str(node), datatype, node.language)
    return ("bnode", str(node))


def described(graph: Graph, iri: str, names: Graph | None = None, whole: bool = False) -> Description:
    """``iri``'s statements in ``graph`` (all of them when ``whole``: the document that describes it),
    with the ``rdfs:label`` that ``names`` (the ontology) gives the IRIs it links to."""
    found = list(graph if whole else graph.triples((URIRef(iri), None, None)))
    triples = [(term_of(s), term_of(p), term_of(o)) for s, p, o in found]
    if names is not None:
        for o in {o for _, _, o in found if isinstance(o, URIRef)}:
            triples += [(term_of(o), term_of(RDFS.label), term_of(label)) for label in names.objects(o, RDFS.label)]
    return Description(iri, triples)
