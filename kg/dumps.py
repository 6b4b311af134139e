"""Stage "dump": write every published file into a fresh directory next to output/, then swap it in.

    write_dumps(ds, settings, started) -> BuildInfo

Files: kg.ttl, kg.nt.gz (sorted N-Triples, gzip mtime=0: byte-identical across builds), kg.jsonld
(compact) + context.jsonld, kg.trig (named graphs with provenance), void.ttl (VoID + DCAT, build
version), ontology/ (Turtle + index.html), shapes/, SHA256SUMS.

Why the swap: readers (the server, `kg load`, a person) must see either the previous build or the
new one, never a half-written mix, even if the build is killed. On Linux the staging directory and
output/ are exchanged with one renameat2(RENAME_EXCHANGE) call, so output/ always exists and is
complete; elsewhere two renames are used, and `recover()` puts the previous output back if a build
died between them. Leftover staging directories of killed builds are removed by the next build.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg import __version__
from kg.config import Settings
from kg.dumps_formats import (
    dataset_quads,
    jsonld_context,
    sorted_ntriples,
    write_jsonld,
    write_nt_gz,
    write_trig,
    write_turtle,
)
from kg.dumps_light import light_dump
from kg.dumps_void import BuildInfo, void_graph
from kg.light import LightDataset
from kg.mapping import PREFIXES
from kg.ontodoc import ontology_html

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2). False when the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _staging(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.{kind}-*"))


def recover(out: Path) -> None:
    """Undo what a killed build left: restore a displaced output/, remove staging directories."""
    old = _staging(out, "old")
    if not out.exists() and old:
        os.rename(old[-1], out)
    for path in _staging(out, "new") + _staging(out, "old"):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def build_lock(out: Path) -> Iterator[None]:
    """One build at a time per output directory (a flock on the parent directory: no lock file)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def swap_in(staging: Path, out: Path) -> None:
    """Make ``staging`` the new ``out``; the previous content is deleted only after the swap."""
    _fsync_tree(staging)
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old)


def sha256sums(root: Path) -> str:
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name not in ("SHA256SUMS", ".gitkeep")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(root).as_posix()}")
    return "\n".join(lines) + "\n"


def copy_sources(settings: Settings, staging: Path) -> None:
    """The ontology and shapes as published (Turtle) with the ontology's HTML documentation."""
    (staging / "ontology").mkdir()
    for path in sorted(settings.ontology_dir.glob("*.ttl")):
        shutil.copyfile(path, staging / "ontology" / path.name)
    (staging / "ontology" / "index.html").write_text(ontology_html(settings.ontology_dir), encoding="utf-8")
    (staging / "shapes").mkdir()
    for path in sorted(settings.shapes_dir.glob("*.ttl")):
        shutil.copyfile(path, staging / "shapes" / path.name)


def dump_parts(ds: Dataset | LightDataset, consume: bool) -> tuple[Iterable[ox.Quad], list[ox.Triple], int]:
    """(quads, sorted unique triples, number of named graphs); a light dataset's quads are streamed."""
    if isinstance(ds, LightDataset):
        dump = light_dump(ds, consume=consume)
        return dump.quads(), dump.triples, len(dump.graphs)
    quads, triples = dataset_quads(ds)
    return quads, triples, len({q.graph_name for q in quads})


def write_files(ds: Dataset | LightDataset, settings: Settings, staging: Path, started: str,
                consume: bool = False) -> BuildInfo:
    prefixes = {**PREFIXES, "data": settings.base_iri}
    quads, triples, n_graphs = dump_parts(ds, consume)
    nt = sorted_ntriples(triples)
    info = BuildInfo(hashlib.sha256(nt).hexdigest(), started, now_iso(), __version__)
    with ThreadPoolExecutor(1) as gzipper:  # zlib releases the GIL: level-9 gzip runs beside the other writers
        compressed = gzipper.submit(write_nt_gz, staging / "kg.nt.gz", nt)
        write_turtle(staging / "kg.ttl", triples, prefixes)
        write_trig(staging / "kg.trig", quads, prefixes)
        write_jsonld(staging / "kg.jsonld", triples, prefixes)
        compressed.result()
    (staging / "context.jsonld").write_text(json.dumps(jsonld_context(prefixes), indent=1) + "\n", encoding="utf-8")
    dumps = [staging / name for name in ("kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig")]
    void = void_graph(settings.base_iri, triples, n_graphs, dumps, info)
    (staging / "void.ttl").write_text(void.serialize(format="turtle"), encoding="utf-8")
    copy_sources(settings, staging)
    if (settings.output_dir / ".gitkeep").exists():
        (staging / ".gitkeep").touch()
    (staging / "SHA256SUMS").write_text(sha256sums(staging), encoding="utf-8")
    return info


def write_dumps(ds: Dataset | LightDataset, settings: Settings, started: str | None = None,
                consume: bool = False) -> BuildInfo:
    """Publish ``ds`` into settings.output_dir atomically; returns the build's identity.

    ``consume`` (a LightDataset only): empty it while converting, to halve the stage's peak memory."""
    out = Path(settings.output_dir).absolute()
    with build_lock(out):
        recover(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the published directory is for every reader
        try:
            info = write_files(ds, settings, staging, started or now_iso(), consume)
            swap_in(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return info
