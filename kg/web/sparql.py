"""/sparql: the SPARQL 1.1 Protocol (query operation only), behind the guards of ``kg.web.guards``.

GET ?query=, POST form-encoded, POST application/sparql-query; default-graph-uri / named-graph-uri;
results by Accept (or ``format=``/``output=``); a browser (``text/html`` preferred) gets the results as
an HTML table (``kg.web.sparql_html``). GET without a query answers the service description (or, for a
browser, the query editor). Any update (parameter, media type or query text) is 403; a request with
more than one ``query``, more than one ``update``, or both, is 400 (the protocol allows exactly one).

Relative IRIs in a query without ``BASE`` resolve against the endpoint's published IRI,
``Settings.base_iri + "sparql"`` (the protocol lets the service choose its base, and suggests the
endpoint): the answer is then the same whichever host serves the build, and ``<letter/167>`` means
the published letter. Syntax errors are explained by ``kg.web.syntax_errors``.

The protocol logic (``read_call``, ``answer``) works on plain values, not on Flask's request, so the
same code serves this Flask route and the lean WSGI path of ``kg.web.fastpath``, which answers the
common requests without Flask's per-request machinery; refusals are ``HTTPException``s either way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, ServiceUnavailable
from werkzeug.http import quote_etag

from kg.store.formats import RDF_FORMATS, RESULT_FORMATS, Format
from kg.store.types import (
    EngineFailure,
    QueryBusy,
    QueryEngineError,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnsupported,
    Serialized,
)
from kg.web import guards
from kg.web.conneg import HTML, NotAcceptable, content_type, negotiate
from kg.web.context import WebContext, ctx
from kg.web.service_description import service_description
from kg.web.sparql_html import PAGE_FORMATS, project_prefixes, results_page, wants_html, with_prefixes
from kg.web.syntax_errors import SyntaxReport, explain

bp = Blueprint("sparql", __name__)
GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"


class SparqlSyntaxError(BadRequest):
    """A 400 that carries the explained syntax error (its fields go into the JSON error body)."""

    def __init__(self, report: SyntaxReport):
        super().__init__(report.message)
        self.report = report


@dataclass(frozen=True)
class Call:
    """One /sparql request as the protocol sees it, whichever way it arrived."""

    method: str
    query: str | None
    defaults: list[str]
    named: list[str]
    format: str | None  # the ``format`` or ``output`` parameter
    timeout: str | None  # the ``timeout`` parameter
    accept: str  # the Accept header ("" when absent)


def _one_operation(*sources: MultiDict) -> None:
    """At most one ``query`` or one ``update`` in the whole request (URL and form body together): with
    two, which one would run is a guess (the first ran, before). A lone update is refused as read-only."""
    queries = sum(len(s.getlist("query")) for s in sources)
    updates = sum(len(s.getlist("update")) for s in sources)
    if queries and updates:
        abort(400, "A request carries either one query or one update, not both.")
    if queries > 1:
        abort(400, f"The request has {queries} query parameters; send exactly one.")
    if updates > 1:
        abort(400, f"The request has {updates} update parameters; send exactly one (and this endpoint is "
                   "read-only).")
    if updates:
        guards.refuse_update()


def _utf8_only(charset: str | None) -> None:
    if charset and charset.strip().strip('"').lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii"):
        abort(415, f"The query must be sent in UTF-8, not {charset}.")


def read_call(method: str, mimetype: str, args: MultiDict, form: Callable[[], MultiDict], body: Callable[[], str],
              accept: str, charset: str | None = None) -> Call:
    """The query, graphs and options from any of the three protocol forms. ``form`` and ``body`` are
    called only for a POST of their media type (reading a body costs; a GET has none). ``charset``:
    the request's declared one; the protocol's bodies are UTF-8, anything else is 415."""
    params, values = args, args
    query = args.get("query")
    if method == "POST" and mimetype == FORM:
        _utf8_only(charset)
        params = form()
        _one_operation(args, params)
        query, values = params.get("query"), MultiDict([*args.items(multi=True), *params.items(multi=True)])
    else:
        _one_operation(args)
    if method == "POST" and mimetype != FORM:
        if mimetype == DIRECT:
            _utf8_only(charset)
            if "query" in args:
                abort(400, "A query sent as the body (application/sparql-query) cannot also be a query parameter.")
            query = body()
        elif mimetype == "application/sparql-update":
            guards.refuse_update()
        else:
            abort(415, "POST a query as application/x-www-form-urlencoded (query=...) or as "
                       "application/sparql-query.")
    defaults = params.getlist("default-graph-uri") or args.getlist("default-graph-uri")
    named = params.getlist("named-graph-uri") or args.getlist("named-graph-uri")
    return Call(method, query, defaults, named, values.get("format") or values.get("output"), values.get("timeout"),
                accept)


def _describe_service(fmt_param: str | None) -> Response:
    fmt = negotiate((*RDF_FORMATS, HTML), fmt_param)
    if fmt is HTML:
        from kg.web.pages import editor

        return Response(editor(), mimetype="text/html")
    graph = service_description(request.base_url, ctx().settings, ctx().sandboxed)
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    response = Response(graph.serialize(format=rdflib_name, encoding="utf-8"), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    return response


def _formats(graph_form: bool, param: str | None, accept: str) -> tuple[Format, Format]:
    """(results format, RDF format): the one for the form the lexer saw must fit Accept (else 406);
    the other is only a fallback in case the engine's reading of the form differs."""
    wanted, other = (RDF_FORMATS, RESULT_FORMATS) if graph_form else (RESULT_FORMATS, RDF_FORMATS)
    chosen = negotiate(wanted, param, accept)
    try:
        spare = negotiate(other, param, accept)
    except NotAcceptable:
        spare = other[0]
    return (spare, chosen) if graph_form else (chosen, spare)


