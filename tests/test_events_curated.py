"""The curated events of data/authority/events.toml: each found exactly where its entry says (the note or letter it
cites as evidence, with the source that note cites), dated only by its own sentence or text, and the file's rules
(an unknown entity, an entry without evidence, a relative date without its anchor are errors naming the entry)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.config import ROOT
from kg.model import DateStatement
from kg.resolve.authority import AuthorityError, HistoricalEvent, load_authorities
from kg.resolve.curated_events import CuratedFinder, letter_relative_date
from kg.resolve.events import extract_events
from kg.sources.dates import parse_date

SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"


@pytest.fixture(scope="module")
def auth():
    return load_authorities(ROOT / "data")


@pytest.fixture(scope="module")
def events(auth):
    from kg.sources.parse import parse_sources

    return extract_events(parse_sources([str(SEED)]).documents, auth)


def test_every_curated_event_is_stated_where_its_entry_says(auth, events):
    assert len(auth.events) >= 15
    for hist in auth.events:
        event = events[hist.id]
        found = {f"{key}/{number}" for key, number in event.cited_in} | set(event.named_in)
        assert found == set(hist.stated_in), hist.id
        cited = [ref.verbatim for ref in event.references]
        if hist.source:  # the entry's evidence starts with what the note prints
            assert cited and all(hist.source.startswith(v) or v in hist.source for v in cited), (hist.id, cited)
        else:
            assert cited == [], hist.id


def test_a_publication_with_its_publisher_author_and_work(events):
    article = events["publication-how-do-we-reorganize-the-rabkrin"]
    assert (article.kind, article.body, article.participants) == ("publication", "pravda", ["lenin-v-i"])
    assert (article.date.edtf, article.date.expressed) == ("1923-01-25", "January 25, 1923")
    assert article.work == "How do we reorganize the Rabkrin (Proposals to the XII Party Congress)"
    assert article.summary.startswith("On January 25, 1923, Pravda published Lenin's article")


def test_deaths_arrests_returns_and_expulsions_keep_the_notes_precision(events):
    frunze = events["death-of-frunze"]  # "At the end of October 1925": the month, nothing finer
    assert (frunze.kind, frunze.participants, frunze.date.edtf) == ("death", ["frunze-m-v"], "1925-10")
    arrest = events["arrest-of-myasnikov"]
    assert (arrest.kind, arrest.date.edtf, arrest.cited_in) == ("arrest", "1923-05", [("175", 1)])
    back = events["return-of-myasnikov"]  # "in early November 1923"
    assert (back.kind, back.places, back.date.edtf) == ("return", ["moscow"], "1923-11")
    campaign = events["start-of-the-expulsions-from-moscow"]  # "From the end of November": the year of the note
    assert (campaign.kind, campaign.date.edtf, campaign.date.expressed) == ("expulsion", "1923-11", "November")


def test_an_event_dated_by_another_event(events):
    """168/2 "at the same time" (as the Politburo meeting of 24 January): approximately that day; 175/3 "After
    Myasnikov's arrest and expulsion": not before May 1923, open at the end."""
    letter = events["1923-01-24-politburo-orgburo-special-letter"]
    assert (letter.body, letter.co_bodies) == ("politburo", ["orgburo"])
    assert (letter.date.edtf, letter.date.qualifier, letter.date.expressed) == (
        "1923-01-24~", "approximate", "at the same time")
    crushed = events["arrests-of-the-workers-group"]
    assert (crushed.body, crushed.participants) == ("ogpu", ["workers-group"])
    assert (crushed.date.edtf, crushed.date.qualifier, crushed.date.earliest, crushed.date.latest) == (
        "1923-05/..", "not-before", "1923-05-01", None)


