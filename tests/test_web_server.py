"""`kg serve`'s HTTP server on 127.0.0.1 (kg/web/serve.py, run as `kg serve` runs it, in a subprocess:
``tests.web_server.kg_serve``): request framing (Content-Length with Transfer-Encoding), slow clients
(trickling headers or bodies) that must not starve the others, the whole-request deadline, and the
store settings reaching the store. The failure page of a bug is the app's (tested in this process,
where its log can be read).

Bounded: at most 200 loopback connections for a few seconds; every socket is closed at the end."""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import replace

import pytest
import requests

from kg.config import Settings
from kg.devtools.procs import descendants
from kg.web import create_app
from tests.web_server import KgServe, Live, SlowLoris, kg_serve, probe, probes_behind_slow_bodies, serving


@pytest.fixture(scope="module")
def production(live: Live):
    """`kg serve`'s production server over the live fixture's data, with the shipped server settings."""
    with kg_serve(live.settings) as server:
        yield server


def _recv_all(sock: socket.socket, seconds: float) -> tuple[bytes, bool]:
    """Everything the server sends within ``seconds``, and whether it then closed the connection."""
    sock.settimeout(0.5)
    data, deadline = b"", time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


# --- item 6: an unexpected exception is one logged traceback and the usual error shape -------------------

@pytest.fixture(scope="module")
def buggy(live: Live):
    """The same app over the same store, plus one route with a bug in it."""
    app = create_app(live.settings, live.store)

    def boom() -> str:
        raise RuntimeError("a bug in a view")

    app.add_url_rule("/boom", "boom", boom)
    with serving(app, live.settings) as server:
        yield f"http://127.0.0.1:{server.port}"


def test_a_bug_is_a_500_in_the_usual_shape_logged_once(buggy: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR):
        r = requests.get(buggy + "/boom", headers={"Accept": "application/json"}, timeout=30)
        page = requests.get(buggy + "/boom", headers={"Accept": "text/html"}, timeout=30)
    assert r.status_code == 500
    assert r.json() == {"error": "Internal Server Error", "status": 500,
                        "message": "The server failed on this request; it has been logged."}
    assert "a bug in a view" not in r.text  # the exception text is not leaked
    assert page.status_code == 500 and page.headers["Content-Type"].startswith("text/html")
    assert "<title>500 Internal Server Error" in page.text and "property object" not in page.text
    errors = [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    assert [rec.getMessage() for rec in errors] == ["unhandled error on GET /boom"] * 2
    assert all(rec.exc_info and rec.exc_info[0] is RuntimeError for rec in errors)  # no second TypeError


# --- item 8: Content-Length with Transfer-Encoding: 400, and the connection is closed ----------------------

def test_content_length_with_chunked_is_refused_and_closes_the_connection(production: KgServe) -> None:
    smuggled = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    second = b"GET /dumps/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"
    with socket.create_connection(("127.0.0.1", production.port), timeout=10) as sock:
        sock.sendall(smuggled + second)
        data, closed = _recv_all(sock, 10)
    assert data.startswith(b"HTTP/1.1 400 "), data[:200]
    assert data.count(b"HTTP/1.1 ") == 1, "the pipelined request behind it was answered"
    assert b'"files"' not in data
    assert closed, "the connection stayed open after the 400"


def test_a_plain_chunked_body_still_works_and_keeps_the_connection(production: KgServe) -> None:
    query = b"ASK { ?s ?p ?o }"
    chunked = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               b"Accept: application/sparql-results+json\r\nTransfer-Encoding: chunked\r\n\r\n"
               + f"{len(query):x}\r\n".encode() + query + b"\r\n0\r\n\r\n")
    with socket.create_connection(("127.0.0.1", production.port), timeout=10) as sock:
        sock.sendall(chunked * 2)
        data, closed = _recv_all(sock, 3)
    assert data.count(b"HTTP/1.1 200 OK") == 2 and data.count(b'"boolean": true') == 2, data[:400]
    assert not closed


