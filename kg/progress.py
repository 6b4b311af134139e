"""Progress bars for long build stages, on a terminal only.

    for doc in progress(documents, "resolving"):
        ...

Why home-made: one line on stderr, redrawn at most ten times a second, is all a 100k-letter build
needs; pipes, CI logs and tests (stderr not a TTY, or CI set) get nothing, so their output stays
byte-for-byte what it was.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

T = TypeVar("T")
WIDTH = 30


def enabled(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    return stream.isatty() and not os.environ.get("CI")


class Bar:
    """One stage's bar: label, done/total, rate; a no-op when disabled."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.on = enabled(self.stream)
        self.start = self.last = time.perf_counter()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.perf_counter()
        if self.on and now - self.last >= 0.1:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        rate = self.done / max(now - self.start, 1e-9)
        if self.total:
            filled = int(WIDTH * min(self.done, self.total) / self.total)
            bar = f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}"
        else:
            bar = f"{self.done}"
        self.stream.write(f"\r  {self.label}: {bar} ({rate:,.0f}/s)\033[K")
        self.stream.flush()

    def close(self) -> None:
        if self.on:
            self._draw(time.perf_counter())
            self.stream.write("\n")
            self.stream.flush()


def progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items`` unchanged, drawing a bar on a terminal."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    bar = Bar(label, total)
    try:
        for item in items:
            yield item
            bar.advance()
    finally:
        bar.close()
