"""The bad-input corpus (tests/data/bad/, one page per way a page breaks): the exact diagnostic of each
page, what is still read from it, the two pages generated at test time (20 MB, 10,000 documents), and
`kg build` on the whole corpus: it publishes what is valid, names what it left out, exits as the README
says, and under --strict leaves the previous output/ byte for byte as it was.

Why exact messages: a diagnostic is the only thing a user sees of a document that was not read; the
file, line, document number, code and words are the interface, so the tests pin all of them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, Namespace, URIRef

from kg.cli import cli
from kg.errors import Diagnostic, summarize_diagnostics
from kg.model import Page, ParseResult
from kg.sources.parse import parse_pages, parse_sources

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "data" / "bad"
BC = Namespace("https://w3id.org/bolcorr/ns#")
SCHEMA = Namespace("http://schema.org/")
BASE = "https://w3id.org/bolcorr/"
IVANOV_PETROV = "A. B. Ivanov - C. D. Petrov"

Row = tuple[int, str | None, str, str, str]  # line, document, code, severity, message


def parse_bad(name: str) -> ParseResult:
    return parse_sources([str(BAD / name)])


def rows(result: ParseResult, name: str) -> list[Row]:
    """The diagnostics as (line, document, code, severity, message), after checking they name the file."""
    assert {d.file for d in result.diagnostics} <= {str(BAD / name)}
    return [(d.line, d.document, d.code, d.severity, d.message) for d in result.diagnostics]


def numbers(result: ParseResult) -> list[str | None]:
    return [d.number for d in result.documents]


# ------------------------------------------------------------------------------ one page per break

def test_corpus_files_say_what_they_break():
    """Every text page opens with its '# breaks:' line and is listed in the corpus README."""
    listed = (BAD / "README.md").read_text(encoding="utf-8")
    for path in sorted(BAD.iterdir()):
        if path.name == "README.md":
            continue
        assert f"| {path.name} |" in listed, path.name
        if path.suffix == ".txt" and path.name != "invalid-utf8.txt":
            assert path.read_text(encoding="utf-8").startswith("# breaks: "), path.name


def test_truncated_page_reads_the_whole_document_and_reports_the_cut_one():
    result = parse_bad("truncated-page.txt")
    assert numbers(result) == ["901", "902"]
    whole, cut = result.documents
    assert (whole.citation.normalized, whole.signatures) == ("RTsKhIDNI. F. 85. Op. 1/S. D. 13. L. 1.", ["A. Ivanov."])
    assert (cut.header, cut.date.edtf, cut.citation) == ("C. D. Petrov - A. B. Ivanov", "1921-03-09", None)
    assert cut.body == "Dear comrade! The commission met on the 8th and"
    assert rows(result, "truncated-page.txt") == [
        (24, "902", "missing-citation", "warning", "no archival citation line"),
        (24, "902", "truncated-page", "warning", "the page ends inside No. 902, mid-sentence "
         "('mrade! The commission met on the 8th and') and before any citation: the rest of the text is lost")]


def test_a_letter_ending_with_its_signature_is_not_cut_off():
    """Unpunctuated signatures ("Koba", "SERGO") end letters: only a lower-case word or a comma is mid-sentence."""
    for last, cut in (("Koba", False), ("SERGO", False), ("Your Amayak", False), ("about the 8th and", True),
                      ("the plenum,", True)):
        text = f"No. 1\n{IVANOV_PETROV}\nMarch 5, 1921\nDear comrade! Some text.\n{last}\n"
        codes = [d.code for d in parse_pages([Page("p.txt", text)]).diagnostics]
        assert codes == ["missing-citation"] + (["truncated-page"] if cut else []), last


def test_document_without_header():
    result = parse_bad("no-header.txt")
    (doc,) = result.documents
    assert (doc.number, doc.header, doc.senders, doc.recipients, doc.date.edtf) == ("903", "", [], [], "1921-03-05")
    assert doc.citation.delo == "14"
    assert rows(result, "no-header.txt") == [
        (4, "903", "missing-header", "error",
         "no header line (the date follows the number): sender and recipients unknown")]


def test_document_without_date():
    result = parse_bad("no-date.txt")
    (doc,) = result.documents
    assert (doc.number, doc.header, doc.date) == ("904", IVANOV_PETROV, None)
    assert doc.body.startswith("Dear comrade! This letter carries no date.") and doc.citation.delo == "15"
    assert rows(result, "no-date.txt") == [(6, "904", "missing-date", "warning", "no date line")]


def test_impossible_date_is_left_empty():
    result = parse_bad("impossible-date.txt")
    (doc,) = result.documents
    assert (doc.number, doc.header, doc.date, "date" in doc.fields) == ("905", IVANOV_PETROV, None, True)
    assert rows(result, "impossible-date.txt") == [
        (6, "905", "impossible-date", "error",
         "'February 30, 1923': no such day: February 30, 1923; date left empty")]


def test_date_outside_the_collection_is_kept_and_reported():
    result = parse_bad("date-out-of-range.txt")
    (doc,) = result.documents
    assert (doc.number, doc.date.edtf, doc.date.calendar) == ("906", "1931-03-05", "gregorian")
    assert rows(result, "date-out-of-range.txt") == [
        (6, "906", "date-out-of-range", "warning",
         "'March 5, 1931' is outside the collection's years 1912-1927; date kept as printed")]


def test_duplicate_number_keeps_the_first_document_and_names_the_second():
    result = parse_bad("duplicate-number.txt")
    (doc,) = result.documents
    assert (doc.number, doc.header, doc.date.edtf, doc.citation.delo) == ("907", IVANOV_PETROV, "1921-03-05", "18")
    assert "different text" not in doc.body
    path = str(BAD / "duplicate-number.txt")
    assert rows(result, "duplicate-number.txt") == [
        (12, "907", "duplicate-number", "error",
         f"No. 907 is also {path}:2 with a different header or date "
         "('E. F. Sidorov - A. B. Ivanov' vs 'A. B. Ivanov - C. D. Petrov'); this copy is not published")]


def test_note_without_marker_and_marker_without_note():
    result = parse_bad("notes-and-markers.txt")
    (doc,) = result.documents
    assert [(m.number, m.anchor) for m in doc.markers] == [
        (1, "Dear comrade! The commission"), (3, "again and the plenum decided")]
    assert doc.body == "Dear comrade! The commission. met again and the plenum decided. nothing.\n\nA. Ivanov."
    assert [(n.number, n.marker is not None) for n in doc.notes] == [(1, True), (2, False)]
    assert rows(result, "notes-and-markers.txt") == [
        (18, "908", "note-without-marker", "warning", "note 2 has no marker in the text"),
        (8, "908", "marker-without-note", "warning", "marker 3 has no note")]


def test_citation_with_letters_keeps_no_garbage_part():
    result = parse_bad("citation-letters.txt")
    (doc,) = result.documents
    cit = doc.citation
    assert (cit.archive, cit.fond, cit.opis, cit.delo, cit.folios, cit.form) == (
        "RTsKhIDNI", None, "1", None, "9", "autograph")
    assert cit.verbatim == "RTSKHIDNI. F. abc. Op. 1. D. xyz. L. 9. Autograph." and cit.publication is None
    assert cit.normalized == "RTsKhIDNI. Op. 1. L. 9." and "abc" not in doc.body
    assert rows(result, "citation-letters.txt") == [
        (10, "909", "unreadable-citation", "error",
         "citation 'RTSKHIDNI. F. abc. Op. 1. D. xyz. L. 9. Autograph.': fond 'abc' and delo 'xyz' are not "
         "archival numbers; left empty")]


def test_citation_part_forms_are_the_shapes_forms():
    """kg.sources.citations.PART_FORMS must stay the shapes' patterns, or garbage could reach (and stop) a build."""
    from rdflib.namespace import SH

    from kg.sources.citations import PART_FORMS

    shapes = Graph().parse(ROOT / "shapes" / "bolcorr.shapes.ttl")
    node = URIRef("https://w3id.org/bolcorr/shapes#ArchivalInstantiationShape")
    patterns = {str(shapes.value(prop, SH.path)).rsplit("#", 1)[1]: str(shapes.value(prop, SH.pattern))
                for prop in shapes.objects(node, SH.property) if shapes.value(prop, SH.pattern) is not None}
    assert {part: patterns[part] for part in PART_FORMS} == PART_FORMS


