"""Every answer format /sparql writes is read by the clients people use: pyoxigraph's parsers (what an
Oxigraph server federating to us runs), rdflib's and SPARQLWrapper's, for complete answers and for
answers cut at the row cap (the live server's cap is 20 rows).

Why: the JSON answers used to end with a ``"truncated"`` member after ``results``, which Oxigraph's
reader refuses, so every Oxigraph ``SERVICE`` call to us failed. The cut is now said by the
``X-SPARQL-Truncated`` header; XML keeps a comment, which every XML reader skips.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest
import requests
from rdflib import Graph
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.rdf_read import parse_graph
from tests.web_server import Live

SMALL = ("PREFIX schema: <http://schema.org/> SELECT ?n ?sender WHERE { ?l a schema:Message ; schema:identifier ?n ; "
         "schema:sender/schema:name ?sender } ORDER BY ?n")
BIG = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"  # 159 rows, cut at 20
GRAPH_SMALL = ("PREFIX schema: <http://schema.org/> CONSTRUCT { ?l schema:sender ?s . ?s schema:name ?n } "
               "WHERE { ?l schema:identifier \"167\" ; schema:sender ?s . ?s schema:name ?n }")
GRAPH_BIG = "CONSTRUCT WHERE { ?s ?p ?o }"
RESULTS = {"json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
           "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
           "csv": ("text/csv", ox.QueryResultsFormat.CSV),
           "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV)}
GRAPHS = {"turtle": ("text/turtle", ox.RdfFormat.TURTLE, "turtle"),
          "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES, "nt"),
          "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD, "json-ld"),
          "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML, "xml")}
CASES = [(SMALL, 3, "false"), (BIG, 20, "true")]


def get(live: Live, query: str, accept: str) -> requests.Response:
    r = requests.get(live.url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize("query,rows,truncated", CASES, ids=["complete", "truncated"])
@pytest.mark.parametrize("fmt", list(RESULTS))
def test_results_formats_are_read_by_pyoxigraph_and_rdflib(live: Live, fmt: str, query: str, rows: int,
                                                           truncated: str) -> None:
    media_type, ox_format = RESULTS[fmt]
    r = get(live, query, media_type)
    assert r.headers["X-SPARQL-Truncated"] == truncated
    names, expected = _ox_rows(get(live, query, RESULTS["json"][0]).content, ox.QueryResultsFormat.JSON)
    if fmt == "csv":  # pyoxigraph reads no CSV from anyone: the format drops term types (SPARQL 1.1 CSV/TSV)
        values = list(csv.reader(io.StringIO(r.text)))[1:]
    else:
        values = _ox_rows(r.content, ox_format)[1]
    assert values == expected and len(values) == rows
    read = Result.parse(io.BytesIO(r.content), format=fmt)
    assert len(list(read)) == rows and [str(v) for v in read.vars] == names


def _ox_rows(content: bytes, fmt: ox.QueryResultsFormat) -> tuple[list[str], list[list[str]]]:
    """Variables and rows as plain values. The result iterator lives only in this frame: the test's frame
    next runs rdflib's parsers, whose cached exceptions keep their frames in cycles, and an iterator in a
    cycle may be freed by the collector on a server thread (see pyproject.toml's warning filter)."""
    parsed = ox.parse_query_results(content, format=fmt)
    assert isinstance(parsed, ox.QuerySolutions)
    return [v.value for v in parsed.variables], [[term.value for term in row] for row in parsed]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_ask_is_read_by_pyoxigraph_and_rdflib(live: Live, fmt: str) -> None:
    media_type, ox_format = RESULTS[fmt]
    r = get(live, "ASK { ?s ?p ?o }", media_type)
    assert bool(ox.parse_query_results(r.content, format=ox_format)) is True
    assert Result.parse(io.BytesIO(r.content), format=fmt).askAnswer is True


@pytest.mark.parametrize("query,triples,truncated", [(GRAPH_SMALL, None, "false"), (GRAPH_BIG, 20, "true")],
                         ids=["complete", "truncated"])
@pytest.mark.parametrize("fmt", list(GRAPHS))
def test_graph_formats_are_read_by_pyoxigraph_and_rdflib(live: Live, fmt: str, query: str, triples: int | None,
                                                         truncated: str) -> None:
    media_type, ox_format, rdflib_format = GRAPHS[fmt]
    r = get(live, query, media_type)
    assert r.headers["X-SPARQL-Truncated"] == truncated
    parsed = {(str(q.subject), str(q.predicate), str(q.object)) for q in ox.parse(r.content, format=ox_format)}
    reference = {(str(q.subject), str(q.predicate), str(q.object))
                 for q in ox.parse(get(live, query, "application/n-triples").content, format=ox.RdfFormat.N_TRIPLES)}
    assert parsed == reference and len(parsed) == (triples or len(parsed)) and parsed
    assert len(parse_graph(r.content, rdflib_format)) == len(parsed)


@pytest.mark.parametrize("query,rows", [(SMALL, 3), (BIG, 20)], ids=["complete", "truncated"])
@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_reads_every_results_format(live: Live, fmt: str, query: str, rows: int) -> None:
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    answer = client.query().convert()
    if fmt == JSON:
        assert len(answer["results"]["bindings"]) == rows and set(answer) == {"head", "results"}
    elif fmt == XML:
        assert len(answer.getElementsByTagName("result")) == rows
    else:
        assert len(answer.decode().strip().splitlines()) == rows + 1


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # SPARQLWrapper's own
@pytest.mark.parametrize("fmt", [TURTLE, JSONLD, RDFXML])
def test_sparqlwrapper_reads_every_graph_format(live: Live, fmt: str) -> None:
    client = SPARQLWrapper(live.url + "/sparql")
    client.setQuery(GRAPH_BIG)
    client.setReturnFormat(fmt)
    answer = client.query().convert()
    graph = answer if isinstance(answer, Graph) else Graph().parse(
        data=answer, format={TURTLE: "turtle", JSONLD: "json-ld", RDFXML: "xml"}[fmt])
    assert len(graph) == 20
