"""Parties in the edition's order, copy recipients, sent / not sent / draft, replies and languages (issues 14
and 15): read from the pages, resolved across the collection, published in every dump and on the letter page.

The seed's facts come from tests/data/seed-expected.json's ``parties_and_transmission`` (read by hand from
the page); the invented page tests/data/formats/transmission.txt covers the variants the seed lacks."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from kg.config import ROOT, Settings
from kg.resolve.corpus import resolve
from kg.sources.parse import parse_sources
from tests.release_builds import Built, live_over, seed_release  # noqa: F401 - a fixture
from tests.seed_facts import expected_facts, read_dump, score_transmission

FACTS = expected_facts()["parties_and_transmission"]
SEED = ROOT / "data" / "corpus"
FORMATS = ROOT / "tests" / "data" / "formats" / "transmission.txt"
PREFIXES = "PREFIX schema: <http://schema.org/> PREFIX bc: <https://w3id.org/bolcorr/ns#>\n"


def surnames_match(expected: list[str], names: list[str]) -> bool:
    return len(expected) == len(names) and all(e.lower() in n.lower() for e, n in zip(expected, names, strict=True))


@pytest.fixture(scope="module")
def seed_docs() -> dict:
    return {d.number: d for d in parse_sources([str(SEED)]).documents}


@pytest.fixture(scope="module")
def invented() -> tuple[dict, list]:
    result = parse_sources([str(FORMATS)])
    corpus = resolve(result, Settings())
    return {d.number: d for d in result.documents}, corpus


@pytest.fixture(scope="module")
def built(seed_release: Built) -> Path:  # noqa: F811
    return seed_release.out


# -- reading the page -----------------------------------------------------------------------------------------


def test_the_seed_keeps_the_headers_order(seed_docs: dict) -> None:
    for item in FACTS["order"]:
        doc = seed_docs[str(item["no"])]
        parties = doc.senders if item["side"] == "senders" else doc.recipients
        assert surnames_match(item["names"], [p.name for p in parties]), (item, [p.name for p in parties])
        assert doc.fields["header"].first_line == item["line"]


def test_the_seed_copy_lines_make_copy_recipients(seed_docs: dict) -> None:
    wanted = {(str(c["no"]), name): c for c in FACTS["copies"] for name in c["names"]}
    for number in ("175", "177"):
        for party in seed_docs[number].recipients:
            copy = next((c for (no, name), c in wanted.items() if no == number and name.lower() in party.name.lower()),
                        None)
            if copy is None:
                assert party.copy is None, party  # Stalin in 175, Istpart in 177: the addressees
                continue
            assert party.copy is not None and party.copy.quotation == copy["quotation"], party
            assert party.copy.span.first_line == copy["line"]
    assert all(p.copy is None for d in seed_docs.values() if d.number not in ("175", "177") for p in d.recipients)


def test_the_seed_says_171_was_not_sent_in_note_4(seed_docs: dict) -> None:
    (status,) = FACTS["status"]
    tr = seed_docs[str(status["no"])].transmission
    assert tr is not None and (tr.status, tr.basis, tr.attestation.note) == ("not-sent", "note", status["note"])
    assert status["quotation"] in tr.attestation.quotation and tr.attestation.span.first_line == status["line"]
    assert [d.number for d in seed_docs.values() if d.transmission] == [str(status["no"])]


def test_copy_lines_by_initials_and_address_line_and_unmatched_names(invented: tuple[dict, list]) -> None:
    docs, corpus = invented
    copies = {p.name: p.copy.quotation if p.copy else None for p in docs["801"].recipients}
    assert copies == {"C. D. Petrov": None, "E. F. Sidorov": "Copies of comrades Sidorov and Kuznetsov.",
                      "Central Control Commission": "Copy: CCC."}
    assert [(p.name, p.copy.quotation if p.copy else None) for p in docs["803"].recipients] == [
        ("C. D. Petrov", None), ("E. F. Sidorov", "TO PETROV, copy TO SIDOROV.")]
    assert all(p.copy is None for p in docs["802"].recipients)  # a bare "Copy." is the record's state
    unmatched = [d for d in corpus.diagnostics if d.code == "unmatched-copy"]
    assert [(d.document, d.line, d.severity) for d in unmatched] == [("801", 12, "warning")]
    assert "'Kuznetsov' names no recipient of the header" in unmatched[0].message


def test_draft_sent_and_not_sent_name_where_the_page_says_so(invented: tuple[dict, list]) -> None:
    docs, _ = invented
    found = {n: (d.transmission.status, d.transmission.basis, d.transmission.attestation.quotation)
             for n, d in docs.items() if d.transmission}
    assert found == {"802": ("draft", "citation", "RTSKHIDNI. F. 558. Op. 1. D. 801. L. 2. Draft. Autograph."),
                     "803": ("sent", "place-date", "Filed from Moscow 10/3-21"),
                     "804": ("not-sent", "note", "The letter was not sent.")}


# -- replies --------------------------------------------------------------------------------------------------


def test_replies_only_where_the_text_or_a_note_says_so(invented: tuple[dict, list]) -> None:
    _, corpus = invented
    replies = {k: (r.reply.document, r.reply.basis, r.reply.attestation.quotation, r.reply.attestation.span.first_line)
               for k, r in corpus.resolutions.items() if r.reply}
    assert replies == {"802": ("801", "letter-text", "Your letter received.", 28),
                       "806": ("803", "editor-note", "Reply to the telegram of A. B. Ivanov (document No. 803).", 92)}
    ambiguous = [d for d in corpus.diagnostics if d.code == "reply-ambiguous"]
    assert [(d.document, d.severity) for d in ambiguous] == [("805", "warning")]
    assert "may be any of No. 801, No. 807" in ambiguous[0].message  # 804 was not sent: no candidate


def test_the_seed_176_answers_174() -> None:
    corpus = resolve(parse_sources([str(SEED)]), Settings())
    (reply,) = FACTS["replies"]
    found = {k: r.reply for k, r in corpus.resolutions.items() if r.reply}
    assert list(found) == [str(reply["no"])]
    got = found[str(reply["no"])]
    assert (got.document, got.basis, got.attestation.quotation, got.attestation.span.first_line) == (
        str(reply["in_reply_to"]), "letter-text", reply["quotation"], reply["line"])
    assert "B. I. Magidov to I. V. Stalin" in got.explanation and "No. 174" in got.explanation


# -- the published graph --------------------------------------------------------------------------------------


def store_of(path: Path) -> ox.Store:
    store = ox.Store()
    data = path.read_bytes()
    fmt = ox.RdfFormat.TRIG if path.suffix == ".trig" else ox.RdfFormat.N_TRIPLES
    store.load(gzip.decompress(data) if path.suffix == ".gz" else data, format=fmt)
    return store


@pytest.mark.parametrize("dump", ["kg.nt.gz", "kg.trig"])
def test_sparql_over_the_dumps_gives_the_editions_order(built: Path, dump: str) -> None:
    store = store_of(built / dump)
    for item in FACTS["order"]:
        prop = "bc:qualifiedSender" if item["side"] == "senders" else "bc:qualifiedRecipient"
        query = PREFIXES + f"""SELECT ?name WHERE {{ GRAPH ?g {{ ?letter schema:identifier "{item['no']}" ;
            {prop} ?role . ?role bc:position ?position ; bc:party ?agent }} GRAPH ?a {{ ?agent schema:name ?name }}
        }} ORDER BY ?position""" if dump == "kg.trig" else PREFIXES + f"""SELECT ?name WHERE {{
            ?letter schema:identifier "{item['no']}" ; {prop} ?role . ?role bc:position ?position ;
            bc:party/schema:name ?name }} ORDER BY ?position"""
        names = [row["name"].value for row in store.query(query)]
        assert surnames_match(item["names"], names), (item, names)


@pytest.mark.parametrize("dump", ["kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig"])
def test_every_transmission_fact_reads_back_from_every_dump(built: Path, dump: str) -> None:
    score = score_transmission(read_dump(built / dump))
    print(score.report())
    assert score.ok == score.total and score.total >= 20, score.report()


# -- the letter page ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(built: Path) -> Iterator[str]:
    with live_over(built) as url:
        yield url


def page(site: str, path: str) -> str:
    r = requests.get(site + path, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    return r.text


def test_the_letter_page_shows_the_editions_order_copies_status_and_replies(site: str) -> None:
    assert ('<dd class="recipients"><a href="/person/voroshilov-k-e">K. E. Voroshilov</a>, '
            '<a href="/person/stalin-i-v">I. V. Stalin</a>, '
            '<a href="/person/ordzhonikidze-g-k">G. K. Ordzhonikidze</a></dd>') in page(site, "/letter/169")
    p175 = page(site, "/letter/175")
    assert '<dd class="recipients"><a href="/person/stalin-i-v">I. V. Stalin</a></dd>' in p175
    assert ('<dd class="copies"><a href="/person/dzerzhinsky-f-e">F. E. Dzerzhinsky</a>, '
            '<a href="/person/trilisser-m-a">M. A. Trilisser</a>, '
            '<a href="/person/menzhinsky-v-r">V. R. Menzhinsky</a></dd>') in p175
    p177 = page(site, "/letter/177")
    senders = p177.split('<dd class="senders">', 1)[1].split("</dd>", 1)[0]
    order = [senders.index(name) for name in ("Pyatakov", "Radek", "Sheverdin", "Maksimovsky")]
    assert order == sorted(order)
    assert "Istpart" in p177.split('<dd class="recipients">', 1)[1].split("</dd>", 1)[0]
    assert "Pravda" in p177.split('<dd class="copies">', 1)[1].split("</dd>", 1)[0]
    assert 'not sent (<a href="#note-4">note 4</a>)' in page(site, "/letter/171")
    assert 'reply to <a href="/letter/174">No. 174</a> (“Your letter received.”)' in page(site, "/letter/176")
    assert 'answered by <a href="/letter/176">No. 176</a>' in page(site, "/letter/174")
    assert "the original is in Russian (ru)" in page(site, "/letter/167")


def test_the_letters_list_shows_the_editions_order(site: str) -> None:
    """The list's From and To columns print the parties as the letter page does, not alphabetically."""
    listed = page(site, "/letters")
    for item in FACTS["order"]:
        row = listed.split(f"<tr><td>{item['no']}</td>", 1)[1].split("</tr>", 1)[0]
        cells = row.split("</td>")
        cell = cells[2] if item["side"] == "senders" else cells[3]  # after No.: date, kind, from, to
        names = re.findall(r'<a href="/[^"]+">([^<]+)</a>', cell)
        assert surnames_match(item["names"], names), (item, names)