def test_invalid_utf8_page_is_skipped_and_its_documents_named():
    result = parse_bad("invalid-utf8.txt")
    assert result.documents == []
    assert rows(result, "invalid-utf8.txt") == [
        (8, "910", "undecodable", "error",
         "not UTF-8: byte 0xff at offset 131 (line 8); page skipped, not read: No. 910")]


def test_binary_garbage_is_no_page():
    result = parse_bad("binary-garbage.bin")
    assert result.documents == []
    assert rows(result, "binary-garbage.bin") == [
        (1, None, "undecodable", "error", "binary data, not a text page: byte 0xa5 at offset 0 (line 1); "
         "page skipped")]


def test_html_page_text_without_script_entities_decoded_markup_literal():
    result = parse_bad("script-and-entities.html")
    (doc,) = result.documents
    assert (doc.number, doc.header, doc.date.edtf) == ("911", "A. B. Ivanov — C. D. Petrov", "1921-03-05")
    assert [(p.name, p.kind) for p in doc.senders + doc.recipients] == [
        ("A. B. Ivanov", "person"), ("C. D. Petrov", "person")]
    assert doc.body == ("Dear comrade! Prices & wages <script>alert(1)</script> are “high”.\n\nA. Ivanov.")
    assert doc.citation.normalized == "RTsKhIDNI. F. 85. Op. 1/S. D. 21. L. 10."
    assert rows(result, "script-and-entities.html") == []  # "No. 999" of the <script> is no document


