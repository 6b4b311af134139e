"""The IRIs of the dataset's own description, and a way in for any published IRI.

- ``/void``, ``/void/wikidata``, ``/void/class/<n>``: the dataset, its Wikidata linkset and class
  partitions, as void.ttl describes them (the build's own statements, nothing made up here).
- ``/graph/<name>`` of a named graph that the data does not describe (the authority graph): its
  description in void.ttl (``kg.web.resources`` asks ``void_description``).
- ``/vocab/``: the ``bcv:`` namespace, which the ontology imports: the SKOS schemes of
  ``ontology/vocab.ttl``.
- ``/shapes``: the SHACL shapes every published graph satisfies (Turtle, JSON-LD, N-Triples,
  RDF/XML, or an HTML list).
- ``/iri?u=<IRI>``: 303 to the local page of any IRI we publish (``kg.web.context.local_path``), so
  an IRI of the published host (``https://w3id.org/bolcorr/letter/167``) can be followed on a local
  install; 404 for an IRI that is not ours.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

from kg.config import VOCAB_NS
from kg.web.conneg import HTML, RESOURCE_FORMATS, by_suffix, content_type, negotiate
from kg.web.context import ctx, local_path, ontology_graph, void_graph
from kg.web.describe import Description, described
from kg.web.resources import represent, split_suffix, valid_path

bp = Blueprint("dataset", __name__)
RDFLIB_NAMES = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}


def void_description(iri: str) -> Description:
    """What void.ttl says about ``iri`` (nothing: an empty description)."""
    return described(void_graph(), iri, ontology_graph())


@bp.route("/void")
@bp.route("/void<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def dataset(suffix: str = "") -> Response:
    """The dataset's IRI: the whole of void.ttl, the document that describes it."""
    desc = described(void_graph(), ctx().settings.base_iri + "void", ontology_graph(), whole=True)
    if not desc.exists:
        abort(404, "This build has no void.ttl describing the dataset; run `kg build` to publish one.")
    fmt = by_suffix(suffix) if suffix else None
    return represent("void", "", desc, fmt or negotiate(RESOURCE_FORMATS, request.args.get("format")),
                     negotiated=fmt is None)


@bp.route("/void/<path:rest>")
def dataset_part(rest: str) -> Response:
    """A part of the dataset's description: the Wikidata linkset, a class partition."""
    path, forced = split_suffix(rest)
    if not valid_path(path):
        abort(404, f"/void/{path} is not part of the dataset's description.")
    desc = void_description(ctx().settings.base_iri + f"void/{path}")
    if not desc.exists:
        abort(404, f"The dataset's description (/void) has no part {path!r}.")
    fmt = forced or negotiate(RESOURCE_FORMATS, request.args.get("format"))
    return represent("void", path, desc, fmt, negotiated=forced is None)


@bp.route("/vocab/")
@bp.route("/vocab<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def vocabulary(suffix: str = "") -> Response:
    """The ``bcv:`` namespace (the ontology's ``owl:imports``): every concept scheme and concept."""
    graph = Graph()
    for path in _ttl_files("ontology", ctx().settings.ontology_dir):
        if path.name == "vocab.ttl":
            graph.parse(path, format="turtle")
    desc = described(graph, VOCAB_NS, whole=True)
    if not desc.triples:
        abort(404, "This build publishes no SKOS schemes (ontology/vocab.ttl).")
    forced = by_suffix(suffix) if suffix else None
    fmt = forced or negotiate(RESOURCE_FORMATS, request.args.get("format"))
    return represent("vocab", "", desc, fmt, negotiated=forced is None)


def _ttl_files(published: str, fallback: Path) -> list[Path]:
    """The Turtle files of ``output/<published>/`` as released, else of the source folder."""
    folder = ctx().settings.output_dir / published
    return sorted((folder if any(folder.glob("*.ttl")) else fallback).glob("*.ttl"))


def shapes_graph() -> Graph:
    graph = current_app.extensions.get("kg.shapes")
    if graph is None:
        graph = Graph()
        for path in _ttl_files("shapes", ctx().settings.shapes_dir):
            graph.parse(path, format="turtle")
        current_app.extensions["kg.shapes"] = graph
    return graph


@bp.route("/shapes")
@bp.route("/shapes<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def shapes(suffix: str = "") -> Response:
    """The SHACL shapes as one graph; HTML: each node shape with its target and property paths."""
    graph = shapes_graph()
    forced = by_suffix(suffix) if suffix else None
    fmt = forced or negotiate(RESOURCE_FORMATS, request.args.get("format"))
    if fmt is HTML:
        body: str | bytes = render_template("shapes.html", shapes=_shape_rows(graph),
                                            files=[p.name for p in _ttl_files("shapes", ctx().settings.shapes_dir)],
                                            formats=[f for f in RESOURCE_FORMATS if f.suffix != ".html"])
    else:
        body = graph.serialize(format=RDFLIB_NAMES[fmt.name], encoding="utf-8")
    response = Response(body, content_type=content_type(fmt))
    if forced is None:
        response.headers["Vary"] = "Accept"
    response.headers["Link"] = ", ".join(f'</shapes{f.suffix}>; rel="alternate"; type="{f.media_type}"'
                                         for f in RESOURCE_FORMATS)
    response.set_etag(f"{ctx().build.version}-shapes-{fmt.name}")
    return response.make_conditional(request)


def _shape_rows(graph: Graph) -> list[dict[str, object]]:
    def name(node: object) -> str:
        return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else "(blank node)"

    rows = []
    for shape in sorted(graph.subjects(RDF.type, SH.NodeShape), key=str):
        paths = sorted(name(graph.value(p, SH.path)) for p in graph.objects(shape, SH.property))
        rows.append({"name": name(shape), "targets": sorted(name(t) for t in graph.objects(shape, SH.targetClass)),
                     "message": str(graph.value(shape, SH.message) or graph.value(shape, RDFS.comment) or ""),
                     "paths": paths})
    return rows


@bp.route("/iri")
def follow() -> Response:
    """``/iri?u=<IRI>``: 303 to the page of this site that answers for a published IRI."""
    iri = request.args.get("u", "").strip()
    if not iri:
        abort(400, "Give the IRI to follow: /iri?u=https://w3id.org/bolcorr/letter/167 (URL-encoded).")
    path = local_path(iri)
    if path is None:
        abort(404, f"<{iri}> is not an IRI of this dataset (base {ctx().settings.base_iri}).")
    return redirect(path, code=303)
