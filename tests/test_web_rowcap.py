"""The row cap on SPARQL JSON written directly by the engine (``kg.store.capped.JsonRowCap``), and the
lean WSGI path of /sparql (``kg.web.fastpath``) answering exactly as the Flask route does."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.store import capped
from kg.store.capped import JsonRowCap, _Enough, _json_direct, json_direct_works
from tests.web_server import Live

TRICKY = ['},{', '},{}', '"},{"x":{"type":"uri","value":"', 'a\\"},{\n', '}},{{', 'line\nbreak},{', 'ок},{"', "plain",
          "\\", '"', "}", "},", ",{"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    for i, text in enumerate(TRICKY * 4):
        store.add(ox.Quad(ox.NamedNode(f"urn:s{i:03d}"), ox.NamedNode("urn:p"), ox.Literal(text), ox.DefaultGraph()))
    return store


QUERIES = ["SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",  # IRIs only: every boundary found by _ROW_START
           "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s",
           "SELECT ?o ?u WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?u } } ORDER BY ?s",
           "SELECT ?u WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?u } }"]  # rows with nothing bound: {}


def feed(body: bytes, keep: int, rng: random.Random) -> JsonRowCap:
    """Write ``body`` into a sink in random pieces (1 byte to 40), as a writer's flushes might split it."""
    sink, at = JsonRowCap(keep), 0
    try:
        while at < len(body):
            step = rng.randint(1, 40)
            sink.write(body[at:at + step])
            at += step
    except _Enough:
        pass
    return sink


@pytest.mark.parametrize("query", QUERIES)
def test_the_cap_keeps_the_first_rows_however_the_bytes_arrive(store: ox.Store, query: str) -> None:
    full = store.query(query).serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]
    rows = json.loads(full)["results"]["bindings"]
    rng = random.Random(0)
    for keep in range(1, len(rows) + 3):
        for _ in range(5):
            sink = feed(full, keep, rng)
            assert sink.cut == (len(rows) > keep), keep
            assert json.loads(sink.body())["results"]["bindings"] == rows[:keep]


@pytest.mark.parametrize("query", QUERIES)
def test_direct_json_equals_the_line_format_path(store: ox.Store, query: str, monkeypatch: pytest.MonkeyPatch) -> None:
    total = len(list(store.query(query)))  # type: ignore[arg-type]
    for cap in (1, 7, total - 1, total, total + 5):
        direct = _json_direct(store.query(query), cap)  # type: ignore[arg-type]
        monkeypatch.setattr(capped, "_JSON_DIRECT", [False])
        via_tsv = capped.write_solutions(store.query(query), "json", cap)  # type: ignore[arg-type]
        monkeypatch.undo()
        assert direct[1] == via_tsv[1] == (total > cap)
        assert json.loads(direct[0]) == json.loads(via_tsv[0])
        assert set(json.loads(direct[0])) == {"head", "results"}


def test_a_writer_layout_the_counter_does_not_know_disables_the_direct_path(monkeypatch: pytest.MonkeyPatch) -> None:
    assert json_direct_works()
    monkeypatch.setattr(capped, "_JSON_DIRECT", [])
    monkeypatch.setattr(capped, "BOUNDARY", b"}, {")  # as if the engine began to write "}, {" between rows
    assert json_direct_works() is False
    monkeypatch.setattr(capped, "_JSON_DIRECT", [])
    monkeypatch.setattr(capped, "BOUNDARY", b"},{")
    monkeypatch.setattr(capped, "_JSON_TOKENS", capped.re.compile(rb"\},\{"))  # a counter blind to strings
    assert json_direct_works() is False


