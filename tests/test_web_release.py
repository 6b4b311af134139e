"""Releases that verify, over real HTTP on a real seed build: every file SHA256SUMS lists downloads
from its listed path under /dumps/ and checks (as `sha256sum -c` does, and with it when installed),
with an RFC 9530 ``Repr-Digest``; the shapes by content negotiation; one version identifier in VoID,
the CLI summary, the cite box, ``X-Release`` and the dumps page; VoID/DCAT with publisher, licence,
issue date, sizes, media types and compression; FAIR Signposting on letter and entity pages."""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import requests
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, SH, XSD

from tests.rdf_read import parse_graph
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - session fixture

IANA = "https://www.iana.org/assignments/media-types/"
SCHEMA_ORG = "https://schema.org/"
RDF_TYPES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
             "application/rdf+xml": "xml"}
VOIDNS = Namespace("http://rdfs.org/ns/void#")


def listed(text: str) -> dict[str, str]:
    """SHA256SUMS as {path: hex digest}."""
    return {name.lstrip("*"): digest for digest, name in (line.split(None, 1) for line in text.splitlines() if line)}


def test_every_file_of_sha256sums_downloads_from_its_listed_path_and_verifies(seed_release: Built,  # noqa: F811
                                                                             tmp_path: Path) -> None:
    with live_over(seed_release.out) as url:
        sums = requests.get(url + "/dumps/SHA256SUMS")
        assert sums.status_code == 200
        (tmp_path / "SHA256SUMS").write_bytes(sums.content)
        files = listed(sums.text)
        assert {"kg.nt.gz", "void.ttl", "ontology/bolcorr.ttl", "ontology/vocab.ttl",
                "shapes/bolcorr.shapes.ttl"} <= set(files)
        for name, digest in files.items():
            r = requests.get(f"{url}/dumps/{name}", headers={"Accept-Encoding": "identity"})
            assert r.status_code == 200, name
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(r.content)
            assert hashlib.sha256(r.content).hexdigest() == digest, name
            algorithm, _, value = r.headers["Repr-Digest"].partition("=")
            assert algorithm == "sha-256" and value.startswith(":") and value.endswith(":")
            assert base64.b64decode(value[1:-1]) == bytes.fromhex(digest), name
            assert "Digest" not in r.headers
        listing = requests.get(url + "/dumps/", headers={"Accept": "application/json"}).json()
        assert {f["name"] for f in listing["files"]} == set(files) | {"SHA256SUMS"}
    if shutil.which("sha256sum"):
        done = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count(": OK") == len(files)


def test_the_shapes_by_content_negotiation(seed_release: Built) -> None:  # noqa: F811
    published = Graph()
    for path in sorted((seed_release.out / "shapes").glob("*.ttl")):
        published.parse(path, format="turtle")
    with live_over(seed_release.out) as url:
        for media, parse_as in (("text/turtle", "turtle"), ("application/ld+json", "json-ld")):
            r = requests.get(url + "/shapes", headers={"Accept": media})
            assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media
            assert r.headers["Vary"] == "Accept"
            assert isomorphic(parse_graph(r.content, parse_as), published)
        html = requests.get(url + "/shapes", headers={"Accept": "text/html"})
        assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
        shapes = {published.namespace_manager.normalizeUri(s) for s in published.subjects(RDF.type, SH.NodeShape)}
        assert len(shapes) > 10 and all(f"<code>{name}</code>" in html.text for name in shapes)
        assert 'href="/dumps/shapes/bolcorr.shapes.ttl"' in html.text
        assert requests.get(url + "/shapes.ttl").headers["Content-Type"].startswith("text/turtle")


