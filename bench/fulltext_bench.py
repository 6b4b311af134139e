"""The full-text index (search.sqlite) at scale: build time, size, query time.

    python bench/fulltext_bench.py                         # 10k (a generated corpus, the whole `kg build`)
    python bench/fulltext_bench.py --sizes 10000,100000 --write   # and 100k (minutes: nohup), kept in results/
    python bench/fulltext_bench.py --reuse DIR             # query an existing build's index only
    python bench/fulltext_bench.py --upgrade OLD OUT       # an earlier build's index + the posting lists

Each size is a real `kg build` (kg.build.pipeline.build) of a generated corpus (build/corpus-<N>k when
present, as bench/generate_corpus.py --seed 0 writes it; else generated into a temporary directory,
not timed), so the index is made exactly as a release makes it; the build's own stage timer gives the
index's share ("write: search index"). Then every query of WORDS runs through the server's reader
(kg.web.fulltext.FullText.search: count, BM25 top 20, snippets, six facet counts), unfiltered and with
a year filter, ROUNDS times each after one warm-up; p50/p95 over all runs. Two peers, in the same run
on the same file: the previous reader (one SQL statement that ranks every hit with FTS5 and groups
every hit's facets; interleaved with the reader, and its answers must be equal: count, letters,
scores, snippets, facet counts) and a substring scan (``LIKE '%word%'`` over the text column, count
only: what a search without an index costs). ``--upgrade BUILD OUT`` measures an index made by an
earlier build (format 1) after adding this version's posting lists to a copy of it. Prints a markdown
section; ``--write`` appends it to bench/results/fulltext.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

# Common words (in most generated letters: the worst case for ranking and facets), mid-frequency words,
# places, pseudonyms and surnames of the generator's vocabulary, a Cyrillic name (searched with its
# transliteration), and a word no letter has.
WORDS = ("the", "commission", "central committee", "fuel supply", "caucasus", "trade agreement", "orgburo",
         "moscow", "tiflis", "kazbek", "starik", "sharov", "speculators", "strike", "Сталин", "zzyzx")
ROUNDS = 5
RESULTS = ROOT / "bench" / "results" / "fulltext.md"


def corpus(size: int, tmp: Path, corpus_root: Path) -> list[str]:
    prepared = corpus_root / f"corpus-{size // 1000}k"
    if prepared.is_dir() and len(list(prepared.glob("*.txt"))) * 20 >= size:
        return [str(p) for p in sorted(prepared.glob("*.txt"))]
    from kg.devtools.generate import write_corpus

    return [str(p) for p in write_corpus(tmp / "pages", size)]


def build(size: int, out: Path, corpus_root: Path) -> dict[str, float]:
    from kg.build import pipeline
    from kg.config import Settings

    with tempfile.TemporaryDirectory(prefix="kg-fulltext-bench-") as tmp:
        sources = corpus(size, Path(tmp), corpus_root)
        settings = replace(Settings(), output_dir=out)
        times = pipeline.StageTimes()
        t = time.perf_counter()
        code = pipeline.build(settings, sources, echo=lambda _: None, times=times, quiet=True)
        total = time.perf_counter() - t
    if code != 0:
        raise SystemExit(f"kg build of {size} documents failed (exit {code})")
    return {"build": total, "index": times.parts.get("write: search index", 0.0)}


def index_only(size: int, out: Path, corpus_root: Path) -> dict[str, float]:
    """The index alone, without the RDF build: pages parsed by kg.sources, each document turned into the
    record the index reads (kg.publish.fulltext.LetterRecord: number, header, text, notes, parties and
    place as printed, fond, date) and indexed by the same ``write_index``. Names are not resolved here
    (no authority), so the names column holds the parties as printed; everything else is as in a build."""
    import json

    from kg.model import Document
    from kg.publish.fulltext import FILENAME, LetterRecord, write_index
    from kg.sources.parse import parse_sources

    def record(doc: Document) -> LetterRecord:
        iri = f"https://w3id.org/bolcorr/letter/{doc.key}"
        rec = LetterRecord(iri, number=doc.number or "", title=f"No. {doc.number}. {doc.header}".strip(),
                           kind=f"https://w3id.org/bolcorr/vocab/{doc.kind}", header=doc.header, text=doc.body,
                           notes=[n.text for n in doc.notes], name_forms=[p.name for p in doc.senders + doc.recipients])
        if doc.date is not None:
            rec.date, rec.sort_key = doc.date.earliest or doc.date.expressed, doc.date.earliest or "9999"
        for role, parties in (("senders", doc.senders), ("recipients", doc.recipients)):
            for i, party in enumerate(parties, start=1):
                node = f"{iri}/{role}/{i}"
                getattr(rec, role).append(node)
                rec.labels[node] = party.name
        if doc.place:
            rec.places, rec.labels[f"{iri}/place"] = [f"{iri}/place"], doc.place
        if doc.citation and doc.citation.fond:
            rec.units = [f"https://w3id.org/bolcorr/archive/{doc.citation.archive}/f{doc.citation.fond}"]
        return rec

    with tempfile.TemporaryDirectory(prefix="kg-fulltext-records-") as tmp:
        sources = corpus(size, Path(tmp), corpus_root)
        t = time.perf_counter()
        parsed = parse_sources(sources)
        parse_s = time.perf_counter() - t
        fragment = Path(tmp) / "records.jsonl"
        with fragment.open("w", encoding="utf-8") as fh:
            for doc in parsed.documents:
                fh.write(json.dumps(vars(record(doc)), ensure_ascii=False) + "\n")
        del parsed
        out.mkdir(parents=True, exist_ok=True)
        t = time.perf_counter()
        write_index(out / FILENAME, [fragment], [])
        return {"build": parse_s + time.perf_counter() - t, "index": time.perf_counter() - t}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


PREVIOUS = """WITH
    hits(id, score) AS MATERIALIZED (SELECT rowid, rank FROM letter_text WHERE letter_text MATCH ?),
    kept(id, score) AS MATERIALIZED (SELECT id, score FROM hits WHERE {keep}),
    top(id, score) AS (SELECT id, score FROM kept ORDER BY score, id LIMIT ? OFFSET ?)
    SELECT 0, id, score FROM top
    UNION ALL SELECT 1, facet.value, count(*) FROM kept CROSS JOIN facet ON facet.letter = kept.id GROUP BY facet.value
    UNION ALL SELECT 2, 0, count(*) FROM kept"""


def previous_search(index: object, words: list[list[str]], filters: list[tuple[str, str]], page: int,
                    size: int) -> object:
    """The peer: the reader as it was before the posting lists (one SQL statement that scores every hit
    with FTS5's rank and groups every hit's facet values), on the same file; hits and facets are then
    shown by the same code as now."""
    from kg.web.fulltext import FullText, LetterPage, match_expression

    assert isinstance(index, FullText)
    with index.connection() as (db, _):
        wanted = index._filter_ids(db, filters) or []
        keep = " AND ".join(["1", *["EXISTS (SELECT 1 FROM facet WHERE letter = hits.id AND value = ?)"] * len(wanted)])
        match = match_expression(words)
        parts: tuple[list[tuple[int, float]], ...] = ([], [], [])
        for part, key, value in db.execute(PREVIOUS.format(keep=keep), [match, *wanted, size, (page - 1) * size]):
            parts[part].append((key, value))
        found = index._hits(db, match, sorted(parts[0], key=lambda r: (r[1], r[0])))
        facets, more = index._facets(db, [(int(n), v) for v, n in parts[1]])
    return LetterPage(int(parts[2][0][1]), found, facets, more)


def same_answer(a: object, b: object) -> bool:
    """Equal count, the same letters in the same order with equal scores, equal facet counts."""
    return (a.total, [(h.iri, h.score, h.snippet_html) for h in a.hits], a.facets, a.more_values) == \
        (b.total, [(h.iri, h.score, h.snippet_html) for h in b.hits], b.facets, b.more_values)


def measure(out: Path) -> dict[str, object]:
    """Every word of WORDS through the server's reader and through the previous reader, interleaved,
    unfiltered and with a year filter; the two answers must be equal."""
    from kg.publish.fulltext import FILENAME
    from kg.web.fulltext import FullText
    from kg.web.search import word_variants

    index = FullText(out / FILENAME)
    runs: dict[str, list[float]] = {key: [] for key in ("plain", "filtered", "old plain", "old filtered",
                                                        "cpu plain", "cpu old plain")}
    scans: list[float] = []
    per_word: dict[str, tuple[int, float, float]] = {}
    year = None
    for word in WORDS:
        words = word_variants(word)
        first = index.search(words, [], 1, 20)
        year = year or next((v.value for v in first.facets["year"]), None)
        mine: list[float] = []
        theirs: list[float] = []
        for filters, key in (([], "plain"), ([("year", year)] if year else None, "filtered")):
            if filters is None:
                continue
            if not same_answer(index.search(words, filters, 1, 20), previous_search(index, words, filters, 1, 20)):
                raise SystemExit(f"{word!r} {filters}: the reader and the previous reader disagree")
            for _ in range(ROUNDS):
                t, cpu = time.perf_counter(), time.process_time()
                index.search(words, filters, 1, 20)
                runs[key].append(time.perf_counter() - t)
                if key == "plain":
                    runs["cpu plain"].append(time.process_time() - cpu)
                t, cpu = time.perf_counter(), time.process_time()
                previous_search(index, words, filters, 1, 20)
                runs["old " + key].append(time.perf_counter() - t)
                if key == "plain":
                    runs["cpu old plain"].append(time.process_time() - cpu)
                    mine.append(runs[key][-1])
                    theirs.append(runs["old " + key][-1])
        per_word[word] = (first.total, statistics.median(mine), statistics.median(theirs))
        with index.connection() as (db, _):
            t = time.perf_counter()
            db.execute("SELECT count(*) FROM letter_text WHERE text LIKE ?", (f"%{word.split()[0]}%",)).fetchone()
            scans.append(time.perf_counter() - t)
    letters = index.letters
    index.close()
    return {"letters": letters, **runs, "scans": scans, "per_word": per_word, "year": year}


def report(size: str, out: Path, built: dict[str, float] | None, m: dict[str, object], load_before: str) -> str:
    from kg.publish.fulltext import FILENAME

    ms = 1000.0

    def p(key: str, q: float) -> float:
        values = m[key]
        assert isinstance(values, list)
        return pct(values, q) * ms

    per_word = m["per_word"]
    assert isinstance(per_word, dict)
    index_mb = (out / FILENAME).stat().st_size / 2**20
    nt_mb = (out / "kg.nt.gz").stat().st_size / 2**20 if (out / "kg.nt.gz").exists() else 0.0
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"## {size} letters ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
             f"{load_before} at the start, {load} at the end)", "",
             "| letters indexed | build s | index s | search.sqlite MiB | kg.nt.gz MiB | query p50 ms | query p95 ms "
             "| with year filter p50 / p95 ms | previous reader p50 / p95 ms | previous, year filter p50 / p95 ms "
             "| p95 previous ÷ now | CPU p50 / p95 ms, now | CPU p50 / p95 ms, previous "
             "| substring scan (peer) p50 ms |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
             f"| {m['letters']:,} | {built['build']:.1f} | {built['index']:.1f} " if built
             else f"| {m['letters']:,} | - | - "]
    lines[-1] += (f"| {index_mb:.1f} | {nt_mb:.1f} | {p('plain', .5):.1f} | {p('plain', .95):.1f} "
                  f"| {p('filtered', .5):.1f} / {p('filtered', .95):.1f} "
                  f"| {p('old plain', .5):.1f} / {p('old plain', .95):.1f} "
                  f"| {p('old filtered', .5):.1f} / {p('old filtered', .95):.1f} "
                  f"| {p('old plain', .95) / p('plain', .95):.0f}x "
                  f"| {p('cpu plain', .5):.1f} / {p('cpu plain', .95):.1f} "
                  f"| {p('cpu old plain', .5):.1f} / {p('cpu old plain', .95):.1f} | {p('scans', .5):.0f} |")
    lines += ["", "| query | letters found | median ms | previous reader median ms | previous ÷ now |",
              "|---|---|---|---|---|"]
    lines += [f"| {w} | {n:,} | {t * ms:.1f} | {old * ms:.1f} | {old / t:.1f}x |"
              for w, (n, t, old) in per_word.items()]
    return "\n".join(lines) + "\n"


def upgrade(source: Path, out: Path) -> dict[str, float]:
    """A copy of a format-1 search.sqlite (made by an earlier `kg build`) with the posting lists and
    facet bitmaps this version's build adds (the same ``write_postings``): the build s column is then
    the time of that addition alone."""
    import shutil
    import sqlite3

    from kg.publish.fulltext import FILENAME, FORMAT, RANK_FUNCTION, TOKENIZER
    from kg.publish.postings import write_postings

    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / FILENAME, out / FILENAME)
    db = sqlite3.connect(out / FILENAME)
    try:
        letters = int(dict(db.execute("SELECT key, value FROM meta"))["letters"])
        t = time.perf_counter()
        write_postings(db, letters, TOKENIZER, RANK_FUNCTION)
        db.execute("UPDATE meta SET value = ? WHERE key = 'format'", (FORMAT,))
        db.commit()
        db.execute("VACUUM")
        took = time.perf_counter() - t
    finally:
        db.close()
    return {"build": took, "index": took}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated document counts")
    parser.add_argument("--corpus-root", type=Path, default=ROOT / "build",
                        help="where corpus-<N>k directories are looked for")
    parser.add_argument("--keep", type=Path, help="build into DIR/output-<N> and keep it (else a temporary dir)")
    parser.add_argument("--reuse", type=Path, help="an existing build directory: only measure its index")
    parser.add_argument("--index-only", action="store_true",
                        help="parse the pages and index them without the RDF build (build s = parse + index)")
    parser.add_argument("--upgrade", type=Path, nargs=2, metavar=("BUILD", "OUT"),
                        help="copy BUILD's format-1 search.sqlite into OUT, add the posting lists, measure OUT")
    parser.add_argument("--write", action="store_true", help=f"also append the section to {RESULTS}")
    args = parser.parse_args(argv)
    sections = []
    load_before = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    if args.reuse:
        sections.append(report(f"existing build {args.reuse.name}:", args.reuse, None, measure(args.reuse),
                               load_before))
    elif args.upgrade:
        source, out = args.upgrade
        built = upgrade(source, out)
        sections.append(report(f"{source.name} + posting lists (build s, index s: adding them)", out, built,
                               measure(out), load_before))
    else:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory(prefix="kg-fulltext-out-") as tmp:
                out = (args.keep / f"output-{size}") if args.keep else Path(tmp) / "output"
                built = (index_only if args.index_only else build)(size, out, args.corpus_root)
                label = f"{size:,} (index only, from parsed pages)" if args.index_only else f"{size:,}"
                sections.append(report(label, out, built, measure(out), load_before))
    text = "\n".join(sections)
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
