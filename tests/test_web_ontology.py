"""The /ontology page on the live server: every class and property with its label, definition, domain and
range (a union read as "A or B", never a blank-node id), super-terms and alignments, anchored so that term
IRIs link there; the Turtle binds ``schema:``; the version IRI answers."""

from __future__ import annotations

import re
from dataclasses import replace
from html import unescape
from pathlib import Path

import pytest
import requests
from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from kg.build.pipeline import build
from kg.config import Settings
from kg.publish.ontodoc import ontology_html
from kg.store.results import PREFIXES
from kg.web import create_app
from kg.web.ontology import ontology_view
from tests.web_server import Live

BC, BCV = PREFIXES["bc"], PREFIXES["bcv"]
BNODE = re.compile(r"_:|\bN[0-9a-f]{32}\b|\bn[0-9a-f]{32}b\d+\b")


@pytest.fixture(scope="module")
def page(live: Live) -> str:
    r = requests.get(live.url + "/ontology", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    return r.text


@pytest.fixture(scope="module")
def onto(live: Live) -> Graph:
    r = requests.get(live.url + "/ontology", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    return Graph().parse(data=r.text, format="turtle")


def entry(page: str, anchor: str) -> str:
    """The text of one term's entry (its <dt> to the next term's <dt>), tags stripped."""
    match = re.search(rf'<dt id="{re.escape(anchor)}">(.*?)(?=<dt id=|</dl>\s*</section>)', page, re.S)
    assert match, f"no entry #{anchor}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split()).replace(" ,", ",")


def test_no_blank_node_anywhere(page: str) -> None:
    assert BNODE.findall(page) == []
    assert "an anonymous class" not in page  # every anonymous domain of ours is a union, read as its members


def test_every_class_and_property_has_an_anchored_entry(page: str, onto: Graph) -> None:
    terms = {s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in onto.subjects(RDF.type, t)
             if isinstance(s, URIRef) and str(s).startswith(BC)}
    assert len(terms) > 80
    for term in terms:
        text = entry(page, str(term)[len(BC):])
        assert str(onto.value(term, RDFS.label)) in text and str(onto.value(term, RDFS.comment)) in text


def test_union_domain_reads_as_alternatives(page: str) -> None:
    held_by = entry(page, "heldBy")
    assert "Domain bc:ArchivalInstantiation or bc:ArchivalUnit or bc:SourceReference" in held_by
    assert "Range bc:Archive" in held_by
    assert "Domain bc:EditorialNote or bc:Event" in entry(page, "hasReference")
    assert "Domain bc:DateStatement or bc:Event Range xsd:string" in entry(page, "edtf")
    assert re.search(r'<dt id="heldBy">.*?<a href="#ArchivalUnit"><code>bc:ArchivalUnit</code></a>', page, re.S)


def test_super_terms_and_alignments_by_vocabulary(page: str) -> None:
    person = entry(page, "Person")
    assert "Super-terms bc:Agent, foaf:Person, rico:Person, schema:Person" in person
    assert "schema.org subclass of schema:Person" in person and "RiC-O subclass of rico:Person" in person
    assert "CIDOC-CRM close match crm:E21_Person" in person
    assert "Sub-terms bc:Archive, bc:Group, bc:Person" in entry(page, "Agent")
    sender = entry(page, "sender")
    assert "Domain bc:Letter Range bc:Agent" in sender
    assert "schema.org subproperty of schema:sender" in sender and "RiC-O subproperty of rico:hasSender" in sender
    assert "PROV-O subclass of prov:Activity" in entry(page, "BuildActivity")
    assert "Dublin Core subproperty of dcterms:references" in entry(page, "citesDocument")
    assert re.search(r'<a href="https://www\.ica\.org/standards/RiC/ontology#hasSender">', page)


def test_schemes_concepts_and_datatypes_are_listed(page: str) -> None:
    scheme = entry(page, "bcv-RecordState")
    assert "Record state" in scheme and "skos:closeMatch" not in scheme
    original = entry(page, "bcv-original")
    assert "original" in original and "Also a rico:RecordState" in original
    assert "Broader bcv:copy" in entry(page, "bcv-certifiedCopy")
    assert "A calendar day" in entry(page, "xsd-date")


def test_the_page_says_all_the_graph_says(onto: Graph) -> None:
    """Every domain, range and super-term of the Turtle is on the page (read through the view model)."""
    view = ontology_view(onto, BC, BCV)
    shown = {t.iri: t for s in view.sections for t in s.terms}
    for prop, attr in ((RDFS.domain, "domain"), (RDFS.range, "range")):
        for s, o in onto.subject_objects(prop):
            if str(s).startswith(BC):
                members = [o] if isinstance(o, URIRef) else list(onto.items(onto.value(o, OWL.unionOf)))
                texts = [link.text for alt in getattr(shown[str(s)], attr) for link in alt]
                assert all(any(str(m).endswith(t.split(":")[-1]) for t in texts) for m in members), (s, attr)
    for s, o in onto.subject_objects(RDFS.subClassOf):
        if str(s).startswith(BC):
            assert any(link.text.split(":")[-1] == str(o).split("#")[-1].split("/")[-1]
                       for link in shown[str(s)].supers), (s, o)


def test_turtle_binds_schema_as_schema(tmp_path: Path) -> None:
    """A seed build served: its void.ttl, /.well-known/void and /ontology.ttl all write ``schema:``."""
    out = tmp_path / "output"
    assert build(replace(Settings(), output_dir=out), None, echo=lambda _line: None) == 0
    assert "@prefix schema: <http://schema.org/>" in (out / "void.ttl").read_text(encoding="utf-8")
    app = create_app(replace(Settings(), output_dir=out))
    try:
        client = app.test_client()
        for path in ("/ontology.ttl", "/.well-known/void"):
            r = client.get(path, headers={"Accept": "text/turtle"})
            text = r.get_data(as_text=True)
            assert r.status_code == 200, path
            assert "@prefix schema: <http://schema.org/>" in text and "schema1:" not in text, path
            assert re.search(r"\bschema:\w+", text), path
    finally:
        app.extensions["kg"].store.close()


def test_version_iri_dereferences(live: Live, onto: Graph) -> None:
    version = onto.value(URIRef(BC), OWL.versionIRI)
    assert version is not None and str(version).startswith("https://w3id.org/bolcorr/ns/")
    path = "/" + str(version)[len("https://w3id.org/bolcorr/"):]
    turtle = requests.get(live.url + path, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["Content-Type"].startswith("text/turtle")
    assert (URIRef(BC), OWL.versionIRI, version) in Graph().parse(data=turtle.text, format="turtle")
    html = requests.get(live.url + path, headers={"Accept": "text/html"})
    assert html.status_code == 200 and '<dt id="Letter">' in html.text
    assert requests.get(live.url + path + ".ttl").text == turtle.text
    old = requests.get(live.url + "/ns/0.0.1", headers={"Accept": "text/html"})
    assert old.status_code == 404 and str(version) in unescape(old.text)


def test_concept_schemes_carry_no_close_match(onto: Graph) -> None:
    assert [s for s in onto.subjects(RDF.type, SKOS.ConceptScheme) if onto.value(s, SKOS.closeMatch)] == []


def test_release_page_reads_unions_and_names_the_version() -> None:
    """The static ontology/index.html of a release: the same facts, no blank node either."""
    root = Path(__file__).resolve().parent.parent
    html = ontology_html(root / "ontology")
    onto = Graph()
    for path in sorted((root / "ontology").glob("*.ttl")):
        onto.parse(path)
    assert BNODE.findall(html) == [] and "(anonymous)" not in html
    assert "bc:ArchivalInstantiation or bc:ArchivalUnit or bc:SourceReference" in html
    assert str(onto.value(URIRef(BC), OWL.versionIRI)) in html
    assert "rico:RecordState" in unescape(html) and 'id="date"' in html  # concept types, declared datatypes
