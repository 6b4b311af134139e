"""A polite, cached, retrying client for the Wikidata (MediaWiki) API used by `kg link`.

Why a client of our own instead of a bare ``requests.get``: Wikidata asks bots for a descriptive
User-Agent, serial requests and respect of ``Retry-After``/``maxlag``; reconciliation is re-run after
every authority edit, so answers are cached on disk and a re-run costs no request at all; and one
failing entity must not stop the run, so every failure surfaces as one ``ApiError`` the caller can
record and move past. The HTTP itself (``kg.link.transport``) bounds every request: a total deadline,
a size cap, redirects only within the API's own origin. The base URL is injected: tests point the
client at real HTTP servers on 127.0.0.1 that replay recorded answers or misbehave on purpose.

Answers are JSON parsed under a nesting limit (``MAX_JSON_DEPTH``), checked by a linear scan before
``json.loads``, rather than by catching the RecursionError of a too-deep answer: the limit is the
same for every caller (a RecursionError depends on how deep the caller's own stack already is, and
may come from anywhere), it names the problem, and no answer the cache later re-reads or re-writes
can come near the interpreter's recursion limit. Real Wikidata answers nest about 10 levels deep.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import re
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from kg.errors import LinkingError
from kg.link.transport import Answer, Limits, Transport, TransportError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_API_ERRORS = frozenset({"maxlag", "ratelimited", "readonly"})  # MediaWiki says "try again later"
MAX_JSON_DEPTH = 64  # nesting of arrays/objects allowed in an answer (real ones: about 10)
CACHE_ENVELOPE = 4096  # bytes a cache file may hold beyond the answer itself (URL, parameters, date)


class ApiError(LinkingError):
    """A request failed for good (retries exhausted, malformed answer, or an API error object)."""


@dataclass(frozen=True)
class ClientConfig:
    """How the client talks to the API. Defaults are polite for the live Wikidata service."""

    base_url: str
    user_agent: str
    cache_dir: Path | None = None  # None: no on-disk cache
    min_interval: float = 1.0  # seconds between two requests actually sent (cache hits are free)
    timeout: float = 20.0  # seconds: connect timeout, and longest silence while reading
    deadline: float = 60.0  # seconds for a whole attempt (connect, headers, body, same-host redirects)
    max_bytes: int = 32_000_000  # largest answer read or cached; a larger one fails its entity
    max_retries: int = 4  # further attempts after the first one
    backoff: float = 1.0  # first backoff delay; doubles on each retry
    max_delay: float = 120.0  # cap on a backoff wait; a longer Retry-After ends the attempt (we never wait less)
    maxlag: int | None = 5  # MediaWiki maxlag: the server tells us to wait when its replicas lag


@dataclass
class ClientStats:
    """What the client did, for the run summary and for tests."""

    requests: int = 0  # HTTP attempts actually sent
    cache_hits: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)  # backoff delays slept (not rate-limit pauses)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header: delta-seconds or an HTTP date. None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def cache_key(base_url: str, params: Mapping[str, str]) -> str:
    """The request's identity: URL plus sorted parameters, hashed to a file name."""
    text = base_url + "?" + urlencode(sorted(params.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, reason: str, delay: float | None = None):
        super().__init__(reason)
        self.reason, self.delay = reason, delay


class WikidataClient:
    """GET requests against the MediaWiki API with caching, rate limiting and bounded retries."""

    def __init__(self, config: ClientConfig, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, ssl_context: ssl.SSLContext | None = None):
        self.config = config
        try:
            self.transport = Transport(config.base_url, Limits(config.deadline, config.max_bytes, config.timeout),
                                       ssl_context)
        except ValueError as err:
            raise LinkingError(f"Wikidata API: {err}") from None
        self._sleep, self._clock = sleep, clock
        self._last_sent: float | None = None
        self.stats = ClientStats()

    def get(self, params: Mapping[str, str]) -> dict:
        """One API call: from the cache if we asked before, else over HTTP. Raises ApiError."""
        params = {**params, "format": "json"}
        if self.config.maxlag is not None:
            params.setdefault("maxlag", str(self.config.maxlag))
        cached = self._cache_read(params)
        if cached is not None:
            self.stats.cache_hits += 1
            return cached
        body = self._fetch(params)
        self._cache_write(params, body)
        return body

    # -- HTTP with retries ----------------------------------------------------------------------

    def _fetch(self, params: dict[str, str]) -> dict:
        """Attempt, and on a transient failure wait (Retry-After, else exponential backoff) and try again."""
        attempt = 0
        while True:
            try:
                return self._attempt(params)
            except _Retry as retry:
                if attempt >= self.config.max_retries:
                    raise ApiError(f"{_describe(params)}: gave up after {attempt + 1} attempts: "
                                   f"{retry.reason}") from None
                if retry.delay is not None and retry.delay > self.config.max_delay:
                    raise ApiError(f"{_describe(params)}: {retry.reason}: the server asks to wait {retry.delay:.0f} s, "
                                   f"more than max_delay ({self.config.max_delay:.0f} s); try again later") from None
                delay = retry.delay if retry.delay is not None else min(self.config.backoff * 2 ** attempt,
                                                                        self.config.max_delay)
                self.stats.retries += 1
                self.stats.waits.append(delay)
                self._sleep(delay)
                attempt += 1

    def _attempt(self, params: dict[str, str]) -> dict:
        """Send once; return the decoded body, raise _Retry (transient) or ApiError (final)."""
        self._pace()
        self.stats.requests += 1
        try:
            answer = self.transport.get(params, {"User-Agent": self.config.user_agent,
                                                 "Accept": "application/json"})
        except TransportError as err:
            if err.transient:
                raise _Retry(err.reason) from None
            raise ApiError(f"{_describe(params)}: {err.reason}") from None
        finally:
            self._last_sent = self._clock()
        if answer.status in RETRY_STATUSES:
            raise _Retry(f"HTTP {answer.status}", retry_after_seconds(answer.headers.get("Retry-After")))
        if answer.status != 200:
            raise ApiError(f"{_describe(params)}: HTTP {answer.status}")
        return self._decode(answer, params)

    def _decode(self, answer: Answer, params: dict[str, str]) -> dict:
        """The JSON object of a 200 answer. MediaWiki reports errors (maxlag too) as HTTP 200 + an error object."""
        try:
            body = parse_json(answer.body)
        except ValueError as err:
            raise ApiError(f"{_describe(params)}: {err}") from None
        if not isinstance(body, dict):
            raise ApiError(f"{_describe(params)}: unexpected JSON ({type(body).__name__}, not an object)")
        error = body.get("error")
        if isinstance(error, dict):
            code, info = error.get("code", "?"), error.get("info", "")
            if code in RETRY_API_ERRORS:
                raise _Retry(f"API error {code}", retry_after_seconds(answer.headers.get("Retry-After")))
            raise ApiError(f"{_describe(params)}: API error {code}: {info}")
        return body

    def _pace(self) -> None:
        """Keep at least ``min_interval`` seconds between two requests sent."""
        if self._last_sent is None or self.config.min_interval <= 0:
            return
        wait = self.config.min_interval - (self._clock() - self._last_sent)
        if wait > 0:
            self._sleep(wait)

    # -- on-disk cache ----------------------------------------------------------------------------

    def _cache_path(self, params: Mapping[str, str]) -> Path | None:
        if self.config.cache_dir is None:
            return None
        return self.config.cache_dir / f"{cache_key(self.config.base_url, params)}.json"

    def _cache_read(self, params: Mapping[str, str]) -> dict | None:
        """A cached answer; a damaged, oversized or too deeply nested file is simply asked again (and replaced)."""
        path = self._cache_path(params)
        try:
            if path is None or path.stat().st_size > self.config.max_bytes + CACHE_ENVELOPE:
                return None
            entry = parse_json(path.read_bytes(), MAX_JSON_DEPTH + 1)  # +1: the envelope around the answer
            return entry["body"] if isinstance(entry, dict) and isinstance(entry.get("body"), dict) else None
        except (ValueError, KeyError, OSError):
            return None

    def _cache_write(self, params: Mapping[str, str], body: dict) -> None:
        """Only good answers within the cap are cached: errors must be retried on the next run."""
        path = self._cache_path(params)
        if path is None:
            return
        entry = {"url": self.config.base_url, "params": dict(sorted(params.items())),
                 "retrieved": datetime.now(UTC).isoformat(timespec="seconds"), "body": body}
        data = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if len(data) > self.config.max_bytes + CACHE_ENVELOPE:  # re-encoding can only rarely grow an answer
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)


