"""Which text of a confined GRAPH query a store answers fastest: the ways of keeping ``GRAPH ?g`` to the
collection's graphs (``kg.store.confine``), timed straight at the Oxigraph server and Virtuoso loaded
with a real build (``--data``, e.g. the 10k build of `bench/server_bench.py`'s corpus), then the query
as our app sends it through `kg serve --sparql-backend`.

    python bench/confine_variants.py --data /tmp/b10k --out /tmp/variants.md

Each store gets the build (Oxigraph: `kg load`, Graph Store; Virtuoso: `kg load --to-files` and its bulk
loader) and one foreign quad about the letter asked for, so that every variant is checked to answer
like the current rewrite and unlike the query unconfined. Medians of ``--repeat`` samples after a
warm-up, the variants interleaved in three rounds; ratios against the join with the list (the rewrite
until 5 Dec 2026) in the same run. The figures are in bench/results/confine.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store.bulk import write_files  # noqa: E402
from kg.store.confine import confine  # noqa: E402
from kg.store.load import HAS_PART, Collection, load  # noqa: E402
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering  # noqa: E402
from tests.virtuoso_server import running_virtuoso  # noqa: E402

C = Collection()
KG = str(Path(sys.executable).parent / "kg")
U, K, LIST = f"<{C.union}>", f"<{C.catalog}>", f"GRAPH <{C.catalog}> {{ <{C.union}> <{HAS_PART}> ?g }}"
JSON = {"Accept": "application/sparql-results+json"}
JOINED = "wrapped, GRAPH joined with the list (until 5 Dec)"


def variants(pattern: str, select: str) -> dict[str, str]:
    """The ways of asking ``SELECT {select} WHERE {{ GRAPH ?g {{ {pattern} }} }}`` of our graphs only."""
    g = f"GRAPH ?g {{ {pattern} }}"
    return {
        "unconfined (sees foreign graphs)": f"SELECT {select} WHERE {{ {g} }}",
        "wrapped, no list (sees foreign graphs)": f"SELECT {select} WHERE {{ GRAPH {U} {{ {g} }} }}",
        JOINED: f"SELECT {select} WHERE {{ GRAPH {U} {{ {g} {LIST} }} }}",
        "wrapped, the list joined first": f"SELECT {select} WHERE {{ GRAPH {U} {{ {LIST} {g} }} }}",
        "not wrapped, GRAPH joined with the list": f"SELECT {select} WHERE {{ {g} {LIST} }}",
        "not wrapped, the list joined first": f"SELECT {select} WHERE {{ {LIST} {g} }}",
        "wrapped, FILTER EXISTS on the list (confine now)": f"SELECT {select} WHERE {{ GRAPH {U} {{ {g} "
                                                            f"FILTER EXISTS {{ {LIST} }} }} }}",
        "not wrapped, FILTER EXISTS on the list": f"SELECT {select} WHERE {{ {g} FILTER EXISTS {{ {LIST} }} }}",
    }


def queries(letter: str) -> dict[str, dict[str, str]]:
    out = {"GRAPH ?g of a letter": variants(f"<{letter}> ?p ?o", "DISTINCT ?g"),
           "count the graphs holding a letter": variants("?s a <https://w3id.org/bolcorr/ns#Letter>",
                                                         "(COUNT(DISTINCT ?g) AS ?n)")}
    for label, texts in out.items():  # the variant named as confine's output is confine's output
        original = texts["unconfined (sees foreign graphs)"]
        assert " ".join(confine(original, C).split()) == " ".join(
            texts["wrapped, FILTER EXISTS on the list (confine now)"].split()), label
    return out


def ask(url: str, query: str) -> list[str]:
    resp = requests.post(url, data={"query": query}, headers=JSON, timeout=600)
    resp.raise_for_status()
    return sorted(str(sorted(b.items())) for b in resp.json()["results"]["bindings"])


def median_ms(url: str, query: str, repeat: int) -> list[float]:
    ask(url, query)  # warm-up
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        ask(url, f"{query}\n# sample {i} {time.time()}")  # a new text: no cache answers it
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@contextmanager
def loaded(name: str, data: Path, foreign: str) -> Iterator[str]:
    """The store's query endpoint, loaded with the build and the foreign quad."""
    with ExitStack() as stack:
        if name == "oxigraph":
            server = stack.enter_context(running_oxigraph(union_default_graph=False))
            load(data, server.store, "gsp", collection=C)
            requests.post(server.store, data=foreign.encode(), headers={"Content-Type": "application/n-quads"},
                          timeout=60).raise_for_status()
            yield server.query
        else:
            virtuoso = stack.enter_context(running_virtuoso(buffers=100_000))
            files = virtuoso.folder / "files"
            write_files(data, files, C)
            (files / "foreign.nq").write_text(foreign, encoding="utf-8")
            virtuoso.bulk_load(files)
            virtuoso.isql(f"ld_dir('{files}', 'foreign.nq', 'urn:x:unused');", "rdf_loader_run();")
            yield virtuoso.query


