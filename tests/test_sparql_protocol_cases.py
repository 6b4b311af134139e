"""The SPARQL 1.1 Protocol test cases, as a table of our own, against a served store.

Read, not copied: the W3C protocol manifest (w3c/rdf-tests, ``sparql/sparql11/protocol/manifest.ttl``)
describes 34 cases as HTTP requests and expected answers. Its expectations come in two spellings
across its history: ``mf:expectedStatus`` with a status *class* (2xx-or-3xx, 4xx: what it says today)
and ``ht:statusCodeValue`` with a number (older revisions); both become ``Expect`` here, a range of
statuses, plus the expected result kind ("boolean" with its value, "tabular", "RDF").

- 20 query cases: 13 that must answer (GET, both POST forms, protocol datasets, content types) and 7
  malformed requests that must be 4xx (wrong method, two queries, wrong or missing media type, a
  UTF-16 body, a syntax error);
- 7 update cases: this endpoint is read-only, so each is refused with 403 *by design* (reported as such
  in ``test_the_table_covers_the_manifest``), and the query that would check the update's effect is
  not sent;
- 7 malformed update requests: 4xx.

The data the cases query: three graphs, each named by a document IRI and saying that document is a
``foaf:Document``, loaded into a build directory that `kg serve`'s own app and server answer from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
import requests

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.web import create_app
from tests.web_server import serving

DOC = "http://kasei.us/2009/09/sparql/data/data{}.rdf"
FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/Document"
FORM, DIRECT, UPDATE = "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"
ASK_BOTH = f"ASK {{ <{DOC.format(1)}> a ?type . <{DOC.format(2)}> a ?type . }}"
ASK_NAMED = f"ASK {{ GRAPH ?g1 {{ <{DOC.format(1)}> a ?type }} GRAPH ?g2 {{ <{DOC.format(2)}> a ?type }} }}"
ASK_FULL = (f"ASK {{\n  <{DOC.format(3)}> a ?type\n  GRAPH ?g1 {{ <{DOC.format(1)}> a ?type }}\n"
            f"  GRAPH ?g2 {{ <{DOC.format(2)}> a ?type }}\n}}")
ASK_FROM = (f"ASK FROM <{DOC.format(3)}> {{ GRAPH ?g1 {{ <{DOC.format(1)}> a ?type }} "
            f"GRAPH ?g2 {{ <{DOC.format(2)}> a ?type }} }}")
PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"


@dataclass(frozen=True)
class Expect:
    """Statuses allowed (``low``..``high``) and, for a success, the kind of result and its value."""

    low: int
    high: int
    result: str | None = None  # "boolean" | "tabular" | "RDF"
    boolean: bool | None = None


OK_BOOLEAN_TRUE = Expect(200, 399, "boolean", True)
CLIENT_ERROR = Expect(400, 499)
READ_ONLY = Expect(403, 403)  # what the manifest's 2xx/3xx update cases get here, by design


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    params: list[tuple[str, str]] = field(default_factory=list)  # the URL's query string
    body: bytes | None = None
    content_type: str | None = None
    expect: Expect = OK_BOOLEAN_TRUE


def _graphs(*numbers: int, named: bool = False) -> list[tuple[str, str]]:
    key = "named-graph-uri" if named else "default-graph-uri"
    return [(key, DOC.format(n)) for n in numbers]


def _form(**values: str) -> bytes:
    return urlencode(values).encode()


QUERY_CASES = [
    Case("query_post_form", "POST", _graphs(0), _form(query="ASK {}"), FORM),
    Case("query_dataset_default_graphs_get", "GET", [("query", ASK_BOTH), *_graphs(1, 2)]),
    Case("query_dataset_default_graphs_post", "POST", _graphs(1, 2), ASK_BOTH.encode(), DIRECT),
    Case("query_dataset_named_graphs_post", "POST", _graphs(1, 2, named=True), ASK_NAMED.encode(), DIRECT),
    Case("query_dataset_named_graphs_get", "GET", [("query", ASK_NAMED), *_graphs(1, 2, named=True)]),
    Case("query_dataset_full", "POST", [*_graphs(3), *_graphs(1, 2, named=True)], ASK_FULL.encode(), DIRECT),
    Case("query_multiple_dataset", "POST", _graphs(1, 2, named=True), ASK_FROM.encode(), DIRECT),
    Case("query_get", "GET", [("query", "ASK {}"), *_graphs(0)]),
    Case("query_content_type_select", "POST", _graphs(0), b"SELECT (1 AS ?value) {}", DIRECT,
         Expect(200, 399, "tabular")),
    Case("query_content_type_ask", "POST", _graphs(0), b"ASK {}", DIRECT, Expect(200, 399, "boolean")),
    Case("query_content_type_describe", "POST", _graphs(0), b"DESCRIBE <http://example.org/>", DIRECT,
         Expect(200, 399, "RDF")),
    Case("query_content_type_construct", "POST", _graphs(0), b"CONSTRUCT { <s> <p> 1 } WHERE {}", DIRECT,
         Expect(200, 399, "RDF")),  # relative IRIs, no BASE: the endpoint's base resolves them
    Case("query_post_direct", "POST", [], b"ASK {}", DIRECT),
    Case("bad_query_method", "PUT", [("query", "ASK {}"), *_graphs(0)], None, FORM, CLIENT_ERROR),
    Case("bad_multiple_queries", "GET", [("query", "ASK {}"), ("query", "SELECT * {}")], expect=CLIENT_ERROR),
    Case("bad_query_wrong_media_type", "POST", [], b"ASK {}", "text/plain", CLIENT_ERROR),
    Case("bad_query_missing_form_type", "POST", [], _form(query="ASK {}"), None, CLIENT_ERROR),
    Case("bad_query_missing_direct_type", "POST", [], b"ASK {}", None, CLIENT_ERROR),
    Case("bad_query_non_utf8", "POST", [], "ASK {}".encode("utf-16"), DIRECT + "; charset=UTF-16", CLIENT_ERROR),
    Case("bad_query_syntax", "GET", [("query", "ASK {")], expect=CLIENT_ERROR),
]

def _insert(graph: int) -> bytes:
    """An update of the manifest's kind: reset, add a document to a graph, derive a triple from it."""
    doc = DOC.format(graph)
    return (PREFIXES + f"DROP ALL ;\nINSERT DATA {{ GRAPH <{doc}> {{ <{doc}> a foaf:Document }} }} ;\n"
            "INSERT { GRAPH <http://example.org/t/> { ?s a dc:BibliographicResource } } "
            "WHERE { ?s a foaf:Document }").encode()


