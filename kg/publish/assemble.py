"""The published dump files, joined from the batches' fragments (kg/publish/chunks.py) and the shared block.

    result = assemble(workdir, summaries, shared, staging, prefixes)

    kg.nt.gz   every batch's sorted lines and the shared block's, merged by ``sort -m -u`` (C, bounded
               memory) into one sorted, duplicate-free N-Triples stream, hashed (the build's content
               hash) and gzipped in blocks on both cores
    kg.ttl     the prefix lines, the shared block's Turtle, then each batch's local Turtle
    kg.trig    the prefix lines, the shared graph (authority + non-local triples), then each batch's graphs
    kg.jsonld  one @graph: the shared block's node objects, then each batch's

The shared block is the authority graph plus every non-local triple the batches sent back, deduped
here: the only part of the graph the main process holds. Why ``sort``: merging a hundred sorted
files of 25 MB line by line in Python costs ~20 s at 100k letters; coreutils' merge is C and
streams (a Python merge is the fallback where ``sort`` is missing).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import os
import shutil
import subprocess
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.publish.chunks import (
    ChunkFiles,
    ChunkSummary,
    Row,
    Statistics,
    Triple,
    Writers,
    subject_groups,
    write_turtle_blocks,
)
from kg.rdf.terms import jsonld_context

BLOCK = 8 << 20  # bytes per gzip member: big enough for level 6 to compress as one stream would
GZIP_LEVEL = 5  # on 10k letters: level 6 takes 22 % more time for 6 % smaller files, level 9 2.8x for 14 %


@dataclass
class Assembled:
    """What the VoID description needs from the joined dumps."""

    content_hash: str  # SHA-256 of the uncompressed, sorted N-Triples
    stats: Statistics  # over the union of all graphs
    objects: int  # distinct objects in the union
    graphs: int  # named graphs (documents + the authority graph)


def assemble(workdir: Path, summaries: list[ChunkSummary], shared_iri: URIRef, shared: list[Triple],
             staging: Path, prefixes: dict[str, str]) -> Assembled:
    """Write kg.nt.gz, kg.ttl, kg.trig and kg.jsonld into ``staging``."""
    chunks = [ChunkFiles(workdir, s.index) for s in sorted(summaries, key=lambda s: s.index)]
    w = Writers(prefixes)
    text = w.nt
    shared_rows = sorted({(text(s), text(p), text(o)) for s, p, o in shared})
    block_lines = shared_block(shared_rows, summaries)
    write_lines(workdir / "shared.nt", block_lines)
    write_lines(workdir / "obj-shared.txt", sorted({line_object(line) + "\n" for line in block_lines}))
    block_rows = [row_of(line) for line in block_lines]
    with ThreadPoolExecutor(2) as side:  # beside the N-Triples merge, which is the longest part
        objects = side.submit(lambda: count_lines(merged([c.path("obj") for c in chunks]
                                                          + [workdir / "obj-shared.txt"], workdir)))
        stats = side.submit(write_text_dumps, staging, chunks, shared_iri, shared_rows, block_rows, w, prefixes)
        content_hash = write_nt_gz(staging / "kg.nt.gz", [c.path("all") for c in chunks] + [workdir / "shared.nt"],
                                   workdir)
        result = Assembled(content_hash, stats.result(), objects.result(), sum(s.graphs for s in summaries) + 1)
    for summary in summaries:
        result.stats.add(summary.local)
    return result


def write_text_dumps(staging: Path, chunks: list[ChunkFiles], shared_iri: URIRef, shared_rows: list[Row],
                     block_rows: list[Row], w: Writers, prefixes: dict[str, str]) -> Statistics:
    """kg.ttl, kg.trig, kg.jsonld: the shared block, then every batch's fragment; the block's figures."""
    stats = Statistics()
    text = w.nt
    with (staging / "kg.ttl").open("w", encoding="utf-8") as out:
        out.write(w.turtle.header())
        for subject, group in subject_groups(block_rows):
            out.write(w.subject_block(subject, group))
            stats.count(group)
        out.flush()
        concat(out.buffer, [c.path("ttl") for c in chunks])
    with (staging / "kg.trig").open("w", encoding="utf-8") as out:
        out.write(w.turtle.header())
        out.write(f"{w.turtle(text(shared_iri))} {{\n")
        write_turtle_blocks(out, block_rows, w)  # the authority graph and the non-local triples, once
        out.write("}\n")
        out.flush()
        concat(out.buffer, [c.path("trig") for c in chunks])
    write_jsonld(staging / "kg.jsonld", [w.json.node(s, g) for s, g in subject_groups(block_rows)],
                 [c.path("jsonld") for c in chunks], prefixes)
    return stats


def shared_block(shared_rows: list[Row], summaries: list[ChunkSummary]) -> list[str]:
    """The authority graph's lines and the batches' non-local lines: unique and sorted."""
    lines = {f"{s} {p} {o} .\n" for s, p, o in shared_rows}
    for summary in summaries:
        lines.update(summary.nonlocal_lines)
    return sorted(lines)


def row_of(line: str) -> Row:
    """An N-Triples line as (subject, predicate, object) text (subject and predicate have no spaces)."""
    s, p, rest = line.split(" ", 2)
    return s, p, rest[:-3]


def line_object(line: str) -> str:
    """The object of an N-Triples line (subject and predicate are IRIs: no spaces inside)."""
    return line.split(" ", 2)[2][:-3]


def write_lines(path: Path, lines: list[str]) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(lines)


def concat(out, paths: list[Path]) -> None:  # noqa: ANN001 - a binary file
    for path in paths:
        with path.open("rb") as part:
            shutil.copyfileobj(part, out, 1 << 20)


def write_jsonld(path: Path, block_nodes: list[str], fragments: list[Path], prefixes: dict[str, str]) -> None:
    """Compact JSON-LD, {"@context": {...}, "@graph": [...]}: the block's nodes, then every fragment."""
    with path.open("w", encoding="utf-8") as out:
        out.write('{"@context": ' + json.dumps(jsonld_context(prefixes)["@context"], ensure_ascii=False))
        out.write(',\n "@graph": [')
        first = True
        for node in block_nodes:
            out.write(("\n  " if first else ",\n  ") + node)
            first = False
        for fragment in fragments:
            with fragment.open("r", encoding="utf-8") as part:
                head = part.read(1)
                if not head:
                    continue
                out.write(("\n  " if first else ",\n  ") + head)
                shutil.copyfileobj(part, out, 1 << 20)
                first = False
        out.write("\n ]\n}\n")


