"""Linked Data URIs: /letter/167, /person/<id>, /org, /place, /event, /archive/..., /ontology.

One URL per resource, answered directly (200, no 303) in the format the client negotiates —
HTML, Turtle, JSON-LD, N-Triples, RDF/XML — or fixed by a suffix (``/letter/167.ttl``).
Every answer carries ``Vary: Accept``, ``Link: rel="alternate"`` for each format, an ``ETag`` and
``Last-Modified`` derived from the build, so caches revalidate (304) and never mix formats.
The IRI of ``/letter/167`` is ``Settings.base_iri + "letter/167"`` whatever host serves it.
Letter and entity pages also carry FAIR Signposting ``Link``s (``kg.web.signposting``); a named
graph the data does not describe (the authority graph) is answered from void.ttl.

A withdrawn IRI (data/authority/aliases.toml: its only statement is ``owl:sameAs`` the IRI that replaced it)
answers with a redirect to its replacement: **301** to the page (HTML, or a fixed suffix such as ``.ttl``), because
that address moved for good and browsers, bookmarks and search engines should move with it; **303** to the
replacement's description in the negotiated RDF format, because a Linked Data client reads 303 as "what you asked
for is described there" — and it is: that description states ``<withdrawn> owl:sameAs <replacement>``, so the
client learns the two names are one resource rather than silently swapping one IRI for the other.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, redirect, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDFS

from kg.config import VOCAB_NS
from kg.store.formats import JSONLD, Format
from kg.store.results import PREFIXES, serialize_triples
from kg.store.types import XSD_STRING, Term
from kg.web.conneg import HTML, RESOURCE_FORMATS, by_suffix, content_type, negotiate
from kg.web.context import ctx, local_path, ontology_graph, void_graph
from kg.web.describe import Description, described
from kg.web.describe import term_of as _term
from kg.web.signposting import signposts

bp = Blueprint("resources", __name__)
RDFS_LABEL = RDFS.label
KINDS = ("letter", "person", "org", "place", "event", "archive", "source", "graph", "build")
SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_~-]*(?:\.[A-Za-z0-9_~-]+)*$")
DESCRIBE_TIMEOUT = 5.0
SIGNPOSTED = frozenset({"letter", "person", "org", "place", "event", "archive"})


def split_suffix(path: str) -> tuple[str, Format | None]:
    for fmt in RESOURCE_FORMATS:
        if fmt.suffix and path.endswith(fmt.suffix):
            return path[: -len(fmt.suffix)], fmt
    return path, None


def valid_path(path: str) -> bool:
    """Only plain segments: no '..', no empty segment, no encoded slash or other IRI-breaking text."""
    return all(SEGMENT.match(seg) for seg in path.split("/"))


def get_resource(kind: str, path: str) -> Description:
    """The description of ``kind/path`` or a 404 that says where to look instead."""
    if not valid_path(path):
        abort(404, f"/{kind}/{path} is not a resource path of this site.")
    iri = ctx().settings.base_iri + f"{kind}/{path}"
    desc = Description(iri, ctx().store.describe(iri, DESCRIBE_TIMEOUT).triples)
    if not desc.exists and kind == "graph":  # a named graph the data does not describe: void.ttl does
        desc = described(void_graph(), iri, ontology_graph())
    if not desc.exists:
        hint = f"/search?q={path.split('/')[0]}" if kind != "letter" else "/letters"
        abort(404, f"There is no {kind} <{iri}> in this dataset. Try {hint}, or browse from the home page.")
    return desc


def alternates(local: str) -> str:
    return ", ".join(f'<{local}{f.suffix}>; rel="alternate"; type="{f.media_type}"' for f in RESOURCE_FORMATS)


def _node(term: Term) -> URIRef | BNode | Literal:
    """A store term as an rdflib node (the inverse of ``_term``); xsd:string literals stay plain."""
    if term[0] == "uri":
        return URIRef(term[1])
    if term[0] == "bnode":
        return BNode(term[1])
    if term[3]:
        return Literal(term[1], lang=term[3])
    return Literal(term[1], datatype=None if term[2] == XSD_STRING else URIRef(term[2]))


def jsonld(desc: Description) -> bytes:
    """Compact JSON-LD with our prefixes as @context (small graphs: rdflib is fine here). The graph is
    built from the terms, not read back from JSON-LD: rdflib 7's JSON-LD parser uses the deprecated
    ConjunctiveGraph."""
    graph = Graph()
    for s, p, o in desc.triples:
        graph.add((_node(s), _node(p), _node(o)))
    context = dict(PREFIXES, d=ctx().settings.base_iri)
    return graph.serialize(format="json-ld", context=context, auto_compact=True).encode()


def represent(kind: str, path: str, desc: Description, fmt: Format, negotiated: bool,
              signposting: bool = False) -> Response:
    """``desc`` in ``fmt``; ``signposting``: add the FAIR Signposting links (letter and entity pages)."""
    from kg.web.pages import render_resource

    if fmt is HTML:
        body: bytes | str = render_resource(kind, desc)
    elif fmt is JSONLD:
        body = jsonld(desc)
    else:
        body = serialize_triples(desc.triples, fmt, ctx().settings.base_iri)
    response = Response(body, content_type=content_type(fmt))
    local = local_path(desc.iri) or (f"/{kind}/{path}" if path else f"/{kind}")
    local = local.rstrip("/")  # a namespace (/vocab/) has its formats at /vocab.ttl
    links = [alternates(local)] + (signposts(desc, local) if signposting else [])
    response.headers["Link"] = ", ".join(links)
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = local + (fmt.suffix or "")
    response.set_etag(f"{ctx().build.version}-{fmt.name}")
    response.last_modified = ctx().build.modified
    response.cache_control.public = True
    response.cache_control.max_age = ctx().settings.answer_max_age
    return response.make_conditional(request)


def replaced_by(desc: Description) -> str | None:
    """The path of the resource that replaced a withdrawn IRI: the IRI's only statements are ``owl:sameAs`` one
    IRI of ours (an IRI with a type or a name of its own is a resource, not an alias)."""
    statements = desc.out.get(desc.iri, {})
    targets = {t[1] for t in statements.get(str(OWL.sameAs), []) if t[0] == "uri"}
    if set(statements) != {str(OWL.sameAs)} or len(targets) != 1:
        return None
    return local_path(targets.pop())


def moved(target: str, fmt: Format, forced: bool) -> Response:
    """301 to the replacement's page (or its fixed-suffix document), 303 to its negotiated RDF description."""
    negotiated_rdf = not forced and fmt is not HTML
    suffix = (fmt.suffix or "") if forced or negotiated_rdf else ""
    response = redirect(target + suffix, code=303 if negotiated_rdf else 301)
    if not forced:
        response.headers["Vary"] = "Accept"
    response.cache_control.public = True
    response.cache_control.max_age = ctx().settings.answer_max_age
    return response


