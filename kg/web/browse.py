"""Index pages to browse the collection by what it is about: people, organizations, places, events, archives.

    /people  /organizations  /places  /events  /archives      (?sort=name|letters|date, ?page=N)

Why apart from ``kg.web.pages``: each index is the same page over a different kind of entity, so one
table (``INDEXES``) says what each lists and counts, and one function renders it. The counts are what a
historian asks first ("how many letters did he write, receive, appear in?"), read with one grouped query
per index; entity sets are the authority's (hundreds, not millions), so sorting and paging happen here.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import Blueprint, abort, render_template, request

from kg.web import queries
from kg.web.context import ctx

bp = Blueprint("browse", __name__)
PAGE_SIZE = 50
MAX_ENTITIES = 20_000  # an index reads at most this many entities (the authority holds hundreds)


@dataclass(frozen=True)
class Role:
    """A column of counts: letters linked to the entity by ``predicate`` (letter → entity)."""

    key: str
    heading: str
    predicate: str


@dataclass(frozen=True)
class Index:
    """One index page: the entities of ``type_iri`` and the columns of counts shown for them."""

    path: str
    title: str
    singular: str
    type_iri: str
    intro: str
    roles: tuple[Role, ...]
    dated: bool = False


SENT = Role("sent", "sent", "schema:sender")
RECEIVED = Role("received", "received", "schema:recipient")
MENTIONED = Role("mentioned", "mentioned in", "schema:mentions")
WRITTEN_AT = Role("written", "written at", "schema:locationCreated")

INDEXES: dict[str, Index] = {i.path: i for i in (
    Index("people", "People", "person", "schema:Person",
          "Everyone the letters are from, to or about, as the collection's authority file names them.",
          (SENT, RECEIVED, MENTIONED)),
    Index("organizations", "Organizations", "organization", "schema:Organization",
          "Party and state bodies, newspapers and other groups named in the letters and their notes.",
          (SENT, RECEIVED, MENTIONED)),
    Index("places", "Places", "place", "schema:Place", "Places letters were written at or speak of.",
          (WRITTEN_AT, MENTIONED)),
    Index("events", "Events", "event", "schema:Event",
          "Meetings, decisions and other events that the letters or the editors' notes refer to.",
          (MENTIONED,), dated=True),
)}


@dataclass
class Row:
    """One entity of an index, with its counts by role."""

    iri: str
    name: str
    description: str
    counts: dict[str, int]
    start: str = ""
    end: str = ""

    @property
    def letters(self) -> int:
        return sum(self.counts.values())


def _rows(index: Index) -> list[Row]:
    """Every entity of the index with its name, description, dates and counts (two queries)."""
    entities = queries.select(f"""SELECT ?x (SAMPLE(?n) AS ?name) (SAMPLE(?d) AS ?description)
       (MIN(STR(?s)) AS ?start) (MAX(STR(?e)) AS ?end) WHERE {{
  ?x a {index.type_iri} .
  OPTIONAL {{ ?x schema:name ?n }} OPTIONAL {{ ?x schema:description ?d FILTER(LANG(?d) IN ("", "en")) }}
  OPTIONAL {{ ?x schema:startDate ?s }} OPTIONAL {{ ?x schema:endDate ?e }}
}} GROUP BY ?x LIMIT {MAX_ENTITIES}""")
    roles = " UNION ".join(f'{{ ?letter {r.predicate} ?x BIND("{r.key}" AS ?role) }}' for r in index.roles)
    counted = queries.select(f"""SELECT ?x ?role (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
  {roles} ?x a {index.type_iri} . ?letter a schema:Message .
}} GROUP BY ?x ?role""")
    counts: dict[str, dict[str, int]] = {}
    for r in counted:
        counts.setdefault(str(r["x"]), {})[str(r["role"])] = int(r["n"] or 0)
    return [Row(str(e["x"]), e["name"] or str(e["x"]).rsplit("/", 1)[-1], e["description"] or "",
                {role.key: counts.get(str(e["x"]), {}).get(role.key, 0) for role in index.roles},
                e["start"] or "", e["end"] or "") for e in entities]


SORTS = {
    "name": lambda r: (r.name.casefold(), r.iri),
    "letters": lambda r: (-r.letters, r.name.casefold(), r.iri),
    "date": lambda r: (r.start or "9999", r.name.casefold(), r.iri),
}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        abort(400, f"page={raw!r} is not a page number (1, 2, …).")
    return int(raw)


@bp.route("/<any(people, organizations, places, events):kind>")
def index(kind: str) -> str:
    idx = INDEXES[kind]
    sort = request.args.get("sort") or ("date" if idx.dated else "letters")
    if sort not in SORTS:
        abort(400, f"sort={sort!r}: sort by one of {', '.join(SORTS)}.")
    page = _page_number()
    rows = sorted(_rows(idx), key=SORTS[sort])
    pages = max(1, ceil(len(rows) / PAGE_SIZE))
    if page > pages:
        abort(404, f"There is no page {page}: {idx.title} has {pages} page(s) at {PAGE_SIZE} a page.")
    shown = rows[(page - 1) * PAGE_SIZE:page * PAGE_SIZE]
    sorts = [s for s in SORTS if s != "date" or idx.dated]
    return render_template("index.html", idx=idx, rows=shown, total=len(rows), sort=sort, sorts=sorts,
                           page=page, pages=pages)


@bp.route("/archives")
def archives() -> str:
    """The archives and their fonds, with how many letters of the collection each fond holds."""
    units = queries.select(f"""SELECT ?unit (SAMPLE(?n) AS ?name) ?holder (SAMPLE(?hn) AS ?holderName)
       (COUNT(DISTINCT ?letter) AS ?letters) WHERE {{
  {queries.TOP_UNIT}
  OPTIONAL {{ ?unit schema:name ?n }}
  OPTIONAL {{ ?unit bc:heldBy ?holder OPTIONAL {{ ?holder schema:name ?hn }} }}
  OPTIONAL {{ ?source bc:inUnit/bc:inUnit* ?unit . ?letter bc:hasInstantiation ?source }}
}} GROUP BY ?unit ?holder ORDER BY ?holder ?unit LIMIT 5000""")
    holders: dict[str, dict] = {}
    for u in units:
        key = str(u["holder"] or "")
        group = holders.setdefault(key, {"iri": key, "name": u["holderName"] or key.rsplit("/", 1)[-1] or "(no holder)",
                                         "fonds": []})
        group["fonds"].append(u)
    return render_template("archives.html", holders=list(holders.values()), total=len(units))


@bp.route("/about")
def about() -> str:
    return render_template("about.html", build=ctx().build)
