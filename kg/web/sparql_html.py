"""/sparql for a person: results as an HTML table, and the project's prefixes for the query editor.

Why: a browser that opens a ``/sparql?query=…`` link (from the docs, a chat, the editor) sends
``Accept: text/html,…,application/xml;q=0.9,*/*;q=0.8``; it used to get SPARQL XML as a download.
Only a request that names ``text/html`` (or ``application/xhtml+xml``) first among its best-rated
types, or asks ``format=html``, gets the page: machine clients' defaults (``*/*``, SPARQL JSON) are
unchanged. ``kg.web.sparql`` runs the query through the same guards and caps, in SPARQL JSON or
N-Triples (``PAGE_FORMATS``); this module turns that answer into the page, shows the query editable,
and links every IRI under the base to its local page.

The prefixes offered to the editor are those the ontology files declare (``ontology/*.ttl``, or
their copy published with the build): the ontology is the source of truth, not a list kept here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Response, render_template
from rdflib import Graph
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.store.engine import encode
from kg.store.formats import NTRIPLES, RESULTS_JSON
from kg.store.types import RDF_LANGSTRING, XSD_STRING, Term
from kg.web.context import WebContext

HTML_TYPES = ("text/html", "application/xhtml+xml")


@lru_cache(maxsize=64)
def _accepts_html_first(header: str) -> bool:
    """True when an HTML type is named explicitly and comes first among the best-rated types."""
    entries = [(value, q) for value, q in parse_accept_header(header, MIMEAccept) if q > 0]
    if not entries:
        return False
    top = max(q for _, q in entries)
    first = next(value for value, q in entries if q == top)
    return first.lower() in HTML_TYPES


def wants_html(format_param: str | None, accept: str) -> bool:
    if format_param:
        return format_param.strip().lower() in ("html", *HTML_TYPES)
    return _accepts_html_first(accept)


@lru_cache(maxsize=8)
def _declared(folder: str) -> tuple[tuple[str, str], ...]:
    prefixes: dict[str, str] = {}
    for path in sorted(Path(folder).glob("*.ttl")):
        graph = Graph(bind_namespaces="none")
        graph.parse(path, format="turtle")
        for prefix, namespace in graph.namespaces():
            if prefix:
                prefixes.setdefault(prefix, str(namespace))
    return tuple(sorted(prefixes.items()))


def project_prefixes(web: WebContext) -> dict[str, str]:
    """Prefix -> namespace, as the ontology files declare them (the build's published copy first)."""
    published = web.settings.output_dir / "ontology"
    folder = published if any(published.glob("*.ttl")) else web.settings.ontology_dir
    return dict(_declared(str(folder)))


def with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """``query`` with a ``PREFIX`` line for each project prefix it does not declare yet."""
    from kg.store.scan import tokens

    declared = {value[:-1] for kind, value in tokens(query) if kind == "pname" and value.endswith(":")}
    lines = [f"PREFIX {p}: <{ns}>" for p, ns in prefixes.items() if p not in declared]
    return "\n".join([*lines, query]) if lines else query


def _json_term(cell: dict[str, str]) -> Term:
    kind = cell["type"]
    if kind == "uri":
        return ("uri", cell["value"])
    if kind == "bnode":
        return ("bnode", cell["value"])
    lang = cell.get("xml:lang")
    return ("literal", cell["value"], RDF_LANGSTRING if lang else cell.get("datatype", XSD_STRING), lang)


def _table(body: bytes, graph: bool) -> tuple[list[str], list[list[Term | None]], bool | None]:
    """(column names, rows of terms, the ASK answer or None) from the answer's bytes."""
    if graph:
        import pyoxigraph as ox

        rows = [[encode(t.subject), encode(t.predicate), encode(t.object)]
                for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
        return ["subject", "predicate", "object"], rows, None  # type: ignore[return-value]
    data = json.loads(body)
    if "boolean" in data:
        return [], [], bool(data["boolean"])
    names = list(data["head"].get("vars", []))
    rows = [[_json_term(b[n]) if n in b else None for n in names] for b in data["results"]["bindings"]]
    return names, rows, None


PAGE_FORMATS = (RESULTS_JSON, NTRIPLES)  # what the page asks the store for: (results, graphs)


def results_page(web: WebContext, query: str, body: bytes, headers: list[tuple[str, str]]) -> Response:
    """The answer to ``query`` (``body`` and ``headers`` in ``PAGE_FORMATS``) as an HTML page."""
    graph = dict(headers)["Content-Type"].startswith(NTRIPLES.media_type)
    names, rows, boolean = _table(body, graph)
    truncated = dict(headers).get("X-SPARQL-Truncated") == "true"
    page = render_template("sparql_results.html", query=query, names=names, rows=rows, boolean=boolean,
                           truncated=truncated, max_rows=web.settings.max_rows, graph=graph)
    kept = [(k, v) for k, v in headers if k in ("X-SPARQL-Truncated", "X-SPARQL-Max-Rows")]
    return Response(page, mimetype="text/html", headers=[("Vary", "Accept"), *kept])
