"""Scale-out: the embedded store against two external stores behind our proxy, at 10k and 100k letters.

    python bench/scaleout_bench.py --n 10000 --out bench/results/scaleout.md
    python bench/scaleout_bench.py --data build/out-100k --label "100k generated letters" --append

For each build, all on 127.0.0.1: our `kg serve` on the embedded store; the Oxigraph server (PyPI
`oxigraph`, in memory) and Virtuoso (Debian `virtuoso-opensource`, a throw-away database, see
tests/virtuoso_server.py), each loaded with `kg load` (Graph Store Protocol, with the collection's union
graph) and queried through `kg serve --sparql-backend`. Measured per store: the time until the data
answers (embedded: `kg serve` start to the first answer; external: the `kg load` run), the memory of the
store's processes (PSS, summed over a process tree: the embedded store's query workers share pages with
their parent) at its peak while loading and after, and the peers-bench queries (bench/peer_queries.py)
through our /sparql, the three servers interleaved query by query, ``--repeat`` samples after a warm-up.
Each query's answers are compared across the three (same rows, in any order). Ratios against the
embedded store, because the machine is shared: the load average is written beside the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peer_queries import PICK_LETTER, PICK_PERSON, QUERIES, render  # noqa: E402
from bench.peers_bench import Server, Timing, _sample, build_corpus, fmt, pick, time_queries  # noqa: E402
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering  # noqa: E402
from tests.virtuoso_server import running_virtuoso, virtuoso_installed  # noqa: E402

KG = str(Path(sys.executable).parent / "kg")
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# The embedded store's COUNT(*) counts a triple once per graph stating it (docs/external-stores.md):
# the stores are compared on the distinct triples of the default graph.
# Beyond the peers-bench: a query that says GRAPH, for which our app sends one named-graph-uri per graph
# of the collection (the price of "GRAPH ?g sees our graphs and nothing else").
GRAPH_QUERY = "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{letter}> ?p ?o }} }}"
GRAPH_NAME = "GRAPH ?g of a letter (named graphs listed)"
COUNT_DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


@dataclass
class StoreRun:
    """One store: how long until its data answered, its memory, and its site behind our app."""

    name: str
    ready_seconds: float = 0.0
    peak_mib: float = 0.0
    after_mib: float = 0.0
    site: str = ""
    note: str = ""
    timings: dict[str, Timing] = field(default_factory=dict)


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


@contextmanager
def kg_serve(data: Path, *extra: str, wait: bool = True) -> Iterator[tuple[str, subprocess.Popen]]:
    """`kg serve` on a free port; with ``wait``, yielded once it answers."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen([KG, "serve", "--data", str(data), "--port", str(port), "--query-timeout", "120", *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        try:
            if wait:
                wait_until_answering(base + "/sparql", proc, seconds=600)
            yield base, proc
        finally:
            proc.kill()
            proc.wait(timeout=30)


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
            wait_until_answering(site + "/sparql", proc, seconds=600)
            count_all(site)  # the data is in: the first full scan answers
            run.ready_seconds = time.monotonic() - started
        run.peak_mib, run.after_mib, run.site = peak.peak, pss_mib(proc.pid), site
        run.note = "`kg serve` start to the first answer (kg.trig parsed into memory, query workers forked)"
        yield run


def _load(run: StoreRun, data: Path, endpoint: str, pid: int) -> None:
    from kg.store.load import Collection, load

    with PeakMemory(pid) as peak:
        summary = load(data, endpoint, "gsp", collection=Collection(), timeout=600)
    if summary.failed:
        raise RuntimeError(f"loading {run.name} failed: {summary}")
    run.ready_seconds, run.peak_mib, run.after_mib = summary.seconds, peak.peak, pss_mib(pid)
    run.note = f"`kg load` (GSP): {summary.triples:,} triples in {summary.graphs:,} graphs + the union copy"


@contextmanager
def oxigraph(data: Path) -> Iterator[StoreRun]:
    run = StoreRun("Oxigraph server, via our proxy")
    with running_oxigraph(union_default_graph=False) as server:
        _load(run, data, server.store, server.pid)
        with kg_serve(data, "--sparql-backend", server.query) as (site, _):
            run.site = site
            yield run


