"""/sparql: the SPARQL 1.1 Protocol (query operation only), behind the guards of ``kg.web.guards``.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri / named-graph-uri;
results by Accept (or ``format=``/``output=``). GET without a query answers the service description
(or, for a browser, the query editor). Any update (parameter, media type or query text) is 403.
"""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, request

from kg.store import QueryEngineError, QuerySyntaxError, QueryTimeout, Serialized
from kg.web import guards
from kg.web.conneg import HTML, RDF_FORMATS, RESULT_FORMATS, Format, NotAcceptable, content_type, negotiate
from kg.web.context import ctx
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


def _formats(graph_form: bool) -> tuple[Format, Format]:
    """(results format, RDF format): the one for the form the lexer saw must fit Accept (else 406);
    the other is only a fallback in case the engine's reading of the form differs."""
    param = _format_param()
    wanted, other = (RDF_FORMATS, RESULT_FORMATS) if graph_form else (RESULT_FORMATS, RDF_FORMATS)
    chosen = negotiate(wanted, param)
    try:
        spare = negotiate(other, param)
    except NotAcceptable:
        spare = other[0]
    return (spare, chosen) if graph_form else (chosen, spare)


def _run(query: str, plan: guards.Plan, defaults: list[str], named: list[str],
         formats: tuple[Format, Format]) -> Serialized:
    store, settings = ctx().store, ctx().settings
    try:
        return store.query_serialized(query, plan.timeout, defaults, named, formats=(formats[0].name, formats[1].name),
                                      max_rows=settings.max_rows, federated=plan.federated,
                                      base_prefix=settings.base_iri)
    except QuerySyntaxError as err:
        abort(400, f"SPARQL syntax error: {err}")
    except QueryTimeout as err:
        abort(503, f"{err}. Narrow the query, add a LIMIT, or download the dumps from /dumps/.")
    except QueryEngineError as err:
        abort(502, f"The query failed while running: {err}")


def _response(answer: Serialized, formats: tuple[Format, Format], select: bool) -> Response:
    fmt = formats[1] if answer.is_graph else formats[0]
    response = Response(answer.body, content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    if answer.is_graph or select:
        response.headers["X-SPARQL-Truncated"] = "true" if answer.truncated else "false"
        response.headers["X-SPARQL-Max-Rows"] = str(ctx().settings.max_rows)
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
    formats = _formats(plan.scan.form in GRAPH_FORMS)
    answer = _run(query, plan, defaults, named, formats)
    response = _response(answer, formats, select=plan.scan.form != "ASK")
    if request.method == "GET":
        key = "\x00".join([query, answer.format, *defaults, "|", *named]).encode()
        response.set_etag(f"{ctx().build.version[:16]}-{hashlib.sha256(key).hexdigest()[:16]}")
        response.make_conditional(request)
    return response
