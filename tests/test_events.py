"""Events read from the editorial notes: the seed's decisions, meetings, plenum and historical events,
and the sentence rules on hand-built notes (shapes, missing years, merging, what is NOT an event)."""

from __future__ import annotations

import json

import pytest

from kg.config import ROOT
from kg.model import Citation, DateStatement, Document, Note, Reference
from kg.resolve.authority import load_authorities
from kg.resolve.events import extract_events, sentences

SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"
EXPECTED_PATH = ROOT / "tests" / "data" / "seed-expected.json"  # copy of ../shared/reference/, see its README
SEED_POLITBURO = {"1923-02-01-politburo", "1923-01-25-politburo", "1923-01-24-politburo", "1923-10-04-politburo",
                  "1923-09-13-politburo", "1923-11-10-politburo", "1923-11-politburo", "1924-03-politburo"}


@pytest.fixture(scope="module")
def auth():
    return load_authorities(ROOT / "data")


@pytest.fixture(scope="module")
def events(auth):
    from kg.sources.parse import parse_sources

    return extract_events(parse_sources([str(SEED)]).documents, auth)


def _citation(ref: Reference) -> str:
    return ref.citation.normalized if ref.citation else ref.verbatim


def test_occupation_of_the_ruhr(events):
    ruhr = events["occupation-of-the-ruhr"]
    assert (ruhr.label, ruhr.kind, ruhr.date.edtf, ruhr.date.expressed) == (
        "Occupation of the Ruhr", "historical", "1923-01-11", "January 11, 1923")
    assert ruhr.cited_in == [("167", 4)]
    assert ruhr.places == ["ruhr", "germany"]
    assert ruhr.summary.startswith("We are talking about the entry of French troops into the Ruhr region")
    assert ruhr.wikidata is None  # Q151993 is the Ruhr AREA (a place), never the event


def test_hamburg_uprising(events):
    hamburg = events["hamburg-uprising"]
    assert (hamburg.label, hamburg.kind) == ("Hamburg Uprising", "historical")
    assert hamburg.date.edtf == "1923-10-23/1923-10-25"
    assert (hamburg.date.earliest, hamburg.date.latest, hamburg.date.qualifier) == ("1923-10-23", "1923-10-25", "range")
    assert hamburg.cited_in == [("173", 7)]  # its undated sentence ("The uprising ... was put down.") adds none


def test_joint_plenum_of_the_cc_and_ccc(events):
    plenum = events["1923-10-25-plenum-cc-ccc"]
    assert plenum.label == "Joint plenum of the CC and CCC of 25-27 October 1923"
    assert (plenum.kind, plenum.body, plenum.date.edtf) == ("plenum", "cc-rcp", "1923-10-25/1923-10-27")
    assert plenum.cited_in == [("176", 2)]
    assert [(r.kind, r.title) for r in plenum.references][0][0] == "publication"
    assert "News of the Central Committee of the CPSU. 1990" in plenum.references[0].verbatim


def test_every_dated_politburo_decision_of_the_seed_notes_is_an_event(events):
    politburo = {i for i, e in events.items() if e.body == "politburo"}
    assert politburo == SEED_POLITBURO
    for ev_id in politburo:
        ev = events[ev_id]
        assert ev.label.startswith("Politburo ") and ev.date.edtf and ev.summary and ev.cited_in
        assert ev.kind in ("decision", "meeting")
    assert events["1923-02-01-politburo"].label == "Politburo meeting of 1 February 1923"
    assert events["1923-11-politburo"].date.edtf == "1923-11"


def test_one_meeting_cited_by_two_notes_is_one_event_with_both_references(events):
    feb1 = events["1923-02-01-politburo"]
    assert feb1.cited_in == [("167", 2), ("168", 4)]
    assert [_citation(r) for r in feb1.references] == ["RTsKhIDNI. F. 17. Op. 3. D. 332. L. 1.",
                                                       "RTsKhIDNI. F. 17. Op. 3. D. 332. L. 4."]
    assert "Ordzhonikidze's proposal" in feb1.summary and "Svanidze's protest" in feb1.summary
    assert "(RTSKHIDNI" not in feb1.summary  # the source is a reference, not part of the summary
    assert feb1.kind == "decision"


def test_references_carry_ibid_resolved(events):
    jan25 = events["1923-01-25-politburo"]
    (ref,) = jan25.references
    assert (ref.verbatim, ref.ibid) == ("Ibid. D. 331. L. 1", True)
    assert _citation(ref) == "RTsKhIDNI. F. 17. Op. 3. D. 331. L. 1."
    sto = events["1923-07-27-sto"]
    assert (sto.kind, sto.body, sto.cited_in) == ("meeting", "sto", [("171", 3)])
    assert [_citation(r) for r in sto.references] == ["GARF. F. R-5674. Op. 1. D. 1. L. 79-80."]


