"""/dumps/: the files of output/ with sizes and SHA-256 checksums; /.well-known/void: the VoID/DCAT;
/cmif.xml and /letters.csv: the letter views of the build (the same files as under /dumps/).

Only regular files listed in output/ are served (a name is looked up in the listing, never joined
onto a path), so ``../`` or an encoded slash cannot reach anything else: it is a 404. ``.gz`` files
are served as ``application/gzip`` (RFC 6713), not as RDF with ``Content-Encoding: gzip``: the
latter makes browsers and HTTP clients unpack the download silently, so the bytes on disk would no
longer match SHA256SUMS.

Only regular files count: a symbolic link in output/ is neither listed nor served (it could point
anywhere on the machine), and a download is opened with ``O_NOFOLLOW`` so a file swapped for a link
after the listing is refused too. A damaged build degrades instead of failing: a malformed or
unreadable SHA256SUMS leaves the files concerned without a checksum (the listing says why) and the
downloads still work; an unreadable void.ttl is a 503 naming the file, in the usual error shape.
"""

from __future__ import annotations

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


def _regular_files(out: Path) -> list[os.DirEntry]:
    """The regular files directly in ``out`` (symbolic links and hidden files left out), by name."""
    with os.scandir(out) as entries:
        return sorted((e for e in entries if e.is_file(follow_symlinks=False) and not e.name.startswith(".")),
                      key=lambda e: e.name)


@dataclass(frozen=True)
class Listing:
    files: list[DumpFile]
    problems: tuple[str, ...] = ()


def listing() -> Listing:
    out = ctx().settings.output_dir
    if not out.is_dir():
        return Listing([])
    sums = read_checksums(out)
    files = [DumpFile(e.name, e.stat(follow_symlinks=False).st_size, sums.digests.get(e.name), media_type(e.name))
             for e in _regular_files(out)]
    unlisted = [f.name for f in files if f.sha256 is None and f.name != "SHA256SUMS"]
    problems = sums.problems + ((f"no checksum for {', '.join(unlisted)}",) if sums.problems and unlisted else ())
    return Listing(files, problems)


@bp.route("/dumps/")
def index() -> Response:
    found = listing()
    fmt = negotiate((HTML, JSON_LISTING))
    if fmt is JSON_LISTING:
        body: dict[str, object] = {"files": [f.__dict__ | {"url": f"/dumps/{f.name}"} for f in found.files]}
        if found.problems:
            body["checksum_problems"] = list(found.problems)
        response = jsonify(body)
    else:
        response = Response(render_template("dumps.html", files=found.files, problems=found.problems),
                            mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


def _open_regular(path: Path) -> tuple[BinaryIO, os.stat_result] | None:
    """The file opened without following a symbolic link; None when it is not (or no longer) a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return None
    return os.fdopen(fd, "rb"), info


@bp.route("/dumps/<name>")
def download(name: str) -> Response:
    match = next((f for f in listing().files if f.name == name), None)
    opened = _open_regular(ctx().settings.output_dir / match.name) if match else None
    if match is None or opened is None:
        abort(404, f"No file {name!r} in the dumps; the list is at /dumps/.")
    handle, info = opened
    response = send_file(handle, mimetype=match.media_type, conditional=False, download_name=match.name,
                         as_attachment=False, etag=f"{info.st_mtime_ns:x}-{info.st_size:x}",
                         last_modified=int(info.st_mtime))
    response.content_length = info.st_size  # from the open file: send_file knows sizes only of paths
    try:
        response = response.make_conditional(request, accept_ranges=True, complete_length=info.st_size)
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if match.sha256:
        response.headers["Digest"] = f"sha-256={match.sha256}"
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
    response.set_etag(f"{ctx().build.version[:16]}-void-{fmt.name}")
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
