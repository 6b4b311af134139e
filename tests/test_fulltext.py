"""The full-text index as `kg build` publishes it: one row per letter of the dumps, its facets read from
the published triples, listed in SHA256SUMS, the same bytes when the same corpus is rebuilt."""

from __future__ import annotations

import gzip
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.build.pipeline import build
from kg.config import Settings
from kg.publish.fulltext import AS_WRITTEN, FIELD_SHIFT, FILENAME, MARKS
from kg.web.fulltext import snippet_html

S = "http://schema.org/"


def seed_build(out: Path, **changes: object) -> Path:
    lines: list[str] = []
    assert build(replace(Settings(), output_dir=out, **changes), None, echo=lines.append) == 0, "\n".join(lines)
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_build(tmp_path_factory.mktemp("fulltext") / "output")


@pytest.fixture(scope="module")
def dataset(built: Path) -> Graph:
    """Every published triple (the union of the named graphs, from kg.nt.gz)."""
    return Graph().parse(data=gzip.decompress((built / "kg.nt.gz").read_bytes()).decode(), format="nt")


@pytest.fixture(scope="module")
def db(built: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{built / FILENAME}?mode=ro", uri=True)
    yield connection
    connection.close()


def letters_of(ds: Graph) -> dict[str, str]:
    """Letter IRI -> its number, for every letter the dumps describe (schema:Message with a text)."""
    return {str(s): str(ds.value(s, URIRef(S + "identifier")))
            for s in set(ds.subjects(RDF.type, URIRef(S + "Message"))) if ds.value(s, URIRef(S + "text"))}


def test_one_row_per_published_letter(db: sqlite3.Connection, dataset: Graph) -> None:
    letters = letters_of(dataset)
    assert len(letters) == 11
    rows = dict(db.execute("SELECT iri, number FROM letter").fetchall())
    assert rows == letters
    assert db.execute("SELECT count(*) FROM letter_text").fetchone()[0] == 11
    assert dict(db.execute("SELECT key, value FROM meta"))["letters"] == "11"


def test_the_text_column_is_the_published_text(db: sqlite3.Connection, dataset: Graph) -> None:
    for iri, text in db.execute("SELECT l.iri, t.text FROM letter l JOIN letter_text t ON t.rowid = l.id"):
        assert text == str(dataset.value(URIRef(iri), URIRef(S + "text")))


def test_facets_are_the_published_parties_and_years(db: sqlite3.Connection, dataset: Graph) -> None:
    for letter_id, iri in db.execute("SELECT id, iri FROM letter"):
        rows = db.execute("SELECT v.field, v.value, v.id FROM facet f JOIN facet_value v ON v.id = f.value "
                          "WHERE f.letter = ?", (letter_id,)).fetchall()
        for field in ("sender", "recipient"):
            published = {str(o) for o in dataset.objects(URIRef(iri), URIRef(S + field))}
            indexed = {value for f, value, _ in rows if f == field}
            assert {v for v in indexed if not v.startswith(AS_WRITTEN)} == {p for p in published if "/letter/" not in p}
            assert len(indexed) == len(published), iri
        date = str(dataset.value(URIRef(iri), URIRef(S + "dateCreated")))
        assert [value for f, value, _ in rows if f == "year"] == [date[:4]]
        assert all((vid >> FIELD_SHIFT) >= 1 for _, _, vid in rows)


def test_the_fond_facet_is_the_fond_of_the_copy(db: sqlite3.Connection) -> None:
    """No. 167's copy is in RGASPI f. 85, op. 1/S, d. 13: the facet is the fond, not the file."""
    rows = db.execute("SELECT v.value, v.label FROM letter l JOIN facet f ON f.letter = l.id "
                      "JOIN facet_value v ON v.id = f.value WHERE l.number = '167' AND v.field = 'fond'").fetchall()
    assert rows == [("https://w3id.org/bolcorr/archive/rgaspi/f85", "RTsKhIDNI. F. 85")]


def test_a_word_is_found_and_ranked(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT l.number, snippet(letter_text, 2, '[', ']', '…', 8) FROM letter_text "
                      "JOIN letter l ON l.id = letter_text.rowid WHERE letter_text MATCH '\"dardanelles\"' "
                      "ORDER BY rank").fetchall()
    assert rows and rows[0][0] == "167" and "[Dardanelles]" in rows[0][1]


def test_the_index_is_listed_in_the_checksums(built: Path) -> None:
    sums = dict(reversed(line.split("  ", 1)) for line in (built / "SHA256SUMS").read_text().splitlines())
    assert sums[FILENAME] == hashlib.sha256((built / FILENAME).read_bytes()).hexdigest()
    assert not list(built.glob("*.partial"))


def test_rebuilding_gives_the_same_bytes(built: Path, tmp_path: Path) -> None:
    again = seed_build(tmp_path / "output")
    assert (again / FILENAME).read_bytes() == (built / FILENAME).read_bytes()


def test_a_snippet_is_escaped_except_its_marks() -> None:
    raw = f"a <b>&\"x\" {MARKS[0]}Koba{MARKS[1]} </mark>"
    assert snippet_html(raw) == 'a &lt;b&gt;&amp;"x" <mark>Koba</mark> &lt;/mark&gt;'
