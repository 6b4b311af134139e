"""The reference serialization of a dataset (rdflib -> Oxigraph terms, sorted) and what the dumps share.

``dataset_quads`` / ``sorted_ntriples`` are the canonical N-Triples of the rdflib mapping path, which
the batched writer (kg/publish/chunks.py, kg/publish/assemble.py) is tested against byte for byte;
``jsonld_context`` and ``Compactor`` are the published @context and its compact IRIs.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _key(t: Node) -> tuple[str, str, str]:
    """A total, deterministic order over rdflib terms without rdflib's cross-type comparisons."""
    if isinstance(t, Literal):
        return ("L", str(t), f"{t.language or ''}^{t.datatype or ''}")
    return ("B" if isinstance(t, BNode) else "I", str(t), "")


class Converter:
    """rdflib -> pyoxigraph terms, each distinct IRI converted once.

    Why IRIs only: a URIRef hashes as a str (in C) and the light mapping interns them, so the memo
    hits on identity; Literals hash in Python and are mostly distinct, so they are converted as met."""

    def __init__(self) -> None:
        self.iris: dict[Node, ox.NamedNode] = {}

    def __call__(self, term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if type(term) is URIRef:
            found = self.iris.get(term)
            if found is None:
                found = self.iris[term] = ox.NamedNode(str(term))
            return found
        return ox_term(term)


def dataset_quads(ds: Dataset) -> tuple[list[ox.Quad], list[ox.Triple]]:
    """(every quad of the named graphs, the union of their triples), both in a stable order.

    The default graph is the union of the named graphs, so it is not stored separately."""
    default = str(ds.default_graph.identifier)
    rows = [(str(g), s, p, o) for s, p, o, g in ds.quads((None, None, None, None))
            if g is not None and not isinstance(g, BNode) and str(g) != default]
    rows.sort(key=lambda r: (r[0], _key(r[1]), str(r[2]), _key(r[3])))
    conv = Converter()
    graphs = {g: ox.NamedNode(g) for g in {r[0] for r in rows}}
    quads = [ox.Quad(conv(s), conv(p), conv(o), graphs[g]) for g, s, p, o in rows]
    unique = sorted({(s, p, o) for _, s, p, o in rows}, key=lambda t: (_key(t[0]), str(t[1]), _key(t[2])))
    triples = [ox.Triple(conv(s), conv(p), conv(o)) for s, p, o in unique]
    return quads, triples


def sorted_ntriples(triples: list[ox.Triple]) -> bytes:
    """Canonical N-Triples, lines sorted bytewise: identical input gives identical bytes."""
    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines()
    return b"\n".join(sorted(set(lines))) + b"\n" if lines else b""


def jsonld_context(prefixes: dict[str, str]) -> dict[str, object]:
    """The published @context: our prefixes (compact IRIs), nothing that changes meaning."""
    return {"@context": {**{k: prefixes[k] for k in sorted(prefixes)}}}


class Compactor:
    """IRIs -> compact IRIs with the longest matching prefix (memoized: predicates and types repeat)."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, iri: str) -> str:
        found = self.cache.get(iri)
        if found is None:
            found = self.cache[iri] = self._compact(iri)
        return found

    def _compact(self, iri: str) -> str:
        for prefix, ns in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                return f"{prefix}:{iri[len(ns):]}"
        return iri


