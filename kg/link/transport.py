"""HTTP for `kg link`: one GET with a total deadline, a size cap, and redirects only within the API's origin.

Why not ``requests``: its timeout applies to each socket operation, so a server that sends one byte
every few seconds keeps a request alive for ever (issue 13, item 19); it reads a whole answer before
we can look at its size (item 18); and it follows redirects to any host, carrying our query and our
User-Agent there (item 20). Here the standard library's ``http.client`` still does the protocol
(status line, headers, chunked bodies), but:

- the sockets re-arm their timeout before every read and write to what is left of the request's
  deadline (``_DeadlineMixin``), so connect, TLS handshake, headers and body together can never
  outlast it, however slowly the bytes come — no thread, no signal;
- a ``Content-Length`` over the cap is refused before the body is read, and a body without one is
  read in chunks into a buffer that refuses to grow past the cap (gzip is decoded under the same cap,
  so a small compressed answer cannot expand past it);
- redirects are ours to follow: only to the same scheme, host and port as the configured API, at
  most ``MAX_REDIRECTS``; any other is refused before a byte goes to the other host.

Each request opens its own connection and closes it (``Connection: close``): at one request a
second, keep-alive saves little, and a connection never outlives the deadline that guarded it.
Not covered: the DNS lookup (``getaddrinfo`` has no timeout in Python), and proxies: ``requests`` took
``HTTPS_PROXY`` from the environment, this transport connects directly (a site behind a proxy needs
CONNECT support added here).
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urlencode, urljoin, urlsplit

REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CHUNK = 64 * 1024  # bytes asked of the socket at a time; the body buffer grows by at most this


@dataclass(frozen=True)
class Limits:
    """What one request may cost."""

    deadline: float = 60.0  # seconds for the whole request: connect, send, headers, body, redirects
    max_bytes: int = 32_000_000  # largest answer body, as received and as decoded
    idle_timeout: float = 20.0  # connect timeout, and longest silence between two reads


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: the only place a redirect may lead."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Origin:
        """The origin of an http(s) URL; ValueError for anything else."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        return cls(scheme, parts.hostname.lower(), parts.port or (443 if scheme == "https" else 80))

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class Answer:
    """A final (non-redirect) answer. ``body`` is read for 200 only: other statuses are judged by their headers."""

    status: int
    headers: Message
    body: bytes | bytearray  # not copied into bytes: the buffer can be as large as the cap
    url: str


class TransportError(Exception):
    """The request failed. ``transient``: another attempt may succeed (the caller retries those)."""

    transient = False

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TimedOut(TransportError):
    """The deadline passed, or the server was silent for longer than the idle timeout."""

    transient = True


class ConnectionFailed(TransportError):
    """Refused, reset, cut off mid-answer, or not HTTP at all."""

    transient = True


class AnswerTooLarge(TransportError):
    """The answer is over the size cap: the same question would get the same answer, so it is not retried."""


class BadAnswer(TransportError):
    """An answer that cannot be decoded (unknown Content-Encoding, broken gzip): not retried."""


class RedirectRefused(TransportError):
    """A redirect to another origin (or a redirect loop): never followed."""


class _Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float]):
        self.seconds, self._clock = seconds, clock
        self._end = clock() + seconds

    def passed(self) -> bool:
        return self._clock() >= self._end

    def left(self) -> float:
        """Seconds left; raises TimedOut once there are none."""
        left = self._end - self._clock()
        if left <= 0:
            raise self.error()
        return left

    def error(self) -> TimedOut:
        return TimedOut(f"no complete answer within the {self.seconds:g} s deadline")


class _DeadlineMixin:
    """Every read and write waits at most what is left of the deadline (and at most the idle timeout)."""

    _deadline: _Deadline
    _idle: float

    def _arm(self) -> None:
        self.settimeout(min(self._idle, self._deadline.left()))  # type: ignore[attr-defined]

    def recv_into(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._arm()
        return super().recv_into(*args, **kwargs)  # type: ignore[misc]

    def sendall(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self._arm()
        return super().sendall(*args, **kwargs)  # type: ignore[misc]


class _DeadlineSocket(_DeadlineMixin, socket.socket):
    pass


class _DeadlineSSLSocket(_DeadlineMixin, ssl.SSLSocket):
    pass


class _Connection(http.client.HTTPConnection):
    """One connection, its sockets bound to the request's deadline; TLS when the origin is https."""

    def __init__(self, origin: Origin, deadline: _Deadline, idle: float, tls: ssl.SSLContext | None):
        super().__init__(origin.host, origin.port, timeout=idle)
        self.default_port = 443 if origin.scheme == "https" else 80  # the Host header names other ports only
        self._deadline, self._idle, self._tls = deadline, idle, tls

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), min(self._idle, self._deadline.left()))
        sock: socket.socket = _DeadlineSocket(raw.family, raw.type, raw.proto, fileno=raw.detach())
        try:
            self._bind(sock)  # its timeout also bounds the whole TLS handshake (CPython keeps one deadline for it)
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
                self._bind(sock)
        except BaseException:
            sock.close()  # never left open when the deadline passes between two steps
            raise
        self.sock = sock

    def _bind(self, sock: socket.socket) -> None:
        sock._deadline, sock._idle = self._deadline, self._idle  # type: ignore[attr-defined]
        sock.settimeout(min(self._idle, self._deadline.left()))