@contextmanager
def virtuoso(data: Path, buffers: int, folder: Path | None) -> Iterator[StoreRun]:
    run = StoreRun("Virtuoso, via our proxy")
    with running_virtuoso(buffers=buffers, max_seconds=600, folder=folder) as server:
        _load(run, data, server.store, server.pid)
        server.isql("checkpoint;")
        with kg_serve(data, "--sparql-backend", server.query) as (site, _):
            run.site = site
            yield run


def answers(site: str, text: str) -> Counter:
    """The answer as a multiset of rows (SELECT) or lines (CONSTRUCT/DESCRIBE, N-Triples)."""
    resp = requests.post(site + "/sparql", data={"query": text},
                         headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.9"},
                         timeout=600)
    if resp.status_code != 200:
        raise AnswerError(f"HTTP {resp.status_code}: {resp.text.strip()[:160]}")
    if resp.headers.get("X-SPARQL-Truncated") == "true":
        raise AnswerError("cut at our row cap")  # which rows are kept among ties is each store's choice
    if resp.headers["Content-Type"].startswith("application/n-triples"):
        return Counter(line for line in resp.text.splitlines() if line.strip() and "_:" not in line)
    doc = resp.json()
    names = doc["head"]["vars"]
    return Counter(tuple((b[n]["type"], b[n]["value"], b[n].get("datatype"), b[n].get("xml:lang")) if n in b else None
                         for n in names) for b in doc["results"]["bindings"])


class AnswerError(Exception):
    """A store behind our proxy refused or failed a query (the message says how)."""


def compare(runs: list[StoreRun], text: str, norm: Callable[[Counter], Counter]) -> str:
    """'yes', or which stores answered differently or failed (with the error)."""
    def answer(run: StoreRun) -> Counter | str:
        try:
            return norm(answers(run.site, text))
        except AnswerError as err:
            return str(err).replace("|", "/").replace("\n", " ")

    ref = answer(runs[0])
    if isinstance(ref, str) and all(answer(r) == ref for r in runs[1:]):
        return f"n/a (all: {ref})"
    problems = []
    for r in runs[1:]:
        got = answer(r)
        if got != ref:
            problems.append(f"{r.name.split(',')[0]}" + (f" ({got})" if isinstance(got, str) else ""))
    if isinstance(ref, str):
        problems.insert(0, f"embedded ({ref})")
    return "yes" if not problems else "no: " + ", ".join(problems)


def above_the_cut(answer: Counter) -> Counter:
    """Rows of an answer ordered by a count and cut by LIMIT, comparable across stores: the rows above
    the lowest count kept, and how many rows have each count (which tied rows are kept at the cut is
    each store's choice)."""
    def n(row: tuple) -> int:
        return int(row[-1][1]) if row[-1] else 0

    lowest = min((n(row) for row in answer), default=0)
    kept = Counter({row: k for row, k in answer.items() if n(row) > lowest})
    kept.update(("rows with count", n(row)) for row in answer.elements())
    return kept


def same_answers(runs: list[StoreRun], person: str, letter: str) -> dict[str, str]:
    out = {}
    for name in QUERIES:
        text = render(name, person, letter)
        if text.lstrip().split("\n")[-1].startswith("DESCRIBE"):
            out[name] = "n/a (DESCRIBE: each store's choice)"
            continue
        if "LIMIT" in text and "ORDER BY" not in text:
            out[name] = "n/a (LIMIT without ORDER BY: any rows)"
            continue
        norm = above_the_cut if "ORDER BY DESC(?n) LIMIT" in text else (lambda a: a)
        out[name] = compare(runs, text, norm)
    out[GRAPH_NAME] = compare(runs, GRAPH_QUERY.format(letter=letter), lambda a: a)
    return out


def uptime() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return ", ".join(Path("/proc/loadavg").read_text().split()[:3])


