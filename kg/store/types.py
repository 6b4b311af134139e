"""What crosses the store seam: results as plain data, the query errors, and the ``Store`` protocol.

Why plain tuples (see ``Term``): results pickle cheaply between worker processes and can come from any
engine (embedded pyoxigraph or a remote SPARQL endpoint). Imports nothing, so every other store
module, and the web layer, can stand on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


class QueryBusy(QueryTimeout):
    """The query was stopped early because it turned long while the server already ran as many long
    queries as it allows (see ``kg.store.pool``): try again later (503 with Retry-After)."""


class QueryEngineError(Exception):
    """The engine failed while evaluating (e.g. a SERVICE endpoint or a SPARQL backend answered with an
    error): the fault lies upstream, 502."""


class QueryUnsupported(QueryEngineError):
    """The query asks for something the engine does not have (a function it does not know): the
    client's to change, 400."""


class EngineFailure(QueryEngineError):
    """The embedded engine itself failed on the query (an internal error, a panic, a worker process
    that died while answering): 500, with the reason. The worker is replaced; the pool stays whole."""


class Store(Protocol):
    """What the web layer needs from a store. Every implementation enforces ``timeout``."""

    def query(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
              named_graphs: Sequence[str] = (), *, max_rows: int | None = None,
              federated: bool | Sequence[str] = False) -> QueryResult: ...

    def query_serialized(self, sparql: str, timeout: float, default_graphs: Sequence[str] = (),
                         named_graphs: Sequence[str] = (), *, formats: tuple[str, str], max_rows: int | None = None,
                         federated: bool | Sequence[str] = False, base_prefix: str | None = None) -> Serialized:
        """The answer as bytes: ``formats`` = (results format name, RDF format name), see kg.store.formats.
        ``federated``: the query calls SERVICE; when it is the endpoints the guard allowed, the store
        lets the query reach only their hosts."""
        ...

    def describe(self, iri: str, timeout: float) -> Triples: ...

    def close(self) -> None: ...


