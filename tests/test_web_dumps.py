"""/dumps/ and /.well-known/void on the live server: listing with sizes and checksums, byte-exact
downloads with the right media types, gzip as application/gzip, VoID with content negotiation."""

from __future__ import annotations

import hashlib

import requests
from rdflib import Namespace, URIRef

from tests.rdf_read import parse_graph
from tests.web_server import Live

VOID = Namespace("http://rdfs.org/ns/void#")


def test_listing_has_sizes_and_checksums(live: Live) -> None:
    r = requests.get(live.url + "/dumps/", headers={"Accept": "application/json"})
    assert r.status_code == 200
    files = {f["name"]: f for f in r.json()["files"]}
    assert set(files) == {"kg.trig", "kg.trig.gz", "void.ttl", "SHA256SUMS"}
    trig = live.settings.output_dir / "kg.trig"
    assert files["kg.trig"]["size"] == trig.stat().st_size
    assert files["kg.trig"]["sha256"] == hashlib.sha256(trig.read_bytes()).hexdigest()
    assert files["kg.trig.gz"]["media_type"] == "application/gzip"
    html = requests.get(live.url + "/dumps/", headers={"Accept": "text/html"})
    assert html.status_code == 200 and files["kg.trig"]["sha256"] in html.text and 'href="/dumps/kg.trig"' in html.text


def test_downloads_are_byte_exact_with_media_types(live: Live) -> None:
    listing = {f["name"]: f for f in requests.get(live.url + "/dumps/", headers={"Accept": "application/json"})
               .json()["files"]}
    for name, media_type in [("kg.trig", "application/trig"), ("void.ttl", "text/turtle"),
                             ("SHA256SUMS", "text/plain"), ("kg.trig.gz", "application/gzip")]:
        r = requests.get(live.url + f"/dumps/{name}", headers={"Accept-Encoding": "identity"})
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type
        assert "Content-Encoding" not in r.headers
        if name == "SHA256SUMS":  # the checksum file cannot list itself
            assert listing[name]["sha256"] is None and "Digest" not in r.headers
            continue
        assert hashlib.sha256(r.content).hexdigest() == listing[name]["sha256"]
        assert r.headers["Digest"] == f"sha-256={listing[name]['sha256']}"
    gz = requests.get(live.url + "/dumps/kg.trig.gz", stream=True)
    assert gz.raw.read(2) == b"\x1f\x8b"  # served compressed, as stored


def test_dump_revalidates(live: Live) -> None:
    first = requests.get(live.url + "/dumps/kg.trig")
    again = requests.get(live.url + "/dumps/kg.trig", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_missing_dump_is_a_helpful_404(live: Live) -> None:
    r = requests.get(live.url + "/dumps/kg.ttl", headers={"Accept": "application/json"})
    assert r.status_code == 404 and "/dumps/" in r.json()["message"]


def test_well_known_void_with_conneg(live: Live) -> None:
    for accept, fmt in [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]:
        r = requests.get(live.url + "/.well-known/void", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == accept
        graph = parse_graph(r.content, fmt)
        assert (URIRef("https://w3id.org/bolcorr/dataset"), None, VOID.Dataset) in graph
    assert requests.get(live.url + "/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
