"""`kg build` at scale: time per stage, docs/s and peak memory for the seed and generated corpora.

    python bench/scale_bench.py                        # seed,1000,10000
    python bench/scale_bench.py --sizes 100000         # the 100k run (minutes: run it with nohup)

Each size runs in its own process (`--one`) and runs kg.build.pipeline.build, publishing into a temporary
directory; its stages report wall seconds (and CPU seconds of the process and its children): parse
(pages in forked workers), prepare (authorities, events, the authority graph, compiled shapes),
batches (resolve, map, validate and write fragments, in forked workers), check + write (the
whole-dataset checks in a child while the dumps are assembled). Generated corpora are read from
build/corpus-<N>/ when present (bench/generate_corpus.py --seed 0), else written to a temporary
directory first (not timed). Peak memory is ru_maxrss of the build process and of its largest child
(the batch workers); with two workers the machine's peak is at most main + 2 x child. Goal (issue 6):
100k documents in under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

STAGES = ("parse", "prepare", "batches", "check + write")


def sources_for(size: str, tmp: Path) -> list[str]:
    if size == "seed":
        return [str(ROOT / "data" / "corpus")]
    prepared = ROOT / "build" / f"corpus-{int(size) // 1000}k"
    if prepared.is_dir() and len(list(prepared.glob("*.txt"))) * 20 >= int(size):
        return [str(p) for p in sorted(prepared.glob("*.txt"))]
    from kg.devtools.generate import write_corpus

    return [str(p) for p in write_corpus(tmp / "pages", int(size))]


def one(size: str) -> dict[str, object]:
    """Build one corpus in this process with kg.build.pipeline.build, timing its stages."""
    from kg.build import pipeline
    from kg.config import Settings

    with tempfile.TemporaryDirectory(prefix="kg-scale-bench-") as tmp:
        sources = sources_for(size, Path(tmp))
        settings = replace(Settings(), output_dir=Path(tmp) / "output")
        times = pipeline.StageTimes()
        t = time.perf_counter()
        code = pipeline.build(settings, sources, echo=lambda _: None, times=times)
        total = time.perf_counter() - t
        sizes = {p.name: p.stat().st_size for p in settings.output_dir.glob("kg.*")} if code == 0 else {}
    return {"size": size, "docs": times.documents, "triples": times.statements, "times": times.seconds,
            "cpu": times.cpu, "parts": times.parts, "total": total, "exit": code, "violations": times.violations,
            "sizes": sizes,
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def row(r: dict[str, object]) -> str:
    times: dict[str, float] = r["times"]  # type: ignore[assignment]
    cpu: dict[str, float] = r["cpu"]  # type: ignore[assignment]
    total = float(r["total"])  # type: ignore[arg-type]
    docs = int(r["docs"])  # type: ignore[call-overload]
    cells = [str(r["size"]), str(docs), f"{r['triples']:,}", *(f"{times.get(s, 0):.1f}" for s in STAGES),
             f"{total:.1f}", f"{sum(cpu.values()):.0f}", f"{docs / max(total, 1e-9):,.0f}", f"{r['rss']:,.0f}",
             f"{r['children_rss']:,.0f}", str(r["violations"]),
             ("yes" if total < 300 else "**no**") if docs >= 100_000 else "-"]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="seed,1000,10000")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    print("# kg build at scale (2 cores; stage seconds)")
    print()
    print("| corpus | docs | statements | " + " | ".join(f"{s} s" for s in STAGES)
          + " | total s | CPU s | docs/s | peak RSS MiB | largest child RSS MiB | violations | 100k < 5 min |")
    print("|" + "---|" * (len(STAGES) + 10))
    results: list[dict] = []
    for size in args.sizes.split(","):
        print(f"scale_bench: building {size} ...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, __file__, "--one", size], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        if done.returncode != 0:  # its stage lines and traceback went to stderr as they came
            print(f"| {size} | failed (exit {done.returncode}; see stderr) |", flush=True)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(row(result), flush=True)
    print()
    print("Inside \"check + write\" (they overlap: the checks run in a child while the dumps are written), seconds:")
    print()
    print("| corpus | write: dumps | check: shared graph | check: SPARQL constraints |")
    print("|---|---|---|---|")
    for r in results:
        parts: dict[str, float] = r["parts"]
        print(f"| {r['size']} | " + " | ".join(f"{parts.get(k, 0):.1f}" for k in (
            "write: dumps", "check: shared graph", "check: SPARQL constraints")) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