def test_page_whose_every_document_is_broken():
    result = parse_bad("all-broken.txt")
    (doc,) = result.documents  # No. 912 has no text: not a document
    assert (doc.number, doc.header, doc.date, doc.citation) == ("913", "", None, None)
    assert doc.body.startswith("Dear comrade! Neither a header nor a date")
    assert "No. 99999999999" in doc.body  # kept as text, not a document boundary
    assert rows(result, "all-broken.txt") == [
        (2, "912", "empty-document", "warning", "No. 912 has no text after its number line; nothing to publish"),
        (6, "913", "ambiguous-header", "error", "header missing: no sender/recipient separator in "
         "'Dear comrade! Neither a header nor a date stands before this text.'"),
        (6, "913", "missing-date", "warning", "no date line"),
        (12, "913", "missing-citation", "warning", "no archival citation line"),
        (12, "913", "truncated-page", "warning", "the page ends inside No. 913, mid-sentence "
         "('The commission met on the 8th and') and before any citation: the rest of the text is lost"),
        (8, None, "unreadable-number", "error",
         "'No. 99999999999' is not an edition number (1-6 digits, a letter); no document starts here")]


def test_html_head_left_open_does_not_hide_the_page():
    """Lazy HTML (<head> never closed) must not read as an empty page: <body> closes it."""
    from kg.sources.read import html_to_text

    text, title = html_to_text("<html><head><title>T</title><script>x = '<p>No. 999</p>'</script>"
                               "<body><p>No. 911</p><p>A &amp; B &lt;b&gt;</p>")
    assert (text, title) == ("No. 911\n\nA & B <b>\n", "T")


