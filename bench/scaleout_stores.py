"""The three stores of the scale-out bench (bench/scaleout_bench.py): how each is started and loaded, and
how much memory it holds.

Each store is a context manager yielding a ``StoreRun``: our `kg serve` on the embedded store, or the Oxigraph
server / Virtuoso loaded with `kg load` (Graph Store Protocol, with the collection's union graph; Virtuoso
also by its bulk loader from `kg load --to-files`) behind `kg serve --sparql-backend`. Memory is PSS summed
over a process tree (the embedded store's query workers share pages with their parent). A run is written to
disk as JSON, so that the stores can run one at a time and be compared afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peers_bench import Timing  # noqa: E402
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering  # noqa: E402
from tests.virtuoso_server import VirtuosoServer, running_virtuoso  # noqa: E402

COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SETTLE_SECONDS = 5.0  # "settled" memory is read this long after the data answered
GIB = 1024 ** 3
READY_SECONDS = 1800  # `kg serve` parses kg.trig before it answers: ~2 min at 100k letters, more under load


GRAPH_PREFIX = "GRAPH ?g of a letter"


@dataclass
class StoreRun:
    """One store: how long until its data answered, its memory, its site behind our app, and (once
    measured) its query timings and recorded answers."""

    name: str
    ready_seconds: float = 0.0
    peak_mib: float = 0.0  # while loading
    after_mib: float = 0.0  # settled: SETTLE_SECONDS after the data answered
    query_peak_mib: float = 0.0  # while the queries ran
    site: str = ""
    pid: int = 0  # the store's process (memory is read over its process tree)
    note: str = ""
    load_avg: str = ""  # /proc/loadavg at the start and the end of this store's run
    memory_note: str = ""  # what the bench waited for before starting the store
    timings: dict[str, Timing] = field(default_factory=dict)
    answers: dict[str, str | list] = field(default_factory=dict)
    graph_how: str = ""  # how our proxy carried the query saying GRAPH to this store ("" for the embedded store)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> StoreRun:
        doc = json.loads(path.read_text(encoding="utf-8"))
        # records of 4-5 Dec 2026 named the GRAPH query after how the proxy carried it: one name, the how apart
        for table in ("timings", "answers"):
            for old in [q for q in doc[table] if q.startswith(GRAPH_PREFIX + " (")]:
                if not doc["name"].startswith("embedded"):
                    doc["graph_how"] = old[len(GRAPH_PREFIX) + 2:-1]
                doc[table][GRAPH_PREFIX] = doc[table].pop(old)
        doc["timings"] = {q: Timing(**t) for q, t in doc["timings"].items()}
        return cls(**doc)


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def pss_mib(pid: int) -> float:
    """Proportional set size of ``pid`` and its descendants, MiB (shared pages counted once in all)."""
    total = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def settled_mib(pid: int) -> float:
    time.sleep(SETTLE_SECONDS)
    return pss_mib(pid)


class PeakMemory:
    """Samples ``pss_mib(pid)`` twice a second in a thread, keeping the maximum."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, pss_mib(self.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, pss_mib(self.pid))


