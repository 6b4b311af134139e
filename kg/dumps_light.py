"""The dumps' sorted quads and triples straight from a LightDataset (no rdflib Dataset to iterate).

Why: iterating an rdflib Dataset's quads costs ~16 s per 1k letters (its Memory store walks contexts
per triple). The light dataset already holds plain tuples of rdflib terms per graph, so the rows are
sorted with the same keys as kg.dumps_formats.dataset_quads and converted once to Oxigraph terms:
the same lists, in the same order, hence byte-identical dumps.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.dumps_formats import _key, ox_term
from kg.light import LightDataset

Key = tuple[str, str, str]
OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


class Terms:
    """rdflib term -> (sort key as in kg.dumps_formats._key, Oxigraph term), IRIs memoized.

    Why IRIs only: a URIRef hashes as a str (in C) and the light mapping interns them, so the memo
    hits on identity; Literals hash in Python and are mostly distinct, so they are converted as met."""

    def __init__(self) -> None:
        self.iris: dict[str, tuple[Key, ox.NamedNode]] = {}

    def __call__(self, t: Node) -> tuple[Key, OxTerm]:
        kind = type(t)
        if kind is URIRef:
            found = self.iris.get(t)  # type: ignore[call-overload]  # interned IRIs: an identity hit
            if found is None:
                text = str(t)
                found = self.iris[t] = (("I", text, ""), ox.NamedNode(text))  # type: ignore[index]
            return found
        if kind is Literal:
            return self._literal(t)  # type: ignore[arg-type]
        if kind is BNode:
            return ("B", str(t), ""), ox.BlankNode(str(t))
        return _key(t), ox_term(t)

    def _literal(self, t: Literal) -> tuple[Key, OxTerm]:
        text, lang, dt = str(t), t.language, t.datatype
        key = ("L", text, f"{lang or ''}^{dt or ''}")
        if lang:
            return key, ox.Literal(text, language=lang)
        if dt is not None:
            return key, ox.Literal(text, datatype=self(dt)[1])  # type: ignore[arg-type]
        return key, ox.Literal(text)


def light_quads(light: LightDataset) -> tuple[list[ox.Quad], list[ox.Triple]]:
    """(every quad of the named graphs, the union of their triples), ordered as dataset_quads orders them.

    Graph by graph (in graph IRI order, each graph's rows sorted on their own): no dataset-wide list
    of rows, and many small sorts instead of one large one."""
    terms = Terms()
    quads: list[ox.Quad] = []
    unique: dict[tuple[Key, str, Key], tuple[OxTerm, OxTerm, OxTerm]] = {}
    for name in sorted(light.graphs, key=str):
        graph = ox.NamedNode(str(name))
        rows = []
        for s, p, o in light.graphs[name].triples:
            sk, so = terms(s)
            pk, po = terms(p)
            ok, oo = terms(o)
            rows.append(((sk, pk[1], ok), (so, po, oo)))
        rows.sort(key=lambda r: r[0])
        quads += [ox.Quad(so, po, oo, graph) for _, (so, po, oo) in rows]
        unique.update(rows)
    triples = [ox.Triple(*unique[k]) for k in sorted(unique)]
    return quads, triples
