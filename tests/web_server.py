"""A live publisher on 127.0.0.1 for the web tests (waitress in a thread, real worker processes),
plus small HTTP servers that count the hits a SERVICE or FROM clause would cause.

The data directory is built from ``tests/data/web/fixture.trig`` the way `kg build` lays out
output/: kg.trig, a gzip dump, void.ttl and SHA256SUMS.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from waitress.server import create_server

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.web import create_app

FIXTURE = Path(__file__).parent / "data" / "web" / "fixture.trig"
BASE = "https://w3id.org/bolcorr/"
VOID = """@prefix void: <http://rdfs.org/ns/void#> . @prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/bolcorr/dataset> a void:Dataset ; dcterms:title "Bolshevik leadership correspondence (test)"@en ;
  void:sparqlEndpoint <https://w3id.org/bolcorr/sparql> ; void:triples 159 .
"""


@dataclass
class CountingServer:
    """An HTTP server that records every request (path) and answers a one-row SPARQL JSON result."""

    hits: list[str] = field(default_factory=list)
    url: str = ""

    def start(self) -> CountingServer:
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                hits.append(self.path)
                body = json.dumps({"head": {"vars": ["x"]},
                                   "results": {"bindings": [{"x": {"type": "literal", "value": "remote"}}]}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/sparql"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def make_data_dir(target: Path) -> Path:
    """An output/-like directory with the fixture graph, a gzip dump, void.ttl and SHA256SUMS."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(FIXTURE, target / "kg.trig")
    (target / "kg.trig.gz").write_bytes(gzip.compress(FIXTURE.read_bytes(), mtime=0))
    (target / "void.ttl").write_text(VOID, encoding="utf-8")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}" for p in sorted(target.iterdir())]
    (target / "SHA256SUMS").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@dataclass
class Live:
    url: str
    settings: Settings
    store: OxigraphStore
    allowed: CountingServer
    forbidden: CountingServer


def live_settings(data_dir: Path, allowed_url: str) -> Settings:
    return replace(Settings(), output_dir=data_dir, query_timeout=3.0, max_rows=20, max_body_bytes=20_000,
                   service_allowlist=(allowed_url,), service_timeout=3.0)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The publisher on a free loopback port, shared by all web tests of the session."""
    data_dir = make_data_dir(tmp_path_factory.mktemp("output"))
    allowed, forbidden = CountingServer().start(), CountingServer().start()
    settings = live_settings(data_dir, allowed.url)
    store = OxigraphStore(data_dir, warm_workers=2)
    server = create_server(create_app(settings, store), host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield Live(f"http://127.0.0.1:{server.effective_port}", settings, store, allowed, forbidden)
    finally:
        server.close()
        store.close()
        allowed.stop()
        forbidden.stop()
