"""The ontology reasons clean: OWL 2 RL closure (``owlrl``) over our ontology, the axioms of the standards we
align to, and the data of a seed build is consistent and gives no type we did not mean.

Why our own axioms: no installed package ships SKOS, PROV-O, RiC-O or FOAF, and the suite reads no network.
``STANDARD_AXIOMS`` restates, in our words, the handful of their axioms that our alignments reach (the
domains, ranges, sub-properties and disjointness that can give a resource of ours a type), each as the
standard defines it: SKOS Reference (2009), PROV-O (2013), RiC-O 1.1, FOAF 0.99. The unintended types were
found by reading the inferred types per class of the seed build.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import owlrl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from kg.build.pipeline import build
from kg.config import Settings

ROOT = Path(__file__).resolve().parent.parent
ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")  # where owlrl records an inconsistency
BASE = Settings().base_iri
RICO = "https://www.ica.org/standards/RiC/ontology#"

STANDARD_AXIOMS = """
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rico: <https://www.ica.org/standards/RiC/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .

# SKOS: concepts and schemes are disjoint; semantic and mapping relations hold between concepts.
skos:Concept a owl:Class . skos:ConceptScheme a owl:Class ; owl:disjointWith skos:Concept .
skos:inScheme rdfs:range skos:ConceptScheme .
skos:hasTopConcept rdfs:domain skos:ConceptScheme ; rdfs:range skos:Concept ; owl:inverseOf skos:topConceptOf .
skos:topConceptOf rdfs:subPropertyOf skos:inScheme .
skos:semanticRelation rdfs:domain skos:Concept ; rdfs:range skos:Concept .
skos:broaderTransitive rdfs:subPropertyOf skos:semanticRelation .
skos:broader rdfs:subPropertyOf skos:broaderTransitive .
skos:related rdfs:subPropertyOf skos:semanticRelation .
skos:mappingRelation rdfs:subPropertyOf skos:semanticRelation .
skos:closeMatch rdfs:subPropertyOf skos:mappingRelation .
skos:exactMatch rdfs:subPropertyOf skos:closeMatch .
skos:broadMatch rdfs:subPropertyOf skos:mappingRelation, skos:broader .
skos:prefLabel rdfs:subPropertyOf rdfs:label ; owl:propertyDisjointWith skos:altLabel, skos:hiddenLabel .
skos:altLabel rdfs:subPropertyOf rdfs:label ; owl:propertyDisjointWith skos:hiddenLabel .

# PROV-O: activities are not entities; the times are xsd:dateTime.
prov:Activity a owl:Class ; owl:disjointWith prov:Entity .
prov:wasGeneratedBy rdfs:domain prov:Entity ; rdfs:range prov:Activity .
prov:wasDerivedFrom rdfs:domain prov:Entity ; rdfs:range prov:Entity .
prov:generatedAtTime rdfs:domain prov:Entity ; rdfs:range xsd:dateTime .
prov:startedAtTime rdfs:domain prov:Activity ; rdfs:range xsd:dateTime .
prov:endedAtTime rdfs:domain prov:Activity ; rdfs:range xsd:dateTime .

# RiC-O 1.1: what our sub-properties and close matches reach.
rico:Group owl:disjointWith rico:Person .
rico:Person rdfs:subClassOf rico:Agent . rico:Group rdfs:subClassOf rico:Agent .
rico:Record rdfs:subClassOf rico:RecordResource . rico:RecordSet rdfs:subClassOf rico:RecordResource .
rico:normalizedDateValue rdfs:domain rico:Date . rico:expressedDate rdfs:domain rico:Date .
rico:dateQualifier rdfs:domain rico:Date .
rico:hasCreationDate rdfs:range rico:Date . rico:isAssociatedWithDate rdfs:range rico:Date .
rico:isOrWasIncludedIn rdfs:domain [ owl:unionOf ( rico:Record rico:RecordSet ) ] ; rdfs:range rico:RecordSet ;
    rdfs:subPropertyOf rico:isRecordResourceAssociatedWithRecordResource .
rico:isRecordResourceAssociatedWithRecordResource rdfs:domain rico:RecordResource ; rdfs:range rico:RecordResource .
rico:hasOrHadInstantiation rdfs:domain rico:RecordResource ; rdfs:range rico:Instantiation .
rico:hasSender rdfs:range rico:Agent . rico:hasAddressee rdfs:range rico:Agent .
rico:hasOrHadHolder rdfs:range rico:Agent .
rico:hasRecordSetType rdfs:domain rico:RecordSet ; rdfs:range rico:RecordSetType .
rico:hasProductionTechniqueType rdfs:domain rico:Instantiation ; rdfs:range rico:ProductionTechniqueType .
rico:hasDocumentaryFormType rdfs:range rico:DocumentaryFormType .
rico:hasRecordState rdfs:range rico:RecordState .
rico:isOrWasPerformedBy rdfs:domain rico:Activity ; rdfs:range rico:Agent .