@bp.route("/<any(letter, person, org, place, event, archive, source, graph, build):kind>/<path:rest>")
def resource(kind: str, rest: str) -> Response:
    path, forced = split_suffix(rest)
    desc = get_resource(kind, path)
    fmt = forced or negotiate(RESOURCE_FORMATS, request.args.get("format"))
    target = replaced_by(desc)
    if target is not None:
        return moved(target, fmt, forced is not None)
    return represent(kind, path, desc, fmt, negotiated=forced is None, signposting=kind in SIGNPOSTED)


@bp.route("/edition")
@bp.route("/edition<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
def edition(suffix: str | None = None) -> Response:
    """The edition itself (the 1996 volume and its web translation)."""
    iri = ctx().settings.base_iri + "edition"
    desc = Description(iri, ctx().store.describe(iri, DESCRIBE_TIMEOUT).triples)
    if not desc.exists:
        abort(404, f"There is no <{iri}> in this dataset.")
    fmt = by_suffix(suffix) if suffix else negotiate(RESOURCE_FORMATS, request.args.get("format"))
    assert fmt is not None
    return represent("edition", "", desc, fmt, negotiated=suffix is None)


@bp.route("/vocab/<path:rest>")
def vocab(rest: str) -> Response:
    """A concept of our SKOS schemes (bcv:original, bcv:julian...), described from the ontology files."""
    path, forced = split_suffix(rest)
    if not valid_path(path):
        abort(404, f"/vocab/{path} is not a concept of this site.")
    iri = URIRef(VOCAB_NS + path)
    graph = ontology_graph()
    triples = [(_term(iri), _term(p), _term(o)) for p, o in graph.predicate_objects(iri)]
    triples += [(_term(o), _term(RDFS_LABEL), _term(label)) for _, o in graph.predicate_objects(iri)
                if isinstance(o, URIRef) for label in graph.objects(o, RDFS_LABEL)]
    desc = Description(str(iri), triples)
    if not desc.exists:
        abort(404, f"There is no concept <{iri}> in our vocabularies; see /ontology.")
    fmt = forced or negotiate(RESOURCE_FORMATS, request.args.get("format"))
    return represent("vocab", path, desc, fmt, negotiated=forced is None)


@bp.route("/ontology")
@bp.route("/ontology<any('.ttl', '.jsonld', '.nt', '.rdf', '.html'):suffix>")
@bp.route("/ns")
def ontology(suffix: str | None = None) -> Response:
    """Our ontology and SKOS schemes, from ``Settings.ontology_dir``, in every format."""
    graph = ontology_graph()
    fmt = by_suffix(suffix) if suffix else negotiate(RESOURCE_FORMATS)
    assert fmt is not None
    if fmt is HTML:
        from kg.web.pages import render_ontology

        body: str | bytes = render_ontology(graph)
    else:
        name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
        body = graph.serialize(format=name, encoding="utf-8")
    response = Response(body, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = alternates(url_for("resources.ontology"))
    response.set_etag(f"{ctx().build.version}-ontology-{fmt.name}")
    return response.make_conditional(request)


@bp.route("/ns/<version>")
def ontology_version(version: str) -> Response:
    """The ontology at its ``owl:versionIRI`` (``ns/0.2.0``): this site serves the current version there, in
    every format (``ns/0.2.0.ttl``); an earlier or unknown version is a 404 that names the current one."""
    name, forced = split_suffix(version)
    graph = ontology_graph()
    current = next(iter(graph.objects(None, OWL.versionIRI)), None)
    if current is None or str(current).rsplit("/", 1)[-1] != name:
        abort(404, f"Version {name!r} of the ontology is not served here; the current one is <{current}> (/ontology).")
    return ontology(forced.suffix if forced else None)

