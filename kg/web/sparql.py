"""/sparql: the SPARQL 1.1 Protocol (query operation only), behind the guards of ``kg.web.guards``.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri / named-graph-uri;
results by Accept (or ``format=``/``output=``). GET without a query answers the service description
(or, for a browser, the query editor). Any update (parameter, media type or query text) is 403.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request

from kg.store import Boolean, QueryEngineError, QuerySyntaxError, QueryTimeout, Solutions, Triples
from kg.web import guards
from kg.web.conneg import HTML, RDF_FORMATS, RESULT_FORMATS, Format, content_type, negotiate
from kg.web.context import ctx
from kg.web.results import serialize_results, serialize_triples
from kg.web.service_description import service_description

bp = Blueprint("sparql", __name__)
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


def _read_request() -> tuple[str | None, list[str], list[str]]:
    """(query, default graphs, named graphs) from any of the three protocol forms."""
    if "update" in request.args:
        guards.refuse_update()
    params = request.args
    query = request.args.get("query")
    if request.method == "POST":
        mime = request.mimetype
        if mime == "application/x-www-form-urlencoded":
            if "update" in request.form:
                guards.refuse_update()
            params, query = request.form, request.form.get("query")
        elif mime == "application/sparql-query":
            query = request.get_data(as_text=True)
        elif mime == "application/sparql-update":
            guards.refuse_update()
        else:
            abort(415, "POST a query as application/x-www-form-urlencoded (query=...) or as "
                       "application/sparql-query.")
    defaults = params.getlist("default-graph-uri") or request.args.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri") or request.args.getlist("named-graph-uri")
    return query, defaults, named


def _format_param() -> str | None:
    return request.values.get("format") or request.values.get("output")


def _describe_service() -> Response:
    fmt = negotiate((*RDF_FORMATS, HTML), _format_param())
    if fmt is HTML:
        from kg.web.pages import editor

        return Response(editor(), mimetype="text/html")
    graph = service_description(request.base_url, ctx().settings, ctx().sandboxed)
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    response = Response(graph.serialize(format=rdflib_name, encoding="utf-8"), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


def _run(query: str, plan: guards.Plan, defaults: list[str], named: list[str]):
    store, settings = ctx().store, ctx().settings
    try:
        return store.query(query, plan.timeout, defaults, named, max_rows=settings.max_rows,
                           federated=plan.federated)
    except QuerySyntaxError as err:
        abort(400, f"SPARQL syntax error: {err}")
    except QueryTimeout as err:
        abort(503, f"{err}. Narrow the query, add a LIMIT, or download the dumps from /dumps/.")
    except QueryEngineError as err:
        abort(502, f"The query failed while running: {err}")


def _response(result, fmt: Format) -> Response:
    settings = ctx().settings
    if isinstance(result, Triples):
        body = serialize_triples(result.triples, fmt, settings.base_iri)
    else:
        body = serialize_results(result, fmt)
    response = Response(body, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    if isinstance(result, Solutions | Triples):
        response.headers["X-SPARQL-Truncated"] = "true" if result.truncated else "false"
        response.headers["X-SPARQL-Max-Rows"] = str(settings.max_rows)
    return response


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    query, defaults, named = _read_request()
    if query is None:
        if request.method == "POST":
            abort(400, "No query: send query=... (form) or a body of type application/sparql-query.")
        return _describe_service()
    settings = ctx().settings
    plan = guards.check(query, request.values.get("timeout"), settings)
    graph_form = plan.scan.form in GRAPH_FORMS
    fmt = negotiate(RDF_FORMATS if graph_form else RESULT_FORMATS, _format_param())
    result = _run(query, plan, defaults, named)
    if isinstance(result, Triples) != (fmt in RDF_FORMATS):  # the lexer misjudged the form: renegotiate
        fmt = negotiate(RDF_FORMATS if isinstance(result, Triples) else RESULT_FORMATS, _format_param())
    if isinstance(result, Boolean | Solutions | Triples):
        response = _response(result, fmt)
    else:  # pragma: no cover - a store returned something outside the protocol
        raise TypeError(f"unexpected query result {type(result).__name__}")
    if request.method == "GET":
        key = "\x00".join([query, fmt.name, *defaults, "|", *named]).encode()
        response.set_etag(f"{ctx().build.version[:16]}-{hashlib.sha256(key).hexdigest()[:16]}")
        response.make_conditional(request)
    return response
