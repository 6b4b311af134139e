"""A publisher's traffic with ``wrk``: `kg serve` (answers per release) against the Oxigraph server.

    python bench/cache_bench.py                                   # build/server-bench/output (10k letters)
    python bench/cache_bench.py --data /work/main/build/server-bench/output --seconds 8
    python bench/cache_bench.py --only cold --connections 4

Both servers run on 127.0.0.1 in the same run, loaded with the same build: `kg serve` as it ships
(subprocess, default settings: waitress, a 64 MB answer cache) and ``oxigraph serve`` (PyPI
``oxigraph``, loaded through `kg load`, union default graph). ``--granian`` adds the same app under
granian; ``--front`` adds nginx (``deploy/nginx-front.conf``, bench/front.py) in front of each app
server, once passing every request through and once with its own one-second cache revalidated by
ETag (``--front-cache`` picks: off, on, both). For each traffic and each number of
connections (4, 16), ``wrk -t2 -cN -dSs --latency`` with a Lua script that builds every request:

- **cold**: the light lookup ``SELECT ?p ?o WHERE { <…/letter/N> ?p ?o }`` of a different letter each
  time, with a comment that makes every request's text distinct (``# run-thread-n``): no answer can
  be replayed, so this measures the work per request;
- **repeated**: the same lookup over 50 letters, over and over (example queries, crawlers, the
  query a page's script sends);
- **pages**: the HTML page of one of 500 letters (``/letter/N``); the Oxigraph server has no pages, so
  it answers what a page needs, ``DESCRIBE <…/letter/N>`` in Turtle;
- **mixed**: 5 in 10 requests pages, 3 repeated lookups, 2 cold lookups.

Before each traffic a warm-up with the same script (for cold: other request texts): 2 s, and
``--warmup`` (8 s) for pages and mixed, about what it takes to ask each of the 500 pages once. Reported:
req/s, p50, p99, non-2xx answers and socket errors, CPU milliseconds per request of each server
(its process and every descendant: the store process and query workers; from /proc, before and
after), and our ratio to the Oxigraph server (req/s: higher is better; p50/p99: lower is better).
The machine is shared: the 1-minute load average before each run is printed too.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.server_bench import _seconds  # noqa: E402
from kg.devtools.procs import descendants, processes  # noqa: E402
from tests.oxigraph_server import free_port, wait_until_answering  # noqa: E402

BASE = "https://w3id.org/bolcorr/"
TRAFFIC = ("cold", "repeated", "pages", "mixed")

LUA = r"""
local kind, server, run = "KIND", "SERVER", "0"
local base = "BASE"
local counter = 0
local n = 0
tid = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  run = args[1] or "0"
end

