"""The stored posting lists answer exactly what FTS5 answers: the same letters, in the same BM25 order
with the same scores (equal doubles), the same count and the same facet counts, on the seed build's
index, whether a word's list was stored by the build or asked of FTS5, and whether the best letters
come from the threshold walk or from scoring every hit."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.publish.fulltext import FACETS, FILENAME, RANK_FUNCTION, TOKENIZER
from kg.publish.postings import POSTINGS, Tokenizer, surface, write_postings
from kg.web import ranking
from kg.web.fulltext import FullText, match_expression
from kg.web.search import word_variants
from tests.test_fulltext import seed_build

QUERIES = ("the", "stalin", "Сталин", "central committee", "committees", "the of and", "OR AND NOT", "gasoline",
           "Koba", "trotsky stalin", "zzyzx", "the zzyzx", "a_b", "1923")


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The seed build's index as built (no word in 500 letters: every list asked of FTS5), and a copy
    whose every token's list is stored."""
    built = seed_build(tmp_path_factory.mktemp("ranking") / "output") / FILENAME
    stored = built.with_name("stored.sqlite")
    shutil.copy(built, stored)
    db = sqlite3.connect(stored)
    tables = [line.split("(")[0].split()[-1] for line in POSTINGS.split(";") if line.strip()]
    for table in tables:
        db.execute(f"DROP TABLE {table}")
    letters = db.execute("SELECT count(*) FROM letter").fetchone()[0]
    assert write_postings(db, letters, TOKENIZER, RANK_FUNCTION, min_df=1) > 100
    db.commit()
    db.close()
    yield {"built": built, "stored": stored}


def fts5_answer(db: sqlite3.Connection, words: list[list[str]]
                ) -> tuple[list[tuple[str, float]], dict[tuple[str, str], int]]:
    """What FTS5 itself says: every hit (IRI, rank) in rank order, and each facet value's count among the hits."""
    match = match_expression(words)
    ranked = db.execute("SELECT l.iri, t.rank FROM letter_text t JOIN letter l ON l.id = t.rowid "
                        "WHERE letter_text MATCH ? ORDER BY t.rank, t.rowid", (match,)).fetchall()
    counts = Counter(db.execute("SELECT v.field, v.value FROM letter_text t JOIN facet f ON f.letter = t.rowid "
                                "JOIN facet_value v ON v.id = f.value WHERE letter_text MATCH ?", (match,)))
    return ranked, dict(counts)


@pytest.mark.parametrize("direct", [ranking.DIRECT, 0])
@pytest.mark.parametrize("which", ["built", "stored"])
def test_every_page_is_fts5s_order_and_every_count_is_fts5s(indexes: dict[str, Path], which: str, direct: int,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "DIRECT", direct)  # 0: always the threshold walk
    index = FullText(indexes[which])
    try:
        with index.connection() as (db, _):
            for q in QUERIES:
                words = word_variants(q)
                ranked, counts = fts5_answer(db, words)
                for page in (1, 2, 3, 4, 5):
                    found = index.search(words, [], page, 3)
                    assert found.total == len(ranked), q
                    assert [(h.iri, -h.score) for h in found.hits] == ranked[(page - 1) * 3:page * 3], (q, page)
                shown = {(name, v.value): v.count for name in FACETS for v in found.facets[name]}
                assert shown.items() <= counts.items(), q
                for name in FACETS:
                    rest = [n for (f, v), n in counts.items() if f == name and (f, v) not in shown]
                    assert len(rest) == found.more_values[name], (q, name)
                    assert min([v.count for v in found.facets[name]], default=0) >= max(rest, default=0)
    finally:
        index.close()


def test_a_year_filter_is_fts5s_filter(indexes: dict[str, Path]) -> None:
    index = FullText(indexes["stored"])
    try:
        with index.connection() as (db, _):
            for q in ("stalin", "the", "central committee"):
                words = word_variants(q)
                expected = db.execute("SELECT l.iri, t.rank FROM letter_text t JOIN letter l ON l.id = t.rowid "
                                      "WHERE letter_text MATCH ? AND l.date LIKE '1923%' ORDER BY t.rank, t.rowid",
                                      (match_expression(words),)).fetchall()
                found = index.search(words, [("year", "1923")], 1, 50)
                assert found.total == len(expected) > 0 and [(h.iri, -h.score) for h in found.hits] == expected
                assert index.search(words, [("year", "1912")], 1, 50).total == 0
    finally:
        index.close()


def test_the_hits_carry_snippets_with_the_word_marked(indexes: dict[str, Path]) -> None:
    index = FullText(indexes["stored"])
    try:
        found = index.search(word_variants("gasoline"), [], 1, 20)
        assert [h.number for h in found.hits] == ["167"] and "<mark>gasoline</mark>" in found.hits[0].snippet_html
    finally:
        index.close()


def test_a_stem_that_stems_again_is_stored_under_a_word_that_reads_as_it() -> None:
    """Porter reads "committee" as ``committe`` and "committe" as ``committ``: the build asks FTS5 for
    "committee" to fill the list of ``committe``."""
    tokenizer = Tokenizer(TOKENIZER)
    try:
        assert tokenizer.tokens("committee") == ["committe"] and tokenizer.tokens("committe") == ["committ"]
        assert surface(tokenizer, "committe") == "committee"
        assert tokenizer.tokens("Сталин") == ["сталин"]
    finally:
        tokenizer.close()


def test_pairs_of_the_texts_own_words_are_ranked_as_fts5_ranks_them(indexes: dict[str, Path],
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond the fixed list: consecutive pairs of the first distinct words of every letter's text (common
    and rare words side by side, the case the threshold walk must stop correctly on)."""
    monkeypatch.setattr(ranking, "DIRECT", 0)
    index = FullText(indexes["stored"])
    try:
        with index.connection() as (db, _):
            words: list[str] = []
            for (text,) in db.execute("SELECT text FROM letter_text ORDER BY rowid"):
                words += [w for w in dict.fromkeys(text.lower().split()) if w.isalpha()][:12]
            queries = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
            assert len(queries) > 100
            for q in queries:
                ranked, _ = fts5_answer(db, word_variants(q))
                found = index.search(word_variants(q), [], 1, 5)
                assert (found.total, [(h.iri, -h.score) for h in found.hits]) == (len(ranked), ranked[:5]), q
    finally:
        index.close()
