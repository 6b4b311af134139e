"""Every problem the parser fuzzing found, one test each, with the smallest input that shows it.

Found by ``bench/fuzz_parser.py`` (the seed is given), or while building it, by feeding the reader and
the parser the fuzz's own pieces one at a time ("probe"). Each was a value the published graph refuses
(a build stopped by one page), an inconsistent record, or a page read as empty. Each test also runs
the fuzz's full check (``run_case``), so the case stays fixed in the fuzz's terms too.
"""

from __future__ import annotations

from bench.fuzz_parser import run_case
from kg.model import DateStatement, Page, ParseResult
from kg.sources.dates import day_statement, parse_date
from kg.sources.parse import parse_pages
from kg.sources.read import html_to_text, read_page

HEADER = "A. B. Ivanov - C. D. Petrov"


def parse(text: str) -> ParseResult:
    run_case("p.txt", text, False)
    return parse_pages([Page("p.txt", text)])


def diagnostics(result: ParseResult) -> list[tuple[int, str | None, str, str]]:
    return [(d.line, d.document, d.code, d.message) for d in result.diagnostics]


def test_old_style_february_29_1900_is_no_iso_day():
    """Fuzz seed 1 (29 cases; ValueError in the date check): the Julian leap day of 1900 has no xsd:date,
    so bc:earliest "1900-02-29"^^xsd:date would have been an ill-typed literal stopping the build."""
    result = parse(f"No. 1\n{HEADER}\nFebruary 29, 1900\nText.\n")
    assert result.documents[0].date is None
    assert diagnostics(result)[0] == (3, "1", "impossible-date", "'February 29, 1900': 1900-02-29 is not a day of "
                                      "the ISO calendar (xsd:date) the graph stores dates in; date left empty")
    assert isinstance(parse_date("February 29, 1916"), DateStatement)  # a leap day in both calendars stays
    assert not isinstance(day_statement("29/2 00", 1900, 2, 29), DateStatement)  # the handwritten form too


def test_copy_with_another_body_brings_no_markers():
    """Fuzz seed 1 (4 cases; marker offset beyond the body): two copies of No. 9 with neither header nor
    date merged, and the record took the second copy's markers, whose offsets point into the other text."""
    result = parse("No. 9\nIbid. D.\nNo. 9\nthe commission 1 .\n")
    (doc,) = result.documents
    assert (doc.body, doc.markers, [s.first_line for s in doc.sources]) == ("Ibid. D.", [], [1, 3])


def test_reversed_date_range_is_impossible():
    """Probe ("March 6-5, 1921"): earliest after latest, which sh:lessThanOrEquals refuses."""
    result = parse(f"No. 1\n{HEADER}\nMarch 6-5, 1921\nText.\nNo. 2\n{HEADER}\nMarch 30 - February 2, 1921\nText.\n")
    assert [d.date for d in result.documents] == [None, None]
    assert [(line, code, msg) for line, _, code, msg in diagnostics(result) if code == "impossible-date"] == [
        (3, "impossible-date", "'March 6-5, 1921': the range ends before it starts: 1921-03-06 to 1921-03-05; "
         "date left empty"),
        (7, "impossible-date", "'March 30 - February 2, 1921': the range ends before it starts: 1921-03-30 to "
         "1921-02-02; date left empty")]


def test_citation_parts_take_the_forms_the_shapes_accept():
    """Probe (Cyrillic look-alikes, digits of another script, OCR variants): 'F. Р-5674' (Russian R),
    'On. 1 S', 'D. 13A', 'L. 5v-6' are normalized; '٨٥' and '13/2' are left empty and named."""
    result = parse(f"No. 1\n{HEADER}\nMarch 5, 1921\nText.\nGARF. F. Р-5674. On. 1 S. D. 13A. L. 5v-6. Autograph.\n"
                   f"No. 2\n{HEADER}\nMarch 6, 1921\nText.\nRTSKHIDNI. F. ٨٥. Op. 1. D. 13/2. L. 3.-5.\n")
    first, second = (d.citation for d in result.documents)
    assert (first.fond, first.opis, first.delo, first.folios) == ("R-5674", "1/S", "13a", "5 ob-6")
    assert (second.fond, second.opis, second.delo, second.folios) == (None, "1", None, "3-5")
    assert diagnostics(result) == [
        (10, "2", "unreadable-citation", "citation 'RTSKHIDNI. F. ٨٥. Op. 1. D. 13/2. L. 3.-5.': fond '٨٥' and "
         "delo '13/2' are not archival numbers; left empty")]


def test_edition_numbers_are_ascii_digits_and_a_lower_case_letter():
    """Probe ("No. 167A", Cyrillic "No. 168а", Arabic-Indic "No. ١٦٩"): the shapes accept '^[0-9]{1,6}[a-z]?$'."""
    result = parse("No. 167A\nText.\nNo. 168а\nText.\nNo. ١٦٩\nText.\n")
    assert [d.number for d in result.documents] == ["167a", "168a"]
    assert diagnostics(result)[-1] == (5, None, "unreadable-number", "'No. ١٦٩' is not an edition number "
                                       "(1-6 digits, a letter); no document starts here")


def test_unclosed_title_does_not_swallow_the_page():
    """Probe of the HTML reader with the fuzz's pieces: '<title>' never closed made the whole page the title."""
    text, title = html_to_text("<html><head><title>Letters<body><p>No. 1</p><p>Text.</p>")
    assert (text, title) == ("No. 1\n\nText.\n", "Letters")


def test_marked_section_without_a_name_is_a_bogus_comment():
    """atheris (bench/fuzz_parser.py --atheris, mutating letter-301.html): '<![' followed by no section name
    made html.parser raise AssertionError, and one such page would have stopped `kg build` with a traceback."""
    assert html_to_text("<![ ") == ("<![\n", None)
    assert html_to_text("<![foo[ x ]]><p>No. 1</p>") == ("No. 1\n", None)
    result = parse_pages([Page("p.html", html_to_text(f"<body><![ <p>No. 1</p><p>{HEADER}</p><p>March 5, 1921</p>"
                                                          "<p>Text.</p>")[0], "text/html")])
    assert [(d.number, d.header) for d in result.documents] == [("1", HEADER)]
    run_case("p.html", "<![ ", True)


def test_an_html_parser_failure_skips_only_that_page(tmp_path, monkeypatch):
    """The safety net behind the fix above: whatever the stdlib parser raises becomes a diagnostic."""
    import kg.sources.read

    def broken(markup: str) -> tuple[str, str | None]:
        raise AssertionError("expected name token")

    monkeypatch.setattr(kg.sources.read, "html_to_text", broken)
    page = tmp_path / "p.html"
    page.write_text("<p>No. 1</p>", encoding="utf-8")
    diag = read_page(page)
    assert (diag.line, diag.document, diag.code, diag.message) == (
        1, None, "unreadable-html", "the HTML parser gave up (expected name token); page skipped")