def test_orgburo_and_sto_events(events):
    orgburo = events["1923-10-08-orgburo"]
    assert (orgburo.kind, orgburo.cited_in) == ("meeting", [("174", 1)])
    assert orgburo.label == "Orgburo meeting of 8 October 1923"
    assert [_citation(r) for r in orgburo.references] == ["RTsKhIDNI. F. 17. Op. 112. D. 486. L. 1."]
    dec21 = events["1922-12-21-orgburo"]
    assert (dec21.kind, dec21.cited_in) == ("decision", [("167", 3)])
    assert dec21.summary.startswith("The decision of the Organizing Bureau of December 21, 1922 was approved")
    jan16 = events["1923-01-16-sto"]  # "the STO's decision of January 16": year from the note's earlier date
    assert (jan16.date.edtf, jan16.date.expressed, jan16.cited_in) == ("1923-01-16", "January 16", [("168", 4)])
    jan24 = events["1923-01-24-politburo"]  # "at a meeting of the Politburo on 24 January"
    assert (jan24.date.edtf, jan24.kind) == ("1923-01-24", "decision")


def test_notes_that_only_name_a_body_or_a_person_make_no_event(events):
    assert "1923-10-politburo" not in events  # 173/11 "In October 1923, a sharp struggle unfolded in the Politburo"
    assert not any(e.id.startswith("1923-03-28") for e in events.values())  # 172/1 Dzerzhinsky wrote to Yagoda
    assert not any(("175", n) in e.cited_in for e in events.values() for n in range(1, 5))
    assert all(e.wikidata is None for e in events.values())


def test_seed_expected_events_are_found(events):
    wanted = json.loads(EXPECTED_PATH.read_text(encoding="utf-8"))["events"]
    assert wanted
    for want in wanted:
        hits = [e for e in events.values() if want["label"].lower() in e.label.lower() and e.date.edtf == want["date"]
                and any(doc == str(want["in_note_of"]) for doc, _ in e.cited_in)]
        assert len(hits) == 1, want


# -- the rules on hand-built notes ---------------------------------------------------------------------


def _doc(key: str, year: str, *texts: str) -> Document:
    date = DateStatement(expressed=year, edtf=year, earliest=f"{year}-01-01", latest=f"{year}-12-31")
    notes = [Note(number=i, text=t, references=[Reference("archival", f"ref {key}/{i}",
                                                          Citation(f"ref {key}/{i}", "RTsKhIDNI", None, "17", "3",
                                                                   str(i), "1"))])
             for i, t in enumerate(texts, start=1)]
    return Document(key=key, number=key, kind="letter", header="", date=date, notes=notes)


def test_sentence_shapes_missing_years_and_merging(auth):
    docs = [_doc("901", "1921", "On 5 March, the Orgburo decided to send him to Baku (RTsKhIDNI. F. 17. Op. 3. D. 1).",
                 "At the SRT meeting on March 9, 1921, the question was postponed."),
            _doc("902", "1921", "The question was considered by the Political Bureau on March 5, 1921. "
                 "On March 5, 1921, the Orgburo approved the list.")]
    events = extract_events(docs, auth)
    assert set(events) == {"1921-03-05-orgburo", "1921-03-09-sto", "1921-03-05-politburo"}
    orgburo = events["1921-03-05-orgburo"]
    assert (orgburo.date.expressed, orgburo.kind, orgburo.cited_in) == ("5 March", "decision", [("901", 1), ("902", 1)])
    assert [r.verbatim for r in orgburo.references] == ["ref 901/1", "ref 902/1"]
    assert orgburo.summary == ("On 5 March, the Orgburo decided to send him to Baku. "
                               "On March 5, 1921, the Orgburo approved the list.")
    assert events["1921-03-05-politburo"].kind == "meeting"


def test_julian_dates_before_1918_keep_their_gregorian_conversion(auth):
    events = extract_events([_doc("903", "1917", "On October 10, 1917, the Politburo decided on the uprising.")], auth)
    date = events["1917-10-10-politburo"].date
    assert (date.calendar, date.gregorian_earliest) == ("julian", "1917-10-23")


def test_sentences_respect_parentheses_quotes_and_abbreviations():
    text = ('On January 25, 1923, the Politburo approved it, "as caused by the Party." The decision of comrade. '
            'Trotsky stood (Ibid. D. 331. L. 1). Next one.')
    assert sentences(text) == ['On January 25, 1923, the Politburo approved it, "as caused by the Party."',
                               "The decision of comrade. Trotsky stood (Ibid. D. 331. L. 1).", "Next one."]
