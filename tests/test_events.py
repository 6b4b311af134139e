"""Events read from the editorial notes: the seed's sessions and the decisions taken at them, decisions known only
by their date, the plenum and the curated events, and the sentence rules on hand-built notes (shapes, missing
years, merging, what is NOT an event). tests/test_events_curated.py holds the curated file's own rules."""

from __future__ import annotations

import json

import pytest

from kg.config import ROOT
from kg.model import Citation, DateStatement, Document, Note, Reference
from kg.resolve.authority import load_authorities
from kg.resolve.events import extract_events, sentences

SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"
EXPECTED_PATH = ROOT / "tests" / "data" / "seed-expected.json"  # copy of ../shared/reference/, see its README
SEED_POLITBURO_DAYS = ("1923-02-01", "1923-01-25", "1923-01-24", "1923-10-04", "1923-09-13", "1923-11-10")
SEED_POLITBURO_MONTHS = ("1923-11", "1924-03")  # "In November 1923, the Politburo accepted": a decision, no one sitting


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
    assert (plenum.kind, plenum.body, plenum.co_bodies, plenum.date.edtf) == (
        "plenum", "cc-rcp", ["ccc"], "1923-10-25/1923-10-27")
    assert plenum.cited_in == [("176", 2)]
    assert [(r.kind, r.title) for r in plenum.references][0][0] == "publication"
    assert "News of the Central Committee of the CPSU. 1990" in plenum.references[0].verbatim
    resolution = events["1923-10-25-plenum-cc-ccc-decision"]  # "the decision “On the question ...” of the plenum"
    assert resolution.label == ("Decision “On the question of the internal party situation in connection with the "
                                "letters of comrade. Trotsky” of the joint plenum of the CC and CCC")
    assert (resolution.kind, resolution.part_of, resolution.body, resolution.co_bodies) == (
        "decision", "1923-10-25-plenum-cc-ccc", "cc-rcp", ["ccc"])


def test_every_dated_politburo_act_of_the_seed_notes_is_a_sitting_and_its_decision(events):
    curated = {"politburo-meeting-with-budu-and-seryozha",  # the undated sitting and decision only No. 168's text names
               "politburo-decision-on-the-dzerzhinsky-commission"}
    patterned = {i: e for i, e in events.items()
                 if e.body == "politburo" and not e.id.endswith("special-letter") and i not in curated}
    assert {i for i, e in patterned.items() if e.kind == "meeting"} == {f"{d}-politburo" for d in SEED_POLITBURO_DAYS}
    assert {i for i, e in patterned.items() if e.kind == "decision"} == {
        f"{d}-politburo-decision" for d in SEED_POLITBURO_DAYS + SEED_POLITBURO_MONTHS}
    for ev in patterned.values():
        assert ev.label.startswith("Politburo ") and ev.date.edtf and ev.summary and ev.cited_in
    for day in SEED_POLITBURO_DAYS:  # taken at the sitting its sentence states
        assert events[f"{day}-politburo-decision"].part_of == f"{day}-politburo"
    assert events["1923-02-01-politburo"].label == "Politburo meeting of 1 February 1923"
    assert events["1923-11-politburo-decision"].date.edtf == "1923-11"
    assert events["1923-11-politburo-decision"].part_of is None and "1923-11-politburo" not in events


def test_one_meeting_cited_by_two_notes_is_one_event_with_both_references(events):
    feb1 = events["1923-02-01-politburo"]
    assert feb1.cited_in == [("167", 2), ("168", 4)]
    assert [_citation(r) for r in feb1.references] == ["RTsKhIDNI. F. 17. Op. 3. D. 332. L. 1.",
                                                       "RTsKhIDNI. F. 17. Op. 3. D. 332. L. 4."]
    assert "Ordzhonikidze's proposal" in feb1.summary and "Svanidze's protest" in feb1.summary
    assert "(RTSKHIDNI" not in feb1.summary  # the source is a reference, not part of the summary
    assert feb1.kind == "meeting"
    decisions = events["1923-02-01-politburo-decision"]  # two sentences, two resolutions of that sitting
    assert (decisions.kind, decisions.label) == ("decision", "Politburo decisions of 1 February 1923")


def test_references_carry_ibid_resolved(events):
    jan25 = events["1923-01-25-politburo"]
    (ref,) = jan25.references
    assert (ref.verbatim, ref.ibid) == ("Ibid. D. 331. L. 1", True)
    assert _citation(ref) == "RTsKhIDNI. F. 17. Op. 3. D. 331. L. 1."
    sto = events["1923-07-27-sto"]
    assert (sto.kind, sto.body, sto.cited_in) == ("meeting", "sto", [("171", 3)])
    assert [_citation(r) for r in sto.references] == ["GARF. F. R-5674. Op. 1. D. 1. L. 79-80."]


