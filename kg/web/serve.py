"""`kg serve`: the publisher under granian (a production HTTP server written in Rust, with a WSGI
interface), one worker process with ``serve_threads`` request threads, one store in it, stopped
gracefully.

Why granian: measured beside waitress (tuned) and gunicorn in ``bench/server_bench.py`` and
``bench/cache_bench.py`` (tables and reasons in docs/server.md). It reads requests and writes answers in
Rust, so a replayed answer costs ~0.05 ms of CPU where waitress spent ~0.3-0.5 ms in Python; a client
trickling its headers costs a Rust task, not a thread. It runs WSGI only in worker processes: here
exactly one, so there is one store (its zygote and query workers exist once, ``kg.store.pool``), created
in that worker; threads only wait for query workers, so a few per core keep the site responsive while
a long query runs.

What is set, and why:

- **Slow clients.** ``max_connections`` is granian's backpressure (connections it serves at once; the
  open-files limit is raised to fit) and a request's headers must arrive within ``request_timeout``
  seconds however steadily they trickle (granian's header read deadline); slower connections are closed.
- **Framing.** granian (hyper) refuses a request carrying both Content-Length and Transfer-Encoding with
  400 and closes the connection (RFC 9112 §6.1), so nothing pipelined behind it is read.
- **SIGTERM / SIGINT.** granian's main process tells the worker to stop: it stops accepting at once, lets
  requests in flight finish, and is killed after ``shutdown_grace`` seconds if some have not; the worker
  closes the store on its way out (its query workers end; if the worker is killed, they end with it by
  their parent-death signal). Exit 0.
- **Clear errors.** The worker reports whether its store opened; a build it cannot load stops the
  server, and `kg serve` says so in one ``kg: error:`` line naming the file (exit 2), as for a taken port.
"""

from __future__ import annotations

import math
import multiprocessing
import multiprocessing.util
import resource
import signal
import threading
import time
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server

from kg.config import Settings
from kg.errors import KGError

READY = "ready"


def _raise_open_files_limit(wanted: int) -> None:
    """Every connection is a file descriptor; lift the soft limit towards ``wanted`` (never above the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def store_options(settings: Settings) -> dict[str, Any]:
    """What the store is opened with: the answer cap, and for the embedded store its workers and lanes."""
    if settings.sparql_backend:
        return {"max_bytes": settings.max_bytes}
    return {"warm_workers": settings.query_workers, "max_bytes": settings.max_bytes,
            "heavy_queries": settings.heavy_queries, "heavy_after": settings.heavy_after,
            "service_allowlist": settings.service_allowlist}


def worker_app(settings: Settings, ready: Connection) -> Callable[..., Any]:
    """Runs in granian's worker process: open the store and the app there, say whether that worked,
    and close both when the worker ends. A build that cannot be loaded is reported, then the worker
    waits to be stopped (ending by itself would be logged by granian as a crash)."""
    from kg.store import open_store
    from kg.web import create_app

    options = store_options(settings)
    try:
        store = open_store(settings.output_dir, settings.sparql_backend, **options)
    except KGError as err:
        ready.send(str(err))
        signal.signal(signal.SIGTERM, lambda *_: None)
        signal.signal(signal.SIGINT, lambda *_: None)
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
        raise SystemExit(2) from None
    reopen = None if settings.sparql_backend else partial(open_store, settings.output_dir, None, **options)
    app = create_app(settings, store, reopen)  # a build published into output/ later is swapped in

    def close() -> None:
        app.extensions["kg.releases"].close()  # the store of a release swapped in since the start
        store.close()

    multiprocessing.util.Finalize(None, close, exitpriority=100)  # run when the worker process exits
    ready.send(READY)
    return app


def create_server(settings: Settings) -> Server:
    """granian for `kg serve`'s settings: one WSGI worker process, ``serve_threads`` threads, HTTP/1.1."""
    return Server("kg.web:create_app", address=settings.host, port=settings.port, interface=Interfaces.WSGI,
                  workers=1, blocking_threads=settings.serve_threads, backpressure=settings.max_connections,
                  backlog=max(1024, settings.max_connections), http=HTTPModes.http1, websockets=False,
                  http1_settings=HTTP1Settings(header_read_timeout=max(1000, int(settings.request_timeout * 1000))),
                  workers_kill_timeout=max(1, math.ceil(settings.shutdown_grace)), respawn_failed_workers=False,
                  log_level=LogLevels.error)


def _await_worker(server: Server, ready: Connection, settings: Settings, failure: list[str]) -> None:
    """In the main process: print the serving line once the worker's store is open, or stop the server
    with the worker's reason when it could not be opened."""
    try:
        message = ready.recv()
    except EOFError:  # the worker ended before saying anything: granian reports and stops
        return
    if message == READY:
        print(f"kg: serving {settings.output_dir} on http://{settings.host}:{settings.port}/", flush=True)
        return
    failure.append(message)
    server.signal_handler_interrupt()


def _check_port(settings: Settings) -> None:
    """A taken port or a foreign address as one line (exit 2), before granian would log its own error."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((settings.host, settings.port))
        except OSError as err:
            raise KGError(f"cannot listen on {settings.host}:{settings.port}: {err.strerror or err}") from None


def run(settings: Settings) -> None:
    """Serve until SIGTERM/SIGINT; requests in flight finish, then the worker and its store stop."""
    _raise_open_files_limit(settings.max_connections + 256)
    _check_port(settings)
    receive, send = multiprocessing.Pipe(duplex=False)
    server = create_server(settings)
    failure: list[str] = []
    threading.Thread(target=_await_worker, args=(server, receive, settings, failure), daemon=True).start()
    started = time.monotonic()
    try:
        server.serve(target_loader=partial(worker_app, settings, send), wrap_loader=False)
    except SystemExit as stop:  # granian exits 1 when its worker ended unexpectedly
        if not failure:
            raise KGError(f"the server's worker process ended unexpectedly after {time.monotonic() - started:.0f} s "
                          f"(exit {stop.code})") from None
    finally:
        send.close()
    if failure:
        raise KGError(failure[0])
