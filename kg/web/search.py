"""Search: entities by name (the store) and letters by their words (the full-text index), one request.

    result = run(request.args)     # -> SearchResult: entities, letters, facets, notices

Why the user's words are only words: the query is cut into words (letters and digits, any script),
each put in quotes, and the words ANDed; so ``"``, ``*``, ``NEAR(``, ``OR`` and the like are searched
as text or dropped, never read as FTS5 syntax, and no input can make the index raise a syntax error.

Transliteration: the one rule of kg.link.names (``transliterate``, which its name matching folds with). A
Cyrillic word is also searched in its Latin transliteration ("Сталин" -> "stalin"), for names and for
letter text alike; the bundled corpus is an English translation, so Latin is what it has.

Entity ranking: a name equal to the query first, then a name with a word equal to it ("V. I. Lenin"),
then a word starting with it ("Leningrad"), then any other containing name; the matched forms of one
entity are listed once each, whatever their case or language tag.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from werkzeug.datastructures import MultiDict

from kg.config import VOCAB_NS
from kg.link.names import transliterate
from kg.publish.fulltext import FACETS, FILENAME
from kg.web import queries
from kg.web.context import ctx
from kg.web.fulltext import FullText, IndexUnreadable, LetterPage

MAX_CHARS = 200
MAX_WORDS = 12
PAGE_SIZE = 20
MAX_PAGE = 500
WORD = re.compile(r"\w+")
YEAR = re.compile(r"^\d{4}$")
LOCAL_ID = re.compile(r"^[a-z0-9][a-z0-9._~-]*(?:/[a-z0-9][a-z0-9._~-]*)*$")
KIND = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class BadSearch(ValueError):
    """A parameter this page cannot use; the message says which and what it wants (answered as 400)."""


def search_terms(q: str) -> list[str]:
    """The query as typed, plus its Latin transliteration when it is written in Cyrillic."""
    q = " ".join(q.split())[:MAX_CHARS]
    return sorted({q, transliterate(q)} - {""})


def word_variants(q: str) -> list[list[str]]:
    """The query's words (at most MAX_WORDS), each with its transliteration when that differs."""
    out = []
    for word in WORD.findall(q[:MAX_CHARS].lower())[:MAX_WORDS]:
        out.append(list(dict.fromkeys([word, transliterate(word)])))
    return out


@dataclass
class Entity:
    iri: str
    name: str
    type: str
    matched: list[str]
    score: tuple[int, str] = (9, "")


def match_score(form: str, terms: list[str]) -> int:
    """0 the whole form, 1 one of its words, 2 the start of a word, 3 somewhere inside."""
    form = form.lower()
    words = WORD.findall(form)
    best = 3
    for t in terms:
        t = t.lower()
        if form == t:
            return 0
        if t in words:
            best = min(best, 1)
        elif any(w.startswith(t) for w in words) or form.startswith(t):
            best = min(best, 2)
    return best


def entities(terms: list[str]) -> list[Entity]:
    """People, bodies, places, events, archives whose names contain a term, best match first."""
    found: dict[str, Entity] = {}
    for row in queries.search(terms):
        iri = str(row["resource"])
        ent = found.setdefault(iri, Entity(iri, row["name"] or iri, row["type"] or "", []))
        form = str(row["matched"] or "")
        if form and form.lower() not in (m.lower() for m in ent.matched):
            ent.matched.append(form)
        if row["name"] and (ent.name == iri or str(row["name"]) < ent.name):
            ent.name = str(row["name"])
        if row["type"] and (not ent.type or str(row["type"]) < ent.type):
            ent.type = str(row["type"])
    for ent in found.values():
        ent.matched.sort(key=lambda m: (match_score(m, terms), m.lower()))
        ent.score = (min([match_score(m, terms) for m in ent.matched] + [match_score(ent.name, terms)]),
                     ent.name.lower())
    return sorted(found.values(), key=lambda e: (e.score, e.iri))


@dataclass
class Filter:
    field: str
    value: str  # as stored: IRI, year, kind IRI
    param: str  # as in the URL
    label: str = ""  # as shown (the facet value's label, once the search has found it)


@dataclass
class SearchResult:
    q: str
    words: list[list[str]]
    terms: list[str]
    entities: list[Entity] = field(default_factory=list)
    letters: LetterPage | None = None
    filters: list[Filter] = field(default_factory=list)
    page: int = 1
    pages: int = 0
    notices: list[str] = field(default_factory=list)
    index_available: bool = True


def filters_of(args: MultiDict[str, str]) -> list[Filter]:
    """The facet filters in the URL, checked: ``year=1923``, ``kind=telegram``, ``sender=person/stalin-i-v``."""
    base = ctx().settings.base_iri
    out = []
    for name in FACETS:
        for value in args.getlist(name):
            if not value:
                continue
            if name == "year":
                ok, stored = bool(YEAR.match(value)), value
            elif name == "kind":
                ok, stored = bool(KIND.match(value)), VOCAB_NS + value
            else:
                ok, stored = bool(LOCAL_ID.match(value)), base + value
            if not ok:
                raise BadSearch(f"{name}={value[:80]!r} is not a {name} this search knows; use the links "
                                "beside the results.")
            out.append(Filter(name, stored, value))
    return out


def page_of(args: MultiDict[str, str]) -> int:
    raw = args.get("page", "1") or "1"
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadSearch(f"page={raw[:20]!r}: a page is a number from 1 to {MAX_PAGE}.")
    return int(raw)


def param_of(field_name: str, value: str) -> str:
    """The URL form of a stored facet value (the inverse of ``filters_of``)."""
    if field_name == "year":
        return value
    if field_name == "kind":
        return value[len(VOCAB_NS):] if value.startswith(VOCAB_NS) else value
    base = ctx().settings.base_iri
    return value[len(base):] if value.startswith(base) else value


_OPENING = threading.Lock()


def index() -> FullText | None:
    """The release's full-text index, opened once per app (None: this build has none)."""
    app = current_app
    with _OPENING:
        return _index(app)


def _index(app: Flask) -> FullText | None:
    if "kg.fulltext" not in app.extensions:
        path = Path(ctx().settings.output_dir) / FILENAME
        try:
            app.extensions["kg.fulltext"] = FullText.open(path)
        except IndexUnreadable as err:
            app.logger.warning("%s", err)
            app.extensions["kg.fulltext"] = None
    return app.extensions["kg.fulltext"]


def run(args: MultiDict[str, str]) -> SearchResult:
    """Both searches for the request's arguments (raises BadSearch for a parameter it cannot use)."""
    q = args.get("q", "")
    filters, page = filters_of(args), page_of(args)
    result = SearchResult(q, word_variants(q), search_terms(q), filters=filters, page=page)
    if len(q) > MAX_CHARS or len(WORD.findall(q)) > MAX_WORDS:
        result.notices.append(f"Only the first {MAX_WORDS} words (and {MAX_CHARS} characters) of the query "
                              "were searched.")
    if not result.words:
        result.notices.append("Type one or more words to search for." if not q.strip() else
                              "The query has no words to search for (letters or digits); punctuation and "
                              "search operators are not used.")
        return result
    result.entities = entities(result.terms)
    fts = index()
    if fts is None:
        result.index_available = False
        result.notices.append("This build has no full-text index (search.sqlite), so only names are searched.")
        return result
    result.letters = fts.search(result.words, [(f.field, f.value) for f in filters], page,
                                PAGE_SIZE)
    result.pages = -(-result.letters.total // PAGE_SIZE)
    for f in filters:
        f.label = next((v.label for v in result.letters.facets[f.field] if v.value == f.value), f.param)
    return result
