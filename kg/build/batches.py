"""Stage "batches": resolve, map, validate and write the documents batch by batch, in worker processes.

    job = BatchJob.prepare(parsed, settings, workdir)
    for result in run_batches(job, workers):     # in document order
        ...                                      # result.summary, .diagnostics, .findings, ...

Why batches: at 100k letters the graph is 16M statements; holding it (as the earlier build did)
took more than 17 GiB in the write stage. A batch of a few hundred documents is resolved, mapped,
checked against the shapes' core constraints and written as dump fragments (kg/publish/chunks.py) by
one worker, which then drops it: memory depends on the batch size, not on the corpus. The workers
are forked after everything batches share is ready (authorities, events, the mapped authority graph,
the compiled shapes), so they inherit it without pickling; only small results travel back.

What a batch cannot see is checked by the main process afterwards: the shared graph (authority
resources plus the archival units the batches added) and the SPARQL constraints, some of which
span documents (kg/validate/whole.py). Cross-references to documents in other batches are
validated with the types their own graphs give the cited letters and notes
(kg.rdf.letter.citable_nodes), so a batch's findings are the whole dataset's findings for it.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node

from kg import __version__
from kg.config import Settings
from kg.errors import Diagnostic, KGError
from kg.model import Corpus, Document, ParseResult
from kg.progress import progress
from kg.publish.chunks import ChunkFiles, ChunkSummary, DocGraph, Triple, write_chunk
from kg.publish.dumps import name_the_file, prefixes_for
from kg.rdf.iris import Iris
from kg.rdf.letter import LetterContext, citable_nodes, map_document, note_numbers
from kg.rdf.light import LightDataset, LightGraph
from kg.rdf.mapping import edition_numbers, event_notes, map_authority
from kg.rdf.vocab import BC
from kg.resolve.authority import Authorities, load_authorities
from kg.resolve.corpus import events_by_document, resolve_document, unresolved_diagnostics
from kg.resolve.events import extract_events
from kg.resolve.names import NameFinder
from kg.resolve.replies import Replies, find_replies
from kg.validate.batches import ShapeSet
from kg.validate.batches import run_batches as pyshacl_batches
from kg.validate.fast import compiled_rules, confirm, light_index, screen, shared_findings
from kg.validate.report import Finding
from kg.validate.shacl import BATCH_DOCS, load_hierarchy, load_shapes, prepare
from kg.validate.shacl_rules import NodeRule
from kg.validate.whole import global_sparql_findings, slice_predicates


@dataclass
class Checks:
    """The shapes, compiled once before the workers fork."""

    shapes: Graph
    shape_set: ShapeSet
    hierarchy: Graph
    rules: list[NodeRule] | None  # None: shapes beyond the compiled subset, pySHACL checks every batch

    @classmethod
    def load(cls, settings: Settings) -> Checks:
        shapes = load_shapes(settings.shapes_dir)
        return cls(shapes, prepare(shapes), load_hierarchy(settings.ontology_dir), compiled_rules(shapes))


@dataclass
class BatchJob:
    """Everything a batch worker reads (inherited through fork, never modified but for resolutions)."""

    documents: list[Document]
    auth: Authorities
    corpus: Corpus  # entities and events; each worker fills in the resolutions of its own batch
    cited: dict[str, list[str]]  # document key -> events its notes describe
    notes_about: dict[str, list[tuple[URIRef, URIRef]]]  # document key -> (note, event it describes)
    numbers: dict[str, str]  # edition number -> document key (cross-references)
    iris: Iris
    authority: LightGraph  # the mapped authority graph, before any batch adds archival units
    checks: Checks
    citable: dict[Node, frozenset[Node]]  # every document's citable letter and note nodes -> types
    notes_of: dict[str, frozenset[int]]  # document key -> its note numbers (kg.rdf.letter.add_cross_reference)
    authority_by_subject: dict[Node, list[Triple]]  # the authority graph indexed once, not per batch
    authority_types: dict[Node, frozenset[Node]]
    replies: Replies  # reply links across the collection, found before the batches (kg/resolve/replies.py)
    workdir: Path
    prefixes: dict[str, str]
    slice_predicates: set[str] | None
    batch_docs: int
    version: str = __version__
    finder: NameFinder = field(init=False)

    def __post_init__(self) -> None:
        self.finder = NameFinder(self.auth)

    @classmethod
    def prepare(cls, parsed: ParseResult, settings: Settings, workdir: Path) -> BatchJob:
        auth = load_authorities(settings.data_dir)
        events = extract_events(parsed.documents, auth)
        corpus = Corpus(documents=parsed.documents, entities=dict(auth.entities), events=events,
                        aliases=list(auth.aliases), diagnostics=list(parsed.diagnostics))
        iris = Iris(settings.base_iri)
        light = LightDataset(iris.base)
        authority = light.graph(iris.authority_graph())
        map_authority(authority, iris, corpus, __version__)  # type: ignore[arg-type]
        citable = {node: frozenset(types) for doc in parsed.documents for node, types in citable_nodes(iris, doc)}
        index = light_index(light, authority.identifier)  # the authority graph indexed once, not per batch
        checks = Checks.load(settings)
        return cls(parsed.documents, auth, corpus, events_by_document(events), event_notes(corpus, iris),
                   edition_numbers(corpus), iris, authority, checks, citable, note_numbers(parsed.documents),
                   index.shared_by_subject, {k: frozenset(v) for k, v in index.types.items()},
                   find_replies(parsed.documents, auth), workdir,
                   prefixes_for(settings), slice_predicates(checks.shape_set.checks), max(1, settings.batch_docs))

    @property
    def batches(self) -> int:
        return -(-len(self.documents) // self.batch_docs)


@dataclass
class BatchResult:
    """What one batch sends back to the main process."""

    summary: ChunkSummary
    diagnostics: list[Diagnostic]  # names it could not resolve
    problems: list[str]  # references to ids the resolve stage did not define
    findings: list[Finding]  # core-constraint findings on its documents
    shared: list[Triple]  # what it added to the authority graph (archival units, unknown archives)
    seconds: float = 0.0  # wall time of the batch in its worker
    cpu: float = 0.0  # CPU time of the batch in its worker


class _Types(dict):  # type: ignore[type-arg]
    """A batch's own node types, then the authority graph's, then those of citable nodes in other batches."""

    def __init__(self, own: dict[Node, set[Node]], *others: dict[Node, frozenset[Node]]):
        super().__init__(own)
        self.others = others

    def get(self, key: Node, default: object = None) -> object:  # type: ignore[override]
        found = dict.get(self, key)
        if found is not None:
            return found
        for other in self.others:
            found = other.get(key)
            if found is not None:
                return found
        return default


class _BySubject(dict):  # type: ignore[type-arg]
    """The triples of a subject in the batch's additions to the shared graph and in the authority graph."""

    def __init__(self, own: dict[Node, list[Triple]], base: dict[Node, list[Triple]]):
        super().__init__(own)
        self.base = base

    def get(self, key: Node, default: object = None) -> object:  # type: ignore[override]
        own, base = dict.get(self, key), self.base.get(key)
        if own is None or base is None:
            found = own if own is not None else base
            return default if found is None else found
        return base + own


