"""HTML documentation of the ontology and its SKOS schemes, generated from ontology/ at build time.

Why generated: the Turtle files are the single source of truth; a hand-written page would drift.
Kept deliberately small (one Jinja template, no pyLODE dependency). The served /ontology page
(``kg.web.ontology``) shows the same facts in the site's layout; the layering keeps the two apart.
A union class is written as its members ("A or B"), never as a blank node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef
from rdflib.term import Node

from kg.rdf.mapping import PREFIXES

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}
code{background:#f4f4f4}dt{font-weight:bold;margin-top:1em}section{border-top:1px solid #ccc}</style>
</head><body>
<h1>{{ title }}</h1>
<p>{{ comment }}</p>
<p>Namespace <code>{{ ns }}</code> (prefix <code>bc:</code>); concept schemes <code>{{ vocab_ns }}</code>
(prefix <code>bcv:</code>). Version {{ version }}, version IRI <code>{{ version_iri }}</code>.
Turtle: <a href="bolcorr.ttl">bolcorr.ttl</a>, <a href="vocab.ttl">vocab.ttl</a>.</p>
{% for heading, terms in sections %}
<section><h2>{{ heading }}</h2><dl>
{% for t in terms %}<dt id="{{ t.local }}"><code>{{ t.curie }}</code> — {{ t.label }}</dt>
<dd>{{ t.comment }}{% for k, vs in t.facts %}<br><em>{{ k }}</em>: <code>{{ vs | join(", ") }}</code>{% endfor %}</dd>
{% endfor %}</dl></section>
{% endfor %}
</body></html>
"""


@dataclass
class Term:
    curie: str
    local: str
    label: str
    comment: str
    facts: list[tuple[str, list[str]]] = field(default_factory=list)


DOC_PREFIXES = {**PREFIXES, "rico": "https://www.ica.org/standards/RiC/ontology#",
                "crm": "http://www.cidoc-crm.org/cidoc-crm/", "oa": "http://www.w3.org/ns/oa#",
                "skosxl": "http://www.w3.org/2008/05/skos-xl#", "sd": "http://www.w3.org/ns/sparql-service-description#",
                "cmif": "https://lod.academy/cmif/vocab/terms#",
                "ricrst": "https://www.ica.org/standards/RiC/vocabularies/recordSetTypes#"}


def curie(node: Node, g: Graph) -> str:
    if not isinstance(node, URIRef):
        members = [curie(m, g) for m in g.items(g.value(node, OWL.unionOf))] if g.value(node, OWL.unionOf) else []
        return " or ".join(members) if members else "(anonymous)"
    for prefix, ns in sorted(DOC_PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if str(node).startswith(ns):
            return f"{prefix}:{str(node)[len(ns):]}"
    return str(node)


FACTS = (("subclass of", RDFS.subClassOf), ("subproperty of", RDFS.subPropertyOf), ("domain", RDFS.domain),
         ("range", RDFS.range), ("equivalent class", OWL.equivalentClass),
         ("equivalent property", OWL.equivalentProperty), ("close match", SKOS.closeMatch),
         ("broader", SKOS.broader), ("in scheme", SKOS.inScheme), ("type", RDF.type),
         ("definition", SKOS.definition))
SHOWN_TYPES = (str(OWL), str(SKOS), str(RDFS))  # the type that put a term in its section is not repeated


def term(g: Graph, node: URIRef) -> Term:
    name = curie(node, g)
    facts = [(label, sorted(curie(o, g) if not hasattr(o, "language") else str(o) for o in g.objects(node, p)
                            if p != RDF.type or not str(o).startswith(SHOWN_TYPES)))
             for label, p in FACTS]
    return Term(name, name.split(":", 1)[-1], str(g.value(node, RDFS.label) or g.value(node, SKOS.prefLabel) or ""),
                str(g.value(node, RDFS.comment) or ""), [(k, v) for k, v in facts if v])


def ontology_html(ontology_dir: Path) -> str:
    g = Graph()
    for path in sorted(ontology_dir.glob("*.ttl")):
        g.parse(path, format="turtle")
    ns, vocab_ns = PREFIXES["bc"], PREFIXES["bcv"]

    def of_type(*types: URIRef, prefix: str = ns) -> list[Term]:
        nodes = {s for t in types for s in g.subjects(RDF.type, t) if str(s).startswith(prefix) and str(s) != prefix}
        return [term(g, n) for n in sorted(nodes)]  # type: ignore[arg-type]

    sections = [("Classes", of_type(OWL.Class)), ("Object properties", of_type(OWL.ObjectProperty)),
                ("Datatype properties", of_type(OWL.DatatypeProperty)),
                ("Annotation properties", of_type(OWL.AnnotationProperty)),
                ("Datatypes declared", of_type(RDFS.Datatype, prefix=DOC_PREFIXES["xsd"])),
                ("Concept schemes", of_type(SKOS.ConceptScheme, prefix=vocab_ns)),
                ("Concepts", of_type(SKOS.Concept, prefix=vocab_ns))]
    onto = URIRef(ns)
    return Environment(autoescape=True).from_string(TEMPLATE).render(
        title=str(g.value(onto, RDFS.label) or "bolcorr ontology"), comment=str(g.value(onto, RDFS.comment) or ""),
        ns=ns, vocab_ns=vocab_ns, sections=sections, version=str(g.value(onto, OWL.versionInfo) or ""),
        version_iri=str(g.value(onto, OWL.versionIRI) or ""))
