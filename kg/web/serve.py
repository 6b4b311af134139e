"""`kg serve`: the publisher under waitress (a production WSGI server, threads, no reloader).

Threads only wait for query workers (separate processes, see ``kg.store.pool``), so a few threads
per core keep the site responsive while a long query runs. ``query_workers`` stay forked and ready:
fewer than the concurrent clients would make every extra request fork (and then stop) a worker, a
few milliseconds each (measured: lookups with 4 clients, see bench/README.md).
"""

from __future__ import annotations

import signal
import sys

from waitress import serve as waitress_serve

from kg.config import Settings
from kg.store import open_store
from kg.web import create_app


def run(settings: Settings) -> None:
    """Serve until interrupted; the store's worker processes are stopped on the way out."""
    options = {} if settings.sparql_backend else {"warm_workers": settings.query_workers}
    store = open_store(settings.output_dir, settings.sparql_backend, **options)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the cleanup below on `kill` too
    try:
        app = create_app(settings, store)
        print(f"kg: serving {settings.output_dir} on http://{settings.host}:{settings.port}/", flush=True)
        waitress_serve(app, host=settings.host, port=settings.port, threads=settings.serve_threads,
                       ident="bolcorr-kg",
                       max_request_body_size=settings.max_body_bytes + 65536, channel_timeout=120,
                       clear_untrusted_proxy_headers=True)
    finally:
        store.close()
