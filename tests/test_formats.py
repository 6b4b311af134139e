"""Every variant of ../shared/corpus/FORMATS.md on invented fixture pages (tests/data/formats/, see README)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.model import Document
from kg.sources.parse import parse_sources

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def parse(*names: str):
    return parse_sources([str(FORMATS / n) for n in names])


@pytest.fixture(scope="module")
def variants() -> dict[str, Document]:
    result = parse("numbered-variants.txt")
    # No. 203's address line copies PETROV, whom the header does not name: said, not guessed (issue 15)
    assert [(d.document, d.code, d.severity) for d in result.diagnostics] == [("203", "unmatched-copy", "warning")]
    return {d.number: d for d in result.documents}


def names(parties) -> list[tuple[str, str]]:
    return [(p.name, p.kind) for p in parties]


def test_banner_and_title_line_skipped_numbers_kept(variants):
    assert list(variants) == ["201", "202", "203", "204", "205", "206", "207"]
    assert variants["201"].header == "A. B. Ivanov — C. D. Petrov"


def test_headers_separators_and_institutions(variants):
    assert names(variants["201"].senders) == [("A. B. Ivanov", "person")]
    assert names(variants["202"].senders) == [("A. B. Ivanov", "person"), ("C. D. Petrov", "person")]
    assert names(variants["202"].recipients) == [("Central Committee of the RCP(b)", "organization")]
    assert variants["203"].kind == "telegram" and names(variants["203"].senders) == [("E. F. Sidorov", "person")]
    assert names(variants["204"].senders) == [
        ("Central Committee of the All-Union Communist Party of Bolsheviks", "organization")]
    assert names(variants["204"].recipients) == [("C. D. Petrov", "person"), ("E. F. Sidorov", "person")]
    assert names(variants["205"].recipients) == [("Editorial board of Pravda", "organization")]
    assert names(variants["207"].recipients) == [("Politburo", "organization")]


@pytest.mark.parametrize("number, expressed, edtf, earliest, latest, supplied, qualifier", [
    ("201", "March 5 [1921]", "1921-03-05", "1921-03-05", "1921-03-05", ["year"], "exact"),
    ("202", "[March 1921]", "1921-03", "1921-03-01", "1921-03-31", ["whole"], "exact"),
    ("203", "March 5-6, 1921", "1921-03-05/1921-03-06", "1921-03-05", "1921-03-06", [], "range"),
    ("204", "[previously March 5, 1921]", "../1921-03-05", None, "1921-03-05", ["whole"], "not-after"),
    ("205", "[later March 5, 1921]", "1921-03-05/..", "1921-03-05", None, ["whole"], "not-before"),
    ("206", "[late March 1921]", "1921-03-21/1921-03-31", "1921-03-21", "1921-03-31", ["whole"], "approximate"),
])
def test_date_forms(variants, number, expressed, edtf, earliest, latest, supplied, qualifier):
    d = variants[number].date
    assert (d.expressed, d.edtf, d.earliest, d.latest, d.supplied, d.qualifier, d.calendar) == (
        expressed, edtf, earliest, latest, supplied, qualifier, "gregorian")
    assert (d.gregorian_earliest, d.gregorian_latest) == (earliest, latest)


def test_month_only_date_and_number_12_with_single_newlines():
    result = parse("number-12.txt")
    (doc,) = result.documents
    assert doc.number == "12" and names(doc.senders) == [("V. V. Kuibyshev", "person")]
    assert (doc.date.edtf, doc.date.supplied) == ("1921-03", [])
    assert doc.place == "Samara" and doc.place_dates[0].date.edtf == "1921-03-05"
    assert doc.citation.form == "typewritten, signature autograph" and doc.citation.signature_autograph
    assert [m.number for m in doc.markers] == [1] and doc.notes[0].marker is doc.markers[0]
    assert doc.signatures == ["Your Kuibyshev."]
    assert result.diagnostics == []


def test_place_date_lines(variants):
    pd = {n: [(p.place, p.role, p.date.edtf if p.date else None) for p in variants[n].place_dates]
          for n in variants}
    assert pd["201"] == [(None, "written", "1921-03-05")]
    assert pd["203"] == [("Moscow", "filed", "1921-03-05"), (None, "received", "1921-03-06")]
    assert pd["205"] == [("Kharkiv", "written", "1921-03-05")]  # year taken from the date line
    assert variants["205"].place_dates[0].date.supplied == ["year"]
    assert pd["206"] == [("Tula", "written", "1921-03-05")]
    assert pd["207"] == [(None, "written", "1921-02-16")]  # OCR "16/11 21" read as 16/II by the date line


def test_markers_and_data_numbers(variants):
    doc = variants["201"]
    assert [m.number for m in doc.markers] == [1, 2, 3, 4, 5]
    assert "11,000 rifles for the 4th division, see platform 46 and house No. 11" in doc.body
    assert "issue No. 3 of the journal." in doc.body and "No. 169/S to the matter and nothing else, as" in doc.body
    assert "revealed and reported" in doc.body and "agreed." in doc.body
    for m in doc.markers:
        assert doc.body[:m.offset].rstrip().endswith(m.anchor.split()[-1])
    assert [m.number for m in variants["202"].markers] == [1]


def test_citation_variants(variants):
    c = {n: variants[n].citation for n in variants}
    assert (c["201"].archive, c["201"].archive_verbatim, c["201"].opis, c["201"].folios, c["201"].form) == (
        "RTsKhIDNI", "RGASPI", "3/S", "1, 2", "autograph")
    assert (c["202"].archive, c["202"].archive_verbatim, c["202"].folios) == ("RTsKhIDNI", "RTSHIDNI", "103-113")
    assert c["202"].form == "typewritten, signatures autographs"
    assert (c["203"].archive, c["203"].fond, c["203"].form, c["203"].technique) == (
        "GARF", "R-5674", "handwritten on a telegraph form", "handwritten")
    assert (c["204"].form, c["204"].record_state) == ("uncertified typewritten copy", "uncertified-copy")
    assert c["204"].publication == '"Journal title". 1936. No. 7. P. 167.'
    assert (c["205"].form, c["205"].record_state) == ("certified typewritten copy", "certified-copy")
    assert c["206"].form == "autograph"  # "Autographs."
    assert (c["207"].form, c["207"].technique) == ("handwritten", "handwritten")
    assert c["201"].normalized == "RTsKhIDNI. F. 558. Op. 3/S. D. 12. L. 1, 2."


def test_damaged_note_numbers_and_references(variants):
    notes = variants["201"].notes
    assert [(n.number, n.number_verbatim, n.number_recovered) for n in notes] == [
        (1, "1 .", False), (2, "2", False), (3, "three", False), (4, "", True), (5, "5", False)]
    assert notes[1].text.startswith("Second note") and notes[2].text.startswith("Third note")
    ibid = notes[1].references[0]
    assert ibid.ibid and (ibid.citation.fond, ibid.citation.delo, ibid.citation.folios) == ("17", "5", "7")
    pub = notes[3].references[0]
    assert (pub.kind, pub.title, pub.year, pub.issue, pub.pages) == ("publication", "Journal of History", "1936",
                                                                     "7", "167")
    assert [(x.document, x.note) for x in notes[4].cross_references] == [("200", 2)]
    unlabelled = variants["202"].notes
    assert [(n.number, n.number_verbatim, n.text) for n in unlabelled] == [
        (1, "one.", "The only note, its number written as a word.")]


def test_signatures(variants):
    assert variants["201"].signatures == ["Your Ivanov."]
    assert variants["202"].signatures == ["A. Ivanov", "C. Petrov"]
    assert variants["203"].signatures == ["SECRETARY OF THE CC SIDOROV."]


def test_julian_calendar():
    docs = parse("julian.txt").documents
    d = docs[0].date
    assert (d.calendar, d.earliest, d.gregorian_earliest) == ("julian", "1917-10-05", "1917-10-18")
    m = docs[1].date
    assert (m.calendar, m.edtf, m.gregorian_earliest, m.gregorian_latest) == (
        "julian", "1912-03", "1912-03-14", "1912-04-13")


def test_introduction_page_gives_nothing():
    result = parse("intro.txt")
    assert result.documents == [] and result.diagnostics == []


def test_unnumbered_documents_and_keys():
    result = parse("stalin-unnumbered.txt")
    assert [(d.number, d.key) for d in result.documents] == [(None, "u-1921-06-03-stalin"),
                                                             (None, "u-1921-06-10-stalin")]
    assert names(result.documents[1].senders) == [("J. V. Stalin", "person")]
    assert result.documents[1].date.supplied == ["year"]
    assert result.diagnostics == []


def test_html_page_entities_script_and_paragraphs():
    (doc,) = parse("letter-301.html").documents
    assert doc.number == "301" and names(doc.senders) == [("K. E. Voroshilov", "person")]
    assert "Rostov for the review & the «parade»." in doc.body
    assert "Fake" not in doc.body and "999" not in doc.header
    assert doc.notes[0].text == "The First Cavalry Army.\n\nA second line of the same note."


def test_same_letter_on_three_pages_is_one_record_and_duplicate_number_reported():
    result = parse("month-page.txt", "letter-301.html", "letter-301-unnumbered.txt", "duplicate-number.txt")
    by_number = {d.number: d for d in result.documents}
    assert sorted(by_number) == ["301", "302"]
    doc = by_number["301"]
    assert [Path(p).name for p in doc.pages] == ["month-page.txt", "letter-301.html", "letter-301-unnumbered.txt"]
    assert len(doc.sources) == 3 and names(doc.recipients) == [("S. M. Budyonny", "person")]
    (dup,) = result.diagnostics
    assert (dup.code, dup.document, Path(dup.file).name, dup.line) == ("duplicate-number", "301",
                                                                       "duplicate-number.txt", 2)


def test_headerless_telegram_and_dative_header_of_the_first_fixture():
    """Issue 15 changed this page's reading: the address line names the addressees, the signature the
    sender; the dative header is read the evident way and flagged (see headerless-telegram.txt,
    dative-header.txt for the details)."""
    result = parse("headers-ambiguous.txt")
    a, b = result.documents
    assert (a.header, a.kind, a.flags) == ("", "telegram", ["header-missing"])
    assert [(p.name, p.read_from) for p in a.senders + a.recipients] == [
        ("Stalin", "signature"), ("Ivanov", "address-line"), ("Petrov", "address-line")]
    assert a.body.startswith("Moscow Kremlin to IVANOV, PETROV.")
    assert (b.kind, b.flags, names(b.senders), names(b.recipients)) == (
        "telegram", ["dative-header"], [("A. B. Ivanov", "person")],
        [("C. D. Petrov", "person"), ("E. F. Sidorov", "person")])
    assert [(d.code, d.document, d.line, d.severity) for d in result.diagnostics] == [
        ("missing-date", "401", 4, "warning"), ("missing-header", "401", 4, "warning"),
        ("dative-header", "402", 14, "warning")]


def test_impossible_date_is_a_diagnostic_and_the_next_document_is_read():
    result = parse("impossible-date.txt")
    assert [d.number for d in result.documents] == ["501", "502"]
    assert result.documents[0].date is None and result.documents[1].date.edtf == "1923-03-02"
    (diag,) = result.diagnostics
    assert (diag.code, diag.document, diag.line, diag.severity) == ("impossible-date", "501", 6, "error")


def test_place_date_shapes_note_kind_repeated_passage_and_footer():
    result = parse("place-dates.txt")
    a, b = result.documents
    assert (a.kind, names(a.senders), names(a.recipients)) == ("note", [("A. B. Ivanov", "person")],
                                                              [("C. D. Petrov", "person")])
    assert [(p.verbatim, p.place, p.date.edtf, p.date.supplied) for p in a.place_dates] == [
        ("5/3 21", None, "1921-03-05", []), ("5.III.1921", None, "1921-03-05", []),
        ("Tula, 5/III 1921", "Tula", "1921-03-05", []),
        ("16/11 21", None, "1921-02-16", []),  # OCR 11 for II, in a February letter
        ("3/VІІІ", None, "1921-08-03", ["year"])]  # Cyrillic І; year from the date line
    assert a.body.count("The commission will meet on the 16th") == 1
    assert (a.citation.form, a.citation.signature_autograph) == ("signatures autographs", True)
    assert (b.citation.form, b.citation.technique) == ("typewritten", "typewritten")
    assert b.notes == [] and "previous" not in b.body  # the navigation footer is not a note
    assert [(d.code, d.document, d.line, d.severity) for d in result.diagnostics] == [
        ("repeated-passage", "601", 20, "warning")]


def test_place_in_front_of_the_date_not_before_and_form_on_its_own_line():
    result = parse("date-place-prefix.txt")
    a, b = result.documents
    assert (a.date.expressed, a.date.edtf, a.place) == ("March 5, 1921", "1921-03-05", "Tiflis")
    assert a.place_dates[0].verbatim == "Tiflis, March 5, 1921" and a.place_dates[0].date is a.date
    assert (a.citation.form, a.citation.span.first_line, a.citation.span.last_line) == ("autograph", 12, 14)
    assert a.notes == []
    assert (b.date.edtf, b.date.earliest, b.date.latest, b.date.qualifier) == (
        "1921-03-05/..", "1921-03-05", None, "not-before")
    assert result.diagnostics == []


def test_short_telegram_signature_and_full_name_header():
    from kg.model import Page
    from kg.sources.parse import parse_pages

    text = ("No. 9\nTelegram from Grigory Ordzhonikidze to S. M. Kirov\nMay 1, 1925\nARRIVE TOMORROW.\nSERGO.\n"
            "RTSKHIDNI. F. 558. Op. 1. D. 9. L. 1. Typewritten text.\n")
    (doc,) = parse_pages([Page("t.txt", text)]).documents
    assert (doc.kind, names(doc.senders)) == ("telegram", [("Grigory Ordzhonikidze", "person")])
    assert doc.signatures == ["SERGO."] and doc.fields["signature"].first_line == 5


def test_markers_among_data_numbers():
    result = parse("markers.txt")
    (doc,) = result.documents
    assert [(m.number, m.anchor.split()[-1]) for m in doc.markers] == [
        (1, "about"), (2, "planned"), (3, "revealed"), (4, "T.")]
    assert "about the supply. The question must be decided within 4 [th] days, by 3 million rubles" in doc.body
    assert "paragraphs 1 and 2 of circular No. 58 of 19/X, 64.8% of the plan for [19]23 as planned." in doc.body
    assert doc.signatures == ["V. T."]
    assert all(n.marker is not None for n in doc.notes) and result.diagnostics == []


def test_contents_entries_are_not_documents_and_unnumbered_letters_split_without_citation():
    result = parse("contents-and-unnumbered.txt")
    assert [(d.key, d.header, len(d.signatures)) for d in result.documents] == [
        ("u-1925-05-10-molotov", "V. M. Molotov - I. V. Stalin", 1),
        ("u-1925-05-12-ordzhonikidze", "G. K. Ordzhonikidze - I. V. Stalin", 1)]
    assert result.documents[0].citation is None and result.documents[1].citation.delo == "778"
    assert [(d.code, d.document, d.line) for d in result.diagnostics] == [
        ("missing-citation", "u-1925-05-10-molotov", 18), ("empty-document", "999", 30)]


def test_cross_references_to_several_notes_and_keys_of_undated_or_open_dates():
    from kg.model import Page
    from kg.sources.parse import parse_pages

    text = ("A. B. Ivanov - C. D. Petrov\n[previously March 5, 1921]\nThe commission has finished its work and"
            " the report is ready for the Politburo meeting 1 .\nRTSKHIDNI. F. 1. Op. 1. D. 1. L. 1. Autograph.\n"
            "Notes:\n1 See notes 1 and 2 to document No. 166. See also document No. 12.\n"
            "A. B. Ivanov - C. D. Petrov\nMarch 5-6, 1921\nThe commission has finished its work and the report is"
            " ready.\nRTSKHIDNI. F. 1. Op. 1. D. 2. L. 1. Autograph.\n")
    a, b = parse_pages([Page("u.txt", text)]).documents
    assert [(x.document, x.note) for x in a.notes[0].cross_references] == [("166", 1), ("166", 2), ("12", None)]
    assert (a.key, b.key) == ("u-open-1921-03-05-ivanov", "u-1921-03-05-1921-03-06-ivanov")


def test_title_form_header_on_a_per_letter_page():
    result = parse("title-as-header.txt")
    (doc,) = result.documents
    assert (doc.number, doc.key, names(doc.senders), names(doc.recipients)) == (
        None, "u-1926-09-sergo", [("Sergo", "person")], [("Kirov", "person")])
    assert (doc.date.edtf, doc.date.supplied) == ("1926-09", ["whole"])
    assert doc.signatures == ["Your Sergo."] and result.diagnostics == []


def test_titled_persons_and_juxtaposed_names_in_headers():
    from kg.sources.headers import read_header

    titled = read_header("Chairman of the OGPU F. E. Dzerzhinsky - Secretary of the Central Committee I. V. Stalin")
    assert [(p.name, p.kind, p.verbatim) for p in titled.senders + titled.recipients] == [
        ("F. E. Dzerzhinsky", "person", "Chairman of the OGPU F. E. Dzerzhinsky"),
        ("I. V. Stalin", "person", "Secretary of the Central Committee I. V. Stalin")]
    glued = read_header("A. B. Ivanov C. D. Petrov - E. F. Sidorov")
    assert (glued.senders, glued.recipients) == ([], []) and "without a separator" in glued.problem


def sources(parties) -> list[tuple[str, str, str]]:
    return [(p.name, p.kind, p.read_from) for p in parties]


def diags(result) -> list[tuple[str, str | None, int, str]]:
    return [(d.code, d.document, d.line, d.severity) for d in result.diagnostics]


def test_headerless_telegrams_read_addressees_from_the_address_line_and_the_sender_from_the_signature():
    result = parse("headerless-telegram.txt")
    a, b = result.documents
    assert (a.number, a.kind, a.header, a.flags) == ("711", "telegram", "", ["header-missing"])
    assert sources(a.senders) == [("Sidorov", "person", "signature")]
    assert sources(a.recipients) == [("Belov", "person", "address-line"), ("Orlov", "person", "address-line")]
    assert (a.date.expressed, a.date.edtf, a.date.span.first_line) == ("April 3, 1921", "1921-04-03", 6)
    assert a.body.startswith("Moscow Kremlin to BELOV, ORLOV.\n\nThe commission will arrive tomorrow")
    assert (a.fields["address"].first_line, a.signatures) == (4, ["SECRETARY OF THE CC SIDOROV."])
    assert (a.citation.delo, a.citation.form) == ("211", "typewritten")
    # the date before the address line; "Vasily." is a first name: no sender, flagged
    assert (b.number, b.flags, b.senders) == ("712", ["header-missing", "sender-unknown"], [])
    assert sources(b.recipients) == [("Orlov", "person", "address-line")]
    assert (b.date.expressed, b.date.supplied, b.fields["address"].first_line) == ("[April 4, 1921]", ["whole"], 18)
    assert (b.citation.form, b.signatures) == ("handwritten on a telegraph form", ["Vasily."])
    assert diags(result) == [("missing-header", "711", 4, "warning"), ("missing-header", "712", 18, "warning")]
    assert "recipients Belov, Orlov read from the address line, the sender Sidorov from the signature" in \
        result.diagnostics[0].message


def test_garbled_dative_header_read_the_evident_way_with_a_flag_unless_the_page_contradicts_it():
    result = parse("dative-header.txt")
    a, b, c = result.documents
    assert (a.number, a.kind, a.header, a.flags) == (
        "721", "telegram", "Telegram to A. B. Ivanov C. D. Petrov, E. F. Sidorov", ["dative-header"])
    assert sources(a.senders) == [("A. B. Ivanov", "person", "dative-reading")]
    assert sources(a.recipients) == [("C. D. Petrov", "person", "dative-reading"),
                                     ("E. F. Sidorov", "person", "dative-reading")]
    assert (a.date.edtf, a.signatures, a.citation.delo) == ("1921-04-02", ["IVANOV."], "221")
    # signed by a recipient of the dative reading: the page contradicts it, no guess
    assert (b.number, b.senders, b.recipients, b.flags, b.signatures) == ("722", [], [], [], ["PETROV."])
    # no two names juxtaposed: not the dative shape, no guess
    assert (c.number, c.senders, c.recipients, c.flags) == ("723", [], [], [])
    assert diags(result) == [("dative-header", "721", 4, "warning"), ("ambiguous-header", "722", 16, "error"),
                             ("ambiguous-header", "723", 28, "error")]
    assert "sender A. B. Ivanov, recipients C. D. Petrov, E. F. Sidorov" in result.diagnostics[0].message
    assert "the signature names a recipient (PETROV.)" in result.diagnostics[1].message


def test_other_rendering_exchange_is_one_document_with_parts():
    result = parse("other-rendering-exchange.txt")
    (doc,) = result.documents
    assert (doc.number, doc.key, doc.layout, doc.kind, doc.header) == (
        None, "u-1921-03-05-ivanov", "other-rendering", "letter", "")
    assert doc.titles == ["Correspondence with A. B. Ivanov, March 5, 1921",
                          "Переписка с А.Б. Ивановым 5 марта 1921 года"]
    assert (doc.fields["title"].first_line, doc.fields["title"].last_line) == (2, 3)
    assert (doc.date.expressed, doc.date.edtf, doc.date.span.first_line) == ("March 5, 1921", "1921-03-05", 2)
    assert sources(doc.senders) == [("A. B. Ivanov", "person", "title")]
    assert sources(doc.recipients) == [("Petrov", "person", "salutation")]
    assert [(p.number, p.writer.name, p.addressee.name, p.signature, p.span.first_line, p.span.last_line)
            for p in doc.parts] == [(1, "A. B. Ivanov", "Petrov", "A. Ivanov.", 4, 6),
                                    (2, "Petrov", "A. B. Ivanov", "Petrov.", 7, 8)]
    assert doc.parts[1].text == "The draft is acceptable, except for point 3."
    assert doc.signatures == ["A. Ivanov.", "Petrov."] and doc.markers == []
    ref = doc.edition_reference
    assert (ref.kind, ref.title, ref.pages, doc.fields["edition_reference"].first_line) == (
        "publication", "Bolshevistskoe rukovodstvo. Perepiska. 1912-1927", "123", 9)
    c = doc.citation
    assert (c.archive, c.archive_verbatim, c.fond, c.opis, c.delo, c.folios, c.form, c.span.first_line) == (
        "RTsKhIDNI", "RGASPI", "558", "1", "4567", "8", None, 10)
    assert [(n.number, n.number_recovered, n.number_verbatim, n.text, n.span.first_line) for n in doc.notes] == [
        (1, True, "", "The exchange was written on the back of a memorandum of the fuel commission.", 12)]
    assert doc.flags == ["notes-unnumbered"] and result.diagnostics == []


def test_other_rendering_letter_names_only_the_recipient():
    result = parse("other-rendering-letter.txt")
    (doc,) = result.documents
    assert (doc.key, doc.layout, doc.senders, doc.flags) == (
        "u-1921-04-12-unknown", "other-rendering", [], ["notes-unnumbered", "sender-unknown"])
    assert sources(doc.recipients) == [("G. Kh. Orlov", "person", "title")]
    assert (doc.edition_reference.pages, doc.citation.form, doc.parts) == ("131-132", "autograph", [])
    assert [(n.number, n.text) for n in doc.notes] == [(1, "The report has not been found."),
                                                       (2, "The list is in the same file, folio 4.")]
    assert diags(result) == [("partial-parties", "u-1921-04-12-unknown", 2, "warning")]
    assert "names the recipient G. Kh. Orlov; sender not read (the signature 'Your Sidorov.'" in \
        result.diagnostics[0].message


def test_other_rendering_pages_are_matched_to_the_numbered_documents_and_record_every_page():
    result = parse("other-rendering-numbered.txt", "other-rendering-exchange.txt", "other-rendering-letter.txt")
    a, b = result.documents
    assert [(d.number, d.key, d.layout) for d in (a, b)] == [("731", "731", "edition"), ("732", "732", "edition")]
    assert [Path(p).name for p in a.pages] == ["other-rendering-numbered.txt", "other-rendering-letter.txt"]
    assert [Path(p).name for p in b.pages] == ["other-rendering-numbered.txt", "other-rendering-exchange.txt"]
    assert sources(a.senders) == [("E. F. Sidorov", "person", "header")]  # the numbered copy's header wins
    assert (a.edition_reference.pages, b.edition_reference.pages) == ("131-132", "123")
    assert [(n.number, n.number_recovered, n.marker is not None) for n in a.notes] == [(1, False, True),
                                                                                        (2, False, True)]
    assert a.titles[0] == "Letter to G. Kh. Orlov, April 12, 1921"
    # the numbered exchange has its parts from its own page, writers from the header
    assert [(p.writer.name, p.writer.read_from, p.addressee.name) for p in b.parts] == [
        ("A. B. Ivanov", "header", "C. D. Petrov"), ("C. D. Petrov", "header", "A. B. Ivanov")]
    assert diags(result) == [("partial-parties", "731", 2, "warning")]


def test_two_numbered_documents_agreeing_with_a_rendering_page_are_not_guessed_between():
    from kg.model import Page
    from kg.sources.parse import parse_pages

    numbered = ("No. 1\nA. B. Ivanov - C. D. Petrov\nMay 1, 1922\nThe report is ready and will be sent to you by"
                " the next courier.\nA. Ivanov.\nRTSKHIDNI. F. 1. Op. 1. D. 1. L. 1. Autograph.\n"
                "No. 2\nE. F. Sidorov - C. D. Petrov\nMay 1, 1922\nThe commission has left for the south and will"
                " report from there.\nE. Sidorov.\nRTSKHIDNI. F. 1. Op. 1. D. 2. L. 1. Autograph.\n")
    rendering = ("Letter to C. D. Petrov, May 1, 1922\nПисьмо Ц.Д. Петрову 1 мая 1922 года\nThe report is ready"
                 " and will be sent to you by the next courier.\nYour Vanya.\nRGASPI. F. 1. Op. 1. D. 1. L. 1.\n")
    result = parse_pages([Page("n.txt", numbered), Page("r.txt", rendering)])
    assert [(d.number, d.key, d.pages) for d in result.documents] == [
        ("1", "1", ["n.txt"]), ("2", "2", ["n.txt"]), (None, "u-1922-05-01-unknown", ["r.txt"])]
    assert [(d.code, d.file, d.line) for d in result.diagnostics] == [
        ("partial-parties", "r.txt", 1), ("ambiguous-match", "r.txt", 1)]
    assert "agrees in date and parties with 1, 2" in result.diagnostics[1].message


def test_address_lines_and_capitals_signatures_read_alone():
    from kg.sources.headers import read_address_line, read_signer

    assert sources(read_address_line("Moscow Kremlin to BELOV, GORSKY-BELOV.")) == [
        ("Belov", "person", "address-line"), ("Gorsky-Belov", "person", "address-line")]
    assert sources(read_address_line("Kharkiv to CENTRAL COMMITTEE.")) == [
        ("Central Committee", "organization", "address-line")]
    assert read_address_line("Telegram of the CC to IVANOV") is None  # a header with its sender, not an address
    assert read_address_line("A. B. Ivanov - C. D. Petrov") is None
    assert sources([read_signer("SECRETARY OF THE CC SIDOROV.")]) == [("Sidorov", "person", "signature")]
    assert read_signer("Vasily.") is None and read_signer("Your Sidorov.") is None and read_signer("RCP.") is None


def test_other_rendering_telegram_takes_its_addressees_from_the_address_line():
    from kg.model import Page
    from kg.sources.parse import parse_pages

    text = ("Telegram from A. B. Ivanov, May 3, 1922\nТелеграмма А.Б. Иванова 3 мая 1922 года\n"
            "Moscow Kremlin to PETROV.\nTHE GRAIN HAS BEEN LOADED, THE TRAIN LEAVES TONIGHT, CONFIRM RECEIPT.\n"
            "IVANOV.\nBolshevistskoe rukovodstvo. Perepiska. 1912-1927. P. 7.\nRGASPI. F. 1. Op. 2. D. 3. L. 4.\n")
    (doc,) = parse_pages([Page("t.txt", text)]).documents
    assert (doc.key, doc.kind, doc.layout, doc.flags) == ("u-1922-05-03-ivanov", "telegram", "other-rendering", [])
    assert sources(doc.senders) == [("A. B. Ivanov", "person", "title")]
    assert sources(doc.recipients) == [("Petrov", "person", "address-line")]
    assert (doc.edition_reference.pages, doc.citation.delo, doc.signatures) == ("7", "3", ["IVANOV."])


def test_json_contract_gains_the_new_fields_as_extras_only():
    """kg parse --json: the keys of issue 2 stay first and unchanged; issue 15's fields come after them."""
    from kg.sources.records_json import document_to_json

    (doc,) = parse("other-rendering-exchange.txt").documents
    out = document_to_json(doc)
    assert list(out)[:10] == ["number", "kind", "senders", "recipients", "date", "place", "citation", "notes",
                              "source", "pages"]
    assert list(out)[-6:] == ["layout", "titles", "parts", "edition_reference", "flags", "transmission"]
    assert out["senders"] == [{"name": "A. B. Ivanov", "kind": "person", "verbatim": "A. B. Ivanov",
                               "read_from": "title", "copy": None}]
    assert [(p["number"], p["writer"]["name"], p["addressee"]["name"], p["signature"]) for p in out["parts"]] == [
        (1, "A. B. Ivanov", "Petrov", "A. Ivanov."), (2, "Petrov", "A. B. Ivanov", "Petrov.")]
    assert out["edition_reference"] == {"kind": "publication", "verbatim": "Bolshevistskoe rukovodstvo. Perepiska. "
                                        "1912-1927. P. 123.", "ibid": False, "title": "Bolshevistskoe rukovodstvo. "
                                        "Perepiska. 1912-1927", "year": None, "issue": None, "pages": "123"}
    assert (out["layout"], out["flags"], out["number"]) == ("other-rendering", ["notes-unnumbered"], None)


