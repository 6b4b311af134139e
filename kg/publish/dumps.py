"""Stage "dump": write every published file into a fresh directory next to output/, then swap it in.

    write_dumps(ds, settings, started) -> BuildInfo

Files: kg.ttl, kg.nt.gz (sorted N-Triples, gzip mtime=0: byte-identical across builds), kg.jsonld
(compact) + context.jsonld, kg.trig (named graphs with provenance), void.ttl (VoID + DCAT, build
version), cmif.xml and letters.csv (the letters as CMIF and as a table: kg/publish/views.py), ontology/
(Turtle + index.html), shapes/, search.sqlite (the full-text index, kg/publish/fulltext.py), SHA256SUMS.

Why the swap: readers (the server, `kg load`, a person) must see either the previous build or the
new one, never a half-written mix, even if the build is killed. On Linux the staging directory and
output/ are exchanged with one renameat2(RENAME_EXCHANGE) call, so output/ always exists and is
complete; elsewhere two renames are used, and `recover()` puts the previous output back if a build
died between them. Leftover staging directories of killed builds are removed by the next build.

Why the lock is a ``flock``: the kernel drops it when the last descriptor of it is closed, so a build
that dies (even by SIGKILL) never leaves a lock behind. Children forked while it is held close their
copy at once (``_close_lock_copies``): otherwise a child that outlived a killed build held it.

A file that cannot be written (a full or read-only disk, a file where a directory must be) ends the
``publication`` block with its OSError, named (``name_the_file``, ``write_error``): `kg build` prints one
line naming the file and the reason (kg/build/pipeline.py); output/ stays as it was and the scratch
directories are removed.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import io
import json
import linecache
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, URIRef

from kg import __version__
from kg.config import Settings
from kg.publish.assemble import assemble
from kg.publish.chunks import ChunkFiles, ChunkSummary, DocGraph, Triple, write_chunk
from kg.publish.fulltext import FILENAME, write_index
from kg.publish.ontodoc import ontology_html
from kg.publish.views import write_letter_views
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


_LOCK_FDS: set[int] = set()  # this process's build-lock descriptors


def _close_lock_copies() -> None:
    """In a freshly forked child: close the inherited lock descriptors (the parent's stay open).

    Why: a flock belongs to the open file, which a fork shares; while any child keeps its copy the
    lock is held, even after the build that took it died. Closing (not unlocking) leaves the
    parent's lock as it is."""
    for fd in _LOCK_FDS:
        try:
            os.close(fd)
        except OSError:
            pass
    _LOCK_FDS.clear()


os.register_at_fork(after_in_child=_close_lock_copies)


@contextmanager
def build_lock(out: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """One build at a time per output directory (a flock on the parent directory: no lock file).

    ``on_wait`` is called once if another build holds the lock (this one then waits for it)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.parent, os.O_RDONLY)
    _LOCK_FDS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        _LOCK_FDS.discard(fd)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        except OSError as err:  # a full disk may only say so now; fsync's error names no file
            err.filename = err.filename or str(path)
            raise
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
        self.letters_indexed = 0
        self.index_seconds = 0.0

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
        dumps += write_letter_views(staging, settings.base_iri, started)  # cmif.xml, letters.csv
        void = void_graph(settings.base_iri, done.stats, done.objects, done.graphs, dumps, info,
                          settings.publisher_name)
        (staging / "void.ttl").write_text(void.serialize(format="turtle"), encoding="utf-8")
        copy_sources(settings, staging)
        t = time.perf_counter()
        fragments = [ChunkFiles(self.workdir, s.index).path("search") for s in sorted(summaries, key=lambda s: s.index)]
        self.letters_indexed = write_index(staging / FILENAME, fragments, shared)
        self.index_seconds = time.perf_counter() - t
        if (settings.output_dir / ".gitkeep").exists():
            (staging / ".gitkeep").touch()
        (staging / "SHA256SUMS").write_text(sha256sums(staging), encoding="utf-8")
        self.info = info
        return info

    def cancel(self) -> None:
        """Do not swap the written files in (the build found violations after writing them)."""
        self.info = None


@contextmanager
def publication(settings: Settings, on_wait: Callable[[], None] | None = None) -> Iterator[Publication]:
    """One build's staging and work directories next to output/, under the build lock.

    The staging directory replaces output/ atomically only if ``publish`` ran and the block ended
    without an exception; both directories are removed in every case. ``on_wait``: see ``build_lock``."""
    out = Path(settings.output_dir).absolute()
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a directory", str(out))
    with build_lock(out, on_wait):
        recover(out)
        with _scratch(out) as (staging, workdir):
            pub = Publication(settings, staging, workdir)
            yield pub
            if pub.info is not None:
                swap_in(staging, out)


@contextmanager
def _scratch(out: Path) -> Iterator[tuple[Path, Path]]:
    """The staging and work directories next to ``out``, removed however the block ends."""
    made: list[Path] = []
    try:
        for kind in ("new", "work"):
            made.append(Path(tempfile.mkdtemp(prefix=f".{out.name}.{kind}-", dir=out.parent)))
        made[0].chmod(0o755)  # mkdtemp makes it private; the published directory is for every reader
        yield made[0], made[1]
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


# -- write errors: one line naming the file ---------------------------------------------------------

DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})  # about the disk, whatever the path


def write_error(err: OSError, out: Path) -> tuple[str, str] | None:
    """(file, reason) when ``err`` is a failure to write this build's files into ``out``'s directory:
    about the disk itself (full, read-only), or about a path there. None for anything else (a bug, an
    input file). Names the file from the traceback when the error does not (``name_the_file``)."""
    out = out.absolute()
    if not is_output_error(err, out):
        return None
    path = _shown_path(err, out)
    if err.errno in (errno.ENOTDIR, errno.EEXIST) and _is_file(path):
        return path, "not a directory"
    return path, err.strerror or str(err)


def _is_file(path: str) -> bool:
    return os.path.exists(path) and not os.path.isdir(path)


def _shown_path(err: OSError, out: Path) -> str:
    """The file named by the error; a staging directory the disk refused to create is shown as its parent."""
    path = os.fsdecode(err.filename) if err.filename is not None else str(out.parent)
    name = os.path.basename(path)
    if os.path.dirname(path) == str(out.parent) and name.startswith(f".{out.name}.") and not os.path.exists(path):
        return str(out.parent)  # mkdtemp's random name means nothing to the reader; its directory does
    return path


def is_output_error(err: OSError, out: Path) -> bool:
    """A write error of this build: about the disk itself, or about a path the build writes (the
    output's directory itself, ``out`` and what is in it, the scratch directories ``.out.*`` beside it;
    not the sources, which may stand in the same directory)."""
    name_the_file(err)
    if err.errno in DISK_ERRNOS:
        return True
    if err.filename is None:
        return False
    path = Path(os.path.abspath(os.fsdecode(err.filename)))
    if path == out.parent:
        return True
    top = path.relative_to(out.parent).parts[0] if path.is_relative_to(out.parent) else None
    return top is not None and (top == out.name or top.startswith(f".{out.name}."))


def name_the_file(err: OSError) -> OSError:
    """Give a write error the file it happened on when the system call did not say.

    Why: ``write()`` and ``close()`` fail with "No space left on device" and no file name; the file is
    the open, writable file object in the innermost frame of the traceback that has one (if it has
    several, the one the failing line calls). Call this where the traceback is (in a worker process,
    before the error is pickled to the parent)."""
    if err.filename is None and err.errno is not None:
        path = _file_in_traceback(err)
        if path is not None:
            err.filename = path
    return err


def _file_in_traceback(err: BaseException) -> str | None:
    frames = []
    tb = err.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    for frame, lineno in reversed(frames):
        files = {var: value.name for var, value in frame.f_locals.items()
                 if isinstance(value, io.IOBase) and isinstance(getattr(value, "name", None), str)
                 and any(c in getattr(value, "mode", "") for c in "wax+")}
        if len(files) == 1:
            return next(iter(files.values()))
        if files:
            line = linecache.getline(frame.f_code.co_filename, lineno)
            called = [name for var, name in files.items() if re.search(rf"\b{re.escape(var)}\.\w+\(", line)]
            if len(called) == 1:
                return called[0]
            return _one_of(sorted(files.values()))  # which one failed is unknown: name them all
    return None


def _one_of(paths: list[str]) -> str:
    """Several files as one name: ``dir/{a,b,c}`` (the shell's brace form)."""
    common = os.path.commonpath(paths)
    return f"{common}{os.sep}{{{','.join(os.path.relpath(p, common) for p in paths)}}}"


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