# --- item 9: slow clients do not starve the others ----------------------------------------------------------

def test_200_slow_clients_do_not_starve_a_probe(production: KgServe) -> None:
    """The issue's bar is < 1 s with 200 slow connections for 30 s; here 8 s of them (bounded), and
    the bar with headroom for a loaded machine (the figures under load: bench/server_bench.py)."""
    url = production.url + "/sparql?query=" + requests.utils.quote("ASK { ?s ?p ?o }")
    with SlowLoris("127.0.0.1", production.port, count=200):
        time.sleep(2)  # all 200 connected and trickling
        took = []
        for _ in range(6):
            took.append(probe(url, timeout=10))
            time.sleep(1)
    assert all(t is not None for t in took), f"probes failed behind slow clients: {took}"
    assert max(t for t in took if t is not None) < 3.0, took


def test_slow_request_bodies_do_not_starve_a_probe(production: KgServe) -> None:
    """Twice as many bodies trickling as the server has request threads: the site still answers.
    (granian 2.8 fails this: it hands a WSGI app the body to read from a request thread, with no
    deadline; docs/server.md.)"""
    url = production.url + "/sparql?query=" + requests.utils.quote("ASK { ?s ?p ?o }")
    took = probes_behind_slow_bodies(url, production.port, count=2 * Settings().serve_threads)
    assert all(t is not None for t in took), f"probes failed behind slow request bodies: {took}"


@pytest.mark.parametrize("head", [b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
                                  b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query"
                                  b"\r\nContent-Length: 1000\r\n\r\nASK "], ids=["headers", "body"])
def test_a_request_trickling_past_the_deadline_is_closed(live: Live, head: bytes) -> None:
    with kg_serve(replace(live.settings, request_timeout=2.0)) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(head)
            started, closed = time.monotonic(), False
            while not closed and time.monotonic() - started < 15:
                try:
                    sock.sendall(b"a")  # never silent, so only the whole-request deadline can end it
                except OSError:
                    closed = True
                    break
                data, closed = _recv_all(sock, 0.5)
                assert data == b"" or data.startswith(b"HTTP/1.1 408 "), data[:200]
        assert closed and time.monotonic() - started < 10, "the slow request was not cut at its deadline"


# --- `kg serve` hands the store its settings ------------------------------------------------------------------

def test_kg_serve_passes_the_store_settings_to_the_store(live: Live) -> None:
    """The allowlist, the byte cap and the number of query workers, each seen from outside; the byte
    cap and the heavy lane are also what tests/test_web_fairness.py checks against this server."""
    settings = replace(live.settings, query_workers=2, max_bytes=3000, max_rows=1000)
    with kg_serve(settings) as server:
        before = len(live.allowed.hits)
        r = requests.get(server.url + "/sparql", timeout=30,
                         params={"query": f"SELECT ?x WHERE {{ SERVICE <{live.allowed.url}> {{ ?x ?p ?o }} }}"})
        assert r.status_code == 200 and r.json()["results"]["bindings"][0]["x"]["value"] == "remote", r.text
        assert len(live.allowed.hits) == before + 1  # the default allowlist (Wikidata only) would have refused
        refused = requests.get(server.url + "/sparql", timeout=30,
                               params={"query": f"SELECT ?x WHERE {{ SERVICE <{live.forbidden.url}> {{ ?x ?p ?o }} }}"})
        assert refused.status_code == 403 and not live.forbidden.hits
        cut = requests.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=30)
        assert cut.status_code == 200 and cut.headers["X-SPARQL-Truncated"] == "true" and len(cut.content) <= 3000
        family = {pid: p for pid, p in descendants(server.proc.pid).items() if p.alive}
        workers = [p for pid, p in family.items() if not any(q.ppid == pid for q in family.values())]
        assert len(workers) == settings.query_workers, family  # the processes that run queries: leaves
        assert len({p.ppid for p in workers}) == 1, family  # all forked by one zygote: one store
