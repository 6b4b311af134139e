"""`kg link` against hostile servers: issue 13, items 17–20 (the outside attack, replayed on loopback).

Every server here is a real HTTP server (``http.server``) on a loopback address, run by the test; it
answers the recorded Wikidata bodies of tests/test_link.py for ordinary questions and misbehaves, as
scripted, for one search string: a byte every 0.1 s (in the headers or in the body), an endless body
(with or without a Content-Length, or gzip that expands past the cap), a redirect to another host, a
deeply nested JSON body. It records what reached it, so the tests can say what the other host and
the server saw (connections, requests, whether the client hung up) as well as what the run reported,
what it cached and its exit code. Caps and deadlines are small so each test takes seconds.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import trustme
from click.testing import CliRunner

from kg.cli import cli
from kg.config import Settings
from kg.link.client import ClientConfig, WikidataClient, json_depth
from kg.link.reconcile import reconcile
from tests.test_link import API_PATH, RecordedWikidata, person, subjects_of

CAP = 64 * 1024  # the tests' size cap: far below what the hostile servers offer


@dataclass
class Seen:
    """One request as the server received it."""

    path: str
    key: str  # the search string, or the ids asked for
    user_agent: str


@dataclass
class Played:
    """What a scripted behaviour did: bytes written, and whether the client hung up before the end."""

    sent: int = 0
    hung_up: bool = False


Behaviour = Callable[["_Handler", "Played"], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        box = self.server.box
        query = parse_qs(urlsplit(self.path).query)
        action = query.get("action", [""])[0]
        key = query.get("search", query.get("ids", [""]))[0]
        box.seen.append(Seen(self.path, key, self.headers.get("User-Agent", "")))
        self.close_connection = True
        played = box.played.setdefault(key, Played())
        if box.moved and self.path.startswith(box.moved + "/"):
            self.head(301, Location=self.path[len(box.moved):], Content_Length="0")
            return
        behaviour = box.behaviours.get(key) or (lambda h, p: h.send_json(recorded(action, key), p))
        try:
            behaviour(self, played)
        except OSError:  # the client hung up (reset, broken pipe, TLS cut short)
            played.hung_up = True

    def head(self, status: int = 200, **headers: str) -> None:
        self.send_response_only(status)
        for name, value in {"Content-Type": "application/json; charset=utf-8", "Connection": "close",
                            **{k.replace("_", "-"): v for k, v in headers.items()}}.items():
            self.send_header(name, value)
        self.end_headers()

    def send_json(self, body: object, played: Played) -> None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.head(Content_Length=str(len(data)))
        self.write(data, played)

    def write(self, data: bytes, played: Played) -> None:
        self.wfile.write(data)
        played.sent += len(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    box: ServerBox

    def verify_request(self, request: object, client_address: object) -> bool:
        self.box.connections += 1  # counted on accept: "received nothing" means not even a connection
        return True


@dataclass
class ServerBox:
    """A scripted server and what reached it."""

    host: str
    behaviours: dict[str, Behaviour] = field(default_factory=dict)  # search string -> misbehaviour
    seen: list[Seen] = field(default_factory=list)
    played: dict[str, Played] = field(default_factory=dict)
    connections: int = 0
    moved: str = ""  # a path prefix answered with a redirect to the path without it
    stop: threading.Event = field(default_factory=threading.Event)  # ends drips at teardown
    port: int = 0
    scheme: str = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}{API_PATH}"

    def asked(self, key: str) -> int:
        return sum(1 for s in self.seen if s.key == key)


def recorded(action: str, key: str) -> dict:
    return RecordedWikidata.search(key) if action == "wbsearchentities" else RecordedWikidata.entities(key.split("|"))


@pytest.fixture
def serve() -> Iterator[Callable[[str], ServerBox]]:
    """Start servers on loopback addresses; stopped (and their handler threads joined) after the test."""
    started: list[tuple[_Server, threading.Thread, ServerBox]] = []

    def start(host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> ServerBox:
        box = ServerBox(host, scheme="https" if tls else "http")
        server = _Server((host, 0), _Handler)
        if tls is not None:
            server.socket = tls.wrap_socket(server.socket, server_side=True)
        server.box, box.port = box, server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        started.append((server, thread, box))
        return box

    yield start
    for server, thread, box in started:
        box.stop.set()
        server.shutdown()
        server.server_close()  # joins the handler threads: their counters are final after this
        thread.join(timeout=10)


def hostile_client(url: str, cache: Path, tls: ssl.SSLContext | None = None, **limits: float) -> WikidataClient:
    """Short everything: no pause between requests, one retry, a 64 KiB cap unless a test says otherwise."""
    config = ClientConfig(base_url=url, user_agent=Settings().user_agent, cache_dir=cache, min_interval=0.0,
                          timeout=5.0, deadline=10.0, max_bytes=CAP, max_retries=1, backoff=0.01, max_delay=1.0)
    return WikidataClient(replace(config, **limits), ssl_context=tls)


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """For what the server thread notices on its own time (a closed connection); fails after ``seconds``."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "condition not met in time"
        time.sleep(0.02)


