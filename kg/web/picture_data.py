"""The numbers behind the pictures of the whole correspondence: letters per month and kind, places with
their letters, and who wrote to whom. Each picture's page, its JSON and its CSV read the same dataclass,
so the table, the drawing and the download can never disagree.

    t = timeline(LetterFilter())        # months x kinds, undated counted apart
    m = place_map()                     # places written at / mentioned, with GeoNames coordinates if any
    n = network()                       # resolved agents and their letters; network(ego=iri) for one person

Dates follow the letters list (``kg.web.letters_list``): a letter's month is that of the sort key the list
uses (the date statement's earliest day, else its latest, else ``schema:dateCreated``), so a bar's count is
the count of the list it links to. Only parties resolved to an authority entity become nodes: node id =
entity IRI, so two different people printed with the same name are never merged; document-local parties
(``bc:unresolved``) are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.store.describe import iri_ref
from kg.web.letters_list import LetterFilter, concept_label, filter_patterns, keyed_pattern
from kg.web.queries import select

RESOLVED = "FILTER NOT EXISTS {{ {0} bc:unresolved true }}"


@dataclass(frozen=True)
class Kind:
    """A document kind (bcv:letter, bcv:telegram): its id as /letters?kind= takes it, and its label."""

    id: str
    iri: str
    label: str


@dataclass
class Month:
    month: str  # YYYY-MM
    counts: dict[str, int]  # kind id -> letters
    total: int


@dataclass
class Timeline:
    kinds: list[Kind]
    months: list[Month]  # only months with letters, oldest first
    undated: int  # letters whose date statement names no month
    total: int


def _kind_id(iri: str | None) -> str:
    return iri.rsplit("/", 1)[-1] if iri else "unknown"


def timeline(f: LetterFilter) -> Timeline:
    """Letters per month and document kind, under the same filter (and date rule) as the letters list."""
    body = "\n    ".join(filter_patterns(f))
    rows = select(f"""SELECT ?month ?kind (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
    {keyed_pattern(f)}
    {body}
    OPTIONAL {{ ?letter bc:documentKind ?kind }}
    BIND(IF(REGEX(?key, "^[0-9]{{4}}-[0-9]{{2}}"), SUBSTR(?key, 1, 7), "") AS ?month)
}} GROUP BY ?month ?kind""")
    kinds: dict[str, Kind] = {}
    months: dict[str, dict[str, int]] = {}
    undated = 0
    for r in rows:
        kid, n = _kind_id(r["kind"]), int(r["n"] or 0)
        if kid not in kinds:
            kinds[kid] = Kind(kid, r["kind"] or "", concept_label(r["kind"]) if r["kind"] else "unknown")
        if r["month"]:
            months.setdefault(str(r["month"]), {})[kid] = n
        else:
            undated += n
    ordered = sorted(kinds.values(), key=lambda k: (-sum(m.get(k.id, 0) for m in months.values()), k.label))
    listed = [Month(m, {k.id: c[k.id] for k in ordered if k.id in c}, sum(c.values()))
              for m, c in sorted(months.items())]
    return Timeline(ordered, listed, undated, undated + sum(m.total for m in listed))


@dataclass
class Place:
    iri: str
    name: str
    latitude: float | None
    longitude: float | None
    geonames_id: str | None
    written: int  # letters written there (schema:locationCreated)
    mentioned: int  # letters that mention it (schema:mentions)
    letters: int  # distinct letters either way


@dataclass
class PlaceMap:
    located: list[Place]  # with coordinates, most letters first
    unlocated: list[Place]  # known places without coordinates: listed, never guessed
    unresolved_written: int  # letters written at a place not resolved to a known one


def place_map() -> PlaceMap:
    """Every known place a letter was written at or mentions, with its counts and coordinates."""
    roles = select("""SELECT ?place ?role (COUNT(DISTINCT ?letter) AS ?n) WHERE {
    ?letter a schema:Message .
    { ?letter schema:locationCreated ?place BIND("written" AS ?role) }
    UNION { ?letter schema:mentions ?place BIND("mentioned" AS ?role) }
    ?place a schema:Place . FILTER NOT EXISTS { ?place bc:unresolved true }
} GROUP BY ?place ?role""")
    totals = select("""SELECT ?place (COUNT(DISTINCT ?letter) AS ?n) WHERE {
    ?letter a schema:Message ; schema:locationCreated|schema:mentions ?place .
    ?place a schema:Place . FILTER NOT EXISTS { ?place bc:unresolved true }
} GROUP BY ?place""")
    about = select("""SELECT ?place (SAMPLE(?n) AS ?name) (SAMPLE(?la) AS ?lat) (SAMPLE(?lo) AS ?lon)
       (SAMPLE(?g) AS ?gn) WHERE {
    ?place a schema:Place . FILTER NOT EXISTS { ?place bc:unresolved true }
    OPTIONAL { ?place schema:name ?n }
    OPTIONAL { ?place schema:geo ?geo . ?geo schema:latitude ?la ; schema:longitude ?lo }
    OPTIONAL { ?place bc:geonamesId ?g }
} GROUP BY ?place""")
    unresolved = select("""SELECT (COUNT(DISTINCT ?letter) AS ?n) WHERE {
    ?letter a schema:Message ; schema:locationCreated ?place . ?place bc:unresolved true }""")
    by_role: dict[str, dict[str, int]] = {}
    for r in roles:
        by_role.setdefault(str(r["place"]), {})[str(r["role"])] = int(r["n"] or 0)
    info = {str(r["place"]): r for r in about}
    places = []
    for r in totals:
        iri = str(r["place"])
        a = info.get(iri, {})
        lat, lon = a.get("lat"), a.get("lon")
        places.append(Place(iri, str(a.get("name") or iri.rsplit("/", 1)[-1]),
                            float(lat) if lat is not None else None, float(lon) if lon is not None else None,
                            a.get("gn"), by_role.get(iri, {}).get("written", 0),
                            by_role.get(iri, {}).get("mentioned", 0), int(r["n"] or 0)))
    places.sort(key=lambda p: (-p.letters, p.name.casefold(), p.iri))
    return PlaceMap([p for p in places if p.latitude is not None], [p for p in places if p.latitude is None],
                    int(unresolved[0]["n"] or 0) if unresolved else 0)


def geojson(m: PlaceMap) -> dict:
    """The map as a GeoJSON FeatureCollection (RFC 7946: [longitude, latitude]); places without
    coordinates are features with a null geometry, so the data says they exist and where it is silent."""
    def feature(p: Place) -> dict:
        geometry = None if p.latitude is None else {"type": "Point", "coordinates": [p.longitude, p.latitude]}
        return {"type": "Feature", "id": p.iri, "geometry": geometry,
                "properties": {"name": p.name, "geonamesId": p.geonames_id, "written": p.written,
                               "mentioned": p.mentioned, "letters": p.letters}}
    return {"type": "FeatureCollection", "features": [feature(p) for p in m.located + m.unlocated],
            "unresolvedPlacesOfWriting": m.unresolved_written}


@dataclass
class Node:
    id: str  # the entity IRI
    label: str
    kind: str  # "person" or "organization"
    sent: int
    received: int
    letters: int
    degree: int = 0  # distinct correspondents in this network


@dataclass
class Edge:
    source: str  # sender IRI
    target: str  # recipient IRI
    letters: int


@dataclass
class Network:
    nodes: list[Node]  # most correspondents first
    edges: list[Edge]  # most letters first
    ego: str | None = None
    left_out: dict[str, int] = field(default_factory=dict)  # unresolved parties, not drawn


def network(ego: str | None = None) -> Network:
    """Resolved senders and recipients, an edge per (sender, recipient) pair weighted by letters; with
    ``ego``, only that agent's letters (its correspondents around it)."""
    only = f"FILTER(?s = {iri_ref(ego)} || ?r = {iri_ref(ego)})" if ego else ""
    rows = select(f"""SELECT ?s ?r (COUNT(DISTINCT ?letter) AS ?n) WHERE {{
    ?letter a schema:Message ; schema:sender ?s ; schema:recipient ?r . FILTER(?s != ?r) {only}
    {RESOLVED.format("?s")} {RESOLVED.format("?r")}
}} GROUP BY ?s ?r""")
    edges = sorted((Edge(str(r["s"]), str(r["r"]), int(r["n"] or 0)) for r in rows),
                   key=lambda e: (-e.letters, e.source, e.target))
    ids = {e.source for e in edges} | {e.target for e in edges} | ({ego} if ego else set())
    where = f"VALUES ?x {{ {' '.join(iri_ref(i) for i in sorted(ids))} }}" if ego else RESOLVED.format("?x")
    stats = select(f"""SELECT ?x (SAMPLE(?name) AS ?label) (SAMPLE(?org) AS ?isorg) (COUNT(DISTINCT ?ls) AS ?sent)
       (COUNT(DISTINCT ?lr) AS ?received) (COUNT(DISTINCT ?l) AS ?letters) WHERE {{
    ?l a schema:Message .
    {{ ?l schema:sender ?x BIND(?l AS ?ls) }} UNION {{ ?l schema:recipient ?x BIND(?l AS ?lr) }}
    {where}
    OPTIONAL {{ ?x schema:name ?name }}
    OPTIONAL {{ ?x a schema:Organization BIND(true AS ?org) }}
}} GROUP BY ?x""")
    degree: dict[str, set[str]] = {}
    for e in edges:
        degree.setdefault(e.source, set()).add(e.target)
        degree.setdefault(e.target, set()).add(e.source)
    nodes = [Node(str(r["x"]), str(r["label"] or str(r["x"]).rsplit("/", 1)[-1]),
                  "organization" if r["isorg"] else "person", int(r["sent"] or 0), int(r["received"] or 0),
                  int(r["letters"] or 0), len(degree.get(str(r["x"]), ()))) for r in stats]
    nodes.sort(key=lambda n: (n.id != ego, -n.degree, -n.letters, n.label.casefold(), n.id))
    return Network(nodes, edges, ego, _left_out(ego))


def _left_out(ego: str | None) -> dict[str, int]:
    """How many parties (and letters with one) were not drawn because no authority entity resolves them."""
    only = f"?letter schema:sender|schema:recipient {iri_ref(ego)} ." if ego else ""
    rows = select(f"""SELECT (COUNT(DISTINCT ?p) AS ?parties) (COUNT(DISTINCT ?letter) AS ?letters) WHERE {{
    ?letter a schema:Message ; schema:sender|schema:recipient ?p . ?p bc:unresolved true . {only}
}}""")
    return {"parties": int(rows[0]["parties"] or 0), "letters": int(rows[0]["letters"] or 0)} if rows else {}
