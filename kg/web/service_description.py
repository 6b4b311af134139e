"""The SPARQL service description (sd:) of /sparql, including the limits clients must expect.

The limits have no standard vocabulary, so they are stated twice: as terms of a small namespace of
ours (``https://w3id.org/bolcorr/sparql#``) for machines and as an rdfs:comment for people.
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.config import Settings
from kg.store.formats import RDF_FORMATS, RESULT_FORMATS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
LIMITS = Namespace("https://w3id.org/bolcorr/sparql#")


def _limits(g: Graph, service: URIRef, settings: Settings, sandboxed: bool) -> None:
    g.add((service, LIMITS.readOnly, Literal(True)))
    g.add((service, LIMITS.queryTimeoutSeconds, Literal(settings.query_timeout, datatype=XSD.decimal)))
    g.add((service, LIMITS.timeoutParameter, Literal("timeout")))
    g.add((service, LIMITS.maxRows, Literal(settings.max_rows)))
    g.add((service, LIMITS.maxBodyBytes, Literal(settings.max_body_bytes)))
    g.add((service, LIMITS.serviceTimeoutSeconds, Literal(settings.service_timeout, datatype=XSD.decimal)))
    g.add((service, LIMITS.workersWithoutNetwork, Literal(sandboxed)))
    for target in settings.service_allowlist:
        g.add((service, LIMITS.serviceAllowed, URIRef(target)))
    allowed = ", ".join(settings.service_allowlist) or "none"
    g.add((service, RDFS.comment, Literal(
        f"Read-only SPARQL 1.1 endpoint. Queries stop after {settings.query_timeout:g} s (lower it per request "
        f"with timeout=<seconds>); at most {settings.max_rows} rows or triples are returned (the header "
        f"X-SPARQL-Truncated says when more matched); relative IRIs resolve against this endpoint's IRI; "
        f"request bodies up to "
        f"{settings.max_body_bytes} bytes; SERVICE only to: {allowed} (within {settings.service_timeout:g} s); "
        f"FROM and FROM NAMED select graphs of this store and never fetch anything. Without FROM or "
        f"default-graph-uri the default graph is the union of all named graphs (one per document).", lang="en")))


def service_description(endpoint: str, settings: Settings, sandboxed: bool) -> Graph:
    g = Graph()
    g.bind("sd", SD)
    g.bind("limits", LIMITS)
    service = URIRef(endpoint)
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, service))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for feature in (SD.UnionDefaultGraph, SD.BasicFederatedQuery):
        g.add((service, SD.feature, feature))
    for fmt in (*RESULT_FORMATS, *RDF_FORMATS):
        g.add((service, SD.resultFormat, FORMATS[fmt.w3c]))
    dataset, default = BNode(), BNode()
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("The union of all named graphs.", lang="en")))
    _limits(g, service, settings, sandboxed)
    return g
