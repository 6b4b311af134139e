"""Query worker processes: the only way a query time limit really stops the work.

pyoxigraph cannot cancel a running query from Python, and a thread cannot be killed. So every query
runs in a separate *process* forked by the store process (``kg.store.zygote``); at the deadline the
parent kills that process (SIGKILL) and a fresh one takes its place, while the other workers keep
serving.

Three rules keep the pool whole and fair:

- a worker is checked before a query is given to it: an idle worker that died (killed, out of
  memory) reads EOF on its pipe and is replaced, never handed a query; a worker that fails while
  answering is never taken back;
- *fast lane, heavy lane*: every query starts in the fast lane; one still running after
  ``heavy_after`` seconds becomes heavy. At most ``heavy_slots`` heavy queries run at once, each at
  a lower CPU priority (nice 10); a query that turns heavy when all heavy slots are taken is stopped
  at once (``QueryBusy``, a 503 with Retry-After). So runaway queries can hold neither the CPU nor
  the server's request threads (each request thread waits for its worker), and cheap queries keep
  answering while they run (measured: tests/test_web_fairness.py, bench/fairness_bench.py);
- ``close()`` kills every worker, busy ones included; and no worker outlives the server even on
  SIGKILL (see ``kg.store.zygote``).
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from multiprocessing.connection import Connection

from kg.store.types import QueryBusy
from kg.store.zygote import StoreSource, Zygote, recv_answer

HEAVY_NICE = 10


class WorkerLost(RuntimeError):
    """The worker process died (killed, crashed, out of memory) before it answered."""

    def __init__(self, message: str, before_start: bool = False):
        super().__init__(message)
        self.before_start = before_start


class Lane:
    """The heavy lane: how long a query stays in the fast lane, and how many may be heavy at once.

    While every heavy slot is taken, the fast lane shortens to a third: queued runaways then give
    their request threads back three times sooner, and a cheap query behind them in waitress's queue
    gets a thread sooner (a cheap query needs milliseconds, not a third of ``after``)."""

    def __init__(self, slots: int, after: float):
        self.after, self.slots, self.heavy = after, max(1, slots), 0
        self._lock = threading.Lock()

    def fast(self) -> float:
        """Seconds a query may run before it must take a heavy slot."""
        return self.after if self.heavy < self.slots else self.after / 3

    def enter(self) -> bool:
        with self._lock:
            if self.heavy >= self.slots:
                return False
            self.heavy += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.heavy -= 1


class Worker:
    """One forked worker and the parent's end of its pipe."""

    def __init__(self, conn: Connection, pid: int):
        self.conn, self.pid = conn, pid
        self._poll = select.poll()  # one poller for the worker's life: Connection.poll builds a selector per call
        self._poll.register(conn.fileno(), select.POLLIN)
        self.sandboxed = False
        self.ready = False
        self.dead = False
        self.demoted = False  # reniced for a heavy query: never reused (only privileged code may undo it)

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        try:
            if not self.conn.poll(timeout):
                raise RuntimeError("a query worker did not start in time")
            tag, self.sandboxed = self.conn.recv()
        except (EOFError, OSError) as err:
            self.kill()
            raise WorkerLost("a query worker died while starting", before_start=True) from err
        except RuntimeError:
            self.kill()
            raise
        self.ready = tag == "ready"

    def idle_and_alive(self) -> bool:
        """True when the idle worker can take a query: nothing to read on its pipe (a dead worker's
        pipe reads EOF at once, since the worker held its only other end)."""
        return not self.dead and not self._poll.poll(0)

    def _wait(self, seconds: float) -> bool:
        return bool(self._poll.poll(max(0, int(seconds * 1000))))

    def _answer(self) -> tuple:
        try:
            return recv_answer(self.conn)
        except (EOFError, OSError):
            self.kill()
            raise WorkerLost("the query's worker process died before it answered (it may have crashed "
                             "the engine or run out of memory)") from None

    def call(self, request: tuple, timeout: float, lane: Lane | None = None) -> tuple | None:
        """Send a request; the answer, or None when the deadline passed (the worker is then killed).
        Raises ``QueryBusy`` when the query turns heavy while every heavy slot is taken."""
        deadline = time.monotonic() + timeout
        try:
            self.conn.send(request)
        except OSError:
            self.kill()
            raise WorkerLost("a query worker was found dead", before_start=True) from None
        fast = timeout if lane is None else min(timeout, lane.fast())
        if self._wait(fast):
            return self._answer()
        if lane is None or time.monotonic() >= deadline:
            self.kill()
            return None
        if not lane.enter():
            if self._wait(0):  # it finished just now after all
                return self._answer()
            self.kill()
            raise QueryBusy(f"the server is busy with other long queries; this one was stopped after "
                            f"{fast:.2g} s")
        try:
            self._demote()
            if self._wait(deadline - time.monotonic()):
                return self._answer()
            self.kill()
            return None
        finally:
            lane.leave()

    def _demote(self) -> None:
        self.demoted = True
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, HEAVY_NICE)
        except OSError:  # already gone: the answer (or EOF) is on its way
            pass

    def kill(self) -> None:
        if not self.dead:
            self.dead = True
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.conn.close()

    @property
    def alive(self) -> bool:
        return not self.dead


