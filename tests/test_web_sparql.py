"""/sparql with real clients (SPARQLWrapper, requests) against the live publisher: every protocol
form, every result format, graph selection, errors, the service description and caching."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from tests.rdf_read import parse_graph
from tests.web_server import BASE, Live

SCHEMA = Namespace("http://schema.org/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
LIMITS = Namespace("https://w3id.org/bolcorr/sparql#")
LETTER = URIRef(BASE + "letter/167")
SELECT = ("PREFIX schema: <http://schema.org/> SELECT ?n ?sender WHERE { ?l a schema:Message ; "
          "schema:identifier ?n ; schema:sender/schema:name ?sender } ORDER BY ?n")
ASK = "PREFIX schema: <http://schema.org/> ASK { ?l schema:identifier \"167\" }"
CONSTRUCT = (f"PREFIX schema: <http://schema.org/> CONSTRUCT {{ <{LETTER}> schema:sender ?s . ?s schema:name ?n }} "
             f"WHERE {{ <{LETTER}> schema:sender ?s . ?s schema:name ?n }}")
DESCRIBE = f"DESCRIBE <{LETTER}>"


def client(live: Live, query: str, fmt: str, method: str = "GET") -> object:
    sparql = SPARQLWrapper(live.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    sparql.setMethod(method)
    return sparql.query().convert()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_select_json_xml_csv_tsv_with_sparqlwrapper(live: Live, method: str) -> None:
    as_json = client(live, SELECT, JSON, method)
    rows = [(b["n"]["value"], b["sender"]["value"]) for b in as_json["results"]["bindings"]]
    assert rows == [("12", "I. V. Stalin"), ("167", "A. M. Nazaretyan"), ("168", "G. K. Ordzhonikidze")]
    assert set(as_json) == {"head", "results"}
    doc = client(live, SELECT, XML, method)
    assert [e.firstChild.data for e in doc.getElementsByTagName("literal")][:2] == ["12", "I. V. Stalin"]
    table = list(csv.reader(io.StringIO(client(live, SELECT, CSV, method).decode())))
    assert table == [["n", "sender"], ["12", "I. V. Stalin"], ["167", "A. M. Nazaretyan"],
                     ["168", "G. K. Ordzhonikidze"]]
    tsv = client(live, SELECT, TSV, method).decode().splitlines()
    assert tsv[0] == "?n\t?sender" and tsv[2] == '"167"\t"A. M. Nazaretyan"@en'


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_ask_with_sparqlwrapper(live: Live, fmt: str) -> None:
    answer = client(live, ASK, fmt)
    value = answer["boolean"] if fmt == JSON else answer.getElementsByTagName("boolean")[0].firstChild.data
    assert value in (True, "true")


def raw_answer(live: Live, query: str, fmt: str) -> tuple[str, bytes]:
    """The media type and body SPARQLWrapper received, read by us: its .convert() of RDF/XML and JSON-LD
    builds rdflib's deprecated ConjunctiveGraph."""
    sparql = SPARQLWrapper(live.url + "/sparql")
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    result = sparql.query()
    try:
        return result.info()["content-type"].split(";")[0], result.response.read()
    finally:
        result.response.close()


# what SPARQLWrapper asks for -> the media type we answer and how the body is read (N3 is answered as Turtle)
GRAPH_ANSWERS = {TURTLE: ("text/turtle", "turtle"), N3: ("text/turtle", "turtle"),
                 RDFXML: ("application/rdf+xml", "xml"), JSONLD: ("application/ld+json", "json-ld")}


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, JSONLD])
def test_graph_queries_in_each_format(live: Live, query: str, fmt: str) -> None:
    media_type, body = raw_answer(live, query, fmt)
    assert media_type == GRAPH_ANSWERS[fmt][0]
    graph = parse_graph(body, GRAPH_ANSWERS[fmt][1])
    assert (LETTER, SCHEMA.sender, URIRef(BASE + "person/nazaretyan-a-m")) in graph


