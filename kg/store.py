"""One store interface for every query the publisher runs (pages, resources, /sparql).

``Store`` is the seam: ``OxigraphStore`` (embedded pyoxigraph, the default) implements it here;
``kg.remote_store.RemoteStore`` implements it over the SPARQL 1.1 Protocol for an external store
(``open_store`` picks one). Results cross the seam as plain tuples (see ``Term``), so they pickle
cheaply between worker processes and can come from any engine.

The union default graph: without FROM / ``default-graph-uri`` a query sees all named graphs (one per
document) as its default graph. With them, it sees exactly the store graphs named: an IRI in FROM is
a graph name, never a URL to fetch (``FROM <file:///etc/passwd>`` selects an empty graph).
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from kg.errors import KGError
from kg.sparql_scan import scan, tokens
from kg.store_pool import StoreSource, WorkerPool, cpu_count

# A term as plain data: ("uri", iri) | ("bnode", id) | ("literal", lexical, datatype IRI, language or None)
Term = tuple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


@dataclass(frozen=True)
class Solutions:
    """SELECT result; ``truncated`` is True when rows beyond ``max_rows`` were cut."""

    variables: tuple[str, ...]
    rows: list[tuple[Term | None, ...]]
    truncated: bool = False


@dataclass(frozen=True)
class Boolean:
    """ASK result."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """CONSTRUCT/DESCRIBE result; ``truncated`` as for Solutions."""

    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)
    truncated: bool = False


QueryResult = Solutions | Boolean | Triples


@dataclass(frozen=True)
class Serialized:
    """An answer already written in the requested format (by the worker, off the web process's GIL).
    ``format`` names the format used: the results one for SELECT/ASK, the RDF one otherwise."""

    format: str
    body: bytes
    truncated: bool
    is_graph: bool


class QuerySyntaxError(Exception):
    """The engine could not parse the query (the message says where): a client error, 400."""


class QueryTimeout(Exception):
    """The query ran past its time limit and its worker was stopped."""


class QueryEngineError(Exception):
    """The engine failed while evaluating (e.g. a SERVICE endpoint answered with an error)."""


class Store(Protocol):
    """What the web layer needs from a store. Every implementation enforces ``timeout``."""

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool = False) -> QueryResult: ...

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool = False, base_prefix: str | None = None) -> Serialized:
        """The answer as bytes: ``formats`` = (results format name, RDF format name), see kg.web.conneg."""
        ...

    def describe(self, iri: str, timeout: float) -> Triples: ...

    def close(self) -> None: ...


# ---- running a query (inside a worker process) -------------------------------------------------

def encode(term: Any) -> Term:
    """pyoxigraph term -> plain tuple."""
    kind = type(term).__name__
    if kind == "NamedNode":
        return ("uri", term.value)
    if kind == "BlankNode":
        return ("bnode", term.value)
    if kind == "Literal":
        return ("literal", term.value, term.datatype.value, term.language)
    return ("literal", str(term), XSD_STRING, None)  # RDF-star quoted triple, shown as text


def _run_query(store: Any, sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> Any:
    """The engine's own result; the default graph is the union of all graphs unless the query or the
    protocol names graphs (FROM / default-graph-uri select store graphs, never fetch)."""
    import pyoxigraph as ox

    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if not default_graphs and not named_graphs and not scan(sparql).has_dataset:
        options["use_default_graph_as_union"] = True
    return store.query(sparql, **options)


def _encode_result(result: Any, max_rows: int | None) -> QueryResult:
    import pyoxigraph as ox

    if isinstance(result, ox.QueryBoolean):
        return Boolean(bool(result))
    limit = max_rows if max_rows is not None else -1
    memo: dict[Any, Term] = {}

    def enc(term: Any) -> Term | None:
        if term is None:
            return None
        found = memo.get(term)
        if found is None:
            found = memo[term] = encode(term)
        return found

    if isinstance(result, ox.QuerySolutions):
        names = tuple(v.value for v in result.variables)
        rows: list[tuple[Term | None, ...]] = []
        for solution in result:
            if len(rows) == limit:
                return Solutions(names, rows, truncated=True)
            rows.append(tuple(map(enc, solution)))
        return Solutions(names, rows)
    triples = []
    for t in result:
        if len(triples) == limit:
            return Triples(triples, truncated=True)
        triples.append((enc(t.subject), enc(t.predicate), enc(t.object)))  # type: ignore[arg-type]
    return Triples(triples)


def _execute(store: Any, sparql: str, default_graphs: Sequence[str], named_graphs: Sequence[str],
             max_rows: int | None) -> QueryResult:
    return _encode_result(_run_query(store, sparql, default_graphs, named_graphs), max_rows)


@lru_cache(maxsize=512)
def declared_limit(sparql: str) -> int | None:
    """The outermost query's LIMIT when the text ends with it (``LIMIT n``, ``LIMIT n OFFSET m`` or
    ``OFFSET m LIMIT n``): such an answer can never exceed n rows, so it needs no row counting. None
    when in doubt (no LIMIT, a VALUES block after it, escapes in the number): the cap then counts.
    Only called on a query the engine has parsed, so the tail is a valid solution modifier. Cached
    like ``scan``: lexing a typical query costs ~50 µs of the worker's time, and clients repeat them."""
    toks = [t.upper() for _, t in tokens(sparql)]

    def clause() -> tuple[str, str] | None:
        digits = ""
        while toks and toks[-1].isdigit():  # the lexer yields an integer one digit at a time
            digits = toks.pop() + digits
        return (toks.pop(), digits) if digits and toks else None

    last = clause()
    if last and last[0] == "OFFSET":
        last = clause()
    return int(last[1]) if last and last[0] == "LIMIT" else None