# FOAF: people are not organizations.
foaf:Person owl:disjointWith foaf:Organization .
"""

# (what is wrong, the SPARQL SELECT that finds it) over the closure: each must find nothing.
UNINTENDED = [
    ("an event is a rico:Date", "SELECT ?x WHERE { ?x a bc:Event, rico:Date }"),
    ("a rico:Date that is not one of our date statements",
     "SELECT ?x WHERE { ?x a rico:Date FILTER NOT EXISTS { ?x a bc:DateStatement } }"),
    ("a concept scheme is a concept", "SELECT ?x WHERE { ?x a skos:ConceptScheme, skos:Concept }"),
    ("a person is an organization", "SELECT ?x WHERE { ?x a bc:Person . "
     "{ ?x a bc:Group } UNION { ?x a foaf:Organization } UNION { ?x a rico:Group } "
     "UNION { ?x a schema:Organization } }"),
    ("an organization is a person", "SELECT ?x WHERE { ?x a bc:Group . "
     "{ ?x a bc:Person } UNION { ?x a foaf:Person } UNION { ?x a rico:Person } UNION { ?x a schema:Person } }"),
    ("an archival instantiation or a source reference is a record resource",
     "SELECT ?x WHERE { ?x a rico:RecordResource . "
     "{ ?x a bc:ArchivalInstantiation } UNION { ?x a bc:SourceReference } }"),
    ("a resource of the data is a SKOS concept",
     "SELECT ?x WHERE { ?x a skos:Concept FILTER (STRSTARTS(STR(?x), STR(data:)) && !STRSTARTS(STR(?x), STR(bcv:))"
     " && !STRSTARTS(STR(?x), STR(bc:))) }"),
    ("an agent, a letter or a place is a date, an event or an activity",
     "SELECT ?x WHERE { { ?x a bc:Agent } UNION { ?x a bc:Letter } UNION { ?x a bc:Place } . "
     "{ ?x a rico:Date } UNION { ?x a rico:Event } UNION { ?x a prov:Activity } }"),
    ("a letter, note or name usage is an agent",
     "SELECT ?x WHERE { { ?x a bc:Letter } UNION { ?x a bc:EditorialNote } UNION { ?x a bc:NameUsage } . "
     "{ ?x a bc:Agent } UNION { ?x a prov:Agent } UNION { ?x a rico:Agent } }"),
    ("a date statement is an event or a record", "SELECT ?x WHERE { ?x a bc:DateStatement . "
     "{ ?x a rico:Event } UNION { ?x a schema:Event } UNION { ?x a rico:RecordResource } }"),
    ("a controlled value is an agent, a record or a date", "SELECT ?x WHERE { ?x skos:inScheme ?s . "
     "{ ?x a rico:Agent } UNION { ?x a rico:RecordResource } UNION { ?x a rico:Date } }"),
]

# (members of, the type the reasoner must give them): the alignments still say what they mean.
INTENDED = [
    ("bc:Letter", "schema:Message"), ("bc:Letter", "rico:Record"), ("bc:Letter", "prov:Entity"),
    ("bc:Person", "foaf:Person"), ("bc:Person", "rico:Person"), ("bc:Person", "prov:Agent"),
    ("bc:Group", "rico:Group"), ("bc:Archive", "rico:CorporateBody"), ("bc:Event", "rico:Event"),
    ("bc:Decision", "rico:Activity"), ("bc:DateStatement", "rico:Date"), ("bc:ArchivalUnit", "rico:RecordSet"),
    ("bc:ArchivalInstantiation", "rico:Instantiation"), ("bc:BuildActivity", "prov:Activity"),
    ("bc:DocumentGraph", "prov:Entity"), ("bc:WikidataAlignment", "prov:Entity"),
]
NAMED_VALUES = [("bcv:original", "rico:RecordState"), ("bcv:fond", "rico:RecordSetType"),
                ("bcv:telegram", "rico:DocumentaryFormType"), ("bcv:exact", "rico:DateType"),
                ("bcv:typewritten", "rico:ProductionTechniqueType"), ("bcv:fond", "skos:Concept")]
PREFIXES = {"bc": BASE + "ns#", "bcv": BASE + "vocab/", "data": BASE, "rico": RICO, "skos": str(SKOS),
            "prov": str(PROV), "foaf": "http://xmlns.com/foaf/0.1/", "schema": "http://schema.org/",
            "owl": str(OWL), "xsd": str(XSD)}
# OWL 2's datatype map (Structural Specification, section 4) plus what every RDF graph has.
OWL2_DATATYPES = {RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, OWL.real, OWL.rational} | {
    XSD[n] for n in ("decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
                     "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
                     "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
                     "dateTime dateTimeStamp").split()}


def ontology() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reasoning") / "output"
    assert build(replace(Settings(), output_dir=out), None, echo=lambda _line: None) == 0
    return out


@pytest.fixture(scope="module")
def data(seed: Path) -> Graph:
    g = Graph()
    g.parse(data=gzip.decompress((seed / "kg.nt.gz").read_bytes()).decode(), format="nt")
    g.parse(seed / "void.ttl")
    return g


@pytest.fixture(scope="module")
def closure(data: Graph) -> Graph:
    g = ontology() + data
    g.parse(data=STANDARD_AXIOMS, format="turtle")
    asserted = len(g)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    assert len(g) > asserted
    return g


def rows(g: Graph, query: str) -> list[str]:
    return sorted(str(row[0]) for row in g.query(query, initNs=PREFIXES))


def test_closure_is_consistent(closure: Graph) -> None:
    assert sorted(str(o) for o in closure.objects(None, ERROR)) == []
    assert sorted(str(s) for s in closure.subjects(RDF.type, OWL.Nothing)) == []


@pytest.mark.parametrize(("what", "query"), UNINTENDED, ids=[u[0] for u in UNINTENDED])
def test_no_unintended_type(closure: Graph, what: str, query: str) -> None:
    assert rows(closure, query) == [], what


@pytest.mark.parametrize(("cls", "inferred"), INTENDED, ids=[f"{c} {i}" for c, i in INTENDED])
def test_every_member_gets_the_aligned_type(closure: Graph, cls: str, inferred: str) -> None:
    assert rows(closure, f"SELECT ?x WHERE {{ ?x a {cls} }}"), f"the seed has no {cls}"
    assert rows(closure, f"SELECT ?x WHERE {{ ?x a {cls} FILTER NOT EXISTS {{ ?x a {inferred} }} }}") == []


@pytest.mark.parametrize(("value", "inferred"), NAMED_VALUES)
def test_controlled_values_keep_their_ric_o_types(closure: Graph, value: str, inferred: str) -> None:
    assert rows(closure, f"SELECT ?t WHERE {{ {value} a ?t FILTER (?t = {inferred}) }}") == [
        inferred.replace("rico:", RICO).replace("skos:", str(SKOS))]


def test_the_unwanted_axioms_are_gone() -> None:
    """The causes found by reading the closure: each removed, its meaning kept another way."""
    g = ontology()
    bc = PREFIXES["bc"]
    assert (URIRef(bc + "edtf"), RDFS.subPropertyOf, URIRef(RICO + "normalizedDateValue")) not in g
    assert (URIRef(bc + "eventDate"), RDFS.subPropertyOf, URIRef(RICO + "isAssociatedWithDate")) in g
    assert (URIRef(bc + "inUnit"), RDFS.subPropertyOf, URIRef(RICO + "isOrWasIncludedIn")) not in g
    assert (URIRef(bc + "recordState"), RDFS.subPropertyOf, URIRef(RICO + "hasRecordState")) not in g
    assert [s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if g.value(s, SKOS.closeMatch)] == []


def test_version_iri_is_under_the_namespace_and_names_the_version() -> None:
    g = ontology()
    onto = URIRef(PREFIXES["bc"])
    version, info = g.value(onto, OWL.versionIRI), g.value(onto, OWL.versionInfo)
    assert isinstance(version, URIRef) and info is not None
    assert str(version) == f"{BASE}ns/{info}"


def test_every_datatype_is_owl2_or_declared(data: Graph) -> None:
    """An OWL 2 DL tool refuses a datatype outside the OWL 2 datatype map unless the ontology declares it."""
    g = ontology()
    declared = set(g.subjects(RDF.type, RDFS.Datatype))
    used = {o for o in g.objects(None, RDFS.range) if isinstance(o, URIRef) and str(o).startswith(str(XSD))}
    used |= {o.datatype for o in data.objects() if isinstance(o, Literal) and o.datatype is not None}
    assert XSD.date in used
    assert sorted(str(d) for d in used - OWL2_DATATYPES - declared) == []


def test_prov_times_are_date_times_and_alignment_days_are_dates(data: Graph) -> None:
    times = [o for p in (PROV.generatedAtTime, PROV.startedAtTime, PROV.endedAtTime, PROV.atTime)
             for o in data.objects(None, p)]
    assert times, "the build's activity has its times in void.ttl"
    assert {t.datatype for t in times} == {XSD.dateTime}
    alignments = list(data.subjects(RDF.type, URIRef(PREFIXES["bc"] + "WikidataAlignment")))
    assert alignments and all(data.value(a, DCTERMS.created).datatype == XSD.date for a in alignments)