class SharedOverlay(LightGraph):
    """The shared graph as one batch sees it: the authority graph (read, never copied) plus what the
    batch adds. Why not a copy: at 100k letters the authority graph (events and their sources) has
    ~500k triples; copying and re-indexing it in every batch doubled the batches' time."""

    __slots__ = ("base",)

    def __init__(self, identifier: URIRef, base: dict[Triple, None]):
        super().__init__(identifier)
        self.base = base

    def add(self, triple: Triple) -> SharedOverlay:
        if triple not in self.base:
            super().add(triple)
        return self

    def __contains__(self, triple: object) -> bool:
        return triple in self.base or triple in self.triples


def run_batch(job: BatchJob, index: int) -> BatchResult:
    """Resolve, map, validate and write batch ``index`` of ``job.documents``."""
    started, cpu = time.perf_counter(), time.process_time()
    docs = job.documents[index * job.batch_docs:(index + 1) * job.batch_docs]
    light = LightDataset(job.iris.base)
    shared_iri = job.iris.authority_graph()
    shared = light.graphs[shared_iri] = SharedOverlay(shared_iri, job.authority.triples)
    ctx = LetterContext(iris=job.iris, corpus=job.corpus, shared=shared,  # type: ignore[arg-type]
                        numbers=job.numbers, version=job.version, notes_of=job.notes_of)
    diagnostics: list[Diagnostic] = []
    graphs: list[DocGraph] = []
    for doc in docs:
        res = resolve_document(doc, job.auth, job.finder)
        res.mentions = list(dict.fromkeys([*res.mentions, *job.cited.get(doc.key, ())]))
        res.reply = job.replies.found.get(doc.key)
        res.unlinked_reply = job.replies.refused.get(doc.key)
        job.corpus.resolutions[doc.key] = res
        diagnostics += unresolved_diagnostics(doc, res) + job.replies.diagnostics.get(doc.key, [])
        graph_iri = job.iris.graph(doc.key)
        graph = light.graph(graph_iri)
        map_document(graph, ctx, doc, graph_iri)  # type: ignore[arg-type]
        for note, event in job.notes_about.get(doc.key, ()):  # as kg.rdf.mapping.link_events_to_notes
            graph.add((note, BC.about, event))
        del job.corpus.resolutions[doc.key]
        graphs.append(DocGraph(graph_iri, job.iris.letter(doc.key), graph.triples))
    findings = validate_batch(job, light, shared_iri)
    summary = write_chunk(ChunkFiles(job.workdir, index), graphs, job.prefixes, job.slice_predicates)
    added = list(shared.triples)
    return BatchResult(summary, diagnostics, list(dict.fromkeys(ctx.problems)), findings, added,
                       time.perf_counter() - started, time.process_time() - cpu)


