"""``RemoteStore``: the store interface over an external SPARQL 1.1 endpoint (`kg serve --sparql-backend`).

Why: when the data lives in an institution's triple store (Oxigraph server, Fuseki, Virtuoso; see
docs/external-stores.md), our app stays in front of it, so every guard of ``kg.web`` still applies:
the query was already checked (read-only, SERVICE allowlist) before it reaches a store, and here we
add the time limit — a *total* deadline over connecting, waiting and reading the answer, not a
per-read socket timeout — and the row cap. Giving up on the client side does not stop the remote
engine; configure the store's own timeout too (``oxigraph serve --timeout-s``, Fuseki's
``arq:queryTimeout``), as the docs say.

The store may be shared (a Virtuoso's default graph holds its own system graphs, an institution's store
holds other collections), so we never rely on its default graph: `kg load` writes the collection's
union into a graph of its own and lists its named graphs (``kg.store.load.Collection``), and every query
goes out with the dataset the embedded store would use (``plan_dataset``): in the protocol's own
parameters, ``default-graph-uri=<union>``; or, for a query that says GRAPH (it can see named graphs),
with no dataset and its text confined to the collection (``kg.store.confine``: every default-graph
pattern inside ``GRAPH <union>``, every GRAPH filtered by the list), because the list of our graphs as
``named-graph-uri`` is refused by Virtuoso 7.2 beyond ~5,000 graphs. The list is still sent where the
rewrite cannot do it: a DESCRIBE that says GRAPH (its description is read from the default graph) and
a client's ``default-graph-uri`` with a query that says GRAPH. A dataset the client gives wins, as
the protocol says: ``default-graph-uri`` / ``named-graph-uri`` are passed on, a query's own FROM /
FROM NAMED as parameters too (the half left out is filled as the embedded store fills it), each graph
that is not ours replaced by one that does not exist (on a shared store it may be someone else's).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pyoxigraph as ox
import requests

from kg.store.confine import confine
from kg.store.dataset import Dataset, plan_dataset, says_graph, without_dataset_clauses
from kg.store.describe import describe_query
from kg.store.engine import encode
from kg.store.load import HAS_PART, Collection
from kg.store.scan import is_iri, scan
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
GRAPH_LIST_SECONDS = 30.0  # how long the list of the collection's graphs is reused before asking again
LONG_GRAPH_LIST = 1000  # beyond this many named-graph-uri, a store's 400 is about the list, not the query


class RemoteStore:
    """Queries go to ``endpoint`` (the store's SPARQL query URL) with a deadline per query."""

    def __init__(self, endpoint: str, session: requests.Session | None = None, *,
                 collection: Collection | None = None, max_bytes: int | None = None):
        self.endpoint = endpoint
        self.max_bytes = max_bytes  # our answers' byte cap (``Settings.max_bytes``), as the embedded store's
        self.session = session or requests.Session()
        self.sandboxed = False  # the remote engine decides what SERVICE may reach; our guards run first
        self.collection = collection or Collection()
        self._graphs: tuple[str, ...] = ()
        self._graphs_read = float("-inf")
        self._collection_seen = False
        self._lock = threading.Lock()

    # -- the Store protocol ------------------------------------------------------------------

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool = False) -> QueryResult:
        form = scan(sparql).form
        is_graph = form in ("CONSTRUCT", "DESCRIBE")
        body, cut = self._ask_store(sparql, timeout, default_graphs, named_graphs,
                                    N_TRIPLES if is_graph else RESULTS_JSON)
        result = _parse_triples(body, max_rows) if is_graph else _parse_results(body, max_rows, form == "ASK")
        if cut and isinstance(result, Solutions | Triples) and not result.truncated:
            result = replace(result, truncated=True)  # the store cut it before our cap could see the cut
        return result

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool = False, base_prefix: str | None = None) -> Serialized:
        from kg.store.results import serialize

        result = self.query(sparql, timeout, default_graphs, named_graphs, max_rows=max_rows, federated=federated)
        name, body = serialize(result, formats, base_prefix)
        result, body = _within(result, body, self.max_bytes, lambda r: serialize(r, formats, base_prefix)[1])
        return Serialized(name, body, getattr(result, "truncated", False), isinstance(result, Triples))

    def describe(self, iri: str, timeout: float) -> Triples:
        result = self.query(describe_query(iri), timeout)
        assert isinstance(result, Triples)
        return result

    def close(self) -> None:
        self.session.close()

    # -- HTTP --------------------------------------------------------------------------------

    def graphs(self, timeout: float) -> tuple[str, ...]:
        """The named graphs of the collection, as `kg load` listed them; read again after
        ``GRAPH_LIST_SECONDS`` (a new `kg load` may have run). An empty or cut list is an error: without
        it we could not tell our graphs from the store's others."""
        with self._lock:
            if time.monotonic() - self._graphs_read < GRAPH_LIST_SECONDS:
                return self._graphs
        query = f"SELECT ?g WHERE {{ <{self.collection.union}> <{HAS_PART}> ?g }}"
        body, cut = self._post(query, timeout, [("default-graph-uri", self.collection.catalog)], RESULTS_JSON)
        result = _parse_results(body, None)
        assert isinstance(result, Solutions)
        graphs = tuple(row[0][1] for row in result.rows if row[0] and row[0][0] == "uri")
        if cut:
            raise QueryEngineError(f"the SPARQL backend cut the list of the collection's graphs at {len(graphs)} "
                                   "rows; raise its result limit (Virtuoso: ResultSetMaxRows)")
        if not graphs:
            raise self._no_collection()
        with self._lock:
            self._graphs, self._graphs_read = graphs, time.monotonic()
        return graphs

    def _check_collection(self, timeout: float) -> None:
        """Once: the store holds the collection's list of graphs. Without it, our default graph would be
        empty and GRAPH would see nothing: a clear error instead of empty answers."""
        if self._collection_seen:
            return
        query = f"ASK {{ <{self.collection.union}> <{HAS_PART}> ?g }}"
        body, _ = self._post(query, timeout, [("default-graph-uri", self.collection.catalog)], RESULTS_JSON)
        answer = _parse_results(body, None, ask=True)
        if not (isinstance(answer, Boolean) and answer.value):
            raise self._no_collection()
        self._collection_seen = True

    def _no_collection(self) -> QueryEngineError:
        return QueryEngineError(f"the SPARQL backend holds no list of the collection's graphs "
                                f"(<{self.collection.catalog}>): load the build with `kg load`")

    def _ours_only(self, dataset: Dataset, timeout: float) -> Dataset:
        """The dataset with every graph a client named (by parameter or FROM) that is not one of ours
        replaced by a graph that does not exist: on a shared store it may hold someone else's data, on
        the embedded store it is empty. One lookup in the collection's list, for the few requests that
        name graphs."""
        c = self.collection
        given = {g for g in (*dataset.default, *(dataset.named or ())) if g not in (c.union, c.default, c.empty)}
        readable = sorted(g for g in given if is_iri(g))
        ours: set[str] = set()
        if readable:
            values = " ".join(f"<{g}>" for g in readable)
            query = f"SELECT ?g WHERE {{ VALUES ?g {{ {values} }} <{c.union}> <{HAS_PART}> ?g }}"
            body, _ = self._post(query, timeout, [("default-graph-uri", c.catalog)], RESULTS_JSON)
            result = _parse_results(body, None)
            assert isinstance(result, Solutions)
            ours = {row[0][1] for row in result.rows if row[0] and row[0][0] == "uri"}

        def kept(graphs: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(dict.fromkeys(g if g not in given or g in ours else c.empty for g in graphs))

        return Dataset(kept(dataset.default), None if dataset.named is None else kept(dataset.named))

    def _outgoing(self, sparql: str, timeout: float, default_graphs: Sequence[str],
                  named_graphs: Sequence[str]) -> tuple[str, list[tuple[str, str]]]:
        """The query text to send and its dataset parameters (``plan_dataset``)."""
        dataset = plan_dataset(sparql, default_graphs, named_graphs, self.collection)
        if dataset is None:
            return sparql, []
        self._check_collection(timeout)
        if dataset.confined:
            return confine(sparql, self.collection), []
        dataset = self._ours_only(dataset, timeout)
        if scan(sparql).has_dataset:
            sparql = without_dataset_clauses(sparql)  # the parameters replace them (Virtuoso would add them)
        named = dataset.named
        if named is None and says_graph(sparql):
            named = self.graphs(timeout)
        return sparql, [("default-graph-uri", g) for g in dataset.default] + [("named-graph-uri", g)
                                                                              for g in named or ()]

    def _ask_store(self, sparql: str, timeout: float, default_graphs: Sequence[str], named_graphs: Sequence[str],
                   accept: str) -> tuple[bytes, bool]:
        """The answer to a client's query, on the dataset ``plan_dataset`` gives; and whether the store
        said it cut it at its own row limit."""
        deadline = time.monotonic() + timeout
        sparql, params = self._outgoing(sparql, timeout, default_graphs, named_graphs)
        named = _named_count(params)
        try:
            return self._post(sparql, timeout, params, accept, deadline)
        except QuerySyntaxError as err:
            if named <= LONG_GRAPH_LIST or named_graphs:
                raise
            # measured: Virtuoso 7.2 refuses 5,001 named graphs ("Too many arguments ... in"): not the
            # client's syntax but the price of listing our graphs (a DESCRIBE or a client's
            # default-graph-uri saying GRAPH); say so (502), not "syntax error" (400)
            raise QueryEngineError(f"the SPARQL backend refused the list of the collection's {named} graphs "
                                   f"that this query needs ({str(err)[:160]}); name the graphs with FROM NAMED, "
                                   "or query the embedded store") from None

    def _post(self, sparql: str, timeout: float, params: list[tuple[str, str]], accept: str,
              deadline: float | None = None) -> tuple[bytes, bool]:
        """POST the query (form-encoded, SPARQL 1.1 Protocol) and read the answer before the deadline
        (``timeout`` from now unless given); and whether the store cut it (Virtuoso says so in
        ``X-SPARQL-MaxRows``, for SELECT only)."""
        deadline = deadline if deadline is not None else time.monotonic() + timeout
        left = max(0.001, deadline - time.monotonic())
        data: list[tuple[str, str]] = [("query", sparql), *params]
        try:
            resp = self.session.post(self.endpoint, data=data, headers={"Accept": accept}, stream=True,
                                     timeout=(min(left, 5.0), left))
            body, over = _read_before(resp, deadline, timeout, self._read_limit)
        except requests.Timeout:
            raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)") from None
        except requests.RequestException as err:
            if "more than 100 headers" in str(err):  # http.client's limit; measured: Virtuoso 7.2 answers
                # one X-SPARQL-named-graph header per named-graph-uri, so ~95 of them fail here
                raise QueryEngineError(f"the SPARQL backend answered with more than 100 header lines, more than "
                                       f"our HTTP client reads (Virtuoso repeats each of the {_named_count(params)} "
                                       "named-graph-uri as one); name fewer graphs") from None
            raise QueryEngineError(f"the SPARQL backend could not be reached: {type(err).__name__}") from None
        if resp.status_code == 400:
            raise QuerySyntaxError(body.decode("utf-8", "replace").strip()[:500] or "the backend refused the query")
        if resp.status_code >= 300:
            raise QueryEngineError(f"the SPARQL backend answered {resp.status_code}: "
                                   f"{body.decode('utf-8', 'replace').strip()[:200]}")
        if over:  # more than our byte cap can keep: the rows read so far, as a whole answer, flagged as cut
            complete = _complete_prefix(body, accept)
            if complete is None:
                raise QueryEngineError(f"the SPARQL backend's answer passed {self._read_limit:,} bytes before "
                                       "its first rows could be read; narrow the query (LIMIT)")
            return complete, True
        return body, "X-SPARQL-MaxRows" in resp.headers

    @property
    def _read_limit(self) -> int | None:
        """How much of a backend's answer is read: its formats (SPARQL JSON, N-Triples) take up to ~4x
        the bytes of our most compact one for the same rows, so rows past this are past our cap anyway.
        Without it a ``SELECT *`` on a big store was read whole into memory (issue 13, item 4)."""
        return None if self.max_bytes is None else 4 * self.max_bytes + CHUNK