def test_the_endpoint_and_the_letters_own_rdf_give_the_editions_order(site: str) -> None:
    """The dumps are read above; the same order comes from the live /sparql endpoint (names through the
    authority) and from each letter's own Turtle (/letter/169 as text/turtle: its party roles alone)."""
    for item in FACTS["order"]:
        prop = "bc:qualifiedSender" if item["side"] == "senders" else "bc:qualifiedRecipient"
        query = PREFIXES + f"""SELECT ?agent (SAMPLE(?n) AS ?name) WHERE {{ ?letter schema:identifier "{item['no']}" ;
            {prop} ?role . ?role bc:position ?position ; bc:party ?agent . ?agent schema:name ?n
        }} GROUP BY ?agent ?position ORDER BY ?position"""
        r = requests.get(site + "/sparql", params={"query": query},
                         headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200, r.text
        rows = r.json()["results"]["bindings"]
        assert surnames_match(item["names"], [b["name"]["value"] for b in rows]), (item, rows)
        turtle = requests.get(f"{site}/letter/{item['no']}", headers={"Accept": "text/turtle"})
        own = ox.Store()
        own.load(turtle.content, format=ox.RdfFormat.TURTLE)
        agents = [row["agent"].value for row in own.query(PREFIXES + f"""SELECT ?agent WHERE {{
            ?letter {prop} ?role . ?role bc:position ?position ; bc:party ?agent }} ORDER BY ?position""")]
        assert agents == [b["agent"]["value"] for b in rows], item