class WorkerPool:
    """Warm, sandboxed workers for ordinary queries; a fresh confined worker for allowed SERVICE calls.

    ``warm`` workers are kept idle and ready. When all are busy a new one is forked for the request
    (so a runaway query never blocks other clients), up to ``limit`` at once; idle workers beyond
    ``warm`` are stopped when they come back. ``heavy_slots``/``heavy_after``: see the module doc.
    """

    def __init__(self, source: StoreSource, warm: int = 2, limit: int = 16, heavy_slots: int = 2,
                 heavy_after: float = 0.5):
        self.source, self.warm, self.limit = source, warm, limit
        self.lane = Lane(heavy_slots, heavy_after)
        self.zygote = Zygote(source)
        self._idle: list[Worker] = []
        self._all: set[Worker] = set()  # every live worker, busy or idle: close() stops them all
        self._busy = 0
        self._cond = threading.Condition()
        self._closed = False
        for _ in range(warm):
            self._idle.append(self._start())
        for worker in self._idle:
            worker.wait_ready(60)
        self.sandboxed = all(w.sandboxed for w in self._idle)

    def _fork(self, sandbox: bool) -> Worker:
        """Fork a worker; if the store process has died (killed, out of memory), start a new one once."""
        zygote = self.zygote
        try:
            conn, pid = zygote.fork(sandbox)
        except (OSError, RuntimeError):
            with self._cond:
                if self.zygote is zygote and not self._closed:
                    zygote.close()
                    self.zygote = Zygote(self.source)
            conn, pid = self.zygote.fork(sandbox)
        return Worker(conn, pid)

    def _start(self, sandbox: bool = True) -> Worker:
        worker = self._fork(sandbox)
        with self._cond:
            self._all.add(worker)
            closed = self._closed
        if closed:
            self._forget(worker)
            raise RuntimeError("the store is closed")
        return worker

    def _forget(self, worker: Worker) -> None:
        worker.kill()
        with self._cond:
            self._all.discard(worker)

    def _checkout(self) -> Worker:
        dead: list[Worker] = []
        try:
            with self._cond:
                while True:
                    while self._idle:
                        worker = self._idle.pop()
                        if worker.idle_and_alive():
                            self._busy += 1
                            return worker
                        dead.append(worker)
                    if self._closed:
                        raise RuntimeError("the store is closed")
                    if self._busy < self.limit:
                        break
                    self._cond.wait()
                self._busy += 1
        finally:
            for worker in dead:  # killed while idle: replaced below, never handed a query
                self._forget(worker)
        try:
            return self._start()
        except BaseException:
            with self._cond:
                self._busy -= 1
                self._cond.notify()
            raise

    def _checkin(self, worker: Worker) -> None:
        with self._cond:
            self._busy -= 1
            keep = worker.alive and not worker.demoted and not self._closed and len(self._idle) < self.warm
            if keep:
                self._idle.append(worker)
            self._cond.notify()
            refill = not keep and not self._closed and len(self._idle) + self._busy < self.warm
        if not keep:
            self._forget(worker)
        if refill:
            self._refill()

    def _refill(self) -> None:
        """A worker that died, was stopped or was retired leaves the pool below ``warm``: fork its
        replacement now, so the pool is whole again before the next burst of queries needs it."""
        try:
            fresh = self._start()
        except (OSError, RuntimeError):  # closed meanwhile, or the store process is gone: a checkout retries
            return
        try:
            fresh.wait_ready(60)  # read its "ready": an idle worker's pipe must be empty (``idle_and_alive``)
        except RuntimeError:
            self._forget(fresh)
            return
        with self._cond:
            if self._closed or len(self._idle) >= self.warm:
                extra = True
            else:
                self._idle.append(fresh)
                extra = False
                self._cond.notify()
        if extra:
            self._forget(fresh)

    def run(self, request: tuple, timeout: float, networked: bool = False,
            endpoints: tuple[str, ...] = ()) -> tuple | None:
        """Run one request on a worker; None when it was stopped at ``timeout`` seconds. A networked
        request runs in a one-off worker that can reach only the hosts of ``endpoints``. A worker
        found dead before it took the request is replaced and the request given to the new one."""
        for attempt in (1, 2):
            try:
                if networked:
                    return self._run_once(request, timeout, endpoints)
                return self._run_pooled(request, timeout)
            except WorkerLost as err:
                if not err.before_start or attempt == 2 or self._closed:
                    raise
        raise AssertionError("unreachable")

    def _run_pooled(self, request: tuple, timeout: float) -> tuple | None:
        worker = self._checkout()
        try:
            worker.wait_ready(60)
            return worker.call(request, timeout, self.lane)
        except BaseException:
            worker.kill()
            raise
        finally:
            self._checkin(worker)

    def _run_once(self, request: tuple, timeout: float, endpoints: tuple[str, ...]) -> tuple | None:
        worker = self._start(sandbox=False)
        started = time.monotonic()
        try:
            worker.conn.send(endpoints)
            try:  # confining resolves the endpoints' hosts: that time counts against the query's limit
                worker.wait_ready(timeout)
            except RuntimeError as err:
                if isinstance(err, WorkerLost):
                    raise
                return None
            return worker.call(request, timeout - (time.monotonic() - started), self.lane)
        except OSError as err:
            raise WorkerLost("a federating worker died while starting", before_start=True) from err
        finally:
            self._forget(worker)

    def worker_pids(self) -> list[int]:
        """The pids of the live workers (busy and idle), for operators and tests."""
        with self._cond:
            return sorted(w.pid for w in self._all if w.alive)

    def idle_pids(self) -> list[int]:
        with self._cond:
            return [w.pid for w in self._idle if w.alive]

    def close(self) -> None:
        """Stop every worker, those still computing included, then the store process."""
        with self._cond:
            self._closed = True
            workers, self._idle = list(self._all), []
            self._all.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
        self.zygote.close()


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
