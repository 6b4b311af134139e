"""The typical questions of a correspondence archive, as SPARQL over the interoperability contract.

They use only schema.org and Dublin Core terms (what every build publishes), so the same text runs
unchanged against our /sparql, the Oxigraph server and rdflib-endpoint. ``{person}`` and ``{letter}``
are filled from the data by the benchmark (a real sender and a real letter IRI).
"""

from __future__ import annotations

PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

QUERIES: dict[str, str] = {
    "letters of a person by date": """
SELECT ?letter ?date ?recipient WHERE {
  ?letter schema:sender <{person}> ; schema:recipient ?recipient .
  OPTIONAL { ?letter schema:dateCreated ?date }
} ORDER BY ?date""",
    "correspondence network": """
SELECT ?from ?to (COUNT(?letter) AS ?letters) WHERE {
  ?letter a schema:Message ; schema:sender ?from ; schema:recipient ?to .
} GROUP BY ?from ?to ORDER BY DESC(?letters)""",
    "co-mentions top 50": """
SELECT ?a ?b (COUNT(?letter) AS ?n) WHERE {
  ?letter schema:mentions ?a , ?b . FILTER(STR(?a) < STR(?b))
} GROUP BY ?a ?b ORDER BY DESC(?n) LIMIT 50""",
    "date range with citations": """
SELECT ?letter ?date ?citation WHERE {
  ?letter schema:dateCreated ?date ; dcterms:bibliographicCitation ?citation .
  FILTER(STR(?date) >= "1923-01-01" && STR(?date) < "1923-07-01")
} ORDER BY ?date LIMIT 500""",
    "text search on names": """
SELECT DISTINCT ?agent ?name WHERE {
  ?agent schema:name ?name . FILTER(CONTAINS(LCASE(STR(?name)), "ov"))
} LIMIT 200""",
    "describe a letter": "DESCRIBE <{letter}>",
    "counts": """
SELECT (COUNT(DISTINCT ?letter) AS ?letters) (COUNT(DISTINCT ?agent) AS ?agents) WHERE {
  ?letter a schema:Message ; schema:sender ?agent .
}""",
    "2-hop correspondents": """
SELECT DISTINCT ?other WHERE {
  ?l1 schema:sender <{person}> ; schema:recipient ?mid .
  ?l2 schema:sender ?mid ; schema:recipient ?other .
  FILTER(?other != <{person}>)
} LIMIT 500""",
}

LOOKUP = "letters of a person by date"  # the query used for the throughput figure

PICK_PERSON = """SELECT ?p (COUNT(?l) AS ?n) WHERE { ?l schema:sender ?p } GROUP BY ?p ORDER BY DESC(?n) LIMIT 1"""
PICK_LETTER = """SELECT ?l WHERE { ?l a schema:Message ; schema:identifier ?id } ORDER BY ?id LIMIT 1"""


def render(name: str, person: str, letter: str) -> str:
    """The full query text for one benchmark query."""
    return PREFIXES + QUERIES[name].replace("{person}", person).replace("{letter}", letter)
