"""The SPARQL constraints over a dataset that no process holds: per-batch N-Quads slices in one store.

    predicates = slice_predicates(shape_set.checks)             # what each batch worker keeps
    write_slice(batch_light, predicates, shared_iri, path)      # one file per batch (or the worker's own writer)
    findings = global_sparql_findings(paths, shared, shared_iri, shape_set, hierarchy)

Why: some SPARQL constraints are global (document numbers unique across the dataset, a Wikidata item
claimed once), so they cannot be checked inside a batch, and kg.validate.fast.sparql_findings needs
the whole dataset in memory (a DatasetIndex: every node's owner and types). Here the batches leave
only the quads the constraints can read (a quarter of the dataset) in N-Quads files; Oxigraph
bulk-loads them into an in-memory store (Rust terms, no Python object per quad; an on-disk RocksDB
store kept memory flat but was 4x slower: 5.5 s against 1.4 s at 5k letters). What the index
supplied is asked of the store for the returned rows only: are they targets of the shape, which
document graph owns them, and their source lines. The findings equal sparql_findings' for the
same dataset (tests/test_validate_global.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.term import Node

from kg.rdf.light import LightDataset
from kg.rdf.terms import Converter
from kg.rdf.vocab import BC
from kg.validate.batches import ShapeSet, Triple
from kg.validate.fast import query_predicates
from kg.validate.report import Finding
from kg.validate.sparql import SparqlCheck, run_checks_on_store

CHUNK = 1000  # result rows resolved per round of look-ups (bounded memory, few queries)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
LINES_SUFFIX = "#sourceLines"  # what kg.validate.batches._source_lines matches predicates by


def slice_predicates(checks: list[SparqlCheck]) -> set[str] | None:
    """The predicates a batch must keep so that global_sparql_findings sees what sparql_findings sees.

    Besides what the queries read (kg.validate.fast.query_predicates, which includes the
    sh:targetSubjectsOf predicates): rdf:type, to tell which rows are targets of class-targeted
    shapes; bc:sourceLines, a finding's source lines; bc:outsideCorpus, because the owner of a node is
    the first document graph in which it is a *subject*, and a citing document describes the cited
    (outside-corpus) letter and note with that triple only. With it, every (graph, subject) pair of
    the mapping's output has a triple in the slice (checked on the seed and generated corpora), so
    owners computed from the slice are the dataset's. None (a query reads any predicate) means all."""
    found = query_predicates(checks)
    if found is None:
        return None
    return found | {str(RDF.type), str(BC.sourceLines), str(BC.outsideCorpus)}


def write_slice(light: LightDataset, predicates: set[str] | None, shared_iri: URIRef | None, path: Path) -> int:
    """Write the document graphs' quads with a predicate in ``predicates`` (all if None) as N-Quads;
    returns how many. The shared (authority) graph is left out: global_sparql_findings gets it as
    triples. Triples keep their order within a graph, so the first bc:sourceLines of a node in the
    file is the one kg.validate.batches._source_lines reads from the in-memory graph."""
    terms = Converter()
    count = 0

    def quads() -> Iterator[ox.Quad]:
        nonlocal count
        for name, g in light.graphs.items():
            if shared_iri is not None and str(name) == str(shared_iri):
                continue
            graph = terms(name)
            for s, p, o in g.triples:
                if predicates is None or str(p) in predicates:
                    count += 1
                    yield ox.Quad(terms(s), terms(p), terms(o), graph)  # type: ignore[arg-type]

    ox.serialize(quads(), output=str(path), format=ox.RdfFormat.N_QUADS)
    return count


def global_sparql_findings(nquads_files: list[Path], shared: list[Triple], shared_iri: URIRef,
                           shape_set: ShapeSet, hierarchy: Graph) -> list[Finding]:
    """Every SPARQL constraint once over the union of the slices, the shared graph and the hierarchy.

    Equal to sorted(set(kg.validate.fast.sparql_findings(...))) on the same dataset. Duplicates are
    dropped on purpose: Oxigraph's union default graph repeats a triple present in two graphs, where
    the reference store holds it once, so only the set of findings is comparable (the build keeps a
    set anyway)."""
    checks = shape_set.checks
    if not checks:
        return []
    store = ox.Store()  # in memory: 4x faster than on disk (1.4 s vs 5.5 s at 5k letters); the slice is ~23 %
    predicates = slice_predicates(checks)
    for path in nquads_files:
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    terms = Converter()
    graph = ox.NamedNode(str(shared_iri))
    store.bulk_extend(ox.Quad(terms(s), terms(p), terms(o), graph)  # type: ignore[arg-type]
                      for s, p, o in shared if predicates is None or str(p) in predicates)
    store.bulk_extend(ox.Quad(terms(s), terms(p), terms(o), ox.DefaultGraph())  # type: ignore[arg-type]
                      for s, p, o in hierarchy)
    found: set[Finding] = set()
    for check in checks:
        found.update(_check_findings(store, check, hierarchy, str(shared_iri), nquads_files))
    return sorted(found)


class _Rows:
    """A stand-in store that answers the check's query with rows already fetched.

    Why: run_checks_on_store turns rows into findings (message, value, path, severity); handing it
    one chunk at a time keeps that wording in one place while targets and owners are looked up per
    chunk, after the rows are known."""

    def __init__(self, rows: list[ox.QuerySolution]):
        self.rows = rows

    def query(self, _query: str) -> list[ox.QuerySolution]:
        return self.rows


