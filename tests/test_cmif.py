"""cmif.xml and letters.csv, the letter views `kg build` writes: they keep our CMIF rules
(tests/cmif_checks.py) on the seed and on a generated corpus, say exactly what the published graph says
(read back here independently, with SPARQL over kg.nt.gz), round-trip the seed's 11 letters against
tests/data/seed-expected.json, are checksummed and described like the dumps, and are served."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef, namespace

from kg.build.pipeline import build
from kg.config import Settings
from kg.publish.cmif import tei_date
from kg.publish.letters import DateInfo
from kg.publish.letters_csv import COLUMNS, SEPARATOR
from tests.cmif_checks import TEI, cmif_problems, day_bounds
from tests.seed_facts import expected_facts

# the terms, not the namespaces: pytest probes module globals, and rdflib's DCAT warns on unknown names
DISTRIBUTION, DCAT_DISTRIBUTION = namespace.DCAT.Distribution, namespace.DCAT.distribution
MEDIA_TYPE, BYTE_SIZE = namespace.DCAT.mediaType, namespace.DCAT.byteSize
RDF_TYPE, DATA_DUMP = namespace.RDF.type, namespace.VOID.dataDump
PREFIXES = """PREFIX bc: <https://w3id.org/bolcorr/ns#> PREFIX schema: <http://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#> """


def run_build(out: Path, sources: list[str] | None = None) -> Path:
    lines: list[str] = []
    assert build(replace(Settings(), output_dir=out), sources, echo=lines.append) == 0, "\n".join(lines)
    return out


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_build(tmp_path_factory.mktemp("seed") / "output")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.devtools.generate import write_corpus

    pages = write_corpus(tmp_path_factory.mktemp("corpus") / "pages", 120)
    return run_build(tmp_path_factory.mktemp("generated") / "output", [str(p) for p in pages])


def store_of(out: Path) -> ox.Store:
    store = ox.Store()
    store.load(gzip.decompress((out / "kg.nt.gz").read_bytes()), format=ox.RdfFormat.N_TRIPLES)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(PREFIXES + query)
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def graph_letters(store: ox.Store) -> dict[str, dict[str, object]]:
    """Letter IRI -> number, schema:dateCreated, Gregorian bounds, place, kind; parties as (name, ref)."""
    letters: dict[str, dict[str, object]] = {}
    for r in select(store, """SELECT ?l ?no ?created ?lo ?hi ?glo ?ghi ?cal ?place ?kind WHERE {
        ?l a bc:Letter . FILTER NOT EXISTS { ?l bc:outsideCorpus true }
        OPTIONAL { ?l bc:documentNumber ?no } OPTIONAL { ?l schema:dateCreated ?created }
        OPTIONAL { ?l bc:placeWritten/schema:name ?place } OPTIONAL { ?l bc:documentKind ?kind }
        OPTIONAL { ?l bc:created ?d . ?d bc:calendar ?cal
                   OPTIONAL { ?d bc:earliest ?lo } OPTIONAL { ?d bc:latest ?hi }
                   OPTIONAL { ?d bc:gregorianEarliest ?glo } OPTIONAL { ?d bc:gregorianLatest ?ghi } } }"""):
        gregorian = r.get("cal", "").endswith("/gregorian")
        letters[r["l"]] = {"number": r.get("no", ""), "created": r.get("created", ""), "place": r.get("place", ""),
                           "kind": r.get("kind", "").rsplit("/", 1)[-1], "dated": "cal" in r,
                           "lo": r.get("glo") or (r.get("lo", "") if gregorian else ""),
                           "hi": r.get("ghi") or (r.get("hi", "") if gregorian else ""),
                           "sender": [], "recipient": []}
    for r in select(store, """SELECT ?l ?role ?a ?name ?item ?unresolved WHERE {
        VALUES ?role { bc:sender bc:recipient } ?l ?role ?a . ?a schema:name ?name .
        OPTIONAL { ?a owl:sameAs ?item FILTER STRSTARTS(STR(?item), "http://www.wikidata.org/entity/") }
        OPTIONAL { ?a bc:unresolved ?unresolved } }"""):
        ref = None if r.get("unresolved") == "true" else r.get("item", r["a"])
        letters[r["l"]][r["role"].rsplit("#", 1)[-1]].append((r["name"], ref))
    return letters


def corresp_descs(out: Path) -> dict[str, ET.Element]:
    root = ET.parse(out / "cmif.xml").getroot()
    descs = root.findall(f"{TEI}teiHeader/{TEI}profileDesc/{TEI}correspDesc")
    by_ref = {d.get("ref", ""): d for d in descs}
    assert len(by_ref) == len(descs), "two correspDesc for one letter"
    return by_ref


