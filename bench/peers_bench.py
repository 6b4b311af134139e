"""Our /sparql against the peers, side by side in one run, on the same data and the same queries.

    python bench/peers_bench.py --n 10000            # generate, build, serve, measure (one command)
    python bench/peers_bench.py --data output/       # an existing build

Servers, all on 127.0.0.1: our `kg serve` (guards on), the Oxigraph server (PyPI `oxigraph`, loaded
through `kg load`), rdflib-endpoint (PyPI `rdflib-endpoint`, the `bench` extra). Each query runs
``--repeat`` times per server after one warm-up, the servers' samples interleaved query by query; a
query that exceeds ``--timeout`` is reported as such. Throughput is the lookup query with 4
concurrent clients for ``--seconds``. Ratios, not only absolute times, because these machines are
shared and noisy. Writes a Markdown table, with each goal of issue 6 marked met or not, to stdout
and to ``--out`` (bench/results/peers.md).
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peer_queries import LOOKUP, PICK_LETTER, PICK_PERSON, PREFIXES, QUERIES, render  # noqa: E402
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering  # noqa: E402

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


@dataclass
class Server:
    name: str
    query_url: str


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)
    error: str = ""

    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples and not self.error else None

    def p95(self) -> float | None:
        if not self.samples or self.error:
            return None
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


@contextmanager
def _process(args: list[str], url: str) -> Iterator[None]:
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_answering(url, proc, seconds=300)
        yield
    finally:
        proc.kill()
        proc.wait(timeout=10)


@contextmanager
def ours(data: Path, timeout: float) -> Iterator[Server]:
    port = free_port()
    kg = str(Path(sys.executable).parent / "kg")
    url = f"http://127.0.0.1:{port}/sparql"
    with _process([kg, "serve", "--data", str(data), "--port", str(port)], url):
        yield Server("kg serve (ours)", url)


@contextmanager
def oxigraph(data: Path) -> Iterator[Server]:
    from kg.store.load import load

    with running_oxigraph(union_default_graph=True) as server:
        summary = load(data, server.store, "gsp")
        if summary.failed:
            raise RuntimeError(f"loading the Oxigraph server failed: {summary}")
        yield Server("Oxigraph server", server.query)


@contextmanager
def rdflib_endpoint(data: Path, workdir: Path) -> Iterator[Server]:
    binary = Path(sys.executable).parent / "rdflib-endpoint"
    if not binary.exists():
        raise RuntimeError("rdflib-endpoint is not installed (pip install -e '.[bench]')")
    plain = workdir / "kg.nt"
    with gzip.open(data / "kg.nt.gz", "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with _process([str(binary), "serve", str(plain), "--host", "127.0.0.1", "--port", str(port)], url):
        yield Server("rdflib-endpoint", url)


def run_query(server: Server, text: str, timeout: float) -> float:
    started = time.perf_counter()
    resp = requests.post(server.query_url, data={"query": text}, headers={"Accept": ACCEPT}, timeout=timeout)
    resp.raise_for_status()
    _ = resp.content
    return time.perf_counter() - started


def pick(server: Server, query: str) -> str:
    resp = requests.post(server.query_url, data={"query": PREFIXES + query},
                         headers={"Accept": "application/sparql-results+json"}, timeout=60)
    resp.raise_for_status()
    row = resp.json()["results"]["bindings"][0]
    return next(iter(row.values()))["value"]


def time_queries(servers: list[Server], person: str, letter: str, repeat: int,
                 timeout: float) -> dict[str, dict[str, Timing]]:
    """Per query, the servers' samples interleaved (A B C A B C ...), so that load from other work on
    a shared machine falls on all of them alike instead of on whichever server ran during it."""
    out: dict[str, dict[str, Timing]] = {s.name: {} for s in servers}
    for name in QUERIES:
        text = render(name, person, letter)
        live = []
        for server in servers:
            out[server.name][name] = Timing()
            if _sample(server, text, timeout, out[server.name][name], warm_up=True):
                live.append(server)
        for _ in range(repeat):
            live = [s for s in live if _sample(s, text, timeout, out[s.name][name])]
    return out


def _sample(server: Server, text: str, timeout: float, timing: Timing, warm_up: bool = False) -> bool:
    """One timed request into ``timing``; False (with the error noted) when the server failed."""
    try:
        elapsed = run_query(server, text, timeout)
    except requests.Timeout:
        timing.error = f"> {timeout:.0f} s"
        return False
    except requests.RequestException as err:
        timing.error = f"error: {str(err)[:60]}"
        return False
    if not warm_up:
        timing.samples.append(elapsed)
    return True


def throughput(server: Server, text: str, clients: int, seconds: float, timeout: float) -> tuple[float, int]:
    """Requests/s of one lookup query with ``clients`` concurrent clients; and how many failed."""
    done, errors, lock = [0], [0], threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        session = requests.Session()
        while time.monotonic() < stop:
            try:
                resp = session.post(server.query_url, data={"query": text}, headers={"Accept": ACCEPT},
                                    timeout=timeout)
                ok = resp.status_code == 200
            except requests.RequestException:
                ok = False
            with lock:
                done[0] += ok
                errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done[0] / seconds, errors[0]


def build_corpus(n: int, workdir: Path) -> Path:
    from kg.devtools.generate import write_corpus

    pages = workdir / "pages"
    write_corpus(pages, n, seed=0)
    out = workdir / "output"
    kg = str(Path(sys.executable).parent / "kg")
    started = time.monotonic()
    subprocess.run([kg, "build", str(pages), "--out", str(out)], check=False)
    print(f"built {n} generated documents in {time.monotonic() - started:.1f} s", file=sys.stderr)
    if not (out / "kg.nt.gz").exists():
        raise RuntimeError("kg build did not publish a graph")
    return out


def fmt(seconds: float | None, error: str = "") -> str:
    if seconds is None:
        return error or "n/a"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a and b else "n/a"


def report(results: dict[str, dict[str, Timing]], rates: dict[str, tuple[float, int]], label: str) -> str:
    names = list(results)
    ours_name = names[0]
    lines = [f"## SPARQL over HTTP, {label} (median / p95; ratio = ours ÷ peer)", "",
             "| query | " + " | ".join(names) + " | ours ÷ Oxigraph | rdflib-endpoint ÷ ours |",
             "|---|" + "---|" * (len(names) + 2)]
    for q in QUERIES:
        cells = [f"{fmt(results[s][q].median(), results[s][q].error)} / {fmt(results[s][q].p95())}" for s in names]
        ox_t = results.get("Oxigraph server", {}).get(q)
        re_t = results.get("rdflib-endpoint", {}).get(q)
        o = results[ours_name][q].median()
        lines.append(f"| {q} | " + " | ".join(cells) + f" | {ratio(o, ox_t.median() if ox_t else None)} | "
                     + (f"{ratio(re_t.median(), o)}" if re_t and re_t.median() else (re_t.error if re_t else "n/a"))
                     + " |")
    lines += ["", "| lookup throughput, 4 clients | req/s | errors |", "|---|---|---|"]
    for s, (rate, errs) in rates.items():
        lines.append(f"| {s} | {rate:.0f} | {errs} |")
    return "\n".join(lines + ["", *goals(results, rates, ours_name)]) + "\n"


def goals(results: dict[str, dict[str, Timing]], rates: dict[str, tuple[float, int]], ours_name: str) -> list[str]:
    """Issue 6's targets, each marked met or NOT met, so the table says where we fall short."""
    def mark(ok: bool) -> str:
        return "met" if ok else "**NOT met**"

    out = ["| goal (issue 6) | result | |", "|---|---|---|"]
    ours = results[ours_name]
    ox_t, re_t = results.get("Oxigraph server"), results.get("rdflib-endpoint")
    if ox_t:
        ratios = {q: ours[q].median() / ox_t[q].median() for q in QUERIES if ours[q].median() and ox_t[q].median()}
        if ratios:
            worst = [f"{q} {r:.2f}×" for q, r in ratios.items() if r > 1.2]
            middle = statistics.median(ratios.values())
            out.append(f"| median latency ≤ 1.2× Oxigraph's, each query | {len(ratios) - len(worst)} of "
                       f"{len(ratios)} queries; median ratio {middle:.2f}× | {mark(not worst)}"
                       + (f": {', '.join(worst)}" if worst else "") + " |")
    if re_t:
        timed_out = {q for q in QUERIES if re_t[q].error.startswith(">")}
        unanswered = [q for q in QUERIES if re_t[q].error and q not in timed_out]  # e.g. DESCRIBE: 422
        faster = [float("inf") if q in timed_out else (re_t[q].median() or 0) / ours[q].median()  # type: ignore[operator]
                  for q in QUERIES if ours[q].median() and q not in unanswered]
        slow = sum(f < 20 for f in faster)
        skipped = f" (not counted, rdflib-endpoint failed: {', '.join(unanswered)})" if unanswered else ""
        out.append(f"| ≥ 20× faster than rdflib-endpoint (a timeout counts as faster) | {len(faster) - slow} of "
                   f"{len(faster)} queries{skipped} | {mark(slow == 0)} |")
    if ours_name in rates and "Oxigraph server" in rates and rates["Oxigraph server"][0]:
        share = rates[ours_name][0] / rates["Oxigraph server"][0]
        out.append(f"| lookup throughput ≥ 0.8× Oxigraph's | {share:.2f}× | {mark(share >= 0.8)} |")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="generated documents (ignored with --data)")
    parser.add_argument("--data", type=Path, help="an existing build directory (kg.trig, kg.nt.gz)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=10.0, help="throughput measurement length")
    parser.add_argument("--peers", default="ours,oxigraph,rdflib-endpoint")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "peers.md",
                        help="where the Markdown table is written (besides stdout)")
    args = parser.parse_args()
    wanted = args.peers.split(",")
    with tempfile.TemporaryDirectory(prefix="kg-peers-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        data = args.data or build_corpus(args.n, work)
        servers: list[Server] = []
        if "ours" in wanted:
            servers.append(stack.enter_context(ours(data, args.timeout)))
        if "oxigraph" in wanted:
            servers.append(stack.enter_context(oxigraph(data)))
        if "rdflib-endpoint" in wanted:
            servers.append(stack.enter_context(rdflib_endpoint(data, work)))
        person, letter = pick(servers[0], PICK_PERSON), pick(servers[0], PICK_LETTER)
        print("timing the queries, servers interleaved ...", file=sys.stderr)
        results = time_queries(servers, person, letter, args.repeat, args.timeout)
        rates = {}
        for server in servers:
            print(f"throughput of {server.name} ...", file=sys.stderr)
            rates[server.name] = throughput(server, render(LOOKUP, person, letter), 4, args.seconds, args.timeout)
        label = f"{args.n} generated letters" if not args.data else f"build in {args.data}"
        text = report(results, rates, label)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
