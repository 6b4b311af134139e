"""A bounded load test of a running `kg serve` (loopback only; fixed duration; stops by itself).

    python bench/load_test.py                       # builds the bundled corpus, serves it, 30 s x 16 connections
    python bench/load_test.py --runs 3              # the same, three runs against one server
    python bench/load_test.py --url http://127.0.0.1:5000 --seconds 30 --connections 16

Each connection loops over a mix of what people and tools do: resource pages in HTML and Turtle,
the dump listing and a dump download, the VoID description, and SPARQL lookups. Any non-2xx/304
answer or network error counts as an error. Prints requests served, errors, throughput and
p50/p99 latency per run, and the memory of the server it started (`kg serve`, its store process and
query workers): the peak, sampled every half second, of their summed PSS (shared pages counted once:
the workers share the store's copy-on-write) and of the largest single RSS. Exit 1 when there was any
error.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from kg.devtools.procs import descendants  # noqa: E402

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

SPARQL_LOOKUP = """PREFIX schema: <http://schema.org/>
SELECT ?letter ?date WHERE { ?letter schema:sender ?who ; schema:dateCreated ?date } ORDER BY ?date LIMIT 20"""


@dataclass(frozen=True)
class Step:
    """One request of the mix."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, str], ...] = ()


@dataclass
class LoadReport:
    seconds: float
    connections: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    served_by_step: dict[Step, int] = field(default_factory=dict)  # successful answers per step of the mix
    memory: Memory | None = None  # of the server's process tree, when it was watched

    @property
    def served(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else float("nan")

    def __str__(self) -> str:
        med = statistics.median(self.latencies) if self.latencies else float("nan")
        memory = f", {self.memory}" if self.memory else ""
        return (f"load test: {self.seconds:.0f} s, {self.connections} connections: requests served {self.served}, "
                f"errors {len(self.errors)}, {self.served / self.seconds:.0f} req/s, "
                f"p50 {med * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms{memory}")


@dataclass
class Memory:
    """Peak memory of a process and its descendants while a run lasted (Linux /proc)."""

    peak_pss_kib: int = 0  # summed proportional set size: shared pages split between the sharers
    peak_rss_kib: int = 0  # the largest single process
    peak_processes: int = 0

    def __str__(self) -> str:
        return (f"memory: peak {self.peak_pss_kib / 1024:.0f} MiB PSS over up to {self.peak_processes} processes, "
                f"largest RSS {self.peak_rss_kib / 1024:.0f} MiB")


def _tree(root: int) -> list[int]:
    return sorted([root, *descendants(root)])
def _kib(pid: int, path: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def watch_memory(root: int, stop: threading.Event, memory: Memory, every: float = 0.5) -> None:
    """Sample ``root``'s process tree until ``stop``; keep the peaks in ``memory``."""
    while not stop.is_set():
        pids = _tree(root)
        memory.peak_pss_kib = max(memory.peak_pss_kib, sum(_kib(p, "smaps_rollup", "Pss") for p in pids))
        memory.peak_rss_kib = max(memory.peak_rss_kib, max((_kib(p, "status", "VmRSS") for p in pids), default=0))
        memory.peak_processes = max(memory.peak_processes, len(pids))
        stop.wait(every)


def default_mix(letters: list[str], dumps: list[str]) -> list[Step]:
    """The request mix: pages for people, data for machines, dumps and SPARQL lookups."""
    steps: list[Step] = [Step("GET", "/"), Step("GET", "/dumps/"), Step("GET", "/.well-known/void"),
                         Step("GET", "/sparql", data=(("query", SPARQL_LOOKUP),),
                              headers=(("Accept", "application/sparql-results+json"),))]
    for path in letters:
        steps.append(Step("GET", path, headers=(("Accept", "text/html"),)))
        steps.append(Step("GET", path, headers=(("Accept", "text/turtle"),)))
    steps += [Step("GET", f"/dumps/{name}") for name in dumps[:2]]
    return steps


def discover(base: str) -> tuple[list[str], list[str]]:
    """Letter paths and dump names of the running server, found through its own SPARQL endpoint."""
    query = "PREFIX schema: <http://schema.org/> SELECT ?l WHERE { ?l a schema:Message } LIMIT 20"
    resp = requests.get(base + "/sparql", params={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    resp.raise_for_status()
    letters = []
    for row in resp.json()["results"]["bindings"]:
        iri = row["l"]["value"]
        letters.append("/letter/" + iri.rsplit("/letter/", 1)[-1])
    dumps = [name for name in ("void.ttl", "kg.nt.gz")]
    return letters, dumps


def run_load(base: str, steps: list[Step], seconds: float, connections: int,
             server_pid: int | None = None) -> LoadReport:
    """Run the mix from ``connections`` threads for ``seconds``; loopback targets only. With
    ``server_pid``, the memory of that process and its descendants is sampled meanwhile."""
    if urlparse(base).hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load-test {base}: loopback addresses only")
    report, lock = LoadReport(seconds, connections), threading.Lock()
    watching = threading.Event()
    if server_pid is not None:
        report.memory = Memory()
        threading.Thread(target=watch_memory, args=(server_pid, watching, report.memory), daemon=True).start()
    stop = time.monotonic() + seconds

    def worker(offset: int) -> None:
        session, i = requests.Session(), offset
        while time.monotonic() < stop:
            step = steps[i % len(steps)]
            i += 1
            started = time.perf_counter()
            try:
                resp = session.request(step.method, base + step.path, headers=dict(step.headers),
                                       params=dict(step.data) or None, timeout=30)
                _ = resp.content
                error = "" if resp.status_code < 400 else f"{resp.status_code} {step.path}"
            except requests.RequestException as err:
                error = f"{type(err).__name__} {step.path}"
            elapsed = time.perf_counter() - started
            with lock:
                if error:
                    report.errors.append(error)
                else:
                    report.latencies.append(elapsed)
                    report.served_by_step[step] = report.served_by_step.get(step, 0) + 1

    # connections start spread over the whole mix, so that even a short run on a loaded machine asks for
    # every kind of request (starting at 0, 1, 2... left the last steps of the mix to the slowest)
    threads = [threading.Thread(target=worker, args=(n * len(steps) // connections,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    watching.set()
    return report


def serve_bundled(workdir: Path) -> tuple[subprocess.Popen, str]:
    """Build the bundled corpus into a temp dir and start `kg serve` on a free loopback port."""
    from tests.oxigraph_server import free_port, wait_until_answering

    kg = str(Path(sys.executable).parent / "kg")
    out = workdir / "output"
    subprocess.run([kg, "build", "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    proc = subprocess.Popen([kg, "serve", "--data", str(out), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(base + "/sparql", proc)
    return proc, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server (default: build the bundled corpus and serve it)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=1, help="runs one after the other against the same server")
    args = parser.parse_args()
    proc = None
    reports: list[LoadReport] = []
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        base = args.url
        if not base:
            proc, base = serve_bundled(Path(tmp))
        try:
            letters, dumps = discover(base)
            for run in range(1, args.runs + 1):
                load = f"{os.getloadavg()[0]:.2f}"
                report = run_load(base, default_mix(letters, dumps), args.seconds, args.connections,
                                  server_pid=proc.pid if proc else None)
                reports.append(report)
                print(f"run {run}: {report}; load average before: {load}", flush=True)
                for error in sorted(set(report.errors))[:20]:
                    print("  error:", error)
        finally:
            if proc:
                proc.terminate()  # a graceful stop, as an operator's would be
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)
    return 1 if any(r.errors for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