local function enc(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function sparql(q, accept)
  local path = (server == "kg") and "/sparql" or "/query"
  return wrk.format("GET", path .. "?query=" .. enc(q), {["Accept"] = accept})
end

local JSON = "application/sparql-results+json"

local function lookup(letter, tag)
  local q = "SELECT ?p ?o WHERE { <" .. base .. "letter/" .. letter .. "> ?p ?o }"
  if tag then q = q .. " # " .. tag end
  return sparql(q, JSON)
end

local function cold()
  return lookup(((tid * 7919 + n * 13) % LETTERS) + 1, run .. "-" .. tid .. "-" .. n)
end

local function repeated()
  return lookup((n % 50) + 1, nil)
end

local function page()
  local letter = ((n * 7) % 500) + 1
  if server == "kg" then
    return wrk.format("GET", "/letter/" .. letter, {["Accept"] = "text/html"})
  end
  return sparql("DESCRIBE <" .. base .. "letter/" .. letter .. ">", "text/turtle")
end

function request()
  n = n + 1
  if kind == "cold" then return cold() end
  if kind == "repeated" then return repeated() end
  if kind == "pages" then return page() end
  local r = n % 10
  if r < 5 then return page() end
  if r < 8 then return repeated() end
  return cold()
end
"""


@dataclass(frozen=True)
class Running:
    name: str
    url: str  # http://127.0.0.1:PORT
    pid: int
    kind: str  # "kg", "granian" (the same paths as kg) or "oxigraph" (the Lua script's paths)
    front_pid: int = 0  # nginx's master in front of it, if any (its workers are counted with it)


@dataclass(frozen=True)
class Measure:
    server: str
    traffic: str
    connections: int
    rps: float
    p50: float
    p99: float
    requests: int
    bad: int
    cpu_ms: float  # CPU milliseconds per request, server process and descendants
    web_ms: float  # of which the process(es) running HTTP and the app (kg serve: itself; granian: + its worker)
    front_ms: float  # of which nginx in front (master and workers), included in both above
    load: float


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_seconds(server: Running) -> tuple[float, float, float]:
    """CPU seconds so far of the server and all its descendants, of its HTTP + app process(es) (nginx
    in front included), and of nginx alone."""
    table = processes()

    def tree(pid: int) -> list:
        return ([table[pid]] if pid in table else []) + list(descendants(pid, table).values())

    family = tree(server.pid)
    web = [p for p in family if p.pid == server.pid or (server.kind == "granian" and p.ppid == server.pid)]
    front = sum(p.cpu for p in tree(server.front_pid)) if server.front_pid else 0.0
    return sum(p.cpu for p in family) + front, sum(p.cpu for p in web) + front, front


def script(workdir: Path, kind: str, server: str, letters: int) -> Path:
    path = workdir / f"{kind}-{server}.lua"
    server = "oxigraph" if server == "oxigraph" else "kg"  # granian, nginx in front: the same app, the same paths
    path.write_text(LUA.replace("KIND", kind).replace("SERVER", server).replace("BASE", BASE)
                    .replace("LETTERS", str(letters)), encoding="utf-8")
    return path


def wrk(url: str, lua: Path, connections: int, seconds: int, run: str) -> tuple[float, float, float, int, int]:
    """req/s, p50, p99 (s), requests, non-2xx/3xx answers + socket errors."""
    argv = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(lua), url, "--", run]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _seconds(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _seconds(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return rps, p50, p99, done, bad + (sum(int(n) for n in errors.groups()) if errors else 0)


def measure(server: Running, traffic: str, connections: int, args: argparse.Namespace, workdir: Path,
            run: int) -> Measure:
    lua = script(workdir, traffic, server.kind, args.letters)
    wrk(server.url, lua, connections, args.warmup if traffic in ("pages", "mixed") else 2, f"warm{run}")
    load = os.getloadavg()[0]
    before = cpu_seconds(server)
    rps, p50, p99, done, bad = wrk(server.url, lua, connections, args.seconds, f"run{run}")
    after = cpu_seconds(server)
    cpu, web, front = ((a - b) / max(done, 1) * 1e3 for a, b in zip(after, before, strict=True))
    log(f"  {server.name} {traffic} c{connections}: {rps:.0f} req/s, p50 {p50 * 1e3:.2f} ms, "
        f"p99 {p99 * 1e3:.2f} ms, {cpu:.3f} CPU ms/request ({web:.3f} HTTP + app, {front:.3f} nginx), bad {bad}")
    return Measure(server.name, traffic, connections, rps, p50, p99, done, bad, cpu, web, front, load)


@contextmanager
def kg_serve(data: Path, logs: Path) -> Iterator[Running]:
    """`kg serve` as shipped. Its stderr goes to a file: a pipe nobody reads fills up under load
    (waitress logs every time its task queue grows) and then blocks the server's I/O thread."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-m", "kg", "serve", "--data", str(data), "--port", str(port)]
    with (logs / "kg-serve.log").open("wb") as log_file, \
            subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file) as proc:
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc, seconds=600)
            yield Running("kg serve", f"http://127.0.0.1:{port}", proc.pid, "kg")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextmanager
