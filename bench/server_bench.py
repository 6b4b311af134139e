"""The HTTP server under `kg serve`, candidates side by side: slow clients and lookup throughput.

    python bench/server_bench.py                       # 10k generated letters (built once, reused)
    python bench/server_bench.py --data build/out-10k  # an existing build
    python bench/server_bench.py --only waitress,oxigraph --slow-seconds 10

Candidates, each serving the same app (``kg.web.create_app``, one store) on 127.0.0.1, one at a time:
waitress as `kg serve` runs it (tuned, ``kg/web/serve.py``), gunicorn (gthread worker: 1 process x 8
threads; more processes would each load and fork the store), granian (Rust HTTP, WSGI, 1 process,
8 blocking threads); nginx (``deploy/nginx-front.conf``, bench/front.py, no cache of its own) in front
of granian and of `kg serve`; and the Oxigraph server (PyPI ``oxigraph``, loaded through `kg load`) as
the peer. For each:

- **slow clients**: ``--slow`` connections trickle one header byte per second for ``--slow-seconds``
  (reopened when the server closes them), while a fresh client asks a lookup every second; its
  median and worst latency, and how many probes failed (the issue's bar: < 1 s);
- **slow bodies**: ``--slow-bodies`` connections (16: twice the threads) send whole headers of a SPARQL
  POST and then trickle its body a byte a second for ``--slow-body-seconds``, with the same probe;
- **throughput**: ``wrk -t2 -c4 -d8s`` on a light lookup (``SELECT ?p ?o WHERE { <letter> ?p ?o }``
  by GET); req/s, p50/p99, and the ratio to the Oxigraph server in the same run (issue's goal: >= 0.8x);
- the 1-minute load average (``uptime``) before each measurement: the machine is shared.

Prints a Markdown table to stdout (progress to stderr). Needs ``wrk`` (`make wrk`) and the bench
extra (gunicorn, granian).
"""

from __future__ import annotations

import argparse
import atexit
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import quote, urlsplit

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.oxigraph_server import free_port, wait_until_answering  # noqa: E402
from tests.web_server import SlowBodies, SlowLoris, probe  # noqa: E402

BIN = Path(sys.executable).parent
LOOKUP = "SELECT ?p ?o WHERE {{ <{letter}> ?p ?o }}"
ACCEPT = "application/sparql-results+json"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def wsgi_app():  # pragma: no cover - runs inside gunicorn / granian
    """The app for servers that import it (``bench.server_bench:wsgi_app``): the build in
    ``KG_BENCH_DATA``, one store per process, closed when the process exits."""
    from kg.config import Settings
    from kg.store import open_store
    from kg.web import create_app

    settings = replace(Settings(), output_dir=Path(os.environ["KG_BENCH_DATA"]))
    store = open_store(settings.output_dir, None, warm_workers=settings.query_workers)
    atexit.register(store.close)
    return create_app(settings, store)


@dataclass(frozen=True)
class Candidate:
    name: str
    argv: tuple[str, ...]  # {port} and {data} are filled in
    front: bool = False  # behind nginx (bench/front.py): the probes and wrk ask nginx

    def command(self, port: int, data: Path) -> list[str]:
        return [a.format(port=port, data=data) for a in self.argv]


KG_SERVE = (str(BIN / "kg"), "serve", "--data", "{data}", "--port", "{port}")
GRANIAN = (str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1", "--port", "{port}", "--workers", "1",
           "--blocking-threads", "8", "--log-level", "warning", "--factory", "bench.server_bench:wsgi_app")
CANDIDATES = (
    Candidate("waitress, tuned (kg serve)", KG_SERVE),
    Candidate("gunicorn (gthread, 1 process x 8 threads)",
              (str(BIN / "gunicorn"), "-k", "gthread", "-w", "1", "--threads", "8", "-b", "127.0.0.1:{port}",
               "--timeout", "60", "--log-level", "warning", "bench.server_bench:wsgi_app()")),
    Candidate("granian (WSGI, 1 process, 8 threads)", GRANIAN),
    Candidate("nginx → granian (1 process, 8 threads)", GRANIAN, front=True),
    Candidate("nginx → waitress, tuned (kg serve)", KG_SERVE, front=True),
)


@dataclass
class Result:
    name: str
    rps: float = 0.0
    p50: str = "n/a"
    p99: str = "n/a"
    slow: str = "n/a"
    slow_bodies: str = "n/a"
    framing: str = "n/a"
    load: list[str] = field(default_factory=list)
    note: str = ""


