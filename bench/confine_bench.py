"""What a query that says GRAPH costs on an external store: our graphs listed as ``named-graph-uri`` (the
way before ``kg.store.confine``) against the query confined to the collection (no dataset, the text
rewritten), on the Oxigraph server and Virtuoso, with many graphs in the collection.

    python bench/confine_bench.py --graphs 50,1000,6000 --out bench/results/confine.md

Each store is started on 127.0.0.1 (tests/oxigraph_server.py, tests/virtuoso_server.py), `kg load`-ed
with the seed build, and given N more tiny graphs (one triple each), their lines in the collection's list
and as many foreign triples, in one bulk request (Oxigraph: POST of N-Quads to /store; Virtuoso: its
bulk loader), so that the setup takes seconds, not the minutes of a 10k build. Timed, straight at the
store (no proxy, so the two ways are compared on the store alone), then through `kg serve
--sparql-backend` (the confined way, as our app sends it): a warm-up, then ``--repeat`` samples each.
Listing more than ``--max-listed`` graphs to Virtuoso is skipped (it refused 5,001 after ~19 s).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store.confine import confine  # noqa: E402
from kg.store.load import HAS_PART, Collection, load  # noqa: E402
from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering  # noqa: E402
from tests.virtuoso_server import running_virtuoso, virtuoso_installed  # noqa: E402

C = Collection()
KG = str(Path(sys.executable).parent / "kg")
QUERIES = {
    "GRAPH ?g of a letter": f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{C.base_iri}letter/167> ?p ?o }} }}",
    "count the graphs": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
}
JSON = {"Accept": "application/sparql-results+json"}


def extra_quads(n: int) -> str:
    lines = []
    for i in range(n):
        g = f"{C.base_iri}graph/bench/{i}"
        lines += [f'<{g}#it> <urn:x:n> "{i}" <{g}> .', f"<{C.union}> <{HAS_PART}> <{g}> <{C.catalog}> .",
                  f'<urn:x:{i}> <urn:x:n> "{i}" <urn:x:foreign> .']
    return "\n".join(lines) + "\n"


@contextmanager
def store(name: str, data: Path, n: int) -> Iterator[tuple[str, str]]:
    """The store's query endpoint and our app in front of it, loaded with the seed and ``n`` graphs."""
    with ExitStack() as stack:
        if name == "oxigraph":
            server = stack.enter_context(running_oxigraph(union_default_graph=False))
            load(data, server.store, "gsp", collection=C)
            resp = requests.post(server.store, data=extra_quads(n).encode(),
                                 headers={"Content-Type": "application/n-quads"}, timeout=600)
            resp.raise_for_status()
            endpoint = server.query
        else:
            virtuoso = stack.enter_context(running_virtuoso())
            load(data, virtuoso.store, "gsp", collection=C)
            (virtuoso.folder / "extra.nq").write_text(extra_quads(n), encoding="utf-8")
            virtuoso.isql(f"ld_dir('{virtuoso.folder}', 'extra.nq', 'urn:x:unused');", "rdf_loader_run();")
            endpoint = virtuoso.query
        port = free_port()
        proc = stack.enter_context(subprocess.Popen(
            [KG, "serve", "--data", str(data), "--port", str(port), "--sparql-backend", endpoint],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        stack.callback(proc.kill)
        wait_until_answering(f"http://127.0.0.1:{port}/sparql", proc)
        yield endpoint, f"http://127.0.0.1:{port}/sparql"


def timed(url: str, query: str, params: list[tuple[str, str]], repeat: int) -> tuple[float | None, str]:
    """The median of ``repeat`` requests after a warm-up, and the first answer's value (or the error).
    Each request's text differs by a comment, so that no cache (our app replays answers) answers it."""
    samples, first = [], ""
    for i in range(repeat + 1):
        started = time.perf_counter()
        try:
            resp = requests.post(url, data=[("query", f"{query}\n# sample {i} {time.time()}"), *params],
                                 headers=JSON, timeout=600)
        except requests.RequestException as err:  # Virtuoso echoes each named graph as a header: > 100 fail here
            return None, f"fails: {str(err)[:80]}"
        elapsed = time.perf_counter() - started
        if resp.status_code != 200:
            return None, f"HTTP {resp.status_code}: {resp.text.strip()[:80]}"
        if i:
            samples.append(elapsed)
        else:
            rows = resp.json()["results"]["bindings"]
            first = str(len(rows)) + " rows" if len(rows) != 1 or "n" not in rows[0] else rows[0]["n"]["value"]
    return statistics.median(samples), first


def fmt(seconds: float | None, note: str) -> str:
    if seconds is None:
        return note
    return (f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s") + f" ({note})"


def measure(name: str, data: Path, n: int, repeat: int, max_listed: int) -> list[str]:
    out = []
    with store(name, data, n) as (endpoint, site):
        listed = requests.post(endpoint, data={"query": f"SELECT ?g WHERE {{ <{C.union}> <{HAS_PART}> ?g }}",
                                               "default-graph-uri": C.catalog}, headers=JSON, timeout=600)
        graphs = [b["g"]["value"] for b in listed.json()["results"]["bindings"]]
        for label, query in QUERIES.items():
            if name == "virtuoso" and len(graphs) > max_listed:
                old = f"not tried: {len(graphs):,} graphs (refused from 5,001)"
            else:
                params = [("default-graph-uri", C.union)] + [("named-graph-uri", g) for g in graphs]
                old = fmt(*timed(endpoint, query, params, repeat))
            new = fmt(*timed(endpoint, confine(query, C), [], repeat))
            proxied = fmt(*timed(site, query, [], repeat))
            out.append(f"| {name} | {len(graphs):,} | {label} | {old} | {new} | {proxied} |")
            print(out[-1], flush=True)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graphs", default="50,1000,6000", help="extra graphs in the collection, comma-separated")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-listed", type=int, default=4000)
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "confine.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "output"
        subprocess.run([KG, "build", "--out", str(data)], check=True, capture_output=True)
        before = Path("/proc/loadavg").read_text().split()[:3]
        rows = []
        for n in (int(x) for x in args.graphs.split(",")):
            for name in args.stores.split(","):
                if name == "virtuoso" and not virtuoso_installed():
                    continue
                rows += measure(name, data, n, args.repeat, args.max_listed)
        after = Path("/proc/loadavg").read_text().split()[:3]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout
    when = time.strftime("%d %b %Y %H:%M UTC", time.gmtime())
    title = "# A query that says GRAPH on an external store: our graphs listed, or the query confined"
    table = ["## Our graphs listed, or the query confined (the seed plus N tiny graphs)", "",
             f"`python bench/confine_bench.py {' '.join(sys.argv[1:])}`, {when}"
             f", commit {commit.strip()}; seed build + N tiny graphs (see the script's docstring); medians of "
             f"{args.repeat} after a warm-up. Load average {', '.join(before)} before, {', '.join(after)} after "
             f"({os.cpu_count()} cores shared with other work).", "",
             "| store | graphs in the collection | query | listed: named-graph-uri × graphs | confined: no dataset, "
             "text rewritten | confined, through our app |", "|---|---|---|---|---|---|", *rows]
    # newest first under the title; the sections of earlier runs (and of bench/confine_variants.py) are kept
    earlier = args.out.read_text(encoding="utf-8").removeprefix(title).lstrip("\n") if args.out.exists() else ""
    args.out.write_text("\n".join([title, "", *table]) + "\n" + ("\n" + earlier if earlier else ""), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