def _execute_serialized(store: Any, formats: tuple[str, str], base_prefix: str | None, sparql: str,
                        default_graphs: Sequence[str], named_graphs: Sequence[str],
                        max_rows: int | None) -> Serialized:
    """Run and write the answer in the worker, with the engine's own writers under the row cap (see
    ``kg.web.results.write_solutions``): no row ever becomes a Python object."""
    import pyoxigraph as ox

    from kg.web.results import serialize, write_solutions, write_triples

    raw = _run_query(store, sparql, default_graphs, named_graphs)
    if isinstance(raw, ox.QueryTriples):
        body, truncated = write_triples(raw, formats[1], max_rows, base_prefix)
        return Serialized(formats[1], body, truncated, True)
    if isinstance(raw, ox.QuerySolutions):
        body, truncated = write_solutions(raw, formats[0], max_rows, declared_limit(sparql))
        return Serialized(formats[0], body, truncated, False)
    name, body = serialize(Boolean(bool(raw)), formats, base_prefix)
    return Serialized(name, body, False, False)


def run_in_worker(store: Any, request: tuple) -> tuple:
    """Answer one request from the pool: ("ok", result) or ("error", kind, message)."""
    what, kwargs = request
    try:
        if what == "serialized":
            return ("ok", _execute_serialized(store, **kwargs))
        return ("ok", _execute(store, **kwargs))
    except SyntaxError as err:
        return ("error", "syntax", str(err))
    except OSError as err:
        return ("error", "engine", str(err))


# ---- loading -------------------------------------------------------------------------------------

def load_file(store: Any, path: Path) -> None:
    """Load a published file into a pyoxigraph store (TriG keeps the per-document named graphs)."""
    import pyoxigraph as ox

    name = path.name
    formats = {".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS, ".nt": ox.RdfFormat.N_TRIPLES,
               ".ttl": ox.RdfFormat.TURTLE}
    base = name[:-3] if name.endswith(".gz") else name
    fmt = formats.get(Path(base).suffix)
    if fmt is None:
        raise KGError(f"{path}: not a data file kg serve can load (.trig, .nq, .nt, .ttl, optionally .gz)")
    data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    store.bulk_load(input=data, format=fmt)


DATA_FILES = ("kg.trig", "kg.nq", "kg.nq.gz", "kg.nt.gz", "kg.nt", "kg.ttl")