UPDATE_CASES = [
    Case("update_dataset_default_graph", "POST", [("using-graph-uri", DOC.format(1))], _insert(1), UPDATE, READ_ONLY),
    Case("update_dataset_default_graphs", "POST",
         [("using-graph-uri", DOC.format(1)), ("using-graph-uri", DOC.format(2))], _insert(2), UPDATE, READ_ONLY),
    Case("update_dataset_named_graphs", "POST", [("using-named-graph-uri", DOC.format(1))], _insert(3), UPDATE,
         READ_ONLY),
    Case("update_dataset_full", "POST",
         [("using-graph-uri", DOC.format(1)), ("using-named-graph-uri", DOC.format(2))], _insert(1), UPDATE, READ_ONLY),
    Case("update_post_form", "POST", [], _form(update="CLEAR ALL"), FORM, READ_ONLY),
    Case("update_post_direct", "POST", [], b"CLEAR ALL", UPDATE, READ_ONLY),
    Case("update_base_uri", "POST", [], b"CLEAR SILENT GRAPH <http://example.org/b/> ;\n"
         b"INSERT DATA { GRAPH <http://example.org/b/> { <http://example.org/s> <http://example.org/p> <test> } }",
         UPDATE, READ_ONLY),
]

UPDATE_NEGATIVE_CASES = [
    Case("bad_update_get", "GET", [("update", "CLEAR ALL")], expect=CLIENT_ERROR),
    Case("bad_multiple_updates", "POST", [], b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM, CLIENT_ERROR),
    Case("bad_update_wrong_media_type", "POST", [], b"CLEAR NAMED", "text/plain", CLIENT_ERROR),
    Case("bad_update_missing_form_type", "POST", [], _form(update="CLEAR NAMED"), None, CLIENT_ERROR),
    Case("bad_update_non_utf8", "POST", [], "CLEAR NAMED".encode("utf-16"), UPDATE + "; charset=UTF-16",
         CLIENT_ERROR),
    Case("bad_update_syntax", "POST", [], _form(update="CLEAR XYZ"), FORM, CLIENT_ERROR),
    Case("bad_update_dataset_conflict", "POST", [("using-named-graph-uri", "http://example/people")],
         (PREFIXES + "WITH <http://example/addresses> DELETE { ?p foaf:givenName 'Bill' } "
          "INSERT { ?p foaf:givenName 'William' } WHERE { ?p foaf:givenName 'Bill' }").encode(), UPDATE, CLIENT_ERROR),
]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """/sparql of a served build holding the three documents' graphs."""
    data = tmp_path_factory.mktemp("protocol")
    (data / "kg.trig").write_text("".join(
        f"<{DOC.format(n)}> {{ <{DOC.format(n)}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<{FOAF_DOCUMENT}> . }}\n" for n in (1, 2, 3)), encoding="utf-8")
    settings = replace(Settings(), output_dir=data, query_timeout=10.0, max_body_bytes=20_000)
    store = OxigraphStore(Path(data), warm_workers=1)
    try:
        with serving(create_app(settings, store), settings) as server:
            yield f"http://127.0.0.1:{server.port}/sparql"
    finally:
        store.close()