def available_gib() -> float:
    """MemAvailable of /proc/meminfo, GiB: what can be taken without swapping (the machine is shared)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) * 1024 / GIB
    raise RuntimeError("no MemAvailable in /proc/meminfo")


def wait_for_memory(gib: float, name: str, seconds: float = 600.0, poll: float = 10.0) -> str:
    """Wait until ``gib`` GiB are available (polling, up to ``seconds``), so that a store of ~11 GB does
    not push the other users of a shared machine into swap; what was waited for, as a sentence. Raises
    when the memory did not come: starting anyway would risk the machine, not only the figure."""
    started, first = time.monotonic(), available_gib()
    now = first
    while now < gib:
        waited = time.monotonic() - started
        if waited >= seconds:
            raise RuntimeError(f"{name}: {now:.1f} GiB available after waiting {waited:.0f} s for {gib:g} GiB")
        print(f"{name}: {now:.1f} GiB available, waiting for {gib:g} GiB ({waited:.0f} s so far)", file=sys.stderr)
        time.sleep(poll)
        now = available_gib()
    waited = time.monotonic() - started
    note = (f"{first:.1f} GiB available (≥ {gib:g})" if waited < 1 else
            f"waited {waited:.0f} s for {gib:g} GiB (from {first:.1f} to {now:.1f} GiB available)")
    print(f"{name}: {note}", file=sys.stderr)
    return note


def uptime() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


# `kg serve` as the CLI starts it, with its answer cache off: the bench asks the same query several
# times, and replayed answers would time the cache (microseconds), not the store behind it.
SERVE = ("import json, sys; from pathlib import Path; from kg.config import Settings; from kg.web.serve import run; "
         "given = json.loads(sys.argv[1]); run(Settings(output_dir=Path(given.pop('output_dir')), **given))")


@contextmanager
def kg_serve(data: Path, backend: str | None = None, wait: bool = True) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve` (answer cache off) on a free port; with ``wait``, yielded once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    given = {"output_dir": str(data), "port": port, "query_timeout": 300.0, "answer_cache_bytes": 0}
    if backend:
        given["sparql_backend"] = backend
    with subprocess.Popen([sys.executable, "-c", SERVE, json.dumps(given)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        try:
            if wait:
                wait_until_answering(base + "/sparql", proc, seconds=READY_SECONDS)
            yield base, proc
        finally:
            family = _children(proc.pid)  # its store process and query workers: not left holding the build
            proc.kill()
            proc.wait(timeout=30)
            for pid in family:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def count_all(site: str, query: str = COUNT_ALL) -> int:
    resp = requests.post(site + "/sparql", data={"query": query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=600)
    resp.raise_for_status()
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


@contextmanager
def embedded(data: Path) -> Iterator[StoreRun]:
    run = StoreRun("embedded (kg serve)")
    started = time.monotonic()
    with kg_serve(data, wait=False) as (site, proc):
        with PeakMemory(proc.pid) as peak:
            wait_until_answering(site + "/sparql", proc, seconds=READY_SECONDS)
            count_all(site)  # the data is in: the first full scan answers
            run.ready_seconds = time.monotonic() - started
        run.peak_mib, run.after_mib, run.site, run.pid = peak.peak, settled_mib(proc.pid), site, proc.pid
        run.note = "`kg serve` start to the first answer (kg.trig parsed into memory, query workers forked)"
        yield run


class ProgressSession(requests.Session):
    """`kg load`'s requests, with its progress written to stderr about once a minute: at 100k letters a
    load into Virtuoso on a loaded machine takes long enough that its rate should be known before it ends."""

    def __init__(self, name: str, every: float = 60.0) -> None:
        super().__init__()
        self.name, self.every, self.lines, self.requests = name, every, 0, 0
        self.started = self.shown = time.monotonic()

    def request(self, method: str | bytes, url: str | bytes, *args: object, **kwargs: object) -> requests.Response:
        resp = super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]
        body = kwargs.get("data")
        self.lines += body.count(b"\n") if isinstance(body, bytes) else 0
        self.requests += 1
        if time.monotonic() - self.shown >= self.every:
            self.shown = time.monotonic()
            seconds = self.shown - self.started
            print(f"  {self.name}: {self.lines:,} triples in {self.requests:,} requests after {seconds:.0f} s "
                  f"({self.lines / seconds:,.0f}/s; load average {uptime()})", file=sys.stderr)
        return resp


def _load(run: StoreRun, data: Path, endpoint: str, pid: int) -> None:
    from kg.store.load import Collection, load

    with PeakMemory(pid) as peak:
        summary = load(data, endpoint, "gsp", collection=Collection(), timeout=600,
                       session=ProgressSession(run.name.split(",")[0]))
    if summary.failed:
        raise RuntimeError(f"loading {run.name} failed: {summary}")
    run.ready_seconds, run.peak_mib, run.pid = summary.seconds, peak.peak, pid
    run.note = f"`kg load` (GSP): {summary.triples:,} triples in {summary.graphs:,} graphs + the union copy"


@contextmanager
def oxigraph(data: Path) -> Iterator[StoreRun]:
    run = StoreRun("Oxigraph server, via our proxy")
    with running_oxigraph(union_default_graph=False) as server:
        _load(run, data, server.store, server.pid)
        run.after_mib = settled_mib(server.pid)
        with kg_serve(data, server.query) as (site, _):
            run.site = site
            yield run


LOADED = "loaded.json"  # in a kept Virtuoso database: how it was loaded (a later run reuses it without loading)


def _bulk_load(run: StoreRun, data: Path, server: VirtuosoServer) -> None:
    """`kg load --to-files` into the database folder (under DirsAllowed), Virtuoso's bulk loader, a
    checkpoint; each timed apart. The files are removed once loaded (the database holds the data)."""
    from kg.store.bulk import write_files
    from kg.store.load import Collection

    print(f"  {run.name}: writing the bulk files (load average {uptime()}) ...", file=sys.stderr)
    files = write_files(data, server.folder / "bulk", Collection())
    print(f"  {files.quads:,} quads in {len(files.files)} files, {files.seconds:.0f} s; bulk loading "
          f"(load average {uptime()}) ...", file=sys.stderr)
    with PeakMemory(server.pid) as peak:
        times = server.bulk_load(server.folder / "bulk")
    for path in files.files:
        path.unlink()
    run.ready_seconds = files.seconds + times.load + times.checkpoint
    run.peak_mib, run.pid = peak.peak, server.pid
    run.note = (f"bulk files (`kg load --to-files`, {files.quads:,} quads: {files.triples:,} triples in "
                f"{files.graphs:,} graphs + the union copy, {len(files.files)} files) {files.seconds:.0f} s, "
                f"`ld_dir` + `rdf_loader_run()` {times.load:.0f} s, `checkpoint` {times.checkpoint:.0f} s")


@contextmanager
def virtuoso(data: Path, buffers: int, folder: Path | None, loader: str = "gsp",
             database: Path | None = None) -> Iterator[StoreRun]:
    """Virtuoso loaded by `kg load` (``loader`` "gsp": one Graph Store PUT per graph) or by its bulk loader
    from `kg load --to-files` ("bulk"). With ``database``, the database is kept in that folder, and a
    database already loaded there (its LOADED record) is started again without loading: its load
    figures are the recorded ones, its memory is measured anew."""
    run = StoreRun("Virtuoso, via our proxy")
    record = database / LOADED if database else None
    with running_virtuoso(buffers=buffers, max_seconds=600, folder=folder, database=database) as server:
        if record and record.exists():
            loaded = json.loads(record.read_text(encoding="utf-8"))
            run.ready_seconds, run.peak_mib, run.pid = loaded["ready_seconds"], loaded["peak_mib"], server.pid
            run.note = f"{loaded['note']}; the database of {loaded['date']} in {database}, reused"
        else:
            if loader == "bulk":
                _bulk_load(run, data, server)
            else:
                _load(run, data, server.store, server.pid)
                server.isql("checkpoint;")
            if record:
                record.write_text(json.dumps({"ready_seconds": run.ready_seconds, "peak_mib": run.peak_mib,
                                              "note": run.note, "load_avg": uptime(),
                                              "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}),
                                  encoding="utf-8")
        run.after_mib = settled_mib(server.pid)
        with kg_serve(data, server.query) as (site, _):
            run.site = site
            yield run
