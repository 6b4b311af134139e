"""Reading the release's full-text index (``search.sqlite``, written by kg/publish/fulltext.py).

    index = FullText.open(output_dir / "search.sqlite")   # None when the build has no index
    page = index.search(words, filters, page=1)           # ranked hits, snippets, facet counts

Why a small pool of read-only connections: SQLite connections are not shared between threads, and
opening one per request costs more than the query; the pool holds a few, all opened at once, so
every request reads the same file (a new build swapped in later is seen after a restart, like the
store). ``mode=ro`` (and ``immutable``, the release never changes in place) means the server can
never write into the release, and SQLite takes no locks.

Why not one SQL statement: FTS5 scores every hit to rank them and the facets count every hit's values,
0.2-1.1 s for a word in most of 100k letters. The hits, their count, the best page and the facet
counts come from the posting lists and bitmaps the build stored (kg/web/ranking.py, exact: the same
letters, order and scores as FTS5's ``ORDER BY rank``); FTS5 itself is asked only for a rare word's
letters and for the page's snippets.

The user's words are only words: each is searched as one quoted FTS5 string (``match_expression``),
so no FTS5 operator the user typed is ever interpreted; queries are parameterized.
"""

from __future__ import annotations

import heapq
import html
import queue
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg.errors import KGError
from kg.publish.fulltext import AS_WRITTEN, COLUMNS, FACETS, FIELD_SHIFT, FORMAT, MARKS, TOKENIZER
from kg.publish.postings import Tokenizer
from kg.web import ranking

POOL = 4
SNIPPET_WORDS = 24
FACET_TOP = 12  # values shown per facet (the count of the rest is given)
SNIPPET_ORDER = (COLUMNS.index("text"), COLUMNS.index("notes"), COLUMNS.index("header"), COLUMNS.index("names"))


class IndexUnreadable(KGError):
    """The index file exists but is not one this server can read (another format, damaged)."""


@dataclass
class Party:
    iri: str
    name: str


@dataclass
class LetterHit:
    """One letter in the results: what the page and the JSON show."""

    iri: str
    number: str
    title: str
    date: str
    score: float
    senders: list[Party] = field(default_factory=list)
    recipients: list[Party] = field(default_factory=list)
    snippet_html: str = ""  # HTML-escaped text, hits in <mark>
    column: str = ""  # where the snippet comes from


@dataclass
class FacetValue:
    value: str  # IRI, or the year
    label: str
    count: int


@dataclass
class LetterPage:
    total: int
    hits: list[LetterHit]
    facets: dict[str, list[FacetValue]]
    more_values: dict[str, int]  # per facet: values not shown


def match_expression(words: list[list[str]]) -> str:
    """FTS5 MATCH text: every word required, any of its variants; each a quoted string."""
    return " AND ".join("(" + " OR ".join('"' + v.replace('"', '""') + '"' for v in variants) + ")"
                        for variants in words)


def snippet_html(raw: str) -> str:
    """FTS5's snippet with our private-use marks -> HTML: everything escaped, hits in <mark>."""
    return html.escape(raw, quote=False).replace(MARKS[0], "<mark>").replace(MARKS[1], "</mark>")