@contextmanager
def candidate_server(candidate: Candidate, data: Path) -> Iterator[str]:
    """Start one candidate on a free loopback port; yield its /sparql URL; stop it (SIGTERM, then kill)."""
    port = free_port()
    env = dict(os.environ, KG_BENCH_DATA=str(data), PYTHONPATH=str(ROOT))
    url = f"http://127.0.0.1:{port}/sparql"
    with subprocess.Popen(candidate.command(port, data), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as proc:
        try:
            wait_until_answering(url, proc, seconds=300)
            if candidate.front:
                from bench.front import nginx_front

                with nginx_front(free_port(), f"127.0.0.1:{port}", cache=False) as front:
                    yield f"{front.url}/sparql"
            else:
                yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextmanager
def oxigraph_server(data: Path) -> Iterator[str]:
    from bench.peers_bench import oxigraph

    with oxigraph(data) as server:
        yield server.query_url


def load_average() -> str:
    return f"{os.getloadavg()[0]:.2f}"


UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _seconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def wrk(url: str, seconds: int) -> tuple[float, float, float, int]:
    """req/s, p50 and p99 (seconds), and non-2xx answers + socket errors, from ``wrk --latency``."""
    done = subprocess.run(["wrk", "-t2", "-c4", f"-d{seconds}s", "--latency", "-H", f"Accept: {ACCEPT}", url],
                          capture_output=True, text=True, timeout=seconds + 60, check=True)
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(n) for n in errors.groups()) if errors else 0
    return rps, p50, p99, bad


def slow_probe(url: str, lookup: str, clients: int, seconds: float, kind: type[SlowLoris] = SlowLoris) -> str:
    """Median / worst latency of a lookup asked every second by a fresh client, while ``clients``
    slow connections (``kind``: trickling headers, or bodies) hold on; failed probes (errors or > 10 s)
    are counted."""
    parsed = urlsplit(url)
    latencies: list[float] = []
    failed = 0
    with kind(parsed.hostname or "127.0.0.1", parsed.port or 80, count=clients) as loris:
        time.sleep(min(3.0, seconds / 4))  # let the slow connections be accepted first
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            started = time.monotonic()
            took = probe(lookup, timeout=10)
            if took is None:
                failed += 1
            else:
                latencies.append(took)
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
        reopened = loris.reopened
    if not latencies:
        return f"all {failed} probes failed"
    return (f"{statistics.median(latencies) * 1000:.0f} / {max(latencies) * 1000:.0f} ms, "
            f"{failed} failed, {reopened} slow reopened")


SMUGGLE = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
           b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
           b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")


def framing(url: str) -> str:
    """What the server does with Content-Length + Transfer-Encoding and a request pipelined behind:
    RFC 9112 section 6.1 wants the connection closed after the answer, the second request unread."""
    parsed = urlsplit(url)
    with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 80), timeout=5) as sock:
        sock.sendall(SMUGGLE)
        data, closed, deadline = b"", False, time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            data += chunk
    statuses = re.findall(rb"HTTP/1\.[01] (\d{3})", data)
    answered = "/".join(s.decode() for s in statuses) or "none"
    return f"{answered}, {'closed' if closed else 'kept open'}"


def pick_letter(url: str) -> str:
    query = ("PREFIX schema: <http://schema.org/> SELECT ?l WHERE { ?l a schema:Message ; schema:identifier ?id } "
             "ORDER BY ?id LIMIT 1")
    wanted = "https://w3id.org/bolcorr/letter/5"
    ask = requests.get(url, params={"query": f"ASK {{ <{wanted}> ?p ?o }}"}, headers={"Accept": ACCEPT}, timeout=60)
    if ask.ok and ask.json().get("boolean"):
        return wanted
    resp = requests.get(url, params={"query": query}, headers={"Accept": ACCEPT}, timeout=60)
    resp.raise_for_status()
    return resp.json()["results"]["bindings"][0]["l"]["value"]