def parties(desc: ET.Element, action: str) -> list[tuple[str, str | None]]:
    found = desc.find(f"{TEI}correspAction[@type='{action}']")
    assert found is not None
    return [(el.text or "", el.get("ref")) for el in found if el.tag in (f"{TEI}persName", f"{TEI}orgName")]


def cmif_span(date: ET.Element) -> tuple[str, str]:
    """The first and last day a CMIF date allows ('' for an open end), read by CMIF's rules."""
    a = {k: day_bounds(v) for k, v in date.attrib.items() if k in ("when", "from", "to", "notBefore", "notAfter")}
    assert None not in a.values(), date.attrib
    lo = a.get("when") or a.get("from") or a.get("notBefore")
    hi = a.get("when") or a.get("to") or a.get("notAfter")
    return (lo[0].isoformat() if lo else "", hi[1].isoformat() if hi else "")


def sent_date(desc: ET.Element) -> ET.Element | None:
    return desc.find(f"{TEI}correspAction[@type='sent']/{TEI}date")


# -- our CMIF rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_cmif_keeps_our_cmif_rules(which: str, request: pytest.FixtureRequest) -> None:
    out = request.getfixturevalue(which)
    assert cmif_problems(out / "cmif.xml") == []


def test_our_cmif_rules_catch_what_they_are_about(seed: Path, tmp_path: Path) -> None:
    """Each rule bites: a damaged copy of the seed's file is reported, naming the damage."""
    good = (seed / "cmif.xml").read_text(encoding="utf-8")
    damage = {'type="received"': ('type="cc"', "correspAction @type 'cc'"),
              'when="1923-01-24"': ('when="1923-02-30"', "is not a real"),
              'source="#': ('source="#x', "names no bibl"),
              'licenses/by/4.0/">': ('licenses/by-nc/4.0/">', "availability/licence"),
              '<idno type="url">': ('<idno type="URL">', "publicationStmt/idno"),
              '<persName ref="https://w3id.org/bolcorr/person/nazaretyan-a-m"':
                  ('<persName ref="person/nazaretyan-a-m"', "is not absolute URIs"),
              'terms#mentionsPerson': ('terms#knows', "is not a CMIF term")}
    for before, (after, problem) in damage.items():
        assert before in good
        path = tmp_path / "damaged.xml"
        path.write_text(good.replace(before, after, 1), encoding="utf-8")
        found = cmif_problems(path)
        assert any(problem in p for p in found), (after, found)


def test_one_correspdesc_per_letter_with_its_edition_number(generated: Path) -> None:
    letters = graph_letters(store_of(generated))
    descs = corresp_descs(generated)
    assert set(descs) == set(letters)
    assert {ref: d.get("key", "") for ref, d in descs.items()} == {ref: v["number"] for ref, v in letters.items()}


# -- a thin view of the graph -------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_cmif_parties_and_dates_are_the_graphs(which: str, request: pytest.FixtureRequest) -> None:
    out = request.getfixturevalue(which)
    letters, descs = graph_letters(store_of(out)), corresp_descs(out)
    for iri, letter in letters.items():
        desc = descs[iri]
        for role, action in (("sender", "sent"), ("recipient", "received")):
            want = sorted(letter[role]) or [("Unknown", None)]
            assert sorted(parties(desc, action)) == want, (iri, role)
        date = sent_date(desc)
        if not (letter["lo"] or letter["hi"]):
            assert date is None
            continue
        assert date is not None, iri
        assert cmif_span(date) == (letter["lo"], letter["hi"]), (iri, date.attrib)
        if letter["created"] and "when" in date.attrib:
            assert date.get("when") == letter["created"]


def test_tei_date_says_what_the_statement_says() -> None:
    day = DateInfo("August 3 [1923]", "1923-08-03", "1923-08-03", "1923-08-03", "1923-08-03", "1923-08-03",
                   supplied=True)
    assert tei_date(day) == {"when": "1923-08-03", "evidence": "conjecture"}
    month = DateInfo("March 1923", "1923-03", "1923-03-01", "1923-03-31", "1923-03-01", "1923-03-31")
    assert tei_date(month) == {"when": "1923-03"}
    julian_month = DateInfo("January 1912", "1912-01", "1912-01-01", "1912-01-31", "1912-01-14", "1912-02-13",
                            calendar="julian")
    assert tei_date(julian_month) == {"notBefore": "1912-01-14", "notAfter": "1912-02-13"}
    span = DateInfo("March 5-6, 1921", "1921-03-05/1921-03-06", "1921-03-05", "1921-03-06", qualifier="range")
    assert tei_date(span) == {"from": "1921-03-05", "to": "1921-03-06"}
    later = DateInfo("[later March 5, 1921]", "1921-03-05/..", "1921-03-05", qualifier="notBefore")
    assert tei_date(later) == {"notBefore": "1921-03-05"}
    earlier = DateInfo("[previously March 5, 1921]", "../1921-03-05", latest="1921-03-05", qualifier="notAfter")
    assert tei_date(earlier) == {"notAfter": "1921-03-05"}
    late = DateInfo("[late March 1921]", "1921-03~", "1921-03-21", "1921-03-31", qualifier="approximate",
                    supplied=True)
    assert tei_date(late) == {"notBefore": "1921-03-21", "notAfter": "1921-03-31"}  # bounds are no conjecture
    assert tei_date(DateInfo("no date", qualifier="notBefore")) == {}


