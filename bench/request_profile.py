"""Where a cold light lookup's time goes inside the web process, without HTTP: the app's WSGI callable
called directly, by this checkout and (``--peer DIR``) by another one, in the same run.

    python bench/request_profile.py --data build/server-bench/output
    python bench/request_profile.py --data build/server-bench/output --peer /work/main --profile

Each request is ``SELECT ?p ?o WHERE { <…/letter/N> ?p ?o } # i``, distinct every time (nothing can be
replayed), so this is the work a cold request costs: per request, wall time and CPU time of this
process (the query worker's own CPU is not in it), and for comparison the bare store round trip
(``Store.query_serialized``: the hop to a query worker and back). ``--profile`` adds cProfile's top
entries. ``--hop`` adds what the hop itself costs: the CPU of the store's processes (zygote and
query workers) during the round trips, and the same lookups answered in this process by what a worker
runs (``kg.store.engine.run_in_worker`` on a store loaded here, as the zygote loads it): the
difference is what answering a light lookup without the hop could save at most. The checkouts run
one after the other in child processes, ``--rounds`` times, alternating.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def _environ(i: int) -> dict:
    query = f"SELECT ?p ?o WHERE {{ <https://w3id.org/bolcorr/letter/{i % 10000 + 1}> ?p ?o }} # {i}"
    return {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": "query=" + quote(query),
            "HTTP_ACCEPT": "application/sparql-results+json", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr}


def _lookup(i: int) -> str:
    return f"SELECT ?p ?o WHERE {{ <https://w3id.org/bolcorr/letter/{i % 10000 + 1}> ?p ?o }} # {i}"


def _family_cpu() -> float:
    """CPU seconds so far of this process's descendants (the store process and its query workers)."""
    from kg.devtools.procs import descendants

    return sum(p.cpu for p in descendants(os.getpid()).values())


def hop(store: object, data: Path, n: int, settings: object) -> dict:  # pragma: no cover - child process
    """The round trip's CPU on both sides, and the worker's work done here without the hop."""
    from kg.store.engine import run_in_worker
    from kg.store.files import load_file

    kwargs = {"default_graphs": (), "named_graphs": (), "max_rows": settings.max_rows,  # type: ignore[attr-defined]
              "formats": ("json", "turtle"), "base_prefix": settings.base_iri,  # type: ignore[attr-defined]
              "max_bytes": settings.max_bytes}  # type: ignore[attr-defined]
    wall, cpu, family = time.perf_counter(), time.process_time(), _family_cpu()
    for i in range(60000, 60000 + n):
        store.query_serialized(_lookup(i), 10.0, formats=("json", "turtle"),  # type: ignore[attr-defined]
                               max_rows=settings.max_rows, base_prefix=settings.base_iri)  # type: ignore[attr-defined]
    figures = {"trip_wall_ms": (time.perf_counter() - wall) / n * 1e3,
               "trip_web_cpu_ms": (time.process_time() - cpu) / n * 1e3,
               "trip_store_cpu_ms": (_family_cpu() - family) / n * 1e3}
    import pyoxigraph

    here = pyoxigraph.Store()
    load_file(here, next(p for p in (data / "kg.trig", data / "kg.nt.gz") if p.is_file()))
    for i in range(300):
        run_in_worker(here, ("serialized", dict(kwargs, sparql=_lookup(i))))
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(80000, 80000 + n):
        answer = run_in_worker(here, ("serialized", dict(kwargs, sparql=_lookup(i))))
        assert answer[0] == "ok", answer
    figures |= {"here_wall_ms": (time.perf_counter() - wall) / n * 1e3,
                "here_cpu_ms": (time.process_time() - cpu) / n * 1e3}
    return figures


def child(data: Path, n: int, profile: bool,
          with_hop: bool = False) -> None:  # pragma: no cover - runs in a child process
    from dataclasses import replace

    from kg.config import Settings
    from kg.store.embedded import OxigraphStore
    from kg.web import create_app

    settings = replace(Settings(), output_dir=data)
    store = OxigraphStore(data, warm_workers=4)
    app = create_app(settings, store)

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        assert status.startswith("200"), status

    def call(i: int) -> None:
        out = app.wsgi_app(_environ(i), start_response)
        b"".join(out)
        getattr(out, "close", lambda: None)()

    for i in range(300):
        call(i)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(1000, 1000 + n):
        call(i)
    figures = {"app_wall_ms": (time.perf_counter() - wall) / n * 1e3,
               "app_cpu_ms": (time.process_time() - cpu) / n * 1e3}
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(20000, 20000 + n):
        lookup = f"SELECT ?p ?o WHERE {{ <https://w3id.org/bolcorr/letter/{i % 10000 + 1}> ?p ?o }} # {i}"
        store.query_serialized(lookup, 10.0, formats=("json", "turtle"), max_rows=settings.max_rows,
                               base_prefix=settings.base_iri)
    figures |= {"store_wall_ms": (time.perf_counter() - wall) / n * 1e3,
                "store_cpu_ms": (time.process_time() - cpu) / n * 1e3}
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
        for i in range(40000, 40000 + n):
            call(i)
        prof.disable()
        text = io.StringIO()
        pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(15)
        print(text.getvalue(), file=sys.stderr)
    if with_hop:
        figures |= hop(store, data, n, settings)
    store.close()
    print(json.dumps(figures))


def run(checkout: Path, data: Path, n: int, profile: bool, with_hop: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=str(checkout))
    done = subprocess.run([sys.executable, __file__, "--child", "--data", str(data), "--n", str(n)]
                          + (["--profile"] if profile else []) + (["--hop"] if with_hop else []),
                          env=env, cwd=checkout, capture_output=True, text=True, check=True, timeout=1800)
    if profile:
        print(done.stderr, file=sys.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=ROOT / "build" / "server-bench" / "output")
    parser.add_argument("--peer", type=Path, help="another checkout to measure the same way (e.g. main)")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--hop", action="store_true", help="also the hop's CPU on both sides, and the lookups "
                        "answered in this process without it (loads a second copy of the data)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.data.resolve(), args.n, args.profile, args.hop)
        return 0
    checkouts = [("this checkout", ROOT)] + ([("peer " + str(args.peer), args.peer)] if args.peer else [])
    rows = []
    for round_ in range(args.rounds):
        for name, path in checkouts:
            figures = run(path, args.data.resolve(), args.n, args.profile and round_ == 0, args.hop)
            rows.append((name, round_ + 1, figures))
            print(f"{name} round {round_ + 1}: {figures}", file=sys.stderr, flush=True)
    print("| checkout | round | app: wall ms / request | app: CPU ms / request (web process) | store round trip: "
          "wall ms | store round trip: CPU ms (web process) |\n|---|---|---|---|---|---|")
    for name, round_, f in rows:
        print(f"| {name} | {round_} | {f['app_wall_ms']:.3f} | {f['app_cpu_ms']:.3f} | {f['store_wall_ms']:.3f} | "
              f"{f['store_cpu_ms']:.3f} |")
    hops = [(name, round_, f) for name, round_, f in rows if "trip_wall_ms" in f]
    if hops:
        print("\n| checkout | round | round trip: wall ms | its CPU ms: web process | its CPU ms: store processes "
              "| in this process, no hop: wall ms | CPU ms |\n|---|---|---|---|---|---|---|")
        for name, round_, f in hops:
            print(f"| {name} | {round_} | {f['trip_wall_ms']:.3f} | {f['trip_web_cpu_ms']:.3f} | "
                  f"{f['trip_store_cpu_ms']:.3f} | {f['here_wall_ms']:.3f} | {f['here_cpu_ms']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