def report(label: str, triples: int, runs: list[StoreRun], same: dict[str, str], load_before: str,
           load_after: str) -> str:
    lines = [f"## {label}: {triples:,} triples (load average {load_before} before, {load_after} after)", "",
             "| store | data answers after | peak memory while loading | memory after | how |",
             "|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.name} | {r.ready_seconds:.1f} s | {r.peak_mib:,.0f} MiB | {r.after_mib:,.0f} MiB | "
                     f"{r.note} |")
    names = [r.name for r in runs]
    lines += ["", "Peers-bench queries through our /sparql, median of the samples (ratio = store ÷ embedded):", "",
              "| query | " + " | ".join(names) + " | " + " | ".join(f"{n.split(',')[0]} ÷ embedded" for n in names[1:])
              + " | same answers |", "|---|" + "---|" * (2 * len(names))]
    for q in [*QUERIES, GRAPH_NAME]:
        medians = [r.timings[q].median() for r in runs]
        cells = [fmt(m, r.timings[q].error) for m, r in zip(medians, runs, strict=True)]
        ratios = [f"{m / medians[0]:.2f}×" if m and medians[0] else "n/a" for m in medians[1:]]
        lines.append(f"| {q} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {same.get(q, '?')} |")
    totals = [sum(r.timings[q].median() or 0 for q in QUERIES) for r in runs]
    lines.append("| **sum of the peers-bench medians** | " + " | ".join(fmt(t) for t in totals) + " | "
                 + " | ".join(f"{t / totals[0]:.2f}×" if totals[0] else "n/a" for t in totals[1:]) + " | |")
    return "\n".join(lines) + "\n"


def measure(data: Path, label: str, repeat: int, buffers: int, stores: list[str], folder: Path | None) -> str:
    load_before = uptime()
    starters: dict[str, Callable[[], object]] = {
        "oxigraph": lambda: oxigraph(data),
        "virtuoso": lambda: virtuoso(data, buffers, folder),
    }
    with ExitStack() as stack:
        print(f"{label}: the embedded store ...", file=sys.stderr)
        runs = [stack.enter_context(embedded(data))]
        for name in stores:
            if name == "virtuoso" and not virtuoso_installed():
                print("Virtuoso is not installed: left out (make virtuoso)", file=sys.stderr)
                continue
            print(f"{label}: loading {name} ...", file=sys.stderr)
            runs.append(stack.enter_context(starters[name]()))  # type: ignore[arg-type]
            print(f"  {runs[-1].ready_seconds:.1f} s, {runs[-1].after_mib:,.0f} MiB", file=sys.stderr)
        triples = count_all(runs[0].site, COUNT_DISTINCT)
        for r in runs[1:]:
            if count_all(r.site, COUNT_DISTINCT) != triples or count_all(r.site) != triples:
                raise RuntimeError(f"{r.name}: {count_all(r.site)} triples in the default graph, "
                                   f"{count_all(r.site, COUNT_DISTINCT)} distinct; the embedded store's {triples}")
        servers = [Server(r.name, r.site + "/sparql") for r in runs]
        person, letter = pick(servers[0], PICK_PERSON), pick(servers[0], PICK_LETTER)
        print(f"{label}: timing the queries, servers interleaved ...", file=sys.stderr)
        timings = time_queries(servers, person, letter, repeat, 600.0)
        for r in runs:
            r.timings = timings[r.name]
            r.timings[GRAPH_NAME] = Timing()
        graph_query = GRAPH_QUERY.format(letter=letter)
        for r, server in zip(runs, servers, strict=True):
            _sample(server, graph_query, 600.0, r.timings[GRAPH_NAME], warm_up=True)
        for _ in range(repeat):
            for r, server in zip(runs, servers, strict=True):
                _sample(server, graph_query, 600.0, r.timings[GRAPH_NAME])
        same = same_answers(runs, person, letter)
        return report(label, triples, runs, same, load_before, uptime())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="generated letters (ignored with --data)")
    parser.add_argument("--data", type=Path, help="an existing build directory (kg.trig)")
    parser.add_argument("--label", help="heading of the table (default: from --n or --data)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--virtuoso-buffers", type=int, default=100_000,
                        help="Virtuoso's NumberOfBuffers (8 KiB pages of cache; 100k = 800 MiB)")
    parser.add_argument("--workdir", type=Path, help="where the build and Virtuoso's database go (default: /tmp)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scaleout.md")
    parser.add_argument("--append", action="store_true", help="add the table to --out instead of replacing it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-scaleout-", dir=args.workdir) as tmp:
        data = args.data or build_corpus(args.n, Path(tmp))
        label = args.label or (f"{args.n:,} generated letters" if not args.data else f"build in {args.data}")
        text = measure(data, label, args.repeat, args.virtuoso_buffers, args.stores.split(","), args.workdir)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = args.out.read_text(encoding="utf-8") if args.append and args.out.exists() else ""
    args.out.write_text(previous + ("\n" if previous else "") + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
