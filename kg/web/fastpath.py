"""The lean path of /sparql: plain WSGI in front of Flask for the requests that make up the load.

Why: a small query costs the engine ~0.1 ms, while Flask's request machinery (contexts, routing,
request and response objects, lazy properties behind proxies) cost ~0.3 ms of the web process's CPU
per request, under the GIL that all of waitress's threads share (measured: bench/http_bench.py).
Here a GET with ``query=``, or a POST of a form or of ``application/sparql-query``, is answered by
the very same protocol code as the Flask route (``kg.web.sparql.read_call`` / ``answer``: the same
guards, limits, formats and headers), called with values taken straight from the WSGI environ.

Everything else goes to Flask untouched: other paths, other methods (HEAD, OPTIONS), conditional or
range requests (werkzeug's ``make_conditional`` decides those), bodies without a length or larger
than ``max_body_bytes`` (Flask's 413), anything this module cannot parse exactly as werkzeug would.
A refusal or failure raised by the shared code (403, 413, 400, 406, 415, 502, 503, a bug) is
rendered by Flask's own error handlers and ``after_request`` hooks, so every error keeps one shape.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" codec error handler used below
from flask import Flask
from werkzeug.datastructures import MultiDict
from werkzeug.http import parse_options_header

from kg.web.context import WebContext
from kg.web.sparql import DIRECT, FORM, Call, answer, read_call
from kg.web.sparql_html import wants_html

Environ = dict[str, Any]
StartResponse = Callable[..., Any]

# Headers that make a GET conditional or partial: Flask's path (werkzeug's make_conditional) handles them.
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_IF_RANGE", "HTTP_RANGE")


class NotHere(Exception):
    """This request is not one the lean path answers; Flask will."""


def _pairs(text: str) -> MultiDict:
    """Parse a query string or form body exactly as werkzeug does (``Request.args`` / form parser)."""
    return MultiDict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


class SparqlFastPath:
    """WSGI middleware: answers common /sparql requests itself, hands the rest to ``app``'s own WSGI app.

    ``cors`` are the headers ``kg.web``'s ``after_request`` hook adds to every answer; they are added
    here too, since this path does not run Flask's hooks for a successful answer."""

    def __init__(self, app: Flask, web: WebContext, cors: list[tuple[str, str]]):
        self.app, self.flask_wsgi, self.web, self.cors = app, app.wsgi_app, web, cors
        self.max_body = web.settings.max_body_bytes

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != "/sparql" or environ.get("REQUEST_METHOD") not in ("GET", "POST"):
            return self.flask_wsgi(environ, start_response)
        body: bytes | None = None
        try:
            body = self._body(environ)
            call = self._call(environ, body)
            if call.query is None or wants_html(call.format, call.accept):
                raise NotHere  # the service description, the editor or the HTML results page: Flask's
            web = environ.get("kg.web", self.web)  # the release this request is pinned to
            data, headers = answer(web, call)
        except NotHere:
            self._restore(environ, body)
            return self.flask_wsgi(environ, start_response)
        except Exception as err:  # noqa: BLE001 - every refusal and failure is rendered by Flask's handlers
            self._restore(environ, body)
            return self._flask_error(environ, start_response, err)
        headers += self.cors
        headers.append(("X-Release", web.build.version))  # as the after_request hook says on Flask's answers
        headers.append(("Content-Length", str(len(data))))
        start_response("200 OK", headers)
        return [data]

    def _body(self, environ: Environ) -> bytes | None:
        """A POST's body (None for a GET), read only when its length is declared and within the limit."""
        if environ["REQUEST_METHOD"] != "POST":
            if any(h in environ for h in CONDITIONAL):
                raise NotHere
            return None
        length = environ.get("CONTENT_LENGTH")
        if not length or not length.isdigit() or int(length) > self.max_body:
            raise NotHere  # no length, a chunked body or one over the limit: werkzeug decides (e.g. 413)
        data = environ["wsgi.input"].read(int(length))
        if len(data) != int(length):
            raise NotHere
        return data

    def _call(self, environ: Environ, body: bytes | None) -> Call:
        try:
            args = _pairs(environ.get("QUERY_STRING", "").encode("latin-1").decode())
            text = None if body is None else body.decode()
        except UnicodeError:
            raise NotHere from None  # werkzeug's own handling of undecodable bytes applies
        mimetype, params = parse_options_header(environ.get("CONTENT_TYPE", ""))
        mimetype = mimetype.lower()
        if body is not None and mimetype not in (FORM, DIRECT):
            raise NotHere
        return read_call(environ["REQUEST_METHOD"], mimetype, args, lambda: _pairs(text or ""), lambda: text or "",
                         environ.get("HTTP_ACCEPT", ""), params.get("charset"))

    @staticmethod
    def _restore(environ: Environ, body: bytes | None) -> None:
        """Give Flask the body this path has already read."""
        if body is not None:
            environ["wsgi.input"] = io.BytesIO(body)

    def _flask_error(self, environ: Environ, start_response: StartResponse, err: Exception) -> Iterable[bytes]:
        """Render ``err`` as Flask would have for this request (error handlers, then ``after_request``)."""
        app = self.app
        with app.request_context(environ):
            try:
                response = app.finalize_request(app.handle_user_exception(err))
            except Exception as again:  # noqa: BLE001 - as Flask's own full_dispatch_request does
                response = app.handle_exception(again)
            return response(environ, start_response)