def measure(name: str, url: str, letter: str, args: argparse.Namespace) -> Result:
    lookup = f"{url}?query={quote(LOOKUP.format(letter=letter), safe='')}"
    result = Result(name)
    first = probe(lookup, timeout=30)
    if first is None:
        result.note = "the lookup failed"
        return result
    result.framing = framing(url)
    result.load.append(load_average())
    log(f"  slow clients: {args.slow} for {args.slow_seconds:g} s ...")
    result.slow = slow_probe(url, lookup, args.slow, args.slow_seconds)
    time.sleep(2)
    if args.slow_bodies:
        log(f"  slow bodies: {args.slow_bodies} for {args.slow_body_seconds:g} s ...")
        result.slow_bodies = slow_probe(url, lookup, args.slow_bodies, args.slow_body_seconds, SlowBodies)
        time.sleep(2)
    result.load.append(load_average())
    log(f"  wrk -t2 -c4 -d{args.wrk_seconds}s ...")
    wrk(lookup, 2)  # warm-up
    rps, p50, p99, bad = wrk(lookup, args.wrk_seconds)
    result.rps, result.p50, result.p99 = rps, f"{p50 * 1000:.2f} ms", f"{p99 * 1000:.2f} ms"
    result.note = f"{bad} bad answers" if bad else ""
    return result


def build(n: int, work: Path) -> Path:
    """A generated build of ``n`` letters in ``work`` (reused when present)."""
    out = work / "output"
    if (out / "kg.trig").is_file():
        log(f"reusing {out}")
        return out
    pages = work / "pages"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate_corpus.py"), "--n", str(n), "--seed", "0",
                    "--out", str(pages)], check=True, stdout=subprocess.DEVNULL)
    log(f"kg build of {n} letters ...")
    subprocess.run([str(BIN / "kg"), "build", str(pages), "--out", str(out), "--quiet"], check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not (out / "kg.trig").is_file():
        raise RuntimeError("kg build did not publish a graph")
    return out


def table(results: list[Result], oxigraph_rps: float | None) -> str:
    lines = ["| server | lookup req/s (wrk, 4 clients) | p50 | p99 | ÷ Oxigraph | slow-client probe: median / worst "
             "(bar < 1 s) | slow-body probe: median / worst | CL+TE, pipelined: answers, connection "
             "| load avg (before probe, before wrk) | note |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        share = f"{r.rps / oxigraph_rps:.2f}×" if oxigraph_rps and r.rps else "n/a"
        lines.append(f"| {r.name} | {r.rps:.0f} | {r.p50} | {r.p99} | {share} | {r.slow} | {r.slow_bodies} | "
                     f"{r.framing} | {', '.join(r.load)} | {r.note} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="generated letters (ignored with --data)")
    parser.add_argument("--data", type=Path, help="an existing build directory")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "server-bench", help="where --n builds")
    parser.add_argument("--slow", type=int, default=200, help="slow connections")
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--slow-bodies", type=int, default=16, help="connections trickling a body (0: none)")
    parser.add_argument("--slow-body-seconds", type=float, default=10.0)
    parser.add_argument("--wrk-seconds", type=int, default=8)
    parser.add_argument("--only", help="comma-separated parts of candidate names (oxigraph for the peer)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        log("wrk is not installed: `make wrk` (Debian package)")
        return 2
    data = args.data or build(args.n, args.work)
    wanted = [w for w in (args.only or "").split(",") if w]
    chosen = [c for c in CANDIDATES if not wanted or any(w in c.name for w in wanted)]
    results: list[Result] = []
    oxigraph_rps, peer, letter = None, None, ""
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    if not wanted or "oxigraph" in wanted:
        log("Oxigraph server: loading the build ...")
        with oxigraph_server(data) as url:
            letter = pick_letter(url)
            log("Oxigraph server ...")
            peer = measure("Oxigraph server (peer)", url, letter, args)
            oxigraph_rps = peer.rps or None
    for candidate in chosen:
        log(f"{candidate.name} ...")
        try:
            with candidate_server(candidate, data) as url:
                letter = pick_letter(url)
                results.append(measure(candidate.name, url, letter, args))
        except (RuntimeError, OSError, subprocess.SubprocessError) as err:
            results.append(Result(candidate.name, note=f"failed: {str(err)[:120]}"))
    if peer is not None:
        results.append(peer)
    print(f"## HTTP servers under `kg serve`: {data}, {started}, {os.cpu_count()} cores\n")
    print(table(results, oxigraph_rps))
    print(f"\nLookup: `{LOOKUP.format(letter=letter)}` by GET; slow clients: {args.slow} connections "
          f"for {args.slow_seconds:g} s; slow bodies: {args.slow_bodies} connections for "
          f"{args.slow_body_seconds:g} s; wrk -t2 -c4 -d{args.wrk_seconds}s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
