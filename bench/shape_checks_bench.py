"""Validation cost per check: the compiled core screen and each SPARQL constraint, this shapes/ against a revision's.

    python bench/shape_checks_bench.py --base main --size 3000 --repeat 3

Why: a whole-build timing (bench/compare_builds.py) on a busy machine varies by +-20 %, which hides a check
that costs a few seconds more and shows only the stall of a quadratic one at 10k letters. Here one generated
corpus (``--seed 0``) is mapped once and validated with both shape files, alternating: the screen's median
seconds over all batches (one worker), and each SPARQL constraint's median milliseconds over the whole
dataset, slowest first. Prints Markdown to stdout.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from rdflib import Graph  # noqa: E402

from kg.config import Settings  # noqa: E402
from kg.devtools.generate import write_corpus  # noqa: E402
from kg.rdf.light import map_corpus_light  # noqa: E402
from kg.rdf.mapping import authority_graph_iri  # noqa: E402
from kg.resolve.corpus import resolve  # noqa: E402
from kg.sources.parse import parse_sources  # noqa: E402
from kg.validate.batches import DatasetIndex, _source_lines, run_checks_on_store, target_nodes  # noqa: E402
from kg.validate.fast import compiled_rules, light_index, query_predicates, screen, sparql_store  # noqa: E402
from kg.validate.shacl import load_hierarchy, load_shapes, prepare  # noqa: E402


def timings(index: DatasetIndex, shapes: Graph, hierarchy: Graph) -> tuple[float, dict[str, float]]:
    """(screen seconds, {constraint message: seconds}) for one shapes graph."""
    shape_set, rules = prepare(shapes), compiled_rules(shapes)
    assert rules is not None, "shapes outside the compiled subset: the screen would be pySHACL"
    start = time.perf_counter()
    screen(index, rules, hierarchy, workers=1)
    screened = time.perf_counter() - start
    store = sparql_store(index, hierarchy, query_predicates(shape_set.checks))
    checks = {}
    for check in shape_set.checks:
        start = time.perf_counter()
        run_checks_on_store(store, check, target_nodes(index, hierarchy, store, check), index.owner,
                            lambda node: _source_lines(index, node))
        checks[check.message] = time.perf_counter() - start
    return screened, checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision whose shapes/bolcorr.shapes.ttl to compare")
    parser.add_argument("--size", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    text = subprocess.run(["git", "show", f"{args.base}:shapes/bolcorr.shapes.ttl"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout
    sides = {"base": Graph().parse(data=text, format="turtle"), "new": load_shapes(settings.shapes_dir)}
    with tempfile.TemporaryDirectory() as tmp:
        pages = write_corpus(Path(tmp) / "pages", args.size)
        corpus = resolve(parse_sources([str(p) for p in pages]), settings)
    index = light_index(map_corpus_light(corpus, settings.base_iri), authority_graph_iri(settings.base_iri))
    hierarchy = load_hierarchy(settings.ontology_dir)
    runs: dict[str, list[tuple[float, dict[str, float]]]] = {side: [] for side in sides}
    for _ in range(args.repeat):
        for side, shapes in sides.items():  # alternating, so that machine noise falls on both
            runs[side].append(timings(index, shapes, hierarchy))
    print(f"# Validation of {args.size:,} generated letters: shapes of {args.base} (base) and this checkout (new)\n")
    print("| side | screen s (median) | SPARQL checks | their total ms (median) |\n|---|---|---|---|")
    for side, done in runs.items():
        total = statistics.median(sum(c.values()) for _, c in done)
        print(f"| {side} | {statistics.median(s for s, _ in done):.2f} | {len(done[0][1])} | {total * 1000:.0f} |")
    print("\n| SPARQL constraint (new shapes) | median ms | in base |\n|---|---|---|")
    new = {m: statistics.median(c[m] for _, c in runs["new"]) for m in runs["new"][0][1]}
    for message, seconds in sorted(new.items(), key=lambda kv: -kv[1]):
        print(f"| {message[:90]} | {seconds * 1000:.0f} | {'yes' if message in runs['base'][0][1] else 'no'} |")


if __name__ == "__main__":
    main()
