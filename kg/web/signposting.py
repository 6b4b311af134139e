"""FAIR Signposting, level 1: the ``Link`` header entries of a letter or entity page.

Why: a harvester (or a reference manager) learns from the headers alone, without parsing HTML, which
IRI to cite (``cite-as``: the published IRI, also on a local install), where the machine-readable
descriptions are (``describedby``, one per RDF format), what the resource is (``type``: its
schema.org type and ``AboutPage``, since the page is about a thing, not the thing), under which
licence the data is (``license``, as void.ttl states it) and, for a letter, the source it was read
from (``item``).
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, VOID

from kg.store.formats import RDF_FORMATS
from kg.web.context import local_path, void_graph
from kg.web.describe import Description

SCHEMA = "http://schema.org/"
SCHEMA_ORG = "https://schema.org/"  # the form schema.org itself and the Signposting examples use
DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def licence() -> str | None:
    """The dataset's licence as void.ttl states it (None: the build does not say)."""
    graph = void_graph()
    for dataset in graph.subjects(VOID.uriSpace, None):
        found = graph.value(dataset, DCTERMS.license)
        if isinstance(found, URIRef):
            return str(found)
    return None


def signposts(desc: Description, local: str) -> list[str]:
    """The Signposting ``Link`` entries for the page of ``desc`` at the local path ``local``."""
    links = [f'<{desc.iri}>; rel="cite-as"']
    links += [f'<{local}{f.suffix}>; rel="describedby"; type="{f.media_type}"' for f in RDF_FORMATS]
    types = [t[len(SCHEMA):] for t in desc.types() if t.startswith(SCHEMA)] or ["Thing"]
    links += [f'<{SCHEMA_ORG}{name}>; rel="type"' for name in sorted(set(types))]
    links.append(f'<{SCHEMA_ORG}AboutPage>; rel="type"')
    found = licence()
    if found:
        links.append(f'<{found}>; rel="license"')
    for source in desc.values(DERIVED):
        if source[0] == "uri":
            links.append(f'<{local_path(source[1]) or source[1]}>; rel="item"; type="text/html"')
    return links

