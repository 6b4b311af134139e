"""Issue 6, external stores: `kg load` into a live Oxigraph server, then `kg serve --sparql-backend`
in front of it answers exactly like the embedded store — the whole graph (through a CONSTRUCT over
/sparql, as a generic client would fetch it) is the same, and the seed's facts hold on it — and the
guards of our app still apply in front of the external store."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.oxigraph_server import free_port, running_oxigraph, wait_until_answering
from tests.seed_facts import SEED_TOTAL, score_dump

KG = str(Path(sys.executable).parent / "kg")
WHOLE_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
LETTERS = "PREFIX schema: <http://schema.org/> SELECT (COUNT(?l) AS ?n) WHERE { ?l a schema:Message }"


@contextmanager
def kg_serve(data: Path, *extra: str) -> Iterator[str]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen([KG, "serve", "--data", str(data), "--port", str(port), *extra],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:  # closes its pipe
        try:
            wait_until_answering(base + "/sparql", proc)
            yield base
        finally:
            proc.kill()
            proc.wait(timeout=10)


def whole_graph(base: str) -> Graph:
    resp = requests.post(base + "/sparql", data={"query": WHOLE_GRAPH},
                         headers={"Accept": "application/n-triples"}, timeout=60)
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/n-triples")
    assert resp.headers["X-SPARQL-Truncated"] == "false"  # the whole graph, not a cut
    return Graph().parse(data=resp.text, format="nt")


def count_letters(base: str) -> int:
    resp = requests.get(base + "/sparql", params={"query": LETTERS},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return int(resp.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ext") / "output"
    done = subprocess.run([KG, "build", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.slow
def test_load_then_serve_from_oxigraph_server_answers_like_the_embedded_store(seed_build: Path,
                                                                              tmp_path: Path) -> None:
    with running_oxigraph(union_default_graph=True) as server:
        loaded = subprocess.run([KG, "load", "--endpoint", server.store, "--data", str(seed_build)],
                                capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stdout + loaded.stderr
        assert "loaded" in loaded.stdout and "FAILED" not in loaded.stdout
        with kg_serve(seed_build) as embedded, kg_serve(seed_build, "--sparql-backend", server.query) as remote:
            assert count_letters(embedded) == count_letters(remote) == 11
            g_embedded, g_remote = whole_graph(embedded), whole_graph(remote)
            # guards in front of the external store: updates refused, data unchanged
            upd = requests.post(remote + "/sparql", data={"update": "DROP ALL"}, timeout=10)
            assert upd.status_code in (400, 403, 405), upd.text
            ins = requests.post(remote + "/sparql", data="INSERT DATA { <urn:x> <urn:y> <urn:z> }",
                                headers={"Content-Type": "application/sparql-update"}, timeout=10)
            assert ins.status_code in (400, 403, 405, 415), ins.text
            assert count_letters(remote) == 11
            # a SERVICE call to a host not on the allowlist is refused before it reaches the store
            svc = requests.get(remote + "/sparql", timeout=10, params={
                "query": f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}"})
            assert svc.status_code == 403, svc.text
    assert len(g_remote) > 1000
    assert isomorphic(g_embedded, g_remote)
    dump = tmp_path / "remote.nt"
    g_remote.serialize(dump, format="nt", encoding="utf-8")
    score = score_dump(dump)
    assert (score.ok, score.total) == (SEED_TOTAL, SEED_TOTAL), score.report()


@pytest.mark.slow
def test_a_slow_backend_is_cut_at_our_time_limit(seed_build: Path) -> None:
    """A cross product on the external store: our app gives up at its own limit (503) and says so."""
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with running_oxigraph(union_default_graph=True) as server:
        assert subprocess.run([KG, "load", "--endpoint", server.store, "--data", str(seed_build)],
                              capture_output=True).returncode == 0
        with kg_serve(seed_build, "--sparql-backend", server.query, "--query-timeout", "2") as remote:
            started = time.monotonic()
            r = requests.get(remote + "/sparql", params={"query": runaway},
                             headers={"Accept": "application/sparql-results+json"}, timeout=60)
            elapsed = time.monotonic() - started
            assert r.status_code == 503, r.text
            assert "time limit (2 s)" in r.json()["message"]
            assert elapsed < 15
            assert count_letters(remote) == 11  # still answering
