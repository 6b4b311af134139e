"""A bounded load test of a running `kg serve` (loopback only; fixed duration; stops by itself).

    python bench/load_test.py                       # builds the bundled corpus, serves it, 30 s x 32 connections
    python bench/load_test.py --url http://127.0.0.1:5000 --seconds 30 --connections 32

Each connection loops over a mix of what people and tools do: resource pages in HTML and Turtle,
the dump listing and a dump download, the VoID description, and SPARQL lookups. Any non-2xx/304
answer or network error counts as an error. Prints requests served, errors, throughput and
p50/p99 latency; exit 1 when there was any error.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT))

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

    @property
    def served(self) -> int:
        return len(self.latencies)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(round(p * (len(ordered) - 1))))] if ordered else float("nan")

    def __str__(self) -> str:
        med = statistics.median(self.latencies) if self.latencies else float("nan")
        return (f"load test: {self.seconds:.0f} s, {self.connections} connections: requests served {self.served}, "
                f"errors {len(self.errors)}, {self.served / self.seconds:.0f} req/s, "
                f"p50 {med * 1000:.1f} ms, p99 {self.percentile(0.99) * 1000:.1f} ms")


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


def run_load(base: str, steps: list[Step], seconds: float, connections: int) -> LoadReport:
    """Run the mix from ``connections`` threads for ``seconds``; loopback targets only."""
    if urlparse(base).hostname not in LOOPBACK:
        raise SystemExit(f"refusing to load-test {base}: loopback addresses only")
    report, lock = LoadReport(seconds, connections), threading.Lock()
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

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
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
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    proc = None
    with tempfile.TemporaryDirectory(prefix="kg-load-") as tmp:
        base = args.url
        if not base:
            proc, base = serve_bundled(Path(tmp))
        try:
            letters, dumps = discover(base)
            report = run_load(base, default_mix(letters, dumps), args.seconds, args.connections)
        finally:
            if proc:
                proc.kill()
                proc.wait(timeout=10)
    print(report)
    for error in sorted(set(report.errors))[:20]:
        print("  error:", error)
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
