"""Push a build into an external SPARQL 1.1 store (`kg load`).

Why: the collection is small, but institutions run their own triple stores (Oxigraph server, Fuseki,
Virtuoso). We never write a store of our own: we hand the published dataset (``output/kg.trig``, one
named graph per document plus the authority graph) to theirs, graph by graph, so that provenance
stays attached to each document's statements.

Two standard ways, both plain HTTP:
- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, ``PUT {endpoint}?graph=<g>`` with an N-Triples
  body (replaces the graph: loading twice gives the same store);
- ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { ... } }``.
Failed requests are retried with exponential backoff; the summary says what was loaded and what failed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox
import requests

from kg.errors import KGError

Protocol = Literal["gsp", "update"]
RETRY_STATUSES = {429, 500, 502, 503, 504}


class LoadError(KGError):
    """The store could not be reached or refused the data for good."""


@dataclass
class GraphBatch:
    """The triples of one named graph, serialized as N-Triples lines."""

    graph: str
    lines: list[str] = field(default_factory=list)
    append: bool = False  # the graph was already sent earlier in this run: add, do not replace


@dataclass
class LoadSummary:
    """What `kg load` did: counts per outcome, and which graphs failed (with the reason)."""

    graphs: int = 0
    triples: int = 0
    retries: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def __str__(self) -> str:
        ok = self.graphs - len(self.failed)
        text = (f"loaded {ok}/{self.graphs} graphs, {self.triples} triples, "
                f"{self.retries} retries, {self.seconds:.1f} s")
        for graph, reason in sorted(self.failed.items()):
            text += f"\nFAILED {graph}: {reason}"
        return text


def dataset_file(data_dir: Path) -> Path:
    """The dump that carries named graphs; `kg load` refuses to run without it."""
    path = data_dir / "kg.trig"
    if not path.exists():
        raise LoadError(f"{path}: no such file (run `kg build` first)")
    return path


def graph_batches(path: Path, max_lines: int = 50_000) -> Iterator[GraphBatch]:
    """Stream a TriG file as runs of quads of one graph, so memory stays bounded at any size.

    A writer groups each graph's quads together, so a run is normally a whole graph; a graph that
    comes back later (or is longer than ``max_lines``) is sent again with ``append=True``.
    """
    seen: set[str] = set()
    batch: GraphBatch | None = None
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
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
    body = "\n".join(batch.lines) + "\n"
    if protocol == "gsp":
        params = {"graph": batch.graph} if batch.graph else {"default": ""}
        return params, body.encode(), {"Content-Type": "application/n-triples"}
    target = f"GRAPH <{batch.graph}> " if batch.graph else ""
    drop = f"DROP SILENT GRAPH <{batch.graph}> ;\n" if batch.graph else "DROP SILENT DEFAULT ;\n"
    if batch.append:
        drop = ""
    update = f"{drop}INSERT DATA {{ {target}{{\n{body}}} }}"
    return {}, update.encode(), {"Content-Type": "application/sparql-update"}


def _send(session: requests.Session, endpoint: str, batch: GraphBatch, protocol: Protocol,
          retries: int, backoff: float, summary: LoadSummary, timeout: float) -> None:
    params, body, headers = _request_body(batch, protocol)
    method = "PUT" if protocol == "gsp" and not batch.append else "POST"
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            summary.retries += 1
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            resp = session.request(method, endpoint, params=params, data=body, headers=headers, timeout=timeout)
        except requests.RequestException as err:
            reason = f"{type(err).__name__}: {err}"
            continue
        if resp.status_code < 300:
            summary.triples += len(batch.lines)
            return
        reason = f"HTTP {resp.status_code}: {resp.text.strip()[:200]}"
        if resp.status_code not in RETRY_STATUSES:
            break
    summary.failed[batch.graph or "(default graph)"] = reason


def load(data_dir: Path, endpoint: str, protocol: Protocol = "gsp", *, retries: int = 3,
         backoff: float = 0.5, timeout: float = 60.0, session: requests.Session | None = None) -> LoadSummary:
    """Replace, graph by graph, the store's copy of the build in ``data_dir`` (``output/``)."""
    path = dataset_file(data_dir)
    session = session or requests.Session()
    summary = LoadSummary()
    started = time.monotonic()
    for batch in graph_batches(path):
        summary.graphs += 0 if batch.append else 1
        _send(session, endpoint, batch, protocol, retries, backoff, summary, timeout)
    summary.seconds = time.monotonic() - started
    return summary
