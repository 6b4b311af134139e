"""The release being served, and the swap to a new one when `kg build` publishes into output/.

Why: `kg build` replaces output/ atomically (one ``renameat2`` exchange, see ``kg.publish.dumps``),
but the store loaded the old data into memory and every ETag derives from the old version; without
a swap the server would keep answering the old release with validators that never change. So the
identity of the published files (device, inode, size and mtime of ``SHA256SUMS`` and of the data
file) is checked at most every ``Settings.release_check_interval`` seconds, on a request (two
``stat`` calls, no thread of its own). A new identity loads the new release beside the old one, in
a thread: the new store, its ``BuildInfo`` (the one version of ``kg.web.context``), then one swap
under a lock of the whole ``WebContext``, so the store, the ETags, Last-Modified and the answer
cache move together. Until then the old release answers in full.

Each request is pinned to one ``Generation`` (``environ["kg.web"]``, read by ``ctx()``): a request
that began on the old release finishes on it, with its ETags, and the old store is closed only
when its last request has finished. A release that fails to load is logged once and skipped; the
old one keeps serving.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from kg.store.files import DATA_FILES
from kg.store.types import Store
from kg.web.context import BuildInfo, WebContext, settings_for

Stat = tuple[int, int, int, int]
Identity = tuple[Stat | None, Stat | None]
log = logging.getLogger("kg.web.release")


def _stat(path: Path) -> Stat | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def identity(output_dir: Path) -> Identity:
    """What changes when a build is published into ``output_dir``: the checksum file and the data file
    the store loads (the first of ``DATA_FILES`` present), by device, inode, size and modification time."""
    data = next((found for name in DATA_FILES if (found := _stat(output_dir / name)) is not None), None)
    return (_stat(output_dir / "SHA256SUMS"), data)


@dataclass
class Generation:
    """One release as served: its context, and the requests still running on it."""

    web: WebContext
    identity: Identity
    active: int = 0
    retired: bool = False


class Releases:
    """The served ``Generation``; ``enter``/``leave`` around every request.

    ``reopen`` opens a store over ``output_dir`` as it is now, ``build`` reads its ``BuildInfo``;
    without ``reopen`` (a store given by the caller, or an external backend) the release is fixed
    for the life of the app. ``on_swap`` runs after each swap with the new context (it drops the
    answer cache and repoints the app)."""

    def __init__(self, web: WebContext, reopen: Callable[[], Store] | None, build: Callable[[], BuildInfo],
                 interval: float, on_swap: Callable[[WebContext], None]):
        self.output_dir = web.settings.output_dir
        self.current = Generation(web, identity(self.output_dir))
        self.reopen, self.build, self.interval, self.on_swap = reopen, build, max(0.0, interval), on_swap
        self.swaps = 0
        self._lock = threading.Lock()
        self._next_check = 0.0
        self._loading: threading.Thread | None = None
        self._failed: Identity | None = None

    @property
    def watching(self) -> bool:
        return self.reopen is not None

    def enter(self) -> Generation:
        """The generation this request runs on (counted until ``leave``); checks for a new release first."""
        if self.reopen is not None:
            now = time.monotonic()
            if now >= self._next_check:
                self._next_check = now + self.interval
                self.check()
        with self._lock:
            generation = self.current
            generation.active += 1
        return generation

    def leave(self, generation: Generation) -> None:
        with self._lock:
            generation.active -= 1
            close = generation.retired and generation.active == 0
        if close:
            generation.web.store.close()

    def check(self) -> bool:
        """Start loading the release in output/ when its identity is new; True when a load started."""
        seen = identity(self.output_dir)
        if seen == self.current.identity or seen == self._failed or seen[1] is None:
            return False  # unchanged, known to be broken, or output/ caught between two renames
        with self._lock:
            if self._loading is not None and self._loading.is_alive():
                return False
            self._loading = threading.Thread(target=self._load, args=(seen,), name="kg-release-load", daemon=True)
            self._loading.start()
        return True

    def wait(self, timeout: float) -> None:
        """Wait for a release being loaded (tests, and a clean stop)."""
        loading = self._loading
        if loading is not None:
            loading.join(timeout)

    def _load(self, seen: Identity) -> None:
        assert self.reopen is not None
        try:
            build = self.build()
            store = self.reopen()
        except Exception as err:  # noqa: BLE001 - a broken release must not stop the one being served
            log.error("kg: the new release in %s could not be loaded, still serving version %s: %s",
                      self.output_dir, self.current.web.build.version[:12], err)
            self._failed = seen
            return
        old = self.current.web.build
        if build.modified <= old.modified:  # rebuilt within the same second: Last-Modified must still move on
            build = replace(build, modified=old.modified + timedelta(seconds=1))
        fresh = Generation(replace(self.current.web, store=store, build=build,
                                  settings=settings_for(self.current.web.settings, build)), seen)
        with self._lock:
            previous, self.current = self.current, fresh
            previous.retired = True
            close = previous.active == 0
            self.swaps += 1
        self.on_swap(fresh.web)
        log.warning("kg: now serving release %s from %s", build.version[:12], self.output_dir)
        if close:
            previous.web.store.close()

    def close(self) -> None:
        """Stop: let a load in progress finish, then close the store of every release that replaced the
        first one (the caller that opened the first store closes it)."""
        self.wait(60)
        if self.swaps:
            self.current.web.store.close()
