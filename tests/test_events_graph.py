"""The seed's events as published: every field of seed-expected.json's "stated_events" block read back from every
dump (the score is printed: pytest -s), and the event graph's own promises — a decision and its sitting point at
each other, every stating note exists and says it is about the event, an undated event has no date at all."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.build.pipeline import build
from kg.config import Settings
from tests.seed_facts import read_dump, score_events_dump

DUMPS = ("kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig")
PREFIXES = "PREFIX bc: <https://w3id.org/bolcorr/ns#> PREFIX schema: <http://schema.org/> "
EVENT = "https://w3id.org/bolcorr/event/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("events") / "output"
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=out), None, echo=lines.append)
    assert code == 0, "\n".join(lines)
    return out


@pytest.fixture(scope="module")
def store(built: Path) -> ox.Store:
    return read_dump(built / "kg.trig")


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value if term is not None else "" for term in row) for row in store.query(PREFIXES + query)]


@pytest.mark.parametrize("dump", DUMPS)
def test_every_event_the_notes_state_reads_back_from_every_dump(built: Path, dump: str) -> None:
    score = score_events_dump(built / dump)
    print(f"{dump}: {score.report()}")
    assert score.total > 200 and score.ok == score.total, score.report()


def test_a_decision_and_its_sitting_point_at_each_other(store: ox.Store) -> None:
    pairs = rows(store, "SELECT ?d ?m WHERE { ?d a bc:Decision ; schema:superEvent ?m . ?m a bc:Meeting }")
    back = rows(store, "SELECT ?d ?m WHERE { ?m a bc:Meeting ; schema:subEvent ?d . ?d a bc:Decision }")
    assert sorted(pairs) == sorted(back) and len(pairs) == 9  # six Politburo sittings, the joint plenum, and
    assert (EVENT + "1923-10-25-plenum-cc-ccc-decision", EVENT + "1923-10-25-plenum-cc-ccc") in pairs
    for decision in ("sto-resolution-nkps-fuel-settlements-donbass", "sto-decision-nkps-debt-kuzbass-cherembass"):
        assert (EVENT + decision, EVENT + "1923-08-03-sto") in pairs  # the STO sitting only No. 171's text names


def test_the_sto_decision_of_16_january_is_known_from_the_politburo_protocol_only(store: ox.Store) -> None:
    sto = EVENT + "1923-01-16-sto-decision"
    assert rows(store, f"SELECT ?t WHERE {{ <{sto}> a ?t FILTER(?t = bc:Meeting) }}") == []
    assert rows(store, "SELECT ?e WHERE { ?e a bc:Meeting ; bc:edtf '1923-01-16' }") == []
    cited = rows(store, f"SELECT ?c WHERE {{ <{sto}> bc:hasReference/bc:fond ?c }}")
    assert cited == [("17",)]  # fond 17: the Politburo's protocols


def test_every_stating_note_exists_and_is_about_its_event(store: ox.Store) -> None:
    stated = rows(store, "SELECT ?e ?n WHERE { ?e a bc:Event ; bc:statedIn ?n }")
    assert len(stated) >= 40
    notes = set(rows(store, "SELECT ?e ?n WHERE { ?n a bc:EditorialNote ; bc:about ?e }"))
    letters = {n for (n,) in rows(store, "SELECT ?l WHERE { ?l a bc:Letter }")}
    for event, where in stated:
        assert (event, where) in notes or where in letters, (event, where)
    assert notes <= set(stated)  # and every note about an event is one of its stating notes
    unstated = rows(store, "SELECT ?e WHERE { ?e a bc:Event FILTER NOT EXISTS { ?e bc:statedIn ?n } }")
    assert unstated == []


def test_an_undated_event_has_no_date_and_a_dated_one_its_statement(store: ox.Store) -> None:
    undated = {e for (e,) in rows(store, "SELECT ?e WHERE { ?e a bc:Event FILTER NOT EXISTS { ?e bc:eventDate ?d } }")}
    assert undated == {EVENT + i for i in ("twelfth-party-congress", "peace-of-brest-litovsk", "left-sr-uprising",
                                           "gpu-cancels-the-expulsion-of-myasnikov",
                                           "conference-of-the-berliners-with-radek-and-pyatakov",
                                           "bukharin-at-the-krasnaya-presnya-district-meeting",
                                           "cec-meeting-in-the-tauride-palace-lenin-report-on-brest",
                                           # issue 15: named in a letter's text, which gives no date of them
                                           "politburo-meeting-with-budu-and-seryozha",
                                           "ban-of-the-conference-convened-by-the-berliners",
                                           "berlin-districts-resolution-expelling-brandler",
                                           "spd-organizations-demand-expulsion-of-ebert",
                                           "meeting-with-brandler-fischer-and-helm",
                                           "cc-decision-myasnikov-harm-abroad-supposed",
                                           "publication-closed-letter-15-of-the-cc",
                                           "cc-meeting-lenin-threatens-resignation-over-brest",
                                           "cc-decision-to-sign-the-brest-peace",
                                           "politburo-decision-on-the-dzerzhinsky-commission",
                                           "secretariat-decision-on-the-ciphers-in-the-sotsialistichesky-vestnik",
                                           "cc-decision-not-to-inform-of-the-october-plenum")}
    for event in undated:
        assert rows(store, f"SELECT ?p WHERE {{ <{event}> ?p ?o FILTER(?p IN (schema:startDate, bc:edtf)) }}") == []
    open_ended = EVENT + "arrests-of-the-workers-group"  # "After Myasnikov's arrest": no day to start on
    assert rows(store, f"SELECT ?s WHERE {{ <{open_ended}> schema:startDate ?s }}") == []
    assert rows(store, f"SELECT ?q WHERE {{ <{open_ended}> bc:eventDate/bc:dateQualifier ?q }}") == [
        ("https://w3id.org/bolcorr/vocab/notBefore",)]
    for slug, words, edtf in (("cc-decision-treatment-of-frunze", "last year", "1922"),  # No. 169, of 20.IV.1923
                              ("kpd-party-council-meeting-1923-11", "tomorrow", "1923-11-02"),  # No. 173, of 1.XI
                              ("all-party-conference-planned-for-january", "January", "1924-01")):  # 176, 22.XI
        assert rows(store, f"SELECT ?w ?e WHERE {{ <{EVENT + slug}> bc:eventDate [ bc:expressedDate ?w ; "
                           "bc:edtf ?e ] }") == [(words, edtf)]  # counted from the letter's date, words verbatim


def test_an_event_a_letters_text_names_gives_the_letter_and_the_lines(store: ox.Store) -> None:
    """Nos. 173, 175 and 177 name events no note states: each cites its letter and the page line naming it."""
    for event, letter, line in (("conference-convened-by-the-berliners", "173", 289),
                                ("conference-of-the-berliners-with-radek-and-pyatakov", "173", 293),
                                ("gpu-cancels-the-expulsion-of-myasnikov", "175", 531),
                                ("speech-of-zinoviev-1923-12-11", "177", 592),
                                ("publication-zinoviev-speech-pravda-286", "177", 594)):
        found = rows(store, f"SELECT ?where ?lines WHERE {{ <{EVENT + event}> bc:statedIn ?where ; "
                            f"bc:sourceLines ?lines FILTER(STRENDS(STR(?where), '/letter/{letter}')) }}")
        page = "bolshevik-correspondence-1923-nos-167-177.txt"
        assert [lines for _, lines in found] == [f"{page}#L{line}-L{line}"], event


def test_a_publication_is_a_schema_publication_event_with_its_work(store: ox.Store) -> None:
    found = rows(store, "SELECT ?e ?by ?title ?author WHERE { ?e a schema:PublicationEvent ; schema:publishedBy ?by ; "
                        "schema:workFeatured ?w . ?w a schema:CreativeWork ; schema:name ?title ; "
                        "schema:author ?author }")
    assert found == [(EVENT + "publication-how-do-we-reorganize-the-rabkrin", "https://w3id.org/bolcorr/org/pravda",
                      "How do we reorganize the Rabkrin (Proposals to the XII Party Congress)",
                      "https://w3id.org/bolcorr/person/lenin-v-i")]
