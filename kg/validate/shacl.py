"""Stage "validate": SHACL over the built dataset, per batch of documents so cost stays linear.

    conforms, report_graph, report_text = validate_graph(graph)          # any rdflib Graph/Dataset
    conforms, report_graph, report_text = validate_file("output/kg.trig", settings)

Why batches: pySHACL is linear but heavy per triple, so a Dataset is cut into batches of document
graphs (kg/validate/batches.py) validated in forked workers; the authority graph is validated once;
SPARQL constraints (uniqueness across documents included) run once over the whole dataset on
Oxigraph (kg/validate/sparql.py). A plain Graph is validated as a whole. Violations block
publishing; warnings do not.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDFS, Dataset, Graph, URIRef

from kg.config import Settings
from kg.errors import KGError
from kg.rdf.vocab import BC
from kg.validate.batches import DatasetIndex, ShapeSet, run_shacl, validate_indexed
from kg.validate.report import Finding, findings_of, format_report, report_graph_of
from kg.validate.sparql import flatten, rdf_term, run_checks, sparql_checks, without_sparql

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


def prepare(shapes: Graph) -> ShapeSet:
    """Core constraints (flattened for pySHACL's sake) and the SPARQL ones, both read from shapes/."""
    return ShapeSet(flatten(without_sparql(shapes)), sparql_checks(shapes))


def validate_dataset(ds: Dataset, shapes: Graph, hierarchy: Graph, shared_iri: URIRef | None,
                     batch_docs: int = BATCH_DOCS, workers: int | None = None) -> list[Finding]:
    """All findings for a dataset: per document batch, the authority graph, the SPARQL constraints."""
    return validate_indexed(DatasetIndex(ds, shared_iri), prepare(shapes), hierarchy, batch_docs,
                            workers or os.cpu_count() or 1)


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
        findings = sorted(set(findings_of(run_shacl(data, shape_set.core), data, {})
                              + run_checks(data, shape_set.checks, {})))
    conforms = not any(f.is_violation for f in findings)
    return conforms, report_graph_of(findings, conforms), format_report(findings, conforms)


# JSON-LD too: rdflib 7's JSON-LD parser goes through the deprecated ConjunctiveGraph
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "trig": ox.RdfFormat.TRIG,
              "nquads": ox.RdfFormat.N_QUADS, "json-ld": ox.RdfFormat.JSON_LD}


def _parse_with_oxigraph(data: bytes, fmt: str) -> Graph:
    """Oxigraph's parser (about 2x rdflib's on our dumps) into an rdflib Graph/Dataset for pySHACL."""
    named = fmt in ("trig", "nquads")
    g: Graph = Dataset() if named else Graph()
    graphs: dict[str, Graph] = {}
    rows = []
    for q in ox.parse(data, format=OX_FORMATS[fmt]):
        target = g
        if named and isinstance(q.graph_name, ox.NamedNode):
            name = q.graph_name.value
            target = graphs.get(name) or graphs.setdefault(name, g.graph(URIRef(name)))  # type: ignore[attr-defined]
        rows.append((rdf_term(q.subject), rdf_term(q.predicate), rdf_term(q.object), target))
    g.addN(rows)  # type: ignore[arg-type]
    return g


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
        return _parse_with_oxigraph(data, FORMATS.get(suffix, "turtle"))
    except Exception as err:  # the parser and gzip raise many unrelated kinds
        raise UnloadableGraph(f"{path}: cannot be read as RDF ({type(err).__name__}: {err})") from err


def validate_file(path: Path, settings: Settings) -> tuple[bool, Graph, str]:
    """`kg validate FILE`: load (exit 2 if impossible) and validate."""
    return validate_graph(load_file(Path(path)), settings=settings)
