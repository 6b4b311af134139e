"""Precomputed posting lists of the full-text index's common words, and the facets as bitmaps.

    write_postings(db, letters, tokenizer, rank)   # in write_index, once the FTS5 table is complete
    Tokenizer(spec).tokens(word) -> [token]        # a word as the index reads it (also used by the reader)

(The tokenizer and the rank function are kg/publish/fulltext.py's, given by its caller: this module
knows the tables it writes, not the columns or weights of the index.)

Why: FTS5 answers a word found in few letters in a few milliseconds, but for a word in most letters
(at 100k letters: "the", "commission", "central committee") it must score every hit with BM25 to find
the best 20 and the facets must count every hit's values: 0.2-1.1 s (bench/results/fulltext.md).
So the build does that work once per common word. For each token found in at least ``MIN_DF``
letters, ``term_posting`` keeps its letters in id order, each letter's BM25 score for that token alone
(computed by FTS5 itself, ``RANK``'s column weights), the same letters ordered by score (best first),
and the letters as a bitmap (bit ``i`` = letter id ``i``). ``facet_bits`` keeps one bitmap per facet
value. The reader (kg/web/ranking.py) then counts hits and facets with integer AND and popcount, and
finds the best page with a threshold algorithm over the score-ordered lists: exact, not sampled.

Why the single-token scores add up to FTS5's own: FTS5's ``bm25`` of a query of several phrases is
the sum, phrase by phrase, of ``idf(phrase) * f(weighted frequency of the phrase in the row, row
length)``; each term depends only on that phrase and the row, and the phrase's idf only on how many
rows contain it. So a letter's score for "central committee" is its score for "central" plus its
score for "committe"; added in the query's phrase order, the sum is the same double FTS5 computes.

A token's letters are fetched by querying a word that the tokenizer reads as that token; the token
itself may not be one (the Porter stem of "committee" is ``committe``, which is stemmed again to
``committ``), so ``surface`` tries the token and the token plus a common ending; a token with no such
word is not stored and the reader asks FTS5 for it (exact, as before, only slower).

The cost: 16 bytes per (common token, letter) pair and a bitmap per token: at 100k generated letters
12.9 million pairs of 675 tokens, search.sqlite 361 -> 552 MiB, and about 100 s of build on a loaded
2-core machine for FTS5 to score each common token once (bench/results/fulltext.md).
"""

from __future__ import annotations

import sqlite3
import sys
from array import array
from dataclasses import dataclass

MIN_DF = 500  # a token in fewer letters is answered by FTS5 directly (a few ms at most)
ENDINGS = ("", "e", "s", "es", "ed", "ing", "ion", "y", "al", "ate", "ous", "er", "ment", "ly")
POSTINGS = """
CREATE TABLE term_posting(term TEXT PRIMARY KEY, df INTEGER NOT NULL, docs BLOB NOT NULL, scores BLOB NOT NULL,
                          best BLOB NOT NULL, bits BLOB NOT NULL);
CREATE TABLE facet_bits(value INTEGER PRIMARY KEY, bits BLOB NOT NULL);
"""


def little_endian(values: array) -> bytes:
    """The array's bytes, little-endian whatever the machine (the file's bytes depend only on the input)."""
    if sys.byteorder == "big":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def from_little_endian(typecode: str, blob: bytes) -> array:
    values = array(typecode)
    values.frombytes(blob)
    if sys.byteorder == "big":
        values.byteswap()
    return values


def bitmap(ids: array | list[int], letters: int) -> bytes:
    """Bit ``i`` set for each id ``i`` (ids 1..letters), little-endian bytes of one integer."""
    flags = bytearray(letters + 1)
    for i in ids:
        flags[i] = 1
    return int(flags.translate(_DIGITS)[::-1], 2).to_bytes(letters // 8 + 1, "little")


_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


class Tokenizer:
    """An FTS5 tokenizer (``spec``: the index's) on a private in-memory table: the tokens of a word."""

    def __init__(self, spec: str) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.executescript(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{spec}');"
                              "CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance');")

    def tokens(self, text: str) -> list[str]:
        self.db.execute("INSERT INTO t(rowid, x) VALUES (1, ?)", (text,))
        try:
            return [row[0] for row in self.db.execute("SELECT term FROM v ORDER BY offset")]
        finally:
            self.db.execute("DELETE FROM t")

    def close(self) -> None:
        self.db.close()


def surface(tokenizer: Tokenizer, term: str) -> str | None:
    """A word the tokenizer reads as exactly ``term`` (None when no ending of ENDINGS gives one)."""
    return next((term + e for e in ENDINGS if tokenizer.tokens(term + e) == [term]), None)


def best_first(docs: array | list[int], scores: array | list[float]) -> list[int]:
    """Indexes of ``docs`` by score, best (lowest: FTS5's rank is the negated BM25) first, ties by id."""
    return [i for _, _, i in sorted(zip(scores, docs, range(len(docs)), strict=True))]


@dataclass
class TermPosting:
    term: str
    docs: array  # letter ids, ascending ('i')
    scores: array  # FTS5's score of each letter for this token alone ('d', aligned with docs)


def single_scores(db: sqlite3.Connection, phrase: str, rank: str) -> TermPosting:
    """Every letter with ``phrase`` and its score (``rank``: an FTS5 function call) for it alone; the
    phrase is searched as one quoted FTS5 string (the reader asks this for what the build did not store)."""
    docs, scores = array("i"), array("d")
    for rowid, score in db.execute(f"SELECT rowid, {rank} FROM letter_text WHERE letter_text MATCH ? "
                                   "ORDER BY rowid", ('"' + phrase.replace('"', '""') + '"',)):
        docs.append(rowid)
        scores.append(score)
    return TermPosting(phrase, docs, scores)


def write_postings(db: sqlite3.Connection, letters: int, spec: str, rank: str, min_df: int = MIN_DF) -> int:
    """Fill ``term_posting`` (tokens in ``min_df`` letters or more) and ``facet_bits``; the number stored.
    ``spec`` is the index's tokenizer, ``rank`` its BM25 call."""
    db.executescript(POSTINGS + "CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, letter_text, 'row');")
    tokenizer = Tokenizer(spec)
    stored = 0
    try:
        common = db.execute("SELECT term FROM temp.vocab WHERE doc >= ? ORDER BY term", (min_df,)).fetchall()
        for (term,) in common:
            word = surface(tokenizer, term)
            if word is None:
                continue
            posting = single_scores(db, word, rank)
            best = array("i", best_first(posting.docs, posting.scores))
            db.execute("INSERT INTO term_posting VALUES (?, ?, ?, ?, ?, ?)",
                       (term, len(posting.docs), little_endian(posting.docs), little_endian(posting.scores),
                        little_endian(best), bitmap(posting.docs, letters)))
            stored += 1
    finally:
        tokenizer.close()
        db.execute("DROP TABLE temp.vocab")
    by_value: dict[int, array] = {}
    for letter, value in db.execute("SELECT letter, value FROM facet ORDER BY value, letter"):
        by_value.setdefault(value, array("i")).append(letter)
    db.executemany("INSERT INTO facet_bits VALUES (?, ?)",
                   [(value, bitmap(ids, letters)) for value, ids in by_value.items()])
    return stored
