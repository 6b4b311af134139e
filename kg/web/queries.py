"""The SPARQL behind the pages, and the example queries shown to people.

All pages read the data through ``Store.query`` like any client would (so a remote store works for
them too). Values from URLs are validated or escaped before they enter a query: IRIs by
``kg.store.describe.iri_ref``, strings by ``literal``.
"""

from __future__ import annotations

import json

from kg.config import VOCAB_NS
from kg.store.describe import iri_ref
from kg.store.types import Solutions
from kg.web.context import ctx

PAGE_TIMEOUT = 5.0
PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX bc: <https://w3id.org/bolcorr/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

EXAMPLE_QUERIES: list[tuple[str, str]] = [
    ("Letters with sender, recipient and date", PREFIXES + """SELECT ?letter ?number ?senderName ?recipientName ?date
WHERE {
  ?letter a schema:Message ; schema:identifier ?number ;
          schema:sender/schema:name ?senderName ; schema:recipient/schema:name ?recipientName .
  OPTIONAL { ?letter schema:dateCreated ?date }
}
ORDER BY ?date
LIMIT 50"""),
    ("Who wrote to whom, and how often", PREFIXES + """SELECT ?from ?to (COUNT(DISTINCT ?letter) AS ?letters)
WHERE {
  ?letter a schema:Message ; schema:sender/schema:name ?from ; schema:recipient/schema:name ?to .
}
GROUP BY ?from ?to
ORDER BY DESC(?letters)
LIMIT 50"""),
    ("People with their aliases and Wikidata items", PREFIXES + """SELECT ?person ?name ?alias ?wikidata
WHERE {
  ?person a schema:Person ; schema:name ?name .
  OPTIONAL { ?person skos:altLabel ?alias }
  OPTIONAL { ?person owl:sameAs ?wikidata }
}
LIMIT 100"""),
    ("Events and the letters that mention them", PREFIXES + """SELECT ?event ?name ?date (COUNT(?letter) AS ?letters)
WHERE {
  ?event a schema:Event ; schema:name ?name .
  OPTIONAL { ?event schema:startDate ?date }
  OPTIONAL { ?letter schema:mentions ?event }
}
GROUP BY ?event ?name ?date
ORDER BY ?date"""),
    ("Events a letter only supposes or plans", PREFIXES + f"PREFIX bcv: <{VOCAB_NS}>\n" + """
SELECT ?event ?name ?factuality ?letter ?number
WHERE {
  VALUES ?factuality { bcv:supposed bcv:planned }
  ?event a schema:Event ; schema:name ?name ; bc:factuality ?factuality ; bc:statedIn ?letter .
  ?letter a schema:Message ; schema:identifier ?number .
}
ORDER BY ?number ?name"""),
]


def literal(text: str) -> str:
    """A SPARQL string literal (JSON escaping is a subset of SPARQL's ECHAR/UCHAR rules)."""
    return json.dumps(text, ensure_ascii=True)


def select(sparql: str) -> list[dict[str, str | None]]:
    """Rows of a SELECT as {variable: value} (IRIs and literals as plain strings)."""
    result = ctx().store.query(PREFIXES + sparql, PAGE_TIMEOUT)
    assert isinstance(result, Solutions)
    return [{v: (t[1] if t else None) for v, t in zip(result.variables, row, strict=True)} for row in result.rows]


def counts() -> dict[str, int]:
    rows = select("""SELECT ?kind (COUNT(DISTINCT ?x) AS ?n) WHERE {
  VALUES (?type ?kind) { (schema:Message "letters") (schema:Person "people") (schema:Organization "organizations")
                         (schema:Place "places") (schema:Event "events") }
  ?x a ?type } GROUP BY ?kind""")
    return {str(r["kind"]): int(r["n"] or 0) for r in rows}


def person_letters(person: str) -> list[dict[str, str | None]]:
    ref = iri_ref(person)
    return select(f"""SELECT ?letter ?number ?name ?date ?role WHERE {{
  {{ ?letter schema:sender {ref} BIND("sent" AS ?role) }}
  UNION {{ ?letter schema:recipient {ref} BIND("received" AS ?role) }}
  OPTIONAL {{ ?letter schema:identifier ?number }} OPTIONAL {{ ?letter schema:name ?name }}
  OPTIONAL {{ ?letter schema:dateCreated ?date }}
}} ORDER BY ?date ?letter""")


