"""Answers kept per release: an LRU bounded in bytes, and the key a request is known by.

Why: a published release never changes, so the same request on the same release is answered with
the same bytes. Replaying them costs microseconds; computing them costs a query worker round trip
(light lookup: ~1-2 ms of the web process, mostly Python), a describe and a template. The key
holds the release version first, so an answer of an old release can never match a request once a
new one is served (the whole cache is also dropped on a swap, see ``kg.web.release``).

The key is everything the answer may depend on: method (HEAD shares GET's answer), path, the query
string with its parameters ordered by name (the order of repeated names kept: ``default-graph-uri``
lists are ordered), for a POST the media type and the body (a form normalized like a query string,
a query sent as ``application/sparql-query`` byte for byte: whitespace inside a literal matters),
the ``Accept`` header (content negotiation; ``Vary: Accept``), and host and scheme (the service
description names the endpoint by the URL it was asked at).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

Key = tuple[str, ...]
Headers = list[tuple[str, str]]
ENTRY_OVERHEAD = 200  # bytes an entry costs beyond its body, headers and key (the objects that hold them)


def normalized_pairs(text: str) -> str:
    """A query string or form body with its parameters in a stable order (sorted by name, values of
    one name in the order sent), re-encoded the same way every time. Undecodable text stays as sent.
    One parameter (the usual ``query=...``) stays as sent too: there is no order to settle, and
    re-encoding it cost a cold lookup ~40 us (bench/results/cache-profile.md)."""
    if "&" not in text:
        return text
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        return text
    return urlencode(sorted(pairs, key=lambda pair: pair[0]))


def request_key(version: str, method: str, path: str, query_string: str, accept: str, host: str, scheme: str,
                body_type: str = "", body: str = "", limits: str = "") -> Key:
    """The cache key of one request (see the module's docstring for why each part is in it).

    ``limits`` are the served settings that shape an answer (the row and byte caps): a server restarted
    with other caps cuts the same query elsewhere, so its answers and ETags must not match the old ones."""
    return (version, "GET" if method == "HEAD" else method, path, normalized_pairs(query_string),
            " ".join(accept.split()), host.lower(), scheme, body_type, body, limits)


def etag_of(key: Key) -> str:
    """A strong ETag (quoted) for the answer to ``key``: release version + digest of the request.
    Strong, because within a release the same request is answered with the same bytes."""
    digest = hashlib.sha256("\x00".join(key[1:]).encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return f'"{key[0][:16]}-{digest}"'


@dataclass(frozen=True)
class Entry:
    """One complete 200 answer: its headers (validators included) and its body."""

    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str
    size: int


def entry(key: Key, headers: Headers, body: bytes, etag: str) -> Entry:
    """The headers are kept as a tuple of pairs of strings: the garbage collector stops tracking such
    tuples, so thousands of kept answers do not lengthen every full collection."""
    kept = tuple(headers)
    size = len(body) + sum(len(k) + len(v) for k, v in kept) + sum(map(len, key)) + ENTRY_OVERHEAD
    return Entry(kept, body, etag, size)


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    stored: int = 0
    evicted: int = 0
    dropped: int = 0  # entries thrown away when the release changed


class AnswerCache:
    """Least recently used answers, at most ``limit`` bytes in all (bodies, headers and keys
    counted); an answer larger than ``entry_limit`` is never kept. ``limit`` 0: nothing is kept.
    Thread-safe (waitress answers on several threads)."""

    def __init__(self, limit: int, entry_limit: int | None = None):
        self.limit = max(0, limit)
        self.entry_limit = self.limit // 8 if entry_limit is None else min(entry_limit, self.limit)
        self.bytes = 0
        self.stats = CacheStats()
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Entry | None:
        if not self.limit:
            return None
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.stats.misses += 1
                return None
            self._entries.move_to_end(key)
            self.stats.hits += 1
            return found

    def fits(self, size: int) -> bool:
        """Whether an answer of ``size`` body bytes may be kept at all (checked before reading it)."""
        return 0 < self.limit and size <= self.entry_limit

    def put(self, key: Key, item: Entry) -> bool:
        """Keep ``item`` (evicting the least recently used) unless it is larger than ``entry_limit``."""
        if item.size > self.entry_limit:
            return False
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = item
            self.bytes += item.size
            self.stats.stored += 1
            while self.bytes > self.limit:
                _, gone = self._entries.popitem(last=False)
                self.bytes -= gone.size
                self.stats.evicted += 1
        return True

    def clear(self) -> None:
        """Forget every answer (the release changed)."""
        with self._lock:
            self.stats.dropped += len(self._entries)
            self._entries.clear()
            self.bytes = 0