_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)  # \" and \\ inside strings, so that every other " delimits one
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST = re.compile(r"[\[{][\]}]")  # an opener right before a closer (kinds ignored: a bound is enough)


def json_depth(text: str, limit: int) -> int:
    """How deeply arrays and objects nest in ``text`` (brackets in strings do not count), or ``limit + 1``
    as soon as it is known to be more.

    Why not a loop over the characters: answers run to megabytes, and this runs before every parse.
    Here every step is one pass of C code: drop escapes, split on quotes (every other piece is inside
    a string; an unterminated string swallows the rest, as it should), keep the brackets, then peel
    innermost pairs one level per pass. For malformed text it is an upper bound of how deep a parser
    gets before it fails, which is what the limit is for.
    """
    outside = "".join(_JSON_ESCAPE.sub("", text).split('"')[::2])
    brackets = _NOT_BRACKET.sub("", outside)
    if re.search(r"[\[{]{" + str(limit + 1) + "}", brackets):  # the usual attack, [[[[..., in one pass
        return limit + 1
    for level in range(limit + 1):
        if not brackets:
            return level
        peeled = _INNERMOST.sub("", brackets)
        if peeled == brackets:  # unbalanced: closers, then openers; a parser fails at the first closer
            return level + (0 if brackets[0] in "]}" else len(brackets))
        brackets = peeled
    return limit + 1