def test_kg_parse_json_on_the_bad_corpus():
    """The CLI gives the same reading: JSON records of what was read, one stderr line per diagnostic,
    then one summary line per diagnostic code."""
    result = CliRunner().invoke(cli, ["parse", "--json", str(BAD), str(BAD / "binary-garbage.bin")])
    assert result.exit_code == 0
    records = {r["number"]: r for r in json.loads(result.stdout)}
    assert sorted(records) == ["901", "902", "903", "904", "905", "906", "907", "908", "909", "911", "913"]
    assert records["909"]["citation"]["fond"] is None and records["909"]["citation"]["delo"] is None
    assert records["905"]["date"] is None and records["906"]["date"]["edtf"] == "1931-03-05"
    lines = result.stderr.splitlines()
    assert len(lines) == 18 + 14  # 18 diagnostics of 14 codes
    assert lines[:18] == expected_diagnostic_lines()
    assert f"{BAD / 'citation-letters.txt'}:10: document 909: error: citation " in lines[8]
    assert lines[8].endswith("are not archival numbers; left empty [unreadable-citation]")
    assert lines[18:] == BAD_SUMMARY
    strict = CliRunner().invoke(cli, ["parse", "--strict", str(BAD / "date-out-of-range.txt")])
    assert strict.exit_code == 1 and "[date-out-of-range]" in strict.stderr  # a warning counts under --strict


# The summary of the whole bad corpus, one line per code: errors first, then warnings, each by code;
# the count by severity and the first diagnostic of the code (its location and message) as the example.
BAD_SUMMARY = [line.replace("BAD/", f"{BAD}/") for line in [
    "ambiguous-header: 1 error, e.g. BAD/all-broken.txt:6: document 913: header missing: no sender/recipient "
    "separator in 'Dear comrade! Neither a header nor a date stands before this text.'",
    "duplicate-number: 1 error, e.g. BAD/duplicate-number.txt:12: document 907: No. 907 is also "
    "BAD/duplicate-number.txt:2 with a different header or date ('E. F. Sidorov - A. B. Ivanov' vs "
    "'A. B. Ivanov - C. D. Petrov'); this copy is not published",
    "impossible-date: 1 error, e.g. BAD/impossible-date.txt:6: document 905: 'February 30, 1923': no such day: "
    "February 30, 1923; date left empty",
    "missing-header: 1 error, e.g. BAD/no-header.txt:4: document 903: no header line (the date follows the "
    "number): sender and recipients unknown",
    "undecodable: 2 errors, e.g. BAD/invalid-utf8.txt:8: document 910: not UTF-8: byte 0xff at offset 131 "
    "(line 8); page skipped, not read: No. 910",
    "unreadable-citation: 1 error, e.g. BAD/citation-letters.txt:10: document 909: citation 'RTSKHIDNI. F. abc. "
    "Op. 1. D. xyz. L. 9. Autograph.': fond 'abc' and delo 'xyz' are not archival numbers; left empty",
    "unreadable-number: 1 error, e.g. BAD/all-broken.txt:8:: 'No. 99999999999' is not an edition number "
    "(1-6 digits, a letter); no document starts here",
    "date-out-of-range: 1 warning, e.g. BAD/date-out-of-range.txt:6: document 906: 'March 5, 1931' is outside "
    "the collection's years 1912-1927; date kept as printed",
    "empty-document: 1 warning, e.g. BAD/all-broken.txt:2: document 912: No. 912 has no text after its number "
    "line; nothing to publish",
    "marker-without-note: 1 warning, e.g. BAD/notes-and-markers.txt:8: document 908: marker 3 has no note",
    "missing-citation: 2 warnings, e.g. BAD/all-broken.txt:12: document 913: no archival citation line",
    "missing-date: 2 warnings, e.g. BAD/all-broken.txt:6: document 913: no date line",
    "note-without-marker: 1 warning, e.g. BAD/notes-and-markers.txt:18: document 908: note 2 has no marker in "
    "the text",
    "truncated-page: 2 warnings, e.g. BAD/all-broken.txt:12: document 913: the page ends inside No. 913, "
    "mid-sentence ('The commission met on the 8th and') and before any citation: the rest of the text is lost",
]]


