"""Scale-out: the embedded store against two external stores behind our proxy, at 10k and 100k letters.

    python bench/scaleout_bench.py --n 10000 --out bench/results/scaleout.md
    python bench/scaleout_bench.py --data build/out-100k --label "100k generated letters" --append \
        --one-at-a-time /tmp/scaleout-100k

With ``--one-at-a-time DIR`` the stores run one after another instead of side by side: each is started,
loaded, timed, its answers recorded in DIR, and stopped before the next starts (at 100k letters the three
together need ~25 GB: the embedded store ~11 GB, the Oxigraph server ~9.5 GB, Virtuoso ~4 GB). Before
each start the bench waits (up to 10 min) until ``--min-available-gib`` of memory is available, and says
what it waited for. A store whose record is already in DIR is not run again (delete the file to re-run
it). The answers are compared across the stores from DIR afterwards.

For each build, all on 127.0.0.1: our `kg serve` on the embedded store; the Oxigraph server (PyPI
`oxigraph`, in memory) and Virtuoso (Debian `virtuoso-opensource`, a throw-away database, see
tests/virtuoso_server.py), each loaded with `kg load` (Graph Store Protocol, with the collection's union
graph) and queried through `kg serve --sparql-backend`. Measured per store: the time until the data
answers (embedded: `kg serve` start to the first answer; external: the `kg load` run), the memory of the
store's processes (PSS, summed over a process tree: the embedded store's query workers share pages with
their parent) at its peak while loading and after, and the peers-bench queries (bench/peer_queries.py)
through our /sparql, the three servers interleaved query by query, ``--repeat`` samples after a warm-up.
Each query's answers are compared across the three (same rows, in any order). Virtuoso can instead be loaded
by its bulk loader from `kg load --to-files` (``--virtuoso-loader bulk``), and its database kept in a folder
(``--virtuoso-database DIR``): a database already loaded there is started again without loading (delete
DIR to load anew), so the queries can be timed again. Ratios against the embedded store,
because the machine is shared: the load average is written beside the figures (one at a time, each store's
own: the stores no longer share the load that falls on them).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.peer_queries import PICK_LETTER, PICK_PERSON, QUERIES, render  # noqa: E402
from bench.peers_bench import Server, Timing, _sample, build_corpus, fmt, pick, time_queries  # noqa: E402
from bench.scaleout_stores import (  # noqa: E402
    COUNT_ALL,
    GRAPH_PREFIX,
    PeakMemory,
    StoreRun,
    embedded,
    oxigraph,
    uptime,
    virtuoso,
    wait_for_memory,
)
from tests.virtuoso_server import virtuoso_installed  # noqa: E402

# The embedded store's COUNT(*) counts a triple once per graph stating it (docs/external-stores.md):
# the stores are compared on the distinct triples of the default graph too.
COUNT_DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
COUNT_NAME, DISTINCT_NAME = "COUNT(*) over the default graph", "COUNT of the distinct triples"
# Beyond the peers-bench: a query that says GRAPH, which our app sends confined to the collection
# (kg.store.confine: the price of "GRAPH ?g sees our graphs and nothing else"; until 5 Dec 2026 it sent one
# named-graph-uri per graph, the "named graphs listed" rows of bench/results/scaleout.md).
GRAPH_QUERY = "SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{letter}> ?p ?o }} }}"
GRAPH_NAME = GRAPH_PREFIX  # the query; how the proxy carried it is StoreRun.graph_how
STORES = ("embedded", "oxigraph", "virtuoso")


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


def compared_queries(person: str, letter: str) -> list[tuple[str, str, Callable[[Counter], Counter] | str]]:
    """The queries whose answers are compared: name, text, and how an answer is made comparable (or,
    as a string, why the answer is not compared)."""
    def same(a: Counter) -> Counter:
        return a

    out: list[tuple[str, str, Callable[[Counter], Counter] | str]] = [
        (COUNT_NAME, COUNT_ALL, same), (DISTINCT_NAME, COUNT_DISTINCT, same)]
    for name in QUERIES:
        text = render(name, person, letter)
        if text.lstrip().split("\n")[-1].startswith("DESCRIBE"):
            out.append((name, text, "n/a (DESCRIBE: each store's choice)"))
        elif "LIMIT" in text and "ORDER BY" not in text:
            out.append((name, text, "n/a (LIMIT without ORDER BY: any rows)"))
        else:
            out.append((name, text, above_the_cut if "ORDER BY DESC(?n) LIMIT" in text else same))
    out.append((GRAPH_NAME, GRAPH_QUERY.format(letter=letter), same))
    return out


def record_answers(site: str, person: str, letter: str) -> dict[str, str | list]:
    """Each compared query's answer through our /sparql, in a form that survives JSON (sorted [row as
    JSON, count] pairs), or why there is none (an error, or why the answer is not compared)."""
    out: dict[str, str | list] = {}
    for name, text, norm in compared_queries(person, letter):
        if isinstance(norm, str):
            out[name] = norm
            continue
        try:
            out[name] = sorted([json.dumps(row), k] for row, k in norm(answers(site, text)).items())
        except AnswerError as err:
            out[name] = str(err).replace("|", "/").replace("\n", " ")
    return out


def compare(runs: list[StoreRun]) -> dict[str, str]:
    """Per query: 'yes', 'n/a (why)', or which stores answered differently from the first or failed."""
    out = {}
    for name, ref in runs[0].answers.items():
        got = [r.answers.get(name, "not recorded") for r in runs[1:]]
        if isinstance(ref, str) and all(g == ref for g in got):
            out[name] = ref if ref.startswith("n/a") else f"n/a (all: {ref})"
            continue
        problems = [r.name.split(",")[0] + (f" ({g})" if isinstance(g, str) else "")
                    for r, g in zip(runs[1:], got, strict=True) if g != ref]
        if isinstance(ref, str):
            problems.insert(0, f"embedded ({ref})")
        out[name] = "yes" if not problems else "no: " + ", ".join(problems)
    return out


def count_of(run: StoreRun, name: str) -> int | None:
    answer = run.answers.get(name)
    return None if not isinstance(answer, list) or not answer else int(json.loads(answer[0][0])[0][1])


def report(label: str, runs: list[StoreRun], interleaved: bool) -> str:
    counted = [n for r in runs for n in (count_of(r, DISTINCT_NAME),) if n is not None]
    triples = f"{counted[0]:,} triples" if counted else "triples not counted (the counts failed, see below)"
    lines = [f"## {label}: {triples}", "",
             "| store | load average (1, 5, 15 min) at its start → end | memory before its start | data answers after "
             "| peak memory while loading | settled after loading | peak while querying | how |",
             "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.name} | {r.load_avg} | {r.memory_note or '—'} | {r.ready_seconds:.1f} s "
                     f"| {r.peak_mib:,.0f} MiB | {r.after_mib:,.0f} MiB | {r.query_peak_mib:,.0f} MiB | {r.note} |")
    names = [r.name for r in runs]
    how = ("the stores side by side, interleaved query by query" if interleaved else
           "each store alone, one after another (their load averages above differ: the machine is shared)")
    lines += ["", f"Queries through our /sparql, median of the samples (ratio = store ÷ embedded), {how}:", "",
              "| query | " + " | ".join(names) + " | " + " | ".join(f"{n.split(',')[0]} ÷ embedded" for n in names[1:])
              + " | same answers |", "|---|" + "---|" * (2 * len(names))]
    same = compare(runs)
    for q in [*QUERIES, GRAPH_NAME, COUNT_NAME, DISTINCT_NAME]:
        if q in (COUNT_NAME, DISTINCT_NAME):  # the counts: their values, not their times
            counts = [count_of(r, q) for r in runs]
            lines.append(f"| {q} | " + " | ".join("—" if n is None else f"{n:,}" for n in counts) + " |"
                         + " — |" * (len(names) - 1) + f" {same.get(q, '?')} |")
            continue
        medians = [r.timings[q].median() if q in r.timings else None for r in runs]
        cells = [fmt(m, r.timings[q].error) + (f" ({r.graph_how})" if q == GRAPH_NAME and r.graph_how else "")
                 if q in r.timings else "not recorded" for m, r in zip(medians, runs, strict=True)]
        ratios = [f"{m / medians[0]:.2f}×" if m and medians[0] else "n/a" for m in medians[1:]]
        lines.append(f"| {q} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {same.get(q, '?')} |")
    totals = [sum(r.timings[q].median() or 0 for q in QUERIES) for r in runs]
    lines.append("| **sum of the peers-bench medians** | " + " | ".join(fmt(t) for t in totals) + " | "
                 + " | ".join(f"{t / totals[0]:.2f}×" if totals[0] else "n/a" for t in totals[1:]) + " | |")
    return "\n".join(lines) + "\n"


def time_graph_query(runs: list[StoreRun], servers: list[Server], letter: str, repeat: int) -> None:
    """The GRAPH query, timed as the peers-bench queries are (a warm-up, then interleaved samples)."""
    text = GRAPH_QUERY.format(letter=letter)
    for r, server in zip(runs, servers, strict=True):
        r.timings[GRAPH_NAME] = Timing()
        r.graph_how = "" if r.name.startswith("embedded") else "confined to the collection"  # kg.store.confine
        _sample(server, text, 600.0, r.timings[GRAPH_NAME], warm_up=True)
    for _ in range(repeat):
        for r, server in zip(runs, servers, strict=True):
            _sample(server, text, 600.0, r.timings[GRAPH_NAME])


def time_and_record(runs: list[StoreRun], person: str, letter: str, repeat: int) -> None:
    """Time the queries on ``runs`` (interleaved when several) and record each run's answers."""
    servers = [Server(r.name, r.site + "/sparql") for r in runs]
    with ExitStack() as stack:
        peaks = [stack.enter_context(PeakMemory(r.pid)) for r in runs]
        timings = time_queries(servers, person, letter, repeat, 600.0)
        for r in runs:
            r.timings = timings[r.name]
        time_graph_query(runs, servers, letter, repeat)
        for r in runs:
            r.answers = record_answers(r.site, person, letter)
    for r, peak in zip(runs, peaks, strict=True):
        r.query_peak_mib = peak.peak


