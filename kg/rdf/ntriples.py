"""rdflib terms as canonical N-Triples text, the bytes Oxigraph's serializer writes for the same term.

    text = NTriples()
    line = f"{text(s)} {text(p)} {text(o)} .\n"

Why not ``ox.serialize`` per batch: converting every rdflib term to an Oxigraph term and back to text
through Python costs ~5 µs a triple (8 s of the 30 s write stage at 10k letters). The mapping's IRIs
repeat (classes, predicates, people) and are memoized; plain literals are written by string
concatenation; anything with a character Oxigraph escapes goes through Oxigraph itself, so the
output is Oxigraph's byte for byte (``tests/test_batches.py`` compares the two on every term of
the seed and of generated corpora).
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NEEDS_OXIGRAPH = re.compile('["\\\\\x00-\x1f\x7f\ufffe\uffff]')  # characters Oxigraph escapes
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_S = ox.NamedNode("http://example.org/s")
_P = ox.NamedNode("http://example.org/p")


class NTriples:
    """Term -> N-Triples text, IRIs memoized (the mapping interns them, so lookups hit on identity)."""

    def __init__(self) -> None:
        self.iris: dict[str, str] = {}

    def __call__(self, term: Node) -> str:
        kind = type(term)
        if kind is URIRef:
            found = self.iris.get(term)  # type: ignore[call-overload]
            if found is None:
                found = self.iris[term] = iri_text(str(term))  # type: ignore[index]
            return found
        if kind is Literal:
            return literal_text(term)  # type: ignore[arg-type]
        if kind is BNode:
            return f"_:{term}"
        raise TypeError(f"not an RDF term: {term!r}")

    def row(self, triple: tuple[Node, Node, Node]) -> tuple[str, str, str]:
        """A triple's three texts (the hot path of the dump writer: IRIs looked up without a call)."""
        s, p, o = triple
        iris = self.iris
        st = iris.get(s) if type(s) is URIRef else None  # type: ignore[call-overload]
        pt = iris.get(p)  # type: ignore[call-overload]
        ot = iris.get(o) if type(o) is URIRef else None  # type: ignore[call-overload]
        return (st or self(s), pt or self(p), ot or self(o))


def iri_text(iri: str) -> str:
    """``<iri>``; an IRI N-Triples cannot hold is a mapping bug, reported with the IRI."""
    if _BAD_IRI.search(iri):
        raise ValueError(f"not a valid IRI for N-Triples: {iri!r}")
    return f"<{iri}>"


def literal_text(lit: Literal) -> str:
    text, lang, dt = str(lit), lit.language, lit.datatype
    if _NEEDS_OXIGRAPH.search(text):
        return _oxigraph_literal(text, lang, dt)
    if lang:
        return f'"{text}"@{lang}'
    if dt is None or str(dt) == XSD_STRING:
        return f'"{text}"'
    return f'"{text}"^^{iri_text(str(dt))}'


def _oxigraph_literal(text: str, lang: str | None, dt: URIRef | None) -> str:
    if lang:
        term = ox.Literal(text, language=lang)
    elif dt is not None:
        term = ox.Literal(text, datatype=ox.NamedNode(str(dt)))
    else:
        term = ox.Literal(text)
    line = ox.serialize([ox.Triple(_S, _P, term)], format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    return line[len("<http://example.org/s> <http://example.org/p> "):-len(" .\n")]
