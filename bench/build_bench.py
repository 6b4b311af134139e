"""`kg build` time per stage and peak memory: the seed page and generated corpora of 1k and 10k documents.

    python bench/build_bench.py                  # seed,1000,10000
    python bench/build_bench.py --sizes seed,1000

Each size runs in its own process (`--one`), so the peak RSS column is that build's own (the parent
process; forked validation workers are reported separately). Validation is included, as in `kg build`;
the goal is the seed under 3 s and a cost linear in the number of documents (see the ms/doc column).
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

STAGES = ("parse", "resolve", "map", "validate", "dump")


def one(size: str) -> dict[str, object]:
    """Build one corpus in this process, timing each stage as kg.pipeline.build runs them."""
    from kg.config import Settings
    from kg.dumps import write_dumps
    from kg.mapping import authority_graph_iri, map_corpus
    from kg.parse import parse_sources
    from kg.resolve import resolve
    from kg.validate import load_hierarchy, load_shapes, validate_dataset

    with tempfile.TemporaryDirectory(prefix="kg-build-bench-") as tmp:
        if size == "seed":
            sources = [str(ROOT / "data" / "corpus")]
        else:
            from kg.devtools.generate import write_corpus

            sources = [str(p) for p in write_corpus(Path(tmp) / "pages", int(size))]
        settings = replace(Settings(), output_dir=Path(tmp) / "output")
        times: dict[str, float] = {}
        t = time.perf_counter()
        parsed = parse_sources(sources)
        times["parse"] = time.perf_counter() - t
        t = time.perf_counter()
        corpus = resolve(parsed, settings)
        times["resolve"] = time.perf_counter() - t
        t = time.perf_counter()
        ds = map_corpus(corpus, settings.base_iri)
        times["map"] = time.perf_counter() - t
        t = time.perf_counter()
        findings = validate_dataset(ds, load_shapes(settings.shapes_dir), load_hierarchy(settings.ontology_dir),
                                    authority_graph_iri(settings.base_iri))
        times["validate"] = time.perf_counter() - t
        t = time.perf_counter()
        write_dumps(ds, settings)
        times["dump"] = time.perf_counter() - t
        triples = sum(len(g) for g in ds.graphs())
    return {"size": size, "docs": len(parsed.documents), "triples": triples, "times": times,
            "violations": sum(f.is_violation for f in findings),
            "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "workers_rss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def row(r: dict[str, object]) -> str:
    times: dict[str, float] = r["times"]  # type: ignore[assignment]
    total = sum(times.values())
    per_doc = 1000 * total / max(1, int(r["docs"]))  # type: ignore[call-overload]
    cells = [str(r["size"]), str(r["docs"]), str(r["triples"]), *(f"{times[s]:.2f}" for s in STAGES),
             f"{total:.2f}", f"{per_doc:.1f}", f"{r['rss']:.0f}", f"{r['workers_rss']:.0f}", str(r["violations"])]
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="seed,1000,10000")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one(args.one)))
        return 0
    print("# kg build (parse, resolve, map, validate, dump)")
    print()
    print("| corpus | docs | triples | " + " | ".join(f"{s} s" for s in STAGES)
          + " | total s | ms/doc | peak RSS MiB | worker peak RSS MiB | violations |")
    print("|" + "---|" * (len(STAGES) + 8))
    for size in args.sizes.split(","):
        done = subprocess.run([sys.executable, __file__, "--one", size], capture_output=True, text=True, cwd=ROOT)
        if done.returncode != 0:
            print(f"| {size} | failed: {done.stderr.strip().splitlines()[-1:]} |", flush=True)
            continue
        print(row(json.loads(done.stdout.strip().splitlines()[-1])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
