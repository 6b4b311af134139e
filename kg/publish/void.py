"""The dataset description (void.ttl): VoID statistics and the Wikidata linkset, DCAT distributions
with media types, compression, sizes and checksums, publisher, licence, issue date, the base IRI
(``void:uriSpace``) and the build version.

One version identifier per build (``BuildInfo.version``): the first 12 hex digits of the SHA-256 of
the sorted, uncompressed N-Triples (``zcat kg.nt.gz | sha256sum``). It depends on the content only,
so rebuilding the same input gives the same version; VoID states it as ``owl:versionInfo``,
``dcterms:hasVersion`` and ``dcat:version``, and `kg serve` reads it from there for the cite box, the
``X-Release`` header and the dumps page (``kg.web.context.build_info``).

Why apart from the data: the build time and the file sizes change on every build; keeping them out
of kg.nt.gz is what lets two builds of the same input give byte-identical dumps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import OWL, RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, PROV, VOID

from kg.publish.chunks import Statistics
from kg.rdf.iris import Iris
from kg.rdf.mapping import PREFIXES

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
# The licence covers what we made (structure, identifications, authority data); the letters' texts and
# the editors' notes come from the 1996 edition's English web translation and keep their own rights.
RIGHTS = ("Structured data, identifications and authority files: CC BY 4.0. The texts of the documents "
          "and of the editorial notes are quoted from the English web translation of 'Bolshevik leadership. "
          "Correspondence. 1912-1927' (1996); their rights remain with their holders.")
MEDIA_TYPES = {"kg.ttl": "text/turtle", "kg.nt.gz": "application/n-triples", "kg.jsonld": "application/ld+json",
               "kg.trig": "application/trig", "cmif.xml": "application/tei+xml", "letters.csv": "text/csv"}
RDF_DUMPS = frozenset({"kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig"})  # void:dataDump; the others are views
IANA = "https://www.iana.org/assignments/media-types/"
COMPRESSED = {".gz": "application/gzip"}  # dcat:compressFormat; dcat:mediaType stays the unpacked type
SPDX = Namespace("http://spdx.org/rdf/terms#")
WIKIDATA = "http://www.wikidata.org/entity/"


@dataclass(frozen=True)
class BuildInfo:
    """What identifies one build: its content hash, the day and time it ran, the parser version."""

    content_hash: str
    started: str  # ISO datetime (UTC)
    ended: str
    parser_version: str

    @property
    def version(self) -> str:
        """The build's one version identifier (see the module's docstring)."""
        return self.content_hash[:12]


def add_distribution(g: Graph, dataset: URIRef, base: str, path: Path) -> None:
    node = URIRef(f"{base}dumps/{path.name}")
    media = MEDIA_TYPES[path.name]
    g.add((dataset, DCAT.distribution, node))
    if path.name in RDF_DUMPS:
        g.add((dataset, VOID.dataDump, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(path.name)))
    g.add((node, DCAT.downloadURL, node))
    g.add((node, DCAT.mediaType, URIRef(IANA + media)))
    g.add((node, DCTERMS.format, Literal(media)))
    if path.suffix in COMPRESSED:
        g.add((node, DCAT.compressFormat, URIRef(IANA + COMPRESSED[path.suffix])))
    g.add((node, DCAT.byteSize, Literal(path.stat().st_size, datatype=XSD.nonNegativeInteger)))
    g.add((node, DCTERMS.license, LICENSE))
    checksum = BNode(f"sha256-{path.name}")
    g.add((node, SPDX.checksum, checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(hashlib.sha256(path.read_bytes()).hexdigest())))


def void_graph(base: str, stats: Statistics, objects: int, n_graphs: int, dumps: list[Path], info: BuildInfo,
               publisher: str) -> Graph:
    """The VoID/DCAT description of one build, from the assembled dumps' figures."""
    g = Graph()
    for prefix, ns in {**PREFIXES, "void": str(VOID), "dcat": str(DCAT), "spdx": str(SPDX),
                       "foaf": str(FOAF)}.items():
        g.bind(prefix, ns, replace=True)
    ds = URIRef(f"{base}void")
    classes, subjects, links = stats.classes, stats.subjects, stats.links
    for cls in (VOID.Dataset, DCAT.Dataset):
        g.add((ds, RDF.type, cls))
    g.add((ds, DCTERMS.title, Literal("Bolshevik leadership. Correspondence. 1912–1927 — Linked Data", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    g.add((ds, DCTERMS.modified, Literal(info.started[:10], datatype=XSD.date)))
    g.add((ds, DCTERMS.issued, Literal(info.started[:10], datatype=XSD.date)))
    add_publisher(g, ds, base, publisher)
    g.add((ds, DCAT.landingPage, URIRef(base)))
    g.add((ds, OWL.versionInfo, Literal(info.version)))
    g.add((ds, URIRef(f"{DCAT}version"), Literal(info.version)))
    g.add((ds, DCTERMS.hasVersion, Literal(info.version)))
    g.add((ds, VOID.triples, Literal(stats.triples, datatype=XSD.integer)))
    g.add((ds, VOID.distinctSubjects, Literal(subjects, datatype=XSD.integer)))
    g.add((ds, VOID.distinctObjects, Literal(objects, datatype=XSD.integer)))
    g.add((ds, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    g.add((ds, VOID.uriSpace, Literal(base)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, DCTERMS.description, Literal(f"{n_graphs} named graphs: one per document (with PROV-O on the graph) "
                                            "plus the authority graph; the default graph is their union.", lang="en")))
    for vocab in ("bc", "bcv", "schema", "dcterms", "prov", "skos", "owl"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[vocab])))
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{base}void/class/{abs(hash_iri(cls))}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count, datatype=XSD.integer)))
    add_linkset(g, ds, base, links)
    add_authority_graph(g, ds, base)
    add_build(g, ds, base, info)
    for path in dumps:
        add_distribution(g, ds, base, path)
    return g


