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
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, URIRef

from kg import __version__
from kg.config import Settings
from kg.publish.assemble import assemble
from kg.publish.chunks import ChunkFiles, ChunkSummary, DocGraph, Triple, write_chunk
from kg.publish.ontodoc import ontology_html
from kg.publish.void import BuildInfo, void_graph
from kg.rdf.iris import Iris
from kg.rdf.light import LightDataset, light_of
from kg.rdf.mapping import PREFIXES
from kg.rdf.terms import jsonld_context

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
    for path in _staging(out, "new") + _staging(out, "old") + _staging(out, "work"):
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


def prefixes_for(settings: Settings) -> dict[str, str]:
    return {**PREFIXES, "data": settings.base_iri}


class Publication:
    """A build's scratch space while it runs: ``staging`` (the next output/) and ``workdir`` (fragments).

    Made by ``publication()``; the build writes its batches' fragments into ``workdir`` as it goes,
    then ``publish()`` joins them into ``staging``, which is swapped in when the ``with`` block ends
    normally. Any exception, or a block that never calls ``publish``, leaves output/ as it was."""

    def __init__(self, settings: Settings, staging: Path, workdir: Path):
        self.settings, self.staging, self.workdir = settings, staging, workdir
        self.info: BuildInfo | None = None

    def publish(self, summaries: list[ChunkSummary], shared_iri: URIRef, shared: list[Triple],
                started: str) -> BuildInfo:
        """Join the fragments and the shared graph into the dumps, with VoID, sources and checksums."""
        settings, staging = self.settings, self.staging
        prefixes = prefixes_for(settings)
        done = assemble(self.workdir, summaries, shared_iri, shared, staging, prefixes)
        info = BuildInfo(done.content_hash, started, now_iso(), __version__)
        (staging / "context.jsonld").write_text(json.dumps(jsonld_context(prefixes), indent=1) + "\n",
                                                encoding="utf-8")
        dumps = [staging / name for name in ("kg.ttl", "kg.nt.gz", "kg.jsonld", "kg.trig")]
        void = void_graph(settings.base_iri, done.stats, done.objects, done.graphs, dumps, info)
        (staging / "void.ttl").write_text(void.serialize(format="turtle"), encoding="utf-8")
        copy_sources(settings, staging)
        if (settings.output_dir / ".gitkeep").exists():
            (staging / ".gitkeep").touch()
        (staging / "SHA256SUMS").write_text(sha256sums(staging), encoding="utf-8")
        self.info = info
        return info

    def cancel(self) -> None:
        """Do not swap the written files in (the build found violations after writing them)."""
        self.info = None


@contextmanager
def publication(settings: Settings) -> Iterator[Publication]:
    """One build's staging and work directories next to output/, under the build lock.

    The staging directory replaces output/ atomically only if ``publish`` ran and the block ended
    without an exception; both directories are removed in every case."""
    out = Path(settings.output_dir).absolute()
    with build_lock(out):
        recover(out)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; the published directory is for every reader
        workdir = Path(tempfile.mkdtemp(prefix=f".{out.name}.work-", dir=out.parent))
        try:
            pub = Publication(settings, staging, workdir)
            yield pub
            if pub.info is not None:
                swap_in(staging, out)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
            shutil.rmtree(staging, ignore_errors=True)


def document_graphs(light: LightDataset, iris: Iris) -> list[DocGraph]:
    """The light dataset's document graphs (every graph but the authority graph), in IRI order."""
    shared = iris.authority_graph()
    return [DocGraph(name, iris.letter_of_graph(name), g.triples)
            for name, g in sorted(light.graphs.items(), key=lambda kv: str(kv[0])) if name != shared]


def write_dumps(ds: Dataset | LightDataset, settings: Settings, started: str | None = None) -> BuildInfo:
    """Publish a dataset held in memory into settings.output_dir atomically, as one batch.

    The same writer as the batched build (kg/build/pipeline.py), so a dataset gives the same files either
    way."""
    light = ds if isinstance(ds, LightDataset) else light_of(ds, settings.base_iri)
    iris = Iris(settings.base_iri)
    shared_iri = iris.authority_graph()
    shared = list(light.graphs[shared_iri].triples) if shared_iri in light.graphs else []
    with publication(settings) as pub:
        summary = write_chunk(ChunkFiles(pub.workdir, 0), document_graphs(light, iris), prefixes_for(settings), set())
        return pub.publish([summary], shared_iri, shared, started or now_iso())