@pytest.mark.parametrize("accept,parse_as", [("application/n-triples", "nt"), ("text/turtle", "turtle"),
                                             ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_content_type_matches_body(live: Live, accept: str, parse_as: str) -> None:
    r = requests.post(live.url + "/sparql", data=CONSTRUCT.encode(), headers={
        "Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == accept
    assert r.headers["Vary"] == "Accept"
    graph = parse_graph(r.content, parse_as)
    assert (LETTER, SCHEMA.sender, URIRef(BASE + "person/nazaretyan-a-m")) in graph


def test_three_protocol_forms_agree(live: Live) -> None:
    headers = {"Accept": "application/sparql-results+json"}
    by_get = requests.get(live.url + "/sparql", params={"query": SELECT}, headers=headers)
    by_form = requests.post(live.url + "/sparql", data={"query": SELECT}, headers=headers)
    by_body = requests.post(live.url + "/sparql", data=SELECT.encode(),
                            headers=headers | {"Content-Type": "application/sparql-query"})
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json()["results"] == by_form.json()["results"] == by_body.json()["results"]
    assert len(by_get.json()["results"]["bindings"]) == 3


def test_default_graph_uri_and_named_graph_uri(live: Live) -> None:
    q = "SELECT ?n WHERE { ?l <http://schema.org/identifier> ?n }"
    only_168 = requests.get(live.url + "/sparql", params={"query": q, "default-graph-uri": BASE + "graph/letter/168"})
    assert [b["n"]["value"] for b in only_168.json()["results"]["bindings"]] == ["168"]
    union = requests.get(live.url + "/sparql", params={"query": q})
    assert sorted(b["n"]["value"] for b in union.json()["results"]["bindings"]) == ["12", "167", "168"]
    named = requests.get(live.url + "/sparql", params={
        "query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
        "named-graph-uri": [BASE + "graph/letter/12", BASE + "graph/letter/167"]})
    assert sorted(b["g"]["value"] for b in named.json()["results"]["bindings"]) == [
        BASE + "graph/letter/12", BASE + "graph/letter/167"]
    in_query = requests.get(live.url + "/sparql", params={
        "query": f"SELECT ?n FROM <{BASE}graph/letter/12> WHERE {{ ?l <http://schema.org/identifier> ?n }}"})
    assert [b["n"]["value"] for b in in_query.json()["results"]["bindings"]] == ["12"]


def test_syntax_error_is_400_with_a_readable_message(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={"query": "SELECT ?x WHERE { ?x ?y }"},
                     headers={"Accept": "application/json"})
    assert r.status_code == 400
    body = r.json()
    assert body["status"] == 400 and body["message"].startswith("SPARQL syntax error at line 1, column 26:")
    assert (body["line"], body["column"], body["found"]) == (1, 26, "the end of the query")


def test_406_lists_the_offered_result_types(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["offered"] == ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                                   "text/tab-separated-values"]
    r = requests.get(live.url + "/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert r.status_code == 406 and "text/turtle" in r.json()["offered"]


def test_service_description_states_the_limits(live: Live) -> None:
    r = requests.get(live.url + "/sparql", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    service = URIRef(live.url + "/sparql")
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, LIMITS.maxRows, Literal(20)) in g
    assert g.value(service, LIMITS.queryTimeoutSeconds).toPython() == 3
    assert (service, LIMITS.serviceAllowed, URIRef(live.allowed.url)) in g
    assert (service, LIMITS.readOnly, Literal(True)) in g


def test_get_answers_are_cacheable_with_etag(live: Live) -> None:
    first = requests.get(live.url + "/sparql", params={"query": SELECT})
    assert first.status_code == 200 and first.headers["ETag"]
    again = requests.get(live.url + "/sparql", params={"query": SELECT},
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    other = requests.get(live.url + "/sparql", params={"query": SELECT},
                         headers={"If-None-Match": first.headers["ETag"], "Accept": "text/csv"})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]


def test_results_json_is_valid_sparql_json(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={
        "query": f"SELECT ?d ?t WHERE {{ <{LETTER}> <http://schema.org/dateCreated> ?d ; "
                 "<http://schema.org/text> ?t }"})
    binding = r.json()["results"]["bindings"][0]
    assert binding["d"] == {"type": "literal", "value": "1923-08-03",
                            "datatype": "http://www.w3.org/2001/XMLSchema#date"}
    assert binding["t"]["xml:lang"] == "en"
    xml = requests.get(live.url + "/sparql", params={"query": SELECT},
                       headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(xml.content)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"
    assert json.loads(requests.get(live.url + "/sparql", params={"query": ASK}).text) == {"head": {}, "boolean": True}
