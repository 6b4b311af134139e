"""Real builds for the release and IRI tests, made once per session: the seed corpus with the default
base (by the `kg build` command, whose summary line is kept), the seed corpus with another base
(``https://example.org/corr/``), and a generated corpus of 1,000 letters. ``app_over`` serves a
build with `kg serve`'s app (real embedded store), ``live_over`` on a real loopback HTTP server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from flask import Flask
from rdflib import Graph, URIRef

from kg.build.pipeline import build
from kg.config import ONTOLOGY_NS, VOCAB_NS, Settings
from kg.devtools import write_corpus
from kg.web import create_app
from tests.web_server import serving

ROOT = Path(__file__).resolve().parent.parent
OTHER_BASE = "https://example.org/corr/"
IRI = re.compile(r"<([^<>\s]+)>")


@dataclass(frozen=True)
class Built:
    out: Path
    base: str
    summary: str  # the last line `kg build` printed


def kg_build(out: Path, *args: str) -> Built:
    done = subprocess.run([sys.executable, "-m", "kg", "build", "--out", str(out), "-q", *args], cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    base = args[args.index("--base") + 1] if "--base" in args else Settings().base_iri
    return Built(out, base, done.stderr.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return kg_build(tmp_path_factory.mktemp("seed") / "output")


@pytest.fixture(scope="session")
def other_base_release(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return kg_build(tmp_path_factory.mktemp("other-base") / "output", "--base", OTHER_BASE)


@pytest.fixture(scope="session")
def generated_release(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """1,000 generated letters, built in this process (the same code as `kg build`)."""
    folder = tmp_path_factory.mktemp("generated")
    pages = write_corpus(folder / "corpus", 1000, seed=0)
    lines: list[str] = []
    code = build(replace(Settings(), output_dir=folder / "output"), [str(p) for p in pages], echo=lines.append,
                 quiet=True)
    assert code == 0, "\n".join(lines)
    return Built(folder / "output", Settings().base_iri, lines[-1])


@contextmanager
def app_over(out: Path) -> Iterator[Flask]:
    """`kg serve`'s app over a build, with default settings apart from the folder: whatever the
    build's base, the app must find it by itself."""
    app = create_app(replace(Settings(), output_dir=out))
    try:
        yield app
    finally:
        app.extensions["kg"].store.close()


@contextmanager
def live_over(out: Path) -> Iterator[str]:
    """The app over a build on a real loopback HTTP server; yields its URL."""
    settings = replace(Settings(), output_dir=out, host="127.0.0.1")
    with app_over(out) as app, serving(app, settings) as server:
        yield f"http://127.0.0.1:{server.port}"


def published_iris(built: Built) -> list[str]:
    """Every IRI of ours in the release: in kg.nt.gz (any position), the graph names of kg.trig,
    void.ttl, the ontology and SKOS files, and the namespaces themselves."""
    import gzip

    ours = (built.base, ONTOLOGY_NS, VOCAB_NS)
    found: set[str] = {built.base, VOCAB_NS, ONTOLOGY_NS}
    with gzip.open(built.out / "kg.nt.gz", "rt", encoding="utf-8") as nt:
        for line in nt:
            found.update(IRI.findall(line.split('"', 1)[0]))
    with (built.out / "kg.trig").open(encoding="utf-8") as trig:
        found.update(m.group(1) for line in trig if (m := re.match(r"^<([^>]+)> \{", line)))
    for path in [built.out / "void.ttl", *sorted((built.out / "ontology").glob("*.ttl"))]:
        graph = Graph().parse(path, format="turtle")
        found.update(str(node) for triple in graph for node in triple if isinstance(node, URIRef))
    return sorted(iri for iri in found if iri.startswith(ours) or iri + "/" == built.base)