@dataclass(frozen=True)
class VirtuosoOptions:
    """How Virtuoso is run: its cache, how it is loaded, and where its database is kept (if anywhere)."""

    buffers: int = 100_000
    loader: str = "gsp"
    database: Path | None = None


def starters(data: Path, options: VirtuosoOptions,
             folder: Path | None) -> dict[str, Callable[[], AbstractContextManager]]:
    return {"embedded": lambda: embedded(data), "oxigraph": lambda: oxigraph(data),
            "virtuoso": lambda: virtuoso(data, options.buffers, folder, options.loader, options.database)}


def wanted(stores: list[str]) -> Iterator[str]:
    """The embedded store first (the reference), then the external stores that can run here."""
    for name in ["embedded", *stores]:
        if name == "virtuoso" and not virtuoso_installed():
            print("Virtuoso is not installed: left out (make virtuoso)", file=sys.stderr)
            continue
        yield name


def side_by_side(data: Path, label: str, repeat: int, options: VirtuosoOptions, stores: list[str],
                 folder: Path | None) -> str:
    """All stores up at once, the queries interleaved across them."""
    start = starters(data, options, folder)
    with ExitStack() as stack:
        runs = []
        for name in wanted(stores):
            print(f"{label}: starting and loading {name} ...", file=sys.stderr)
            before = uptime()
            runs.append(stack.enter_context(start[name]()))
            runs[-1].load_avg = f"{before} → {uptime()}"
            print(f"  {runs[-1].ready_seconds:.1f} s, {runs[-1].after_mib:,.0f} MiB", file=sys.stderr)
        servers = [Server(r.name, r.site + "/sparql") for r in runs]
        person, letter = pick(servers[0], PICK_PERSON), pick(servers[0], PICK_LETTER)
        print(f"{label}: timing the queries, servers interleaved ...", file=sys.stderr)
        time_and_record(runs, person, letter, repeat)
        return report(label, runs, interleaved=True)