def _named_count(params: list[tuple[str, str]]) -> int:
    return sum(name == "named-graph-uri" for name, _ in params)


def _read_before(resp: requests.Response, deadline: float, timeout: float,
                 limit: int | None = None) -> tuple[bytes, bool]:
    """The body, or QueryTimeout when the deadline passes while it is still coming; and True when it
    was longer than ``limit`` (then only that much is read, and the connection closed)."""
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in resp.iter_content(CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                return b"".join(chunks)[:limit], True
            if time.monotonic() > deadline:
                raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)")
    finally:
        resp.close()
    return b"".join(chunks), False


def _complete_prefix(body: bytes, accept: str) -> bytes | None:
    """The first part of an answer as a whole answer of the same format: N-Triples up to its last
    whole line; SPARQL JSON with the bindings read whole (None when its head is not in the part)."""
    if accept == N_TRIPLES:
        return body[:body.rfind(b"\n") + 1]
    text = body.decode("utf-8", "ignore")  # only the last character can be cut
    decoder = json.JSONDecoder()
    head_at, bindings_at = text.find('"head"'), text.find('"bindings"')
    if head_at < 0 or bindings_at < 0:
        return None
    try:
        head, _ = decoder.raw_decode(text, _after(text, text.index(":", head_at) + 1))
    except ValueError:
        return None
    bindings: list[Any] = []
    at = text.find("[", bindings_at) + 1
    while at:
        at = _after(text, at, ",")
        try:
            row, at = decoder.raw_decode(text, at)
        except ValueError:
            break
        bindings.append(row)
    return json.dumps({"head": head, "results": {"bindings": bindings}}).encode()


