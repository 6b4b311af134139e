"""Running one query inside a worker process: the engine's answer, encoded or written under the row cap.

Why apart from the pool: this is what a worker *does* (``run_in_worker``), while ``kg.store.pool``
is how workers are kept; the pool calls this module, never the other way round.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kg.store.capped import write_solutions, write_triples
from kg.store.results import serialize
from kg.store.scan import scan
from kg.store.types import XSD_STRING, Boolean, QueryResult, Serialized, Solutions, Term, Triples


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


def _execute_serialized(store: Any, formats: tuple[str, str], base_prefix: str | None, sparql: str,
                        default_graphs: Sequence[str], named_graphs: Sequence[str],
                        max_rows: int | None, max_bytes: int | None = None) -> Serialized:
    """Run and write the answer in the worker, with the engine's own writers under the row and byte
    caps (see ``kg.store.capped.write_solutions``): no row ever becomes a Python object."""
    import pyoxigraph as ox

    raw = _run_query(store, sparql, default_graphs, named_graphs)
    if isinstance(raw, ox.QueryTriples):
        body, truncated = write_triples(raw, formats[1], max_rows, base_prefix, max_bytes)
        return Serialized(formats[1], body, truncated, True)
    if isinstance(raw, ox.QuerySolutions):
        body, truncated = write_solutions(raw, formats[0], max_rows, max_bytes)
        return Serialized(formats[0], body, truncated, False)
    name, body = serialize(Boolean(bool(raw)), formats, base_prefix)
    return Serialized(name, body, False, False)


# What the engine says when a query names something it does not implement (a custom function).
_UNSUPPORTED = re.compile(r"\bis not supported\b|\bnot implemented\b", re.IGNORECASE)


def run_in_worker(store: Any, request: tuple) -> tuple:
    """Answer one request from the pool: ("ok", result) or ("error", kind, message). Kinds: "syntax",
    "unsupported" (the query's fault), "engine" (an evaluation error) and "panic": a Rust panic reaches
    Python as ``pyo3_runtime.PanicException``, a ``BaseException``, which an ``except Exception`` let
    through, so the worker died and the client got a reasonless error."""
    what, kwargs = request
    try:
        if what == "serialized":
            return ("ok", _execute_serialized(store, **kwargs))
        return ("ok", _execute(store, **kwargs))
    except SyntaxError as err:
        return ("error", "syntax", str(err))
    except Exception as err:  # noqa: BLE001 - OSError mostly; a SERVICE answer of an odd type is a ValueError
        kind = "unsupported" if _UNSUPPORTED.search(str(err)) else "engine"
        return ("error", kind, str(err))  # the store makes it fit to show (``engine_message``)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # noqa: BLE001 - a panic of the engine: answer it, the worker is retired
        return ("error", "panic", f"{type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")


_REMOTE_STATUS = re.compile(r"Error (\d{3})\b[^\n]*? returned by (\S+)")


def engine_message(text: str, federated: bool) -> str:
    """What a client may read of an engine error. A failed SERVICE call's error carries the remote
    answer ("Error 500 returned by <url> with payload: ..."), and a remote answer the engine could not
    read is quoted in its parse errors: relayed, they turned the endpoint into a way of reading other
    servers' answers (a SERVICE to 127.0.0.1 read the server's own pages). So the error of a query
    that federates keeps only the HTTP status and the URL (which the query itself named); any other
    error, from a worker without network, keeps its first line."""
    status = _REMOTE_STATUS.search(text)
    if status:
        return f"the SERVICE endpoint {status.group(2)} answered with an error (HTTP {status.group(1)})"
    if federated or "payload" in text:
        return "a SERVICE call failed (no connection, or an answer that is not SPARQL results)"
    return text.split("\n", 1)[0][:500]


