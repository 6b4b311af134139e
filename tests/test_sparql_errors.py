"""/sparql refusals and failures that say why: one query per request, relative IRIs that resolve,
unknown functions and dead workers answered with their reason (and the pool whole afterwards), the
site's 500 page, and syntax errors a person can act on (line, column, what was found, what may come
there, a caret under the spot)."""

from __future__ import annotations

import os
import threading
import time

import pytest
import requests
from flask import Flask

from kg.devtools.procs import alive, descendants
from kg.web import create_app
from tests.web_server import BASE, Live

JSON = {"Accept": "application/json"}
CHROMIUM_ACCEPT = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}


def _sparql(live: Live) -> str:
    return live.url + "/sparql"


@pytest.mark.parametrize("how", ["get", "form", "url and form"])
def test_two_queries_are_refused(live: Live, how: str) -> None:
    url = _sparql(live)
    if how == "get":
        r = requests.get(url, params=[("query", "ASK {}"), ("query", "SELECT * {}")], headers=JSON)
    elif how == "form":
        r = requests.post(url, data=[("query", "ASK {}"), ("query", "SELECT * {}")], headers=JSON)
    else:
        r = requests.post(url, params={"query": "ASK {}"}, data={"query": "SELECT * {}"}, headers=JSON)
    assert r.status_code == 400 and r.json()["message"] == "The request has 2 query parameters; send exactly one."


def test_two_updates_or_a_query_and_an_update_are_refused(live: Live) -> None:
    two = requests.post(_sparql(live), data=[("update", "CLEAR ALL"), ("update", "CLEAR NAMED")], headers=JSON)
    assert two.status_code == 400 and "2 update parameters" in two.json()["message"]
    both = requests.get(_sparql(live), params={"query": "ASK {}", "update": "CLEAR ALL"}, headers=JSON)
    assert both.status_code == 400 and "not both" in both.json()["message"]
    one = requests.post(_sparql(live), data={"update": "CLEAR ALL"}, headers=JSON)
    assert one.status_code == 403 and "read-only" in one.json()["message"]


