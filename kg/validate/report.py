"""SHACL results -> findings a person can act on: which document, which field, which source line.

Why: pySHACL's own text names blank nodes and shape IRIs. A historian fixing a page needs
"document 167, bc:citesDocument, page.txt#L50-L50: the cited document is not in the corpus".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import RDF, SH, BNode, Graph, Literal, URIRef
from rdflib.namespace import NamespaceManager
from rdflib.term import Node

from kg.rdf.vocab import BC

MAX_NAMED = 30  # documents named in the summary line; every finding line names its own
SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL result, tied back to the document graph that owns its focus node."""

    document: str  # document key ("167"), or "" for shared resources
    focus_text: str
    path: str
    component: str
    severity: URIRef
    message: str
    value: str = ""
    source_lines: str = ""
    focus: Node = field(default=URIRef(""), compare=False)
    path_node: Node | None = field(default=None, compare=False)
    component_node: Node | None = field(default=None, compare=False)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation


def _nm() -> NamespaceManager:
    nm = NamespaceManager(Graph(), bind_namespaces="core")
    for prefix, ns in (("bc", str(BC._NS)), ("bcv", "https://w3id.org/bolcorr/vocab/"),
                       ("schema", "http://schema.org/"), ("dcterms", "http://purl.org/dc/terms/"),
                       ("prov", "http://www.w3.org/ns/prov#"), ("sh", str(SH)), ("foaf", "http://xmlns.com/foaf/0.1/")):
        nm.bind(prefix, ns, replace=True)
    return nm


NM = _nm()


def short(node: Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, BNode):
        return "[complex path]"
    if isinstance(node, Literal):
        return str(node)
    return node.n3(NM)


def document_of(graph_iri: str | None) -> str:
    if not graph_iri:
        return ""
    marker = "graph/letter/"
    return graph_iri.split(marker, 1)[1] if marker in graph_iri else graph_iri


def findings_of(report: Graph, data: Graph, owner: dict[Node, str]) -> list[Finding]:
    """Every sh:ValidationResult of a pySHACL report, with its document and source lines."""
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        graph_iri = owner.get(focus) if focus is not None else None
        lines = data.value(focus, BC.sourceLines) if focus is not None else None
        if lines is None and graph_iri:
            lines = data.value(URIRef(graph_iri), BC.sourceLines)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        out.append(Finding(
            document=document_of(graph_iri), focus_text=short(focus), path=short(path), component=short(component),
            severity=report.value(result, SH.resultSeverity) or SH.Violation,
            message=messages[0] if messages else "", value=short(report.value(result, SH.value)),
            source_lines=str(lines or ""), focus=focus or URIRef(""), path_node=path, component_node=component))
    return out


def report_graph_of(findings: list[Finding], conforms: bool) -> Graph:
    """A standard sh:ValidationReport carrying our findings (paths and components kept exactly)."""
    g = Graph()
    g.namespace_manager = NM
    report = BNode("report")
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    for i, f in enumerate(findings):
        r = BNode(f"r{i}")
        g.add((report, SH.result, r))
        g.add((r, RDF.type, SH.ValidationResult))
        g.add((r, SH.focusNode, f.focus))
        g.add((r, SH.resultSeverity, f.severity))
        if f.path_node is not None and not isinstance(f.path_node, BNode):
            g.add((r, SH.resultPath, f.path_node))
        if f.component_node is not None:
            g.add((r, SH.sourceConstraintComponent, f.component_node))
        if f.message:
            g.add((r, SH.resultMessage, Literal(f.message)))
        if f.source_lines:
            g.add((r, BC.sourceLines, Literal(f.source_lines)))
    return g


def format_report(findings: list[Finding], conforms: bool) -> str:
    """Readable text: a summary line, then one line per finding, grouped by document."""
    violations = [f for f in findings if f.is_violation]
    docs = sorted({f.document for f in violations if f.document}, key=lambda d: (len(d), d))
    named = ", ".join(docs[:MAX_NAMED]) + (f" and {len(docs) - MAX_NAMED} more" if len(docs) > MAX_NAMED else "")
    head = (f"Conforms: {conforms}. {len(violations)} violation(s), {len(findings) - len(violations)} warning(s)"
            + (f"; documents failing ({len(docs)}): {named}" if docs else "") + ".")
    lines = [head]
    for f in findings:
        where = f"document {f.document}" if f.document else "shared resources"
        src = f" ({f.source_lines})" if f.source_lines else ""
        value = f" value {f.value}" if f.value else ""
        lines.append(f"{SEVERITY_NAMES.get(f.severity, 'Info')}: {where}{src}: {f.focus_text} {f.path}: "
                     f"{f.message}{value} [{f.component}]")
    return "\n".join(lines)