@pytest.mark.parametrize("quiet", ["--quiet", "-q"])
def test_kg_parse_quiet_keeps_only_the_summary_and_the_exit_code(quiet):
    sources = [str(BAD), str(BAD / "binary-garbage.bin")]
    loud = CliRunner().invoke(cli, ["parse", *sources])
    result = CliRunner().invoke(cli, ["parse", quiet, *sources])
    assert (loud.exit_code, result.exit_code) == (0, 0)
    assert result.stdout == loud.stdout  # the documents are still printed
    assert result.stderr.splitlines() == BAD_SUMMARY
    strict = CliRunner().invoke(cli, ["parse", "--strict", quiet, str(BAD / "date-out-of-range.txt")])
    assert strict.exit_code == 1
    assert strict.stderr.splitlines() == [
        f"date-out-of-range: 1 warning, e.g. {BAD / 'date-out-of-range.txt'}:6: document 906: 'March 5, 1931' is "
        "outside the collection's years 1912-1927; date kept as printed"]


def test_summary_counts_each_severity_of_a_code_and_orders_codes_stably():
    diags = [Diagnostic("b.txt", 3, "2", "zeta", "late", "warning"),
             Diagnostic("a.txt", 9, "1", "alpha", "first alpha", "warning"),
             Diagnostic("a.txt", 1, None, "zeta", "first zeta", "warning"),
             Diagnostic("c.txt", 5, "3", "zeta", "an error", "error"),
             Diagnostic("c.txt", 7, "4", "alpha", "second alpha", "warning")]
    assert summarize_diagnostics(diags) == [
        "zeta: 1 error, 2 warnings, e.g. b.txt:3: document 2: late",  # a code with an error comes first
        "alpha: 2 warnings, e.g. a.txt:9: document 1: first alpha"]
    assert summarize_diagnostics(reversed(diags)) == [  # the example is the first one in the order printed
        "zeta: 1 error, 2 warnings, e.g. c.txt:5: document 3: an error",
        "alpha: 2 warnings, e.g. c.txt:7: document 4: second alpha"]
    assert summarize_diagnostics([Diagnostic("p.bin", 1, None, "undecodable", "binary")]) == [
        "undecodable: 1 error, e.g. p.bin:1:: binary"]  # no document: the location is file:line: as in the line
    assert summarize_diagnostics([]) == []


# ------------------------------------------------------------------------------ generated pages

def _letter(number: str, date: str, body: str) -> str:
    return (f"No. {number}\n\n{IVANOV_PETROV}\n\n{date}\n\n{body}\n\nA. Ivanov.\n\n"
            f"RTSKHIDNI. F. 85. Op. 1. D. {number.rstrip('a')}. L. 1. Autograph.\n\n")


@pytest.mark.slow
def test_20_mb_page_one_document_with_a_huge_body_and_notes():
    """One document of 20 MB: distinct paragraphs (no glitch repetition), a marker, many note paragraphs."""
    paragraphs = [f"Paragraph {i} of the report: the commission met and decided the matter once more."
                  for i in range(250_000)]
    paragraphs[5] += " The commission 1 . met."
    notes = "\n\n".join(f"The commission, continued ({i})." for i in range(20_000))
    text = (f"No. 1\n\n{IVANOV_PETROV}\n\nMarch 5, 1921\n\n" + "\n\n".join(paragraphs) +
            "\n\nA. Ivanov.\n\nRTSKHIDNI. F. 85. Op. 1. D. 1. L. 1. Autograph.\n\nNotes:\n\n1 The commission.\n\n"
            + notes + "\n")
    assert len(text.encode()) > 20_000_000
    result = parse_pages([Page("huge.txt", text)])
    (doc,) = result.documents
    assert result.diagnostics == []
    assert doc.body.count("\n\n") == len(paragraphs) and doc.body.endswith("once more.\n\nA. Ivanov.")
    assert [(m.number, m.anchor) for m in doc.markers] == [(1, "matter once more. The commission")]
    (note,) = doc.notes
    assert (note.number, note.marker.number, note.text.count("\n\n")) == (1, 1, 20_000)
    assert (doc.citation.delo, doc.source.last_line) == ("1", text.count("\n"))


