"""The pictures' data (/timeline.json, /map.json, /network.json and their CSV) equal counts computed here
from the dump's own triples, without SPARQL, on the seed build and on a generated build of 300 letters
whose correspondents are in the authority files; the pages show their tables without the drawing
libraries; a timeline bar's count is the count of the letters list it links to."""

from __future__ import annotations

import csv
import gzip
import io
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask.testing import FlaskClient

from kg.config import Settings
from kg.store.embedded import OxigraphStore
from kg.web import create_app, pictures
from tests.pictures_build import generated_build

KG = str(Path(sys.executable).parent / "kg")
S = "http://schema.org/"
BC = "https://w3id.org/bolcorr/ns#"
BASE = "https://w3id.org/bolcorr/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


@dataclass
class Built:
    client: FlaskClient
    triples: list[ox.Triple]


def _serve(out: Path) -> Iterator[Built]:
    triples = list(ox.parse(gzip.decompress((out / "kg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES))
    store = OxigraphStore(out, warm_workers=0)
    try:
        yield Built(create_app(replace(Settings(), output_dir=out), store).test_client(), triples)
    finally:
        store.close()


@pytest.fixture(scope="module", params=["seed", "generated-300"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "seed":
        out = root / "output"
        done = subprocess.run([KG, "build", "-q", "--out", str(out)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    else:
        out = generated_build(root, 300)
    yield from _serve(out)


class Facts:
    """The dump read as plain triples: what each subject says."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.values: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)
        for t in triples:
            if t.predicate.value == RDF_TYPE:
                self.types[t.subject.value].add(t.object.value)
            self.values[(t.subject.value, t.predicate.value)].append(t.object.value)
        self.letters = sorted(s for s, types in self.types.items() if S + "Message" in types)

    def one(self, subject: str, prop: str) -> str | None:
        found = self.values.get((subject, prop), [])
        assert len(found) <= 1, (subject, prop, found)
        return found[0] if found else None

    def all(self, subject: str, prop: str) -> list[str]:
        return self.values.get((subject, prop), [])

    def resolved(self, iri: str) -> bool:
        return self.one(iri, BC + "unresolved") != "true"


def month_and_kind(f: Facts, letter: str) -> tuple[str | None, str]:
    """The letter's timeline cell: the month of the earliest day the date allows, else its latest, else
    schema:dateCreated (None: undated); and its document kind's id."""
    stmt = f.one(letter, BC + "created")
    bounds = (f.one(stmt, BC + "earliest") or f.one(stmt, BC + "latest")) if stmt else None
    key = bounds or f.one(letter, S + "dateCreated")
    kind = (f.one(letter, BC + "documentKind") or "unknown").rsplit("/", 1)[-1]
    return (key[:7] if key and re.match(r"^\d{4}-\d{2}", key) else None), kind


def expected_timeline(f: Facts) -> tuple[Counter, int]:
    """(month, kind) -> letters, and the undated count."""
    cells: Counter = Counter()
    undated = 0
    for letter in f.letters:
        month, kind = month_and_kind(f, letter)
        if month:
            cells[(month, kind)] += 1
        else:
            undated += 1
    return cells, undated


def test_timeline_json_and_csv_equal_the_dump(built: Built) -> None:
    cells, undated = expected_timeline(Facts(built.triples))
    got = built.client.get("/timeline.json")
    assert got.status_code == 200 and got.mimetype == "application/json"
    data = got.get_json()
    assert {(m["month"], k): n for m in data["months"] for k, n in m["counts"].items()} == dict(cells)
    assert data["undated"] == undated
    assert data["total"] == len(Facts(built.triples).letters)
    assert [m["month"] for m in data["months"]] == sorted({m for m, _ in cells})
    rows = list(csv.DictReader(io.StringIO(built.client.get("/timeline.csv").get_data(as_text=True))))
    assert {(r["month"], r["kind"]): int(r["letters"]) for r in rows if r["month"]} == dict(cells)


def test_a_timeline_bar_counts_the_letters_list_it_links_to(built: Built) -> None:
    cells, _ = expected_timeline(Facts(built.triples))
    (month, kind), n = cells.most_common(1)[0]
    page = built.client.get("/timeline").get_data(as_text=True)
    href = f"/letters?month={month}&amp;kind={kind}"
    assert href in page  # the bar (and the table cell) link there
    listed = built.client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r"<strong>(\d+)</strong> letters?", listed).group(1) == str(n)
    assert built.client.get("/letters?month=1923-13").status_code == 400


def test_an_organizations_bars_open_the_letters_they_counted(built: Built) -> None:
    """On an organization's page every timeline bar links to /letters?org=<id>&month=&kind=, and that list
    holds exactly the letters the bar counted: those the organization sent or received in that month and
    of that kind (read from the dump's triples)."""
    f = Facts(built.triples)
    parties: dict[str, set[str]] = defaultdict(set)
    for letter in f.letters:
        for who in f.all(letter, S + "sender") + f.all(letter, S + "recipient"):
            if S + "Organization" in f.types[who]:
                parties[who].add(letter)
    if not parties:
        pytest.skip("no organization sends or receives a letter in this build")
    org = max(sorted(parties), key=lambda o: len(parties[o]))
    local = org[len(BASE):]
    page = built.client.get("/" + local).get_data(as_text=True)
    bars = re.findall(r'<a href="(/letters\?[^"]+)"><rect class="bar"[^>]*><title>([^<]+)</title>', page)
    counted = Counter(month_and_kind(f, letter) for letter in parties[org])
    assert len(bars) == len([cell for cell in counted if cell[0]]) > 0
    for href, title in bars:
        href = href.replace("&amp;", "&")
        params = dict(p.split("=", 1) for p in href.split("?", 1)[1].split("&"))
        assert params["org"] == local.split("/", 1)[1]
        cell = (params["month"], params["kind"])
        assert title.startswith(f"{cell[0]}: {counted[cell]} ")
        listed = built.client.get(href).get_data(as_text=True)
        got = set(re.findall(r'<td><a href="(/letter/[^"]+)">', listed))
        want = {"/" + letter[len(BASE):] for letter in parties[org] if month_and_kind(f, letter) == cell}
        assert got == want, href
    named = built.client.get("/letters", query_string={"org": f.all(org, S + "name")[0]}).get_data(as_text=True)
    assert f'<a href="/{local}">' in named  # a typed name finds the organization, as person= finds people
    assert int(re.search(r"<strong>(\d+)</strong> letters?", named).group(1)) >= len(parties[org])
    assert "no organization named" in built.client.get("/letters?org=Nobody+at+all").get_data(as_text=True)


def expected_places(f: Facts) -> dict[str, dict]:
    written: dict[str, set[str]] = defaultdict(set)
    mentioned: dict[str, set[str]] = defaultdict(set)
    for letter in f.letters:
        for place in f.all(letter, S + "locationCreated"):
            written[place].add(letter)
        for thing in f.all(letter, S + "mentions"):
            if S + "Place" in f.types[thing]:
                mentioned[thing].add(letter)
    out = {}
    for place in set(written) | set(mentioned):
        if not f.resolved(place):
            continue
        geo = f.one(place, S + "geo")
        point = [float(f.one(geo, S + "longitude")), float(f.one(geo, S + "latitude"))] if geo else None
        out[place] = {"written": len(written[place]), "mentioned": len(mentioned[place]),
                      "letters": len(written[place] | mentioned[place]), "point": point,
                      "name": f.one(place, S + "name")}
    return out


def test_map_json_is_geojson_equal_to_the_dump(built: Built) -> None:
    expected = expected_places(Facts(built.triples))
    got = built.client.get("/map.json")
    assert got.status_code == 200 and got.mimetype == "application/geo+json"
    data = got.get_json()
    assert data["type"] == "FeatureCollection"
    features = {feat["id"]: feat for feat in data["features"]}
    assert set(features) == set(expected)
    for iri, want in expected.items():
        feat = features[iri]
        assert feat["type"] == "Feature"
        assert (feat["geometry"] or {}).get("coordinates") == want["point"], iri
        if feat["geometry"]:
            assert feat["geometry"]["type"] == "Point"
        props = feat["properties"]
        assert (props["written"], props["mentioned"], props["letters"], props["name"]) == (
            want["written"], want["mentioned"], want["letters"], want["name"]), iri
    assert any(w["point"] for w in expected.values())  # the build has coordinates to draw
    rows = list(csv.DictReader(io.StringIO(built.client.get("/map.csv").get_data(as_text=True))))
    assert {r["place"]: int(r["letters"]) for r in rows} == {i: w["letters"] for i, w in expected.items()}


def expected_network(f: Facts, ego: str | None = None) -> tuple[Counter, dict[str, tuple[int, int]]]:
    edges: Counter = Counter()
    sent: dict[str, set[str]] = defaultdict(set)
    received: dict[str, set[str]] = defaultdict(set)
    for letter in f.letters:
        senders = [s for s in f.all(letter, S + "sender") if f.resolved(s)]
        recipients = [r for r in f.all(letter, S + "recipient") if f.resolved(r)]
        if ego and ego not in senders + recipients:
            continue
        for s in senders:
            sent[s].add(letter)
        for r in recipients:
            received[r].add(letter)
        for s in senders:
            for r in recipients:
                if s != r and (not ego or ego in (s, r)):
                    edges[(s, r)] += 1
    nodes = set(sent) | set(received)
    if ego:
        nodes = {ego} | {x for pair in edges for x in pair}
    return edges, {n: (len(sent[n]), len(received[n])) for n in nodes}


def _check_network(data: dict, edges: Counter, nodes: dict[str, tuple[int, int]], ego: str | None) -> None:
    assert {(e["source"], e["target"]): e["letters"] for e in data["edges"]} == dict(edges)
    assert set(nodes) <= {n["id"] for n in data["nodes"]}
    got = {n["id"]: n for n in data["nodes"]}
    for iri, (s, r) in nodes.items():
        if ego is None:  # per-node totals are over all the agent's letters
            assert (got[iri]["sent"], got[iri]["received"]) == (s, r), iri
        assert got[iri]["href"] == "/" + iri[len(BASE):]
        assert got[iri]["degree"] == len({b if a == iri else a for a, b in edges if iri in (a, b)}), iri
    assert not [n for n in data["nodes"] if not n["id"].startswith((BASE + "person/", BASE + "org/"))]


def test_network_json_and_csv_equal_the_dump(built: Built) -> None:
    f = Facts(built.triples)
    edges, nodes = expected_network(f)
    data = built.client.get("/network.json").get_json()
    _check_network(data, edges, nodes, None)
    assert {n["id"] for n in data["nodes"]} == set(nodes)
    unresolved = {p for letter in f.letters for p in f.all(letter, S + "sender") + f.all(letter, S + "recipient")
                  if not f.resolved(p)}
    assert data["left_out"]["parties"] == len(unresolved)
    rows = list(csv.DictReader(io.StringIO(built.client.get("/network.csv").get_data(as_text=True))))
    assert {(r["sender"], r["recipient"]): int(r["letters"]) for r in rows} == dict(edges)


def test_the_person_network_is_the_same_picture_for_one_agent(built: Built) -> None:
    f = Facts(built.triples)
    everyone = built.client.get("/network.json").get_json()
    ego = everyone["nodes"][0]["id"]  # the most connected
    edges, nodes = expected_network(f, ego)
    data = built.client.get(f"/network.json?agent={ego[len(BASE):]}").get_json()
    _check_network(data, edges, nodes, ego)
    assert data["ego"] == ego and data["nodes"][0]["id"] == ego
    page = built.client.get("/" + ego[len(BASE):]).get_data(as_text=True)
    assert f'data-src="/network.json?agent={ego[len(BASE):]}"' in page
    assert page.count("<tr><td><a href=") >= len(edges)  # the edge table, one row per pair
    assert built.client.get("/network.json?agent=person/nobody-at-all").status_code == 404
    assert built.client.get("/network.json?agent=../etc").status_code == 400


def test_pages_show_their_tables_without_the_libraries(built: Built, monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    monkeypatch.setattr(pictures, "VENDOR", tmp_path / "no-vendor")  # as after a checkout without `make vendor`
    f = Facts(built.triples)
    for path in ("/timeline", "/map", "/network"):
        page = built.client.get(path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "vendor/pictures" not in html and "<script" not in html
        assert f'href="{path}.json"' in html and f'href="{path}.csv"' in html
    timeline = built.client.get("/timeline").get_data(as_text=True)
    cells, _ = expected_timeline(f)
    for month in {m for m, _ in cells}:
        assert f"<tr><td>{month}</td>" in timeline
    assert timeline.count('class="bar"') == len(cells)  # the server's SVG: one bar segment per month and kind
    places = built.client.get("/map").get_data(as_text=True)
    for want in expected_places(f).values():
        assert f">{want['name']}</a>" in places
        if want["point"]:
            assert f'<td class="num">{want["point"][1]}</td><td class="num">{want["point"][0]}</td>' in places
    network = built.client.get("/network").get_data(as_text=True)
    edges, _ = expected_network(f)
    assert "<details class=\"edges\" open>" in network
    rows = re.findall(r'<tr><td><a href="(/[^"]+)">[^<]*</a></td><td><a href="(/[^"]+)">[^<]*</a></td>'
                      r'<td class="num">(\d+)</td></tr>', network)
    assert {(BASE + s[1:], BASE + r[1:]): int(n) for s, r, n in rows} == dict(edges)
