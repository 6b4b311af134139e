"""Validation of a whole dataset in linear time: document batches through pySHACL (in forked
workers), the authority graph once, and every SPARQL constraint once over one Oxigraph store.

Why this shape: pySHACL is linear but slow per triple and per shape, and the cross-document checks
(uniqueness of numbers) cannot be seen inside one batch. Each batch carries what its documents
point at: the authority resources they reference (transitively within the authority graph, so a
person comes with its Wikidata alignment record) and the types of nodes in other documents they
cite, so sh:class sees real targets; only results about the batch's own subjects are kept.
"""

from __future__ import annotations

import bisect
import multiprocessing
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from kg.rdf.terms import ox_term
from kg.validate.report import Finding, findings_of
from kg.validate.sparql import SparqlCheck, run_checks_on_store

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class ShapeSet:
    """The shapes split by engine: core constraints for pySHACL, SPARQL ones for the single-pass runner."""

    core: Graph
    checks: list[SparqlCheck]


def run_shacl(data: Graph, shapes: Graph) -> Graph:
    """pySHACL on one graph we own (inplace: no copy); returns the report graph."""
    from pyshacl import validate as shacl_validate

    _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
                                  allow_warnings=True)
    return report


class DatasetIndex:
    """The dataset partitioned once: triples per document graph, the authority graph by subject,
    who owns each subject, and every node's types."""

    def __init__(self, ds: Dataset, shared_iri: URIRef | None):
        by_graph: dict[str, list[Triple]] = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            if g is not None and not isinstance(g, BNode):
                by_graph.setdefault(str(g), []).append((s, p, o))
        self.shared: list[Triple] = by_graph.pop(str(shared_iri), []) if shared_iri is not None else []
        self.doc_graphs: list[tuple[str, list[Triple]]] = sorted(
            (g, ts) for g, ts in by_graph.items() if g != str(ds.default_graph.identifier))
        self.owner: dict[Node, str] = {}
        for g, triples in self.doc_graphs:
            for s, _, _ in triples:
                self.owner.setdefault(s, g)
        self.shared_by_subject: dict[Node, list[Triple]] = {}
        for t in self.shared:
            self.shared_by_subject.setdefault(t[0], []).append(t)
        self.types: dict[Node, set[Node]] = {}
        for _, triples in [("", self.shared), *self.doc_graphs]:
            for s, p, o in triples:
                if p == RDF.type:
                    self.types.setdefault(s, set()).add(o)

    def graphs_describing(self, nodes: set[Node]) -> set[str]:
        """Every document graph in which one of ``nodes`` is a subject.

        Why not ``owner`` alone: a node can be described in several document graphs (a source page, in
        each document read from it); the owner is only the first, and a fault in another of them is seen
        only with that graph's triples."""
        return {g for g, triples in self.doc_graphs if any(s in nodes for s, _, _ in triples)}

    def context_for(self, own: list[Triple], subjects: set[Node]) -> list[Triple]:
        """What a batch points at: authority resources (transitively) and the types of cited nodes."""
        extra: list[Triple] = []
        seen = set(subjects)
        todo = [o for _, _, o in own if isinstance(o, URIRef) and o not in seen]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            described = self.shared_by_subject.get(node)
            if described:
                extra += described
                todo += [o for _, _, o in described if isinstance(o, (URIRef, BNode)) and o not in seen]
            else:
                extra += [(node, RDF.type, t) for t in self.types.get(node, ())]
        return extra


def graph_of(triples: list[Triple], hierarchy: Graph) -> Graph:
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    g += hierarchy
    return g


def validate_batch(index: DatasetIndex, group: list[tuple[str, list[Triple]]], shapes: ShapeSet,
                   hierarchy: Graph) -> list[Finding]:
    own = [t for _, triples in group for t in triples]
    subjects = {s for s, _, _ in own}
    data = graph_of(own + index.context_for(own, subjects), hierarchy)
    return [f for f in findings_of(run_shacl(data, shapes.core), data, index.owner) if f.focus in subjects]


_FORKED: tuple[DatasetIndex, list[list[tuple[str, list[Triple]]]], ShapeSet, Graph] | None = None


def _forked_batch(i: int) -> list[Finding]:
    assert _FORKED is not None
    index, groups, shapes, hierarchy = _FORKED
    return validate_batch(index, groups[i], shapes, hierarchy)


def run_batches(index: DatasetIndex, shapes: ShapeSet, hierarchy: Graph, batch_docs: int, workers: int,
                ) -> list[Finding]:
    """Validate the document batches, in forked worker processes when there are several cores.

    Fork shares the (read-only) index with the workers without copying or re-parsing it."""
    docs = index.doc_graphs
    workers = max(1, min(workers, -(-len(docs) // 200)))
    size = max(1, min(batch_docs, -(-len(docs) // workers)))
    groups = [docs[i:i + size] for i in range(0, len(docs), size)]
    if workers == 1 or len(groups) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [f for group in groups for f in validate_batch(index, group, shapes, hierarchy)]
    global _FORKED
    _FORKED = (index, groups, shapes, hierarchy)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [f for part in pool.map(_forked_batch, range(len(groups)), chunksize=1) for f in part]
    finally:
        _FORKED = None


def dataset_store(index: DatasetIndex, hierarchy: Graph) -> ox.Store:
    """The union of all graphs (plus our class hierarchy) in Oxigraph, for the SPARQL constraints."""
    store = ox.Store()
    triples = [*index.shared, *(t for _, ts in index.doc_graphs for t in ts), *hierarchy]
    store.bulk_extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox.DefaultGraph()) for s, p, o in triples)
    return store


def target_nodes(index: DatasetIndex, hierarchy: Graph, store: ox.Store, check: SparqlCheck) -> set[Node]:
    classes = set(check.target_classes)
    for cls in check.target_classes:
        classes |= set(hierarchy.transitive_subjects(RDFS.subClassOf, cls))
    nodes = {s for s, types in index.types.items() if types & classes}
    for p in check.target_subjects_of:
        nodes |= {URIRef(r["s"].value) for r in store.query(f"SELECT DISTINCT ?s WHERE {{ ?s <{p}> ?o }}")}
    return nodes


def validate_indexed(index: DatasetIndex, shapes: ShapeSet, hierarchy: Graph, batch_docs: int,
                     workers: int) -> list[Finding]:
    """All findings: document batches, the authority graph, then each SPARQL constraint once."""
    found = run_batches(index, shapes, hierarchy, batch_docs, workers)
    if index.shared:
        data = graph_of(index.shared, hierarchy)
        found += findings_of(run_shacl(data, shapes.core), data, {})
    store = dataset_store(index, hierarchy)
    for check in shapes.checks:
        found += run_checks_on_store(store, check, target_nodes(index, hierarchy, store, check), index.owner,
                                     lambda node: _source_lines(index, node))
    return sorted(set(found))


def _source_lines(index: DatasetIndex, node: Node) -> str:
    graph = index.owner.get(node)
    if graph is None:
        return ""
    i = bisect.bisect_left(index.doc_graphs, (graph,))  # doc_graphs is sorted by graph IRI
    triples = index.doc_graphs[i][1] if i < len(index.doc_graphs) and index.doc_graphs[i][0] == graph else []
    for s, p, o in triples:
        if s == node and str(p).endswith("#sourceLines"):
            return str(o)
    for s, p, o in triples:
        if s == URIRef(graph) and str(p).endswith("#sourceLines"):
            return str(o)
    return ""
