"""SERVICE can reach the allowlisted endpoints only, however it is spelled (issue 13, item 1).

First line: the guard reads the query as the engine does (``kg.store.scan``). Second line: the
worker that federates lives in a network namespace whose only way out is a forwarder to the
allowlisted host:port (``kg.store.egress``). A "forbidden" HTTP server on 127.0.0.1 must receive no
connection at all, and a 502 never carries a byte of a remote answer.
"""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest
import requests
from waitress.server import create_server

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.store.types import QueryEngineError
from kg.web import create_app
from tests.web_server import make_data_dir

SECRET = "s3cr3t-internal-page"
RESULTS = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"remote"}}]}}'


@dataclass
class Remote:
    """An HTTP server that records every connection and request, with a few ways of answering."""

    connections: list[str] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)
    port: int = 0

    def start(self) -> Remote:
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                if self.path.startswith("/sparql"):
                    status, kind, body = 200, "application/sparql-results+json", RESULTS
                elif self.path.startswith("/error"):
                    status, kind, body = 500, "text/plain", f"{SECRET} error page".encode()
                elif self.path.startswith("/html"):
                    status, kind, body = 200, "text/html", f"<p>{SECRET}</p>".encode()
                else:  # claims to be SPARQL results but is not
                    status, kind, body = 200, "application/sparql-results+json", f'{{"head": "{SECRET}'.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        connections = self.connections

        class Server(http.server.ThreadingHTTPServer):
            def get_request(self) -> tuple[socket.socket, object]:
                conn, address = super().get_request()
                connections.append(str(address))
                return conn, address

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def url(self, path: str = "sparql") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Site:
    url: str
    store: OxigraphStore
    allowed: Remote
    forbidden: Remote


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    data_dir = make_data_dir(tmp_path_factory.mktemp("bypass"))
    allowed, forbidden = Remote().start(), Remote().start()
    settings = replace(Settings(), output_dir=data_dir, query_timeout=5.0, service_timeout=5.0, max_rows=20,
                       service_allowlist=tuple(allowed.url(p) for p in ("sparql", "error", "html", "garbled")))
    store = OxigraphStore(data_dir, warm_workers=2)
    server = create_server(create_app(settings, store), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield Site(f"http://127.0.0.1:{server.effective_port}", store, allowed, forbidden)
    finally:
        server.close()
        store.close()
        allowed.stop()
        forbidden.stop()


def spellings(forbidden: str, allowed: str) -> list[str]:
    """Ways to write a SERVICE to ``forbidden``, most of them beside an allowed one."""
    host = forbidden.rsplit("/", 1)[0] + "/"
    escaped = "".join(f"\\u{ord(c):04X}" for c in forbidden)
    return [
        # the reported bypass: the old guard decoded \u0022 everywhere and saw one long string
        f'SELECT * WHERE {{ BIND("\\u0022" AS ?a) SERVICE <{forbidden}> {{ ?s ?p ?o }} BIND("\\u0022" AS ?b) '
        f'SERVICE <{allowed}> {{ ?x ?y ?z }} }}',
        f"SELECT * WHERE {{ BIND('\\u0027' AS ?a) SERVICE <{forbidden}> {{ ?s ?p ?o }} BIND('\\u0027' AS ?b) "
        f"SERVICE <{allowed}> {{ ?x ?y ?z }} }}",
        f'SELECT * WHERE {{ BIND("\\U00000022" AS ?a) SERVICE <{forbidden}> {{ ?s ?p ?o }} BIND("\\U00000022" AS ?b) '
        f'SERVICE <{allowed}> {{ ?x ?y ?z }} }}',
        f'SELECT * WHERE {{ BIND("\\"" AS ?a) SERVICE <{forbidden}> {{ ?s ?p ?o }} '
        f'SERVICE <{allowed}> {{ ?x ?y ?z }} }}',
        f'SELECT * WHERE {{ BIND("""a""" AS ?a) SERVICE <{forbidden}> {{ ?s ?p ?o }} }}',
        f"SELECT * WHERE {{ SERVICE <{escaped}> {{ ?s ?p ?o }} SERVICE <{allowed}> {{ ?x ?y ?z }} }}",
        f"PREFIX f: <{host}> SELECT * WHERE {{ SERVICE f:sparql {{ ?s ?p ?o }} }}",
        f"PREFIX f: <{allowed.rsplit('/', 1)[0]}/> PREFIX f: <{host}> "
        f"SELECT * WHERE {{ SERVICE f:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p ?o # a comment \\u000A\n SERVICE <{forbidden}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{forbidden}> {{ ?s ?p ?o }} SERVICE <{allowed}> {{ ?x ?y ?z }} }}",
        f"SELECT * WHERE {{ SERVICE \\u0053ILENT <{forbidden}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{forbidden}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?e {{ <{forbidden}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
        f"BASE <{host}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    ]


def test_no_spelling_of_a_forbidden_service_reaches_it(site: Site) -> None:
    for query in spellings(site.forbidden.url(), site.allowed.url()):
        r = requests.post(site.url + "/sparql", data={"query": query}, timeout=20)
        assert r.status_code in (400, 403), (r.status_code, query)
        message = r.json()["message"]
        assert "not allowed" in message or "escapes" in message, message
    assert site.forbidden.connections == [] and site.forbidden.hits == []


def test_the_allowed_service_still_answers_through_the_confined_worker(site: Site) -> None:
    for query in (f"SELECT ?x WHERE {{ SERVICE <{site.allowed.url()}> {{ ?x ?p ?o }} }}",
                  "SELECT ?x WHERE { SERVICE <" + "".join(f"\\u{ord(c):04X}" for c in site.allowed.url())
                  + "> { ?x ?p ?o } }"):
        r = requests.get(site.url + "/sparql", params={"query": query}, timeout=20)
        assert r.status_code == 200, r.text
        assert [b["x"]["value"] for b in r.json()["results"]["bindings"]] == ["remote"]


def test_the_federating_worker_reaches_no_other_host(site: Site) -> None:
    """The second line alone: the guard is bypassed (the store is asked directly), the worker may
    reach the allowed endpoint only; the forbidden server and the site itself see no connection."""
    if not site.store.sandboxed:
        pytest.skip("this kernel offers no network namespaces: the second line cannot be built here")
    allowed = (site.allowed.url(),)
    works = site.store.query(f"SELECT ?x WHERE {{ SERVICE <{site.allowed.url()}> {{ ?x ?p ?o }} }}", 5,
                             federated=allowed)
    assert [row[0][1] for row in works.rows] == ["remote"]  # type: ignore[union-attr]
    by_name = f"http://localhost:{site.allowed.port}/sparql"  # a host name: reached through the private /etc/hosts
    named = site.store.query(f"SELECT ?x WHERE {{ SERVICE <{by_name}> {{ ?x ?p ?o }} }}", 5, federated=(by_name,))
    assert [row[0][1] for row in named.rows] == ["remote"]  # type: ignore[union-attr]
    for target in (site.forbidden.url(), site.url + "/sparql", f"http://localhost:{site.forbidden.port}/sparql"):
        with pytest.raises(QueryEngineError):
            site.store.query(f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}", 5, federated=allowed)
    assert site.forbidden.connections == []


@pytest.mark.parametrize("path", ["error", "html", "garbled"])
def test_a_failed_service_call_never_relays_the_remote_answer(site: Site, path: str) -> None:
    query = f"SELECT * WHERE {{ SERVICE <{site.allowed.url(path)}> {{ ?s ?p ?o }} }}"
    r = requests.get(site.url + "/sparql", params={"query": query}, timeout=20)
    assert r.status_code == 502
    assert SECRET not in r.text and "error page" not in r.text
    assert "SERVICE" in r.json()["message"]
    assert any(hit.startswith("/" + path) for hit in site.allowed.hits)


def test_the_engine_reads_escapes_as_the_guard_says(site: Site) -> None:
    """The facts the guard's reading rests on, checked against the installed engine: an escaped quote
    does not end a string, an escape in an IRI is decoded, one in a keyword is a syntax error."""
    store = site.store
    one = store.query('SELECT ?v WHERE { BIND("\\u0022" AS ?v) }', 5)
    assert [row[0][1] for row in one.rows] == ['"']  # type: ignore[union-attr]
    assert store.query("ASK { FILTER(<urn:a\\u0062> = <urn:ab>) }", 5).value is True  # type: ignore[union-attr]
    r = requests.get(site.url + "/sparql", params={"query": "SELECT * WHERE { \\u0053ERVICE <urn:x> {} }"},
                     timeout=20)
    assert r.status_code == 400 and "escapes" in r.json()["message"]