def test_undated_decisions_of_the_notes_are_dated_only_by_a_letter(events):
    # 174/2 gives no date; the paragraph it is attached to does: "the latest circular ... (No. 58 of 19/X)"
    circular = events["circular-cc-ccc-struggle-against-excesses"]
    assert (circular.kind, circular.cited_in, circular.named_in, circular.co_bodies) == (
        "decision", [("174", 2)], ["174"], ["ccc"])
    assert (circular.date.edtf, circular.date.expressed, [s.first_line for s in circular.named_at]) == (
        "1923-10-19", "19/X", [405])
    # 171's notes 1 and 2 give no date; the letter: "Today, 3/VIII, at the meeting of the SRT ... the proposal was
    # accepted ... the STO decided": decisions of that sitting, of its date, which only the letter names
    sitting = events["1923-08-03-sto"]
    assert (sitting.kind, sitting.body, sitting.date.edtf, sitting.named_in, sitting.cited_in) == (
        "meeting", "sto", "1923-08-03", ["171"], [])
    for ev_id, note in (("sto-resolution-nkps-fuel-settlements-donbass", ("171", 1)),
                        ("sto-decision-nkps-debt-kuzbass-cherembass", ("171", 2))):
        event = events[ev_id]
        assert (event.kind, event.date.edtf, event.part_of, event.cited_in, event.named_in) == (
            "decision", "1923-08-03", "1923-08-03-sto", [note], ["171"])
        assert event.references and event.summary.startswith(("The resolution", "On the issue"))
    july = events["1923-07-27-sto"]  # note 3's sitting, which the letter names too ("in SRT, 27/VII")
    assert (july.cited_in, july.named_in, [s.first_line for s in july.named_at]) == ([("171", 3)], ["171"], [191])


def test_events_a_letters_text_names_are_dated_only_by_that_text(events):
    assert events["twelfth-party-congress"].named_in == ["171", "174"]  # "Twelfth Congress", "12th Party Congresses"
    for undated in ("twelfth-party-congress", "peace-of-brest-litovsk", "left-sr-uprising"):
        assert events[undated].date is None and events[undated].cited_in == []
    stalin = events["publication-stalin-article-pravda-285"]  # "in his article in Pravda, No. 285 of 15/XII"
    assert (stalin.date.edtf, stalin.date.expressed, stalin.named_in) == ("1923-12-15", "15/XII", ["177"])
    plenum = events["plenum-cc-cp-b-u-1923-10"]  # "(October 29-31)" in No. 174, of November 1923
    assert (plenum.date.edtf, plenum.named_in) == ("1923-10-29/1923-10-31", ["174"])
    assert "XII Party Congress" in events["publication-how-do-we-reorganize-the-rabkrin"].work
    assert ("168", 2) not in events["twelfth-party-congress"].cited_in  # a cited title names no congress
    berliners = events["conference-convened-by-the-berliners"]  # "on October 31 the Berliners convened" (173)
    assert (berliners.kind, berliners.date.edtf, berliners.participants) == ("meeting", "1923-10-31", ["kpd-berlin"])
    speech = events["speech-of-zinoviev-1923-12-11"]  # "in his speech on December 11" (177, of 20/XII 23)
    assert (speech.date.edtf, speech.participants) == ("1923-12-11", ["zinoviev-g-e"])
    printed = events["publication-zinoviev-speech-pravda-286"]  # "(see Pravda, No. 286 of December 16, 23)"
    assert (printed.kind, printed.body, printed.date.edtf) == ("publication", "pravda", "1923-12-16")
    with_them = events["conference-of-the-berliners-with-radek-and-pyatakov"]  # "with Andrei[ey] and with me": no date
    assert (with_them.date, with_them.participants) == (None, ["kpd-berlin", "radek-k-b", "pyatakov-g-l"])


def test_an_event_a_note_states_and_a_letter_names_is_one_event(events):
    """175: "an official decision of the GPU to cancel his expulsion" (text, line 531) is what note 2's letter of
    7 September 1923 announces; neither dates the decision itself."""
    cancelled = events["gpu-cancels-the-expulsion-of-myasnikov"]
    assert (cancelled.kind, cancelled.body, cancelled.participants) == ("decision", "ogpu", ["myasnikov-g-i"])
    assert (cancelled.date, cancelled.cited_in, cancelled.named_in) == (None, [("175", 2)], ["175"])
    assert [span.first_line for span in cancelled.named_at] == [531]