def cached_searches(cache: Path) -> set[str]:
    """The search strings whose answers are in the cache."""
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in cache.glob("*.json")] if cache.exists() else []
    return {e["params"].get("search", "") for e in entries} - {""}


# -- hostile behaviours -----------------------------------------------------------------------------------------------

SLOW = 0.1  # seconds between two dripped bytes: each read gets a byte long before the 5 s idle timeout


def drip_body(h: _Handler, played: Played) -> None:
    """Headers at once, then a valid answer one byte at a time: 40 bytes, 4 s in all."""
    data = json.dumps({"search": [], "pad": "." * 10}).encode()
    h.head(Content_Length=str(len(data)))
    for byte in data:
        if h.server.box.stop.wait(SLOW):
            return
        h.write(bytes([byte]), played)


def drip_headers(h: _Handler, played: Played) -> None:
    """The status line, then the headers one byte at a time (40 bytes, 4 s): the body never starts in time."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for byte in b"Content-Type: application/json\r\nX-Pad: ...\r\n":
        if h.server.box.stop.wait(SLOW):
            return
        h.write(bytes([byte]), played)
    h.write(b"Content-Length: 2\r\nConnection: close\r\n\r\n{}", played)


def endless(total: int, declare_length: bool) -> Behaviour:
    """A JSON body of ``total`` bytes, streamed 64 KiB at a time (never held whole), with or without a length."""
    head, tail, chunk = b'{"search": [], "pad": "', b'"}', b" " * CHUNK

    def play(h: _Handler, played: Played) -> None:
        if declare_length:
            h.head(Content_Length=str(total))
        else:
            h.head(Transfer_Encoding="chunked")

        def frame(data: bytes) -> bytes:
            return data if declare_length else b"%x\r\n%s\r\n" % (len(data), data)

        h.write(frame(head), played)
        for _ in range((total - len(head) - len(tail)) // CHUNK):
            if h.server.box.stop.is_set():
                return
            h.write(frame(chunk), played)
        h.write(frame(tail) + (b"" if declare_length else b"0\r\n\r\n"), played)

    return play


CHUNK = 64 * 1024


def _gzip_of_spaces(size: int) -> bytes:
    """gzip of a JSON string of ``size`` spaces, compressed piecewise (the test never holds the expanded form)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'{"search": [], "pad": "')]
    parts += [packer.compress(b" " * (1 << 20)) for _ in range(size >> 20)]
    return b"".join([*parts, packer.compress(b'"}'), packer.flush()])


GZIP_BOMB = _gzip_of_spaces(32 << 20)  # about 32 KB, under the cap; 32 MB once expanded, far over it


def gzip_bomb(h: _Handler, played: Played) -> None:
    h.head(Content_Length=str(len(GZIP_BOMB)), Content_Encoding="gzip")
    h.write(GZIP_BOMB, played)


def redirect_to(url: str) -> Behaviour:
    def play(h: _Handler, played: Played) -> None:
        h.head(302, Location=url + "?" + urlsplit(h.path).query, Content_Length="0")
    return play