def find_data_file(data_dir: Path) -> Path:
    for name in DATA_FILES:
        if (data_dir / name).is_file():
            return data_dir / name
    raise KGError(f"{data_dir}: no kg.trig (or kg.nt.gz) to serve; run `kg build` first")


# ---- the embedded store --------------------------------------------------------------------------

class OxigraphStore:
    """Embedded pyoxigraph behind a pool of worker processes (see ``kg.store_pool``).

    ``data_dir`` holds the build (``kg.trig`` preferred, else ``kg.nt.gz``...), loaded once into
    memory by the store process that forks the workers; or an on-disk Oxigraph store in
    ``data_dir/store``, opened read-only (for graphs larger than memory; slower per query).
    """

    def __init__(self, data_dir: Path, *, warm_workers: int | None = None):
        store_dir = data_dir / "store"
        if (store_dir / "CURRENT").is_file():
            source = StoreSource(store_dir=store_dir)
        else:
            source = StoreSource(data_file=find_data_file(data_dir))
        self.data_file = source.data_file
        self.pool = WorkerPool(source, warm=warm_workers or max(2, cpu_count()))

    @property
    def sandboxed(self) -> bool:
        """True when ordinary query workers have no network at all."""
        return self.pool.sandboxed

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool = False) -> QueryResult:
        kwargs = {"sparql": sparql, "default_graphs": tuple(default_graphs),
                  "named_graphs": tuple(named_graphs), "max_rows": max_rows}
        return self._ask(("query", kwargs), timeout, federated)

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool = False, base_prefix: str | None = None) -> Serialized:
        kwargs = {"sparql": sparql, "default_graphs": tuple(default_graphs), "named_graphs": tuple(named_graphs),
                  "max_rows": max_rows, "formats": formats, "base_prefix": base_prefix}
        return self._ask(("serialized", kwargs), timeout, federated)

    def _ask(self, request: tuple, timeout: float, federated: bool) -> Any:
        answer = self.pool.run(request, timeout, networked=federated)
        if answer is None:
            raise QueryTimeout(f"the query was stopped at its time limit ({timeout:g} s)")
        if answer[0] == "ok":
            return answer[1]
        if answer[1] == "syntax":
            raise QuerySyntaxError(answer[2])
        raise QueryEngineError(answer[2])

    def describe(self, iri: str, timeout: float) -> Triples:
        result = self.query(describe_query(iri), timeout)
        assert isinstance(result, Triples)
        return result

    def close(self) -> None:
        self.pool.close()


def iri_ref(iri: str) -> str:
    """An IRI as a SPARQL IRIREF; refuses characters that would end or break it."""
    if any(c in iri for c in '<>"{}|^`\\') or any(ord(c) <= 0x20 for c in iri):
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def describe_query(iri: str) -> str:
    """A resource's description: its triples, those of its sub-resources (``<iri>/note/1``) and blank
    nodes, the links pointing at it (a person's letters), and the labels of everything linked."""
    ref, prefix = iri_ref(iri), iri.rstrip("/") + "/"
    return f"""CONSTRUCT {{ ?s ?p ?o . ?x ?lp ?label }} WHERE {{
  {{ {{ BIND({ref} AS ?s) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ {ref} ?q ?s . FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{prefix}")) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ ?s ?q {ref} . FILTER(STRSTARTS(STR(?s), "{prefix}")) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ ?s ?p {ref} BIND({ref} AS ?o) BIND(?s AS ?x) }} }}
  OPTIONAL {{ VALUES ?lp {{ <http://schema.org/name> <http://www.w3.org/2004/02/skos/core#prefLabel>
                           <http://www.w3.org/2000/01/rdf-schema#label> }} ?x ?lp ?label }}
}}"""


def open_store(data_dir: Path, sparql_backend: str | None = None, **options: Any) -> Store:
    """The store ``kg serve`` uses: embedded pyoxigraph by default, or an external SPARQL endpoint."""
    if sparql_backend:
        from kg.remote_store import RemoteStore

        return RemoteStore(sparql_backend)
    return OxigraphStore(data_dir, **options)
