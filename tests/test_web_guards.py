"""Every guard of /sparql and of the site, each with a test that fails without it (live server)."""

from __future__ import annotations

import http.client
import os
import threading
import time
from urllib.parse import urlsplit

import pytest
import requests

from kg.devtools.procs import alive, descendants
from kg.store.types import QueryEngineError
from tests.web_server import BASE, Live

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
UPDATES = [
    "INSERT DATA { <urn:x> <urn:p> <urn:o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "CLEAR ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <urn:g>",
    "PREFIX ex: <urn:ex:>\nDELETE { ?s ?p ?o } INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "ADD DEFAULT TO <urn:g>",
]


def triple_count(live: Live) -> int:
    r = requests.get(live.url + "/sparql", params={"query": COUNT})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def send(live: Live, how: str, text: str) -> requests.Response:
    url = live.url + "/sparql"
    if how == "get-query":
        return requests.get(url, params={"query": text})
    if how == "get-update":
        return requests.get(url, params={"update": text})
    if how == "form-query":
        return requests.post(url, data={"query": text})
    if how == "form-update":
        return requests.post(url, data={"update": text})
    if how == "direct-query":
        return requests.post(url, data=text.encode(), headers={"Content-Type": "application/sparql-query"})
    return requests.post(url, data=text.encode(), headers={"Content-Type": "application/sparql-update"})


HOW = ["get-query", "get-update", "form-query", "form-update", "direct-query", "direct-update"]


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("update", UPDATES)
def test_every_update_form_is_refused_and_data_unchanged(live: Live, how: str, update: str) -> None:
    before = triple_count(live)
    r = send(live, how, update)
    assert r.status_code == 403
    assert "read-only" in r.json()["message"]
    assert triple_count(live) == before == 159
    ask = requests.get(live.url + "/sparql", params={"query": "ASK { <urn:x> ?p ?o }"})
    assert ask.json()["boolean"] is False


def _descendants_cpu() -> float:
    """CPU seconds used so far by the descendants of this process (workers are grandchildren:
    they are forked by the store process)."""
    return sum(p.cpu for p in descendants(os.getpid()).values())
