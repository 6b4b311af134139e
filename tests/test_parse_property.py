"""Mutated seed pages (lines dropped, duplicated, shuffled, characters garbled) never make the parser raise.

Whatever the damage, the parser returns documents and diagnostics whose locations point into the page.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.devtools.mutate import mutate_lines
from kg.model import Page
from kg.sources.parse import parse_pages

ROOT = Path(__file__).resolve().parent.parent
SEED_LINES = (ROOT / "data" / "corpus" / "bolshevik-correspondence-1923-nos-167-177.txt").read_text(
    encoding="utf-8").split("\n")
GARBLE = st.sampled_from(list("0123456789.,;:-—/[]()IVXІ \u00a0\"“”No F.Op.D.L.") + ["No. ", "\n", "Notes:", "1 ."])


@st.composite
def mutated_page(draw) -> str:
    """A window of the seed page with lines dropped, duplicated, moved and characters replaced."""
    start = draw(st.integers(0, len(SEED_LINES) - 1))
    length = draw(st.integers(1, 160))
    lines = SEED_LINES[start:start + length]
    for _ in range(draw(st.integers(0, 12))):
        if not lines:
            break
        op = draw(st.sampled_from(["drop", "dup", "move", "garble", "cut"]))
        if op != "garble":
            mutate_lines(draw, lines, op)
            continue
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        pos = draw(st.integers(0, len(line)))
        lines[i] = line[:pos] + draw(GARBLE) + line[pos + 1:]
    return "\n".join(lines)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_page())
def test_mutated_pages_never_raise(text):
    n_lines = text.count("\n") + 1
    result = parse_pages([Page(path="mutated.txt", text=text)])
    for doc in result.documents:
        assert doc.key and doc.pages == ["mutated.txt"]
        assert 1 <= doc.source.first_line <= doc.source.last_line <= n_lines
        for marker in doc.markers:
            assert 0 <= marker.offset <= len(doc.body)
        assert [n.number for n in doc.notes] == sorted({n.number for n in doc.notes})
    for diag in result.diagnostics:
        assert diag.file == "mutated.txt" and 0 <= diag.line <= n_lines and diag.code
    assert len({d.key for d in result.documents}) == len(result.documents)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_arbitrary_text_never_raises(text):
    result = parse_pages([Page(path="noise.txt", text="No. 1\n" + text)])
    if result.documents:
        assert result.documents[0].number == "1"  # the number line opens the first document
    else:  # nothing readable after it
        assert [(d.code, d.document) for d in result.diagnostics][:1] == [("empty-document", "1")]
    keys = {doc.key for doc in result.documents}
    assert all(d.document in keys for d in result.diagnostics if d.document and d.code != "empty-document")


LAYOUT_PAGES = [(ROOT / "tests" / "data" / "formats" / name).read_text(encoding="utf-8").split("\n")
                for name in ("other-rendering-exchange.txt", "other-rendering-letter.txt", "headerless-telegram.txt",
                             "dative-header.txt", "other-rendering-numbered.txt")]


@st.composite
def mutated_layout_pages(draw) -> list[str]:
    """The issue-15 fixture pages (other rendering, exchange, headerless telegram, dative header), damaged."""
    pages = []
    for source in LAYOUT_PAGES:
        lines = list(source)
        for _ in range(draw(st.integers(0, 6))):
            if not lines:
                break
            mutate_lines(draw, lines, draw(st.sampled_from(["drop", "dup", "move", "shuffle", "cut", "truncate"])))
        pages.append("\n".join(lines))
    return pages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_layout_pages())
def test_mutated_layout_pages_never_raise(texts):
    """Reading, matching and merging the other rendering's pages survives lost, repeated and moved lines."""
    pages = [Page(path=f"p{i}.txt", text=t) for i, t in enumerate(texts)]
    result = parse_pages(pages)
    by_path = {p.path: p.text.split("\n") for p in pages}
    for doc in result.documents:
        for part in doc.parts:  # a merged record may take its parts from another copy: they name their page
            lines = by_path[part.span.file]
            assert part.writer is not None and part.span.file in doc.pages
            assert part.signature.rstrip(".") in lines[part.span.last_line - 1]
        assert all(p.read_from in {"header", "dative-reading", "address-line", "signature", "title", "salutation"}
                   for p in doc.senders + doc.recipients)
    assert len({d.key for d in result.documents}) == len(result.documents)
