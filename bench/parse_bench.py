"""Parser throughput: documents/second on a generated corpus in the collection's format.

    python bench/parse_bench.py                 # 10,000 documents (goal: >= 2,000 docs/s on one core)
    python bench/parse_bench.py --n 2000 --repeat 3

The corpus comes from kg.devtools.generate.write_corpus (every FORMATS.md variant). Reading (decode)
and parsing are timed separately so that a regression shows where it is. The goal is judged on the
process's CPU time (the parser is single-threaded), since wall time on a shared machine measures the
neighbours too; wall time is printed beside it. Prints Markdown.
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


def _timed(fn, *args):
    """(result, wall seconds, CPU seconds of this process): CPU time is what counts on a shared machine."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def run(n_docs: int, seed: int, repeat: int) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        paths = write_corpus(Path(tmp), n_docs, seed)
        (pages, _), read_wall, read_cpu = _timed(read_pages, [str(p) for p in paths])
        runs = [_timed(parse_pages, pages) for _ in range(repeat)]
    result, wall, cpu = min(runs, key=lambda r: r[2])
    docs = len(result.documents)
    cpu_rate = docs / (cpu + read_cpu) if cpu + read_cpu > 0 else 0.0
    return [
        f"# Parser throughput (n={n_docs}, seed={seed}, best of {repeat})",
        "",
        "| pages | documents | diagnostics | read s (cpu) | parse s (cpu) | parse s (wall) | docs/s (cpu, read+parse) "
        "| docs/s (wall) | goal |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {len(pages)} | {docs} | {len(result.diagnostics)} | {read_cpu:.2f} | {cpu:.2f} | {wall:.2f} "
        f"| {cpu_rate:.0f} | {docs / (wall + read_wall):.0f} | {'met' if cpu_rate >= GOAL else 'NOT met'} "
        f"(>= {GOAL:.0f} on one core) |",
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