def parse_json(data: bytes | bytearray, max_depth: int = MAX_JSON_DEPTH) -> object:
    """UTF-8 JSON nested at most ``max_depth`` levels; ValueError saying what is wrong otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"malformed JSON (not UTF-8: {err.reason} at byte {err.start})") from None
    if json_depth(text, max_depth) > max_depth:
        raise ValueError(f"malformed JSON: nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except ValueError:
        raise ValueError(f"malformed JSON ({text[:60]!r})") from None


def _describe(params: Mapping[str, str]) -> str:
    action = params.get("action", "?")
    what = params.get("search") or params.get("ids") or ""
    return f"{action} {what!r}" if what else action


# -- the two API actions `kg link` uses, decoded into records ------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One wbsearchentities result: an item id and the text it matched on (label or alias)."""

    qid: str
    label: str
    description: str
    matched: str  # the label/alias the search matched
    match_type: str  # "label" | "alias" | ...


@dataclass(frozen=True)
class WikidataItem:
    """The parts of a wbgetentities item that scoring needs."""

    qid: str
    label: str  # English label ("" if none)
    description: str  # English description ("" if none)
    names: tuple[str, ...]  # labels and aliases in every fetched language
    instance_of: tuple[str, ...]  # P31 values
    years: dict[str, tuple[int, ...]] = field(default_factory=dict)  # "P569" -> (1886,), from time claims


NAME_LANGUAGES = "en|ru|de|fr"  # transliteration variants live in these labels and aliases
YEAR_PROPERTIES = ("P569", "P570", "P571", "P576", "P580", "P582", "P585")  # birth, death, founded, dissolved,
#                                                                              start, end, point in time


