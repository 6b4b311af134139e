"""Parser throughput: documents/second on a generated corpus in the collection's format.

    python bench/parse_bench.py                 # 10,000 documents (goal: >= 2,000 docs/s on one core)
    python bench/parse_bench.py --n 2000 --repeat 3
    python bench/parse_bench.py --corpus 'build/corpus-10k/*.txt' --workers 2   # pages already on disk

The corpus comes from kg.devtools.generate.write_corpus (every FORMATS.md variant). Reading (decode)
and parsing are timed separately so that a regression shows where it is. The goal is judged on the
CPU time (this process and the forked parse workers, if any: the goal is per core), since wall time on a
shared machine measures the neighbours too; wall time is printed beside it. --workers 2 runs the
forked pool of kg.sources.parse.parse_pages (--workers 1: serial; default 1, as the goal is for one core).
Prints Markdown.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from kg.devtools.generate import write_corpus  # noqa: E402
from kg.sources.parse import parse_pages  # noqa: E402
from kg.sources.read import read_pages  # noqa: E402

GOAL = 2000.0


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the parse pool's workers are joined on exit)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed(fn, *args, **kwargs):
    """(result, wall seconds, CPU seconds): CPU time is what counts on a shared machine."""
    wall, cpu = time.perf_counter(), _cpu()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, _cpu() - cpu


def _measure(paths: list[str], workers: int, repeat: int):
    (pages, _), read_wall, read_cpu = _timed(read_pages, paths)
    runs = [_timed(parse_pages, pages, workers=workers) for _ in range(repeat)]
    return pages, read_wall, read_cpu, runs


def run(n_docs: int, seed: int, repeat: int, workers: int = 1, corpus: str | None = None) -> list[str]:
    if corpus:
        paths = sorted(glob.glob(corpus))
        if not paths:
            raise SystemExit(f"no pages match {corpus!r}")
        pages, read_wall, read_cpu, runs = _measure(paths, workers, repeat)
        title = f"{corpus}, workers={workers}, best of {repeat}"
    else:
        with tempfile.TemporaryDirectory() as tmp:
            paths = [str(p) for p in write_corpus(Path(tmp), n_docs, seed)]
            pages, read_wall, read_cpu, runs = _measure(paths, workers, repeat)
        title = f"n={n_docs}, seed={seed}, workers={workers}, best of {repeat}"
    result, wall, cpu = min(runs, key=lambda r: r[1] if workers > 1 else r[2])
    docs = len(result.documents)
    cpu_rate = docs / (cpu + read_cpu) if cpu + read_cpu > 0 else 0.0
    return [
        f"# Parser throughput ({title})",
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
    parser.add_argument("--workers", type=int, default=1, help="parse processes (kg.sources.parse.parse_pages workers)")
    parser.add_argument("--corpus", help="glob of pages to parse instead of generating --n documents")
    args = parser.parse_args(argv)
    print("\n".join(run(args.n, args.seed, args.repeat, args.workers, args.corpus)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