def _check_findings(store: ox.Store, check: SparqlCheck, hierarchy: Graph, shared_iri: str,
                    files: list[Path]) -> Iterator[Finding]:
    classes: set[Node] = set(check.target_classes)
    for cls in check.target_classes:
        classes |= set(hierarchy.transitive_subjects(RDFS.subClassOf, cls))
    if not classes and not check.target_subjects_of:
        return  # no target the reference evaluates (sh:targetNode is not among them): no finding
    rows = store.query(check.query, use_default_graph_as_union=True)
    for chunk in _chunks(rows, CHUNK):  # type: ignore[arg-type]
        focus = {n for n in (row["this"] for row in chunk) if isinstance(n, ox.NamedNode)}
        targets = _targets(store, focus, classes, check.target_subjects_of)
        owner = _owners(store, targets, shared_iri)
        lines = _source_lines(store, owner, files)
        yield from run_checks_on_store(_Rows(chunk), check, {URIRef(n.value) for n in targets},  # type: ignore[arg-type]
                                       {URIRef(n.value): g for n, g in owner.items()},
                                       lambda node, found=lines: found.get(str(node), ""))


def _chunks(rows: Iterable[ox.QuerySolution], size: int) -> Iterator[list[ox.QuerySolution]]:
    chunk: list[ox.QuerySolution] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _values(nodes: Iterable[ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    return " ".join(str(n) for n in nodes)


def _targets(store: ox.Store, focus: set[ox.NamedNode], classes: set[Node],
             subjects_of: tuple[Node, ...]) -> set[ox.NamedNode]:
    """Which of ``focus`` are targets: an instance of a target class (in any graph), or a subject of a
    sh:targetSubjectsOf predicate, as kg.validate.batches.target_nodes decides over the whole index."""
    if not focus:
        return set()
    patterns = []
    if classes:
        patterns.append(f"{{ VALUES ?c {{ {' '.join(f'<{c}>' for c in sorted(map(str, classes)))} }} ?this a ?c }}")
    patterns += [f"{{ ?this <{p}> ?o }}" for p in sorted(map(str, subjects_of))]
    query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {_values(focus)} }} {' UNION '.join(patterns)} }}"
    return {row["this"] for row in store.query(query, use_default_graph_as_union=True)}  # type: ignore[union-attr]


def _owners(store: ox.Store, nodes: set[ox.NamedNode], shared_iri: str) -> dict[ox.NamedNode, str]:
    """DatasetIndex.owner for ``nodes``: the first document graph, in IRI order, where each is a subject."""
    if not nodes:
        return {}
    owner: dict[ox.NamedNode, str] = {}
    query = f"SELECT DISTINCT ?this ?g WHERE {{ VALUES ?this {{ {_values(nodes)} }} GRAPH ?g {{ ?this ?p ?o }} }}"
    for row in store.query(query):  # type: ignore[union-attr]
        g = row["g"].value  # type: ignore[index,union-attr]
        if g != shared_iri and (row["this"] not in owner or g < owner[row["this"]]):  # type: ignore[index]
            owner[row["this"]] = g  # type: ignore[index]
    return owner


def _source_lines(store: ox.Store, owner: dict[ox.NamedNode, str], files: list[Path]) -> dict[str, str]:
    """kg.validate.batches._source_lines for the owned nodes: the node's own #sourceLines in its owner
    graph, else the graph's. The store answers when there is one candidate string; several (their
    order is the file's, which a store forgets) or a typed literal (a store may rewrite its lexical
    form) are read from the files instead, in order."""
    if not owner:
        return {}
    pairs = " ".join(f"({n} <{g}>)" for n, g in owner.items())
    query = (f"SELECT ?this ?k ?l WHERE {{ VALUES (?this ?g) {{ {pairs} }} "
             f"{{ GRAPH ?g {{ ?this ?p ?l }} BIND(0 AS ?k) }} UNION {{ GRAPH ?g {{ ?g ?p ?l }} BIND(1 AS ?k) }} "
             f'FILTER(STRENDS(STR(?p), "{LINES_SUFFIX}")) }}')
    candidates: dict[tuple[str, int], list[ox.Literal | ox.NamedNode | ox.BlankNode]] = {}
    for row in store.query(query):  # type: ignore[union-attr]
        key = (row["this"].value, int(row["k"].value))  # type: ignore[index,union-attr]
        candidates.setdefault(key, []).append(row["l"])  # type: ignore[arg-type,index]
    lines: dict[str, str] = {}
    unsure: dict[str, str] = {}  # node -> owner graph, to read from the files
    for n, g in owner.items():
        found = candidates.get((n.value, 0)) or candidates.get((n.value, 1)) or []
        if len(found) > 1 or (found and not _plain(found[0])):
            unsure[n.value] = g
        elif found:
            lines[n.value] = found[0].value
    if unsure:
        lines.update(_lines_from_files(unsure, files))
    return lines


def _plain(term: ox.Literal | ox.NamedNode | ox.BlankNode) -> bool:
    return isinstance(term, ox.Literal) and (term.language is not None or term.datatype.value == XSD_STRING)


def _lines_from_files(unsure: dict[str, str], files: list[Path]) -> dict[str, str]:
    """The first #sourceLines of each node (else of its owner graph) in file order: the rare case."""
    wanted_graphs = set(unsure.values())
    first: dict[tuple[str, str], str] = {}  # (graph, subject) -> first value
    for path in files:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            g = quad.graph_name
            if not isinstance(g, ox.NamedNode) or g.value not in wanted_graphs:
                continue
            if quad.predicate.value.endswith(LINES_SUFFIX):
                key = (g.value, quad.subject.value)  # type: ignore[union-attr]
                if key not in first:
                    first[key] = quad.object.value  # type: ignore[union-attr]
    out = {}
    for node, g in unsure.items():
        value = first.get((g, node), first.get((g, g)))
        if value is not None:
            out[node] = value
    return out


__all__ = ["global_sparql_findings", "slice_predicates", "write_slice"]
