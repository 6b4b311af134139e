"""Parser throughput: documents/second on a generated corpus in the collection's format.

    python bench/parse_bench.py                 # 10,000 documents (goal: >= 2,000 docs/s on one core)
    python bench/parse_bench.py --n 2000 --repeat 3

The corpus comes from kg.devtools.generate.write_corpus (every FORMATS.md variant). Reading (decode)
and parsing are timed separately so that a regression shows where it is. Prints Markdown.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from kg.devtools.generate import write_corpus  # noqa: E402
from kg.parse import parse_pages  # noqa: E402
from kg.read import read_pages  # noqa: E402

GOAL = 2000.0


def run(n_docs: int, seed: int, repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), n_docs, seed)
        t0 = time.perf_counter()
        pages, _ = read_pages([str(p) for p in paths])
        read_s = time.perf_counter() - t0
        best = float("inf")
        result = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = parse_pages(pages)
            best = min(best, time.perf_counter() - t0)
    docs = len(result.documents) if result else 0
    rate = docs / best if best > 0 else 0.0
    total_rate = docs / (best + read_s) if best + read_s > 0 else 0.0
    return [
        f"# Parser throughput (n={n_docs}, seed={seed}, best of {repeat})",
        "",
        "| pages | documents | diagnostics | read s | parse s | parse docs/s | read+parse docs/s | goal |",
        "|---|---|---|---|---|---|---|---|",
        f"| {len(pages)} | {docs} | {len(result.diagnostics) if result else 0} | {read_s:.2f} | {best:.2f} "
        f"| {rate:.0f} | {total_rate:.0f} | {'met' if total_rate >= GOAL else 'NOT met'} (>= {GOAL:.0f}) |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="documents to generate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    print("\n".join(run(args.n, args.seed, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