@pytest.mark.slow
def test_20_mb_page_of_repeated_paragraphs():
    """A page glitch repeated 200,000 times: read once, each copy reported where it stands."""
    para = "The commission met on the 8th and decided that the question of the rifles must wait for Comrade Ivanov."
    text = f"No. 1\n\n{IVANOV_PETROV}\n\nMarch 5, 1921\n\n" + f"{para}\n\n" * 200_000 + "A. Ivanov.\n"
    assert len(text.encode()) > 20_000_000
    result = parse_pages([Page("repeated.txt", text)])
    (doc,) = result.documents
    assert doc.body == f"{para}\n\nA. Ivanov."
    repeated = [d for d in result.diagnostics if d.code == "repeated-passage"]
    assert len(repeated) == 199_999 and (repeated[0].line, repeated[-1].line) == (9, 7 + 2 * 199_999)
    assert [d.code for d in result.diagnostics if d.code != "repeated-passage"] == ["missing-citation"]


@pytest.mark.slow
def test_page_with_10000_documents():
    """10,000 letters on one page (No. 1 to 9999, then 9999a: numbers have four digits), every 1000th dated
    February 30: all read, in order, and exactly those 10 diagnostics."""
    labels = [str(n) for n in range(1, 10_000)] + ["9999a"]
    parts, expected = [], []
    for i, label in enumerate(labels, start=1):
        date = "February 30, 1923" if i % 1000 == 0 else f"March {i % 28 + 1}, 1923"
        if i % 1000 == 0:
            expected.append((12 * (i - 1) + 5, label, "impossible-date"))
        parts.append(_letter(label, date, f"Dear comrade! Letter {label} about the commission."))
    result = parse_pages([Page("many.txt", "".join(parts))])
    assert numbers(result) == labels
    assert [(d.line, d.document, d.code) for d in result.diagnostics] == expected
    assert result.documents[9_998].citation.delo == "9999" and result.documents[9_999].date is None
    assert result.documents[41].date.edtf == "1923-03-15" and result.documents[41].source.first_line == 41 * 12 + 1


# ------------------------------------------------------------------------------ kg build on the corpus

