"""SHACL-SPARQL constraints evaluated once per graph instead of once per focus node.

Why: pySHACL parses a SPARQL constraint's query again for every focus node (pyparsing, ~30 ms each):
3,300 parses for 300 documents, 98 % of validation time. Our constraints use ``$this`` only as a
variable of the pattern, so running the SELECT once with ``$this`` unbound and keeping the rows whose
``?this`` is a target gives exactly the results the SHACL-SPARQL semantics define. The shapes file
stays the single source of truth: queries, messages, severities and targets are read from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.rdf.terms import XSD_STRING, ox_term
from kg.rdf.vocab import BC
from kg.validate.report import Finding, document_of, short


@dataclass(frozen=True)
class SparqlCheck:
    """One sh:sparql constraint of one shape, ready to run over a whole graph."""

    shape: Node
    query: str
    message: str
    severity: URIRef
    target_classes: tuple[Node, ...]
    target_subjects_of: tuple[Node, ...]


TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def flatten(shapes: Graph) -> Graph:
    """Lift each sh:property of a targeted node shape into a top-level property shape with the same targets.

    Why: pySHACL evaluates a nested property shape once per focus node and rebuilds its constraint
    objects every time (~80 % of validation time); a top-level property shape is set up once for all
    its focus nodes. Results are the same (focus node, path, component, severity, message). A closed
    shape keeps its meaning by listing the lifted paths in sh:ignoredProperties."""
    out = Graph(namespace_manager=shapes.namespace_manager)
    out += shapes
    for node_shape in set(out.subjects(SH.property, None)):
        targets = [(p, o) for p in TARGETS for o in out.objects(node_shape, p)]
        if not targets:
            continue
        props = list(out.objects(node_shape, SH.property))
        if (node_shape, SH.closed, Literal(True)) in out:
            _ignore_paths(out, node_shape, [out.value(prop, SH.path) for prop in props])
        for prop in props:
            out.remove((node_shape, SH.property, prop))
            out.add((prop, RDF.type, SH.PropertyShape))
            for p, o in targets:
                out.add((prop, p, o))
    return out


def _ignore_paths(g: Graph, shape: Node, paths: list[Node | None]) -> None:
    old = g.value(shape, SH.ignoredProperties)
    items = list(g.items(old)) if old is not None else []
    if old is not None:
        g.remove((shape, SH.ignoredProperties, old))
    head = BNode()
    Collection(g, head, [*items, *(p for p in dict.fromkeys(paths) if p is not None and p not in items)])
    g.add((shape, SH.ignoredProperties, head))


def _prefix_header(shapes: Graph, constraint: Node) -> str:
    lines = []
    for holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(holder, SH.declare):
            lines.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>")
    return "\n".join(sorted(set(lines))) + "\n"


def sparql_checks(shapes: Graph) -> list[SparqlCheck]:
    """Every sh:sparql constraint in the shapes, with its shape's targets and severity."""
    checks = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        select = str(shapes.value(constraint, SH.select))
        checks.append(SparqlCheck(
            shape=shape, query=_prefix_header(shapes, constraint) + select.replace("$this", "?this"),
            message=str(shapes.value(constraint, SH.message) or ""),
            severity=shapes.value(shape, SH.severity) or SH.Violation,  # type: ignore[arg-type]
            target_classes=tuple(shapes.objects(shape, SH.targetClass)),
            target_subjects_of=tuple(shapes.objects(shape, SH.targetSubjectsOf))))
    return sorted(checks, key=lambda c: (str(c.shape), c.query))


def without_sparql(shapes: Graph) -> Graph:
    """The shapes minus their SPARQL constraints (pySHACL evaluates the rest)."""
    drop = Graph()
    stack: list[Node] = []
    for shape, constraint in shapes.subject_objects(SH.sparql):
        drop.add((shape, SH.sparql, constraint))
        stack.append(constraint)
    while stack:
        node = stack.pop()
        for triple in shapes.triples((node, None, None)):
            drop.add(triple)
            if isinstance(triple[2], BNode):
                stack.append(triple[2])
    out = Graph(namespace_manager=shapes.namespace_manager)
    for triple in shapes:
        if triple not in drop:
            out.add(triple)
    return out


def targets(data: Graph, check: SparqlCheck) -> set[Node]:
    """The focus nodes of the check's shape in ``data`` (instances of subclasses included)."""
    classes = set(check.target_classes)
    for cls in check.target_classes:
        classes |= set(data.transitive_subjects(RDFS.subClassOf, cls))
    nodes = {s for cls in classes for s in data.subjects(RDF.type, cls)}
    for p in check.target_subjects_of:
        nodes |= set(data.subjects(p, None))
    return nodes


def to_store(data: Graph) -> ox.Store:
    """An in-memory Oxigraph copy of ``data``: rdflib's SPARQL engine has no join ordering."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox.DefaultGraph()) for s, p, o in data)
    return store


def rdf_term(term: object) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:  # rdflib keeps "x" and "x"^^xsd:string apart
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"not an RDF term: {term!r}")


def run_checks(data: Graph, checks: list[SparqlCheck], owner: dict[Node, str]) -> list[Finding]:
    """Run each check once over a plain graph ``data``."""
    if not checks or not len(data):
        return []
    store = to_store(data)

    def lines(node: Node) -> str:
        graph_iri = owner.get(node)
        value = data.value(node, BC.sourceLines) or (data.value(URIRef(graph_iri), BC.sourceLines)
                                                     if graph_iri else None)
        return str(value or "")

    return [f for check in checks for f in run_checks_on_store(store, check, targets(data, check), owner, lines)]


def run_checks_on_store(store: ox.Store, check: SparqlCheck, focus_nodes: set[Node], owner: dict[Node, str],
                        lines: Callable[[Node], str]) -> list[Finding]:
    """One SELECT over the whole store; one finding per row whose ?this is a target of the shape."""
    found = []
    for row in store.query(check.query):  # type: ignore[union-attr]
        focus = rdf_term(row["this"])
        if focus is None or focus not in focus_nodes:
            continue
        value, path = rdf_term(row["value"]), rdf_term(row["path"])
        found.append(Finding(
            document=document_of(owner.get(focus)), focus_text=short(focus), path=short(path),
            component=short(SH.SPARQLConstraintComponent), severity=check.severity,
            message=check.message.replace("{?value}", str(value)).replace("{$value}", str(value)),
            value=short(value), source_lines=lines(focus), focus=focus, path_node=path,
            component_node=SH.SPARQLConstraintComponent))
    return found
