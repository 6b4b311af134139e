"""/dumps/: the files of output/ with sizes and SHA-256 checksums; /.well-known/void: the VoID/DCAT;
/cmif.xml and /letters.csv: the letter views of the build (the same files as under /dumps/).

Every file of the release is served at the path SHA256SUMS lists it under (``/dumps/ontology/vocab.ttl``
too), so ``sha256sum -c SHA256SUMS`` passes in a folder of downloads. Each download carries
``Repr-Digest: sha-256=:<base64>:`` (RFC 9530) from SHA256SUMS, and the page names the build's
version. Only regular files found in output/ (and its folders) are served (a name is looked up in
the listing, never joined onto a path), so ``../`` or an encoded slash cannot reach anything else:
it is a 404. ``.gz`` files
are served as ``application/gzip`` (RFC 6713), not as RDF with ``Content-Encoding: gzip``: the
latter makes browsers and HTTP clients unpack the download silently, so the bytes on disk would no
longer match SHA256SUMS.

Only regular files count: a symbolic link in output/ (file or folder) is neither listed nor served
(it could point anywhere on the machine), and a download is opened folder by folder with
``O_NOFOLLOW`` so a file or folder swapped for a link after the listing is refused too. A damaged
build degrades instead of failing: a malformed or
unreadable SHA256SUMS leaves the files concerned without a checksum (the listing says why) and the
downloads still work; an unreadable void.ttl is a 503 naming the file, in the usual error shape.
"""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file
from rdflib import Graph
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from kg.store.formats import RDF_FORMATS, Format
from kg.web.conneg import HTML, content_type, negotiate
from kg.web.context import ctx, read_checksums

bp = Blueprint("dumps", __name__)
MEDIA_TYPES = {".ttl": "text/turtle", ".trig": "application/trig", ".nt": "application/n-triples",
               ".nq": "application/n-quads", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml",
               ".html": "text/html", ".gz": "application/gzip", ".json": "application/json",
               ".csv": "text/csv", ".txt": "text/plain", ".md": "text/markdown"}
JSON_LISTING = Format("json", "application/json")


@dataclass(frozen=True)
class DumpFile:
    name: str
    size: int
    sha256: str | None
    media_type: str


def media_type(name: str) -> str:
    if name == "SHA256SUMS":
        return "text/plain"
    if name == "cmif.xml":  # TEI (RFC 6129), the letters in CMIF
        return "application/tei+xml"
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


MAX_DEPTH = 2  # output/ and its folders (ontology/, shapes/); nothing the build writes is deeper


def _regular_files(out: Path, prefix: str = "", depth: int = 0) -> list[tuple[str, os.DirEntry]]:
    """(relative path, entry) of the regular files in ``out`` and its folders (symbolic links and
    hidden names left out), by path."""
    found: list[tuple[str, os.DirEntry]] = []
    with os.scandir(out) as entries:
        for e in entries:
            if e.name.startswith("."):
                continue
            if e.is_file(follow_symlinks=False):
                found.append((prefix + e.name, e))
            elif e.is_dir(follow_symlinks=False) and depth + 1 < MAX_DEPTH:
                found += _regular_files(Path(e.path), f"{prefix}{e.name}/", depth + 1)
    return sorted(found, key=lambda item: item[0])


@dataclass(frozen=True)
class Listing:
    files: list[DumpFile]
    problems: tuple[str, ...] = ()


def listing() -> Listing:
    out = ctx().settings.output_dir
    if not out.is_dir():
        return Listing([])
    sums = read_checksums(out)
    files = [DumpFile(name, e.stat(follow_symlinks=False).st_size, sums.digests.get(name), media_type(name))
             for name, e in _regular_files(out)]
    unlisted = [f.name for f in files if f.sha256 is None and f.name != "SHA256SUMS"]
    problems = sums.problems + ((f"no checksum for {', '.join(unlisted)}",) if sums.problems and unlisted else ())
    return Listing(files, problems)


