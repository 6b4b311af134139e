"""`kg load` into a live Oxigraph server (and into a failing endpoint) on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner
from werkzeug.wrappers import Response

from kg.cli import cli
from kg.store.load import graph_batches, load
from tests.oxigraph_server import running_oxigraph

TRIG = """
@prefix schema: <http://schema.org/> .
@prefix ex: <https://w3id.org/bolcorr/> .
ex:graph\\/letter\\/167 {
  ex:letter\\/167 a schema:Message ; schema:identifier "167" ;
      schema:text "Dear Sergo! \\"quoted\\" <script>"@en .
}
ex:graph\\/letter\\/168 {
  ex:letter\\/168 a schema:Message ; schema:identifier "168" ;
      schema:dateCreated "1923-01-28"^^<http://www.w3.org/2001/XMLSchema#date> .
}
ex:graph\\/authority {
  ex:person\\/stalin-i-v schema:name "I. V. Stalin" .
}
"""


@pytest.fixture()
def build_dir(tmp_path: Path) -> Path:
    (tmp_path / "kg.trig").write_text(TRIG, encoding="utf-8")
    return tmp_path


def quads_of(path: Path) -> set[tuple[str, str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG)}


def store_quads(query_url: str) -> set[tuple[str, str, str, str]]:
    resp = requests.post(query_url, data={"query": "SELECT ?s ?p ?o ?g { GRAPH ?g { ?s ?p ?o } }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=10)
    resp.raise_for_status()
    out = set()
    for b in resp.json()["results"]["bindings"]:
        out.add(tuple(_term(b[k]) for k in ("s", "p", "o", "g")))
    return out


def _term(binding: dict) -> str:
    if binding["type"] == "uri":
        return str(ox.NamedNode(binding["value"]))
    if "xml:lang" in binding:
        return str(ox.Literal(binding["value"], language=binding["xml:lang"]))
    if "datatype" in binding:
        return str(ox.Literal(binding["value"], datatype=ox.NamedNode(binding["datatype"])))
    return str(ox.Literal(binding["value"]))


def test_graph_batches_keep_each_named_graph_together(build_dir: Path) -> None:
    batches = list(graph_batches(build_dir / "kg.trig"))
    assert [b.graph for b in batches] == [
        "https://w3id.org/bolcorr/graph/letter/167",
        "https://w3id.org/bolcorr/graph/letter/168",
        "https://w3id.org/bolcorr/graph/authority",
    ]
    assert [len(b.lines) for b in batches] == [3, 3, 1]
    assert not any(b.append for b in batches)


@pytest.mark.parametrize("protocol", ["gsp", "update"])
def test_load_into_oxigraph_server_keeps_every_quad_in_its_graph(build_dir: Path, protocol: str) -> None:
    with running_oxigraph() as server:
        endpoint = server.store if protocol == "gsp" else server.update
        summary = load(build_dir, endpoint, protocol)  # type: ignore[arg-type]
        assert summary.failed == {}
        assert (summary.graphs, summary.triples) == (3, 7)
        assert store_quads(server.query) == quads_of(build_dir / "kg.trig")
        # loading again replaces the graphs: same store, no duplicates
        load(build_dir, endpoint, protocol)  # type: ignore[arg-type]
        assert store_quads(server.query) == quads_of(build_dir / "kg.trig")


def test_cli_load_prints_summary_and_exit_code(build_dir: Path) -> None:
    with running_oxigraph() as server:
        result = CliRunner().invoke(cli, ["load", "--endpoint", server.store, "--data", str(build_dir)])
    assert result.exit_code == 0, result.output
    assert "loaded 3/3 graphs, 7 triples, 0 retries" in result.output


def test_load_retries_transient_errors_and_names_graphs_that_fail(build_dir: Path, httpserver) -> None:
    calls: list[str] = []

    def handler(request):
        graph = request.args.get("graph", "")
        calls.append(graph)
        if graph.endswith("/167") and calls.count(graph) == 1:
            return Response("busy", status=503)  # transient: retried, then accepted
        if graph.endswith("/168"):
            return Response("bad data", status=400)  # permanent: not retried, reported
        return Response("", status=204)

    httpserver.expect_request("/store", method="PUT").respond_with_handler(handler)
    summary = load(build_dir, httpserver.url_for("/store"), "gsp", retries=2, backoff=0.01)
    assert summary.retries == 1
    assert calls.count("https://w3id.org/bolcorr/graph/letter/167") == 2
    assert calls.count("https://w3id.org/bolcorr/graph/letter/168") == 1
    assert summary.failed == {"https://w3id.org/bolcorr/graph/letter/168": "HTTP 400: bad data"}
    assert "FAILED https://w3id.org/bolcorr/graph/letter/168: HTTP 400: bad data" in str(summary)


def test_load_without_a_build_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["load", "--endpoint", "http://127.0.0.1:9/store", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'kg.trig'}: no such file (run `kg build` first)" in result.output


def test_unreachable_endpoint_is_reported_per_graph(build_dir: Path) -> None:
    from tests.oxigraph_server import free_port

    url = f"http://127.0.0.1:{free_port()}/store"
    summary = load(build_dir, url, "gsp", retries=1, backoff=0.01, timeout=2)
    assert len(summary.failed) == 3
    assert all(reason.startswith("ConnectionError") for reason in summary.failed.values())
    assert summary.retries == 3
