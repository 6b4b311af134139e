"""Write a generated corpus for benchmarks and scale tests.

    python bench/generate_corpus.py --n 10000 --seed 0 --out build/corpus-10k

Writes pages in the collection's format plus ``expected.jsonl`` (the facts of every document), and prints
what it wrote and how long it took. The same --n/--seed/--docs-per-page always give byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from kg.devtools.generate import FACTS_FILE, write_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True, help="number of documents")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--docs-per-page", type=int, default=20)
    parser.add_argument("--extras", action="store_true",
                        help="add an introduction page and per-letter copies of ~3%% of the documents")
    parser.add_argument("--out", type=Path, required=True, help="output directory (its earlier pages are replaced)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages = write_corpus(args.out, args.n, args.seed, args.docs_per_page, extras=args.extras)
    seconds = time.perf_counter() - start
    page_bytes = sum(p.stat().st_size for p in pages)
    facts_bytes = (args.out / FACTS_FILE).stat().st_size
    print(f"files written: {len(pages)} pages + {FACTS_FILE} in {args.out}")
    print(f"docs: {args.n}")
    print(f"bytes: {page_bytes} in pages, {facts_bytes} in {FACTS_FILE}")
    print(f"seconds: {seconds:.2f} ({args.n / seconds:.0f} docs/s)" if seconds > 0 else "seconds: 0")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