def one_at_a_time(data: Path, label: str, repeat: int, options: VirtuosoOptions, stores: list[str],
                  folder: Path | None,
                  records: Path, min_gib: float) -> str:
    """Each store alone: wait for memory, start, load, time, record to ``records``, stop; then compare."""
    start = starters(data, options, folder)
    records.mkdir(parents=True, exist_ok=True)
    picked = records / "picked.json"  # the person and letter every store is asked about
    names = list(wanted(stores))
    for name in names:
        path = records / f"{name}.json"
        if path.exists():
            print(f"{label}: {name} already measured ({path}); delete the file to measure it again",
                  file=sys.stderr)
            continue
        note = wait_for_memory(min_gib, name)
        before = uptime()
        print(f"{label}: starting and loading {name} (load average {before}) ...", file=sys.stderr)
        with start[name]() as run:
            print(f"  {run.ready_seconds:.1f} s, {run.after_mib:,.0f} MiB", file=sys.stderr)
            if not picked.exists():
                server = Server(run.name, run.site + "/sparql")
                picked.write_text(json.dumps([pick(server, PICK_PERSON), pick(server, PICK_LETTER)]))
            person, letter = json.loads(picked.read_text())
            print(f"{label}: timing the queries on {name} ...", file=sys.stderr)
            time_and_record([run], person, letter, repeat)
            run.load_avg, run.memory_note = f"{before} → {uptime()}", note
            run.site = ""  # gone once stopped
        run.save(path)
        print(f"{label}: {name} stopped, recorded in {path}", file=sys.stderr)
    return report(label, [StoreRun.read(records / f"{n}.json") for n in names], interleaved=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="generated letters (ignored with --data)")
    parser.add_argument("--data", type=Path, help="an existing build directory (kg.trig)")
    parser.add_argument("--label", help="heading of the table (default: from --n or --data)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--stores", default="oxigraph,virtuoso", help="external stores, beside the embedded one")
    parser.add_argument("--virtuoso-buffers", type=int, default=100_000,
                        help="Virtuoso's NumberOfBuffers (8 KiB pages of cache; 100k = 800 MiB)")
    parser.add_argument("--virtuoso-loader", choices=["gsp", "bulk"], default="gsp",
                        help="gsp: `kg load` (one Graph Store PUT per graph); bulk: `kg load --to-files` and "
                             "Virtuoso's bulk loader (ld_dir, rdf_loader_run, checkpoint)")
    parser.add_argument("--virtuoso-database", type=Path, metavar="DIR",
                        help="keep Virtuoso's database in DIR; a database already loaded there is reused "
                             "without loading (to time the queries again)")
    parser.add_argument("--workdir", type=Path, help="where the build and Virtuoso's database go (default: /tmp)")
    parser.add_argument("--one-at-a-time", type=Path, metavar="DIR",
                        help="run the stores one after another, recording each one's figures and answers in DIR")
    parser.add_argument("--min-available-gib", type=float, default=13.0,
                        help="with --one-at-a-time: the MemAvailable to wait for (up to 10 min) before each start")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "scaleout.md")
    parser.add_argument("--append", action="store_true", help="add the table to --out instead of replacing it")
    args = parser.parse_args()
    # `kill PID` stops the stores on the way out too (a background job ignores SIGINT)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    stores = [s for s in args.stores.split(",") if s and s != "embedded"]
    if unknown := set(stores) - set(STORES):
        parser.error(f"unknown stores: {', '.join(sorted(unknown))}")
    options = VirtuosoOptions(args.virtuoso_buffers, args.virtuoso_loader, args.virtuoso_database)
    with tempfile.TemporaryDirectory(prefix="kg-scaleout-", dir=args.workdir) as tmp:
        data = args.data or build_corpus(args.n, Path(tmp))
        label = args.label or (f"{args.n:,} generated letters" if not args.data else f"build in {args.data}")
        if args.one_at_a_time:
            text = one_at_a_time(data, label, args.repeat, options, stores, args.workdir,
                                 args.one_at_a_time, args.min_available_gib)
        else:
            text = side_by_side(data, label, args.repeat, options, stores, args.workdir)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = args.out.read_text(encoding="utf-8") if args.append and args.out.exists() else ""
    args.out.write_text(previous + ("\n" if previous else "") + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