class Transport:
    """GET requests to one API origin under ``Limits``."""

    def __init__(self, base_url: str, limits: Limits, ssl_context: ssl.SSLContext | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.base_url, self.limits, self._clock = base_url, limits, clock
        self.origin = Origin.of(base_url)
        self._tls: ssl.SSLContext | None = None
        if self.origin.scheme == "https":
            self._tls = ssl_context or ssl.create_default_context()
            self._tls.sslsocket_class = _DeadlineSSLSocket

    def get(self, params: Mapping[str, str], headers: Mapping[str, str]) -> Answer:
        """GET base_url?params, following same-origin redirects, all under one deadline."""
        deadline = _Deadline(self.limits.deadline, self._clock)
        url = self.base_url + ("&" if "?" in self.base_url else "?") + urlencode(list(params.items()))
        for _hop in range(MAX_REDIRECTS + 1):
            answer = self._once(url, headers, deadline)
            if answer.status not in REDIRECTS:
                return answer
            url = self._redirect_target(url, answer)
        raise RedirectRefused(f"more than {MAX_REDIRECTS} redirects")

    def _redirect_target(self, url: str, answer: Answer) -> str:
        location = answer.headers.get("Location")
        if not location:
            raise ConnectionFailed(f"HTTP {answer.status} without a Location")
        target = urljoin(url, location.strip())
        if not target.isascii() or any(c.isspace() or ord(c) < 32 for c in target):
            raise RedirectRefused(f"HTTP {answer.status} redirect to a malformed URL refused")
        try:
            origin = Origin.of(target)
        except ValueError:
            origin = None
        if origin != self.origin:
            where = str(origin) + urlsplit(target).path if origin else repr(target.split("?", 1)[0])
            raise RedirectRefused(f"HTTP {answer.status} redirect to {where} refused: only redirects within "
                                  f"{self.origin} (the configured API) are followed")
        return target

    def _once(self, url: str, headers: Mapping[str, str], deadline: _Deadline) -> Answer:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = _Connection(self.origin, deadline, self.limits.idle_timeout, self._tls)
        response: http.client.HTTPResponse | None = None
        try:
            conn.request("GET", target, headers={**headers, "Accept-Encoding": "gzip", "Connection": "close"})
            response = conn.getresponse()
            body = read_capped(response, self.limits.max_bytes) if response.status == 200 else b""
            return Answer(response.status, response.headers, body, url)
        except TimeoutError:
            if deadline.passed():
                raise deadline.error() from None
            raise TimedOut(f"no data for {self.limits.idle_timeout:g} s") from None
        except (OSError, http.client.HTTPException) as err:
            raise ConnectionFailed(f"connection failed: {_first_line(err)}") from None
        finally:
            if response is not None:
                response.close()
            conn.close()


def read_capped(response: http.client.HTTPResponse, cap: int) -> bytearray:
    """The body, decoded from gzip if so sent; AnswerTooLarge as soon as it (raw or decoded) passes ``cap``."""
    length_header = (response.getheader("Content-Length") or "").strip()
    length = int(length_header) if length_header.isascii() and length_header.isdigit() else None
    if length is not None and length > cap:
        raise AnswerTooLarge(f"answer of {length} bytes (Content-Length) is over the {cap}-byte cap; "
                             "refused before reading it")
    encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip"):
        raise BadAnswer(f"unsupported Content-Encoding {encoding!r}")
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    body, received = bytearray(), 0
    while chunk := response.read1(CHUNK):
        received += len(chunk)
        if received > cap:
            raise AnswerTooLarge(f"answer over the {cap}-byte cap: stopped reading at {received} bytes")
        try:
            body += decoder.decompress(chunk, cap - len(body) + 1) if decoder else chunk
        except zlib.error as err:
            raise BadAnswer(f"malformed gzip answer: {err}") from None
        if len(body) > cap:
            raise AnswerTooLarge(f"answer over the {cap}-byte cap once decompressed: stopped reading")
    if length is not None and received < length:
        raise ConnectionFailed(f"answer cut off after {received} of {length} bytes")
    if decoder is not None and not decoder.eof:
        raise BadAnswer("malformed gzip answer: it ends before the compressed data does")
    return body


def _first_line(err: Exception) -> str:
    return str(err).splitlines()[0][:160] if str(err) else type(err).__name__
