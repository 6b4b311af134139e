"""An editor's note naming as answered a letter the page dates after the answer (tests/data/formats/
reply-note-dated-later.txt): No. 294 "[September 1916]", note 1 "Answer to document No. 298.", and No. 298 is
"[November 1916]" — an OCR'd number or a misprinted date; the page contradicts itself.

Linked as before, the shape "a letter cannot answer a later letter" failed and the whole build published
nothing for one note. Now the resolver does not link it (kg/resolve/replies.py): the reply is kept unresolved
with the reason, a warning names file, line, document, the note's words and both dates, and --strict makes it
fatal. The note itself is published as printed (its text and page line): what the page says stays
readable; only the claim the dates refute, bc:inReplyTo, is left out. No. 296's note names an earlier letter
and is linked, so the rule is no blanket refusal of notes.
"""

from __future__ import annotations

import gzip
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from kg.build.pipeline import build
from kg.config import ROOT, Settings
from kg.rdf.vocab import BC
from kg.resolve.authority import load_authorities
from kg.resolve.corpus import resolve_with
from kg.sources.parse import parse_sources

PAGE = ROOT / "tests" / "data" / "formats" / "reply-note-dated-later.txt"
LETTER = "https://w3id.org/bolcorr/letter/"
WARNING = (f"{PAGE}:19: document 294: warning: note 1 to No. 294 names No. 298 as answered "
           "('Answer to document No. 298.'), but No. 298 is dated [November 1916] (not before 1916-11-14), "
           "after this letter's [September 1916] (not after 1916-10-13); no reply link made [reply-dated-later]")


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], Graph]:
    """`kg build` of the page without --strict: (output dir, its lines, the published graph)."""
    out = tmp_path_factory.mktemp("reply-note-dated-later") / "output"
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=out), [str(PAGE)], echo=lines.append)
    assert code == 0, "\n".join(lines)
    return out, lines, Graph().parse(data=gzip.decompress((out / "kg.nt.gz").read_bytes()).decode(), format="nt")


def test_the_page_parses_cleanly() -> None:
    """No parser diagnostic: under --strict only the reply's contradiction can stop the build."""
    parsed = parse_sources([str(PAGE)])
    assert parsed.diagnostics == [] and [d.number for d in parsed.documents] == ["280", "294", "296", "298"]


def test_the_resolver_keeps_the_reply_unresolved_with_the_reason() -> None:
    corpus = resolve_with(parse_sources([str(PAGE)]), load_authorities(Settings().data_dir))
    refused = corpus.resolutions["294"]
    assert refused.reply is None and refused.unlinked_reply is not None
    assert (refused.unlinked_reply.document, refused.unlinked_reply.basis) == ("298", "editor-note")
    assert refused.unlinked_reply.attestation.quotation == "Answer to document No. 298."
    assert refused.unlinked_reply.explanation in WARNING
    assert corpus.resolutions["296"].reply is not None and corpus.resolutions["296"].reply.document == "280"
    assert [str(d) for d in corpus.diagnostics if d.code == "reply-dated-later"] == [WARNING]


def test_the_build_publishes_without_the_refuted_reply(built: tuple[Path, list[str], Graph]) -> None:
    _, lines, g = built
    assert list(g.objects(URIRef(LETTER + "294"), BC.inReplyTo)) == []
    assert not any(g.value(a, BC.attestedValue) == URIRef(LETTER + "298")
                   for a in g.objects(URIRef(LETTER + "294"), BC.attestation))
    assert list(g.objects(URIRef(LETTER + "296"), BC.inReplyTo)) == [URIRef(LETTER + "280")]
    note = URIRef(LETTER + "294/note/1")  # the note as printed stays, with its page line
    assert (URIRef(LETTER + "294"), BC.hasNote, note) in g
    assert g.value(note, URIRef("http://schema.org/text")) == Literal("Answer to document No. 298.", lang="en")
    assert g.value(note, BC.sourceLines) == Literal("reply-note-dated-later.txt#L19-L19")
    assert WARNING in lines
    assert any(line.startswith("reply-dated-later: 1 warning, e.g. ") for line in lines)
    assert lines[-1].startswith("kg build: 4 documents")


def test_strict_publishes_nothing_and_keeps_the_previous_output(built: tuple[Path, list[str], Graph]) -> None:
    out = built[0]
    before = _files(out)
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=out), [str(PAGE)], strict=True, echo=lines.append)
    assert code == 1
    assert WARNING in lines
    assert lines[-1] == (f"kg build: 1 reply note(s) contradicting the printed dates under --strict: "
                         f"nothing published, {out} untouched")
    assert _files(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["output"]  # no scratch directory left
