"""Linked Data URIs on the live server: content negotiation (rdflib follows it), suffix URLs, Vary,
Link alternates, ETag/Last-Modified/304, HEAD, 406 and the helpful 404; descriptions hold
sub-resources, labels of linked things and inverse links."""

from __future__ import annotations

import pytest
import requests
from rdflib import Graph, Literal, Namespace, URIRef

from tests.rdf_read import parse_graph
from tests.web_server import BASE, Live

SCHEMA = Namespace("http://schema.org/")
BC = Namespace("https://w3id.org/bolcorr/ns#")
LETTER = URIRef(BASE + "letter/167")
NAZARETYAN = URIRef(BASE + "person/nazaretyan-a-m")
FORMATS = [("text/turtle", ".ttl", "turtle"), ("application/n-triples", ".nt", "nt"),
           ("application/ld+json", ".jsonld", "json-ld"), ("application/rdf+xml", ".rdf", "xml")]


def test_rdflib_follows_content_negotiation(live: Live) -> None:
    graph = Graph().parse(live.url + "/letter/167")
    assert (URIRef(BASE + "letter/167"), SCHEMA.sender, NAZARETYAN) in graph
    note = Literal("Stalin was on leave in Nalchik.", lang="en")
    assert (URIRef(BASE + "letter/167/note/1"), SCHEMA.text, note) in graph  # a sub-resource
    assert (NAZARETYAN, SCHEMA.name, Literal("A. M. Nazaretyan", lang="en")) in graph  # label of a linked thing


@pytest.mark.parametrize("media_type,suffix,parse_as", FORMATS)
def test_each_format_by_accept_and_by_suffix(live: Live, media_type: str, suffix: str, parse_as: str) -> None:
    by_accept = requests.get(live.url + "/letter/167", headers={"Accept": media_type})
    by_suffix = requests.get(live.url + "/letter/167" + suffix)
    for r in (by_accept, by_suffix):
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type
        graph = parse_graph(r.content, parse_as)
        assert (LETTER, BC.created, URIRef(BASE + "letter/167/date")) in graph
        assert (URIRef(BASE + "letter/167/date"), BC.expressedDate, Literal("August 3 [1923]")) in graph
    assert by_accept.headers["Vary"] == "Accept"
    assert by_accept.headers["Content-Location"] == "/letter/167" + suffix


@pytest.mark.parametrize("path", ["/letter/167", "/person/ordzhonikidze-g-k", "/vocab/julian"])
def test_jsonld_holds_exactly_the_triples_of_ntriples(live: Live, path: str) -> None:
    """Every term survives the compact JSON-LD: IRIs, language-tagged, typed and plain literals."""
    nt = parse_graph(requests.get(live.url + path + ".nt").content, "nt")
    jsonld = parse_graph(requests.get(live.url + path + ".jsonld").content, "json-ld")
    assert len(nt) > 5 and set(jsonld) == set(nt)
    if path == "/letter/167":  # a letter has all three kinds of literal: tagged, typed, plain
        kinds = {(o.language is not None, o.datatype is not None) for o in nt.objects() if isinstance(o, Literal)}
        assert kinds == {(True, False), (False, True), (False, False)}


def test_link_header_lists_every_format(live: Live) -> None:
    r = requests.get(live.url + "/letter/167", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    items = [item.strip() for item in r.headers["Link"].split(",")]  # one target may have several rels
    for media_type, suffix, _ in FORMATS + [("text/html", ".html", "")]:
        assert f'</letter/167{suffix}>; rel="alternate"; type="{media_type}"' in items
    assert len([i for i in items if i.startswith("</letter/167") and 'rel="alternate"' in i]) == 5


def test_etag_last_modified_304_and_head(live: Live) -> None:
    first = requests.get(live.url + "/letter/167", headers={"Accept": "text/turtle"})
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    again = requests.get(live.url + "/letter/167", headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    since = requests.get(live.url + "/letter/167", headers={"Accept": "text/turtle", "If-Modified-Since": modified})
    assert since.status_code == 304
    other_format = requests.get(live.url + "/letter/167", headers={"Accept": "application/ld+json",
                                                                  "If-None-Match": etag})
    assert other_format.status_code == 200 and other_format.headers["ETag"] != etag
    head = requests.head(live.url + "/letter/167", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b"" and head.headers["ETag"] == etag
    assert int(head.headers["Content-Length"]) == len(first.content)


def test_406_lists_what_is_offered(live: Live) -> None:
    r = requests.get(live.url + "/person/stalin-i-v", headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["offered"] == ["text/html", "text/turtle", "application/n-triples", "application/ld+json",
                                   "application/rdf+xml"]
    assert "Offered: text/html, text/turtle" in r.json()["message"]


def test_helpful_404_in_json_and_html(live: Live) -> None:
    r = requests.get(live.url + "/person/nobody-x-y", headers={"Accept": "application/json"})
    assert r.status_code == 404
    assert r.json() == {"error": "Not Found", "status": 404, "message": (
        f"There is no person <{BASE}person/nobody-x-y> in this dataset. Try /search?q=nobody-x-y, "
        "or browse from the home page.")}
    html = requests.get(live.url + "/letter/9999", headers={"Accept": "text/html"})
    assert html.status_code == 404 and "There is no letter" in html.text and 'href="/letters"' in html.text


def test_person_description_has_inverse_links(live: Live) -> None:
    graph = Graph().parse(data=requests.get(live.url + "/person/ordzhonikidze-g-k.ttl").text, format="turtle")
    person = URIRef(BASE + "person/ordzhonikidze-g-k")
    assert (LETTER, SCHEMA.recipient, person) in graph
    assert (URIRef(BASE + "letter/168"), SCHEMA.sender, person) in graph
    assert (URIRef(BASE + "letter/167/name/1.6-10"), BC.refersTo, person) in graph
    assert (LETTER, SCHEMA.name, Literal("No. 167. A. M. Nazaretyan to G. K. Ordzhonikidze", lang="en")) in graph
    assert (URIRef(BASE + "person/ordzhonikidze-g-k/wikidata"), BC.evidence, None) in graph


@pytest.mark.parametrize("path,expected", [
    ("/org/politburo", SCHEMA.Organization), ("/place/tiflis", SCHEMA.Place),
    ("/event/1923-02-01-politburo", SCHEMA.Event), ("/archive/rgaspi/f85/op1s/d13", SCHEMA.ArchiveComponent),
    ("/letter/167/note/2", SCHEMA.Comment)])
def test_every_kind_of_resource_dereferences(live: Live, path: str, expected: URIRef) -> None:
    r = requests.get(live.url + path, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(BASE + path[1:]), None, expected) in graph


def test_ontology_in_every_format(live: Live) -> None:
    ttl = requests.get(live.url + "/ontology", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=ttl.text, format="turtle")
    assert (BC.Letter, None, None) in graph
    html = requests.get(live.url + "/ontology", headers={"Accept": "text/html"})
    assert html.status_code == 200 and 'id="Letter"' in html.text
    assert requests.get(live.url + "/ontology.jsonld").headers["Content-Type"].startswith("application/ld+json")


def test_vocabulary_concepts_and_the_edition_dereference(live: Live) -> None:
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    r = requests.get(live.url + "/vocab/julian", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    assert (URIRef(BASE + "vocab/julian"), None, skos.Concept) in graph
    assert requests.get(live.url + "/vocab/no-such-concept").status_code == 404
    edition = Graph().parse(data=requests.get(live.url + "/edition.ttl").text, format="turtle")
    assert (URIRef(BASE + "edition"), None, SCHEMA.Book) in edition
