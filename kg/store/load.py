"""Push a build into an external SPARQL 1.1 store (`kg load`).

Why: the collection is small, but institutions run their own triple stores (Oxigraph server, Fuseki,
Virtuoso). We never write a store of our own: we hand the published dataset (``output/kg.trig``, one
named graph per document plus the authority graph) to theirs, graph by graph, so that provenance
stays attached to each document's statements.

Two standard ways, both plain HTTP:
- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, ``PUT {endpoint}?graph=<g>`` with an N-Triples
  body (replaces the graph: loading twice gives the same store);
- ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { ... } }``, then
  ``INSERT DATA`` again for each further ``UPDATE_LINES`` triples (Virtuoso refuses large ones).
Failed requests are retried with exponential backoff; the summary says what was loaded and what failed.

A store is often shared (an institution's Virtuoso holds other data and its own system graphs), so the
store's own default graph is not ours to publish. With a ``Collection`` (what `kg load` always passes),
the loader also writes two graphs of our own that make the collection addressable on any SPARQL 1.1
store with the protocol's own dataset parameters (``kg.store.remote`` sends them with every query):
- ``{base}graph/collection``: the union of the build's graphs, the default graph we publish;
- ``{base}graph/collection/graphs``: ``<collection> dcterms:hasPart <g>`` for each of the build's named
  graphs, the named graphs we publish (``GRAPH ?g`` sees these and nothing else).
The build's own default-graph triples, if any, go to ``{base}graph/default`` (and into the union), never
into the store's default graph.

What goes into a store is decided once, by ``store_batches``: ``load`` sends its batches, and
``kg.store.bulk`` writes them as N-Quads files for a store's bulk loader (``kg load --to-files``; one
request per document is hours for Virtuoso at 100,000 letters).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import requests

from kg.config import DEFAULT_BASE_IRI
from kg.errors import KGError

Protocol = Literal["gsp", "update"]
Part = Literal["graph", "union", "catalog"]
RETRY_STATUSES = {429, 500, 502, 503, 504}
HAS_PART = "http://purl.org/dc/terms/hasPart"
MAX_LINES = 50_000  # triples per Graph Store request: a whole document's graph is never split below this
# triples per SPARQL Update request: Virtuoso compiles INSERT DATA into SQL and refuses ~1,700 triples
# ("generated SQL text has exceeded 10000 lines"); 500 load in one request on every store we test.
UPDATE_LINES = 500


@dataclass(frozen=True)
class Collection:
    """The names of the graphs that make the collection ours alone in a shared store (see above)."""

    base_iri: str = DEFAULT_BASE_IRI

    @property
    def union(self) -> str:
        return self.base_iri + "graph/collection"

    @property
    def catalog(self) -> str:
        return self.base_iri + "graph/collection/graphs"

    @property
    def default(self) -> str:
        """Where the build's default-graph triples go; absent (an empty graph) when it has none."""
        return self.base_iri + "graph/default"

    @property
    def empty(self) -> str:
        """A graph never written: "no graph" where the protocol needs an IRI (an empty set of named graphs)."""
        return self.base_iri + "graph/collection/none"

    def catalog_lines(self, graphs: list[str]) -> list[str]:
        return [f"<{self.union}> <{HAS_PART}> <{g}> ." for g in graphs]


class LoadError(KGError):
    """The store could not be reached or refused the data for good."""


@dataclass
class GraphBatch:
    """The triples of one named graph, serialized as N-Triples lines."""

    graph: str
    lines: list[str] = field(default_factory=list)
    append: bool = False  # the graph was already sent earlier in this run: add, do not replace
    part: Part = "graph"  # a graph of the build, or one of the collection's own two


@dataclass
class Counts:
    """What went into a store (or its bulk files): the build's graphs and triples, and the union copy."""

    graphs: int = 0
    triples: int = 0
    union_triples: int = 0  # written into the collection's union graph (each build triple once more)

    def add(self, batch: GraphBatch) -> None:
        """Count a batch that reached the store (or a file)."""
        if batch.part == "graph":
            self.graphs += 0 if batch.append else 1
            self.triples += len(batch.lines)
        elif batch.part == "union":
            self.union_triples += len(batch.lines)


@dataclass
class LoadSummary(Counts):
    """What `kg load` did: counts per outcome, and which graphs failed (with the reason)."""

    retries: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    collection: Collection | None = None

    def __str__(self) -> str:
        ok = self.graphs - len([g for g in self.failed if self.collection is None or g not in (
            self.collection.union, self.collection.catalog)])
        text = (f"loaded {ok}/{self.graphs} graphs, {self.triples} triples, "
                f"{self.retries} retries, {self.seconds:.1f} s")
        if self.collection is not None:
            text += (f"\ndefault graph for `kg serve --sparql-backend`: <{self.collection.union}> "
                     f"({self.union_triples} triples); named graphs listed in <{self.collection.catalog}>")
        for graph, reason in sorted(self.failed.items()):
            text += f"\nFAILED {graph}: {reason}"
        return text


def dataset_file(data_dir: Path) -> Path:
    """The dump that carries named graphs; `kg load` refuses to run without it."""
    path = data_dir / "kg.trig"
    if not path.exists():
        raise LoadError(f"{path}: no such file (run `kg build` first)")
    return path


def _quads(path: Path) -> Iterator[ox.Quad]:
    """The quads of a TriG file; a syntax error names the file (and pyoxigraph's line and column)."""
    try:
        yield from ox.parse(path=str(path), format=ox.RdfFormat.TRIG)
    except (SyntaxError, OSError) as err:
        raise LoadError(f"{path}: not readable as TriG: {err}") from None


