"""Public API of the parser: pages -> documents + diagnostics.

``parse_pages`` splits every page, reads each chunk field by field (header, date, body, citation,
notes; one module per field family) and merges copies of the same document seen on several pages.
Anything that cannot be read unambiguously becomes a Diagnostic with file, line and document; the
other documents are always read. ``parse_sources`` adds reading files, directories and globs.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from kg.errors import Diagnostic, KGError
from kg.model import Document, Page, ParseResult
from kg.sources.document import parse_chunk, truncated
from kg.sources.merge import merge_documents
from kg.sources.read import read_pages
from kg.sources.split import split_page

__all__ = ["parse_pages", "parse_sources", "parse_chunk", "parse_page"]

T = TypeVar("T")


Part = tuple[list[Document], list[Diagnostic]]  # parse_page's results for one page or a group of pages


def parse_page(page: Page) -> Part:
    """The documents of one page, before merging, and the page's diagnostics in reading order.

    Why a function of one page: nothing here looks at other pages (copies are joined and keys given
    only by merge_documents), so pages can be read in any process; concatenating the results in page
    order gives exactly what reading them one after the other gives.
    """
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    odd: list[tuple[int, str]] = []
    chunks = split_page(page, odd)
    for chunk in chunks:
        if not chunk.lines:
            diags.append(Diagnostic(chunk.file, chunk.first_line, chunk.number, "empty-document",
                                    f"No. {chunk.number} has no text after its number line; nothing to publish",
                                    "warning"))
            continue
        doc, found = parse_chunk(chunk)
        docs.append(doc)
        diags.extend(found)
        if chunk is chunks[-1] and (cut := truncated(chunk, doc)):
            diags.append(cut)
    diags.extend(Diagnostic(page.path, line, None, "unreadable-number",
                            f"{text!r} is not an edition number (1-6 digits, a letter); no document starts here")
                 for line, text in odd)
    return docs, diags


# -------------------------------------------------------------------------- parallel reading of pages

PARALLEL_MIN_CHARS = 300_000
"""Below this much page text, pages are read in this process.

Why: a generated document is ~1,600 characters, so this is ~200 documents, ~0.1 s of parsing on one
core; forking and joining a pool of two costs a few tens of milliseconds and pickling the documents
back ~0.08 ms each, so a smaller input would not win the overhead back (at this size it is about
break-even). Tests lower it to force the pool."""

PARALLEL_MIN_PAGES_PER_WORKER = 2
"""Fewer pages than this per worker: serial. Pages are the unit of work, so with fewer a worker idles."""

GROUPS_PER_WORKER = 4
"""Contiguous groups of pages sent to the pool per worker.

Why groups, not pages: each task's result is pickled back (10k documents: 27 MB, ~0.8 s to pickle and
unpickle), and one pickle per group is cheaper than one per page; four per worker still evens out
uneven pages and lets the parent unpickle early groups while later ones are being parsed."""

Bounds = tuple[int, int]  # pages[start:end] of one group

_FORKED: list[Page] | None = None  # the pages, seen by the forked workers without being pickled


def _without_gc(fn: Callable[[], T]) -> T:
    """fn() with the cyclic garbage collector paused (and restored to what it was).

    Why: (un)pickling builds or walks ~100 objects per document, and the collections that triggers
    walk the whole heap: unpickling 10k documents took 1.9 s with the collector on, 0.3 s without.
    Pickling makes no garbage cycles, so nothing is lost by collecting afterwards instead."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return fn()
    finally:
        if enabled:
            gc.enable()


def _forked_group(bounds: Bounds) -> bytes:
    """parse_page over one group of the pages inherited at fork, pickled here for the parent.

    Pickled by hand rather than by the pool so that both ends can pause the collector (_without_gc)
    and use protocol 5; the pool then only copies bytes."""
    assert _FORKED is not None
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    for page in _FORKED[bounds[0]:bounds[1]]:
        page_docs, page_diags = parse_page(page)
        docs += page_docs
        diags += page_diags
    return _without_gc(lambda: pickle.dumps((docs, diags), protocol=5))


