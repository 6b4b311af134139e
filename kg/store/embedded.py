"""One store interface for every query the publisher runs (pages, resources, /sparql).

``Store`` is the seam: ``OxigraphStore`` (embedded pyoxigraph, the default) implements it here;
``kg.store.remote.RemoteStore`` implements it over the SPARQL 1.1 Protocol for an external store
(``open_store`` picks one). Results cross the seam as plain tuples (see ``Term``), so they pickle
cheaply between worker processes and can come from any engine.

The union default graph: without FROM / ``default-graph-uri`` a query sees all named graphs (one per
document) as its default graph. With them, it sees exactly the store graphs named: an IRI in FROM is
a graph name, never a URL to fetch (``FROM <file:///etc/passwd>`` selects an empty graph).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kg.config import Settings
from kg.store.describe import describe_query
from kg.store.engine import engine_message
from kg.store.files import find_data_file
from kg.store.pool import WorkerLost, WorkerPool, cpu_count
from kg.store.types import (
    EngineFailure,
    QueryEngineError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnsupported,
    Serialized,
    Triples,
)
from kg.store.zygote import StoreSource

_DEFAULTS = Settings()


class OxigraphStore:
    """Embedded pyoxigraph behind a pool of worker processes (see ``kg.store.pool``).

    ``data_dir`` holds the build (``kg.trig`` preferred, else ``kg.nt.gz``...), loaded once into
    memory by the store process that forks the workers; or an on-disk Oxigraph store in
    ``data_dir/store``, opened read-only (for graphs larger than memory; slower per query).
    ``max_bytes``, ``heavy_queries``, ``heavy_after``, ``service_allowlist``: the settings of the same
    names (defaults: ``kg.config.Settings``).
    """

    def __init__(self, data_dir: Path, *, warm_workers: int | None = None, max_bytes: int = _DEFAULTS.max_bytes,
                 heavy_queries: int = _DEFAULTS.heavy_queries, heavy_after: float = _DEFAULTS.heavy_after,
                 service_allowlist: Sequence[str] = _DEFAULTS.service_allowlist):
        store_dir = data_dir / "store"
        if (store_dir / "CURRENT").is_file():
            source = StoreSource(store_dir=store_dir)
        else:
            source = StoreSource(data_file=find_data_file(data_dir))
        self.data_file = source.data_file
        self.max_bytes, self.service_allowlist = max_bytes, tuple(service_allowlist)
        self.pool = WorkerPool(source, warm=warm_workers or max(2, cpu_count()), heavy_slots=heavy_queries,
                               heavy_after=heavy_after)

    @property
    def sandboxed(self) -> bool:
        """True when ordinary query workers have no network at all."""
        return self.pool.sandboxed

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool | Sequence[str] = False) -> QueryResult:
        kwargs = {"sparql": sparql, "default_graphs": tuple(default_graphs),
                  "named_graphs": tuple(named_graphs), "max_rows": max_rows}
        return self._ask(("query", kwargs), timeout, federated)

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool | Sequence[str] = False, base_prefix: str | None = None,
                         max_bytes: int | None = None) -> Serialized:
        """``max_bytes``: this answer's byte cap (default: the store's)."""
        kwargs = {"sparql": sparql, "default_graphs": tuple(default_graphs), "named_graphs": tuple(named_graphs),
                  "max_rows": max_rows, "formats": formats, "base_prefix": base_prefix,
                  "max_bytes": self.max_bytes if max_bytes is None else max_bytes}
        return self._ask(("serialized", kwargs), timeout, federated)

    def _ask(self, request: tuple, timeout: float, federated: bool | Sequence[str]) -> Any:
        """Run on the pool; a federated request may reach only the hosts of the endpoints it names (or,
        given just ``True``, of the store's ``service_allowlist``)."""
        endpoints = self.service_allowlist if federated is True else tuple(federated or ())
        try:
            answer = self.pool.run(request, timeout, networked=bool(federated), endpoints=endpoints)
        except WorkerLost as err:
            raise EngineFailure(str(err)) from None
        if answer is None:
            raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)")
        if answer[0] == "ok":
            return answer[1]
        if answer[1] == "syntax":
            raise QuerySyntaxError(answer[2])
        message = engine_message(answer[2], federated=bool(federated))
        if answer[1] == "unsupported":
            raise QueryUnsupported(message)
        if answer[1] == "panic" or not federated:  # no remote party to blame: the engine failed
            raise EngineFailure(message)
        raise QueryEngineError(message)

    def describe(self, iri: str, timeout: float) -> Triples:
        result = self.query(describe_query(iri), timeout)
        assert isinstance(result, Triples)
        return result

    def close(self) -> None:
        self.pool.close()