def through_apps(data: Path, endpoint: str, query: str, repeat: int, trees: list[Path]) -> list[float]:
    """The medians through `kg serve --sparql-backend`, one app per source tree, all started at once and
    sampled in turn (three rounds), so that the trees are compared at the same moment."""
    with ExitStack() as stack:
        sites = []
        for tree in trees:
            port = free_port()
            proc = stack.enter_context(subprocess.Popen(
                [KG, "serve", "--data", str(data), "--port", str(port), "--sparql-backend", endpoint],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(tree)}))
            stack.callback(proc.kill)
            wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc)
            sites.append(f"http://127.0.0.1:{port}/sparql")
        samples: list[list[float]] = [[] for _ in trees]
        for _ in range(3):
            for site, got in zip(sites, samples, strict=True):
                got += median_ms(site, query, max(1, repeat // 3))
        return [statistics.median(got) for got in samples]


def measure(name: str, data: Path, letter: str, repeat: int, before: Path | None) -> list[str]:
    rows = []
    with loaded(name, data, f'<{letter}> <urn:x:p> "foreign" <urn:x:foreign> .\n') as url:
        for label, texts in queries(letter).items():
            answers = {v: ask(url, t) for v, t in texts.items()}
            samples: dict[str, list[float]] = {v: [] for v in texts}
            for _ in range(3):
                for v, text in texts.items():
                    samples[v] += median_ms(url, text, max(1, repeat // 3))
            base = statistics.median(samples[JOINED])
            for v in texts:
                m = statistics.median(samples[v])
                same = "yes" if answers[v] == answers[JOINED] else f"no ({len(answers[v])} rows)"
                rows.append(f"| {name} | {label} | {v} | {m:.1f} ms | {m / base:.2f}× | {same} |")
                print(rows[-1], flush=True)
            trees = [(before, f", from {before}"), (ROOT, ", this tree")] if before else [(ROOT, "")]
            apps = through_apps(data, url, texts["unconfined (sees foreign graphs)"], repeat, [t for t, _ in trees])
            for app, (_, how) in zip(apps, trees, strict=True):
                rows.append(f"| {name} | {label} | through our app (`kg serve --sparql-backend`{how}) | "
                            f"{app:.1f} ms | {app / base:.2f}× | |")
                print(rows[-1], flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="a `kg build` output folder")
    parser.add_argument("--letter", default=f"{C.base_iri}letter/167")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--out", type=Path, help="write the table here (Markdown)")
    parser.add_argument("--before", type=Path, help="another source tree (e.g. `git archive` of an older "
                                                    "commit) whose app is timed too, before this tree's")
    args = parser.parse_args()
    loads = [Path("/proc/loadavg").read_text().split()[:3]]
    rows = []
    for name in args.stores.split(","):
        rows += measure(name, args.data, args.letter, args.repeat, args.before)
        loads.append(Path("/proc/loadavg").read_text().split()[:3])
    table = [f"`python bench/confine_variants.py {' '.join(sys.argv[1:])}`, "
             f"{time.strftime('%d %b %Y %H:%M UTC', time.gmtime())}; load average "
             + " → ".join(", ".join(x) for x in loads) + " (start, after each store)", "",
             "| store | query | text | median | ÷ the join | same answer as the join |", "|---|---|---|---|---|---|",
             *rows]
    if args.out:
        args.out.write_text("\n".join(table) + "\n", encoding="utf-8")
    print("\n".join(table[:1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
