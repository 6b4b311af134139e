"""What every blueprint shares: the settings, the store, the build version (for ETags) and the ontology."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app, has_request_context, request
from rdflib import Graph

from kg.config import Settings
from kg.store.types import Store


@dataclass(frozen=True)
class BuildInfo:
    """The version of the published data: every ETag and Last-Modified derives from it, so caches
    revalidate exactly when `kg build` publishes something new."""

    version: str
    modified: datetime


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


def build_info(output_dir: Path) -> BuildInfo:
    """Version = SHA-256 of the main data file (from SHA256SUMS when present, else hashed here)."""
    from kg.store.files import find_data_file

    data_file = find_data_file(output_dir)
    version = read_checksums(output_dir).digests.get(data_file.name)
    if version is None:
        digest = hashlib.sha256()
        with data_file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        version = digest.hexdigest()
    modified = datetime.fromtimestamp(int(data_file.stat().st_mtime), tz=UTC)
    return BuildInfo(version=version, modified=modified)


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
    ``Settings.ontology_dir``; parsed once per app and release."""
    key = f"kg.ontology.{ctx().build.version}"
    graph = current_app.extensions.get(key)
    if graph is None:
        graph = Graph()
        published = ctx().settings.output_dir / "ontology"
        folder = published if any(published.glob("*.ttl")) else ctx().settings.ontology_dir
        for path in sorted(folder.glob("*.ttl")):
            graph.parse(path, format="turtle")
        for old in [name for name in list(current_app.extensions) if name.startswith("kg.ontology.")]:
            current_app.extensions.pop(old, None)
        current_app.extensions[key] = graph
    return graph
