"""Records -> exact triples: the interoperability contract, Gregorian dates by precision, graph
layout and provenance, unresolved parties, Wikidata evidence, events, cross-references."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, Dataset, Graph, Literal, URIRef, namespace
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV

from kg.model import Corpus, DateStatement
from kg.rdf.mapping import map_corpus
from kg.rdf.parts import add_date, date_created
from kg.rdf.vocab import BC, BCV, SCHEMA
from tests.mapping_fixtures import PAGE, corpus, doc_173

B = "https://w3id.org/bolcorr/"
# the terms themselves, not the XSD class: pytest probes module globals and rdflib's XSD warns on unknown names
XSD_DATE, XSD_GYEAR_MONTH, XSD_GYEAR = namespace.XSD.date, namespace.XSD.gYearMonth, namespace.XSD.gYear
L167, L173 = URIRef(B + "letter/167"), URIRef(B + "letter/173")


def iri(path: str) -> URIRef:
    return URIRef(B + path)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return map_corpus(corpus())


def graph(ds: Dataset, name: str) -> Graph:
    return ds.graph(iri(name))


def test_letter_contract(ds: Dataset) -> None:
    g = graph(ds, "graph/letter/167")
    assert {(L167, RDF.type, SCHEMA.Message), (L167, RDF.type, BC.Letter),
            (L167, SCHEMA.identifier, Literal("167")),
            (L167, SCHEMA.sender, iri("person/nazaretyan-a-m")),
            (L167, SCHEMA.recipient, iri("person/ordzhonikidze-g-k")),
            (L167, SCHEMA.dateCreated, Literal("1923-01-24", datatype=XSD_DATE)),
            (L167, DCTERMS.bibliographicCitation, Literal("RTsKhIDNI. F. 85. Op. 1/S. D. 13. L. 12-13.")),
            (L167, SCHEMA.isPartOf, iri("edition")),
            (L167, BC.header, Literal("A. M. Nazaretyan - G. K. Ordzhonikidze.")),
            (L167, BC.signature, Literal("Your Amayak."))} <= set(g)
    assert set(g.objects(L167, SCHEMA.comment)) == {iri("letter/167/note/1"), iri("letter/167/note/3")}
    assert g.value(iri("letter/167/note/3"), SCHEMA.position) == Literal(3)
    assert set(g.objects(L167, SCHEMA.mentions)) == {iri("person/stalin-i-v"), iri("event/occupation-of-the-ruhr")}


def test_agents_are_named_in_the_authority_graph(ds: Dataset) -> None:
    shared = graph(ds, "graph/authority")
    person = iri("person/ordzhonikidze-g-k")
    assert (person, RDF.type, SCHEMA.Person) in shared and (person, RDF.type, BC.Person) in shared
    assert shared.value(person, SCHEMA.name) == Literal("G. K. Ordzhonikidze")
    assert shared.value(person, SCHEMA.alternateName) == Literal("Sergo")
    assert (person, None, None) not in graph(ds, "graph/letter/167")  # described once, referenced per letter


def test_unresolved_parties_are_document_local(ds: Dataset) -> None:
    g = graph(ds, "graph/letter/173")
    sender, org = iri("letter/173/party/1"), iri("letter/173/party/3")
    assert list(g.objects(L173, SCHEMA.sender)) == [sender]
    assert {(sender, RDF.type, SCHEMA.Person), (sender, SCHEMA.name, Literal("G. L. Pyatakov")),
            (sender, BC.unresolved, Literal(True)), (org, RDF.type, SCHEMA.Organization),
            (org, BC.verbatim, Literal("CC RCP(b)"))} <= set(g)
    assert set(g.objects(L173, SCHEMA.recipient)) == {iri("person/stalin-i-v"), org}


def test_julian_date_is_converted_and_printed_date_kept(ds: Dataset) -> None:
    """[March 1917] Old Style = 14 March - 13 April 1917 New Style: only the year is certain."""
    g = graph(ds, "graph/letter/173")
    assert list(g.objects(L173, SCHEMA.dateCreated)) == [Literal("1917", datatype=XSD_GYEAR)]
    date = iri("letter/173/date")
    assert g.value(date, BC.calendar) == BCV.julian
    assert g.value(date, BC.earliest) == Literal("1917-03-01", datatype=XSD_DATE)
    assert g.value(date, BC.gregorianEarliest) == Literal("1917-03-14", datatype=XSD_DATE)
    assert g.value(date, BC.expressedDate) == Literal("[March 1917]")
    assert (date, BC.suppliedComponent, Literal("whole")) in g


def ds_(expr: str, edtf: str | None, lo: str | None, hi: str | None, calendar: str = "gregorian",
        glo: str | None = None, ghi: str | None = None) -> DateStatement:
    return DateStatement(expr, edtf, lo, hi, calendar=calendar,  # type: ignore[arg-type]
                         gregorian_earliest=glo or (lo if calendar == "gregorian" else None),
                         gregorian_latest=ghi or (hi if calendar == "gregorian" else None))


@pytest.mark.parametrize(("statement", "expected"), [
    (ds_("January 24, 1923", "1923-01-24", "1923-01-24", "1923-01-24"), Literal("1923-01-24", datatype=XSD_DATE)),
    (ds_("March 1921", "1921-03", "1921-03-01", "1921-03-31"), Literal("1921-03", datatype=XSD_GYEAR_MONTH)),
    (ds_("1923", "1923", "1923-01-01", "1923-12-31"), Literal("1923", datatype=XSD_GYEAR)),
    (ds_("March 5-6, 1921", "1921-03-05/1921-03-06", "1921-03-05", "1921-03-06"),
     Literal("1921-03", datatype=XSD_GYEAR_MONTH)),
    (ds_("[previously March 5, 1921]", "../1921-03-05", None, "1921-03-05"), None),
    (ds_("[later March 5, 1921]", "1921-03-05/..", "1921-03-05", None), None),
    (ds_("October 25, 1917", "1917-10-25", "1917-10-25", "1917-10-25", "julian", "1917-11-07", "1917-11-07"),
     Literal("1917-11-07", datatype=XSD_DATE)),
    (ds_("December 1917", "1917-12", "1917-12-01", "1917-12-31", "julian", "1917-12-14", "1918-01-13"), None),
])
def test_date_created_is_gregorian_and_typed_by_precision(statement: DateStatement, expected: Literal | None) -> None:
    assert date_created(statement) == expected
    if expected is not None:
        assert expected.datatype in (XSD_DATE, XSD_GYEAR_MONTH, XSD_GYEAR)


def test_date_statement_triples_are_exactly_these() -> None:
    g = Graph()
    node = URIRef("https://example.org/d")
    add_date(g, node, DateStatement("August 3 [1923]", "1923-08-03", "1923-08-03", "1923-08-03", supplied=["year"],
                                    gregorian_earliest="1923-08-03", gregorian_latest="1923-08-03"))
    expected = Graph().parse(format="turtle", data="""
        @prefix bc: <https://w3id.org/bolcorr/ns#> . @prefix bcv: <https://w3id.org/bolcorr/vocab/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <https://example.org/d> a bc:DateStatement ; bc:expressedDate "August 3 [1923]" ; bc:edtf "1923-08-03" ;
            bc:earliest "1923-08-03"^^xsd:date ; bc:latest "1923-08-03"^^xsd:date ;
            bc:gregorianEarliest "1923-08-03"^^xsd:date ; bc:gregorianLatest "1923-08-03"^^xsd:date ;
            bc:calendar bcv:gregorian ; bc:dateQualifier bcv:exact ; bc:dateSupplied true ;
            bc:suppliedComponent "year" .""")
    assert isomorphic(g, expected)


def test_instantiation_and_archival_hierarchy(ds: Dataset) -> None:
    g, shared = graph(ds, "graph/letter/167"), graph(ds, "graph/authority")
    inst = iri("letter/167/source/1")
    delo, opis, fond = (iri("archive/rgaspi/f85/op1s/d13"), iri("archive/rgaspi/f85/op1s"), iri("archive/rgaspi/f85"))
    assert {(inst, BC.citation, Literal("RTSKHIDNI. F. 85. Op. 1/S. D. 13. L. 12-13. Autograph.")),
            (inst, BC.folios, Literal("12-13")), (inst, BC.recordState, BCV.original),
            (inst, BC.technique, BCV.handwritten), (inst, BC.heldBy, iri("archive/rgaspi")),
            (inst, BC.inUnit, delo)} <= set(g)
    assert {(delo, BC.inUnit, opis), (opis, BC.inUnit, fond), (fond, BC.unitLevel, BCV.fond),
            (delo, BC.unitNumber, Literal("13")), (fond, BC.heldBy, iri("archive/rgaspi"))} <= set(shared)


def test_wikidata_link_carries_its_evidence(ds: Dataset) -> None:
    shared = graph(ds, "graph/authority")
    stalin, item = iri("person/stalin-i-v"), URIRef("http://www.wikidata.org/entity/Q855")
    assert (stalin, OWL.sameAs, item) in shared and (stalin, SCHEMA.sameAs, item) in shared
    record = shared.value(stalin, BC.hasWikidataAlignment)
    assert record == iri("person/stalin-i-v/wikidata")
    assert shared.value(record, BC.alignedWith) == item
    assert shared.value(record, BC.alignmentMethod) == BCV.curated
    assert shared.value(record, BC.confidence) == Literal("high")
    assert shared.value(record, BC.alignmentSource) == Literal("shared/reference/wikidata-seen.tsv")
    assert shared.value(record, DCTERMS.created) == Literal("2026-11-26", datatype=XSD_DATE)
    assert shared.value(record, PROV.generatedAtTime) is None  # it takes an xsd:dateTime; the files give a day


def test_events(ds: Dataset) -> None:
    shared = graph(ds, "graph/authority")
    ruhr, meeting = iri("event/occupation-of-the-ruhr"), iri("event/1923-01-25-politburo")
    assert {(ruhr, RDF.type, SCHEMA.Event), (ruhr, SCHEMA.name, Literal("Occupation of the Ruhr")),
            (ruhr, SCHEMA.startDate, Literal("1923-01-11", datatype=XSD_DATE)),
            (ruhr, SCHEMA.endDate, Literal("1923-01-12", datatype=XSD_DATE)),
            (ruhr, BC.edtf, Literal("1923-01-11/1923-01-12"))} <= set(shared)
    assert (meeting, RDF.type, BC.Decision) in shared
    assert shared.value(meeting, BC.decidedBy) == iri("org/politburo")
    assert (iri("letter/167/note/3"), BC.about, meeting) in graph(ds, "graph/letter/167")


def test_cross_reference_outside_corpus_is_marked(ds: Dataset) -> None:
    g = graph(ds, "graph/letter/167")
    note = iri("letter/167/note/1")
    assert (note, BC.citesDocument, iri("letter/166")) in g
    assert (note, BC.citesNote, iri("letter/166/note/1")) in g
    assert (iri("letter/166"), BC.outsideCorpus, Literal(True)) in g
    assert (iri("letter/166"), RDF.type, SCHEMA.Message) not in g  # not counted as a letter of the corpus


def test_name_usages(ds: Dataset) -> None:
    g = graph(ds, "graph/letter/167")
    koba, beso = iri("letter/167/name/5.4-7"), iri("letter/167/name/7.49-52")  # line.first-last character
    assert {(koba, BC.nameForm, Literal("Koba", lang="en")), (koba, BC.nameKind, BCV.nickname),
            (koba, BC.refersTo, iri("person/stalin-i-v")), (koba, BC.identificationBasis, BCV.authorityFile),
            (beso, BC.nameKind, BCV.firstName)} <= set(g)
    assert (beso, BC.refersTo, None) not in g and (beso, BC.identificationBasis, None) not in g


def test_provenance_on_each_document_graph_without_build_time(ds: Dataset) -> None:
    gi = iri("graph/letter/167")
    g = ds.graph(gi)
    page = iri("source/bolshevik-correspondence-1923-nos-167-177.txt")
    assert {(gi, RDF.type, BC.DocumentGraph), (gi, PROV.wasDerivedFrom, page),
            (gi, PROV.wasGeneratedBy, iri("build/0.1.0")),
            (gi, BC.sourceLines, Literal("bolshevik-correspondence-1923-nos-167-177.txt#L11-L58"))} <= set(g)
    assert g.value(iri("letter/167/note/1"), BC.sourceLines) == Literal(f"{PAGE.rsplit('/', 1)[1]}#L50-L50")
    assert not list(ds.quads((None, PROV.startedAtTime, None, None)))  # build time lives in void.ttl only


def test_same_corpus_same_triples_and_configurable_base() -> None:
    one, two = map_corpus(corpus()), map_corpus(corpus())
    assert sorted(one.quads((None, None, None, None))) == sorted(two.quads((None, None, None, None)))
    other = map_corpus(Corpus([doc_173()]), base_iri="http://example.org/kg/")
    letter = URIRef("http://example.org/kg/letter/173")
    assert (letter, RDF.type, SCHEMA.Message) in other.graph(URIRef("http://example.org/kg/graph/letter/173"))
    assert not [q for q in other.quads((None, None, None, None)) if str(q[0]).startswith(B + "letter")]