def graph_batches(path: Path, max_lines: int = MAX_LINES) -> Iterator[GraphBatch]:
    """Stream a TriG file as runs of quads of one graph, so memory stays bounded at any size.

    A writer groups each graph's quads together, so a run is normally a whole graph; a graph that
    comes back later (or is longer than ``max_lines``) is sent again with ``append=True``.
    """
    seen: set[str] = set()
    batch: GraphBatch | None = None
    for quad in _quads(path):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        if batch is None or batch.graph != name or len(batch.lines) >= max_lines:
            if batch is not None:
                yield batch
            batch = GraphBatch(name, append=name in seen)
            seen.add(name)
        batch.lines.append(f"{quad.subject} {quad.predicate} {quad.object} .")
    if batch is not None:
        yield batch


def _request_body(batch: GraphBatch, protocol: Protocol) -> tuple[dict, bytes, dict[str, str]]:
    """Params, body and headers of the one request that replaces this graph in the store."""
    body = "\n".join(batch.lines) + ("\n" if batch.lines else "")
    if protocol == "gsp":
        params = {"graph": batch.graph} if batch.graph else {"default": ""}
        return params, body.encode(), {"Content-Type": "application/n-triples"}
    target = f"GRAPH <{batch.graph}> " if batch.graph else ""
    drop = f"DROP SILENT GRAPH <{batch.graph}> ;\n" if batch.graph else "DROP SILENT DEFAULT ;\n"
    if batch.append:
        drop = ""
    update = f"{drop}INSERT DATA {{ {target}{{\n{body}}} }}" if batch.lines else drop.rstrip(" ;\n")
    return {}, update.encode(), {"Content-Type": "application/sparql-update"}


@dataclass
class Sender:
    """Sends one graph's batch with retries and backoff; notes failures in the summary."""

    session: requests.Session
    endpoint: str
    protocol: Protocol
    summary: LoadSummary
    retries: int = 3
    backoff: float = 0.5
    timeout: float = 60.0

    def send(self, batch: GraphBatch) -> bool:
        params, body, headers = _request_body(batch, self.protocol)
        method = "PUT" if self.protocol == "gsp" and not batch.append else "POST"
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.summary.retries += 1
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                resp = self.session.request(method, self.endpoint, params=params, data=body, headers=headers,
                                            timeout=self.timeout)
            except requests.RequestException as err:
                reason = f"{type(err).__name__}: {err}"
                continue
            if resp.status_code < 300:
                return True
            reason = f"HTTP {resp.status_code}: {resp.text.strip()[:200]}"
            if resp.status_code not in RETRY_STATUSES:
                break
        self.summary.failed.setdefault(batch.graph or "(default graph)", reason)
        return False


def store_batches(path: Path, collection: Collection | None = None,
                  max_lines: int = MAX_LINES) -> Iterator[GraphBatch]:
    """Every batch `kg load` writes into a store, in the order it writes them: the one rule for what goes
    into a store, whether sent (``load``) or written as files for a store's bulk loader
    (``kg.store.bulk``).

    The build's graphs as ``graph_batches`` reads them (its default graph renamed to the collection's,
    with a ``collection``); each batch copied into the collection's union graph, in batches of whole
    build batches (a blank node stays inside one request, so it stays one node) of about ``max_lines``
    triples, the first replacing the graph (sent even when empty), the next adding to it; then the list
    of the graphs, last (a reader that finds the list finds the graphs it names).
    """
    union: list[str] = []
    union_started = False
    graphs: list[str] = []
    for batch in graph_batches(path, max_lines):
        if collection and not batch.graph:
            batch = GraphBatch(collection.default, batch.lines, batch.append)
        if not batch.append and batch.graph != (collection.default if collection else None):
            graphs.append(batch.graph)
        yield batch
        if collection is None:
            continue
        if union and len(union) + len(batch.lines) > max_lines:
            yield GraphBatch(collection.union, union, append=union_started, part="union")
            union_started, union = True, []
        union.extend(batch.lines)  # a list already yielded is never touched again: a new one follows it
    if collection is None:
        return
    if union or not union_started:
        yield GraphBatch(collection.union, union, append=union_started, part="union")
    yield GraphBatch(collection.catalog, collection.catalog_lines(graphs), part="catalog")


def load(data_dir: Path, endpoint: str, protocol: Protocol = "gsp", *, collection: Collection | None = None,
         retries: int = 3, backoff: float = 0.5, timeout: float = 60.0,
         session: requests.Session | None = None) -> LoadSummary:
    """Replace, graph by graph, the store's copy of the build in ``data_dir`` (``output/``); with a
    ``collection``, also its union graph and its list of graphs (written last: a reader that finds the
    list finds the graphs it names)."""
    path = dataset_file(data_dir)
    summary = LoadSummary(collection=collection)
    sender = Sender(session or requests.Session(), endpoint, protocol, summary, retries, backoff, timeout)
    started = time.monotonic()
    for batch in store_batches(path, collection, MAX_LINES if protocol == "gsp" else UPDATE_LINES):
        if sender.send(batch):
            summary.add(batch)
        elif batch.part == "graph" and not batch.append:
            summary.graphs += 1  # a graph that failed still counts among those tried ("loaded 9/10 graphs")
    summary.seconds = time.monotonic() - started
    return summary
