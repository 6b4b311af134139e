"""Validation at scale: the fast SHACL Core evaluator screens every document, pySHACL reports.

    findings = validate_light(light, shapes, hierarchy, shared_iri)   # same findings as validate_dataset

Why two engines: pySHACL is the reference but costs ~20 ms per document; the compiled evaluator
(kg/validate/shacl_rules.py) gives the same results (focus node, path, component, severity, value; tested
against pySHACL) in well under a millisecond. Each document batch is screened with exactly the data
pySHACL would see for it (its own triples, the authority resources and cross-document types it
points at, the class hierarchy). Only documents with a result — usually none — go through pySHACL,
so the published report keeps pySHACL's wording; a shape outside the evaluator's subset makes the
whole core pass fall back to pySHACL. SPARQL constraints run once over the dataset, as before.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from kg.progress import progress
from kg.rdf.light import LightDataset
from kg.rdf.terms import Converter
from kg.validate.batches import (
    DatasetIndex,
    ShapeSet,
    Triple,
    _source_lines,
    graph_of,
    run_batches,
    run_checks_on_store,
    run_shacl,
    target_nodes,
    validate_batch,
)
from kg.validate.report import Finding, findings_of
from kg.validate.shacl import BATCH_DOCS, prepare
from kg.validate.shacl_fast import Unsupported, superclass_closure, view_of
from kg.validate.shacl_rules import NodeRule, Result, compile_rules, evaluate
from kg.validate.sparql import SparqlCheck, without_sparql

Group = list[tuple[str, list[Triple]]]


def light_index(light: LightDataset, shared_iri: URIRef | None) -> DatasetIndex:
    """kg.validate.batches.DatasetIndex of a light dataset, built from its triple sets directly.

    Why not DatasetIndex(dataset): iterating quads and re-tupling every triple cost 2.2 s of 3.7 s
    validating 2k documents; the light graphs already hold the tuples, grouped by graph."""
    index = DatasetIndex.__new__(DatasetIndex)
    graphs = {str(name): list(g.triples) for name, g in light.graphs.items()}
    index.shared = graphs.pop(str(shared_iri), []) if shared_iri is not None else []
    index.doc_graphs = sorted(graphs.items())
    index.owner = {}
    for g, triples in index.doc_graphs:
        for s, _, _ in triples:
            index.owner.setdefault(s, g)
    index.shared_by_subject = {}
    for t in index.shared:
        index.shared_by_subject.setdefault(t[0], []).append(t)
    index.types = {}
    rdf_type = str(RDF.type)
    for triples in (index.shared, *(ts for _, ts in index.doc_graphs)):
        for s, p, o in triples:
            if str(p) == rdf_type:
                index.types.setdefault(s, set()).add(o)
    return index


@dataclass(frozen=True)
class Screen:
    """What a screening worker needs besides the index: the rules and the class hierarchy."""

    rules: list[NodeRule]
    hierarchy: list[Triple]
    closure: dict[Node, frozenset[Node]]


def screen_group(index: DatasetIndex, group: Group, scr: Screen) -> list[Result]:
    """Fast results for one batch, on the same data pySHACL would get for it (validate_batch)."""
    own = [t for _, triples in group for t in triples]
    subjects = {s for s, _, _ in own}
    view = view_of([*own, *index.context_for(own, subjects), *scr.hierarchy], ())
    view.superclasses = scr.closure
    return evaluate(scr.rules, view, focus=subjects)


_FORKED: tuple[DatasetIndex, list[Group], Screen] | None = None


def _forked_screen(i: int) -> list[Result]:
    assert _FORKED is not None
    index, groups, scr = _FORKED
    return screen_group(index, groups[i], scr)


def groups_of(docs: Group, size: int) -> list[Group]:
    return [docs[i:i + size] for i in range(0, len(docs), size)]


def screen(index: DatasetIndex, rules: list[NodeRule], hierarchy: Graph, workers: int,
           batch_docs: int = BATCH_DOCS) -> list[Result]:
    """Fast results for every document batch, in forked workers when there are several cores.

    Fork shares the read-only index with the workers; only the (few) results travel back."""
    global _FORKED
    triples = list(hierarchy)
    scr = Screen(rules, triples, superclass_closure(triples))
    groups = groups_of(index.doc_graphs, batch_docs)
    if workers == 1 or len(groups) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [r for g in progress(groups, "validating (batches)") for r in screen_group(index, g, scr)]
    _FORKED = (index, groups, scr)
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(groups))) as pool:
            parts = pool.imap(_forked_screen, range(len(groups)))
            return [r for part in progress(parts, "validating (batches)", len(groups)) for r in part]
    finally:
        _FORKED = None


def confirm(index: DatasetIndex, results: list[Result], shapes: ShapeSet, hierarchy: Graph,
            workers: int) -> list[Finding]:
    """pySHACL's findings for the documents the screen flagged (the report keeps pySHACL's wording).

    Flagged are all the document graphs that describe a result's focus node, not only its owner: a fault
    on a source page in the eleventh document read from it is in the eleventh graph, not the first."""
    flagged = index.graphs_describing({r.focus for r in results}) if results else set()
    if not flagged:
        return []
    docs = [(g, ts) for g, ts in index.doc_graphs if g in flagged]
    sub = DatasetIndex.__new__(DatasetIndex)
    sub.__dict__.update(index.__dict__)
    sub.doc_graphs = docs
    return run_batches(sub, shapes, hierarchy, BATCH_DOCS, workers)


def compiled_rules(shapes: Graph) -> list[NodeRule] | None:
    """The core constraints compiled for the fast screen; None if shapes/ uses something beyond it."""
    try:
        return compile_rules(without_sparql(shapes))
    except Unsupported:
        return None


def core_findings(index: DatasetIndex, shapes: Graph, shape_set: ShapeSet, hierarchy: Graph,
                  workers: int) -> list[Finding]:
    """Findings of the core constraints: screened and confirmed, or pySHACL alone outside our subset."""
    rules = compiled_rules(shapes)
    if rules is None:
        found = run_batches(index, shape_set, hierarchy, BATCH_DOCS, workers)
    else:
        found = confirm(index, screen(index, rules, hierarchy, workers), shape_set, hierarchy, workers)
    return found + shared_findings(index.shared, rules, shape_set, hierarchy)


def shared_findings(shared: list[Triple], rules: list[NodeRule] | None, shape_set: ShapeSet,
                    hierarchy: Graph) -> list[Finding]:
    """Core-constraint findings on the shared graph: pySHACL, only if the compiled rules flag it."""
    if not shared or (rules is not None and not evaluate(rules, view_of([*shared, *hierarchy], hierarchy))):
        return []
    data = graph_of(shared, hierarchy)
    return findings_of(run_shacl(data, shape_set.core), data, {})


def _walk(node: object, found: set[str]) -> bool:
    """Collect the predicates of every triple pattern in a query's algebra; False if one is not an IRI."""
    if isinstance(node, dict):  # CompValue is a dict
        if getattr(node, "name", "") == "BGP":
            for _, p, _ in node["triples"]:
                if not isinstance(p, URIRef):
                    return False
                found.add(str(p))
        if getattr(node, "name", "") == "TriplesBlock":  # inside FILTER (NOT) EXISTS: flat s p o s p o ... lists
            for flat in node["triples"]:
                for p in flat[1::3]:
                    if not isinstance(p, URIRef):
                        return False
                    found.add(str(p))
        return all(_walk(v, found) for v in node.values())
    if isinstance(node, list | tuple):
        return all(_walk(v, found) for v in node)
    return True


