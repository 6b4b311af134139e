"""The outermost WSGI layer: validators, conditional requests and replayed answers, per release.

Why here, in front of Flask and of ``kg.web.fastpath``: an answer replayed from ``kg.web.cache``
costs no routing, no guard, no query worker and no template, and a ``304`` needs none of them
either. Every request is pinned to the release being served (``kg.web.release``), so its key, its
ETag and the store that computes it belong to one release.

What this layer decides, for GET and HEAD of every page, resource, /sparql and listing (not the
dump files, which answer ranges and their own validators, nor /static/):

- **Validators.** A complete 200 gets a strong ``ETag`` (release + request + the row and byte caps
  served, ``kg.web.cache.etag_of``),
  ``Last-Modified`` (the release's time) and ``Cache-Control: public, max-age=answer_max_age``,
  replacing what a view set, so every answer is validated the same way. An error gets
  ``Cache-Control: no-store`` (unless it says otherwise), so no shared cache keeps a 503 or a 404
  of a resource that the next release may have.
- **304** (RFC 9110 §13.2.2): ``If-None-Match`` first, by weak comparison; only when it is absent,
  ``If-Modified-Since`` against the release's time. A tag of this release matches without running
  anything (it was issued for a 200 of this very request); ``If-Modified-Since`` is honoured only
  once the answer is known to be a 200. The view below always sees an unconditional request.
- **HEAD** is answered as GET without the body, and shares GET's cached answer.
- **Replay.** A complete 200 of at most ``answer_cache_bytes / 8`` bytes is kept; never an answer
  flagged ``X-SPARQL-Truncated: true`` (it keeps its validators: the cut is the same on every run of
  a release, so a client's copy may still be revalidated), one marked ``no-store``/``private``, one
  setting a cookie, nor any other status (timeouts and overload are 503, errors are 4xx/5xx). POSTs
  to /sparql are keyed by their body and replayed too, without validators (a POST is not
  revalidated). A private 200 loses the view's validators and gets ``no-store``.

``X-Cache: hit`` marks a replayed answer, ``miss`` one computed now.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import lru_cache
from typing import Any

from werkzeug.http import http_date, parse_date, parse_etags

from kg.web.cache import AnswerCache, Entry, Headers, Key, entry, etag_of, normalized_pairs, request_key
from kg.web.context import WebContext
from kg.web.release import Generation, Releases

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

PASS_PREFIXES = ("/dumps/", "/static/")
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
               "HTTP_IF_RANGE")
FORM, DIRECT = "application/x-www-form-urlencoded", "application/sparql-query"
VALIDATORS = frozenset(("etag", "last-modified", "cache-control", "expires"))
NOT_IN_304 = frozenset(("content-length", "content-type", "x-sparql-truncated", "x-sparql-max-rows", "link"))


class Released:
    """An answer still being streamed: the request counts on its release until the server closes it."""

    def __init__(self, inner: Iterable[bytes], done: Callable[[], None]):
        self.inner, self.done = inner, done

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.inner)

    def close(self) -> None:
        try:
            close = getattr(self.inner, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


class AnswerLayer:
    """WSGI middleware around the app (see the module docstring). ``cache`` may be disabled (0 bytes):
    validators and 304s still apply."""

    def __init__(self, inner: WSGIApp, releases: Releases, cache: AnswerCache, max_age: int, max_body: int,
                 cors: Headers):
        self.inner, self.releases, self.cache, self.cors = inner, releases, cache, cors
        self.cache_control = f"public, max-age={max_age}"
        self.max_body = max_body

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        generation = self.releases.enter()
        environ["kg.web"] = generation.web
        try:
            out = self._serve(environ, start_response, generation.web)
        except BaseException:
            self.releases.leave(generation)
            raise
        if isinstance(out, list):  # complete already
            self.releases.leave(generation)
            return out
        return Released(out, lambda: self._leave(generation))

    def _leave(self, generation: Generation) -> None:
        self.releases.leave(generation)

    def _serve(self, environ: Environ, start_response: StartResponse, web: WebContext) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        if (method not in ("GET", "HEAD", "POST") or path.startswith(PASS_PREFIXES) or "HTTP_RANGE" in environ
                or (method == "POST" and path != "/sparql")):
            return self.inner(environ, start_response)
        body_type = body = ""
        if method == "POST":
            read = self._post_body(environ)
            if read is None:
                return self.inner(environ, start_response)
            body_type, body = read
        key = request_key(web.build.version, method, path, environ.get("QUERY_STRING", ""),
                          environ.get("HTTP_ACCEPT", ""), environ.get("HTTP_HOST", ""),
                          environ.get("wsgi.url_scheme", "http"), body_type, body,
                          f"{web.settings.max_rows}/{web.settings.max_bytes}")
        head, validated = method == "HEAD", method != "POST"
        conditions = {h: environ.pop(h) for h in CONDITIONAL if h in environ}  # the view answers in full
        found = self.cache.get(key)
        if found is not None:
            return self._send(found, conditions, web, start_response, head, "hit")
        etag = etag_of(key) if validated else ""
        if validated and _tag_matches(conditions.get("HTTP_IF_NONE_MATCH"), etag, star=False):
            return self._not_modified(etag, web, start_response)
        if head:
            environ["REQUEST_METHOD"] = "GET"
        return self._compute(environ, start_response, web, key, etag, conditions, head)

    def _post_body(self, environ: Environ) -> tuple[str, str] | None:
        """(Content-Type, normalized body) of a /sparql POST; None when the view should decide alone
        (no declared length, too large, another media type, undecodable)."""
        length = environ.get("CONTENT_LENGTH") or ""
        mimetype = environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
        if not length.isdigit() or int(length) > self.max_body or mimetype not in (FORM, DIRECT):
            return None
        data = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(data)  # the view reads it again
        if len(data) != int(length):
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        content_type = " ".join(environ.get("CONTENT_TYPE", "").split())  # whole, parameters (charset) included
        return content_type, normalized_pairs(text) if mimetype == FORM else text

    def _compute(self, environ: Environ, start_response: StartResponse, web: WebContext, key: Key, etag: str,
                 conditions: dict[str, str], head: bool) -> Iterable[bytes]:
        seen: dict[str, Any] = {}

        def capture(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], None]:
            seen.update(status=status, headers=headers, exc_info=exc_info)
            return _no_write

        result = self.inner(environ, capture)
        status, headers = seen["status"], list(seen["headers"])
        named = {k.lower(): v for k, v in headers}  # one pass over the headers (this path is per request)
        if status.startswith("200") and _shareable(named):
            if etag:
                headers = self._validators(headers, etag, web)
            length = named.get("content-length")
            whole = named.get("x-sparql-truncated", "").lower() != "true"  # a cut answer is never replayed here
            if whole and length is not None and length.isdigit() and int(length) <= self.cache.entry_limit:
                answer = _drain(result)
                item = entry(key, headers, answer, etag)
                if self.cache.enabled and web is self.releases.current.web:  # not for a release just replaced
                    self.cache.put(key, item)
                return self._send(item, conditions, web, start_response, head, "miss")
            if etag and _fresh(conditions, etag, web):
                _close(result)
                return self._not_modified(etag, web, start_response)
        elif status.startswith("200"):  # private or with a cookie: no validators, kept by nobody
            headers = [(k, v) for k, v in headers if k.lower() not in VALIDATORS] + [("Cache-Control", "no-store")]
        elif not status.startswith(("2", "3")) and "cache-control" not in named:
            headers.append(("Cache-Control", "no-store"))
        start_response(status, [*headers, ("X-Cache", "miss")], seen["exc_info"])
        if head:
            _close(result)
            return []
        return result

    def _validators(self, headers: Headers, etag: str, web: WebContext) -> Headers:
        kept = [(k, v) for k, v in headers if k.lower() not in VALIDATORS]
        return [*kept, ("ETag", etag), ("Last-Modified", _http_date(web.build.modified)),
                ("Cache-Control", self.cache_control)]

    def _send(self, item: Entry, conditions: dict[str, str], web: WebContext, start_response: StartResponse,
              head: bool, how: str) -> list[bytes]:
        if item.etag and _fresh(conditions, item.etag, web):
            return self._not_modified(item.etag, web, start_response, item.headers, how)
        start_response("200 OK", [*item.headers, ("X-Cache", how)])
        return [] if head else [item.body]

    def _not_modified(self, etag: str, web: WebContext, start_response: StartResponse,
                      headers: Iterable[tuple[str, str]] | None = None, how: str = "hit") -> list[bytes]:
        """304 with the headers the 200 would have carried, less the body's own (RFC 9110 §15.4.5)."""
        if headers is None:
            headers = [("Vary", "Accept"), ("ETag", etag), ("Last-Modified", _http_date(web.build.modified)),
                       ("Cache-Control", self.cache_control), *self.cors]
        start_response("304 Not Modified", [(k, v) for k, v in headers if k.lower() not in NOT_IN_304]
                       + [("X-Cache", how)])
        return []


