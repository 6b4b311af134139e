"""What every blueprint shares: the settings, the store, the build (version, base IRI), the ontology,
and ``local_path``: the one mapping from a published IRI to the page of this site that answers it.

Why one mapping: pages, the SPARQL results' links, provenance links and ``/iri?u=`` must agree, and a
local install (a host that is not the base's) must never send a reader to the published host.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_request_context, request
from rdflib import OWL, Graph, Literal
from rdflib.namespace import VOID

from kg.config import ONTOLOGY_NS, VOCAB_NS, Settings
from kg.store.types import Store


@dataclass(frozen=True)
class BuildInfo:
    """The version of the published data: every ETag and Last-Modified derives from it, so caches
    revalidate exactly when `kg build` publishes something new.

    ``version``: the build's one version identifier, as `kg build` printed it and void.ttl states it
    (``owl:versionInfo``; 12 hex digits of the content hash, see ``kg.publish.void``); the cite box,
    the dumps page and the ``X-Release`` header show it as is. ``base``: the base IRI the build was
    made with (``void:uriSpace``), None when the build does not say."""

    version: str
    modified: datetime
    base: str | None = None


def settings_for(settings: Settings, build: BuildInfo) -> Settings:
    """``settings`` with the base IRI the build was made with: the build's IRIs are what the store
    holds, whatever base the server was started with (and a release swapped in may bring another)."""
    if build.base and build.base != settings.base_iri:
        return replace(settings, base_iri=build.base)
    return settings


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    store: Store
    build: BuildInfo
    sandboxed: bool


@dataclass(frozen=True)
class Checksums:
    """What SHA256SUMS says: a digest per file name, and the lines it could not use (with why)."""

    digests: dict[str, str]
    problems: tuple[str, ...] = ()


HEX = frozenset("0123456789abcdef")


def read_checksums(out: Path) -> Checksums:
    """Parse ``sha256sum`` output (``<64 hex>  <name>``, ``*`` for binary mode); a line that is not
    that is skipped and reported, never fatal: one bad line must not take every download down."""
    sums = out / "SHA256SUMS"
    if not sums.is_file():
        return Checksums({})
    try:
        text = sums.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return Checksums({}, (f"SHA256SUMS cannot be read ({type(err).__name__}); no checksums are shown",))
    digests: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=1)
        digest = parts[0].lower()
        if len(parts) != 2 or len(digest) != 64 or not set(digest) <= HEX:
            problems.append(f"SHA256SUMS line {number} is not '<sha-256>  <file name>'; it was skipped")
            continue
        digests[parts[1].strip().lstrip("*")] = digest
    return Checksums(digests, tuple(problems))


@dataclass(frozen=True)
class Recorded:
    """What a build's void.ttl says about itself: its version and its base IRI (either may be missing)."""

    version: str | None = None
    base: str | None = None


def recorded(output_dir: Path) -> Recorded:
    """The version and base IRI that void.ttl records. A missing or unreadable void.ttl records nothing
    (the data can still be served; /.well-known/void reports the broken file)."""
    path = output_dir / "void.ttl"
    if path.is_symlink() or not path.is_file():
        return Recorded()
    try:
        graph = Graph().parse(path, format="turtle")
    except Exception:  # noqa: BLE001 - rdflib raises many types for a broken file
        return Recorded()
    for dataset, space in graph.subject_objects(VOID.uriSpace):
        version = graph.value(dataset, OWL.versionInfo)
        if isinstance(space, Literal):
            return Recorded(str(version) if version is not None else None, str(space))
    return Recorded()


def build_info(output_dir: Path) -> BuildInfo:
    """Version and base as void.ttl records them; a build without them: the first 12 hex digits of
    the main data file's SHA-256 (from SHA256SUMS when present, else hashed here)."""
    from kg.store.files import find_data_file

    data_file = find_data_file(output_dir)
    modified = datetime.fromtimestamp(int(data_file.stat().st_mtime), tz=UTC)
    said = recorded(output_dir)
    if said.version:
        return BuildInfo(version=said.version, modified=modified, base=said.base)
    version = read_checksums(output_dir).digests.get(data_file.name)
    if version is None:
        digest = hashlib.sha256()
        with data_file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        version = digest.hexdigest()
    return BuildInfo(version=version[:12], modified=modified, base=said.base)


def ctx() -> WebContext:
    """The context of the release this request is pinned to (``kg.web.release``: a request that began
    before a new release was swapped in finishes on the old one), else the app's current one."""
    if has_request_context():
        pinned = request.environ.get("kg.web")
        if pinned is not None:
            return pinned
    return current_app.extensions["kg"]


def ontology_graph() -> Graph:
    """Our ontology and SKOS schemes as published with the build (``output/ontology/``), else from
    ``Settings.ontology_dir``; parsed once per app and release. Only rdflib's core prefixes are
    pre-bound, so the files' own prefixes serialize as written (rdflib's default binds
    https://schema.org/ to ``schema``, and our ``schema:`` would come out as ``schema1:``)."""
    key = f"kg.ontology.{ctx().build.version}"
    graph = current_app.extensions.get(key)
    if graph is None:
        graph = Graph(bind_namespaces="core")
        published = ctx().settings.output_dir / "ontology"
        folder = published if any(published.glob("*.ttl")) else ctx().settings.ontology_dir
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path, format="turtle")
        for old in [name for name in list(current_app.extensions) if name.startswith("kg.ontology.")]:
            current_app.extensions.pop(old, None)
        current_app.extensions[key] = graph
    return graph


def local_path(iri: str) -> str | None:
    """The path on this site that answers for ``iri`` (None: not one of ours).

    Our IRIs are the base's (``Settings.base_iri``, whatever host serves the site), the ontology's
    (``bc:``, at /ontology) and the SKOS schemes' (``bcv:``, at /vocab/). The path keeps the IRI's
    fragment and starts with the app's mount point (``SCRIPT_NAME``), so a site behind a proxy
    under a path prefix links right too. Used by the page templates (the ``local`` filter), the
    SPARQL results' HTML and ``/iri?u=``."""
    base = ctx().settings.base_iri
    if iri.startswith(ONTOLOGY_NS) or iri == ONTOLOGY_NS[:-1]:
        path = "/ontology" + iri[len(ONTOLOGY_NS) - 1:]
    elif iri.startswith(VOCAB_NS):
        path = "/vocab/" + iri[len(VOCAB_NS):]
    elif iri.startswith(base):
        path = "/" + iri[len(base):]
    elif iri + "/" == base:
        path = "/"
    else:
        return None
    return (request.script_root if has_request_context() else "") + path


def void_graph() -> Graph:
    """The build's void.ttl, parsed once per app and release (empty when there is none or it is broken:
    /.well-known/void is where a broken file is reported)."""
    key = f"kg.void.{ctx().build.version}"  # per release: a new one may be swapped in (kg.web.release)
    graph = current_app.extensions.get(key)
    if graph is None:
        graph = Graph()
        path = ctx().settings.output_dir / "void.ttl"
        if path.is_file() and not path.is_symlink():
            try:
                graph.parse(path, format="turtle")
            except Exception:  # noqa: BLE001 - rdflib raises many types for a broken file
                graph = Graph()
        for old in [name for name in list(current_app.extensions) if name.startswith("kg.void.")]:
            current_app.extensions.pop(old, None)
        current_app.extensions[key] = graph
    return graph
