"""What the `kg link` limits cost (issue 13, items 17–20): the nesting check and the bounded transport.

    python bench/link_bench.py [--mb 8] [--repeat 5]

Two ratios, each against a peer in the same run (absolute times mean little on a shared machine):

- ``parse_json`` (linear nesting scan, then ``json.loads``) against plain ``json.loads``, on a
  wbgetentities-shaped answer made of the recorded test entities repeated to ``--mb`` MB;
- ``kg.link.transport`` (deadline re-armed on every read, size cap, gzip) against ``requests``
  (the client it replaced) fetching the same answer from an HTTP server on 127.0.0.1, gzipped (the
  repeated entities compress to almost nothing: mostly the cost of a request) and plain (the cost
  of reading megabytes in 64 KiB steps, each re-arming the socket timeout).

Prints Markdown (joins bench/run_all.py). Best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.link.client import parse_json  # noqa: E402
from kg.link.transport import Limits, Transport  # noqa: E402

ENTITIES = ROOT / "tests" / "data" / "wikidata" / "entities"


def answer(megabytes: float) -> bytes:
    """A wbgetentities answer of about ``megabytes`` MB, from the recorded entities renamed Q1, Q2..."""
    recorded = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(ENTITIES.glob("*.json"))]
    entities: dict[str, object] = {}
    size, n = 0, 0
    while size < megabytes * 1e6:
        item = recorded[n % len(recorded)]
        n += 1
        entities[f"Q{n}"] = {**item, "id": f"Q{n}"}
        size += len(json.dumps(item))
    return json.dumps({"entities": entities, "success": 1}, ensure_ascii=False).encode("utf-8")


def best(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def serve(body: bytes) -> ThreadingHTTPServer:
    packed = gzip.compress(body, compresslevel=5)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            wants_gzip = "gzip" in self.headers.get("Accept-Encoding", "") and "plain" not in self.path
            data = packed if wants_gzip else body
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if data is packed:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(data)
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=8.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    body = answer(args.mb)

    plain = best(args.repeat, lambda: json.loads(body.decode("utf-8")))
    checked = best(args.repeat, lambda: parse_json(body))

    server = serve(body)
    fetched: dict[str, tuple[float, float]] = {}
    try:
        for path in ("gzip", "plain"):
            url = f"http://127.0.0.1:{server.server_address[1]}/{path}/api.php"
            transport = Transport(url, Limits(deadline=60, max_bytes=64_000_000, idle_timeout=20))
            with requests.Session() as session:
                peer = best(args.repeat, lambda: session.get(url, params={"a": "1"}, timeout=20).content)  # noqa: B023
            ours = best(args.repeat, lambda: transport.get({"a": "1"}, {}).body)  # noqa: B023
            fetched[path] = (ours, peer)
    finally:
        server.shutdown()
        server.server_close()

    load = os.getloadavg()
    print("## kg link: cost of the limits (issue 13)\n")
    print(f"answer: {len(body) / 1e6:.1f} MB (wbgetentities shape), best of {args.repeat}; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores\n")
    print("| what | ours | peer | ratio |")
    print("|---|---|---|---|")
    print(f"| parse: `parse_json` (depth scan + loads) vs `json.loads` | {checked * 1e3:.0f} ms | "
          f"{plain * 1e3:.0f} ms | {checked / plain:.2f} |")
    for path, (ours, peer) in fetched.items():
        print(f"| fetch over loopback ({path}): `Transport.get` vs `requests` | {ours * 1e3:.0f} ms | "
              f"{peer * 1e3:.0f} ms | {ours / peer:.2f} |")

if __name__ == "__main__":
    main()
