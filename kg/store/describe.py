"""The description of one resource as a SPARQL CONSTRUCT, the same for every store."""

from __future__ import annotations


def iri_ref(iri: str) -> str:
    """An IRI as a SPARQL IRIREF; refuses characters that would end or break it."""
    if any(c in iri for c in '<>"{}|^`\\') or any(ord(c) <= 0x20 for c in iri):
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def describe_query(iri: str) -> str:
    """A resource's description: its triples, those of its sub-resources (``<iri>/note/1``) and blank
    nodes, the links pointing at it (a person's letters), and the labels of everything linked."""
    ref, prefix = iri_ref(iri), iri.rstrip("/") + "/"
    return f"""CONSTRUCT {{ ?s ?p ?o . ?x ?lp ?label }} WHERE {{
  {{ {{ BIND({ref} AS ?s) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ {ref} ?q ?s . FILTER(isBlank(?s) || STRSTARTS(STR(?s), "{prefix}")) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ ?s ?q {ref} . FILTER(STRSTARTS(STR(?s), "{prefix}")) ?s ?p ?o BIND(?o AS ?x) }}
    UNION {{ ?s ?p {ref} BIND({ref} AS ?o) BIND(?s AS ?x) }} }}
  OPTIONAL {{ VALUES ?lp {{ <http://schema.org/name> <http://www.w3.org/2004/02/skos/core#prefLabel>
                           <http://www.w3.org/2000/01/rdf-schema#label> }} ?x ?lp ?label }}
}}"""
