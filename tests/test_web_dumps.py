"""/dumps/ and /.well-known/void on the live server: listing with sizes and checksums, byte-exact
downloads with the right media types, gzip as application/gzip, VoID with content negotiation; and on
damaged builds: a symbolic link out of output/, a malformed SHA256SUMS, a broken void.ttl."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import requests
from rdflib import Namespace, URIRef

from kg.web import create_app
from tests.rdf_read import parse_graph
from tests.web_server import Live, make_data_dir, serving

VOID = Namespace("http://rdfs.org/ns/void#")


def repr_digest(hex_digest: str) -> str:
    """RFC 9530: ``sha-256=:<the digest's bytes in base64>:``."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(hex_digest)).decode()}:"


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
            assert listing[name]["sha256"] is None and "Repr-Digest" not in r.headers
            continue
        assert hashlib.sha256(r.content).hexdigest() == listing[name]["sha256"]
        assert r.headers["Repr-Digest"] == repr_digest(listing[name]["sha256"])
    gz = requests.get(live.url + "/dumps/kg.trig.gz", stream=True)
    assert gz.raw.read(2) == b"\x1f\x8b"  # served compressed, as stored


def test_dump_revalidates(live: Live) -> None:
    first = requests.get(live.url + "/dumps/kg.trig")
    again = requests.get(live.url + "/dumps/kg.trig", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_dump_has_its_length_and_serves_ranges(live: Live) -> None:
    trig = (live.settings.output_dir / "kg.trig").read_bytes()
    whole = requests.get(live.url + "/dumps/kg.trig", timeout=30)
    assert whole.headers["Content-Length"] == str(len(trig)) and whole.headers["Accept-Ranges"] == "bytes"
    part = requests.get(live.url + "/dumps/kg.trig", headers={"Range": "bytes=0-9"}, timeout=30)
    assert part.status_code == 206 and part.content == trig[:10]
    assert part.headers["Content-Range"] == f"bytes 0-9/{len(trig)}"


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


@contextmanager
def site_over(live: Live, output: Path) -> Iterator[str]:
    """The site over another output/ (for its files; queries go to the live store)."""
    settings = replace(live.settings, output_dir=output)
    with serving(create_app(settings, live.store), settings) as server:
        yield f"http://127.0.0.1:{server.port}"


def test_symbolic_links_out_of_the_dumps_are_neither_listed_nor_served(live: Live, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the public\n", encoding="utf-8")
    output = make_data_dir(tmp_path / "output")
    (output / "leak.txt").symlink_to(secret)
    (output / "passwd.ttl").symlink_to("/etc/passwd")
    with site_over(live, output) as url:
        names = {f["name"] for f in requests.get(url + "/dumps/", headers={"Accept": "application/json"},
                                                  timeout=30).json()["files"]}
        assert names == {"kg.trig", "kg.trig.gz", "void.ttl", "SHA256SUMS"}
        for name in ("leak.txt", "passwd.ttl"):
            r = requests.get(url + f"/dumps/{name}", headers={"Accept": "application/json"}, timeout=30)
            assert r.status_code == 404 and r.json()["status"] == 404
            assert "not for the public" not in r.text and "root:" not in r.text
        assert requests.get(url + "/dumps/kg.trig", timeout=30).content == (output / "kg.trig").read_bytes()


def test_a_malformed_checksum_line_degrades_the_listing_not_the_site(live: Live, tmp_path: Path) -> None:
    output = make_data_dir(tmp_path / "output")
    sums = (output / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    broken = [line if not line.endswith("kg.trig.gz") else "garbage-without-a-name" for line in sums]
    (output / "SHA256SUMS").write_text("\n".join(broken) + "\n", encoding="utf-8")
    bad_line = broken.index("garbage-without-a-name") + 1
    with site_over(live, output) as url:
        r = requests.get(url + "/dumps/", headers={"Accept": "application/json"}, timeout=30)
        assert r.status_code == 200
        files = {f["name"]: f for f in r.json()["files"]}
        assert set(files) == {"kg.trig", "kg.trig.gz", "void.ttl", "SHA256SUMS"}
        assert files["kg.trig.gz"]["sha256"] is None
        assert files["kg.trig"]["sha256"] == hashlib.sha256((output / "kg.trig").read_bytes()).hexdigest()
        problems = r.json()["checksum_problems"]
        assert f"SHA256SUMS line {bad_line} is not '<sha-256>  <file name>'; it was skipped" in problems
        assert "no checksum for kg.trig.gz" in problems
        html = requests.get(url + "/dumps/", headers={"Accept": "text/html"}, timeout=30)
        assert html.status_code == 200 and f"SHA256SUMS line {bad_line}" in html.text
        gz = requests.get(url + "/dumps/kg.trig.gz", timeout=30)
        assert gz.status_code == 200 and gz.content == (output / "kg.trig.gz").read_bytes()
        assert "Repr-Digest" not in gz.headers
        trig = requests.get(url + "/dumps/kg.trig", timeout=30)
        assert trig.status_code == 200 and trig.headers["Repr-Digest"] == repr_digest(files["kg.trig"]["sha256"])


def test_an_undecodable_checksum_file_leaves_every_file_downloadable(live: Live, tmp_path: Path) -> None:
    output = make_data_dir(tmp_path / "output")
    (output / "SHA256SUMS").write_bytes(b"\xff\xfe not utf-8\n")
    with site_over(live, output) as url:
        r = requests.get(url + "/dumps/", headers={"Accept": "application/json"}, timeout=30)
        assert r.status_code == 200 and all(f["sha256"] is None for f in r.json()["files"])
        assert r.json()["checksum_problems"][0].startswith("SHA256SUMS cannot be read")
        assert requests.get(url + "/dumps/void.ttl", timeout=30).status_code == 200


def test_a_broken_void_is_a_clear_error_in_the_usual_shape(live: Live, tmp_path: Path) -> None:
    output = make_data_dir(tmp_path / "output")
    (output / "void.ttl").write_text("@prefix void: <http://rdfs.org/ns/void#> .\n<x> a void:Dataset ;;; [ \n",
                                     encoding="utf-8")
    with site_over(live, output) as url:
        r = requests.get(url + "/.well-known/void", headers={"Accept": "application/json, text/turtle;q=0.9"},
                         timeout=30)
        assert r.status_code == 503 and r.headers["Content-Type"] == "application/json"
        body = r.json()
        assert set(body) == {"error", "status", "message"} and body["status"] == 503
        assert body["error"] == "Service Unavailable" and "void.ttl" in body["message"]
        assert "/dumps/" in body["message"]
        browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        page = requests.get(url + "/.well-known/void", headers={"Accept": browser}, timeout=30)
        assert page.status_code == 503 and "void.ttl" in page.text and "<title>503 Service Unavailable" in page.text
        assert requests.get(url + "/dumps/void.ttl", timeout=30).status_code == 200  # the file itself is still there
