"""What the search page and its JSON form show: facet links, page links, the JSON document.

Facet links are plain query parameters (``/search?q=gasoline&year=1923``), so a filtered search is a
URL a historian can bookmark and cite; choosing a facet value goes back to page 1; an active filter
is shown with a link that removes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask import request

from kg.publish.fulltext import FACETS
from kg.web.search import SearchResult, param_of

FACET_NAMES = {"year": "Year", "sender": "From", "recipient": "To", "kind": "Kind", "place": "Place written",
               "fond": "Archive fond"}


@dataclass
class FacetLink:
    label: str
    count: int
    href: str
    active: bool


def _href(pairs: list[tuple[str, str]]) -> str:
    return "/search?" + urlencode(pairs)


def _args(drop_page: bool = True) -> list[tuple[str, str]]:
    return [(k, v) for k, v in request.args.items(multi=True) if not (drop_page and k == "page") and k != "format"]


def facet_links(result: SearchResult) -> list[tuple[str, list[FacetLink], int]]:
    """Per facet: its title, its values as links that add (or, when active, remove) the filter, and
    how many more values there are."""
    if result.letters is None:
        return []
    out = []
    current = _args()
    for name in FACETS:
        links = []
        for value in result.letters.facets[name]:
            pair = (name, param_of(name, value.value))
            active = pair in current
            pairs = [p for p in current if p != pair] if active else [*current, pair]
            links.append(FacetLink(value.label, value.count, _href(pairs), active))
        if links:
            out.append((FACET_NAMES[name], links, result.letters.more_values[name]))
    return out


def page_link(page: int) -> str:
    return _href([*_args(), ("page", str(page))] if page > 1 else _args())


def search_json(result: SearchResult) -> dict[str, object]:
    """The search as data: the words searched, entities with what matched, letters with snippets
    (HTML: escaped text, hits in <mark>), facets with counts and the URL that applies each."""
    letters: dict[str, object] | None = None
    if result.letters is not None:
        page = result.letters
        letters = {
            "count": page.total, "page": result.page, "pages": result.pages, "page_size": len(page.hits),
            "items": [{"iri": h.iri, "number": h.number, "title": h.title, "date": h.date, "score": round(h.score, 4),
                       "senders": [vars(p) for p in h.senders], "recipients": [vars(p) for p in h.recipients],
                       "snippet_html": h.snippet_html, "snippet_from": h.column} for h in page.hits],
            "facets": {name: [{"value": v.value, "label": v.label, "count": v.count,
                               "filter": f"{name}={param_of(name, v.value)}"} for v in page.facets[name]]
                       for name in FACETS},
            "facets_more": page.more_values,  # per facet: values with fewer letters, not listed
        }
    return {
        "query": result.q, "words": result.words, "names_searched": result.terms,
        "filters": [{"field": f.field, "value": f.param} for f in result.filters],
        "entities": {"count": len(result.entities),
                     "items": [{"iri": e.iri, "name": e.name, "type": e.type, "matched": e.matched}
                               for e in result.entities]},
        "letters": letters, "notices": result.notices,
    }