def _values(n: int) -> str:
    literals = " ".join(json.dumps(f"{TRICKY[i % len(TRICKY)]}#{i:02d}") for i in range(n))
    return f"SELECT ?x WHERE {{ VALUES ?x {{ {literals} }} }}"


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_live_cap_with_tricky_literals_over_each_protocol_form(live: Live, how: str) -> None:
    url = live.url + "/sparql"
    for n, truncated in ((25, True), (20, False), (3, False)):  # the live server's cap is 20 rows
        query, accept = _values(n), {"Accept": "application/sparql-results+json"}
        if how == "get":
            r = requests.get(url, params={"query": query}, headers=accept)
        elif how == "form":
            r = requests.post(url, data={"query": query}, headers=accept)
        else:
            r = requests.post(url, data=query.encode(), headers=accept | {"Content-Type": "application/sparql-query"})
        assert r.status_code == 200
        assert r.headers["X-SPARQL-Truncated"] == ("true" if truncated else "false")
        assert r.headers["Access-Control-Allow-Origin"] == "*" and r.headers["Vary"] == "Accept"
        body = r.json()
        assert set(body) == {"head", "results"}
        assert [b["x"]["value"] for b in body["results"]["bindings"]] == [
            f"{TRICKY[i % len(TRICKY)]}#{i:02d}" for i in range(min(n, 20))]
        assert ("ETag" in r.headers) == (how == "get")


def test_lean_path_answers_like_flask(live: Live) -> None:
    """The same request through the lean path and through Flask (a conditional GET goes to Flask):
    same status, body and headers, apart from the conditional answer itself."""
    url, query = live.url + "/sparql", "SELECT ?s WHERE { ?s a <http://schema.org/Message> } ORDER BY ?s"
    lean = requests.get(url, params={"query": query, "format": "json"})
    flask = requests.get(url, params={"query": query, "format": "json"}, headers={"If-None-Match": '"other"'})
    assert lean.status_code == flask.status_code == 200
    assert lean.content == flask.content
    skip = {"date", "server"}
    assert {k.lower(): v for k, v in lean.headers.items() if k.lower() not in skip} == {
        k.lower(): v for k, v in flask.headers.items() if k.lower() not in skip}
    again = requests.get(url, params={"query": query, "format": "json"},
                         headers={"If-None-Match": lean.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("accept,kind", [("application/json", "json"),
                                         ("text/html, application/sparql-results+json;q=0.9", "html")])
def test_lean_path_errors_have_the_site_error_shape(live: Live, accept: str, kind: str) -> None:
    r = requests.post(live.url + "/sparql", data={"query": "SELECT ?x WHERE { ?x ?y }"}, headers={"Accept": accept})
    assert r.status_code == 400 and r.headers["Access-Control-Allow-Origin"] == "*"
    if kind == "json":
        assert r.json()["status"] == 400 and r.json()["message"].startswith("SPARQL syntax error at line 1")
    else:
        assert r.headers["Content-Type"].startswith("text/html") and "SPARQL syntax error" in r.text


def test_lean_path_passes_undecodable_and_unlisted_requests_to_flask(live: Live) -> None:
    url = live.url + "/sparql"
    bad = requests.post(url, data=b"query=ASK%20%7B%7D&x=\xff", headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    assert bad.status_code == 400 and "No query" in bad.json()["message"]  # werkzeug drops an undecodable form
    head = requests.head(url, params={"query": "ASK {}"})
    assert head.status_code == 200 and head.content == b""
    update = requests.post(url, data={"update": "CLEAR ALL"})
    assert update.status_code == 403 and "read-only" in update.json()["message"]
    both = requests.post(url, data={"query": "ASK {}", "update": "CLEAR ALL"})
    assert both.status_code == 400 and "not both" in both.json()["message"]


def test_a_store_that_fails_to_load_in_its_loader_thread_still_fails(tmp_path: Path) -> None:
    from kg.errors import KGError
    from kg.store.zygote import StoreSource, _open

    bad = tmp_path / "kg.csv"
    bad.write_text("not rdf", encoding="utf-8")
    with pytest.raises(KGError, match="not a data file"):
        _open(StoreSource(data_file=bad))
    good = tmp_path / "kg.nt"
    good.write_text("<urn:s> <urn:p> <urn:o> .\n", encoding="utf-8")
    assert len(_open(StoreSource(data_file=good))) == 1
