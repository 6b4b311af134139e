"""The store process (the *zygote*) and what a forked query worker does: the process side of the pool.

The zygote is one single-threaded process that loads the data once into an in-memory store (3-10x
faster than reading an on-disk store, see bench/) and then only forks. A forked worker shares the
zygote's memory copy-on-write, so it is ready in about a millisecond and costs almost no memory. The
parent (threaded waitress, ``kg.store.pool``) never forks itself.

Lifetimes: no process of the store outlives the server. The zygote exits when its control socket
to the server closes (any death of the server closes it, SIGKILL included); every worker asks the
kernel for SIGKILL when the zygote dies (``PR_SET_PDEATHSIG``; the zygote has one thread, so the
"parent thread" that signal is tied to lives exactly as long as the zygote). A worker computing a
query, which reads nothing from its pipe, is thus stopped too.

Workers that are not meant to federate drop their network: on Linux they move into a new, empty
network namespace (``unshare(CLONE_NEWNET)``), so even a SERVICE clause that slipped past the query
guard cannot reach any host. The one-off worker of an allowed SERVICE call is confined by
``kg.store.egress`` to the allowlisted hosts.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from kg.errors import KGError

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_PDEATHSIG = 1
STACK_BYTES = 64 << 20  # the engine recurses on nested queries; 8 MB (the usual default) crashed at 5,000 levels


@dataclass(frozen=True)
class StoreSource:
    """Where the zygote finds the data: an on-disk Oxigraph store (opened read-only) or a file."""

    store_dir: Path | None = None
    data_file: Path | None = None


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def drop_network() -> bool:
    """Move this process into an empty network namespace; True when no host is reachable any more."""
    libc = _libc()
    if libc is None:
        return False
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def die_with_parent(parent: int) -> None:
    """Ask for SIGKILL when ``parent`` dies; exit now if it already has (the request came too late)."""
    libc = _libc()
    if libc is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def _load(source: StoreSource) -> Any:
    import pyoxigraph

    if source.store_dir is not None:
        return pyoxigraph.Store.read_only(str(source.store_dir))
    store = pyoxigraph.Store()
    if source.data_file is not None:
        from kg.store.files import load_file

        load_file(store, source.data_file)
    return store


def _open(source: StoreSource) -> Any:
    """Load the store in a thread of its own, so that every allocation of the load (the store and the
    loader's garbage) lands in that thread's malloc arena, not in the main thread's.

    Why: queries run on a worker's main thread and allocate from its arena. Loaded on the main thread,
    that arena is a heap of hundreds of MB full of the loader's freed fragments, which queries then
    reuse scattered all over it; in a forked worker each page written for the first time is a
    copy-on-write fault (~390 per lookup query at 10k letters, for hundreds of queries: a fresh worker
    ran lookups at 3.7 ms instead of 1.9 ms). With the load elsewhere the main arena stays small and a
    worker's first queries take ~25 faults, then none (measured; see bench/results/peers-10k.md)."""
    box: list[Any] = []
    failed: list[BaseException] = []

    def load() -> None:
        try:
            box.append(_load(source))
        except BaseException as err:  # noqa: BLE001 - re-raised on the main thread below
            failed.append(err)

    loader = threading.Thread(target=load, name="kg-store-load")
    loader.start()
    loader.join()
    if failed:
        raise failed[0]
    return box[0]


def _serve_worker(conn: Connection, store: Any, sandbox: bool) -> None:
    """Worker loop (in a forked child): ("ok", value) or ("error", kind, message) per request.

    A networked worker first receives the endpoints it may reach and confines itself to them."""
    from kg.store.engine import run_in_worker

    if sandbox:
        confined = drop_network()
    else:
        from kg.store.egress import confine

        confined = confine(conn.recv())
    conn.send(("ready", confined))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        answer = run_in_worker(store, request)
        _send_answer(conn, answer)
        if answer[:2] == ("error", "panic"):
            return  # after a panic the engine's state is not to be trusted: the pool forks a fresh worker


BODY_TAG = "ok+body"


def _send_answer(conn: Connection, answer: tuple) -> None:
    """Send an answer; a value with a bytes ``body`` (an already written /sparql answer, up to many MB)
    goes as a small pickled header plus the raw bytes, so the body is neither copied into a pickle
    nor out of one."""
    value = answer[1] if answer[0] == "ok" else None
    body = getattr(value, "body", None)
    if isinstance(body, bytes) and dataclasses.is_dataclass(value):
        conn.send((BODY_TAG, dataclasses.replace(value, body=b"")))  # type: ignore[type-var]
        conn.send_bytes(body)
    else:
        conn.send(answer)


def recv_answer(conn: Connection) -> tuple:
    """The other end of ``_send_answer``."""
    answer = conn.recv()
    if answer[0] == BODY_TAG:
        return ("ok", dataclasses.replace(answer[1], body=conn.recv_bytes()))
    return answer


def _warm_up(store: Any) -> None:
    """Import the worker's modules and answer one query here, before any fork: the engine's and the
    writers' lazy set-up then happens once and is shared, instead of costing every new worker's first
    query (~15 ms at 10k letters)."""
    from kg.store.engine import run_in_worker

    probe = "SELECT * WHERE { ?s ?p ?o } LIMIT 2"
    try:
        run_in_worker(store, ("serialized", {
            "sparql": probe, "default_graphs": (), "named_graphs": (), "max_rows": 1, "max_bytes": 1 << 20,
            "formats": ("json", "ntriples"), "base_prefix": None}))
    except Exception:  # noqa: BLE001 - a warm-up must never stop the store from starting
        pass


def _deeper_stack() -> None:
    """Let the main thread's stack grow to ``STACK_BYTES``: the engine's recursion on a deep query then
    meets the query guard's limits long before the stack's end (a crash would cost the worker)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
    wanted = STACK_BYTES if hard == resource.RLIM_INFINITY else min(STACK_BYTES, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))


def _zygote(control: socket.socket, source: StoreSource) -> None:
    """Load once, then fork a worker for every (sandbox flag, pipe fd) the parent sends; exit when the
    parent goes away (the control socket reads EOF). Data that cannot be loaded is reported to the
    parent as one line (``fail <reason>``), not as a traceback."""
    _deeper_stack()
    try:
        store = _open(source)
    except Exception as err:  # noqa: BLE001 - a broken build is the user's to fix: say why, once
        control.sendall(b"fail " + " ".join(str(err).split()).encode("utf-8", "replace")[:2000])
        return
    _warm_up(store)

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps killed workers
    control.sendall(b"ready")
    me = os.getpid()
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            return
        if not data:
            return
        pid = os.fork()
        if pid == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            die_with_parent(me)
            code = 0
            try:
                _serve_worker(Connection(fds[0]), store, sandbox=data == b"1")
            except BaseException:
                code = 1
            os._exit(code)
        os.close(fds[0])
        control.sendall(pid.to_bytes(8, "little"))


class Zygote:
    """The loaded store in a process of its own, forking workers on request."""

    def __init__(self, source: StoreSource, timeout: float = 600):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        args = [sys.executable, "-c", "import sys; from kg.store.zygote import _main; _main(sys.argv[1:])",
                str(child.fileno()), str(source.store_dir or ""), str(source.data_file or "")]
        self.proc = subprocess.Popen(args, pass_fds=[child.fileno()])
        child.close()
        self.control, self._lock = parent, threading.Lock()
        self.control.settimeout(timeout)
        reply = self.control.recv(5)
        if reply != b"ready":
            reply += b"".join(iter(lambda: self.control.recv(4096), b""))  # the rest of a "fail" line
            self.close()
            if reply.startswith(b"fail "):
                raise KGError(f"{source.data_file or source.store_dir}: {reply[5:].decode('utf-8', 'replace')}")
            raise RuntimeError("the store process failed to load the data")
        self.control.settimeout(30)

    def fork(self, sandbox: bool) -> tuple[Connection, int]:
        """A new worker: the parent's end of its pipe and its pid."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                socket.send_fds(self.control, [b"1" if sandbox else b"0"], [theirs.fileno()])
                pid = int.from_bytes(self._recv_exact(8), "little")
        except BaseException:  # the store process is gone: no worker, and neither end of the pair stays open
            mine.close()
            raise
        finally:
            theirs.close()
        return Connection(mine.detach()), pid

    def _recv_exact(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.control.recv(n - len(data))
            if not chunk:
                raise RuntimeError("the store process has exited")
            data += chunk
        return data

    def close(self) -> None:
        """Stop the store process; its workers die with it (parent-death signal)."""
        self.control.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


def _main(argv: list[str]) -> None:
    """Entry point of the zygote process (started by ``Zygote``)."""
    control = socket.socket(fileno=int(argv[0]))
    source = StoreSource(store_dir=Path(argv[1]) if argv[1] else None, data_file=Path(argv[2]) if argv[2] else None)
    _zygote(control, source)