NESTED = (b'{"searchinfo": {"search": "Nestov"}, "search": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")


def nested(h: _Handler, played: Played) -> None:
    h.head(Content_Length=str(len(NESTED)))
    h.write(NESTED, played)


VICTIM = person("victim-a-a", "Victim")  # the entity whose searches the hostile server answers badly
BYSTANDER = person("flakin-b-b", "Flakin")  # answered normally: the run must go on to it


# -- item 19: a total deadline per request ------------------------------------------------------------------------


@pytest.mark.parametrize("behaviour", [drip_body, drip_headers], ids=["body", "headers"])
def test_a_server_dripping_bytes_is_cut_off_at_the_deadline_and_retried_then_the_entity_fails(
        serve: Callable[[str], ServerBox], tmp_path: Path, behaviour: Behaviour) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = behaviour
    client = hostile_client(api.url, tmp_path / "cache", deadline=0.5)
    started = time.monotonic()
    candidates, summary = reconcile(subjects_of(VICTIM, BYSTANDER), client)
    elapsed = time.monotonic() - started

    assert api.asked("Victim") == 2  # the first attempt and the one retry (max_retries=1), then it gave up
    assert [(e.subject_id, e.message) for e in summary.errors] == [
        ("victim-a-a", "wbsearchentities 'Victim': gave up after 2 attempts: "
                       "no complete answer within the 0.5 s deadline")]
    assert "ERROR victim-a-a: wbsearchentities 'Victim': gave up after 2 attempts" in str(summary)
    assert summary.retries == 1 and [c.qid for c in candidates] == ["Q900042"]  # the bystander still searched
    assert "Victim" not in cached_searches(tmp_path / "cache") and "Flakin" in cached_searches(tmp_path / "cache")
    # The drip would take 4 s per attempt; the client hung up on both long before (generous bound: 2 × 0.5 s).
    assert elapsed < 3.5
    wait_until(lambda: api.played["Victim"].hung_up)  # the server's next byte found the connection closed
    assert api.played["Victim"].sent < 40  # about 2 × 5 bytes, of the 2 × 40 or more it would have dripped


# -- item 18: a size cap, enforced while streaming ------------------------------------------------------------------


@pytest.mark.parametrize(("behaviour", "message"), [
    (endless(300_000_000, declare_length=True),
     "answer of 300000000 bytes (Content-Length) is over the 65536-byte cap; refused before reading it"),
    (endless(64 << 20, declare_length=False), "answer over the 65536-byte cap: stopped reading at "),
    (gzip_bomb, "answer over the 65536-byte cap once decompressed"),
], ids=["content-length", "chunked", "gzip"])
def test_an_answer_over_the_cap_fails_its_entity_unread_and_uncached(serve: Callable[[str], ServerBox],
                                                                    tmp_path: Path, behaviour: Behaviour,
                                                                    message: str) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = behaviour
    client = hostile_client(api.url, tmp_path / "cache")
    tracemalloc.start()
    try:
        candidates, summary = reconcile(subjects_of(VICTIM, BYSTANDER), client)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert [e.subject_id for e in summary.errors] == ["victim-a-a"]
    assert summary.errors[0].message.startswith(f"wbsearchentities 'Victim': {message}")
    assert api.asked("Victim") == 1  # the same question would get the same answer: not retried
    assert [c.qid for c in candidates] == ["Q900042"]
    assert peak < 8 << 20  # the whole run held a few MB at most, against 64–300 MB offered
    assert cached_searches(tmp_path / "cache") == {"Flakin"}
    assert sum(p.stat().st_size for p in (tmp_path / "cache").glob("*")) < 2 * CAP


def test_a_cache_file_over_the_cap_is_not_read_but_asked_again_and_replaced(serve: Callable[[str], ServerBox],
                                                                           tmp_path: Path) -> None:
    """Caches written before the cap existed may hold hundreds of MB: they are ignored, never loaded."""
    api = serve("127.0.0.1")
    reconcile(subjects_of(BYSTANDER), hostile_client(api.url, tmp_path / "cache"))
    [search_file] = [p for p in (tmp_path / "cache").glob("*.json")
                     if json.loads(p.read_text(encoding="utf-8"))["params"].get("search") == "Flakin"]
    entry = json.loads(search_file.read_text(encoding="utf-8"))
    search_file.write_text(json.dumps({**entry, "body": {**entry["body"], "pad": " " * 2 * CAP}}), encoding="utf-8")

    candidates, summary = reconcile(subjects_of(BYSTANDER), hostile_client(api.url, tmp_path / "cache"))
    assert api.asked("Flakin") == 2 and api.asked("Q900042") == 1  # the oversized entry was asked again
    assert summary.errors == [] and [c.qid for c in candidates] == ["Q900042"]
    assert json.loads(search_file.read_text(encoding="utf-8"))["body"] == entry["body"]  # replaced by the answer


def broken_gzip(h: _Handler, played: Played) -> None:
    data = GZIP_BOMB[:10] + b"not deflate data at all" * 10
    h.head(Content_Length=str(len(data)), Content_Encoding="gzip")
    h.write(data, played)


def truncated_gzip(h: _Handler, played: Played) -> None:
    data = _gzip_of_spaces(0)[:-12]  # a small, valid answer without its last bytes (the trailer and then some)
    h.head(Content_Length=str(len(data)), Content_Encoding="gzip")
    h.write(data, played)


@pytest.mark.parametrize(("behaviour", "message"), [
    (broken_gzip, "malformed gzip answer: Error -3 while decompressing data"),
    (truncated_gzip, "malformed gzip answer: it ends before the compressed data does"),
], ids=["broken", "truncated"])
def test_a_broken_gzip_answer_fails_its_entity(serve: Callable[[str], ServerBox], tmp_path: Path,
                                              behaviour: Behaviour, message: str) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = behaviour
    candidates, summary = reconcile(subjects_of(VICTIM, BYSTANDER), hostile_client(api.url, tmp_path / "cache"))
    assert [e.subject_id for e in summary.errors] == ["victim-a-a"]
    assert summary.errors[0].message.startswith(f"wbsearchentities 'Victim': {message}")
    assert api.asked("Victim") == 1 and [c.qid for c in candidates] == ["Q900042"]
    assert cached_searches(tmp_path / "cache") == {"Flakin"}


def test_the_size_cap_is_a_kg_link_option_and_an_oversized_answer_exits_1(serve: Callable[[str], ServerBox],
                                                                          tmp_path: Path) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = endless(300_000_000, declare_length=True)
    result = run_kg_link(api, tmp_path, "--max-bytes", str(CAP), "--deadline", "5")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "searched 2/3 entities" in result.output and "1 errors" in result.output
    assert ("ERROR victim-a-a: wbsearchentities 'Victim': answer of 300000000 bytes (Content-Length) is over the "
            "65536-byte cap; refused before reading it") in result.output
    assert "Traceback" not in result.output
    assert api.played["Victim"].sent < 300_000_000 and "Victim" not in cached_searches(tmp_path / "cache")


# -- item 20: redirects only within the configured API's origin -----------------------------------------------------


@pytest.mark.parametrize("elsewhere", ["127.0.0.2", "127.0.0.1"], ids=["other-host", "other-port"])
def test_a_redirect_to_another_origin_is_refused_and_nothing_reaches_it(serve: Callable[[str], ServerBox],
                                                                        tmp_path: Path, elsewhere: str) -> None:
    api, other = serve("127.0.0.1"), serve(elsewhere)
    api.behaviours["Victim"] = redirect_to(other.url)
    result = run_kg_link(api, tmp_path)

    assert other.connections == 0 and other.seen == []  # not the query, not the User-Agent: not even a connection
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert (f"ERROR victim-a-a: wbsearchentities 'Victim': HTTP 302 redirect to http://{elsewhere}:{other.port}"
            f"{API_PATH} refused: only redirects within http://127.0.0.1:{api.port} (the configured API) are "
            "followed") in result.output
    assert api.asked("Victim") == 1  # refused, not retried
    assert "searched 2/3 entities" in result.output and "Traceback" not in result.output
    assert "Victim" not in cached_searches(tmp_path / "cache")


def test_a_redirect_within_the_api_origin_is_followed(serve: Callable[[str], ServerBox], tmp_path: Path) -> None:
    api = serve("127.0.0.1")
    api.moved = "/old"  # the API moved: every question to /old/... is redirected to the same path without it
    client = hostile_client(f"http://127.0.0.1:{api.port}/old{API_PATH}", tmp_path / "cache")
    candidates, summary = reconcile(subjects_of(BYSTANDER), client)
    assert summary.errors == [] and [c.qid for c in candidates] == ["Q900042"]
    assert [(s.key, s.path.split("?")[0]) for s in api.seen] == [
        ("Flakin", f"/old{API_PATH}"), ("Flakin", API_PATH), ("Q900042", f"/old{API_PATH}"), ("Q900042", API_PATH)]
    assert {s.user_agent for s in api.seen} == {Settings().user_agent}


def test_a_redirect_to_a_malformed_url_is_refused(serve: Callable[[str], ServerBox], tmp_path: Path) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = lambda h, p: h.head(302, Location=f"{api.url}?search=Vict\u00efm", Content_Length="0")
    candidates, summary = reconcile(subjects_of(VICTIM, BYSTANDER), hostile_client(api.url, tmp_path / "cache"))
    assert [(e.subject_id, e.message) for e in summary.errors] == [
        ("victim-a-a", "wbsearchentities 'Victim': HTTP 302 redirect to a malformed URL refused")]
    assert api.asked("Victim") == 1 and [c.qid for c in candidates] == ["Q900042"]


# -- item 17: malformed and deeply nested answers fail one entity -----------------------------------------------------


def test_deeply_nested_json_fails_its_entity_without_a_traceback(serve: Callable[[str], ServerBox],
                                                                 tmp_path: Path) -> None:
    api = serve("127.0.0.1")
    api.behaviours["Victim"] = nested
    result = run_kg_link(api, tmp_path)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "ERROR victim-a-a: wbsearchentities 'Victim': malformed JSON: nested deeper than 64 levels" \
        in result.output
    assert "searched 2/3 entities" in result.output and "Traceback" not in result.output
    assert api.asked("Victim") == 1 and api.asked("Flakin") == 1 and api.asked("Tiflis") == 1
    assert cached_searches(tmp_path / "cache") == {"Flakin", "Tiflis", "Tbilisi"}


def test_json_depth_counts_brackets_outside_strings_only() -> None:
    assert json_depth('{"a": [1, {"b": "[[[{{{"}]}', 64) == 3
    assert json_depth('"\\"[[[" [[]]', 64) == 2  # an escaped quote does not end the string
    assert json_depth("[" * 10_000, 64) == 65  # stops counting past the limit
    # An unterminated string full of escaped quotes: one linear pass (a scan that retried from every
    # quote would take hours here); brackets after its opening quote are inside it.
    assert json_depth('"' + '\\"' * 200_000 + "[[", 64) == 0


# -- the same limits over TLS (the live API is https) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def tls_pair(ca: trustme.CA) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context with a certificate for 127.0.0.1, client context trusting only the test CA)."""
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


def test_over_https_answers_are_read_and_a_drip_is_cut_off_at_the_deadline(serve: Callable[..., ServerBox],
                                                                         tmp_path: Path, ca: trustme.CA) -> None:
    server_tls, client_tls = tls_pair(ca)
    api = serve("127.0.0.1", tls=server_tls)
    api.behaviours["Victim"] = drip_body
    client = hostile_client(api.url, tmp_path / "cache", tls=client_tls, deadline=0.5)
    candidates, summary = reconcile(subjects_of(VICTIM, BYSTANDER), client)
    assert api.url.startswith("https://127.0.0.1:") and [c.qid for c in candidates] == ["Q900042"]
    assert [(e.subject_id, e.message) for e in summary.errors] == [
        ("victim-a-a", "wbsearchentities 'Victim': gave up after 2 attempts: "
                       "no complete answer within the 0.5 s deadline")]
    assert cached_searches(tmp_path / "cache") == {"Flakin"}


def test_over_https_an_untrusted_certificate_is_a_failed_connection(serve: Callable[..., ServerBox], tmp_path: Path,
                                                                    ca: trustme.CA) -> None:
    server_tls, _ = tls_pair(ca)
    api = serve("127.0.0.1", tls=server_tls)
    client = hostile_client(api.url, tmp_path / "cache", tls=ssl.create_default_context())  # system CAs only
    candidates, summary = reconcile(subjects_of(BYSTANDER), client)
    assert candidates == [] and api.seen == []  # no request was sent over the unverified connection
    assert "connection failed: [SSL: CERTIFICATE_VERIFY_FAILED]" in summary.errors[0].message


# -- the `kg link` verb, end to end --------------------------------------------------------------------------------

PEOPLE_TOML = """
[[person]]
id = "victim-a-a"
label = "A. A. Victim"
surnames = ["Victim"]
initials = ["A. A."]

[[person]]
id = "flakin-b-b"
label = "B. B. Flakin"
surnames = ["Flakin"]
initials = ["B. B."]
"""
PLACES_TOML = """
[[place]]
id = "tiflis"
label = "Tiflis"
names = ["Tiflis", "Tbilisi"]
"""


def run_kg_link(api: ServerBox, tmp_path: Path, *options: str):  # type: ignore[no-untyped-def]
    folder = tmp_path / "data" / "authority"
    folder.mkdir(parents=True)
    (folder / "people.toml").write_text(PEOPLE_TOML, encoding="utf-8")
    (folder / "places.toml").write_text(PLACES_TOML, encoding="utf-8")
    return CliRunner().invoke(cli, ["link", "--api", api.url, "--data", str(tmp_path / "data"), "--cache",
                                    str(tmp_path / "cache"), "--min-interval", "0", *options])

