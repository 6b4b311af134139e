"""Pages for people: home, letters list, search, the query editor, and the HTML face of resources.

Every page is a Jinja template (autoescaped); this module gathers data (``kg.web.views``) and
validates what comes from the URL before it reaches a query.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request
from rdflib import Graph

from kg.config import ONTOLOGY_NS, VOCAB_NS
from kg.web import entities, letters_list, queries, views
from kg.web.conneg import RESOURCE_FORMATS, negotiate
from kg.web.context import ctx, local_path, ontology_graph
from kg.web.describe import Description
from kg.web.letter_reading import citation
from kg.web.letters_list import ListedLetter, Party
from kg.web.search import BadSearch
from kg.web.search import run as run_search
from kg.web.search_view import facet_links, page_link, search_json

bp = Blueprint("pages", __name__)
PAGE_SIZE = 50
ID = re.compile(r"^[a-z0-9][a-z0-9._~-]*(?:/[a-z0-9][a-z0-9._~-]*)*$")


def vendor_available() -> bool:
    return (Path(__file__).parent / "static" / "vendor" / "yasgui" / "yasgui.min.js").is_file()


@bp.route("/")
def home() -> str | Response:
    """The home page; a client that asks for RDF is sent to the dataset's description (the base IRI
    names the site, /void the dataset)."""
    if negotiate(RESOURCE_FORMATS, request.args.get("format")) is not RESOURCE_FORMATS[0]:
        return redirect(f"{request.script_root}/void", code=303)
    return render_template("home.html", counts=queries.counts(), examples=queries.EXAMPLE_QUERIES,
                           settings=ctx().settings)


def _token(row: ListedLetter) -> str:
    raw = f"{row.key}\x00{row.iri}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(token: str | None) -> tuple[str, str] | None:
    if not token:
        return None
    try:
        key, _, iri = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition("\x00")
    except (ValueError, UnicodeDecodeError):
        abort(400, "The 'after' token is not one this site made; start again from /letters.")
    return key, iri


def _checked(name: str, pattern: re.Pattern[str]) -> str | None:
    value = request.args.get(name) or None
    if value is not None and not pattern.match(value):
        abort(400, f"{name}={value!r} is not valid here.")
    return value


def _named(name: str, type_iri: str, prefix: str) -> tuple[str, list[Party]]:
    """A filter typed as a name ("Stalin", "Koba"), an id or an IRI: the text and what it matches."""
    text = " ".join(request.args.get(name, "").split())
    if len(text) > 100:
        abort(400, f"{name}: at most 100 characters.")
    return text, (letters_list.find_entities(text, type_iri, ctx().settings.base_iri, prefix) if text else [])


@bp.route("/letters")
def letters() -> str:
    base = ctx().settings.base_iri
    person, people = _named("person", "schema:Person", "person/")
    org, orgs = _named("org", "schema:Organization", "org/")
    place, places = _named("place", "schema:Place", "place/")
    year = _checked("year", re.compile(r"^\d{4}$"))
    kind = _checked("kind", ID)
    fond = _checked("fond", ID)
    month = _checked("month", re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"))
    unmatched = [f"no person named {person!r}"] if person and not people else []
    unmatched += [f"no organization named {org!r}"] if org and not orgs else []
    unmatched += [f"no place named {place!r}"] if place and not places else []
    f = letters_list.LetterFilter(tuple(p.iri for p in people + orgs), year, base + "vocab/" + kind if kind else None,
                                  tuple(p.iri for p in places), base + f"archive/{fond}" if fond else None,
                                  request.args.get("sort") == "desc", month)
    rows: list[ListedLetter] = []
    total = 0
    if not unmatched:  # several people, organizations or places matched: the letters of any of them
        rows = letters_list.page(f, _after(request.args.get("after")), PAGE_SIZE + 1)
        total = letters_list.count(f)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    letters_list.details(rows)
    next_args = dict(request.args, after=_token(rows[-1])) if more and rows else None
    return render_template("letters.html", rows=rows, total=total, next_args=next_args, person=person,
                           people=people, org=org, orgs=orgs, place=place, places=places, year=year, month=month,
                           kind=kind, fond=fond,
                           descending=f.descending, fonds=queries.fonds(), kinds=letters_list.kinds(), base=base,
                           unmatched=unmatched, names=letters_list.choices("schema:Person"),
                           org_names=letters_list.choices("schema:Organization"),
                           place_names=letters_list.choices("schema:Place"))


def wants_json() -> bool:
    """``format=json``, or an Accept header that prefers JSON to HTML."""
    if request.args.get("format"):
        return request.args["format"].lower() == "json"
    accept = request.accept_mimetypes
    return bool(accept) and accept.best_match(["text/html", "application/json"]) == "application/json"


@bp.route("/search")
def search() -> Response | str:
    """Names (entities) and letters (full text) for ``q``; HTML, or JSON for data users."""
    try:
        result = run_search(request.args)
    except BadSearch as err:
        abort(400, str(err))
    if wants_json():
        if not result.words:
            abort(400, " ".join(result.notices))
        return jsonify(search_json(result))
    return render_template("search.html", r=result, facet_links=facet_links(result), page_link=page_link)


@bp.route("/query")
def editor() -> str:
    return render_template("sparql.html", examples=queries.EXAMPLE_QUERIES, settings=ctx().settings,
                           vendor=vendor_available(), initial=request.args.get("query", ""),
                           namespaces=[ctx().settings.base_iri, ONTOLOGY_NS, VOCAB_NS])


def _vocabulary_labels(desc: Description) -> None:
    """Name our SKOS concepts and ontology terms (bcv:julian → "Julian") from the ontology files."""
    from rdflib import URIRef
    from rdflib.namespace import RDFS, SKOS

    base = ctx().settings.base_iri
    graph = ontology_graph()
    ours = (base + "vocab/", base + "ns#")
    for _, _, o in desc.triples:
        iri = o[1]
        if o[0] == "uri" and iri not in desc.labels and iri.startswith(ours):
            label = graph.value(URIRef(iri), SKOS.prefLabel) or graph.value(URIRef(iri), RDFS.label)
            if label is not None:
                desc.labels[iri] = str(label)


def render_resource(kind: str, desc: Description) -> str:
    """The HTML representation of a resource (called by ``kg.web.resources``)."""
    _vocabulary_labels(desc)
    view: dict = {}
    template = "resource.html"
    cited = None
    if kind == "letter" and "http://schema.org/Message" in desc.types():
        view, template = views.letter(desc), "letter.html"
        cited = citation(view, desc, ctx().build.version)
    elif kind in ("person", "org", "place", "event") and desc.exists \
            and "/" not in desc.iri[len(ctx().settings.base_iri) + len(kind) + 1:]:
        view, template = entities.entity(kind, desc), "entity.html"
    elif kind == "archive":
        view = views.archive_unit(desc)
    local = (local_path(desc.iri) or desc.iri).rstrip("/")
    return render_template(template, kind=kind, desc=desc, view=view, inverse=views.inverse_groups(desc),
                           formats=[f for f in RESOURCE_FORMATS if f.suffix != ".html"], local=local,
                           schema=views.schema_org(desc, view), build=ctx().build,
                           vendor=vendor_available(), cited=cited)


def render_ontology(graph: Graph) -> str:
    """The ontology page: every term with its axioms and alignments (``kg.web.ontology``)."""
    from kg.store.results import PREFIXES
    from kg.web.ontology import ontology_view

    return render_template("ontology.html", view=ontology_view(graph, PREFIXES["bc"], PREFIXES["bcv"]))


@bp.route("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)