def test_seed_round_trips_against_the_expected_facts(seed: Path) -> None:
    """Senders and recipients in the edition's order, dates and supplied years, places: all 11 letters."""
    descs = {d.get("key"): d for d in corresp_descs(seed).values()}
    expected = expected_facts()["documents"]
    assert sorted(descs) == sorted(str(doc["no"]) for doc in expected)
    for doc in expected:
        desc = descs[str(doc["no"])]
        for role, action in (("senders", "sent"), ("recipients", "received")):
            names = [name for name, _ in parties(desc, action)]
            assert len(names) == len(doc[role]), (doc["no"], role, names)
            assert all(want.lower() in name.lower() for want, name in zip(doc[role], names, strict=True)), \
                (doc["no"], role, names)
        date = sent_date(desc)
        assert date is not None and date.get("when") == doc["date"]
        assert (date.get("evidence") == "conjecture") == doc["year_supplied"], doc["no"]
        place = desc.find(f"{TEI}correspAction[@type='sent']/{TEI}placeName")
        assert (place.text if place is not None else None) == doc["place"]


# -- letters.csv ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "generated"])
def test_letters_csv_is_the_graphs_letters(which: str, request: pytest.FixtureRequest) -> None:
    out = request.getfixturevalue(which)
    raw = (out / "letters.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    assert raw.count(b"\n") == raw.count(b"\r\n")  # RFC 4180 line ends, none bare
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == COLUMNS
    letters = graph_letters(store_of(out))
    assert sorted(r["iri"] for r in rows) == sorted(letters)
    for r in rows:
        letter = letters[r["iri"]]
        assert (r["number"], r["date"], r["not_before"], r["not_after"], r["place"], r["kind"]) == (
            letter["number"], letter["created"], letter["lo"], letter["hi"], letter["place"], letter["kind"])
        for role in ("sender", "recipient"):
            cell = r[role + "s"]
            assert sorted(cell.split(SEPARATOR) if cell else []) == sorted(name for name, _ in letter[role])


def test_letters_csv_keeps_the_editions_order(seed: Path) -> None:
    with (seed / "letters.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["number"]: r for r in csv.DictReader(f)}
    assert rows["169"]["recipients"] == "K. E. Voroshilov | I. V. Stalin | G. K. Ordzhonikidze"
    assert [r["number"] for r in csv.DictReader(io.StringIO((seed / "letters.csv").read_text(encoding="utf-8")))] \
        == [str(n) for n in range(167, 178)]
    assert rows["171"]["date_supplied"] == "true" and rows["171"]["date_as_printed"] == "August 3 [1923]"


# -- released like the dumps ------------------------------------------------------------------------------


def test_views_are_checksummed_and_described(seed: Path) -> None:
    listed = dict(reversed(line.split("  ", 1)) for line in (seed / "SHA256SUMS").read_text().splitlines())
    for name in ("cmif.xml", "letters.csv"):
        assert listed[name] == hashlib.sha256((seed / name).read_bytes()).hexdigest()
    void = Graph().parse(seed / "void.ttl")
    dataset = URIRef("https://w3id.org/bolcorr/void")
    for name, media in (("cmif.xml", "application/tei+xml"), ("letters.csv", "text/csv")):
        node = URIRef(f"https://w3id.org/bolcorr/dumps/{name}")
        assert (dataset, DCAT_DISTRIBUTION, node) in void and (node, RDF_TYPE, DISTRIBUTION) in void
        assert (node, MEDIA_TYPE, URIRef("https://www.iana.org/assignments/media-types/" + media)) in void
        assert int(void.value(node, BYTE_SIZE)) == (seed / name).stat().st_size
        assert (dataset, DATA_DUMP, node) not in void  # not RDF: a distribution, not a data dump
