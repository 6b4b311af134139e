"""/sparql for people: a browser opening a query link gets the results as a table (IRIs of the
collection linked to their local pages, the query editable), machine clients get what they always got,
and the query editor declares the prefixes the ontology files declare."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, Page, expect
from rdflib import Graph

from kg.config import Settings
from kg.web import pages
from tests.web_server import BASE, Live

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SENDERS = ("PREFIX schema: <http://schema.org/> SELECT ?l ?n ?sender WHERE { ?l a schema:Message ; "
           "schema:identifier ?n ; schema:sender/schema:name ?sender } ORDER BY ?n")


def _get(live: Live, query: str, accept: str | None, **params: str) -> requests.Response:
    headers = {"Accept": accept} if accept is not None else {}
    return requests.get(live.url + "/sparql", params={"query": query, **params}, headers=headers, timeout=30)


def test_a_browser_gets_a_table_with_local_links_and_the_query_to_edit(live: Live) -> None:
    r = _get(live, SENDERS, BROWSER_ACCEPT)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert r.headers["Vary"] == "Accept" and r.headers["X-SPARQL-Truncated"] == "false"
    assert re.findall(r"<th>([^<]+)</th>", r.text) == ["?l", "?n", "?sender"]
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", r.text)
    assert len(rows) == 3
    assert '<a href="/letter/167" title="https://w3id.org/bolcorr/letter/167">' in r.text  # a local page, not w3id
    assert "A. M. Nazaretyan" in rows[1] and "@en" in rows[1]
    assert ">PREFIX schema: &lt;http://schema.org/&gt; SELECT ?l ?n ?sender" in r.text  # in the textarea
    followed = requests.get(live.url + "/letter/167", headers={"Accept": "text/html"}, timeout=30)
    assert followed.status_code == 200


def test_the_table_says_when_rows_were_cut_and_shows_graphs_and_booleans(live: Live) -> None:
    cut = _get(live, "SELECT * WHERE { ?s ?p ?o }", BROWSER_ACCEPT)
    assert cut.headers["X-SPARQL-Truncated"] == "true" and "cut at 20" in cut.text
    assert len(re.findall(r"<tr><td>", cut.text)) == 20
    graph = _get(live, f"CONSTRUCT WHERE {{ <{BASE}letter/167> a ?type }}", BROWSER_ACCEPT)
    assert re.findall(r"<th>([^<]+)</th>", graph.text) == ["subject", "predicate", "object"]
    ask = _get(live, "ASK { ?s ?p ?o }", BROWSER_ACCEPT)
    assert '<strong id="boolean">true</strong>' in ask.text
    explicit = _get(live, "ASK {}", "application/sparql-results+json", format="html")
    assert explicit.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("accept,media_type", [
    (None, "application/sparql-results+json"),  # requests sends */*
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+json,application/json,text/javascript,application/javascript",
     "application/sparql-results+json"),  # SPARQLWrapper
    ("application/sparql-results+json, text/html;q=0.5", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
])
def test_machine_clients_keep_their_formats(live: Live, accept: str | None, media_type: str) -> None:
    r = _get(live, SENDERS, accept)
    assert r.status_code == 200 and r.headers["Content-Type"].split(";")[0] == media_type


def _ontology_prefixes() -> dict[str, str]:
    """What the ontology files declare, read here as the test's own reading of the source of truth."""
    found: dict[str, str] = {}
    for path in sorted(Settings().ontology_dir.glob("*.ttl")):
        graph = Graph(bind_namespaces="none").parse(path, format="turtle")
        found.update({p: str(ns) for p, ns in graph.namespaces() if p and p not in found})
    return found


def test_the_editor_declares_the_ontologys_prefixes(live: Live) -> None:
    prefixes = _ontology_prefixes()
    assert {"bc", "bcv", "schema", "rico", "skos", "prov"} <= set(prefixes)
    page = requests.get(live.url + "/query", timeout=30).text
    if pages.vendor_available():
        script = re.search(r'data-prefixes="([^"]*)"', page)
        assert script is not None
        for prefix, namespace in prefixes.items():
            assert f"&#34;{prefix}&#34;: &#34;{namespace}&#34;" in script.group(1)
    for prefix, namespace in prefixes.items():  # the initial query (plain form or YASGUI's) declares them
        assert f"PREFIX {prefix}: &lt;{namespace}&gt;" in page




@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.browser
def test_chromium_opening_a_query_link_sees_the_table_and_follows_a_row(live: Live, page: Page) -> None:
    page.goto(live.url + "/sparql?" + requests.compat.urlencode({"query": SENDERS}), wait_until="load")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("textarea[name=query]")).to_have_value(SENDERS)
    page.locator('table.results a[href="/letter/167"]').click()
    expect(page.locator("h1")).to_contain_text("No. 167")


@pytest.mark.browser
def test_the_yasgui_editor_has_the_prefixes_declared(live: Live, page: Page) -> None:
    if not pages.vendor_available():
        pytest.skip("YASGUI is not installed (`make vendor`)")
    page.goto(live.url + "/query", wait_until="load")
    page.wait_for_function("window.kgEditor !== undefined && document.querySelector('.CodeMirror') !== null")
    query = page.evaluate("window.kgEditor.getTab().getQuery()")
    for prefix, namespace in _ontology_prefixes().items():
        assert f"PREFIX {prefix}: <{namespace}>" in query