def query_predicates(checks: list[SparqlCheck]) -> set[str] | None:
    """The predicates the SPARQL constraints can read (and their targets' subjects-of), or None for all.

    Why: the constraints are basic graph patterns with constant predicates, so a store holding only
    the triples with those predicates gives every query the same answers, at a quarter of the
    dataset's size in time and memory. A variable predicate or a property path means all triples."""
    from rdflib.plugins.sparql import prepareQuery

    found: set[str] = {str(p) for c in checks for p in c.target_subjects_of}
    for check in checks:
        if not _walk(prepareQuery(check.query).algebra, found):
            return None
    return found


def sparql_store(index: DatasetIndex, hierarchy: Graph, predicates: set[str] | None) -> ox.Store:
    """The union of the graphs (plus the class hierarchy) in Oxigraph, only ``predicates`` when given."""
    terms = Converter()
    store = ox.Store()
    triples = itertools.chain(index.shared, (t for _, ts in index.doc_graphs for t in ts), hierarchy)
    store.bulk_extend(ox.Quad(terms(s), terms(p), terms(o)) for s, p, o in triples
                      if predicates is None or str(p) in predicates)
    return store


def sparql_findings(index: DatasetIndex, shape_set: ShapeSet, hierarchy: Graph) -> list[Finding]:
    """Each SPARQL constraint once over the whole dataset (as kg.validate.batches.validate_indexed)."""
    if not shape_set.checks:
        return []
    store = sparql_store(index, hierarchy, query_predicates(shape_set.checks))
    found: list[Finding] = []
    for check in shape_set.checks:
        found += run_checks_on_store(store, check, target_nodes(index, hierarchy, store, check), index.owner,
                                     lambda node: _source_lines(index, node))
    return found


def validate_light(light: LightDataset, shapes: Graph, hierarchy: Graph, shared_iri: URIRef | None,
                   workers: int | None = None) -> list[Finding]:
    """All findings for a mapped dataset, equal to kg.validate.shacl.validate_dataset on light.to_dataset()."""
    index = light_index(light, shared_iri)
    shape_set = prepare(shapes)
    workers = workers or os.cpu_count() or 1
    found = core_findings(index, shapes, shape_set, hierarchy, workers)
    return sorted(set(found + sparql_findings(index, shape_set, hierarchy)))


__all__ = ["light_index", "screen", "validate_light", "validate_batch"]
