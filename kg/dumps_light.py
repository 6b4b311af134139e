"""The dumps' sorted quads and triples straight from a LightDataset (no rdflib Dataset to iterate).

Why: iterating an rdflib Dataset's quads costs ~16 s per 1k letters (its Memory store walks contexts
per triple). The light dataset already holds plain tuples of rdflib terms per graph, so the rows are
sorted with the same keys as kg.dumps_formats.dataset_quads and converted once to Oxigraph terms:
the same lists, in the same order, hence byte-identical dumps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

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


@dataclass
class LightDump:
    """What the dump writers need: each graph's sorted triples (quads made on the fly) and the union."""

    graphs: list[tuple[ox.NamedNode, list[tuple[OxTerm, OxTerm, OxTerm]]]]
    triples: list[ox.Triple]

    def quads(self) -> Iterator[ox.Quad]:
        """The quads in dataset_quads' order, made as the writer asks for them (never all at once)."""
        for graph, rows in self.graphs:
            for s, p, o in rows:
                yield ox.Quad(s, p, o, graph)


def light_dump(light: LightDataset, consume: bool = False) -> LightDump:
    """Graph by graph (in graph IRI order, each graph's rows sorted on their own), ordered as
    kg.dumps_formats.dataset_quads orders quads and triples.

    ``consume``: drop each graph from ``light`` once converted, so rdflib's terms and Oxigraph's are
    not both held for the whole dataset (the build's peak memory is in this stage)."""
    terms = Terms()
    graphs = []
    unique: dict[tuple[Key, str, Key], tuple[OxTerm, OxTerm, OxTerm]] = {}
    for name in sorted(light.graphs, key=str):
        source = light.graphs.pop(name) if consume else light.graphs[name]
        rows = []
        for s, p, o in source.triples:
            sk, so = terms(s)
            pk, po = terms(p)
            ok, oo = terms(o)
            rows.append(((sk, pk[1], ok), (so, po, oo)))
        del source
        rows.sort(key=lambda r: r[0])
        unique.update(rows)
        graphs.append((ox.NamedNode(str(name)), [r[1] for r in rows]))
    triples = [ox.Triple(*unique.pop(k)) for k in sorted(unique)]
    return LightDump(graphs, triples)


def light_quads(light: LightDataset) -> tuple[list[ox.Quad], list[ox.Triple]]:
    """(every quad of the named graphs, the union of their triples), as dataset_quads returns them."""
    dump = light_dump(light)
    return list(dump.quads()), dump.triples