def base_declaration(web: WebContext) -> str:
    """What goes before every query, on its first line: ``BASE <endpoint IRI>``. A ``BASE`` of the
    query's own comes later in the prologue and wins, as SPARQL's later declarations do."""
    return f"BASE <{web.settings.base_iri}sparql> "


def _run(web: WebContext, query: str, plan: guards.Plan, defaults: list[str], named: list[str],
         formats: tuple[Format, Format]) -> Serialized:
    settings = web.settings
    endpoints = tuple(t for t in plan.scan.services if t) if plan.federated else False
    base = base_declaration(web)
    try:
        return web.store.query_serialized(base + query, plan.timeout, defaults, named,
                                          formats=(formats[0].name, formats[1].name), max_rows=settings.max_rows,
                                          federated=endpoints, base_prefix=settings.base_iri)
    except QuerySyntaxError as err:
        raise SparqlSyntaxError(explain(query, str(err), len(base), project_prefixes(web))) from None
    except QueryBusy as err:
        raise ServiceUnavailable(f"{err}. Try again shortly, or narrow the query.", retry_after=5) from None
    except QueryTimeout as err:
        abort(503, f"{err}. Narrow the query, add a LIMIT, or download the dumps from /dumps/.")
    except QueryUnsupported as err:
        abort(400, f"The query uses something this endpoint's engine does not support: {err}.")
    except EngineFailure as err:
        abort(500, f"The query engine failed on this query: {err}. Its worker was replaced; other queries are "
                   "not affected. If the query is valid SPARQL, please report it.")
    except QueryEngineError as err:
        abort(502, f"The query failed while running: {err}")


def answer(web: WebContext, call: Call, formats: tuple[Format, Format] | None = None
           ) -> tuple[bytes, list[tuple[str, str]]]:
    """Check, run and label one query: (body, headers of a 200 answer). Refusals and failures raise
    ``HTTPException`` (403, 413, 400, 406 as ``NotAcceptable``, 503, 502, 500). ``formats``: (results,
    RDF) format, when the caller has chosen them (the HTML page does); else they follow Accept."""
    assert call.query is not None
    plan = guards.check(call.query, call.timeout, web.settings)
    if formats is None:
        formats = _formats(plan.scan.form in GRAPH_FORMS, call.format, call.accept)
    result = _run(web, call.query, plan, call.defaults, call.named, formats)
    fmt = formats[1] if result.is_graph else formats[0]
    headers = [("Content-Type", content_type(fmt)), ("Vary", "Accept")]
    if result.is_graph or plan.scan.form != "ASK":
        headers += [("X-SPARQL-Truncated", "true" if result.truncated else "false"),
                    ("X-SPARQL-Max-Rows", str(web.settings.max_rows))]
    if call.method == "GET":
        key = "\x00".join([call.query, result.format, *call.defaults, "|", *call.named]).encode()
        headers.append(("ETag", quote_etag(f"{web.build.version[:16]}-{hashlib.sha256(key).hexdigest()[:16]}")))
    return result.body, headers


def call_from_flask() -> Call:
    """The ``Call`` of the current Flask request."""
    return read_call(request.method, request.mimetype, request.args, lambda: request.form,
                     lambda: request.get_data(as_text=True), request.headers.get("Accept", ""),
                     request.mimetype_params.get("charset"))


@bp.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    call = call_from_flask()
    if call.query is None:
        if request.method == "POST":
            abort(400, "No query: send query=... (form) or a body of type application/sparql-query.")
        return _describe_service(call.format)
    if wants_html(call.format, call.accept):
        body, headers = answer(ctx(), call, formats=PAGE_FORMATS)
        return results_page(ctx(), call.query, body, headers)
    body, headers = answer(ctx(), call)
    response = Response(body, headers=headers)
    if request.method == "GET":
        response.make_conditional(request)
    return response


@bp.app_context_processor
def _editor_prefixes() -> dict[str, object]:
    """``project_prefixes()`` and ``with_prefixes(query)`` for the editor's templates (computed only
    when a template calls them)."""
    return {"project_prefixes": lambda: project_prefixes(ctx()),
            "with_prefixes": lambda query: with_prefixes(query, project_prefixes(ctx()))}