@bp.route("/dumps/")
def index() -> Response:
    found = listing()
    fmt = negotiate((HTML, JSON_LISTING))
    if fmt is JSON_LISTING:
        body: dict[str, object] = {"version": ctx().build.version,
                                   "files": [f.__dict__ | {"url": f"/dumps/{f.name}"} for f in found.files]}
        if found.problems:
            body["checksum_problems"] = list(found.problems)
        response = jsonify(body)
    else:
        response = Response(render_template("dumps.html", files=found.files, problems=found.problems,
                                            version=ctx().build.version), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def _open_regular(out: Path, name: str) -> tuple[BinaryIO, os.stat_result] | None:
    """``out/name`` opened without following a symbolic link at any step (each folder is opened with
    ``O_NOFOLLOW``, the next name relative to it); None when it is not (or no longer) a regular file."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    *folders, leaf = name.split("/")
    try:
        parent = os.open(out, os.O_RDONLY | os.O_DIRECTORY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        for folder in folders:
            inner = os.open(folder, flags | os.O_DIRECTORY, dir_fd=parent)
            os.close(parent)
            parent = inner
        fd = os.open(leaf, flags, dir_fd=parent)
    except OSError:
        return None
    finally:
        os.close(parent)
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb"), info


def repr_digest(hex_sha256: str) -> str:
    """The RFC 9530 ``Repr-Digest`` field value: the digest's bytes in base64, as a byte sequence."""
    return f"sha-256=:{base64.b64encode(bytes.fromhex(hex_sha256)).decode()}:"


@bp.route("/dumps/<path:name>", merge_slashes=False)  # an encoded slash is a 404, not a redirect
def download(name: str) -> Response:
    match = next((f for f in listing().files if f.name == name), None)
    opened = _open_regular(ctx().settings.output_dir, match.name) if match else None
    if match is None or opened is None:
        abort(404, f"No file {name!r} in the dumps; the list is at /dumps/.")
    handle, info = opened
    response = send_file(handle, mimetype=match.media_type, conditional=False,
                         download_name=match.name.rsplit("/", 1)[-1],
                         as_attachment=False, etag=f"{info.st_mtime_ns:x}-{info.st_size:x}",
                         last_modified=int(info.st_mtime))
    response.content_length = info.st_size  # from the open file: send_file knows sizes only of paths
    try:
        response = response.make_conditional(request, accept_ranges=True, complete_length=info.st_size)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if match.sha256:  # of the whole file, also on a 206: Repr-Digest is about the representation
        response.headers["Repr-Digest"] = repr_digest(match.sha256)
    return response


@bp.route("/cmif.xml")
@bp.route("/letters.csv")
def letter_view() -> Response:
    """The letters as CMIF (the address to register with correspSearch) and as a table, at the root too."""
    return download(request.path.lstrip("/"))


@bp.route("/.well-known/void")
def void() -> Response:
    path = ctx().settings.output_dir / "void.ttl"
    if path.is_symlink() or not path.is_file():
        abort(404, "This build has no void.ttl; run `kg build` to publish one.")
    fmt = negotiate(RDF_FORMATS)
    graph = _void_graph(path)
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    response = Response(graph.serialize(format=rdflib_name, encoding="utf-8"), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    response.last_modified = ctx().build.modified
    response.set_etag(f"{ctx().build.version}-void-{fmt.name}")
    return response.make_conditional(request)


def _void_graph(path: Path) -> Graph:
    """The build's VoID; a file that cannot be read or parsed is a 503 that names it (logged once per
    request as one line, no traceback: it is the build that is broken, not this code)."""
    try:
        return Graph(bind_namespaces="core").parse(path, format="turtle")  # keep void.ttl's schema: prefix
    except Exception as err:  # noqa: BLE001 - rdflib raises many types for a broken file
        reason = " ".join(str(err).split())[:300] or type(err).__name__
        current_app.logger.error("%s: cannot be read: %s", path, reason)
        abort(503, f"The dataset description of this build (void.ttl) cannot be read: {reason}. "
                   "The data files are listed at /dumps/.")
