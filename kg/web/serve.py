"""`kg serve`: the publisher under waitress (a production WSGI server, threads, no reloader), tuned
against slow clients, strict on request framing, and stopped gracefully.

Why waitress, tuned: measured beside gunicorn and granian in ``bench/server_bench.py`` (table and
reasons in docs/server.md). gunicorn's threads wait on slow clients; granian serves far more requests
per second but hands a WSGI app the request body unread, with no deadline, so clients trickling bodies
hold its request threads and starve the site (it ran `kg serve` for one commit and failed
``tests/test_web_server.py::test_slow_request_bodies_do_not_starve_a_probe``; waitress reads the whole
request in its I/O thread before a thread sees it). Threads
only wait for query workers (separate processes, see ``kg.store.pool``), so a few threads per core keep
the site responsive while a long query runs, and one process keeps one store (a pre-forking server
would load and fork it once per process). ``query_workers`` stay forked and ready: fewer than the
concurrent clients would make every extra request fork (and then stop) a worker, a few milliseconds
each (see bench/README.md).

What is tuned, and why:

- **Slow clients.** waitress reads every request in its one I/O thread and hands only complete
  requests to the worker threads, so a client trickling its headers costs a socket, not a thread. What
  starved the site was the connection limit (100) and a timeout that only counts *silence* (120 s):
  100 trickling clients held every slot forever. Here the limit is ``Settings.max_connections`` (the
  open-files limit is raised to fit), and a request must arrive whole within
  ``Settings.request_timeout`` seconds, however steadily it trickles; slower connections are closed.
- **Framing.** A request with both Content-Length and Transfer-Encoding is refused with 400 *and the
  connection is closed* (RFC 9112 §6.1), so nothing pipelined behind it is read as a request: the
  two headers disagreeing is how requests are smuggled past a proxy.
- **SIGTERM / SIGINT.** Stop accepting (the listening socket is closed at once), let requests in flight
  finish for up to ``Settings.shutdown_grace`` seconds while idle keep-alive connections are closed,
  then stop the threads and the store's worker processes.
"""

from __future__ import annotations

import logging
import resource
import signal
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError
from waitress.server import TcpWSGIServer

from kg.config import Settings
from kg.errors import KGError
from kg.store import open_store
from kg.web import create_app

LOOP_TIMEOUT = 0.5  # seconds one turn of the I/O loop may wait: how soon a stop request is seen
# waitress warns "Task queue depth is N" for every request that waits for a thread, and writes it while
# holding the dispatcher's lock: under 16 connections that is a line per request, costing the I/O thread
# and blocking every request thread meanwhile. More connections than threads is the design here
# (threads wait on query workers), so only errors of that logger are written.
QUEUE_LOG = logging.getLogger("kg.web.serve.queue")
QUEUE_LOG.setLevel(logging.ERROR)


class StrictParser(HTTPRequestParser):
    """waitress's parser, refusing a request that carries both Content-Length and Transfer-Encoding
    (waitress would let chunked win and keep the connection open). A ParsingError becomes waitress's
    400, whose task closes the connection and drops whatever was pipelined after it."""

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)  # first, so the 400 answers in the request's HTTP version
        if self.chunked and "CONTENT_LENGTH" in self.headers:
            raise ParsingError("Content-Length and Transfer-Encoding must not both be sent (RFC 9112 section 6.1)")


class Channel(HTTPChannel):
    """One client connection; remembers when the request now arriving began, for the deadline."""

    parser_class = StrictParser
    request_started = 0.0

    def received(self, data: bytes) -> bool:
        server: Server = self.server  # type: ignore[assignment]
        if server.draining:  # shutting down: finish what is in flight, read nothing new
            return False
        if self.request is None and data:
            self.request_started = time.time()
        return super().received(data)


