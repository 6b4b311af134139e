"""``RemoteStore``: the store interface over an external SPARQL 1.1 endpoint (`kg serve --sparql-backend`).

Why: when the data lives in an institution's triple store (Oxigraph server, Fuseki, Virtuoso; see
docs/external-stores.md), our app stays in front of it, so every guard of ``kg.web`` still applies:
the query was already checked (read-only, SERVICE allowlist) before it reaches a store, and here we
add the time limit — a *total* deadline over connecting, waiting and reading the answer, not a
per-read socket timeout — and the row cap. Giving up on the client side does not stop the remote
engine; configure the store's own timeout too (``oxigraph serve --timeout-s``, Fuseki's
``arq:queryTimeout``), as the docs say.

The endpoint must present the union of the named graphs as its default graph (as the embedded store
does): FROM / ``default-graph-uri`` / ``named-graph-uri`` are passed on as protocol parameters and
select the store's graphs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import requests

from kg.store.describe import describe_query
from kg.store.engine import encode
from kg.store.scan import scan
from kg.store.types import (
    Boolean,
    QueryEngineError,
    QueryResult,
    QuerySyntaxError,
    QueryTimeout,
    Serialized,
    Solutions,
    Term,
    Triples,
)

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
CHUNK = 64 * 1024


class RemoteStore:
    """Queries go to ``endpoint`` (the store's SPARQL query URL) with a deadline per query."""

    def __init__(self, endpoint: str, session: requests.Session | None = None):
        self.endpoint = endpoint
        self.session = session or requests.Session()
        self.sandboxed = False  # the remote engine decides what SERVICE may reach; our guards run first

    # -- the Store protocol ------------------------------------------------------------------

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool = False) -> QueryResult:
        is_graph = scan(sparql).form in ("CONSTRUCT", "DESCRIBE")
        body = self._post(sparql, timeout, default_graphs, named_graphs, N_TRIPLES if is_graph else RESULTS_JSON)
        if is_graph:
            return _parse_triples(body, max_rows)
        return _parse_results(body, max_rows)

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool = False, base_prefix: str | None = None) -> Serialized:
        from kg.store.results import serialize

        result = self.query(sparql, timeout, default_graphs, named_graphs, max_rows=max_rows, federated=federated)
        name, body = serialize(result, formats, base_prefix)
        return Serialized(name, body, getattr(result, "truncated", False), isinstance(result, Triples))

    def describe(self, iri: str, timeout: float) -> Triples:
        result = self.query(describe_query(iri), timeout)
        assert isinstance(result, Triples)
        return result

    def close(self) -> None:
        self.session.close()

    # -- HTTP --------------------------------------------------------------------------------

    def _post(self, sparql: str, timeout: float, default_graphs: Sequence[str], named_graphs: Sequence[str],
              accept: str) -> bytes:
        """POST the query (form-encoded, SPARQL 1.1 Protocol) and read the answer before the deadline."""
        deadline = time.monotonic() + timeout
        data: list[tuple[str, str]] = [("query", sparql)]
        data += [("default-graph-uri", g) for g in default_graphs]
        data += [("named-graph-uri", g) for g in named_graphs]
        try:
            resp = self.session.post(self.endpoint, data=data, headers={"Accept": accept}, stream=True,
                                     timeout=(min(timeout, 5.0), timeout))
            body = _read_before(resp, deadline, timeout)
        except requests.Timeout:
            raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)") from None
        except requests.RequestException as err:
            raise QueryEngineError(f"the SPARQL backend could not be reached: {type(err).__name__}") from None
        if resp.status_code == 400:
            raise QuerySyntaxError(body.decode("utf-8", "replace").strip()[:500] or "the backend refused the query")
        if resp.status_code >= 300:
            raise QueryEngineError(f"the SPARQL backend answered {resp.status_code}: "
                                   f"{body.decode('utf-8', 'replace').strip()[:200]}")
        return body


def _read_before(resp: requests.Response, deadline: float, timeout: float) -> bytes:
    """The whole body, or QueryTimeout when the deadline passes while it is still coming."""
    chunks: list[bytes] = []
    try:
        for chunk in resp.iter_content(CHUNK):
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)")
    finally:
        resp.close()
    return b"".join(chunks)


def _term(binding: dict[str, Any]) -> Term:
    """A SPARQL JSON results term -> our plain tuple (same shape as the embedded store's)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ("uri", value)
    if kind == "bnode":
        return ("bnode", value)
    if "xml:lang" in binding:
        return encode(ox.Literal(value, language=binding["xml:lang"]))
    if "datatype" in binding:
        return encode(ox.Literal(value, datatype=ox.NamedNode(binding["datatype"])))
    return encode(ox.Literal(value))


def _parse_results(body: bytes, max_rows: int | None) -> Solutions | Boolean:
    try:
        doc = json.loads(body)
    except ValueError:
        raise QueryEngineError("the SPARQL backend answered something that is not SPARQL JSON") from None
    if "boolean" in doc:
        return Boolean(bool(doc["boolean"]))
    names = tuple(doc["head"]["vars"])
    bindings = doc["results"]["bindings"]
    truncated = max_rows is not None and len(bindings) > max_rows
    if truncated:
        bindings = bindings[:max_rows]
    rows = [tuple(_term(b[n]) if n in b else None for n in names) for b in bindings]
    return Solutions(names, rows, truncated)


def _parse_triples(body: bytes, max_rows: int | None) -> Triples:
    triples = []
    for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        if max_rows is not None and len(triples) == max_rows:
            return Triples(triples, truncated=True)
        triples.append((encode(t.subject), encode(t.predicate), encode(t.object)))
    return Triples(triples)
