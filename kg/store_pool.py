"""Query worker processes: the only way a query time limit really stops the work.

pyoxigraph cannot cancel a running query from Python, and a thread cannot be killed. So every query
runs in a separate *process* that has the store open read-only; at the deadline the parent kills
that process (SIGKILL) and starts a fresh one, while the other workers keep serving. Workers open
the same on-disk store with ``Store.read_only`` (or load a small file in memory), so a new worker is
ready in about the time it takes to import pyoxigraph.

Workers that are not meant to federate also drop their network: on Linux they move into a new,
empty network namespace (``unshare(CLONE_NEWNET)``), so even a SERVICE clause that slipped past the
query guard cannot reach any host. ``sandboxed`` tells whether that worked on this machine.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class StoreSource:
    """Where a worker finds the data: an on-disk Oxigraph store (shared, read-only) or a file."""

    store_dir: Path | None = None
    data_file: Path | None = None


def drop_network() -> bool:
    """Move this process into an empty network namespace; True when no host is reachable any more."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    for flags in (CLONE_NEWNET, CLONE_NEWUSER | CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
    return False


def _open(source: StoreSource) -> Any:
    import pyoxigraph

    if source.store_dir is not None:
        return pyoxigraph.Store.read_only(str(source.store_dir))
    store = pyoxigraph.Store()
    if source.data_file is not None:
        from kg.store import load_file

        load_file(store, source.data_file)
    return store


def _worker_main(conn: Connection, source: StoreSource, sandbox: bool) -> None:
    """Worker loop: receive (function name, kwargs), answer ("ok", value) or ("error", kind, message)."""
    from kg import store as store_module

    sandboxed = drop_network() if sandbox else False
    store = _open(source)
    conn.send(("ready", sandboxed))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        conn.send(store_module.run_in_worker(store, request))


class Worker:
    """One worker process and its pipe."""

    def __init__(self, ctx: Any, source: StoreSource, sandbox: bool):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, source, sandbox), daemon=True)
        self.process.start()
        child.close()
        self.sandboxed = False
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            self.kill()
            raise RuntimeError("a query worker did not start in time")
        tag, self.sandboxed = self.conn.recv()
        self.ready = tag == "ready"

    def call(self, request: tuple, timeout: float) -> tuple | None:
        """Send a request; the answer, or None when the deadline passed (the worker is then killed)."""
        self.conn.send(request)
        if self.conn.poll(timeout):
            try:
                return self.conn.recv()
            except EOFError:
                self.kill()
                raise RuntimeError("a query worker died while answering") from None
        self.kill()
        return None

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()


class WorkerPool:
    """Warm, sandboxed workers for ordinary queries; a fresh networked worker for allowed SERVICE calls.

    ``warm`` workers are kept idle and ready. When all are busy a new one is started for the request
    (so a runaway query never blocks other clients), up to ``limit`` at once; idle workers beyond
    ``warm`` are stopped when they come back.
    """

    def __init__(self, source: StoreSource, warm: int = 2, limit: int = 16):
        self.source, self.warm, self.limit = source, warm, limit
        self._ctx = mp.get_context("spawn")
        self._idle: list[Worker] = []
        self._busy = 0
        self._cond = threading.Condition()
        self._closed = False
        self._refills: list[threading.Thread] = []
        self.sandboxed = False
        for _ in range(warm):
            self._idle.append(self._start())
        for worker in self._idle:
            worker.wait_ready(60)
            self.sandboxed = worker.sandboxed

    def _start(self, sandbox: bool = True) -> Worker:
        return Worker(self._ctx, self.source, sandbox)

    def _checkout(self) -> Worker:
        with self._cond:
            while not self._idle and self._busy >= self.limit:
                self._cond.wait()
            self._busy += 1
            if self._idle:
                return self._idle.pop()
        try:
            return self._start()
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _checkin(self, worker: Worker | None) -> None:
        with self._cond:
            self._busy -= 1
            keep = worker is not None and worker.alive and not self._closed and len(self._idle) < self.warm
            if keep:
                self._idle.append(worker)  # type: ignore[arg-type]
            self._cond.notify()
        if worker is not None and not keep:
            worker.kill()
        if not self._closed:
            self._refill()

    def _refill(self) -> None:
        """Replace killed workers in the background so the next request finds a warm one."""
        with self._cond:
            self._refills = [t for t in self._refills if t.is_alive()]
            missing = self.warm - len(self._idle) - self._busy - len(self._refills)
            if missing <= 0 or self._closed:
                return
            thread = threading.Thread(target=self._add_idle, daemon=True)
            self._refills.append(thread)
        thread.start()

    def _add_idle(self) -> None:
        try:
            worker = self._start()
            worker.wait_ready(60)
        except (OSError, RuntimeError):
            if self._closed:
                return
            raise
        with self._cond:
            if self._closed or len(self._idle) >= self.warm:
                surplus = True
            else:
                self._idle.append(worker)
                surplus = False
            self._cond.notify()
        if surplus:
            worker.kill()

    def run(self, request: tuple, timeout: float, networked: bool = False) -> tuple | None:
        """Run one request on a worker; None when it was stopped at ``timeout`` seconds."""
        if networked:
            return self._run_once(request, timeout)
        worker = self._checkout()
        try:
            worker.wait_ready(60)
            return worker.call(request, timeout)
        finally:
            self._checkin(worker)

    def _run_once(self, request: tuple, timeout: float) -> tuple | None:
        worker = self._start(sandbox=False)
        try:
            worker.wait_ready(60)
            return worker.call(request, timeout)
        finally:
            worker.kill()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            refills = list(self._refills)
        for thread in refills:
            thread.join(timeout=30)
        with self._cond:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