@lru_cache(maxsize=4)
def _http_date(moment: datetime) -> str:
    """Last-Modified of a release (one value per release: formatting it cost ~7 us a request)."""
    return http_date(moment)


def _no_write(data: bytes) -> None:
    raise NotImplementedError("the answer layer does not support WSGI's write() callable")


def _shareable(named: dict[str, str]) -> bool:
    """An answer anyone may be given again (``named``: headers by lower-case name): not private, not
    ``no-store``, no cookie."""
    control = named.get("cache-control", "").lower()
    return "no-store" not in control and "private" not in control and "set-cookie" not in named


def _tag_matches(header: str | None, etag: str, star: bool) -> bool:
    """If-None-Match against our strong tag, by weak comparison; ``*`` counts only when ``star``."""
    if not header:
        return False
    if header.strip() == "*":
        return star
    return parse_etags(header).contains_weak(etag.strip('"'))


def _fresh(conditions: dict[str, str], etag: str, web: WebContext) -> bool:
    """True when the client's copy is current: If-None-Match decides when sent; else If-Modified-Since."""
    if "HTTP_IF_NONE_MATCH" in conditions:
        return _tag_matches(conditions["HTTP_IF_NONE_MATCH"], etag, star=True)
    since = parse_date(conditions.get("HTTP_IF_MODIFIED_SINCE"))
    return since is not None and web.build.modified <= since


def _drain(result: Iterable[bytes]) -> bytes:
    try:
        return b"".join(result)
    finally:
        _close(result)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()
