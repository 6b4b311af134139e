"""Write what `kg load` would send as gzipped N-Quads files, for a store's own bulk loader (`kg load --to-files`).

Why: `kg load` sends one request per document graph. At 100,000 letters that is ~100,400 requests, and a
store that pays a fixed cost per request (Virtuoso's Graph Store PUT: 46 requests/s falling to 18 as its
database grows) takes hours. Every store has a bulk loader that reads files from its own disk instead
(Virtuoso's ``ld_dir`` / ``rdf_loader_run``, Oxigraph's ``oxigraph load``, Fuseki's ``tdb2.tdbloader``).

The files are a view of ``kg.store.load.store_batches``, the same batches `kg load` sends, in the same
order: the build's graphs, the collection's union copy, its list of graphs, and the build's default
graph under the collection's name if it has one. Each quad is one line ``<s> <p> <o> <g> .``; a batch
is never split across two files. Two differences from sending, both of the format: a file's graphs are
added, not replaced (load into an empty store, or drop the graphs first), and a blank node label is one
node across a whole file (in its graph and in the union copy alike), where two requests would make two.

Written atomically: each file under a hidden ``.partial`` name, renamed once every file is complete
(the older ``kg-*.nq.gz`` of the folder removed then); a failure removes what it wrote and leaves the
folder as it was.
"""

from __future__ import annotations

import gzip
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from kg.store.load import Collection, Counts, GraphBatch, dataset_file, store_batches

PATTERN = "kg-*.nq.gz"  # what a bulk loader is pointed at (Virtuoso: ld_dir(dir, 'kg-*.nq.gz', ...))
QUADS_PER_FILE = 5_000_000  # several files: a bulk loader can read them in parallel
COMPRESS_LEVEL = 1  # gzip's fastest: the files are read once, by a loader on the same machine


@dataclass
class FilesSummary(Counts):
    """What `kg load --to-files` wrote."""

    folder: Path = Path()
    files: list[Path] = field(default_factory=list)
    quads: int = 0  # every line written
    seconds: float = 0.0
    collection: Collection = field(default_factory=Collection)

    def __str__(self) -> str:
        return (f"wrote {self.quads:,} quads in {len(self.files)} files ({self.folder / PATTERN}) in "
                f"{self.seconds:.1f} s: {self.graphs:,} graphs, {self.triples:,} triples, the union copy "
                f"<{self.collection.union}> ({self.union_triples:,} triples) and the list of graphs "
                f"<{self.collection.catalog}>\n"
                f"load them into an empty store with its bulk loader (docs/external-stores.md), e.g. Virtuoso: "
                f"ld_dir('{self.folder}', '{PATTERN}', '{self.collection.default}'); rdf_loader_run(); checkpoint;")


def nquads(batch: GraphBatch) -> str:
    """The batch's N-Triples lines (``<s> <p> <o> .``) as N-Quads lines in its graph."""
    graph = f"<{batch.graph}> .\n"
    return "".join(line[:-1] + graph for line in batch.lines)


class _Files:
    """The files being written: a new one once the current holds ``per_file`` quads."""

    def __init__(self, folder: Path, per_file: int) -> None:
        self.folder, self.per_file = folder, per_file
        self.partial: list[Path] = []
        self.current: IO[bytes] | None = None
        self.in_current = 0

    def write(self, text: str, quads: int) -> None:
        if self.current is None or self.in_current >= self.per_file:
            self.close()
            path = self.folder / f".kg-{len(self.partial) + 1:05d}.nq.gz.partial"
            self.partial.append(path)
            self.current, self.in_current = gzip.open(path, "wb", compresslevel=COMPRESS_LEVEL), 0
        self.current.write(text.encode("utf-8"))
        self.in_current += quads

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def publish(self) -> list[Path]:
        """Replace the folder's older files by the new ones (renamed from their partial names)."""
        self.close()
        for old in self.folder.glob(PATTERN):
            old.unlink()
        done = [path.with_name(path.name[1:].removesuffix(".partial")) for path in self.partial]
        for path, final in zip(self.partial, done, strict=True):
            path.rename(final)
        return done

    def discard(self) -> None:
        self.close()
        for path in self.partial:
            path.unlink(missing_ok=True)


def write_files(data_dir: Path, folder: Path, collection: Collection | None = None,
                per_file: int = QUADS_PER_FILE) -> FilesSummary:
    """Write the batches `kg load` would send for the build in ``data_dir`` as ``folder/kg-NNNNN.nq.gz``."""
    collection = collection or Collection()
    path = dataset_file(data_dir)
    summary = FilesSummary(folder=folder, collection=collection)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    files = _Files(folder, per_file)
    started = time.monotonic()
    try:
        for batch in store_batches(path, collection):
            files.write(nquads(batch), len(batch.lines))
            summary.quads += len(batch.lines)
            summary.add(batch)
        summary.files = files.publish()
    except BaseException:
        files.discard()
        if created:
            folder.rmdir()
        raise
    summary.seconds = time.monotonic() - started
    return summary
