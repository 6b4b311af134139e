"""One very long letter: read and resolved correctly, and in work linear in its length (issue 13, item 16).

The build was quadratic in the length of one letter (kg.resolve.names._without_overlaps compared each
name with every name kept; kg.resolve.text.body_line counted the paragraph breaks before each name).
Speed itself is measured by bench/letter_size_bench.py; here: the new code gives exactly the answers of
the old definitions (on random input), a 1 MB letter's names are found at both ends on their page
lines, and the Python-level work of resolving a letter grows like its length (counted calls, not time).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.letter_size_bench import FIRST, LAST, letter_page
from kg.config import Settings
from kg.model import Document, Marker, SourceSpan
from kg.resolve.authority import load_authorities
from kg.resolve.corpus import resolve_document
from kg.resolve.names import Found, NameFinder, _without_overlaps, _without_overlaps_pairwise
from kg.resolve.text import BodyLines, doc_line
from kg.sources.parse import parse_sources


@pytest.fixture(scope="module")
def auth():  # noqa: ANN201
    return load_authorities(Settings().data_dir)


# -- the same answers as the definitions ------------------------------------------------------------


spans = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12), st.sampled_from(sorted(Found.PRIORITY))),
                 max_size=40)


@settings(max_examples=300, deadline=None)
@given(spans)
def test_overlaps_are_settled_as_by_the_pairwise_definition(raw: list[tuple[int, int, str]]) -> None:
    found = [Found(start, start + length, "x" * length, how) for start, length, how in raw]
    ranked = sorted(found, key=lambda f: (Found.PRIORITY[f.how], -(f.end - f.start), f.start))
    assert _without_overlaps(list(found)) == _without_overlaps_pairwise(ranked)


def old_body_line(doc: Document, offset: int) -> int:
    """kg.resolve.text.body_line as it was (quadratic over a letter's names): the definition."""
    span = doc.fields.get("body")
    if span is None:
        return doc_line(doc)
    paragraph = doc.body.count("\n\n", 0, offset)
    for marker in sorted(doc.markers, key=lambda m: m.offset, reverse=True):
        if marker.offset <= offset and doc.body.count("\n\n", 0, marker.offset) == paragraph:
            return marker.line
    n_paragraphs = doc.body.count("\n\n") + 1
    gap = 2 if span.last_line - span.first_line + 1 >= 2 * n_paragraphs - 1 else 1
    return min(span.first_line + paragraph * gap, span.last_line)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n", max_size=80), st.lists(st.tuples(st.integers(0, 80), st.integers(1, 500)), max_size=6),
       st.integers(1, 50), st.integers(0, 60))
def test_body_lines_answer_as_the_definition(body: str, markers: list[tuple[int, int]], first: int,
                                             length: int) -> None:
    doc = Document(key="1", number="1", kind="letter", header="", body=body,
                   markers=[Marker(i, offset, "", line) for i, (offset, line) in enumerate(markers)])
    doc.fields["body"] = SourceSpan("page.txt", first, first + length)
    lines = BodyLines(doc)
    assert [lines.line(o) for o in range(len(body) + 2)] == [old_body_line(doc, o) for o in range(len(body) + 2)]


# -- a 1 MB letter ---------------------------------------------------------------------------------------


def one_letter(tmp_path: Path, size: int) -> Document:
    page = tmp_path / f"letter-{size}.txt"
    page.write_text(letter_page(size), encoding="utf-8")
    parsed = parse_sources([str(page)])
    assert len(parsed.documents) == 1
    return parsed.documents[0]


def page_line(tmp_path: Path, size: int, text: str) -> int:
    """The line of the page that reads ``text`` (counted from 1)."""
    return (tmp_path / f"letter-{size}.txt").read_text(encoding="utf-8").splitlines().index(text) + 1


def test_a_one_megabyte_letter_is_read_and_its_names_resolved_at_both_ends(tmp_path: Path, auth) -> None:  # noqa: ANN001
    doc = one_letter(tmp_path, 1_000_000)
    assert len(doc.body) > 990_000
    assert doc.body.startswith(f"Dear Sergo!\n\n{FIRST}\n\n") and doc.body.endswith(f"\n\n{LAST}\n\nYour Koba.")
    assert [p.name for p in doc.senders] == ["I. V. Stalin"] and doc.signatures == ["Your Koba."]
    res = resolve_document(doc, auth, NameFinder(auth))
    body = [u for u in res.usages if u.where == "body"]
    first = next(u for u in body if u.form == "Koba")
    last = body[-1]
    assert (first.entity, first.line) == ("stalin-i-v", page_line(tmp_path, 1_000_000, FIRST))
    assert (last.form, last.entity, last.line) == ("Dzerzhinsky", "dzerzhinsky-f-e",
                                                   page_line(tmp_path, 1_000_000, LAST))
    signed = [(u.form, u.entity) for u in res.usages if u.where == "signature"]
    assert signed == [("Your Koba", "stalin-i-v")]
    assert sum(u.form == "Vardzieli" and u.entity is None for u in body) > 100  # unknown names stay unresolved
    assert {"stalin-i-v", "trotsky-l-d", "dzerzhinsky-f-e", "kalinin-m-i"} <= set(res.mentions)


def python_calls(fn) -> int:  # noqa: ANN001
    """Python function calls (and generator resumptions) made while ``fn()`` runs: work, not time."""
    calls = 0

    def count(frame, event, arg) -> None:  # noqa: ANN001
        nonlocal calls
        if event == "call":
            calls += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def test_resolving_a_letter_does_work_linear_in_its_length(tmp_path: Path, auth) -> None:  # noqa: ANN001
    """Four times the text, about four times the calls (the old overlap check made 16 times as many)."""
    finder = NameFinder(auth)
    small, large = one_letter(tmp_path, 100_000), one_letter(tmp_path, 400_000)
    ratio = (python_calls(lambda: resolve_document(large, auth, finder))
             / python_calls(lambda: resolve_document(small, auth, finder)))
    assert 3.0 < ratio < 5.0, ratio


def test_the_bench_letter_builds_and_publishes_its_names(tmp_path: Path) -> None:
    """The bench's letter goes through the whole build (a small one: the build itself is the bench's)."""
    from kg.build.pipeline import build

    page = tmp_path / "pages" / "letter.txt"
    page.parent.mkdir()
    page.write_text(letter_page(50_000), encoding="utf-8")
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=tmp_path / "output"), [str(page.parent)], echo=lines.append,
                 quiet=True)
    assert code == 0, "\n".join(lines)
    assert lines[-1].startswith("kg build: 1 documents, ")
    trig = (tmp_path / "output" / "kg.trig").read_text(encoding="utf-8")
    assert "person/dzerzhinsky-f-e" in trig and '"Koba"' in trig
