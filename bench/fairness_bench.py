"""How long a cheap query (``ASK {}``) waits while 2 x serve_threads runaway queries run (issue 13, item 2).

Three servers in one run, over the web test fixture, each with ``serve_threads`` request threads:
``idle`` (no runaways: the peer every figure is divided by), ``no lane`` (heavy_queries = 1000: every
runaway keeps its thread and its CPU, as before the heavy lane), and ``lane`` (the shipped
``heavy_queries`` / ``heavy_after``). Loopback only; each runaway is stopped at ``--timeout`` seconds.

    PYTHONPATH=. .venv/bin/python bench/fairness_bench.py [--timeout 3] [--probes 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

import requests
from waitress.server import create_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.config import Settings  # noqa: E402
from kg.store.embedded import OxigraphStore  # noqa: E402
from kg.web import create_app  # noqa: E402
from tests.web_server import make_data_dir  # noqa: E402

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"


def measure(data_dir: Path, timeout: float, probes: int, runaways: int, heavy_queries: int) -> list[float]:
    settings = replace(Settings(), output_dir=data_dir, query_timeout=timeout)
    store = OxigraphStore(data_dir, warm_workers=settings.query_workers, heavy_queries=heavy_queries,
                          heavy_after=settings.heavy_after)
    server = create_server(create_app(settings, store), host="127.0.0.1", port=0, threads=settings.serve_threads)
    threading.Thread(target=server.run, daemon=True).start()
    url = f"http://127.0.0.1:{server.effective_port}/sparql"
    try:
        clients = [threading.Thread(target=lambda: requests.get(url, params={"query": RUNAWAY}, timeout=60))
                   for _ in range(runaways)]
        for client in clients:
            client.start()
        time.sleep(0.3)
        waits = []
        for _ in range(probes):
            started = time.monotonic()
            requests.get(url, params={"query": "ASK {}"}, timeout=60).raise_for_status()
            waits.append(time.monotonic() - started)
            time.sleep(0.2)
        for client in clients:
            client.join(60)
        return waits
    finally:
        server.close()
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--probes", type=int, default=5)
    args = parser.parse_args()
    runaways = 2 * Settings().serve_threads
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = make_data_dir(Path(tmp) / "out")
        rows = [("idle", measure(data_dir, args.timeout, args.probes, 0, Settings().heavy_queries)),
                ("no lane", measure(data_dir, args.timeout, args.probes, runaways, 1000)),
                ("lane", measure(data_dir, args.timeout, args.probes, runaways, Settings().heavy_queries))]
    base = statistics.median(rows[0][1])
    print(f"load average {os.getloadavg()[0]:.2f}; {runaways} runaways, serve_threads {Settings().serve_threads}")
    print("| server | median ASK {} wait | max | median / idle |")
    print("|---|---|---|---|")
    for name, waits in rows:
        median = statistics.median(waits)
        print(f"| {name} | {median * 1000:.0f} ms | {max(waits) * 1000:.0f} ms | {median / base:.0f}x |")


if __name__ == "__main__":
    main()
