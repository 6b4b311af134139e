"""Stage "store": every query the publisher runs goes through one ``Store`` (pages, resources, /sparql).

In: a build in ``output/`` (``kg.trig``, loaded by ``kg.store.files``) or the URL of an external SPARQL
endpoint. Out: answers as plain data (``kg.store.types``) or already written bytes in a format of
``kg.store.formats`` (``kg.store.results``). ``kg.store.embedded`` runs embedded pyoxigraph in a pool of
worker processes (``kg.store.pool``; forked by the store process of ``kg.store.zygote``, each query run
by ``kg.store.engine``, a federating one confined by ``kg.store.egress``); ``kg.store.remote`` speaks the
SPARQL 1.1 Protocol to another store; ``kg.store.load`` pushes a build into one (``kg load``),
``kg.store.bulk`` writes the same quads as files for its bulk loader (``kg load --to-files``);
``kg.store.scan`` lexes queries for the guards, as the engine reads them. The web layer stands on the
store, never the reverse.

May import: kg.config, kg.errors
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kg.store.types import Store


def open_store(data_dir: Path, sparql_backend: str | None = None, **options: Any) -> Store:
    """The store ``kg serve`` uses: embedded pyoxigraph by default, or an external SPARQL endpoint."""
    if sparql_backend:
        from kg.store.remote import RemoteStore

        return RemoteStore(sparql_backend, max_bytes=options.get("max_bytes"))
    from kg.store.embedded import OxigraphStore

    return OxigraphStore(data_dir, **options)