def validate_batch(job: BatchJob, light: LightDataset, shared_iri: URIRef) -> list[Finding]:
    """Core-constraint findings on the batch's documents (the shared graph is checked once, later)."""
    index = light_index(light, shared_iri)  # index.shared: the batch's additions only
    index.shared_by_subject = _BySubject(index.shared_by_subject, job.authority_by_subject)
    index.types = _Types(index.types, job.authority_types, job.citable)
    checks = job.checks
    if checks.rules is None:
        return pyshacl_batches(index, checks.shape_set, checks.hierarchy, BATCH_DOCS, 1)
    return confirm(index, screen(index, checks.rules, checks.hierarchy, 1), checks.shape_set, checks.hierarchy, 1)


def validate_shared(checks: Checks, shared: list[Triple]) -> list[Finding]:
    """Core-constraint findings on the shared graph (pySHACL only if the compiled rules flag it)."""
    return shared_findings(shared, checks.rules, checks.shape_set, checks.hierarchy)


def check_whole(job: BatchJob, shared: list[Triple], slices: list[Path],
                seconds: dict[str, float] | None = None) -> list[Finding]:
    """What no batch could check alone: the shared graph's core constraints, then every SPARQL
    constraint over all batches' slices (kg/validate/whole.py). ``seconds`` gets each part's time."""
    t = time.perf_counter()
    found = validate_shared(job.checks, shared)
    t2 = time.perf_counter()
    found += global_sparql_findings(slices, shared, job.iris.authority_graph(), job.checks.shape_set,
                                    job.checks.hierarchy)
    if seconds is not None:
        seconds["check: shared graph"] = t2 - t
        seconds["check: SPARQL constraints"] = time.perf_counter() - t2
    return found


class Pending:
    """``check_whole`` running in a forked child while the parent writes the dumps.

    Why: the SPARQL store and the dumps' assembly are both long and independent; on two cores
    they overlap. Without fork (or with one core) the check simply runs when asked for. The child
    answers through a pipe: if it dies (killed, out of memory), the parent gets EOF, not a hang."""

    def __init__(self, job: BatchJob, shared: list[Triple], slices: list[Path]):
        self.args = (job, shared, slices)
        self.process: multiprocessing.process.BaseProcess | None = None
        if (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.process = context.Process(target=_check_in_child, args=(self.args, sender), daemon=True)
            self.process.start()
            sender.close()

    def result(self, seconds: dict[str, float] | None = None) -> list[Finding]:
        """The findings (waiting for the child); each part's seconds into ``seconds``."""
        if self.process is None:
            return check_whole(*self.args, seconds)
        try:
            outcome, found, parts = self.receiver.recv()
        except EOFError as err:
            raise BatchError(f"the checking process died (exit code {self.process.exitcode}; killed, or out of "
                             "memory?); nothing was published") from err
        finally:
            self.close()
        if outcome == "oserror":
            raise found  # a file it could not read or write, named (kg.publish.dumps.name_the_file)
        if outcome == "raised":
            raise RuntimeError(f"the whole-dataset checks failed in their process:\n{found}")
        if seconds is not None:
            seconds.update(parts)
        return found  # type: ignore[no-any-return]

    def close(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.join()
            self.receiver.close()
            self.process = None


def _check_in_child(args: tuple[BatchJob, list[Triple], list[Path]], sender) -> None:  # noqa: ANN001
    seconds: dict[str, float] = {}
    try:
        sender.send(("done", check_whole(*args, seconds), seconds))
    except OSError as err:
        sender.send(("oserror", name_the_file(err), seconds))
    except BaseException:  # a bug: the parent re-raises it with this traceback
        sender.send(("raised", traceback.format_exc(), seconds))
    finally:
        sender.close()


_JOB: BatchJob | None = None


def _forked(index: int) -> BatchResult:
    """run_batch in a pool worker; a write error is named here, where its traceback is, before the
    pool pickles it to the parent (kg.publish.dumps.name_the_file)."""
    assert _JOB is not None
    try:
        return run_batch(_JOB, index)
    except OSError as err:
        name_the_file(err)
        raise


def run_all(job: BatchJob, workers: int = 0) -> Iterator[BatchResult]:
    """Every batch's result, in document order; batches run in ``workers`` forked processes
    (0: one per core), or in this process when there is one worker, one batch or no fork."""
    global _JOB
    workers = min(workers or os.cpu_count() or 1, job.batches)
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for i in progress(range(job.batches), "batches"):
            yield run_batch(job, i)
        return
    _JOB = job
    try:
        # Why not multiprocessing.Pool: when a worker dies (killed, out of memory) its task is lost and
        # imap waits forever; the executor raises BrokenProcessPool, and the build stops with output/ intact.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            try:
                yield from progress(pool.map(_forked, range(job.batches)), "batches", job.batches)
            except BrokenProcessPool as err:
                raise BatchError(f"a batch worker died (killed, or out of memory?) after "
                                 f"{job.batch_docs}-document batches of {len(job.documents)} documents; "
                                 "nothing was published") from err
    finally:
        _JOB = None


class BatchError(KGError):
    """The batches could not all be run (a worker process died); nothing was published."""
