"""Parsing pages in a forked pool gives exactly what parsing them one after the other gives.

Why exact equality: the build publishes whatever parse returns, and diagnostics are the user's only
view of what was not read, so the parallel path must not change a field, a key or the order of a
single diagnostic. Every comparison runs the pool for real (workers=2, fork) and checks through the
kg.sources.parse._open_pool seam that it did, rather than trusting timings.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

import kg.sources.parse as parse
from kg.devtools.generate import write_corpus
from kg.errors import KGError
from kg.model import Page, ParseResult
from kg.sources.parse import groups_of, parse_pages, parse_sources
from kg.sources.read import read_pages
from kg.sources.records_json import document_to_json

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
BAD = ROOT / "tests" / "data" / "bad"


@pytest.fixture
def pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process count of every pool kg.sources.parse opens during the test (empty: everything was serial)."""
    opened: list[int] = []
    real = parse._open_pool

    def spy(processes: int) -> parse.ProcessPoolExecutor:
        opened.append(processes)
        return real(processes)

    monkeypatch.setattr(parse, "_open_pool", spy)
    return opened


@pytest.fixture
def any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs of any size go to the pool, so the small corpora below exercise it too."""
    monkeypatch.setattr(parse, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(parse, "PARALLEL_MIN_PAGES_PER_WORKER", 0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """~600 documents with the collection's extras: per-letter copies that merge with their originals."""
    out = tmp_path_factory.mktemp("generated")
    return [str(p) for p in write_corpus(out, 600, seed=7, extras=True)]


def assert_same(serial: ParseResult, parallel: ParseResult) -> None:
    """Field by field: the published records, then the dataclasses, then diagnostics in order."""
    assert [document_to_json(d) for d in parallel.documents] == [document_to_json(d) for d in serial.documents]
    assert parallel.documents == serial.documents
    assert parallel.diagnostics == serial.diagnostics


def test_bundled_corpus(pools: list[int], any_size: None) -> None:
    serial = parse_sources([str(CORPUS)], workers=1)
    assert pools == []
    parallel = parse_sources([str(CORPUS)], workers=2)
    assert pools, "the pool was not used"
    assert serial.documents
    assert_same(serial, parallel)


def test_generated_corpus_goes_parallel_at_the_default_threshold(pools: list[int], generated: list[str]) -> None:
    serial = parse_sources(generated, workers=1)
    parallel = parse_sources(generated, workers=2)
    assert pools == [2]
    assert len(serial.documents) == 600
    assert_same(serial, parallel)


def test_copies_on_pages_of_different_groups_are_merged_as_serially(generated: list[str]) -> None:
    """The merge is global: a letter and its per-letter copy read by different workers still become one."""
    pages, _ = read_pages(generated)
    group_of = {pages[i].path: g for g, (start, end) in enumerate(groups_of(pages, 2 * parse.GROUPS_PER_WORKER))
                for i in range(start, end)}
    merged = parse_pages(pages, workers=2).documents
    assert any(len({group_of[p] for p in doc.pages}) > 1 for doc in merged), "no copy crosses a group boundary"


def test_bad_input_diagnostics_are_identical(pools: list[int], any_size: None) -> None:
    sources = [str(BAD)]
    serial = parse_sources(sources, workers=1)
    parallel = parse_sources(sources, workers=2)
    assert pools == [2]
    assert {d.code for d in serial.diagnostics} >= {"duplicate-number", "truncated-page", "impossible-date"}
    assert [(d.file, d.line, d.document, d.code, d.severity, d.message) for d in parallel.diagnostics] == [
        (d.file, d.line, d.document, d.code, d.severity, d.message) for d in serial.diagnostics]
    assert_same(serial, parallel)


def test_everything_at_once(pools: list[int], any_size: None, generated: list[str]) -> None:
    """All three corpora in one run: many groups, and pages of every kind next to each other."""
    sources = [str(CORPUS), str(BAD), *generated]
    serial = parse_sources(sources, workers=1)
    parallel = parse_sources(sources, workers=2)
    assert pools == [2]
    assert_same(serial, parallel)


def test_serial_for_one_worker_small_input_and_no_fork(pools: list[int], generated: list[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    parse_sources(generated, workers=1)
    parse_sources([str(CORPUS)], workers=2)  # one page, far below the threshold
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    result = parse_sources(generated, workers=2)
    assert pools == []
    assert len(result.documents) == 600


def test_groups_are_contiguous_balanced_and_cover_every_page() -> None:
    pages = [Page(f"p{i}", "x" * n) for i, n in enumerate([10, 1, 1, 10, 10, 1, 10, 10, 1, 1])]
    for n in range(1, 13):
        groups = groups_of(pages, n)
        assert 1 <= len(groups) <= n
        assert groups[0][0] == 0 and groups[-1][1] == len(pages)
        assert all(a < b == c for (a, b), (c, _) in zip(groups, groups[1:], strict=False))
        assert all(start < end for start, end in groups)
    assert len(groups_of(pages, 4)) == 4
    assert groups_of(pages, 2) == [(0, 5), (5, 10)]  # 22 and 23 characters


def test_a_dead_page_worker_is_an_error_not_a_hang(generated: list[str], pools: list[int], any_size: None,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed while reading pages (out of memory, kill -9) stops the parse with a clear error."""
    real = parse.parse_page

    def dies_in_a_worker(page: Page):  # noqa: ANN202 - stands in for parse_page
        if multiprocessing.parent_process() is not None:  # only in the forked readers
            os.kill(os.getpid(), signal.SIGKILL)
        return real(page)

    monkeypatch.setattr(parse, "parse_page", dies_in_a_worker)
    with pytest.raises(KGError, match="a worker reading pages died"):
        parse_sources(generated, workers=2)
    assert pools == [2]