def kg_build(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`kg build` in a subprocess (the validator forks workers) on the whole bad corpus."""
    return subprocess.run([sys.executable, "-m", "kg", "build", str(BAD), str(BAD / "binary-garbage.bin"),
                           "--out", str(out), *extra], capture_output=True, text=True, cwd=ROOT, timeout=600)


def snapshot(out: Path) -> dict[str, str]:
    """Every file under out/ with its SHA-256: the whole published state."""
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def published_letters(out: Path) -> Graph:
    graph = Graph()
    graph.parse(data=gzip.decompress((out / "kg.nt.gz").read_bytes()).decode("utf-8"), format="nt")
    return graph


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("bad-build") / "output"
    return out, kg_build(out)


def expected_diagnostic_lines() -> list[str]:
    result = parse_sources([str(BAD), str(BAD / "binary-garbage.bin")])
    return [str(d) for d in result.diagnostics]


def test_build_publishes_what_is_valid(bad_build):
    out, proc = bad_build
    assert proc.returncode == 0, proc.stderr
    graph = published_letters(out)
    keys = {str(o) for o in graph.objects(None, BC.documentKey)}
    assert keys == {"901", "902", "903", "904", "905", "906", "907", "908", "909", "911", "913"}
    letter = {k: URIRef(f"{BASE}letter/{k}") for k in keys}
    assert graph.value(letter["907"], BC.header) == Literal(IVANOV_PETROV)  # the first copy, not the duplicate
    source = graph.value(letter["909"], BC.hasInstantiation)
    assert graph.value(source, BC.fond) is None and graph.value(source, BC.delo) is None
    assert (graph.value(source, BC.opis), graph.value(source, BC.folios)) == (Literal("1"), Literal("9"))
    assert graph.value(letter["905"], BC.created) is None
    assert graph.value(graph.value(letter["906"], BC.created), BC.edtf) == Literal("1931-03-05")
    body_911 = "Dear comrade! Prices & wages <script>alert(1)</script> are “high”.\n\nA. Ivanov."
    assert graph.value(letter["911"], SCHEMA.text) == Literal(body_911, lang="en")  # markup stays literal text
    assert not [o for o in graph.objects() if "document.write" in o or "<b>x</b>" in o]  # <script> content: never


def test_build_names_what_it_left_out_and_says_what_it_published(bad_build):
    out, proc = bad_build
    lines = proc.stderr.splitlines()
    diagnostics = expected_diagnostic_lines()
    assert [line for line in lines if line in diagnostics] == diagnostics  # every one, in order
    left_out = [line for line in diagnostics if "page skipped" in line or "not published" in line
                or "nothing to publish" in line]
    assert [line.split(" ", 1)[0].rstrip(":") for line in left_out] == [
        f"{BAD / 'invalid-utf8.txt'}:8", f"{BAD / 'binary-garbage.bin'}:1", f"{BAD / 'all-broken.txt'}:2",
        f"{BAD / 'duplicate-number.txt'}:12"]
    assert "not read: No. 910" in left_out[0]
    assert lines[-16:-2] == BAD_SUMMARY  # the summary lines, just before the final line
    assert lines[-2] == (f"unresolved-name: 18 warnings, e.g. {BAD / 'citation-letters.txt'}:4: document 909: name "
                         "'A. B. Ivanov' (header) not resolved: no person in people.toml is named 'Ivanov' with "
                         "initials 'A. B.' unambiguously")
    assert lines[-1].startswith("kg build: 11 documents, ") and re.search(r"\b18 (parser )?diagnostics", lines[-1])
    assert f"published {out} version " in lines[-1]


def test_strict_build_exits_1_and_leaves_the_previous_output_untouched(bad_build, tmp_path):
    out, proc = bad_build
    before = snapshot(out)
    assert "SHA256SUMS" in before and "kg.nt.gz" in before
    strict = kg_build(out, "--strict")
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[-1] == "kg build: 18 parser diagnostic(s) under --strict: nothing published"
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["output"]  # no half-written sibling left behind
    quiet = kg_build(out, "--strict", "--quiet")  # the same refusal, without the line per diagnostic
    assert quiet.returncode == 1
    assert quiet.stderr.splitlines() == [*BAD_SUMMARY, strict.stderr.splitlines()[-1]]
    assert snapshot(out) == before


def test_build_of_only_undecodable_input_names_every_page_and_keeps_the_last_good_output(bad_build, tmp_path):
    """Nothing readable at all: each page is named with why it was skipped, the build refuses (exit 1),
    and the last good output/ stays byte for byte: an empty graph never replaces published dumps."""
    out, _ = bad_build
    before = snapshot(out)
    sources = [str(BAD / "binary-garbage.bin"), str(BAD / "invalid-utf8.txt")]
    proc = subprocess.run([sys.executable, "-m", "kg", "build", *sources, "--out", str(out)], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)
    assert proc.stderr.splitlines()[:2] == [
        f"{BAD / 'binary-garbage.bin'}:1:: error: binary data, not a text page: byte 0xa5 at offset 0 (line 1); "
        "page skipped [undecodable]",
        f"{BAD / 'invalid-utf8.txt'}:8: document 910: error: not UTF-8: byte 0xff at offset 131 (line 8); "
        "page skipped, not read: No. 910 [undecodable]"]
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1] == (
        f"kg build: no document could be read from the sources; nothing published, {out} untouched")
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["output"]


def test_diagnostic_rendering_is_the_one_the_build_prints():
    """One line per diagnostic: file:line: document N: severity: message [code] (no document: file:line:)."""
    with_doc = Diagnostic("p.txt", 6, "905", "impossible-date", "no such day", "error")
    assert str(with_doc) == "p.txt:6: document 905: error: no such day [impossible-date]"
    assert str(Diagnostic("p.bin", 1, None, "undecodable", "binary")) == "p.bin:1:: error: binary [undecodable]"