def test_bodies_joined_by_and_and_markers_by_quotes_and_capitals():
    """Two bodies joined by 'and' ("People's Commissariat" starts a body as "Central Committee" does) and
    one body with 'and' in its name; a marker glued to the word that closes a quotation; a telegram's
    "5 [TH] DAYS" is an ordinal as "5 [th] days" is, so the signature's marker is the next one."""
    from kg.sources.body import strip_markers
    from kg.sources.headers import read_header

    two = read_header("T. V. Abramov to Organizing Bureau of the Central Committee and People's Commissariat "
                      "of Foreign Affairs")
    assert names(two.recipients) == [("Organizing Bureau of the Central Committee", "organization"),
                                     ("People's Commissariat of Foreign Affairs", "organization")]
    one = read_header("A. B. Ivanov - Council of Labor and Defense")
    assert names(one.recipients) == [("Council of Labor and Defense", "organization")]
    text, markers = strip_markers([(1, "The commission calls it “the line of the 2center”.")], {1, 2})
    assert text == ["The commission calls it “the line of the center”."] and [m.number for m in markers] == [2]
    caps = "THE COMMISSION1 FORGOT THE AGREEMENT2. IT MUST BE DECIDED WITHIN 3 [TH] DAYS."  # a telegram's capitals
    text, markers = strip_markers([(1, caps), (2, "SECRETARY OF THE CC BELOV. 3 .")], {1, 2, 3})
    assert text == ["THE COMMISSION FORGOT THE AGREEMENT. IT MUST BE DECIDED WITHIN 3 [TH] DAYS.",
                    "SECRETARY OF THE CC BELOV."]
    assert [m.number for m in markers] == [1, 2, 3]
