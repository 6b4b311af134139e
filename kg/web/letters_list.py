"""The letters list: filters a historian types (names, not ids), one page of rows, their count, dates in words.

    found = find_entities("Stalin", "schema:Person")        # names, aliases and ids -> candidates
    rows = page(LetterFilter(parties=(iri,)), after, limit)  # keyset-paginated, oldest first
    total = count(LetterFilter(parties=(iri,)))
    details(rows)                                           # kind, parties, place, date statement

Why keyset pagination on (date key, IRI): stable under new data and as fast on the last page as on the
first (no OFFSET). The date key is the earliest day the date statement allows (``bc:earliest``), or its
latest (``bc:latest``) when it only says "not after": an open-ended date sorts by the day it names, not
first. Newest-first sorts by the latest day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.publish.parties import PartyRole, in_edition_order, position_of
from kg.store.describe import iri_ref
from kg.web.context import ontology_graph
from kg.web.queries import literal, select

ID = re.compile(r"^[a-z0-9][a-z0-9._~-]*$")  # an entity id as our IRIs spell it (``stalin-i-v``)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class LetterFilter:
    """What the list is narrowed to; every value is already an IRI or checked text."""

    parties: tuple[str, ...] = ()  # sender or recipient is one of these (people or organizations alike)
    year: str | None = None
    kind: str | None = None  # a bcv: document kind IRI
    places: tuple[str, ...] = ()  # written at one of these
    fond: str | None = None
    descending: bool = False
    month: str | None = None  # YYYY-MM: the timeline's bars link here


@dataclass
class Party:
    iri: str
    label: str


@dataclass
class ListedLetter:
    """One row of the list, as the template shows it."""

    iri: str
    number: str
    key: str
    name: str = ""
    kind: str = ""
    senders: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    places: list[Party] = field(default_factory=list)
    date: str = ""


def filter_patterns(f: LetterFilter) -> list[str]:
    """The filter as SPARQL patterns over ?letter and its ?key: the one reading of the filters, shared by
    the list, its count and the pictures (kg.web.picture_data)."""
    where = []
    if f.parties:
        values = " ".join(iri_ref(p) for p in f.parties)
        where.append(f"VALUES ?who {{ {values} }} {{ ?letter schema:sender ?who }} UNION "
                     "{ ?letter schema:recipient ?who }")
    if f.year:
        where.append(f"FILTER(STRSTARTS(?key, {literal(f.year)}))")
    if f.month:
        where.append(f"FILTER(STRSTARTS(?key, {literal(f.month)}))")
    if f.kind:
        where.append(f"?letter bc:documentKind {iri_ref(f.kind)} .")
    if f.places:
        values = " ".join(iri_ref(p) for p in f.places)
        where.append(f"VALUES ?where {{ {values} }} ?letter schema:locationCreated ?where .")
    if f.fond:
        where.append(f"?letter bc:hasInstantiation/bc:inUnit/bc:inUnit* {iri_ref(f.fond)} .")
    return where


def keyed_pattern(f: LetterFilter) -> str:
    """The pattern binding ?letter and its sort ?key (see the module's docstring)."""
    first, second = ("?l", "?e") if f.descending else ("?e", "?l")
    return f"""?letter a schema:Message .
    OPTIONAL {{ ?letter bc:created ?d OPTIONAL {{ ?d bc:earliest ?e }} OPTIONAL {{ ?d bc:latest ?l }} }}
    OPTIONAL {{ ?letter schema:dateCreated ?date }}
    BIND(COALESCE(STR({first}), STR({second}), STR(?date), "9999") AS ?key)"""


def page(f: LetterFilter, after: tuple[str, str] | None, limit: int) -> list[ListedLetter]:
    """One page of letters after the keyset token ``after`` (key, IRI)."""
    where = filter_patterns(f)
    if after:
        op = "<" if f.descending else ">"
        key, iri = literal(after[0]), literal(after[1])
        where.append(f"FILTER(?key {op} {key} || (?key = {key} && STR(?letter) {op} {iri}))")
    order = "DESC(?key) DESC(?letter)" if f.descending else "?key ?letter"
    body = "\n    ".join(where)
    rows = select(f"""SELECT DISTINCT ?letter ?key WHERE {{
    {keyed_pattern(f)}
    {body}
}} ORDER BY {order} LIMIT {int(limit)}""")
    return [ListedLetter(str(r["letter"]), "", str(r["key"])) for r in rows]


def count(f: LetterFilter) -> int:
    body = "\n    ".join(filter_patterns(f))
    rows = select(f"""SELECT (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
    {keyed_pattern(f)}
    {body}
}}""")
    return int(rows[0]["n"] or 0) if rows else 0


def details(letters: list[ListedLetter]) -> None:
    """Fill in number, title, kind, parties (in the edition's order, as the letter page prints them), place and
    the date in words (one query per page)."""
    if not letters:
        return
    by_iri = {row.iri: row for row in letters}
    values = f"VALUES ?letter {{ {' '.join(iri_ref(i) for i in by_iri)} }}"
    branches = (
        '?letter schema:identifier ?label BIND("number" AS ?what)',
        '?letter schema:name ?label BIND("name" AS ?what)',
        '?letter bc:documentKind ?x BIND("kind" AS ?what)',
        '?letter schema:sender ?x BIND("sender" AS ?what) OPTIONAL { ?x schema:name ?label }'
        " OPTIONAL { ?letter bc:qualifiedSender ?role . ?role bc:party ?x ; bc:position ?position }",
        '?letter schema:recipient ?x BIND("recipient" AS ?what) OPTIONAL { ?x schema:name ?label }'
        " OPTIONAL { ?letter bc:qualifiedRecipient ?role . ?role bc:party ?x ; bc:position ?position }",
        '?letter schema:locationCreated ?x BIND("place" AS ?what) OPTIONAL { ?x schema:name ?label }',
        '?letter bc:created ?d . ?d ?p ?label'
        ' VALUES (?p ?what) { (bc:earliest "earliest") (bc:latest "latest") (bc:edtf "edtf") }',
        '?letter bc:created/bc:dateQualifier ?x BIND("qualifier" AS ?what)',
        '?letter schema:dateCreated ?label BIND("created" AS ?what)')
    # the page's letters inside every branch: the engine then starts each branch from them, not from
    # every letter of the collection (3 s -> 0.2 s for a page at 2,000 letters)
    union = "\n  UNION ".join(f"{{ {values} {b} }}" for b in branches)
    rows = select(f"SELECT ?letter ?what ?x ?label ?position WHERE {{\n  {union}\n}}")
    dates: dict[str, dict[str, str]] = {i: {} for i in by_iri}
    sides: dict[tuple[str, str], list[PartyRole]] = {}  # (letter, "sender" / "recipient") -> its parties' rows
    for r in rows:
        row, what, x, label = by_iri[str(r["letter"])], str(r["what"]), r["x"], r["label"]
        if what in ("sender", "recipient") and x:
            name = str(label or x.rsplit("/", 1)[-1])
            sides.setdefault((row.iri, what), []).append(PartyRole(str(x), position_of(r["position"]), name=name))
        elif what == "place" and x:
            if all(p.iri != x for p in row.places):
                row.places.append(Party(str(x), str(label or x.rsplit("/", 1)[-1])))
        elif what == "kind" and x:
            row.kind = concept_label(str(x))
        elif what == "number":
            row.number = str(label)
        elif what == "name":
            row.name = str(label)
        else:
            dates[row.iri][what] = str(x if what == "qualifier" else label)
    for row in letters:  # senders and recipients in the edition's order, as the letter page prints them
        for what, parties in (("sender", row.senders), ("recipient", row.recipients)):
            found = sides.get((row.iri, what), [])  # a row without a position: a plain value with no role
            roles, plain = [p for p in found if p.position is not None], [p for p in found if p.position is None]
            parties.extend(Party(p.agent, p.name) for p in in_edition_order(roles, plain))
        row.places.sort(key=lambda p: (p.label.casefold(), p.iri))
        row.date = date_in_words(dates[row.iri])


def _day(text: str) -> str:
    """'1923-05-22' -> '22 May 1923'; '1923-05' -> 'May 1923'; '1923' -> '1923'."""
    parts = text.split("-")
    try:
        if len(parts) == 3:
            d = date(int(parts[0]), int(parts[1]), int(parts[2]))
            return f"{d.day} {MONTHS[d.month - 1]} {d.year}"
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
    except (ValueError, IndexError):
        return text
    return text


def date_in_words(d: dict[str, str]) -> str:
    """A date statement in words: exact, a month or year, "not before"/"not after", "between", "about".

    From the statement's qualifier and bounds (``bc:earliest``/``bc:latest``), else its EDTF, else
    ``schema:dateCreated``; empty when the letter is undated (never a guess)."""
    qualifier = d.get("qualifier", "").rsplit("/", 1)[-1]
    earliest, latest = d.get("earliest"), d.get("latest")
    if qualifier == "notAfter" and latest:
        return f"not after {_day(latest)}"
    if qualifier == "notBefore" and earliest:
        return f"not before {_day(earliest)}"
    edtf = d.get("edtf") or d.get("created") or ""
    if qualifier == "approximate" and edtf:
        return f"about {_day(edtf.rstrip('~?'))}"
    if edtf and "/" not in edtf and ".." not in edtf:
        return _day(edtf.rstrip("~?")) + ("?" if edtf.endswith("?") else "")
    if earliest and latest:
        return _day(earliest) if earliest == latest else f"between {_day(earliest)} and {_day(latest)}"
    return _day(earliest or latest or edtf)


def find_entities(text: str, type_iri: str, base: str, prefix: str) -> list[Party]:
    """Entities of ``type_iri`` that a typed name means: its id (``stalin-i-v``) or IRI exactly, else every
    one whose name, preferred or alternative label contains the text (case-insensitive)."""
    text = " ".join(text.split())[:100]
    if text.startswith(base + prefix):
        text = text[len(base + prefix):]
    exact = select(f"""SELECT ?x (SAMPLE(?n) AS ?name) WHERE {{
  BIND({iri_ref(base + prefix + text)} AS ?x) ?x a {type_iri} OPTIONAL {{ ?x schema:name ?n }} }} GROUP BY ?x"""
                   ) if ID.match(text) else []
    if exact:
        return [Party(str(r["x"]), str(r["name"] or text)) for r in exact]
    rows = select(f"""SELECT ?x (SAMPLE(?n) AS ?name) WHERE {{
  ?x a {type_iri} .
  VALUES ?p {{ schema:name schema:alternateName skos:prefLabel skos:altLabel }}
  ?x ?p ?matched FILTER(CONTAINS(LCASE(STR(?matched)), {literal(text.lower())}))
  OPTIONAL {{ ?x schema:name ?n }}
}} GROUP BY ?x ORDER BY ?name LIMIT 50""")
    return [Party(str(r["x"]), str(r["name"] or r["x"])) for r in rows]


def choices(type_iri: str) -> list[str]:
    """Names for the filter's autocomplete (an HTML datalist): the authority's, sorted."""
    rows = select(f"""SELECT DISTINCT ?n WHERE {{ ?x a {type_iri} ; schema:name ?n }} ORDER BY ?n LIMIT 5000""")
    return [str(r["n"]) for r in rows]


def concept_label(iri: str) -> str:
    """Our SKOS concept's preferred label (bcv:telegram -> "telegram"), from the ontology files: the
    vocabulary is published beside the data, not in it."""
    label = ontology_graph().value(URIRef(iri), SKOS.prefLabel)
    return str(label) if label is not None else iri.rsplit("/", 1)[-1]


def kinds() -> list[Party]:
    """The document kinds the letters have (letter, telegram…), for the filter."""
    rows = select("""SELECT DISTINCT ?k WHERE { ?letter a schema:Message ; bc:documentKind ?k }""")
    return sorted((Party(str(r["k"]), concept_label(str(r["k"]))) for r in rows), key=lambda p: p.label)
