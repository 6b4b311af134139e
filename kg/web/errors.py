"""One error shape for the whole site: an HTML page for browsers, JSON for everyone else.

JSON: ``{"error": <reason phrase>, "status": <code>, "message": <what to do>}`` (plus ``offered``
on 406). Anything that is not an HTTPException is a bug: it is logged with its traceback and answered
as a plain 500, without leaking the exception text.
"""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from kg.store.types import QueryTimeout
from kg.web.conneg import NotAcceptable

bp = Blueprint("errors", __name__)


def wants_html() -> bool:
    accept = request.accept_mimetypes
    best = accept.best_match(["application/json", "text/html"]) if accept else None
    return best == "text/html" and accept["text/html"] > accept["application/json"]


def error_response(status: int, title: str, message: str, offered: list[str] | None = None):
    if wants_html():
        body = render_template("error.html", status=status, title=title, message=message, offered=offered or [])
        response = current_app.response_class(body, status=status, mimetype="text/html")
    else:
        payload: dict[str, object] = {"error": title, "status": status, "message": message}
        if offered:
            payload["offered"] = offered
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
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(NotAcceptable, _not_acceptable)
    app.register_error_handler(QueryTimeout, _too_slow)
    app.register_error_handler(Exception, _bug)
