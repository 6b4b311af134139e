"""The dataset a query sent to an external store runs on: the one the embedded store would use.

Why: a shared store's own default graph is not ours (Virtuoso's holds its system graphs), so
``kg.store.remote`` names the collection's graphs (``kg.store.load.Collection``) in the SPARQL 1.1
Protocol's own parameters with every query, except one with no dataset that says GRAPH: that one goes
out with none, its text confined to the collection (``kg.store.confine``), because a list of every
graph as ``named-graph-uri`` does not scale. This module decides which, from the request's
``default-graph-uri`` / ``named-graph-uri`` and the query's FROM / FROM NAMED, mirroring
``kg.store.engine`` (pyoxigraph): the stores then agree with the embedded one whatever their own
defaults. Pure functions over the query text (lexed by ``kg.store.scan``), no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.store.load import Collection
from kg.store.scan import TOKEN, absolute_iri, prologue, scan, tokens, unescape


@dataclass(frozen=True)
class Dataset:
    """The dataset a query runs on: default graphs, and named graphs (None: every graph of the collection)."""

    default: tuple[str, ...]
    named: tuple[str, ...] | None
    confined: bool = False  # no dataset at all: the query's text is confined to the collection instead


CONFINED = Dataset((), (), confined=True)


def says_graph(sparql: str) -> bool:
    """True when the query has the GRAPH keyword: the only way a query can see named graphs."""
    return any(kind == "word" and text.upper() == "GRAPH" for kind, text in tokens(unescape(sparql)))


def query_dataset(sparql: str) -> tuple[list[str], list[str]] | None:
    """The graphs of the query's own FROM and FROM NAMED clauses, or None when one cannot be resolved
    to an absolute IRI here (a relative IRI, an undeclared prefix): then the store resolves them."""
    toks = [t for t in tokens(sparql) if t[0] != "comment"]
    prefixes = prologue(toks)
    default: list[str] = []
    named: list[str] = []
    for i, (kind, text) in enumerate(toks):
        if kind != "word" or text.upper() != "FROM":
            continue
        j = i + 2 if i + 1 < len(toks) and toks[i + 1][1].upper() == "NAMED" else i + 1
        iri = absolute_iri(toks[j] if j < len(toks) else None, prefixes)
        if iri is None:
            return None
        (named if j == i + 2 else default).append(iri)
    return default, named


def plan_dataset(sparql: str, defaults: Sequence[str], named: Sequence[str], collection: Collection) -> Dataset | None:
    """The dataset to send, mirroring the embedded store (``kg.store.engine``); None: send none, the
    query's own FROM / FROM NAMED apply as they are (only when they cannot be read here).

    No dataset anywhere: the collection's union as default graph, its graphs as named graphs; when the
    query says GRAPH (it can see named graphs), ``CONFINED``: no dataset, the text rewritten by
    ``kg.store.confine``. But not a DESCRIBE: its description is read from the default graph, which
    the rewrite cannot reach, so it gets the union and (in ``kg.store.remote``) the list of our graphs
    as ``named-graph-uri`` (bounded by what the store takes: docs/external-stores.md). Only
    ``default-graph-uri``: those, and (as pyoxigraph does) every named graph of ours. Only
    ``named-graph-uri``: those, and the build's own default graph (empty unless the build had one).
    The query's own FROM / FROM NAMED go out as parameters too (the clauses cut from the text), each
    half that is missing as a graph that does not exist: FROM without FROM NAMED means no named graphs
    (SPARQL 1.1 §13.2), but Virtuoso then shows every graph it holds to GRAPH ?g; and as parameters the
    graphs can be checked to be ours (``kg.store.remote`` sends a graph that is not as that empty one).
    None when a graph of the query's cannot be resolved here (a relative IRI, an undeclared prefix).
    """
    if defaults or named:
        return Dataset(tuple(defaults) or (collection.default,), tuple(named) if named else None)
    read = scan(sparql)
    if not read.has_dataset:
        return CONFINED if read.form != "DESCRIBE" and says_graph(sparql) else Dataset((collection.union,), None)
    own = query_dataset(sparql)
    if own is None:
        return None
    return Dataset(tuple(own[0]) or (collection.empty,), tuple(own[1]) or (collection.empty,))


def without_dataset_clauses(sparql: str) -> str:
    """The query without its FROM / FROM NAMED clauses; the rest of the text as written.

    Why: the protocol says ``default-graph-uri`` / ``named-graph-uri`` replace the query's own dataset,
    but Virtuoso adds them to it; a query that reaches the store with parameters carries no FROM. The
    text is lexed as the engine lexes it (``kg.store.scan``: a ``\\u`` escape is read only inside a
    string or an IRI, and the guard refuses one anywhere else), so a string such as ``"\\u0022"``
    reaches the store unchanged.
    """
    text = sparql
    spans = [(m.start(), m.end(), m.lastgroup or "other", m.group()) for m in TOKEN.finditer(text)]
    significant = [i for i, span in enumerate(spans) if span[2] not in ("ws", "comment")]
    cut: list[tuple[int, int]] = []
    for pos, i in enumerate(significant):
        kind, word = spans[i][2], spans[i][3].upper()
        if kind != "word" or word != "FROM":
            continue
        last = pos + 1
        if last < len(significant) and spans[significant[last]][3].upper() == "NAMED":
            last += 1
        if last < len(significant):
            cut.append((spans[i][0], spans[significant[last]][1]))
    for start, end in reversed(cut):
        text = text[:start] + " " + text[end:]
    return text
