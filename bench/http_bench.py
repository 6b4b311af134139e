"""Our HTTP overhead: median latency of the typical queries through `kg serve`'s /sparql (guards,
worker process, serialization, waitress, a keep-alive HTTP client) beside the same queries run
in-process on pyoxigraph (the engine's own time: evaluate + serialize SPARQL JSON). Goal: ≤ 1 ms
per request on top of the engine.

    python bench/http_bench.py --n 10000        # generate 10k letters, `kg build`, serve, measure
    python bench/http_bench.py --data output/   # an existing build
    python bench/http_bench.py --synthetic 10000  # no build: a graph of the same shape made here

Prints a Markdown table (medians over --repeat runs, after a warm-up) to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peer_queries import PICK_LETTER, PICK_PERSON, PREFIXES, QUERIES, render  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
S = "http://schema.org/"
BASE = "https://w3id.org/bolcorr/"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def synthetic(n: int, out: Path) -> Path:
    """A graph shaped like ours (1-3 senders/recipients, date, 3-10 mentions, 1-6 notes, a source,
    ~2 KB text; one named graph per letter), written as kg.trig."""
    rng = random.Random(0)
    people = [f"{BASE}person/p{i}" for i in range(400)]
    quads = []
    for i, p in enumerate(people):
        quads.append(ox.Quad(ox.NamedNode(p), ox.NamedNode(S + "name"), ox.Literal(f"Person {i} Petrov{i % 37}ov"),
                             ox.NamedNode(BASE + "graph/authority")))
    for i in range(n):
        letter, graph = ox.NamedNode(f"{BASE}letter/{i}"), ox.NamedNode(f"{BASE}graph/letter/{i}")

        def add(s: ox.NamedNode, p: str, o: object, g: ox.NamedNode = graph) -> None:
            quads.append(ox.Quad(s, ox.NamedNode(p), o, g))

        add(letter, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(S + "Message"))
        add(letter, S + "identifier", ox.Literal(str(i)))
        for p in rng.sample(people[:60], rng.randint(1, 3)):
            add(letter, S + "sender", ox.NamedNode(p))
        for p in rng.sample(people, rng.randint(1, 3)):
            add(letter, S + "recipient", ox.NamedNode(p))
        date = f"{rng.randint(1912, 1927)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        add(letter, S + "dateCreated", ox.Literal(date, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
        for p in rng.sample(people, rng.randint(3, 10)):
            add(letter, S + "mentions", ox.NamedNode(p))
        citation = ox.Literal(f"RGASPI. F. {i % 90}. Op. 1. D. {i}.")
        add(letter, "http://purl.org/dc/terms/bibliographicCitation", citation)
        add(letter, S + "text", ox.Literal("Lorem ipsum dolor sit amet " * 75, language="en"))
        for k in range(1, rng.randint(1, 6) + 1):
            note = ox.NamedNode(f"{BASE}letter/{i}/note/{k}")
            add(letter, S + "comment", note)
            add(note, S + "position", ox.Literal(str(k), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
            add(note, S + "text", ox.Literal(f"Note {k} to letter {i}.", language="en"))
    out.mkdir(parents=True, exist_ok=True)
    ox.serialize(quads, str(out / "kg.trig"), ox.RdfFormat.TRIG)
    return out


def build(n: int, work: Path, rebuild: bool) -> Path:
    """Generate and build n letters into build/http-bench-<n>/ (git-ignored), reused by later runs."""
    from kg.devtools.generate import write_corpus

    pages, out = work / "pages", work / "out"
    if (out / "kg.trig").is_file() and not rebuild:
        log(f"reusing the build in {out} (--rebuild to redo it)")
        return out
    log(f"generating {n} letters and running kg build (minutes)...")
    write_corpus(pages, n, seed=0)
    subprocess.run([str(ROOT / ".venv" / "bin" / "kg"), "build", str(pages), "--out", str(out)], check=False,
                   stdout=subprocess.DEVNULL)
    if not (out / "kg.trig").is_file():
        raise SystemExit("kg build did not publish a graph; try --synthetic 10000")
    return out


def engine_store(data: Path) -> ox.Store:
    """The in-process engine, loaded in a thread of its own as the server's store process loads it
    (kg.store.zygote._open): loaded on the main thread, queries here would run ~20% slower in the
    loader's fragmented malloc arena and the overhead column would come out negative."""
    import threading

    store = ox.Store()
    trig = data / "kg.trig"

    def load() -> None:
        if trig.is_file():
            store.bulk_load(path=str(trig), format=ox.RdfFormat.TRIG)
        else:
            store.bulk_load(input=gzip.decompress((data / "kg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES)

    loader = threading.Thread(target=load)
    loader.start()
    loader.join()
    return store


def engine_time(store: ox.Store, text: str) -> float:
    started = time.perf_counter()
    result = store.query(text, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryTriples):
        result.serialize(format=ox.RdfFormat.N_TRIPLES)
    elif isinstance(result, ox.QuerySolutions):
        result.serialize(format=ox.QueryResultsFormat.JSON)
    return time.perf_counter() - started


class Client:
    """A keep-alive HTTP/1.1 client with almost no overhead of its own (http.client, form POST)."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def post(self, text: str, accept: str) -> bytes:
        body = urlencode({"query": text})
        self.conn.request("POST", "/sparql", body, {"Accept": accept,
                                                    "Content-Type": "application/x-www-form-urlencoded"})
        response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"/sparql answered {response.status}: {data[:300]!r}")
        return data


def http_time(client: Client, text: str, accept: str) -> float:
    started = time.perf_counter()
    client.post(text, accept)
    return time.perf_counter() - started


def serve(data: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "kg"), "serve", "--data", str(data), "--port", str(port),
                             "--query-timeout", "120"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=2)
            return proc
        except requests.ConnectionError:
            if proc.poll() is not None:
                raise SystemExit(f"kg serve failed: {proc.stderr.read().decode()}") from None
            time.sleep(0.2)
    raise SystemExit("kg serve did not start")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(data: Path, repeat: int) -> list[tuple[str, float, float, int]]:
    log("loading the engine in-process...")
    store = engine_store(data)
    first = lambda q: next(iter(store.query(PREFIXES + q, use_default_graph_as_union=True)))[0].value  # noqa: E731
    person, letter = first(PICK_PERSON), first(PICK_LETTER)
    port = free_port()
    log("starting kg serve...")
    proc = serve(data, port)
    client = Client(port)
    rows = []
    try:
        floor, floor_engine = [], []
        for _ in range(repeat * 5):
            floor.append(http_time(client, "ASK {}", "application/sparql-results+json"))
            floor_engine.append(engine_time(store, "ASK {}"))
        rows.append(("HTTP floor: ASK {} (no data touched)", statistics.median(floor),
                     statistics.median(floor_engine), 29))
        for name in QUERIES:
            text = render(name, person, letter)
            accept = "application/n-triples" if "DESCRIBE" in text else "application/sparql-results+json"
            engine_time(store, text)
            http_time(client, text, accept)
            engine, over_http = [], []
            for _ in range(repeat):  # interleaved, so both see the same machine load
                engine.append(engine_time(store, text))
                over_http.append(http_time(client, text, accept))
            size = len(client.post(text, accept))
            rows.append((name, statistics.median(over_http), statistics.median(engine), size))
            log(f"  {name}: http {rows[-1][1] * 1000:.2f} ms, engine {rows[-1][2] * 1000:.2f} ms")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return rows


def report(rows: list[tuple[str, float, float, int]], label: str, triples: int) -> str:
    lines = [f"## HTTP overhead of /sparql over the engine ({label}, {triples} triples)", "",
             "| query | over HTTP (median) | engine in-process | overhead | response bytes |",
             "|---|---|---|---|---|"]
    for name, http_s, engine_s, size in rows:
        lines.append(f"| {name} | {http_s * 1000:.2f} ms | {engine_s * 1000:.2f} ms | "
                     f"{(http_s - engine_s) * 1000:+.2f} ms | {size} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing build (kg.trig or kg.nt.gz)")
    parser.add_argument("--n", type=int, default=10000, help="generated letters to build (default 10000)")
    parser.add_argument("--synthetic", type=int, help="skip kg build: make a graph of this many letters here")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true", help="redo the cached build of --n letters")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-http-bench-") as tmp:
        if args.data:
            data, label = args.data, f"build in {args.data}"
        elif args.synthetic:
            data, label = synthetic(args.synthetic, Path(tmp)), f"{args.synthetic} synthetic letters (no kg build)"
        else:
            work = ROOT / "build" / f"http-bench-{args.n}"
            data, label = build(args.n, work, args.rebuild), f"{args.n} generated letters, kg build"
        rows = measure(data, args.repeat)
        triples = len(engine_store(data))
        print(report(rows, label, triples))
    return 0


if __name__ == "__main__":
    sys.exit(main())