def send(endpoint: str, case: Case) -> requests.Response:
    headers = {"Content-Type": case.content_type} if case.content_type else {}
    request = requests.Request(case.method, endpoint, params=case.params, data=case.body, headers=headers).prepare()
    if case.content_type is None:
        request.headers.pop("Content-Type", None)  # requests labels a form-like body itself; the case must not be
    with requests.Session() as session:
        return session.send(request, timeout=30)


def check(response: requests.Response, expect: Expect) -> None:
    assert expect.low <= response.status_code <= expect.high, (response.status_code, response.text[:300])
    if expect.result is None:
        return
    media_type = response.headers["Content-Type"].split(";")[0].strip()
    if expect.result == "RDF":
        rdf = ox.RdfFormat.from_media_type(media_type)
        assert rdf is not None, media_type
        list(ox.parse(response.content, format=rdf))
        return
    results_format = ox.QueryResultsFormat.from_media_type(media_type)
    assert results_format is not None, media_type
    parsed = ox.parse_query_results(response.content, format=results_format)
    if expect.result == "boolean":
        assert isinstance(parsed, ox.QueryBoolean)
        if expect.boolean is not None:
            assert bool(parsed) is expect.boolean
    else:
        assert isinstance(parsed, ox.QuerySolutions)
        assert [[str(t) for t in row] for row in parsed] == [['"1"^^<http://www.w3.org/2001/XMLSchema#integer>']]


@pytest.mark.parametrize("case", QUERY_CASES, ids=[c.name for c in QUERY_CASES])
def test_query_cases(endpoint: str, case: Case) -> None:
    check(send(endpoint, case), case.expect)


@pytest.mark.parametrize("case", UPDATE_CASES, ids=[c.name for c in UPDATE_CASES])
def test_update_cases_are_refused_as_read_only(endpoint: str, case: Case) -> None:
    response = send(endpoint, case)
    check(response, case.expect)
    assert "read-only" in response.json()["message"]


@pytest.mark.parametrize("case", UPDATE_NEGATIVE_CASES, ids=[c.name for c in UPDATE_NEGATIVE_CASES])
def test_malformed_update_requests_are_client_errors(endpoint: str, case: Case) -> None:
    check(send(endpoint, case), case.expect)


def test_the_table_covers_the_manifest(endpoint: str) -> None:
    """The count the manifest has, and what this endpoint answers for each group."""
    outcome = {"query": 0, "query, refused as malformed": 0, "update, refused by design (403)": 0,
               "update, refused as malformed": 0}
    for case in QUERY_CASES + UPDATE_CASES + UPDATE_NEGATIVE_CASES:
        status = send(endpoint, case).status_code
        if case in UPDATE_CASES:
            outcome["update, refused by design (403)"] += status == 403
        elif case in UPDATE_NEGATIVE_CASES:
            outcome["update, refused as malformed"] += 400 <= status < 500
        elif case.expect is CLIENT_ERROR:
            outcome["query, refused as malformed"] += 400 <= status < 500
        else:
            outcome["query"] += 200 <= status < 400
    assert outcome == {"query": 13, "query, refused as malformed": 7, "update, refused by design (403)": 7,
                       "update, refused as malformed": 7}
    assert len({c.name for c in QUERY_CASES + UPDATE_CASES + UPDATE_NEGATIVE_CASES}) == 34