def test_one_version_identifier_everywhere(seed_release: Built) -> None:  # noqa: F811
    void = Graph().parse(seed_release.out / "void.ttl", format="turtle")
    dataset = URIRef(seed_release.base + "void")
    in_void = {str(void.value(dataset, p)) for p in (OWL.versionInfo, DCTERMS.hasVersion, URIRef(f"{DCAT}version"))}
    assert len(in_void) == 1
    version = in_void.pop()
    content = gzip.decompress((seed_release.out / "kg.nt.gz").read_bytes())
    assert version == hashlib.sha256(content).hexdigest()[:12]  # what `zcat kg.nt.gz | sha256sum` starts with
    summary = re.search(r" version (\S+) in ", seed_release.summary)
    assert summary and summary.group(1) == version
    with live_over(seed_release.out) as url:
        letter = requests.get(url + "/letter/167", headers={"Accept": "text/html"})
        cite = re.search(r'Linked Data edition: [^<]+ \(version <span class="version">([^<]+)</span>;', letter.text)
        assert cite and cite.group(1) == version
        dumps = requests.get(url + "/dumps/", headers={"Accept": "text/html"})
        page = re.search(r'Release <strong class="release">([^<]+)</strong>', dumps.text)
        assert page and page.group(1) == version
        assert requests.get(url + "/dumps/", headers={"Accept": "application/json"}).json()["version"] == version
        for response in (letter, dumps, requests.get(url + "/dumps/kg.ttl"), requests.get(url + "/void")):
            assert response.headers["X-Release"] == version


def test_void_and_dcat_describe_the_release(seed_release: Built) -> None:  # noqa: F811
    void = Graph().parse(seed_release.out / "void.ttl", format="turtle")
    dataset = URIRef(seed_release.base + "void")
    publisher = void.value(dataset, DCTERMS.publisher)
    assert publisher is not None and str(void.value(publisher, FOAF.name)).strip()
    assert void.value(dataset, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    issued = void.value(dataset, DCTERMS.issued)
    assert isinstance(issued, Literal) and issued.datatype == XSD.date and issued.value is not None
    media = {"kg.ttl": "text/turtle", "kg.nt.gz": "application/n-triples", "kg.jsonld": "application/ld+json",
             "kg.trig": "application/trig", "cmif.xml": "application/tei+xml", "letters.csv": "text/csv"}
    found = {}
    for dist in void.objects(dataset, DCAT.distribution):
        name = str(void.value(dist, DCTERMS.title))
        found[name] = (int(void.value(dist, DCAT.byteSize)), void.value(dist, DCAT.mediaType),
                       void.value(dist, DCAT.compressFormat))
    assert found == {name: ((seed_release.out / name).stat().st_size, URIRef(IANA + media[name]),
                            URIRef(IANA + "application/gzip") if name.endswith(".gz") else None) for name in media}
    authority = URIRef(seed_release.base + "graph/authority")
    assert (dataset, VOIDNS.subset, authority) in void and void.value(authority, DCTERMS.title) is not None


def links(header: str) -> list[tuple[str, dict[str, str]]]:
    """A Link header as (target, parameters) pairs, in order."""
    found = []
    for item in re.findall(r"<[^>]*>[^<]*", header):
        target, _, rest = item.partition(">")
        params = dict(re.findall(r';\s*([\w-]+)="([^"]*)"', rest))
        found.append((target[1:], params))
    return found


def test_signposting_on_letter_and_entity_pages(seed_release: Built) -> None:  # noqa: F811
    base = seed_release.base
    with live_over(seed_release.out) as url:
        for path, schema_type, has_item in (("/letter/167", "Message", True), ("/person/stalin-i-v", "Person", False),
                                            ("/org/cc-rcp", "Organization", False)):
            r = requests.get(url + path, headers={"Accept": "text/html"})
            assert r.status_code == 200
            by_rel: dict[str, list[tuple[str, dict[str, str]]]] = {}
            for target, params in links(r.headers["Link"]):
                by_rel.setdefault(params.get("rel", ""), []).append((target, params))
            assert [t for t, _ in by_rel["cite-as"]] == [base + path[1:]]
            described = {p["type"]: t for t, p in by_rel["describedby"]}
            assert set(described) == set(RDF_TYPES)
            for media, target in described.items():
                data = requests.get(url + target)
                assert data.status_code == 200 and data.headers["Content-Type"].split(";")[0] == media
                assert (URIRef(base + path[1:]), None, None) in parse_graph(data.content, RDF_TYPES[media])
            assert {t for t, _ in by_rel["type"]} == {SCHEMA_ORG + schema_type, SCHEMA_ORG + "AboutPage"}
            assert [t for t, _ in by_rel["license"]] == ["https://creativecommons.org/licenses/by/4.0/"]
            assert ("item" in by_rel) == has_item
            for target, params in by_rel.get("item", []):
                source = requests.get(url + target, headers={"Accept": params["type"]})
                assert source.status_code == 200 and source.headers["Content-Type"].startswith(params["type"])
                assert target.startswith("/source/")
