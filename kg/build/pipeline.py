"""`kg build`: parse -> batches (resolve, map, validate, write fragments) -> check -> publish.

Why one short function per stage boundary: each stage is a library call with typed records in and
out (kg.model, kg.build.batches), so the pipeline only decides what to print and whether to publish.
Nothing is published unless the whole dataset conforms (sh:Violation = stop); the previous output/
stays. The batches never hold the whole graph (kg/build/batches.py); the main process holds the parsed
documents, the shared graph and the findings.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kg.build.batches import BatchJob, BatchResult, Pending, run_all
from kg.build.children import children_die_with_build
from kg.config import Settings
from kg.errors import Diagnostic, KGError, NoPagesError, SourceError, summarize_diagnostics
from kg.model import ParseResult
from kg.publish.chunks import ChunkFiles, Triple
from kg.publish.dumps import now_iso, publication, write_error
from kg.sources.parse import parse_sources
from kg.validate.report import format_report

Echo = Callable[[str], None]


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


def _progress(text: str) -> None:
    """Stage progress on a terminal only: quiet in CI, pipes and tests."""
    if sys.stderr.isatty():
        print(f"kg build: {text}", file=sys.stderr)


@dataclass
class StageTimes:
    """Seconds per stage of one build (bench/scale_bench.py prints them)."""

    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds of this process and its children
    parts: dict[str, float] = field(default_factory=dict)  # seconds of the parts that overlap in a stage
    documents: int = 0
    statements: int = 0
    violations: int = 0

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        _progress(name)
        t, c = time.perf_counter(), _cpu()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t
            self.cpu[name] = self.cpu.get(name, 0.0) + _cpu() - c


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def parse(settings: Settings, sources: list[str] | None) -> ParseResult:
    paths = sources or [str(settings.corpus_dir)]
    if not sources and not settings.corpus_dir.exists():
        raise SourceError(str(settings.corpus_dir), "no such directory (give SOURCES or add pages)")
    return parse_sources(paths, workers=settings.build_workers or None)


def build(settings: Settings, sources: list[str] | None, strict: bool = False, echo: Echo = _stderr,
          times: StageTimes | None = None, quiet: bool = False) -> int:
    """Run the whole build; 0 published, 1 not published (strict diagnostics or non-conformance).

    Every diagnostic (parser, unresolved name) is one line unless ``quiet``; one summary line per
    diagnostic code and the final ``kg build:`` line are always printed. A file that cannot be written
    raises ``OutputError`` (exit 3), naming it; nothing is published then either. Every process the
    build forks dies with it (kg/build/children.py)."""
    try:
        with children_die_with_build(), gc_paused():
            return _build(settings, sources, strict, echo, times or StageTimes(), quiet)
    except OSError as err:
        written = write_error(err, settings.output_dir)
        if written is None:
            raise
        raise OutputError(*written, settings.output_dir) from err


class OutputError(KGError):
    """A file of the build could not be written: a full or read-only disk, a file where a directory
    must be. Nothing was published; output/ is as it was, and no scratch directory is left."""

    exit_code = 3

    def __init__(self, path: str, reason: str, out: Path):
        self.path, self.reason = path, reason
        super().__init__(f"{path}: {reason} (nothing published; {out} is as it was)")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a build runs.

    Why: the build keeps many small objects alive to its end (documents, terms); every full
    collection walks them all. Reference counting still frees everything that is dropped."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(settings: Settings, sources: list[str] | None, strict: bool, echo: Echo, times: StageTimes,
           quiet: bool) -> int:
    started, t0 = now_iso(), time.perf_counter()
    with times.stage("parse"):
        try:
            parsed = parse(settings, sources)
        except NoPagesError as err:  # exit 1 like any sources no document could be read from
            echo(f"kg build: {err}; nothing published, {settings.output_dir} untouched")
            return 1
    diagnostics = parsed.diagnostics  # the summary lines before each final line count these
    report_diagnostics(diagnostics, echo, quiet)
    if strict and parsed.diagnostics:
        report_summary(diagnostics, echo)
        echo(f"kg build: {len(parsed.diagnostics)} parser diagnostic(s) under --strict: nothing published")
        return 1
    if not parsed.documents:  # an empty graph must never replace the last good dumps
        report_summary(diagnostics, echo)
        echo(f"kg build: no document could be read from the sources; nothing published, "
             f"{settings.output_dir} untouched")
        return 1
    n_docs, n_diags = len(parsed.documents), len(parsed.diagnostics)

    def waiting() -> None:  # another build holds the lock: say why nothing seems to happen
        echo(f"kg build: another build into {settings.output_dir} is running; waiting for it to finish")

    with publication(settings, waiting) as pub:
        with times.stage("prepare"):
            job = BatchJob.prepare(parsed, settings, pub.workdir)
        del parsed
        contradictions = job.replies.contradictions()  # a note the page's dates contradict: a page error
        if strict and contradictions:
            report_diagnostics(contradictions, echo, quiet)
            report_summary(diagnostics + contradictions, echo)
            echo(f"kg build: {len(contradictions)} reply note(s) contradicting the printed dates under --strict: "
                 f"nothing published, {settings.output_dir} untouched")
            return 1
        with times.stage("batches"):
            results = list(run_all(job, settings.build_workers))
        unresolved = report_batches(results, echo, quiet)
        diagnostics = diagnostics + unresolved
        shared_iri = job.iris.authority_graph()
        shared = shared_graph(job, results)
        slices = [ChunkFiles(pub.workdir, r.summary.index).path("slice") for r in results]
        times.documents = n_docs
        # the quads of kg.trig: the authority graph, the non-local lines once (their subjects, source
        # pages and documents outside the corpus, are never authority entities), the local quads
        nonlocal_lines = set().union(*(r.summary.nonlocal_lines for r in results))
        times.statements = len(shared) + len(nonlocal_lines) + sum(r.summary.quads for r in results)
        with times.stage("check + write"):  # the whole-dataset checks run in a child while the dumps are written
            pending = Pending(job, shared, slices)
            try:
                del job
                t = time.perf_counter()
                info = pub.publish([r.summary for r in results], shared_iri, shared, started)
                times.parts["write: dumps"] = time.perf_counter() - t
                times.parts["write: search index"] = pub.index_seconds  # part of the dumps' time
                findings = sorted(set([f for r in results for f in r.findings] + pending.result(times.parts)))
            finally:
                pending.close()
        times.violations = sum(f.is_violation for f in findings)
        if times.violations:
            pub.cancel()
            echo(format_report(findings, False))
            report_summary(diagnostics, echo)
            echo(f"kg build: the graph does not conform to shapes/; nothing published, {settings.output_dir} untouched")
            return 1
        if findings:  # warnings only: reported, published
            echo(format_report(findings, True))
    report_summary(diagnostics, echo)
    echo(f"kg build: {n_docs} documents, {times.statements} statements in named graphs, "
         f"{n_diags} parser diagnostics, {len(unresolved)} unresolved names, {len(findings)} SHACL "
         f"warnings; published {settings.output_dir} version {info.version} in {time.perf_counter() - t0:.2f} s")
    return 0


def report_diagnostics(diagnostics: list[Diagnostic], echo: Echo, quiet: bool) -> None:
    """One line each (``Diagnostic.__str__``, the documented form), none under --quiet."""
    if not quiet:
        for diag in diagnostics:
            echo(str(diag))


def report_summary(diagnostics: list[Diagnostic], echo: Echo) -> None:
    """One line per diagnostic code (kept under --quiet), just before the final ``kg build:`` line."""
    for line in summarize_diagnostics(diagnostics):
        echo(line)


def report_batches(results: list[BatchResult], echo: Echo, quiet: bool = False) -> list[Diagnostic]:
    """Print the names no entity was found for and the mapping's problems; return those names' diagnostics."""
    unresolved = [d for r in results for d in r.diagnostics]
    report_diagnostics(unresolved, echo, quiet)
    for problem in dict.fromkeys(p for r in results for p in r.problems):
        echo(f"mapping: {problem}")
    return unresolved


def shared_graph(job: BatchJob, results: list[BatchResult]) -> list[Triple]:
    """The authority graph with what the batches added to it (archival units), each triple once."""
    triples = dict.fromkeys(job.authority.triples)
    for result in results:
        triples.update(dict.fromkeys(result.shared))
    return list(triples)
