"""A live publisher on 127.0.0.1 for the web tests, two ways:

- ``live`` / ``serving``: the app in this process under `kg serve`'s tuned waitress server in a thread,
  with real worker processes, for tests that reach into the live store or patch the app;
- ``kg_serve``: `kg serve`'s own production server (``kg.web.serve.run``: waitress, tuned) as a
  subprocess with any ``Settings``, for tests of the *server* (framing, slow clients, deadlines,
  settings passed to the store), exactly as it ships; a subprocess also fits a server that runs its
  app only in worker processes (granian, measured as a candidate: docs/server.md).

Plus small HTTP servers that count the hits a SERVICE or FROM clause would cause.

The data directory is built from ``tests/data/web/fixture.trig`` the way `kg build` lays out
output/: kg.trig, a gzip dump, void.ttl and SHA256SUMS.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import http.server
import json
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.web import create_app
from kg.web.serve import Server, create_server, serve_until_stopped

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
    """No replayed answers on the shared server: its tests change the app (monkeypatch) and count
    what each request does; the answer cache has its own servers in tests/test_web_cache.py."""
    return replace(Settings(), output_dir=data_dir, query_timeout=3.0, max_rows=20, max_body_bytes=20_000,
                   service_allowlist=(allowed_url,), service_timeout=3.0, answer_cache_bytes=0)


@contextmanager
def serving(app: Callable[..., Any], settings: Settings, grace: float = 5.0) -> Iterator[Server]:
    """``app`` under `kg serve`'s server (same tuning, same graceful stop) on a free loopback port, in a
    thread of this process (tests that reach into the app or its store)."""
    server = create_server(app, replace(settings, host="127.0.0.1"), port=0)
    stop = threading.Event()
    thread = threading.Thread(target=serve_until_stopped, args=(server, grace, stop), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=grace + 10)


SERVE = "import pickle, sys; from kg.web.serve import run; run(pickle.loads(bytes.fromhex(sys.argv[1])))"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


@dataclass
class KgServe:
    """`kg serve`'s production server in a subprocess: its process, port and base URL."""

    proc: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def kg_serve(settings: Settings, ready_path: str = "/dumps/", timeout: float = 90) -> Iterator[KgServe]:
    """``kg.web.serve.run(settings)`` (what `kg serve` calls) in a subprocess on a free loopback port,
    answering ``ready_path``; SIGTERM at the end (SIGKILL if a test left it hanging)."""
    settings = replace(settings, host="127.0.0.1", port=free_port())
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-c", SERVE, pickle.dumps(settings).hex()]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) as proc:
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{settings.port}{ready_path}", timeout=5):
                        break
                except urllib.error.HTTPError:
                    break
                except OSError:
                    failed = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
                    assert not failed and proc.poll() is None and time.monotonic() < deadline, failed
                    time.sleep(0.2)
            yield KgServe(proc, settings.port)
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=settings.shutdown_grace + 20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The publisher on a free loopback port, shared by all web tests of the session."""
    data_dir = make_data_dir(tmp_path_factory.mktemp("output"))
    allowed, forbidden = CountingServer().start(), CountingServer().start()
    settings = live_settings(data_dir, allowed.url)
    store = OxigraphStore(data_dir, warm_workers=2)
    try:
        with serving(create_app(settings, store), settings) as server:
            yield Live(f"http://127.0.0.1:{server.port}", settings, store, allowed, forbidden)
    finally:
        store.close()
        allowed.stop()
        forbidden.stop()


@dataclass
class SlowLoris:
    """``count`` connections that trickle one header byte per second and never finish their request
    (loopback only, bounded: ``count`` sockets, reopened when the server closes them, until ``stop``).

    Used by the slow-client regression test and by bench/server_bench.py."""

    host: str
    port: int
    count: int = 200
    reopened: int = 0
    _socks: list = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def _open(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect_ex((self.host, self.port))  # in progress; sends fail until it is accepted
        except BaseException:
            sock.close()
            raise
        return sock

    def _tick(self, tick: int) -> None:
        for i, sock in enumerate(self._socks):
            data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " if tick == 0 else b"a"
            try:
                sock.send(data)
            except BlockingIOError:
                continue  # not accepted yet (listen queue) or the send buffer is full: still held open
            except OSError:  # closed by the server: an attacker reconnects
                sock.close()
                self._socks[i] = self._open()
                self.reopened += 1

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self._tick(tick)
            tick += 1
            self._stop.wait(1.0)

    def __enter__(self) -> SlowLoris:
        if self.host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("slow clients only against loopback")
        self._socks = [self._open() for _ in range(self.count)]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        for sock in self._socks:
            sock.close()


class SlowBodies(SlowLoris):
    """``count`` connections that send whole headers announcing a 1000-byte SPARQL POST body, then
    trickle the body one byte a second (used by the slow-body test and by bench/server_bench.py)."""

    def _tick(self, tick: int) -> None:
        for i, sock in enumerate(self._socks):
            data = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
                    b"Content-Length: 1000\r\n\r\nASK") if tick == 0 else b" "
            try:
                sock.send(data)
            except BlockingIOError:
                continue
            except OSError:
                sock.close()
                self._socks[i] = self._open()
                self.reopened += 1


def probes_behind_slow_bodies(url: str, port: int, count: int) -> list[float | None]:
    """Five probes of ``url`` (``probe``), a second apart, while ``count`` clients trickle request bodies
    to ``port`` on 127.0.0.1: what the slow-body tests of the server and of the nginx front assert on."""
    took: list[float | None] = []
    with SlowBodies("127.0.0.1", port, count=count):
        time.sleep(2)
        for _ in range(5):
            took.append(probe(url, timeout=5))
            time.sleep(1)
    return took


def probe(url: str, timeout: float = 10.0) -> float | None:
    """Seconds a fresh connection takes to get a 200 for ``url``; None when it failed or timed out."""
    parsed = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=timeout)
    try:
        conn.request("GET", parsed.path + (f"?{parsed.query}" if parsed.query else ""),
                     headers={"Accept": "application/sparql-results+json"})
        resp = conn.getresponse()
        resp.read()
        return time.perf_counter() - started if resp.status == 200 else None
    except OSError:
        return None
    finally:
        conn.close()
