"""One error shape for the whole site: an HTML page for browsers, JSON for everyone else.

JSON: ``{"error": <reason phrase>, "status": <code>, "message": <what to do>}`` (plus ``offered``
on 406; a SPARQL syntax error adds ``line``, ``column``, ``found``, ``expected`` and ``excerpt``, and
its message ends with the caret excerpt, for clients that print only the message). Anything that is
not an HTTPException is a bug: it is logged with its traceback and answered
as a plain 500, without leaking the exception text.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kg.store.types import QueryTimeout
from kg.web.conneg import NotAcceptable
from kg.web.sparql import SparqlSyntaxError

bp = Blueprint("errors", __name__)


def wants_html() -> bool:
    accept = request.accept_mimetypes
    best = accept.best_match(["application/json", "text/html"]) if accept else None
    return best == "text/html" and accept["text/html"] > accept["application/json"]


def error_response(status: int, title: str, message: str, offered: list[str] | None = None,
                   fields: dict[str, object] | None = None, page: dict[str, object] | None = None):
    """``fields``: more members of the JSON body; ``page``: more values for the HTML page."""
    if wants_html():
        body = render_template("error.html", status=status, title=title, message=message, offered=offered or [],
                               **(page or {}))
        response = current_app.response_class(body, status=status, mimetype="text/html")
    else:
        payload: dict[str, object] = {"error": title, "status": status, "message": message}
        if offered:
            payload["offered"] = offered
        payload.update(fields or {})
        response = jsonify(payload)
        response.status_code = status
    response.headers["Vary"] = "Accept"
    return response


def _http_error(err: HTTPException):
    response = error_response(err.code or 500, err.name, err.description or "")
    for key in ("Allow", "Retry-After"):
        if err.get_response().headers.get(key):
            response.headers[key] = err.get_response().headers[key]
    return response


def _syntax(err: SparqlSyntaxError):
    """400 with where and what: the summary and the caret excerpt on the page, with the query to edit."""
    report = err.report
    query = request.values.get("query") if request.mimetype != "application/sparql-query" else \
        request.get_data(as_text=True)
    return error_response(400, "Bad Request", report.message,
                          fields={"line": report.line, "column": report.column, "found": report.found,
                                  "expected": list(report.expected), "excerpt": report.excerpt},
                          page={"summary": report.summary, "detail": report.excerpt, "query": query})


def _not_acceptable(err: NotAcceptable):
    return error_response(406, "Not Acceptable", str(err), [f.media_type for f in err.offered])


def _too_slow(err: QueryTimeout):
    """A page whose own queries ran out of time (a huge person page on a slow machine): 503, not 500."""
    response = error_response(503, "Service Unavailable", f"This page took too long to prepare: {err}. Try again.")
    response.headers["Retry-After"] = "5"
    return response


def _bug(err: Exception):
    """Log the traceback once, answer the usual shape. The reason phrase comes from an *instance*:
    ``HTTPException.name`` is a property, so on the class it is a property object, not a string."""
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, InternalServerError().name, "The server failed on this request; it has been logged.")


def register(app: Flask) -> None:
    app.register_error_handler(SparqlSyntaxError, _syntax)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NotAcceptable, _not_acceptable)
    app.register_error_handler(QueryTimeout, _too_slow)
    app.register_error_handler(Exception, _bug)