def _values(live: Live, query: str) -> list[str]:
    r = requests.get(_sparql(live), params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [b["x"]["value"] for b in r.json()["results"]["bindings"]]


def test_relative_iris_resolve_against_the_endpoint_iri(live: Live) -> None:
    assert _values(live, "SELECT ?x { BIND(<letter/167> AS ?x) }") == [BASE + "letter/167"]
    assert _values(live, "SELECT ?x { BIND(<> AS ?x) }") == [BASE + "sparql"]
    assert _values(live, "BASE <http://example.org/a/> SELECT ?x { BIND(<b> AS ?x) }") == ["http://example.org/a/b"]
    ask = requests.get(_sparql(live), params={"query": "ASK { <letter/167> a <http://schema.org/Message> }"},
                       headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True


def _workers(live: Live) -> list[int]:
    """The live query worker processes (children of the store process, itself a child of this one)."""
    family = descendants(os.getpid())
    pids = [pid for pid in live.store.pool.worker_pids() if alive(pid)]
    assert set(pids) <= set(family)
    return pids


def _settle(live: Live, count: int) -> list[int]:
    """Send cheap queries until the pool holds ``count`` live workers again (each must answer)."""
    for _ in range(20):
        assert requests.get(_sparql(live), params={"query": "ASK {}"}, headers=JSON).status_code == 200
        pids = _workers(live)
        if len(pids) == count:
            return pids
    raise AssertionError(f"the pool did not come back to {count} workers: {_workers(live)}")


def test_an_unknown_function_is_a_400_with_the_reason_and_the_pool_stays_whole(live: Live) -> None:
    before = _settle(live, live.store.pool.warm)
    r = requests.get(_sparql(live), params={"query": "SELECT (<http://example.org/nofn>(1) AS ?x) {}"}, headers=JSON)
    assert r.status_code == 400
    assert "<http://example.org/nofn>" in r.json()["message"] and "not supported" in r.json()["message"]
    assert _workers(live) == before  # no worker died for it
    assert _values(live, "SELECT ?x { BIND(1 AS ?x) }") == ["1"]


def test_a_worker_that_dies_mid_query_is_a_500_with_the_reason_and_is_replaced(live: Live) -> None:
    before = _settle(live, live.store.pool.warm)
    slow = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer: list[requests.Response] = []
    thread = threading.Thread(target=lambda: answer.append(
        requests.get(_sparql(live), params={"query": slow}, headers=JSON, timeout=30)))
    thread.start()
    deadline = time.monotonic() + 2
    busy: list[int] = []
    while not busy and time.monotonic() < deadline:
        busy = sorted(set(live.store.pool.worker_pids()) - set(live.store.pool.idle_pids()))
    assert busy, "the slow query never reached a worker"
    os.kill(busy[0], 9)  # a worker this test's store started: as the engine crashing would end it
    thread.join(timeout=30)
    r = answer[0]
    assert r.status_code == 500, r.text
    assert "died" in r.json()["message"] and "other queries are not affected" in r.json()["message"]
    after = _settle(live, live.store.pool.warm)
    assert busy[0] not in after and len(after) == len(before)


def test_an_unhandled_error_is_the_sites_500_with_a_readable_title(live: Live) -> None:
    """Regression: the 500 handler once passed ``HTTPException.name`` (a property of the class) on,
    and the HTML page's title read ``<property object at 0x…>``."""
    app: Flask = create_app(live.settings, live.store)

    @app.route("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail")

    client = app.test_client()
    as_json = client.get("/boom", headers=JSON)
    assert as_json.status_code == 500
    assert as_json.get_json() == {"error": "Internal Server Error", "status": 500,
                                  "message": "The server failed on this request; it has been logged."}
    page = client.get("/boom", headers=CHROMIUM_ACCEPT).get_data(as_text=True)
    assert "<title>500 Internal Server Error</title>" in page
    assert "property object" not in page and "secret detail" not in page


def _error(live: Live, query: str, headers: dict[str, str] = JSON) -> requests.Response:
    r = requests.get(_sparql(live), params={"query": query}, headers=headers)
    assert r.status_code == 400
    return r


def test_a_misspelt_first_keyword_is_named(live: Live) -> None:
    body = _error(live, "SELEC * WHERE { ?s ?p ?o }").json()
    assert (body["line"], body["column"], body["found"]) == (1, 1, "'SELEC'")
    assert body["message"].startswith("SPARQL syntax error at line 1, column 1: unknown keyword SELEC; a query starts "
                                      "with SELECT, CONSTRUCT, ASK or DESCRIBE")
    assert "Did you mean SELECT?" in body["message"] and "CONSTRUCT" in body["expected"]
    assert body["excerpt"] == "1 | SELEC * WHERE { ?s ?p ?o }\n  | ^"
    assert body["message"].endswith(body["excerpt"])


def test_an_error_inside_the_query_is_placed_on_its_token(live: Live) -> None:
    """The engine stops reading past the mistake (here at the end of the query); the report names the
    token where the query stopped being one, on its own line."""
    query = "PREFIX schema: <http://schema.org/>\nSELECT ?l WHERE {\n  ?l a schema:Message }\nGROUP ?l"
    body = _error(live, query).json()
    assert (body["line"], body["column"], body["found"]) == (4, 7, "'?l'")
    assert body["excerpt"] == "4 | GROUP ?l\n  |       ^"
    assert body["message"].startswith("SPARQL syntax error at line 4, column 7: found '?l'")


def test_what_may_come_is_a_short_list_in_words(live: Live) -> None:
    body = _error(live, "SELECT ?l WHERE { ?l ?p ?o FILTER(?o > ").json()
    assert body["found"] == "the end of the query" and 1 <= len(body["expected"]) <= 8
    assert all("\\u{" not in e and "['" not in e and "[_]" not in e for e in body["expected"]), body["expected"]
    assert "a variable" in body["expected"]
    unclosed = _error(live, "ASK {").json()
    assert {"a variable", "an IRI", "a string", "a number"} <= set(unclosed["expected"])
    assert len(unclosed["expected"]) <= 8 and "\\u{" not in unclosed["message"]


def test_an_undeclared_prefix_is_named_with_the_ontologys_namespace(live: Live) -> None:
    body = _error(live, "SELECT ?l WHERE {\n  ?l a schema:Message }").json()
    assert (body["line"], body["column"], body["found"]) == (2, 8, "'schema:Message'")
    assert "the prefix schema: of schema:Message is not declared. Add PREFIX schema: <http://schema.org/>" \
        in body["message"]


def test_the_html_error_page_shows_the_excerpt_and_the_query_to_edit(live: Live) -> None:
    r = _error(live, "SELEC *", CHROMIUM_ACCEPT)
    assert r.headers["Content-Type"].startswith("text/html")
    assert "unknown keyword SELEC" in r.text
    assert '<pre class="excerpt">1 | SELEC *\n  | ^</pre>' in r.text
    assert '<textarea name="query"' in r.text and ">SELEC *</textarea>" in r.text