def _after(text: str, at: int, skip: str = "") -> int:
    """The index of the first character from ``at`` that is neither white space nor in ``skip``."""
    while at < len(text) and (text[at].isspace() or text[at] in skip):
        at += 1
    return at


def _within(result: QueryResult, body: bytes, max_bytes: int | None,
            render: Any) -> tuple[QueryResult, bytes]:
    """The answer cut to ``max_bytes`` as the embedded store cuts it (``kg.store.capped.fit``): rows
    dropped from the end, in proportion, until it fits, and flagged as truncated."""
    if max_bytes is None or len(body) <= max_bytes or not isinstance(result, Solutions | Triples):
        return result, body
    rows = result.rows if isinstance(result, Solutions) else result.triples
    keep = len(rows)
    while len(body) > max_bytes and keep > 0:
        keep = min(keep - 1, int(keep * max_bytes / len(body) * 0.95))
        result = (replace(result, rows=rows[:keep], truncated=True) if isinstance(result, Solutions)
                  else replace(result, triples=rows[:keep], truncated=True))
        body = render(result)
    return result, body


# Datatypes the embedded store (Oxigraph) stores as xsd:integer, in canonical form; other stores keep
# them as written. Our answers must not depend on the backend, so the proxy does what Oxigraph does.
XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGER_TYPES = frozenset(XSD + t for t in (
    "integer", "positiveInteger", "nonNegativeInteger", "negativeInteger", "nonPositiveInteger", "long", "int",
    "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))
BOOLEAN_WORDS = {"1": "true", "0": "false", "true": "true", "false": "false"}


def canonical(term: Term) -> Term:
    """A literal in the form the embedded store answers with: integers of every xsd type as canonical
    xsd:integer, booleans as true/false (Virtuoso answers 1/0). Anything else unchanged."""
    if term[0] != "literal":
        return term
    _, value, datatype, language = term
    if datatype in INTEGER_TYPES and value.strip().lstrip("+-").isdigit():
        return ("literal", str(int(value)), XSD + "integer", language)
    if datatype == XSD + "boolean" and value.strip() in BOOLEAN_WORDS:
        return ("literal", BOOLEAN_WORDS[value.strip()], datatype, language)
    return term


def _term(binding: dict[str, Any]) -> Term:
    """A SPARQL JSON results term -> our plain tuple (same shape and form as the embedded store's)."""
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ("uri", value)
    if kind == "bnode":
        return ("bnode", value)
    if "xml:lang" in binding:
        return encode(ox.Literal(value, language=binding["xml:lang"]))
    if "datatype" in binding:
        return canonical(encode(ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))))
    return encode(ox.Literal(value))


def _parse_results(body: bytes, max_rows: int | None, ask: bool = False) -> Solutions | Boolean:
    try:
        doc = json.loads(body)
    except ValueError:
        raise QueryEngineError("the SPARQL backend answered something that is not SPARQL JSON") from None
    if "boolean" in doc:
        return Boolean(bool(doc["boolean"]))
    names = tuple(doc["head"]["vars"])
    bindings = doc["results"]["bindings"]
    if ask and len(names) == 1 and len(bindings) <= 1:  # Virtuoso 7.2 answers ASK as one row: 1 or 0
        return Boolean(bool(bindings) and bindings[0].get(names[0], {}).get("value") not in ("0", "false"))
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
        triples.append((encode(t.subject), encode(t.predicate), canonical(encode(t.object))))
    return Triples(triples)
