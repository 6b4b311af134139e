"""Media types we offer and how a request picks one (Accept header, a file suffix, or `format=`).

One table per kind of answer, the default first: what a client gets for ``*/*`` or no Accept. A
request that accepts none of them gets 406 with the list (``NotAcceptable``), never a silent default
in a type it did not ask for.
"""

from __future__ import annotations

from functools import lru_cache

from flask import request
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.store.formats import (
    JSONLD,
    NTRIPLES,
    RDF_FORMATS,
    RDFXML,
    RESULTS_TSV,
    TURTLE,
    Format,
)

HTML = Format("html", "text/html", ("application/xhtml+xml",), ".html")
RESOURCE_FORMATS = (HTML, *RDF_FORMATS)
SHORT_NAMES = {"ttl": TURTLE, "n3": TURTLE, "nt": NTRIPLES, "n-triples": NTRIPLES, "json-ld": JSONLD,
               "rdf": RDFXML, "rdf+xml": RDFXML, "text": RESULTS_TSV}


class NotAcceptable(Exception):
    """Nothing we offer fits the request's Accept header; the message lists what we offer."""

    def __init__(self, offered: tuple[Format, ...]):
        self.offered = offered
        super().__init__("None of the requested media types is available here. Offered: "
                         + ", ".join(f.media_type for f in offered) + ".")


def by_suffix(suffix: str) -> Format | None:
    return next((f for f in RDF_FORMATS + (HTML,) if f.suffix == suffix), None)


def _by_param(value: str, offered: tuple[Format, ...]) -> Format | None:
    value = value.strip().lower()
    for fmt in offered:
        if value == fmt.name or value in fmt.accepted:
            return fmt
    fmt = SHORT_NAMES.get(value)
    return fmt if fmt in offered else None


def negotiate(offered: tuple[Format, ...], param: str | None = None, accept: str | None = None) -> Format:
    """The format for this request: an explicit ``format``/``output`` parameter that fits, else the
    Accept header (quality values, wildcards), else the default; ``NotAcceptable`` if none fits.
    ``accept``: the header's value when the caller has it (outside a Flask request), else it is read
    from the current request."""
    if param:
        chosen = _by_param(param, offered)
        if chosen is not None:
            return chosen
    chosen = _by_accept(offered, request.headers.get("Accept", "") if accept is None else accept)
    if chosen is None:
        raise NotAcceptable(offered)
    return chosen


@lru_cache(maxsize=512)
def _by_accept(offered: tuple[Format, ...], header: str) -> Format | None:
    """The Accept header's choice (None: nothing fits); cached because clients send the same few
    headers over and over, and matching one costs more than the rest of a small /sparql request's
    Flask work (werkzeug's best_match normalizes every candidate media type on every call)."""
    accept = parse_accept_header(header, MIMEAccept)
    if not accept:
        return offered[0]
    candidates = [mt for fmt in offered for mt in fmt.accepted]
    best = accept.best_match(candidates)
    return None if best is None else next(f for f in offered if best in f.accepted)


def content_type(fmt: Format) -> str:
    textual = fmt.media_type.startswith("text/") or fmt in (NTRIPLES,)
    return f"{fmt.media_type}; charset=utf-8" if textual else fmt.media_type