class FullText:
    """A pool of read-only connections to one ``search.sqlite``."""

    def __init__(self, path: Path, size: int = POOL):
        self.path = path
        self.pool: queue.LifoQueue[tuple[sqlite3.Connection, Tokenizer]] = queue.LifoQueue()
        uri = f"file:{quote(str(path.absolute()))}?mode=ro&immutable=1"
        for _ in range(size):
            db = sqlite3.connect(uri, uri=True, check_same_thread=False)
            self.pool.put((db, Tokenizer(TOKENIZER)))
        try:
            with self.connection() as (db, _):
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                if meta.get("format") == FORMAT:
                    self.facet_bits = {value: int.from_bytes(bits, "little")
                                       for value, bits in db.execute("SELECT value, bits FROM facet_bits")}
        except sqlite3.DatabaseError as err:
            self.close()
            raise IndexUnreadable(f"{path}: not a full-text index this server can read ({err})") from err
        if meta.get("format") != FORMAT:
            self.close()
            raise IndexUnreadable(f"{path}: index format {meta.get('format')!r}, this server reads {FORMAT!r}; "
                              "rebuild with this version's `kg build`")
        self.letters = int(meta.get("letters", "0"))

    @classmethod
    def open(cls, path: Path) -> FullText | None:
        return cls(path) if path.is_file() else None

    @contextmanager
    def connection(self) -> Iterator[tuple[sqlite3.Connection, Tokenizer]]:
        """A connection to the index and a tokenizer (each for one thread at a time)."""
        pair = self.pool.get(timeout=30)
        try:
            yield pair
        finally:
            self.pool.put(pair)

    def close(self) -> None:
        while not self.pool.empty():
            db, tokenizer = self.pool.get_nowait()
            db.close()
            tokenizer.close()

    def search(self, words: list[list[str]], filters: list[tuple[str, str]], page: int, page_size: int
               ) -> LetterPage:
        """Letters with every word of ``words`` (any of its variants) within ``filters`` ((field, value)
        pairs, all must hold), ranked by BM25; page ``page`` of them, with facet counts over all of them."""
        with self.connection() as (db, tokenizer):
            wanted = self._filter_ids(db, filters)
            if wanted is None or not words:  # a filter value no letter has
                return LetterPage(0, [], {name: [] for name in FACETS}, {name: 0 for name in FACETS})
            allowed = None
            for value in wanted:
                allowed = self.facet_bits[value] if allowed is None else allowed & self.facet_bits[value]
            phrases: list[ranking.Posting] = []
            groups: list[list[int]] = []
            for variants in words:
                groups.append(list(range(len(phrases), len(phrases) + len(variants))))
                phrases += [ranking.posting(db, tokenizer, v, self.letters) for v in variants]
            found = ranking.hit_bits(phrases, groups, allowed)
            best = ranking.top(phrases, groups, found, self.letters, page * page_size)[(page - 1) * page_size:]
            hits = self._hits(db, match_expression(words), [(letter, score) for score, letter in best])
            facets, more = self._facets(db, [((found & bits).bit_count(), value)
                                             for value, bits in self.facet_bits.items()])
        return LetterPage(found.bit_count(), hits, facets, more)

    @staticmethod
    def _filter_ids(db: sqlite3.Connection, filters: list[tuple[str, str]]) -> list[int] | None:
        ids = []
        for name, value in filters:
            row = db.execute("SELECT id FROM facet_value WHERE field = ? AND value = ?", (name, value)).fetchone()
            if row is None:
                return None
            ids.append(row[0])
        return ids

    def _hits(self, db: sqlite3.Connection, match: str, ranked: list[tuple[int, float]]) -> list[LetterHit]:
        if not ranked:
            return []
        ids = [r[0] for r in ranked]
        marks = ", ".join("?" * len(ids))
        rows = {r[0]: r for r in db.execute(f"SELECT id, iri, number, title, date FROM letter WHERE id IN ({marks})",
                                            ids)}
        hits = {i: LetterHit(rows[i][1], rows[i][2] or "", rows[i][3] or "", rows[i][4] or "", -score)
                for i, score in ranked}
        for letter, name, value, label in db.execute(
                "SELECT facet.letter, v.field, v.value, v.label FROM facet JOIN facet_value v ON v.id = facet.value "
                f"WHERE facet.letter IN ({marks}) AND v.field IN ('sender', 'recipient') "
                "ORDER BY 1, 2, facet.position, 4", ids):
            party = Party("" if value.startswith(AS_WRITTEN) else value, label)
            (hits[letter].senders if name == "sender" else hits[letter].recipients).append(party)
        snippets = ", ".join(f"snippet(letter_text, {c}, ?, ?, '…', {SNIPPET_WORDS})" for c in SNIPPET_ORDER)
        for row in db.execute(f"SELECT rowid, {snippets} FROM letter_text WHERE letter_text MATCH ? "
                              f"AND rowid IN ({marks})", [*MARKS * len(SNIPPET_ORDER), match, *ids]):
            found = [(COLUMNS[c], s) for c, s in zip(SNIPPET_ORDER, row[1:], strict=True) if s and MARKS[0] in s]
            if found:
                hits[row[0]].column, hits[row[0]].snippet_html = found[0][0], snippet_html(found[0][1])
        return [hits[i] for i in ids]

    def _facets(self, db: sqlite3.Connection, counts: list[tuple[int, int]]
                ) -> tuple[dict[str, list[FacetValue]], dict[str, int]]:
        """Per facet, its FACET_TOP most frequent values among the hits, from (count, value id) pairs
        (a count per value id, 0 for a value no hit has; the field is in the id's high bits)."""
        by_field: dict[str, list[tuple[int, int]]] = {name: [] for name in FACETS}
        for n, value in counts:
            if not n:
                continue
            by_field[FACETS[(value >> FIELD_SHIFT) - 1]].append((n, value))
        top = {name: heapq.nsmallest(FACET_TOP, values, key=lambda nv: (-nv[0], nv[1]))
               for name, values in by_field.items()}
        chosen = [v for values in top.values() for _, v in values]
        labels = {row[0]: row[1:] for row in db.execute(
            f"SELECT id, value, label FROM facet_value WHERE id IN ({', '.join('?' * len(chosen))})", chosen)}
        facets = {name: [FacetValue(*labels[v], n) for n, v in values] for name, values in top.items()}
        facets["year"].sort(key=lambda fv: fv.value)
        return facets, {name: len(by_field[name]) - len(top[name]) for name in FACETS}
