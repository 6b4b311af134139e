"""/dumps/: the files of output/ with sizes and SHA-256 checksums; /.well-known/void: the VoID/DCAT.

Only regular files listed in output/ are served (a name is looked up in the listing, never joined
onto a path), so ``../`` or an encoded slash cannot reach anything else: it is a 404. ``.gz`` files
are served as ``application/gzip`` (RFC 6713), not as RDF with ``Content-Encoding: gzip``: the
latter makes browsers and HTTP clients unpack the download silently, so the bytes on disk would no
longer match SHA256SUMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from rdflib import Graph

from kg.store.formats import RDF_FORMATS, Format
from kg.web.conneg import HTML, content_type, negotiate
from kg.web.context import ctx

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
    return MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")


def _checksums(out: Path) -> dict[str, str]:
    sums = out / "SHA256SUMS"
    if not sums.is_file():
        return {}
    pairs = (line.split(maxsplit=1) for line in sums.read_text(encoding="utf-8").splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest for digest, name in pairs}


def listing() -> list[DumpFile]:
    out = ctx().settings.output_dir
    if not out.is_dir():
        return []
    sums = _checksums(out)
    files = sorted(p for p in out.iterdir() if p.is_file() and not p.name.startswith("."))
    return [DumpFile(p.name, p.stat().st_size, sums.get(p.name), media_type(p.name)) for p in files]


@bp.route("/dumps/")
def index() -> Response:
    files = listing()
    fmt = negotiate((HTML, JSON_LISTING))
    if fmt is JSON_LISTING:
        response = jsonify({"files": [f.__dict__ | {"url": f"/dumps/{f.name}"} for f in files]})
    else:
        response = Response(render_template("dumps.html", files=files), mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


@bp.route("/dumps/<name>")
def download(name: str) -> Response:
    match = next((f for f in listing() if f.name == name), None)
    if match is None:
        abort(404, f"No file {name!r} in the dumps; the list is at /dumps/.")
    response = send_file(ctx().settings.output_dir / match.name, mimetype=match.media_type, conditional=True,
                         download_name=match.name, as_attachment=False, etag=True)
    if match.sha256:
        response.headers["Digest"] = f"sha-256={match.sha256}"
    return response


@bp.route("/.well-known/void")
def void() -> Response:
    path = ctx().settings.output_dir / "void.ttl"
    if not path.is_file():
        abort(404, "This build has no void.ttl; run `kg build` to publish one.")
    fmt = negotiate(RDF_FORMATS)
    graph = Graph().parse(path, format="turtle")
    rdflib_name = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml"}[fmt.name]
    response = Response(graph.serialize(format=rdflib_name, encoding="utf-8"), content_type=content_type(fmt))
    response.headers["Vary"] = "Accept"
    response.last_modified = ctx().build.modified
    response.set_etag(f"{ctx().build.version[:16]}-void-{fmt.name}")
    return response.make_conditional(request)