def test_orgburo_and_sto_events(events):
    orgburo = events["1923-10-08-orgburo"]  # "considered by the Organizing Bureau ... on October 8": a sitting
    assert (orgburo.kind, orgburo.cited_in) == ("meeting", [("174", 1)])
    assert orgburo.label == "Orgburo meeting of 8 October 1923"
    assert "1923-10-08-orgburo-decision" not in events
    assert [_citation(r) for r in orgburo.references] == ["RTsKhIDNI. F. 17. Op. 112. D. 486. L. 1."]
    dec21 = events["1922-12-21-orgburo-decision"]  # known from the Politburo protocol of 25 January only
    assert (dec21.kind, dec21.cited_in, dec21.part_of) == ("decision", [("167", 3)], None)
    assert dec21.summary.startswith("The decision of the Organizing Bureau of December 21, 1922 was approved")
    assert "1922-12-21-orgburo" not in events


def test_a_decision_whose_only_source_is_another_bodys_protocol_is_no_meeting(events):
    """168/4: "the Politburo considered Svanidze's protest against the STO's decision of January 16" (F. 17 = the
    Politburo's protocols): an STO decision, year from the note's earlier date, and no STO sitting."""
    jan16 = events["1923-01-16-sto-decision"]
    assert (jan16.kind, jan16.label, jan16.part_of) == ("decision", "STO decision of 16 January 1923", None)
    assert (jan16.date.edtf, jan16.date.expressed, jan16.cited_in) == ("1923-01-16", "January 16", [("168", 4)])
    assert [_citation(r) for r in jan16.references] == ["RTsKhIDNI. F. 17. Op. 3. D. 332. L. 4."]
    assert not any(e.kind == "meeting" and e.id.startswith("1923-01-16") for e in events.values())


def test_a_sitting_and_a_decision_in_one_passive_sentence(events):
    jan24 = events["1923-01-24-politburo"]  # "made at a meeting of the Politburo on 24 January"
    assert (jan24.date.edtf, jan24.kind) == ("1923-01-24", "meeting")
    assert events["1923-01-24-politburo-decision"].part_of == "1923-01-24-politburo"


def test_notes_that_only_name_a_body_or_a_person_make_no_event(events):
    # 173/11 "In October 1923, a sharp struggle unfolded in the Politburo"
    assert not any(e.startswith("1923-10-politburo") for e in events)
    assert not any(e.id.startswith("1923-03-28") for e in events.values())  # 172/1 Dzerzhinsky wrote to Yagoda
    sessions = [e for e in events.values() if e.kind in ("meeting", "decision", "plenum")]
    # Myasnikov's fate: no sentence shape reads a session from 175's notes; the GPU's cancellation is curated
    assert [e.id for e in sessions if any(("175", n) in e.cited_in for n in range(1, 5))] == [
        "gpu-cancels-the-expulsion-of-myasnikov"]
    assert all(e.wikidata is None for e in events.values())


def test_seed_expected_events_are_found(events):
    wanted = json.loads(EXPECTED_PATH.read_text(encoding="utf-8"))["events"]
    assert wanted
    for want in wanted:
        # the label names the event ("Joint plenum of the CC and CCC ..."), not one of its resolutions ("Decision ...
        # of the joint plenum of the CC and CCC")
        hits = [e for e in events.values() if e.label.lower().startswith(want["label"].lower())
                and e.date and e.date.edtf == want["date"]
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
    assert set(events) == {"1921-03-05-orgburo", "1921-03-05-orgburo-decision", "1921-03-09-sto",
                           "1921-03-05-politburo"}
    orgburo = events["1921-03-05-orgburo"]
    assert (orgburo.date.expressed, orgburo.kind, orgburo.cited_in) == ("5 March", "meeting", [("901", 1), ("902", 1)])
    assert [r.verbatim for r in orgburo.references] == ["ref 901/1", "ref 902/1"]
    assert orgburo.summary == ("On 5 March, the Orgburo decided to send him to Baku. "
                               "On March 5, 1921, the Orgburo approved the list.")
    decisions = events["1921-03-05-orgburo-decision"]
    assert (decisions.label, decisions.part_of, decisions.cited_in) == (
        "Orgburo decisions of 5 March 1921", "1921-03-05-orgburo", [("901", 1), ("902", 1)])
    assert events["1921-03-05-politburo"].kind == "meeting"  # "considered by": a sitting, no decision said
    assert events["1921-03-09-sto"].kind == "meeting"


def test_julian_dates_before_1918_keep_their_gregorian_conversion(auth):
    events = extract_events([_doc("903", "1917", "On October 10, 1917, the Politburo decided on the uprising.")], auth)
    date = events["1917-10-10-politburo"].date
    assert (date.calendar, date.gregorian_earliest) == ("julian", "1917-10-23")


def test_sentences_respect_parentheses_quotes_and_abbreviations():
    text = ('On January 25, 1923, the Politburo approved it, "as caused by the Party." The decision of comrade. '
            'Trotsky stood (Ibid. D. 331. L. 1). Next one.')
    assert sentences(text) == ['On January 25, 1923, the Politburo approved it, "as caused by the Party."',
                               "The decision of comrade. Trotsky stood (Ibid. D. 331. L. 1).", "Next one."]
