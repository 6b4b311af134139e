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
failure the same shape; HTML only in ``templates/``. ``dataset`` answers the IRIs of the dataset's
own description (``/void``, ``/void/…``, ``/vocab/``, ``/shapes``) and turns any published IRI into
its local page (``/iri?u=``). The base IRI is the build's own (``void:uriSpace``, read by
``context.build_info``), so a build made with any ``kg build --base`` is served as made; every
response names the build's version in ``X-Release``. Outermost, ``answers`` gives every answer its
validators and 304s and replays complete answers per release (``cache``), and ``release`` swaps in a
build published into output/ while the app runs (store, version and cache together). ``search``
answers /search from the store (names) and from the release's full-text index (``fulltext`` reads
``search.sqlite``, ``ranking`` counts, orders and facets the hits from its posting lists; its format
is kg.publish's, which writes it, hence the import of kg.publish; a Cyrillic query is
transliterated by kg.link.names' rule, hence kg.link).

May import: kg.store, kg.publish, kg.link, kg.config, kg.errors
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from flask import Flask, Response, request

from kg.config import Settings
from kg.errors import KGError
from kg.store import open_store
from kg.store.types import Store
from kg.web.context import BuildInfo, WebContext, build_info, settings_for

EXPOSED = ("ETag, Last-Modified, Link, Vary, X-Release, Repr-Digest, X-SPARQL-Truncated, X-SPARQL-Max-Rows, "
           "Content-Length, X-Cache")
CORS = [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED)]


def _cors(response: Response) -> Response:
    """Anyone may read (``*``); credentials are never allowed, so no cookie or auth rides along.
    Every answer also names the build it comes from (``X-Release``)."""
    from kg.web.context import ctx

    response.headers["X-Release"] = ctx().build.version
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


def create_app(settings: Settings | None = None, store: Store | None = None,
               reopen: Callable[[], Store] | None = None) -> Flask:
    """The app over ``store`` (default: the embedded store loaded from ``settings.output_dir``).

    ``reopen`` opens a store over ``settings.output_dir`` as it is now: with it (the default when
    the app opens its own embedded store), a release published into output/ while the app runs is
    loaded and swapped in (``kg.web.release``); without it the release is fixed for the app's life."""
    from kg.web import browse, cite, dataset, dumps, errors, pages, pictures, resources, sparql
    from kg.web.fastpath import SparqlFastPath
    from kg.web.templating import install

    settings = settings or Settings()
    build = _build(settings)
    settings = settings_for(settings, build)
    if store is None:
        store = open_store(settings.output_dir, settings.sparql_backend)
        if reopen is None and not settings.sparql_backend:
            reopen = partial(open_store, settings.output_dir)
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, MAX_FORM_MEMORY_SIZE=settings.max_body_bytes,
                      JSON_SORT_KEYS=False)
    web = WebContext(settings=settings, store=store, build=build,
                     sandboxed=bool(getattr(store, "sandboxed", False)))
    app.extensions["kg"] = web
    errors.register(app)
    install(app)
    for blueprint in (sparql.bp, dumps.bp, pages.bp, browse.bp, pictures.bp, cite.bp, resources.bp, dataset.bp):
        app.register_blueprint(blueprint)
    app.after_request(_cors)
    app.wsgi_app = SparqlFastPath(app, web, CORS)  # type: ignore[method-assign]
    _answer_layer(app, web, None if settings.sparql_backend else reopen)
    return app


def _answer_layer(app: Flask, web: WebContext, reopen: Callable[[], Store] | None) -> None:
    """Wrap the app in ``kg.web.answers`` (validators, 304, replayed answers) over the release watcher."""
    from kg.web.answers import AnswerLayer
    from kg.web.cache import AnswerCache
    from kg.web.release import Releases

    settings = web.settings
    cache = AnswerCache(settings.answer_cache_bytes)

    def swapped(fresh: WebContext) -> None:
        app.extensions["kg"] = fresh
        cache.clear()

    releases = Releases(web, reopen, partial(_build, settings), settings.release_check_interval, swapped)
    app.extensions["kg.releases"], app.extensions["kg.cache"] = releases, cache
    app.wsgi_app = AnswerLayer(app.wsgi_app, releases, cache, settings.answer_max_age,  # type: ignore[method-assign]
                               settings.max_body_bytes, CORS)


__all__ = ["create_app"]
