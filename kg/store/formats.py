"""The formats answers are written in: SPARQL results (JSON, XML, CSV, TSV) and RDF (Turtle, N-Triples,
JSON-LD, RDF/XML), each with its media types, file suffix and W3C format IRI.

Why here and not in the web layer: the result writers (``kg.store.results``) live beside the engine,
as Oxigraph's ``sparesults`` does, and name their format by these records; the web layer negotiates
among them (``kg.web.conneg``) and never the other way round. The default of each table comes first.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str  # what we send in Content-Type
    aliases: tuple[str, ...] = ()  # other media types a client may ask for
    suffix: str | None = None  # `.ttl` URLs of resources
    w3c: str | None = None  # http://www.w3.org/ns/formats/ IRI for the service description

    @property
    def accepted(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


TURTLE = Format("turtle", "text/turtle", ("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3",
                                          "application/n3"), ".ttl", "Turtle")
NTRIPLES = Format("ntriples", "application/n-triples", ("text/plain",), ".nt", "N-Triples")
JSONLD = Format("jsonld", "application/ld+json", ("application/json", "application/x-json+ld"), ".jsonld",
                "JSON-LD")
# No application/xml alias: browsers send it with q=0.9, and they are better served Turtle (via */*).
RDFXML = Format("rdfxml", "application/rdf+xml", (), ".rdf", "RDF_XML")
RESULTS_JSON = Format("json", "application/sparql-results+json",
                      ("application/json", "text/javascript", "application/javascript"), None, "SPARQL_Results_JSON")
RESULTS_XML = Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), None,
                     "SPARQL_Results_XML")
RESULTS_CSV = Format("csv", "text/csv", (), None, "SPARQL_Results_CSV")
RESULTS_TSV = Format("tsv", "text/tab-separated-values", (), None, "SPARQL_Results_TSV")

RDF_FORMATS = (TURTLE, NTRIPLES, JSONLD, RDFXML)
RESULT_FORMATS = (RESULTS_JSON, RESULTS_XML, RESULTS_CSV, RESULTS_TSV)
