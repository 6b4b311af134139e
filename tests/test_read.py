"""Reading pages: files, directories, globs; text and HTML; UTF-8 with BOM; undecodable and missing input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import SourceError
from kg.sources.read import html_to_text, read_pages

FORMATS = Path(__file__).resolve().parent / "data" / "formats"


def test_directory_reads_text_and_html_sorted(tmp_path):
    (tmp_path / "b.txt").write_text("No. 2\n", encoding="utf-8")
    (tmp_path / "a.html").write_text("<p>No. 1</p>", encoding="utf-8")
    (tmp_path / "skip.json").write_text("{}", encoding="utf-8")
    pages, diags = read_pages([str(tmp_path)])
    assert [(Path(p.path).name, p.media_type, p.text) for p in pages] == [
        ("a.html", "text/html", "No. 1\n"), ("b.txt", "text/plain", "No. 2\n")]
    assert diags == []


def test_glob_and_duplicates_read_once(tmp_path):
    for name in ("x1.txt", "x2.txt", "y.txt"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    pages, _ = read_pages([str(tmp_path / "x*.txt"), str(tmp_path / "x1.txt")])
    assert [Path(p.path).name for p in pages] == ["x1.txt", "x2.txt"]


def test_bom_and_no_break_spaces_kept(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"\xef\xbb\xbfNo.\xc2\xa0167\r\n")
    (page,), _ = read_pages([str(path)])
    assert page.text == "No.\u00a0167\n"


def test_undecodable_page_is_a_diagnostic_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"No. 1\nA. B. Ivanov - C. D. Petrov\nMarch 5, 1921\ncaf\xe9\n")
    good = tmp_path / "good.txt"
    good.write_text("No. 2\n", encoding="utf-8")
    pages, diags = read_pages([str(bad), str(good)])
    assert [Path(p.path).name for p in pages] == ["good.txt"]
    (diag,) = diags
    assert (diag.file, diag.line, diag.code) == (str(bad), 4, "undecodable")
    assert "0xe9" in diag.message and "offset" in diag.message


@pytest.mark.parametrize("source", ["does-not-exist.txt", "nothing-matches-*.html"])
def test_missing_path_is_a_source_error(tmp_path, source):
    with pytest.raises(SourceError) as err:
        read_pages([str(tmp_path / source)])
    assert str(tmp_path / source) in str(err.value)


def test_html_to_text_keeps_paragraphs_drops_scripts_decodes_entities():
    text, title = html_to_text(
        "<html><head><title>T &amp; U</title><style>p{}</style></head><body><h1>Head</h1>"
        "<p>One&nbsp;two &laquo;three&raquo;</p><script>alert('x')</script><div>Four<br>Five</div></body></html>")
    assert title == "T & U"
    assert text == "Head\n\nOne\u00a0two «three»\n\nFour\nFive\n"


def test_fixture_html_page_is_read_as_html():
    (page,), _ = read_pages([str(FORMATS / "letter-301.html")])
    assert page.media_type == "text/html" and page.title == "To Budyonny from Voroshilov"
    assert "No.\u00a0301" in page.text and "document.write" not in page.text
    assert "K. E. Voroshilov — S. M. Budyonny" in page.text.split("\n\n")