def test_runaway_query_is_stopped_while_another_client_is_served(live: Live) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        r = requests.get(live.url + "/sparql", params={"query": RUNAWAY, "timeout": "2"},
                         headers={"Accept": "application/json"})
        outcome.update(status=r.status_code, body=r.json(), seconds=time.monotonic() - started)

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    for _ in range(3):  # while the runaway burns a worker, others get answers fast
        started = time.monotonic()
        r = requests.get(live.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        assert time.monotonic() - started < 1.0
        page = requests.get(live.url + "/letter/167", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
    thread.join(timeout=20)
    assert outcome["status"] == 503
    assert "time limit (2 s)" in outcome["body"]["message"]  # type: ignore[index]
    assert 1.9 <= outcome["seconds"] < 4.0  # type: ignore[operator]
    time.sleep(0.3)
    idle_before = _descendants_cpu()
    time.sleep(1.0)
    assert _descendants_cpu() - idle_before < 0.3, "a worker is still computing after the deadline"


def test_timeout_parameter_can_only_lower_the_limit(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={"query": RUNAWAY, "timeout": "999"})
    assert r.status_code == 503 and "time limit (3 s)" in r.json()["message"]
    bad = requests.get(live.url + "/sparql", params={"query": COUNT, "timeout": "soon"})
    assert bad.status_code == 400 and "timeout" in bad.json()["message"]


def test_row_cap_cuts_and_says_so(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200
    assert r.headers["X-SPARQL-Truncated"] == "true" and r.headers["X-SPARQL-Max-Rows"] == "20"
    assert set(r.json()) == {"head", "results"} and len(r.json()["results"]["bindings"]) == 20
    csv = requests.get(live.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                       headers={"Accept": "text/csv"})
    assert csv.headers["X-SPARQL-Truncated"] == "true" and len(csv.text.strip().splitlines()) == 21
    graph = requests.get(live.url + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                         headers={"Accept": "application/n-triples"})
    assert graph.headers["X-SPARQL-Truncated"] == "true" and len(graph.text.strip().splitlines()) == 20
    small = requests.get(live.url + "/sparql", params={"query": COUNT})
    assert small.headers["X-SPARQL-Truncated"] == "false" and set(small.json()) == {"head", "results"}


def test_oversized_bodies_get_413(live: Live) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    direct = requests.post(live.url + "/sparql", data=big.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert direct.status_code == 413 and direct.json()["status"] == 413
    form = requests.post(live.url + "/sparql", data={"query": big})
    assert form.status_code == 413
    fine = requests.post(live.url + "/sparql", data=b"ASK {}", headers={"Content-Type": "application/sparql-query"})
    assert fine.status_code == 200


def _service_queries(target: str) -> list[str]:
    host = target.rsplit("/", 1)[0] + "/"
    return [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{host}> SELECT * WHERE {{ SeRvIcE r:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{target}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z . FILTER EXISTS {{ SERVICE <{target}> {{ ?s ?p ?o }} }} }}",
    ]


def test_service_outside_the_allowlist_is_refused_and_never_called(live: Live) -> None:
    for query in _service_queries(live.forbidden.url):
        r = requests.post(live.url + "/sparql", data={"query": query})
        assert r.status_code == 403, query
        assert "not allowed" in r.json()["message"]
    time.sleep(0.2)
    assert live.forbidden.hits == []


def test_service_on_the_allowlist_is_called(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={
        "query": f"SELECT ?x WHERE {{ SERVICE <{live.allowed.url}> {{ ?x ?p ?o }} }}"})
    assert r.status_code == 200
    assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["remote"]
    assert len(live.allowed.hits) >= 1


def test_the_word_service_in_a_literal_is_not_a_service_call(live: Live) -> None:
    r = requests.get(live.url + "/sparql", params={"query": 'SELECT ?s WHERE { ?s ?p "customer service" }'})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []


def test_query_workers_have_no_network_even_if_a_service_slipped_through(live: Live) -> None:
    if not live.store.sandboxed:
        pytest.skip("this kernel does not let the workers drop their network (no network namespaces)")
    with pytest.raises(QueryEngineError):
        live.store.query(f"SELECT * WHERE {{ SERVICE <{live.forbidden.url}> {{ ?s ?p ?o }} }}", 3)
    assert live.forbidden.hits == []


@pytest.mark.parametrize("dataset", ["FROM <file:///etc/passwd>", "FROM NAMED <file:///etc/passwd>",
                                     "FROM <{forbidden}>", "FROM <http://127.0.0.1:9/x.ttl>"])
def test_from_selects_store_graphs_and_fetches_nothing(live: Live, dataset: str) -> None:
    dataset = dataset.format(forbidden=live.forbidden.url)
    for query in (f"SELECT * {dataset} WHERE {{ ?s ?p ?o }}",
                  f"SELECT * {dataset} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        r = requests.get(live.url + "/sparql", params={"query": query})
        assert r.status_code == 200
        assert r.json()["results"]["bindings"] == []
    assert "root:" not in r.text
    assert live.forbidden.hits == []


def _raw_get(live: Live, path: str) -> int:
    """Send the path byte for byte (requests/urllib3 would normalise the dot segments)."""
    parts = urlsplit(live.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.putheader("Accept", "application/json")
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


@pytest.mark.parametrize("path", ["/dumps/../kg.trig", "/dumps/..%2fSHA256SUMS", "/dumps/%2e%2e/%2e%2e/etc/passwd",
                                  "/dumps/..%2f..%2f..%2fetc%2fpasswd", "/dumps/.%2e/kg.trig", "/dumps/%2fetc%2fpasswd",
                                  "/letter/..%2f..%2fetc%2fpasswd", "/letter/167/../../../etc/passwd",
                                  "/person/%2e%2e/%2e%2e/etc/passwd", "/archive/rgaspi/..%2f..%2fkg.trig"])
def test_path_traversal_is_404(live: Live, path: str) -> None:
    assert _raw_get(live, path) == 404


def test_markup_in_a_literal_renders_escaped(live: Live) -> None:
    r = requests.get(live.url + "/letter/168", headers={"Accept": "text/html"})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/letter/167", "/dumps/", "/", "/nope"])
def test_cors_allows_everyone_but_never_credentials(live: Live, path: str) -> None:
    r = requests.get(live.url + path, headers={"Origin": "https://evil.example", "Cookie": "session=1"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    pre = requests.options(live.url + "/sparql", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in pre.headers


def test_unsupported_post_type_is_415(live: Live) -> None:
    r = requests.post(live.url + "/sparql", data=b"{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 415 and "application/sparql-query" in r.json()["message"]


def test_data_still_intact_after_all_guards(live: Live) -> None:
    assert triple_count(live) == 159
    assert BASE  # the base of the fixture IRIs


def test_a_dead_store_process_is_replaced(live: Live) -> None:
    old = live.store.pool.zygote.proc
    workers = live.store.pool.worker_pids()
    old.kill()
    old.wait(timeout=10)
    deadline = time.monotonic() + 10  # its workers die with it (parent-death signal)
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    for _ in range(4):  # each dead worker is found dead and replaced from a new store process
        r = requests.get(live.url + "/sparql", params={"query": COUNT})
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["n"]["value"] == "159"
    r = requests.get(live.url + "/letter/167", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "No. 167" in r.text
    assert live.store.pool.zygote.proc is not old and live.store.pool.zygote.proc.poll() is None