def correspondents(agent: str) -> list[dict[str, str | None]]:
    ref = iri_ref(agent)
    return select(f"""SELECT ?other (SAMPLE(?n) AS ?name) (COUNT(DISTINCT ?letter) AS ?letters) WHERE {{
  {{ ?letter schema:sender {ref} ; schema:recipient ?other }}
  UNION {{ ?letter schema:recipient {ref} ; schema:sender ?other }}
  FILTER(?other != {ref}) OPTIONAL {{ ?other schema:name ?n }}
}} GROUP BY ?other ORDER BY DESC(?letters) ?other LIMIT 24""")


def name_usages(agent: str) -> list[dict[str, str | None]]:
    ref = iri_ref(agent)
    return select(f"""SELECT ?usage ?form ?kind ?letter ?number WHERE {{
  ?usage bc:refersTo {ref} ; bc:nameForm ?form .
  OPTIONAL {{ ?usage bc:nameKind ?kind }}
  OPTIONAL {{ ?letter bc:nameUsage ?usage . OPTIONAL {{ ?letter schema:identifier ?number }} }}
}} ORDER BY ?form ?usage LIMIT 500""")


def unit_chain(unit: str) -> list[dict[str, str | None]]:
    return select(f"""SELECT ?unit ?parent ?name ?holder ?holderName WHERE {{
  {iri_ref(unit)} bc:inUnit* ?unit .
  OPTIONAL {{ ?unit bc:inUnit ?parent }} OPTIONAL {{ ?unit schema:name ?name }}
  OPTIONAL {{ ?unit bc:heldBy ?holder OPTIONAL {{ ?holder schema:name ?holderName }} }}
}}""")


def unit_children(unit: str) -> list[dict[str, str | None]]:
    return select(f"""SELECT ?child ?name WHERE {{
  ?child bc:inUnit {iri_ref(unit)} . FILTER NOT EXISTS {{ ?child a bc:ArchivalInstantiation }}
  OPTIONAL {{ ?child schema:name ?name }} }} ORDER BY ?child LIMIT 500""")


def unit_letters(unit: str) -> list[dict[str, str | None]]:
    return select(f"""SELECT DISTINCT ?letter ?number ?name ?date WHERE {{
  ?source bc:inUnit/bc:inUnit* {iri_ref(unit)} . ?letter bc:hasInstantiation ?source .
  OPTIONAL {{ ?letter schema:identifier ?number }} OPTIONAL {{ ?letter schema:name ?name }}
  OPTIONAL {{ ?letter schema:dateCreated ?date }}
}} ORDER BY ?date LIMIT 500""")


# A top-level archival unit (a fond), as ?unit: a unit inside no other unit. MINUS, not FILTER NOT EXISTS: the
# engine runs NOT EXISTS once per unit with the parent's type unbound (9 s at 2,000 letters' 4,000 units,
# past the page's time limit), MINUS as one join (0.07 s); the answers are the same.
TOP_UNIT = "?unit a bc:ArchivalUnit . MINUS { ?unit bc:inUnit ?parent . ?parent a bc:ArchivalUnit }"


def fonds() -> list[dict[str, str | None]]:
    """Top-level archival units (fonds): units inside no other unit."""
    return select(f"""SELECT ?unit ?name WHERE {{
  {TOP_UNIT}
  OPTIONAL {{ ?unit schema:name ?name }} }} ORDER BY ?unit LIMIT 500""")


def search(terms: list[str]) -> list[dict[str, str | None]]:
    """Resources whose name, preferred, alternative or hidden label, or a name as written in a letter
    (a pseudonym such as "Koba"), contains one of ``terms`` (case-insensitive): one row per resource
    and form matched (kg/web/search.py ranks and groups them)."""
    tests = " || ".join(f"CONTAINS(LCASE(STR(?m)), {literal(t.lower())})" for t in terms)
    return select(f"""SELECT DISTINCT ?resource ?name ?type (STR(?m) AS ?matched) WHERE {{
  {{ VALUES ?p {{ schema:name schema:alternateName skos:prefLabel skos:altLabel skos:hiddenLabel rdfs:label }}
     ?resource ?p ?m . FILTER({tests}) }}
  UNION {{ ?usage bc:nameForm ?m ; bc:refersTo ?resource . FILTER({tests}) }}
  FILTER NOT EXISTS {{ ?resource a schema:Message }}
  OPTIONAL {{ ?resource schema:name ?name }}
  OPTIONAL {{ ?resource a ?type . FILTER(STRSTARTS(STR(?type), "http://schema.org/")) }}
}} ORDER BY ?resource ?matched LIMIT 2000""")