def granian_serve(data: Path, logs: Path) -> Iterator[Running]:
    """The same app under granian (Rust HTTP, 1 worker process, 8 threads), as bench/server_bench.py
    starts it: not what `kg serve` ships (docs/server.md says what a switch needs), measured beside it."""
    from bench.server_bench import CANDIDATES

    candidate = next(c for c in CANDIDATES if c.name.startswith("granian"))
    port = free_port()
    env = dict(os.environ, KG_BENCH_DATA=str(data), PYTHONPATH=str(ROOT))
    with (logs / "granian.log").open("wb") as log_file, \
            subprocess.Popen(candidate.command(port, data), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=log_file) as proc:
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc, seconds=600)
            yield Running("same app under granian", f"http://127.0.0.1:{port}", proc.pid, "granian")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextmanager
def fronted(app: Running, cache: bool, workers: int) -> Iterator[Running]:
    """nginx (bench/front.py) in front of an app server already running."""
    from bench.front import nginx_front

    upstream = app.url.removeprefix("http://")
    with nginx_front(free_port(), upstream, cache, workers=workers) as front:
        name = f"nginx{' (cache)' if cache else ''} → {'kg serve' if app.kind == 'kg' else 'granian'}"
        yield Running(name, front.url, app.pid, app.kind, front.pid)


@contextmanager
def oxigraph_serve(data: Path) -> Iterator[Running]:
    from kg.store.load import load
    from tests.oxigraph_server import running_oxigraph

    with running_oxigraph(union_default_graph=True) as server:
        summary = load(data, server.store, "gsp")
        if summary.failed:
            raise RuntimeError(f"loading the Oxigraph server failed: {summary}")
        yield Running(PEER, server.base, server.pid, "oxigraph")


PEER = "Oxigraph server"


def peers(results: list[Measure]) -> dict[tuple[str, int], Measure]:
    """The Oxigraph server's figures per (traffic, connections): with ``--bracket`` it ran before and
    after the others, and the mean of its runs is what ours are divided by (the machine's load moves
    within minutes)."""
    runs: dict[tuple[str, int], list[Measure]] = {}
    for m in results:
        if m.server.startswith(PEER):
            runs.setdefault((m.traffic, m.connections), []).append(m)
    return {k: replace(ms[0], server=PEER, rps=sum(m.rps for m in ms) / len(ms), p50=sum(m.p50 for m in ms) / len(ms),
                       p99=sum(m.p99 for m in ms) / len(ms)) for k, ms in runs.items()}


def table(results: list[Measure]) -> str:
    peer = peers(results)
    lines = ["| traffic | connections | server | req/s | p50 | p99 | CPU ms / request (all processes) | of which HTTP "
             "+ app | of which nginx | non-2xx + errors | load avg | req/s ÷ Oxigraph | p50 ÷ Oxigraph "
             "| p99 ÷ Oxigraph |", "|---" * 14 + "|"]
    for m in results:
        other = peer.get((m.traffic, m.connections))
        ratios = ["", "", ""] if other is None or m.server.startswith(PEER) else [
            f"**{m.rps / other.rps:.2f}×**", f"{m.p50 / other.p50:.2f}×", f"{m.p99 / other.p99:.2f}×"]
        lines.append(f"| {m.traffic} | {m.connections} | {m.server} | {m.rps:.0f} | {m.p50 * 1e3:.2f} ms | "
                     f"{m.p99 * 1e3:.2f} ms | {m.cpu_ms:.3f} | {m.web_ms:.3f} | {m.front_ms:.3f} | {m.bad} | "
                     f"{m.load:.2f} | "
                     + " | ".join(ratios) + " |")
    return "\n".join(lines)


