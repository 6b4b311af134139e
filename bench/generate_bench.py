"""Speed and size of the corpus generator at 1k, 10k and 100k documents.

    python bench/generate_bench.py                     # 1000,10000,100000
    python bench/generate_bench.py --sizes 1000,10000

The other benchmarks start by generating their corpus, so its cost must stay small next to theirs and its
memory bounded (it streams page by page). Sizes run in ascending order in one process, so the peak RSS
column is the peak up to and including that size.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from kg.devtools.generate import FACTS_FILE, write_corpus  # noqa: E402


def run(n: int, seed: int) -> str:
    with tempfile.TemporaryDirectory(prefix="kg-gen-") as tmp:
        start = time.perf_counter()
        pages = write_corpus(Path(tmp), n, seed)
        seconds = time.perf_counter() - start
        page_mb = sum(p.stat().st_size for p in pages) / 1e6
        facts_mb = (Path(tmp) / FACTS_FILE).stat().st_size / 1e6
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = n / seconds if seconds > 0 else 0.0
    return f"| {n} | {len(pages)} | {page_mb:.1f} | {facts_mb:.1f} | {seconds:.2f} | {rate:.0f} | {peak:.0f} |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print("# Corpus generator")
    print()
    print("| documents | pages | pages MB | facts MB | seconds | docs/s | peak RSS MiB |")
    print("|---|---|---|---|---|---|---|")
    for n in sorted(int(s) for s in args.sizes.split(",")):
        print(run(n, args.seed), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