def hash_iri(iri: str) -> int:
    """A short stable number for a class partition IRI (Python's hash() is salted per process)."""
    return int(hashlib.sha256(iri.encode()).hexdigest()[:10], 16)


def add_linkset(g: Graph, ds: URIRef, base: str, links: int) -> None:
    linkset = URIRef(f"{base}void/wikidata")
    g.add((ds, VOID.subset, linkset))
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.subjectsTarget, ds))
    g.add((linkset, VOID.objectsTarget, URIRef("http://www.wikidata.org/")))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))


def add_build(g: Graph, ds: URIRef, base: str, info: BuildInfo) -> None:
    """The build: its versioned activity (the one the document graphs cite) with this run's times."""
    activity = URIRef(f"{base}build/{info.parser_version}")
    g.add((ds, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.startedAtTime, Literal(info.started, datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(info.ended, datatype=XSD.dateTime)))


def add_publisher(g: Graph, ds: URIRef, base: str, name: str) -> None:
    """Who publishes the dataset (DCAT and VoID readers look for ``dcterms:publisher`` with a name).
    Its IRI is a fragment of the site's home page, which answers for it."""
    agent = URIRef(f"{base}#publisher")
    g.add((ds, DCTERMS.publisher, agent))
    g.add((agent, RDF.type, FOAF.Agent))
    g.add((agent, FOAF.name, Literal(name)))


def add_authority_graph(g: Graph, ds: URIRef, base: str) -> None:
    """The authority graph, a named graph of kg.trig that its own data does not describe (each document
    graph carries its PROV-O): said here, so that its IRI answers with what it is."""
    graph = Iris(base).authority_graph()
    g.add((ds, VOID.subset, graph))
    g.add((graph, RDF.type, VOID.Dataset))
    g.add((graph, DCTERMS.title, Literal("Authority graph", lang="en")))
    g.add((graph, DCTERMS.description, Literal(
        "The named graph of the people, organizations, places, events and archive units that the documents "
        "share, read from the authority files; each document's own statements are in its own named graph.",
        lang="en")))
    g.add((graph, VOID.inDataset, ds))