def goals(results: list[Measure]) -> str:
    """The issue's goals against what was measured (each at every connection count)."""
    peer = peers(results)
    rows = ["| goal | server | measured (4 / 16 connections) | met |", "|---|---|---|---|"]
    for traffic, bar in (("mixed", 1.0), ("repeated", 1.0), ("cold", 0.5)):
        for name in dict.fromkeys(m.server for m in results if not m.server.startswith(PEER)):
            ours = {(m.traffic, m.connections): m for m in results if m.server == name}
            keys = sorted(k for k in ours if k[0] == traffic and k in peer)
            if not keys:
                continue
            ratios = [ours[k].rps / peer[k].rps for k in keys]
            met = "yes" if min(ratios) >= bar else "NOT met"
            rows.append(f"| {traffic}: req/s ≥ {bar:.1f}× the Oxigraph server | {name} | "
                        + " / ".join(f"{r:.2f}×" for r in ratios) + f" | {met} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "server-bench" / "output")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", default="4,16")
    parser.add_argument("--only", default=",".join(TRAFFIC), help="traffic kinds, comma-separated")
    parser.add_argument("--warmup", type=int, default=8, help="seconds of warm-up before pages and mixed "
                        "(others: 2): a publisher's pages are asked again and again, the first view is not the rule")
    parser.add_argument("--granian", action="store_true", help="also the same app under granian (not shipped)")
    parser.add_argument("--front", action="store_true", help="also nginx in front of each app server")
    parser.add_argument("--front-cache", choices=("off", "on", "both"), default="both",
                        help="nginx's own cache in front: off, on, or one nginx of each")
    parser.add_argument("--front-workers", type=int, default=1, help="nginx worker processes")
    parser.add_argument("--without-kg-serve", action="store_true",
                        help="leave out kg serve (waitress) and nginx in front of it")
    parser.add_argument("--bracket", action="store_true",
                        help="measure the Oxigraph server before and after the others; ratios use the mean")
    parser.add_argument("--letters", type=int, default=10000,
                        help="letters in the build (cold lookups spread over them)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        log("wrk is not installed: `make wrk` (Debian package)")
        return 2
    if not (args.data / "kg.trig").is_file():
        from bench.server_bench import build

        log(f"{args.data}: no build; generating and building {args.letters} letters there (once)")
        args.data = build(args.letters, args.data.parent)
    kinds = [k for k in args.only.split(",") if k in TRAFFIC]
    conns = [int(c) for c in args.connections.split(",")]
    results: list[Measure] = []
    started = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    with tempfile.TemporaryDirectory() as tmp:
        log("loading the Oxigraph server and starting kg serve ...")
        with ExitStack() as stack:
            apps = [] if args.without_kg_serve else [stack.enter_context(kg_serve(args.data, Path(tmp)))]
            if args.granian:
                apps.append(stack.enter_context(granian_serve(args.data, Path(tmp))))
            servers = list(apps)
            caches = {"off": [False], "on": [True], "both": [False, True]}[args.front_cache] if args.front else []
            for app in apps:
                servers += [stack.enter_context(fronted(app, cache, args.front_workers)) for cache in caches]
            peer = stack.enter_context(oxigraph_serve(args.data))
            servers = [replace(peer, name=f"{PEER} (before)"), *servers, replace(peer, name=f"{PEER} (after)")] \
                if args.bracket else [*servers, peer]
            for run, (traffic, connections) in enumerate((t, c) for t in kinds for c in conns):
                for server in servers:
                    results.append(measure(server, traffic, connections, args, Path(tmp), run))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    print(f"## A publisher's traffic with wrk: kg serve vs the Oxigraph server\n\n{started}, commit "
          f"{commit.strip()}, {os.cpu_count()} cores, data {args.data.name} of {args.data.parent.name}; "
          f"`wrk -t2 -cN -d{args.seconds}s --latency` per row after a warm-up (2 s; {args.warmup} s for pages "
          f"and mixed).\n")
    print(table(results) + "\n\n" + goals(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
