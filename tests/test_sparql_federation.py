"""A real Oxigraph server federating to us: ``SERVICE <http://127.0.0.1:PORT/sparql>`` gets the rows
a direct query gets, for a complete answer and for one cut at our row cap.

Why: our JSON answers once ended with a ``"truncated"`` member that Oxigraph's results reader
refuses, so every such federated query failed while a direct query worked.
"""

from __future__ import annotations

import pytest
import requests

from tests.oxigraph_server import oxigraph_binary, running_oxigraph
from tests.web_server import Live

pytestmark = pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server comes with the test extra")

SENDERS = ("PREFIX schema: <http://schema.org/> SELECT ?n ?sender WHERE { ?l a schema:Message ; "
           "schema:identifier ?n ; schema:sender/schema:name ?sender }")
EVERYTHING = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"  # 159 rows: we answer the first 20


def _rows(url: str, query: str) -> list[tuple[str, ...]]:
    r = requests.get(url, params={"query": query}, headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text[:500]
    data = r.json()
    names = data["head"]["vars"]
    return sorted(tuple(b[n]["value"] if n in b else "" for n in names) for b in data["results"]["bindings"])


def _through(endpoint: str, inner: str) -> str:
    """``inner`` (with its prologue) run by the federating server inside SERVICE ``endpoint``."""
    prologue, _, select = inner.partition("SELECT")
    head, _, body = select.partition("WHERE")
    return f"{prologue}SELECT{head}WHERE {{ SERVICE <{endpoint}> {{ SELECT{head}WHERE{body} }} }}"


@pytest.mark.parametrize("query,count", [(SENDERS, 3), (EVERYTHING, 20)], ids=["complete", "cut at our cap"])
def test_an_oxigraph_server_gets_our_rows_through_service(live: Live, query: str, count: int) -> None:
    ours = live.url + "/sparql"
    direct = _rows(ours, query)
    assert len(direct) == count
    with running_oxigraph() as oxigraph:
        federated = _rows(oxigraph.query, _through(ours, query))
    assert federated == direct  # the cut answer too: the same store reads the same first 20 rows