class Server(TcpWSGIServer):
    """waitress's TCP server with a whole-request deadline and a graceful stop."""

    channel_class = Channel
    draining = False
    request_timeout = 15.0

    @property
    def port(self) -> int:
        """The port listened on (waitress keeps ``effective_port`` as text)."""
        return int(self.effective_port)

    def maintenance(self, now: float) -> None:
        """waitress closes connections silent for ``channel_timeout``; also close those whose request
        has been arriving for longer than ``request_timeout`` (a slow-loris client is never silent)."""
        super().maintenance(now)
        cutoff = now - self.request_timeout
        for channel in list(self.active_channels.values()):
            partial = channel.request is not None and not channel.request.completed
            if partial and not channel.requests and channel.request_started < cutoff:
                channel.will_close = True

    def busy_channels(self) -> list[Channel]:
        """Connections with a request being answered or an answer still being sent."""
        return [c for c in list(self.active_channels.values()) if c.requests or c.total_outbufs_len]

    def turn(self, timeout: float = LOOP_TIMEOUT) -> None:
        """One turn of the I/O loop (accept, read, write, timeouts)."""
        wasyncore.loop(timeout=timeout, map=self._map, use_poll=self.adj.asyncore_use_poll, count=1)

    def stop_accepting(self) -> None:
        """Close the listening socket: new connections are refused from now on."""
        self.draining = True
        self.accepting = False
        self.del_channel()
        self.socket.close()

    def drain(self, grace: float) -> bool:
        """Let requests in flight finish (at most ``grace`` seconds), closing every idle connection;
        True when all finished in time. Then the request threads are stopped."""
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            busy = self.busy_channels()
            for channel in list(self.active_channels.values()):
                if channel not in busy:
                    channel.will_close = True
            if not busy:
                break
            self.turn(min(0.05, max(0.0, deadline - time.monotonic())))
        finished = not self.busy_channels()
        self.task_dispatcher.shutdown(cancel_pending=True, timeout=max(0.1, deadline - time.monotonic()))
        wasyncore.close_all(self._map)
        return finished


def create_server(app: Callable[..., Any], settings: Settings, port: int | None = None) -> Server:
    """The tuned waitress server for ``app`` on ``settings.host``, bound and listening (``port`` 0: a free one)."""
    adj = Adjustments(host=settings.host, port=settings.port if port is None else port,
                      threads=settings.serve_threads, ident="bolcorr-kg",
                      max_request_body_size=settings.max_body_bytes + 65536,
                      connection_limit=settings.max_connections, asyncore_use_poll=True,
                      channel_timeout=max(1, int(settings.request_timeout)),
                      cleanup_interval=max(1, int(settings.request_timeout / 4)),
                      asyncore_loop_timeout=1, clear_untrusted_proxy_headers=True)
    server = Server(app, map={}, adj=adj)
    server.request_timeout = settings.request_timeout
    server.task_dispatcher.queue_logger = QUEUE_LOG  # type: ignore[attr-defined]
    return server


def _raise_open_files_limit(wanted: int) -> None:
    """Every connection is a file descriptor; lift the soft limit towards ``wanted`` (never above the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve_until_stopped(server: Server, grace: float, stop: threading.Event | None = None) -> bool:
    """Run ``server`` until SIGTERM or SIGINT (or ``stop`` is set), then stop gracefully; True when
    every request in flight finished within ``grace``. Signal handlers are installed only when this
    runs on the main thread (tests run servers on other threads and set ``stop``)."""
    stop = stop or threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
    while not stop.is_set():
        server.turn()
    server.stop_accepting()
    return server.drain(grace)


def run(settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT; requests in flight finish, then the store's worker processes stop."""
    options = {"max_bytes": settings.max_bytes} if settings.sparql_backend else {
        "warm_workers": settings.query_workers, "max_bytes": settings.max_bytes,
        "heavy_queries": settings.heavy_queries, "heavy_after": settings.heavy_after,
        "service_allowlist": settings.service_allowlist}
    _raise_open_files_limit(settings.max_connections + 256)
    store = open_store(settings.output_dir, settings.sparql_backend, **options)
    reopen = None if settings.sparql_backend else partial(open_store, settings.output_dir, None, **options)
    app = None
    try:
        app = create_app(settings, store, reopen)  # a build published into output/ later is swapped in
        try:
            server = create_server(app, settings)
        except OSError as err:  # port taken, address not ours: a command that cannot start (exit 2)
            raise KGError(f"cannot listen on {settings.host}:{settings.port}: {err.strerror or err}") from None
        print(f"kg: serving {settings.output_dir} on http://{settings.host}:{server.port}/", flush=True)
        if not serve_until_stopped(server, settings.shutdown_grace):
            print(f"kg: stopped with requests still running after {settings.shutdown_grace:g} s", flush=True)
    finally:
        if app is not None:
            app.extensions["kg.releases"].close()  # the store of a release swapped in since the start
        store.close()