def search_items(client: WikidataClient, text: str, limit: int = 7) -> list[SearchHit]:
    """wbsearchentities: items whose English label or alias matches ``text``, in Wikidata's order."""
    body = client.get({"action": "wbsearchentities", "search": text, "language": "en", "uselang": "en",
                       "type": "item", "limit": str(limit)})
    results = body.get("search")
    if not isinstance(results, list):
        raise ApiError(f"wbsearchentities {text!r}: answer has no 'search' list")
    hits = []
    for row in results:
        if not isinstance(row, dict) or not str(row.get("id", "")).startswith("Q"):
            continue
        match = row.get("match") if isinstance(row.get("match"), dict) else {}
        hits.append(SearchHit(qid=row["id"], label=str(row.get("label", "")),
                              description=str(row.get("description", "")),
                              matched=str(match.get("text", row.get("label", ""))),
                              match_type=str(match.get("type", ""))))
    return hits


def get_items(client: WikidataClient, qids: list[str]) -> dict[str, WikidataItem]:
    """wbgetentities for up to 50 ids: labels, descriptions, aliases and claims. Missing ids are left out."""
    if not qids:
        return {}
    body = client.get({"action": "wbgetentities", "ids": "|".join(sorted(set(qids))),
                       "props": "labels|descriptions|aliases|claims", "languages": NAME_LANGUAGES})
    entities = body.get("entities")
    if not isinstance(entities, dict):
        raise ApiError(f"wbgetentities {'|'.join(qids)!r}: answer has no 'entities' object")
    items = {}
    for qid, raw in entities.items():
        if isinstance(raw, dict) and "missing" not in raw:
            items[qid] = parse_item(qid, raw)
    return items


def parse_item(qid: str, raw: dict) -> WikidataItem:
    """Decode one wbgetentities entity (formatversion 1 shape)."""
    labels = _lang_values(raw.get("labels"))
    aliases = [a.get("value", "") for values in (raw.get("aliases") or {}).values() if isinstance(values, list)
               for a in values if isinstance(a, dict)]
    claims = raw.get("claims") if isinstance(raw.get("claims"), dict) else {}
    names = tuple(dict.fromkeys(n for n in [*labels.values(), *aliases] if n))
    years = {p: tuple(y for y in (_year(v) for v in _claim_values(claims, p)) if y is not None)
             for p in YEAR_PROPERTIES}
    return WikidataItem(
        qid=qid, label=labels.get("en", ""), description=_lang_values(raw.get("descriptions")).get("en", ""),
        names=names,
        instance_of=tuple(v["id"] for v in _claim_values(claims, "P31") if isinstance(v, dict) and "id" in v),
        years={p: ys for p, ys in years.items() if ys})


def _lang_values(block: object) -> dict[str, str]:
    if not isinstance(block, dict):
        return {}
    return {lang: v["value"] for lang, v in block.items() if isinstance(v, dict) and isinstance(v.get("value"), str)}


def _claim_values(claims: dict, prop: str) -> list:
    """The datavalue values of a property's statements, deprecated ones left out."""
    values = []
    for statement in claims.get(prop) or []:
        if not isinstance(statement, dict) or statement.get("rank") == "deprecated":
            continue
        snak = statement.get("mainsnak") or {}
        if snak.get("snaktype") == "value" and isinstance(snak.get("datavalue"), dict):
            values.append(snak["datavalue"].get("value"))
    return values


def _year(value: object) -> int | None:
    """'+1886-10-24T00:00:00Z' -> 1886 (the sign kept: '-0044-...' -> -44)."""
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        return None
    time_text = value["time"]
    sign = -1 if time_text.startswith("-") else 1
    digits = time_text.lstrip("+-").split("-", 1)[0]
    return sign * int(digits) if digits.isdigit() else None
