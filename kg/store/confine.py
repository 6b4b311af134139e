"""A query that says GRAPH, rewritten so that a shared store answers it from the collection alone.

Why: such a query used to go out with one ``named-graph-uri`` per graph of the collection, and that
list does not scale: Virtuoso 7.2 compiles it into the query and refuses it beyond ~5,000 graphs
(SP030 "Too many arguments for standard built-in function in"), the Oxigraph server took 78 ms instead
of 2.5 ms at 10,001 graphs (docs/external-stores.md). The protocol offers no other way to say "these
named graphs": given a default graph (``default-graph-uri``, ``FROM``) and no named graph, both stores
show ``GRAPH ?g`` nothing. So the query goes out with *no* dataset, where GRAPH ranges over every
graph of the store, and its text is changed so that it can reach only ours:

1. each group graph pattern evaluated on the default graph is wrapped in ``GRAPH <{base}graph/collection>``
   (the union `kg load` writes): the WHERE clause, and the ``EXISTS`` / ``NOT EXISTS`` groups outside it
   (in SELECT expressions, GROUP BY, HAVING, ORDER BY). Not the CONSTRUCT template and not ``VALUES``
   blocks (inline data, evaluated on no graph). ``CONSTRUCT WHERE { T }`` becomes
   ``CONSTRUCT { T } WHERE { GRAPH <collection> { T } }`` (a template cannot hold GRAPH).
   Sound by SPARQL 1.1 §18.6: eval(D(G), Graph(IRI, P)) = eval(D(D[IRI]), P), so the wrapped group
   sees the union as its active graph, and so do the subqueries, ``FILTER EXISTS`` and property paths
   inside it (evaluated on the active graph); eval(D(G), Graph(var, P)) ranges over the named graphs
   of D *whatever G is*, so a GRAPH nested inside the wrap still sees named graphs.
2. each ``GRAPH ?g { P }`` / ``GRAPH <iri> { P }`` is followed, in its own group, by
   ``FILTER EXISTS { GRAPH <{base}graph/collection/graphs> { <{base}graph/collection> dcterms:hasPart ?g } }``
   (the list `kg load` writes), which keeps only our graphs (a GRAPH on a foreign graph, or on the union
   or the list themselves, which are not named graphs of the embedded store, answers nothing).
   Why a FILTER and not the join with the list it replaced (5 Dec 2026, bench/results/confine.md): the
   Oxigraph server (0.5) pays for that join as if it read the whole list, whatever the order of the two
   patterns and with or without the wrap: 28 ms at 10,001 graphs for a lookup that takes 1.1 ms
   unconfined, against 1.2 ms with the EXISTS (a probe per solution); Virtuoso answers both alike.
   Sound, the same multiset as the join: in the grammar GRAPH is only ever an element directly inside a
   group (``GroupGraphPatternSub``; OPTIONAL, MINUS, UNION, EXISTS and subqueries all take groups), so
   it is an operand of that group's joins, and every solution of the group (SPARQL 1.1 §18.2.2:
   joins, then OPTIONAL / MINUS / BIND keep each left solution's bindings) extends exactly one solution
   of the GRAPH pattern, with the same ``?g`` (always bound: GRAPH binds it). The group's filters
   apply to all its solutions (§18.2.2, "Filters of Group", at the end, ``&&``-ed: EXISTS is never an error,
   so ``false && e`` is false and ``true && e`` is ``e``); the filter reads only ``?g``, substituted
   by its value (§18.6 ``substitute``), so it keeps a solution exactly when the join would have found
   its one partner (the list holds each graph once, a set of triples; for ``GRAPH <iri>`` the
   pattern has no variable and keeps all or none); and joining with it added no binding, so nothing
   else changes. In ``OPTIONAL { GRAPH ?g {P} … }`` the group's filter becomes the LeftJoin's
   condition, read on the merged solution, where ``?g`` has the same value: the right side's
   solutions kept are those the join kept. No variable comes into scope anywhere it was not.
   A GRAPH inside a SERVICE group is the remote endpoint's, and left alone.

The price: a lookup in the list per solution of each GRAPH pattern (measured in docs/external-stores.md),
and the union graph is read through GRAPH rather than as the default graph (no cost measured on either
store: the wrap alone, 1.0 ms on Oxigraph and 1.9 ms on Virtuoso, against 1.1 and 2.0 ms unconfined).

DESCRIBE is not rewritten (``plan_dataset`` keeps the named-graph list for it): the description is
read from the default graph, which a rewrite of the WHERE clause cannot reach.

Pure function over the query text, lexed by ``kg.store.scan`` as the engine lexes it (the words in
strings, IRIs, comments, prefixed names and variables are not keywords); the text is only added to,
so every string, IRI and comment reaches the store byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.store.load import HAS_PART, Collection
from kg.store.scan import TOKEN, scan
from kg.store.types import QuerySyntaxError

_OPEN = {"{": "}", "(": ")", "[": "]"}
_PROLOGUE = frozenset({"BASE", "PREFIX", "VERSION"})
# where text goes at one position: the opening of a wrap, then a filter, then the closing of a wrap
_OPENING, _FILTER, _CLOSING = 1, 2, 3


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    kind: str
    text: str

    def word(self, *words: str) -> bool:
        return self.kind == "word" and self.text.upper() in words

    def bracket(self, char: str) -> bool:
        return self.kind == "other" and self.text == char


def confine(sparql: str, collection: Collection) -> str:
    """``sparql`` (a SELECT, CONSTRUCT or ASK with no FROM / FROM NAMED) rewritten as above, to be sent
    with no dataset. QuerySyntaxError when it cannot be read well enough to be confined (the store
    would then see what we could not check)."""
    problem = scan(sparql).problem
    if problem:
        raise QuerySyntaxError(problem)
    toks = [_Token(m.start(), m.end(), m.lastgroup or "other", m.group()) for m in TOKEN.finditer(sparql)]
    toks = [t for t in toks if t.kind not in ("ws", "comment")]
    form = next((i for i, t in enumerate(toks) if t.kind == "word" and t.text.upper() not in _PROLOGUE), None)
    if form is None or not toks[form].word("SELECT", "CONSTRUCT", "ASK"):
        raise QuerySyntaxError("only SELECT, CONSTRUCT and ASK queries are rewritten to the collection")
    match, depth = _brackets(toks)
    union, catalog = f"<{collection.union}>", f"<{collection.catalog}>"
    wrapped, inserts = _default_graph_groups(sparql, toks, form, match, depth)
    for opening, closing in wrapped:
        inserts.append((toks[opening].end, _OPENING, f" GRAPH {union} {{ "))
        inserts.append((toks[closing].start, _CLOSING, " } "))
    for closing, term in _graph_patterns(toks, match, wrapped):
        inserts.append((toks[closing].end, _FILTER,
                        f" FILTER EXISTS {{ GRAPH {catalog} {{ {union} <{HAS_PART}> {term} }} }} "))
    out, at = [], 0
    for pos, _, text in sorted(inserts, key=lambda x: (x[0], x[1])):
        out += [sparql[at:pos], text]
        at = pos
    return "".join(out) + sparql[at:]


def _default_graph_groups(sparql: str, toks: list[_Token], form: int, match: dict[int, int],
                          depth: list[int]) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """The groups evaluated on the default graph (their opening and closing tokens): the WHERE clause,
    then each EXISTS group outside it (projection, GROUP BY, HAVING, ORDER BY); and, for CONSTRUCT
    WHERE, the text that makes it the long form (its template said once more)."""
    outer = [i for i in range(form + 1, len(toks)) if depth[i] == 0 and toks[i].bracket("{")]
    if any(i not in match for i in outer):
        raise QuerySyntaxError("the query's brackets do not balance")
    inserts: list[tuple[int, int, str]] = []
    if toks[form].word("CONSTRUCT") and outer and not toks[outer[0] - 1].word("WHERE"):
        outer = outer[1:]  # the template: instantiated, never matched
    elif toks[form].word("CONSTRUCT") and outer:  # CONSTRUCT WHERE { T } -> CONSTRUCT { T } WHERE { T }
        inserts.append((toks[outer[0] - 1].start, 0, sparql[toks[outer[0]].start:toks[match[outer[0]]].end] + " "))
    if not outer:
        raise QuerySyntaxError("the query has no WHERE clause to confine to the collection")
    wrapped = [(outer[0], match[outer[0]])]
    for i in range(form + 1, len(toks)):
        if toks[i].bracket("{") and toks[i - 1].word("EXISTS") and i in match and not _inside(i, wrapped):
            wrapped.append((i, match[i]))
    return wrapped, inserts


def _graph_patterns(toks: list[_Token], match: dict[int, int], wrapped: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """Each ``GRAPH term { … }`` of ours (not inside a SERVICE group): its closing token and its term."""
    services = [(j, match[j]) for j in (_service_group(toks, i) for i, t in enumerate(toks) if t.word("SERVICE"))
                if j is not None and j in match]
    found = []
    for i, t in enumerate(toks):
        if not t.word("GRAPH") or _inside(i, services):
            continue
        if not _inside(i, wrapped) or i + 2 >= len(toks) or toks[i + 1].kind not in ("var", "iri", "pname") \
                or not toks[i + 2].bracket("{") or i + 2 not in match:
            raise QuerySyntaxError("GRAPH must be followed by a variable or an IRI and a group, inside the "
                                   "query's patterns")
        found.append((match[i + 2], toks[i + 1].text))
    return found


def _brackets(toks: list[_Token]) -> tuple[dict[int, int], list[int]]:
    """For each opening bracket the index of its closing one, and each token's nesting depth (of all
    three kinds: a `{` inside parentheses is an EXISTS in an expression, not the WHERE clause)."""
    match: dict[int, int] = {}
    depth: list[int] = []
    stack: list[int] = []
    for i, t in enumerate(toks):
        if t.kind == "other" and t.text in _OPEN.values() and stack and _OPEN[toks[stack[-1]].text] == t.text:
            match[stack.pop()] = i
        depth.append(len(stack))
        if t.kind == "other" and t.text in _OPEN:
            stack.append(i)
    return match, depth


def _service_group(toks: list[_Token], i: int) -> int | None:
    """The index of the group of the SERVICE at ``i`` (``SERVICE SILENT? term {``)."""
    j = i + 2 if i + 1 < len(toks) and toks[i + 1].word("SILENT") else i + 1
    return j + 1 if j + 1 < len(toks) and toks[j + 1].bracket("{") else None


def _inside(i: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < i < end for start, end in spans)
