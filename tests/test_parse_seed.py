"""The seed page (documents No. 167-177) read against the reference facts in tests/data/seed-expected.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.model import Document
from kg.sources.parse import parse_sources

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt"
EXPECTED = json.loads((ROOT / "tests" / "data" / "seed-expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result():
    return parse_sources([str(SEED)])


@pytest.fixture(scope="module")
def docs(result) -> dict[str, Document]:
    return {d.number: d for d in result.documents}


def _has(names: list[str], expected: str) -> bool:
    return any(expected.lower() in n.lower() for n in names)


def test_exactly_the_eleven_documents(result):
    assert [d.number for d in result.documents] == [str(n) for n in range(167, 178)]
    assert [d.key for d in result.documents] == [str(n) for n in range(167, 178)]


@pytest.mark.parametrize("exp", EXPECTED["documents"], ids=lambda e: str(e["no"]))
def test_parties_date_citation_place_notes(docs, exp):
    doc = docs[str(exp["no"])]
    senders, recipients = [p.name for p in doc.senders], [p.name for p in doc.recipients]
    assert len(senders) == len(exp["senders"]) and all(_has(senders, s) for s in exp["senders"])
    assert len(recipients) == len(exp["recipients"]) and all(_has(recipients, r) for r in exp["recipients"])
    assert doc.date.earliest == doc.date.latest == exp["date"]
    assert ("year" in doc.date.supplied) is exp["year_supplied"]
    assert doc.date.calendar == "gregorian"
    cit = doc.citation
    assert (cit.archive, cit.fond, cit.opis, cit.delo, cit.folios, cit.form) == (
        exp["archive"], exp["fond"], exp["opis"], exp["delo"], exp["folios"], exp["form"])
    assert doc.place == exp["place"]
    assert len(doc.notes) == exp["notes"]
    assert [n.number for n in doc.notes] == list(range(1, exp["notes"] + 1))


def test_no_177_has_nine_people_and_four_institutions(docs):
    doc = docs["177"]
    assert [p.kind for p in doc.senders] == ["person"] * 9
    assert [p.kind for p in doc.recipients] == ["organization"] * 4
    assert doc.recipients[0].name == "Istpart" and doc.recipients[0].verbatim == "Eastpart"
    assert doc.signatures[0] == "G. Pyatakov" and doc.signatures[-1] == "V. Maksimovsky"


@pytest.mark.parametrize("xref", EXPECTED["cross_references"], ids=lambda x: f"{x['from_note_of']}-{x['note']}")
def test_cross_references(docs, xref):
    note = docs[str(xref["from_note_of"])].notes[xref["note"] - 1]
    assert [(x.document, x.note) for x in note.cross_references] == [(str(xref["to_document"]), xref["to_note"])]


def test_lost_note_numbers_are_recovered_and_flagged(docs):
    recovered = {no: [n.number for n in docs[no].notes if n.number_recovered] for no in docs}
    assert recovered == {"167": [2, 3], "168": [2, 4], "169": [], "170": [], "171": [], "172": [],
                         "173": [7], "174": [], "175": [], "176": [1], "177": []}
    assert docs["167"].notes[1].text.startswith("On February 1, 1923, the Politburo agreed")
    assert docs["167"].notes[1].number_verbatim == ""


def test_enumeration_inside_note_172_stays_in_note_1(docs):
    notes = docs["172"].notes
    assert len(notes) == 2
    assert "1. Eviction from large cities" in notes[0].text and "5. Order to the courts" in notes[0].text
    assert notes[0].number_verbatim == "1 ."
    assert notes[1].text.startswith("In November 1923, the Politburo accepted")


def test_ibid_resolved_to_previous_archival_reference_of_the_document(docs):
    ref = docs["167"].notes[2].references[0]
    assert ref.ibid and ref.verbatim == "Ibid. D. 331. L. 1"
    c = ref.citation
    assert (c.archive, c.fond, c.opis, c.delo, c.folios) == ("RTsKhIDNI", "17", "3", "331", "1")
    garf = docs["171"].notes[2].references[0].citation  # "(Ibid. L. 79-80)" after a GARF reference
    assert (garf.archive, garf.fond, garf.opis, garf.delo, garf.folios) == ("GARF", "R-5674", "1", "1", "79-80")


def test_publication_reference_in_note(docs):
    ref = docs["168"].notes[1].references[0]
    assert (ref.kind, ref.title, ref.year, ref.issue, ref.pages) == (
        "publication", "News of the Central Committee of the CPSU", "1989", "11", "179-192")


def test_markers_removed_from_body_and_attached_to_notes(docs):
    doc = docs["167"]
    assert [m.number for m in doc.markers] == [1, 2, 3, 4, 5]
    first = doc.markers[0]
    assert doc.body[:first.offset].endswith("commission Dzerzhinsky") or doc.body[:first.offset].endswith(
        "Dzerzhinsky")
    assert "Dzerzhinsky 1 ." not in doc.body and "Dzerzhinsky." in doc.body
    assert doc.notes[0].marker is first
    # numbers that are data are never markers
    assert [m.number for m in docs["173"].markers] == [1, 2, 3, 5, 6, 7, 10, 11, 12]
    assert "11,000 rifles" in docs["173"].body
    assert [m.number for m in docs["175"].markers] == [1, 2, 3, 4]
    assert [m.number for m in docs["177"].markers] == []


def test_place_dates_and_signatures(docs):
    pd = docs["173"].place_dates[0]
    assert (pd.verbatim, pd.place, pd.date.expressed, pd.date.edtf, pd.role) == (
        "Berlin, 1.XI.1923", "Berlin", "1.XI.1923", "1923-11-01", "written")
    assert docs["171"].place_dates[0].date.edtf == "1923-08-03"  # "3/VІІІ" with Cyrillic І
    assert docs["167"].place_dates[0].date.edtf == "1923-01-24"  # "24/1 23"
    assert docs["174"].place == "Poltava"
    assert docs["167"].signatures == ["Your Amayak."]
    assert docs["170"].signatures == ["Your Voroshilov."]


def test_source_locations(docs):
    doc = docs["167"]
    assert (doc.source.file, doc.source.first_line, doc.source.last_line) == (str(SEED), 11, 53)
    assert doc.fields["header"].first_line == 13 and doc.fields["date"].first_line == 15
    assert doc.fields["citation"].first_line == 41 and doc.citation.span.first_line == 41
    assert (doc.fields["notes"].first_line, doc.fields["notes"].last_line) == (45, 53)
    assert doc.notes[2].span.first_line == 49
    assert doc.pages == [str(SEED)]


def test_seed_diagnostics_are_the_lost_markers_only(result):
    found = sorted((d.document, d.code, d.severity, d.line) for d in result.diagnostics)
    assert found == [("168", "note-without-marker", "warning", 97), ("169", "note-without-marker", "warning", 127),
                     ("171", "note-without-marker", "warning", 219), ("172", "note-without-marker", "warning", 253),
                     ("173", "note-without-marker", "warning", 341), ("173", "note-without-marker", "warning", 349),
                     ("173", "note-without-marker", "warning", 351)]
