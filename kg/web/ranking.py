"""Hits, BM25 order and facet counts of a search, from the posting lists the build stored (kg/publish/postings.py).

    phrases = [posting(db, tokenizer, word) for word in ...]   # stored, or asked of FTS5 when rare
    hits = Hits.of(phrases, words, allowed)                     # bitmap of the letters found, and how many
    best = top(phrases, hits, k)                                # [(score, letter id)], best first

Why: the same answers as FTS5's ``ORDER BY rank`` and a count of every hit's facet values, without
scoring or visiting every hit. A hit set is one integer (bit ``i`` = letter ``i``): a word's letters
are the OR of its variants' bitmaps, the query's the AND of its words', a facet filter one more AND;
the count is a popcount, each facet value's count the popcount of an AND with its bitmap.

The order: a letter's score is the sum, in the query's phrase order, of its single-phrase scores
(FTS5 adds them the same way, so the doubles are equal). The best ``k`` come from Fagin's threshold
algorithm: walk each phrase's letters best first, score every letter met in full (random access by
bisection), and stop once the ``k``-th best is better than the sum of the scores at the walking
positions, which no letter not yet met can beat. When the hits are few, they are scored directly.
"""

from __future__ import annotations

import heapq
import sqlite3
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from kg.publish.fulltext import RANK_FUNCTION
from kg.publish.postings import Tokenizer, best_first, bitmap, from_little_endian, single_scores

DIRECT = 2000  # hits scored one by one rather than by the threshold walk when no more than this


@dataclass
class Posting:
    """One phrase of the query: its letters (ascending), their scores, the letters best first, a bitmap."""

    docs: Sequence[int]  # arrays as read from the index (not lists: a list of 100k numbers costs ms to make)
    scores: Sequence[float]
    best: Sequence[int]  # indexes into docs, best score first (ties: lower id first)
    bits: int

    def score(self, letter: int) -> float | None:
        i = bisect_left(self.docs, letter)
        return self.scores[i] if i < len(self.docs) and self.docs[i] == letter else None


def posting(db: sqlite3.Connection, tokenizer: Tokenizer, phrase: str, letters: int) -> Posting:
    """The stored list of a one-token phrase; else FTS5's answer for the phrase alone (a rare word)."""
    tokens = tokenizer.tokens(phrase)
    if len(tokens) == 1:
        row = db.execute("SELECT docs, scores, best, bits FROM term_posting WHERE term = ?", tokens).fetchone()
        if row is not None:
            return Posting(from_little_endian("i", row[0]), from_little_endian("d", row[1]),
                           from_little_endian("i", row[2]), int.from_bytes(row[3], "little"))
    found = single_scores(db, phrase, RANK_FUNCTION)
    return Posting(found.docs, found.scores, best_first(found.docs, found.scores),
                   int.from_bytes(bitmap(found.docs, letters), "little"))


def hit_bits(phrases: list[Posting], words: list[list[int]], allowed: int | None) -> int:
    """Letters with every word (any of its variants: ``words`` holds indexes into ``phrases``), within ``allowed``."""
    found = -1 if allowed is None else allowed
    for variants in words:
        either = 0
        for i in variants:
            either |= phrases[i].bits
        found &= either
    return found


def total_score(phrases: list[Posting], letter: int) -> float:
    """The letter's score: its single-phrase scores added in phrase order (as FTS5 adds them)."""
    total = 0.0
    for p in phrases:
        s = p.score(letter)
        if s is not None:
            total += s
    return total


def top(phrases: list[Posting], words: list[list[int]], found: int, letters: int, k: int) -> list[tuple[float, int]]:
    """The ``k`` best (score, letter id) of the letters of bitmap ``found``, best first (ties: lower id)."""
    count = found.bit_count()
    if count == 0 or k <= 0:
        return []
    member = found.to_bytes(letters // 8 + 1, "little")

    def hit(d: int) -> bool:
        return bool(member[d >> 3] >> (d & 7) & 1)

    if count <= DIRECT:  # every hit is among the letters of any one word: take the word with fewest
        fewest = min(words, key=lambda variants: sum(len(phrases[i].docs) for i in variants))
        pool = {d for i in fewest for d in phrases[i].docs}
        return heapq.nsmallest(k, [(total_score(phrases, d), d) for d in pool if hit(d)])
    heap: list[tuple[float, int]] = []  # the k best so far as (-score, -id): heap[0] is the worst of them
    seen: set[int] = set()
    met = depth = 0
    longest = max(len(p.docs) for p in phrases)
    while depth < longest and met < count:
        for p in phrases:
            if depth >= len(p.best):
                continue
            d = p.docs[p.best[depth]]
            if d in seen:
                continue
            seen.add(d)
            if not hit(d):
                continue
            met += 1
            entry = (-total_score(phrases, d), -d)
            if len(heap) < k:
                heapq.heappush(heap, entry)
            elif entry > heap[0]:
                heapq.heapreplace(heap, entry)
        depth += 1
        if len(heap) == k:  # no letter not met yet scores below the sum of the scores where the walk is
            bound = 0.0
            for p in phrases:
                if depth < len(p.best):
                    bound += p.scores[p.best[depth]]
            if -heap[0][0] < bound:
                break
    return sorted((-s, -d) for s, d in heap)
