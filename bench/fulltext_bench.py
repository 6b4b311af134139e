"""The full-text index (search.sqlite) at scale: build time, size, query time.

    python bench/fulltext_bench.py                         # 10k (a generated corpus, the whole `kg build`)
    python bench/fulltext_bench.py --sizes 10000,100000 --write   # and 100k (minutes: nohup), kept in results/
    python bench/fulltext_bench.py --reuse DIR             # query an existing build's index only

Each size is a real `kg build` (kg.build.pipeline.build) of a generated corpus (build/corpus-<N>k when
present, as bench/generate_corpus.py --seed 0 writes it; else generated into a temporary directory,
not timed), so the index is made exactly as a release makes it; the build's own stage timer gives the
index's share ("write: search index"). Then every query of WORDS runs through the server's reader
(kg.web.fulltext.FullText.search: count, BM25 top 20, snippets, six facet counts), unfiltered and with
a year filter, ROUNDS times each after one warm-up; p50/p95 over all runs. The peer, in the same run
on the same file, is a substring scan (``LIKE '%word%'`` over the text column, count only): what a
search without an index costs. Prints a markdown section; ``--write`` appends it to bench/results/fulltext.md.
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


def measure(out: Path) -> dict[str, object]:
    from kg.publish.fulltext import FILENAME
    from kg.web.fulltext import FullText
    from kg.web.search import match_expression, word_variants

    index = FullText(out / FILENAME)
    plain: list[float] = []
    filtered: list[float] = []
    scans: list[float] = []
    per_word: dict[str, tuple[int, float]] = {}
    year = None
    for word in WORDS:
        match = match_expression(word_variants(word))
        first = index.search(match, [], 1, 20)
        year = year or next((v.value for v in first.facets["year"]), None)
        runs = []
        for _ in range(ROUNDS):
            t = time.perf_counter()
            index.search(match, [], 1, 20)
            runs.append(time.perf_counter() - t)
        plain += runs
        per_word[word] = (first.total, statistics.median(runs))
        if year:
            index.search(match, [("year", year)], 1, 20)
            for _ in range(ROUNDS):
                t = time.perf_counter()
                index.search(match, [("year", year)], 1, 20)
                filtered.append(time.perf_counter() - t)
        with index.connection() as db:
            t = time.perf_counter()
            db.execute("SELECT count(*) FROM letter_text WHERE text LIKE ?", (f"%{word.split()[0]}%",)).fetchone()
            scans.append(time.perf_counter() - t)
    letters = index.letters
    index.close()
    return {"letters": letters, "plain": plain, "filtered": filtered, "scans": scans, "per_word": per_word,
            "year": year}


def report(size: str, out: Path, built: dict[str, float] | None, m: dict[str, object]) -> str:
    from kg.publish.fulltext import FILENAME

    ms = 1000.0
    plain, filtered, scans = m["plain"], m["filtered"], m["scans"]
    assert isinstance(plain, list) and isinstance(filtered, list) and isinstance(scans, list)
    per_word = m["per_word"]
    assert isinstance(per_word, dict)
    index_mb = (out / FILENAME).stat().st_size / 2**20
    nt_mb = (out / "kg.nt.gz").stat().st_size / 2**20 if (out / "kg.nt.gz").exists() else 0.0
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [f"## {size} letters ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
             f"{load} at the end)", "",
             "| letters indexed | build s | index s | search.sqlite MiB | kg.nt.gz MiB | query p50 ms | query p95 ms "
             "| with year filter p50 / p95 ms | substring scan (peer) p50 ms | scan ÷ query (p50) |",
             "|---|---|---|---|---|---|---|---|---|---|",
             f"| {m['letters']:,} | {built['build']:.1f} | {built['index']:.1f} " if built
             else f"| {m['letters']:,} | - | - "]
    lines[-1] += (f"| {index_mb:.1f} | {nt_mb:.1f} | {pct(plain, .5) * ms:.1f} | {pct(plain, .95) * ms:.1f} "
                  f"| {pct(filtered, .5) * ms:.1f} / {pct(filtered, .95) * ms:.1f} | {pct(scans, .5) * ms:.0f} "
                  f"| {pct(scans, .5) / pct(plain, .5):.0f}x |")
    lines += ["", "| query | letters found | median ms |", "|---|---|---|"]
    lines += [f"| {w} | {n:,} | {t * ms:.1f} |" for w, (n, t) in per_word.items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="comma-separated document counts")
    parser.add_argument("--corpus-root", type=Path, default=ROOT / "build",
                        help="where corpus-<N>k directories are looked for")
    parser.add_argument("--keep", type=Path, help="build into DIR/output-<N> and keep it (else a temporary dir)")
    parser.add_argument("--reuse", type=Path, help="an existing build directory: only measure its index")
    parser.add_argument("--index-only", action="store_true",
                        help="parse the pages and index them without the RDF build (build s = parse + index)")
    parser.add_argument("--write", action="store_true", help=f"also append the section to {RESULTS}")
    args = parser.parse_args(argv)
    sections = []
    if args.reuse:
        sections.append(report(f"existing build {args.reuse.name}:", args.reuse, None, measure(args.reuse)))
    else:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory(prefix="kg-fulltext-out-") as tmp:
                out = (args.keep / f"output-{size}") if args.keep else Path(tmp) / "output"
                built = (index_only if args.index_only else build)(size, out, args.corpus_root)
                label = f"{size:,} (index only, from parsed pages)" if args.index_only else f"{size:,}"
                sections.append(report(label, out, built, measure(out)))
    text = "\n".join(sections)
    print(text)
    if args.write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
