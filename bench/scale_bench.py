"""`kg build` at scale: time per stage, docs/s and peak memory for the seed and generated corpora.

    python bench/scale_bench.py                        # seed,1000,10000
    python bench/scale_bench.py --sizes 100000         # the 100k run (minutes: run it with nohup)

Each size runs in its own process (`--one`) and calls the stages exactly as kg.pipeline.build does
(parse, resolve, map, validate, write), publishing into a temporary directory. Generated corpora are
read from build/corpus-<N>/ when present (bench/generate_corpus.py --seed 0), else written to a
temporary directory first (not timed). Peak memory is ru_maxrss of the build process and of its
largest child (forked validation workers); their sum bounds the machine's peak. Goal (issue 6):
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

STAGES = ("parse", "resolve", "map", "validate", "write")


def sources_for(size: str, tmp: Path) -> list[str]:
    if size == "seed":
        return [str(ROOT / "data" / "corpus")]
    prepared = ROOT / "build" / f"corpus-{int(size) // 1000}k"
    if prepared.is_dir() and len(list(prepared.glob("*.txt"))) * 20 >= int(size):
        return [str(p) for p in sorted(prepared.glob("*.txt"))]
    from kg.devtools.generate import write_corpus

    return [str(p) for p in write_corpus(tmp / "pages", int(size))]


def _log(size: str, stage: str, times: dict[str, float]) -> None:
    """Stage done: seconds and peak RSS so far on stderr (a long run that dies still tells how far it got)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scale_bench {size}: {stage} {times[stage]:.1f} s, peak RSS {rss:,.0f} MiB", file=sys.stderr, flush=True)


def timed(size: str, stage: str, times: dict[str, float], run, *args):  # noqa: ANN001, ANN201 - any stage
    """Run one stage, record its seconds in ``times`` and log it as it ends."""
    t = time.perf_counter()
    result = run(*args)
    times[stage] = time.perf_counter() - t
    _log(size, stage, times)
    return result


def one(size: str) -> dict[str, object]:
    """Build one corpus in this process, timing each stage of kg.pipeline.build."""
    from kg import pipeline
    from kg.config import Settings

    with tempfile.TemporaryDirectory(prefix="kg-scale-bench-") as tmp, pipeline.gc_paused():
        sources = sources_for(size, Path(tmp))
        settings = replace(Settings(), output_dir=Path(tmp) / "output")
        times: dict[str, float] = {}
        parsed = timed(size, "parse", times, pipeline.parse, settings, sources)
        corpus = timed(size, "resolve", times, pipeline.resolve, parsed, settings)
        light = timed(size, "map", times, pipeline.map_stage, corpus, settings, [])
        docs, triples = len(parsed.documents), len(light)
        del parsed, corpus  # as kg.pipeline.build: later stages need the mapped dataset only
        findings = timed(size, "validate", times, pipeline.validate_stage, light, settings)
        timed(size, "write", times, lambda: pipeline.write_dumps(light, settings, consume=True))
    return {"size": size, "docs": docs, "triples": triples, "times": times,
            "violations": sum(f.is_violation for f in findings),
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "children_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def row(r: dict[str, object]) -> str:
    times: dict[str, float] = r["times"]  # type: ignore[assignment]
    total = sum(times.values())
    docs = int(r["docs"])  # type: ignore[call-overload]
    cells = [str(r["size"]), str(docs), str(r["triples"]), *(f"{times[s]:.1f}" for s in STAGES), f"{total:.1f}",
             f"{docs / max(total, 1e-9):,.0f}", f"{r['rss']:,.0f}", f"{r['children_rss']:,.0f}", str(r["violations"]),
             ("yes" if total < 300 else "no") if docs >= 100_000 else "-"]
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
    print("| corpus | docs | triples | " + " | ".join(f"{s} s" for s in STAGES)
          + " | total s | docs/s | peak RSS MiB | worker peak RSS MiB | violations | 100k < 5 min |")
    print("|" + "---|" * (len(STAGES) + 9))
    for size in args.sizes.split(","):
        print(f"scale_bench: building {size} ...", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, __file__, "--one", size], stdout=subprocess.PIPE, text=True, cwd=ROOT)
        if done.returncode != 0:  # its stage lines and traceback went to stderr as they came
            print(f"| {size} | failed (exit {done.returncode}; see stderr) |", flush=True)
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
