"""Jinja helpers: every IRI under the base becomes a local link, terms render one way everywhere.

Flask autoescapes all ``.html`` templates; nothing here returns markup, only strings and data, so a
literal such as ``<script>`` always reaches the page escaped.
"""

from __future__ import annotations

from flask import Flask

from kg.store.types import XSD_STRING, Term
from kg.web.context import local_path
from kg.web.describe import curie

WIKIDATA = "http://www.wikidata.org/entity/"


def local(iri: str) -> str:
    """A link for ``iri``: our resources open on this site (``kg.web.context.local_path``), anything
    else as is."""
    return local_path(iri) or iri


def term_text(term: Term | None) -> str:
    if term is None:
        return ""
    return term[1] if term[0] != "uri" else curie(term[1])


def term_note(term: Term) -> str:
    """The datatype or language shown beside a literal (nothing for plain strings)."""
    if term[0] != "literal":
        return ""
    if term[3]:
        return f"@{term[3]}"
    return "" if term[2] == XSD_STRING else curie(term[2])


def install(app: Flask) -> None:
    app.jinja_env.filters.update(local=local, curie=curie, term_text=term_text, term_note=term_note)
    app.jinja_env.globals.update(WIKIDATA=WIKIDATA)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
