"""Stage "web": the publisher, as one Flask app: Linked Data pages, the SPARQL endpoint, the dumps.

In: ``Settings`` and a ``kg.store`` ``Store`` (default: the embedded store over ``output/``). Out:
HTTP answers. ``create_app(settings, store)`` is the only way to get an app (no global app, no
settings read at import); ``serve`` runs it under waitress (``kg serve``). Blueprints are cut by
concern: ``resources`` (Linked Data URIs with content negotiation), ``sparql`` (the guarded
endpoint; common requests are answered in front of Flask by ``fastpath``; browsers get an HTML table
from ``sparql_html``; ``syntax_errors`` says where a query is wrong), ``dumps`` (files of
output/ and VoID), ``pages`` (home, lists, search, the query editor), ``browse`` (the indexes of
people, organizations, places, events and archives; About), ``pictures`` (the collection's timeline, map
and network of correspondents, each also as JSON and CSV, from ``picture_data``; ``charts`` measures the
timeline's SVG); ``errors`` gives every
failure the same shape; HTML only in ``templates/``.

May import: kg.store, kg.config, kg.errors
"""

from __future__ import annotations

import time

from flask import Flask, Response, request

from kg.config import Settings
from kg.errors import KGError
from kg.store import open_store
from kg.store.types import Store
from kg.web.context import BuildInfo, WebContext, build_info

EXPOSED = "ETag, Last-Modified, Link, Vary, X-SPARQL-Truncated, X-SPARQL-Max-Rows, Content-Length"
CORS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]


def _cors(response: Response) -> Response:
    """Anyone may read (``*``); credentials are never allowed, so no cookie or auth rides along."""
    for name, value in CORS:
        response.headers[name] = value
    response.headers.pop("Access-Control-Allow-Credentials", None)
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type, If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _build(settings: Settings) -> BuildInfo:
    try:
        return build_info(settings.output_dir)
    except KGError:  # a remote backend without a local build: version = this server's start
        from datetime import UTC, datetime

        return BuildInfo(version=f"{int(time.time()):x}", modified=datetime.now(UTC).replace(microsecond=0))


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The app over ``store`` (default: the embedded store loaded from ``settings.output_dir``)."""
    from kg.web import browse, dumps, errors, pages, pictures, resources, sparql
    from kg.web.fastpath import SparqlFastPath
    from kg.web.templating import install

    settings = settings or Settings()
    if store is None:
        store = open_store(settings.output_dir, settings.sparql_backend)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
                      JSON_SORT_KEYS=False)
    web = WebContext(settings=settings, store=store, build=_build(settings),
                     sandboxed=bool(getattr(store, "sandboxed", False)))
    app.extensions["kg"] = web
    errors.register(app)
    install(app)
    for blueprint in (sparql.bp, dumps.bp, pages.bp, browse.bp, pictures.bp, resources.bp):
        app.register_blueprint(blueprint)
    app.after_request(_cors)
    app.wsgi_app = SparqlFastPath(app, web, CORS)  # type: ignore[method-assign]
    return app


__all__ = ["create_app"]