def groups_of(pages: list[Page], n_groups: int) -> list[Bounds]:
    """At most n_groups contiguous, non-empty runs of pages with about the same amount of text each.

    Why by text and not by page count: per-letter copies and introduction pages are a fraction of a
    20-document page, and the work follows the text."""
    n_groups = max(1, min(n_groups, len(pages)))
    total = sum(len(p.text) for p in pages)
    bounds: list[Bounds] = []
    start, done = 0, 0
    for i, page in enumerate(pages):
        done += len(page.text)
        left_pages, left_groups = len(pages) - i - 1, n_groups - len(bounds) - 1
        if left_groups and (done * n_groups >= total * (len(bounds) + 1) or left_pages == left_groups):
            bounds.append((start, i + 1))
            start = i + 1
    bounds.append((start, len(pages)))
    return [b for b in bounds if b[0] < b[1]]


def _workers(workers: int | None) -> int:
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def _parallel(pages: list[Page], workers: int) -> bool:
    """Whether a forked pool pays (see PARALLEL_MIN_CHARS) and can run here at all.

    A daemonic process (itself a pool worker) may not have children; without fork the pages would
    have to be pickled to every worker, which costs about what parsing them does."""
    return (workers > 1
            and len(pages) >= PARALLEL_MIN_PAGES_PER_WORKER * workers
            and sum(len(p.text) for p in pages) >= PARALLEL_MIN_CHARS
            and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _open_pool(processes: int) -> ProcessPoolExecutor:
    """The forked pool (one seam, so tests can see that it was used).

    Why an executor, not multiprocessing.Pool: if a worker dies (killed, out of memory) Pool loses its
    task and waits forever; the executor raises BrokenProcessPool, reported below as a KGError."""
    return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))


def _read_parallel(pages: list[Page], workers: int) -> Iterator[Part]:
    """parse_page results group by group, in page order, from a forked pool of ``workers`` processes."""
    global _FORKED
    groups = groups_of(pages, workers * GROUPS_PER_WORKER)
    _FORKED = pages
    try:
        with _open_pool(min(workers, len(groups))) as pool:
            try:
                for data in pool.map(_forked_group, groups):
                    yield _without_gc(lambda data=data: pickle.loads(data))
            except BrokenProcessPool as err:
                raise KGError(f"a worker reading pages died (killed, or out of memory?) while reading "
                              f"{len(pages)} pages; nothing was published") from err
    finally:
        _FORKED = None


def parse_pages(pages: list[Page], workers: int | None = None) -> ParseResult:
    """Documents of all pages (copies merged, keys assigned) and every diagnostic, in page order.

    ``workers``: processes to read pages in (default: one per core). Large inputs are read by a forked
    pool, groups of pages at a time; small ones (PARALLEL_MIN_CHARS), ``workers=1`` and platforms
    without fork read serially. Either way the merge runs once, here, over all pages in page order,
    so the result is the same document for document and diagnostic for diagnostic.
    """
    n = _workers(workers)
    parts = _read_parallel(pages, n) if _parallel(pages, n) else map(parse_page, pages)
    docs: list[Document] = []
    diags: list[Diagnostic] = []
    for part_docs, part_diags in parts:
        docs += part_docs
        diags += part_diags
    merged, merge_diags = merge_documents(docs, diags)
    return ParseResult(documents=merged, diagnostics=merge_diags)


def parse_sources(sources: list[str], workers: int | None = None) -> ParseResult:
    """Read files/directories/globs (SourceError if a path is missing) and parse them (see parse_pages)."""
    pages, read_diags = read_pages(sources)
    result = parse_pages(pages, workers)
    result.diagnostics = read_diags + result.diagnostics
    return result
