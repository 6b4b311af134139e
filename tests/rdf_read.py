"""RDF answers read into an rdflib Graph, the format named as rdflib names it ("turtle", "nt", "xml", "json-ld").

JSON-LD is read by pyoxigraph's JSON-LD parser and its terms handed to rdflib: rdflib 7's own JSON-LD parser
builds a ConjunctiveGraph, which rdflib deprecates (a DeprecationWarning on every parse, an error in this
suite). Every other format is read by rdflib itself, the client most Python users of the data have. Named
graphs of a JSON-LD document, if any, are read as one graph.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph

from kg.validate.sparql import rdf_term


def parse_graph(data: bytes | str, fmt: str) -> Graph:
    if fmt != "json-ld":
        return Graph().parse(data=data, format=fmt)
    graph = Graph()
    for quad in ox.parse(data, format=ox.RdfFormat.JSON_LD):
        graph.add((rdf_term(quad.subject), rdf_term(quad.predicate), rdf_term(quad.object)))
    return graph