def test_a_letters_words_name_an_event_only_in_the_letters_its_entry_cites(auth):
    """"at the meeting of the SRT" is the STO's sitting of 3 August 1923 in No. 171 only; "the Brest peace"
    (anywhere = true) is the one peace in any letter."""
    from kg.model import DateStatement, Document, SourceSpan

    span = SourceSpan("hand.txt", 1, 1)
    doc = Document(key="990", number="990", kind="letter", header="", body="Today, 3/VІІІ, at the meeting of the SRT, "
                   "we spoke of the Brest peace.", source=span, fields={"body": span},
                   date=DateStatement(expressed="1925", edtf="1925", earliest="1925-01-01", latest="1925-12-31"))
    found = extract_events([doc], auth)
    assert "1923-08-03-sto" not in found and found["peace-of-brest-litovsk"].named_in == ["990"]


def test_a_long_keyword_does_not_hide_a_shorter_one_inside_it():
    long_ = HistoricalEvent("a", "A", "return", ("Myasnikov returned to Moscow",), stated_in=("175/4",))
    short = HistoricalEvent("b", "B", "return", ("Myasnikov", "returned"), stated_in=("175/4",))
    other = HistoricalEvent("c", "C", "death", ("Frunze",), stated_in=("169/1",))
    finder = CuratedFinder([long_, short, other])
    assert finder.in_sentence("Myasnikov returned to Moscow in early November 1923.") == [long_, short]
    assert finder.in_sentence("MYASNIKOV RETURNED.") == [short]
    assert finder.in_sentence("Nobody returned.") == []


ENTRY = '''
[[event]]
id = "death-of-frunze"
label = "Death of M. V. Frunze"
kind = "death"
keywords = ["Frunze", "died"]
'''


@pytest.mark.parametrize("extra,message", [
    ('participants = ["frunze-x"]\nstated_in = ["169/1"]\n', "unknown entity id(s) frunze-x"),
    ('participants = ["frunze-m-v"]\n', "missing key 'stated_in'"),
    ('stated_in = ["No. 169"]\n', "stated_in must list the notes"),
    ('stated_in = ["169/1"]\ndate_relation = "after"\n', "date_relation (same | after | at) goes with date_of"),
    ('stated_in = ["169/1"]\ndate_of = "letter"\ndate_relation = "after"\n', "(day-after | year-before | month-n"),
    ('stated_in = ["169/1"]\ndate_of = "letter"\ndate_relation = "year-before"\n', 'date_of = "letter" dates wor'),
    ('stated_in = ["169/1"]\nkind = "funeral"\n', "kind must be one of"),
])
def test_a_bad_entry_is_an_error_naming_file_and_entry(tmp_path: Path, extra: str, message: str) -> None:
    folder = tmp_path / "authority"
    shutil.copytree(ROOT / "data" / "authority", folder)
    entry = ENTRY.replace('kind = "death"\n', "") if "kind =" in extra else ENTRY
    (folder / "events.toml").write_text(entry + extra, encoding="utf-8")
    with pytest.raises(AuthorityError) as err:
        load_authorities(tmp_path)
    assert "events.toml" in str(err.value) and "[[event]] #1" in str(err.value) and message in str(err.value)


def test_words_counting_from_the_letter_need_a_letter_date_fine_enough() -> None:
    """"tomorrow" needs the letter's day, "in January" its month; a letter dated only to a month or year gives
    none rather than a guessed day (the seed's cases: tests/test_events_graph.py)."""
    day, month = parse_date("November 1, 1923"), parse_date("November 1923")
    assert isinstance(day, DateStatement) and isinstance(month, DateStatement)
    assert letter_relative_date(day, "tomorrow", "day-after").edtf == "1923-11-02"
    assert letter_relative_date(month, "tomorrow", "day-after") is None
    assert letter_relative_date(month, "January", "month-next").edtf == "1924-01"
    assert letter_relative_date(month, "December", "month-next").edtf == "1923-12"
    assert letter_relative_date(parse_date("1923"), "January", "month-next") is None
    assert (letter_relative_date(month, "last year", "year-before").edtf,
            letter_relative_date(month, "last year", "year-before").expressed) == ("1922", "last year")
