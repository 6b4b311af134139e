"""Stage "validate": SHACL over the built dataset, per batch of documents so cost stays linear.

    conforms, report_graph, report_text = validate_graph(graph)          # any rdflib Graph/Dataset
    conforms, report_graph, report_text = validate_file("output/kg.trig", settings)

Why batches: pySHACL is linear but heavy per triple in memory, and several shapes are naturally
local to one document. A dataset is cut into batches of document graphs; each batch also carries
what its documents point at (the shared resources they reference, transitively within the authority
graph, and the types of letters they cite in other documents), so sh:class checks see real targets.
Only results about the batch's own resources are kept. The authority graph is validated once, and
shapes marked ``bc:shapeScope "dataset"`` (uniqueness across documents) run once over a small
projection of the whole dataset. SPARQL constraints run once per graph (kg/validate_sparql.py),
core constraints through pySHACL. Violations block publishing; warnings do not.
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import RDF, RDFS, BNode, Dataset, Graph, URIRef
from rdflib.term import Node

from kg.config import Settings
from kg.errors import KGError
from kg.validate_report import Finding, findings_of, format_report, report_graph_of
from kg.validate_sparql import SparqlCheck, run_checks, sparql_checks, without_sparql
from kg.vocab import BC

BATCH_DOCS = 300
FORMATS = {".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld", ".json": "json-ld"}


class UnloadableGraph(KGError):
    """The file to validate is missing or is not RDF we can read (exit 2)."""


def load_shapes(shapes_dir: Path) -> Graph:
    """Every *.ttl under shapes/ (the single source of truth for constraints)."""
    g = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


def load_hierarchy(ontology_dir: Path) -> Graph:
    """Our class hierarchy (bc: subClassOf bc:), so that sh:class bc:Agent accepts a bc:Person."""
    onto = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        onto.parse(path, format="turtle")
    g = Graph()
    ns = str(BC._NS)
    for s, o in onto.subject_objects(RDFS.subClassOf):
        if str(s).startswith(ns) and str(o).startswith(ns):
            g.add((s, RDFS.subClassOf, o))
    return g


@dataclass(frozen=True)
class ShapeSet:
    """The shapes split by engine: core constraints for pySHACL, SPARQL ones for our single-pass runner."""

    core: Graph
    batch_checks: list[SparqlCheck]
    dataset_checks: list[SparqlCheck]


def prepare(shapes: Graph) -> ShapeSet:
    checks = sparql_checks(shapes)
    return ShapeSet(without_sparql(shapes), [c for c in checks if not c.dataset_scope],
                    [c for c in checks if c.dataset_scope])


def run_shacl(data: Graph, shapes: Graph) -> Graph:
    """pySHACL on one graph we own (inplace: no copy); returns the report graph."""
    _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True, inplace=True,
                                  allow_warnings=True)
    return report


class DatasetIndex:
    """Who owns which subject, what types every node has, and the authority graph by subject."""

    def __init__(self, ds: Dataset, shared_iri: URIRef | None):
        self.doc_graphs: list[Graph] = []
        self.owner: dict[Node, str] = {}
        self.types: dict[Node, set[Node]] = {}
        self.shared = Graph()
        for g in sorted(ds.graphs(), key=lambda x: str(x.identifier)):
            if len(g) == 0:
                continue
            if shared_iri is not None and g.identifier == shared_iri:
                self.shared = g
                continue
            self.doc_graphs.append(g)
            for s in set(g.subjects()):
                self.owner.setdefault(s, str(g.identifier))
        for s, _, o, _ in ds.quads((None, RDF.type, None, None)):
            self.types.setdefault(s, set()).add(o)

    def context_for(self, own: Graph) -> Graph:
        """What a batch points at: authority resources (transitively) and the types of cited nodes."""
        extra = Graph()
        seen: set[Node] = set(own.subjects())
        todo = [o for o in set(own.objects()) if isinstance(o, URIRef) and o not in seen]
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            described = False
            for triple in self.shared.triples((node, None, None)):
                extra.add(triple)
                described = True
                if isinstance(triple[2], (URIRef, BNode)) and triple[2] not in seen:
                    todo.append(triple[2])
            if not described:
                for t in self.types.get(node, ()):
                    extra.add((node, RDF.type, t))
        return extra


def batches(graphs: list[Graph], size: int) -> list[list[Graph]]:
    return [graphs[i:i + size] for i in range(0, len(graphs), size)]


_FORKED: tuple[DatasetIndex, list[list[Graph]], ShapeSet, Graph] | None = None


def _forked_batch(i: int) -> list[Finding]:
    assert _FORKED is not None
    index, groups, shapes, hierarchy = _FORKED
    return validate_batch(index, groups[i], shapes, hierarchy)


def run_batches(index: DatasetIndex, shapes: ShapeSet, hierarchy: Graph, batch_docs: int, workers: int,
                ) -> list[Finding]:
    """Validate the document batches, in forked worker processes when there are several cores.

    Fork shares the (read-only) dataset with the workers without copying or re-parsing it."""
    workers = max(1, min(workers, -(-len(index.doc_graphs) // 50)))
    size = max(1, min(batch_docs, -(-len(index.doc_graphs) // workers)))
    groups = batches(index.doc_graphs, size)
    if workers == 1 or len(groups) == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [f for group in groups for f in validate_batch(index, group, shapes, hierarchy)]
    global _FORKED
    _FORKED = (index, groups, shapes, hierarchy)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [f for part in pool.map(_forked_batch, range(len(groups)), chunksize=1) for f in part]
    finally:
        _FORKED = None


def validate_whole(data: Graph, shapes: ShapeSet, owner: dict[Node, str], checks: list[SparqlCheck]) -> list[Finding]:
    """pySHACL for the core constraints, then each SPARQL constraint once over the same graph."""
    return findings_of(run_shacl(data, shapes.core), data, owner) + run_checks(data, checks, owner)


def validate_batch(index: DatasetIndex, group: list[Graph], shapes: ShapeSet, hierarchy: Graph) -> list[Finding]:
    own = Graph()
    for g in group:
        for triple in g:
            own.add(triple)
    data = Graph()
    data += own
    data += index.context_for(own)
    data += hierarchy
    owned = set(own.subjects())
    return [f for f in validate_whole(data, shapes, index.owner, shapes.batch_checks) if f.focus in owned]


def projection(index: DatasetIndex) -> Graph:
    """The few triples dataset-scope shapes read: letters and their numbers."""
    g = Graph()
    for doc in index.doc_graphs:
        for s in doc.subjects(RDF.type, BC.Letter):
            g.add((s, RDF.type, BC.Letter))
            for p in (BC.documentNumber, BC.sourceLines):
                for value in doc.objects(s, p):
                    g.add((s, p, value))
    return g


def validate_dataset(ds: Dataset, shapes: Graph, hierarchy: Graph, shared_iri: URIRef | None,
                     batch_docs: int = BATCH_DOCS, workers: int | None = None) -> list[Finding]:
    """All findings for a dataset: per document batch, the authority graph, and the dataset-scope pass."""
    shape_set = prepare(shapes)
    index = DatasetIndex(ds, shared_iri)
    found = run_batches(index, shape_set, hierarchy, batch_docs, workers or os.cpu_count() or 1)
    if len(index.shared):
        shared = Graph()
        shared += index.shared
        shared += hierarchy
        found += validate_whole(shared, shape_set, {}, shape_set.batch_checks)
    found += run_checks(projection(index), shape_set.dataset_checks, index.owner)
    return sorted(set(found))


def _is_dataset(graph: Graph) -> bool:
    if not isinstance(graph, Dataset):
        return False
    return any(len(g) for g in graph.graphs() if g.identifier != graph.default_graph.identifier)


def find_authority(ds: Dataset) -> URIRef | None:
    for g in ds.graphs():
        if str(g.identifier).endswith("graph/authority"):
            return URIRef(str(g.identifier))
    return None


def validate_graph(graph: Graph, shapes: Graph | None = None, settings: Settings | None = None,
                   ) -> tuple[bool, Graph, str]:
    """Validate a graph or dataset against shapes/ -> (conforms, report_graph, report_text).

    A Dataset with named graphs is validated per document batch; a plain graph as a whole."""
    settings = settings or Settings()
    shapes = shapes if shapes is not None else load_shapes(settings.shapes_dir)
    hierarchy = load_hierarchy(settings.ontology_dir)
    if _is_dataset(graph):
        findings = validate_dataset(graph, shapes, hierarchy, find_authority(graph))  # type: ignore[arg-type]
    else:
        data = Graph()
        data += graph
        data += hierarchy
        shape_set = prepare(shapes)
        findings = sorted(set(validate_whole(data, shape_set, {}, shape_set.batch_checks + shape_set.dataset_checks)))
    conforms = not any(f.is_violation for f in findings)
    return conforms, report_graph_of(findings, conforms), format_report(findings, conforms)


def load_file(path: Path) -> Graph:
    """Read a dump (TriG/N-Quads keep their named graphs); raise UnloadableGraph naming the file."""
    if not path.exists():
        raise UnloadableGraph(f"{path}: no such file (run `kg build` first)")
    suffix = path.suffix
    try:
        data = path.read_bytes()
        if suffix == ".gz":
            data = gzip.decompress(data)
            suffix = Path(path.stem).suffix
        fmt = FORMATS.get(suffix, "turtle")
        g: Graph = Dataset() if fmt in ("trig", "nquads") else Graph()
        g.parse(data=data, format=fmt)
    except Exception as err:  # rdflib's parsers raise many unrelated kinds
        raise UnloadableGraph(f"{path}: cannot be read as RDF ({type(err).__name__}: {err})") from err
    return g


def validate_file(path: Path, settings: Settings) -> tuple[bool, Graph, str]:
    """`kg validate FILE`: load (exit 2 if impossible) and validate."""
    return validate_graph(load_file(Path(path)), settings=settings)