def merged(paths: list[Path], workdir: Path) -> Iterator[bytes]:
    """The sorted union (duplicates dropped) of sorted line files, as blocks of bytes."""
    sort = shutil.which("sort")
    if sort is None:
        yield from _python_merge(paths)
        return
    env = {**os.environ, "LC_ALL": "C"}  # byte order: the order Python sorts our lines in
    batch = max(16, min(len(paths) + 1, 500))  # more inputs than that: sort merges through temp files in workdir
    cmd = [sort, "-m", "-u", f"--batch-size={batch}", "-T", str(workdir), "-S", "64M",
           *map(str, paths)]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:
        assert proc.stdout is not None
        while block := proc.stdout.read(BLOCK):
            yield block
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        if proc.wait() != 0:
            raise OSError(f"sort -m failed merging {len(paths)} files in {workdir}: {err.strip()}")


def _python_merge(paths: list[Path]) -> Iterator[bytes]:
    files = [p.open("rb") for p in paths]
    try:
        out: list[bytes] = []
        size, last = 0, None
        for line in heapq.merge(*files):
            if line == last:
                continue
            last = line
            out.append(line)
            size += len(line)
            if size >= BLOCK:
                yield b"".join(out)
                out, size = [], 0
        if out:
            yield b"".join(out)
    finally:
        for f in files:
            f.close()


def count_lines(blocks: Iterator[bytes]) -> int:
    return sum(block.count(b"\n") for block in blocks)


def _gzip_member(data: bytes) -> bytes:
    """One complete gzip member (mtime 0, no name: the bytes depend on the content only)."""
    c = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def write_nt_gz(path: Path, sorted_files: list[Path], workdir: Path) -> str:
    """Merge into kg.nt.gz; return the SHA-256 of the uncompressed stream.

    Why blocks of gzip members: zlib releases the GIL, so two threads compress two blocks at once
    (the merge runs in its own process); a multi-member gzip file is one stream to gzip, zcat and
    Python's gzip module. Blocks are cut at fixed sizes of the stream, so the bytes are the same
    on every build of the same data."""
    digest = hashlib.sha256()
    pending: list[Future[bytes]] = []
    buffer = bytearray()
    with path.open("wb") as out, ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        def submit(data: bytes) -> None:
            pending.append(pool.submit(_gzip_member, data))
            while len(pending) > 4:
                out.write(pending.pop(0).result())

        for block in merged(sorted_files, workdir):
            digest.update(block)
            buffer += block
            while len(buffer) >= BLOCK:
                submit(bytes(buffer[:BLOCK]))
                del buffer[:BLOCK]
        if buffer or not pending:
            submit(bytes(buffer))
        for future in pending:
            out.write(future.result())
    return digest.hexdigest()
